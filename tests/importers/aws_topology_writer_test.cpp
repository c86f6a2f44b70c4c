#include "vpcstack/importers/aws_topology_writer.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>

#include "../model/raw_topology_diff.hpp"
#include "vpcstack/importers/aws_reader.hpp"
#include "vpcstack/model/loader.hpp"

namespace vpcstack::importers::aws {
namespace {

// One VPC with a public and a private subnet; tests add the rest.
const char* kVpc = R"({
  "Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "OwnerId": "111122223333",
            "Tags": [{"Key": "Name", "Value": "prod"}]}],
  "Subnets": [
    {"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24", "AvailabilityZone": "us-east-1a",
     "Tags": [{"Key": "Name", "Value": "public"}]},
    {"SubnetId": "subnet-2", "VpcId": "vpc-1", "CidrBlock": "10.0.2.0/24", "AvailabilityZone": "us-east-1a",
     "Tags": [{"Key": "Name", "Value": "private"}]}],
  "InternetGateways": [{"InternetGatewayId": "igw-1", "Attachments": [{"State": "available", "VpcId": "vpc-1"}]}]
})";

std::string route_table(const std::string& routes) {
    return R"({"RouteTables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-1",
        "Associations": [{"Main": true}], "Routes": [
        {"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},)" +
           routes + "]}]}";
}

struct Imported {
    WriteResult result;
    model::LoadResult loaded;
    bool has_line(const std::string& text) const {
        return result.yaml.find(text + "\n") != std::string::npos;
    }
    int not_modelled(const std::string& what) const {
        auto it = result.report.not_modelled.find(what);
        return it == result.report.not_modelled.end() ? 0 : it->second;
    }
    bool warned(const std::string& part) const {
        return std::any_of(result.report.warnings.begin(), result.report.warnings.end(),
                           [&](const std::string& w) { return w.find(part) != std::string::npos; });
    }
};

// The YAML written reads back as the raw topology the import made.
void expect_round_trip(const WriteResult& result) {
    model::Diagnostics d;
    auto read = model::read_topology_yaml(result.yaml, "imported.yaml", d);
    ASSERT_TRUE(read.has_value()) << result.yaml;
    EXPECT_FALSE(d.has_errors()) << result.yaml;
    EXPECT_EQ(model::testing::raw_difference(result.topology, *read), "") << result.yaml;
}

// Reads the documents, writes the topology and loads it back: every topology the importer
// writes must load, and read back as what it made.
Imported import_docs(const std::vector<std::string>& docs,
                     const std::string& region = "us-east-1") {
    ReadResult read;
    int n = 0;
    for (const std::string& doc : docs) {
        read_aws_document(doc, "doc" + std::to_string(n++) + ".json", region, "", read);
    }
    EXPECT_TRUE(read.ok()) << read.errors.front();
    Imported out{write_topology_yaml(read.inventory, WriteOptions{region}), {}};
    if (out.result.ok()) {
        expect_round_trip(out.result);
        out.loaded = model::load_topology_text(out.result.yaml, "imported.yaml");
        std::string diagnostics;
        for (const auto& d : out.loaded.diagnostics.sorted()) diagnostics += d.to_string() + "\n";
        EXPECT_TRUE(out.loaded.ok()) << diagnostics << out.result.yaml;
    }
    return out;
}

TEST(AwsTopologyWriter, RoutesToTargetsNotModelledYetBecomeCountedBlackholeRoutes) {
    auto t = import_docs({kVpc, route_table(R"(
        {"DestinationCidrBlock": "10.50.0.0/16", "TransitGatewayId": "tgw-1", "State": "active"},
        {"DestinationCidrBlock": "192.168.0.0/16", "GatewayId": "vgw-1", "State": "active"},
        {"DestinationCidrBlock": "172.16.0.0/16", "LocalGatewayId": "lgw-1", "State": "active"},
        {"DestinationCidrBlock": "172.17.0.0/16", "CarrierGatewayId": "cagw-1", "State": "active"},
        {"DestinationCidrBlock": "172.18.0.0/16", "GatewayId": "vpce-1", "State": "active"})")});
    EXPECT_TRUE(t.has_line(
        "          - 10.50.0.0/16 -> blackhole  # transit gateway tgw-1: not modelled yet"));
    EXPECT_TRUE(
        t.has_line("          - 192.168.0.0/16 -> blackhole  # virtual private gateway vgw-1: not "
                   "modelled yet"));
    EXPECT_TRUE(t.has_line(
        "          - 172.16.0.0/16 -> blackhole  # local gateway lgw-1: not modelled yet"));
    EXPECT_TRUE(t.has_line(
        "          - 172.17.0.0/16 -> blackhole  # carrier gateway cagw-1: not modelled yet"));
    EXPECT_TRUE(t.has_line(
        "          - 172.18.0.0/16 -> blackhole  # VPC endpoint vpce-1: not modelled yet"));
    EXPECT_EQ(t.not_modelled("routes to transit gateways"), 1);
    EXPECT_EQ(t.not_modelled("routes to virtual private gateways"), 1);
    EXPECT_EQ(t.not_modelled("routes to local gateways"), 1);
    EXPECT_EQ(t.not_modelled("routes to carrier gateways"), 1);
    EXPECT_EQ(t.not_modelled("routes to VPC endpoints"), 1);
    ASSERT_TRUE(t.loaded.ok());
    const auto& routes = t.loaded.topology->route_tables.at(0).routes;
    EXPECT_EQ(std::count_if(routes.begin(), routes.end(),
                            [](const model::Route& r) {
                                return r.target.kind == model::RouteTargetKind::Blackhole;
                            }),
              5);
}

TEST(AwsTopologyWriter, ARouteInsideTheVpcToAMissingTargetIsCommentedOutAndWarned) {
    // AWS: middlebox routing only allows a NAT gateway or ENI there, so no blackhole either.
    auto t = import_docs({kVpc, route_table(R"(
        {"DestinationCidrBlock": "10.0.2.0/24", "GatewayId": "vpce-9", "State": "active"})")});
    EXPECT_TRUE(
        t.has_line("          # - 10.0.2.0/24 -> vpce-9  # VPC endpoint vpce-9: not modelled yet"));
    EXPECT_TRUE(t.has_line("        routes: []"));
    EXPECT_TRUE(t.warned("route 10.0.2.0/24 -> vpce-9"));
    EXPECT_EQ(t.not_modelled("routes to VPC endpoints"), 1);
}

TEST(AwsTopologyWriter, IgwNatPeeringAndBlackholeRoutes) {
    const char* nat = R"({"NatGateways": [
        {"NatGatewayId": "nat-1", "VpcId": "vpc-1", "SubnetId": "subnet-1", "State": "available",
         "ConnectivityType": "public", "Tags": [{"Key": "Name", "Value": "nat a"}],
         "NatGatewayAddresses": [{"AllocationId": "eipalloc-1", "NetworkInterfaceId": "eni-n",
             "PrivateIp": "10.0.1.20", "PublicIp": "203.0.113.20", "IsPrimary": true},
             {"AllocationId": "eipalloc-2", "PrivateIp": "10.0.1.21", "PublicIp": "203.0.113.21",
              "IsPrimary": false}]},
        {"NatGatewayId": "nat-2", "VpcId": "vpc-1", "SubnetId": "subnet-1", "State": "deleted",
         "NatGatewayAddresses": []}]})";
    auto t = import_docs({kVpc, nat, route_table(R"(
        {"DestinationCidrBlock": "0.0.0.0/0", "NatGatewayId": "nat-1", "State": "active"},
        {"DestinationCidrBlock": "198.51.100.0/24", "GatewayId": "igw-1", "State": "active"},
        {"DestinationCidrBlock": "203.0.113.0/24", "NatGatewayId": "nat-2", "State": "blackhole"})")});
    EXPECT_TRUE(t.has_line("          - 0.0.0.0/0 -> nat/nat-a"));
    EXPECT_TRUE(t.has_line("          - 198.51.100.0/24 -> igw"));
    EXPECT_TRUE(
        t.has_line("          - {destination: 203.0.113.0/24, target: blackhole, was: nat-2}  # "
                   "NAT gateway nat-2 is not in the input or not available"));
    EXPECT_TRUE(
        t.has_line("      - {name: nat-a, id: nat-1, subnet: public, private_ip: 10.0.1.20, "
                   "elastic_ip: eipalloc-1, type: public}"));
    EXPECT_TRUE(t.warned("NAT gateway nat-2 is deleted; not imported"));
    EXPECT_EQ(t.not_modelled("NAT gateway secondary addresses"), 1);
    ASSERT_TRUE(t.loaded.ok());
    const model::Topology& topo = *t.loaded.topology;
    ASSERT_EQ(topo.nat_gateways.size(), 1u);
    EXPECT_EQ(topo.public_address_of_nat(0)->to_string(), "203.0.113.20");
}

const char* kInstances = R"({"Reservations": [{"OwnerId": "111122223333", "Instances": [
    {"InstanceId": "i-1", "State": {"Code": 16, "Name": "running"}, "Tags": [{"Key": "Name", "Value": "web"}],
     "NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "SubnetId": "subnet-1", "VpcId": "vpc-1",
         "PrivateIpAddress": "10.0.1.10", "Attachment": {"DeviceIndex": 0},
         "Association": {"IpOwnerId": "amazon", "PublicIp": "203.0.113.10"},
         "Groups": [{"GroupId": "sg-1"}]}]},
    {"InstanceId": "i-2", "State": {"Code": 80, "Name": "stopped"}, "Tags": [{"Key": "Name", "Value": "web"}],
     "NetworkInterfaces": [{"NetworkInterfaceId": "eni-2", "SubnetId": "subnet-2", "VpcId": "vpc-1",
         "PrivateIpAddress": "10.0.2.10", "Attachment": {"DeviceIndex": 0},
         "PrivateIpAddresses": [{"Primary": true, "PrivateIpAddress": "10.0.2.10"},
                                {"Primary": false, "PrivateIpAddress": "10.0.2.11",
                                 "Association": {"IpOwnerId": "111122223333", "PublicIp": "203.0.113.77"}}],
         "SourceDestCheck": false}]},
    {"InstanceId": "i-3", "State": {"Code": 48, "Name": "terminated"}, "NetworkInterfaces": []}]}]})";

