// Golden tests of the warnings: settings the cloud accepts that are most likely mistakes. A
// topology with warnings still loads.
#include "vpcstack/model/lint.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace vpcstack::model {
namespace {

using testing::diagnostics_of;
using Lines = std::vector<std::string>;

TEST(Lint, WarningsDoNotStopLoading) {
    LoadResult r = load_topology_text(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    subnets: [{name: a, cidr: 10.0.1.0/24}]
    instances: [{name: web, subnet: a, public_ip: 203.0.113.10}]
)",
                                      "t.yaml");
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.diagnostics.warning_count(), 1u);
    EXPECT_EQ(r.diagnostics.error_count(), 0u);
}

// The udp/53 rule to the VPC's DNS resolver (10.0.0.2) needs no reply rule: ACLs do not filter
// that traffic.
TEST(Lint, ATopologyWithTheRightRoutesAndReplyRulesHasNoWarning) {
    EXPECT_EQ(diagnostics_of(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    internet_gateway: igw
    subnets:
      - {name: public, cidr: 10.0.1.0/24, route_table: public-rt, network_acl: acl}
      - {name: private, cidr: 10.0.2.0/24, route_table: private-rt}
    route_tables:
      - {name: public-rt, routes: ["0.0.0.0/0 -> igw"]}
      - {name: private-rt, routes: ["0.0.0.0/0 -> nat/nat", "192.0.2.0/24 -> instance/fw"]}
    network_acls:
      - name: acl
        inbound: ["100 allow tcp/443 from 0.0.0.0/0", "110 allow tcp/1024-65535 from 0.0.0.0/0", "120 allow udp/32768-60999 from 198.51.100.0/24"]
        outbound: ["100 allow tcp/1024-65535 to 0.0.0.0/0", "110 allow udp/53 to 10.0.0.2/32", "120 allow udp/123 to 198.51.100.123/32"]
    nat_gateways: [{name: nat, subnet: public, elastic_ip: e}]
    instances:
      - {name: web, subnet: public, public_ip: 203.0.113.10}
      - {name: fw, subnet: public, source_dest_check: false}
elastic_ips: [{name: e, address: 203.0.113.20}]
)"),
              Lines{});
}

TEST(Lint, APublicAddressOrPublicNatGatewayWithoutARouteToTheInternetGateway) {
    EXPECT_EQ(
        diagnostics_of(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    internet_gateway: igw
    subnets:
      - {name: private, cidr: 10.0.2.0/24}
    nat_gateways:
      - {name: nat, subnet: private, elastic_ip: nat-eip}
      - {name: inner, subnet: private, type: private}
    instances:
      - {name: web, subnet: private, public_ip: 203.0.113.10}
      - {name: db, subnet: private}
elastic_ips:
  - {name: nat-eip, address: 203.0.113.20}
)"),
        (Lines{
            "t.yaml:9:9: warning: NAT gateway 'nat': route table 'main' of its subnet 'private' "
            "has no route to an internet gateway; expected a route such as 0.0.0.0/0 -> igw in the "
            "subnet of a public NAT gateway",
            "t.yaml:12:9: warning: instance 'web': ENI 'web/eth0' has public address 203.0.113.10 "
            "but route table 'main' of subnet 'private' has no route to an internet gateway; "
            "expected a route such as 0.0.0.0/0 -> igw for the address to be usable"}));
}

