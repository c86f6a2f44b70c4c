// Policy files: reading them (every mistake reported in place) and checking their assertions
// against Reach values built by hand.
#include "vpcstack/verify/policy.hpp"

#include <gtest/gtest.h>

#include <map>

#include "sample_reach.hpp"
#include "vpcstack/model/loader.hpp"

namespace vpcstack::verify {
namespace {

using test::sample_reach;
using test::services;

const std::string kPolicies = std::string(VPCSTACK_SOURCE_DIR) + "/tests/verify/policies/";

std::vector<std::string> messages(const model::Diagnostics& diags) {
    std::vector<std::string> out;
    for (const model::Diagnostic& d : diags.sorted()) out.push_back(d.to_string());
    return out;
}

// Selectors of the sample: one name per place, "servers" for web and db, "nowhere" for none.
PlaceResolver sample_resolver() {
    return [](std::string_view selector) -> Selection {
        static const std::map<std::string, std::vector<std::size_t>, std::less<>> names = {
            {"web", {0}}, {"db", {1}}, {"internet", {2}}, {"servers", {0, 1}}, {"nowhere", {}}};
        auto it = names.find(selector);
        if (it == names.end()) {
            return {{},
                    "no instance, ENI, subnet, VPC, security group or CIDR '" +
                        std::string(selector) + "'"};
        }
        return {it->second, ""};
    };
}

Policy policy_of(const std::string& yaml) {
    PolicyLoad load = load_policy_text(yaml, "p.yaml");
    EXPECT_TRUE(load.ok()) << ::testing::PrintToString(messages(load.diagnostics));
    return load.ok() ? *load.policy : Policy{};
}

PolicyCheck check(const Reach& reach, const Policy& policy) {
    return check_policy(reach, policy, sample_resolver());
}

// ---- reading ----

TEST(PolicyLoad, ReadsEveryKindOfAssertionWithItsServices) {
    PolicyLoad load = load_policy_file(kPolicies + "sample-holds.yaml");
    ASSERT_TRUE(load.ok()) << ::testing::PrintToString(messages(load.diagnostics));
    const std::vector<Assertion>& a = load.policy->assertions;
    ASSERT_EQ(a.size(), 3u);
    EXPECT_EQ(a[0].name, "internet reaches web on https and ping only");
    EXPECT_EQ(a[0].kind, Assertion::Kind::Only);
    EXPECT_EQ(a[0].services, services({"tcp/443", "icmp echo"}));
    EXPECT_EQ(a[0].from, "internet");
    EXPECT_EQ(a[0].to, "web");
    EXPECT_EQ(a[0].loc.line, 3);
    EXPECT_EQ(a[1].kind, Assertion::Kind::Unreachable);
    EXPECT_EQ(a[1].services, all_services()) << "all means every service";
    EXPECT_EQ(a[1].label(), "internet -> db unreachable [all]") << "an unnamed assertion's label";
    EXPECT_EQ(a[2].kind, Assertion::Kind::Reachable);
    EXPECT_EQ(a[2].number, 3u);
    EXPECT_EQ(a[2].to_loc.line, 11);
    EXPECT_EQ(a[2].to_loc.column, 9);
}

TEST(PolicyLoad, EveryMistakeIsReportedWithItsFileLineAndColumn) {
    std::string file = kPolicies + "bad.yaml";
    PolicyLoad load = load_policy_file(file);
    EXPECT_FALSE(load.ok());
    std::vector<std::string> expected = {
        file + ":3:5: error: assertion 1: unknown key 'form'; did you mean 'from'?",
        file +
            ":3:5: error: assertion 1: missing key 'from'; expected a selector: an instance, "
            "ENI, subnet, VPC, security group, CIDR or internet",
        file +
            ":6:5: error: assertion 2: missing key 'to'; expected a selector: an instance, "
            "ENI, subnet, VPC, security group, CIDR or internet",
        file +
            ":11:5: error: assertion 3: 'reachable' and 'unreachable' in one assertion; "
            "expected exactly one of reachable, unreachable or only (write two assertions)",
        file +
            ":15:12: error: assertion 'bad port': bad service 'tcp/99999' in only; expected "
            "tcp/PORT, tcp/FIRST-LAST, tcp, udp/PORT, udp/FIRST-LAST, udp, icmp echo, a "
            "protocol number or all",
        file +
            ":16:5: error: assertion 5: says nothing; expected one of reachable, unreachable "
            "or only",
        file +
            ":18:11: error: assertion 6: from is a list; expected a selector: an instance, "
            "ENI, subnet, VPC, security group, CIDR or internet",
    };
    EXPECT_EQ(messages(load.diagnostics), expected);
}

TEST(PolicyLoad, OneServiceMayBeWrittenWithoutAList) {
    Policy p = policy_of("assertions:\n  - {from: web, to: db, reachable: tcp/5432}\n");
    ASSERT_EQ(p.assertions.size(), 1u);
    EXPECT_EQ(p.assertions[0].services, services({"tcp/5432"}));
}

TEST(PolicyLoad, TheFileMustHoldAListOfAssertions) {
    EXPECT_EQ(messages(load_policy_text("", "p.yaml").diagnostics),
              std::vector<std::string>{"p.yaml: error: the policy is empty; expected a map with "
                                       "the key 'assertions'"});
    EXPECT_EQ(messages(load_policy_text("assertions: []\n", "p.yaml").diagnostics),
              std::vector<std::string>{"p.yaml:1:13: error: 'assertions' is an empty list; "
                                       "expected a list of at least one assertion"});
    EXPECT_EQ(messages(load_policy_text("asertions:\n  - {}\n", "p.yaml").diagnostics),
              (std::vector<std::string>{
                  "p.yaml:1:1: error: unknown key 'asertions'; expected 'assertions'",
                  "p.yaml:1:1: error: missing key 'assertions'; expected a list of assertions"}));
}

TEST(PolicyLoad, MalformedYamlNamesItsPlace) {
    std::vector<std::string> m = messages(
        load_policy_text("assertions:\n  - from: [web\n    to: db\n", "p.yaml").diagnostics);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].rfind("p.yaml:", 0), 0u);
    EXPECT_NE(m[0].find("malformed YAML"), std::string::npos) << m[0];
}

