// Routing and addressing the cloud allows beyond the common cases: an appliance in place of the
// local route's target, routes whose target was deleted, gateway route tables (ingress routing),
// prefix-list destinations, and Elastic IPs on secondary private addresses. Each test states
// the rule as the AWS documentation does.
#include "scenario.hpp"

using namespace scenario;

namespace {

// Every subnet but the appliance's sends the whole VPC CIDR to the appliance: the local route's
// target replaced by the appliance's interface.
constexpr const char* kLocalTargetReplaced = R"(
region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    subnets:
      - {name: front, cidr: 10.0.1.0/24, route_table: inspected-rt}
      - {name: back, cidr: 10.0.2.0/24, route_table: inspected-rt}
      - {name: inspect, cidr: 10.0.3.0/24}
    route_tables:
      - name: inspected-rt
        routes: ["10.0.0.0/16 -> instance/fw"]
    security_groups:
      - name: open
        ingress: ["all from 10.0.0.0/16"]
    instances:
      - {name: fw, subnet: inspect, private_ip: 10.0.3.10, security_groups: [open],
         source_dest_check: false}
      - {name: client, subnet: front, private_ip: 10.0.1.10, security_groups: [open]}
      - {name: neighbour, subnet: front, private_ip: 10.0.1.20, security_groups: [open]}
      - {name: server, subnet: back, private_ip: 10.0.2.10, security_groups: [open]}
)";

}  // namespace

// AWS: replace-local-route-target — "You can change the target of the default local route";
// traffic for the VPC CIDR then goes to the network interface that replaced it.
// AWS: middlebox-routing — the appliance forwards only with source/destination check off.
TEST(RoutingCloudCorners, AnApplianceInPlaceOfTheLocalTargetSeesTrafficBetweenSubnets) {
    Simulation sim(inline_topology(kLocalTargetReplaced));
    FlowId f = sim.ping("client", "server");
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Replied)
        << "the appliance forwards both ways: both subnets' tables send the VPC CIDR to it";
    EXPECT_GE(packets_received(sim.host("fw")).size(), 2u)
        << "the request and the reply both pass through the appliance";
}

TEST(RoutingCloudCorners, WithSourceDestCheckOnTheApplianceDropsWhatItWouldForward) {
    model::Topology t = inline_topology(kLocalTargetReplaced);
    for (model::Eni& eni : t.enis) eni.source_dest_check = true;
    Simulation sim(std::move(t));
    FlowId f = sim.ping("client", "server");
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::TimedOut);
    EXPECT_EQ(where_dropped(sim, DropReason::SourceDestCheck), "eni/fw/eth0")
        << "AWS: using-eni — with the check on, an ENI drops traffic not addressed to it";
}

TEST(RoutingCloudCorners, TrafficWithinASubnetNeverConsultsTheReplacedLocalRoute) {
    Simulation sim(inline_topology(kLocalTargetReplaced));
    FlowId f = sim.ping("client", "neighbour");
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Replied);
    EXPECT_TRUE(packets_received(sim.host("fw")).empty())
        << "AWS: VPC_Route_Tables — traffic for the sender's own subnet is not routed";
}

TEST(RoutingCloudCorners, ARouteForAWholeSubnetCidrBeatsTheLocalRoute) {
    // AWS: VPC_Route_Tables — a route more specific than the local route, for the entire CIDR
    // of a subnet, to a network interface.
    Simulation sim(inline_topology(R"(
region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    subnets:
      - {name: front, cidr: 10.0.1.0/24, route_table: front-rt}
      - {name: back, cidr: 10.0.2.0/24, route_table: back-rt}
      - {name: inspect, cidr: 10.0.3.0/24}
    route_tables:
      - {name: front-rt, routes: ["10.0.2.0/24 -> eni/fw/eth0"]}
      - {name: back-rt, routes: ["10.0.1.0/24 -> eni/fw/eth0"]}
    security_groups:
      - name: open
        ingress: ["all from 10.0.0.0/16"]
    instances:
      - {name: fw, subnet: inspect, private_ip: 10.0.3.10, security_groups: [open],
         source_dest_check: false}
      - {name: client, subnet: front, private_ip: 10.0.1.10, security_groups: [open]}
      - {name: server, subnet: back, private_ip: 10.0.2.10, security_groups: [open]}
)"));
    FlowId f = sim.ping("client", "server");
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Replied);
    EXPECT_FALSE(packets_received(sim.host("fw")).empty());
}

