// compute_reach and query on the example topologies and on cloud corners: the services each
// pair can open, every component that blocks the rest (request and reply), and witnesses that
// `vpcctl trace` replays as claimed.
#include "vpcstack/verify/reach.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <iterator>

#include "vpcstack/model/loader.hpp"
#include "vpcstack/sim/trace_report.hpp"

namespace vpcstack::verify {
namespace {

using engine::DropReason;

model::Topology load(const std::string& name) {
    model::LoadResult r =
        model::load_topology_file(std::string(VPCSTACK_SOURCE_DIR) + "/topologies/" + name);
    EXPECT_TRUE(r.ok()) << name;
    return *r.topology;
}

model::Topology parse(std::string_view yaml) {
    model::LoadResult r = model::load_topology_text(yaml, "test.yaml");
    EXPECT_TRUE(r.ok());
    if (!r.ok()) {
        for (const auto& d : r.diagnostics.sorted()) ADD_FAILURE() << d.to_string();
    }
    return *r.topology;
}

Reach reach_of(const model::Topology& t, ReachOptions options = {}) {
    ReachResult r = compute_reach(t, options);
    EXPECT_TRUE(r.reach) << r.error;
    return *r.reach;
}

std::size_t place(const Reach& reach, const std::string& name) {
    for (std::size_t i = 0; i < reach.places.size(); ++i) {
        if (reach.places[i].name == name) return i;
    }
    ADD_FAILURE() << "no place " << name;
    return 0;
}

const PairResult& pair(const Reach& reach, const std::string& from, const std::string& to) {
    const PairResult* p = reach.result(place(reach, from), place(reach, to));
    if (p == nullptr) throw std::runtime_error("no pair " + from + " -> " + to);
    return *p;
}

ServiceSet services(std::initializer_list<std::string_view> texts) {
    ServiceSet s;
    for (std::string_view t : texts) s.add(*parse_service(t));
    return s;
}

// The closed group that holds a service.
const Closed& closed_for(const PairResult& p, std::string_view service) {
    ServiceRange r = *parse_service(service);
    for (const Closed& c : p.closed) {
        if (c.services.contains(r)) return c;
    }
    throw std::runtime_error("not closed: " + std::string(service));
}

bool blocked_by(const Closed& c, std::string_view component, DropReason reason, bool reply) {
    return std::any_of(c.blockers.begin(), c.blockers.end(), [&](const Blocker& b) {
        return b.component == component && b.reason == reason && b.reply == reply;
    });
}

// `vpcctl trace` on the witness: reachable exactly when the verifier said so.
void expect_replays(const model::Topology& t, const Witness& w, bool connects) {
    sim::TraceResult r = sim::run_trace(t, w.query());
    ASSERT_TRUE(r.report) << r.error << " for " << w.command(t.file);
    EXPECT_EQ(r.report->reachable, connects) << w.command(t.file) << "\n"
                                             << sim::render_text(*r.report, false);
}

void expect_all_witnesses_replay(const model::Topology& t, const Reach& reach) {
    for (const PairReach& pr : reach.pairs()) {
        const PairResult& p = *pr.result;
        ASSERT_EQ(p.open_witnesses.size(), p.open.ranges().size());
        for (const Witness& w : p.open_witnesses) expect_replays(t, reach.named(pr, w), true);
        for (const Closed& c : p.closed) expect_replays(t, reach.named(pr, c.witness), false);
        // Open and closed services cover everything, without overlap.
        ServiceSet covered = p.open;
        for (const Closed& c : p.closed) {
            EXPECT_TRUE(c.services.intersect(p.open).empty());
            covered.add(c.services);
        }
        EXPECT_EQ(covered, all_services())
            << reach.places[pr.from].name << " -> " << reach.places[pr.to].name;
    }
}

TEST(Reach, ThreeTierOpensOnlyWhatTheGroupsReference) {
    model::Topology t = load("three-tier.yaml");
    Reach r = reach_of(t);
    EXPECT_EQ(pair(r, "internet", "web").open, services({"tcp/443"}));
    EXPECT_EQ(pair(r, "web", "app").open, services({"tcp/8080"}));
    EXPECT_EQ(pair(r, "app", "db").open, services({"tcp/5432"}));
    EXPECT_TRUE(pair(r, "internet", "db").open.empty());
    EXPECT_TRUE(pair(r, "web", "db").open.empty());
    EXPECT_EQ(pair(r, "app", "internet").open, all_services());  // through the NAT gateway

    // web -> db tcp/5432: every blocker, not only the first, request and reply.
    const Closed& c = closed_for(pair(r, "web", "db"), "tcp/5432");
    EXPECT_TRUE(blocked_by(c, "acl/db-acl", DropReason::AclDenied, false));
    EXPECT_TRUE(blocked_by(c, "sg/db-sg", DropReason::SecurityGroupNoMatch, false));
    EXPECT_TRUE(blocked_by(c, "acl/db-acl", DropReason::AclDenied, true));
    for (const Blocker& b : c.blockers) {
        if (b.reason == DropReason::AclDenied) EXPECT_EQ(b.explanation, "SUBNET_ACL_RESTRICTION");
        if (b.reason == DropReason::SecurityGroupNoMatch) {
            EXPECT_EQ(b.explanation, "ENI_SG_RULES_MISMATCH");
        }
    }
    // The internet cannot address an instance without a public IP.
    const Closed& i = closed_for(pair(r, "internet", "app"), "tcp/8080");
    EXPECT_TRUE(blocked_by(i, "internet", DropReason::NoMapping, false));
    EXPECT_EQ(i.blockers.front().explanation, "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS");
    expect_all_witnesses_replay(t, r);
}

TEST(Reach, AReplyTheAclForgetsIsBlockedOnTheReply) {
    model::Topology t = load("acl-forgets-ephemeral.yaml");
    Reach r = reach_of(t);
    const PairResult& p = pair(r, "internet", "web");
    EXPECT_TRUE(p.open.empty());
    const Closed& c = closed_for(p, "tcp/80");
    ASSERT_EQ(c.blockers.size(), 1u);
    EXPECT_TRUE(blocked_by(c, "acl/web-acl", DropReason::AclDenied, true));
    expect_all_witnesses_replay(t, r);
}

TEST(Reach, EveryExampleTopologyReplaysItsWitnesses) {
    for (const char* name :
         {"two-tier-nat.yaml", "middlebox.yaml", "peered-vpcs.yaml", "blackhole-route.yaml",
          "hub-and-spoke.yaml", "single-public-web.yaml"}) {
        SCOPED_TRACE(name);
        model::Topology t = load(name);
        expect_all_witnesses_replay(t, reach_of(t));
    }
}

TEST(Reach, APeeringIsNotTransitive) {
    model::Topology t = load("hub-and-spoke.yaml");
    Reach r = reach_of(t);
    for (const PairReach& pr : r.pairs()) {
        const PairResult& p = *pr.result;
        const model::Vpc* a = nullptr;
        const model::Vpc* b = nullptr;
        if (r.places[pr.from].kind == Place::Kind::Eni)
            a = &t.vpcs[t.enis[r.places[pr.from].eni].vpc];
        if (r.places[pr.to].kind == Place::Kind::Eni) b = &t.vpcs[t.enis[r.places[pr.to].eni].vpc];
        // Spoke to spoke through the hub never connects.
        if (a && b && a != b && a->meta.name.find("spoke") != std::string::npos &&
            b->meta.name.find("spoke") != std::string::npos) {
            EXPECT_TRUE(p.open.empty()) << r.places[pr.from].name << " -> " << r.places[pr.to].name;
        }
    }
}

// A reply that leaves by a NAT gateway does not come back from the address the request went to.
constexpr std::string_view kAsymmetric = R"(
region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    internet_gateway: igw
    subnets:
      - {name: public, cidr: 10.0.1.0/24, az: us-east-1a, route_table: public-rt}
      - {name: odd, cidr: 10.0.2.0/24, az: us-east-1a, route_table: odd-rt}
    route_tables:
      - name: public-rt
        routes: [0.0.0.0/0 -> igw]
      - name: odd-rt
        routes: [0.0.0.0/0 -> nat/nat]
    nat_gateways:
      - {name: nat, subnet: public, elastic_ip: nat-eip}
    security_groups:
      - name: open
        ingress: [all from 0.0.0.0/0]
    instances:
      - {name: web, subnet: odd, private_ip: 10.0.2.10, public_ip: 203.0.113.20, security_groups: [open]}
elastic_ips:
  - {name: nat-eip, address: 203.0.113.21}
)";

TEST(Reach, AnAsymmetricReturnPathFails) {
    model::Topology t = parse(kAsymmetric);
    Reach r = reach_of(t);
    const PairResult& in = pair(r, "internet", "web");
    EXPECT_TRUE(in.open.empty());
    // The answer leaves by the NAT gateway, which holds no translation for it (AWS: a NAT
    // gateway only answers flows that went out through it).
    const Closed& c = closed_for(in, "tcp/443");
    ASSERT_EQ(c.blockers.size(), 1u);
    EXPECT_TRUE(blocked_by(c, "nat/nat", DropReason::NatNoTranslation, true));
    EXPECT_EQ(pair(r, "web", "internet").open, all_services());  // out through the NAT: fine
    expect_all_witnesses_replay(t, r);
}

TEST(Reach, SelectorsNarrowTheMatrix) {
    model::Topology t = load("three-tier.yaml");
    Reach r = reach_of(t, {"internet", "sg:db-sg"});
    ASSERT_EQ(r.pairs().size(), 1u);
    EXPECT_EQ(r.places[r.pairs()[0].to].name, "db");
    EXPECT_FALSE(compute_reach(t, {"nothing-by-this-name", ""}).reach);
    Selection s = select_places(t, places_of(t), "10.20.0.0/16");
    EXPECT_EQ(s.places.size(), 3u);
    Selection all = select_places(t, places_of(t), "0.0.0.0/0");
    EXPECT_EQ(all.places.size(), 4u);  // every ENI and the internet
    EXPECT_FALSE(select_places(t, places_of(t), "vpc:web").error.empty());
}

TEST(Reach, PlacesNoRuleTellsApartAreComputedOnce) {
    // Ten instances of one fleet: one class, so ten sources to one destination is one pair.
    std::string yaml = R"(
region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    subnets:
      - {name: a, cidr: 10.0.1.0/24, az: us-east-1a}
      - {name: b, cidr: 10.0.2.0/24, az: us-east-1a}
    security_groups:
      - name: fleet
        egress: [all to 0.0.0.0/0]
      - name: db
        ingress: [tcp/5432 from sg:fleet]
    instances:
      - {name: db, subnet: b, private_ip: 10.0.2.10, security_groups: [db]}
)";
    for (int i = 0; i < 10; ++i) {
        yaml += "      - {name: f" + std::to_string(i) + ", subnet: a, private_ip: 10.0.1." +
                std::to_string(10 + i) + ", security_groups: [fleet]}\n";
    }
    model::Topology t = parse(yaml);
    Reach r = reach_of(t, {"sg:fleet", "db"});
    EXPECT_EQ(r.pairs().size(), 10u);
    EXPECT_EQ(r.stats.class_pairs, 1u);
    for (const PairReach& p : r.pairs()) {
        EXPECT_EQ(p.result->open, services({"tcp/5432"}));
        ASSERT_EQ(p.result->open_witnesses.size(), 1u);
        // Renamed per pair.
        EXPECT_EQ(r.named(p, p.result->open_witnesses[0]).from, r.places[p.from].trace_name);
    }
    expect_all_witnesses_replay(t, r);
}

