// vpcctl check, run as a user runs it: exit codes, the exact diagnostics of a broken topology,
// every example topology valid, and the exact summary of the main demo.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_command.hpp"

namespace {

namespace fs = std::filesystem;
using vpcstack::test_support::read_file;
using vpcstack::test_support::Result;
using vpcstack::test_support::TempDir;
using vpcstack::test_support::vpcctl;

const std::string kSourceDir = VPCSTACK_SOURCE_DIR;

std::vector<fs::path> example_topologies() {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(kSourceDir + "/topologies")) {
        if (entry.path().extension() == ".yaml") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    return files;
}

TEST(CheckCommand, EveryExampleTopologyIsValid) {
    const std::vector<fs::path> files = example_topologies();
    std::vector<std::string> names;
    for (const fs::path& f : files) names.push_back(f.filename().string());
    for (const char* expected :
         {"single-public-web.yaml", "two-tier-nat.yaml", "three-tier.yaml", "peered-vpcs.yaml",
          "hub-and-spoke.yaml", "acl-forgets-ephemeral.yaml", "middlebox.yaml",
          "blackhole-route.yaml"}) {
        EXPECT_NE(std::find(names.begin(), names.end(), expected), names.end())
            << "topologies/" << expected << " is missing";
    }
    for (const fs::path& file : files) {
        const Result run = vpcctl({"check", file.string()});
        EXPECT_EQ(run.exit_code, 0) << file << "\n" << run.err;
        EXPECT_EQ(run.err.find(": error: "), std::string::npos) << file << "\n" << run.err;
        EXPECT_NE(run.out.find(file.string() + ": valid\n"), std::string::npos) << run.out;
    }
}

TEST(CheckCommand, EveryExampleOpensWithACommentSayingWhatItShowsAndUsesDocumentationAddresses) {
    for (const fs::path& file : example_topologies()) {
        const std::string text = read_file(file);
        EXPECT_EQ(text.rfind("# ", 0), 0u) << file << " does not open with a comment";
        // Public addresses come from the documentation ranges only (RFC 5737).
        std::istringstream lines(text);
        std::string line;
        int number = 0;
        while (std::getline(lines, line)) {
            ++number;
            const auto first = line.find_first_not_of(' ');
            if (first == std::string::npos || line[first] == '#') continue;
            for (const char* key : {"address: ", "public_ip: "}) {
                const auto at = line.find(key);
                if (at == std::string::npos) continue;
                const std::string value = line.substr(at + std::string(key).size());
                const bool documentation = value.rfind("192.0.2.", 0) == 0 ||
                                           value.rfind("198.51.100.", 0) == 0 ||
                                           value.rfind("203.0.113.", 0) == 0;
                EXPECT_TRUE(documentation) << file << ":" << number << ": " << line;
            }
        }
    }
}

TEST(CheckCommand, WarnsAboutAnAclThatForgetsEphemeralPortsButStillSucceeds) {
    const Result run = vpcctl({"check", kSourceDir + "/topologies/acl-forgets-ephemeral.yaml"});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_NE(run.err.find("warning: network ACL 'web-acl': inbound rule '100 allow tcp/80 from "
                           "0.0.0.0/0' lets requests through, but outbound replies"),
              std::string::npos)
        << run.err;
    EXPECT_NE(run.err.find("\n2 warnings\n"), std::string::npos) << run.err;
}

TEST(CheckCommand, ReportsEveryErrorOfABrokenTopologyWithItsPlaceAndExitsOne) {
    TempDir dir;
    const fs::path file = dir.write("broken.yaml",
                                    "region: us-east-1\n"
                                    "vpcs:\n"
                                    "  - name: prod\n"
                                    "    cidr: 10.0.0.0/16\n"
                                    "    subnets:\n"
                                    "      - name: app\n"
                                    "        cidr: 10.1.0.0/24\n"
                                    "        route_table: missing-rt\n"
                                    "    instances:\n"
                                    "      - name: web\n"
                                    "        subnet: app\n"
                                    "        private_ip: 10.0.1.300\n");
    const Result run = vpcctl({"check", file.string()});
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_EQ(run.out, "") << "no summary for an invalid topology";
    const std::string f = file.string();
    EXPECT_EQ(run.err,
              f +
                  ":7:15: error: subnet 'app': 10.1.0.0/24 is outside VPC 'prod' (10.0.0.0/16); "
                  "expected a subnet inside one CIDR of its VPC\n" +
                  f +
                  ":8:22: error: subnet 'app': 'route_table' names unknown route table "
                  "'missing-rt'; expected a route table of VPC 'prod'\n" +
                  f +
                  ":12:21: error: instance 'web': invalid IPv4 address '10.0.1.300' in "
                  "'private_ip'; expected an IPv4 address A.B.C.D with numbers 0-255\n"
                  "3 errors\n");
}

TEST(CheckCommand, AFileThatCannotBeReadIsAnInputErrorExitingTwo) {
    TempDir dir;
    const std::string missing = (dir.path() / "nowhere.yaml").string();
    Result run = vpcctl({"check", missing});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_EQ(run.err, "vpcctl check: cannot read '" + missing + "': No such file or directory\n");
    run = vpcctl({"check", dir.path().string()});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_EQ(run.err, "vpcctl check: '" + dir.path().string() + "' is a directory\n");
}

TEST(CheckCommand, BadUsageExitsTwo) {
    EXPECT_EQ(vpcctl({"check"}).exit_code, 2) << "the topology is required";
    EXPECT_EQ(vpcctl({"check", "a.yaml", "--no-such-flag"}).exit_code, 2);
}

TEST(CheckCommand, QuietPrintsTheWarningsOnly) {
    Result run = vpcctl({"check", "-q", kSourceDir + "/topologies/two-tier-nat.yaml"});
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_EQ(run.out, "");
    EXPECT_EQ(run.err, "");
    run = vpcctl({"check", "--quiet", kSourceDir + "/topologies/acl-forgets-ephemeral.yaml"});
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_EQ(run.out, "");
    EXPECT_NE(run.err.find("warning: network ACL 'web-acl'"), std::string::npos) << run.err;
}

TEST(CheckCommand, SummarisesTheTwoTierDemo) {
    const std::string file = kSourceDir + "/topologies/two-tier-nat.yaml";
    const Result run = vpcctl({"check", file});
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_EQ(run.err, "");
    EXPECT_EQ(run.out,
              file + ": valid\n" +
                  "  1 VPC, 2 subnets, 3 route tables, 1 network ACL, 3 security groups, "
                  "2 instances, 2 ENIs,\n"
                  "  1 NAT gateway, 1 internet gateway, 0 peerings, 1 Elastic IP, 0 prefix lists, "
                  "1 internet host\n"
                  "\n"
                  "VPC prod  10.0.0.0/16  region us-east-1  internet gateway prod-igw\n"
                  "  SUBNET   CIDR         AZ          ACCESS   ROUTE TABLE  NETWORK ACL  ROUTES\n"
                  "  public   10.0.1.0/24  us-east-1a  public   public-rt    default      "
                  "0.0.0.0/0 -> igw/prod-igw\n"
                  "    web    instance     10.0.1.10  203.0.113.10 (public IP)    sg web-sg\n"
                  "    nat-a  NAT gateway  10.0.1.20  203.0.113.20 (eip nat-eip)\n"
                  "  private  10.0.2.0/24  us-east-1a  private  private-rt   default      "
                  "0.0.0.0/0 -> nat/nat-a\n"
                  "    app    instance     10.0.2.10  -                           sg app-sg\n"
                  "\n"
                  "Internet hosts\n"
                  "  client  198.51.100.7  listens on icmp (ping), tcp/80, tcp/443\n");
}

TEST(CheckCommand, OutputToAPipeHasNoColour) {
    const Result run = vpcctl({"check", kSourceDir + "/topologies/blackhole-route.yaml"});
    EXPECT_EQ(run.exit_code, 0);
    EXPECT_EQ(run.out.find('\033'), std::string::npos);
    EXPECT_EQ(run.err.find('\033'), std::string::npos);
}

// The summary lists the load balancer's nodes in their subnets, the launched instances with
// their group, and a load balancing section.
TEST(CheckCommand, TheSummaryListsLoadBalancersTargetGroupsAndAutoScalingGroups) {
    const Result run = vpcctl({"check", kSourceDir + "/topologies/web-stack.yaml"});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    for (const char* expected :
         {"1 load balancer, 2 target groups, 1 Auto Scaling group",
          "shop-alb   ALB node     10.20.0.5   192.0.2.1 (public IP)         sg alb-sg",
          "web-asg-2  instance     10.20.11.4  -                             sg web-sg  asg "
          "web-asg",
          "HTTPS 443                           cert shop.example.com  forward web-tg (+1 rule)",
          "web-tg    target group HTTP 80 instance       3 targets              HTTP /health "
          "every 10s",
          "web-asg   Auto Scaling group 2..6, desired 3  3 instances            template web-lt, "
          "ELB health checks"}) {
        EXPECT_NE(run.out.find(expected), std::string::npos) << expected << "\n" << run.out;
    }
}

}  // namespace
