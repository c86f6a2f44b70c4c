// The reachability matrix: atoms of the header space per pair of places, one engine probe per
// atom, and places no rule tells apart computed once (see reach.hpp).
#include "vpcstack/verify/reach.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <set>

#include "probe.hpp"

namespace vpcstack::verify {
namespace {

using model::Index;
using model::Topology;

constexpr std::uint16_t kEcho = 8;

// An inclusive interval of a dimension: addresses (32 bits) or ports (16 bits).
struct Interval {
    std::uint32_t first = 0;
    std::uint32_t last = 0;
};

// The boundaries of every rule along one dimension; their intervals are the atoms.
class Cuts {
  public:
    void cut(std::uint64_t first, std::uint64_t last) {
        starts_.push_back(first);
        starts_.push_back(last + 1);
    }
    void cut(const net::Cidr& c) { cut(c.network().value(), c.last().value()); }
    // The atoms of [lo, hi].
    std::vector<Interval> atoms(std::uint64_t lo, std::uint64_t hi) const {
        std::vector<std::uint64_t> s;
        for (std::uint64_t v : starts_) {
            if (v > lo && v <= hi) s.push_back(v);
        }
        std::sort(s.begin(), s.end());
        s.erase(std::unique(s.begin(), s.end()), s.end());
        std::vector<Interval> out;
        std::uint64_t first = lo;
        for (std::uint64_t v : s) {
            out.push_back({static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(v - 1)});
            first = v;
        }
        out.push_back({static_cast<std::uint32_t>(first), static_cast<std::uint32_t>(hi)});
        return out;
    }
    // Which atom holds a value (atoms of the whole 32-bit space).
    std::size_t atom_of(std::uint32_t value) const {
        return static_cast<std::size_t>(
            std::upper_bound(sorted_.begin(), sorted_.end(), std::uint64_t{value}) -
            sorted_.begin());
    }
    void seal() {
        sorted_ = starts_;
        std::sort(sorted_.begin(), sorted_.end());
        sorted_.erase(std::unique(sorted_.begin(), sorted_.end()), sorted_.end());
    }

