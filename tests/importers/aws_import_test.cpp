#include "vpcstack/importers/aws_import.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "vpcstack/model/loader.hpp"

namespace vpcstack::importers::aws {
namespace {

namespace fs = std::filesystem;

const std::string kFixtures = std::string(VPCSTACK_SOURCE_DIR) + "/tests/importers/fixtures";

std::string read_file(const fs::path& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

model::LoadResult load(const ImportOutcome& outcome) {
    model::LoadResult loaded = model::load_topology_text(outcome.yaml, "imported.yaml");
    std::string diagnostics;
    for (const auto& d : loaded.diagnostics.sorted()) diagnostics += d.to_string() + "\n";
    EXPECT_TRUE(loaded.ok()) << diagnostics;
    return loaded;
}

const model::Instance* instance(const model::Topology& t, const std::string& name) {
    for (const auto& i : t.instances) {
        if (i.meta.name == name) return &i;
    }
    return nullptr;
}

// The YAML written for the NAT fixture set, compared with the file committed beside it. Run
// with VPCSTACK_UPDATE_GOLDEN=1 to rewrite the file after an intended change.
TEST(AwsImport, TheNatScenarioIsWrittenExactlyAsTheGoldenFile) {
    ImportOutcome outcome = import_aws(kFixtures + "/nat", "us-east-1");
    ASSERT_TRUE(outcome.ok()) << outcome.errors.front();
    const fs::path golden = kFixtures + "/nat.expected.yaml";
    if (std::getenv("VPCSTACK_UPDATE_GOLDEN") != nullptr) {
        std::ofstream(golden) << outcome.yaml;
    }
    EXPECT_EQ(outcome.yaml, read_file(golden));
}

// The same for the load balancing fixture set: an ALB, an NLB and an Auto Scaling group.
TEST(AwsImport, TheWebScenarioIsWrittenExactlyAsTheGoldenFile) {
    ImportOutcome outcome = import_aws(kFixtures + "/web", "us-east-1");
    ASSERT_TRUE(outcome.ok()) << outcome.errors.front();
    const fs::path golden = kFixtures + "/web.expected.yaml";
    if (std::getenv("VPCSTACK_UPDATE_GOLDEN") != nullptr) {
        std::ofstream(golden) << outcome.yaml;
    }
    EXPECT_EQ(outcome.yaml, read_file(golden));
}

// The same for the Route 53 fixture set: a public and a private zone of one name, records of
// every routing policy, health checks, and the VPC's DNS attributes.
TEST(AwsImport, TheRoute53ScenarioIsWrittenExactlyAsTheGoldenFile) {
    ImportOutcome outcome = import_aws(kFixtures + "/route53", "us-east-1");
    ASSERT_TRUE(outcome.ok()) << outcome.errors.front();
    const fs::path golden = kFixtures + "/route53.expected.yaml";
    if (std::getenv("VPCSTACK_UPDATE_GOLDEN") != nullptr) {
        std::ofstream(golden) << outcome.yaml;
    }
    EXPECT_EQ(outcome.yaml, read_file(golden));
}

const dns::RecordSet* record(const model::HostedZone& z, const std::string& name,
                             const std::string& set_identifier = "") {
    for (const auto& rs : z.zone.record_sets) {
        if (rs.name == name && rs.set_identifier == set_identifier) return &rs;
    }
    return nullptr;
}

// The imported Route 53 scenario loads with its zones: the apex SOA and NS records are left
// out, the alias to the ALB names it, the alias to CloudFront and the string-matching health
// check are left out with warnings, and the VPC keeps the DNS attributes its private zone needs.
TEST(AwsImport, TheRoute53ScenarioLoadsWithItsZonesAndHealthChecks) {
    ImportOutcome outcome = import_aws(kFixtures + "/route53", "us-east-1");
    ASSERT_TRUE(outcome.ok()) << outcome.errors.front();
    if (std::getenv("VPCSTACK_SHOW_REPORT") != nullptr) std::cout << format_report(outcome);
    model::LoadResult loaded = load(outcome);
    ASSERT_TRUE(loaded.ok());
    const model::Topology& t = *loaded.topology;
    ASSERT_EQ(t.vpcs.size(), 1u);
    EXPECT_TRUE(t.vpcs[0].enable_dns_support);
    EXPECT_TRUE(t.vpcs[0].enable_dns_hostnames);  // from describe-vpc-attribute

    ASSERT_EQ(t.hosted_zones.size(), 2u);
    const model::HostedZone& pub = t.hosted_zones[0];
    const model::HostedZone& priv = t.hosted_zones[1];
    EXPECT_EQ(pub.meta.name, "example.com");
    EXPECT_EQ(pub.meta.id, "Z0PUBLIC000000001");
    EXPECT_FALSE(pub.is_private);
    EXPECT_TRUE(priv.is_private);
    ASSERT_EQ(priv.vpcs.size(), 1u);
    EXPECT_EQ(t.vpcs[priv.vpcs[0]].meta.name, "shop");
    ASSERT_EQ(priv.zone.record_sets.size(), 1u);  // db; SOA and NS left out
    EXPECT_EQ(priv.zone.record_sets[0].name, "db.example.com");

    for (const auto& rs : pub.zone.record_sets) {
        EXPECT_NE(rs.type, dns::RrType::SOA) << rs.name;
        EXPECT_FALSE(rs.type == dns::RrType::NS && rs.name == "example.com");
    }
    EXPECT_EQ(record(pub, "cdn.example.com"), nullptr);  // a CloudFront alias
    const dns::RecordSet* shop = record(pub, "shop.example.com");
    ASSERT_NE(shop, nullptr);
    ASSERT_TRUE(shop->alias.has_value());
    const auto at = static_cast<std::size_t>(shop - pub.zone.record_sets.data());
    ASSERT_NE(pub.alias_load_balancers[at], model::kNone);
    EXPECT_EQ(t.load_balancers[pub.alias_load_balancers[at]].meta.name, "shop-alb");
    ASSERT_NE(record(pub, "*.example.com"), nullptr);  // \052 decoded
    const dns::RecordSet* api_a = record(pub, "api.example.com", "a");
    ASSERT_NE(api_a, nullptr);
    EXPECT_EQ(api_a->ttl, 60u);
    const auto api_at = static_cast<std::size_t>(api_a - pub.zone.record_sets.data());
    ASSERT_NE(pub.record_health_checks[api_at], model::kNone);
    EXPECT_EQ(t.health_checks[pub.record_health_checks[api_at]].meta.name, "api-a");
    const dns::RecordSet* secondary = record(pub, "app.example.com", "secondary");
    ASSERT_NE(secondary, nullptr);
    ASSERT_TRUE(secondary->alias.has_value());  // to shop, a record of the same zone

    // HTTP_STR_MATCH is not modelled: three health checks of four.
    ASSERT_EQ(t.health_checks.size(), 3u);
    const model::Route53HealthCheck& calc = t.health_checks[2];
    EXPECT_EQ(calc.meta.name, "api-or-status");  // its Name tag
    EXPECT_EQ(calc.type, model::HealthCheckType::Calculated);
    EXPECT_EQ(calc.children.size(), 2u);
    auto warned = [&](const std::string& text) {
        return std::any_of(outcome.report.warnings.begin(), outcome.report.warnings.end(),
                           [&](const std::string& w) { return w.find(text) != std::string::npos; });
    };
    EXPECT_TRUE(warned("cdn.example.com. A"));
    EXPECT_TRUE(warned("HTTP_STR_MATCH"));
}

// The imported web scenario loads: the load balancers, their listeners and rules, the target
// groups with their settings and targets, and the Auto Scaling group that stands for the
// cloud's web servers.
TEST(AwsImport, TheWebScenarioLoadsWithItsLoadBalancingInPlace) {
    ImportOutcome outcome = import_aws(kFixtures + "/web", "us-east-1");
    ASSERT_TRUE(outcome.ok()) << outcome.errors.front();
    model::LoadResult loaded = load(outcome);
    ASSERT_TRUE(loaded.ok());
    const model::Topology& t = *loaded.topology;
    if (std::getenv("VPCSTACK_SHOW_REPORT") != nullptr) std::cout << format_report(outcome);
    ASSERT_EQ(t.load_balancers.size(), 2u);
    const model::LoadBalancer& alb = t.load_balancers[0];
    EXPECT_EQ(alb.meta.name, "shop-alb");
    EXPECT_EQ(alb.type, model::LoadBalancerType::Application);
    ASSERT_EQ(alb.nodes.size(), 2u);
    EXPECT_EQ(alb.nodes[0].private_ip.to_string(), "10.20.0.100");  // from its ENI
    ASSERT_EQ(alb.listeners.size(), 2u);
    const model::Listener& https = alb.listeners[1];
    EXPECT_EQ(https.certificate, "shop.example.com");  // the ACM certificate's domain
    // Rule 40 forwards to a Lambda group, which is not modelled: four rules remain.
    ASSERT_EQ(https.rules.size(), 4u);
    EXPECT_EQ(https.rules[1].action.target_groups.size(), 2u);
    EXPECT_EQ(https.rules[1].action.target_groups[1].weight, 10u);
    EXPECT_EQ(https.rules[1].action.group_stickiness, 300u);
    EXPECT_EQ(https.rules[2].action.status_code, 503);
    EXPECT_EQ(https.rules[3].conditions[0].values,
              (std::vector<std::string>{"version=2", "=beta"}));
    EXPECT_EQ(alb.listeners[0].default_action.kind, model::ActionKind::Redirect);
    EXPECT_EQ(alb.listeners[0].default_action.redirect_port, "443");
    EXPECT_EQ(alb.listeners[0].default_action.redirect_path, "");  // the request's

    const model::LoadBalancer& nlb = t.load_balancers[1];
    EXPECT_TRUE(nlb.cross_zone);
    ASSERT_EQ(nlb.nodes.size(), 2u);
    ASSERT_NE(nlb.nodes[1].elastic_ip, model::kNone);
    EXPECT_EQ(t.elastic_ips[nlb.nodes[1].elastic_ip].address.to_string(), "203.0.113.52");

    // The Auto Scaling group launches three web servers, registered in web-tg, in place of the
    // cloud's three; they are not written twice.
    ASSERT_EQ(t.auto_scaling_groups.size(), 1u);
    const model::AutoScalingGroup& asg = t.auto_scaling_groups[0];
    EXPECT_EQ(asg.health_check_grace_period, 0u);  // the group's own value, not a default
    EXPECT_EQ(asg.instances.size(), 3u);
    EXPECT_EQ(std::count_if(t.instances.begin(), t.instances.end(),
                            [](const model::Instance& i) {
                                return i.meta.id.rfind("i-", 0) == 0 &&
                                       i.meta.name.rfind("web", 0) == 0;
                            }),
              0);
    const model::LaunchTemplate& lt = t.launch_templates.at(asg.launch_template);
    EXPECT_EQ(lt.user_data, "python3 -m http.server 80");  // version 3, the default
    ASSERT_EQ(lt.security_groups.size(), 1u);
    EXPECT_EQ(t.security_groups[lt.security_groups[0]].meta.name, "web-sg");
    const model::TargetGroup* web_tg = nullptr;
    for (const auto& g : t.target_groups) {
        if (g.meta.name == "web-tg") web_tg = &g;
    }
    ASSERT_NE(web_tg, nullptr);
    EXPECT_EQ(web_tg->targets.size(), 3u);
    EXPECT_EQ(web_tg->stickiness.kind, model::StickinessKind::LbCookie);
    EXPECT_EQ(web_tg->deregistration_delay, 30u);

    // The group with a mixed instances policy is not modelled: its instance stays an instance.
    EXPECT_NE(instance(t, "batch"), nullptr);
    const auto& nm = outcome.report.not_modelled;
    EXPECT_EQ(nm.at("Auto Scaling groups with a mixed instances policy"), 1);
    EXPECT_EQ(nm.at("target groups of type lambda"), 1);
    EXPECT_EQ(nm.count("network interfaces of type network_load_balancer"), 0u);
    const auto& w = outcome.report.warnings;
    auto warned = [&](const std::string& part) {
        return std::any_of(w.begin(), w.end(),
                           [&](const std::string& s) { return s.find(part) != std::string::npos; });
    };
    EXPECT_TRUE(
        warned("certificate arn:aws:acm:us-east-1:111122223333:certificate/"
               "8d2b4e6f-1a3c-4e5f-b7d9-2c4e6f8a0b1d is named "
               "acm-8d2b4e6f-1a3c-4e5f-b7d9-2c4e6f8a0b1d after its ARN"));
    EXPECT_TRUE(warned("listener HTTPS 443 rule 40"));
    EXPECT_TRUE(
        warned("launch template batch-lt (lt-0b0000000000a0002) is used by no Auto "
               "Scaling group that is imported"));
}

TEST(AwsImport, TheNatScenarioLoadsBackWithEveryFieldInPlace) {
    ImportOutcome outcome = import_aws(kFixtures + "/nat", "us-east-1");
    ASSERT_TRUE(outcome.ok()) << outcome.errors.front();
    model::LoadResult loaded = load(outcome);
    ASSERT_TRUE(loaded.ok());
    const model::Topology& t = *loaded.topology;
    EXPECT_EQ(t.region, "us-east-1");
    ASSERT_EQ(t.vpcs.size(), 1u);
    EXPECT_EQ(t.vpcs[0].meta.id, "vpc-0a1b2c3d4e5f60001");
    EXPECT_EQ(t.vpcs[0].account, "111122223333");
    EXPECT_EQ(t.vpcs[0].cidrs.size(), 2u);  // the disassociated block is left out

    // The private subnet routes the internet through the NAT gateway, whose Elastic IP is kept.
    ASSERT_EQ(t.nat_gateways.size(), 1u);
    EXPECT_EQ(t.nat_gateways[0].private_ip.to_string(), "10.0.1.20");
    EXPECT_EQ(t.public_address_of_nat(0)->to_string(), "203.0.113.20");
    const model::Subnet& priv = t.subnets.at(1);
    EXPECT_EQ(priv.meta.name, "private-a");
    const model::RouteTable& table = t.route_tables.at(priv.route_table);
    EXPECT_TRUE(table.main);
    bool via_nat = std::any_of(table.routes.begin(), table.routes.end(), [](const auto& r) {
        return r.destination.to_string() == "0.0.0.0/0" &&
               r.target.kind == model::RouteTargetKind::NatGateway;
    });
    EXPECT_TRUE(via_nat);

    // The third subnet has no explicit association: it uses the main table and default ACL.
    EXPECT_FALSE(t.subnets.at(2).explicit_route_table);
    EXPECT_FALSE(t.subnets.at(2).explicit_network_acl);
    EXPECT_TRUE(t.network_acls.at(t.subnets.at(2).network_acl).is_default);

    // Instances: launch public IP, Elastic IP, stopped state, two ENIs without src/dst check.
    const model::Instance* web = instance(t, "web");
    ASSERT_NE(web, nullptr);
    EXPECT_EQ(t.enis[web->enis[0]].public_ip->to_string(), "203.0.113.10");
    const model::Instance* fw = instance(t, "firewall");
    ASSERT_NE(fw, nullptr);
    ASSERT_EQ(fw->enis.size(), 2u);
    EXPECT_EQ(t.public_address_of_eni(fw->enis[0])->to_string(), "203.0.113.30");
    EXPECT_FALSE(t.enis[fw->enis[1]].source_dest_check);
    EXPECT_FALSE(instance(t, "batch")->running);
    EXPECT_FALSE(instance(t, "spare")->running);
    EXPECT_EQ(instance(t, "old-worker"), nullptr);  // terminated, no ENI left
    EXPECT_EQ(t.enis[instance(t, "app-server")->enis[0]].private_ips.size(), 2u);

    // Security groups: a group pair and a prefix list resolve to imported resources.
    const model::SecurityGroup& app = t.security_groups.at(2);
    EXPECT_EQ(app.meta.name, "app");
    EXPECT_EQ(t.security_groups.at(app.ingress.at(0).group).meta.name, "web");
    EXPECT_EQ(app.ingress.at(0).description, "from the web tier");
    ASSERT_EQ(app.egress.size(), 1u);
    EXPECT_EQ(app.egress[0].ports, net::PortRange::single(443));
    ASSERT_EQ(t.prefix_lists.size(), 2u);
    EXPECT_EQ(t.prefix_lists[0].cidrs.size(), 2u);
}

TEST(AwsImport, TheNatScenarioReportListsWhatIsNotModelledYet) {
    ImportOutcome outcome = import_aws(kFixtures + "/nat", "us-east-1");
    ASSERT_TRUE(outcome.ok());
    const auto& nm = outcome.report.not_modelled;
    EXPECT_EQ(nm.at("transit gateways"), 1);
    EXPECT_EQ(nm.at("VPC endpoints"), 2);
    // The fixture's load balancer record lacks AvailabilityZones (its subnets): not imported.
    EXPECT_EQ(nm.at("load balancers without their AvailabilityZones in the input"), 1);
    EXPECT_EQ(nm.at("VPN gateways"), 1);
    EXPECT_EQ(nm.at("routes to transit gateways"), 1);
    EXPECT_EQ(nm.at("routes to virtual private gateways"), 1);
    EXPECT_EQ(nm.at("network interfaces of type network_load_balancer"), 1);
    // public-rt is associated with the internet gateway but routes 0.0.0.0/0 to it, which the
    // cloud refuses for a gateway route table: the association is left out and said so.
    EXPECT_EQ(nm.count("route table gateway associations (ingress routing)"), 0u);
    EXPECT_NE(std::find_if(outcome.report.warnings.begin(), outcome.report.warnings.end(),
                           [](const std::string& w) {
                               return w.find("association left out") != std::string::npos;
                           }),
              outcome.report.warnings.end());
    std::string report = format_report(outcome);
    EXPECT_NE(report.find("read 17 files; imported 1 VPC, 3 subnets, 2 route tables, 2 network "
                          "ACLs, 4 security groups, 1 internet gateway, 1 NAT gateway, 5 "
                          "instances, 6 ENIs, 3 Elastic IPs, 2 prefix lists\n"),
              std::string::npos)
        << report;
    EXPECT_NE(report.find("not modelled yet (listed here, not in the topology):\n"),
              std::string::npos);
    EXPECT_NE(report.find("     1  transit gateways\n"), std::string::npos);
    EXPECT_NE(report.find("warning: NAT gateway nat-0a00000000000f002 is deleted; not imported\n"),
              std::string::npos);
}

TEST(AwsImport, ThePeeringLayoutKeepsRegionsAccountsAndOnePeeringPerPair) {
    ImportOutcome outcome = import_aws(kFixtures + "/peering", "");
    ASSERT_TRUE(outcome.ok()) << outcome.errors.front();
    model::LoadResult loaded = load(outcome);
    ASSERT_TRUE(loaded.ok());
    const model::Topology& t = *loaded.topology;
    EXPECT_EQ(t.region, "us-east-1");  // the region of most VPCs
    ASSERT_EQ(t.vpcs.size(), 4u);
    std::map<std::string, const model::Vpc*> vpcs;
    for (const auto& v : t.vpcs) vpcs[v.meta.name] = &v;
    EXPECT_EQ(vpcs.at("data")->region, "eu-west-1");
    EXPECT_EQ(vpcs.at("data")->account, "444455556666");
    EXPECT_EQ(vpcs.at("tools")->region, "us-east-1");
    // The peering seen from both accounts is written once, with the requester's name tag.
    ASSERT_EQ(t.peerings.size(), 3u);
    EXPECT_EQ(t.peerings[0].meta.name, "app-data");
    EXPECT_EQ(t.peerings[0].status, model::PeeringStatus::Active);
    EXPECT_EQ(t.vpcs[t.peerings[0].accepter].meta.name, "data");
    EXPECT_EQ(t.peerings[2].status, model::PeeringStatus::PendingAcceptance);
    // The same-region, cross-account group pair resolves to the tools VPC's bastion group.
    const model::SecurityGroup& app_sg = t.security_groups.at(1);
    const model::SgRule& ssh = app_sg.ingress.at(0);
    ASSERT_EQ(ssh.peer_kind, model::PeerKind::SecurityGroup);
    EXPECT_EQ(t.security_groups.at(ssh.group).meta.id, "sg-0d40000000000e002");
    // Warnings name what was left out.
    const auto& w = outcome.report.warnings;
    EXPECT_TRUE(std::any_of(w.begin(), w.end(), [](const std::string& s) {
        return s.find(
                   "peering pcx-0c10000000000d004 (active): VPC vpc-0e70000000000a001 (account "
                   "777788889999, region ap-southeast-2) is not in the input") != std::string::npos;
    }));
}

TEST(AwsImport, InputErrorsStopTheImportAndNameFileAndPath) {
    fs::path dir = fs::temp_directory_path() / "vpcstack-import-errors-test";
    fs::remove_all(dir);
    fs::create_directories(dir / "us-east-1");
    std::ofstream(dir / "us-east-1" / "Subnets.json")
        << R"({"Subnets": [{"SubnetId": "s-1", "VpcId": "vpc-1"}]})";
    std::ofstream(dir / "us-east-1" / "broken.json") << "{\"Vpcs\": [";
    ImportOutcome outcome = import_aws(dir.string(), "");
    ASSERT_EQ(outcome.errors.size(), 2u);
    EXPECT_EQ(outcome.errors[0],
              "us-east-1/Subnets.json: $.Subnets[0].CidrBlock: missing; expected a CIDR string");
    EXPECT_EQ(outcome.errors[1].rfind("us-east-1/broken.json: malformed JSON: parse error at line "
                                      "1, column 11:",
                                      0),
              0u)
        << outcome.errors[1];
    EXPECT_TRUE(outcome.yaml.empty());
    fs::remove_all(dir);
}

TEST(AwsImport, WritingIsAtomicAndLeavesNoTemporaryFile) {
    fs::path dir = fs::temp_directory_path() / "vpcstack-import-write-test";
    fs::remove_all(dir);
    fs::create_directories(dir);
    fs::path out = dir / "topo.yaml";
    std::ofstream(out) << "old\n";
    EXPECT_EQ(write_file_atomically(out.string(), "region: us-east-1\n"), "");
    EXPECT_EQ(read_file(out), "region: us-east-1\n");
    EXPECT_EQ(std::distance(fs::directory_iterator(dir), fs::directory_iterator{}), 1);
    EXPECT_EQ(fs::status(out).permissions() & fs::perms::others_read, fs::perms::others_read);

    std::string error = write_file_atomically((dir / "missing" / "topo.yaml").string(), "x");
    EXPECT_EQ(
        error.rfind(
            (dir / "missing" / "topo.yaml").string() + ": cannot create a temporary file in ", 0),
        0u)
        << error;
    fs::remove_all(dir);
}

}  // namespace
}  // namespace vpcstack::importers::aws
