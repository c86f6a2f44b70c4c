// SEMANTICS section 5: the NAT gateway. Topology: topologies/two-tier-nat.yaml (app in the
// private subnet behind nat-a, Elastic IP 203.0.113.20) unless a rule needs its own.
#include "scenario.hpp"

using namespace scenario;

namespace {
const net::Ipv4Address kNatPrivate = ip("10.0.1.20");
const net::Ipv4Address kNatPublic = ip("203.0.113.20");
}  // namespace

TEST(NatGateway, TranslatesAPrivateInstancesConnectionToItsElasticIpAndAHighPort) {
    Simulation sim(example("two-tier-nat.yaml"));
    FlowId f = sim.connect("app", "8.8.8.8", 443);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Connected);
    std::vector<DecodedFrame> seen = packets_received(sim.internet());
    ASSERT_FALSE(seen.empty());
    EXPECT_EQ(seen.front().src, kNatPublic) << "the internet must see the NAT's Elastic IP";
    EXPECT_GE(seen.front().src_port, 1024) << "AWS: NAT ports come from 1024-65535";
}

TEST(NatGateway, DropsUnsolicitedInboundTraffic) {
    Simulation sim(example("two-tier-nat.yaml"));
    FlowId f = sim.connect("client", "203.0.113.20", 1024);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::TimedOut);
    EXPECT_TRUE(some_packet_dropped_for(sim, DropReason::NatNoTranslation))
        << "nothing on the internet may open a connection through a NAT gateway";
    EXPECT_EQ(where_dropped(sim, DropReason::NatNoTranslation), "nat/nat-a");
}

TEST(NatGateway, AnswersAnAsymmetricSynAckWithRst) {
    Simulation sim(example("two-tier-nat.yaml"));
    // app answers a SYN it never saw (the request came in by another path): its SYN-ACK leaves
    // by the private route table to the NAT gateway, which has no translation for it.
    FlowId f = sim.send_packet(
        "app", {.tuple = {ip("10.0.2.10"), ip("198.51.100.7"), 8080, 40000, net::Protocol::kTcp},
                .tcp_flags = net::tcp::kSyn | net::tcp::kAck,
                .seq = 5000,
                .ack = 1001});
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Refused) << "the NAT gateway must answer with RST";
    EXPECT_TRUE(received_tcp_flags(sim.host("app"), net::tcp::kRst));
    EXPECT_TRUE(packets_received(sim.internet()).empty()) << "nothing may leave for the internet";
}

TEST(NatGateway, AllowsAtMost55000ConnectionsToOneDestination) {
    // Tracing 55,001 handshakes is not the point here: run without traces.
    SimulationOptions quiet;
    quiet.trace = false;
    Simulation sim(example("two-tier-nat.yaml"), quiet);
    const net::Ipv4Address app = ip("10.0.2.10");
    const net::Ipv4Address client = ip("198.51.100.7");  // listens on tcp/443
    for (std::uint32_t i = 0; i < 55001; ++i) {
        auto sport = static_cast<std::uint16_t>(1024 + i);
        sim.send_packet("app", {.tuple = {app, client, sport, 443, net::Protocol::kTcp}});
        if (i % 1000 == 999) sim.run_for(10 * kMillisecond);
    }
    sim.run_until_idle();
    EXPECT_EQ(sim.drops(DropReason::NatPortsExhausted), 1u)
        << "AWS: 55,000 simultaneous connections per NAT IP to one destination, the next fails";
    FlowId other = sim.connect("app", "198.51.100.7", 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(other).outcome, Outcome::Connected)
        << "another destination port is another unique destination";
}

TEST(NatGateway, ForgetsAnIdleConnectionAfter350SecondsAndAnswersItWithRst) {
    Simulation sim(example("two-tier-nat.yaml"));
    FlowId f = sim.connect("app", "8.8.8.8", 443);
    sim.run_for(kSecond);  // the handshake takes microseconds
    ASSERT_EQ(sim.flow(f).outcome, Outcome::Connected);

    sim.run_until(349 * kSecond);  // 349 s after the last packet, within the timeout
    sim.send_tcp_data(f);
    sim.run_for(kSecond);
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Connected) << "349 s idle is within the timeout";
    std::size_t reached = packets_received(sim.internet()).size();

    sim.run_until((349 + 351) * kSecond);  // now 351 s idle
    sim.send_tcp_data(f);
    sim.run_for(kSecond);
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Reset)
        << "AWS: after 350 s idle the translation is gone and the NAT gateway answers with RST";
    EXPECT_EQ(packets_received(sim.internet()).size(), reached)
        << "the packet of the expired connection must not reach the internet";
}

