// The reachability matrix: atoms of the header space per pair of places, one engine probe per
// atom, and places no rule tells apart computed once (see reach.hpp).
#include "vpcstack/verify/reach.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <map>
#include <set>
#include <thread>

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
    void add(const Cuts& other) {
        starts_.insert(starts_.end(), other.starts_.begin(), other.starts_.end());
    }
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
    // Addresses are cut only for a pair with the internet as an end (every other end has one).
    void add(const PairCuts& o, bool addresses) {
        tcp_dport.add(o.tcp_dport);
        udp_dport.add(o.udp_dport);
        tcp_sport.add(o.tcp_sport);
        udp_sport.add(o.udp_sport);
        if (addresses) address.add(o.address);
    }
    Cuts& sport(std::uint8_t p) { return p == net::Protocol::kTcp ? tcp_sport : udp_sport; }
};

// Which rules of an end can change a verdict. The sender's groups judge the request going out and
// the receiver's coming in; the answer of a tracked flow passes both. An ACL judges the request
// by its destination port in the request's direction, and the answer by its destination port
// (the request's source port) in the other. A router instance sits on both ways.
enum class Side { Sender, Receiver, Both };

enum class Dimension { DestinationPort, SourcePort };

void cut_ports(PairCuts& cuts, net::Protocol protocol, const net::PortRange& ports, Dimension d) {
    for (std::uint8_t p : {net::Protocol::kTcp, net::Protocol::kUdp}) {
        if (protocol.number() != p || protocol.is_all()) continue;
        (d == Dimension::DestinationPort ? cuts.dport(p) : cuts.sport(p))
            .cut(ports.first, ports.last);
    }
}

void cut_prefix_list(const Topology& t, Cuts& cuts, Index list) {
    if (list == model::kNone) return;
    for (const net::Cidr& c : t.prefix_lists[list].cidrs) cuts.cut(c);
}

// The addresses an instance's packets carry from its own interfaces: private, public, Elastic.
std::vector<net::Ipv4Address> own_addresses(const Topology& t, const model::Instance& instance) {
    std::vector<net::Ipv4Address> out;
    auto eip = [&](Index e) {
        if (e != model::kNone) out.push_back(t.elastic_ips[e].address);
    };
    for (Index e : instance.enis) {
        const model::Eni& eni = t.enis[e];
        out.insert(out.end(), eni.private_ips.begin(), eni.private_ips.end());
        if (eni.public_ip) out.push_back(*eni.public_ip);
        eip(eni.elastic_ip);
        for (const model::SecondaryElasticIp& s : eni.secondary_elastic_ips) eip(s.elastic_ip);
    }
    return out;
}

// The addresses of whatever may translate a packet on the way: NAT gateways and load balancer
// nodes. Shared by every instance.
std::vector<net::Ipv4Address> translator_addresses(const Topology& t) {
    std::vector<net::Ipv4Address> out;
    auto eip = [&](Index e) {
        if (e != model::kNone) out.push_back(t.elastic_ips[e].address);
    };
    for (const model::NatGateway& n : t.nat_gateways) {
        out.push_back(n.private_ip);
        eip(n.elastic_ip);
    }
    for (const model::LoadBalancer& lb : t.load_balancers) {
        for (const model::LoadBalancerNode& node : lb.nodes) {
            out.push_back(node.private_ip);
            if (node.public_ip) out.push_back(*node.public_ip);
            eip(node.elastic_ip);
        }
    }
    return out;
}

// The instance at the other end of a pair, to tell the rules that can match it from the rest:
// the addresses its packets may carry as the near end sees them.
struct Peer {
    const model::Instance* instance = nullptr;                   // none: the internet, any address
    std::vector<net::Ipv4Address> own;                           // own_addresses()
    const std::vector<net::Ipv4Address>* translators = nullptr;  // translator_addresses()

    // Whether a range holds an address the peer may appear with.
    bool holds(const net::Cidr& c) const {
        auto in = [&](net::Ipv4Address a) { return c.contains(a); };
        return std::any_of(own.begin(), own.end(), in) ||
               (translators != nullptr &&
                std::any_of(translators->begin(), translators->end(), in));
    }
};

// Whether a rule's peer can match what the other end sends or is sent to. A rule that names a
// group matches only its members' private addresses (no translation on the way makes another
// member's address out of the peer's).
bool may_match(const Topology& t, const model::SgRule& r, const Peer& peer) {
    if (peer.instance == nullptr) return r.peer_kind != model::PeerKind::SecurityGroup;
    auto holds = [&](const net::Cidr& c) { return peer.holds(c); };
    switch (r.peer_kind) {
        case model::PeerKind::Cidr:
            return holds(r.cidr);
        case model::PeerKind::PrefixList:
            return r.prefix_list == model::kNone ||
                   std::any_of(t.prefix_lists[r.prefix_list].cidrs.begin(),
                               t.prefix_lists[r.prefix_list].cidrs.end(), holds);
        case model::PeerKind::SecurityGroup:
            return std::any_of(
                peer.instance->enis.begin(), peer.instance->enis.end(), [&](Index e) {
                    const std::vector<Index>& groups = t.enis[e].security_groups;
                    return std::find(groups.begin(), groups.end(), r.group) != groups.end();
                });
    }
    return true;
}

