// SEMANTICS section 3: routing — the table in effect, longest prefix, blackholes, same-subnet
// traffic, asymmetric paths and the VPC router that is not a hop.
#include "scenario.hpp"

using namespace scenario;

namespace {

// A public subnet whose table sends 198.51.100.0/24 to a blackhole, except one /32 to the IGW.
constexpr const char* kSpecificRoutes = R"(
region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    internet_gateway: igw
    subnets:
      - {name: pub, cidr: 10.0.1.0/24, route_table: rt}
    route_tables:
      - name: rt
        routes:
          - 0.0.0.0/0 -> igw
          - 198.51.100.0/24 -> blackhole
          - 198.51.100.7/32 -> igw
    instances:
      - {name: web, subnet: pub, private_ip: 10.0.1.10, public_ip: 203.0.113.10}
)";

}  // namespace

TEST(Routing, TheMoreSpecificRouteWins) {
    Simulation sim(inline_topology(kSpecificRoutes));
    FlowId anywhere = sim.ping("web", "8.8.8.8");
    FlowId in_blackholed_range = sim.ping("web", "198.51.100.8");
    FlowId carved_out = sim.ping("web", "198.51.100.7");
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(anywhere).outcome, Outcome::Replied) << "0.0.0.0/0 -> igw";
    EXPECT_EQ(sim.flow(in_blackholed_range).outcome, Outcome::TimedOut)
        << "the /24 is more specific than 0.0.0.0/0";
    EXPECT_EQ(sim.flow(carved_out).outcome, Outcome::Replied)
        << "the /32 is more specific than the /24";
}

TEST(Routing, BlackholeRoutesDropTheirTraffic) {
    Simulation sim(example("blackhole-route.yaml"));
    sim.ping("desk", "192.168.1.1");  // written as a blackhole
    sim.ping("desk", "10.5.1.10");    // a peering still pending acceptance
    sim.ping("desk", "8.8.8.8");      // an instance target that is stopped
    sim.run_until_idle();
    EXPECT_EQ(sim.drops(DropReason::Blackhole), 3u);
    EXPECT_EQ(where_dropped(sim, DropReason::Blackhole), "rt/corp/office-rt");
}

TEST(Routing, ASubnetWithoutItsOwnTableUsesTheMainTable) {
    model::Topology t = example("three-tier.yaml");
    for (model::Subnet& s : t.subnets) {  // let the db subnet's traffic out of its ACL
        if (s.meta.name == "db") s.network_acl = t.vpcs[s.vpc].default_acl;
    }
    Simulation sim(std::move(t));
    sim.ping("db", "8.8.8.8");  // db's subnet has no table: the main one has only local routes
    sim.run_until_idle();
    EXPECT_TRUE(some_packet_dropped_for(sim, DropReason::NoRoute));
    EXPECT_EQ(where_dropped(sim, DropReason::NoRoute), "rt/main");
}

TEST(Routing, TrafficWithinASubnetIgnoresTheNetworkAcl) {
    // A custom ACL without rules denies everything that crosses the subnet's boundary.
    Simulation sim(inline_topology(R"(
region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    subnets:
      - {name: closed, cidr: 10.0.1.0/24, network_acl: deny-all}
      - {name: other, cidr: 10.0.2.0/24}
    network_acls:
      - {name: deny-all}
    security_groups:
      - name: open
        ingress: ["all from 10.0.0.0/16"]
    instances:
      - {name: a, subnet: closed, private_ip: 10.0.1.10, security_groups: [open]}
      - {name: b, subnet: closed, private_ip: 10.0.1.20, security_groups: [open]}
      - {name: c, subnet: other, private_ip: 10.0.2.10, security_groups: [open]}
)"));
    FlowId neighbour = sim.ping("a", "b");
    FlowId across = sim.ping("a", "c");
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(neighbour).outcome, Outcome::Replied)
        << "AWS: vpc-network-acls — ACLs apply only where traffic crosses the subnet boundary";
    EXPECT_EQ(sim.flow(across).outcome, Outcome::TimedOut);
    EXPECT_EQ(where_dropped(sim, DropReason::AclDenied), "acl/deny-all");
}

TEST(Routing, AReplyFollowsItsOwnSubnetsTableAndANatGatewayRejectsIt) {
    // An instance with a public IP in a private subnet (0.0.0.0/0 -> NAT gateway): the request
    // comes in through the internet gateway, the reply leaves towards the NAT gateway.
    model::Topology t = example("two-tier-nat.yaml");
    for (model::Eni& eni : t.enis) {
        if (eni.meta.name == "app/eth0") eni.public_ip = ip("203.0.113.11");
    }
    model::Index app_sg = group_named(t, "app-sg");
    Simulation sim(std::move(t));
    sim.engine().replace_security_group_rules(app_sg, {sg_rule("tcp", "8080", "0.0.0.0/0")},
                                              {sg_rule("all", "all", "0.0.0.0/0")});
    FlowId f = sim.connect("client", "203.0.113.11", 8080);
    sim.run_until_idle();
    EXPECT_FALSE(packets_received(sim.host("app")).empty()) << "the request does arrive";
    EXPECT_NE(sim.flow(f).outcome, Outcome::Connected)
        << "the reply is routed to the NAT gateway, which has no translation for it";
    bool rejected_at_nat = false;
    for (const engine::PacketTrace& trace : sim.traces()) {
        if (trace.fate == engine::Fate::Delivered) continue;
        for (const engine::TraceStep& s : trace.steps) {
            if (s.drop && s.component == sim.engine().components()->nat_gateway(0)) {
                rejected_at_nat = true;
            }
        }
    }
    EXPECT_TRUE(rejected_at_nat);
}

TEST(Routing, TheVpcRouterIsNotAHop) {
    Simulation sim(example("two-tier-nat.yaml"));
    FlowId f = sim.connect("web", "app", 8080);
    sim.run_until_idle();
    ASSERT_EQ(sim.flow(f).outcome, Outcome::Connected);
    EXPECT_EQ(packets_received(sim.host("app")).front().ttl, 64)
        << "between subnets the TTL is not decremented";
}
