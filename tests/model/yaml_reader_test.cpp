// Golden tests of the reader's diagnostics: the shape and syntax of the file.
#include "vpcstack/model/yaml_reader.hpp"

#include <gtest/gtest.h>

#include "test_support.hpp"

namespace vpcstack::model {
namespace {

using testing::diagnostics_of;
using Lines = std::vector<std::string>;

TEST(EditDistance, CountsInsertionsDeletionsAndSubstitutions) {
    EXPECT_EQ(edit_distance("cidr", "cidr"), 0u);
    EXPECT_EQ(edit_distance("cidrr", "cidr"), 1u);
    EXPECT_EQ(edit_distance("route_tabel", "route_table"), 2u);
    EXPECT_EQ(edit_distance("", "abc"), 3u);
    EXPECT_EQ(closest_match("subnet", {"subnets", "vpcs"}), "subnets");
    EXPECT_EQ(closest_match("colour", {"cidr", "az"}), "");
}

TEST(YamlReader, KeepsLinesAndColumnsOfWhatItReads) {
    Diagnostics d;
    auto raw = read_topology_yaml("region: eu-west-1\nvpcs:\n  - name: a\n    cidr: 10.0.0.0/16\n",
                                  "x.yaml", d);
    ASSERT_TRUE(raw.has_value());
    EXPECT_FALSE(d.has_errors());
    EXPECT_EQ(*raw->region, "eu-west-1");
    ASSERT_EQ(raw->vpcs.size(), 1u);
    EXPECT_EQ(raw->vpcs[0].meta.loc.line, 3);
    EXPECT_EQ(raw->vpcs[0].meta.loc.column, 5);
    EXPECT_EQ(raw->vpcs[0].cidr.loc.line, 4);
    EXPECT_EQ(raw->vpcs[0].cidr.loc.column, 11);
    EXPECT_EQ(raw->vpcs[0].cidr->to_string(), "10.0.0.0/16");
}

TEST(YamlReader, MalformedYamlIsReportedWithItsLine) {
    EXPECT_EQ(diagnostics_of(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: [10.0.0.0/16
  - name: dev
)"),
              (Lines{"t.yaml:5:9: error: malformed YAML: end of sequence flow not found; expected "
                     "well-formed YAML (check indentation, brackets and quotes)"}));
}

TEST(YamlReader, UnknownKeysAreErrorsWithADidYouMeanSuggestion) {
    EXPECT_EQ(
        diagnostics_of(R"(region: us-east-1
vpc:
  - name: prod
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    subnets:
      - {name: a, cidrr: 10.0.1.0/24, route_tabel: x, colour: red}
)"),
        (Lines{"t.yaml:2:1: error: unknown key 'vpc'; did you mean 'vpcs'?",
               "t.yaml:8:9: error: subnet 'a': missing key 'cidr'; expected the subnet's CIDR",
               "t.yaml:8:19: error: subnet 'a': unknown key 'cidrr'; did you mean 'cidr'?",
               "t.yaml:8:39: error: subnet 'a': unknown key 'route_tabel'; did you mean "
               "'route_table'?",
               "t.yaml:8:55: error: subnet 'a': unknown key 'colour'; expected one of name, id, "
               "cidr, az, route_table, network_acl"}));
}

TEST(YamlReader, ValuesOfTheWrongTypeNameWhatWasExpected) {
    EXPECT_EQ(
        diagnostics_of(R"(region: [us-east-1]
vpcs:
  - just-a-name
  - name: prod
    cidr: {a: b}
    subnets: public
    route_tables:
      - {name: rt, main: yes}
    instances:
      - {name: web, subnet: [a], security_groups: web-sg}
)"),
        (Lines{"t.yaml:1:9: error: 'region' is a list; expected a string",
               "t.yaml:3:5: error: VPC: an entry of 'vpcs' is a string; expected a map",
               "t.yaml:5:11: error: VPC 'prod': 'cidr' is a map; expected a string",
               "t.yaml:6:14: error: VPC 'prod': 'subnets' is a string; expected a list",
               "t.yaml:8:26: error: route table 'rt': 'main' is 'yes'; expected true or false",
               "t.yaml:10:29: error: instance 'web': 'subnet' is a list; expected a string",
               "t.yaml:10:51: error: instance 'web': 'security_groups' is a string; expected a "
               "list"}));
}

TEST(YamlReader, InvalidAddressesCidrsPortsProtocolsAndRuleShapes) {
    EXPECT_EQ(
        diagnostics_of(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/33
    secondary_cidrs: [10.1.0.1/16, 10.2.0.0]
    subnets:
      - {name: s, cidr: 10.0.1.0/24}
    network_acls:
      - name: acl
        inbound:
          - 100 allow tcp/70000 from 0.0.0.0/0
          - 110 allow tcp/80-20 from 0.0.0.0/0
          - 120 allow tpc/80 from 0.0.0.0/0
          - 130 allow all/80 from 0.0.0.0/0
          - 140 allow icmp/300 from 0.0.0.0/0
          - 150 permit tcp/80 from 0.0.0.0/0
          - 160 allow tcp/80 to 0.0.0.0/0
          - 17x allow tcp/80 from 0.0.0.0/0
          - allow tcp/80 from 0.0.0.0/0
          - {rule: 180, action: allow, protocol: udp, ports: 53-x, cidr: 10.0.0.0/8}
          - {rule: 190, action: allow, protocol: all, ports: 53, cidr: 10.0.0.0/8}
          - {rule: 200, protocol: tcp, cidr: 10.0.0.0/8}
    security_groups:
      - name: sg
        ingress:
          - tcp/22 to 0.0.0.0/0
          - tcp/22 from sg: web
          - tcp/22 from 10.0.0.1/8
          - {protocol: tcp, ports: 22}
          - {protocol: icmp, icmp_code: 4, from: 0.0.0.0/0}
        egress:
          - tcp/443
    route_tables:
      - name: rt
        routes:
          - 0.0.0.0/0 igw
          - 0.0.0.0/0 ->
          - 300.0.0.0/0 -> igw
          - {destination: 10.9.0.0/16}
    instances:
      - {name: web, subnet: s, private_ip: 10.0.1.300, state: sleeping, listen: [tcp/80, icmp/8, udp/99999]}
      - {name: router, subnet: s, enis: [{subnet: s}]}
      - {name: empty, enis: []}
      - {name: two, subnet: s, private_ip: 10.0.1.10, private_ips: [10.0.1.11]}
    nat_gateways:
      - {name: n, subnet: s, type: shared, private_ip: 10.0.1}
elastic_ips:
  - {name: e}
peerings:
  - {name: p, requester: prod, status: up}
internet_hosts:
  - {name: h, address: 1.2.3.4.5}
prefix_lists:
  - {name: pl, cidrs: [10.0.0.0/8, 1.2.3.4/8]}
)"),
        (Lines{
            "t.yaml:4:11: error: VPC 'prod': invalid CIDR '10.0.0.0/33' in 'cidr'; expected "
            "A.B.C.D/N with N from 0 to 32",
            "t.yaml:5:23: error: VPC 'prod': CIDR '10.1.0.1/16' in 'secondary_cidrs' has host bits "
            "set; expected the network address 10.1.0.0/16",
            "t.yaml:5:36: error: VPC 'prod': invalid CIDR '10.2.0.0' in 'secondary_cidrs'; "
            "expected A.B.C.D/N with N from 0 to 32",
            "t.yaml:11:13: error: network ACL 'acl': invalid port '70000' in inbound rule '100 "
            "allow tcp/70000 from 0.0.0.0/0'; expected a port 0-65535 or a range A-B with A <= B "
            "(only for tcp and udp)",
            "t.yaml:12:13: error: network ACL 'acl': invalid port range '80-20' in inbound rule "
            "'110 allow tcp/80-20 from 0.0.0.0/0'; expected a port 0-65535 or a range A-B with A "
            "<= B (only for tcp and udp)",
            "t.yaml:13:13: error: network ACL 'acl': invalid protocol 'tpc' in inbound rule '120 "
            "allow tpc/80 from 0.0.0.0/0'; expected all, tcp, udp, icmp or a protocol number 0-255",
            "t.yaml:14:13: error: network ACL 'acl': ports '80' given for protocol all in inbound "
            "rule '130 allow all/80 from 0.0.0.0/0'; expected ports only with tcp or udp",
            "t.yaml:15:13: error: network ACL 'acl': invalid ICMP type '300' in inbound rule '140 "
            "allow icmp/300 from 0.0.0.0/0'; expected icmp/TYPE or icmp/TYPE:CODE with numbers "
            "0-255",
            "t.yaml:16:13: error: network ACL 'acl': inbound rule '150 permit tcp/80 from "
            "0.0.0.0/0' has action 'permit'; expected allow or deny",
            "t.yaml:17:13: error: network ACL 'acl': inbound rule '160 allow tcp/80 to 0.0.0.0/0' "
            "says 'to'; expected 'from' in inbound rules",
            "t.yaml:18:13: error: network ACL 'acl': inbound rule '17x allow tcp/80 from "
            "0.0.0.0/0' has rule number '17x'; expected a number 1-32766",
            "t.yaml:19:13: error: network ACL 'acl': inbound rule 'allow tcp/80 from 0.0.0.0/0' is "
            "not a rule; expected 'NUMBER allow|deny PROTOCOL[/PORTS] from CIDR'",
            "t.yaml:20:62: error: network ACL 'acl': invalid port range '53-x' in inbound rule "
            "180; expected a port 0-65535 or a range A-B with A <= B (only for tcp and udp)",
            "t.yaml:21:62: error: network ACL 'acl': 'ports' given for protocol all in inbound "
            "rule 190; expected ports only with tcp or udp",
            "t.yaml:22:13: error: network ACL 'acl': inbound rule 200 is missing 'action'; "
            "expected rule, action, protocol and cidr",
            "t.yaml:26:13: error: security group 'sg': ingress rule 'tcp/22 to 0.0.0.0/0' says "
            "'to'; expected 'from' in ingress rules",
            "t.yaml:27:13: error: security group 'sg': ingress rule 'tcp/22 from sg: ...' was read "
            "as a map because of ': '; expected sg:NAME or pl:NAME without a space (or the rule in "
            "quotes)",
            "t.yaml:28:13: error: security group 'sg': CIDR '10.0.0.1/8' in ingress rule 'tcp/22 "
            "from 10.0.0.1/8' has host bits set; expected the network address 10.0.0.0/8",
            "t.yaml:29:13: error: security group 'sg': ingress rule at line 29 is missing 'from'; "
            "expected a CIDR, sg:GROUP or pl:PREFIX_LIST",
            "t.yaml:30:41: error: security group 'sg': 'icmp_code' given without 'icmp_type' in "
            "ingress rule at line 30; expected both",
            "t.yaml:32:13: error: security group 'sg': egress rule 'tcp/443' is not a rule; "
            "expected 'PROTOCOL[/PORTS] to CIDR|sg:GROUP|pl:PREFIX_LIST'",
            "t.yaml:36:13: error: route table 'rt': route '0.0.0.0/0 igw' has no '->'; expected "
            "DESTINATION -> TARGET",
            "t.yaml:37:13: error: route table 'rt': route '0.0.0.0/0 ->' has no target; expected "
            "DESTINATION -> TARGET",
            "t.yaml:38:13: error: route table 'rt': invalid CIDR '300.0.0.0/0' in route "
            "'300.0.0.0/0 -> igw'; expected A.B.C.D/N with N from 0 to 32",
            "t.yaml:39:13: error: route table 'rt': route is missing 'target'; expected "
            "'destination' and 'target'",
            "t.yaml:41:44: error: instance 'web': invalid IPv4 address '10.0.1.300' in "
            "'private_ip'; expected an IPv4 address A.B.C.D with numbers 0-255",
            "t.yaml:41:63: error: instance 'web': 'state' is 'sleeping'; expected one of pending, "
            "running, stopping, stopped, shutting-down, terminated",
            "t.yaml:41:90: error: instance 'web': invalid listen port 'icmp/8'; expected tcp/PORT "
            "or udp/PORT with a port 0-65535, or icmp",
            "t.yaml:41:98: error: instance 'web': invalid listen port 'udp/99999'; expected "
            "tcp/PORT or udp/PORT with a port 0-65535, or icmp",
            "t.yaml:42:24: error: instance 'router': 'subnet' is given with 'enis'; expected it "
            "inside each entry of 'enis'",
            "t.yaml:43:29: error: instance 'empty': 'enis' is empty; expected at least one network "
            "interface",
            "t.yaml:44:68: error: instance 'two': both 'private_ip' and 'private_ips' are given; "
            "expected one of them",
            "t.yaml:46:36: error: NAT gateway 'n': 'type' is 'shared'; expected public or private",
            "t.yaml:46:56: error: NAT gateway 'n': invalid IPv4 address '10.0.1' in 'private_ip'; "
            "expected an IPv4 address A.B.C.D with numbers 0-255",
            "t.yaml:48:5: error: Elastic IP 'e': missing key 'address'; expected the public IPv4 "
            "address",
            "t.yaml:50:5: error: peering 'p': missing key 'accepter'; expected the names of both "
            "VPCs",
            "t.yaml:50:40: error: peering 'p': 'status' is 'up'; expected active, "
            "pending-acceptance, rejected, deleted or failed",
            "t.yaml:52:24: error: internet host 'h': invalid IPv4 address '1.2.3.4.5' in "
            "'address'; expected an IPv4 address A.B.C.D with numbers 0-255",
            "t.yaml:54:36: error: prefix list 'pl': CIDR '1.2.3.4/8' in 'cidrs' has host bits set; "
            "expected the network address 1.0.0.0/8"}));
}

TEST(YamlReader, MissingRequiredKeys) {
    EXPECT_EQ(
        diagnostics_of(R"(vpcs:
  - cidr: 10.0.0.0/16
  - name: prod
    subnets:
      - {name: s}
      - {cidr: 10.0.1.0/24}
    nat_gateways:
      - {name: n, elastic_ip: e}
    instances:
      - {name: i}
  - {name: "", cidr: 10.1.0.0/16}
)"),
        (Lines{"t.yaml:1:1: error: missing key 'region'; expected the default region of the VPCs",
               "t.yaml:2:5: error: VPC: missing key 'name'; expected a name for every VPC",
               "t.yaml:3:5: error: VPC 'prod': missing key 'cidr'; expected the primary CIDR of "
               "the VPC",
               "t.yaml:5:9: error: subnet 's': missing key 'cidr'; expected the subnet's CIDR",
               "t.yaml:6:9: error: subnet: missing key 'name'; expected a name for every subnet",
               "t.yaml:8:9: error: NAT gateway 'n': missing key 'subnet'; expected the subnet of "
               "the NAT gateway",
               "t.yaml:8:31: error: NAT gateway 'n': 'elastic_ip' names unknown Elastic IP 'e'; "
               "expected the name of an Elastic IP of this file",
               "t.yaml:10:9: error: instance 'i': missing key 'subnet'; expected 'subnet' for a "
               "single network interface, or 'enis'",
               "t.yaml:11:12: error: VPC: 'name' is empty; expected a name for every VPC"}));
}

TEST(YamlReader, AKeyWrittenTwiceIsAnError) {
    EXPECT_EQ(
        diagnostics_of(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    cidr: 10.1.0.0/16
)"),
        (Lines{"t.yaml:5:5: error: VPC 'prod': key 'cidr' is written twice; expected it once"}));
}

TEST(YamlReader, AnEmptyFileIsAnError) {
    EXPECT_EQ(
        diagnostics_of(R"()"),
        (Lines{"t.yaml:1:1: error: the file is empty; expected a map with 'region' and 'vpcs'"}));
}

TEST(YamlReader, AFileThatIsNotAMapIsAnError) {
    EXPECT_EQ(
        diagnostics_of(R"(- a
- b
)"),
        (Lines{"t.yaml:1:1: error: the file is a list; expected a map with 'region' and 'vpcs'"}));
}

TEST(YamlReader, AnInstanceNeedsAtLeastOneEni) {
    EXPECT_EQ(diagnostics_of("region: r\nvpcs:\n  - name: a\n    cidr: 10.0.0.0/16\n    "
                             "instances:\n      - name: i\n        enis:\n"),
              (Lines{"t.yaml:7:9: error: instance 'i': 'enis' is empty; expected at least one "
                     "network interface"}));
}

TEST(YamlReader, OneTopologyPerFile) {
    EXPECT_EQ(diagnostics_of("region: a\nvpcs: []\n---\nregion: b\n"),
              (Lines{"t.yaml:4:1: error: a second YAML document; expected one topology per file"}));
}

// Whatever the bytes, loading reports and never throws or crashes.
TEST(YamlReader, EveryTruncationOfAValidFileLoadsOrFailsCleanly) {
    const std::string text = R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    internet_gateway: igw
    subnets: [{name: a, cidr: 10.0.1.0/24, route_table: rt}]
    route_tables: [{name: rt, routes: ["0.0.0.0/0 -> igw", {destination: 10.9.0.0/16, target: blackhole}]}]
    network_acls: [{name: acl, inbound: ["100 allow tcp/80 from 0.0.0.0/0"], outbound: ["100 allow all to 0.0.0.0/0"]}]
    security_groups: [{name: sg, ingress: ["tcp/22 from sg:sg", {protocol: icmp, icmp_type: 8, from: 0.0.0.0/0}]}]
    instances: [{name: i, subnet: a, security_groups: [sg], listen: [tcp/80]}]
elastic_ips: [{name: e, address: 203.0.113.1}]
)";
    std::size_t ok = 0;
    for (std::size_t n = 0; n <= text.size(); ++n) {
        LoadResult r;
        EXPECT_NO_THROW(r = load_topology_text(text.substr(0, n), "t.yaml")) << n;
        if (r.ok()) ++ok;
        if (!r.ok()) {
            EXPECT_TRUE(r.diagnostics.has_errors()) << "no reason given at " << n;
        }
    }
    EXPECT_GT(ok, 0u);
    const std::string garbage[] = {
        "\t", "{",   "[[[",       "!!binary x",   "*alias",   "&a [*a]",
        ":",  "- -", "region: [", "vpcs: {a: 1}", "\x01\x02", "region: x\nvpcs: [1]"};
    for (const std::string& g : garbage) {
        LoadResult r;
        EXPECT_NO_THROW(r = load_topology_text(g, "g.yaml")) << g;
        EXPECT_FALSE(r.ok()) << g;
    }
}

}  // namespace
}  // namespace vpcstack::model