// An end's group: only rules that judge the request and can match the peer cut ports.
void cut_group(const Topology& t, PairCuts& cuts, Index group, Side side,
               const Peer* peer = nullptr) {
    const model::SecurityGroup& g = t.security_groups[group];
    for (const auto* rules : {&g.ingress, &g.egress}) {
        const bool request = side == Side::Both || (rules == &g.egress) == (side == Side::Sender);
        for (const model::SgRule& r : *rules) {
            if (request && (peer == nullptr || may_match(t, r, *peer))) {
                cut_ports(cuts, r.protocol, r.ports, Dimension::DestinationPort);
            }
            if (r.peer_kind == model::PeerKind::Cidr) cuts.address.cut(r.cidr);
            if (r.peer_kind == model::PeerKind::PrefixList) {
                cut_prefix_list(t, cuts.address, r.prefix_list);
            }
        }
    }
}

void cut_acl(const Topology& t, PairCuts& cuts, Index acl, Side side, const Peer* peer = nullptr) {
    const model::NetworkAcl& a = t.network_acls[acl];
    for (const auto* rules : {&a.inbound, &a.outbound}) {
        const bool request = (rules == &a.outbound) == (side == Side::Sender);
        for (const model::AclRule& r : *rules) {
            cuts.address.cut(r.cidr);
            if (peer != nullptr && peer->instance != nullptr && !peer->holds(r.cidr)) {
                continue;  // never matches the pair's packets
            }
            if (side == Side::Both || request) {
                cut_ports(cuts, r.protocol, r.ports, Dimension::DestinationPort);
            }
            if (side == Side::Both || !request) {
                cut_ports(cuts, r.protocol, r.ports, Dimension::SourcePort);
            }
        }
    }
}

// What any path through a VPC may meet besides its two ends: its route tables (gateway tables
// included), and the subnets and groups of its NAT gateways and router instances. A packet
// meets a network ACL only where it leaves or enters a subnet: the ends' subnets and these.
PairCuts vpc_cuts(const Topology& t, Index vpc) {
    PairCuts cuts;
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
    std::set<Index> subnets;
    for (const model::Eni& e : t.enis) {
        if (e.vpc != vpc || e.source_dest_check) continue;
        for (Index g : e.security_groups) cut_group(t, cuts, g, Side::Both);
        subnets.insert(e.subnet);
    }
    for (Index s : subnets) cut_acl(t, cuts, t.subnets[s].network_acl, Side::Both);
    return cuts;
}

// The ACLs of a VPC's NAT gateways' subnets: on the path of what a route sends to a NAT gateway.
PairCuts nat_cuts(const Topology& t, Index vpc) {
    PairCuts cuts;
    std::set<Index> subnets;
    for (const model::NatGateway& n : t.nat_gateways) {
        if (n.vpc == vpc) subnets.insert(n.subnet);
    }
    for (Index s : subnets) cut_acl(t, cuts, t.subnets[s].network_acl, Side::Both);
    return cuts;
}

// Whether the most specific route of a subnet's table for an address targets a NAT gateway.
bool routed_to_nat(const Topology& t, Index subnet, net::Ipv4Address address) {
    const Index table = t.subnets[subnet].route_table;
    if (table == model::kNone) return false;
    int best = -1;
    bool nat = false;
    for (const model::Route& r : t.route_tables[table].routes) {
        std::vector<net::Cidr> destinations = {r.destination};
        if (r.prefix_list != model::kNone) destinations = t.prefix_lists[r.prefix_list].cidrs;
        for (const net::Cidr& c : destinations) {
            if (!c.contains(address) || c.length() <= best) continue;
            best = c.length();
            nat = r.target.kind == model::RouteTargetKind::NatGateway;
        }
    }
    return nat;
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
    for (const model::LoadBalancer& lb : t.load_balancers) {
        for (const model::LoadBalancerNode& node : lb.nodes) {
            if (auto a = t.public_address_of_lb_node(node)) out.emplace_back(*a, 32);
        }
    }
    return out;
}

