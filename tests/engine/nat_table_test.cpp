#include "vpcstack/engine/nat_table.hpp"

#include <gtest/gtest.h>

#include <set>

#include "fixture.hpp"
#include "vpcstack/engine/conntrack.hpp"
#include "vpcstack/engine/packet.hpp"

namespace vpcstack::engine::testing {
namespace {

constexpr TimeNs kSec = kNsPerSecond;

net::FiveTuple inside(std::uint16_t sport, const char* dst = "192.0.2.80") {
    return {ip("10.0.2.10"), ip(dst), sport, 443, net::Protocol::kTcp};
}

TEST(NatTable, AllocatesDistinctPortsFrom1024AndFindsReplies) {
    NatTable t(ip("10.0.1.20"), 55000, 350 * kSec);
    std::set<std::uint16_t> ports;
    for (std::uint16_t p = 1; p <= 100; ++p) {
        auto c = t.create(inside(p), 0);
        ASSERT_EQ(c.outcome, NatTable::CreateOutcome::Created);
        EXPECT_GE(c.mapping->nat_port, 1024);
        ports.insert(c.mapping->nat_port);
    }
    EXPECT_EQ(ports.size(), 100u);
    NatMapping* m = t.find_outbound(inside(5), kSec);
    ASSERT_NE(m, nullptr);
    net::FiveTuple reply{ip("192.0.2.80"), ip("10.0.1.20"), 443, m->nat_port, net::Protocol::kTcp};
    NatMapping* back = t.find_inbound(reply, kSec);
    ASSERT_NE(back, nullptr);
    EXPECT_EQ(back->inside, inside(5));
}

TEST(NatTable, LimitIsPerDestination) {
    NatTable t(ip("10.0.1.20"), 3, 350 * kSec);
    for (std::uint16_t p = 1; p <= 3; ++p) {
        EXPECT_EQ(t.create(inside(p), 0).outcome, NatTable::CreateOutcome::Created);
    }
    EXPECT_EQ(t.create(inside(4), 0).outcome, NatTable::CreateOutcome::PortsExhausted);
    EXPECT_EQ(t.create(inside(4, "192.0.2.81"), 0).outcome, NatTable::CreateOutcome::Created);
    EXPECT_EQ(t.connections_to(inside(1)), 3u);
}

TEST(NatTable, IdleTranslationsExpireAt350Seconds) {
    NatTable t(ip("10.0.1.20"), 55000, 350 * kSec);
    t.create(inside(1), 0);
    EXPECT_NE(t.find_outbound(inside(1), 349 * kSec), nullptr);
    EXPECT_EQ(t.find_outbound(inside(1), 699 * kSec), nullptr);
    EXPECT_EQ(t.size(), 0u);
    EXPECT_EQ(t.connections_to(inside(1)), 0u);
}

}  // namespace
}  // namespace vpcstack::engine::testing
