// The Network Load Balancer in the engine: listeners, targets by flow hash, client IP
// preservation and the target's security group, health checks from the nodes' addresses and
// failing open, cross-zone load balancing, replies through the load balancer, the nodes' own
// subnet ACLs and security groups, no ICMP, and the loopback limitation.
// AWS: network-load-balancers, load-balancer-target-groups, target-group-health-checks.
#include <fmt/format.h>

#include <set>
#include <string>

#include "scenario.hpp"

using namespace scenario;

namespace {

const char* const kClient = "198.51.100.7";
const char* const kNodeA = "203.0.113.50";  // Elastic IP of the node in us-east-1a
const char* const kNodeB = "203.0.113.51";

struct Options {
    std::string web_ingress = "tcp/80 from 0.0.0.0/0";
    std::string target_type = "instance";  // or ip
    bool cross_zone = false;
    std::string nlb_security_groups;  // e.g. "security_groups: [nlb-sg]"
    std::string public_acl_extra;     // rules before the allow-all of the public subnets' ACL
    bool web_b = true;                // a target in us-east-1b
    std::string preserve;             // e.g. "preserve_client_ip: true"
};

// An internet-facing NLB in two zones over web servers in private subnets without a route to
// the internet: every reply must go back through the load balancer.
std::string nlb_topology(const Options& o) {
    std::string targets = o.target_type == "ip" ? "[10.0.10.10, 10.0.11.10]" : "[web-1, web-2]";
    if (!o.web_b) targets = o.target_type == "ip" ? "[10.0.10.10]" : "[web-1]";
    return fmt::format(R"(
region: us-east-1
vpcs:
  - name: shop
    cidr: 10.0.0.0/16
    internet_gateway: igw
    subnets:
      - {{name: public-a, cidr: 10.0.0.0/24, az: us-east-1a, route_table: public-rt, network_acl: public-acl}}
      - {{name: public-b, cidr: 10.0.1.0/24, az: us-east-1b, route_table: public-rt, network_acl: public-acl}}
      - {{name: web-a, cidr: 10.0.10.0/24, az: us-east-1a}}
      - {{name: web-b, cidr: 10.0.11.0/24, az: us-east-1b}}
      - {{name: other-c, cidr: 10.0.12.0/24, az: us-east-1c}}
    route_tables:
      - {{name: public-rt, routes: ["0.0.0.0/0 -> igw"]}}
    network_acls:
      - name: public-acl
        inbound: [{public_acl_extra}"200 allow all from 0.0.0.0/0"]
        outbound: ["100 allow all to 0.0.0.0/0"]
    security_groups:
      - name: web-sg
        ingress: [{web_ingress}]
      - name: nlb-sg
        ingress: [tcp/80 from 203.0.113.0/24]
        egress: [tcp/80 to 10.0.0.0/16]
      - name: client-sg
        egress: [all to 0.0.0.0/0]
    instances:
      - {{name: web-1, subnet: web-a, private_ip: 10.0.10.10, security_groups: [web-sg], listen: [tcp/80]}}
      - {{name: web-2, subnet: web-b, private_ip: 10.0.11.10, security_groups: [web-sg], listen: [tcp/80]}}
      - {{name: web-3, subnet: other-c, private_ip: 10.0.12.10, security_groups: [web-sg], listen: [tcp/80]}}
      - {{name: inside, subnet: web-a, private_ip: 10.0.10.20, security_groups: [client-sg]}}
    load_balancers:
      - name: nlb
        type: network
        scheme: internet-facing
        subnets:
          - {{subnet: public-a, private_ip: 10.0.0.10, elastic_ip: nlb-a-eip}}
          - {{subnet: public-b, private_ip: 10.0.1.10, elastic_ip: nlb-b-eip}}
        cross_zone: {cross_zone}
        {nlb_security_groups}
        listeners:
          - {{protocol: TCP, port: 80, default_action: {{forward: web-tg}}}}
    target_groups:
      - name: web-tg
        target_type: {target_type}
        protocol: TCP
        port: 80
        {preserve}
        targets: {targets}
elastic_ips:
  - {{name: nlb-a-eip, address: 203.0.113.50}}
  - {{name: nlb-b-eip, address: 203.0.113.51}}
internet_hosts:
  - {{name: client, address: 198.51.100.7}}
  - {{name: partner, address: 203.0.113.9}}
)",
                       fmt::arg("public_acl_extra", o.public_acl_extra),
                       fmt::arg("web_ingress", o.web_ingress), fmt::arg("cross_zone", o.cross_zone),
                       fmt::arg("nlb_security_groups", o.nlb_security_groups),
                       fmt::arg("target_type", o.target_type), fmt::arg("preserve", o.preserve),
                       fmt::arg("targets", targets));
}

