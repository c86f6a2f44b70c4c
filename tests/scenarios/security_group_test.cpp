// SEMANTICS section 7: security groups — allow rules combined, group references, default
// groups, statefulness, and tracked versus untracked flows when a rule is removed.
#include "scenario.hpp"

using namespace scenario;

namespace {

// A server in one subnet, a client in another; the server's group is given by the test.
std::string client_server(const std::string& server_groups_yaml, const std::string& groups) {
    return R"(
region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    internet_gateway: igw
    subnets:
      - {name: a, cidr: 10.0.1.0/24, route_table: rt}
      - {name: b, cidr: 10.0.2.0/24, route_table: rt}
    route_tables:
      - {name: rt, routes: ["0.0.0.0/0 -> igw"]}
    security_groups:
      - name: client-sg
      )" + groups +
           R"(
    instances:
      - {name: client, subnet: a, private_ip: 10.0.1.10, public_ip: 203.0.113.70,
         security_groups: [client-sg]}
      - {name: server, subnet: b, private_ip: 10.0.2.10, public_ip: 203.0.113.71,
         security_groups: )" +
           server_groups_yaml + R"(, listen: [tcp/80, tcp/443, tcp/22]}
)";
}

}  // namespace

TEST(SecurityGroup, TheRulesOfAllGroupsOnAnInterfaceAreCombined) {
    Simulation sim(inline_topology(client_server("[http, https]", R"(
      - {name: http, ingress: ["tcp/80 from 10.0.0.0/16"]}
      - {name: https, ingress: ["tcp/443 from 10.0.0.0/16"]})")));
    FlowId http = sim.connect("client", "server", 80);
    FlowId https = sim.connect("client", "server", 443);
    FlowId ssh = sim.connect("client", "server", 22);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(http).outcome, Outcome::Connected) << "allowed by the first group";
    EXPECT_EQ(sim.flow(https).outcome, Outcome::Connected) << "allowed by the second group";
    EXPECT_EQ(sim.flow(ssh).outcome, Outcome::TimedOut) << "allowed by none: dropped";
    EXPECT_TRUE(some_packet_dropped_for(sim, DropReason::SecurityGroupNoMatch));
}

TEST(SecurityGroup, AGroupReferenceMatchesThePrivateAddressesOfItsMembers) {
    Simulation sim(example("three-tier.yaml"));
    FlowId web_to_app = sim.connect("web", "app", 8080);
    FlowId web_to_db = sim.connect("web", "db", 5432);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(web_to_app).outcome, Outcome::Connected) << "web carries web-sg";
    EXPECT_EQ(sim.flow(web_to_db).outcome, Outcome::TimedOut) << "db admits only app-sg";
}