const char* kGroups = R"({"SecurityGroups": [
    {"GroupId": "sg-0", "GroupName": "default", "VpcId": "vpc-1",
     "IpPermissions": [{"IpProtocol": "-1", "UserIdGroupPairs": [{"GroupId": "sg-0"}]}],
     "IpPermissionsEgress": [{"IpProtocol": "-1", "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]},
    {"GroupId": "sg-1", "GroupName": "web sg", "VpcId": "vpc-1",
     "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}],
     "IpPermissionsEgress": []}]})";

TEST(AwsTopologyWriter, InstancesKeepStateAddressesAndSourceDestCheck) {
    auto t = import_docs({kVpc, kGroups, kInstances});
    EXPECT_TRUE(t.has_line("      - name: web-2"));  // two instances tagged "web"
    EXPECT_TRUE(t.has_line("        state: stopped"));
    EXPECT_TRUE(t.has_line("            public_ip: 203.0.113.10"));
    EXPECT_TRUE(t.has_line("            private_ips: [10.0.2.10, 10.0.2.11]"));
    EXPECT_TRUE(t.has_line("            source_dest_check: false"));
    EXPECT_TRUE(t.has_line("            security_groups: [web-sg]"));
    EXPECT_TRUE(t.has_line("        egress: []"));  // no egress rule in the cloud: none written
    EXPECT_TRUE(t.warned("instance i-3 (terminated) has no network interface in the input"));
    EXPECT_EQ(t.not_modelled("public addresses on secondary private addresses"), 1);
    ASSERT_TRUE(t.loaded.ok());
    const model::Topology& topo = *t.loaded.topology;
    ASSERT_EQ(topo.instances.size(), 2u);
    EXPECT_TRUE(topo.instances[0].running);
    EXPECT_FALSE(topo.instances[1].running);
    EXPECT_EQ(topo.enis[0].public_ip->to_string(), "203.0.113.10");
    EXPECT_FALSE(topo.enis[1].source_dest_check);
    EXPECT_TRUE(topo.security_groups[1].egress.empty());
}