TEST(Lint, AnAclThatLetsRequestsInButNotTheirRepliesOut) {
    EXPECT_EQ(diagnostics_of(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    network_acls:
      - name: web-acl
        inbound:
          - 100 allow tcp/80 from 0.0.0.0/0
          - 110 allow tcp/443 from 10.0.0.0/8
          - 120 allow udp/53 from 10.0.0.0/16
          - 130 allow tcp/32768-65535 from 0.0.0.0/0
        outbound:
          - 90 deny tcp/40000-40100 to 192.0.2.0/24
          - 100 allow tcp/1024-65535 to 10.0.0.0/16
          - 110 allow tcp/443 to 0.0.0.0/0
      - name: good-acl
        inbound:
          - 100 allow tcp/22 from 198.51.100.0/24
          - 110 allow tcp/1024-65535 from 0.0.0.0/0
        outbound:
          - 100 allow tcp/1024-65535 to 0.0.0.0/0
          - 110 allow tcp/443 to 0.0.0.0/0
)"),
              (Lines{"t.yaml:8:13: warning: network ACL 'web-acl': inbound rule '100 allow tcp/80 "
                     "from 0.0.0.0/0' lets requests through, but outbound replies (tcp to "
                     "0.0.0.0/0, ports 32768-39999) are denied by the final deny rule (*); "
                     "expected an outbound rule allowing tcp/1024-65535 to 0.0.0.0/0",
                     "t.yaml:9:13: warning: network ACL 'web-acl': inbound rule '110 allow tcp/443 "
                     "from 10.0.0.0/8' lets requests through, but outbound replies (tcp to "
                     "10.0.0.0/8, ports 32768-60999) are denied by the final deny rule (*); "
                     "expected an outbound rule allowing tcp/1024-65535 to 10.0.0.0/8",
                     "t.yaml:10:13: warning: network ACL 'web-acl': inbound rule '120 allow udp/53 "
                     "from 10.0.0.0/16' lets requests through, but outbound replies (udp to "
                     "10.0.0.0/16, ports 32768-60999) are denied by the final deny rule (*); "
                     "expected an outbound rule allowing udp/1024-65535 to 10.0.0.0/16"}));
}

TEST(Lint, RoutesToAnInactivePeeringOrToAnEniThatChecksSourceAndDestination) {
    EXPECT_EQ(
        diagnostics_of(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    subnets:
      - {name: a, cidr: 10.0.1.0/24}
      - {name: b, cidr: 10.0.2.0/24, route_table: rt}
    route_tables:
      - name: rt
        routes:
          - 10.1.0.0/16 -> peering/pending
          - 10.2.0.0/16 -> peering/active
          - 10.0.1.0/24 -> instance/fw
          - 192.0.2.0/24 -> eni/fw2/eth0
    instances:
      - {name: fw, subnet: a}
      - {name: fw2, subnet: a, source_dest_check: false}
  - {name: other, cidr: 10.1.0.0/16}
  - {name: third, cidr: 10.2.0.0/16}
peerings:
  - {name: pending, requester: prod, accepter: other, status: pending-acceptance}
  - {name: active, requester: prod, accepter: third}
)"),
        (Lines{"t.yaml:11:13: warning: route table 'rt': route '10.1.0.0/16 -> peering/pending' "
               "targets peering 'pending', which is pending-acceptance: its traffic is dropped as "
               "by a blackhole; expected an active peering",
               "t.yaml:13:13: warning: route table 'rt': route '10.0.1.0/24 -> instance/fw' sends "
               "traffic to ENI 'fw/eth0', whose source/destination check is on and drops it; "
               "expected source_dest_check: false on an interface that forwards traffic"}));
}

TEST(Lint, ANatGatewayWhoseSubnetAclDropsRepliesToItsPorts) {
    EXPECT_EQ(diagnostics_of(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    internet_gateway: igw
    subnets:
      - {name: public, cidr: 10.0.1.0/24, route_table: rt, network_acl: public-acl}
    route_tables: [{name: rt, routes: ["0.0.0.0/0 -> igw"]}]
    network_acls:
      - name: public-acl
        inbound: ["100 allow tcp/32768-60999 from 0.0.0.0/0", "110 allow all from 10.0.0.0/16"]
        outbound: ["100 allow all to 0.0.0.0/0"]
    nat_gateways: [{name: nat, subnet: public, elastic_ip: e}]
elastic_ips: [{name: e, address: 203.0.113.20}]
)"),
              (Lines{"t.yaml:13:20: warning: NAT gateway 'nat': network ACL 'public-acl' of its "
                     "subnet 'public' denies inbound tcp replies from 0.0.0.0/0 to ports "
                     "1024-32767 by the final deny rule (*); expected an inbound rule allowing "
                     "tcp/1024-65535 from 0.0.0.0/0, the ports a NAT gateway uses"}));
}

}  // namespace
}  // namespace vpcstack::model
