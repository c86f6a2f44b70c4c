// `vpcctl trace`: send one flow through a simulated topology, let the destination answer, and
// explain both directions hop by hop in the user's names, then give one verdict and, when the
// flow fails, a hint naming the setting to change. The same report renders as aligned text or
// as a JSON document (docs/trace-json.md).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vpcstack/engine/drop_reason.hpp"
#include "vpcstack/model/topology.hpp"

namespace vpcstack::sim {

struct TraceQuery {
    std::string from;
    std::string to;
    std::string protocol;  // tcp, udp, icmp or a number; empty: ICMP echo
    int dport = -1;        // -1: not given
    int sport = -1;
};

// One decision on the way, by the engine (a component of the topology) or by a host.
struct ReportStep {
    std::string component;  // "sg/web-sg", "host/db"
    std::string kind;       // "security-group", "host", ...
    std::string action;     // allow, deny, forward, translate, deliver, drop, receive, ...
    std::string rule;
    std::string detail;
    std::optional<engine::DropReason> drop;
};

struct TracePath {
    std::string direction;  // "forward" or "return"
    std::string packet;     // the packet as its sender sent it
    std::vector<ReportStep> steps;
    std::string fate;  // "delivered", "dropped", "answered by the network", "lost"
    std::optional<engine::DropReason> drop;
    std::string dropped_at;  // the component, when dropped
};

struct TraceEnd {
    std::string kind;  // "instance", "internet", "unassigned"
    std::string name;  // instance or internet host name; the address otherwise
    std::string address;
    std::string label;
};

struct TraceReport {
    std::string topology;  // the file it came from
    TraceEnd from;
    TraceEnd to;
    std::string protocol;  // "tcp", "udp", "icmp" or the number
    std::optional<int> dport;
    std::optional<int> sport;
    TracePath forward;
    std::optional<TracePath> ret;
    bool reachable = false;
    bool refused = false;  // TCP answered with RST (nothing listens there)
    std::string outcome;   // what the sender saw: connected, refused, replied, icmp-error, ...
    std::string verdict;   // "reachable" or "unreachable: dropped at <component> (<reason>)"
    std::string hint;      // how to fix it; empty when reachable
    std::vector<std::string> notes;
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

}  // namespace vpcstack::sim
