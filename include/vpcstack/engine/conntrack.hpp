// Connection tracking of one ENI, for its security groups.
//
// AWS: security-group-connection-tracking — when a flow is allowed in one direction its replies
// are allowed regardless of rules; entries expire after an idle timeout: TCP established
// 432,000 s, UDP 30 s for a single exchange and 180 s once replies stream, other protocols
// (ICMP included, by query id) 600 s; the TCP and UDP ones are configurable per ENI
// (ConnectionTrackingConfiguration). Each ENI tracks a bounded number of flows; past it, new
// flows are dropped (conntrack_allowance_exceeded).
//
// TCP is tracked by state. Only the established timeout is the cloud's (documented and
// configurable); a connection not yet answered (SYN sent), closing (FIN seen) or reset lives as
// long as Linux conntrack keeps one (120 s, 120 s, 10 s), which the cloud does not document.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>
#include <utility>

#include "vpcstack/engine/port.hpp"
#include "vpcstack/net/protocol.hpp"

namespace vpcstack::engine {

inline constexpr TimeNs kNsPerSecond = 1'000'000'000ULL;

struct ConntrackTimeouts {
    // TCP established, seconds; the cloud allows 60-432,000.
    TimeNs tcp_established = 432'000 * kNsPerSecond;
    // UDP flow that saw one request and its reply at most; the cloud allows 30-60.
    TimeNs udp = 30 * kNsPerSecond;
    // UDP flow whose replies stream (more than one exchange); the cloud allows 60-180.
    TimeNs udp_stream = 180 * kNsPerSecond;
    // ICMP and other protocols.
    TimeNs other = 600 * kNsPerSecond;
    // TCP before the answer, while closing, and after a reset (Linux conntrack's values).
    TimeNs tcp_syn_sent = 120 * kNsPerSecond;
    TimeNs tcp_closing = 120 * kNsPerSecond;
    TimeNs tcp_reset = 10 * kNsPerSecond;
};

enum class TcpState : std::uint8_t {
    SynSent,      // the opening SYN, not yet answered
    Established,  // the other side answered
    Closing,      // a FIN was seen
    Reset,        // an RST was seen
};

struct ConntrackEntry {
    net::FiveTuple original;     // as the first packet was seen at the ENI
    std::uint8_t icmp_type = 0;  // ICMP: the query type that opened the flow
    TcpState tcp_state = TcpState::Established;
    TimeNs last_seen = 0;
    std::uint32_t packets_original = 0;
    std::uint32_t packets_reply = 0;
};

class ConntrackTable {
  public:
    ConntrackTable(std::size_t capacity, const ConntrackTimeouts& timeouts);
    const ConntrackTimeouts& timeouts() const noexcept { return timeouts_; }

    struct Hit {
        ConntrackEntry* entry = nullptr;  // nullptr: not tracked (or expired)
        bool reply = false;               // the packet goes in the reply direction
    };
    // Finds the flow of a packet in either direction and refreshes it. For ICMP, `icmp_type`
    // decides the direction: the opening request's type continues the flow, its reply type
    // answers it, anything else is not part of it (AWS: security-group-connection-tracking —
    // ICMP queries are paired with their replies by type).
    // For TCP, `tcp_flags` moves the connection's state.
    Hit find(const net::FiveTuple& tuple, TimeNs now, std::uint8_t icmp_type = 0,
             std::uint8_t tcp_flags = 0) noexcept;
    // Looks without refreshing or expiring (for ICMP errors that refer to a flow).
    bool contains_either_way(const net::FiveTuple& tuple, TimeNs now) const noexcept;

    enum class InsertOutcome : std::uint8_t { Inserted, Full };
    InsertOutcome insert(const net::FiveTuple& tuple, TimeNs now, std::uint8_t icmp_type = 0,
                         std::uint8_t tcp_flags = 0);

    // Removes entries idle longer than their timeout; returns how many.
    std::size_t expire(TimeNs now);
    std::size_t size() const noexcept { return entries_.size(); }
    void clear() noexcept { entries_.clear(); }
    // Takes over every entry of `from` (left empty), replacing this table's; the capacity and
    // timeouts stay this table's. Entries hold tuples only, no ENI or port.
    void take_entries(ConntrackTable& from) noexcept {
        entries_ = std::move(from.entries_);
        from.entries_.clear();
    }
    std::size_t capacity() const noexcept { return capacity_; }
    TimeNs timeout_of(const ConntrackEntry& e) const noexcept;

  private:
    bool expired(const ConntrackEntry& e, TimeNs now) const noexcept {
        return now >= e.last_seen && now - e.last_seen >= timeout_of(e);
    }

    std::unordered_map<net::FiveTuple, ConntrackEntry> entries_;  // by original tuple
    std::size_t capacity_;
    ConntrackTimeouts timeouts_;
};

}  // namespace vpcstack::engine
