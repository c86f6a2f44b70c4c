#include "vpcstack/policy/network_acl.hpp"

#include <gtest/gtest.h>

namespace vpcstack::policy {
namespace {

model::AclRule rule(std::uint16_t n, bool allow, net::Protocol p, const char* cidr,
                    net::PortRange ports = net::PortRange::all()) {
    model::AclRule r;
    r.number = n;
    r.action = allow ? model::RuleAction::Allow : model::RuleAction::Deny;
    r.protocol = p;
    r.ports = ports;
    r.cidr = *net::Cidr::parse(cidr);
    r.text = std::to_string(n) + (allow ? " allow" : " deny") + " rule";
    return r;
}

FlowKey key(const char* src, const char* dst, std::uint16_t dport) {
    FlowKey k;
    k.src = *net::Ipv4Address::parse(src);
    k.dst = *net::Ipv4Address::parse(dst);
    k.protocol = net::Protocol::kTcp;
    k.src_port = 40000;
    k.dst_port = dport;
    return k;
}

TEST(NetworkAcl, LowestNumberedMatchingRuleDecidesWhateverTheOrderWritten) {
    model::NetworkAcl acl;
    // Written out of order: 200 allow, then 100 deny.
    acl.inbound = {rule(200, true, net::Protocol::tcp(), "0.0.0.0/0"),
                   rule(100, false, net::Protocol::tcp(), "192.0.2.0/24")};
    CompiledAcl c(acl);
    AclVerdict v = c.evaluate(Direction::Inbound, key("192.0.2.1", "10.0.1.10", 80));
    EXPECT_FALSE(v.allowed);
    EXPECT_EQ(v.rule_number, 100);
    v = c.evaluate(Direction::Inbound, key("198.51.100.1", "10.0.1.10", 80));
    EXPECT_TRUE(v.allowed);
    EXPECT_EQ(v.rule_number, 200);
}

TEST(NetworkAcl, FinalRuleDeniesWhatNothingMatches) {
    model::NetworkAcl acl;
    acl.inbound = {rule(100, true, net::Protocol::tcp(), "0.0.0.0/0", {80, 80})};
    CompiledAcl c(acl);
    AclVerdict v = c.evaluate(Direction::Inbound, key("1.1.1.1", "10.0.1.10", 443));
    EXPECT_FALSE(v.allowed);
    EXPECT_EQ(v.rule_number, kAclFinalRuleNumber);
    // An empty custom ACL denies everything.
    CompiledAcl empty{model::NetworkAcl{}};
    EXPECT_FALSE(empty.evaluate(Direction::Outbound, key("1.1.1.1", "2.2.2.2", 1)).allowed);
}

TEST(NetworkAcl, InboundMatchesTheSourceOutboundTheDestination) {
    model::NetworkAcl acl;
    acl.inbound = {rule(100, true, net::Protocol::all(), "10.0.0.0/16")};
    acl.outbound = {rule(100, true, net::Protocol::all(), "10.0.0.0/16")};
    CompiledAcl c(acl);
    EXPECT_TRUE(c.evaluate(Direction::Inbound, key("10.0.5.5", "192.0.2.1", 1)).allowed);
    EXPECT_FALSE(c.evaluate(Direction::Inbound, key("192.0.2.1", "10.0.5.5", 1)).allowed);
    EXPECT_TRUE(c.evaluate(Direction::Outbound, key("192.0.2.1", "10.0.5.5", 1)).allowed);
    EXPECT_FALSE(c.evaluate(Direction::Outbound, key("10.0.5.5", "192.0.2.1", 1)).allowed);
}

TEST(NetworkAcl, ALaterFragmentIsMatchedOnProtocolAndAddressesOnly) {
    model::NetworkAcl acl;
    acl.inbound = {rule(100, false, net::Protocol::tcp(), "0.0.0.0/0", {22, 22}),
                   rule(200, true, net::Protocol::tcp(), "0.0.0.0/0", {80, 80}),
                   rule(300, false, net::Protocol::all(), "0.0.0.0/0")};
    CompiledAcl c(acl);
    // A later fragment carries no ports (they read as 0).
    AclVerdict v = c.evaluate_later_fragment(Direction::Inbound, key("1.1.1.1", "10.0.1.10", 0));
    EXPECT_TRUE(v.allowed) << "the deny rule with ports is passed over, the allow rule matches";
    EXPECT_EQ(v.rule_number, 200);
    EXPECT_FALSE(c.evaluate(Direction::Inbound, key("1.1.1.1", "10.0.1.10", 0)).allowed)
        << "a whole packet to port 0 matches neither port rule";
}

}  // namespace
}  // namespace vpcstack::policy
