// ENI egress and ingress: source/destination check, stopped instances, fixed-address services.
#include <gtest/gtest.h>
#include <tins/tins.h>

#include "../engine_fixture.hpp"

namespace vpcstack::engine::testing {
namespace {

TEST_F(EngineTest, SourceDestCheckDropsTrafficFromAForeignSource) {
    start();
    // AWS: EC2 using-eni — the ENI drops traffic it sends whose source is not its own.
    EXPECT_TRUE(send(web, from_eni(web, "10.0.1.99", "10.0.1.11", echo())).empty());
    EXPECT_EQ(drops(DropReason::SourceDestCheck), 1u);
}

TEST_F(EngineTest, ServicesAtFixedAddressesAreNamedDrops) {
    start();
    // The metadata service answers a SYN (stages/service_tcp.cpp); another port is nobody's.
    EXPECT_EQ(send(web, from_eni(web, "10.0.1.10", "169.254.169.254", tcp(40000, 80))).size(), 1u);
    EXPECT_TRUE(send(web, from_eni(web, "10.0.1.10", "169.254.169.254", tcp(40000, 22))).empty());
    EXPECT_EQ(drops(DropReason::ServicePortClosed), 1u);
    // An empty datagram to the resolver is no query: nothing to answer.
    EXPECT_TRUE(send(web, from_eni(web, "10.0.1.10", "10.0.0.2", Tins::UDP(53, 40000))).empty());
    EXPECT_EQ(drops(DropReason::MalformedDnsQuery), 1u);
    // AWS: 169.254.168.0/22 is never routed.
    EXPECT_TRUE(send(web, from_eni(web, "10.0.1.10", "169.254.168.1", echo())).empty());
    EXPECT_EQ(drops(DropReason::LinkLocal), 1u);
}

TEST_F(EngineTest, StoppedInstanceNeitherSendsNorReceives) {
    Index off = b.instance("off", pub, "10.0.1.60", {}, nullptr, true, false);
    start();
    EXPECT_TRUE(send(off, from_eni(off, "10.0.1.60", "10.0.1.10", echo())).empty());
    EXPECT_TRUE(send(web, from_eni(web, "10.0.1.10", "10.0.1.60", echo())).empty());
    EXPECT_EQ(drops(DropReason::InstanceStopped), 2u);
}

}  // namespace
}  // namespace vpcstack::engine::testing