TEST(PolicyLoad, AMissingFileIsAnErrorNotAnException) {
    std::vector<std::string> m = messages(load_policy_file("/nonexistent/policy.yaml").diagnostics);
    ASSERT_EQ(m.size(), 1u);
    EXPECT_EQ(m[0].rfind("/nonexistent/policy.yaml: error: cannot read the file", 0), 0u) << m[0];
}

TEST(PolicyLoad, AServiceListMustNotBeEmptyOrNested) {
    std::vector<std::string> m =
        messages(load_policy_text("assertions:\n  - {from: a, to: b, only: []}\n"
                                  "  - {from: a, to: b, only: [[tcp/1]]}\n",
                                  "p.yaml")
                     .diagnostics);
    ASSERT_EQ(m.size(), 2u);
    EXPECT_NE(m[0].find("only is an empty list; expected a list of services"), std::string::npos)
        << m[0];
    EXPECT_NE(m[1].find("a service of only is a list"), std::string::npos) << m[1];
}

// ---- checking ----

TEST(PolicyCheck, AssertionsThatHoldHaveNoViolation) {
    PolicyLoad load = load_policy_file(kPolicies + "sample-holds.yaml");
    ASSERT_TRUE(load.ok());
    PolicyCheck c = check(sample_reach(), *load.policy);
    EXPECT_TRUE(c.holds());
    ASSERT_EQ(c.results.size(), 3u);
    for (const AssertionResult& r : c.results) {
        EXPECT_TRUE(r.evaluated);
        EXPECT_TRUE(r.holds) << r.assertion->label();
        EXPECT_EQ(r.pairs, 1u);
    }
    EXPECT_EQ(c.diagnostics.all().size(), 0u);
}