namespace {

// The component name of a step, as traces and counters name it.
std::string component_name(const Simulation& sim, const engine::TraceStep& s) {
    return (*sim.engine().components())[s.component].name;
}

// The first step of any trace taken by `component` (nullptr when none).
const engine::TraceStep* step_at(const Simulation& sim, std::string_view component) {
    for (const engine::PacketTrace& t : sim.traces()) {
        for (const engine::TraceStep& s : t.steps) {
            if (component_name(sim, s) == component) return &s;
        }
    }
    return nullptr;
}

}  // namespace

// AWS: VPC_Route_Tables — "If a route's target is deleted (for example, a network interface),
// the route is in the blackhole state": matching traffic is dropped, and the route keeps its
// place in longest-prefix order, so traffic does not fall back to the local route.
TEST(RoutingCloudCorners, ARouteWhoseApplianceWasDeletedIsABlackholeThatStillWins) {
    Simulation sim(inline_topology(R"(
region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    subnets:
      - {name: front, cidr: 10.0.1.0/24, route_table: front-rt}
      - {name: back, cidr: 10.0.2.0/24}
    route_tables:
      - name: front-rt
        routes:
          - {destination: 10.0.2.0/24, target: blackhole, was: eni-0aa11bb22cc33dd44}
    security_groups:
      - name: open
        ingress: ["all from 10.0.0.0/16"]
    instances:
      - {name: client, subnet: front, private_ip: 10.0.1.10, security_groups: [open]}
      - {name: server, subnet: back, private_ip: 10.0.2.10, security_groups: [open]}
)"));
    FlowId f = sim.ping("client", "server");
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::TimedOut)
        << "the subnet route is more specific than the local route, even as a blackhole";
    EXPECT_EQ(where_dropped(sim, DropReason::Blackhole), "rt/front-rt");
    const engine::TraceStep* s = step_at(sim, "rt/front-rt");
    ASSERT_NE(s, nullptr);
    EXPECT_EQ(s->note, engine::Note::BlackholeTarget);
    EXPECT_NE(s->args.text.find("eni-0aa11bb22cc33dd44"), std::string::npos)
        << "the trace names the deleted target: " << s->args.text;
}

namespace {

// Ingress routing: the internet gateway's route table sends traffic for the web subnet to a
// firewall appliance; the web subnet's replies go back through it (the cloud does not support
// asymmetric paths through an appliance).
constexpr const char* kIngressRouting = R"(
region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    internet_gateway: {name: igw, route_table: ingress-rt}
    subnets:
      - {name: web, cidr: 10.0.1.0/24, route_table: web-rt}
      - {name: other, cidr: 10.0.2.0/24, route_table: inspect-rt}
      - {name: inspect, cidr: 10.0.3.0/24, route_table: inspect-rt}
    route_tables:
      - {name: ingress-rt, routes: ["10.0.1.0/24 -> eni/fw/eth0"]}
      - {name: web-rt, routes: ["0.0.0.0/0 -> eni/fw/eth0"]}
      - {name: inspect-rt, routes: ["0.0.0.0/0 -> igw"]}
    security_groups:
      - name: open
        ingress: ["all from 0.0.0.0/0"]
    instances:
      - {name: fw, subnet: inspect, private_ip: 10.0.3.10, public_ip: 203.0.113.3,
         security_groups: [open], source_dest_check: false}
      - {name: web, subnet: web, private_ip: 10.0.1.10, public_ip: 203.0.113.10,
         security_groups: [open], listen: [tcp/80]}
      - {name: other, subnet: other, private_ip: 10.0.2.10, public_ip: 203.0.113.20,
         security_groups: [open], listen: [tcp/80]}
internet_hosts:
  - {name: client, address: 198.51.100.7}
)";

}  // namespace

// AWS: gateway-route-tables — "you can intercept the traffic that enters your VPC through an
// internet gateway by redirecting that traffic to a middlebox appliance": the gateway route
// table's route for the subnet CIDR sends it to the appliance's network interface.
TEST(RoutingCloudCorners, AGatewayRouteTableSendsIncomingTrafficThroughTheAppliance) {
    Simulation sim(inline_topology(kIngressRouting));
    FlowId f = sim.connect("client", "203.0.113.10", 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Connected);
    EXPECT_FALSE(packets_received(sim.host("fw")).empty())
        << "the request entered through the internet gateway and went to the appliance first";
    const engine::TraceStep* s = step_at(sim, "rt/ingress-rt");
    ASSERT_NE(s, nullptr) << "the gateway route table's decision is a step of the trace";
    EXPECT_EQ(s->rule.kind, engine::RuleRef::Kind::Route);
    EXPECT_EQ(s->rule.text, "10.0.1.0/24 -> eni/fw/eth0");
}

TEST(RoutingCloudCorners, TheGatewayRouteTablesLocalRouteDeliversAsWithoutATable) {
    Simulation sim(inline_topology(kIngressRouting));
    FlowId f = sim.connect("client", "203.0.113.20", 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Connected);
    EXPECT_TRUE(packets_received(sim.host("fw")).empty())
        << "the other subnet is covered by the local route of the gateway route table";
}