// Rules that cannot match a pair's packets (a peer range that holds neither end) do not split
// its ports: the pair costs the same probes with or without them, and its answer is the same.
TEST(Reach, RulesThatCannotMatchAPairDoNotSplitItsPorts) {
    auto topology = [](bool extra) {
        std::string yaml = R"(
region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    subnets:
      - {name: a, cidr: 10.0.1.0/24, az: us-east-1a, network_acl: acl}
      - {name: b, cidr: 10.0.2.0/24, az: us-east-1a, network_acl: acl}
    network_acls:
      - name: acl
        inbound:
)";
        if (extra) yaml += "          - 50 deny tcp/3000-3999 from 10.9.0.0/16\n";
        yaml += R"(          - 100 allow all from 0.0.0.0/0
        outbound:
          - 100 allow all to 0.0.0.0/0
    security_groups:
      - name: client
        egress: [all to 0.0.0.0/0]
      - name: db
        ingress:
          - tcp/5432 from 10.0.1.0/24
)";
        if (extra) {
            for (int port = 1000; port < 1020; ++port)
                yaml += "          - tcp/" + std::to_string(port) + " from 10.9.0.0/16\n";
        }
        yaml += R"(    instances:
      - {name: client, subnet: a, private_ip: 10.0.1.10, security_groups: [client]}
      - {name: db, subnet: b, private_ip: 10.0.2.10, security_groups: [db]}
)";
        return parse(yaml);
    };
    model::Topology plain = topology(false);
    model::Topology extra = topology(true);
    Reach p = reach_of(plain, {"client", "db"});
    Reach e = reach_of(extra, {"client", "db"});
    EXPECT_EQ(pair(e, "client", "db").open, services({"tcp/5432"}));
    EXPECT_EQ(pair(e, "client", "db").open, pair(p, "client", "db").open);
    EXPECT_EQ(e.stats.probes, p.stats.probes);
    expect_all_witnesses_replay(extra, e);
    // The same rules for the client's own range do split its ports.
    Reach wide = reach_of(parse(R"(
region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    subnets:
      - {name: a, cidr: 10.0.1.0/24, az: us-east-1a}
      - {name: b, cidr: 10.0.2.0/24, az: us-east-1a}
    security_groups:
      - name: client
        egress: [all to 0.0.0.0/0]
      - name: db
        ingress: [tcp/5432 from 10.0.1.0/24, tcp/1000 from 10.0.1.0/24, tcp/1002 from 10.0.1.0/24]
    instances:
      - {name: client, subnet: a, private_ip: 10.0.1.10, security_groups: [client]}
      - {name: db, subnet: b, private_ip: 10.0.2.10, security_groups: [db]}
)"),
                          {"client", "db"});
    EXPECT_EQ(pair(wide, "client", "db").open, services({"tcp/1000", "tcp/1002", "tcp/5432"}));
    EXPECT_GT(wide.stats.probes, p.stats.probes);
}

