// An instance's stub resolver, as glibc's asks the VPC resolver that /etc/resolv.conf names: a
// UDP query without EDNS (so answers over 512 bytes come back truncated), and after a truncated
// answer the same query over TCP (RFC 7766: handshake, the length-prefixed query, the answer,
// FIN). Every packet goes through an engine of the topology's own, traced, so that a lookup
// leaves nothing in another run's state or counters.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vpcstack/dns/message.hpp"
#include "vpcstack/engine/trace.hpp"
#include "vpcstack/model/topology.hpp"

namespace vpcstack::sim {

struct StubLookup {
    std::vector<engine::PacketTrace> traces;  // every packet of the lookup, in order
    // The trace of the packet the resolver answered last (the UDP query, or the TCP segment
    // carrying the query); nullopt when nothing answered.
    std::optional<std::size_t> answered;
    std::shared_ptr<const engine::DnsExchange> exchange;  // the resolver's last exchange
    std::optional<dns::Response> response;                // the answer as the client read it
    bool over_tcp = false;  // the UDP answer was truncated and the query asked again over TCP
    std::string error;      // why there is no response
};

// `name`'s records of `type` as ENI `eni` resolves them through its VPC's resolver.
StubLookup stub_lookup(const model::Topology& t, model::Index eni, const std::string& name,
                       dns::RrType type = dns::RrType::A);

}  // namespace vpcstack::sim