TEST(RoutingCloudCorners, AnApplianceThatChecksSourceAndDestinationDropsRedirectedTraffic) {
    model::Topology t = inline_topology(kIngressRouting);
    for (model::Eni& eni : t.enis) eni.source_dest_check = true;
    Simulation sim(std::move(t));
    FlowId f = sim.connect("client", "203.0.113.10", 80);
    sim.run_until_idle();
    EXPECT_NE(sim.flow(f).outcome, Outcome::Connected);
    EXPECT_EQ(where_dropped(sim, DropReason::SourceDestCheck), "eni/fw/eth0");
}

// AWS: route-tables-priority — longest prefix first, then a static route before a prefix-list
// route; a prefix-list route matches each CIDR of the list by that CIDR's own length.
TEST(RoutingCloudCorners, APrefixListDestinationMatchesEachOfItsCidrsByLongestPrefix) {
    Simulation sim(inline_topology(R"(
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
          - 198.51.0.0/16 -> igw
          - pl:blocked -> blackhole
          - 198.51.100.7/32 -> igw
          - 192.0.2.0/28 -> igw
    instances:
      - {name: web, subnet: pub, private_ip: 10.0.1.10, public_ip: 203.0.113.10}
prefix_lists:
  - {name: blocked, cidrs: [198.51.100.0/24, 192.0.2.0/28, 192.0.2.64/26]}
)"));
    FlowId anywhere = sim.ping("web", "8.8.8.8");
    FlowId listed = sim.ping("web", "198.51.100.8");
    FlowId other_entry = sim.ping("web", "192.0.2.70");
    FlowId carved_out = sim.ping("web", "198.51.100.7");
    FlowId same_length = sim.ping("web", "192.0.2.1");
    FlowId shorter_static = sim.ping("web", "198.51.1.1");
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(anywhere).outcome, Outcome::Replied);
    EXPECT_EQ(sim.flow(listed).outcome, Outcome::TimedOut)
        << "the list's /24 is more specific than the static /16";
    EXPECT_EQ(sim.flow(other_entry).outcome, Outcome::TimedOut) << "any entry of the list";
    EXPECT_EQ(sim.flow(carved_out).outcome, Outcome::Replied)
        << "the static /32 is more specific than the list's /24";
    EXPECT_EQ(sim.flow(same_length).outcome, Outcome::Replied)
        << "at equal length the static route takes priority over the prefix-list route";
    EXPECT_EQ(sim.flow(shorter_static).outcome, Outcome::Replied)
        << "outside every entry of the list";
    EXPECT_EQ(sim.drops(DropReason::Blackhole), 2u);
}

// AWS: EC2 using-instance-addressing-eips — an Elastic IP may be associated with a secondary
// private IP address; AWS: VPC_Internet_Gateway — the internet gateway maps it 1:1 to that
// address.
TEST(RoutingCloudCorners, AnElasticIpOnASecondaryAddressMapsToThatAddress) {
    Simulation sim(inline_topology(R"(
region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    internet_gateway: igw
    subnets:
      - {name: pub, cidr: 10.0.1.0/24, route_table: rt}
    route_tables:
      - {name: rt, routes: ["0.0.0.0/0 -> igw"]}
    security_groups:
      - {name: web-sg, ingress: ["tcp/80 from 0.0.0.0/0"]}
    instances:
      - name: web
        subnet: pub
        private_ips: [10.0.1.10, 10.0.1.11]
        elastic_ip: web-eip
        secondary_elastic_ips:
          - {private_ip: 10.0.1.11, elastic_ip: site-eip}
        security_groups: [web-sg]
elastic_ips:
  - {name: web-eip, address: 203.0.113.10}
  - {name: site-eip, address: 203.0.113.11}
internet_hosts:
  - {name: client, address: 198.51.100.7}
)"));
    FlowId f = sim.connect("client", "203.0.113.11", 80);
    sim.run_until_idle();
    ASSERT_EQ(sim.flow(f).outcome, Outcome::Connected);
    std::vector<DecodedFrame> at_web = packets_received(sim.host("web"));
    ASSERT_FALSE(at_web.empty());
    EXPECT_EQ(at_web.front().dst, ip("10.0.1.11")) << "the secondary address, not the primary";
    std::vector<DecodedFrame> at_client = packets_received(sim.internet());
    ASSERT_FALSE(at_client.empty());
    EXPECT_EQ(at_client.front().src, ip("203.0.113.11"))
        << "the reply from the secondary address leaves as its own Elastic IP";
}
