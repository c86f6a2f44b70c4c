// Golden tests of every validation error: each topology below breaks one rule of the cloud (or
// of the format) and must be refused with exactly this message.
#include "vpcstack/model/validation.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace vpcstack::model {
namespace {

using testing::diagnostics_of;
using Lines = std::vector<std::string>;

// A VPC with one subnet; tests append to it.
const std::string kHead = R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
)";

TEST(Validation, VpcCidrMustBeFromSlash16ToSlash28) {
    EXPECT_EQ(diagnostics_of(R"(region: us-east-1
vpcs:
  - {name: big, cidr: 10.0.0.0/8}
  - {name: tiny, cidr: 10.1.0.0/29}
)"),
              (Lines{"t.yaml:3:23: error: VPC 'big': CIDR 10.0.0.0/8 is larger than /16; expected "
                     "a prefix length from /16 to /28",
                     "t.yaml:4:24: error: VPC 'tiny': CIDR 10.1.0.0/29 is smaller than /28; "
                     "expected a prefix length from /16 to /28"}));
}

TEST(Validation, SecondaryCidrsMayNotOverlapAndAreAtMostFive) {
    EXPECT_EQ(
        diagnostics_of(
            kHead +
            R"(    secondary_cidrs: [10.0.128.0/17, 10.1.0.0/16, 10.2.0.0/16, 10.3.0.0/16, 10.4.0.0/16, 10.5.0.0/16]
)"),
        (Lines{"t.yaml:5:22: error: VPC 'prod': 6 secondary CIDRs; expected at most 5 (the "
               "cloud's default quota)",
               "t.yaml:5:23: error: VPC 'prod': secondary CIDR 10.0.128.0/17 overlaps "
               "10.0.0.0/16 of the same VPC; expected CIDRs that do not overlap"}));
}

TEST(Validation, SubnetMustLieInsideItsVpc) {
    EXPECT_EQ(diagnostics_of(kHead + R"(    subnets:
      - {name: app-a, cidr: 10.1.0.0/24}
)"),
              (Lines{"t.yaml:6:29: error: subnet 'app-a': 10.1.0.0/24 is outside VPC 'prod' "
                     "(10.0.0.0/16); expected a subnet inside one CIDR of its VPC"}));
}

TEST(Validation, SubnetCidrMustBeFromSlash16ToSlash28) {
    EXPECT_EQ(diagnostics_of(kHead + R"(    subnets:
      - {name: tiny, cidr: 10.0.0.0/29}
)"),
              (Lines{"t.yaml:6:28: error: subnet 'tiny': CIDR 10.0.0.0/29 is smaller than /28; "
                     "expected a prefix length from /16 to /28"}));
}

TEST(Validation, SubnetsMayNotOverlap) {
    EXPECT_EQ(diagnostics_of(kHead + R"(    subnets:
      - {name: a, cidr: 10.0.0.0/23}
      - {name: b, cidr: 10.0.1.0/24}
)"),
              (Lines{"t.yaml:7:25: error: subnet 'b': 10.0.1.0/24 overlaps subnet 'a' "
                     "(10.0.0.0/23); expected subnets that do not overlap"}));
}

const std::string kOneSubnet = kHead + R"(    subnets:
      - {name: app, cidr: 10.0.1.0/24}
)";

TEST(Validation, EniAddressMustBeInsideItsSubnet) {
    EXPECT_EQ(diagnostics_of(kOneSubnet + R"(    instances:
      - {name: web, subnet: app, private_ip: 10.0.2.10}
)"),
              (Lines{"t.yaml:8:46: error: ENI 'web/eth0': address 10.0.2.10 is outside subnet "
                     "'app' (10.0.1.0/24); expected an address of the subnet"}));
}

TEST(Validation, EniAddressMayNotBeOneOfTheFiveReservedAddresses) {
    EXPECT_EQ(diagnostics_of(kOneSubnet + R"(    instances:
      - {name: a, subnet: app, private_ip: 10.0.1.0}
      - {name: b, subnet: app, private_ip: 10.0.1.1}
      - {name: c, subnet: app, private_ip: 10.0.1.2}
      - {name: d, subnet: app, private_ip: 10.0.1.3}
      - {name: e, subnet: app, private_ip: 10.0.1.255}
)"),
              (Lines{"t.yaml:8:44: error: ENI 'a/eth0': address 10.0.1.0 is reserved in subnet "
                     "'app' (the network address); expected an address from 10.0.1.4 to "
                     "10.0.1.254",
                     "t.yaml:9:44: error: ENI 'b/eth0': address 10.0.1.1 is reserved in subnet "
                     "'app' (the VPC router); expected an address from 10.0.1.4 to 10.0.1.254",
                     "t.yaml:10:44: error: ENI 'c/eth0': address 10.0.1.2 is reserved in subnet "
                     "'app' (the DNS server); expected an address from 10.0.1.4 to 10.0.1.254",
                     "t.yaml:11:44: error: ENI 'd/eth0': address 10.0.1.3 is reserved in subnet "
                     "'app' (reserved for future use); expected an address from 10.0.1.4 to "
                     "10.0.1.254",
                     "t.yaml:12:44: error: ENI 'e/eth0': address 10.0.1.255 is reserved in subnet "
                     "'app' (the broadcast address); expected an address from 10.0.1.4 to "
                     "10.0.1.254"}));
}

