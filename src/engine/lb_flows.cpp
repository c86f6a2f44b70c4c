#include "lb_flows.hpp"

namespace vpcstack::engine {

LbFlow* LbFlowTable::find_client(const net::FiveTuple& client, TimeNs now) noexcept {
    auto it = by_client_.find(client);
    if (it == by_client_.end()) return nullptr;
    LbFlow& f = flows_[it->second];
    if (idle(f, now)) return nullptr;  // expire() removes it
    f.last_seen = now;
    return &f;
}

LbFlow* LbFlowTable::find_reply(const net::FiveTuple& from_target, TimeNs now) noexcept {
    if (by_reply_.empty()) return nullptr;
    auto it = by_reply_.find(from_target);
    if (it == by_reply_.end()) return nullptr;
    LbFlow& f = flows_[it->second];
    if (idle(f, now)) return nullptr;
    f.last_seen = now;
    return &f;
}

LbFlow& LbFlowTable::insert(const LbFlow& flow) {
    // A flow past its idle timeout may still hold the keys: it gives way to the new one.
    if (auto it = by_client_.find(flow.client); it != by_client_.end()) erase(it->second);
    if (auto it = by_reply_.find(flow.inside.reversed()); it != by_reply_.end()) {
        erase(it->second);
    }
    std::uint32_t id;
    if (!free_.empty()) {
        id = free_.back();
        free_.pop_back();
        flows_[id] = flow;
    } else {
        id = static_cast<std::uint32_t>(flows_.size());
        flows_.push_back(flow);
    }
    flows_[id].live = true;
    by_client_[flow.client] = id;
    by_reply_[flow.inside.reversed()] = id;
    return flows_[id];
}

std::uint16_t LbFlowTable::free_port(net::Ipv4Address node, const net::FiveTuple& to_target) {
    constexpr std::uint32_t kPorts = 65536 - 1024;
    for (std::uint32_t tried = 0; tried < kPorts; ++tried) {
        const std::uint16_t port = next_port_;
        next_port_ = next_port_ == 65535 ? 1024 : static_cast<std::uint16_t>(next_port_ + 1);
        const net::FiveTuple reply{to_target.dst, node, to_target.dst_port, port,
                                   to_target.protocol};
        if (!by_reply_.contains(reply)) return port;
    }
    return 0;
}

void LbFlowTable::erase(std::uint32_t id) {
    LbFlow& f = flows_[id];
    if (!f.live) return;
    by_client_.erase(f.client);
    by_reply_.erase(f.inside.reversed());
    f.live = false;
    free_.push_back(id);
}

void LbFlowTable::expire(TimeNs now) {
    for (std::uint32_t id = 0; id < flows_.size(); ++id) {
        if (flows_[id].live && idle(flows_[id], now)) erase(id);
    }
}

void LbFlowTable::remap_targets(std::span<const model::Index> eni_map) {
    for (std::uint32_t id = 0; id < flows_.size(); ++id) {
        LbFlow& f = flows_[id];
        if (!f.live) continue;
        const model::Index to =
            f.target_eni < eni_map.size() ? eni_map[f.target_eni] : model::kNone;
        if (to == model::kNone) {
            erase(id);
        } else {
            f.target_eni = to;
        }
    }
}

void LbFlowTable::clear() {
    flows_.clear();
    free_.clear();
    by_client_.clear();
    by_reply_.clear();
    next_port_ = 1024;
}

}  // namespace vpcstack::engine
