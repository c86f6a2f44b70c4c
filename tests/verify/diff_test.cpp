// Reachability diffs between two hand-built Reach values, and how they are shown.
#include "vpcstack/verify/diff.hpp"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "sample_reach.hpp"
#include "vpcstack/verify/render.hpp"

namespace vpcstack::verify {
namespace {

using engine::DropReason;
using nlohmann::json;
using test::sample_reach;
using test::services;

Reach renamed(Reach r, std::string file) {
    r.topology = std::move(file);
    return r;
}

// NEW: web -> db also opens tcp/22 (db-sg now allows ssh); internet -> web loses ping (web-sg
// no longer allows ICMP).
Reach changed_reach() {
    Reach r = renamed(sample_reach(), "topologies/new.yaml");
    ServiceSet all = all_services();
    PairResult& web_db = test::pair_of(r, "web", "db");
    ServiceSet db_open = services({"tcp/22", "tcp/5432"});
    web_db = test::pair(r, web_db.from, web_db.to, db_open,
                        {{all.minus(db_open),
                          {test::blocker("sg/db-sg", DropReason::SecurityGroupNoMatch)},
                          test::tcp("web", "db", 80)}});
    PairResult& internet_web = test::pair_of(r, "internet", "web");
    ServiceSet web_open = services({"tcp/443"});
    internet_web = test::pair(
        r, internet_web.from, internet_web.to, web_open,
        {{services({"icmp echo"}),
          {test::blocker("sg/web-sg", DropReason::SecurityGroupNoMatch, "", "SG_NO_MATCH")},
          test::echo("198.51.100.1", "web")},
         {all.minus(web_open).minus(services({"icmp echo"})),
          {test::blocker("acl/web-acl", DropReason::AclDenied, "inbound rule *: deny all")},
          test::tcp("198.51.100.1", "web", 80)}});
    return r;
}

TEST(Diff, TheSameReachTwiceChangesNothing) {
    ReachDiff d = diff_reach(sample_reach(), renamed(sample_reach(), "copy.yaml"));
    EXPECT_FALSE(d.changed());
    EXPECT_EQ(d.compared, 6u);
    EXPECT_EQ(render_diff_text(d, false),
              "diff topologies/sample.yaml -> copy.yaml: no reachability change (6 pairs "
              "compared)\n");
    EXPECT_EQ(json::parse(render_diff_json(d))["changed"], false);
}

TEST(Diff, AnOpenedFlowIsShownByNewsPacketAndWhatBlockedItBefore) {
    ReachDiff d = diff_reach(sample_reach(), changed_reach());
    ASSERT_TRUE(d.changed());
    ASSERT_EQ(d.pairs.size(), 2u);
    const PairDiff& p = d.pairs[0];
    EXPECT_EQ(p.from, "web");
    EXPECT_EQ(p.to, "db");
    EXPECT_TRUE(p.closed.empty());
    ASSERT_EQ(p.opened.size(), 1u);
    const FlowChange& c = p.opened[0];
    EXPECT_EQ(c.services, services({"tcp/22"}));
    EXPECT_EQ(c.witness.dport, 22) << "NEW's open witness for tcp/22";
    ASSERT_EQ(c.blockers.size(), 1u);
    EXPECT_EQ(c.blockers[0].component, "sg/db-sg") << "what blocked it in OLD";
    EXPECT_EQ(c.blockers[0].explanation, "SGNoMatch") << "OLD's blocker, not NEW's";
}

TEST(Diff, AClosedFlowIsShownByOldsPacketAndWhatBlocksItInNew) {
    ReachDiff d = diff_reach(sample_reach(), changed_reach());
    const PairDiff& p = d.pairs[1];
    EXPECT_EQ(p.from, "internet");
    EXPECT_EQ(p.to, "web");
    EXPECT_TRUE(p.opened.empty());
    ASSERT_EQ(p.closed.size(), 1u);
    const FlowChange& c = p.closed[0];
    EXPECT_EQ(c.services, services({"icmp echo"}));
    EXPECT_EQ(c.witness.protocol, net::Protocol::icmp());
    EXPECT_TRUE(test::same_packet(c.witness, sample_reach().results[4].open_witnesses[0]))
        << "OLD's open witness";
    ASSERT_EQ(c.blockers.size(), 1u);
    EXPECT_EQ(c.blockers[0].component, "sg/web-sg") << "NEW's closed group of icmp, not the ACL's";
}

TEST(Diff, AChangeIsSplitByTheGroupsThatBlockIt) {
    Reach before = renamed(sample_reach(), "old.yaml");
    Reach after = renamed(sample_reach(), "new.yaml");
    // web -> internet: everything open before; now tcp/22 is stopped by an ACL and udp by the
    // security group.
    PairResult& p = test::pair_of(after, "web", "internet");
    ServiceSet tcp22 = services({"tcp/22"});
    ServiceSet udp = services({"udp"});
    p = test::pair(after, p.from, p.to, all_services().minus(tcp22).minus(udp),
                   {{tcp22,
                     {test::blocker("acl/web-acl", DropReason::AclDenied)},
                     test::tcp("web", "198.51.100.1", 22)},
                    {udp,
                     {test::blocker("sg/web-sg", DropReason::SecurityGroupNoMatch)},
                     {"web", "198.51.100.1", net::Protocol::udp(), 53, 40000}}});
    ReachDiff d = diff_reach(before, after);
    ASSERT_EQ(d.pairs.size(), 1u);
    ASSERT_EQ(d.pairs[0].closed.size(), 2u);
    EXPECT_EQ(d.pairs[0].closed[0].services, tcp22);
    EXPECT_EQ(d.pairs[0].closed[0].blockers[0].component, "acl/web-acl");
    EXPECT_EQ(d.pairs[0].closed[0].witness.dport, 22) << "OLD's tcp/all witness, sent to 22";
    EXPECT_EQ(d.pairs[0].closed[1].services, udp);
    EXPECT_EQ(d.pairs[0].closed[1].blockers[0].component, "sg/web-sg");
    EXPECT_EQ(d.pairs[0].closed[1].witness.protocol, net::Protocol::udp());
}

TEST(Diff, PlacesInOnlyOneTopologyAreAddedOrRemoved) {
    Reach before = sample_reach();
    Reach after = renamed(sample_reach(), "new.yaml");
    after.places[1].name = "db2";
    after.places[1].trace_name = "db2";
    ReachDiff d = diff_reach(before, after);
    ASSERT_EQ(d.added.size(), 1u);
    EXPECT_EQ(d.added[0].name, "db2");
    EXPECT_EQ(d.added[0].address, "10.0.3.10");
    ASSERT_EQ(d.removed.size(), 1u);
    EXPECT_EQ(d.removed[0].name, "db");
    EXPECT_TRUE(d.pairs.empty()) << "the pairs of web and internet did not change";
    EXPECT_EQ(d.compared, 2u);
    EXPECT_TRUE(d.changed());
}

TEST(DiffText, NamesEachChangeWithItsBlockersAndBothCommands) {
    Reach before = sample_reach();
    Reach after = changed_reach();
    ReachDiff d = diff_reach(before, after);
    std::string text = render_diff_text(d, false);
    const FlowChange& opened = d.pairs[0].opened[0];
    const FlowChange& closed = d.pairs[1].closed[0];
    std::string expected =
        "diff topologies/sample.yaml -> topologies/new.yaml: reachability changed for 2 of 6 "
        "pairs\n"
        "\n"
        "web -> db\n"
        "  opened tcp/22\n"
        "    blocked in topologies/sample.yaml by " +
        opened.blockers[0].to_string() +
        "\n"
        "    connects: " +
        opened.witness.command("topologies/new.yaml") +
        "\n"
        "    blocked:  " +
        opened.witness.command("topologies/sample.yaml") +
        "\n"
        "\n"
        "internet -> web\n"
        "  closed icmp echo\n"
        "    blocked in topologies/new.yaml by " +
        closed.blockers[0].to_string() +
        "\n"
        "    connects: " +
        closed.witness.command("topologies/sample.yaml") +
        "\n"
        "    blocked:  " +
        closed.witness.command("topologies/new.yaml") + "\n";
    EXPECT_EQ(text, expected);
    EXPECT_NE(render_diff_text(d, true).find("\033[32mopened\033[0m"), std::string::npos);
}

TEST(DiffJson, ListsPlacesAndEveryChangeWithItsWitness) {
    Reach before = sample_reach();
    Reach after = changed_reach();
    after.places[1].name = "database";
    ReachDiff d = diff_reach(before, after);
    json doc = json::parse(render_diff_json(d));
    EXPECT_EQ(doc["changed"], true);
    EXPECT_EQ(doc["old"], "topologies/sample.yaml");
    EXPECT_EQ(doc["new"], "topologies/new.yaml");
    EXPECT_EQ(doc["added"], (json{{{"name", "database"}, {"address", "10.0.3.10"}}}));
    EXPECT_EQ(doc["removed"][0]["name"], "db");
    ASSERT_EQ(doc["pairs"].size(), 1u) << "only internet -> web is in both";
    const json& c = doc["pairs"][0]["closed"][0];
    EXPECT_EQ(c["services"], (json{"icmp echo"}));
    EXPECT_EQ(c["witness"]["protocol"], "icmp");
    EXPECT_EQ(c["witness"]["command"],
              d.pairs[0].closed[0].witness.command("topologies/sample.yaml"));
    EXPECT_EQ(c["blocked_command"], d.pairs[0].closed[0].witness.command("topologies/new.yaml"));
    EXPECT_EQ(c["blockers"][0]["component"], "sg/web-sg");
    EXPECT_EQ(doc["pairs"][0]["opened"], json::array());
}

}  // namespace
}  // namespace vpcstack::verify
