// The writer is the inverse of the reader: read(write(x)) == x for every example topology and
// for a file that uses every form of docs/topology.md; and its layout, comments included.
#include "vpcstack/model/yaml_writer.hpp"

#include <fmt/format.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "raw_topology_diff.hpp"
#include "test_support.hpp"
#include "vpcstack/model/loader.hpp"
#include "vpcstack/model/rule_text.hpp"

namespace vpcstack::model {
namespace {

namespace fs = std::filesystem;

RawTopology read_clean(const std::string& text, const std::string& file) {
    Diagnostics d;
    auto raw = read_topology_yaml(text, file, d);
    EXPECT_TRUE(raw.has_value()) << file;
    std::string problems;
    for (const Diagnostic& x : d.sorted()) problems += x.to_string() + "\n";
    EXPECT_FALSE(d.has_errors()) << problems << text;
    return raw.value_or(RawTopology{});
}

// What loading says, without the places (the written file has other line numbers).
std::vector<std::string> findings_of(const std::string& yaml) {
    LoadResult r = load_topology_text(yaml, "t.yaml");
    std::vector<std::string> out;
    for (const Diagnostic& d : r.diagnostics.all()) {
        out.push_back(fmt::format("{} '{}': {}", d.kind, d.name, d.message));
    }
    return out;
}

// read(write(x)) == x, and what was written loads as x does.
void expect_round_trip(const std::string& text, const std::string& file) {
    const RawTopology x = read_clean(text, file);
    const std::string written = write_topology_yaml(x);
    const RawTopology y = read_clean(written, file);
    EXPECT_EQ(testing::raw_difference(x, y), "") << "written:\n" << written;
    EXPECT_EQ(findings_of(written), findings_of(text));
}

TEST(YamlWriter, EveryExampleTopologyReadsBackAsWritten) {
    int files = 0;
    for (const auto& entry :
         fs::directory_iterator(std::string(VPCSTACK_SOURCE_DIR) + "/topologies")) {
        if (entry.path().extension() != ".yaml") continue;
        std::ifstream in(entry.path());
        std::stringstream text;
        text << in.rdbuf();
        SCOPED_TRACE(entry.path().filename().string());
        expect_round_trip(text.str(), entry.path().filename().string());
        ++files;
    }
    EXPECT_GE(files, 8);
}

TEST(YamlWriter, EveryFormOfTheFileReadsBackAsWritten) {
    expect_round_trip(R"(region: eu-west-1
vpcs:
  - name: prod
    id: vpc-1
    account: "111122223333"
    cidr: 10.0.0.0/16
    secondary_cidrs: [10.1.0.0/16, 10.2.0.0/16]
    internet_gateway: {name: prod-igw, route_table: edge-rt}
    subnets:
      - {name: public, cidr: 10.0.1.0/24, az: eu-west-1a, route_table: public-rt}
      - {name: private, cidr: 10.0.2.0/24, network_acl: locked}
    route_tables:
      - name: public-rt
        main: false
        routes:
          - 0.0.0.0/0 -> igw
          - {destination: 192.0.2.0/24, target: blackhole, id: r-1}
          - {destination: 198.51.100.0/24, target: nat/nat-a}
          - pl:office -> igw
          - {destination: 10.0.2.0/24, target: blackhole, was: eni-0abc}
          - {destination: "pl:empty", target: blackhole, was: pcx-0abc, id: r-2}
      - name: edge-rt
        routes: ["10.1.0.0/16 -> eni/bastion-b"]
    network_acls:
      - name: locked
        inbound:
          - 100 deny tcp/22 from 0.0.0.0/0
          - {rule: 110, action: allow, protocol: icmp, icmp_type: 3, icmp_code: 4, cidr: 10.0.0.0/8}
          - 120 allow udp/1024-65535 from 10.0.0.0/16
        outbound: []
      - name: default
        default: true
    security_groups:
      - name: web-sg
        ingress:
          - tcp/443 from 0.0.0.0/0
          - {protocol: tcp, ports: 22, from: sg:bastion-sg, description: "SSH: from the bastion"}
          - {protocol: icmp, icmp_type: 8, from: pl:office}
        egress: []
      - name: bastion-sg
        ingress: ["tcp/22 from 198.51.100.0/24"]
    nat_gateways:
      - {name: nat-a, subnet: public, private_ip: 10.0.1.20, elastic_ip: nat-eip}
      - {name: nat-b, subnet: private, type: private}
    instances:
      - name: web
        subnet: public
        public_ip: 203.0.113.10
        security_groups: [web-sg]
        listen: [tcp/443, udp/53]
      - name: bastion
        state: stopped
        enis:
          - subnet: public
            private_ips: [10.0.1.30, 10.0.1.31]
            security_groups: [bastion-sg]
            source_dest_check: false
          - name: bastion-b
            subnet: private
            private_ips: [10.0.2.30, 10.0.2.31]
            elastic_ip: bastion-eip
            secondary_elastic_ips: [{private_ip: 10.0.2.31, elastic_ip: spare-eip}]
  - name: shared
    region: eu-west-2
    cidr: 10.9.0.0/16
elastic_ips:
  - {name: nat-eip, address: 203.0.113.20}
  - {name: bastion-eip, id: eipalloc-1, address: 203.0.113.21}
  - {name: spare-eip, address: 203.0.113.22}
peerings:
  - {name: prod-shared, requester: prod, accepter: shared, status: pending-acceptance}
prefix_lists:
  - {name: office, cidrs: [198.51.100.0/24]}
  - {name: empty, cidrs: []}
internet_hosts:
  - {name: client, address: 198.51.100.7}
  - {name: server, address: 192.0.2.80, listen: [tcp/80]}
  - {name: berlin, address: 198.51.100.8, location: {country: DE, region: eu-central-1}}
  - {name: seattle, address: 198.51.100.9, location: {continent: NA, country: US, subdivision: WA}}
)",
                      "forms.yaml");
}

// The load balancing example of docs/topology.md uses every form of those resources.
TEST(YamlWriter, EveryLoadBalancingFormReadsBackAsWritten) {
    std::ifstream in(std::string(VPCSTACK_SOURCE_DIR) + "/docs/topology.md");
    std::string line, block, found;
    bool inside = false;
    while (std::getline(in, line)) {
        if (!inside && line == "```yaml") {
            inside = true;
            block.clear();
        } else if (inside && line == "```") {
            inside = false;
            if (block.find("auto_scaling_groups:") != std::string::npos) found = block;
        } else if (inside) {
            block += line + "\n";
        }
    }
    ASSERT_NE(found, "") << "docs/topology.md shows load balancing";
    expect_round_trip(found, "load-balancing.yaml");
    // And a written user_data of an instance, an NLB node with an Elastic IP and weights.
    expect_round_trip(R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    subnets: [{name: a, cidr: 10.0.0.0/24, az: us-east-1a}]
    instances:
      - {name: web, subnet: a, user_data: "echo hi > /tmp/x"}
    load_balancers:
      - name: nlb
        type: network
        subnets: [{subnet: a, private_ip: 10.0.0.9, elastic_ip: e}]
        cross_zone: true
        listeners: [{protocol: TCP_UDP, port: 53, default_action: {forward: dns}}]
    target_groups:
      - {name: dns, protocol: TCP_UDP, port: 53, preserve_client_ip: true, stickiness: {type: source_ip}, targets: [web, {instance: web, port: 5353}], health_check: {port: traffic-port}}
elastic_ips:
  - {name: e, address: 198.51.100.9}
)",
                      "nlb.yaml");
}

