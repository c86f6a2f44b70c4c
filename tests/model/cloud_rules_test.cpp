#include "vpcstack/model/cloud_rules.hpp"

#include <gtest/gtest.h>

namespace vpcstack::model::cloud {
namespace {

net::Cidr cidr(const char* text) {
    return *net::Cidr::parse(text);
}
net::Ipv4Address ip(const char* text) {
    return *net::Ipv4Address::parse(text);
}

TEST(CloudRules, VpcAndSubnetBlocksAreSlash16ToSlash28) {
    EXPECT_FALSE(valid_block_size(cidr("10.0.0.0/15")));
    EXPECT_TRUE(valid_block_size(cidr("10.0.0.0/16")));
    EXPECT_TRUE(valid_block_size(cidr("10.0.0.0/28")));
    EXPECT_FALSE(valid_block_size(cidr("10.0.0.0/29")));
}

TEST(CloudRules, AclRuleNumbersStopBeforeTheFinalRule) {
    EXPECT_FALSE(valid_acl_rule_number(0));
    EXPECT_TRUE(valid_acl_rule_number(1));
    EXPECT_TRUE(valid_acl_rule_number(32766));
    EXPECT_FALSE(valid_acl_rule_number(kAclFinalRuleNumber));
}

TEST(CloudRules, TheFirstFourAndTheLastAddressOfASubnetAreReserved) {
    const net::Cidr s = cidr("10.0.1.0/24");
    EXPECT_STREQ(reserved_address_role(s, ip("10.0.1.0")), "the network address");
    EXPECT_STREQ(reserved_address_role(s, ip("10.0.1.1")), "the VPC router");
    EXPECT_STREQ(reserved_address_role(s, ip("10.0.1.2")), "the DNS server");
    EXPECT_STREQ(reserved_address_role(s, ip("10.0.1.3")), "reserved for future use");
    EXPECT_EQ(reserved_address_role(s, ip("10.0.1.4")), nullptr);
    EXPECT_EQ(reserved_address_role(s, ip("10.0.1.254")), nullptr);
    EXPECT_STREQ(reserved_address_role(s, ip("10.0.1.255")), "the broadcast address");
    EXPECT_EQ(first_usable_address(s), ip("10.0.1.4"));
    EXPECT_EQ(last_usable_address(s), ip("10.0.1.254"));
}

TEST(CloudRules, PrivateRangesOfSecondaryCidrs) {
    EXPECT_EQ(rfc1918_range(cidr("10.1.0.0/16")), cidr("10.0.0.0/8"));
    EXPECT_EQ(rfc1918_range(cidr("172.31.0.0/16")), cidr("172.16.0.0/12"));
    EXPECT_EQ(rfc1918_range(cidr("100.64.0.0/16")), std::nullopt);
}

TEST(CloudRules, ALocalRouteCoversTheVpcCidrAndWhatIsInsideIt) {
    const std::vector<net::Cidr> vpc{cidr("10.0.0.0/16"), cidr("10.1.0.0/16")};
    EXPECT_EQ(local_route_covering(vpc, cidr("10.1.2.0/24")), cidr("10.1.0.0/16"));
    EXPECT_EQ(local_route_covering(vpc, cidr("10.0.0.0/16")), cidr("10.0.0.0/16"));
    EXPECT_EQ(local_route_covering(vpc, cidr("10.0.0.0/8")), std::nullopt);
    EXPECT_TRUE(may_take_subnet_traffic(RouteTargetKind::NatGateway));
    EXPECT_TRUE(may_take_subnet_traffic(RouteTargetKind::Eni));
    EXPECT_FALSE(may_take_subnet_traffic(RouteTargetKind::Blackhole));
    EXPECT_FALSE(may_take_subnet_traffic(RouteTargetKind::InternetGateway));
}

TEST(CloudRules, PendingPeeringsHoldTheirPairButOnlyActiveOnesCarryTraffic) {
    EXPECT_TRUE(peering_in_force(PeeringStatus::Active));
    EXPECT_TRUE(peering_in_force(PeeringStatus::PendingAcceptance));
    EXPECT_FALSE(peering_in_force(PeeringStatus::Deleted));
    auto overlap = first_overlap({cidr("10.0.0.0/16"), cidr("10.1.0.0/16")},
                                 {cidr("10.2.0.0/16"), cidr("10.1.128.0/17")});
    ASSERT_TRUE(overlap.has_value());
    EXPECT_EQ(overlap->first, cidr("10.1.0.0/16"));
    EXPECT_EQ(overlap->second, cidr("10.1.128.0/17"));
    EXPECT_FALSE(first_overlap({cidr("10.0.0.0/16")}, {cidr("10.2.0.0/16")}).has_value());
}

}  // namespace
}  // namespace vpcstack::model::cloud