  private:
    std::vector<std::uint64_t> starts_;
    std::vector<std::uint64_t> sorted_;
};

// Cuts along every dimension a pair's rules look at.
struct PairCuts {
    Cuts tcp_dport, udp_dport;  // the request's destination port
    Cuts tcp_sport, udp_sport;  // the request's source port (the reply's destination port)
    Cuts address;               // internet addresses
    Cuts& dport(std::uint8_t p) { return p == net::Protocol::kTcp ? tcp_dport : udp_dport; }
    Cuts& sport(std::uint8_t p) { return p == net::Protocol::kTcp ? tcp_sport : udp_sport; }
};

void cut_ports(PairCuts& cuts, net::Protocol protocol, const net::PortRange& ports, bool acl) {
    for (std::uint8_t p : {net::Protocol::kTcp, net::Protocol::kUdp}) {
        if (protocol.number() != p || protocol.is_all()) continue;
        cuts.dport(p).cut(ports.first, ports.last);
        // An ACL judges the reply by its destination port: the request's source port.
        if (acl) cuts.sport(p).cut(ports.first, ports.last);
    }
}

void cut_prefix_list(const Topology& t, Cuts& cuts, Index list) {
    if (list == model::kNone) return;
    for (const net::Cidr& c : t.prefix_lists[list].cidrs) cuts.cut(c);
}

void cut_group(const Topology& t, PairCuts& cuts, Index group) {
    const model::SecurityGroup& g = t.security_groups[group];
    for (const auto* rules : {&g.ingress, &g.egress}) {
        for (const model::SgRule& r : *rules) {
            cut_ports(cuts, r.protocol, r.ports, false);
            if (r.peer_kind == model::PeerKind::Cidr) cuts.address.cut(r.cidr);
            if (r.peer_kind == model::PeerKind::PrefixList) {
                cut_prefix_list(t, cuts.address, r.prefix_list);
            }
        }
    }
}

void cut_vpc(const Topology& t, PairCuts& cuts, Index vpc) {
    for (const model::NetworkAcl& acl : t.network_acls) {
        if (acl.vpc != vpc) continue;
        for (const auto* rules : {&acl.inbound, &acl.outbound}) {
            for (const model::AclRule& r : *rules) {
                cut_ports(cuts, r.protocol, r.ports, true);
                cuts.address.cut(r.cidr);
            }
        }
    }
    for (const model::RouteTable& rt : t.route_tables) {
        if (rt.vpc != vpc) continue;
        for (const model::Route& r : rt.routes) {
            if (r.prefix_list != model::kNone) {
                cut_prefix_list(t, cuts.address, r.prefix_list);
            } else {
                cuts.address.cut(r.destination);
            }
        }
    }
    // Router instances of the VPC may stand on any path through it.
    for (const model::Eni& e : t.enis) {
        if (e.vpc != vpc || e.source_dest_check) continue;
        for (Index g : e.security_groups) cut_group(t, cuts, g);
    }
}

// Addresses that are no internet host's: VPC ranges and the account's public addresses are the
// cloud's; 0/8, loopback, link-local, multicast and reserved are nobody's.
std::vector<net::Cidr> not_internet(const Topology& t) {
    std::vector<net::Cidr> out = {
        net::Cidr(net::Ipv4Address(0, 0, 0, 0), 8),
        net::Cidr(net::Ipv4Address(127, 0, 0, 0), 8),
        net::Cidr(net::Ipv4Address(169, 254, 0, 0), 16),
        net::Cidr(net::Ipv4Address(224, 0, 0, 0), 4),
        net::Cidr(net::Ipv4Address(240, 0, 0, 0), 4),
    };
    for (const model::Vpc& vpc : t.vpcs) out.insert(out.end(), vpc.cidrs.begin(), vpc.cidrs.end());
    for (const model::Eni& e : t.enis) {
        if (e.public_ip) out.emplace_back(*e.public_ip, 32);
    }
    for (const model::ElasticIp& eip : t.elastic_ips) out.emplace_back(eip.address, 32);
    return out;
}

// A readable address of an atom: one of the documentation ranges when the atom holds one.
net::Ipv4Address representative(const Interval& atom) {
    for (net::Ipv4Address a :
         {net::Ipv4Address(203, 0, 113, 10), net::Ipv4Address(198, 51, 100, 10),
          net::Ipv4Address(192, 0, 2, 10)}) {
        if (a.value() >= atom.first && a.value() <= atom.last) return a;
    }
    return net::Ipv4Address(atom.first);
}

std::uint16_t representative_port(const Interval& atom) {
    if (atom.first == 0 && atom.last > 0) return 1;  // port 0 only when the atom is just it
    return static_cast<std::uint16_t>(atom.first);
}

// Blockers that differ only in their details (the address a route lookup missed) are the same
// reasons: their services are shown together.
bool alike(const std::vector<Blocker>& a, const std::vector<Blocker>& b) {
    return std::equal(a.begin(), a.end(), b.begin(), b.end(),
                      [](const Blocker& x, const Blocker& y) {
                          return x.component == y.component && x.reason == y.reason &&
                                 x.rule == y.rule && x.reply == y.reply;
                      });
}

// One end of a pair as the prober and the witness need it.
struct End {
    sim::Endpoint endpoint;
    std::string trace_name;     // the witness's --from/--to
    bool any_internet = false;  // every internet address, atom by atom
};

End end_of(const Topology& t, const Place& place) {
    End e;
    if (place.kind == Place::Kind::Internet) {
        e.any_internet = true;
        e.endpoint.kind = sim::Endpoint::Kind::Internet;
        return e;
    }
    const model::Eni& eni = t.enis[place.eni];
    e.endpoint.kind = sim::Endpoint::Kind::Instance;
    e.endpoint.eni = place.eni;
    e.endpoint.instance = eni.instance;
    e.endpoint.address = eni.primary_ip();
    e.endpoint.label = place.name;
    e.trace_name = place.trace_name;
    return e;
}

// What a service filter lets through: one protocol and a port range, or everything.
struct Filter {
    std::optional<std::uint8_t> protocol;
    Interval dports{0, 65535};
    std::optional<std::uint16_t> sport;
};

struct Ephemeral {
    std::uint16_t first = sim::Host::Config{}.ephemeral_first;
    std::uint16_t last = sim::Host::Config{}.ephemeral_last;
};

class PairSolver {
  public:
    PairSolver(const Topology& t, Prober& prober) : t_(t), prober_(prober) {}