TEST(NatGateway, DropsProtocolsOtherThanTcpUdpAndIcmp) {
    Simulation sim(example("two-tier-nat.yaml"));
    sim.send_packet("app",
                    {.tuple = {ip("10.0.2.10"), ip("8.8.8.8"), 0, 0, 47}, .payload_size = 24});
    sim.run_until_idle();
    EXPECT_TRUE(some_packet_dropped_for(sim, DropReason::NatUnsupported));
}

TEST(NatGateway, ForwardsUdpFragmentsButDropsTcpFragments) {
    Simulation sim(example("two-tier-nat.yaml"));
    sim.send_packet("app",
                    {.tuple = {ip("10.0.2.10"), ip("8.8.8.8"), 5000, 53, net::Protocol::kUdp},
                     .payload_size = 64,
                     .dont_fragment = false,
                     .more_fragments = true});
    sim.run_until_idle();
    EXPECT_EQ(packets_received(sim.internet()).size(), 1u) << "a UDP fragment passes";
    EXPECT_FALSE(some_packet_dropped_for(sim, DropReason::NatUnsupported));

    sim.send_packet("app",
                    {.tuple = {ip("10.0.2.10"), ip("8.8.8.8"), 40000, 443, net::Protocol::kTcp},
                     .payload_size = 64,
                     .dont_fragment = false,
                     .more_fragments = true});
    sim.run_until_idle();
    EXPECT_TRUE(some_packet_dropped_for(sim, DropReason::NatUnsupported))
        << "a TCP fragment does not";
}

TEST(NatGateway, IsAHopThatLowersTheTtlAndAnswersTimeExceeded) {
    Simulation sim(example("two-tier-nat.yaml"));
    sim.ping("app", "8.8.8.8");
    sim.ping("web", "8.8.8.8");
    sim.run_until_idle();
    std::vector<DecodedFrame> seen = packets_received(sim.internet());
    ASSERT_EQ(seen.size(), 2u);
    EXPECT_EQ(seen[0].ttl, 63) << "through the NAT gateway: one hop";
    EXPECT_EQ(seen[1].ttl, 64) << "through the internet gateway only: the VPC router is no hop";

    FlowId f = sim.send_packet(
        "app",
        {.tuple = {ip("10.0.2.10"), ip("8.8.8.8"), 40000, 443, net::Protocol::kTcp}, .ttl = 1});
    sim.run_until_idle();
    ASSERT_EQ(sim.flow(f).outcome, Outcome::IcmpError);
    EXPECT_EQ(sim.flow(f).icmp_error->type, net::icmp::kTimeExceeded);
    EXPECT_EQ(sim.flow(f).icmp_from, kNatPrivate)
        << "a traceroute shows the NAT gateway's private IP";
}

TEST(NatGateway, DoesNotServeInstancesInItsOwnSubnet) {
    // The NAT's own subnet sends 8.8.8.0/24 to the NAT gateway; everything else to the IGW.
    Simulation sim(inline_topology(R"(
region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    internet_gateway: igw
    subnets:
      - {name: private, cidr: 10.0.1.0/24, route_table: via-nat}
      - {name: nat-home, cidr: 10.0.2.0/24, route_table: home}
    route_tables:
      - {name: via-nat, routes: ["0.0.0.0/0 -> nat/n"]}
      - {name: home, routes: ["0.0.0.0/0 -> igw", "8.8.8.0/24 -> nat/n"]}
    nat_gateways:
      - {name: n, subnet: nat-home, elastic_ip: n-eip}
    instances:
      - {name: inside, subnet: private, private_ip: 10.0.1.10}
      - {name: neighbour, subnet: nat-home, private_ip: 10.0.2.10}
elastic_ips:
  - {name: n-eip, address: 203.0.113.60}
)"));
    FlowId served = sim.ping("inside", "1.1.1.1");
    FlowId neighbour = sim.ping("neighbour", "8.8.8.8");
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(served).outcome, Outcome::Replied) << "another subnet is served";
    EXPECT_EQ(sim.flow(neighbour).outcome, Outcome::TimedOut);
    EXPECT_TRUE(some_packet_dropped_for(sim, DropReason::NatOwnSubnet))
        << "a NAT gateway does not serve instances of its own subnet";
}