// The ENI a target of a target group is: an instance's primary ENI, or the ENI holding an IP
// target's address; none when nothing holds it.
Index target_eni(const Topology& t, const model::TargetGroup& tg, const model::Target& target) {
    if (target.instance != model::kNone) {
        const model::Instance& instance = t.instances[target.instance];
        return instance.enis.empty() ? model::kNone : instance.enis.front();
    }
    for (Index e = 0; e < t.enis.size(); ++e) {
        const model::Eni& eni = t.enis[e];
        if (eni.vpc != tg.vpc) continue;
        for (net::Ipv4Address a : eni.private_ips) {
            if (a == target.ip) return e;
        }
    }
    return model::kNone;
}

// A load balancer at an end of a pair. Its listeners' ports are what it takes. A Network Load
// Balancer plays its nodes in the engine, and the flow goes on to a target: the nodes' subnets,
// the load balancer's groups and its targets' groups and subnets all judge it.
void cut_load_balancer(const Topology& t, PairCuts& cuts, Index b) {
    const model::LoadBalancer& lb = t.load_balancers[b];
    for (const model::Listener& l : lb.listeners) {
        for (std::uint8_t p : {net::Protocol::kTcp, net::Protocol::kUdp}) {
            cuts.dport(p).cut(l.port, l.port);
        }
    }
    if (lb.type != model::LoadBalancerType::Network) return;
    std::set<Index> subnets;
    for (const model::LoadBalancerNode& node : lb.nodes) subnets.insert(node.subnet);
    for (Index g : lb.security_groups) cut_group(t, cuts, g, Side::Both);
    for (const model::Listener& l : lb.listeners) {
        for (const model::WeightedTargetGroup& w : l.default_action.target_groups) {
            if (w.target_group >= t.target_groups.size()) continue;
            const model::TargetGroup& tg = t.target_groups[w.target_group];
            for (const model::Target& target : tg.targets) {
                const Index e = target_eni(t, tg, target);
                if (e == model::kNone) continue;
                for (Index g : t.enis[e].security_groups) cut_group(t, cuts, g, Side::Both);
                subnets.insert(t.enis[e].subnet);
            }
        }
    }
    for (Index s : subnets) {
        if (s != model::kNone) cut_acl(t, cuts, t.subnets[s].network_acl, Side::Both);
    }
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

// A probe's stops as the engine recorded them, kept to recognise the same stops in later
// probes without putting them into words again.
struct StopsKey {
    struct Step {
        engine::ComponentId component;
        engine::DropReason reason;
        engine::RuleRef rule;
        bool reply;
    };
    std::vector<Step> steps;
    std::optional<std::pair<std::string, bool>> lost;  // component and reply, as alike() reads

    explicit StopsKey(const ProbeResult& r) {
        for (const Stop& s : r.stops)
            steps.push_back({s.step->component, *s.step->drop, s.step->rule, s.reply});
        if (r.lost) lost.emplace(r.lost->component, r.lost->reply);
    }
    // Equal keys give equal words, so alike() holds for them.
    bool matches(const ProbeResult& r) const {
        if (steps.size() != r.stops.size() || lost.has_value() != r.lost.has_value()) return false;
        if (lost && (lost->first != r.lost->component || lost->second != r.lost->reply))
            return false;
        for (std::size_t i = 0; i < steps.size(); ++i) {
            const Step& k = steps[i];
            const engine::TraceStep& s = *r.stops[i].step;
            if (k.component != s.component || k.reason != *s.drop || k.reply != r.stops[i].reply ||
                k.rule.kind != s.rule.kind || k.rule.direction != s.rule.direction ||
                k.rule.number != s.rule.number || k.rule.text != s.rule.text) {
                return false;
            }
        }
        return true;
    }
};

// One end of a pair as the prober and the witness need it.
struct End {
    sim::Endpoint endpoint;
    std::string trace_name;     // the witness's --from/--to
    bool any_internet = false;  // every internet address, atom by atom
    Index load_balancer = model::kNone;
    // A Network Load Balancer's node: no ENI; the engine plays it at these addresses (the
    // internet sends to the public one).
    bool nlb = false;
};

End end_of(const Topology& t, const Place& place) {
    End e;
    if (place.kind == Place::Kind::Internet) {
        e.any_internet = true;
        e.endpoint.kind = sim::Endpoint::Kind::Internet;
        return e;
    }
    e.load_balancer = place.load_balancer;
    e.trace_name = place.trace_name;
    e.endpoint.label = place.name;
    if (place.eni == model::kNone) {  // a Network Load Balancer: its first node's address
        const model::LoadBalancer& lb = t.load_balancers[place.load_balancer];
        e.nlb = true;
        e.endpoint.kind = sim::Endpoint::Kind::Unassigned;
        e.endpoint.address = lb.nodes.front().private_ip;
        // Named by its name, the internet reaches it at its public address (as trace does);
        // named by the address, at that address.
        if (place.trace_name == lb.meta.name) e.endpoint.load_balancer = place.load_balancer;
        return e;
    }
    const model::Eni& eni = t.enis[place.eni];
    e.endpoint.kind = sim::Endpoint::Kind::Instance;
    e.endpoint.eni = place.eni;
    e.endpoint.instance = eni.instance;
    e.endpoint.address = eni.primary_ip();
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
    PairSolver(const Topology& t, Prober& prober)
        : t_(t), prober_(prober), translators_(translator_addresses(t)) {
        for (Index v = 0; v < t.vpcs.size(); ++v) {
            vpc_cuts_.push_back(vpc_cuts(t, v));
            nat_cuts_.push_back(nat_cuts(t, v));
        }
    }

    PairResult solve(const End& from, const End& to, const Filter& filter) {
        PairCuts cuts;
        std::set<Index> vpcs;
        for (const End* e : {&from, &to}) {
            if (e->endpoint.kind != sim::Endpoint::Kind::Instance) continue;
            const model::Eni& eni = t_.enis[e->endpoint.eni];
            vpcs.insert(eni.vpc);
            const Side side = e == &from ? Side::Sender : Side::Receiver;
            const End& other = e == &from ? to : from;
            Peer peer;
            const Peer* known = &peer;  // none: every rule may match
            if (other.load_balancer != model::kNone) known = nullptr;
            if (other.endpoint.kind == sim::Endpoint::Kind::Instance && known != nullptr) {
                const Index instance = t_.enis[other.endpoint.eni].instance;
                if (instance == model::kNone) known = nullptr;  // an ENI on its own
                if (instance != model::kNone) {
                    peer.instance = &t_.instances[instance];
                    peer.own = own_addresses(t_, *peer.instance);
                    peer.translators = &translators_;
                }
            }
            for (Index g : eni.security_groups) cut_group(t_, cuts, g, side, known);
            cut_acl(t_, cuts, t_.subnets[eni.subnet].network_acl, side, known);
        }
        for (const End* e : {&from, &to}) {
            if (e->load_balancer == model::kNone) continue;
            vpcs.insert(t_.load_balancers[e->load_balancer].vpc);
            cut_load_balancer(t_, cuts, e->load_balancer);
            if (e->nlb) cuts.add(nat_cuts_[t_.load_balancers[e->load_balancer].vpc], true);
        }
        if (vpcs.empty()) {  // from the internet to an address: any subnet may hold it
            for (Index v = 0; v < t_.vpcs.size(); ++v) vpcs.insert(v);
            for (Index a = 0; a < t_.network_acls.size(); ++a) cut_acl(t_, cuts, a, Side::Both);
        }
        const bool any_address = from.any_internet || to.any_internet;
        for (Index v : vpcs) cuts.add(vpc_cuts_[v], any_address);
        // NAT subnets' ACLs: when the internet is an end, or a route of either end sends the
        // other end's address to a NAT gateway.
        const bool internet = any_address || from.endpoint.kind == sim::Endpoint::Kind::Internet ||
                              to.endpoint.kind == sim::Endpoint::Kind::Internet;
        for (const auto& [a, b] : {std::pair{&from, &to}, std::pair{&to, &from}}) {
            if (a->endpoint.kind != sim::Endpoint::Kind::Instance) continue;
            const model::Eni& eni = t_.enis[a->endpoint.eni];
            if (internet || b->endpoint.kind != sim::Endpoint::Kind::Instance ||
                routed_to_nat(t_, eni.subnet, b->endpoint.address)) {
                cuts.add(nat_cuts_[eni.vpc], any_address);
            }
        }

        std::vector<net::Ipv4Address> addresses;  // internet addresses to try, one per atom
        if (any_address) {
            for (const net::Cidr& c : not_internet(t_)) cuts.address.cut(c);
            std::vector<net::Cidr> excluded = not_internet(t_);
            for (const Interval& atom : cuts.address.atoms(0, 0xFFFFFFFFu)) {
                net::Ipv4Address a = representative(atom);
                bool cloud = std::any_of(excluded.begin(), excluded.end(),
                                         [&](const net::Cidr& c) { return c.contains(a); });
                if (!cloud) addresses.push_back(a);
            }
            // Witnesses come from the first address that shows them: a documentation address
            // (203.0.113.10 ...) reads better than the start of an arbitrary range.
            std::stable_partition(addresses.begin(), addresses.end(), [](net::Ipv4Address a) {
                return a == net::Ipv4Address(203, 0, 113, 10) ||
                       a == net::Ipv4Address(198, 51, 100, 10) ||
                       a == net::Ipv4Address(192, 0, 2, 10);
            });
        } else {
            addresses.push_back({});  // the ends' own addresses
        }

        // An atom's verdict, its witness kept as numbers until the end (most are never shown).
        struct Atom {
            ServiceRange range;
            std::size_t address = 0;  // index into `addresses`
            std::uint8_t protocol = 0;
            std::uint16_t dport = 0;
            std::uint16_t sport = 0;
        };
        struct Group {
            std::vector<Blocker> blockers;
            std::vector<StopsKey> keys;  // the stops seen with these words
            std::vector<Atom> atoms;
        };
        std::vector<Atom> open_atoms;
        std::vector<Group> groups;
        std::vector<End> ends_from(addresses.size(), from);
        std::vector<End> ends_to(addresses.size(), to);
        for (std::size_t ai = 0; ai < addresses.size(); ++ai) {
            End& f = ends_from[ai];
            End& d = ends_to[ai];
            for (End* e : {&f, &d}) {
                if (!e->any_internet) continue;
                e->endpoint.address = addresses[ai];
                e->endpoint.label = addresses[ai].to_string();
                e->trace_name = addresses[ai].to_string();
            }
            Flow flow = prober_.flow(f.endpoint, d.endpoint);
            flow.to_targets = d.nlb;
            const bool local = prober_.local(flow);

            // One walk through the audit engine gives the verdict and every blocker. The
            // request's fate does not depend on its source port (no rule on the way there
            // looks at it), only the answer's (the ACLs on its way back look at its destination
            // port): other source ports are tried only when nothing stopped the request.
            auto decide = [&](const ServiceRange& range, Flow probe,
                              const std::vector<Interval>& sports) {
                if (!sports.empty()) probe.sport = static_cast<std::uint16_t>(sports.front().first);
                ProbeResult a;
                bool connected = local;
                if (!connected) {
                    a = prober_.explain(probe);
                    connected = a.open();
                    const bool request_blocked =
                        !a.delivered ||
                        std::any_of(a.stops.begin(), a.stops.end(),
                                    [](const Stop& s) { return !s.reply; }) ||
                        (a.lost && !a.lost->reply);
                    for (std::size_t i = 1; i < sports.size() && !connected && !request_blocked;
                         ++i) {
                        Flow other = probe;
                        other.sport = static_cast<std::uint16_t>(sports[i].first);
                        if (prober_.connects(other).connected) {
                            connected = true;
                            probe = other;
                        }
                    }
                    // A Network Load Balancer picks the target by a hash of the flow, source
                    // port included: on a listener, other source ports reach other targets.
                    if (!connected && probe.to_targets && !filter.sport &&
                        on_listener(d.load_balancer, probe)) {
                        for (std::uint16_t port : hash_ports(sports)) {
                            Flow other = probe;
                            other.sport = port;
                            if (prober_.connects(other).connected) {
                                connected = true;
                                probe = other;
                                break;
                            }
                        }
                    }
                }
                Atom atom{range, ai, probe.protocol, probe.dport, probe.sport};
                if (connected) {
                    open_atoms.push_back(atom);
                    return;
                }
                // The stops of a group seen before; else their words decide (stops that differ
                // only in details are one group).
                auto same = std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
                    return std::any_of(g.keys.begin(), g.keys.end(),
                                       [&](const StopsKey& k) { return k.matches(a); });
                });
                if (same == groups.end()) {
                    std::vector<Blocker> blockers = prober_.blockers(a);
                    same = std::find_if(groups.begin(), groups.end(), [&](const Group& g) {
                        return alike(g.blockers, blockers);
                    });
                    if (same == groups.end()) {
                        groups.push_back({std::move(blockers), {}, {}});
                        same = groups.end() - 1;
                    }
                    same->keys.emplace_back(a);
                }
                same->atoms.push_back(atom);
            };

            if (!filter.protocol || *filter.protocol == net::Protocol::kIcmp) {
                Flow probe = flow;
                probe.protocol = net::Protocol::kIcmp;
                decide({net::Protocol::icmp(), kEcho, kEcho}, probe, {});
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
                    const auto first = static_cast<std::uint16_t>(atom.first);
                    const auto last = static_cast<std::uint16_t>(atom.last);
                    decide({net::Protocol(p), first, last}, probe, sports);
                }
            }
        }

        auto witness = [&](const Atom& a) {
            return Witness{ends_from[a.address].trace_name, ends_to[a.address].trace_name,
                           net::Protocol(a.protocol), a.dport, a.sport};
        };
        PairResult out;
        std::vector<ServiceRange> open;
        for (const Atom& a : open_atoms) open.push_back(a.range);
        out.open = ServiceSet::of(std::move(open));
        for (const ServiceRange& r : out.open.ranges()) {
            for (const Atom& a : open_atoms) {
                if (a.range.protocol == r.protocol && a.range.first >= r.first &&
                    a.range.last <= r.last) {
                    out.open_witnesses.push_back(witness(a));
                    break;
                }
            }
        }
        // An address atom may open what another closes: what is open from anywhere is open,
        // and a group's witness is one of what it still holds.
        for (Group& g : groups) {
            std::vector<ServiceRange> ranges;
            const Atom* shown = nullptr;
            for (const Atom& a : g.atoms) {
                if (out.open.contains(a.range)) continue;
                ranges.push_back(a.range);
                if (shown == nullptr) shown = &a;
            }
            if (shown == nullptr) continue;
            out.closed.push_back(
                {ServiceSet::of(std::move(ranges)), std::move(g.blockers), witness(*shown)});
        }
        return out;
    }

  private:
    // Whether a flow is for one of a load balancer's listeners.
    bool on_listener(Index lb, const Flow& flow) const {
        if (lb == model::kNone) return false;
        const auto& listeners = t_.load_balancers[lb].listeners;
        return std::any_of(listeners.begin(), listeners.end(),
                           [&](const model::Listener& l) { return l.port == flow.dport; });
    }
    // Source ports spread over the source port atoms, to meet every target a flow hash may
    // pick (a target missed by all of them is one chance in 10^5 or less for up to 8 targets).
    static std::vector<std::uint16_t> hash_ports(const std::vector<Interval>& sports) {
        constexpr std::uint32_t kTries = 96;
        std::vector<std::uint16_t> out;
        for (const Interval& atom : sports) {
            const std::uint32_t width = atom.last - atom.first + 1;
            const std::uint32_t n = std::min(width, kTries);
            for (std::uint32_t i = 1; i < n; ++i) {
                out.push_back(static_cast<std::uint16_t>(atom.first + i * (width / n)));
            }
        }
        return out;
    }

    const Topology& t_;
    Prober& prober_;
    std::vector<PairCuts> vpc_cuts_;  // per VPC
    std::vector<PairCuts> nat_cuts_;  // per VPC
    std::vector<net::Ipv4Address> translators_;
};

