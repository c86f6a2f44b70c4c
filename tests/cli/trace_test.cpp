// Golden tests of `vpcctl trace`: the exact text and JSON for a few paths, and its exit codes.
//
// The expected output lives in tests/golden/trace/<case>.txt (or .json). After an intended
// change of the output, regenerate the files and review the diff:
//   VPCSTACK_UPDATE_GOLDEN=1 ./build/tests/cli_tests --gtest_filter='Trace*'
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_command.hpp"

namespace {

using vpcstack::test_support::read_file;
using vpcstack::test_support::Result;

Result vpcctl(const std::string& args) {
    return vpcstack::test_support::vpcctl_in(VPCSTACK_SOURCE_DIR, args);
}

void expect_golden(const std::string& name, const std::string& actual) {
    std::string path = std::string(VPCSTACK_SOURCE_DIR) + "/tests/golden/trace/" + name;
    if (std::getenv("VPCSTACK_UPDATE_GOLDEN") != nullptr) {
        std::ofstream(path, std::ios::binary) << actual;
        return;
    }
    std::string expected = read_file(path);
    ASSERT_FALSE(expected.empty())
        << path << " is missing; set VPCSTACK_UPDATE_GOLDEN=1 to write it";
    EXPECT_EQ(actual, expected) << "the output differs from " << path;
}

}  // namespace

TEST(Trace, AnInternetClientReachesAPublicWebServer) {
    Result r =
        vpcctl("trace topologies/two-tier-nat.yaml --from client --to web --proto tcp --dport 80");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    expect_golden("client-to-web.txt", r.out);
}

TEST(Trace, AnInternetClientReachesAPublicWebServerAsJson) {
    Result r = vpcctl(
        "trace topologies/two-tier-nat.yaml --from client --to web --proto tcp --dport 80 --json");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("\"reachable\": true"), std::string::npos);
    expect_golden("client-to-web.json", r.out);
}

TEST(Trace, APrivateInstanceReachesTheInternetThroughTheNatGateway) {
    Result r = vpcctl(
        "trace topologies/two-tier-nat.yaml --from app --to 8.8.8.8 --proto tcp --dport 443");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    expect_golden("app-to-internet-via-nat.txt", r.out);
}

TEST(Trace, AnAclWithoutEphemeralPortsDropsTheReply) {
    Result r = vpcctl(
        "trace topologies/acl-forgets-ephemeral.yaml --from client --to web --proto tcp --dport "
        "80");
    EXPECT_EQ(r.exit_code, 1) << "unreachable is a negative answer";
    expect_golden("acl-forgets-ephemeral.txt", r.out);
}

TEST(Trace, AnAclWithoutEphemeralPortsDropsTheReplyAsJson) {
    Result r = vpcctl(
        "trace topologies/acl-forgets-ephemeral.yaml --from client --to web --proto tcp "
        "--dport 80 --json");
    EXPECT_EQ(r.exit_code, 1);
    EXPECT_NE(r.out.find("\"reachable\": false"), std::string::npos);
    expect_golden("acl-forgets-ephemeral.json", r.out);
}

TEST(Trace, ASecurityGroupThatAdmitsOnlyAnotherGroupDropsTheRequest) {
    Result r =
        vpcctl("trace topologies/three-tier.yaml --from web --to db --proto tcp --dport 5432");
    EXPECT_EQ(r.exit_code, 1);
    expect_golden("three-tier-web-to-db.txt", r.out);
}

TEST(Trace, PeeringIsNotTransitive) {
    Result r = vpcctl("trace topologies/hub-and-spoke.yaml --from svc-a --to svc-b");
    EXPECT_EQ(r.exit_code, 1);
    expect_golden("hub-and-spoke-not-transitive.txt", r.out);
}

TEST(Trace, AClosedPortIsReachableButRefused) {
    Result r =
        vpcctl("trace topologies/two-tier-nat.yaml --from web --to client --proto tcp --dport 22");
    EXPECT_EQ(r.exit_code, 0) << "the network carried both directions; the host refused";
    expect_golden("refused.txt", r.out);
}

TEST(Trace, AnUnknownEndpointIsAnInputError) {
    Result r = vpcctl("trace topologies/two-tier-nat.yaml --from nosuch --to web");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(r.out.empty());
    EXPECT_EQ(
        r.err,
        "vpcctl trace: --from: unknown endpoint 'nosuch': not an instance, ENI, internet host "
        "or IPv4 address of this topology\n");
}

TEST(Trace, TcpWithoutADestinationPortIsAnInputError) {
    Result r = vpcctl("trace topologies/two-tier-nat.yaml --from web --to app --proto tcp");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err, "vpcctl trace: --dport is required for tcp\n");
}

TEST(Trace, ATopologyThatDoesNotLoadIsAnInputError) {
    Result r = vpcctl("trace topologies/no-such-file.yaml --from web --to app");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("no-such-file.yaml"), std::string::npos) << r.err;
}