TEST(Validation, PrivateAddressesAreUniqueInAVpc) {
    EXPECT_EQ(diagnostics_of(kOneSubnet + R"(    nat_gateways:
      - {name: nat, subnet: app, private_ip: 10.0.1.10, type: private}
    instances:
      - {name: a, subnet: app, private_ip: 10.0.1.10}
      - {name: b, subnet: app, private_ips: [10.0.1.20, 10.0.1.20]}
)"),
              (Lines{"t.yaml:10:44: error: ENI 'a/eth0': address 10.0.1.10 is already used by NAT "
                     "gateway 'nat' (line 8); expected each private address once in a VPC",
                     "t.yaml:11:57: error: ENI 'b/eth0': address 10.0.1.20 is already used by ENI "
                     "'b/eth0' (line 11); expected each private address once in a VPC"}));
}

TEST(Validation, NamesAreUniquePerScope) {
    EXPECT_EQ(diagnostics_of(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    subnets:
      - {name: app, cidr: 10.0.1.0/24}
      - {name: app, cidr: 10.0.2.0/24}
    instances:
      - {name: web, subnet: app}
  - name: dev
    cidr: 10.1.0.0/16
    subnets:
      - {name: app, cidr: 10.1.1.0/24}
    instances:
      - {name: web, subnet: app}
  - {name: dev, cidr: 10.2.0.0/16}
)"),
              (Lines{"t.yaml:7:9: error: subnet 'app': the name is already used by another subnet "
                     "(line 6); expected unique subnet names within VPC 'prod'",
                     "t.yaml:15:9: error: ENI 'web/eth0': the name is already used by another ENI "
                     "(line 9); expected unique ENI names in the file",
                     "t.yaml:15:9: error: instance 'web': the name is already used by another "
                     "instance (line 9); expected unique instance names in the file",
                     "t.yaml:16:5: error: VPC 'dev': the name is already used by another VPC "
                     "(line 10); expected unique VPC names in the file"}));
}

TEST(Validation, EveryKindOfReferenceMustExist) {
    EXPECT_EQ(
        diagnostics_of(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    subnets:
      - {name: app, cidr: 10.0.1.0/24, route_table: app-rtt, network_acl: nope}
    route_tables:
      - name: app-rt
        routes:
          - 10.1.0.0/16 -> peering/nope
          - 10.2.0.0/16 -> instance/nope
          - 10.3.0.0/16 -> eni/nope
          - 10.4.0.0/16 -> nat/nope
          - 10.5.0.0/16 -> igw/nope
          - 0.0.0.0/0 -> igw
    security_groups:
      - {name: sg, ingress: [tcp/22 from pl:nope, tcp/80 from sg:nope, tcp/81 from sg:nowhere/sg]}
    instances:
      - {name: web, subnet: ap, elastic_ip: nope, security_groups: [nope]}
peerings:
  - {name: p, requester: prod, accepter: nope}
)"),
        (Lines{"t.yaml:6:53: error: subnet 'app': 'route_table' names unknown route table "
               "'app-rtt'; did you mean 'app-rt'?",
               "t.yaml:6:75: error: subnet 'app': 'network_acl' names unknown network ACL "
               "'nope'; expected a network ACL of VPC 'prod'",
               "t.yaml:10:13: error: route table 'app-rt': route '10.1.0.0/16 -> peering/nope' "
               "names unknown peering 'nope'; expected the name of a peering of this file",
               "t.yaml:11:13: error: route table 'app-rt': route '10.2.0.0/16 -> "
               "instance/nope' names unknown instance 'nope'; expected the name of an "
               "instance of this file",
               "t.yaml:12:13: error: route table 'app-rt': route '10.3.0.0/16 -> eni/nope' "
               "names unknown ENI 'nope'; expected the name of an ENI of this file",
               "t.yaml:13:13: error: route table 'app-rt': route '10.4.0.0/16 -> nat/nope' "
               "names unknown NAT gateway 'nope'; expected a NAT gateway of VPC 'prod'",
               "t.yaml:14:13: error: route table 'app-rt': route '10.5.0.0/16 -> igw/nope' "
               "names unknown internet gateway 'nope'; expected the name of an internet "
               "gateway of this file",
               "t.yaml:15:13: error: route table 'app-rt': route '0.0.0.0/0 -> igw' targets "
               "the internet gateway, but VPC 'prod' has none; expected an "
               "'internet_gateway' on the VPC",
               "t.yaml:17:30: error: security group 'sg': ingress rule 'tcp/22 from pl:nope' "
               "names unknown prefix list 'nope'; expected the name of a prefix list of "
               "this file",
               "t.yaml:17:51: error: security group 'sg': ingress rule 'tcp/80 from sg:nope' "
               "names unknown security group 'nope'; expected a security group of VPC "
               "'prod'",
               "t.yaml:17:72: error: security group 'sg': ingress rule 'tcp/81 from "
               "sg:nowhere/sg' names unknown VPC 'nowhere' in 'nowhere/sg'; expected NAME "
               "or VPC/NAME with a VPC of this file",
               "t.yaml:19:29: error: ENI 'web/eth0': 'subnet' names unknown subnet 'ap'; "
               "did you mean 'app'?",
               "t.yaml:19:45: error: ENI 'web/eth0': 'elastic_ip' names unknown Elastic IP "
               "'nope'; expected the name of an Elastic IP of this file",
               "t.yaml:19:69: error: ENI 'web/eth0': 'security_groups' names unknown "
               "security group 'nope'; expected a security group of VPC 'prod'",
               "t.yaml:21:42: error: peering 'p': 'accepter' names unknown VPC 'nope'; "
               "expected the name of a VPC of this file"}));
}