TEST(Query, AnswersOneServiceWithAWitness) {
    model::Topology t = load("three-tier.yaml");
    QueryResult yes = query(t, {"internet", "web", "tcp", 443, -1});
    ASSERT_TRUE(yes.error.empty()) << yes.error;
    EXPECT_TRUE(yes.reachable);
    ASSERT_TRUE(yes.witness);
    expect_replays(t, *yes.witness, true);

    QueryResult no = query(t, {"internet", "db", "tcp", 5432, -1});
    EXPECT_FALSE(no.reachable);
    EXPECT_FALSE(no.blockers.empty());

    // A source port outside what the ACL lets back is a different answer.
    QueryResult low = query(t, {"app", "db", "tcp", 5432, 80});
    EXPECT_FALSE(low.reachable);
    QueryResult high = query(t, {"app", "db", "tcp", 5432, 40000});
    EXPECT_TRUE(high.reachable);

    EXPECT_FALSE(query(t, {"app", "db", "tcp", -1, -1}).error.empty());  // --dport needed
    EXPECT_FALSE(query(t, {"nobody", "db", "tcp", 1, -1}).error.empty());
}

// ---- load balancers as places ----

// The host of the target that answered a trace's request, "" when no instance did.
std::string answered_by(const sim::TraceReport& report) {
    for (const sim::ReportStep& step : report.forward.steps) {
        if (step.host && step.host->action == sim::HostAction::Answer) return step.host->host;
    }
    return "";
}