// The public address of a deleted NAT gateway was the account's: nothing answers there now.
TEST(AwsTopologyWriter, ADeletedNatGatewaysPublicAddressIsRecordedAsUnassigned) {
    const char* nats = R"({"NatGateways": [{"NatGatewayId": "nat-1", "VpcId": "vpc-1",
        "SubnetId": "subnet-1", "State": "deleted", "ConnectivityType": "public",
        "NatGatewayAddresses": [{"AllocationId": "eipalloc-9", "PrivateIp": "10.0.1.9",
                                 "PublicIp": "203.0.113.9"}]}]})";
    auto t = import_docs({kVpc, nats});
    EXPECT_TRUE(t.has_line("internet:")) << t.result.yaml;
    EXPECT_TRUE(t.has_line("  unassigned: [203.0.113.9]")) << t.result.yaml;
    ASSERT_TRUE(t.loaded.ok());
    ASSERT_EQ(t.loaded.topology->internet_unassigned.size(), 1u);
    EXPECT_EQ(t.loaded.topology->internet_unassigned[0].to_string(), "203.0.113.9");
}

TEST(AwsTopologyWriter, ElasticIpsComeFromDescribeAddressesOrTheEniAssociation) {
    const char* enis = R"({"NetworkInterfaces": [
        {"NetworkInterfaceId": "eni-a", "SubnetId": "subnet-1", "VpcId": "vpc-1", "InterfaceType": "interface",
         "PrivateIpAddress": "10.0.1.10", "Attachment": {"InstanceId": "i-a", "DeviceIndex": 0},
         "Association": {"AllocationId": "eipalloc-a", "IpOwnerId": "111122223333", "PublicIp": "203.0.113.1"}},
        {"NetworkInterfaceId": "eni-b", "SubnetId": "subnet-1", "VpcId": "vpc-1", "InterfaceType": "interface",
         "PrivateIpAddress": "10.0.1.11", "Attachment": {"InstanceId": "i-b", "DeviceIndex": 0},
         "PrivateIpAddresses": [{"Primary": true, "PrivateIpAddress": "10.0.1.11"},
                                {"Primary": false, "PrivateIpAddress": "10.0.1.12"}]}]})";
    const char* addresses = R"({"Addresses": [
        {"AllocationId": "eipalloc-b", "PublicIp": "203.0.113.2", "NetworkInterfaceId": "eni-b",
         "PrivateIpAddress": "10.0.1.12", "Tags": [{"Key": "Name", "Value": "b-eip"}]}]})";
    auto t = import_docs({kVpc, enis, addresses});
    // eipalloc-a was only seen on the ENI: made an Elastic IP of its own.
    EXPECT_TRUE(t.has_line("  - {name: eipalloc-a, id: eipalloc-a, address: 203.0.113.1}"));
    EXPECT_TRUE(t.has_line("            elastic_ip: eipalloc-a"));
    // b-eip sits on a secondary address: associated with that address.
    // AWS: EC2 using-instance-addressing-eips.
    EXPECT_TRUE(t.has_line("  - {name: b-eip, id: eipalloc-b, address: 203.0.113.2}"));
    EXPECT_TRUE(t.has_line(
        "            secondary_elastic_ips: [{private_ip: 10.0.1.12, elastic_ip: b-eip}]"));
    EXPECT_EQ(t.not_modelled("Elastic IPs on secondary private addresses"), 0);
    // The instances were not in describe-instances: made from their ENIs.
    EXPECT_TRUE(t.warned("instance i-a is not in describe-instances"));
    ASSERT_TRUE(t.loaded.ok());
    EXPECT_EQ(t.loaded.topology->public_address_of_eni(0)->to_string(), "203.0.113.1");
    EXPECT_FALSE(t.loaded.topology->public_address_of_eni(1).has_value());
    const auto mapped = t.loaded.topology->public_mappings_of_eni(1);
    ASSERT_EQ(mapped.size(), 1u);
    EXPECT_EQ(mapped[0].first.to_string(), "203.0.113.2");
    EXPECT_EQ(mapped[0].second.to_string(), "10.0.1.12");
}

