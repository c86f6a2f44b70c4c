// Policy verification: which services connect between every pair of places of a topology (ENIs
// of instances and the internet), proven against the engine.
//
// How it is exhaustive. Every rule of the cloud's model is a box: an address prefix times a
// protocol times a port range (or ICMP type/code). The boundaries of every box that can matter
// for a pair cut each dimension into intervals, and their products ("atoms") cannot be told
// apart by any rule: every packet of an atom meets the same fate. So one concrete packet per
// atom, sent through the engine itself (request, then the destination's answer, on fresh state),
// decides the whole atom: the verifier has no model of the cloud of its own, it uses the engine's.
// Places that no rule, route or address range can tell apart (same ACL and route table, same
// security groups, addresses in the same atoms, same flags) are computed once per pair of
// classes. A set of services is a union of
// port ranges per protocol. docs/verify.md says what a result means and how to use it in CI.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "vpcstack/engine/drop_reason.hpp"
#include "vpcstack/model/topology.hpp"
#include "vpcstack/net/protocol.hpp"
#include "vpcstack/sim/trace_report.hpp"

namespace vpcstack::verify {

// A run of services of one protocol: tcp or udp destination ports, or ICMP echo (the one ICMP
// service that connects; first = last = 8). Other protocols: the whole protocol (first = last = 0).
struct ServiceRange {
    net::Protocol protocol;
    std::uint16_t first = 0;
    std::uint16_t last = 0;
    std::string to_string()
        const;  // "tcp/443", "tcp/8000-8080", "udp/all", "icmp echo", "proto 47"
    bool operator==(const ServiceRange&) const = default;
};

// A set of services: sorted, merged ranges (by protocol number, then port).
class ServiceSet {
  public:
    static ServiceSet of(std::vector<ServiceRange> ranges);  // any order, overlaps allowed
    void add(const ServiceRange& range);
    void add(const ServiceSet& other);
    bool contains(net::Protocol protocol, std::uint16_t port) const;
    bool contains(const ServiceRange& range) const;  // all of it
    bool empty() const noexcept { return ranges_.empty(); }
    const std::vector<ServiceRange>& ranges() const noexcept { return ranges_; }
    ServiceSet minus(const ServiceSet& other) const;
    ServiceSet intersect(const ServiceSet& other) const;
    std::string to_string() const;  // "tcp/443, tcp/8000-8080, icmp echo"; "none" when empty
    bool operator==(const ServiceSet&) const = default;

  private:
    std::vector<ServiceRange> ranges_;
};

// The services reach answers for: tcp and udp ports 0-65535 and ICMP echo.
ServiceSet all_services();
// Parses "tcp/443", "tcp/8000-8080", "udp/53", "tcp" (all ports), "icmp" or "icmp echo";
// none on a bad text.
std::optional<ServiceRange> parse_service(std::string_view text);

// One end of a flow in the matrix: an ENI of an instance, a load balancer, or the internet.
// A load balancer is one place whatever its number of nodes: its first node stands for it, as
// the first address its DNS name returns. An Application Load Balancer's node is an ENI (`eni`
// is the first node's): probes go to it and come from it (the connections the load balancer
// opens to its targets). A Network Load Balancer's nodes are the engine's own: probes go to the
// first node's address (from the internet, its public or Elastic IP) and its target answers; it
// opens no connection of its own but health checks, so it is a destination only.
struct Place {
    enum class Kind : std::uint8_t { Eni, Internet, LoadBalancer };
    Kind kind = Kind::Eni;
    model::Index eni = model::kNone;  // Kind::Eni; an ALB's first node
    std::string name;        // instance name ("web"), "web/eth1" for a secondary ENI, the load
                             // balancer's name, "internet"
    std::string address;     // the private IP (a load balancer's first node's); "" for the
                             // internet
    std::string trace_name;  // how `vpcctl trace` names it (--from/--to); a Network Load
                             // Balancer: its first node's private address (witnesses from the
                             // internet name its public one)
    model::Index load_balancer = model::kNone;  // Kind::LoadBalancer
    bool source() const noexcept;  // whether it opens connections (not a Network Load Balancer)
};

// A concrete packet that shows a claim: `vpcctl trace TOPO --from .. --to .. --proto ..
// --dport .. --sport ..` replays it.
struct Witness {
    std::string from;  // trace endpoints: an instance or ENI name, or an address
    std::string to;
    net::Protocol protocol;
    std::uint16_t dport = 0;  // tcp/udp
    std::uint16_t sport = 0;  // tcp/udp
    sim::TraceQuery query() const;
    std::string command(std::string_view topology_file) const;  // the vpcctl trace command line
};

// A component that stops a service, with the rule, on the request or on the reply.
struct Blocker {
    std::string component;  // as traces name it: "sg/db-sg", "acl/private-acl", "rt/main"
    // The engine's drop reason; none when nothing dropped the packet but it went elsewhere
    // (delivered to another host, answered by the network, no address to send to).
    std::optional<engine::DropReason> reason;
    std::string rule;         // the rule that decided, in the trace's words, when one did
    std::string detail;       // the trace's detail, or what happened instead of a drop
    std::string explanation;  // the Reachability Analyzer explanation code, "" if none
    bool reply = false;       // on the return path
    // "acl/private-acl: AclDenied (inbound rule 100: deny all from 0.0.0.0/0) on the reply
    // [SUBNET_ACL_RESTRICTION]"
    std::string to_string() const;
    bool operator==(const Blocker&) const = default;
};

// Services of a pair that do not connect, all for the same reasons.
struct Closed {
    ServiceSet services;
    std::vector<Blocker> blockers;  // every component on the path that blocks, in path order
    Witness witness;
};

// What one pair of places can open, computed once for every pair of the same two classes.
struct PairResult {
    std::size_t from = 0;  // the pair it was computed for (indexes into Reach::places): its
    std::size_t to = 0;    // witnesses name these two; Reach::named() renames them for another
    ServiceSet open;
    std::vector<Witness> open_witnesses;  // one per range of `open`, in the same order
    std::vector<Closed> closed;           // all_services() minus `open`, grouped by blockers
};

// One asked pair of places and its result.
struct PairReach {
    std::size_t from = 0;  // index into Reach::places
    std::size_t to = 0;
    const PairResult* result = nullptr;
};

struct ReachStats {
    std::size_t places = 0;
    std::size_t classes = 0;      // groups of places no rule tells apart
    std::size_t class_pairs = 0;  // pairs computed (every other pair shares one's result)
    std::size_t probes = 0;       // flows sent through the engine (request and answer: one)
    std::size_t explained = 0;    // of which through the audit engine, to name the blockers
    unsigned threads = 1;         // workers that computed the pairs
    double seconds = 0;
};

// The matrix. Pairs are not stored one by one (a million of them for 1,000 places): each pair
// of places points at the result of its pair of classes.
struct Reach {
    std::string topology;  // the file it came from
    std::vector<Place> places;
    std::vector<std::size_t> sources;       // indexes into places, ascending
    std::vector<std::size_t> destinations;  // indexes into places, ascending
    std::vector<PairResult> results;        // one per computed pair of classes
    ReachStats stats;