// The sources of the IPv4 packets a host received.
std::set<net::Ipv4Address> sources_seen(const Host& host) {
    std::set<net::Ipv4Address> out;
    for (const DecodedFrame& f : packets_received(host)) out.insert(f.src);
    return out;
}

// Trace steps of the load balancer with this note.
int steps_noted(const Simulation& sim, engine::Note note) {
    int n = 0;
    for (const engine::PacketTrace& t : sim.traces()) {
        for (const engine::TraceStep& s : t.steps) {
            if (s.kind == engine::ComponentKind::LoadBalancer && s.note == note) ++n;
        }
    }
    return n;
}

}  // namespace

TEST(NetworkLoadBalancer, PreservesTheClientAddressForInstanceTargets) {
    Simulation sim(inline_topology(nlb_topology({})));
    FlowId f = sim.connect("client", kNodeA, 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Connected);
    EXPECT_EQ(sources_seen(sim.host("web-1")), std::set{ip(kClient)})
        << "client IP preservation is on by default for instance targets";
    EXPECT_TRUE(packets_received(sim.host("web-2")).empty())
        << "cross-zone off: the node in us-east-1a sends only to us-east-1a";
    for (const DecodedFrame& seen : packets_received(sim.internet())) {
        EXPECT_EQ(seen.src, ip(kNodeA)) << "the client hears from the address it connected to";
    }
}

TEST(NetworkLoadBalancer, RepliesReturnThroughTheLoadBalancerWhateverTheTargetsRouteTableSays) {
    // web-a's route table (the main one) has no route to the internet at all.
    Simulation sim(inline_topology(nlb_topology({})));
    FlowId f = sim.connect("client", kNodeB, 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Connected);
    EXPECT_GT(steps_noted(sim, engine::Note::LbReply), 0);
    EXPECT_FALSE(some_packet_dropped_for(sim, DropReason::NoRoute));
}

TEST(NetworkLoadBalancer, WithoutClientIpPreservationTheTargetSeesTheNodesAddress) {
    Options o;
    o.target_type = "ip";  // AWS: off by default for ip targets over TCP
    o.web_ingress = "tcp/80 from 10.0.0.0/16";
    Simulation sim(inline_topology(nlb_topology(o)));
    FlowId f = sim.connect("client", kNodeA, 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Connected)
        << "the target's group judges the node's address, which 10.0.0.0/16 admits";
    EXPECT_EQ(sources_seen(sim.host("web-1")), std::set{ip("10.0.0.10")});
}

TEST(NetworkLoadBalancer, WithClientIpPreservationTheTargetsGroupMustAdmitTheClient) {
    Options o;
    o.web_ingress = "tcp/80 from 10.0.0.0/16";  // the nodes (health checks) but not the client
    Simulation sim(inline_topology(nlb_topology(o)));
    FlowId f = sim.connect("client", kNodeA, 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::TimedOut);
    EXPECT_EQ(where_dropped(sim, DropReason::SecurityGroupNoMatch), "sg/web-sg");
}

TEST(NetworkLoadBalancer, TargetsWhoseGroupRefusesTheHealthChecksAreUnhealthyAndTheNodeFailsOpen) {
    Options o;
    o.web_ingress = "tcp/80 from 198.51.100.0/24";  // clients only: health checks fail
    Simulation sim(inline_topology(nlb_topology(o)));
    FlowId f = sim.connect("client", kNodeA, 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Connected)
        << "with no healthy target the load balancer routes to all of them";
    EXPECT_GT(steps_noted(sim, engine::Note::LbTargetFailOpen), 0);
}

