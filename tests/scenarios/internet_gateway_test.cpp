// SEMANTICS section 4: the internet gateway — 1:1 translation both ways, no public IP, unmapped
// addresses, and its 1500-byte MTU.
#include "scenario.hpp"

using namespace scenario;

namespace {

// The public web example plus a second instance in the same public subnet without a public IP.
model::Topology web_and_private_neighbour() {
    return inline_topology(R"(
region: us-east-1
vpcs:
  - name: web-vpc
    cidr: 10.0.0.0/16
    internet_gateway: web-igw
    subnets:
      - {name: public, cidr: 10.0.1.0/24, route_table: public-rt}
    route_tables:
      - {name: public-rt, routes: ["0.0.0.0/0 -> igw"]}
    security_groups:
      - name: web-sg
        ingress: ["tcp/80 from 0.0.0.0/0", "icmp from 0.0.0.0/0", "all from 10.0.0.0/16"]
    instances:
      - {name: web, subnet: public, private_ip: 10.0.1.10, public_ip: 203.0.113.10,
         security_groups: [web-sg]}
      - {name: worker, subnet: public, private_ip: 10.0.1.11, security_groups: [web-sg]}
internet_hosts:
  - {name: client, address: 198.51.100.7}
)");
}

}  // namespace

TEST(InternetGateway, RewritesTheSourceOfOutboundTrafficToThePublicIp) {
    Simulation sim(web_and_private_neighbour());
    FlowId f = sim.connect("web", "8.8.8.8", 443);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Connected);
    EXPECT_EQ(packets_received(sim.internet()).front().src, ip("203.0.113.10"));
}

TEST(InternetGateway, DropsTrafficFromAnInterfaceWithoutAPublicIp) {
    Simulation sim(web_and_private_neighbour());
    FlowId f = sim.connect("worker", "8.8.8.8", 443);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::TimedOut);
    EXPECT_EQ(where_dropped(sim, DropReason::NoPublicIp), "igw/web-igw")
        << "a public subnet does not make its instances public: an address does";
    EXPECT_TRUE(packets_received(sim.internet()).empty());
}

TEST(InternetGateway, DropsInboundTrafficToAnUnmappedAddress) {
    Simulation sim(web_and_private_neighbour());
    FlowId f = sim.connect("client", "203.0.113.99", 80);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::TimedOut);
    EXPECT_TRUE(some_packet_dropped_for(sim, DropReason::NoMapping));
}

TEST(InternetGateway, BigPacketsWithDontFragmentGetFragmentationNeeded) {
    Simulation sim(web_and_private_neighbour());
    FlowId big = sim.send_packet(
        "web", {.tuple = {ip("10.0.1.10"), ip("8.8.8.8"), 5000, 53, net::Protocol::kUdp},
                .payload_size = 1600});
    sim.run_until_idle();
    ASSERT_EQ(sim.flow(big).outcome, Outcome::IcmpError);
    EXPECT_EQ(sim.flow(big).icmp_error->type, net::icmp::kDestinationUnreachable);
    EXPECT_EQ(sim.flow(big).icmp_error->code, net::icmp::kFragmentationNeeded);
    EXPECT_EQ(sim.flow(big).icmp_error->mtu, 1500) << "AWS: network_mtu — 1500 through the IGW";
    EXPECT_EQ(sim.drops(DropReason::MtuExceeded), 1u);
    EXPECT_TRUE(packets_received(sim.internet()).empty());
}

TEST(InternetGateway, InsideTheVpcTheMtuIsJumbo) {
    Simulation sim(web_and_private_neighbour());
    sim.send_packet("web",
                    {.tuple = {ip("10.0.1.10"), ip("10.0.1.11"), 5000, 9999, net::Protocol::kUdp},
                     .payload_size = 8000});
    sim.run_until_idle();
    ASSERT_EQ(packets_received(sim.host("worker")).size(), 1u);
    EXPECT_EQ(packets_received(sim.host("worker")).front().ip_total_length, 8028)
        << "AWS: network_mtu — 9001 bytes within a VPC";
}
