#include "vpcstack/importers/aws_reader.hpp"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

namespace vpcstack::importers::aws {
namespace {

ReadResult read(const std::string& json, const std::string& file = "input.json",
                const std::string& region = "us-east-1", const std::string& account = "") {
    ReadResult result;
    read_aws_document(json, file, region, account, result);
    return result;
}

TEST(AwsReader, AMissingRequiredFieldNamesTheFileAndTheJsonPath) {
    auto r = read(R"({"Subnets": [
        {"SubnetId": "subnet-1", "VpcId": "vpc-1", "CidrBlock": "10.0.1.0/24"},
        {"SubnetId": "subnet-2", "VpcId": "vpc-1", "CidrBlock": "10.0.2.0/24"},
        {"SubnetId": "subnet-3", "VpcId": "vpc-1"}]})",
                  "Subnets.json");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0], "Subnets.json: $.Subnets[2].CidrBlock: missing; expected a CIDR string");
}

TEST(AwsReader, AFieldOfTheWrongTypeSaysWhatWasFound) {
    auto r = read(R"({"Vpcs": [{"VpcId": 7, "CidrBlock": "10.0.0.0/16"}]})", "vpcs.json");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0], "vpcs.json: $.Vpcs[0].VpcId: expected a string, found a number");
}

TEST(AwsReader, AnInvalidCidrIsAnErrorWithAnExample) {
    auto r = read(R"({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/33"}]})", "vpcs.json");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(
        r.errors[0],
        "vpcs.json: $.Vpcs[0].CidrBlock: \"10.0.0.0/33\" is not a valid IPv4 CIDR; expected a "
        "CIDR string such as 10.0.0.0/16");
}

TEST(AwsReader, AnInvalidAddressIsAnError) {
    auto r = read(R"({"Addresses": [{"AllocationId": "eipalloc-1", "PublicIp": "203.0.113.300"}]})",
                  "eips.json");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0],
              "eips.json: $.Addresses[0].PublicIp: \"203.0.113.300\" is not a valid IPv4 address; "
              "expected an address such as 10.0.1.10");
}

TEST(AwsReader, MalformedJsonGivesTheLineAndColumn) {
    auto r = read("{\"Vpcs\": [\n  {\"VpcId\": \"vpc-1\",}\n]}", "vpcs.json");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0],
              "vpcs.json: malformed JSON: parse error at line 2, column 21: syntax error while "
              "parsing object key - unexpected '}'; expected string literal");
}

TEST(AwsReader, ATopLevelListIsRejected) {
    auto r = read("[1, 2]", "odd.json");
    ASSERT_EQ(r.errors.size(), 1u);
    EXPECT_EQ(r.errors[0],
              "odd.json: $: expected an object with a top-level key such as Vpcs or Subnets, found "
              "a list");
}

TEST(AwsReader, AllErrorsAreCollected) {
    auto r = read(R"({"NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "Entries": [
        {"RuleNumber": 100, "Egress": false, "Protocol": "-1", "RuleAction": "maybe",
         "CidrBlock": "0.0.0.0/0"},
        {"RuleNumber": "110", "Egress": false, "Protocol": "6", "RuleAction": "allow"}]}]})",
                  "acls.json");
    ASSERT_EQ(r.errors.size(), 3u);
    EXPECT_EQ(r.errors[0],
              "acls.json: $.NetworkAcls[0].Entries[0].RuleAction: \"maybe\" is not a rule action; "
              "expected allow or deny");
    EXPECT_EQ(r.errors[1],
              "acls.json: $.NetworkAcls[0].Entries[1].RuleNumber: expected a whole number, found a "
              "string");
    EXPECT_EQ(r.errors[2],
              "acls.json: $.NetworkAcls[0].Entries[1].CidrBlock: missing; expected a CIDR string");
}

