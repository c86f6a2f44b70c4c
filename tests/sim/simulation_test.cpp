#include "vpcstack/sim/simulation.hpp"

#include <gtest/gtest.h>

#include "vpcstack/model/loader.hpp"

using namespace vpcstack;
using namespace vpcstack::sim;

namespace {

model::Topology example(const std::string& name) {
    auto r = model::load_topology_file(std::string(VPCSTACK_SOURCE_DIR) + "/topologies/" + name);
    if (!r.ok()) throw std::runtime_error(name + " does not load");
    return *r.topology;
}

}  // namespace

TEST(Simulation, BuildsOneHostPerRunningInstanceAndTheInternet) {
    Simulation sim(example("blackhole-route.yaml"));
    EXPECT_NE(sim.find_host("desk"), nullptr);
    EXPECT_NE(sim.find_host("partner-host"), nullptr);
    EXPECT_EQ(sim.find_host("old-proxy"), nullptr) << "a stopped instance has no host";
    EXPECT_EQ(sim.internet().kind(), Host::Kind::Internet);
    EXPECT_THROW(sim.ping("old-proxy", "desk"), EndpointError);
}

TEST(Simulation, EachWayTakesTheLinkDelayInVirtualTime) {
    SimulationOptions options;
    options.link_delay = 100 * kMicrosecond;
    Simulation sim(example("two-tier-nat.yaml"), options);
    sim.host("web").resolve(sim.endpoint("app").address);
    sim.host("app").resolve(sim.endpoint("web").address);
    sim.run_until_idle();
    sim.clear_traces();
    TimeNs start = sim.now();
    FlowId f = sim.ping("web", "app");
    sim.run_until(start + 399 * kMicrosecond);
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Pending) << "four link crossings take 400 us";
    sim.run_until(start + 400 * kMicrosecond);
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Replied);
    EXPECT_EQ(sim.flow(f).decided - sim.flow(f).started, 400 * kMicrosecond);
    ASSERT_EQ(sim.traces().size(), 2u) << "the request and the reply, each traced";
    EXPECT_EQ(sim.traces()[0].fate, engine::Fate::Delivered);
}

TEST(Simulation, TrafficToAnotherInstancesPublicAddressCrossesTheInternet) {
    Simulation sim(example("two-tier-nat.yaml"));
    FlowId f = sim.connect("app", "203.0.113.10", 80);  // web's public IP, via the NAT gateway
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Connected);
    std::vector<DecodedFrame> at_web;
    for (const Received& r : sim.host("web").inbox()) {
        if (r.frame.ipv4) at_web.push_back(r.frame);
    }
    ASSERT_FALSE(at_web.empty());
    EXPECT_EQ(at_web.front().src.to_string(), "203.0.113.20")
        << "web sees the NAT gateway's Elastic IP, as on the real internet";
}

TEST(Simulation, FramesTheEngineSendsToNoHostAreCounted) {
    Simulation sim(example("two-tier-nat.yaml"));
    std::uint8_t frame[14] = {};
    sim.transmit(9999, frame);
    EXPECT_EQ(sim.undelivered(), 1u);
}

TEST(Simulation, ScheduledActionsRunAtTheirVirtualTime) {
    Simulation sim(example("two-tier-nat.yaml"));
    FlowId f = 0;
    sim.at(10 * kSecond, [&] { f = sim.ping("web", "app"); });
    sim.run_until(9 * kSecond);
    EXPECT_TRUE(sim.flows().empty());
    sim.run_until_idle();
    ASSERT_EQ(sim.flows().size(), 1u);
    EXPECT_EQ(sim.flow(f).started, 10 * kSecond);
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Replied);
}
