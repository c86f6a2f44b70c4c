// Differential tests of the verifier against the engine: what compute_reach and query claim
// must agree with what `vpcctl trace` (sim::run_trace) sees for concrete flows, and every
// witness the verifier gives must replay to its claim.
//
// For each concrete flow (two ends, protocol, destination and source port):
//   - query() with every field given answers for exactly that flow: it must equal the trace;
//   - the matrix (PairResult::open) claims a service is open when some source port of the
//     ephemeral range (and, for the internet, some address) connects: a flow the trace connects
//     must be open there, and a service open there whose flow does not connect must be open for
//     query() without the source port (or with "internet" for the address), whose witness must
//     connect when replayed;
//   - a flow to another address of an ENI (public, secondary) is asked of query() alone;
//   - every open witness of the matrix connects, every closed witness does not, and each lies in
//     the services it stands for; open and closed split every service of every pair.
//
// A flow is connected, for the engine, when the trace report says reachable: its initiator got
// the answer it waits for (SEMANTICS 0: a SYN-ACK or an RST for tcp, an echo reply, a UDP
// answer; an instance's traffic to its own addresses is delivered by its own stack). One host
// behaviour is not the network's: a datagram to a port nothing listens on is answered with ICMP
// port unreachable; when that answer came back from the destination the flow counts as
// connected, since the network carried it both ways; so does a flow to the source's own
// address, which its own stack delivers whatever it answers. The generated topologies leave every
// instance's `listen` unset, so an instance listens on every port its security groups open
// inbound and a packet that passed its groups is answered; internet hosts accept everything.
//
// The random test generates topologies (tests/support/topology_gen.hpp) and draws flows between
// random places of the Reach (for the internet: addresses that rules, routes and hosts name, and
// a few others). Environment:
//   VPCSTACK_DIFF_CASES  number of random topologies (default 400; a longer run is a bigger
//                        number, e.g. VPCSTACK_DIFF_CASES=20000)
//   VPCSTACK_DIFF_SEED   the first seed (default 1); topology k uses seed FIRST + k
//   VPCSTACK_DIFF_FLOWS  flows drawn per topology (default 30)
//   VPCSTACK_DIFF_DUMP   a folder: every disagreeing case is also written there as a
//                        regression file, ready to be copied to tests/verify/regressions/
// On a disagreement the test prints the seed, the flow, both verdicts and the topology as a
// regression file. The files of tests/verify/regressions/ (a topology with `# flow:` lines, see
// the README there) are replayed by the regression test.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "support/topology_gen.hpp"
#include "vpcstack/importers/aws_import.hpp"
#include "vpcstack/model/loader.hpp"
#include "vpcstack/sim/endpoint.hpp"
#include "vpcstack/sim/host.hpp"
#include "vpcstack/sim/trace_report.hpp"
#include "vpcstack/verify/reach.hpp"

namespace vpcstack::verify {
namespace {

// A pair with its result's witnesses named for it (the Reach shares one result among every
// pair of the same classes).
struct PairView {
    std::size_t from = 0;
    std::size_t to = 0;
    ServiceSet open;
    std::vector<Witness> open_witnesses;
    std::vector<Closed> closed;
};

PairView view_of(const Reach& reach, const PairReach& p) {
    PairView v{p.from, p.to, p.result->open, {}, p.result->closed};
    for (const Witness& w : p.result->open_witnesses) v.open_witnesses.push_back(reach.named(p, w));
    for (Closed& c : v.closed) c.witness = reach.named(p, c.witness);
    return v;
}

std::vector<PairView> views(const Reach& reach) {
    std::vector<PairView> out;
    reach.for_each_pair([&](const PairReach& p) { out.push_back(view_of(reach, p)); });
    return out;
}

namespace fs = std::filesystem;

const fs::path kSource = VPCSTACK_SOURCE_DIR;

std::uint64_t env_number(const char* name, std::uint64_t fallback) {
    const char* text = std::getenv(name);
    if (text == nullptr || *text == '\0') return fallback;
    return std::strtoull(text, nullptr, 10);
}

// One concrete flow between two places of a Reach, named as trace names them.
struct Flow {
    std::string from;
    std::string to;
    net::Protocol protocol;  // tcp, udp, or icmp (an echo request)
    std::uint16_t dport = 0;
    std::uint16_t sport = 0;