TEST(AwsReader, NumbersOutOfTheCloudsRangesAreErrors) {
    auto r = read(R"({"NetworkAcls": [{"NetworkAclId": "acl-1", "VpcId": "vpc-1", "Entries": [
        {"RuleNumber": 40000, "Egress": false, "Protocol": "6", "RuleAction": "allow",
         "CidrBlock": "0.0.0.0/0", "PortRange": {"From": 80, "To": 70000}}]}],
        "SecurityGroups": [{"GroupId": "sg-1", "VpcId": "vpc-1", "IpPermissions": [
        {"IpProtocol": "tcp", "FromPort": -5, "ToPort": 80, "IpRanges": [{"CidrIp": "0.0.0.0/0"}]}]}]})",
                  "x.json");
    ASSERT_EQ(r.errors.size(), 3u);
    EXPECT_EQ(r.errors[0],
              "x.json: $.NetworkAcls[0].Entries[0].RuleNumber: 40000 is out of range; expected a "
              "rule number from 1 to 32767");
    EXPECT_EQ(r.errors[1],
              "x.json: $.NetworkAcls[0].Entries[0].PortRange.To: 70000 is out of range; expected a "
              "port from 0 to 65535");
    EXPECT_EQ(r.errors[2],
              "x.json: $.SecurityGroups[0].IpPermissions[0].FromPort: -5 is out of range; expected "
              "a port from -1 to 65535");
}

TEST(AwsReader, FilesAreRecognisedByTheirTopLevelKeyAndUnknownKeysAreCounted) {
    auto r =
        read(R"({"TransitGateways": [{"TransitGatewayId": "tgw-1"}, {"TransitGatewayId": "tgw-2"}],
                      "SomethingNew": [{}], "NextToken": "abc"})");
    EXPECT_TRUE(r.ok());
    EXPECT_EQ(r.inventory.not_modelled.at("transit gateways"), 2);
    EXPECT_EQ(r.inventory.not_modelled.at("SomethingNew"), 1);
    EXPECT_EQ(r.inventory.not_modelled.count("NextToken"), 0u);
}

TEST(AwsReader, ReadsTheNameTagFromTagsOrTagSet) {
    auto r = read(R"({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16",
                                "Tags": [{"Key": "Team", "Value": "x"}, {"Key": "Name", "Value": "prod"}]}],
                      "NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "SubnetId": "subnet-1",
                                "VpcId": "vpc-1", "PrivateIpAddress": "10.0.1.10",
                                "TagSet": [{"Key": "Name", "Value": "eth-a"}]}]})",
                  "x.json", "eu-west-1", "111122223333");
    ASSERT_TRUE(r.ok()) << r.errors.front();
    EXPECT_EQ(r.inventory.vpcs.at(0).r.name_tag, "prod");
    EXPECT_EQ(r.inventory.vpcs.at(0).r.region, "eu-west-1");
    EXPECT_EQ(r.inventory.vpcs.at(0).r.account, "111122223333");  // from the layout
    EXPECT_EQ(r.inventory.network_interfaces.at(0).r.name_tag, "eth-a");
}

// AWS: EC2 API ConnectionTrackingConfiguration, as describe-network-interfaces shows it.
TEST(AwsReader, ReadsAnInterfacesConnectionTrackingTimeouts) {
    auto r = read(R"({"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "SubnetId": "subnet-1",
                                "VpcId": "vpc-1", "PrivateIpAddress": "10.0.1.10",
                                "ConnectionTrackingConfiguration": {"TcpEstablishedTimeout": 3600,
                                    "UdpStreamTimeout": 120, "UdpTimeout": 45}}]})");
    ASSERT_TRUE(r.ok()) << r.errors.front();
    const auto& eni = r.inventory.network_interfaces.at(0);
    EXPECT_EQ(eni.tcp_established_timeout, 3600);
    EXPECT_EQ(eni.udp_stream_timeout, 120);
    EXPECT_EQ(eni.udp_timeout, 45);
    auto bad = read(R"({"NetworkInterfaces": [{"NetworkInterfaceId": "eni-1", "SubnetId": "s",
                                "VpcId": "vpc-1", "PrivateIpAddress": "10.0.1.10",
                                "ConnectionTrackingConfiguration": {"UdpTimeout": 5}}]})");
    EXPECT_FALSE(bad.ok()) << "30 to 60 seconds is the cloud's range";
}

TEST(AwsReader, KeepsOnlyAssociatedSecondaryCidrs) {
    auto r = read(
        R"({"Vpcs": [{"VpcId": "vpc-1", "CidrBlock": "10.0.0.0/16", "CidrBlockAssociationSet": [
        {"CidrBlock": "10.0.0.0/16", "CidrBlockState": {"State": "associated"}},
        {"CidrBlock": "10.1.0.0/16", "CidrBlockState": {"State": "associated"}},
        {"CidrBlock": "10.2.0.0/16", "CidrBlockState": {"State": "disassociated"}}]}]})");
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r.inventory.vpcs.at(0).secondary.size(), 1u);
    EXPECT_EQ(r.inventory.vpcs.at(0).secondary[0].to_string(), "10.1.0.0/16");
}

