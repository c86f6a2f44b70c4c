// How `vpcctl verify` shows a policy check: text and JSON, on hand-built Reach values.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sample_reach.hpp"
#include "vpcstack/verify/render.hpp"

namespace vpcstack::verify {
namespace {

using nlohmann::json;

Selection by_name(const Reach& reach, std::string_view selector) {
    Selection s;
    for (std::size_t i = 0; i < reach.places.size(); ++i) {
        if (selector == "any" || reach.places[i].name == selector) s.places.push_back(i);
    }
    if (s.places.empty()) s.error = "no place '" + std::string(selector) + "'";
    return s;
}

struct Checked {
    Policy policy;
    PolicyCheck check;
};

// The policy is kept beside its check: results point into it.
std::unique_ptr<Checked> checked(const Reach& reach, const std::string& yaml) {
    auto c = std::make_unique<Checked>();
    PolicyLoad load = load_policy_text(yaml, "p.yaml");
    EXPECT_TRUE(load.ok());
    if (load.ok()) c->policy = *load.policy;
    c->check =
        check_policy(reach, c->policy, [&](std::string_view s) { return by_name(reach, s); });
    return c;
}

const std::string kPolicy =
    "assertions:\n"
    "  - name: web reaches db on ssh\n"
    "    from: web\n"
    "    to: db\n"
    "    reachable: [tcp/22]\n"
    "  - {from: internet, to: web, only: [tcp/443, icmp]}\n";

TEST(PolicyText, SaysWhichAssertionsHoldAndShowsEachViolationWithItsTrace) {
    Reach r = test::sample_reach();
    auto c = checked(r, kPolicy);
    std::vector<std::string> traced;
    TraceText trace = [&](const Witness& w) {
        traced.push_back(w.command(r.topology));
        return "forward  tcp ...\n\nunreachable: dropped at sg/db-sg\n";
    };
    std::string text = render_policy_text(c->check, r, trace, false);
    const Violation& v = c->check.results[0].violations[0];
    EXPECT_EQ(text,
              "verify topologies/sample.yaml against p.yaml: 2 assertions, 1 hold, 1 violated\n"
              "\n"
              "VIOLATED  web reaches db on ssh (1 of 1 pair; p.yaml:2:5)\n"
              "  web -> db: tcp/22 does not connect\n"
              "    blocked by " +
                  v.blockers[0].to_string() +
                  "\n"
                  "    witness: " +
                  v.witness.command(r.topology) +
                  "\n"
                  "\n"
                  "    forward  tcp ...\n"
                  "\n"
                  "    unreachable: dropped at sg/db-sg\n"
                  "\n"
                  "holds     internet -> web only [tcp/443, icmp] (1 pair)\n");
    EXPECT_EQ(traced, std::vector<std::string>{v.witness.command(r.topology)});
    EXPECT_NE(render_policy_text(c->check, r, trace, true).find("\033[31mVIOLATED\033[0m"),
              std::string::npos);
}

TEST(PolicyText, OnlyTheFirstViolationsOfAnAssertionAreTraced) {
    Reach r;
    r.topology = "t.yaml";
    for (int i = 0; i < 8; ++i) {
        r.places.push_back(test::eni("h" + std::to_string(i), "10.0.0." + std::to_string(i + 4)));
        r.sources.push_back(r.places.size() - 1);
    }
    r.destinations = {0};
    for (std::size_t s = 1; s < 8; ++s) {
        r.add_pair(test::pair(r, s, 0, test::services({"tcp/22"}), {}));
    }
    auto c = checked(r, "assertions:\n  - {from: any, to: h0, unreachable: [tcp/22]}\n");
    ASSERT_EQ(c->check.results[0].violations.size(), 7u);
    std::size_t calls = 0;
    std::string text = render_policy_text(
        c->check, r,
        [&](const Witness&) {
            ++calls;
            return std::string("trace\n");
        },
        false);
    EXPECT_EQ(calls, kTracedViolations);
    EXPECT_NE(text.find("(traces shown for the first 5 pairs)"), std::string::npos) << text;
    EXPECT_NE(text.find("  h7 -> h0: tcp/22 connects, and should not\n"), std::string::npos)
        << "every violation is listed";
}

TEST(PolicyJson, HasEveryAssertionWithItsViolationsWitnessesAndTraces) {
    Reach r = test::sample_reach();
    auto c = checked(r, kPolicy);
    std::string text = render_policy_json(c->check, r, [](const Witness& w) {
        return json{{"reachable", false}, {"dport", w.dport}}.dump();
    });
    json doc = json::parse(text);
    EXPECT_EQ(doc["holds"], false);
    EXPECT_EQ(doc["topology"], "topologies/sample.yaml");
    EXPECT_EQ(doc["policy"], "p.yaml");
    ASSERT_EQ(doc["assertions"].size(), 2u);
    const json& a = doc["assertions"][0];
    EXPECT_EQ(a["name"], "web reaches db on ssh");
    EXPECT_EQ(a["kind"], "reachable");
    EXPECT_EQ(a["location"], "p.yaml:2:5");
    EXPECT_EQ(a["services"], (json{"tcp/22"}));
    EXPECT_EQ(a["holds"], false);
    EXPECT_EQ(a["pairs"], 1);
    const json& v = a["violations"][0];
    EXPECT_EQ(v["from"], "web");
    EXPECT_EQ(v["to"], "db");
    EXPECT_EQ(v["connects"], false);
    EXPECT_EQ(v["witness"]["dport"], 22);
    EXPECT_EQ(v["blockers"][0]["component"], "sg/db-sg");
    EXPECT_EQ(v["trace"], (json{{"reachable", false}, {"dport", 22}})) << "embedded as JSON";
    EXPECT_EQ(doc["assertions"][1]["holds"], true);
    EXPECT_EQ(doc["assertions"][1]["label"], "internet -> web only [tcp/443, icmp]");
    EXPECT_EQ(doc["diagnostics"], json::array());
}

}  // namespace
}  // namespace vpcstack::verify