TEST(AwsTopologyWriter, ARouteInsideTheVpcWhoseApplianceWasDeletedIsABlackholeNamingIt) {
    // AWS: VPC_Route_Tables — a route whose target is deleted is in state blackhole; it keeps
    // its destination, so it still wins over the local route by longest prefix.
    auto t = import_docs({kVpc, route_table(R"(
        {"DestinationCidrBlock": "10.0.2.0/24", "NetworkInterfaceId": "eni-gone",
         "State": "blackhole"},
        {"DestinationCidrBlock": "198.51.100.0/24", "NatGatewayId": "nat-gone",
         "State": "blackhole"})")});
    EXPECT_TRUE(
        t.has_line("          - {destination: 10.0.2.0/24, target: blackhole, was: "
                   "eni-gone}  # eni-gone is not in the input"));
    EXPECT_TRUE(
        t.has_line("          - {destination: 198.51.100.0/24, target: blackhole, was: "
                   "nat-gone}  # NAT gateway nat-gone is not in the input or not "
                   "available"));
    ASSERT_TRUE(t.loaded.ok());
    const auto& routes = t.loaded.topology->route_tables.at(0).routes;
    ASSERT_EQ(routes.size(), 3u);
    EXPECT_EQ(routes[1].target.kind, model::RouteTargetKind::Blackhole);
    EXPECT_EQ(routes[1].target.was, "eni-gone");
}

TEST(AwsTopologyWriter, ARouteForTheVpcCidrToAnInterfaceReplacesTheLocalTarget) {
    // AWS: replace-local-route-target.
    // The cloud shows the replaced local route with the interface as its target.
    const char* table = R"({"RouteTables": [{"RouteTableId": "rtb-1", "VpcId": "vpc-1",
        "Associations": [{"Main": true}], "Routes": [
        {"DestinationCidrBlock": "10.0.0.0/16", "NetworkInterfaceId": "eni-2",
         "State": "active"}]}]})";
    auto t = import_docs({kVpc, kInstances, table});
    EXPECT_TRUE(t.has_line("          - 10.0.0.0/16 -> eni/web-2-eth0"));
    ASSERT_TRUE(t.loaded.ok());
    const auto& routes = t.loaded.topology->route_tables.at(0).routes;
    ASSERT_EQ(routes.size(), 1u);
    EXPECT_EQ(routes[0].target.kind, model::RouteTargetKind::Eni);
}

TEST(AwsTopologyWriter, RoutesToPrefixListsNameTheImportedList) {
    // AWS: managed-prefix-lists — a prefix list may be a route's destination.
    const char* lists = R"({"PrefixLists": [
        {"PrefixListId": "pl-1", "PrefixListName": "partners", "Cidrs": ["198.51.100.0/24"]}]})";
    auto t = import_docs({kVpc, lists, route_table(R"(
        {"DestinationPrefixListId": "pl-1", "GatewayId": "igw-1", "State": "active"},
        {"DestinationPrefixListId": "pl-404", "GatewayId": "igw-1", "State": "active"})")});
    EXPECT_TRUE(t.has_line("          - pl:partners -> igw"));
    EXPECT_TRUE(t.has_line("          # - pl-404 -> igw-1  # prefix list not in the input"));
    EXPECT_TRUE(t.warned("prefix list pl-404 is not in the input"));
    ASSERT_TRUE(t.loaded.ok());
    const auto& routes = t.loaded.topology->route_tables.at(0).routes;
    ASSERT_EQ(routes.size(), 2u);
    EXPECT_TRUE(routes[1].to_prefix_list());
}

TEST(AwsTopologyWriter, AGatewayAssociationBecomesTheInternetGatewaysRouteTable) {
    // AWS: gateway-route-tables — a route table associated with the internet gateway.
    const char* tables = R"({"RouteTables": [
        {"RouteTableId": "rtb-1", "VpcId": "vpc-1", "Associations": [{"Main": true}],
         "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"}]},
        {"RouteTableId": "rtb-edge", "VpcId": "vpc-1", "Tags": [{"Key": "Name", "Value": "edge"}],
         "Associations": [{"GatewayId": "igw-1", "AssociationState": {"State": "associated"}}],
         "Routes": [{"DestinationCidrBlock": "10.0.0.0/16", "GatewayId": "local", "State": "active"},
                    {"DestinationCidrBlock": "10.0.2.0/24", "NetworkInterfaceId": "eni-2",
                     "State": "active"}]}]})";
    auto t = import_docs({kVpc, kInstances, tables});
    EXPECT_TRUE(t.has_line("    internet_gateway: {name: igw-1, id: igw-1, route_table: edge}"));
    EXPECT_EQ(t.not_modelled("route table gateway associations (ingress routing)"), 0);
    ASSERT_TRUE(t.loaded.ok());
    const model::Topology& topo = *t.loaded.topology;
    ASSERT_EQ(topo.internet_gateways.size(), 1u);
    ASSERT_NE(topo.internet_gateways[0].route_table, model::kNone);
    EXPECT_EQ(topo.route_tables[topo.internet_gateways[0].route_table].meta.name, "edge");
}