    bool has_ports() const { return protocol.has_ports(); }
    // The service of the flow as a ServiceSet names it: the port, or 8 for ICMP echo.
    std::uint16_t service_port() const { return has_ports() ? dport : 8; }
    sim::TraceQuery query() const {
        sim::TraceQuery q{from, to, protocol.to_string(), -1, -1};
        if (has_ports()) {
            q.dport = dport;
            q.sport = sport;
        }
        return q;
    }
    // "web 10.0.2.10 tcp 443 40000" or "web internet icmp": the text of a `# flow:` line.
    std::string to_string() const {
        std::string out = from + " " + to + " " + protocol.to_string();
        if (has_ports()) out += " " + std::to_string(dport) + " " + std::to_string(sport);
        return out;
    }
    static std::optional<Flow> parse(const std::string& text) {
        std::istringstream in(text);
        Flow f;
        std::string protocol;
        if (!(in >> f.from >> f.to >> protocol)) return std::nullopt;
        auto p = net::Protocol::parse(protocol);
        if (!p || (!p->has_ports() && *p != net::Protocol::icmp())) return std::nullopt;
        f.protocol = *p;
        if (f.has_ports()) {
            unsigned dport = 0, sport = 0;
            if (!(in >> dport >> sport) || dport > 65535 || sport > 65535) return std::nullopt;
            f.dport = static_cast<std::uint16_t>(dport);
            f.sport = static_cast<std::uint16_t>(sport);
        }
        return f;
    }
};

Flow flow_of(const Witness& w) {
    return {w.from, w.to, w.protocol, w.dport, w.sport};
}

// What the engine says of one flow.
struct EngineVerdict {
    bool connected = false;
    std::string text;  // the trace's verdict, or its error
    bool error = false;
};

bool local_delivery(const sim::TracePath& path) {
    return !path.steps.empty() && path.steps.back().host &&
           path.steps.back().host->action == sim::HostAction::Local;
}

EngineVerdict engine_verdict(const model::Topology& topology, const sim::TraceQuery& query) {
    sim::TraceResult result = sim::run_trace(topology, query);
    if (!result.report) {
        // The trace sends nothing from a stopped instance; nothing connects from there.
        const bool stopped = result.error.find("is not running") != std::string::npos;
        return {false, "trace error: " + result.error, !stopped};
    }
    const sim::TraceReport& r = *result.report;
    EngineVerdict v{r.reachable, r.verdict + (r.refused ? " (refused)" : ""), false};
    if (v.connected) return v;
    // Traffic to the instance's own address never meets the network (its own stack delivers
    // it): whatever the stack answers, nothing in the VPC stands in the way.
    if (local_delivery(r.forward)) {
        v.connected = true;
        v.text += " (delivered by the instance's own stack)";
        return v;
    }
    const bool both_ways = r.forward.fate == engine::Fate::Delivered && r.ret &&
                           r.ret->fate == engine::Fate::Delivered;
    if (r.protocol == "udp" && r.outcome == "icmp-error" && both_ways) {
        v.connected = true;
        v.text += " (the destination answered ICMP port unreachable: carried both ways)";
    }
    return v;
}

// The verifier's claim about one flow, with what supports it.
struct VerifierVerdict {
    bool open = false;
    std::string text;
    std::optional<Witness> witness;  // of the open range or of the closed group holding it
};

VerifierVerdict verifier_verdict(const PairView& pair, const Flow& flow) {
    const ServiceRange service{flow.protocol, flow.service_port(), flow.service_port()};
    VerifierVerdict v;
    v.open = pair.open.contains(service);
    if (v.open) {
        const auto& ranges = pair.open.ranges();
        for (std::size_t i = 0; i < ranges.size(); ++i) {
            const bool holds = ranges[i].protocol == service.protocol &&
                               ranges[i].first <= service.first && service.last <= ranges[i].last;
            if (!holds) continue;
            v.text = "open (" + ranges[i].to_string() + ")";
            if (i < pair.open_witnesses.size()) v.witness = pair.open_witnesses[i];
        }
        return v;
    }
    v.text = "closed";
    for (const Closed& c : pair.closed) {
        if (!c.services.contains(service)) continue;
        v.text = "closed (" + c.services.to_string() + ")";
        for (const Blocker& b : c.blockers) v.text += "; " + b.to_string();
        v.witness = c.witness;
    }
    return v;
}

// Disagreements found in one topology, reported together with the topology once.
class Findings {
  public:
    Findings(std::string origin, std::string yaml)
        : origin_(std::move(origin)), yaml_(std::move(yaml)) {}

    // `kind` groups findings in the run's summary ("closed witness connects").
    void add(const std::string& kind, const std::string& what, const std::optional<Flow>& flow) {
        items_.push_back(what);
        if (flow) flows_.insert(flow->to_string());
        auto& origins = summary()[kind];
        if (origins.empty() || origins.back() != origin_) origins.push_back(origin_);
    }