TEST(Validation, RouteTargetsAndAssociationsMustBelongToTheVpc) {
    EXPECT_EQ(
        diagnostics_of(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    internet_gateway: prod-igw
    subnets:
      - {name: app, cidr: 10.0.1.0/24, route_table: other/rt, network_acl: other/acl}
    route_tables:
      - name: rt
        routes:
          - 10.1.0.0/16 -> nat/other/nat
          - 10.2.0.0/16 -> igw/other-igw
          - 10.3.0.0/16 -> peering/other-third
          - 10.4.0.0/16 -> instance/o
          - 10.5.0.0/16 -> eni/o/eth0
          - 10.6.0.0/16 -> nowhere
          - 10.7.0.0/16 -> vpn/x
  - name: other
    cidr: 10.1.0.0/16
    internet_gateway: other-igw
    subnets:
      - {name: s, cidr: 10.1.1.0/24}
    route_tables: [{name: rt}]
    network_acls: [{name: acl}]
    nat_gateways: [{name: nat, subnet: s, type: private}]
    instances: [{name: o, subnet: s}]
  - name: third
    cidr: 10.2.0.0/16
peerings:
  - {name: other-third, requester: other, accepter: third}
)"),
        (Lines{
            "t.yaml:7:53: error: subnet 'app': 'route_table' names route table 'other/rt' of VPC "
            "'other'; expected a route table of VPC 'prod'",
            "t.yaml:7:76: error: subnet 'app': 'network_acl' names network ACL 'other/acl' of VPC "
            "'other'; expected a network ACL of VPC 'prod'",
            "t.yaml:11:13: error: route table 'rt': route '10.1.0.0/16 -> nat/other/nat' targets "
            "NAT gateway 'other/nat' of VPC 'other'; expected a NAT gateway of VPC 'prod'",
            "t.yaml:12:13: error: route table 'rt': route '10.2.0.0/16 -> igw/other-igw' targets "
            "internet gateway 'other-igw' of VPC 'other'; expected an internet gateway of VPC "
            "'prod'",
            "t.yaml:13:13: error: route table 'rt': route '10.3.0.0/16 -> peering/other-third' "
            "targets peering 'other-third', which connects VPCs 'other' and 'third'; expected a "
            "peering of VPC 'prod'",
            "t.yaml:14:13: error: route table 'rt': route '10.4.0.0/16 -> instance/o' targets "
            "instance 'o' of VPC 'other'; expected an instance of VPC 'prod'",
            "t.yaml:15:13: error: route table 'rt': route '10.5.0.0/16 -> eni/o/eth0' targets ENI "
            "'o/eth0' of VPC 'other'; expected an ENI of VPC 'prod'",
            "t.yaml:16:13: error: route table 'rt': route '10.6.0.0/16 -> nowhere' has target "
            "'nowhere'; expected igw, igw/NAME, nat/NAME, peering/NAME, instance/NAME, eni/NAME or "
            "blackhole",
            "t.yaml:17:13: error: route table 'rt': route '10.7.0.0/16 -> vpn/x' has target "
            "'vpn/x'; expected igw, igw/NAME, nat/NAME, peering/NAME, instance/NAME, eni/NAME or "
            "blackhole"}));
}

TEST(Validation, EniSubnetMustBelongToTheInstancesVpc) {
    EXPECT_EQ(diagnostics_of(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    instances:
      - {name: web, subnet: dev/app}
  - name: dev
    cidr: 10.1.0.0/16
    subnets: [{name: app, cidr: 10.1.1.0/24}]
)"),
              (Lines{"t.yaml:6:29: error: ENI 'web/eth0': 'subnet' names subnet 'dev/app' of VPC "
                     "'dev'; expected a subnet of VPC 'prod'"}));
}

TEST(Validation,
     RoutesMoreSpecificThanLocalAreWholeSubnetsToMiddleboxesAndLocalRoutesStayImplicit) {
    EXPECT_EQ(
        diagnostics_of(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    internet_gateway: igw
    subnets:
      - {name: a, cidr: 10.0.1.0/24}
      - {name: b, cidr: 10.0.2.0/24}
    route_tables:
      - name: rt
        routes:
          - 10.0.1.0/25 -> instance/fw
          - 10.0.2.0/24 -> igw
          - 10.0.1.0/24 -> instance/fw
          - 10.0.0.0/16 -> igw
          - 10.0.0.0/8 -> instance/fw
          - 0.0.0.0/0 -> igw
          - 0.0.0.0/0 -> instance/fw
          - 10.9.0.0/16 -> local
    instances: [{name: fw, subnet: a, source_dest_check: false}]
)"),
        (Lines{"t.yaml:12:13: error: route table 'rt': route '10.0.1.0/25 -> instance/fw' is more "
               "specific than the local route 10.0.0.0/16 but is not a subnet CIDR of the VPC; "
               "expected the exact CIDR of a subnet (middlebox routing)",
               "t.yaml:13:13: error: route table 'rt': route '10.0.2.0/24 -> igw' is more specific "
               "than the local route 10.0.0.0/16 with target internet gateway; expected a NAT "
               "gateway, ENI or instance target (middlebox routing)",
               "t.yaml:15:13: error: route table 'rt': route '10.0.0.0/16 -> igw' has the "
               "destination of the local route 10.0.0.0/16 with target internet gateway; "
               "expected an ENI or instance target (replacing the local route's target) or no "
               "route (the local route is implicit)",
               "t.yaml:18:13: error: route table 'rt': route '0.0.0.0/0 -> instance/fw' repeats "
               "destination 0.0.0.0/0 (line 17); expected each destination once per route table",
               "t.yaml:19:13: error: route table 'rt': route '10.9.0.0/16 -> local' is a local "
               "route; expected local routes to stay implicit (one is made for each VPC CIDR)"}));
}