// What tells one ENI from another for every rule, route and address range of the topology.
// Places with equal keys meet the same fate with every peer (but themselves).
// Subnets matter by what they apply (their ACL and route table) and by whether two places
// share one (no ACL, no route between them), which the pair's key says; a subnet that holds a
// NAT gateway or a router instance is a class of its own.
struct ClassKey {
    Index unique = model::kNone;  // set for ENIs only their own computation can answer
    Index vpc = model::kNone;
    Index network_acl = model::kNone;
    Index route_table = model::kNone;
    Index transit_subnet = model::kNone;
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
        for (const model::NatGateway& n : t.nat_gateways) transit_.insert(n.subnet);
        for (const model::Eni& e : t.enis) {
            if (!e.source_dest_check) transit_.insert(e.subnet);
        }
        cuts_.seal();
    }

    ClassKey key(const Place& place) const {
        ClassKey k;
        if (place.kind == Place::Kind::Internet) {
            k.unique = t_.enis.size();  // the internet is a class of its own
            return k;
        }
        if (place.kind == Place::Kind::LoadBalancer) {
            // A load balancer answers as no instance does (its listeners only, or its targets):
            // a class of its own.
            k.unique = static_cast<Index>(t_.enis.size() + 1 + place.load_balancer);
            return k;
        }
        const model::Eni& eni = t_.enis[place.eni];
        const model::Instance* instance =
            eni.instance != model::kNone ? &t_.instances[eni.instance] : nullptr;
        const bool special = !eni.source_dest_check ||
                             (instance != nullptr && instance->enis.size() > 1) ||
                             eni.private_ips.size() > 1 || !eni.secondary_elastic_ips.empty() ||
                             targets_.count({model::RouteTargetKind::Eni, place.eni}) > 0 ||
                             (instance != nullptr &&
                              targets_.count({model::RouteTargetKind::Instance, eni.instance}) > 0);
        if (special) k.unique = place.eni;
        const model::Subnet& subnet = t_.subnets[eni.subnet];
        k.vpc = eni.vpc;
        k.network_acl = subnet.network_acl;
        k.route_table = subnet.route_table;
        if (transit_.count(eni.subnet) > 0) k.transit_subnet = eni.subnet;
        k.groups = eni.security_groups;
        std::sort(k.groups.begin(), k.groups.end());
        k.private_atom = cuts_.atom_of(eni.primary_ip().value());
        if (auto pub = t_.public_address_of_eni(place.eni)) {
            k.public_atom = 1 + cuts_.atom_of(pub->value());
        }
        k.running = instance == nullptr || instance->running;
        return k;
    }

  private:
    const Topology& t_;
    Cuts cuts_;
    std::set<std::pair<model::RouteTargetKind, Index>> targets_;
    std::set<Index> transit_;  // subnets of NAT gateways and router instances
};

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

