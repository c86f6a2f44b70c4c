// NAT gateway, both directions: flows open only outbound, and only their replies come back.
#include <gtest/gtest.h>
#include <tins/tins.h>

#include <span>

#include "../engine_fixture.hpp"
#include "vpcstack/net/ipv4_header.hpp"

namespace vpcstack::engine::testing {
namespace {

TEST_F(EngineTest, NatGatewayTranslatesOutboundAndRepliesBack) {
    start(traced());
    auto out = send(app, from_eni(app, "10.0.2.10", "192.0.2.80", tcp(40000, 443)));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, kInternetPort);
    auto eth = parse(out[0].bytes);
    auto& ip4 = eth.rfind_pdu<Tins::IP>();
    auto& seg = eth.rfind_pdu<Tins::TCP>();
    // The NAT gateway translates to its private IP and a port; the IGW to its Elastic IP.
    EXPECT_EQ(ip4.src_addr(), Tins::IPv4Address("198.51.100.20"));
    EXPECT_GE(seg.sport(), 1024);
    EXPECT_EQ(ip4.ttl(), 63);  // the NAT gateway is a hop
    expect_checksums_valid(out[0].bytes);
    std::uint16_t port = seg.sport();

    auto reply = from_internet("192.0.2.80", "198.51.100.20",
                               tcp(443, port, Tins::TCP::SYN | Tins::TCP::ACK));
    out = send(kInternetPort, reply);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, app);
    auto back = parse(out[0].bytes);
    EXPECT_EQ(back.rfind_pdu<Tins::IP>().dst_addr(), Tins::IPv4Address("10.0.2.10"));
    EXPECT_EQ(back.rfind_pdu<Tins::TCP>().dport(), 40000);
    expect_checksums_valid(out[0].bytes);
    EXPECT_EQ(engine->nat_translations(nat), 1u);
}

TEST_F(EngineTest, NatGatewayTranslatesPingByQueryId) {
    start();
    auto out = send(app, from_eni(app, "10.0.2.10", "192.0.2.80", echo(77)));
    ASSERT_EQ(out.size(), 1u);
    auto request = parse(out[0].bytes);
    auto& icmp = request.rfind_pdu<Tins::ICMP>();
    std::uint16_t id = icmp.id();
    expect_checksums_valid(out[0].bytes);
    out = send(kInternetPort, from_internet("192.0.2.80", "198.51.100.20", echo(id, false)));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(parse(out[0].bytes).rfind_pdu<Tins::ICMP>().id(), 77);
    expect_checksums_valid(out[0].bytes);
}

TEST_F(EngineTest, NatGatewayDropsUnsolicitedInbound) {
    start();
    EXPECT_TRUE(
        send(kInternetPort, from_internet("192.0.2.80", "198.51.100.20", tcp(443, 2000))).empty());
    EXPECT_EQ(drops(DropReason::NatNoTranslation), 1u);
}

TEST_F(EngineTest, NatGatewayAnswersAnAsymmetricSynAckWithRst) {
    // app gets a public IP: inbound reaches it through the IGW, but its reply follows the
    // private route table to the NAT gateway, which has no translation for it.
    b.t.enis[app].public_ip = ip("203.0.113.30");
    b.t.security_groups[app_sg].ingress.push_back(
        B::sg_cidr(net::Protocol::tcp(), net::PortRange::single(22), "0.0.0.0/0"));
    start();
    auto out = send(kInternetPort, from_internet("192.0.2.50", "203.0.113.30", tcp(50000, 22)));
    ASSERT_EQ(out.size(), 1u);
    Tins::TCP synack = tcp(22, 50000, Tins::TCP::SYN | Tins::TCP::ACK);
    synack.ack_seq(1001);
    synack.seq(5000);
    out = send(app, from_eni(app, "10.0.2.10", "192.0.2.50", synack));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, app);
    auto rst = parse(out[0].bytes);
    auto& seg = rst.rfind_pdu<Tins::TCP>();
    EXPECT_EQ(seg.flags() & Tins::TCP::RST, Tins::TCP::RST);
    EXPECT_EQ(seg.seq(), 1001u);  // RFC 793: the RST takes the offending segment's ACK number
    EXPECT_EQ(seg.sport(), 50000);
    EXPECT_EQ(seg.dport(), 22);
    EXPECT_EQ(rst.rfind_pdu<Tins::IP>().src_addr(), Tins::IPv4Address("192.0.2.50"));
    expect_checksums_valid(out[0].bytes);
    EXPECT_EQ(drops(DropReason::NatNoTranslation), 1u);
}

TEST_F(EngineTest, NatTranslationExpiresAfter350IdleSeconds) {
    start();
    ASSERT_EQ(send(app, from_eni(app, "10.0.2.10", "192.0.2.80", tcp(40000, 443)), 0).size(), 1u);
    Tins::TCP ack = tcp(40000, 443, Tins::TCP::ACK);
    ack.ack_seq(1);
    EXPECT_EQ(send(app, from_eni(app, "10.0.2.10", "192.0.2.80", ack), 349 * kSec).size(), 1u);
    EXPECT_EQ(send(app, from_eni(app, "10.0.2.10", "192.0.2.80", ack), 698 * kSec).size(), 1u);
    // 350 s idle: the translation is gone and the next segment gets a RST.
    auto out = send(app, from_eni(app, "10.0.2.10", "192.0.2.80", ack), 1048 * kSec);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, app);
    EXPECT_TRUE(parse(out[0].bytes).rfind_pdu<Tins::TCP>().get_flag(Tins::TCP::RST));
}

