// Loading whole files: the documented examples, and a full topology checked field by field.
#include "vpcstack/model/loader.hpp"

#include <gtest/gtest.h>

#include <fstream>
#include <sstream>

namespace vpcstack::model {
namespace {

std::string all_diagnostics(const LoadResult& r) {
    std::string out;
    for (const Diagnostic& d : r.diagnostics.sorted()) out += d.to_string() + "\n";
    return out;
}

// Every ```yaml block of docs/topology.md, with the line it starts on.
std::vector<std::pair<int, std::string>> doc_yaml_blocks() {
    std::ifstream in(std::string(VPCSTACK_SOURCE_DIR) + "/docs/topology.md");
    std::vector<std::pair<int, std::string>> blocks;
    std::string line;
    int number = 0;
    bool inside = false;
    while (std::getline(in, line)) {
        ++number;
        if (!inside && line == "```yaml") {
            inside = true;
            blocks.push_back({number + 1, ""});
        } else if (inside && line == "```") {
            inside = false;
        } else if (inside) {
            blocks.back().second += line + "\n";
        }
    }
    return blocks;
}

TEST(Loader, EveryExampleOfTheFormatDocumentLoadsWithoutErrorOrWarning) {
    auto blocks = doc_yaml_blocks();
    ASSERT_GE(blocks.size(), 8u) << "docs/topology.md should show every resource kind";
    for (const auto& [line, text] : blocks) {
        LoadResult r = load_topology_text(text, "docs/topology.md@" + std::to_string(line));
        EXPECT_TRUE(r.ok()) << "the block at line " << line << " fails:\n" << all_diagnostics(r);
        EXPECT_EQ(r.diagnostics.warning_count(), 0u) << "the block at line " << line << " warns:\n"
                                                     << all_diagnostics(r);
    }
}

TEST(Loader, AFileThatCannotBeReadIsAnErrorNamingTheFile) {
    LoadResult r = load_topology_file("/nonexistent/topo.yaml");
    EXPECT_FALSE(r.ok());
    ASSERT_EQ(r.diagnostics.all().size(), 1u);
    EXPECT_EQ(r.diagnostics.all()[0].to_string(),
              "/nonexistent/topo.yaml: error: cannot read the file: No such file or directory; "
              "expected a readable topology file");
}

constexpr const char* kFull = R"(region: us-east-1
vpcs:
  - name: prod
    id: vpc-0prod
    account: "111122223333"
    cidr: 10.0.0.0/16
    secondary_cidrs: [10.1.0.0/16]
    internet_gateway: {name: prod-igw, id: igw-0abc}
    subnets:
      - {name: public, cidr: 10.0.1.0/24, az: us-east-1a, route_table: public-rt, network_acl: web-acl}
      - {name: private, cidr: 10.0.2.0/24, az: us-east-1a}
      - {name: extra, cidr: 10.1.0.0/24}
    route_tables:
      - name: public-rt
        routes:
          - 0.0.0.0/0 -> igw
          - 10.2.0.0/16 -> peering/prod-shared
      - name: private-rt
        main: true
        routes:
          - {destination: 0.0.0.0/0, target: nat/nat-a, id: r-1}
          - 10.0.1.0/24 -> eni/router-eth0
          - 192.0.2.0/24 -> blackhole
    network_acls:
      - name: web-acl
        inbound:
          - 200 allow tcp/1024-65535 from 0.0.0.0/0
          - 100 allow tcp/80 from 0.0.0.0/0
          - {rule: 150, action: deny, protocol: icmp, icmp_type: 8, cidr: 203.0.113.0/24}
        outbound:
          - 100 allow all to 0.0.0.0/0
    security_groups:
      - name: web-sg
        ingress:
          - tcp/80 from 0.0.0.0/0
          - tcp/22 from sg:web-sg
          - udp/53 from pl:office
          - tcp/9100 from sg:shared/mon
          - {protocol: icmp, icmp_type: 3, icmp_code: 4, from: 10.0.0.0/8, description: pmtu}
      - name: quiet-sg
        egress: []
    nat_gateways:
      - {name: nat-a, subnet: public, elastic_ip: nat-eip}
    instances:
      - name: web
        subnet: public
        private_ips: [10.0.1.10, 10.0.1.11]
        elastic_ip: web-eip
        security_groups: [web-sg, quiet-sg]
        listen: [tcp/443, tcp/80]
      - name: router
        state: stopped
        enis:
          - {name: router-eth0, subnet: public, private_ip: 10.0.1.30, source_dest_check: false}
          - {subnet: private}
  - name: shared
    region: us-east-1
    cidr: 10.2.0.0/16
    security_groups:
      - name: mon
elastic_ips:
  - {name: web-eip, address: 203.0.113.10}
  - {name: nat-eip, address: 203.0.113.20}
peerings:
  - {name: prod-shared, requester: prod, accepter: shared}
prefix_lists:
  - {name: office, cidrs: [198.51.100.0/24]}
internet_hosts:
  - {name: client, address: 198.51.100.7, listen: [tcp/443]}
)";

class FullTopology : public ::testing::Test {
  protected:
    void SetUp() override {
        result_ = load_topology_text(kFull, "full.yaml");
        ASSERT_TRUE(result_.ok()) << all_diagnostics(result_);
        t_ = &*result_.topology;
    }
    LoadResult result_;
    const Topology* t_ = nullptr;
};

TEST_F(FullTopology, KeepsTheFileTheRegionAndEveryResource) {
    EXPECT_EQ(t_->file, "full.yaml");
    EXPECT_EQ(t_->region, "us-east-1");
    EXPECT_EQ(t_->vpcs.size(), 2u);
    EXPECT_EQ(t_->subnets.size(), 3u);
    EXPECT_EQ(t_->route_tables.size(), 3u);  // public-rt, private-rt (main), shared's main
    EXPECT_EQ(t_->network_acls.size(), 3u);  // web-acl, prod default, shared default
    EXPECT_EQ(t_->security_groups.size(), 5u);
    EXPECT_EQ(t_->instances.size(), 2u);
    EXPECT_EQ(t_->enis.size(), 3u);
    EXPECT_EQ(t_->elastic_ips.size(), 2u);
    EXPECT_EQ(t_->internet_gateways.size(), 1u);
    EXPECT_EQ(result_.diagnostics.all().size(), 0u) << all_diagnostics(result_);
}

TEST_F(FullTopology, VpcsCarryTheirCidrsDefaultsAndSubnets) {
    const Vpc& prod = t_->vpcs[0];
    EXPECT_EQ(prod.meta.name, "prod");
    EXPECT_EQ(prod.meta.id, "vpc-0prod");
    EXPECT_EQ(prod.meta.loc.line, 3);
    EXPECT_EQ(prod.meta.loc.column, 5);
    EXPECT_EQ(prod.region, "us-east-1");
    EXPECT_EQ(prod.account, "111122223333");
    ASSERT_EQ(prod.cidrs.size(), 2u);
    EXPECT_EQ(prod.cidrs[0].to_string(), "10.0.0.0/16");
    EXPECT_EQ(prod.cidrs[1].to_string(), "10.1.0.0/16");
    EXPECT_EQ(prod.main_route_table, 1u);  // private-rt says main: true
    EXPECT_EQ(prod.default_acl, 1u);       // made by the loader
    EXPECT_EQ(prod.default_security_group, 2u);
    EXPECT_EQ(prod.internet_gateway, 0u);
    EXPECT_EQ(prod.subnets, (std::vector<Index>{0, 1, 2}));
    EXPECT_EQ(t_->internet_gateways[0].meta.name, "prod-igw");
    EXPECT_EQ(t_->internet_gateways[0].meta.id, "igw-0abc");
    EXPECT_EQ(t_->internet_gateways[0].vpc, 0u);

    const Vpc& shared = t_->vpcs[1];
    EXPECT_EQ(shared.main_route_table, 2u);
    EXPECT_TRUE(t_->route_tables[2].meta.implicit);
    EXPECT_EQ(t_->route_tables[2].meta.name, "main");
    EXPECT_EQ(shared.internet_gateway, kNone);
    EXPECT_TRUE(shared.subnets.empty());
}

TEST_F(FullTopology, SubnetsUseTheirAssociationsOrTheVpcDefaults) {
    const Subnet& pub = t_->subnets[0];
    EXPECT_EQ(pub.cidr.to_string(), "10.0.1.0/24");
    EXPECT_EQ(pub.availability_zone, "us-east-1a");
    EXPECT_EQ(pub.route_table, 0u);
    EXPECT_TRUE(pub.explicit_route_table);
    EXPECT_EQ(pub.network_acl, 0u);
    EXPECT_TRUE(pub.explicit_network_acl);
    EXPECT_EQ(pub.enis, (std::vector<Index>{0, 1}));
    const Subnet& priv = t_->subnets[1];
    EXPECT_EQ(priv.route_table, 1u);
    EXPECT_FALSE(priv.explicit_route_table);
    EXPECT_EQ(priv.network_acl, 1u);
    EXPECT_FALSE(priv.explicit_network_acl);
    EXPECT_EQ(priv.enis, (std::vector<Index>{2}));
}

TEST_F(FullTopology, RouteTablesStartWithTheLocalRoutesAndResolveTargets) {
    const RouteTable& pub = t_->route_tables[0];
    EXPECT_FALSE(pub.main);
    ASSERT_EQ(pub.routes.size(), 4u);
    EXPECT_TRUE(pub.routes[0].implicit);
    EXPECT_EQ(pub.routes[0].target.kind, RouteTargetKind::Local);
    EXPECT_EQ(pub.routes[0].destination.to_string(), "10.0.0.0/16");
    EXPECT_EQ(pub.routes[1].destination.to_string(), "10.1.0.0/16");
    EXPECT_EQ(pub.routes[2].target.kind, RouteTargetKind::InternetGateway);
    EXPECT_EQ(pub.routes[2].target.index, 0u);
    EXPECT_EQ(pub.routes[2].target.text, "igw");
    EXPECT_EQ(pub.routes[2].loc.line, 16);
    EXPECT_EQ(pub.routes[2].loc.column, 13);
    EXPECT_FALSE(pub.routes[2].implicit);
    EXPECT_EQ(pub.routes[3].target.kind, RouteTargetKind::Peering);
    EXPECT_EQ(pub.routes[3].target.index, 0u);

    const RouteTable& priv = t_->route_tables[1];
    EXPECT_TRUE(priv.main);
    ASSERT_EQ(priv.routes.size(), 5u);
    EXPECT_EQ(priv.routes[2].target.kind, RouteTargetKind::NatGateway);
    EXPECT_EQ(priv.routes[2].target.index, 0u);
    EXPECT_EQ(priv.routes[2].target.text, "nat/nat-a");
    EXPECT_EQ(priv.routes[3].target.kind, RouteTargetKind::Eni);
    EXPECT_EQ(priv.routes[3].target.index, 1u);
    EXPECT_EQ(priv.routes[4].target.kind, RouteTargetKind::Blackhole);
    EXPECT_EQ(priv.routes[4].target.index, kNone);

    ASSERT_EQ(t_->route_tables[2].routes.size(), 1u);
    EXPECT_EQ(t_->route_tables[2].routes[0].destination.to_string(), "10.2.0.0/16");
}

TEST_F(FullTopology, AclRulesAreSortedByNumberAndTheDefaultAclAllowsAll) {
    const NetworkAcl& acl = t_->network_acls[0];
    EXPECT_FALSE(acl.is_default);
    ASSERT_EQ(acl.inbound.size(), 3u);
    EXPECT_EQ(acl.inbound[0].number, 100);
    EXPECT_EQ(acl.inbound[0].ports, net::PortRange::single(80));
    EXPECT_EQ(acl.inbound[0].protocol, net::Protocol::tcp());
    EXPECT_EQ(acl.inbound[1].number, 150);
    EXPECT_EQ(acl.inbound[1].action, RuleAction::Deny);
    EXPECT_EQ(acl.inbound[1].protocol, net::Protocol::icmp());
    EXPECT_EQ(acl.inbound[1].icmp.type, 8);
    EXPECT_EQ(acl.inbound[1].icmp.code, -1);
    EXPECT_EQ(acl.inbound[1].cidr.to_string(), "203.0.113.0/24");
    EXPECT_EQ(acl.inbound[1].text, "150 deny icmp/8 from 203.0.113.0/24");
    EXPECT_EQ(acl.inbound[2].number, 200);
    EXPECT_EQ(acl.inbound[2].ports, (net::PortRange{1024, 65535}));
    ASSERT_EQ(acl.outbound.size(), 1u);
    EXPECT_TRUE(acl.outbound[0].protocol.is_all());

    const NetworkAcl& def = t_->network_acls[1];
    EXPECT_TRUE(def.is_default);
    EXPECT_TRUE(def.meta.implicit);
    EXPECT_EQ(def.meta.name, "default");
    ASSERT_EQ(def.inbound.size(), 1u);
    ASSERT_EQ(def.outbound.size(), 1u);
    EXPECT_EQ(def.inbound[0].number, 100);
    EXPECT_EQ(def.inbound[0].action, RuleAction::Allow);
    EXPECT_TRUE(def.inbound[0].protocol.is_all());
    EXPECT_EQ(def.inbound[0].cidr.to_string(), "0.0.0.0/0");
    EXPECT_EQ(def.outbound[0].action, RuleAction::Allow);
}

TEST_F(FullTopology, SecurityGroupRulesResolveGroupsPrefixListsAndDefaults) {
    const SecurityGroup& web = t_->security_groups[0];
    ASSERT_EQ(web.ingress.size(), 5u);
    EXPECT_EQ(web.ingress[0].peer_kind, PeerKind::Cidr);
    EXPECT_EQ(web.ingress[0].text, "tcp/80 from 0.0.0.0/0");
    EXPECT_EQ(web.ingress[1].peer_kind, PeerKind::SecurityGroup);
    EXPECT_EQ(web.ingress[1].group, 0u);
    EXPECT_EQ(web.ingress[2].peer_kind, PeerKind::PrefixList);
    EXPECT_EQ(web.ingress[2].prefix_list, 0u);
    EXPECT_EQ(web.ingress[2].protocol, net::Protocol::udp());
    EXPECT_EQ(web.ingress[3].group, 3u);  // shared/mon, over the active peering
    EXPECT_EQ(web.ingress[4].icmp.type, 3);
    EXPECT_EQ(web.ingress[4].icmp.code, 4);
    EXPECT_EQ(web.ingress[4].description, "pmtu");
    EXPECT_EQ(web.ingress[4].text, "icmp/3:4 from 10.0.0.0/8");
    // A group without egress rules written gets the cloud's egress rule: all to 0.0.0.0/0.
    ASSERT_EQ(web.egress.size(), 1u);
    EXPECT_TRUE(web.egress[0].protocol.is_all());
    EXPECT_EQ(web.egress[0].cidr.to_string(), "0.0.0.0/0");
    // Written empty: no egress at all.
    EXPECT_TRUE(t_->security_groups[1].egress.empty());

    const SecurityGroup& def = t_->security_groups[2];
    EXPECT_TRUE(def.is_default);
    EXPECT_TRUE(def.meta.implicit);
    ASSERT_EQ(def.ingress.size(), 1u);
    EXPECT_EQ(def.ingress[0].peer_kind, PeerKind::SecurityGroup);
    EXPECT_EQ(def.ingress[0].group, 2u);
    EXPECT_TRUE(def.ingress[0].protocol.is_all());
    ASSERT_EQ(def.egress.size(), 1u);
    EXPECT_EQ(def.egress[0].cidr.to_string(), "0.0.0.0/0");
}

TEST_F(FullTopology, InstancesAndEnisGetNamesAddressesGroupsAndMacs) {
    const Instance& web = t_->instances[0];
    EXPECT_TRUE(web.running);
    EXPECT_EQ(web.enis, (std::vector<Index>{0}));
    ASSERT_TRUE(web.listen.has_value());
    EXPECT_EQ(*web.listen,
              (std::vector<ListenPort>{{net::Protocol::kTcp, 80}, {net::Protocol::kTcp, 443}}));
    const Instance& router = t_->instances[1];
    EXPECT_FALSE(router.running);
    EXPECT_FALSE(router.listen.has_value());
    EXPECT_EQ(router.enis, (std::vector<Index>{1, 2}));

    const Eni& w = t_->enis[0];
    EXPECT_EQ(w.meta.name, "web/eth0");
    EXPECT_EQ(w.instance, 0u);
    EXPECT_EQ(w.subnet, 0u);
    EXPECT_EQ(w.vpc, 0u);
    ASSERT_EQ(w.private_ips.size(), 2u);
    EXPECT_EQ(w.primary_ip().to_string(), "10.0.1.10");
    EXPECT_EQ(w.private_ips[1].to_string(), "10.0.1.11");
    EXPECT_EQ(w.elastic_ip, 0u);
    EXPECT_FALSE(w.public_ip.has_value());
    EXPECT_EQ(w.security_groups, (std::vector<Index>{0, 1}));
    EXPECT_TRUE(w.source_dest_check);
    EXPECT_EQ(w.device_index, 0);
    EXPECT_EQ(w.mac.to_string(), "02:01:00:00:00:01");
    EXPECT_EQ(t_->public_address_of_eni(0)->to_string(), "203.0.113.10");

    const Eni& r0 = t_->enis[1];
    EXPECT_EQ(r0.meta.name, "router-eth0");
    EXPECT_FALSE(r0.source_dest_check);
    EXPECT_EQ(r0.security_groups, (std::vector<Index>{2}));  // the VPC's default group
    EXPECT_EQ(r0.mac.to_string(), "02:01:00:00:00:02");
    const Eni& r1 = t_->enis[2];
    EXPECT_EQ(r1.meta.name, "router/eth1");
    EXPECT_EQ(r1.device_index, 1);
    EXPECT_EQ(r1.subnet, 1u);
    ASSERT_EQ(r1.private_ips.size(), 1u);
    EXPECT_EQ(r1.primary_ip().to_string(), "10.0.2.4");  // the first non-reserved address
}

TEST_F(FullTopology, NatGatewaysElasticIpsPeeringsAndInternetHosts) {
    const NatGateway& nat = t_->nat_gateways[0];
    EXPECT_EQ(nat.subnet, 0u);
    EXPECT_EQ(nat.vpc, 0u);
    EXPECT_TRUE(nat.is_public);
    EXPECT_EQ(nat.private_ip.to_string(), "10.0.1.4");  // first free: .10 .11 .30 are taken
    EXPECT_EQ(nat.elastic_ip, 1u);
    EXPECT_EQ(t_->public_address_of_nat(0)->to_string(), "203.0.113.20");

    EXPECT_EQ(t_->elastic_ips[0].target_kind, EipTargetKind::Eni);
    EXPECT_EQ(t_->elastic_ips[0].target, 0u);
    EXPECT_EQ(t_->elastic_ips[1].target_kind, EipTargetKind::NatGateway);
    EXPECT_EQ(t_->elastic_ips[1].target, 0u);

    ASSERT_EQ(t_->peerings.size(), 1u);
    EXPECT_EQ(t_->peerings[0].requester, 0u);
    EXPECT_EQ(t_->peerings[0].accepter, 1u);
    EXPECT_EQ(t_->peerings[0].status, PeeringStatus::Active);

    ASSERT_EQ(t_->prefix_lists.size(), 1u);
    EXPECT_EQ(t_->prefix_lists[0].cidrs.at(0).to_string(), "198.51.100.0/24");

    ASSERT_EQ(t_->internet_hosts.size(), 1u);
    EXPECT_EQ(t_->internet_hosts[0].address.to_string(), "198.51.100.7");
    ASSERT_TRUE(t_->internet_hosts[0].listen.has_value());
    EXPECT_EQ(t_->internet_hosts[0].listen->size(), 1u);
}

// Each line of the full example removed, or written twice, in turn: every such file loads or is
// refused with reasons, and never crashes the loader.
TEST(Loader, EveryLineRemovedOrRepeatedLoadsOrFailsWithReasons) {
    std::vector<std::string> lines;
    std::string text = kFull;
    for (std::size_t start = 0; start < text.size();) {
        std::size_t end = text.find('\n', start);
        lines.push_back(text.substr(start, end - start + 1));
        start = end + 1;
    }
    for (std::size_t skip = 0; skip < lines.size(); ++skip) {
        for (int copies : {0, 2}) {
            std::string edited;
            for (std::size_t i = 0; i < lines.size(); ++i) {
                for (int c = 0; c < (i == skip ? copies : 1); ++c) edited += lines[i];
            }
            LoadResult r = load_topology_text(edited, "t.yaml");
            if (!r.ok()) {
                EXPECT_TRUE(r.diagnostics.has_errors()) << "line " << skip + 1 << " x" << copies;
            }
        }
    }
}

}  // namespace
}  // namespace vpcstack::model