TEST(Reach, ALoadBalancerIsOnePlaceNamedAfterIt) {
    model::Topology t = load("web-stack.yaml");
    std::vector<Place> places = places_of(t);
    auto named = [&](std::string_view n) {
        return std::count_if(places.begin(), places.end(),
                             [&](const Place& p) { return p.name == n; });
    };
    EXPECT_EQ(named("shop-alb"), 1) << "one place for the load balancer";
    EXPECT_EQ(named("shop-alb-us-east-1a") + named("shop-alb-us-east-1b"), 0)
        << "its nodes' ENIs are not places of their own";
    const Place& alb = places[place(reach_of(t, {"internet", "shop-alb"}), "shop-alb")];
    EXPECT_EQ(alb.kind, Place::Kind::LoadBalancer);
    EXPECT_EQ(alb.trace_name, "shop-alb") << "vpcctl trace resolves the name to its first node";
    EXPECT_EQ(alb.address, t.enis[t.load_balancers[0].nodes.front().eni].primary_ip().to_string());
    EXPECT_TRUE(alb.source());
}

TEST(Reach, TheInternetReachesTheWebStackOnlyThroughItsApplicationLoadBalancer) {
    model::Topology t = load("web-stack.yaml");
    Reach r = reach_of(t);
    EXPECT_EQ(pair(r, "internet", "shop-alb").open, services({"tcp/80", "tcp/443"}));
    const Closed& ssh = closed_for(pair(r, "internet", "shop-alb"), "tcp/22");
    EXPECT_TRUE(blocked_by(ssh, "sg/alb-sg", DropReason::SecurityGroupNoMatch, false));
    for (const char* web : {"web-asg-1", "web-asg-2", "web-asg-3"}) {
        EXPECT_TRUE(pair(r, "internet", web).open.empty()) << web << ": not directly";
        // The load balancer's own leg: its connections to the targets.
        EXPECT_EQ(pair(r, "shop-alb", web).open, services({"tcp/80"})) << web;
    }
    for (const char* app : {"app-1", "app-2"}) {
        EXPECT_EQ(pair(r, "shop-alb", app).open, services({"tcp/8080"})) << app;
    }
    EXPECT_TRUE(pair(r, "shop-alb", "db").open.empty());
    EXPECT_TRUE(pair(r, "shop-alb", "internet").open.empty());
    EXPECT_EQ(pair(r, "web-asg-1", "shop-alb").open, services({"tcp/80", "tcp/443"}))
        << "its listeners from inside the VPC too";
    expect_all_witnesses_replay(t, r);
}