TEST(Validation, AnInterfaceMayReplaceTheTargetOfALocalRoute) {
    // AWS: replace-local-route-target — the VPC CIDR's route may name an ENI or instance; the
    // table then has that route in place of the local one.
    const char* yaml = R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    subnets:
      - {name: a, cidr: 10.0.1.0/24, route_table: rt}
    route_tables:
      - name: rt
        routes: ["10.0.0.0/16 -> instance/fw"]
    instances: [{name: fw, subnet: a, source_dest_check: false}]
)";
    EXPECT_EQ(diagnostics_of(yaml), Lines{});
    model::LoadResult r = model::load_topology_text(yaml, "t.yaml");
    ASSERT_TRUE(r.ok());
    const model::RouteTable& rt = r.topology->route_tables.front();
    ASSERT_EQ(rt.routes.size(), 1u) << "the local route's target replaced, not a second route";
    EXPECT_EQ(rt.routes.front().target.kind, model::RouteTargetKind::Instance);
    EXPECT_FALSE(rt.routes.front().implicit);
}

TEST(Validation, BlackholesNamingTheirDeletedTargetAndPrefixListDestinations) {
    // AWS: VPC_Route_Tables — a blackhole route keeps its deleted target: one that was an ENI
    // may hold a subnet CIDR (as the ENI did), one that was an internet gateway may not.
    // AWS: managed-prefix-lists — a prefix-list destination names a prefix list.
    EXPECT_EQ(diagnostics_of(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    subnets:
      - {name: a, cidr: 10.0.1.0/24}
    route_tables:
      - name: rt
        routes:
          - {destination: 10.0.1.0/24, target: blackhole, was: eni-0abc}
          - {destination: 10.0.0.0/16, target: blackhole, was: igw-0abc}
          - {destination: 192.0.2.0/24, target: blackhole, was: ""}
          - {destination: 198.51.100.0/24, target: blackhole, was: nat-1}
          - pl:office -> blackhole
          - pl:office -> blackhole
          - pl:nowhere -> blackhole
          - {destination: 203.0.113.0/24, target: igw, was: igw-1}
prefix_lists:
  - {name: office, cidrs: [198.51.100.0/24]}
)"),
              (Lines{"t.yaml:11:13: error: route table 'rt': route '10.0.0.0/16 -> blackhole' "
                     "has the destination of the local route 10.0.0.0/16 with target internet "
                     "gateway; expected an ENI or instance target (replacing the local route's "
                     "target) or no route (the local route is implicit)",
                     "t.yaml:12:65: error: route table 'rt': route '192.0.2.0/24 -> blackhole' "
                     "has an empty 'was'; expected the deleted target (its cloud id, such as "
                     "eni-0abc, or nat/NAME, eni/NAME...)",
                     "t.yaml:15:13: error: route table 'rt': route 'pl:office -> blackhole' "
                     "repeats destination pl:office (line 14); expected each destination once "
                     "per route table",
                     "t.yaml:16:13: error: route table 'rt': route 'pl:nowhere -> blackhole' "
                     "names unknown prefix list 'nowhere'; expected the name of a prefix list of "
                     "this file",
                     "t.yaml:17:13: error: route table 'rt': route '203.0.113.0/24 -> igw' "
                     "targets the internet gateway, but VPC 'prod' has none; expected an "
                     "'internet_gateway' on the VPC",
                     "t.yaml:17:61: error: route table 'rt': route '203.0.113.0/24 -> igw' has "
                     "'was' but its target is 'igw'; expected 'was' only with target blackhole "
                     "(naming the deleted target)"}));
}

TEST(Validation, AGatewayRouteTableRoutesOnlyWithinTheVpcToAnInterface) {
    // AWS: gateway-route-tables — only local and network interface targets, for the VPC CIDR
    // or a subnet CIDR; no prefix list and nothing outside the VPC.
    EXPECT_EQ(
        diagnostics_of(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    internet_gateway: {name: igw, route_table: edge}
    subnets:
      - {name: a, cidr: 10.0.1.0/24}
      - {name: b, cidr: 10.0.2.0/24}
    route_tables:
      - name: edge
        routes:
          - 10.0.1.0/24 -> instance/fw
          - 10.0.2.0/24 -> blackhole
          - 0.0.0.0/0 -> igw
          - pl:office -> instance/fw
    instances: [{name: fw, subnet: a, source_dest_check: false}]
  - name: other
    cidr: 10.9.0.0/16
    internet_gateway: {name: igw2, route_table: missing}
prefix_lists:
  - {name: office, cidrs: [198.51.100.0/24]}
)"),
        (Lines{"t.yaml:5:48: error: internet gateway 'igw': 'route_table' names route table "
               "'edge', whose routes a gateway route table cannot have (see above)",
               "t.yaml:13:13: error: route table 'edge': route '10.0.2.0/24 -> blackhole' is more "
               "specific than the local route 10.0.0.0/16 with target blackhole; expected a NAT "
               "gateway, ENI or instance target (middlebox routing)",
               "t.yaml:14:13: error: route table 'edge': route '0.0.0.0/0 -> igw' is outside VPC "
               "'prod' (10.0.0.0/16), but the table is the gateway route table of internet "
               "gateway 'igw'; expected the VPC CIDR or a subnet CIDR",
               "t.yaml:15:13: error: route table 'edge': route 'pl:office -> instance/fw' has a "
               "prefix-list destination, but the table is the gateway route table of internet "
               "gateway 'igw'; expected the VPC CIDR or a subnet CIDR",
               "t.yaml:19:49: error: internet gateway 'igw2': 'route_table' names unknown route "
               "table 'missing'; expected a route table of VPC 'other'"}));
}