TEST(AwsReader, SplitsSecurityGroupPermissionsIntoOneRulePerPeer) {
    auto r = read(R"({"SecurityGroups": [{"GroupId": "sg-1", "VpcId": "vpc-1", "GroupName": "web",
        "IpPermissions": [{"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443,
            "IpRanges": [{"CidrIp": "0.0.0.0/0", "Description": "any"}, {"CidrIp": "10.0.0.0/8"}],
            "PrefixListIds": [{"PrefixListId": "pl-1"}],
            "UserIdGroupPairs": [{"GroupId": "444455556666/sg-9"}]}]}]})");
    ASSERT_TRUE(r.ok());
    const auto& rules = r.inventory.security_groups.at(0).ingress;
    ASSERT_EQ(rules.size(), 4u);
    EXPECT_EQ(rules[0].description, "any");
    EXPECT_EQ(rules[1].cidr.to_string(), "10.0.0.0/8");
    EXPECT_EQ(rules[2].prefix_list_id, "pl-1");
    EXPECT_EQ(rules[3].group_id, "sg-9");
    EXPECT_EQ(rules[3].group_account, "444455556666");
    EXPECT_EQ(rules[3].where,
              "input.json: $.SecurityGroups[0].IpPermissions[0].UserIdGroupPairs[0]");
}

TEST(AwsReader, PrefixListEntriesTakeTheirIdFromTheFileName) {
    auto r = read(R"({"Entries": [{"Cidr": "198.51.100.0/24"}]})", "lists/pl-0abc123-entries.json");
    ASSERT_TRUE(r.ok());
    ASSERT_EQ(r.inventory.prefix_list_entries.count("pl-0abc123"), 1u);
    EXPECT_EQ(r.inventory.prefix_list_entries.at("pl-0abc123").at(0).to_string(),
              "198.51.100.0/24");

    auto bad = read(R"({"Entries": [{"Cidr": "198.51.100.0/24"}]})", "entries.json");
    ASSERT_EQ(bad.errors.size(), 1u);
    EXPECT_EQ(bad.errors[0],
              "entries.json: $.Entries: cannot tell which prefix list these entries belong to; "
              "expected the prefix list id (pl-...) in the file name or a PrefixListId key");
}

TEST(AwsReader, RecognisesRegionFolderNames) {
    EXPECT_TRUE(looks_like_region("us-east-1"));
    EXPECT_TRUE(looks_like_region("eu-central-2"));
    EXPECT_TRUE(looks_like_region("us-gov-west-1"));
    EXPECT_FALSE(looks_like_region("accounts"));
    EXPECT_FALSE(looks_like_region("us-east-1a"));
}

TEST(AwsReader, TheLayoutGivesAccountAndRegion) {
    const std::string dir = std::string(VPCSTACK_SOURCE_DIR) + "/tests/importers/fixtures/peering";
    ReadResult r = read_aws_dir(dir, "");
    ASSERT_TRUE(r.ok()) << r.errors.front();
    bool saw_data = false;
    for (const Vpc& v : r.inventory.vpcs) {
        if (v.r.id == "vpc-0d40000000000a001") {
            saw_data = true;
            EXPECT_EQ(v.r.region, "eu-west-1");
            EXPECT_EQ(v.r.account, "444455556666");
            EXPECT_EQ(v.r.where, "accounts/444455556666/eu-west-1/vpcs.json: $.Vpcs[0]");
        }
    }
    EXPECT_TRUE(saw_data);
    EXPECT_EQ(r.inventory.regions, (std::vector<std::string>{"us-east-1", "eu-west-1"}));
}