TEST(YamlWriter, WritesCommentsWhereTheRawTopologyCarriesThem) {
    RawTopology t;
    t.remarks = {"Written by a test."};
    t.region = Field<std::string>::written("us-east-1");
    RawVpc vpc;
    vpc.meta.name = "prod";
    vpc.cidr = Field<net::Cidr>::written(*net::Cidr::parse("10.0.0.0/16"));
    RawRouteTable table;
    table.meta.name = "rt";
    table.meta.remarks = {"associated with a gateway: not modelled yet"};
    RawRoute route;
    route.destination = *net::Cidr::parse("0.0.0.0/0");
    route.target = "blackhole";
    route.text = route_text("0.0.0.0/0", "blackhole");
    route.comment = "transit gateway tgw-1: not modelled yet";
    table.routes.push_back(route);
    table.route_remarks = {{0, "- ::/0 -> igw  # IPv6 routes: not modelled yet"},
                           {1, "- 10.0.1.0/24 -> vpce-1  # left out"}};
    vpc.route_tables.push_back(table);
    RawRouteTable empty;
    empty.meta.name = "empty";
    empty.route_remarks = {{0, "- 10.0.2.0/24 -> vpce-2"}};
    vpc.route_tables.push_back(empty);
    RawInstance spare;
    spare.meta.name = "spare";
    spare.meta.comment = "an interface with no instance";
    spare.state = Field<std::string>::written("stopped");
    RawEni eni;
    eni.meta.name = "spare-eth0";
    eni.subnet = Field<std::string>::written("private");
    spare.enis.push_back(eni);
    vpc.instances.push_back(spare);
    t.vpcs.push_back(vpc);
    RawPeering p;
    p.meta.name = "old";
    p.meta.comment = "expired in the cloud";
    p.requester = Field<std::string>::written("prod");
    p.accepter = Field<std::string>::written("other");
    p.status = Field<PeeringStatus>::written(PeeringStatus::Failed);
    t.peerings.push_back(p);
    EXPECT_EQ(write_topology_yaml(t), R"(# Written by a test.
region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    route_tables:
      - name: rt
        # associated with a gateway: not modelled yet
        routes:
          # - ::/0 -> igw  # IPv6 routes: not modelled yet
          - 0.0.0.0/0 -> blackhole  # transit gateway tgw-1: not modelled yet
          # - 10.0.1.0/24 -> vpce-1  # left out
      - name: empty
        routes: []
          # - 10.0.2.0/24 -> vpce-2
    instances:
      - name: spare  # an interface with no instance
        state: stopped
        enis:
          - name: spare-eth0
            subnet: private
peerings:
  - {name: old, requester: prod, accepter: other, status: failed}  # expired in the cloud
)");
}

