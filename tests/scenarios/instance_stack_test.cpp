// SEMANTICS section 0: what "reachable" means, and the instance's own stack. Traffic from an
// instance to its own addresses never leaves it; a multi-ENI instance answers out of the ENI a
// request came in on (Amazon Linux ec2-net-utils); the verdict is the initiator's.
#include "scenario.hpp"

#include "vpcstack/engine/trace_format.hpp"
#include "vpcstack/sim/trace_report.hpp"

using namespace scenario;

namespace {

// An instance with two ENIs in two subnets, a client in a third subnet and one in the first.
constexpr const char* kTwoEnis = R"(
region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    subnets:
      - {name: a, cidr: 10.0.1.0/24}
      - {name: b, cidr: 10.0.2.0/24}
      - {name: c, cidr: 10.0.3.0/24}
    security_groups:
      - name: open
        ingress: ["all from 10.0.0.0/16"]
    instances:
      - name: multi
        listen: [tcp/80]
        enis:
          - {subnet: a, private_ips: [10.0.1.10, 10.0.1.11], security_groups: [open]}
          - {subnet: b, private_ip: 10.0.2.10, security_groups: [open]}
      - {name: far, subnet: c, private_ip: 10.0.3.10, security_groups: [open]}
      - {name: near, subnet: a, private_ip: 10.0.1.20, security_groups: [open]}
)";

// A web server reached at its public IP whose subnet routes the internet to a NAT gateway.
constexpr const char* kRepliesThroughNat = R"(
region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    internet_gateway: igw
    subnets:
      - {name: pub, cidr: 10.0.1.0/24, route_table: pub-rt}
      - {name: app, cidr: 10.0.2.0/24, route_table: app-rt}
    route_tables:
      - {name: pub-rt, routes: ["0.0.0.0/0 -> igw"]}
      - {name: app-rt, routes: ["0.0.0.0/0 -> nat/nat"]}
    security_groups:
      - name: open
        ingress: ["all from 0.0.0.0/0"]
    nat_gateways:
      - {name: nat, subnet: pub, private_ip: 10.0.1.20, elastic_ip: nat-eip}
    instances:
      - {name: app, subnet: app, private_ip: 10.0.2.10, public_ip: 203.0.113.30,
         security_groups: [open], listen: [udp/5000]}
elastic_ips:
  - {name: nat-eip, address: 203.0.113.20}
internet_hosts:
  - {name: client, address: 198.51.100.7, listen: []}
)";

}  // namespace

TEST(InstanceStack, AnInstanceTalkingToItsOwnAddressIsAnsweredWithoutTheNetwork) {
    Simulation sim(example("two-tier-nat.yaml"));
    FlowId f = sim.connect("web", "10.0.1.10", 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Connected);
    for (const engine::PacketTrace& t : sim.traces()) {
        EXPECT_NE(t.packet.kind, engine::PacketFacts::Kind::Ipv4)
            << "no VPC component sees it, yet the engine saw " << engine::summarize(t.packet);
    }
}

TEST(InstanceStack, TwoAddressesOfOneInstanceAreLocalToIt) {
    Simulation sim(inline_topology(kTwoEnis));
    // From eth0's primary to its secondary, and from eth0 to eth1 (another subnet).
    FlowId secondary = sim.send_packet("multi", {.tuple = {*net::Ipv4Address::parse("10.0.1.10"),
                                                           *net::Ipv4Address::parse("10.0.1.11"),
                                                           40000, 80, net::Protocol::kTcp}});
    FlowId other_eni = sim.connect("multi", "10.0.2.10", 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(other_eni).outcome, Outcome::Connected);
    EXPECT_EQ(sim.flow(secondary).outcome, Outcome::Replied)
        << "its own stack answered the SYN to its secondary address";
    for (const engine::PacketTrace& t : sim.traces()) {
        EXPECT_NE(t.packet.kind, engine::PacketFacts::Kind::Ipv4)
            << "an IP packet reached the engine: " << engine::summarize(t.packet);
    }
}

// AWS: ec2-net-utils — a rule and a table per ENI send replies out of the ENI they answer for.
TEST(InstanceStack, AMultiEniInstanceAnswersOutOfTheEniTheRequestCameIn) {
    Simulation sim(inline_topology(kTwoEnis));
    FlowId from_far = sim.connect("far", "10.0.2.10", 80);
    FlowId from_near = sim.connect("near", "10.0.2.10", 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(from_far).outcome, Outcome::Connected);
    EXPECT_EQ(sim.flow(from_near).outcome, Outcome::Connected)
        << "near shares eth0's subnet, yet the answer from eth1's address leaves by eth1";
    EXPECT_FALSE(some_packet_dropped_for(sim, DropReason::SourceDestCheck));
}

// SEMANTICS 0: reachable means the initiator got the answer it waits for, not that a packet was
// delivered somewhere.
TEST(InstanceStack, AnAnswerTranslatedOnItsWayBackIsNotReachable) {
    model::Topology t = inline_topology(kRepliesThroughNat);
    TraceResult r = run_trace(t, {"client", "app", "udp", 5000, -1});
    ASSERT_TRUE(r.report) << r.error;
    EXPECT_FALSE(r.report->reachable);
    EXPECT_EQ(r.report->outcome, "timed-out");
    EXPECT_NE(r.report->verdict, "reachable");
    EXPECT_NE(r.report->hint.find("NAT gateway 'nat'"), std::string::npos) << r.report->hint;

    TraceResult ping = run_trace(t, {"client", "app", "icmp", -1, -1});
    ASSERT_TRUE(ping.report) << ping.error;
    EXPECT_FALSE(ping.report->reachable);
    EXPECT_EQ(ping.report->outcome, "timed-out");
}