TEST(Reach, AnApplicationLoadBalancerAnswersOnlyItsListenersWhateverItsGroupsAdmit) {
    model::Topology t = parse(R"(
region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    internet_gateway: igw
    subnets:
      - {name: pub-a, cidr: 10.0.0.0/24, az: us-east-1a, route_table: pub-rt}
      - {name: pub-b, cidr: 10.0.1.0/24, az: us-east-1b, route_table: pub-rt}
      - {name: web-a, cidr: 10.0.10.0/24, az: us-east-1a}
    route_tables:
      - name: pub-rt
        routes: [0.0.0.0/0 -> igw]
    security_groups:
      - name: open-sg
        ingress: [all from 0.0.0.0/0]
      - name: web-sg
        ingress: [tcp/80 from sg:open-sg]
    instances:
      - {name: web, subnet: web-a, security_groups: [web-sg], listen: [tcp/80]}
    load_balancers:
      - name: alb
        type: application
        scheme: internet-facing
        subnets: [pub-a, pub-b]
        security_groups: [open-sg]
        listeners:
          - {protocol: HTTP, port: 8000, default_action: {forward: web-tg}}
    target_groups:
      - {name: web-tg, protocol: HTTP, port: 80, targets: [web]}
)");
    Reach r = reach_of(t);
    const PairResult& p = pair(r, "internet", "alb");
    EXPECT_EQ(p.open, services({"tcp/8000"})) << "open-sg admits everything";
    const Closed& other = closed_for(p, "tcp/8001");
    ASSERT_EQ(other.blockers.size(), 1u);
    EXPECT_EQ(other.blockers[0].component, "alb-us-east-1a") << "the first node's host";
    EXPECT_FALSE(other.blockers[0].reason) << "no component drops it: nothing answers";
    EXPECT_FALSE(other.blockers[0].reply);
    EXPECT_TRUE(closed_for(p, "icmp echo").services.contains(*parse_service("udp/8000")));
    // The node's words for one service.
    QueryResult q = query(t, {"203.0.113.10", "alb", "tcp", 8001, -1});
    ASSERT_TRUE(q.error.empty()) << q.error;
    EXPECT_FALSE(q.reachable);
    ASSERT_EQ(q.blockers.size(), 1u);
    EXPECT_NE(q.blockers[0].detail.find("no listener on tcp/8001"), std::string::npos)
        << q.blockers[0].detail;
    EXPECT_EQ(pair(r, "web", "alb").open, services({"tcp/8000"}));
    EXPECT_EQ(pair(r, "alb", "web").open, services({"tcp/80"}));
    expect_all_witnesses_replay(t, r);
}