TEST(PolicyCheck, AReachableServiceThatIsClosedIsShownByTheBlockedPacketAndItsBlockers) {
    Policy p = policy_of("assertions:\n  - {from: web, to: db, reachable: [tcp/5432, tcp/8080]}\n");
    PolicyCheck c = check(sample_reach(), p);
    EXPECT_FALSE(c.holds());
    const AssertionResult& r = c.results[0];
    ASSERT_EQ(r.violations.size(), 1u);
    const Violation& v = r.violations[0];
    EXPECT_EQ(v.from_name, "web");
    EXPECT_EQ(v.to_name, "db");
    EXPECT_EQ(v.services, services({"tcp/8080"})) << "tcp/5432 connects";
    EXPECT_FALSE(v.connects);
    EXPECT_EQ(v.witness.protocol, net::Protocol::tcp());
    EXPECT_EQ(v.witness.dport, 8080) << "the closed group's witness, sent to the missing port";
    EXPECT_EQ(v.witness.sport, 40000);
    ASSERT_EQ(v.blockers.size(), 1u);
    EXPECT_EQ(v.blockers[0].component, "sg/db-sg");
}

TEST(PolicyCheck, AnUnreachableServiceThatConnectsIsShownByAPacketThatConnects) {
    Policy p = policy_of(
        "assertions:\n  - {name: no dns out, from: web, to: internet, unreachable: [udp/53]}\n");
    PolicyCheck c = check(sample_reach(), p);
    const AssertionResult& r = c.results[0];
    EXPECT_FALSE(r.holds);
    ASSERT_EQ(r.violations.size(), 1u);
    const Violation& v = r.violations[0];
    EXPECT_TRUE(v.connects);
    EXPECT_EQ(v.services, services({"udp/53"}));
    EXPECT_EQ(v.witness.protocol, net::Protocol::udp());
    EXPECT_EQ(v.witness.dport, 53) << "the open udp/all witness, sent to port 53";
    EXPECT_EQ(v.witness.from, "web");
    EXPECT_EQ(v.witness.to, "198.51.100.1");
    EXPECT_TRUE(v.blockers.empty());
}

TEST(PolicyCheck, UnreachableOverASelectionChecksEveryPairButAPlaceToItself) {
    Policy p = policy_of("assertions:\n  - {from: servers, to: servers, unreachable: all}\n");
    PolicyCheck c = check(sample_reach(), p);
    const AssertionResult& r = c.results[0];
    EXPECT_EQ(r.pairs, 2u) << "web -> db and db -> web; web -> web is not a pair";
    ASSERT_EQ(r.violations.size(), 1u);
    EXPECT_EQ(r.violations[0].from_name, "web");
    EXPECT_EQ(r.violations[0].to_name, "db");
    EXPECT_EQ(r.violations[0].services, services({"tcp/5432"}));
    EXPECT_EQ(r.violations[0].witness.dport, 5432);
}

TEST(PolicyCheck, OnlyIsBrokenByAnythingOutsideTheList) {
    Policy p = policy_of(
        "assertions:\n  - {from: internet, to: web, only: [tcp/443]}\n"
        "  - {from: internet, to: web, only: [tcp/443, icmp]}\n"
        "  - {from: internet, to: web, only: [tcp/1-1000, icmp, udp]}\n");
    PolicyCheck c = check(sample_reach(), p);
    ASSERT_EQ(c.results.size(), 3u);
    ASSERT_EQ(c.results[0].violations.size(), 1u);
    const Violation& v = c.results[0].violations[0];
    EXPECT_EQ(v.services, services({"icmp echo"}));
    EXPECT_EQ(v.witness.protocol, net::Protocol::icmp());
    EXPECT_TRUE(v.connects);
    EXPECT_TRUE(c.results[1].holds);
    EXPECT_TRUE(c.results[2].holds) << "listing more than connects is fine";
}

