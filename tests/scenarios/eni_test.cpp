// SEMANTICS section 2: network interfaces — source/destination check, public and Elastic IPs.
#include "scenario.hpp"

using namespace scenario;

TEST(Eni, SourceDestCheckDropsTrafficAnInstanceSendsFromAnotherAddress) {
    Simulation sim(example("two-tier-nat.yaml"));
    FlowId spoofed = sim.send_packet(
        "web", {.tuple = {ip("10.0.1.99"), ip("10.0.2.10"), 7, 0, net::Protocol::kIcmp}});
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(spoofed).outcome, Outcome::TimedOut);
    EXPECT_EQ(where_dropped(sim, DropReason::SourceDestCheck), "eni/web/eth0")
        << "AWS: using-eni — an ENI drops what it sends from an address not its own";
}

TEST(Eni, AMiddleboxForwardsOnlyWhenSourceDestCheckIsOff) {
    Simulation routed(example("middlebox.yaml"));
    FlowId f = routed.connect("client", "server", 443);
    routed.run_until_idle();
    EXPECT_EQ(routed.flow(f).outcome, Outcome::Connected);
    EXPECT_FALSE(packets_received(routed.host("firewall")).empty())
        << "the route to the firewall's ENI must carry the traffic through it";

    model::Topology checked_on = example("middlebox.yaml");
    for (model::Eni& eni : checked_on.enis) eni.source_dest_check = true;
    Simulation blocked(std::move(checked_on));
    FlowId g = blocked.connect("client", "server", 443);
    blocked.run_until_idle();
    EXPECT_NE(blocked.flow(g).outcome, Outcome::Connected);
    EXPECT_EQ(where_dropped(blocked, DropReason::SourceDestCheck), "eni/fw-front")
        << "AWS: using-eni — with the check on, an ENI drops traffic not addressed to it";
}

TEST(Eni, ThePublicIpMapsOneToOneAndTheInstanceNeverSeesIt) {
    Simulation sim(example("single-public-web.yaml"));
    FlowId f = sim.connect("client", "203.0.113.10", 80);
    sim.run_until_idle();
    ASSERT_EQ(sim.flow(f).outcome, Outcome::Connected);
    std::vector<DecodedFrame> at_web = packets_received(sim.host("web"));
    ASSERT_FALSE(at_web.empty());
    EXPECT_EQ(at_web.front().dst, ip("10.0.1.10")) << "the instance sees its private IP only";
    EXPECT_EQ(at_web.front().src, ip("198.51.100.7")) << "and the client's own address";
    std::vector<DecodedFrame> at_client = packets_received(sim.internet());
    ASSERT_FALSE(at_client.empty());
    EXPECT_EQ(at_client.front().src, ip("203.0.113.10")) << "the reply leaves as the public IP";
}

TEST(Eni, AnElasticIpWorksLikeAPublicIp) {
    Simulation sim(example("three-tier.yaml"));
    FlowId f = sim.connect("shopper", "203.0.113.30", 443);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::Connected);
    EXPECT_EQ(packets_received(sim.host("web")).front().dst, ip("10.20.1.10"));
}
