// SEMANTICS section 8: VPC peering — routes both ways, group references across the peering,
// no transitive or edge-to-edge routing.
#include "scenario.hpp"

using namespace scenario;

TEST(Peering, PeeredVpcsReachEachOtherWithRoutesBothWays) {
    Simulation sim(example("peered-vpcs.yaml"));
    FlowId ping = sim.ping("app-server", "metrics");
    FlowId scrape = sim.connect("metrics", "app-server", 9100);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(ping).outcome, Outcome::Replied);
    EXPECT_EQ(sim.flow(scrape).outcome, Outcome::Connected)
        << "app-sg admits tcp/9100 from the peer VPC's metrics-sg";
}

TEST(Peering, WithoutARouteBackTrafficIsOneWay) {
    model::Topology t = example("peered-vpcs.yaml");
    for (model::RouteTable& rt : t.route_tables) {
        if (rt.meta.name == "shared-main") {
            std::erase_if(rt.routes, [](const model::Route& r) {
                return r.target.kind == model::RouteTargetKind::Peering;
            });
        }
    }
    Simulation sim(std::move(t));
    FlowId f = sim.ping("app-server", "metrics");
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::TimedOut);
    EXPECT_FALSE(packets_received(sim.host("metrics")).empty()) << "the request arrives";
    EXPECT_EQ(where_dropped(sim, DropReason::NoRoute), "rt/shared/shared-main")
        << "the reply has no route back";
}

TEST(Peering, IsNotTransitive) {
    Simulation sim(example("hub-and-spoke.yaml"));
    FlowId f = sim.ping("svc-a", "svc-b");
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::TimedOut);
    EXPECT_TRUE(packets_received(sim.host("svc-b")).empty());
    EXPECT_TRUE(some_packet_dropped_for(sim, DropReason::NotTransitive))
        << "AWS: a packet that arrived over a peering never leaves by another one";
}

TEST(Peering, GivesNoEdgeToEdgeRouteThroughThePeersInternetGateway) {
    Simulation sim(example("hub-and-spoke.yaml"));
    FlowId f = sim.ping("svc-b", "8.8.8.8");
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::TimedOut);
    EXPECT_EQ(where_dropped(sim, DropReason::NotTransitive), "peering/hub-b")
        << "the hub takes from a peering only what is addressed to its own interfaces";
    EXPECT_TRUE(packets_received(sim.internet()).empty());
}

TEST(Peering, TheHubReachesBothSpokes) {
    Simulation sim(example("hub-and-spoke.yaml"));
    FlowId a = sim.ping("bastion", "svc-a");
    FlowId b = sim.ping("bastion", "svc-b");
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(a).outcome, Outcome::Replied);
    EXPECT_EQ(sim.flow(b).outcome, Outcome::Replied);
}
