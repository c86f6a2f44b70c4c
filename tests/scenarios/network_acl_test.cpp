// SEMANTICS section 6: network ACLs — default and custom ACLs, rule order, statelessness.
#include "scenario.hpp"

using namespace scenario;

namespace {

// A public web server whose subnet ACL is written by the test.
std::string web_with_acl(const std::string& inbound, const std::string& outbound) {
    return R"(
region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    internet_gateway: igw
    subnets:
      - {name: pub, cidr: 10.0.1.0/24, route_table: rt, network_acl: acl}
    route_tables:
      - {name: rt, routes: ["0.0.0.0/0 -> igw"]}
    network_acls:
      - name: acl
        inbound: )" +
           inbound + R"(
        outbound: )" +
           outbound + R"(
    security_groups:
      - name: web-sg
        ingress: ["tcp/22 from 0.0.0.0/0", "tcp/80 from 0.0.0.0/0"]
    instances:
      - {name: web, subnet: pub, private_ip: 10.0.1.10, public_ip: 203.0.113.10,
         security_groups: [web-sg]}
internet_hosts:
  - {name: client, address: 198.51.100.7}
)";
}

}  // namespace

TEST(NetworkAcl, TheDefaultAclAllowsEverythingBothWays) {
    Simulation sim(example("single-public-web.yaml"));
    FlowId f = sim.connect("client", "web", 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Connected);
}

TEST(NetworkAcl, ACustomAclWithoutRulesDeniesEverything) {
    Simulation sim(inline_topology(web_with_acl("[]", "[]")));
    FlowId f = sim.connect("client", "web", 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::TimedOut);
    EXPECT_EQ(where_dropped(sim, DropReason::AclDenied), "acl/acl");
}

TEST(NetworkAcl, TheLowestNumberedMatchingRuleDecides) {
    const std::string out = R"(["100 allow all to 0.0.0.0/0"])";
    Simulation deny_first(inline_topology(web_with_acl(
        R"(["100 deny tcp/22 from 0.0.0.0/0", "200 allow all from 0.0.0.0/0"])", out)));
    FlowId ssh = deny_first.connect("client", "web", 22);
    FlowId http = deny_first.connect("client", "web", 80);
    deny_first.run_until_idle();
    EXPECT_EQ(deny_first.flow(ssh).outcome, Outcome::TimedOut) << "rule 100 denies tcp/22";
    EXPECT_EQ(deny_first.flow(http).outcome, Outcome::Connected) << "rule 200 allows the rest";

    Simulation allow_first(inline_topology(web_with_acl(
        R"(["100 allow all from 0.0.0.0/0", "200 deny tcp/22 from 0.0.0.0/0"])", out)));
    FlowId ssh2 = allow_first.connect("client", "web", 22);
    allow_first.run_until_idle();
    EXPECT_EQ(allow_first.flow(ssh2).outcome, Outcome::Connected)
        << "rule 100 matches first; rule 200 is never reached";
}

TEST(NetworkAcl, AnAclThatForgetsEphemeralPortsDropsTheReply) {
    Simulation sim(example("acl-forgets-ephemeral.yaml"));
    FlowId f = sim.connect("client", "web", 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::TimedOut);
    EXPECT_FALSE(packets_received(sim.host("web")).empty()) << "the request gets in";
    EXPECT_EQ(where_dropped(sim, DropReason::AclDenied), "acl/web-acl")
        << "ACLs are stateless: the reply to port 32768+ matches no outbound rule";
}

TEST(NetworkAcl, AllowingTheEphemeralPortsLetsTheReplyOut) {
    Simulation sim(inline_topology(web_with_acl(
        R"(["100 allow tcp/80 from 0.0.0.0/0"])",
        R"(["100 allow tcp/80 to 0.0.0.0/0", "110 allow tcp/1024-65535 to 0.0.0.0/0"])")));
    FlowId f = sim.connect("client", "web", 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Connected);
}

TEST(NetworkAcl, InboundRulesMatchTheSourceAndOutboundRulesTheDestination) {
    Simulation sim(
        inline_topology(web_with_acl(R"(["100 allow tcp/80 from 198.51.100.0/24"])",
                                     R"(["100 allow tcp/32768-60999 to 198.51.100.7/32"])")));
    FlowId listed = sim.connect("client", "web", 80);
    FlowId unlisted = sim.connect("192.0.2.50", "web", 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(listed).outcome, Outcome::Connected);
    EXPECT_EQ(sim.flow(unlisted).outcome, Outcome::TimedOut);
}

namespace {

// The network ACL's decision about the packets of one datagram's later fragment (offset > 0).
const engine::TraceStep* acl_step_of_later_fragment(const Simulation& sim) {
    for (const engine::PacketTrace& t : sim.traces()) {
        if (!t.packet.fragment || t.packet.first_fragment) continue;
        for (const engine::TraceStep& s : t.steps) {
            if (s.kind == engine::ComponentKind::NetworkAcl) return &s;
        }
    }
    return nullptr;
}

void send_fragments(Simulation& sim) {
    const net::FiveTuple udp{*net::Ipv4Address::parse("198.51.100.7"),
                             *net::Ipv4Address::parse("203.0.113.10"), 40000, 5000,
                             net::Protocol::kUdp};
    sim.send_packet("client", {.tuple = udp,
                               .payload_size = 1472,
                               .dont_fragment = false,
                               .more_fragments = true,
                               .ip_id = 77});
    sim.send_packet("client", {.tuple = udp,
                               .payload_size = 200,
                               .dont_fragment = false,
                               .fragment_offset = 185,
                               .ip_id = 77});
    sim.run_until_idle();
}

}  // namespace

// A later fragment has no ports. The cloud does not document how its ACLs treat one; vpcstack
// matches it on protocol and addresses: an allow rule with ports lets it through, so a
// datagram the rules allow arrives whole (docs/topology.md, network ACLs).
TEST(NetworkAcl, ALaterFragmentMatchesAnAllowRuleOnProtocolAndAddresses) {
    Simulation sim(inline_topology(web_with_acl(R"(["100 allow udp/5000 from 0.0.0.0/0"])",
                                                R"(["100 allow all to 0.0.0.0/0"])")));
    send_fragments(sim);
    const engine::TraceStep* s = acl_step_of_later_fragment(sim);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->action, engine::Action::Allow);
    EXPECT_EQ(s->rule.number, 100) << "the allow rule for udp/5000 matched it";
    EXPECT_EQ(s->note, engine::Note::LaterFragment);
}

TEST(NetworkAcl, ALaterFragmentIsNotDeniedByADenyRuleWithPorts) {
    Simulation sim(inline_topology(
        web_with_acl(R"(["100 deny udp/5000 from 0.0.0.0/0", "200 allow all from 0.0.0.0/0"])",
                     R"(["100 allow all to 0.0.0.0/0"])")));
    send_fragments(sim);
    const engine::TraceStep* s = acl_step_of_later_fragment(sim);
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->rule.number, 200) << "rule 100 names ports a later fragment does not carry";
    EXPECT_TRUE(some_packet_dropped_for(sim, DropReason::AclDenied))
        << "the first fragment, with its ports, is denied by rule 100";
    EXPECT_TRUE(some_packet_dropped_for(sim, DropReason::SecurityGroupNoMatch))
        << "the later fragment then stops at the security group: its first fragment never passed";
}
