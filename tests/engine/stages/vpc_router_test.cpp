// VPC router: the most specific route decides, and within the VPC the router is not a hop.
#include <gtest/gtest.h>
#include <tins/tins.h>

#include <algorithm>

#include "../engine_fixture.hpp"

namespace vpcstack::engine::testing {
namespace {

TEST_F(EngineTest, PingWithinSubnetIsDeliveredUnchangedExceptEthernet) {
    start();
    auto in = from_eni(web, "10.0.1.10", "10.0.1.11", echo());
    auto out = send(web, in);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, web2);
    // The IP packet is byte for byte what was sent: the VPC router is not a hop (no TTL change).
    ASSERT_EQ(out[0].bytes.size(), 14u + 28u);  // Ethernet padding is not carried on
    EXPECT_TRUE(std::equal(out[0].bytes.begin() + 14, out[0].bytes.end(), in.begin() + 14));
    auto eth = parse(out[0].bytes);
    EXPECT_EQ(eth.dst_addr(), hw(mac(web2)));
    EXPECT_EQ(eth.src_addr(), hw(kRouterMac));
}

TEST_F(EngineTest, PingAcrossSubnetsIsDeliveredAndItsReplyReturns) {
    start();
    auto out = send(web, from_eni(web, "10.0.1.10", "10.0.2.10", echo(9)));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, app);
    auto back = send(app, from_eni(app, "10.0.2.10", "10.0.1.10", echo(9, false)));
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back[0].port, web);
    auto back_eth = parse(back[0].bytes);
    auto& ip4 = back_eth.rfind_pdu<Tins::IP>();
    EXPECT_EQ(ip4.ttl(), 64);
}

TEST_F(EngineTest, LongestPrefixMatchDecides) {
    Index other = b.subnet(vpc, "other", "10.0.3.0/24");
    Index box = b.instance("box", other, "10.0.3.10", {}, nullptr, false);
    b.t.security_groups[b.t.vpcs[vpc].default_security_group].ingress.push_back(
        B::sg_cidr(net::Protocol::all(), {}, "0.0.0.0/0"));
    // /0 -> nat (private-rt) but 192.0.2.0/24 -> the box instance.
    b.route(private_rt, "192.0.2.0/24", K::Instance, b.t.enis[box].instance, "instance/box");
    start();
    auto out = send(app, from_eni(app, "10.0.2.10", "192.0.2.7", echo()));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, box);
}

TEST_F(EngineTest, BlackholeAndMissingRoutesDrop) {
    b.route(private_rt, "192.0.2.0/24", K::Blackhole, kNone, "blackhole");
    Index stopped = b.instance("stopped", pub, "10.0.1.40", {}, nullptr, true, false);
    b.route(private_rt, "198.51.100.0/24", K::Instance, b.t.enis[stopped].instance,
            "instance/stopped");
    Index isolated = b.subnet(vpc, "isolated", "10.0.4.0/24");
    Index lonely = b.instance("lonely", isolated, "10.0.4.10");
    start();
    EXPECT_TRUE(send(app, from_eni(app, "10.0.2.10", "192.0.2.7", echo())).empty());
    EXPECT_EQ(drops(DropReason::Blackhole), 1u);
    // AWS: VPC_Route_Tables — a route to a stopped instance is a blackhole.
    EXPECT_TRUE(send(app, from_eni(app, "10.0.2.10", "198.51.100.9", echo())).empty());
    EXPECT_EQ(drops(DropReason::Blackhole), 2u);
    // The main table has only the local route.
    EXPECT_TRUE(send(lonely, from_eni(lonely, "10.0.4.10", "192.0.2.7", echo())).empty());
    EXPECT_EQ(drops(DropReason::NoRoute), 1u);
}

TEST_F(EngineTest, DestinationWithoutAnInterfaceIsUnreachable) {
    start();
    EXPECT_TRUE(send(web, from_eni(web, "10.0.1.10", "10.0.2.99", echo())).empty());
    EXPECT_EQ(drops(DropReason::HostUnreachable), 1u);
}

}  // namespace
}  // namespace vpcstack::engine::testing
