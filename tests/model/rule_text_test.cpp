#include "vpcstack/model/rule_text.hpp"

#include <gtest/gtest.h>

namespace vpcstack::model {
namespace {

TEST(RuleText, TrafficNamesPortsOnlyForTcpAndUdpAndOnlyWhenNotAll) {
    EXPECT_EQ(traffic_text(net::Protocol::all(), net::PortRange::all(), {}), "all");
    EXPECT_EQ(traffic_text(*net::Protocol::parse("tcp"), net::PortRange::all(), {}), "tcp");
    EXPECT_EQ(traffic_text(*net::Protocol::parse("udp"), {1024, 65535}, {}), "udp/1024-65535");
    EXPECT_EQ(traffic_text(*net::Protocol::parse("tcp"), {443, 443}, {}), "tcp/443");
    EXPECT_EQ(traffic_text(net::Protocol::icmp(), net::PortRange::all(), {8, -1}), "icmp/8");
    EXPECT_EQ(traffic_text(net::Protocol::icmp(), net::PortRange::all(), {3, 4}), "icmp/3:4");
    EXPECT_EQ(traffic_text(*net::Protocol::parse("50"), net::PortRange::all(), {}), "50");
}

TEST(RuleText, ShortFormsOfRoutesAndRules) {
    EXPECT_EQ(route_text("0.0.0.0/0", "nat/nat-a"), "0.0.0.0/0 -> nat/nat-a");
    EXPECT_EQ(acl_rule_text(100, "allow", "tcp/80", true, "0.0.0.0/0"),
              "100 allow tcp/80 from 0.0.0.0/0");
    EXPECT_EQ(acl_rule_text(90, to_string(RuleAction::Deny), "all", false, "10.0.0.0/8"),
              "90 deny all to 10.0.0.0/8");
    EXPECT_EQ(sg_rule_text("icmp/3:4", false, "sg:web"), "icmp/3:4 to sg:web");
    EXPECT_EQ(sg_rule_text("tcp/22", true, "pl:office"), "tcp/22 from pl:office");
}

}  // namespace
}  // namespace vpcstack::model