TEST(AwsTopologyWriter, EnisOfServicesAreCountedAndDetachedEnisBecomeStoppedInstances) {
    const char* enis = R"({"NetworkInterfaces": [
        {"NetworkInterfaceId": "eni-lb", "SubnetId": "subnet-1", "VpcId": "vpc-1",
         "InterfaceType": "network_load_balancer", "PrivateIpAddress": "10.0.1.40", "Status": "in-use"},
        {"NetworkInterfaceId": "eni-ep", "SubnetId": "subnet-2", "VpcId": "vpc-1",
         "InterfaceType": "vpc_endpoint", "PrivateIpAddress": "10.0.2.40", "Status": "in-use"},
        {"NetworkInterfaceId": "eni-nat", "SubnetId": "subnet-1", "VpcId": "vpc-1",
         "InterfaceType": "nat_gateway", "PrivateIpAddress": "10.0.1.20", "Status": "in-use"},
        {"NetworkInterfaceId": "eni-free", "SubnetId": "subnet-2", "VpcId": "vpc-1",
         "InterfaceType": "interface", "PrivateIpAddress": "10.0.2.50", "Status": "available",
         "Description": "left over"},
        {"NetworkInterfaceId": "eni-rds", "SubnetId": "subnet-2", "VpcId": "vpc-1",
         "InterfaceType": "interface", "PrivateIpAddress": "10.0.2.60", "Status": "in-use",
         "RequesterManaged": true, "Attachment": {"InstanceOwnerId": "amazon-rds", "DeviceIndex": 1}}]})";
    auto t = import_docs({kVpc, enis, route_table(R"(
        {"DestinationCidrBlock": "198.51.100.0/24", "NetworkInterfaceId": "eni-lb", "State": "active"})")});
    EXPECT_EQ(t.not_modelled("network interfaces of type network_load_balancer"), 1);
    EXPECT_EQ(t.not_modelled("network interfaces of type vpc_endpoint"), 1);
    EXPECT_EQ(t.not_modelled("routes to network_load_balancer network interfaces"), 1);
    EXPECT_TRUE(
        t.has_line("          - 198.51.100.0/24 -> blackhole  # network_load_balancer "
                   "network interface eni-lb: not modelled yet"));
    EXPECT_TRUE(
        t.has_line("      - name: eni-free  # network interface eni-free with no instance "
                   "attached (left over)"));
    EXPECT_TRUE(t.has_line("        state: stopped"));
    EXPECT_TRUE(
        t.has_line("      - name: eni-rds  # network interface eni-rds with no instance "
                   "attached"));
    ASSERT_TRUE(t.loaded.ok());
    const model::Topology& topo = *t.loaded.topology;
    ASSERT_EQ(topo.instances.size(), 2u);  // not the NAT gateway's, load balancer's or endpoint's
    EXPECT_FALSE(topo.instances[0].running);
    EXPECT_TRUE(topo.instances[1].running);
}

TEST(AwsTopologyWriter, NamesAreSanitisedUniqueAndKeepTheCloudIds) {
    const char* more = R"({"Subnets": [
        {"SubnetId": "subnet-3", "VpcId": "vpc-1", "CidrBlock": "10.0.3.0/24", "Tags": [{"Key": "Name", "Value": "public"}]},
        {"SubnetId": "subnet-4", "VpcId": "vpc-1", "CidrBlock": "10.0.4.0/24"}],
        "RouteTables": [{"RouteTableId": "rtb-7", "VpcId": "vpc-1", "Tags": [{"Key": "Name", "Value": "main"}],
                         "Routes": []}]})";
    auto t = import_docs({kVpc, more});
    EXPECT_TRUE(t.has_line("      - {name: public-2, id: subnet-3, cidr: 10.0.3.0/24}"));
    EXPECT_TRUE(t.has_line("      - {name: subnet-4, id: subnet-4, cidr: 10.0.4.0/24}"));
    // No main table in the input: the loader makes "main", so a table tagged main is renamed.
    EXPECT_TRUE(t.has_line("      - name: main-2"));
}

const char* kTwoVpcs = R"({
  "Vpcs": [{"VpcId": "vpc-a", "CidrBlock": "10.1.0.0/16", "OwnerId": "111122223333", "Tags": [{"Key": "Name", "Value": "a"}]},
           {"VpcId": "vpc-b", "CidrBlock": "10.2.0.0/16", "OwnerId": "444455556666", "Tags": [{"Key": "Name", "Value": "b"}]}],
  "SecurityGroups": [
    {"GroupId": "sg-a", "GroupName": "app", "VpcId": "vpc-a", "IpPermissionsEgress": [],
     "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 22, "ToPort": 22,
         "UserIdGroupPairs": [{"GroupId": "sg-b", "UserId": "444455556666"},
                              {"GroupId": "sg-x", "UserId": "777788889999"}]}]},
    {"GroupId": "sg-b", "GroupName": "bastion", "VpcId": "vpc-b", "IpPermissionsEgress": []}]
})";

std::string peering(const std::string& id, const std::string& status) {
    return R"({"VpcPeeringConnections": [{"VpcPeeringConnectionId": ")" + id + R"(",
        "RequesterVpcInfo": {"VpcId": "vpc-a", "OwnerId": "111122223333", "Region": "us-east-1"},
        "AccepterVpcInfo": {"VpcId": "vpc-b", "OwnerId": "444455556666", "Region": "us-east-1"},
        "Status": {"Code": ")" +
           status + R"("}}]})";
}