TEST(YamlScalar, PlainWhenItReadsBackUnchanged) {
    EXPECT_EQ(yaml_scalar("web-sg"), "web-sg");
    EXPECT_EQ(yaml_scalar("0.0.0.0/0 -> igw"), "0.0.0.0/0 -> igw");
    EXPECT_EQ(yaml_scalar("tcp/22 from sg:bastion"), "tcp/22 from sg:bastion");
    EXPECT_EQ(yaml_scalar("100 allow tcp/80 from 0.0.0.0/0"), "100 allow tcp/80 from 0.0.0.0/0");
}

TEST(YamlScalar, QuotesWhatYamlWouldReadAsSomethingElse) {
    EXPECT_EQ(yaml_scalar("111122223333"), "\"111122223333\"");  // an account id, not a number
    EXPECT_EQ(yaml_scalar("yes"), "\"yes\"");
    EXPECT_EQ(yaml_scalar("Null"), "\"Null\"");
    EXPECT_EQ(yaml_scalar(""), "\"\"");
    EXPECT_EQ(yaml_scalar("- dash"), "\"- dash\"");
    EXPECT_EQ(yaml_scalar("a: b"), "\"a: b\"");
    EXPECT_EQ(yaml_scalar("web # old"), "\"web # old\"");
    EXPECT_EQ(yaml_scalar("say \"hi\"\n"), "\"say \\\"hi\\\"\\n\"");
}

TEST(YamlScalar, QuotesFlowIndicatorsOnlyInsideFlowCollections) {
    EXPECT_EQ(yaml_scalar("a,b"), "a,b");
    EXPECT_EQ(yaml_scalar("a,b", true), "\"a,b\"");
    EXPECT_EQ(yaml_scalar("x[1]", true), "\"x[1]\"");
}

}  // namespace
}  // namespace vpcstack::model