TEST(Reach, TheInternetReachesTheNetworkLoadBalancerThroughATargetAndBack) {
    model::Topology t = load("nlb.yaml");
    Reach r = reach_of(t);
    const std::size_t nlb = place(r, "web-nlb");
    EXPECT_EQ(r.places[nlb].kind, Place::Kind::LoadBalancer);
    EXPECT_EQ(r.places[nlb].trace_name, "web-nlb") << "vpcctl trace resolves its name";
    EXPECT_FALSE(std::binary_search(r.sources.begin(), r.sources.end(), nlb))
        << "it opens nothing of its own: a destination only";
    const PairResult& p = pair(r, "internet", "web-nlb");
    EXPECT_EQ(p.open, services({"tcp/80"}));
    ASSERT_EQ(p.open_witnesses.size(), 1u);
    const Witness& w = p.open_witnesses[0];
    EXPECT_EQ(w.to, "web-nlb");
    sim::TraceResult trace = sim::run_trace(t, w.query());
    ASSERT_TRUE(trace.report) << trace.error;
    EXPECT_TRUE(trace.report->reachable);
    EXPECT_EQ(trace.report->to.address, "203.0.113.60")
        << "the internet sends to the first node's Elastic IP";
    EXPECT_EQ(answered_by(*trace.report), "web-1") << "the target of the node's zone answers";
    ASSERT_TRUE(trace.report->ret);
    EXPECT_EQ(trace.report->ret->fate, engine::Fate::Delivered) << "and the reply comes back";

    const Closed& other = closed_for(p, "tcp/81");
    EXPECT_TRUE(blocked_by(other, "lb/web-nlb", DropReason::LbNoListener, false));
    EXPECT_TRUE(
        blocked_by(closed_for(p, "icmp echo"), "lb/web-nlb", DropReason::LbNoListener, false));
    EXPECT_EQ(pair(r, "web-2", "web-nlb").open, services({"tcp/80"}))
        << "from the other zone's target, through the node";
    expect_all_witnesses_replay(t, r);
}