TEST(AwsTopologyWriter, CrossAccountGroupReferencesResolveThroughAnActivePeering) {
    auto t = import_docs({kTwoVpcs, peering("pcx-1", "active"), peering("pcx-1", "active")});
    EXPECT_TRUE(t.has_line("          - tcp/22 from sg:b/bastion"));
    EXPECT_TRUE(t.has_line(
        "          # - tcp/22 from sg-x  # security group 777788889999/sg-x is not in the input"));
    EXPECT_TRUE(
        t.warned("rule tcp/22 from sg-x not imported: security group 777788889999/sg-x is "
                 "not in the input"));
    // Seen twice (from both accounts), written once.
    EXPECT_TRUE(
        t.has_line("  - {name: pcx-1, id: pcx-1, requester: a, accepter: b, status: active}"));
    ASSERT_TRUE(t.loaded.ok());
    EXPECT_EQ(t.loaded.topology->peerings.size(), 1u);
    const model::SgRule& rule = t.loaded.topology->security_groups.at(0).ingress.at(0);
    EXPECT_EQ(rule.peer_kind, model::PeerKind::SecurityGroup);
    EXPECT_EQ(t.loaded.topology->security_groups.at(rule.group).meta.id, "sg-b");
}

TEST(AwsTopologyWriter, AGroupOfAnUnpeeredVpcIsNotReferenced) {
    auto t = import_docs({kTwoVpcs, peering("pcx-1", "pending-acceptance")});
    EXPECT_TRUE(t.warned(
        "security group 444455556666/sg-b is in VPC b, not peered with this VPC (active, same "
        "region)"));
    EXPECT_TRUE(
        t.has_line("  - {name: pcx-1, id: pcx-1, requester: a, accepter: b, status: "
                   "pending-acceptance}"));
}

TEST(AwsTopologyWriter, OfTwoPeeringsBetweenTheSameVpcsTheActiveOneIsKept) {
    auto t = import_docs({kTwoVpcs, peering("pcx-old", "deleted"), peering("pcx-new", "active"),
                          peering("pcx-odd", "expired")});
    EXPECT_TRUE(
        t.has_line("  - {name: pcx-new, id: pcx-new, requester: a, accepter: b, status: active}"));
    EXPECT_TRUE(t.warned("peering pcx-old (deleted) joins the same VPCs as another peering"));
    EXPECT_TRUE(t.warned("peering pcx-odd (expired) joins the same VPCs as another peering"));
}

TEST(AwsTopologyWriter, APeeringToAVpcOutsideTheInputIsWarnedAndItsRoutesBlackholed) {
    const char* vpc = R"({"Vpcs": [{"VpcId": "vpc-a", "CidrBlock": "10.1.0.0/16"}],
        "RouteTables": [{"RouteTableId": "rtb-a", "VpcId": "vpc-a", "Associations": [{"Main": true}],
            "Routes": [{"DestinationCidrBlock": "10.9.0.0/16", "VpcPeeringConnectionId": "pcx-9",
                        "State": "active"}]}],
        "VpcPeeringConnections": [{"VpcPeeringConnectionId": "pcx-9", "Status": {"Code": "active"},
            "RequesterVpcInfo": {"VpcId": "vpc-a", "OwnerId": "111122223333", "Region": "us-east-1"},
            "AccepterVpcInfo": {"VpcId": "vpc-z", "OwnerId": "999988887777", "Region": "sa-east-1",
                                "CidrBlock": "10.9.0.0/16"}}]})";
    auto t = import_docs({vpc});
    EXPECT_TRUE(
        t.warned("peering pcx-9 (active): VPC vpc-z (account 999988887777, region "
                 "sa-east-1) is not in the input"));
    EXPECT_TRUE(t.has_line(
        "          - {destination: 10.9.0.0/16, target: blackhole, was: pcx-9}  # peering pcx-9 "
        "(active) is not imported: VPC vpc-z is not in the input"));
}

TEST(AwsTopologyWriter, AclRulesAreSortedNumberedAndTheFinalRuleIsImplicit) {
    const char* acl =
        R"({"NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "IsDefault": false,
        "Associations": [{"SubnetId": "subnet-1"}],
        "Entries": [
          {"RuleNumber": 32767, "Egress": false, "Protocol": "-1", "RuleAction": "deny", "CidrBlock": "0.0.0.0/0"},
          {"RuleNumber": 200, "Egress": false, "Protocol": "17", "RuleAction": "allow", "CidrBlock": "10.0.0.0/8",
           "PortRange": {"From": 53, "To": 53}},
          {"RuleNumber": 100, "Egress": false, "Protocol": "1", "RuleAction": "allow", "CidrBlock": "0.0.0.0/0",
           "IcmpTypeCode": {"Type": -1, "Code": -1}},
          {"RuleNumber": 100, "Egress": true, "Protocol": "6", "RuleAction": "deny", "CidrBlock": "203.0.113.0/24",
           "PortRange": {"From": 0, "To": 65535}}]}]})";
    auto t = import_docs({kVpc, acl});
    EXPECT_TRUE(
        t.has_line("        inbound:\n          - 100 allow icmp from 0.0.0.0/0\n          - "
                   "200 allow udp/53 from 10.0.0.0/8"));
    EXPECT_TRUE(t.has_line("        outbound:\n          - 100 deny tcp to 203.0.113.0/24"));
    EXPECT_EQ(t.result.yaml.find("32767"), std::string::npos);
    EXPECT_NE(t.result.yaml.find("network_acl: acl-1}"), std::string::npos);
    ASSERT_TRUE(t.loaded.ok());
    const model::NetworkAcl& a = t.loaded.topology->network_acls.at(0);
    ASSERT_EQ(a.inbound.size(), 2u);
    EXPECT_EQ(a.inbound[1].ports, net::PortRange::single(53));
}

