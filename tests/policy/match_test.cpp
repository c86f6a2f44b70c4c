#include "vpcstack/policy/match.hpp"

#include <gtest/gtest.h>

namespace vpcstack::policy {
namespace {

FlowKey tcp_key(const char* src, const char* dst, std::uint16_t sport, std::uint16_t dport) {
    FlowKey k;
    k.src = *net::Ipv4Address::parse(src);
    k.dst = *net::Ipv4Address::parse(dst);
    k.protocol = net::Protocol::kTcp;
    k.src_port = sport;
    k.dst_port = dport;
    return k;
}

TEST(Box, AnL4BoxConstrainsOnlyTheDestinationPort) {
    Box b = l4_box(net::Protocol::tcp(), {80, 80}, {});
    EXPECT_TRUE(b.contains(tcp_key("1.2.3.4", "5.6.7.8", 40000, 80)));
    EXPECT_FALSE(b.contains(tcp_key("1.2.3.4", "5.6.7.8", 80, 40000)));
    FlowKey udp = tcp_key("1.2.3.4", "5.6.7.8", 40000, 80);
    udp.protocol = net::Protocol::kUdp;
    EXPECT_FALSE(b.contains(udp));
}

TEST(Box, AllProtocolsIgnoresPortsAndIcmpFields) {
    Box b = l4_box(net::Protocol::all(), {80, 80}, {8, 0});
    FlowKey icmp;
    icmp.protocol = net::Protocol::kIcmp;
    icmp.icmp_type = 3;
    EXPECT_TRUE(b.contains(icmp));
    EXPECT_TRUE(b.contains(tcp_key("1.2.3.4", "5.6.7.8", 1, 2)));
}

TEST(Box, IcmpTypeAndCode) {
    Box echo = l4_box(net::Protocol::icmp(), {}, {8, -1});
    FlowKey k;
    k.protocol = net::Protocol::kIcmp;
    k.icmp_type = 8;
    k.icmp_code = 0;
    EXPECT_TRUE(echo.contains(k));
    k.icmp_type = 0;
    EXPECT_FALSE(echo.contains(k));
}

TEST(Box, IntersectionIsTheCommonSetOrNothing) {
    Box a = l4_box(net::Protocol::tcp(), {1000, 2000}, {});
    a.src = to_range(*net::Cidr::parse("10.0.0.0/16"));
    Box b = l4_box(net::Protocol::tcp(), {1500, 3000}, {});
    b.src = to_range(*net::Cidr::parse("10.0.1.0/24"));
    auto c = a.intersect(b);
    ASSERT_TRUE(c.has_value());
    EXPECT_EQ(c->dst_port, (PortInterval{1500, 2000}));
    EXPECT_EQ(c->src, to_range(*net::Cidr::parse("10.0.1.0/24")));
    Box udp = l4_box(net::Protocol::udp(), {}, {});
    EXPECT_FALSE(a.intersect(udp).has_value());
}

}  // namespace
}  // namespace vpcstack::policy