TEST(Validation, ElasticIpsOnSecondaryAddressesNameASecondaryAddressOnce) {
    // AWS: EC2 using-instance-addressing-eips — one Elastic IP per private address.
    EXPECT_EQ(diagnostics_of(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    subnets:
      - {name: a, cidr: 10.0.1.0/24}
    instances:
      - name: web
        subnet: a
        private_ips: [10.0.1.10, 10.0.1.11]
        secondary_elastic_ips:
          - {private_ip: 10.0.1.11, elastic_ip: e1}
          - {private_ip: 10.0.1.11, elastic_ip: e2}
          - {private_ip: 10.0.1.10, elastic_ip: e2}
          - {private_ip: 10.0.1.99, elastic_ip: e2}
          - {private_ip: 10.0.1.11}
elastic_ips:
  - {name: e1, address: 203.0.113.1}
  - {name: e2, address: 203.0.113.2}
)"),
              (Lines{"t.yaml:13:26: error: ENI 'web/eth0': 'secondary_elastic_ips' names "
                     "10.0.1.11 twice; expected one Elastic IP per private address",
                     "t.yaml:14:26: error: ENI 'web/eth0': 'secondary_elastic_ips' names "
                     "10.0.1.10, the primary address; expected a secondary address "
                     "('elastic_ip' is the primary address's)",
                     "t.yaml:15:26: error: ENI 'web/eth0': 'secondary_elastic_ips' names "
                     "10.0.1.99, which is not an address of the interface; expected one of its "
                     "secondary 'private_ips'",
                     "t.yaml:16:13: error: instance 'web': an entry of 'secondary_elastic_ips' "
                     "is missing 'elastic_ip'; expected 'private_ip' (a secondary address of the "
                     "ENI) and 'elastic_ip'"}));
}

TEST(Validation, OneMainRouteTableDefaultAclAndDefaultGroupPerVpc) {
    EXPECT_EQ(
        diagnostics_of(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    route_tables:
      - {name: a, main: true}
      - {name: main}
      - {name: main, main: false}
    network_acls:
      - {name: a, default: true}
      - {name: b, default: true}
      - {name: default, default: false}
    security_groups:
      - {name: default}
      - {name: b, default: true}
      - {name: default, default: false}
)"),
        (Lines{
            "t.yaml:7:9: error: route table 'main': a second main route table in VPC 'prod' (the "
            "first is 'a', line 6); expected one main route table per VPC",
            "t.yaml:8:9: error: route table 'main': the name is already used by another route "
            "table (line 7); expected unique route table names within VPC 'prod'",
            "t.yaml:8:28: error: route table 'main': the name 'main' is reserved for the VPC's "
            "main route table; expected another name, or main: true",
            "t.yaml:11:9: error: network ACL 'b': a second default network ACL in VPC 'prod' (the "
            "first is 'a', line 10); expected one default network ACL per VPC",
            "t.yaml:12:34: error: network ACL 'default': the name 'default' is reserved for the "
            "VPC's default network ACL; expected another name, or default: true",
            "t.yaml:15:9: error: security group 'b': a second default security group in VPC 'prod' "
            "(the first is 'default', line 14); expected one default security group per VPC",
            "t.yaml:16:9: error: security group 'default': the name is already used by another "
            "security group (line 14); expected unique security group names within VPC 'prod'",
            "t.yaml:16:34: error: security group 'default': the name 'default' is reserved for the "
            "VPC's default security group; expected another name, or default: true"}));
}

TEST(Validation, AclRuleNumbersAreFrom1To32766AndOncePerDirection) {
    EXPECT_EQ(
        diagnostics_of(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    network_acls:
      - name: acl
        inbound:
          - 0 allow all from 0.0.0.0/0
          - 32767 allow all from 0.0.0.0/0
          - 100 allow all from 0.0.0.0/0
          - 100 deny tcp from 0.0.0.0/0
        outbound:
          - 100 allow all to 0.0.0.0/0
          - {rule: 40000, action: deny, protocol: all, cidr: 0.0.0.0/0}
)"),
        (Lines{"t.yaml:8:13: error: network ACL 'acl': inbound rule '0 allow all from 0.0.0.0/0' "
               "has number 0; expected a number from 1 to 32766 (32767 is the implicit final deny)",
               "t.yaml:9:13: error: network ACL 'acl': inbound rule '32767 allow all from "
               "0.0.0.0/0' has number 32767; expected a number from 1 to 32766 (32767 is the "
               "implicit final deny)",
               "t.yaml:11:13: error: network ACL 'acl': inbound rule '100 deny tcp from 0.0.0.0/0' "
               "repeats rule number 100 (line 10); expected each number once per direction",
               "t.yaml:14:13: error: network ACL 'acl': outbound rule '40000 deny all to "
               "0.0.0.0/0' has number 40000; expected a number from 1 to 32766 (32767 is the "
               "implicit final deny)"}));
}