TEST(SecurityGroup, AGroupReferenceDoesNotMatchPublicAddresses) {
    Simulation sim(inline_topology(client_server("[server-sg]", R"(
      - {name: server-sg, ingress: ["tcp/80 from sg:client-sg"]})")));
    FlowId privately = sim.connect("client", "10.0.2.10", 80);
    FlowId publicly = sim.connect("client", "203.0.113.71", 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(privately).outcome, Outcome::Connected);
    EXPECT_EQ(sim.flow(publicly).outcome, Outcome::TimedOut)
        << "through the internet the client arrives as 203.0.113.70, which no group holds";
    EXPECT_TRUE(some_packet_dropped_for(sim, DropReason::SecurityGroupNoMatch));
}

TEST(SecurityGroup, ANewGroupHasNoInboundRules) {
    Simulation sim(inline_topology(client_server("[empty]", R"(
      - {name: empty})")));
    FlowId f = sim.connect("client", "server", 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::TimedOut);
    EXPECT_TRUE(some_packet_dropped_for(sim, DropReason::SecurityGroupNoMatch));
}

TEST(SecurityGroup, TheDefaultGroupAdmitsItsOwnMembersOnly) {
    Simulation sim(inline_topology(R"(
region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    subnets:
      - {name: s, cidr: 10.0.1.0/24}
    security_groups:
      - {name: other, ingress: ["icmp from 10.0.0.0/16"]}
    instances:
      - {name: a, subnet: s, private_ip: 10.0.1.10}
      - {name: b, subnet: s, private_ip: 10.0.1.20}
      - {name: outsider, subnet: s, private_ip: 10.0.1.30, security_groups: [other]}
)"));
    FlowId member = sim.ping("a", "b");
    FlowId outsider = sim.ping("outsider", "b");
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(member).outcome, Outcome::Replied);
    EXPECT_EQ(sim.flow(outsider).outcome, Outcome::TimedOut);
}

TEST(SecurityGroup, RepliesPassWithoutARuleBecauseGroupsAreStateful) {
    // The server's group allows nothing outbound: its replies pass anyway.
    Simulation sim(inline_topology(client_server("[server-sg]", R"(
      - {name: server-sg, ingress: ["tcp/80 from 10.0.1.0/24"], egress: []})")));
    FlowId f = sim.connect("client", "server", 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Connected);
}

TEST(SecurityGroup, ATrackedFlowSurvivesTheRemovalOfItsRule) {
    // tcp/80 from 10.0.1.0/24 (not 0.0.0.0/0): the flow is tracked.
    model::Topology t = inline_topology(client_server("[server-sg]", R"(
      - {name: server-sg, ingress: ["tcp/80 from 10.0.1.0/24"]})"));
    model::Index server_sg = group_named(t, "server-sg");
    Simulation sim(std::move(t));
    FlowId f = sim.connect("client", "server", 80);
    sim.run_for(kSecond);
    ASSERT_EQ(sim.flow(f).outcome, Outcome::Connected);

    sim.engine().replace_security_group_rules(server_sg, {}, {sg_rule("all", "all", "0.0.0.0/0")});
    std::size_t before = packets_received(sim.host("client")).size();
    sim.send_tcp_data(f);
    sim.run_for(kSecond);
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Connected);
    EXPECT_GT(packets_received(sim.host("client")).size(), before)
        << "AWS: security-group-connection-tracking — tracked flows continue after the rule goes";
}

TEST(SecurityGroup, AnUntrackedFlowIsCutWhenItsRuleIsRemoved) {
    // tcp/80 from 0.0.0.0/0 with all traffic allowed out: the flow is not tracked.
    model::Topology t = inline_topology(client_server("[server-sg]", R"(
      - {name: server-sg, ingress: ["tcp/80 from 0.0.0.0/0"]})"));
    model::Index server_sg = group_named(t, "server-sg");
    Simulation sim(std::move(t));
    FlowId f = sim.connect("client", "server", 80);
    sim.run_for(kSecond);
    ASSERT_EQ(sim.flow(f).outcome, Outcome::Connected);

    sim.engine().replace_security_group_rules(server_sg, {}, {sg_rule("all", "all", "0.0.0.0/0")});
    std::size_t before = packets_received(sim.host("client")).size();
    sim.send_tcp_data(f);
    sim.run_for(kSecond);
    EXPECT_EQ(packets_received(sim.host("client")).size(), before)
        << "AWS: security-group-connection-tracking — untracked flows are cut at once";
    EXPECT_TRUE(some_packet_dropped_for(sim, DropReason::SecurityGroupNoMatch));
}

// AWS: security-group-rules — referencing a group does not allow traffic that flows through a
// middlebox: the firewall forwards the client's packets with the client's address, but it is the
// firewall's ENI that sends them on, and it does not carry client-sg.
TEST(SecurityGroup, AGroupReferenceDoesNotMatchTrafficForwardedThroughAMiddlebox) {
    std::string yaml = R"(
region: us-east-1
vpcs:
  - name: inspected
    cidr: 10.0.0.0/16
    subnets:
      - {name: front, cidr: 10.0.1.0/24, route_table: front-rt}
      - {name: back, cidr: 10.0.2.0/24, route_table: back-rt}
    route_tables:
      - {name: front-rt, routes: ["10.0.2.0/24 -> eni/fw-front"]}
      - {name: back-rt, routes: ["10.0.1.0/24 -> eni/fw-back"]}
    security_groups:
      - {name: fw-sg, ingress: ["all from 10.0.0.0/16"]}
      - {name: client-sg, ingress: ["all from 10.0.0.0/16"]}
      - {name: server-sg, ingress: ["tcp/443 from sg:client-sg"]}
    instances:
      - name: firewall
        enis:
          - {name: fw-front, subnet: front, private_ip: 10.0.1.5, security_groups: [fw-sg],
             source_dest_check: false}
          - {name: fw-back, subnet: back, private_ip: 10.0.2.5, security_groups: [fw-sg],
             source_dest_check: false}
      - {name: client, subnet: front, private_ip: 10.0.1.10, security_groups: [client-sg]}
      - {name: server, subnet: back, private_ip: 10.0.2.10, security_groups: [server-sg],
         listen: [tcp/443]}
      - {name: neighbour, subnet: back, private_ip: 10.0.2.20, security_groups: [client-sg]}
)";
    Simulation sim(inline_topology(yaml));
    FlowId through_firewall = sim.connect("client", "server", 443);
    FlowId from_a_member = sim.connect("neighbour", "server", 443);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(through_firewall).outcome, Outcome::TimedOut);
    EXPECT_EQ(where_dropped(sim, DropReason::SecurityGroupNoMatch), "sg/server-sg");
    EXPECT_EQ(sim.flow(from_a_member).outcome, Outcome::Connected)
        << "a member in the same subnet, sending itself, matches the reference";
}
