// Security groups: stateful allow rules, with connection tracking as EC2 does it.
#include <gtest/gtest.h>
#include <tins/tins.h>

#include <cstddef>

#include "../engine_fixture.hpp"
#include "vpcstack/net/bytes.hpp"
#include "vpcstack/net/ethernet.hpp"
#include "vpcstack/net/ipv4_header.hpp"

namespace vpcstack::engine::testing {
namespace {

TEST_F(EngineTest, SecurityGroupReferenceMatchesMembersPrivateAddresses) {
    start();
    // app-sg allows tcp/8080 from members of web-sg only.
    EXPECT_EQ(send(web, from_eni(web, "10.0.1.10", "10.0.2.10", tcp(40000, 8080))).size(), 1u);
    Index stranger = b.instance("stranger", pub, "10.0.1.50");
    start();
    EXPECT_TRUE(
        send(stranger, from_eni(stranger, "10.0.1.50", "10.0.2.10", tcp(40000, 8080))).empty());
    EXPECT_EQ(drops(DropReason::SecurityGroupNoMatch), 1u);
}

TEST_F(EngineTest, RepliesOfAnAllowedFlowPassWithoutAnInboundRule) {
    start();
    // app -> web:80 is allowed by web-sg. app-sg has no inbound rule for the reply (tcp from
    // 10.0.1.10:80 to port 40000), yet it passes: app's egress tracked the connection.
    ASSERT_EQ(send(app, from_eni(app, "10.0.2.10", "10.0.1.10", tcp(40000, 80))).size(), 1u);
    auto out = send(web, from_eni(web, "10.0.1.10", "10.0.2.10",
                                  tcp(80, 40000, Tins::TCP::SYN | Tins::TCP::ACK)));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, app);
    // The same packet without the connection is refused.
    EXPECT_TRUE(send(web, from_eni(web, "10.0.1.10", "10.0.2.10",
                                   tcp(80, 40001, Tins::TCP::SYN | Tins::TCP::ACK)))
                    .empty());
    EXPECT_EQ(drops(DropReason::SecurityGroupNoMatch), 1u);
}

TEST_F(EngineTest, RuleChangeCutsUntrackedFlowsButNotTrackedOnes) {
    start();
    // Untracked: web-sg allows tcp/80 from 0.0.0.0/0 and all traffic out to 0.0.0.0/0.
    ASSERT_EQ(
        send(kInternetPort, from_internet("192.0.2.50", "203.0.113.10", tcp(50000, 80))).size(),
        1u);
    EXPECT_EQ(engine->tracked_connections(web), 0u);
    // Tracked: tcp/80 from a /24, not 0.0.0.0/0.
    b.t.security_groups[web_sg].ingress.push_back(
        B::sg_cidr(net::Protocol::tcp(), net::PortRange::single(8080), "192.0.2.0/24"));
    start();
    ASSERT_EQ(
        send(kInternetPort, from_internet("192.0.2.50", "203.0.113.10", tcp(50000, 80))).size(),
        1u);
    ASSERT_EQ(
        send(kInternetPort, from_internet("192.0.2.50", "203.0.113.10", tcp(50001, 8080))).size(),
        1u);
    EXPECT_EQ(engine->tracked_connections(web), 1u);

    // Remove every inbound rule.
    engine->replace_security_group_rules(web_sg, {}, b.t.security_groups[web_sg].egress);
    Tins::TCP ack80 = tcp(50000, 80, Tins::TCP::ACK);
    Tins::TCP ack8080 = tcp(50001, 8080, Tins::TCP::ACK);
    // AWS: security-group-connection-tracking — the untracked flow is cut at once...
    EXPECT_TRUE(send(kInternetPort, from_internet("192.0.2.50", "203.0.113.10", ack80)).empty());
    // ...the tracked one continues.
    EXPECT_EQ(send(kInternetPort, from_internet("192.0.2.50", "203.0.113.10", ack8080)).size(), 1u);
    EXPECT_EQ(send(web, from_eni(web, "10.0.1.10", "192.0.2.50", tcp(8080, 50001, Tins::TCP::ACK)))
                  .size(),
              1u);
}

TEST_F(EngineTest, IcmpIsAlwaysTracked) {
    b.t.security_groups[web_sg].ingress.push_back(
        B::sg_cidr(net::Protocol::icmp(), {}, "0.0.0.0/0"));
    start();
    ASSERT_EQ(send(kInternetPort, from_internet("192.0.2.50", "203.0.113.10", echo())).size(), 1u);
    EXPECT_EQ(engine->tracked_connections(web), 1u);
}

TEST_F(EngineTest, ConntrackFullDropsNewFlows) {
    EngineConfig config;
    config.conntrack_capacity_per_eni = 2;
    start(config);
    EXPECT_EQ(send(app, from_eni(app, "10.0.2.10", "10.0.1.10", tcp(40000, 80))).size(), 1u);
    EXPECT_EQ(send(app, from_eni(app, "10.0.2.10", "10.0.1.10", tcp(40001, 80))).size(), 1u);
    EXPECT_TRUE(send(app, from_eni(app, "10.0.2.10", "10.0.1.10", tcp(40002, 80))).empty());
    EXPECT_EQ(drops(DropReason::ConntrackFull), 1u);
    // Packets of tracked flows still pass.
    EXPECT_EQ(
        send(app, from_eni(app, "10.0.2.10", "10.0.1.10", tcp(40000, 80, Tins::TCP::ACK))).size(),
        1u);
}

TEST_F(EngineTest, UdpTrackingTimesOutAfter30SecondsOr180WhenStreaming) {
    b.t.security_groups[web_sg].ingress.push_back(
        B::sg_cidr(net::Protocol::udp(), net::PortRange::single(53), "10.0.0.0/16"));
    start();
    auto request = from_eni(app, "10.0.2.10", "10.0.1.10", Tins::UDP(53, 40000));
    auto reply = from_eni(web, "10.0.1.10", "10.0.2.10", Tins::UDP(40000, 53));
    // app-sg has no inbound UDP rule: the reply passes only while the flow is tracked.
    ASSERT_EQ(send(app, request, 0).size(), 1u);
    EXPECT_TRUE(send(web, reply, 31 * kSec).empty());

    ASSERT_EQ(send(app, request, 100 * kSec).size(), 1u);
    ASSERT_EQ(send(web, reply, 101 * kSec).size(), 1u);
    ASSERT_EQ(send(app, request, 102 * kSec).size(), 1u);  // replies stream: 180 s
    EXPECT_EQ(send(web, reply, 250 * kSec).size(), 1u);
    EXPECT_TRUE(send(web, reply, 431 * kSec).empty());
}

// Splits the IPv4 packet of `frame` into two fragments at `split` bytes of payload (a multiple
// of 8), as a sender would.
std::vector<std::vector<std::uint8_t>> fragments_of(const std::vector<std::uint8_t>& frame,
                                                    std::size_t split, std::uint16_t id) {
    ParsedFrame pf = parse_frame(frame);
    std::size_t header = pf.ip_header_size;
    std::size_t payload = pf.ip_total_length - header;
    std::vector<std::vector<std::uint8_t>> out;
    for (int part = 0; part < 2; ++part) {
        std::size_t from = part == 0 ? 0 : split;
        std::size_t to = part == 0 ? split : payload;
        const auto l3 = static_cast<long>(net::ethernet::kHeaderSize);
        std::vector<std::uint8_t> f(frame.begin(), frame.begin() + l3 + static_cast<long>(header));
        f.insert(f.end(), frame.begin() + l3 + static_cast<long>(header + from),
                 frame.begin() + l3 + static_cast<long>(header + to));
        std::uint8_t* ip4 = f.data() + l3;
        net::store16(ip4 + net::ipv4::kTotalLength, static_cast<std::uint16_t>(header + to - from));
        net::store16(ip4 + net::ipv4::kId, id);
        net::store16(
            ip4 + net::ipv4::kFlagsFragment,
            static_cast<std::uint16_t>((part == 0 ? net::ipv4::kMoreFragments : 0) | (from / 8)));
        net::store16(ip4 + net::ipv4::kChecksum, 0);
        net::store16(ip4 + net::ipv4::kChecksum, net::checksum(net::ones_sum({ip4, header})));
        out.push_back(f);
    }
    return out;
}

TEST_F(EngineTest, LaterFragmentsFollowTheirFirstThroughSecurityGroups) {
    b.t.security_groups[web_sg].ingress.push_back(
        B::sg_cidr(net::Protocol::udp(), net::PortRange::single(53), "10.0.0.0/16"));
    start();
    auto whole = from_eni(app, "10.0.2.10", "10.0.1.10",
                          Tins::UDP(53, 40000) / Tins::RawPDU(std::string(2000, 'f')));
    auto parts = fragments_of(whole, 1000, 4242);
    EXPECT_EQ(send(app, parts[0]).size(), 1u);
    EXPECT_EQ(send(app, parts[1]).size(), 1u);
    // A later fragment of a datagram whose first fragment never passed is refused.
    auto stray = fragments_of(whole, 1000, 4343);
    EXPECT_TRUE(send(app, stray[1]).empty());
    EXPECT_EQ(drops(DropReason::SecurityGroupNoMatch), 1u);
}

}  // namespace
}  // namespace vpcstack::engine::testing