TEST(Validation, GroupReferencesStayInTheVpcOrAnActivelyPeeredVpcOfTheSameRegion) {
    EXPECT_EQ(
        diagnostics_of(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    subnets: [{name: s, cidr: 10.0.1.0/24}]
    security_groups:
      - name: web
        ingress:
          - tcp/1 from sg:shared/g
          - tcp/2 from sg:pending/g
          - tcp/3 from sg:far/g
          - tcp/4 from sg:lonely/g
    instances:
      - {name: i, subnet: s, security_groups: [web, shared/g, web, web, web, web, web]}
      - {name: j, subnet: s, security_groups: [a, b, c, d, e, f]}
  - {name: shared, cidr: 10.1.0.0/16, security_groups: [{name: g}]}
  - {name: pending, cidr: 10.2.0.0/16, security_groups: [{name: g}]}
  - {name: far, region: eu-west-1, cidr: 10.3.0.0/16, security_groups: [{name: g}]}
  - {name: lonely, cidr: 10.4.0.0/16, security_groups: [{name: g}]}
peerings:
  - {name: p1, requester: prod, accepter: shared}
  - {name: p2, requester: prod, accepter: pending, status: pending-acceptance}
  - {name: p3, requester: prod, accepter: far}
)"),
        (Lines{"t.yaml:10:13: error: security group 'web': ingress rule 'tcp/2 from sg:pending/g' "
               "names security group 'pending/g' of VPC 'pending', which has no active peering "
               "with VPC 'prod'; expected a group of this VPC or of an actively peered VPC",
               "t.yaml:11:13: error: security group 'web': ingress rule 'tcp/3 from sg:far/g' "
               "names security group 'far/g' of VPC 'far' in region eu-west-1; expected a peered "
               "VPC in the same region (us-east-1)",
               "t.yaml:12:13: error: security group 'web': ingress rule 'tcp/4 from sg:lonely/g' "
               "names security group 'lonely/g' of VPC 'lonely', which has no active peering with "
               "VPC 'prod'; expected a group of this VPC or of an actively peered VPC",
               "t.yaml:14:47: error: ENI 'i/eth0': 7 security groups; expected 1 to 5 per network "
               "interface",
               "t.yaml:14:53: error: ENI 'i/eth0': 'security_groups' names security group "
               "'shared/g' of VPC 'shared'; expected a security group of VPC 'prod'",
               "t.yaml:15:47: error: ENI 'j/eth0': 6 security groups; expected 1 to 5 per network "
               "interface",
               "t.yaml:15:48: error: ENI 'j/eth0': 'security_groups' names unknown security group "
               "'a'; expected a security group of VPC 'prod'",
               "t.yaml:15:51: error: ENI 'j/eth0': 'security_groups' names unknown security group "
               "'b'; expected a security group of VPC 'prod'",
               "t.yaml:15:54: error: ENI 'j/eth0': 'security_groups' names unknown security group "
               "'c'; expected a security group of VPC 'prod'",
               "t.yaml:15:57: error: ENI 'j/eth0': 'security_groups' names unknown security group "
               "'d'; expected a security group of VPC 'prod'",
               "t.yaml:15:60: error: ENI 'j/eth0': 'security_groups' names unknown security group "
               "'e'; expected a security group of VPC 'prod'",
               "t.yaml:15:63: error: ENI 'j/eth0': 'security_groups' names unknown security group "
               "'f'; expected a security group of VPC 'prod'"}));
}

TEST(Validation, PeeringsJoinTwoDifferentNonOverlappingVpcsOnce) {
    EXPECT_EQ(
        diagnostics_of(R"(region: us-east-1
vpcs:
  - {name: a, cidr: 10.0.0.0/16, secondary_cidrs: [10.9.0.0/16]}
  - {name: b, cidr: 10.1.0.0/16}
  - {name: c, cidr: 10.9.0.0/16}
peerings:
  - {name: ab, requester: a, accepter: b}
  - {name: ba, requester: b, accepter: a}
  - {name: ba-old, requester: b, accepter: a, status: deleted}
  - {name: aa, requester: a, accepter: a}
  - {name: ac, requester: a, accepter: c}
  - {name: ac-failed, requester: c, accepter: a, status: failed}
)"),
        (Lines{"t.yaml:8:5: error: peering 'ba': VPCs 'b' and 'a' are already peered by 'ab' (line "
               "7); expected one peering per pair of VPCs",
               "t.yaml:10:40: error: peering 'aa': peers VPC 'a' with itself; expected two "
               "different VPCs",
               "t.yaml:11:5: error: peering 'ac': VPC 'a' (10.9.0.0/16) and VPC 'c' (10.9.0.0/16) "
               "have overlapping CIDRs; expected peered VPCs whose CIDRs do not overlap"}));
}