TEST(NetworkLoadBalancer, SendsNoFlowToAnUnhealthyTargetWhileAnotherIsHealthy) {
    Options o;
    o.cross_zone = true;
    // web-2 admits the clients only: the nodes' checks fail there; web-1 admits both.
    o.web_ingress = "tcp/80 from 198.51.100.0/24, tcp/80 from 10.0.0.0/23";
    std::string yaml = nlb_topology(o);
    // web-2 gets a group of its own that does not admit the nodes' checks.
    const std::string from =
        "{name: web-2, subnet: web-b, private_ip: 10.0.11.10, "
        "security_groups: [web-sg]";
    yaml.replace(
        yaml.find(from), from.size(),
        "{name: web-2, subnet: web-b, private_ip: 10.0.11.10, security_groups: [client-only]");
    yaml.replace(yaml.find("      - name: client-sg"), 0,
                 "      - name: client-only\n        ingress: [tcp/80 from 198.51.100.0/24]\n");
    Simulation sim(inline_topology(yaml));
    for (int i = 0; i < 20; ++i) sim.connect("client", i % 2 ? kNodeA : kNodeB, 80);
    sim.run_until_idle();
    EXPECT_FALSE(packets_received(sim.host("web-1")).empty());
    EXPECT_TRUE(packets_received(sim.host("web-2")).empty()) << "web-2 fails its health checks";
    EXPECT_EQ(steps_noted(sim, engine::Note::LbTargetFailOpen), 0);
}

TEST(NetworkLoadBalancer, SpreadsFlowsOverTheTargetsByFlowHash) {
    Options o;
    o.cross_zone = true;
    Simulation sim(inline_topology(nlb_topology(o)));
    std::vector<FlowId> flows;
    for (int i = 0; i < 40; ++i) flows.push_back(sim.connect("client", kNodeA, 80));
    sim.run_until_idle();
    for (FlowId f : flows) EXPECT_EQ(sim.flow(f).outcome, Outcome::Connected);
    EXPECT_FALSE(packets_received(sim.host("web-1")).empty());
    EXPECT_FALSE(packets_received(sim.host("web-2")).empty())
        << "cross-zone on: the node in us-east-1a also sends to us-east-1b";
    EXPECT_TRUE(packets_received(sim.host("web-3")).empty())
        << "a target in a zone the load balancer does not span gets nothing";
}

TEST(NetworkLoadBalancer, WithCrossZoneOffANodeWithoutATargetInItsZoneDrops) {
    Options o;
    o.web_b = false;  // the only target is in us-east-1a
    Simulation sim(inline_topology(nlb_topology(o)));
    FlowId b = sim.connect("client", kNodeB, 80);
    FlowId a = sim.connect("client", kNodeA, 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(b).outcome, Outcome::TimedOut);
    EXPECT_EQ(sim.flow(a).outcome, Outcome::Connected);
    EXPECT_EQ(where_dropped(sim, DropReason::LbNoTarget), "lb/nlb");
    EXPECT_GT(steps_noted(sim, engine::Note::LbNoTargetInZone), 0);
}

TEST(NetworkLoadBalancer, NodesAnswerNoIcmpAndNothingOnAPortWithoutAListener) {
    Simulation sim(inline_topology(nlb_topology({})));
    FlowId ping = sim.ping("client", kNodeA);
    FlowId other = sim.connect("client", kNodeA, 443);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(ping).outcome, Outcome::TimedOut);
    EXPECT_EQ(sim.flow(other).outcome, Outcome::TimedOut);
    EXPECT_EQ(where_dropped(sim, DropReason::LbNoListener), "lb/nlb");
    EXPECT_GT(steps_noted(sim, engine::Note::LbNoIcmp), 0);
}

TEST(NetworkLoadBalancer, TheNodesSubnetAclJudgesTheClient) {
    Options o;
    o.public_acl_extra = "\"100 deny tcp/80 from 198.51.100.0/24\", ";
    Simulation sim(inline_topology(nlb_topology(o)));
    FlowId f = sim.connect("client", kNodeA, 80);
    FlowId partner = sim.connect("partner", kNodeA, 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::TimedOut);
    EXPECT_EQ(sim.flow(partner).outcome, Outcome::Connected);
    EXPECT_EQ(where_dropped(sim, DropReason::AclDenied), "acl/public-acl");
}

