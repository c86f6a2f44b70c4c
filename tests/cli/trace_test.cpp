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
        "vpcctl trace: --from: unknown endpoint 'nosuch': not an instance, ENI, load balancer, "
        "internet host or IPv4 address of this topology\n");
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

namespace {

// The words of a command line whose arguments hold spaces, run as vpcctl() runs one string.
Result vpcctl_words(std::vector<std::string> words) {
    vpcstack::test_support::RunOptions options;
    options.working_dir = VPCSTACK_SOURCE_DIR;
    options.env = {"NO_COLOR=1"};
    return vpcstack::test_support::vpcctl(words, options);
}

}  // namespace

// --http through the web stack's ALB: the listener's rule, the health checks, the target, and
// the load balancer's own connection hop by hop.
TEST(Trace, AnHttpRequestThroughTheApplicationLoadBalancerShowsItsRuleAndTarget) {
    Result r =
        vpcctl_words({"trace", "topologies/web-stack.yaml", "--from", "client", "--to", "shop-alb",
                      "--dport", "443", "--http", "GET /api/cart", "--host", "shop.example.com"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    expect_golden("http-api-through-alb.txt", r.out);
}

TEST(Trace, AnHttpRedirectIsTheLoadBalancersOwnAnswer) {
    Result r =
        vpcctl_words({"trace", "topologies/web-stack.yaml", "--from", "client", "--to", "shop-alb",
                      "--http", "/index.html", "--host", "shop.example.com", "--json"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    expect_golden("http-redirect.json", r.out);
}

TEST(Trace, HttpOptionsAreCheckedBeforeAnythingRuns) {
    Result host_only =
        vpcctl("trace topologies/web-stack.yaml --from client --to shop-alb --dport 443 --host x");
    EXPECT_EQ(host_only.exit_code, 2);
    EXPECT_EQ(host_only.err, "vpcctl trace: --host and --header describe an --http request\n");
    Result header = vpcctl(
        "trace topologies/web-stack.yaml --from client --to shop-alb --http / --header nocolon");
    EXPECT_EQ(header.exit_code, 2);
    EXPECT_EQ(header.err, "vpcctl trace: --header 'nocolon': expected 'Name: value'\n");
    Result not_alb =
        vpcctl("trace topologies/web-stack.yaml --from client --to db --dport 80 --http /");
    EXPECT_EQ(not_alb.exit_code, 2);
    EXPECT_NE(not_alb.err.find("is not an Application Load Balancer"), std::string::npos)
        << not_alb.err;
}

// Through a Network Load Balancer the target answers, and its reply returns through the node.
TEST(Trace, AFlowThroughANetworkLoadBalancerShowsTheTargetsReplyReturningThroughIt) {
    Result r = vpcctl(
        "trace topologies/nlb.yaml --from client --to 203.0.113.60 --proto tcp "
        "--dport 80");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    expect_golden("client-through-nlb.txt", r.out);
}

namespace {

// AWS: vpc-dns — `--to NAME`: an instance resolves the name through its VPC resolver (the
// private zone internal.example.com of web-stack's VPC), and the report shows the lookup and
// its path through the engine before the flow.
TEST(Trace, ANameIsResolvedThroughTheSourcesVpcResolverFirst) {
    Result r = vpcctl(
        "trace topologies/web-stack.yaml --from app-1 --to db.internal.example.com --proto tcp "
        "--dport 5432");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    expect_golden("name-through-the-vpc-resolver.txt", r.out);
    Result j = vpcctl(
        "trace topologies/web-stack.yaml --from app-1 --to db.internal.example.com --proto tcp "
        "--dport 5432 --json");
    EXPECT_NE(j.out.find("\"address\": \"10.20.31.4\""), std::string::npos) << j.out;
    EXPECT_NE(j.out.find("\"rcode\": \"NOERROR\""), std::string::npos) << j.out;
}

// From the internet the public zone answers: shop.example.com is an alias to the ALB.
TEST(Trace, AnInternetClientResolvesThePublicZone) {
    Result r = vpcctl(
        "trace topologies/web-stack.yaml --from client --to shop.example.com --proto tcp "
        "--dport 443");
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("dns shop.example.com -> 192.0.2.1: NOERROR from the internet's name "
                         "servers: A 192.0.2.1, A 192.0.2.2"),
              std::string::npos)
        << r.out;
}

// A name that does not resolve is an input error naming the answer and who gave it.
TEST(Trace, ANameThatDoesNotResolveIsAnInputError) {
    Result r = vpcctl("trace topologies/web-stack.yaml --from app-1 --to nope.example.com");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err,
              "vpcctl trace: --to: nope.example.com: NXDOMAIN from 10.20.0.2 (the VPC resolver), "
              "no address\n");
}

}  // namespace
