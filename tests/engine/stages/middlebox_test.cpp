// Middlebox routing: a route to an ENI works only with its source/destination check off.
#include <gtest/gtest.h>
#include <tins/tins.h>

#include "../engine_fixture.hpp"

namespace vpcstack::engine::testing {
namespace {

TEST_F(EngineTest, MiddleboxRouteNeedsSourceDestCheckOff) {
    Index fw_sg = b.security_group(vpc, "fw-sg");
    b.t.security_groups[fw_sg].ingress = {B::sg_cidr(net::Protocol::all(), {}, "0.0.0.0/0")};
    b.t.security_groups[fw_sg].egress = {B::sg_cidr(net::Protocol::all(), {}, "0.0.0.0/0", false)};
    Index fw_on = b.instance("fw-on", pub, "10.0.1.30", {fw_sg});
    Index fw_off = b.instance("fw-off", pub, "10.0.1.31", {fw_sg}, nullptr, false);
    // AWS: middlebox routing — a route more specific than local, to a whole subnet, via an ENI.
    b.route(private_rt, "10.0.1.0/24", K::Eni, fw_on, "eni/fw-on");
    start();
    EXPECT_TRUE(send(app, from_eni(app, "10.0.2.10", "10.0.1.10", echo())).empty());
    EXPECT_EQ(drops(DropReason::SourceDestCheck), 1u);

    b.t.route_tables[private_rt].routes.back().target.index = fw_off;
    start();
    auto out = send(app, from_eni(app, "10.0.2.10", "10.0.1.10", echo()));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, fw_off);
    // The middlebox forwards it on; its source is not its own, which its check (off) allows.
    out = send(fw_off, frame_from(mac(fw_off), "10.0.2.10", "10.0.1.10", echo()));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, web);
}

}  // namespace
}  // namespace vpcstack::engine::testing
