// vpcctl reach, verify and diff, run as a user runs them on the example topologies: exit codes,
// what the matrix, the query, a holding and a violated policy and a diff print, and the errors
// of bad input with their places.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_command.hpp"

namespace {

using nlohmann::json;
using vpcstack::test_support::read_file;
using vpcstack::test_support::Result;
using vpcstack::test_support::TempDir;

Result vpcctl(const std::string& args) {
    return vpcstack::test_support::vpcctl_in(VPCSTACK_SOURCE_DIR, args);
}

bool has(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

// ---- reach ----

TEST(ReachCommand, PrintsTheMatrixOfTheThreeTiers) {
    Result r = vpcctl("reach topologies/three-tier.yaml");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(has(r.out,
                    "FROM \\ TO  web      app       db        internet\n"
                    "web        ·        tcp/8080  —         all\n"
                    "app        tcp/443  ·         tcp/5432  all\n"
                    "db         —        —         ·         —\n"
                    "internet   tcp/443  —         —         ·\n"))
        << r.out;
    EXPECT_TRUE(has(r.out, "app -> db (10.20.2.10 -> 10.20.3.10)\n  open: tcp/5432\n")) << r.out;
}

TEST(ReachCommand, FromAndToSelectRowsAndColumns) {
    Result r = vpcctl("reach topologies/three-tier.yaml --from internet --to web --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    json doc = json::parse(r.out);
    EXPECT_EQ(doc["sources"], (json{"internet"}));
    EXPECT_EQ(doc["destinations"], (json{"web"}));
    ASSERT_EQ(doc["pairs"].size(), 1u);
    EXPECT_EQ(doc["pairs"][0]["open"], (json{"tcp/443"}));
}

TEST(ReachCommand, AnUnknownSelectorIsAnInputError) {
    Result r = vpcctl("reach topologies/three-tier.yaml --from nowhere");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(has(r.err, "'nowhere'")) << r.err;
    EXPECT_TRUE(r.out.empty());
}

TEST(ReachCommand, TheQueryFormExitsZeroWhenReachableAndOneWhenNot) {
    Result yes =
        vpcctl("reach topologies/three-tier.yaml --from app --to db --proto tcp --dport 5432");
    EXPECT_EQ(yes.exit_code, 0) << yes.out << yes.err;
    EXPECT_EQ(yes.out.rfind("reachable: tcp/5432 from app to db\n", 0), 0u) << yes.out;

    Result no =
        vpcctl("reach topologies/three-tier.yaml --from web --to db --proto tcp --dport 5432");
    EXPECT_EQ(no.exit_code, 1) << no.out << no.err;
    EXPECT_EQ(no.out.rfind("unreachable: tcp/5432 from web to db\n", 0), 0u) << no.out;
    EXPECT_TRUE(has(no.out, "blocked by sg/db-sg")) << no.out;
    EXPECT_TRUE(has(no.out,
                    "  witness: vpcctl trace topologies/three-tier.yaml --from web --to db "
                    "--proto tcp --dport 5432"))
        << no.out;
}

TEST(ReachCommand, TheQueryFormAsJsonHasATopLevelReachable) {
    Result r = vpcctl(
        "reach topologies/three-tier.yaml --from internet --to web --proto tcp --dport 22 --json");
    EXPECT_EQ(r.exit_code, 1) << r.err;
    json doc = json::parse(r.out);
    EXPECT_EQ(doc["reachable"], false);
    EXPECT_EQ(doc["dport"], 22);
    EXPECT_EQ(doc["blockers"][0]["component"], "sg/web-sg");
    EXPECT_EQ(doc["blockers"][0]["reason"], "SecurityGroupNoMatch");
}

TEST(ReachCommand, TheQueryFormNeedsBothEnds) {
    Result r = vpcctl("reach topologies/three-tier.yaml --from app --proto tcp --dport 5432");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(has(r.err, "--from and --to are required")) << r.err;
    Result ports = vpcctl("reach topologies/three-tier.yaml --dport 5432");
    EXPECT_EQ(ports.exit_code, 2);
    EXPECT_TRUE(has(ports.err, "give --proto too")) << ports.err;
}

TEST(ReachCommand, WritesAnHtmlReportWithTheWitnessTraces) {
    TempDir dir;
    std::string file = (dir.path() / "report.html").string();
    Result r = vpcctl("reach topologies/three-tier.yaml --html " + file);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(r.out.empty()) << "the report goes to the file";
    EXPECT_TRUE(has(r.err, "with witness traces")) << r.err;
    std::string html = read_file(file);
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_TRUE(has(html,
                    "vpcctl trace topologies/three-tier.yaml --from app --to db --proto tcp "
                    "--dport 5432"));
    EXPECT_TRUE(has(html, "trace tcp/5432: app (10.20.2.10) -\\u003e db (10.20.3.10)"))
        << "the witness's trace is embedded";
}

TEST(ReachCommand, ABrokenTopologyIsAnInputError) {
    TempDir dir;
    std::string file = dir.write("broken.yaml", "vpcs: [\n").string();
    Result r = vpcctl("reach " + file);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(has(r.err, file + ":")) << r.err;
}

// ---- verify ----

TEST(VerifyCommand, TheExamplePolicyOfTheThreeTiersHolds) {
    Result r = vpcctl("verify topologies/three-tier.yaml topologies/policies/three-tier.yaml");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.out.rfind("verify topologies/three-tier.yaml against "
                          "topologies/policies/three-tier.yaml: 5 assertions, 5 hold, 0 violated\n",
                          0),
              0u)
        << r.out;
    EXPECT_TRUE(has(r.out, "holds     the internet reaches web on https only (1 pair)\n")) << r.out;
}

TEST(VerifyCommand, AViolatedPolicyShowsTheWitnessAndItsTraceAndExitsOne) {
    TempDir dir;
    std::string policy = dir.write("policy.yaml",
                                   "assertions:\n"
                                   "  - name: ssh to web from the internet\n"
                                   "    from: internet\n"
                                   "    to: web\n"
                                   "    reachable: [tcp/22]\n"
                                   "  - from: app\n"
                                   "    to: db\n"
                                   "    unreachable: [tcp/5432]\n"
                                   "  - from: web\n"
                                   "    to: app\n"
                                   "    only: [tcp/8080]\n")
                             .string();
    Result r = vpcctl("verify topologies/three-tier.yaml " + policy);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_TRUE(has(r.out, "3 assertions, 1 hold, 2 violated")) << r.out;
    EXPECT_TRUE(has(r.out, "VIOLATED  ssh to web from the internet (1 of 1 pair; " + policy +
                               ":2:5)\n  internet -> web: tcp/22 does not connect\n"
                               "    blocked by sg/web-sg: SecurityGroupNoMatch"))
        << r.out;
    EXPECT_TRUE(has(r.out, "    unreachable: dropped at sg/web-sg (SecurityGroupNoMatch)\n"))
        << "the witness's trace";
    EXPECT_TRUE(has(r.out,
                    "  app -> db: tcp/5432 connects, and should not\n"
                    "    witness: vpcctl trace topologies/three-tier.yaml --from app --to "
                    "db --proto tcp --dport 5432"))
        << r.out;
    EXPECT_TRUE(has(r.out, "holds     web -> app only [tcp/8080] (1 pair)\n")) << r.out;
}

TEST(ReachCommand, ANetworkLoadBalancerIsAColumnOnlyAnsweredThroughItsTarget) {
    Result r = vpcctl("reach topologies/nlb.yaml --to web-nlb --json");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    json doc = json::parse(r.out);
    EXPECT_EQ(doc["sources"], (json{"web-1", "web-2", "internet"})) << "a destination only";
    EXPECT_EQ(doc["destinations"], (json{"web-nlb"}));
    ASSERT_EQ(doc["pairs"].size(), 3u);
    const json& internet = doc["pairs"][2];
    EXPECT_EQ(internet["from"], "internet");
    EXPECT_EQ(internet["open"], (json{"tcp/80"}));
    EXPECT_EQ(internet["open_witnesses"][0]["command"],
              "vpcctl trace topologies/nlb.yaml --from 203.0.113.10 --to web-nlb --proto tcp "
              "--dport 80 --sport 32768");
    // The witness replays: the target answers and its answer comes back through the node.
    Result trace = vpcctl(
        "trace topologies/nlb.yaml --from 203.0.113.10 --to web-nlb --proto tcp --dport 80 "
        "--sport 32768");
    EXPECT_EQ(trace.exit_code, 0) << trace.out << trace.err;
    EXPECT_TRUE(has(trace.out, "host/web-1")) << trace.out;
    EXPECT_TRUE(has(trace.out, "return ")) << trace.out;
    EXPECT_TRUE(has(trace.out, "\nreachable\n")) << trace.out;
}

TEST(ReachCommand, TheWebStacksLoadBalancerIsARowAndAColumn) {
    Result r = vpcctl("reach topologies/web-stack.yaml");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_TRUE(has(r.out,
                    "shop-alb   tcp/8080  tcp/8080  —         tcp/80     tcp/80     tcp/80     ·  "
                    "         —\n"
                    "internet   —         —         —         —          —          —          "
                    "tcp/80,443  ·\n"))
        << r.out;
}

TEST(VerifyCommand, TheWebStacksExamplePolicyHoldsThroughItsLoadBalancer) {
    Result r = vpcctl("verify topologies/web-stack.yaml topologies/policies/web-stack.yaml");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(has(r.out, "8 assertions, 8 hold, 0 violated")) << r.out;
    EXPECT_TRUE(has(r.out, "holds     the load balancer reaches the web servers on 80 (3 pairs)\n"))
        << r.out;
}

TEST(VerifyCommand, AViolationAtALoadBalancerExitsOneWithItsWitness) {
    TempDir dir;
    std::string policy = dir.write("policy.yaml",
                                   "assertions:\n"
                                   "  - {from: internet, to: shop-alb, reachable: tcp/22}\n"
                                   "  - {from: internet, to: web-asg-1, unreachable: tcp/80}\n")
                             .string();
    Result r = vpcctl("verify topologies/web-stack.yaml " + policy);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_TRUE(has(r.out, "2 assertions, 1 hold, 1 violated")) << r.out;
    EXPECT_TRUE(has(r.out,
                    "  internet -> shop-alb: tcp/22 does not connect\n"
                    "    blocked by sg/alb-sg: SecurityGroupNoMatch"))
        << r.out;
    EXPECT_TRUE(has(r.out,
                    "    witness: vpcctl trace topologies/web-stack.yaml --from 203.0.113.10 --to "
                    "shop-alb --proto tcp --dport 22 --sport 32768\n"))
        << r.out;
    EXPECT_TRUE(has(r.out, "    unreachable: dropped at sg/alb-sg (SecurityGroupNoMatch)\n"))
        << "the witness's trace";
    EXPECT_TRUE(has(r.out, "holds     internet -> web-asg-1 unreachable [tcp/80] (1 pair)\n"))
        << r.out;
}

TEST(VerifyCommand, ANetworkLoadBalancerAsASourceIsAnInputError) {
    TempDir dir;
    std::string policy =
        dir.write("policy.yaml", "assertions:\n  - {from: web-nlb, to: web-1, reachable: tcp/80}\n")
            .string();
    Result r = vpcctl("verify topologies/nlb.yaml " + policy);
    EXPECT_EQ(r.exit_code, 2) << r.out << r.err;
    EXPECT_TRUE(has(r.err, "only Network Load Balancers, which open no connections")) << r.err;
}

TEST(VerifyCommand, AReplyDroppedByAStatelessAclIsNotAConnection) {
    TempDir dir;
    std::string policy =
        dir.write("policy.yaml", "assertions:\n  - {from: internet, to: web, reachable: tcp/80}\n")
            .string();
    Result r = vpcctl("verify topologies/acl-forgets-ephemeral.yaml " + policy);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_TRUE(has(r.out,
                    "  internet -> web: tcp/80 does not connect\n"
                    "    blocked by acl/web-acl: AclDenied (outbound rule *: deny all)"))
        << r.out;
    EXPECT_TRUE(has(r.out, "on the reply [SUBNET_ACL_RESTRICTION]\n")) << r.out;
    EXPECT_TRUE(has(r.out, "unreachable: dropped at acl/web-acl (AclDenied) on the return path"))
        << "the witness's trace shows the reply dropped\n"
        << r.out;
}

TEST(VerifyCommand, TheInternetReachesTheNatTopologysWebOnHttpAndHttpsOnly) {
    TempDir dir;
    std::string policy = dir.write("policy.yaml",
                                   "assertions:\n"
                                   "  - {from: internet, to: web, only: [tcp/80, tcp/443]}\n"
                                   "  - {from: internet, to: app, unreachable: all}\n"
                                   "  - {from: app, to: internet, reachable: [tcp/443, udp/53]}\n")
                             .string();
    Result r = vpcctl("verify topologies/two-tier-nat.yaml " + policy);
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_TRUE(has(r.out, "3 assertions, 3 hold, 0 violated")) << r.out;
}

TEST(VerifyCommand, AsJsonEmbedsTheWitnessTrace) {
    TempDir dir;
    std::string policy =
        dir.write("policy.yaml", "assertions:\n  - {from: app, to: db, unreachable: all}\n")
            .string();
    Result r = vpcctl("verify topologies/three-tier.yaml " + policy + " --json");
    EXPECT_EQ(r.exit_code, 1) << r.err;
    json doc = json::parse(r.out);
    EXPECT_EQ(doc["holds"], false);
    const json& v = doc["assertions"][0]["violations"][0];
    EXPECT_EQ(v["from"], "app");
    EXPECT_EQ(v["services"], (json{"tcp/5432"}));
    EXPECT_EQ(v["connects"], true);
    EXPECT_EQ(v["trace"]["reachable"], true) << "the trace of `vpcctl trace --json`";
    EXPECT_EQ(v["trace"]["dport"], 5432);
}

TEST(VerifyCommand, ABadPolicyFileIsAnInputErrorWithItsPlaces) {
    TempDir dir;
    std::string policy = dir.write("policy.yaml",
                                   "assertions:\n"
                                   "  - from: internet\n"
                                   "    too: web\n"
                                   "    only: [tcp/443, tcp/70000]\n")
                             .string();
    Result r = vpcctl("verify topologies/three-tier.yaml " + policy);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(r.out.empty()) << r.out;
    EXPECT_EQ(r.err, policy +
                         ":2:5: error: assertion 1: missing key 'to'; expected a selector: an "
                         "instance, ENI, subnet, VPC, security group, CIDR or internet\n" +
                         policy +
                         ":3:5: error: assertion 1: unknown key 'too'; did you mean 'to'?\n" +
                         policy +
                         ":4:21: error: assertion 1: bad service 'tcp/70000' in only; "
                         "expected tcp/PORT, tcp/FIRST-LAST, tcp, udp/PORT, "
                         "udp/FIRST-LAST, udp, icmp echo, a protocol number or all\n");
}

TEST(VerifyCommand, AnUnknownSelectorNamesItsPlace) {
    TempDir dir;
    std::string policy =
        dir.write("policy.yaml", "assertions:\n  - {from: app, to: dbx, reachable: [tcp/5432]}\n")
            .string();
    Result r = vpcctl("verify topologies/three-tier.yaml " + policy);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_EQ(r.err.rfind(policy + ":2:21: error: assertion 1: to: ", 0), 0u) << r.err;
    EXPECT_TRUE(has(r.err, "'dbx'")) << r.err;
}

TEST(VerifyCommand, AMissingPolicyFileIsAnInputError) {
    Result r = vpcctl("verify topologies/three-tier.yaml /nonexistent/policy.yaml");
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(has(r.err, "/nonexistent/policy.yaml: error: cannot read the file")) << r.err;
}

// ---- diff ----

TEST(DiffCommand, ATopologyAgainstItselfChangesNothing) {
    Result r = vpcctl("diff topologies/three-tier.yaml topologies/three-tier.yaml");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_EQ(r.out,
              "diff topologies/three-tier.yaml -> topologies/three-tier.yaml: no reachability "
              "change (12 pairs compared)\n");
}

TEST(DiffCommand, MovingWebFromHttpsToHttpOpensOneAndClosesTheOther) {
    TempDir dir;
    std::string text = read_file(std::string(VPCSTACK_SOURCE_DIR) + "/topologies/three-tier.yaml");
    const std::string rule = "tcp/443 from 0.0.0.0/0";
    ASSERT_NE(text.find(rule), std::string::npos);
    std::size_t at = text.find(rule, text.find("security_groups:"));
    ASSERT_NE(at, std::string::npos);
    text.replace(at, rule.size(), "tcp/80 from 0.0.0.0/0");
    std::string changed = dir.write("three-tier-http.yaml", text).string();

    Result r = vpcctl("diff topologies/three-tier.yaml " + changed);
    EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
    EXPECT_TRUE(has(r.out, "reachability changed for 2 of 12 pairs")) << r.out;
    EXPECT_TRUE(has(r.out,
                    "internet -> web\n  opened tcp/80\n    blocked in "
                    "topologies/three-tier.yaml by sg/web-sg: SecurityGroupNoMatch"))
        << r.out;
    EXPECT_TRUE(has(r.out, "  closed tcp/443\n    blocked in " + changed +
                               " by sg/web-sg: SecurityGroupNoMatch"))
        << r.out;

    Result j = vpcctl("diff topologies/three-tier.yaml " + changed + " --json");
    EXPECT_EQ(j.exit_code, 1);
    json doc = json::parse(j.out);
    EXPECT_EQ(doc["changed"], true);
    ASSERT_EQ(doc["pairs"].size(), 2u);
    EXPECT_EQ(doc["pairs"][0]["from"], "app");
    EXPECT_EQ(doc["pairs"][0]["to"], "web");
    EXPECT_EQ(doc["pairs"][0]["opened"][0]["services"], (json{"tcp/80"}));
    EXPECT_EQ(doc["pairs"][0]["closed"][0]["witness"]["dport"], 443);
}

TEST(DiffCommand, ABrokenTopologyIsAnInputError) {
    TempDir dir;
    std::string file = dir.write("broken.yaml", "vpcs: [\n").string();
    Result r = vpcctl("diff topologies/three-tier.yaml " + file);
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_TRUE(has(r.err, file + ":")) << r.err;
}

}  // namespace
