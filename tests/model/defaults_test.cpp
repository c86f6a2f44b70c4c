// The cloud's defaults, as the loader makes them and as code-built topologies get them.
#include "vpcstack/model/defaults.hpp"

#include <gtest/gtest.h>

#include "vpcstack/model/loader.hpp"

namespace vpcstack::model {
namespace {

TEST(Defaults, AWrittenResourceIsTheDefaultByItsKeyElseByTheReservedName) {
    EXPECT_TRUE(counts_as_default(kMainRouteTable, Field<bool>::written(true), "public-rt"));
    EXPECT_FALSE(counts_as_default(kMainRouteTable, Field<bool>::written(false), "main"));
    EXPECT_TRUE(counts_as_default(kMainRouteTable, Field<bool>{}, "main"));
    EXPECT_FALSE(counts_as_default(kDefaultNetworkAcl, Field<bool>{}, "main"));
    EXPECT_TRUE(counts_as_default(kDefaultSecurityGroup, Field<bool>{}, "default"));
    // Present but invalid (already reported): not the default.
    EXPECT_FALSE(
        counts_as_default(kDefaultSecurityGroup, Field<bool>{std::nullopt, {}, true}, "default"));
}

TEST(Defaults, AVpcWrittenWithNothingGetsTheSameDefaultsAsACodeBuiltOne) {
    LoadResult loaded = load_topology_text(R"(region: us-east-1
vpcs:
  - {name: prod, cidr: 10.0.0.0/16}
)",
                                           "t.yaml");
    ASSERT_TRUE(loaded.ok());
    const Topology& t = *loaded.topology;
    Topology built;
    built.file = "t.yaml";
    Vpc v;
    v.cidrs = t.vpcs[0].cidrs;
    built.vpcs.push_back(v);
    add_vpc_defaults(built, 0);

    ASSERT_EQ(t.route_tables.size(), 1u);
    ASSERT_EQ(built.route_tables.size(), 1u);
    const RouteTable& main = t.route_tables[0];
    EXPECT_EQ(main.meta.name, "main");
    EXPECT_TRUE(main.meta.implicit);
    EXPECT_TRUE(main.main);
    ASSERT_EQ(main.routes.size(), 1u);
    EXPECT_EQ(main.routes[0].target.kind, RouteTargetKind::Local);
    EXPECT_EQ(built.route_tables[0].meta.name, main.meta.name);
    EXPECT_EQ(built.route_tables[0].routes.size(), main.routes.size());
    EXPECT_EQ(built.route_tables[0].routes[0].destination, main.routes[0].destination);

    ASSERT_EQ(t.network_acls.size(), 1u);
    const NetworkAcl& acl = t.network_acls[0];
    EXPECT_EQ(acl.meta.name, "default");
    ASSERT_EQ(acl.inbound.size(), 1u);
    EXPECT_EQ(acl.inbound[0].text, "100 allow all from 0.0.0.0/0");
    EXPECT_EQ(acl.outbound[0].text, "100 allow all to 0.0.0.0/0");
    EXPECT_EQ(built.network_acls[0].inbound[0].text, acl.inbound[0].text);
    EXPECT_EQ(built.network_acls[0].outbound[0].text, acl.outbound[0].text);

    ASSERT_EQ(t.security_groups.size(), 1u);
    const SecurityGroup& sg = t.security_groups[0];
    EXPECT_EQ(sg.meta.name, "default");
    ASSERT_EQ(sg.ingress.size(), 1u);
    EXPECT_EQ(sg.ingress[0].peer_kind, PeerKind::SecurityGroup);
    EXPECT_EQ(sg.ingress[0].group, t.vpcs[0].default_security_group);
    EXPECT_EQ(sg.egress[0].text, "all to 0.0.0.0/0");
    EXPECT_EQ(built.security_groups[0].ingress[0].group, built.vpcs[0].default_security_group);
    EXPECT_EQ(built.security_groups[0].egress[0].text, sg.egress[0].text);

    EXPECT_EQ(built.vpcs[0].main_route_table, t.vpcs[0].main_route_table);
    EXPECT_EQ(built.vpcs[0].default_acl, t.vpcs[0].default_acl);
    EXPECT_EQ(built.vpcs[0].default_security_group, t.vpcs[0].default_security_group);
}

}  // namespace
}  // namespace vpcstack::model
