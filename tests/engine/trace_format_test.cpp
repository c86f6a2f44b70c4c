// The trace formatter: every field of a step turns into the words `vpcctl trace` prints.
#include "vpcstack/engine/trace_format.hpp"

#include <gtest/gtest.h>

#include "vpcstack/engine/packet.hpp"
#include "vpcstack/model/loader.hpp"

namespace vpcstack::engine {
namespace {

net::Ipv4Address ip(const char* text) {
    return *net::Ipv4Address::parse(text);
}

TEST(TraceFormat, AnAclRuleIsQuotedWithItsNumberOnce) {
    RuleRef rule{RuleRef::Kind::AclRule, policy::Direction::Inbound, 100,
                 "100 allow tcp/80 from 0.0.0.0/0"};
    EXPECT_EQ(rule_text(rule), "inbound rule 100: allow tcp/80 from 0.0.0.0/0");
    rule.text = "allow all from 10.0.0.0/16";
    EXPECT_EQ(rule_text(rule), "inbound rule 100: allow all from 10.0.0.0/16");
}

TEST(TraceFormat, TheFinalAclRuleIsTheStar) {
    RuleRef rule{RuleRef::Kind::AclDefault, policy::Direction::Outbound, 32767, ""};
    EXPECT_EQ(rule_text(rule), "outbound rule *: deny all");
}

TEST(TraceFormat, SecurityGroupRulesNameTheirDirection) {
    EXPECT_EQ(rule_text({RuleRef::Kind::SecurityGroupRule, policy::Direction::Outbound, 0,
                         "all to 0.0.0.0/0"}),
              "outbound: all to 0.0.0.0/0");
    EXPECT_EQ(rule_text({RuleRef::Kind::SecurityGroupNone, policy::Direction::Inbound, 0, ""}),
              "no inbound rule allows it");
}

TEST(TraceFormat, TranslationsShowPortsOrQueryIdsByProtocol) {
    Translation nat{Translation::Field::Source,
                    net::Protocol::kTcp,
                    {ip("10.0.2.10"), 40000},
                    {ip("10.0.1.20"), 1024},
                    Translation::Note::NewMapping};
    EXPECT_EQ(translation_text(nat), "src 10.0.2.10:40000 -> 10.0.1.20:1024 (new translation)");
    Translation ping{Translation::Field::Destination,
                     net::Protocol::kIcmp,
                     {ip("203.0.113.20"), 1024},
                     {ip("10.0.2.10"), 7},
                     Translation::Note::None};
    EXPECT_EQ(translation_text(ping), "dst 203.0.113.20 id 1024 -> 10.0.2.10 id 7");
    Translation igw{Translation::Field::Destination,
                    net::Protocol::kTcp,
                    {ip("203.0.113.10"), {}},
                    {ip("10.0.1.10"), {}},
                    Translation::Note::None};
    EXPECT_EQ(translation_text(igw), "dst 203.0.113.10 -> 10.0.1.10");
}

TEST(TraceFormat, PacketSummaries) {
    PacketFacts p;
    p.kind = PacketFacts::Kind::Ipv4;
    p.tuple = {ip("10.0.1.10"), ip("10.0.2.10"), 40000, 443, net::Protocol::kTcp};
    p.has_l4 = true;
    p.tcp_flags = net::tcp::kSyn | net::tcp::kAck;
    EXPECT_EQ(summarize(p), "tcp 10.0.1.10:40000 -> 10.0.2.10:443 [SYN,ACK]");
    EXPECT_FALSE(p.is_tcp_syn()) << "a SYN-ACK opens no connection";
    p.tcp_flags = net::tcp::kSyn;
    EXPECT_TRUE(p.is_tcp_syn());
    p.kind = PacketFacts::Kind::Arp;
    p.arp_op = 1;
    p.arp_target_ip = ip("10.0.1.1");
    p.arp_sender_ip = ip("10.0.1.10");
    EXPECT_EQ(summarize(p), "arp who-has 10.0.1.1 tell 10.0.1.10");
}

TEST(TraceFormat, ADropWithoutDetailIsExplainedByItsReason) {
    auto loaded = model::load_topology_file(std::string(VPCSTACK_SOURCE_DIR) +
                                            "/topologies/two-tier-nat.yaml");
    ASSERT_TRUE(loaded.ok());
    ComponentRegistry components(*loaded.topology);
    TraceStep s;
    s.component = components.nat_gateway(0);
    s.kind = ComponentKind::NatGateway;
    s.action = Action::Drop;
    s.drop = DropReason::NatNoTranslation;
    StepText t = describe(s, components);
    EXPECT_EQ(t.component, "nat/nat-a");
    EXPECT_EQ(t.kind, "nat-gateway");
    EXPECT_EQ(t.action, "drop");
    EXPECT_EQ(t.detail, "no NAT translation exists for this inbound packet");
    s.note = Note::IntoVpc;
    s.args.vpc = 0;
    EXPECT_EQ(describe(s, components).detail, "into VPC prod");
}

}  // namespace
}  // namespace vpcstack::engine