    PairReach solve(const End& from, const End& to, const Filter& filter) {
        PairCuts cuts;
        std::set<Index> vpcs;
        for (const End* e : {&from, &to}) {
            if (e->endpoint.kind != sim::Endpoint::Kind::Instance) continue;
            const model::Eni& eni = t_.enis[e->endpoint.eni];
            vpcs.insert(eni.vpc);
            for (Index g : eni.security_groups) cut_group(t_, cuts, g);
        }
        if (vpcs.empty()) {  // internet to an address: every VPC may be on the way
            for (Index v = 0; v < t_.vpcs.size(); ++v) vpcs.insert(v);
        }
        for (Index v : vpcs) cut_vpc(t_, cuts, v);

        std::vector<net::Ipv4Address> addresses;  // internet addresses to try, one per atom
        if (from.any_internet || to.any_internet) {
            for (const net::Cidr& c : not_internet(t_)) cuts.address.cut(c);
            std::vector<net::Cidr> excluded = not_internet(t_);
            for (const Interval& atom : cuts.address.atoms(0, 0xFFFFFFFFu)) {
                net::Ipv4Address a = representative(atom);
                bool cloud = std::any_of(excluded.begin(), excluded.end(),
                                         [&](const net::Cidr& c) { return c.contains(a); });
                if (!cloud) addresses.push_back(a);
            }
        } else {
            addresses.push_back({});  // the ends' own addresses
        }

        PairReach out;
        std::vector<std::pair<ServiceRange, Witness>> open_atoms;
        for (net::Ipv4Address internet : addresses) {
            End f = from;
            End d = to;
            for (End* e : {&f, &d}) {
                if (!e->any_internet) continue;
                e->endpoint.address = internet;
                e->endpoint.label = internet.to_string();
                e->trace_name = internet.to_string();
            }
            Flow flow = prober_.flow(f.endpoint, d.endpoint);
            const bool local = prober_.local(flow);
            auto record = [&](const ServiceRange& range, const Flow& probe, bool connected) {
                Witness w{f.trace_name, d.trace_name, net::Protocol(probe.protocol), probe.dport,
                          probe.sport};
                if (connected) {
                    open_atoms.emplace_back(range, std::move(w));
                    return;
                }
                std::vector<Blocker> blockers = prober_.explain(probe).blockers;
                auto same =
                    std::find_if(out.closed.begin(), out.closed.end(),
                                 [&](const Closed& c) { return alike(c.blockers, blockers); });
                if (same == out.closed.end()) {
                    out.closed.push_back({{}, std::move(blockers), std::move(w)});
                    same = out.closed.end() - 1;
                }
                same->services.add(range);
            };

            if (!filter.protocol || *filter.protocol == net::Protocol::kIcmp) {
                Flow probe = flow;
                probe.protocol = net::Protocol::kIcmp;
                record({net::Protocol::icmp(), kEcho, kEcho}, probe,
                       local || prober_.connects(probe));
            }
            for (std::uint8_t p : {net::Protocol::kTcp, net::Protocol::kUdp}) {
                if (filter.protocol && *filter.protocol != p) continue;
                std::vector<Interval> sports;
                if (filter.sport) {
                    sports.push_back({*filter.sport, *filter.sport});
                } else {
                    const Ephemeral eph;
                    sports = cuts.sport(p).atoms(eph.first, eph.last);
                }
                for (const Interval& atom :
                     cuts.dport(p).atoms(filter.dports.first, filter.dports.last)) {
                    Flow probe = flow;
                    probe.protocol = p;
                    probe.dport = representative_port(atom);
                    bool connected = local;
                    for (std::size_t i = 0; i < sports.size() && !connected; ++i) {
                        probe.sport = static_cast<std::uint16_t>(sports[i].first);
                        connected = prober_.connects(probe);
                    }
                    if (!connected) probe.sport = static_cast<std::uint16_t>(sports.front().first);
                    const auto first = static_cast<std::uint16_t>(atom.first);
                    const auto last = static_cast<std::uint16_t>(atom.last);
                    record({net::Protocol(p), first, last}, probe, connected);
                }
            }
        }
        for (const auto& [range, witness] : open_atoms) out.open.add(range);
        for (const ServiceRange& r : out.open.ranges()) {
            for (const auto& [range, witness] : open_atoms) {
                if (range.protocol == r.protocol && range.first >= r.first &&
                    range.last <= r.last) {
                    out.open_witnesses.push_back(witness);
                    break;
                }
            }
        }
        // An address atom may open what another closes: what is open anywhere is open.
        for (Closed& c : out.closed) c.services = c.services.minus(out.open);
        std::erase_if(out.closed, [](const Closed& c) { return c.services.empty(); });
        return out;
    }

