#include "vpcstack/net/protocol.hpp"

#include <gtest/gtest.h>

using vpcstack::net::FiveTuple;
using vpcstack::net::IcmpMatch;
using vpcstack::net::Ipv4Address;
using vpcstack::net::PortRange;
using vpcstack::net::Protocol;

TEST(Protocol, ParsesNamesNumbersAndAll) {
    EXPECT_EQ(*Protocol::parse("tcp"), Protocol::tcp());
    EXPECT_EQ(*Protocol::parse("6"), Protocol::tcp());
    EXPECT_TRUE(Protocol::parse("-1")->is_all());
    EXPECT_TRUE(Protocol::parse("all")->is_all());
    EXPECT_EQ(Protocol::parse("47")->number(), 47);
    EXPECT_FALSE(Protocol::parse("256"));
    EXPECT_FALSE(Protocol::parse("tcpp"));
    EXPECT_EQ(Protocol(47).to_string(), "47");
}

TEST(Protocol, AllMatchesEveryProtocolAndANumberOnlyItself) {
    EXPECT_TRUE(Protocol::all().matches(17));
    EXPECT_TRUE(Protocol::udp().matches(17));
    EXPECT_FALSE(Protocol::udp().matches(6));
    EXPECT_TRUE(Protocol::tcp().has_ports());
    EXPECT_FALSE(Protocol::icmp().has_ports());
}

TEST(PortRange, ParsesSinglePortsRangesAndAll) {
    EXPECT_EQ(*PortRange::parse("443"), PortRange::single(443));
    EXPECT_EQ(*PortRange::parse("1024-65535"), (PortRange{1024, 65535}));
    EXPECT_TRUE(PortRange::parse("all")->is_all());
    EXPECT_FALSE(PortRange::parse("65536"));
    EXPECT_FALSE(PortRange::parse("200-100")) << "a range must not run backwards";
    EXPECT_FALSE(PortRange::parse("80-"));
    EXPECT_FALSE(PortRange::parse(""));
    EXPECT_EQ((PortRange{32768, 60999}).to_string(), "32768-60999");
}

TEST(PortRange, ContainmentAndOverlap) {
    PortRange ephemeral{32768, 60999};
    EXPECT_TRUE(ephemeral.contains(40000));
    EXPECT_FALSE(ephemeral.contains(61000));
    EXPECT_TRUE(PortRange::all().contains(ephemeral));
    EXPECT_TRUE(ephemeral.overlaps(PortRange{60000, 65535}));
    EXPECT_FALSE(ephemeral.overlaps(PortRange{1024, 32767}));
}

TEST(IcmpMatch, AnyTypeOrExactTypeAndCode) {
    EXPECT_TRUE(IcmpMatch{}.matches(8, 0));
    EXPECT_TRUE((IcmpMatch{3, -1}).matches(3, 4));
    EXPECT_FALSE((IcmpMatch{3, 3}).matches(3, 4));
    EXPECT_EQ((IcmpMatch{3, 4}).to_string(), "3:4");
}

TEST(FiveTuple, ReversesAndPrints) {
    FiveTuple t{Ipv4Address(10, 0, 1, 10), Ipv4Address(10, 0, 2, 10), 40000, 443, 6};
    EXPECT_EQ(t.reversed().src, t.dst);
    EXPECT_EQ(t.reversed().dst_port, 40000);
    EXPECT_EQ(t.reversed().reversed(), t);
    EXPECT_EQ(t.to_string(), "tcp 10.0.1.10:40000 -> 10.0.2.10:443");
}