    // Every kind of finding of the run, with the cases that showed it.
    static std::map<std::string, std::vector<std::string>>& summary() {
        static std::map<std::string, std::vector<std::string>> kinds;
        return kinds;
    }
    static std::string summary_text() {
        std::string out;
        for (const auto& [kind, origins] : summary()) {
            out += "  " + kind + ": " + std::to_string(origins.size()) + " case(s), e.g.";
            for (std::size_t i = 0; i < origins.size() && i < 8; ++i)
                out += " [" + origins[i] + "]";
            out += "\n";
        }
        return out.empty() ? "  none\n" : out;
    }
    bool empty() const { return items_.empty(); }
    std::size_t size() const { return items_.size(); }

    // The case as a regression file: the topology, with the disagreeing flows in comments.
    std::string regression_file() const {
        std::string out = "# Found by the differential test: " + origin_ + "\n";
        for (const std::string& item : items_) {
            std::istringstream lines(item);
            for (std::string line; std::getline(lines, line);) out += "#   " + line + "\n";
        }
        for (const std::string& f : flows_) out += "# flow: " + f + "\n";
        return out + yaml_;
    }

    // Fails the test with the whole case, and writes it to VPCSTACK_DIFF_DUMP when set.
    void report(const std::string& file_stem) const {
        if (items_.empty()) return;
        std::string text = regression_file();
        if (const char* dir = std::getenv("VPCSTACK_DIFF_DUMP"); dir != nullptr && *dir) {
            fs::create_directories(dir);
            std::ofstream(fs::path(dir) / (file_stem + ".yaml")) << text;
        }
        ADD_FAILURE() << origin_ << ": " << items_.size()
                      << " disagreement(s) between the verifier and the engine; as a regression "
                         "file:\n"
                      << text;
    }

