#include "vpcstack/engine/conntrack.hpp"
#include "vpcstack/net/icmp.hpp"

#include <gtest/gtest.h>

#include "fixture.hpp"

namespace vpcstack::engine::testing {
namespace {

constexpr TimeNs kSec = kNsPerSecond;

net::FiveTuple flow(std::uint8_t proto, std::uint16_t sport = 40000, std::uint16_t dport = 80) {
    return {ip("10.0.1.10"), ip("10.0.2.10"), sport, dport, proto};
}

TEST(Conntrack, FindsAFlowInBothDirections) {
    ConntrackTimeouts timeouts;
    ConntrackTable t(10, timeouts);
    ASSERT_EQ(t.insert(flow(6), 0), ConntrackTable::InsertOutcome::Inserted);
    EXPECT_NE(t.find(flow(6), kSec).entry, nullptr);
    auto reply = t.find(flow(6).reversed(), kSec);
    ASSERT_NE(reply.entry, nullptr);
    EXPECT_TRUE(reply.reply);
    EXPECT_EQ(t.find(flow(6, 40001), kSec).entry, nullptr);
}

TEST(Conntrack, IcmpRepliesKeepTheQueryId) {
    ConntrackTimeouts timeouts;
    ConntrackTable t(10, timeouts);
    net::FiveTuple ping{ip("10.0.1.10"), ip("10.0.2.10"), 7, 0, 1};
    t.insert(ping, 0, net::icmp::kEchoRequest);
    net::FiveTuple pong{ip("10.0.2.10"), ip("10.0.1.10"), 7, 0, 1};
    auto hit = t.find(pong, 0, net::icmp::kEchoReply);
    EXPECT_NE(hit.entry, nullptr);
    EXPECT_TRUE(hit.reply);
}

// AWS: security-group-connection-tracking — queries pair with their replies by type.
TEST(Conntrack, AnIcmpRequestTheOtherWayIsNotAReply) {
    ConntrackTimeouts timeouts;
    ConntrackTable t(10, timeouts);
    net::FiveTuple ping{ip("10.0.1.10"), ip("10.0.2.10"), 7, 0, 1};
    t.insert(ping, 0, net::icmp::kEchoRequest);
    net::FiveTuple back{ip("10.0.2.10"), ip("10.0.1.10"), 7, 0, 1};
    EXPECT_EQ(t.find(back, 0, net::icmp::kEchoRequest).entry, nullptr);
    EXPECT_EQ(t.find(back, 0, net::icmp::kTimestampReply).entry, nullptr)
        << "a timestamp reply is not the reply of an echo request";
    EXPECT_NE(t.find(ping, 0, net::icmp::kEchoRequest).entry, nullptr)
        << "the next request of the same ping continues the flow";
}

TEST(Conntrack, TimeoutsFollowTheProtocol) {
    ConntrackTimeouts timeouts;
    ConntrackTable t(10, timeouts);
    t.insert(flow(6), 0);
    t.insert(flow(17), 0);
    t.insert(flow(47), 0);
    t.expire(599 * kSec);
    EXPECT_EQ(t.size(), 2u);  // UDP (30 s) gone; TCP and GRE remain
    t.expire(601 * kSec);
    EXPECT_EQ(t.size(), 1u);  // other protocols: 600 s
    t.expire(432'000 * kSec - 1);
    EXPECT_EQ(t.size(), 1u);
    t.expire(432'000 * kSec);
    EXPECT_EQ(t.size(), 0u);  // TCP established: 5 days
}

TEST(Conntrack, CapacityIsBoundedButIdleEntriesMakeRoom) {
    ConntrackTimeouts timeouts;
    ConntrackTable t(2, timeouts);
    EXPECT_EQ(t.insert(flow(17, 1), 0), ConntrackTable::InsertOutcome::Inserted);
    EXPECT_EQ(t.insert(flow(17, 2), 0), ConntrackTable::InsertOutcome::Inserted);
    EXPECT_EQ(t.insert(flow(17, 3), kSec), ConntrackTable::InsertOutcome::Full);
    EXPECT_EQ(t.insert(flow(17, 3), 31 * kSec), ConntrackTable::InsertOutcome::Inserted);
}

}  // namespace
}  // namespace vpcstack::engine::testing
