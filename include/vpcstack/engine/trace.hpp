// Trace records: what each stage decided for one packet, in the user's names. The trace is the
// product's main output (vpcctl trace, lab trace), not a debug aid.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vpcstack/engine/drop_reason.hpp"
#include "vpcstack/engine/port.hpp"
#include "vpcstack/net/protocol.hpp"

namespace vpcstack::engine {

// One stage's decision. Example:
//   component "acl/private-acl", kind "network-acl", action "allow",
//   rule "inbound rule 100: allow tcp/80 from 0.0.0.0/0", detail ""
struct TraceStep {
    std::string component;  // kind-prefixed user name: eni/web/eth0, sg/web-sg, acl/public-acl,
                            // rt/public-rt, igw/prod-igw, nat/nat-a, peering/prod-shared
    std::string kind;       // eni, security-group, network-acl, route-table, internet-gateway,
                            // nat-gateway, peering, vpc-router, host
    std::string action;     // allow, deny, forward, translate, deliver, reply, drop
    std::string rule;       // the rule or route that decided, as the user wrote it; may be empty
    std::string detail;     // translations, conntrack state, ...; may be empty
    std::optional<DropReason> drop;
};

enum class Fate : std::uint8_t { Delivered, Dropped, Replied };

// The whole journey of one packet through the engine.
struct PacketTrace {
    std::uint64_t id = 0;
    TimeNs time = 0;
    PortId ingress = 0;
    net::FiveTuple tuple;  // as the packet entered
    std::string summary;   // e.g. "tcp 10.0.1.10:40000 -> 10.0.2.10:443 [SYN]"
    std::vector<TraceStep> steps;
    Fate fate = Fate::Dropped;
    std::optional<DropReason> drop;
    std::optional<PortId> egress;  // where it left the engine when delivered
};

}  // namespace vpcstack::engine