TEST(AwsTopologyWriter, TheRegionComesFromTheZonesWhenNothingElseSaysIt) {
    auto t = import_docs({kVpc}, "");
    EXPECT_TRUE(t.has_line("region: us-east-1"));
}

TEST(AwsTopologyWriter, WithoutAnyRegionOrVpcTheImportFails) {
    ReadResult read;
    read_aws_document(R"({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16"}]})", "v.json", "",
                      "", read);
    WriteResult r = write_topology_yaml(read.inventory, {});
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0],
              "v.json: $.Vpcs[0]: VPC vpc-1 has no region; name it with --region, or put the files "
              "in a folder named after their region (DIR/us-east-1/*.json)");

    WriteResult none = write_topology_yaml(Inventory{}, {"us-east-1"});
    ASSERT_EQ(none.errors.size(), 1u);
    EXPECT_EQ(none.errors[0],
              "no VPC in the input; expected the output of 'aws ec2 describe-vpcs' (a file with "
              "the top-level key Vpcs)");
}

}  // namespace
}  // namespace vpcstack::importers::aws

namespace vpcstack::importers::aws {
namespace {

TEST(AwsTopologyWriter, ARouteToAOneEniInstanceNamesTheInstance) {
    // AWS: VPC_Route_Tables — a route to an instance shows both InstanceId and its ENI.
    auto t = import_docs({kVpc, kInstances, route_table(R"(
        {"DestinationCidrBlock": "198.51.100.0/24", "InstanceId": "i-1",
         "NetworkInterfaceId": "eni-1", "State": "active"},
        {"DestinationCidrBlock": "192.0.2.0/24", "NetworkInterfaceId": "eni-2", "State": "active"},
        {"DestinationCidrBlock": "203.0.113.0/24", "InstanceId": "i-404", "State": "blackhole"})")});
    EXPECT_TRUE(t.has_line("          - 198.51.100.0/24 -> instance/web"));
    EXPECT_TRUE(t.has_line("          - 192.0.2.0/24 -> eni/web-2-eth0"));
    EXPECT_TRUE(t.has_line(
        "          - {destination: 203.0.113.0/24, target: blackhole, was: i-404}  # i-404 is not "
        "in the input"));
    ASSERT_TRUE(t.loaded.ok());
    const auto& routes = t.loaded.topology->route_tables.at(0).routes;
    EXPECT_EQ(routes.back().target.kind, model::RouteTargetKind::Blackhole);
}

}  // namespace
}  // namespace vpcstack::importers::aws

namespace vpcstack::importers::aws {
namespace {

TEST(AwsTopologyWriter, APrivateNatGatewayHasNoElasticIp) {
    const char* nat = R"({"NatGateways": [
        {"NatGatewayId": "nat-p", "VpcId": "vpc-1", "SubnetId": "subnet-2", "State": "pending",
         "ConnectivityType": "private",
         "NatGatewayAddresses": [{"NetworkInterfaceId": "eni-p", "PrivateIp": "10.0.2.30",
                                  "IsPrimary": true}]}]})";
    auto t = import_docs({kVpc, nat});
    EXPECT_TRUE(
        t.has_line("      - {name: nat-p, id: nat-p, subnet: private, private_ip: "
                   "10.0.2.30, type: private}  # pending in the cloud"));
    ASSERT_TRUE(t.loaded.ok());
    EXPECT_FALSE(t.loaded.topology->nat_gateways.at(0).is_public);
}

TEST(AwsTopologyWriter, MoreThanFiveGroupsOnAnEniAreCutToFiveWithAWarning) {
    std::string groups = R"({"SecurityGroups": [)";
    std::string refs;
    for (int i = 1; i <= 6; ++i) {
        groups += std::string(i > 1 ? "," : "") + R"({"GroupId": "sg-)" + std::to_string(i) +
                  R"(", "GroupName": "g)" + std::to_string(i) + R"(", "VpcId": "vpc-1"})";
        refs += std::string(i > 1 ? "," : "") + R"({"GroupId": "sg-)" + std::to_string(i) + R"("})";
    }
    groups += "]}";
    std::string eni =
        R"({"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "SubnetId": "subnet-1",
        "VpcId": "vpc-1", "PrivateIpAddress": "10.0.1.10", "Attachment": {"InstanceId": "i-1"},
        "Groups": [)" +
        refs + "]}]}";
    auto t = import_docs({kVpc, groups, eni});
    EXPECT_TRUE(t.has_line("            security_groups: [g1, g2, g3, g4, g5]"));
    EXPECT_TRUE(t.warned("network interface eni-1 has 6 security groups; the topology allows 5"));
}

TEST(AwsTopologyWriter, EveryFixtureReadsBackAsTheRawTopologyTheImportMade) {
    namespace fs = std::filesystem;
    int fixtures = 0;
    for (const auto& entry :
         fs::directory_iterator(std::string(VPCSTACK_SOURCE_DIR) + "/tests/importers/fixtures")) {
        if (!entry.is_directory()) continue;
        SCOPED_TRACE(entry.path().filename().string());
        ReadResult read = read_aws_dir(entry.path().string(), "us-east-1");
        ASSERT_TRUE(read.ok()) << read.errors.front();
        WriteResult result = write_topology_yaml(read.inventory, WriteOptions{});
        ASSERT_TRUE(result.ok()) << result.errors.front();
        expect_round_trip(result);
        ++fixtures;
    }
    EXPECT_GE(fixtures, 2);
}

