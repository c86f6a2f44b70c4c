#include "vpcstack/policy/security_group.hpp"

#include <gtest/gtest.h>

namespace vpcstack::policy {
namespace {

model::SgRule cidr_rule(net::Protocol p, net::PortRange ports, const char* cidr) {
    model::SgRule r;
    r.protocol = p;
    r.ports = ports;
    r.cidr = *net::Cidr::parse(cidr);
    return r;
}

FlowKey key(const char* src, const char* dst, std::uint8_t proto, std::uint16_t dport) {
    FlowKey k;
    k.src = *net::Ipv4Address::parse(src);
    k.dst = *net::Ipv4Address::parse(dst);
    k.protocol = proto;
    k.src_port = 40000;
    k.dst_port = dport;
    return k;
}

class SecurityGroupTest : public ::testing::Test {
  protected:
    void SetUp() override {
        topo.vpcs.resize(1);
        topo.vpcs[0].meta.name = "prod";
        for (const char* name : {"web-sg", "db-sg", "admin-sg"}) {
            model::SecurityGroup g;
            g.meta.name = name;
            g.vpc = 0;
            topo.security_groups.push_back(g);
        }
        model::Eni web;
        web.private_ips = {*net::Ipv4Address::parse("10.0.1.10"),
                           *net::Ipv4Address::parse("10.0.1.11")};
        web.public_ip = *net::Ipv4Address::parse("203.0.113.10");
        web.security_groups = {0};
        topo.enis.push_back(web);
        model::PrefixList office;
        office.meta.name = "office";
        office.cidrs = {*net::Cidr::parse("198.51.100.0/24")};
        topo.prefix_lists.push_back(office);
        membership = GroupMembership(topo);
    }
    CompiledGroup compile(model::Index g, std::vector<model::SgRule> in,
                          std::vector<model::SgRule> out) {
        return compile_group(topo, g, in, out, membership);
    }

