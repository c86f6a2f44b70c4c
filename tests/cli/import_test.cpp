// vpcctl import aws, run as a user runs it: exit codes, nothing written on bad input, the check
// line after writing, and a trace through an imported topology end to end.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "support/run_command.hpp"

namespace {

namespace fs = std::filesystem;
using vpcstack::test_support::read_file;
using vpcstack::test_support::Result;
using vpcstack::test_support::TempDir;
using vpcstack::test_support::vpcctl;

const std::string kFixtures = std::string(VPCSTACK_SOURCE_DIR) + "/tests/importers/fixtures";

TEST(ImportAwsCommand, WritesTheTopologyAndShowsTheCheckResult) {
    TempDir dir;
    std::string topo = (dir.path() / "prod.yaml").string();
    Result r = vpcctl({"import", "aws", kFixtures + "/nat", "-o", topo, "--region", "us-east-1"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("not modelled yet (listed here, not in the topology):\n"),
              std::string::npos);
    EXPECT_NE(r.out.find("     1  routes to transit gateways\n"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("wrote " + topo + "\n"), std::string::npos);
    EXPECT_NE(r.out.find("check: " + topo +
                         " is valid: 1 VPC, 3 subnets, 5 instances, 1 NAT "
                         "gateway, 0 peerings (1 warning)\n"),
              std::string::npos)
        << r.out;
    EXPECT_EQ(read_file(topo), read_file(kFixtures + "/nat.expected.yaml"));
}

TEST(ImportAwsCommand, BadInputExitsTwoAndWritesNothing) {
    TempDir dir;
    fs::create_directories(dir.path() / "in");
    std::ofstream(dir.path() / "in" / "Subnets.json")
        << R"({"Subnets": [{"SubnetId": "subnet-1", "VpcId": "vpc-1"}]})";
    std::string topo = (dir.path() / "out.yaml").string();
    Result r = vpcctl({"import", "aws", (dir.path() / "in").string(), "-o", topo});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err,
              "error: Subnets.json: $.Subnets[0].CidrBlock: missing; expected a CIDR string\n"
              "vpcctl: import failed with 1 error; nothing written\n");
    EXPECT_FALSE(fs::exists(topo));
}

TEST(ImportAwsCommand, AMissingFolderExitsTwo) {
    Result r = vpcctl({"import", "aws", "/nonexistent/describe-output", "-o", "/tmp/never.yaml"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err,
              "error: /nonexistent/describe-output: not a folder; expected a folder of describe-* "
              "JSON files\nvpcctl: import failed with 1 error; nothing written\n");
}

// The imported NAT scenario carries traffic: a private instance reaches the internet through
// the NAT gateway, and its reply comes back the same way.
TEST(ImportAwsCommand, AnImportedNatScenarioTracesEndToEnd) {
    TempDir dir;
    std::string topo = (dir.path() / "prod.yaml").string();
    ASSERT_EQ(vpcctl({"import", "aws", kFixtures + "/nat", "-o", topo, "--region", "us-east-1"})
                  .exit_code,
              0);
    Result r = vpcctl({"trace", topo, "--from", "app-server", "--to", "192.0.2.10", "--proto",
                       "tcp", "--dport", "443"});
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("rt/private-rt"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("0.0.0.0/0 -> nat/prod-nat"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("src 10.0.1.20 -> 203.0.113.20"), std::string::npos) << r.out;
    EXPECT_NE(r.out.find("\nreachable\n"), std::string::npos) << r.out;

    // The stopped instance does not answer.
    Result stopped = vpcctl({"trace", topo, "--from", "app-server", "--to", "batch", "--proto",
                             "tcp", "--dport", "8080"});
    EXPECT_EQ(stopped.exit_code, 1) << stopped.out << stopped.err;
}

}  // namespace
