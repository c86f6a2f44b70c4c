// Internet gateway: one-to-one NAT to public addresses, at most 1500 bytes to the internet.
#include <gtest/gtest.h>
#include <tins/tins.h>

#include "../engine_fixture.hpp"

namespace vpcstack::engine::testing {
namespace {

TEST_F(EngineTest, InternetGatewayMapsThePublicAddressBothWays) {
    start(traced());
    auto out = send(kInternetPort, from_internet("192.0.2.50", "203.0.113.10", tcp(50000, 80)));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, web);
    auto in_eth = parse(out[0].bytes);
    auto& in_ip = in_eth.rfind_pdu<Tins::IP>();
    EXPECT_EQ(in_ip.dst_addr(), Tins::IPv4Address("10.0.1.10"));  // the instance never sees it
    expect_checksums_valid(out[0].bytes);
    EXPECT_EQ(words(traces.back().steps.at(0)).component, "igw/prod-igw");
    EXPECT_EQ(words(traces.back().steps.at(0)).detail, "dst 203.0.113.10 -> 10.0.1.10");
    ASSERT_TRUE(traces.back().steps.at(0).translation.has_value());
    EXPECT_EQ(traces.back().steps.at(0).translation->after.address, net::Ipv4Address(10, 0, 1, 10));

    out = send(web, from_eni(web, "10.0.1.10", "192.0.2.50",
                             tcp(80, 50000, Tins::TCP::SYN | Tins::TCP::ACK)));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, kInternetPort);
    auto eth = parse(out[0].bytes);
    EXPECT_EQ(eth.dst_addr(), hw(kInternetMac));
    EXPECT_EQ(eth.rfind_pdu<Tins::IP>().src_addr(), Tins::IPv4Address("203.0.113.10"));
    expect_checksums_valid(out[0].bytes);
}

TEST_F(EngineTest, InternetGatewayDropsSourcesWithoutPublicAddress) {
    start();
    // web2 is in the public subnet but has no public IP.
    EXPECT_TRUE(send(web2, from_eni(web2, "10.0.1.11", "192.0.2.50", tcp(40000, 443))).empty());
    EXPECT_EQ(drops(DropReason::NoPublicIp), 1u);
    EXPECT_TRUE(
        send(kInternetPort, from_internet("192.0.2.50", "203.0.113.99", tcp(1, 80))).empty());
    EXPECT_EQ(drops(DropReason::NoMapping), 1u);
}

TEST_F(EngineTest, InboundThroughTheGatewayPassesAclAndSecurityGroup) {
    start();
    // web-sg allows tcp/80 from anywhere but not tcp/22.
    EXPECT_TRUE(
        send(kInternetPort, from_internet("192.0.2.50", "203.0.113.10", tcp(50000, 22))).empty());
    EXPECT_EQ(drops(DropReason::SecurityGroupNoMatch), 1u);
}

TEST_F(EngineTest, OversizedPacketWithDontFragmentGetsIcmpFragmentationNeeded) {
    start();
    Tins::EthernetII eth(hw(kRouterMac), hw(mac(web)));
    Tins::IP ipv4("192.0.2.50", "10.0.1.10");
    ipv4.flags(Tins::IP::DONT_FRAGMENT);
    auto pkt = eth / ipv4 / Tins::UDP(9000, 40000) / Tins::RawPDU(std::string(2000, 'x'));
    auto out = send(web, pkt.serialize());
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, web);
    EXPECT_EQ(drops(DropReason::MtuExceeded), 1u);
    auto reply = parse(out[0].bytes);
    auto& icmp = reply.rfind_pdu<Tins::ICMP>();
    EXPECT_EQ(icmp.type(), Tins::ICMP::DEST_UNREACHABLE);
    EXPECT_EQ(icmp.code(), 4);
    EXPECT_EQ(icmp.mtu(), 1500);
    EXPECT_EQ(reply.rfind_pdu<Tins::IP>().dst_addr(), Tins::IPv4Address("10.0.1.10"));
    expect_checksums_valid(out[0].bytes);
}

TEST_F(EngineTest, OversizedPacketWithoutDontFragmentIsFragmented) {
    start();
    Tins::EthernetII eth(hw(kRouterMac), hw(mac(web)));
    Tins::IP ipv4("192.0.2.50", "10.0.1.10");
    std::string payload(3000, 'y');
    auto pkt = eth / ipv4 / Tins::UDP(9000, 40000) / Tins::RawPDU(payload);
    auto out = send(web, pkt.serialize());
    ASSERT_EQ(out.size(), 3u);
    Tins::IPv4Reassembler reassembler;
    std::size_t done = 0;
    for (auto& f : out) {
        EXPECT_EQ(f.port, kInternetPort);
        EXPECT_LE(f.bytes.size() - 14, 1500u);
        expect_checksums_valid(f.bytes);
        Tins::EthernetII e = parse(f.bytes);
        if (reassembler.process(e) == Tins::IPv4Reassembler::REASSEMBLED) {
            ++done;
            EXPECT_EQ(e.rfind_pdu<Tins::IP>().src_addr(), Tins::IPv4Address("203.0.113.10"));
            EXPECT_EQ(e.rfind_pdu<Tins::UDP>().dport(), 9000);
            EXPECT_EQ(e.rfind_pdu<Tins::RawPDU>().payload().size(), payload.size());
        }
    }
    EXPECT_EQ(done, 1u);
}

TEST_F(EngineTest, IcmpErrorsToAPublicAddressQuoteThePrivateOne) {
    // A tracked flow (from a /24, not 0.0.0.0/0): its ICMP errors pass as related traffic.
    b.t.security_groups[web_sg].ingress.push_back(
        B::sg_cidr(net::Protocol::tcp(), net::PortRange::single(8080), "192.0.2.0/24"));
    start();
    auto out = send(kInternetPort, from_internet("192.0.2.50", "203.0.113.10", tcp(50000, 8080)));
    ASSERT_EQ(out.size(), 1u);
    auto reply = send(web, from_eni(web, "10.0.1.10", "192.0.2.50",
                                    tcp(8080, 50000, Tins::TCP::SYN | Tins::TCP::ACK)));
    ASSERT_EQ(reply.size(), 1u);
    out =
        send(kInternetPort, icmp_error_from_internet("192.0.2.50", "203.0.113.10", reply[0].bytes));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, web);
    ParsedFrame pf = parse_frame(out[0].bytes);
    EXPECT_EQ(pf.icmp_inner.tuple.src.to_string(), "10.0.1.10");
    expect_checksums_valid(out[0].bytes);
}

}  // namespace
}  // namespace vpcstack::engine::testing