TEST(Validation, PublicAddressesInternetGatewaysNatGatewaysAndAvailabilityZones) {
    EXPECT_EQ(diagnostics_of(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    internet_gateway: [igw1, igw2]
    subnets:
      - {name: s, cidr: 10.0.1.0/24, az: us-east-1a, route_table: rt}
      - {name: t, cidr: 10.0.2.0/24, az: us-east-1b}
    route_tables: [{name: rt, routes: ["0.0.0.0/0 -> igw"]}]
    nat_gateways:
      - {name: n1, subnet: s}
      - {name: n2, subnet: s, elastic_ip: e1}
      - {name: n3, subnet: s, elastic_ip: e2, type: private}
    instances:
      - {name: a, subnet: s, elastic_ip: e1}
      - {name: b, subnet: s, elastic_ip: e3, public_ip: 203.0.113.50}
      - {name: c, subnet: s, public_ip: 10.0.1.99}
      - {name: d, subnet: s, public_ip: 203.0.113.1}
      - name: r
        enis:
          - {subnet: s}
          - {subnet: t}
elastic_ips:
  - {name: e1, address: 203.0.113.1}
  - {name: e2, address: 203.0.113.2}
  - {name: e3, address: 10.0.5.5}
internet_hosts:
  - {name: h1, address: 10.0.9.9}
  - {name: h2, address: 203.0.113.2}
)"),
              (Lines{"t.yaml:5:30: error: VPC 'prod': internet gateway 'igw2' is a second internet "
                     "gateway (the first is 'igw1'); expected at most one per VPC",
                     "t.yaml:11:9: error: NAT gateway 'n1': a public NAT gateway has no "
                     "'elastic_ip'; expected an Elastic IP, or type: private",
                     "t.yaml:13:43: error: NAT gateway 'n3': a private NAT gateway has an "
                     "'elastic_ip'; expected no Elastic IP with type private",
                     "t.yaml:15:42: error: ENI 'a/eth0': Elastic IP 'e1' is already associated "
                     "with NAT gateway 'n2' (line 12); expected each Elastic IP associated once",
                     "t.yaml:16:42: error: ENI 'b/eth0': both 'public_ip' and 'elastic_ip' are "
                     "given; expected at most one of them",
                     "t.yaml:17:41: error: ENI 'c/eth0': public IP 10.0.1.99 is inside VPC 'prod' "
                     "(10.0.0.0/16); expected a public address outside every VPC",
                     "t.yaml:18:41: error: ENI 'd/eth0': public IP 203.0.113.1 is already the "
                     "address of Elastic IP 'e1' (line 24); expected each public address once",
                     "t.yaml:22:13: error: instance 'r': ENI 'r/eth1' is in subnet 't' "
                     "(us-east-1b) but ENI 'r/eth0' is in us-east-1a; expected all network "
                     "interfaces of an instance in one availability zone",
                     "t.yaml:26:25: error: Elastic IP 'e3': address 10.0.5.5 is inside VPC 'prod' "
                     "(10.0.0.0/16); expected a public address outside every VPC",
                     "t.yaml:28:25: error: internet host 'h1': address 10.0.9.9 is inside VPC "
                     "'prod' (10.0.0.0/16); expected an address outside every VPC",
                     "t.yaml:29:25: error: internet host 'h2': address 203.0.113.2 is already the "
                     "address of Elastic IP 'e2' (line 25); expected each public address once"}));
}

// AWS: routing-policy-geo, routing-policy-latency — an internet host's location names places
// Route 53 knows.
TEST(Validation, AnInternetHostsLocationNamesKnownPlaces) {
    EXPECT_EQ(diagnostics_of(R"(region: us-east-1
vpcs:
  - {name: prod, cidr: 10.0.0.0/16}
internet_hosts:
  - {name: ok, address: 198.51.100.1, location: {country: US, subdivision: WA, region: us-west-2}}
  - {name: h1, address: 198.51.100.2, location: {}}
  - {name: h2, address: 198.51.100.3, location: {continent: XX}}
  - {name: h3, address: 198.51.100.4, location: {country: ZZ}}
  - {name: h4, address: 198.51.100.5, location: {continent: AS, country: DE}}
  - {name: h5, address: 198.51.100.6, location: {subdivision: WA}}
  - {name: h6, address: 198.51.100.7, location: {region: mars-north-1}}
  - {name: h7, address: 198.51.100.8, location: {city: Berlin}}
  - {name: h8, address: 198.51.100.9, location: DE}
)"),
              (Lines{"t.yaml:6:49: error: internet host 'h1': 'location' names no place; expected "
                     "{country: DE}, {country: US, subdivision: WA}, {continent: EU} and/or "
                     "{region: eu-central-1}",
                     "t.yaml:7:61: error: internet host 'h2': continent 'XX' is unknown; expected "
                     "AF, AN, AS, EU, NA, OC or SA",
                     "t.yaml:8:59: error: internet host 'h3': country 'ZZ' is unknown; expected an "
                     "ISO 3166-1 two-letter code such as DE or US",
                     "t.yaml:9:61: error: internet host 'h4': continent 'AS' does not hold country "
                     "'DE'; expected EU (or no 'continent': the country's is taken)",
                     "t.yaml:10:63: error: internet host 'h5': 'subdivision' without 'country'; "
                     "expected it with its country ({country: US, subdivision: WA})",
                     "t.yaml:11:58: error: internet host 'h6': region 'mars-north-1' is unknown; "
                     "expected an AWS region such as eu-central-1 (the one its latency records "
                     "answer it from)",
                     "t.yaml:12:50: error: internet host 'h7': unknown key 'city'; expected one of "
                     "continent, country, subdivision, region",
                     "t.yaml:13:49: error: internet host 'h8': 'location' is a string; expected a "
                     "map"}));
}

TEST(Validation, EveryErrorOfTheFileIsReportedNotJustTheFirst) {
    EXPECT_EQ(diagnostics_of(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    colour: blue
    subnets:
      - {name: a, cidr: 10.0.1.5/24}
      - {name: b, cidr: 10.1.0.0/24}
    instances:
      - {name: web, subnet: b, private_ip: 10.0.300.1}
      - {name: db, subnet: a}
peerings:
  - {name: p, requester: prod, accepter: prod}
)"),
              (Lines{"t.yaml:5:5: error: VPC 'prod': unknown key 'colour'; expected one of name, "
                     "id, region, account, cidr, secondary_cidrs, enable_dns_support, "
                     "enable_dns_hostnames, internet_gateway, subnets, "
                     "route_tables, network_acls, security_groups, nat_gateways, instances, "
                     "load_balancers, target_groups, launch_templates, auto_scaling_groups",
                     "t.yaml:7:25: error: subnet 'a': CIDR '10.0.1.5/24' in 'cidr' has host bits "
                     "set; expected the network address 10.0.1.0/24",
                     "t.yaml:8:25: error: subnet 'b': 10.1.0.0/24 is outside VPC 'prod' "
                     "(10.0.0.0/16); expected a subnet inside one CIDR of its VPC",
                     "t.yaml:10:44: error: instance 'web': invalid IPv4 address '10.0.300.1' in "
                     "'private_ip'; expected an IPv4 address A.B.C.D with numbers 0-255",
                     "t.yaml:13:42: error: peering 'p': peers VPC 'prod' with itself; expected two "
                     "different VPCs"}));
}

