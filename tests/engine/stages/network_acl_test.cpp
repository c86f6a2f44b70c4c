// Network ACLs: stateless, lowest rule number first, only across a subnet's boundary.
#include <gtest/gtest.h>
#include <tins/tins.h>

#include "../engine_fixture.hpp"

namespace vpcstack::engine::testing {
namespace {

TEST_F(EngineTest, SameSubnetTrafficIgnoresTheNetworkAcl) {
    Index deny_all = b.acl(vpc, "deny-all");  // a custom ACL without rules denies everything
    b.associate_acl(pub, deny_all);
    start();
    // AWS: vpc-network-acls — ACLs apply only when traffic crosses the subnet boundary.
    EXPECT_EQ(send(web, from_eni(web, "10.0.1.10", "10.0.1.11", echo())).size(), 1u);
    EXPECT_TRUE(send(web, from_eni(web, "10.0.1.10", "10.0.2.10", echo())).empty());
    EXPECT_EQ(drops(DropReason::AclDenied), 1u);
}

TEST_F(EngineTest, AclLowestRuleNumberDecidesAndRepliesAreEvaluatedToo) {
    Index acl = b.acl(vpc, "private-acl");
    auto& a = b.t.network_acls[acl];
    a.inbound = {
        B::acl_rule(100, false, net::Protocol::tcp(), "10.0.1.11/32", net::PortRange::single(8080)),
        B::acl_rule(200, true, net::Protocol::tcp(), "10.0.0.0/16", net::PortRange::single(8080))};
    // Outbound forgets the ephemeral ports of the reply.
    a.outbound = {
        B::acl_rule(100, true, net::Protocol::tcp(), "10.0.0.0/16", net::PortRange{1024, 32767})};
    b.associate_acl(priv, acl);
    start(traced());
    EXPECT_TRUE(send(web2, from_eni(web2, "10.0.1.11", "10.0.2.10", tcp(40000, 8080))).empty());
    EXPECT_EQ(drops(DropReason::AclDenied), 1u);
    EXPECT_EQ(words(traces.back().steps.back()).rule,
              "inbound rule 100: deny tcp/8080 10.0.1.11/32");

    auto out = send(web, from_eni(web, "10.0.1.10", "10.0.2.10", tcp(40000, 8080)));
    ASSERT_EQ(out.size(), 1u);
    // AWS: vpc-network-acls — stateless: the reply to port 40000 is denied by the final '*' rule.
    EXPECT_TRUE(send(app, from_eni(app, "10.0.2.10", "10.0.1.10",
                                   tcp(8080, 40000, Tins::TCP::SYN | Tins::TCP::ACK)))
                    .empty());
    EXPECT_EQ(drops(DropReason::AclDenied), 2u);
    EXPECT_EQ(words(traces.back().steps.back()).rule, "outbound rule *: deny all");
}

}  // namespace
}  // namespace vpcstack::engine::testing
