#include "vpcstack/policy/route_table.hpp"

#include <gtest/gtest.h>

namespace vpcstack::policy {
namespace {

using K = model::RouteTargetKind;

class RouteTableTest : public ::testing::Test {
  protected:
    void SetUp() override {
        model::Vpc v;
        v.meta.name = "prod";
        v.cidrs = {*net::Cidr::parse("10.0.0.0/16")};
        topo.vpcs.push_back(v);
        topo.internet_gateways.push_back({{}, 0});
        topo.nat_gateways.push_back({});
        model::Peering p;
        p.status = model::PeeringStatus::PendingAcceptance;
        p.meta.name = "pending";
        topo.peerings.push_back(p);
        model::Instance stopped;
        stopped.meta.name = "fw";
        stopped.running = false;
        stopped.enis = {0};
        topo.instances.push_back(stopped);
        model::Instance running;
        running.meta.name = "fw2";
        running.enis = {1};
        topo.instances.push_back(running);
        topo.enis.resize(2);
        topo.enis[0].instance = 0;
        topo.enis[1].instance = 1;
        model::RouteTable rt;
        rt.vpc = 0;
        rt.routes = {
            route("10.0.0.0/16", K::Local),           route("0.0.0.0/0", K::InternetGateway, 0),
            route("10.0.2.0/24", K::NatGateway, 0),   route("192.0.2.0/24", K::Peering, 0),
            route("198.51.100.0/24", K::Instance, 0), route("198.51.100.128/25", K::Instance, 1),
            route("203.0.113.0/24", K::Blackhole)};
        topo.route_tables.push_back(rt);
    }
    static model::Route route(const char* cidr, K kind, model::Index target = model::kNone) {
        model::Route r;
        r.destination = *net::Cidr::parse(cidr);
        r.target.kind = kind;
        r.target.index = target;
        return r;
    }
    // Compiles the table as it is now and looks the address up.
    const CompiledRoute* lookup(const char* address) {
        table = CompiledRouteTable(topo, 0);
        return table.lookup(*net::Ipv4Address::parse(address));
    }
    CompiledRouteTable table;
    model::Topology topo;
};

TEST_F(RouteTableTest, LongestPrefixWins) {
    EXPECT_EQ(lookup("10.0.1.5")->kind, K::Local);
    // A route more specific than local (middlebox/NAT to a whole subnet) wins over it.
    EXPECT_EQ(lookup("10.0.2.5")->kind, K::NatGateway);
    EXPECT_EQ(lookup("8.8.8.8")->kind, K::InternetGateway);
    EXPECT_EQ(lookup("198.51.100.200")->kind, K::Instance);
    EXPECT_EQ(lookup("198.51.100.200")->target, 1u);  // the instance's primary ENI
    EXPECT_FALSE(lookup("198.51.100.200")->blackhole);
}

TEST_F(RouteTableTest, InactiveTargetsAreBlackholes) {
    EXPECT_TRUE(lookup("192.0.2.1")->blackhole);  // pending peering
    EXPECT_EQ(lookup("192.0.2.1")->blackhole_reason, "peering pending is pending-acceptance");
    EXPECT_TRUE(lookup("198.51.100.1")->blackhole);  // stopped instance
    EXPECT_TRUE(lookup("203.0.113.1")->blackhole);   // written as blackhole
}

TEST_F(RouteTableTest, NoMatchWithoutDefaultRoute) {
    topo.route_tables[0].routes.erase(topo.route_tables[0].routes.begin() + 1);
    EXPECT_EQ(lookup("8.8.8.8"), nullptr);
}

TEST_F(RouteTableTest, LocalRoutesAreImplicit) {
    topo.route_tables[0].routes.erase(topo.route_tables[0].routes.begin());
    ASSERT_NE(lookup("10.0.1.5"), nullptr);
    EXPECT_EQ(lookup("10.0.1.5")->kind, K::Local);
}

TEST_F(RouteTableTest, AnEniInPlaceOfTheLocalTargetTakesTheWholeVpcCidr) {
    // AWS: replace-local-route-target — the VPC CIDR's route now names an interface; no local
    // route is added back beside it.
    topo.route_tables[0].routes[0] = route("10.0.0.0/16", K::Eni, 1);
    ASSERT_NE(lookup("10.0.1.5"), nullptr);
    EXPECT_EQ(lookup("10.0.1.5")->kind, K::Eni);
    EXPECT_EQ(lookup("10.0.1.5")->target, 1u);
    EXPECT_EQ(lookup("10.0.2.5")->kind, K::NatGateway) << "a subnet route is still more specific";
}

}  // namespace
}  // namespace vpcstack::policy
