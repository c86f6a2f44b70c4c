#include "vpcstack/net/ipv4.hpp"

#include <gtest/gtest.h>

#include <unordered_set>

using vpcstack::net::Cidr;
using vpcstack::net::Ipv4Address;
using vpcstack::net::MacAddress;

TEST(Ipv4Address, ParsesDottedQuadsAndPrintsThemBack) {
    auto a = Ipv4Address::parse("10.0.1.10");
    ASSERT_TRUE(a);
    EXPECT_EQ(a->value(), 0x0A00010Au);
    EXPECT_EQ(a->to_string(), "10.0.1.10");
    EXPECT_EQ(Ipv4Address::parse("255.255.255.255")->value(), 0xFFFFFFFFu);
    EXPECT_EQ(Ipv4Address::parse("0.0.0.0")->value(), 0u);
}

TEST(Ipv4Address, RejectsAnythingButFourOctets) {
    for (const char* bad : {"", "10", "10.0.1", "10.0.1.1.1", "256.0.0.1", "10.0.0.-1", "10.0.0.a",
                            "10..0.1", " 10.0.0.1", "10.0.0.1 ", "1000.0.0.1", "10.0.0.1/24"}) {
        EXPECT_FALSE(Ipv4Address::parse(bad)) << bad;
    }
}

TEST(Ipv4Address, OrdersAndHashesByValue) {
    EXPECT_LT(Ipv4Address(10, 0, 0, 1), Ipv4Address(10, 0, 0, 2));
    EXPECT_EQ(Ipv4Address(10, 0, 0, 1) + 1, Ipv4Address(10, 0, 0, 2));
    std::unordered_set<Ipv4Address> set{Ipv4Address(1, 2, 3, 4), Ipv4Address(1, 2, 3, 4)};
    EXPECT_EQ(set.size(), 1u);
}

TEST(Cidr, ParsesPrefixesAndRejectsHostBits) {
    auto c = Cidr::parse("10.0.0.0/16");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->length(), 16);
    EXPECT_EQ(c->to_string(), "10.0.0.0/16");
    EXPECT_EQ(c->last().to_string(), "10.0.255.255");
    EXPECT_EQ(c->size(), 65536u);
    EXPECT_FALSE(Cidr::parse("10.0.0.1/16")) << "host bits set";
    EXPECT_FALSE(Cidr::parse("10.0.0.0/33"));
    EXPECT_FALSE(Cidr::parse("10.0.0.0"));
    EXPECT_FALSE(Cidr::parse("10.0.0.0/"));
    EXPECT_EQ(Cidr::parse("0.0.0.0/0")->size(), std::uint64_t{1} << 32);
}

TEST(Cidr, LenientParsingAcceptsBareAddressesAndReportsHostBits) {
    bool host_bits = false;
    auto host = Cidr::parse_lenient("198.51.100.7", &host_bits);
    ASSERT_TRUE(host);
    EXPECT_EQ(host->length(), 32);
    EXPECT_FALSE(host_bits);
    auto sloppy = Cidr::parse_lenient("10.0.1.5/24", &host_bits);
    ASSERT_TRUE(sloppy);
    EXPECT_TRUE(host_bits);
    EXPECT_EQ(sloppy->to_string(), "10.0.1.0/24");
}

TEST(Cidr, ContainmentAndOverlap) {
    Cidr vpc = *Cidr::parse("10.0.0.0/16");
    Cidr subnet = *Cidr::parse("10.0.1.0/24");
    Cidr other = *Cidr::parse("10.1.0.0/16");
    EXPECT_TRUE(vpc.contains(subnet));
    EXPECT_FALSE(subnet.contains(vpc));
    EXPECT_TRUE(vpc.overlaps(subnet));
    EXPECT_TRUE(subnet.overlaps(vpc));
    EXPECT_FALSE(vpc.overlaps(other));
    EXPECT_TRUE(vpc.contains(Ipv4Address(10, 0, 255, 255)));
    EXPECT_FALSE(vpc.contains(Ipv4Address(10, 1, 0, 0)));
    EXPECT_TRUE(Cidr::parse("0.0.0.0/0")->contains(Ipv4Address(203, 0, 113, 5)));
}

TEST(MacAddress, ParsesAndPrints) {
    auto m = MacAddress::parse("02:00:0a:00:01:0a");
    ASSERT_TRUE(m);
    EXPECT_EQ(m->to_string(), "02:00:0a:00:01:0a");
    EXPECT_FALSE(m->is_multicast());
    EXPECT_TRUE(MacAddress::broadcast().is_broadcast());
    EXPECT_FALSE(MacAddress::parse("02:00:0a:00:01"));
    EXPECT_FALSE(MacAddress::parse("02-00-0a-00-01-0a"));
}
