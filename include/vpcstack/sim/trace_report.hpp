// `vpcctl trace`: send one flow through a simulated topology, let the destination answer, and
// explain both directions hop by hop in the user's names, then give one verdict and, when the
// flow fails, a hint naming the setting to change. The same report renders as aligned text or
// as a JSON document (docs/trace-json.md).
#pragma once

#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "vpcstack/engine/component.hpp"
#include "vpcstack/engine/drop_reason.hpp"
#include "vpcstack/engine/engine.hpp"
#include "vpcstack/engine/trace.hpp"
#include "vpcstack/lb/http_request.hpp"
#include "vpcstack/model/topology.hpp"
#include "vpcstack/net/protocol.hpp"
#include "vpcstack/sim/endpoint.hpp"
#include "vpcstack/sim/host.hpp"

namespace vpcstack::sim {

struct TraceQuery {
    std::string from;
    std::string to;
    std::string protocol;  // tcp, udp, icmp or a number; empty: ICMP echo
    int dport = -1;        // -1: not given
    int sport = -1;
    // --http: the flow is an HTTP request to an Application Load Balancer (tcp, the listener's
    // port); the report then follows the load balancer's decision and its own connection.
    std::optional<lb::HttpRequest> http = std::nullopt;
    // Shown every packet of the traced flow (not the hosts' ARP warm-up) at the capture points.
    engine::CaptureSink* capture = nullptr;
};

// A host's part in a path: what the simulated host did with the packet.
struct HostStep {
    std::string host;  // instance name, internet host name, or the address
    HostAction action = HostAction::Receive;
    std::string detail;  // the host's own words
};

// One decision on the way: by a component of the topology (engine) or by a host (host).
struct ReportStep {
    std::optional<engine::TraceStep> engine;
    std::optional<HostStep> host;
};

struct TracePath {
    std::string direction;                      // "forward" or "return"
    std::optional<engine::PacketFacts> packet;  // as its sender sent it; none: nothing was sent
    std::vector<ReportStep> steps;
    engine::Fate fate = engine::Fate::Lost;
    std::optional<engine::DropReason> drop;
    std::optional<std::size_t> dropped_at;  // index of the dropping step in `steps`
};

struct TraceEnd {
    std::string kind;  // "instance", "internet", "unassigned"
    std::string name;  // instance or internet host name; the address otherwise
    std::string address;
    std::string label;
};

// What an Application Load Balancer did with a traced HTTP request (--http), and its own
// connection to the target, hop by hop. AWS: load-balancer-listeners, target-group-health-checks.
struct HttpTrace {
    std::string request;                         // "GET /api Host: shop.example.com"
    std::string load_balancer;                   // its name
    std::string node;                            // the node's ENI
    std::string listener;                        // "HTTP:80"; empty when no listener is on the port
    std::optional<std::uint32_t> rule_priority;  // unset: the listener's default action
    std::vector<std::string> skipped;            // rules passed over, in priority order
    std::string action;  // "forward to web-tg", "redirect 301 to ...", "fixed-response 200"
    struct Check {
        std::string target;   // "web-1 (10.0.10.10:80)"
        std::string outcome;  // what the node's check connection saw: connected, timed out, ...
        bool healthy = false;
    };
    std::vector<Check> health;           // the health checks this request waited for
    std::string target;                  // "web-1 (10.0.10.10:80)"; empty when no target was chosen
    std::string choice;                  // "round robin", "sticky cookie", "fail open", ...
    std::uint16_t status = 0;            // what the load balancer answered; 0: no answer
    std::string answer;                  // "200 from web-1", "504: ...", ...
    std::optional<TracePath> to_target;  // the node's SYN to the target
    std::optional<TracePath> from_target;  // the target's answer
};

// --to NAME: how the source resolved the name before sending. AWS: vpc-dns — an instance asks
// its VPC's resolver (the query goes through the engine like any packet: `path`); the internet
// asks its name servers, which serve the topology's public hosted zones.
struct DnsLookup {
    std::string name;
    std::string resolver;  // "10.20.0.2 (the VPC resolver)", "the internet's name servers"
    std::string rcode;     // NOERROR, NXDOMAIN, ...
    std::vector<std::string> answers;  // "A 192.0.2.1", "CNAME shop.example.com", ...
    std::string address;               // the address the flow goes to: the first A answer
    bool over_tcp = false;          // the UDP answer was truncated: asked again over TCP (RFC 7766)
    std::optional<TracePath> path;  // the answered query's journey (an instance's lookup)
};

struct TraceReport {
    std::string topology;                                         // the file it came from
    std::optional<DnsLookup> dns;                                 // --to NAME
    std::shared_ptr<const engine::ComponentRegistry> components;  // names of the steps' ids
    TraceEnd from;
    TraceEnd to;
    std::string protocol;  // "tcp", "udp", "icmp" or the number
    std::optional<int> dport;
    std::optional<int> sport;
    TracePath forward;
    std::optional<TracePath> ret;
    std::optional<HttpTrace> http;  // --http
    bool reachable = false;
    bool refused = false;  // TCP answered with RST (nothing listens there)
    std::string outcome;   // what the sender saw: connected, refused, replied, icmp-error, ...
    std::string verdict;   // "reachable" or "unreachable: dropped at <component> (<reason>)"
    std::string hint;      // how to fix it; empty when reachable
    std::vector<std::string> notes;
    // What the engine saw during the traced flow (the hosts' ARP warm-up left out), for flow
    // logs and counters (observe/): its trace records in time order, its counters at the end,
    // and the virtual time the run ended at.
    std::vector<engine::PacketTrace> packets;
    engine::Counters counters;
    TimeNs end_time = 0;
};

struct TraceResult {
    std::optional<TraceReport> report;
    std::string error;  // a usage or input error (unknown endpoint, bad protocol, ...)
};

TraceResult run_trace(const model::Topology& topology, const TraceQuery& query);

// Aligned, compact text; ANSI colour only when asked (the caller checks for a terminal).
std::string render_text(const TraceReport& report, bool color);
// The same content as JSON, documented in docs/trace-json.md.
std::string render_json(const TraceReport& report);

// One path as render_text prints it: its direction and packet, then one aligned line per step.
std::string render_path_text(const TracePath& path, const engine::ComponentRegistry& components,
                             bool color);
// One path as render_json writes it ("packet", "fate", "steps", "drop_reason", "dropped_at").
nlohmann::ordered_json path_json(const TracePath& path,
                                 const engine::ComponentRegistry& components);

// The name of the component that dropped a path's packet ("acl/web-acl"); empty if none did.
std::string dropped_at_name(const TraceReport& report, const TracePath& path);
// A path of one engine trace, as `vpcctl lab trace` shows what a live engine recorded. When
// the packet was dropped, `tuple_at_drop` receives it as the dropping component saw it (after
// the translations before the drop).
TracePath path_of(const engine::PacketTrace& trace, std::string direction,
                  net::FiveTuple* tuple_at_drop = nullptr);

// How a report names one end of a flow: its kind, name, address and label.
TraceEnd trace_end_of(const model::Topology& topology, const Endpoint& endpoint);
// The verdict and hint of a report whose `path` was dropped: "unreachable: dropped at
// <component> (<reason>)", " on the return path" for a reply, and the setting to change.
// `at_drop` is the packet as the dropping component saw it.
void set_drop_verdict(TraceReport& report, const model::Topology& topology, const TracePath& path,
                      const net::FiveTuple& at_drop, bool reply);

}  // namespace vpcstack::sim