TEST(NetworkLoadBalancer, ItsSecurityGroupsJudgeClientsAndTargetsMayReferenceThem) {
    Options o;
    o.nlb_security_groups = "security_groups: [nlb-sg]";  // admits 203.0.113.0/24 only
    o.target_type = "ip";                                 // the target sees the node
    o.web_ingress = "tcp/80 from sg:nlb-sg";
    Simulation sim(inline_topology(nlb_topology(o)));
    FlowId client = sim.connect("client", kNodeA, 80);
    FlowId partner = sim.connect("partner", kNodeA, 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(client).outcome, Outcome::TimedOut);
    EXPECT_EQ(where_dropped(sim, DropReason::SecurityGroupNoMatch), "sg/nlb-sg");
    EXPECT_EQ(sim.flow(partner).outcome, Outcome::Connected)
        << "web-sg admits what the load balancer's group sends";
}

TEST(NetworkLoadBalancer, AnInstanceInsideTheVpcReachesItByItsPrivateAddress) {
    Simulation sim(inline_topology(nlb_topology({})));
    FlowId f = sim.connect("inside", "10.0.0.10", 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Connected);
    EXPECT_EQ(sources_seen(sim.host("web-1")), std::set{ip("10.0.10.20")});
}

TEST(NetworkLoadBalancer, ATargetConnectingToItsOwnLoadBalancerWithPreservationFails) {
    Options o;
    o.web_b = false;  // web-1 is the only target: the flow hash must pick it
    Simulation sim(inline_topology(nlb_topology(o)));
    FlowId f = sim.connect("web-1", "10.0.0.10", 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::TimedOut)
        << "AWS: the loopback limitation — the target would receive its own packet";
    EXPECT_GT(steps_noted(sim, engine::Note::LbLoopback), 0);
}

TEST(NetworkLoadBalancer, ATcpPacketOfNoFlowIsAnsweredWithRst) {
    Simulation sim(inline_topology(nlb_topology({})));
    FlowId f = sim.send_packet("client",
                               {.tuple = {ip(kClient), ip(kNodeA), 40000, 80, net::Protocol::kTcp},
                                .tcp_flags = net::tcp::kAck,
                                .seq = 1000,
                                .ack = 1});
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Refused);
    EXPECT_EQ(sim.engine().snapshot().drops[static_cast<std::size_t>(DropReason::LbNoFlow)], 1u);
    EXPECT_TRUE(received_tcp_flags(sim.internet(), net::tcp::kRst));
}

// The cloud's metrics of the load balancer (AWS: network-load-balancer-cloudwatch-metrics):
// new and active flows by protocol, packets and bytes both ways, RSTs it sent itself.
TEST(NetworkLoadBalancer, CountsItsFlowsPacketsAndResetsUnderTheCloudsMetricNames) {
    Simulation sim(inline_topology(nlb_topology({})));
    FlowId a = sim.connect("client", kNodeA, 80);
    FlowId b = sim.connect("client", kNodeB, 80);
    sim.send_packet("client", {.tuple = {ip(kClient), ip(kNodeA), 40000, 80, net::Protocol::kTcp},
                               .tcp_flags = net::tcp::kAck,
                               .seq = 1000,
                               .ack = 1});
    sim.run_until_idle(30 * kSecond);  // within the 350 s idle timeout
    ASSERT_EQ(sim.flow(a).outcome, Outcome::Connected);
    ASSERT_EQ(sim.flow(b).outcome, Outcome::Connected);
    const engine::Counters c = sim.counters();
    ASSERT_EQ(c.load_balancers.size(), 1u);
    const engine::Counters::LoadBalancer& nlb = c.load_balancers[0];
    EXPECT_TRUE(nlb.network);
    EXPECT_EQ(nlb.NewFlowCount, 2u);
    EXPECT_EQ(nlb.NewFlowCount_TCP, 2u);
    EXPECT_EQ(nlb.NewFlowCount_UDP, 0u);
    EXPECT_EQ(nlb.ActiveFlowCount, 2u);
    EXPECT_EQ(nlb.ActiveFlowCount_TCP, 2u);
    // Per connection: SYN and ACK from the client, SYN-ACK back from the target.
    EXPECT_EQ(nlb.ProcessedPackets, 6u);
    EXPECT_EQ(nlb.ProcessedBytes, 6u * 40u) << "IPv4 and TCP headers without options";
    EXPECT_EQ(nlb.TCP_ELB_Reset_Count, 1u);
}