// ---- VPC DNS attributes and Route 53 ----

// AWS: vpc-dns — a default VPC has DNS hostnames on; without describe-vpc-attribute output
// the importer takes the cloud's default, and writes only values that differ from the
// topology's defaults.
TEST(AwsTopologyWriter, DnsAttributesAreWrittenOnlyWhereTheyDifferFromTheDefaults) {
    auto plain = import_docs({kVpc});
    EXPECT_EQ(plain.result.yaml.find("enable_dns"), std::string::npos);

    auto default_vpc = import_docs({R"({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "172.31.0.0/16",
        "IsDefault": true}]})"});
    EXPECT_TRUE(default_vpc.has_line("    enable_dns_hostnames: true"));
    ASSERT_TRUE(default_vpc.loaded.ok());
    EXPECT_TRUE(default_vpc.loaded.topology->vpcs[0].enable_dns_hostnames);

    auto turned_off = import_docs(
        {R"({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "172.31.0.0/16", "IsDefault": true}]})",
         R"({"VpcId": "vpc-1", "EnableDnsHostnames": {"Value": false}})",
         R"({"VpcId": "vpc-1", "EnableDnsSupport": {"Value": false}})"});
    EXPECT_TRUE(turned_off.has_line("    enable_dns_support: false"));
    EXPECT_EQ(turned_off.result.yaml.find("enable_dns_hostnames"), std::string::npos);
}

const char* kZones = R"({"HostedZones": [
    {"Id": "/hostedzone/ZPUB", "Name": "Example.com.", "Config": {"PrivateZone": false}},
    {"Id": "/hostedzone/ZPRIV", "Name": "internal.example.", "Config": {"PrivateZone": true}}]})";

// A record list whose file name gives no zone belongs to the zone its apex SOA names.
TEST(AwsTopologyWriter, RecordsWithoutAZoneInTheFileNameGoToTheZoneOfTheirSoa) {
    auto t = import_docs({kVpc, kZones, R"({"ResourceRecordSets": [
        {"Name": "example.com.", "Type": "SOA", "TTL": 900, "ResourceRecords": [{"Value": "ns. h. 1 2 3 4 5"}]},
        {"Name": "www.example.com.", "Type": "A", "TTL": 60, "ResourceRecords": [{"Value": "203.0.113.7"}],
         "HealthCheckId": "hc-missing"}]})"});
    EXPECT_TRUE(
        t.has_line("      - {name: www, type: A, ttl: 60, values: [\"203.0.113.7\"]}  # "
                   "health check hc-missing not imported"))
        << t.result.yaml;
    EXPECT_TRUE(t.warned("health check hc-missing is not imported"));
    // The private zone has no get-hosted-zone output: it cannot be written without its VPCs.
    EXPECT_TRUE(t.warned("private hosted zone internal.example (ZPRIV)"));
    ASSERT_TRUE(t.loaded.ok());
    ASSERT_EQ(t.loaded.topology->hosted_zones.size(), 1u);
}

TEST(AwsTopologyWriter, RecordsOfNoZoneOfTheInputAreWarnedAndLeftOut) {
    auto t = import_docs({kVpc, kZones, R"({"ResourceRecordSets": [
        {"Name": "other.org.", "Type": "SOA", "TTL": 900, "ResourceRecords": [{"Value": "ns. h. 1 2 3 4 5"}]}]})"});
    EXPECT_TRUE(t.warned("doc2.json: cannot tell which hosted zone of the input"));
    EXPECT_TRUE(t.warned("hosted zone example.com (ZPUB): its records are not in the input"));
}

// An alias to a record that is not imported cannot be written either: both are commented out.
TEST(AwsTopologyWriter, AnAliasToALeftOutRecordIsLeftOutToo) {
    auto t = import_docs({kVpc, kZones, R"({"ResourceRecordSets": [
        {"Name": "example.com.", "Type": "SOA", "TTL": 900, "ResourceRecords": [{"Value": "ns. h. 1 2 3 4 5"}]},
        {"Name": "cdn.example.com.", "Type": "A", "AliasTarget": {"HostedZoneId": "Z2FDTNDATAQYW2",
         "DNSName": "d1.cloudfront.net.", "EvaluateTargetHealth": false}},
        {"Name": "static.example.com.", "Type": "A", "AliasTarget": {"HostedZoneId": "ZPUB",
         "DNSName": "cdn.example.com.", "EvaluateTargetHealth": false}},
        {"Name": "ds.example.com.", "Type": "DS", "TTL": 300, "ResourceRecords": [{"Value": "1 2 3 ab"}]}]})"});
    EXPECT_TRUE(
        t.warned("record cdn.example.com. A (doc2.json: $.ResourceRecordSets[1]): an "
                 "alias to a CloudFront distribution is not modelled"));
    EXPECT_TRUE(t.warned("record static.example.com. A"));
    EXPECT_TRUE(t.warned("DS records are not modelled yet"));
    EXPECT_EQ(t.result.yaml.find("records:"), std::string::npos) << t.result.yaml;
}

}  // namespace
}  // namespace vpcstack::importers::aws