    // The result of a pair; null when it was not asked (or is a place and itself).
    const PairResult* result(std::size_t from, std::size_t to) const;
    std::optional<PairReach> pair(std::size_t from, std::size_t to) const;
    // Every asked pair: each source to each destination but itself, source-major.
    std::vector<PairReach> pairs() const;
    template <typename F>
    void for_each_pair(F&& f) const {
        for (std::size_t s : sources) {
            for (std::size_t d : destinations) {
                if (const PairResult* r = result(s, d)) f(PairReach{s, d, r});
            }
        }
    }
    // A witness of a pair's result, naming that pair's two places.
    Witness named(const PairReach& pair, const Witness& witness) const;
    // A pair's result as if computed for it (from, to and witnesses are the pair's): what
    // renderers and checks read. views() makes one per pair: for matrices a person reads.
    PairResult view(const PairReach& pair) const;
    std::optional<PairResult> view(std::size_t from, std::size_t to) const;
    std::vector<PairResult> views() const;
    // Adds the result of one pair by hand (tests, and results made elsewhere).
    void add_pair(PairResult result);

    // Filled by compute_reach: the class of each place, its subnet, and the result of each pair
    // of classes (apart or in one subnet).
    std::vector<std::uint32_t> class_of;
    std::vector<std::uint32_t> subnet_of;          // kNoSubnet for the internet
    std::vector<std::uint32_t> result_of_classes;  // [from class][to class][same subnet]
    std::size_t class_count = 0;
    static constexpr std::uint32_t kNoResult = 0xFFFFFFFFu;
    static constexpr std::uint32_t kNoSubnet = 0xFFFFFFFFu;
    std::size_t result_slot(std::size_t from, std::size_t to) const;
    // Pairs computed on their own (an end on an instance of several ENIs, or a Network Load
    // Balancer): by from * places + to.
    std::vector<char> multihomed;
    std::unordered_map<std::size_t, std::uint32_t> pair_results;
};

struct ReachOptions {
    std::string from;  // selectors (see select_places); empty: every place
    std::string to;
    unsigned threads = 0;  // workers; 0: one per core (the result is the same for any number)
};

struct ReachResult {
    std::optional<Reach> reach;
    std::string error;  // a bad selector
};
ReachResult compute_reach(const model::Topology& topology, const ReachOptions& options = {});

// The query form: does some packet of one service connect between two trace endpoints (any
// source port of the client's ephemeral range unless the query gives one)?
struct QueryResult {
    bool reachable = false;
    std::optional<Witness> witness;  // a packet that connects, or the one that shows why not
    std::vector<Blocker> blockers;   // when not reachable
    std::string error;               // a usage or input error; nothing else is set then
};
QueryResult query(const model::Topology& topology, const sim::TraceQuery& query);

// The places a selector names: an instance, an ENI name or id, a load balancer, a subnet, a
// VPC, a security group (its member ENIs and load balancers), a CIDR (the ENIs and load
// balancer nodes whose private IP it holds; outside every VPC: the internet), or "internet".
// Names are tried in that order; an unknown one is an error that says what was expected. A
// load balancer is in a subnet, VPC or CIDR when one of its nodes is.
struct Selection {
    std::vector<std::size_t> places;  // indexes into `places`
    std::string error;
};
Selection select_places(const model::Topology& topology, const std::vector<Place>& places,
                        std::string_view selector);
// Every ENI of every instance, then every load balancer, then the internet.
std::vector<Place> places_of(const model::Topology& topology);

}  // namespace vpcstack::verify
