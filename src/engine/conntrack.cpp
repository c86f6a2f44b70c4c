#include "vpcstack/engine/conntrack.hpp"

#include "vpcstack/engine/packet.hpp"
#include "vpcstack/net/icmp.hpp"

namespace vpcstack::engine {

ConntrackTable::ConntrackTable(std::size_t capacity, const ConntrackTimeouts& timeouts)
    : capacity_(capacity), timeouts_(&timeouts) {}

TimeNs ConntrackTable::timeout_of(const ConntrackEntry& e) const noexcept {
    switch (e.original.protocol) {
        case net::Protocol::kTcp:
            return timeouts_->tcp_established;
        case net::Protocol::kUdp:
            // AWS: security-group-connection-tracking — 180 s once replies stream, else 30 s.
            if (e.packets_reply > 0 && e.packets_original + e.packets_reply > 2) {
                return timeouts_->udp_stream;
            }
            return timeouts_->udp;
        default:
            return timeouts_->other;
    }
}

namespace {

// Whether a packet of type `type` belongs to an ICMP query flow opened by `opened`, in the
// direction `reply`.
bool icmp_belongs(std::uint8_t opened, std::uint8_t type, bool reply) noexcept {
    return reply ? type == net::icmp::reply_type_of(opened) : type == opened;
}

}  // namespace

ConntrackTable::Hit ConntrackTable::find(const net::FiveTuple& tuple, TimeNs now,
                                         std::uint8_t icmp_type) noexcept {
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
                                                     std::uint8_t icmp_type) {
    if (entries_.size() >= capacity_) {
        expire(now);  // make room from idle entries before refusing
        if (entries_.size() >= capacity_) return InsertOutcome::Full;
    }
    ConntrackEntry& e = entries_[tuple];
    e.original = tuple;
    e.icmp_type = icmp_type;
    e.last_seen = now;
    e.packets_original = 1;
    e.packets_reply = 0;
    return InsertOutcome::Inserted;
}

std::size_t ConntrackTable::expire(TimeNs now) {
    return std::erase_if(entries_, [&](const auto& kv) { return expired(kv.second, now); });
}

}  // namespace vpcstack::engine