const PairResult* Reach::result(std::size_t from, std::size_t to) const {
    if (from == to || from >= places.size() || to >= places.size()) return nullptr;
    std::uint32_t r = kNoResult;
    if (auto it = pair_results.find(from * places.size() + to); it != pair_results.end()) {
        r = it->second;
    } else if (from < class_of.size() && to < class_of.size() && !multihomed[from] &&
               !multihomed[to]) {
        r = result_of_classes[result_slot(from, to)];
    }
    if (r == kNoResult) return nullptr;
    // Sources and destinations share classes: check the pair was asked.
    auto asked = [](const std::vector<std::size_t>& v, std::size_t i) {
        return std::binary_search(v.begin(), v.end(), i);  // kept sorted
    };
    if (!asked(sources, from) || !asked(destinations, to)) return nullptr;
    return &results[r];
}

std::optional<PairReach> Reach::pair(std::size_t from, std::size_t to) const {
    if (const PairResult* r = result(from, to)) return PairReach{from, to, r};
    return std::nullopt;
}

std::vector<PairReach> Reach::pairs() const {
    std::vector<PairReach> out;
    for_each_pair([&](const PairReach& p) { out.push_back(p); });
    return out;
}

PairResult Reach::view(const PairReach& pair) const {
    PairResult v = *pair.result;
    v.from = pair.from;
    v.to = pair.to;
    for (Witness& w : v.open_witnesses) w = named(pair, w);
    for (Closed& c : v.closed) c.witness = named(pair, c.witness);
    return v;
}