TEST(AwsReader, AnEmptyOrMissingFolderIsAnError) {
    ReadResult missing = read_aws_dir("/nonexistent/vpcstack-import", "");
    ASSERT_EQ(missing.errors.size(), 1u);
    EXPECT_EQ(missing.errors[0],
              "/nonexistent/vpcstack-import: not a folder; expected a folder of describe-* JSON "
              "files");
    auto dir = std::filesystem::temp_directory_path() / "vpcstack-import-empty-test";
    std::filesystem::create_directories(dir);
    ReadResult empty = read_aws_dir(dir.string(), "");
    ASSERT_EQ(empty.errors.size(), 1u);
    EXPECT_EQ(empty.errors[0], dir.string() +
                                   ": no .json files; expected the output of 'aws ec2 describe-*' "
                                   "calls");
    std::filesystem::remove_all(dir);
}

TEST(AwsReader, Route53OutputsAreReadWithTheirZoneAndEscapesDecoded) {
    ReadResult r;
    read_aws_document(R"({"HostedZone": {"Id": "/hostedzone/Z1", "Name": "example.com.",
        "Config": {"PrivateZone": true}}, "VPCs": [{"VPCRegion": "us-east-1", "VPCId": "vpc-1"}],
        "DelegationSet": {"NameServers": []}})",
                      "get-hosted-zone-Z1.json", "us-east-1", "", r);
    read_aws_document(R"({"ResourceRecordSets": [{"Name": "\\052.example.com.", "Type": "A",
        "TTL": 60, "ResourceRecords": [{"Value": "203.0.113.1"}]}], "IsTruncated": false})",
                      "list-resource-record-sets-Z1.json", "us-east-1", "", r);
    read_aws_document(R"({"VpcId": "vpc-1", "EnableDnsHostnames": {"Value": true}})", "attr.json",
                      "us-east-1", "", r);
    ASSERT_TRUE(r.ok()) << r.errors.front();
    EXPECT_TRUE(r.inventory.not_modelled.empty());
    ASSERT_EQ(r.inventory.hosted_zones.size(), 1u);
    EXPECT_EQ(r.inventory.hosted_zones[0].r.id, "Z1");
    EXPECT_TRUE(r.inventory.hosted_zones[0].is_private);
    ASSERT_EQ(r.inventory.hosted_zone_vpcs.size(), 1u);
    EXPECT_EQ(r.inventory.hosted_zone_vpcs[0].zone_id, "Z1");
    ASSERT_EQ(r.inventory.record_sets.size(), 1u);
    EXPECT_EQ(r.inventory.record_sets[0].zone_id, "Z1");
    EXPECT_EQ(r.inventory.record_sets[0].records.at(0).name, "*.example.com.");
    ASSERT_EQ(r.inventory.vpc_attributes.size(), 1u);
    EXPECT_EQ(r.inventory.vpc_attributes[0].attribute, "enableDnsHostnames");
    EXPECT_TRUE(r.inventory.vpc_attributes[0].value);
}

TEST(AwsReader, Route53ErrorsNameTheFileAndTheJsonPath) {
    auto r = read(R"({"ResourceRecordSets": [{"Name": "a.example.com.", "Type": "A",
        "SetIdentifier": "x", "Failover": "FIRST", "Weight": 300}]})",
                  "records.json");
    ASSERT_EQ(r.errors.size(), 2u);
    EXPECT_EQ(r.errors[0],
              "records.json: $.ResourceRecordSets[0].Weight: 300 is out of range; expected a "
              "weight from 0 to 255");
    EXPECT_EQ(r.errors[1],
              "records.json: $.ResourceRecordSets[0].Failover: \"FIRST\" is not a failover "
              "role; expected PRIMARY or SECONDARY");
    auto hc = read(R"({"HealthChecks": [{"Id": "h1", "HealthCheckConfig": {"Type": "HTTP",
        "IPAddress": "300.1.1.1"}}]})",
                   "hc.json");
    ASSERT_EQ(hc.errors.size(), 1u);
    EXPECT_EQ(hc.errors[0].rfind("hc.json: $.HealthChecks[0].HealthCheckConfig.IPAddress: ", 0), 0u)
        << hc.errors[0];
    auto attr = read(R"({"EnableDnsSupport": {"Value": "yes"}})", "attr.json");
    ASSERT_EQ(attr.errors.size(), 2u);
    EXPECT_EQ(attr.errors[0], "attr.json: $.VpcId: missing; expected a string");
    EXPECT_EQ(attr.errors[1],
              "attr.json: $.EnableDnsSupport.Value: expected true or false, found a string");
}

}  // namespace
}  // namespace vpcstack::importers::aws