TEST(Validation, ZonesInTheVpcRegionSingleEniInstanceTargetsNumbersAndOneAssociationPerElasticIp) {
    EXPECT_EQ(
        diagnostics_of(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    subnets:
      - {name: a, cidr: 10.0.1.0/24, az: eu-west-1a, route_table: rt}
    route_tables:
      - {name: rt, routes: ["10.9.0.0/16 -> instance/router"]}
    network_acls:
      - {name: acl, inbound: [{rule: ten, action: allow, protocol: all, cidr: 0.0.0.0/0}]}
    instances:
      - {name: web, subnet: a, elastic_ip: e}
      - {name: api, subnet: a, elastic_ip: e}
      - {name: router, enis: [{subnet: a}, {subnet: a}]}
elastic_ips:
  - {name: e, address: 203.0.113.1}
)"),
        (Lines{
            "t.yaml:6:42: error: subnet 'a': availability zone 'eu-west-1a' is not in region "
            "us-east-1 of VPC 'prod'; expected a zone of us-east-1, such as us-east-1a",
            "t.yaml:8:29: error: route table 'rt': route '10.9.0.0/16 -> instance/router' targets "
            "instance 'router', which has 2 network interfaces; expected eni/NAME to choose one",
            "t.yaml:10:38: error: network ACL 'acl': 'rule' is 'ten'; expected a number",
            "t.yaml:13:44: error: ENI 'api/eth0': Elastic IP 'e' is already associated with ENI "
            "'web/eth0' (line 12); expected each Elastic IP associated once"}));
}

TEST(Validation, APublicIpIsAssignedOnlyToTheFirstInterface) {
    EXPECT_EQ(
        diagnostics_of(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    internet_gateway: igw
    subnets: [{name: a, cidr: 10.0.1.0/24, route_table: rt}]
    route_tables: [{name: rt, routes: ["0.0.0.0/0 -> igw"]}]
    instances:
      - name: router
        enis:
          - {subnet: a, public_ip: 203.0.113.7}
          - {subnet: a, public_ip: 203.0.113.8}
)"),
        (Lines{"t.yaml:12:36: error: ENI 'router/eth1': 'public_ip' on network interface eth1; "
               "expected a public IP only on the primary interface (eth0), or an Elastic IP"}));
}

TEST(Validation, SecondaryCidrsStayInThePrimarysPrivateRange) {
    EXPECT_EQ(
        diagnostics_of(R"(region: us-east-1
vpcs:
  - {name: a, cidr: 10.0.0.0/16, secondary_cidrs: [10.1.0.0/16, 100.64.0.0/16, 192.168.0.0/16]}
  - {name: b, cidr: 100.65.0.0/16, secondary_cidrs: [172.16.0.0/16, 203.0.112.0/24]}
)"),
        (Lines{"t.yaml:3:80: error: VPC 'a': secondary CIDR 192.168.0.0/16 is from the private "
               "range 192.168.0.0/16, but the primary CIDR 10.0.0.0/16 is from 10.0.0.0/8; "
               "expected secondary CIDRs from the primary's private range, or public ones",
               "t.yaml:4:54: error: VPC 'b': secondary CIDR 172.16.0.0/16 is from the private "
               "range 172.16.0.0/12, but the primary CIDR 100.65.0.0/16 is not private; expected "
               "secondary CIDRs from the primary's private range, or public ones"}));
}

}  // namespace
}  // namespace vpcstack::model

namespace vpcstack::model {
namespace {

TEST(Validation, NothingIsBuiltWhenAnyErrorExists) {
    LoadResult r = load_topology_text(R"(region: us-east-1
vpcs:
  - {name: prod, cidr: 10.0.0.0/16, subnets: [{name: a, cidr: 10.1.0.0/24}]}
)",
                                      "t.yaml");
    EXPECT_FALSE(r.ok());
    EXPECT_FALSE(r.topology.has_value());
    EXPECT_EQ(r.diagnostics.error_count(), 1u);
}

TEST(Validation, TheSameNameMayBeUsedInTwoVpcsForVpcScopedResources) {
    LoadResult r = load_topology_text(R"(region: us-east-1
vpcs:
  - {name: a, cidr: 10.0.0.0/16, subnets: [{name: app, cidr: 10.0.1.0/24}], security_groups: [{name: web}]}
  - {name: b, cidr: 10.1.0.0/16, subnets: [{name: app, cidr: 10.1.1.0/24}], security_groups: [{name: web}]}
)",
                                      "t.yaml");
    ASSERT_TRUE(r.ok()) << r.diagnostics.error_count() << " errors";
    EXPECT_EQ(r.topology->qualified_name(r.topology->subnets[1].meta, 1), "b/app");
}

TEST(Validation, EniMacsAreLocallyAdministeredUnicastAndDistinct) {
    EXPECT_EQ(eni_mac(0).to_string(), "02:01:00:00:00:01");
    EXPECT_EQ(eni_mac(0x1234).to_string(), "02:01:00:00:12:35");
    EXPECT_FALSE(eni_mac(7).is_multicast());
    EXPECT_NE(eni_mac(1), eni_mac(2));
    // Never one of the engine's own MACs (02:00:00:00:00:XX: the router and the internet side).
    EXPECT_NE(eni_mac(0).octets()[1], 0x00);
}

}  // namespace
}  // namespace vpcstack::model
