#include "vpcstack/engine/conntrack.hpp"

#include "vpcstack/engine/packet.hpp"
#include "vpcstack/net/icmp.hpp"
#include "vpcstack/net/tcp.hpp"

namespace vpcstack::engine {

ConntrackTable::ConntrackTable(std::size_t capacity, const ConntrackTimeouts& timeouts)
    : capacity_(capacity), timeouts_(timeouts) {}

TimeNs ConntrackTable::timeout_of(const ConntrackEntry& e) const noexcept {
    switch (e.original.protocol) {
        case net::Protocol::kTcp:
            switch (e.tcp_state) {
                case TcpState::SynSent:
                    return timeouts_.tcp_syn_sent;
                case TcpState::Established:
                    return timeouts_.tcp_established;
                case TcpState::Closing:
                    return timeouts_.tcp_closing;
                case TcpState::Reset:
                    return timeouts_.tcp_reset;
            }
            return timeouts_.tcp_established;
        case net::Protocol::kUdp:
            // AWS: security-group-connection-tracking — 180 s once replies stream, else 30 s.
            if (e.packets_reply > 0 && e.packets_original + e.packets_reply > 2) {
                return timeouts_.udp_stream;
            }
            return timeouts_.udp;
        default:
            return timeouts_.other;
    }
}

namespace {

// Whether a packet of type `type` belongs to an ICMP query flow opened by `opened`, in the
// direction `reply`.
bool icmp_belongs(std::uint8_t opened, std::uint8_t type, bool reply) noexcept {
    return reply ? type == net::icmp::reply_type_of(opened) : type == opened;
}

// A TCP packet's effect on its connection: a reset ends it, a FIN starts closing it, and any
// packet from the answering side while the SYN waits establishes it.
void advance(TcpState& state, std::uint8_t flags, bool reply) noexcept {
    if (flags & net::tcp::kRst) {
        state = TcpState::Reset;
    } else if (flags & net::tcp::kFin) {
        if (state != TcpState::Reset) state = TcpState::Closing;
    } else if (reply && state == TcpState::SynSent) {
        state = TcpState::Established;
    }
}

}  // namespace

ConntrackTable::Hit ConntrackTable::find(const net::FiveTuple& tuple, TimeNs now,
                                         std::uint8_t icmp_type, std::uint8_t tcp_flags) noexcept {
    const bool icmp = tuple.protocol == net::Protocol::kIcmp;
    bool reply = false;
    auto it = entries_.find(tuple);
    if (it != entries_.end() && icmp && !icmp_belongs(it->second.icmp_type, icmp_type, false)) {
        it = entries_.end();
    }
    if (it == entries_.end()) {
        it = entries_.find(reply_tuple(tuple));
        reply = true;
        if (it != entries_.end() && icmp && !icmp_belongs(it->second.icmp_type, icmp_type, true)) {
            it = entries_.end();
        }
    }
    if (it == entries_.end()) return {};
    if (expired(it->second, now)) {
        entries_.erase(it);
        return {};
    }
    ConntrackEntry& e = it->second;
    e.last_seen = now;
    if (tuple.protocol == net::Protocol::kTcp) advance(e.tcp_state, tcp_flags, reply);
    if (reply) {
        ++e.packets_reply;
    } else {
        ++e.packets_original;
    }
    return {&e, reply};
}

bool ConntrackTable::contains_either_way(const net::FiveTuple& tuple, TimeNs now) const noexcept {
    for (const net::FiveTuple& t : {tuple, reply_tuple(tuple)}) {
        auto it = entries_.find(t);
        if (it != entries_.end() && !expired(it->second, now)) return true;
    }
    return false;
}

ConntrackTable::InsertOutcome ConntrackTable::insert(const net::FiveTuple& tuple, TimeNs now,
                                                     std::uint8_t icmp_type,
                                                     std::uint8_t tcp_flags) {
    if (entries_.size() >= capacity_) {
        expire(now);  // make room from idle entries before refusing
        if (entries_.size() >= capacity_) return InsertOutcome::Full;
    }
    ConntrackEntry& e = entries_[tuple];
    e.original = tuple;
    e.icmp_type = icmp_type;
    // A connection picked up mid-stream (no bare SYN) counts as established.
    const bool syn = (tcp_flags & (net::tcp::kSyn | net::tcp::kAck)) == net::tcp::kSyn;
    e.tcp_state = syn ? TcpState::SynSent : TcpState::Established;
    if (tuple.protocol == net::Protocol::kTcp) advance(e.tcp_state, tcp_flags, false);
    e.last_seen = now;
    e.packets_original = 1;
    e.packets_reply = 0;
    return InsertOutcome::Inserted;
}

std::size_t ConntrackTable::expire(TimeNs now) {
    return std::erase_if(entries_, [&](const auto& kv) { return expired(kv.second, now); });
}

}  // namespace vpcstack::engine
