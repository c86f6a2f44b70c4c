// Shared helpers of the scenario tests: load a topology (a file of topologies/ or inline YAML),
// run it in a Simulation, and ask what happened in words close to the rule being tested.
#pragma once

#include <gtest/gtest.h>

#include <ostream>
#include <stdexcept>
#include <string>

#include "vpcstack/model/loader.hpp"
#include "vpcstack/sim/simulation.hpp"

namespace vpcstack::sim {
inline void PrintTo(Outcome outcome, std::ostream* os) {
    *os << to_string(outcome);
}
}  // namespace vpcstack::sim

namespace vpcstack::engine {
inline void PrintTo(DropReason reason, std::ostream* os) {
    *os << name(reason);
}
}  // namespace vpcstack::engine

namespace scenario {

using namespace vpcstack;
using namespace vpcstack::sim;
using engine::DropReason;

inline model::Topology checked(model::LoadResult result) {
    if (!result.ok()) {
        std::string all;
        for (const auto& d : result.diagnostics.sorted()) all += d.to_string() + "\n";
        throw std::runtime_error("the topology does not load:\n" + all);
    }
    return std::move(*result.topology);
}

// A topology of topologies/, the examples users read.
inline model::Topology example(const std::string& file) {
    return checked(
        model::load_topology_file(std::string(VPCSTACK_SOURCE_DIR) + "/topologies/" + file));
}

// A topology written in the test itself, when no example shows the rule.
inline model::Topology inline_topology(std::string_view yaml) {
    return checked(model::load_topology_text(yaml, "inline.yaml"));
}

// The drop reasons of every traced packet, in order.
inline std::vector<DropReason> drops_seen(const Simulation& sim) {
    std::vector<DropReason> out;
    for (const engine::PacketTrace& t : sim.traces()) {
        if (t.fate == engine::Fate::Dropped && t.drop) out.push_back(*t.drop);
    }
    return out;
}

inline bool some_packet_dropped_for(const Simulation& sim, DropReason reason) {
    for (DropReason r : drops_seen(sim)) {
        if (r == reason) return true;
    }
    return false;
}

// The component that dropped the first packet dropped for `reason` ("" when none).
inline std::string where_dropped(const Simulation& sim, DropReason reason) {
    for (const engine::PacketTrace& t : sim.traces()) {
        if (t.fate != engine::Fate::Dropped || t.drop != reason) continue;
        if (const engine::TraceStep* s = t.drop_step()) {
            return (*sim.engine().components())[s->component].name;
        }
    }
    return "";
}

// The IPv4 packets a host received (ARP and frames it ignored left out).
inline std::vector<DecodedFrame> packets_received(const Host& host) {
    std::vector<DecodedFrame> out;
    for (const Received& r : host.inbox()) {
        if (r.frame.ipv4) out.push_back(r.frame);
    }
    return out;
}

inline bool received_tcp_flags(const Host& host, std::uint8_t flags) {
    for (const DecodedFrame& f : packets_received(host)) {
        if (f.protocol == net::Protocol::kTcp && f.tcp_flags == flags) return true;
    }
    return false;
}

inline net::Ipv4Address ip(const char* text) {
    return *net::Ipv4Address::parse(text);
}

inline model::Index group_named(const model::Topology& t, std::string_view name) {
    for (model::Index i = 0; i < t.security_groups.size(); ++i) {
        if (t.security_groups[i].meta.name == name) return i;
    }
    throw std::runtime_error("no security group " + std::string(name));
}

// A security group rule for a CIDR: "tcp/80 from 0.0.0.0/0" is sg_rule("tcp", "80", ...).
inline model::SgRule sg_rule(const char* protocol, const char* ports, const char* cidr) {
    model::SgRule r;
    r.protocol = *net::Protocol::parse(protocol);
    r.ports = *net::PortRange::parse(ports);
    r.cidr = *net::Cidr::parse(cidr);
    r.text = std::string(protocol) + "/" + ports + " " + cidr;
    return r;
}

}  // namespace scenario
