// VPC peering: not transitive, active peerings only, 1500 bytes across regions.
#include <gtest/gtest.h>
#include <tins/tins.h>

#include <memory>

#include "../engine_fixture.hpp"

namespace vpcstack::engine::testing {
namespace {

// Three VPCs in a line, a - b - c, peered a-b and b-c; b has an internet gateway.
class PeeringTest : public ::testing::Test {
  protected:
    void SetUp() override {
        va = b.vpc("a", "10.1.0.0/16");
        vb = b.vpc("b", "10.2.0.0/16");
        vc = b.vpc("c", "10.3.0.0/16");
        sa = b.subnet(va, "a-sub", "10.1.1.0/24");
        sb = b.subnet(vb, "b-sub", "10.2.1.0/24");
        sc = b.subnet(vc, "c-sub", "10.3.1.0/24");
        igw_b = b.internet_gateway(vb);
        ab = b.peering("a-b", va, vb);
        bc = b.peering("b-c", vb, vc);
        for (Index v : {va, vb, vc}) {
            auto& sg = b.t.security_groups[b.t.vpcs[v].default_security_group];
            sg.ingress.push_back(B::sg_cidr(net::Protocol::all(), {}, "10.0.0.0/8"));
        }
        Index rta = b.t.vpcs[va].main_route_table;
        b.route(rta, "10.2.0.0/16", K::Peering, ab, "peering/a-b");
        b.route(rta, "10.3.0.0/16", K::Peering, ab, "peering/a-b");
        b.route(rta, "0.0.0.0/0", K::Peering, ab, "peering/a-b");
        Index rtb = b.t.vpcs[vb].main_route_table;
        b.route(rtb, "10.1.0.0/16", K::Peering, ab, "peering/a-b");
        b.route(rtb, "10.3.0.0/16", K::Peering, bc, "peering/b-c");
        b.route(rtb, "0.0.0.0/0", K::InternetGateway, igw_b, "igw");
        Index rtc = b.t.vpcs[vc].main_route_table;
        b.route(rtc, "10.2.0.0/16", K::Peering, bc, "peering/b-c");
        ia = b.instance("ia", sa, "10.1.1.10");
        ib = b.instance("ib", sb, "10.2.1.10", {}, "203.0.113.20");
        ic = b.instance("ic", sc, "10.3.1.10");
    }
    void start() { engine = std::make_unique<Engine>(b.t, sink); }
    std::vector<SentFrame> send(PortId port, const std::vector<std::uint8_t>& frame) {
        sink.frames.clear();
        engine->receive(port, frame, 0);
        return sink.frames;
    }
    std::uint64_t drops(DropReason r) const {
        return engine->snapshot().drops[static_cast<std::size_t>(r)];
    }

    TopologyBuilder b;
    Index va = 0, vb = 0, vc = 0, sa = 0, sb = 0, sc = 0, igw_b = 0, ab = 0, bc = 0;
    Index ia = 0, ib = 0, ic = 0;
    RecordingSink sink;
    std::unique_ptr<Engine> engine;
};

TEST_F(PeeringTest, ActivePeeringDeliversBothWays) {
    start();
    auto out = send(ia, frame_from(b.t.enis[ia].mac, "10.1.1.10", "10.2.1.10", echo()));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, ib);
    out = send(ib, frame_from(b.t.enis[ib].mac, "10.2.1.10", "10.1.1.10", echo(7, false)));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, ia);
}

TEST_F(PeeringTest, PeeringIsNotTransitive) {
    start();
    // a -> c through b: the packet arrived over a-b and would leave over b-c.
    EXPECT_TRUE(send(ia, frame_from(b.t.enis[ia].mac, "10.1.1.10", "10.3.1.10", echo())).empty());
    EXPECT_EQ(drops(DropReason::NotTransitive), 1u);
    // a -> the internet through b's internet gateway: no edge-to-edge routing.
    EXPECT_TRUE(send(ia, frame_from(b.t.enis[ia].mac, "10.1.1.10", "192.0.2.9", echo())).empty());
    EXPECT_EQ(drops(DropReason::NotTransitive), 2u);
}

TEST_F(PeeringTest, PendingPeeringIsABlackhole) {
    b.t.peerings[ab].status = model::PeeringStatus::PendingAcceptance;
    start();
    EXPECT_TRUE(send(ia, frame_from(b.t.enis[ia].mac, "10.1.1.10", "10.2.1.10", echo())).empty());
    EXPECT_EQ(drops(DropReason::Blackhole), 1u);
}

TEST_F(PeeringTest, WithoutARouteBackTrafficIsOneWay) {
    auto& routes = b.t.route_tables[b.t.vpcs[vc].main_route_table].routes;
    routes.pop_back();  // c has no route to b
    start();
    EXPECT_EQ(send(ib, frame_from(b.t.enis[ib].mac, "10.2.1.10", "10.3.1.10", echo())).size(), 1u);
    EXPECT_TRUE(
        send(ic, frame_from(b.t.enis[ic].mac, "10.3.1.10", "10.2.1.10", echo(7, false))).empty());
    EXPECT_EQ(drops(DropReason::NoRoute), 1u);
}

TEST_F(PeeringTest, InterRegionPeeringCarries1500Bytes) {
    b.t.region = "us-east-1";
    b.t.vpcs[vb].region = "eu-west-1";
    start();
    auto big = [&](bool df) {
        Tins::EthernetII eth(hw(kRouterMac), hw(b.t.enis[ia].mac));
        Tins::IP ipv4("10.2.1.10", "10.1.1.10");
        if (df) ipv4.flags(Tins::IP::DONT_FRAGMENT);
        auto pkt = eth / ipv4 / Tins::UDP(9000, 40000) / Tins::RawPDU(std::string(4000, 'p'));
        return pkt.serialize();
    };
    auto out = send(ia, big(true));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, ia);
    EXPECT_EQ(parse(out[0].bytes).rfind_pdu<Tins::ICMP>().mtu(), 1500);
    EXPECT_EQ(drops(DropReason::MtuExceeded), 1u);
    out = send(ia, big(false));
    ASSERT_EQ(out.size(), 3u);
    for (auto& f : out) {
        EXPECT_EQ(f.port, ib);
        EXPECT_LE(f.bytes.size(), 14u + 1500u);
    }
    // Within a region the VPC MTU (9001) applies: no fragmentation.
    b.t.vpcs[vb].region.clear();
    start();
    EXPECT_EQ(send(ia, big(true)).size(), 1u);
}

}  // namespace
}  // namespace vpcstack::engine::testing