TEST(PolicyCheck, ReachableNeedsEveryPairAndEveryService) {
    Policy p = policy_of("assertions:\n  - {from: servers, to: internet, reachable: [tcp/443]}\n");
    PolicyCheck c = check(sample_reach(), p);
    const AssertionResult& r = c.results[0];
    EXPECT_EQ(r.pairs, 2u);
    ASSERT_EQ(r.violations.size(), 1u) << "web connects, db does not";
    EXPECT_EQ(r.violations[0].from_name, "db");
    EXPECT_EQ(r.violations[0].witness.protocol, net::Protocol::tcp())
        << "the group's ICMP witness becomes a tcp/443 packet";
    EXPECT_EQ(r.violations[0].witness.dport, 443);
    EXPECT_EQ(r.violations[0].witness.sport, 32768) << "an ephemeral source port";
    EXPECT_EQ(r.violations[0].blockers[0].component, "rtb/main");
}

TEST(PolicyCheck, AnUnknownSelectorIsAnErrorAtItsPlaceWithTheSelectorsMessage) {
    Policy p = policy_of("assertions:\n  - from: web\n    to: dbb\n    reachable: [tcp/5432]\n");
    PolicyCheck c = check(sample_reach(), p);
    EXPECT_FALSE(c.holds());
    EXPECT_FALSE(c.results[0].evaluated);
    EXPECT_EQ(messages(c.diagnostics),
              std::vector<std::string>{"p.yaml:3:9: error: assertion 1: to: no instance, ENI, "
                                       "subnet, VPC, security group or CIDR 'dbb'"});
}

TEST(PolicyCheck, ASelectionWithoutPairsHoldsTriviallyWithAWarning) {
    Policy p = policy_of(
        "assertions:\n  - {from: nowhere, to: db, reachable: all}\n"
        "  - {from: web, to: web, reachable: all}\n");
    PolicyCheck c = check(sample_reach(), p);
    EXPECT_TRUE(c.holds());
    EXPECT_EQ(c.diagnostics.warning_count(), 2u);
    EXPECT_EQ(c.results[1].pairs, 0u) << "a place to itself is never a pair";
}

TEST(PolicyCheck, APairTheReachDidNotComputeIsAnError) {
    Reach r = sample_reach();
    r.pair_results.erase(0 * r.places.size() + 1);  // web -> db
    PolicyCheck c = check(r, policy_of("assertions:\n  - {from: web, to: db, reachable: all}\n"));
    EXPECT_FALSE(c.holds());
    EXPECT_EQ(c.diagnostics.error_count(), 1u);
    EXPECT_FALSE(c.results[0].evaluated);
}

TEST(PolicyCheck, EveryViolatingPairIsListed) {
    PolicyLoad load = load_policy_file(kPolicies + "sample-violated.yaml");
    ASSERT_TRUE(load.ok());
    PolicyCheck c = check(sample_reach(), *load.policy);
    ASSERT_EQ(c.results.size(), 3u);
    for (const AssertionResult& r : c.results) {
        EXPECT_FALSE(r.holds) << r.assertion->label();
        EXPECT_EQ(r.violations.size(), 1u) << r.assertion->label();
    }
}

// ---- load balancers, on the example topologies ----

model::Topology load_example(const std::string& name) {
    model::LoadResult r =
        model::load_topology_file(std::string(VPCSTACK_SOURCE_DIR) + "/topologies/" + name);
    EXPECT_TRUE(r.ok()) << name;
    return *r.topology;
}

Reach computed(const model::Topology& t) {
    ReachResult r = compute_reach(t);
    EXPECT_TRUE(r.reach) << r.error;
    return *r.reach;
}

TEST(PolicyCheck, TheWebStacksExamplePolicyNamesItsLoadBalancerAndHolds) {
    model::Topology t = load_example("web-stack.yaml");
    PolicyLoad load =
        load_policy_file(std::string(VPCSTACK_SOURCE_DIR) + "/topologies/policies/web-stack.yaml");
    ASSERT_TRUE(load.ok()) << ::testing::PrintToString(messages(load.diagnostics));
    PolicyCheck c = check_policy(t, computed(t), *load.policy);
    EXPECT_TRUE(c.holds());
    EXPECT_TRUE(c.diagnostics.sorted().empty())
        << ::testing::PrintToString(messages(c.diagnostics));
    EXPECT_EQ(c.results[2].pairs, 3u) << "shop-alb to each of the three web servers";
}