  private:
    const Topology& t_;
    Prober& prober_;
};

// What tells one ENI from another for every rule, route and address range of the topology.
// Places with equal keys meet the same fate with every peer (but themselves).
struct ClassKey {
    Index unique = model::kNone;  // set for ENIs only their own computation can answer
    Index subnet = model::kNone;
    std::vector<Index> groups;
    std::size_t private_atom = 0;
    std::size_t public_atom = 0;  // 0: no public address
    bool running = false;
    auto operator<=>(const ClassKey&) const = default;
};

class Classifier {
  public:
    explicit Classifier(const Topology& t) : t_(t) {
        for (const model::SecurityGroup& g : t.security_groups) {
            for (const auto* rules : {&g.ingress, &g.egress}) {
                for (const model::SgRule& r : *rules) {
                    if (r.peer_kind == model::PeerKind::Cidr) cuts_.cut(r.cidr);
                    if (r.peer_kind == model::PeerKind::PrefixList) {
                        cut_prefix_list(t, cuts_, r.prefix_list);
                    }
                }
            }
        }
        for (const model::NetworkAcl& acl : t.network_acls) {
            for (const auto* rules : {&acl.inbound, &acl.outbound}) {
                for (const model::AclRule& r : *rules) cuts_.cut(r.cidr);
            }
        }
        for (const model::RouteTable& rt : t.route_tables) {
            for (const model::Route& r : rt.routes) {
                if (r.prefix_list != model::kNone) {
                    cut_prefix_list(t, cuts_, r.prefix_list);
                } else {
                    cuts_.cut(r.destination);
                }
                if (r.target.kind == model::RouteTargetKind::Eni ||
                    r.target.kind == model::RouteTargetKind::Instance) {
                    targets_.insert({r.target.kind, r.target.index});
                }
            }
        }
        for (const model::Subnet& s : t.subnets) cuts_.cut(s.cidr);
        cuts_.seal();
    }

    ClassKey key(const Place& place) const {
        ClassKey k;
        if (place.kind == Place::Kind::Internet) {
            k.unique = t_.enis.size();  // the internet is a class of its own
            return k;
        }
        const model::Eni& eni = t_.enis[place.eni];
        const model::Instance& instance = t_.instances[eni.instance];
        const bool special = !eni.source_dest_check || instance.enis.size() > 1 ||
                             eni.private_ips.size() > 1 || !eni.secondary_elastic_ips.empty() ||
                             targets_.count({model::RouteTargetKind::Eni, place.eni}) > 0 ||
                             targets_.count({model::RouteTargetKind::Instance, eni.instance}) > 0;
        if (special) k.unique = place.eni;
        k.subnet = eni.subnet;
        k.groups = eni.security_groups;
        std::sort(k.groups.begin(), k.groups.end());
        k.private_atom = cuts_.atom_of(eni.primary_ip().value());
        if (auto pub = t_.public_address_of_eni(place.eni)) {
            k.public_atom = 1 + cuts_.atom_of(pub->value());
        }
        k.running = instance.running;
        return k;
    }

