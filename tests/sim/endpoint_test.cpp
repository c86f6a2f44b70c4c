#include "vpcstack/sim/endpoint.hpp"

#include <gtest/gtest.h>

#include "vpcstack/model/loader.hpp"

using namespace vpcstack;
using namespace vpcstack::sim;

namespace {

model::Topology two_tier() {
    auto r = model::load_topology_file(std::string(VPCSTACK_SOURCE_DIR) +
                                       "/topologies/two-tier-nat.yaml");
    if (!r.ok()) throw std::runtime_error("two-tier-nat.yaml does not load");
    return *r.topology;
}

}  // namespace

TEST(Endpoint, AnInstanceIsNamedByNameEniOrPrivateIp) {
    model::Topology t = two_tier();
    for (const char* text : {"web", "web/eth0", "10.0.1.10"}) {
        ResolveResult r = resolve_endpoint(t, text);
        ASSERT_TRUE(r.endpoint) << text << ": " << r.error;
        EXPECT_EQ(r.endpoint->kind, Endpoint::Kind::Instance) << text;
        EXPECT_EQ(host_name_of(t, *r.endpoint), "web") << text;
        EXPECT_EQ(r.endpoint->address.to_string(), "10.0.1.10") << text;
        EXPECT_FALSE(r.endpoint->via_public_address) << text;
    }
}

TEST(Endpoint, APublicIpNamesItsInstanceThroughTheInternetGateway) {
    ResolveResult r = resolve_endpoint(two_tier(), "203.0.113.10");
    ASSERT_TRUE(r.endpoint);
    EXPECT_EQ(r.endpoint->kind, Endpoint::Kind::Instance);
    EXPECT_TRUE(r.endpoint->via_public_address);
    EXPECT_EQ(r.endpoint->address.to_string(), "203.0.113.10");
}

TEST(Endpoint, AnyAddressOutsideTheVpcsIsAnInternetHost) {
    model::Topology t = two_tier();
    ResolveResult named = resolve_endpoint(t, "client");
    ASSERT_TRUE(named.endpoint);
    EXPECT_EQ(named.endpoint->kind, Endpoint::Kind::Internet);
    EXPECT_EQ(named.endpoint->address.to_string(), "198.51.100.7");
    ResolveResult any = resolve_endpoint(t, "8.8.8.8");
    ASSERT_TRUE(any.endpoint);
    EXPECT_EQ(any.endpoint->kind, Endpoint::Kind::Internet);
    EXPECT_EQ(any.endpoint->label, "8.8.8.8 (internet)");
}

TEST(Endpoint, AnUnusedVpcAddressOrANatGatewayIsADestinationOnly) {
    model::Topology t = two_tier();
    ResolveResult unused = resolve_endpoint(t, "10.0.1.99");
    ASSERT_TRUE(unused.endpoint);
    EXPECT_EQ(unused.endpoint->kind, Endpoint::Kind::Unassigned);
    EXPECT_EQ(unused.endpoint->label, "10.0.1.99 (unassigned in VPC 'prod')");
    ResolveResult nat = resolve_endpoint(t, "203.0.113.20");
    ASSERT_TRUE(nat.endpoint);
    EXPECT_EQ(nat.endpoint->label, "203.0.113.20 (NAT gateway 'nat-a')");
}

TEST(Endpoint, UnknownNamesAreErrorsThatSayWhy) {
    ResolveResult r = resolve_endpoint(two_tier(), "webb");
    EXPECT_FALSE(r.endpoint);
    EXPECT_EQ(r.error,
              "unknown endpoint 'webb': not an instance, ENI, load balancer, internet host or IPv4 "
              "address of this topology");
}

TEST(Endpoint, AnAddressHeldInTwoVpcsIsAmbiguous) {
    auto loaded = model::load_topology_text(R"(
region: us-east-1
vpcs:
  - name: blue
    cidr: 10.0.0.0/16
    subnets: [{name: s, cidr: 10.0.1.0/24}]
    instances: [{name: b1, subnet: s, private_ip: 10.0.1.10}]
  - name: green
    cidr: 10.0.0.0/16
    subnets: [{name: s, cidr: 10.0.1.0/24}]
    instances: [{name: g1, subnet: s, private_ip: 10.0.1.10}]
)",
                                            "twins.yaml");
    ASSERT_TRUE(loaded.ok());
    ResolveResult r = resolve_endpoint(*loaded.topology, "10.0.1.10");
    EXPECT_FALSE(r.endpoint);
    EXPECT_EQ(r.error,
              "'10.0.1.10' is ambiguous: it names ENI 'b1/eth0' in VPC 'blue' and ENI 'g1/eth0' "
              "in VPC 'green'; name the instance or ENI instead");
    EXPECT_TRUE(resolve_endpoint(*loaded.topology, "g1").endpoint) << "the name is not ambiguous";
}