TEST(PolicyCheck, AViolationAtALoadBalancerNamesItAndShowsAWitnessToIt) {
    model::Topology t = load_example("web-stack.yaml");
    Reach r = computed(t);
    PolicyCheck c = check_policy(t, r,
                                 policy_of("assertions:\n"
                                           "  - {from: internet, to: shop-alb, reachable: tcp/22}\n"
                                           "  - {from: internet, to: shop-alb, unreachable: "
                                           "tcp/443}\n"
                                           "  - {from: internet, to: web-asg-1, reachable: "
                                           "tcp/80}\n"));
    EXPECT_FALSE(c.holds());
    ASSERT_EQ(c.results.size(), 3u);
    for (const AssertionResult& a : c.results) ASSERT_EQ(a.violations.size(), 1u);
    const Violation& ssh = c.results[0].violations[0];
    EXPECT_EQ(ssh.to_name, "shop-alb");
    EXPECT_EQ(ssh.witness.to, "shop-alb");
    EXPECT_EQ(ssh.witness.dport, 22);
    EXPECT_FALSE(ssh.connects);
    ASSERT_FALSE(ssh.blockers.empty());
    EXPECT_EQ(ssh.blockers[0].component, "sg/alb-sg");
    const Violation& https = c.results[1].violations[0];
    EXPECT_TRUE(https.connects);
    EXPECT_EQ(https.witness.to, "shop-alb");
    EXPECT_EQ(https.witness.dport, 443);
    EXPECT_FALSE(c.results[2].violations[0].connects) << "not directly";
}

TEST(PolicyCheck, ANetworkLoadBalancerIsADestinationOnly) {
    model::Topology t = load_example("nlb.yaml");
    Reach r = computed(t);
    PolicyCheck to =
        check_policy(t, r,
                     policy_of("assertions:\n"
                               "  - {from: internet, to: web-nlb, only: tcp/80}\n"
                               "  - {from: internet, to: web-nlb, reachable: tcp/80}\n"
                               "  - {from: vpc:shop, to: internet, unreachable: all}\n"));
    EXPECT_TRUE(to.holds()) << ::testing::PrintToString(messages(to.diagnostics));
    EXPECT_EQ(to.results[2].pairs, 2u) << "the load balancer is passed over as a source";

    PolicyCheck from =
        check_policy(t, r,
                     policy_of("assertions:\n  - {from: web-nlb, to: web-1, reachable: "
                               "tcp/80}\n"));
    EXPECT_FALSE(from.holds());
    EXPECT_EQ(messages(from.diagnostics),
              std::vector<std::string>{"p.yaml:2:12: error: assertion 1: from: 'web-nlb' selects "
                                       "only Network Load Balancers, which open no connections "
                                       "(destinations only)"});
}

TEST(WitnessIn, KeepsAWitnessThatIsAlreadyOneOfTheServices) {
    Witness w = test::tcp("a", "b", 443);
    EXPECT_EQ(witness_in(w, services({"tcp/400-500"})).dport, 443);
    EXPECT_EQ(witness_in(w, services({"tcp/22", "tcp/8080"})).dport, 22);
    Witness u = witness_in(w, services({"udp/53"}));
    EXPECT_EQ(u.protocol, net::Protocol::udp());
    EXPECT_EQ(u.dport, 53);
    EXPECT_EQ(u.sport, 40000) << "the source port stays";
    Witness e = witness_in(w, services({"icmp echo"}));
    EXPECT_EQ(e.protocol, net::Protocol::icmp());
    EXPECT_EQ(e.dport, 0);
    EXPECT_EQ(e.sport, 0);
}

}  // namespace
}  // namespace vpcstack::verify