  private:
    const Topology& t_;
    Cuts cuts_;
    std::set<std::pair<model::RouteTargetKind, Index>> targets_;
};

// A pair's result for another pair of the same classes: the witnesses renamed.
PairReach renamed(const PairReach& r, const std::string& from_was, const std::string& from,
                  const std::string& to_was, const std::string& to) {
    PairReach out = r;
    auto fix = [&](Witness& w) {
        if (w.from == from_was) w.from = from;
        if (w.to == to_was) w.to = to;
    };
    for (Witness& w : out.open_witnesses) fix(w);
    for (Closed& c : out.closed) fix(c.witness);
    return out;
}

std::string protocol_text(net::Protocol p) {
    return p.to_string();
}

}  // namespace

sim::TraceQuery Witness::query() const {
    sim::TraceQuery q;
    q.from = from;
    q.to = to;
    q.protocol = protocol_text(protocol);
    if (protocol.has_ports()) {
        q.dport = dport;
        q.sport = sport;
    }
    return q;
}

std::string Witness::command(std::string_view topology_file) const {
    std::string out = fmt::format("vpcctl trace {} --from {} --to {} --proto {}", topology_file,
                                  from, to, protocol_text(protocol));
    if (protocol.has_ports()) out += fmt::format(" --dport {} --sport {}", dport, sport);
    return out;
}

std::string Blocker::to_string() const {
    std::string out = component + ": ";
    out += reason ? std::string(engine::name(*reason)) : std::string("not delivered");
    if (!rule.empty()) out += " (" + rule + ")";
    if (!detail.empty()) out += ": " + detail;
    if (reply) out += " on the reply";
    if (!explanation.empty()) out += " [" + explanation + "]";
    return out;
}

const PairReach* Reach::pair(std::size_t from, std::size_t to) const {
    if (!row_start.empty() && from < source_row.size() && to < destination_column.size()) {
        const std::size_t r = source_row[from];
        const std::size_t c = destination_column[to];
        if (r != SIZE_MAX && c != SIZE_MAX) {
            // Rows skip a place's pair with itself.
            std::size_t i = row_start[r] + c;
            if (destination_column[sources[r]] != SIZE_MAX && destination_column[sources[r]] < c) {
                --i;
            }
            if (i < row_start[r + 1] && pairs[i].from == from && pairs[i].to == to) {
                return &pairs[i];
            }
        }
    }
    for (const PairReach& p : pairs) {
        if (p.from == from && p.to == to) return &p;
    }
    return nullptr;
}

ReachResult compute_reach(const Topology& topology, const ReachOptions& options) {
    const auto start = std::chrono::steady_clock::now();
    Reach reach;
    reach.topology = topology.file;
    reach.places = places_of(topology);
    auto all = [&] {
        std::vector<std::size_t> v(reach.places.size());
        for (std::size_t i = 0; i < v.size(); ++i) v[i] = i;
        return v;
    };
    reach.sources = all();
    reach.destinations = all();
    if (!options.from.empty()) {
        Selection s = select_places(topology, reach.places, options.from);
        if (!s.error.empty()) return {std::nullopt, "--from " + s.error};
        reach.sources = s.places;
    }
    if (!options.to.empty()) {
        Selection s = select_places(topology, reach.places, options.to);
        if (!s.error.empty()) return {std::nullopt, "--to " + s.error};
        reach.destinations = s.places;
    }

    Prober prober(topology);
    PairSolver solver(topology, prober);
    Classifier classifier(topology);
    std::map<ClassKey, std::size_t> class_ids;
    std::vector<std::size_t> class_of(reach.places.size());
    for (std::size_t i = 0; i < reach.places.size(); ++i) {
        class_of[i] =
            class_ids.try_emplace(classifier.key(reach.places[i]), class_ids.size()).first->second;
    }
    // Computed pairs by class pair: the index of the pair in reach.pairs.
    std::map<std::pair<std::size_t, std::size_t>, std::size_t> done;
    std::set<std::size_t> used_classes;
    reach.source_row.assign(reach.places.size(), SIZE_MAX);
    reach.destination_column.assign(reach.places.size(), SIZE_MAX);
    for (std::size_t c = 0; c < reach.destinations.size(); ++c) {
        reach.destination_column[reach.destinations[c]] = c;
    }
    for (std::size_t r = 0; r < reach.sources.size(); ++r) {
        const std::size_t s = reach.sources[r];
        reach.source_row[s] = r;
        reach.row_start.push_back(reach.pairs.size());
        for (std::size_t d : reach.destinations) {
            if (s == d) continue;
            used_classes.insert(class_of[s]);
            used_classes.insert(class_of[d]);
            auto key = std::make_pair(class_of[s], class_of[d]);
            PairReach result;
            if (auto it = done.find(key); it != done.end()) {
                const PairReach& model = reach.pairs[it->second];
                result =
                    renamed(model, reach.places[model.from].trace_name, reach.places[s].trace_name,
                            reach.places[model.to].trace_name, reach.places[d].trace_name);
            } else {
                result = solver.solve(end_of(topology, reach.places[s]),
                                      end_of(topology, reach.places[d]), Filter{});
                done.emplace(key, reach.pairs.size());
            }
            result.from = s;
            result.to = d;
            reach.pairs.push_back(std::move(result));
        }
    }
    reach.row_start.push_back(reach.pairs.size());
    reach.stats.places = reach.places.size();
    reach.stats.classes = used_classes.size();
    reach.stats.class_pairs = done.size();
    reach.stats.probes = prober.probes();
    reach.stats.seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    return {std::move(reach), ""};
}

QueryResult query(const Topology& topology, const sim::TraceQuery& q) {
    QueryResult result;
    Filter filter;
    std::uint8_t protocol = net::Protocol::kIcmp;
    if (!q.protocol.empty()) {
        auto p = net::Protocol::parse(q.protocol);
        if (!p || p->is_all()) {
            result.error = fmt::format("--proto '{}': expected tcp, udp, icmp or a protocol number",
                                       q.protocol);
            return result;
        }
        protocol = p->number();
    }
    const bool ports = protocol == net::Protocol::kTcp || protocol == net::Protocol::kUdp;
    if (!ports && protocol != net::Protocol::kIcmp) {
        result.error =
            fmt::format("--proto {}: reach answers tcp, udp and icmp (echo)", q.protocol);
        return result;
    }
    if (!ports && (q.dport >= 0 || q.sport >= 0)) {
        result.error = "--dport and --sport apply to tcp and udp only";
        return result;
    }
    if (ports && q.dport < 0) {
        result.error = fmt::format("--dport is required for {}", q.protocol);
        return result;
    }
    if (q.dport > 65535 || q.sport > 65535) {
        result.error = "ports are 0-65535";
        return result;
    }
    filter.protocol = protocol;
    if (ports)
        filter.dports = {static_cast<std::uint32_t>(q.dport), static_cast<std::uint32_t>(q.dport)};
    if (q.sport >= 0) filter.sport = static_cast<std::uint16_t>(q.sport);

    auto resolve = [&](const std::string& text, End& end, std::string_view flag) {
        if (text == "internet") {
            end.any_internet = true;
            end.endpoint.kind = sim::Endpoint::Kind::Internet;
            return true;
        }
        sim::ResolveResult r = sim::resolve_endpoint(topology, text);
        if (!r.endpoint) {
            result.error = fmt::format("{}: {}", flag, r.error);
            return false;
        }
        end.endpoint = *r.endpoint;
        end.trace_name = text;
        return true;
    };
    End from;
    End to;
    if (!resolve(q.from, from, "--from") || !resolve(q.to, to, "--to")) return result;
    if (from.endpoint.kind == sim::Endpoint::Kind::Unassigned) {
        result.error = fmt::format("--from: no interface holds {}", q.from);
        return result;
    }
    Prober prober(topology);
    PairSolver solver(topology, prober);
    PairReach pair = solver.solve(from, to, filter);
    result.reachable = !pair.open.empty();
    if (result.reachable) {
        result.witness = pair.open_witnesses.front();
    } else if (!pair.closed.empty()) {
        result.witness = pair.closed.front().witness;
        result.blockers = pair.closed.front().blockers;
    }
    return result;
}

}  // namespace vpcstack::verify