std::optional<PairResult> Reach::view(std::size_t from, std::size_t to) const {
    if (auto p = pair(from, to)) return view(*p);
    return std::nullopt;
}

std::vector<PairResult> Reach::views() const {
    std::vector<PairResult> out;
    for_each_pair([&](const PairReach& p) { out.push_back(view(p)); });
    return out;
}

void Reach::add_pair(PairResult result) {
    const std::size_t key = result.from * places.size() + result.to;
    pair_results[key] = static_cast<std::uint32_t>(results.size());
    for (std::vector<std::size_t>* v : {&sources, &destinations}) {
        const std::size_t i = v == &sources ? result.from : result.to;
        auto at = std::lower_bound(v->begin(), v->end(), i);
        if (at == v->end() || *at != i) v->insert(at, i);
    }
    results.push_back(std::move(result));
}

std::size_t Reach::result_slot(std::size_t from, std::size_t to) const {
    const bool same = subnet_of[from] != kNoSubnet && subnet_of[from] == subnet_of[to];
    return (std::size_t{class_of[from]} * class_count + class_of[to]) * 2 + (same ? 1 : 0);
}

Witness Reach::named(const PairReach& pair, const Witness& witness) const {
    Witness w = witness;
    if (w.from == places[pair.result->from].trace_name) w.from = places[pair.from].trace_name;
    if (w.to == places[pair.result->to].trace_name) w.to = places[pair.to].trace_name;
    return w;
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
    // A stopped instance sends nothing: it is a destination only (its ENI drops what comes).
    // A Network Load Balancer opens nothing but health checks: a destination only too.
    std::erase_if(reach.sources, [&](std::size_t i) {
        const Place& p = reach.places[i];
        if (!p.source()) return true;
        if (p.kind != Place::Kind::Eni) return false;
        const Index instance = topology.enis[p.eni].instance;
        return instance != model::kNone && !topology.instances[instance].running;
    });
    if (!options.to.empty()) {
        Selection s = select_places(topology, reach.places, options.to);
        if (!s.error.empty()) return {std::nullopt, "--to " + s.error};
        reach.destinations = s.places;
    }

    std::sort(reach.sources.begin(), reach.sources.end());
    std::sort(reach.destinations.begin(), reach.destinations.end());

    Classifier classifier(topology);
    std::map<ClassKey, std::uint32_t> class_ids;
    reach.class_of.resize(reach.places.size());
    for (std::size_t i = 0; i < reach.places.size(); ++i) {
        auto next = static_cast<std::uint32_t>(class_ids.size());
        reach.class_of[i] =
            class_ids.try_emplace(classifier.key(reach.places[i]), next).first->second;
    }
    reach.class_count = class_ids.size();
    reach.result_of_classes.assign(reach.class_count * reach.class_count * 2, Reach::kNoResult);
    reach.subnet_of.resize(reach.places.size(), Reach::kNoSubnet);
    reach.multihomed.assign(reach.places.size(), 0);
    for (std::size_t i = 0; i < reach.places.size(); ++i) {
        const Place& p = reach.places[i];
        if (p.eni != model::kNone) {
            const model::Eni& eni = topology.enis[p.eni];
            reach.subnet_of[i] = static_cast<std::uint32_t>(eni.subnet);
            reach.multihomed[i] =
                eni.instance != model::kNone && topology.instances[eni.instance].enis.size() > 1;
        }
        // A Network Load Balancer's fate with a peer depends on the peer's subnet beside its
        // nodes' and targets': its pairs are its own.
        if (p.kind == Place::Kind::LoadBalancer && p.eni == model::kNone) {
            reach.multihomed[i] = 1;
        }
    }
    // The pairs to compute: the first pair of places of each pair of classes.
    std::vector<bool> used(reach.class_count, false);
    for (std::size_t s : reach.sources) {
        for (std::size_t d : reach.destinations) {
            if (s == d) continue;
            // An instance with several ENIs picks one by the other end's subnet (its routing
            // table): its pairs are its own.
            std::uint32_t& r = reach.multihomed[s] || reach.multihomed[d]
                                   ? reach.pair_results[s * reach.places.size() + d]
                                   : reach.result_of_classes[reach.result_slot(s, d)];
            if (reach.multihomed[s] || reach.multihomed[d]) r = Reach::kNoResult;
            used[reach.class_of[s]] = used[reach.class_of[d]] = true;
            if (r != Reach::kNoResult) continue;
            r = static_cast<std::uint32_t>(reach.results.size());
            reach.results.push_back({s, d, {}, {}, {}});
        }
    }
    // Each is independent (fresh engine state per probe): computed by as many workers as
    // there are cores, each with its own engines; the result does not depend on their number.
    unsigned workers = options.threads != 0 ? options.threads : std::thread::hardware_concurrency();
    workers = std::clamp<unsigned>(workers, 1, 64);
    workers = static_cast<unsigned>(
        std::min<std::size_t>(workers, std::max<std::size_t>(1, reach.results.size() / 32)));
    std::atomic<std::size_t> next{0};
    std::atomic<std::size_t> probes{0};
    std::atomic<std::size_t> explained{0};
    auto work = [&] {
        Prober prober(topology);
        PairSolver solver(topology, prober);
        constexpr std::size_t kChunk = 16;
        for (std::size_t first = next.fetch_add(kChunk); first < reach.results.size();
             first = next.fetch_add(kChunk)) {
            const std::size_t last = std::min(first + kChunk, reach.results.size());
            for (std::size_t i = first; i < last; ++i) {
                PairResult& r = reach.results[i];
                const std::size_t s = r.from;
                const std::size_t d = r.to;
                r = solver.solve(end_of(topology, reach.places[s]),
                                 end_of(topology, reach.places[d]), Filter{});
                r.from = s;
                r.to = d;
            }
        }
        probes += prober.probes();
        explained += prober.explained();
    };
    std::vector<std::thread> threads;
    for (unsigned i = 1; i < workers; ++i) threads.emplace_back(work);
    work();
    for (std::thread& t : threads) t.join();
    reach.stats.places = reach.places.size();
    reach.stats.classes = static_cast<std::size_t>(std::count(used.begin(), used.end(), true));
    reach.stats.class_pairs = reach.results.size();
    reach.stats.probes = probes;
    reach.stats.explained = explained;
    reach.stats.threads = workers;
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
        // A Network Load Balancer by a node's address, sent to as given.
        if (const auto address = net::Ipv4Address::parse(text)) {
            for (Index b = 0; b < topology.load_balancers.size(); ++b) {
                const model::LoadBalancer& lb = topology.load_balancers[b];
                if (lb.type != model::LoadBalancerType::Network) continue;
                for (const model::LoadBalancerNode& node : lb.nodes) {
                    const auto pub = topology.public_address_of_lb_node(node);
                    if (node.private_ip != *address && pub != *address) continue;
                    end.load_balancer = b;
                    end.nlb = true;
                    end.endpoint.kind = sim::Endpoint::Kind::Unassigned;
                    end.endpoint.address = *address;
                    end.endpoint.label = text;
                    end.trace_name = text;
                    return true;
                }
            }
        }
        sim::ResolveResult r = sim::resolve_endpoint(topology, text);
        if (!r.endpoint) {
            result.error = fmt::format("{}: {}", flag, r.error);
            return false;
        }
        end.endpoint = *r.endpoint;
        end.trace_name = text;
        if (end.endpoint.kind == sim::Endpoint::Kind::Instance) {
            end.load_balancer = topology.enis[end.endpoint.eni].load_balancer;
        }
        if (end.endpoint.load_balancer != model::kNone) {  // a Network Load Balancer by name
            end.load_balancer = end.endpoint.load_balancer;
            end.nlb = true;
        }
        return true;
    };
    End from;
    End to;
    if (!resolve(q.from, from, "--from") || !resolve(q.to, to, "--to")) return result;
    if (from.nlb) {
        result.error = fmt::format(
            "--from: '{}' is a Network Load Balancer, which opens no connections of its own (a "
            "destination only)",
            q.from);
        return result;
    }
    if (from.endpoint.kind == sim::Endpoint::Kind::Unassigned) {
        result.error = fmt::format("--from: no interface holds {}", q.from);
        return result;
    }
    Prober prober(topology);
    PairSolver solver(topology, prober);
    PairResult pair = solver.solve(from, to, filter);
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
