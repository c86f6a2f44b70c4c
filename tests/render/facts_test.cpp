#include "vpcstack/render/facts.hpp"

#include <gtest/gtest.h>

#include "sample_topology.hpp"

namespace vpcstack::render {
namespace {

using model::PeeringStatus;
using model::RouteTargetKind;
using testing::SampleBuilder;

TEST(InternetRoute, APublicSubnetIsOneWhoseRouteTablePointsAtTheInternetGateway) {
    const model::Topology t = testing::two_tier();
    const model::Route* route = internet_route(t, 0);
    ASSERT_NE(route, nullptr);
    EXPECT_EQ(route_text(t, *route), "0.0.0.0/0 -> igw/prod-igw");
    EXPECT_EQ(internet_route(t, 1), nullptr) << "the private subnet routes to the NAT gateway";
}

TEST(InternetRoute, PrefersTheShortestPrefixWhenSeveralRoutesGoToTheGateway) {
    SampleBuilder b;
    const auto vpc = b.vpc("v", "10.0.0.0/16");
    b.igw(vpc, "igw-1");
    const auto rt = b.route_table(vpc, "rt");
    b.route(rt, "198.51.100.0/24", RouteTargetKind::InternetGateway, 0, "igw");
    b.route(rt, "0.0.0.0/0", RouteTargetKind::InternetGateway, 0, "igw");
    const auto s = b.subnet(vpc, "s", "10.0.1.0/24", rt);
    ASSERT_NE(internet_route(b.t, s), nullptr);
    EXPECT_EQ(internet_route(b.t, s)->destination.to_string(), "0.0.0.0/0");
}

TEST(InternetRoute, ASubnetWithOnlyTheMainTablesLocalRouteIsPrivate) {
    SampleBuilder b;
    const auto vpc = b.vpc("v", "10.0.0.0/16");
    b.igw(vpc, "igw-1");  // attached, but no route points at it
    const auto s = b.subnet(vpc, "s", "10.0.1.0/24");
    EXPECT_EQ(internet_route(b.t, s), nullptr);
    EXPECT_EQ(default_route(b.t, s), nullptr);
}

TEST(DefaultRoute, IsTheRouteForZeroSlashZero) {
    const model::Topology t = testing::two_tier();
    const model::Route* route = default_route(t, 1);
    ASSERT_NE(route, nullptr);
    EXPECT_EQ(route_text(t, *route), "0.0.0.0/0 -> nat/nat-a");
}

TEST(TargetName, NamesTheResolvedResourceRatherThanTheShortForm) {
    const model::Topology t = testing::two_tier();
    EXPECT_EQ(target_name(t, {RouteTargetKind::InternetGateway, 0, "igw"}), "igw/prod-igw");
    EXPECT_EQ(target_name(t, {RouteTargetKind::Local, model::kNone, ""}), "local");
    EXPECT_EQ(target_name(t, {RouteTargetKind::Blackhole, model::kNone, "blackhole"}), "blackhole");
    EXPECT_EQ(target_name(t, {RouteTargetKind::Instance, 1, "instance/app"}), "instance/app");
    EXPECT_EQ(target_name(t, {RouteTargetKind::Eni, 0, "eni/web/eth0"}), "eni/web/eth0");
    EXPECT_EQ(target_name(t, {RouteTargetKind::NatGateway, 7, "nat/gone"}), "nat/gone")
        << "an unresolved target falls back to the text as written";
}

TEST(BlackholeReason, ARouteToAPeeringThatIsNotActiveIsABlackhole) {
    SampleBuilder b;
    const auto a = b.vpc("a", "10.0.0.0/16");
    const auto c = b.vpc("c", "10.1.0.0/16");
    const auto pending = b.peering("a-c", a, c, PeeringStatus::PendingAcceptance);
    model::Route route;
    route.destination = testing::cidr("10.1.0.0/16");
    route.target = {RouteTargetKind::Peering, pending, "peering/a-c"};
    EXPECT_EQ(blackhole_reason(b.t, route), "peering a-c is pending-acceptance");
    b.t.peerings[pending].status = PeeringStatus::Active;
    EXPECT_EQ(blackhole_reason(b.t, route), "");
}

TEST(BlackholeReason, ARouteToAStoppedInstanceOrItsEniIsABlackhole) {
    model::Topology t = testing::two_tier();
    model::Route to_instance;
    to_instance.target = {RouteTargetKind::Instance, 1, "instance/app"};
    model::Route to_eni;
    to_eni.target = {RouteTargetKind::Eni, t.instances[1].enis.front(), "eni/app/eth0"};
    EXPECT_EQ(blackhole_reason(t, to_instance), "");
    t.instances[1].running = false;
    EXPECT_EQ(blackhole_reason(t, to_instance), "instance app is not running");
    EXPECT_EQ(blackhole_reason(t, to_eni), "instance app is not running");
}

TEST(BlackholeReason, AWrittenBlackholeSaysSoAndGatewaysNeverAre) {
    const model::Topology t = testing::two_tier();
    model::Route route;
    route.target = {RouteTargetKind::Blackhole, model::kNone, "blackhole"};
    EXPECT_EQ(blackhole_reason(t, route), "written as blackhole");
    route.target = {RouteTargetKind::InternetGateway, 0, "igw"};
    EXPECT_EQ(blackhole_reason(t, route), "");
    route.target = {RouteTargetKind::NatGateway, 0, "nat/nat-a"};
    EXPECT_EQ(blackhole_reason(t, route), "");
}

TEST(EniDisplayName, AnInstanceWithOneEniIsShownByItsOwnName) {
    SampleBuilder b;
    const auto vpc = b.vpc("v", "10.0.0.0/16");
    const auto front = b.subnet(vpc, "front", "10.0.1.0/24");
    const auto back = b.subnet(vpc, "back", "10.0.2.0/24");
    const auto sg = b.t.vpcs[vpc].default_security_group;
    const auto fw = b.instance("fw", front, "10.0.1.5", sg);
    const auto second = b.add_eni(fw, "fw-back", back, "10.0.2.5", sg);
    const auto web = b.instance("web", front, "10.0.1.10", sg);
    EXPECT_EQ(eni_display_name(b.t, b.t.instances[web].enis.front()), "web");
    EXPECT_EQ(eni_display_name(b.t, b.t.instances[fw].enis.front()), "fw/eth0")
        << "an ENI named INSTANCE/ethN keeps its name";
    EXPECT_EQ(eni_display_name(b.t, second), "fw/fw-back");
}

}  // namespace
}  // namespace vpcstack::render