TEST_F(EngineTest, NatGatewayAllows55000ConnectionsPerDestination) {
    EngineConfig config;
    config.conntrack_capacity_per_eni = 200000;
    start(config);
    std::size_t ok = 0;
    // 55,001 connections from distinct source ports to one destination (192.0.2.80, 443, tcp).
    for (std::uint32_t i = 0; i < 55001; ++i) {
        auto f =
            from_eni(app, "10.0.2.10", "192.0.2.80", tcp(static_cast<std::uint16_t>(1 + i), 443));
        ok += send(app, f).size();
    }
    EXPECT_EQ(ok, 55000u);
    EXPECT_EQ(drops(DropReason::NatPortsExhausted), 1u);
    // Another destination still has ports.
    EXPECT_EQ(send(app, from_eni(app, "10.0.2.10", "192.0.2.81", tcp(1, 443))).size(), 1u);
}

TEST_F(EngineTest, NatGatewayDropsOtherProtocolsAndTcpFragments) {
    start();
    EXPECT_TRUE(send(app, from_eni(app, "10.0.2.10", "192.0.2.80", Tins::RawPDU("gre"))).empty());
    EXPECT_EQ(drops(DropReason::NatUnsupported), 1u);

    Tins::EthernetII eth(hw(kRouterMac), hw(mac(app)));
    Tins::IP frag("192.0.2.80", "10.0.2.10");
    frag.flags(Tins::IP::MORE_FRAGMENTS);
    auto tcp_frag = eth / frag / tcp(40000, 443);
    EXPECT_TRUE(send(app, tcp_frag.serialize()).empty());
    EXPECT_EQ(drops(DropReason::NatUnsupported), 2u);
    // AWS: vpc-nat-gateway — UDP fragments are forwarded.
    auto udp_frag = eth / frag / Tins::UDP(53, 40000) / Tins::RawPDU(std::string(64, 'z'));
    EXPECT_EQ(send(app, udp_frag.serialize()).size(), 1u);
}

TEST_F(EngineTest, NatGatewayAnswersTtlExpiryFromItsPrivateAddress) {
    start();
    auto out = send(app, from_eni(app, "10.0.2.10", "192.0.2.80", Tins::UDP(33434, 40000), 1));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, app);
    auto reply = parse(out[0].bytes);
    EXPECT_EQ(reply.rfind_pdu<Tins::ICMP>().type(), Tins::ICMP::TIME_EXCEEDED);
    EXPECT_EQ(reply.rfind_pdu<Tins::IP>().src_addr(), Tins::IPv4Address("10.0.1.20"));
    expect_checksums_valid(out[0].bytes);
    EXPECT_EQ(drops(DropReason::TtlExceeded), 1u);
}

TEST_F(EngineTest, NatGatewayDoesNotServeItsOwnSubnet) {
    Index rt = b.route_table(vpc, "odd-rt");
    b.route(rt, "0.0.0.0/0", K::NatGateway, nat, "nat/nat-a");
    b.associate_route_table(pub, rt);
    start();
    EXPECT_TRUE(send(web, from_eni(web, "10.0.1.10", "192.0.2.80", tcp(40000, 443))).empty());
    EXPECT_EQ(drops(DropReason::NatOwnSubnet), 1u);
}

TEST_F(EngineTest, NatSubnetAclAppliesBothWays) {
    Index acl = b.acl(vpc, "public-acl");
    b.t.network_acls[acl].inbound = {B::acl_rule(100, true, net::Protocol::all(), "10.0.0.0/16")};
    b.t.network_acls[acl].outbound = {B::acl_rule(100, true, net::Protocol::all(), "0.0.0.0/0")};
    b.associate_acl(pub, acl);
    start();
    auto out = send(app, from_eni(app, "10.0.2.10", "192.0.2.80", tcp(40000, 443)));
    ASSERT_EQ(out.size(), 1u);
    std::uint16_t port = parse(out[0].bytes).rfind_pdu<Tins::TCP>().sport();
    // The reply enters the NAT gateway's subnet from the internet: inbound allows only 10/16.
    EXPECT_TRUE(send(kInternetPort, from_internet("192.0.2.80", "198.51.100.20",
                                                  tcp(443, port, Tins::TCP::SYN | Tins::TCP::ACK)))
                    .empty());
    EXPECT_EQ(drops(DropReason::AclDenied), 1u);
}

TEST_F(EngineTest, IcmpErrorsAreTranslatedBackThroughTheNatGateway) {
    start();
    auto out = send(app, from_eni(app, "10.0.2.10", "192.0.2.80", Tins::UDP(53, 40000)));
    ASSERT_EQ(out.size(), 1u);
    out =
        send(kInternetPort, icmp_error_from_internet("192.0.2.80", "198.51.100.20", out[0].bytes));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, app);
    expect_checksums_valid(out[0].bytes);  // the ICMP checksum covers the rewritten quote
    ParsedFrame pf = parse_frame(out[0].bytes);
    ASSERT_TRUE(pf.icmp_inner.present);
    EXPECT_EQ(pf.icmp_inner.tuple.to_string(), "udp 10.0.2.10:40000 -> 192.0.2.80:53");
    // The quoted IP header's checksum still verifies.
    std::span<const std::uint8_t> quoted(out[0].bytes.data() + pf.icmp_inner.l3,
                                         net::ipv4::kMinHeaderSize);
    EXPECT_EQ(net::fold(net::ones_sum(quoted)), 0xffff);
}

}  // namespace
}  // namespace vpcstack::engine::testing
