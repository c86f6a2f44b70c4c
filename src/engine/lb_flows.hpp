// The flows a Network Load Balancer carries: which target each client flow was sent to, and
// the way back. One table per engine, for all load balancers; nothing here is a policy.
//
// AWS: network-load-balancers — a flow (protocol, source and destination address and port)
// goes to one target for its life; the idle timeout is 350 s for TCP and 120 s for UDP. With
// client IP preservation off the target sees the node's private address and a port the node
// chose; the reply is matched on what the target sends back.
#pragma once

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "vpcstack/engine/conntrack.hpp"
#include "vpcstack/engine/port.hpp"
#include "vpcstack/model/topology.hpp"
#include "vpcstack/net/protocol.hpp"

namespace vpcstack::engine {

inline constexpr TimeNs kLbTcpIdleTimeout = 350 * kNsPerSecond;
inline constexpr TimeNs kLbUdpIdleTimeout = 120 * kNsPerSecond;

struct LbFlow {
    model::Index node = model::kNone;  // into Dataplane::lb_nodes
    model::Index target_eni = model::kNone;
    net::FiveTuple client;  // as the client sent it: client -> node address, listener port
    net::FiveTuple inside;  // as the target receives it: (client or node) -> target
    TimeNs last_seen = 0;
    bool live = false;
};

class LbFlowTable {
  public:
    // The flow of a client's packet, by what the client sent.
    LbFlow* find_client(const net::FiveTuple& client, TimeNs now) noexcept;
    // The flow a target's packet answers, by what the target sent.
    LbFlow* find_reply(const net::FiveTuple& from_target, TimeNs now) noexcept;
    LbFlow& insert(const LbFlow& flow);
    // A node port free towards this target (client IP preservation off), 1024-65535; 0 when
    // every port is taken.
    std::uint16_t free_port(net::Ipv4Address node, const net::FiveTuple& to_target);

    void expire(TimeNs now);
    // Calls `f` with every flow not yet expired.
    template <typename F>
    void for_each_live(F&& f) const {
        for (const LbFlow& flow : flows_) {
            if (flow.live) f(flow);
        }
    }
    void clear();
    // After a change of topology that renumbered the ENIs: each flow's target_eni becomes
    // eni_map[target_eni]; a flow whose target is kNone there (or beyond the map) ends, as a
    // deregistered target's flows do. The keys (tuples) are unchanged.
    void remap_targets(std::span<const model::Index> eni_map);
    std::size_t size() const noexcept { return by_client_.size(); }
    bool empty() const noexcept { return by_client_.empty(); }

  private:
    static TimeNs idle_timeout(std::uint8_t protocol) noexcept {
        return protocol == net::Protocol::kUdp ? kLbUdpIdleTimeout : kLbTcpIdleTimeout;
    }
    bool idle(const LbFlow& f, TimeNs now) const noexcept {
        return now > f.last_seen + idle_timeout(f.client.protocol);
    }
    void erase(std::uint32_t id);

    std::vector<LbFlow> flows_;
    std::vector<std::uint32_t> free_;
    std::unordered_map<net::FiveTuple, std::uint32_t> by_client_;
    std::unordered_map<net::FiveTuple, std::uint32_t> by_reply_;  // the target's reply tuple
    std::uint16_t next_port_ = 1024;
};

}  // namespace vpcstack::engine