TEST(Reach, ANetworkLoadBalancersTargetMustAdmitThePreservedClient) {
    model::Topology base = load("nlb.yaml");
    std::ifstream in(base.file);
    std::string yaml((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    const std::string rule = "- tcp/80 from 0.0.0.0/0";
    ASSERT_NE(yaml.find(rule), std::string::npos);
    yaml.replace(yaml.find(rule), rule.size(), "- tcp/80 from 10.30.0.0/23");
    model::Topology t = parse(yaml);
    Reach r = reach_of(t, {"internet", "web-nlb"});
    const PairResult& p = pair(r, "internet", "web-nlb");
    EXPECT_TRUE(p.open.empty()) << "client IP preservation: web-sg judges the client's address";
    EXPECT_TRUE(
        blocked_by(closed_for(p, "tcp/80"), "sg/web-sg", DropReason::SecurityGroupNoMatch, false));
    expect_all_witnesses_replay(t, r);
}

TEST(Reach, SelectorsNameLoadBalancersByTheirNodes) {
    model::Topology t = load("web-stack.yaml");
    std::vector<Place> places = places_of(t);
    auto names = [&](std::string_view selector) {
        Selection s = select_places(t, places, selector);
        EXPECT_TRUE(s.error.empty()) << s.error;
        std::vector<std::string> out;
        for (std::size_t i : s.places) out.push_back(places[i].name);
        return out;
    };
    using Names = std::vector<std::string>;
    EXPECT_EQ(names("shop-alb"), Names{"shop-alb"});
    EXPECT_EQ(names("lb:shop-alb"), Names{"shop-alb"});
    EXPECT_EQ(names("shop-alb-us-east-1b"), Names{"shop-alb"}) << "a node's ENI";
    EXPECT_EQ(names("sg:alb-sg"), Names{"shop-alb"});
    EXPECT_EQ(names("subnet:public-b"), Names{"shop-alb"});
    EXPECT_EQ(names("10.20.0.0/23"), Names{"shop-alb"});
    EXPECT_EQ(names("sg:web-sg"), (Names{"web-asg-1", "web-asg-2", "web-asg-3"}));
    EXPECT_FALSE(select_places(t, places, "lb:web-sg").error.empty());
    // AWS: vpc-dns — DNS names select what their addresses belong to: the public alias to the
    // load balancer, the private zone's name of the database.
    EXPECT_EQ(names("shop.example.com"), Names{"shop-alb"});
    EXPECT_EQ(names("dns:www.example.com"), Names{"shop-alb"}) << "a CNAME to the alias";
    EXPECT_EQ(names("db.internal.example.com"), Names{"db"});
    const Selection nowhere = select_places(t, places, "dns:nope.example.com");
    EXPECT_EQ(nowhere.error,
              "'nope.example.com': the name resolves to no address of this topology, through the "
              "internet's name servers or any VPC's resolver");

    model::Topology n = load("nlb.yaml");
    std::vector<Place> nlb_places = places_of(n);
    Selection vpc = select_places(n, nlb_places, "vpc:shop");
    ASSERT_TRUE(vpc.error.empty());
    EXPECT_EQ(vpc.places.size(), 3u) << "web-1, web-2 and the load balancer";
    EXPECT_EQ(nlb_places[vpc.places.back()].name, "web-nlb");
}

TEST(Query, NamesLoadBalancers) {
    model::Topology t = load("nlb.yaml");
    QueryResult yes = query(t, {"client", "web-nlb", "tcp", 80, -1});
    ASSERT_TRUE(yes.error.empty()) << yes.error;
    EXPECT_TRUE(yes.reachable);
    ASSERT_TRUE(yes.witness);
    EXPECT_EQ(yes.witness->to, "web-nlb");
    expect_replays(t, *yes.witness, true);
    QueryResult by_address = query(t, {"client", "203.0.113.61", "tcp", 80, -1});
    EXPECT_TRUE(by_address.reachable) << by_address.error;
    QueryResult from = query(t, {"web-nlb", "web-1", "tcp", 80, -1});
    EXPECT_NE(from.error.find("a destination only"), std::string::npos) << from.error;

    model::Topology web = load("web-stack.yaml");
    QueryResult alb = query(web, {"client", "shop-alb", "tcp", 8080, -1});
    ASSERT_TRUE(alb.error.empty()) << alb.error;
    EXPECT_FALSE(alb.reachable);
}

}  // namespace
}  // namespace vpcstack::verify