  private:
    std::string origin_;
    std::string yaml_;
    std::vector<std::string> items_;
    std::set<std::string> flows_;
};

struct Tally {
    std::size_t flows = 0;
    std::size_t witnesses = 0;
    std::size_t connected = 0;
    std::size_t queries = 0;
};

// The place of the Reach a trace endpoint stands for: a place's trace name, or an internet
// address for the internet place. None for another address of an ENI (a public or secondary
// address), which the matrix does not name: only the exact query speaks of such a flow.
std::optional<std::size_t> place_of(const model::Topology& topology, const Reach& reach,
                                    const std::string& endpoint) {
    for (std::size_t i = 0; i < reach.places.size(); ++i) {
        if (reach.places[i].trace_name == endpoint) return i;
    }
    sim::ResolveResult r = sim::resolve_endpoint(topology, endpoint);
    if (!r.endpoint || r.endpoint->kind != sim::Endpoint::Kind::Internet) return std::nullopt;
    for (std::size_t i = 0; i < reach.places.size(); ++i) {
        if (reach.places[i].kind == Place::Kind::Internet) return i;
    }
    return std::nullopt;
}

bool is_internet(const Reach& reach, std::size_t place) {
    return reach.places[place].kind == Place::Kind::Internet;
}

// Compares the verifier and the engine on one concrete flow (see the file comment).
// `is_exact`: ask query() about the flow itself too (each query builds its own prober, which
// costs milliseconds).
void compare_flow(const model::Topology& topology, const Reach& reach, const Flow& flow,
                  Findings& findings, Tally& tally, bool is_exact = true) {
    auto from = place_of(topology, reach, flow.from);
    auto to = place_of(topology, reach, flow.to);
    const bool in_matrix = from && to;
    if (!in_matrix && (!sim::resolve_endpoint(topology, flow.from).endpoint ||
                       !sim::resolve_endpoint(topology, flow.to).endpoint)) {
        findings.add("error", "flow " + flow.to_string() + ": an end is no trace endpoint", flow);
        return;
    }
    std::optional<PairView> pair;
    if (in_matrix) {
        if (auto p = reach.pair(*from, *to)) pair = view_of(reach, *p);
    }
    if (in_matrix && !pair) {
        findings.add("error", "flow " + flow.to_string() + ": the Reach has no pair for it", flow);
        return;
    }
    ++tally.flows;
    const EngineVerdict seen = engine_verdict(topology, flow.query());
    tally.connected += seen.connected;
    if (seen.error) {
        findings.add("error", "flow " + flow.to_string() + ": " + seen.text, flow);
        return;
    }

    // The query form with every field given speaks of exactly this flow.
    const QueryResult exact = is_exact ? query(topology, flow.query()) : QueryResult{};
    tally.queries += is_exact;
    if (!is_exact) {
        // the matrix alone, below
    } else if (!exact.error.empty()) {
        findings.add("error", "flow " + flow.to_string() + ": query failed: " + exact.error, flow);
    } else if (exact.reachable != seen.connected) {
        std::string what = "flow " + flow.to_string() +
                           "\n  query:  " + (exact.reachable ? "reachable" : "unreachable");
        for (const Blocker& b : exact.blockers) what += "; " + b.to_string();
        what += "\n  engine: " + seen.text;
        findings.add("query differs from the trace", what, flow);
    }

    if (!in_matrix) return;

    // The matrix: open when some source port (and some internet address) connects.
    const VerifierVerdict claim = verifier_verdict(*pair, flow);
    if (seen.connected && !claim.open) {
        std::string what =
            "flow " + flow.to_string() + "\n  matrix: " + claim.text + "\n  engine: " + seen.text;
        if (claim.witness) {
            what +=
                "\n  the matrix's witness " + flow_of(*claim.witness).to_string() +
                " replays as: " + engine_verdict(topology, flow_of(*claim.witness).query()).text;
        }
        findings.add("matrix closed, trace connects", what, flow);
    } else if (claim.open && !seen.connected) {
        sim::TraceQuery any = flow.query();
        any.sport = -1;
        if (is_internet(reach, *from)) any.from = "internet";
        if (is_internet(reach, *to)) any.to = "internet";
        ++tally.queries;
        const QueryResult some = query(topology, any);
        std::string what =
            "flow " + flow.to_string() + "\n  matrix: " + claim.text + "\n  engine: " + seen.text;
        if (!some.error.empty()) {
            findings.add("error", what + "\n  query without the source port failed: " + some.error,
                         flow);
        } else if (!some.reachable || !some.witness) {
            findings.add("matrix open, no source port connects",
                         what + "\n  query without the source port (or address): unreachable",
                         flow);
        } else {
            const Flow w = flow_of(*some.witness);
            const EngineVerdict replay = engine_verdict(topology, w.query());
            if (!replay.connected || w.protocol != flow.protocol ||
                w.service_port() != flow.service_port()) {
                findings.add(
                    "matrix open, no source port connects",
                    what + "\n  query's witness " + w.to_string() + " replays as: " + replay.text,
                    flow);
            }
        }
    }
}

// The matrix speaks of source ports of the client's ephemeral range: its witnesses use one.
void check_source_port(const std::string& pair_name, const Flow& w, Findings& findings) {
    const sim::Host::Config host;
    if (w.has_ports() && (w.sport < host.ephemeral_first || w.sport > host.ephemeral_last)) {
        findings.add("witness source port outside the ephemeral range",
                     pair_name + ": the witness " + w.to_string() + " has source port " +
                         std::to_string(w.sport) + ", outside the ephemeral range " +
                         std::to_string(host.ephemeral_first) + "-" +
                         std::to_string(host.ephemeral_last),
                     w);
    }
}

// Every witness of the Reach replays to its claim, and lies in the services it stands for.
void replay_witnesses(const model::Topology& topology, const Reach& reach, Findings& findings,
                      Tally& tally) {
    for (const PairView& pair : views(reach)) {
        const std::string pair_name =
            reach.places[pair.from].trace_name + " -> " + reach.places[pair.to].trace_name;
        const auto& ranges = pair.open.ranges();
        if (pair.open_witnesses.size() != ranges.size()) {
            findings.add("matrix shape",
                         pair_name + ": " + std::to_string(ranges.size()) + " open ranges but " +
                             std::to_string(pair.open_witnesses.size()) + " witnesses",
                         std::nullopt);
        }
        for (std::size_t i = 0; i < ranges.size() && i < pair.open_witnesses.size(); ++i) {
            const Flow w = flow_of(pair.open_witnesses[i]);
            ++tally.witnesses;
            check_source_port(pair_name, w, findings);
            if (w.protocol != ranges[i].protocol || w.service_port() < ranges[i].first ||
                w.service_port() > ranges[i].last) {
                findings.add("witness outside its services",
                             pair_name + ": the witness " + w.to_string() + " of " +
                                 ranges[i].to_string() + " is outside it",
                             w);
            }
            EngineVerdict seen = engine_verdict(topology, w.query());
            if (!seen.connected) {
                findings.add("open witness does not connect",
                             pair_name + ": open witness " + w.to_string() + " of " +
                                 ranges[i].to_string() + " does not connect: " + seen.text,
                             w);
            }
        }
        for (const Closed& c : pair.closed) {
            const Flow w = flow_of(c.witness);
            ++tally.witnesses;
            check_source_port(pair_name, w, findings);
            if (!c.services.contains(
                    ServiceRange{w.protocol, w.service_port(), w.service_port()})) {
                findings.add("witness outside its services",
                             pair_name + ": the witness " + w.to_string() + " of closed " +
                                 c.services.to_string() + " is outside it",
                             w);
            }
            EngineVerdict seen = engine_verdict(topology, w.query());
            if (seen.connected || seen.error) {
                findings.add("closed witness connects",
                             pair_name + ": closed witness " + w.to_string() + " of " +
                                 c.services.to_string() + " " +
                                 (seen.error ? "cannot be replayed: " : "connects: ") + seen.text,
                             w);
            }
        }
    }
}

// The Reach's own shape: every pair once, and each pair's services split into open and closed
// with nothing missing and nothing twice.
void check_shape(const Reach& reach, Findings& findings) {
    std::set<std::pair<std::size_t, std::size_t>> expected, found;
    for (std::size_t s : reach.sources) {
        for (std::size_t d : reach.destinations) {
            if (s != d) expected.insert({s, d});
        }
    }
    for (const PairView& pair : views(reach)) {
        const std::string name =
            reach.places[pair.from].trace_name + " -> " + reach.places[pair.to].trace_name;
        if (!found.insert({pair.from, pair.to}).second)
            findings.add("matrix shape", name + ": pair twice", std::nullopt);
        if (!reach.pair(pair.from, pair.to)) {
            findings.add("matrix shape", name + ": Reach::pair does not find it", std::nullopt);
        }
        // A closed service may be blocked by other components at other internet addresses, so
        // with the internet at one end it may stand in several groups; never in `open` too.
        const bool internet = is_internet(reach, pair.from) || is_internet(reach, pair.to);
        ServiceSet all = pair.open;
        for (const Closed& c : pair.closed) {
            if (!pair.open.intersect(c.services).empty()) {
                findings.add("matrix shape",
                             name + ": " + pair.open.intersect(c.services).to_string() +
                                 " both open and closed",
                             std::nullopt);
            } else if (!internet && !all.intersect(c.services).empty()) {
                findings.add(
                    "matrix shape",
                    name + ": " + all.intersect(c.services).to_string() + " in two closed groups",
                    std::nullopt);
            }
            all.add(c.services);
            if (c.blockers.empty()) {
                findings.add("matrix shape",
                             name + ": closed " + c.services.to_string() + " names no blocker",
                             std::nullopt);
            }
        }
        if (!(all == all_services())) {
            findings.add(
                "matrix shape",
                name + ": open and closed cover " + all.to_string() + ", not every service",
                std::nullopt);
        }
    }
    if (found != expected) {
        findings.add("matrix shape",
                     "the Reach has " + std::to_string(found.size()) + " pairs; expected " +
                         std::to_string(expected.size()),
                     std::nullopt);
    }
}

// The tcp and udp ports that rules of the topology name, with their neighbours: where verdicts
// change.
std::vector<std::uint16_t> rule_ports(const model::Topology& t) {
    std::set<std::uint16_t> out;
    auto add = [&](const net::Protocol& p, const net::PortRange& r) {
        if (!p.has_ports() && !p.is_all()) return;
        for (long port : {long{r.first} - 1, long{r.first}, long{r.last}, long{r.last} + 1}) {
            if (port >= 1 && port <= 65535) out.insert(static_cast<std::uint16_t>(port));
        }
    };
    for (const model::SecurityGroup& sg : t.security_groups) {
        for (const auto* rules : {&sg.ingress, &sg.egress})
            for (const model::SgRule& r : *rules) add(r.protocol, r.ports);
    }
    for (const model::NetworkAcl& acl : t.network_acls) {
        for (const auto* rules : {&acl.inbound, &acl.outbound})
            for (const model::AclRule& r : *rules) add(r.protocol, r.ports);
    }
    return {out.begin(), out.end()};
}

// FNV-1a: a seed from a name, the same with every standard library.
std::uint64_t seed_of(const std::string& text) {
    std::uint64_t h = 1469598103934665603ull;
    for (unsigned char c : text) h = (h ^ c) * 1099511628211ull;
    return h;
}

std::uint64_t draw(std::mt19937_64& rng, std::uint64_t lo, std::uint64_t hi) {
    return lo + rng() % (hi - lo + 1);
}

// Internet addresses worth a flow: the named hosts, addresses in and at the edges of every
// CIDR that rules, routes and prefix lists name outside the VPCs, and a few others. Never one of
// the account's public addresses (those stand for instances) or an address nobody holds.
std::vector<std::string> internet_addresses(const model::Topology& t) {
    std::set<std::uint32_t> candidates = {
        net::Ipv4Address(8, 8, 8, 8).value(), net::Ipv4Address(198, 51, 100, 99).value(),
        net::Ipv4Address(192, 0, 2, 99).value(), net::Ipv4Address(100, 20, 30, 40).value()};
    auto add = [&](const net::Cidr& c) {
        if (c.length() == 0) return;
        candidates.insert(c.network().value());
        candidates.insert(c.last().value());
        if (c.length() < 32) candidates.insert(c.network().value() + 1);
        if (c.network().value() > 0) candidates.insert(c.network().value() - 1);
        if (c.last().value() < 0xFFFFFFFFu) candidates.insert(c.last().value() + 1);
    };
    for (const model::InternetHost& h : t.internet_hosts) candidates.insert(h.address.value());
    for (const model::SecurityGroup& sg : t.security_groups) {
        for (const auto* rules : {&sg.ingress, &sg.egress}) {
            for (const model::SgRule& r : *rules) {
                if (r.peer_kind == model::PeerKind::Cidr) add(r.cidr);
            }
        }
    }
    for (const model::NetworkAcl& acl : t.network_acls) {
        for (const auto* rules : {&acl.inbound, &acl.outbound})
            for (const model::AclRule& r : *rules) add(r.cidr);
    }
    for (const model::RouteTable& rt : t.route_tables) {
        for (const model::Route& r : rt.routes)
            if (!r.to_prefix_list()) add(r.destination);
    }
    for (const model::PrefixList& pl : t.prefix_lists)
        for (const net::Cidr& c : pl.cidrs) add(c);

    std::set<std::uint32_t> account;
    for (model::Index e = 0; e < t.enis.size(); ++e) {
        for (const auto& [pub, priv] : t.public_mappings_of_eni(e)) account.insert(pub.value());
        if (t.enis[e].public_ip) account.insert(t.enis[e].public_ip->value());
    }
    for (const model::ElasticIp& eip : t.elastic_ips) account.insert(eip.address.value());
    for (net::Ipv4Address u : t.internet_unassigned) account.insert(u.value());
    std::vector<std::string> out;
    for (std::uint32_t v : candidates) {
        const net::Ipv4Address a(v);
        const std::uint32_t first = v >> 24;
        // Not 0/8, loopback, link-local, multicast or reserved: nobody's addresses.
        if (first == 0 || first == 127 || first >= 224 || (v >> 16) == 0xA9FE) continue;
        if (account.count(v) || t.vpc_containing(a)) continue;
        out.push_back(a.to_string());
    }
    return out;
}

std::string endpoint_of(std::mt19937_64& rng, const Reach& reach, std::size_t place,
                        const std::vector<std::string>& internet) {
    if (!is_internet(reach, place)) return reach.places[place].trace_name;
    return internet[draw(rng, 0, internet.size() - 1)];
}

Flow random_flow(std::mt19937_64& rng, const model::Topology& topology, const Reach& reach,
                 const std::vector<std::uint16_t>& ports,
                 const std::vector<std::string>& internet) {
    Flow f;
    std::size_t from = 0, to = 0;
    do {
        from = reach.sources[draw(rng, 0, reach.sources.size() - 1)];
        to = reach.destinations[draw(rng, 0, reach.destinations.size() - 1)];
    } while (from == to);
    f.from = endpoint_of(rng, reach, from, internet);
    f.to = endpoint_of(rng, reach, to, internet);
    // Now and then the destination by another of its addresses: its public address (through
    // the internet gateway) or a secondary private one. The exact query speaks of those.
    if (!is_internet(reach, to) && draw(rng, 0, 99) < 15) {
        const model::Eni& eni = topology.enis[reach.places[to].eni];
        std::vector<std::string> others;
        for (const auto& [pub, priv] : topology.public_mappings_of_eni(reach.places[to].eni))
            others.push_back(pub.to_string());
        for (std::size_t i = 1; i < eni.private_ips.size(); ++i)
            others.push_back(eni.private_ips[i].to_string());
        if (!others.empty()) f.to = others[draw(rng, 0, others.size() - 1)];
    }
    const std::uint64_t p = draw(rng, 0, 99);
    f.protocol = p < 45   ? net::Protocol::tcp()
                 : p < 80 ? net::Protocol::udp()
                          : net::Protocol::icmp();
    if (f.has_ports()) {
        f.dport = !ports.empty() && draw(rng, 0, 1) == 0
                      ? ports[draw(rng, 0, ports.size() - 1)]
                      : static_cast<std::uint16_t>(draw(rng, 1, 65535));
        f.sport = static_cast<std::uint16_t>(draw(rng, 32768, 60999));  // Linux ephemeral ports
    }
    return f;
}

bool has_pairs(const Reach& reach) {
    for (std::size_t s : reach.sources)
        for (std::size_t d : reach.destinations)
            if (s != d) return true;
    return false;
}

// --- random topologies ---

TEST(VerifyDifferential, RandomTopologiesAgreeWithTheEngineFlowByFlow) {
    const std::uint64_t cases = env_number("VPCSTACK_DIFF_CASES", 400);
    const std::uint64_t first = env_number("VPCSTACK_DIFF_SEED", 1);
    const std::uint64_t flows = env_number("VPCSTACK_DIFF_FLOWS", 30);
    Tally tally;
    std::vector<std::uint64_t> disagreeing;
    for (std::uint64_t seed = first; seed < first + cases; ++seed) {
        const test_support::GeneratedTopology g = test_support::random_topology(seed);
        model::LoadResult loaded = test_support::load(g);
        ASSERT_TRUE(loaded.ok()) << "seed " << seed
                                 << ": the generator wrote a topology the loader "
                                 << "rejects\n"
                                 << test_support::diagnostics_text(loaded) << g.yaml;
        const model::Topology& topology = *loaded.topology;
        Findings findings("random topology, seed " + std::to_string(seed), g.yaml);
        ReachResult result = compute_reach(topology);
        if (!result.reach) {
            findings.add("error", "compute_reach failed: " + result.error, std::nullopt);
            findings.report("random-" + std::to_string(seed));
            disagreeing.push_back(seed);
            continue;
        }
        const Reach& reach = *result.reach;
        check_shape(reach, findings);
        replay_witnesses(topology, reach, findings, tally);
        if (has_pairs(reach)) {
            std::mt19937_64 rng(seed * 0x9e3779b97f4a7c15ull);
            const std::vector<std::uint16_t> ports = rule_ports(topology);
            const std::vector<std::string> internet = internet_addresses(topology);
            for (std::uint64_t i = 0; i < flows; ++i) {
                compare_flow(topology, reach, random_flow(rng, topology, reach, ports, internet),
                             findings, tally);
            }
        }
        if (!findings.empty()) disagreeing.push_back(seed);
        findings.report("random-" + std::to_string(seed));
    }
    std::string seeds;
    for (std::uint64_t s : disagreeing) seeds += " " + std::to_string(s);
    std::cout << "differential: " << cases << " topologies (seeds " << first << "-"
              << first + cases - 1 << "), " << tally.flows << " flows (" << tally.connected
              << " connected), " << tally.witnesses
              << " witnesses replayed; disagreeing seeds:" << (seeds.empty() ? " none" : seeds)
              << "\n";
    std::cout << "findings by kind (all tests so far):\n" << Findings::summary_text();
    EXPECT_GE(tally.flows, cases * flows / 2) << "too few flows were compared to mean anything";
}

// --- the example topologies and the importer fixtures ---

// Every pair of the Reach, for each port a rule names and a few random ones, tcp and udp, and
// ICMP echo.
void compare_every_pair(const model::Topology& topology, const std::string& origin,
                        const std::string& yaml, const std::string& stem) {
    Findings findings(origin, yaml);
    ReachResult result = compute_reach(topology);
    ASSERT_TRUE(result.reach) << origin << ": " << result.error;
    const Reach& reach = *result.reach;
    Tally tally;
    check_shape(reach, findings);
    replay_witnesses(topology, reach, findings, tally);
    std::mt19937_64 rng(seed_of(origin));
    std::vector<std::uint16_t> ports = rule_ports(topology);
    for (int i = 0; i < 4; ++i) ports.push_back(static_cast<std::uint16_t>(draw(rng, 1, 65535)));
    const std::vector<std::string> internet = internet_addresses(topology);
    std::size_t n = 0;  // every tenth flow is also asked of query()
    for (const PairView& pair : views(reach)) {
        // The internet place: up to three of its addresses.
        const std::size_t tries =
            is_internet(reach, pair.from) || is_internet(reach, pair.to) ? 3 : 1;
        for (std::size_t k = 0; k < tries; ++k) {
            Flow f;
            f.from = endpoint_of(rng, reach, pair.from, internet);
            f.to = endpoint_of(rng, reach, pair.to, internet);
            f.protocol = net::Protocol::icmp();
            compare_flow(topology, reach, f, findings, tally, (++n % 10) == 0);
            for (net::Protocol p : {net::Protocol::tcp(), net::Protocol::udp()}) {
                for (std::uint16_t port : ports) {
                    f.protocol = p;
                    f.dport = port;
                    f.sport = static_cast<std::uint16_t>(draw(rng, 32768, 60999));
                    compare_flow(topology, reach, f, findings, tally, (++n % 10) == 0);
                }
            }
        }
    }
    EXPECT_GT(tally.flows, 0u) << origin << ": no pair to compare";
    std::cout << origin << ": " << tally.flows << " flows (" << tally.connected << " connected), "
              << tally.queries << " exact queries, " << tally.witnesses << " witnesses replayed\n";
    findings.report(stem);
}

std::string read_text(const fs::path& path) {
    std::ifstream in(path);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

TEST(VerifyDifferential, EveryExampleTopologyAgreesWithTheEngineOnEveryPair) {
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(kSource / "topologies")) {
        if (entry.path().extension() == ".yaml") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    ASSERT_FALSE(files.empty());
    for (const fs::path& file : files) {
        SCOPED_TRACE(file.string());
        model::LoadResult loaded = model::load_topology_file(file.string());
        ASSERT_TRUE(loaded.ok()) << test_support::diagnostics_text(loaded);
        compare_every_pair(*loaded.topology, file.filename().string(), read_text(file),
                           "example-" + file.stem().string());
    }
}

TEST(VerifyDifferential, EveryImporterFixtureAgreesWithTheEngineOnEveryPair) {
    const fs::path fixtures = kSource / "tests/importers/fixtures";
    std::vector<fs::path> dirs;
    for (const auto& entry : fs::directory_iterator(fixtures)) {
        if (entry.is_directory()) dirs.push_back(entry.path());
    }
    std::sort(dirs.begin(), dirs.end());
    ASSERT_FALSE(dirs.empty());
    for (const fs::path& dir : dirs) {
        SCOPED_TRACE(dir.string());
        // A fixture whose folders name no region is of us-east-1, as its import test says.
        importers::aws::ImportOutcome outcome =
            importers::aws::import_aws(dir.string(), "us-east-1");
        ASSERT_TRUE(outcome.ok()) << outcome.errors.front();
        model::LoadResult loaded =
            model::load_topology_text(outcome.yaml, dir.filename().string() + ".yaml");
        ASSERT_TRUE(loaded.ok()) << test_support::diagnostics_text(loaded);
        compare_every_pair(*loaded.topology, "imported fixture " + dir.filename().string(),
                           outcome.yaml, "fixture-" + dir.filename().string());
    }
}

// --- kept regressions ---

TEST(VerifyDifferential, EveryKeptRegressionCaseAgreesWithTheEngine) {
    const fs::path dir = kSource / "tests/verify/regressions";
    std::vector<fs::path> files;
    for (const auto& entry : fs::directory_iterator(dir)) {
        if (entry.path().extension() == ".yaml") files.push_back(entry.path());
    }
    std::sort(files.begin(), files.end());
    ASSERT_FALSE(files.empty()) << "no regression file in " << dir;
    for (const fs::path& file : files) {
        SCOPED_TRACE(file.string());
        const std::string text = read_text(file);
        std::vector<Flow> flows;
        std::istringstream lines(text);
        for (std::string line; std::getline(lines, line);) {
            if (!line.starts_with("# flow:")) continue;
            auto flow = Flow::parse(line.substr(7));
            ASSERT_TRUE(flow) << "a flow line that does not parse: " << line;
            flows.push_back(*flow);
        }
        ASSERT_FALSE(flows.empty()) << "a regression file needs at least one '# flow:' line";
        model::LoadResult loaded = model::load_topology_file(file.string());
        ASSERT_TRUE(loaded.ok()) << test_support::diagnostics_text(loaded);
        const model::Topology& topology = *loaded.topology;
        ReachResult result = compute_reach(topology);
        ASSERT_TRUE(result.reach) << result.error;
        Findings findings("regression " + file.filename().string(), text);
        Tally tally;
        check_shape(*result.reach, findings);
        replay_witnesses(topology, *result.reach, findings, tally);
        for (const Flow& f : flows) compare_flow(topology, *result.reach, f, findings, tally);
        findings.report("regression-" + file.stem().string());
    }
}

}  // namespace
}  // namespace vpcstack::verify
