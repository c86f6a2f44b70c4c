// The cloud's counters after scenarios that make each of them move.
#include "vpcstack/observe/counters.hpp"

#include <gtest/gtest.h>

#include "vpcstack/model/loader.hpp"
#include "vpcstack/sim/simulation.hpp"

namespace {

using namespace vpcstack;
using sim::kSecond;

const char* kNat = R"(
region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    internet_gateway: igw
    subnets:
      - name: public
        cidr: 10.0.0.0/24
        route_table: public-rt
      - name: private
        cidr: 10.0.1.0/24
        route_table: private-rt
    route_tables:
      - name: public-rt
        routes:
          - 0.0.0.0/0 -> igw
      - name: private-rt
        routes:
          - 0.0.0.0/0 -> nat/nat-a
    security_groups:
      - name: app
        ingress:
          - tcp/22 from 10.0.0.0/16
    nat_gateways:
      - name: nat-a
        subnet: public
        private_ip: 10.0.0.220
        elastic_ip: nat-eip
    instances:
      - name: app
        subnet: private
        private_ip: 10.0.1.5
        security_groups: [app]
      - name: bastion
        subnet: private
        private_ip: 10.0.1.6
        security_groups: [app]
elastic_ips:
  - name: nat-eip
    address: 198.51.100.220
internet_hosts:
  - name: server
    address: 203.0.113.5
    listen: [tcp/443]
)";

model::Topology load(const char* yaml) {
    model::LoadResult r = model::load_topology_text(yaml, "counters-test.yaml");
    if (!r.ok()) throw std::runtime_error("the test topology does not load");
    return std::move(*r.topology);
}

TEST(NatGatewayCounters, PortAllocationErrorsPastThePerDestinationLimit) {
    sim::SimulationOptions options;
    options.engine.nat_max_per_destination = 2;
    sim::Simulation s(load(kNat), options);
    for (std::uint16_t port : {40001, 40002, 40003}) s.connect("app", "server", 443, port);
    s.run_for(2 * kSecond);
    const engine::Counters c = s.counters();
    ASSERT_EQ(c.nat_gateways.size(), 1u);
    const engine::Counters::NatGateway& n = c.nat_gateways[0];
    EXPECT_EQ(n.ConnectionAttemptCount, 3u);
    EXPECT_EQ(n.ConnectionEstablishedCount, 2u);
    EXPECT_GE(n.ErrorPortAllocation, 1u) << "the third connection found no port";
    EXPECT_EQ(n.ErrorPortAllocation, s.drops(engine::DropReason::NatPortsExhausted));
    EXPECT_EQ(n.ActiveConnectionCount, 2u);
    EXPECT_GE(n.PacketsDropCount, n.ErrorPortAllocation);
    // Two handshakes out (SYN, ACK: 40 bytes each) and their SYN-ACKs back.
    EXPECT_EQ(n.PacketsOutToDestination, 4u);
    EXPECT_EQ(n.BytesOutToDestination, 4u * 40u);
    EXPECT_EQ(n.PacketsOutToSource, 2u);
    EXPECT_EQ(n.PacketsInFromSource, n.PacketsOutToDestination + n.ErrorPortAllocation);

    nlohmann::json j = observe::counters_json(*s.engine().components(), c);
    EXPECT_EQ(j["nat_gateways"][0]["nat_gateway"], "nat/nat-a");
    EXPECT_EQ(j["nat_gateways"][0]["ErrorPortAllocation"], n.ErrorPortAllocation);
    EXPECT_EQ(j["nat_gateways"][0]["BytesOutToDestination"], 160u);
}

TEST(EniCounters, NewFlowsPastTheTrackingAllowanceAreCountedOnTheirEni) {
    sim::SimulationOptions options;
    options.engine.conntrack_capacity_per_eni = 1;
    sim::Simulation s(load(kNat), options);
    s.connect("bastion", "app", 22, 50001);
    s.connect("bastion", "app", 22, 50002);
    s.run_for(2 * kSecond);
    const engine::Counters c = s.counters();
    ASSERT_EQ(c.enis.size(), 2u);
    // bastion tracks its first connection and cannot track the second one.
    EXPECT_EQ(c.enis[1].conntrack_allowance_exceeded, 1u);
    EXPECT_EQ(c.enis[1].conntrack_allowance_available, 0u);
    EXPECT_EQ(c.enis[0].conntrack_allowance_exceeded, 0u);
    EXPECT_EQ(c.enis[0].conntrack_allowance_exceeded + c.enis[1].conntrack_allowance_exceeded,
              s.drops(engine::DropReason::ConntrackFull));
    nlohmann::json j = observe::counters_json(*s.engine().components(), c);
    EXPECT_EQ(j["enis"][1]["eni"], "eni/bastion/eth0");
    EXPECT_EQ(j["enis"][1]["conntrack_allowance_exceeded"], 1u);
}

TEST(EniCounters, LinkLocalPacketsPastTheCloudsRatePerSecondAreDroppedAndCounted) {
    // 1100 packets to the metadata service within one second: 76 past the 1024 allowance;
    // 100 more in the next second are within it.
    sim::Simulation s(load(kNat));
    sim::PacketSpec spec;
    spec.tuple = {net::Ipv4Address(10, 0, 1, 5), net::Ipv4Address(169, 254, 169, 254), 40000, 80,
                  net::Protocol::kUdp};
    s.at(kSecond / 10, [&] {
        for (int i = 0; i < 1100; ++i) s.send_packet("app", spec);
    });
    s.at(kSecond + kSecond / 2, [&] {
        for (int i = 0; i < 100; ++i) s.send_packet("app", spec);
    });
    s.run_for(3 * kSecond);
    const engine::Counters c = s.counters();
    EXPECT_EQ(c.enis[0].linklocal_allowance_exceeded, 76u);
    EXPECT_EQ(s.drops(engine::DropReason::LinkLocalAllowance), 76u)
        << "the cloud drops the packets beyond the allowance";
    EXPECT_EQ(s.drops(engine::DropReason::ServicePortClosed), 1124u)
        << "the metadata service answers HTTP on TCP only: the others are dropped with that reason";
    EXPECT_NE(observe::counters_text(*s.engine().components(), c)
                  .find("eni/app/eth0         conntrack_allowance_exceeded=0 "
                        "conntrack_allowance_available=65536 linklocal_allowance_exceeded=76"),
              std::string::npos)
        << observe::counters_text(*s.engine().components(), c);
}

}  // namespace
