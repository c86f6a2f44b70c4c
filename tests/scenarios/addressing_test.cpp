// SEMANTICS section 1: addressing — reserved addresses, broadcast and multicast.
#include "scenario.hpp"

using namespace scenario;

namespace {

// Two instances in one subnet, every address of the subnet reachable by ICMP.
constexpr const char* kOneSubnet = R"(
region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    subnets:
      - {name: s, cidr: 10.0.1.0/24}
    security_groups:
      - name: open
        ingress: ["all from 10.0.0.0/16"]
    instances:
      - {name: a, subnet: s, private_ip: 10.0.1.10, security_groups: [open]}
      - {name: b, subnet: s, private_ip: 10.0.1.20, security_groups: [open]}
)";

// A frame straight from a's ENI (port 0) to the router's MAC, bypassing a's ARP.
Frame from_a(net::Ipv4Address dst, net::MacAddress dst_mac = engine::kRouterMac) {
    return build_ip_frame(*net::MacAddress::parse("02:00:00:00:00:00"), dst_mac,
                          {.tuple = {ip("10.0.1.10"), dst, 7, 0, net::Protocol::kIcmp}});
}

}  // namespace

TEST(Addressing, AnInstanceMayNotUseAReservedAddressOfItsSubnet) {
    for (const char* reserved : {"10.0.1.0", "10.0.1.1", "10.0.1.2", "10.0.1.3", "10.0.1.255"}) {
        std::string yaml = kOneSubnet;
        yaml.replace(yaml.find("10.0.1.20"), 9, reserved);
        auto loaded = model::load_topology_text(yaml, "reserved.yaml");
        EXPECT_FALSE(loaded.ok()) << reserved << " is reserved in 10.0.1.0/24 (AWS: subnet-sizing)";
    }
}

TEST(Addressing, PacketsToTheReservedAddressesReachNoInstance) {
    Simulation sim(inline_topology(kOneSubnet));
    const engine::PortId a_port = sim.host("a").interfaces().front().port;
    for (const char* reserved : {"10.0.1.0", "10.0.1.3", "10.0.1.255"}) {
        sim.inject(a_port, from_a(ip(reserved)));
    }
    sim.run_until_idle();
    EXPECT_TRUE(packets_received(sim.host("b")).empty());
    EXPECT_EQ(drops_seen(sim).size(), 3u) << "each is dropped with a reason, none delivered";
}

TEST(Addressing, BroadcastAndMulticastAreNotDelivered) {
    Simulation sim(inline_topology(kOneSubnet));
    const engine::PortId a_port = sim.host("a").interfaces().front().port;
    sim.inject(a_port, from_a(ip("255.255.255.255"), net::MacAddress::broadcast()));
    sim.inject(a_port, from_a(ip("224.0.0.1"), *net::MacAddress::parse("01:00:5e:00:00:01")));
    sim.run_until_idle();
    EXPECT_TRUE(packets_received(sim.host("b")).empty())
        << "AWS: subnet-sizing — broadcast and multicast are not supported";
    EXPECT_EQ(sim.drops(DropReason::Noise), 2u) << "and each is counted, not silently lost";
}