    model::Topology topo;
    GroupMembership membership;
};

TEST_F(SecurityGroupTest, GroupReferenceMatchesMembersPrivateAddressesOnly) {
    model::SgRule from_web;
    from_web.protocol = net::Protocol::tcp();
    from_web.ports = {5432, 5432};
    from_web.peer_kind = model::PeerKind::SecurityGroup;
    from_web.group = 0;
    CompiledGroup db = compile(1, {from_web}, {});
    const CompiledGroup* groups[] = {&db};
    EXPECT_TRUE(
        evaluate(groups, Direction::Inbound, key("10.0.1.10", "10.0.2.10", 6, 5432)).allowed);
    EXPECT_TRUE(
        evaluate(groups, Direction::Inbound, key("10.0.1.11", "10.0.2.10", 6, 5432)).allowed);
    // AWS: security-group-rules — never the member's public address.
    EXPECT_FALSE(
        evaluate(groups, Direction::Inbound, key("203.0.113.10", "10.0.2.10", 6, 5432)).allowed);
    EXPECT_FALSE(
        evaluate(groups, Direction::Inbound, key("10.0.1.12", "10.0.2.10", 6, 5432)).allowed);
}

TEST_F(SecurityGroupTest, RulesOfAllGroupsAreCombined) {
    CompiledGroup web = compile(0, {cidr_rule(net::Protocol::tcp(), {443, 443}, "0.0.0.0/0")}, {});
    CompiledGroup admin =
        compile(2, {cidr_rule(net::Protocol::tcp(), {22, 22}, "192.0.2.0/24")}, {});
    const CompiledGroup* groups[] = {&web, &admin};
    SgVerdict v = evaluate(groups, Direction::Inbound, key("192.0.2.5", "10.0.1.10", 6, 22));
    EXPECT_TRUE(v.allowed);
    EXPECT_EQ(v.group, &admin);
    EXPECT_TRUE(evaluate(groups, Direction::Inbound, key("1.1.1.1", "10.0.1.10", 6, 443)).allowed);
    EXPECT_FALSE(evaluate(groups, Direction::Inbound, key("1.1.1.1", "10.0.1.10", 6, 22)).allowed);
}

TEST_F(SecurityGroupTest, PrefixListRuleMatchesItsCidrs) {
    model::SgRule r;
    r.protocol = net::Protocol::all();
    r.peer_kind = model::PeerKind::PrefixList;
    r.prefix_list = 0;
    CompiledGroup g = compile(0, {r}, {});
    const CompiledGroup* groups[] = {&g};
    EXPECT_TRUE(
        evaluate(groups, Direction::Inbound, key("198.51.100.7", "10.0.1.10", 17, 53)).allowed);
    EXPECT_FALSE(
        evaluate(groups, Direction::Inbound, key("198.51.101.7", "10.0.1.10", 17, 53)).allowed);
}

TEST_F(SecurityGroupTest, EgressRulesMatchTheDestination) {
    CompiledGroup g = compile(0, {}, {cidr_rule(net::Protocol::tcp(), {443, 443}, "10.0.0.0/8")});
    const CompiledGroup* groups[] = {&g};
    EXPECT_TRUE(
        evaluate(groups, Direction::Outbound, key("10.0.1.10", "10.9.9.9", 6, 443)).allowed);
    EXPECT_FALSE(
        evaluate(groups, Direction::Outbound, key("10.0.1.10", "8.8.8.8", 6, 443)).allowed);
}

TEST_F(SecurityGroupTest, FlowsOpenToTheWorldBothWaysAreUntracked) {
    auto all_out = cidr_rule(net::Protocol::all(), {}, "0.0.0.0/0");
    CompiledGroup open =
        compile(0, {cidr_rule(net::Protocol::tcp(), {80, 80}, "0.0.0.0/0")}, {all_out});
    const CompiledGroup* groups[] = {&open};
    FlowKey in80 = key("192.0.2.1", "10.0.1.10", 6, 80);
    EXPECT_TRUE(is_untracked(groups, Direction::Inbound, in80));
    // The reply, seen outbound, belongs to the same untracked flow.
    FlowKey reply = key("10.0.1.10", "192.0.2.1", 6, 40000);
    reply.src_port = 80;
    EXPECT_TRUE(is_untracked_flow(groups, Direction::Outbound, reply));
    // ICMP is always tracked.
    FlowKey ping = key("192.0.2.1", "10.0.1.10", 1, 0);
    CompiledGroup icmp_open =
        compile(0, {cidr_rule(net::Protocol::all(), {}, "0.0.0.0/0")}, {all_out});
    const CompiledGroup* g2[] = {&icmp_open};
    EXPECT_FALSE(is_untracked(g2, Direction::Inbound, ping));
    // From a narrower CIDR: tracked.
    CompiledGroup narrow =
        compile(0, {cidr_rule(net::Protocol::tcp(), {80, 80}, "192.0.2.0/24")}, {all_out});
    const CompiledGroup* g3[] = {&narrow};
    EXPECT_FALSE(is_untracked(g3, Direction::Inbound, in80));
    // Outbound not open to all ports: tracked.
    CompiledGroup half = compile(0, {cidr_rule(net::Protocol::tcp(), {80, 80}, "0.0.0.0/0")},
                                 {cidr_rule(net::Protocol::tcp(), {443, 443}, "0.0.0.0/0")});
    const CompiledGroup* g4[] = {&half};
    EXPECT_FALSE(is_untracked(g4, Direction::Inbound, in80));
}

TEST_F(SecurityGroupTest, RuleBoxesCanBeIntersected) {
    CompiledGroup g = compile(0, {cidr_rule(net::Protocol::tcp(), {80, 80}, "10.0.0.0/16")}, {});
    auto boxes = g.ingress[0].boxes(Direction::Inbound);
    ASSERT_EQ(boxes.size(), 1u);
    Box probe;
    probe.src = to_range(*net::Cidr::parse("10.0.3.0/24"));
    auto common = boxes[0].intersect(probe);
    ASSERT_TRUE(common.has_value());
    EXPECT_EQ(common->dst_port, (PortInterval{80, 80}));
}

}  // namespace
}  // namespace vpcstack::policy
