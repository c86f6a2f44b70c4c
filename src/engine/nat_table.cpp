#include "vpcstack/engine/nat_table.hpp"

#include <utility>

#include "vpcstack/policy/nat.hpp"

namespace vpcstack::engine {

NatTable::NatTable(net::Ipv4Address nat_ip, std::uint32_t max_per_destination, TimeNs idle_timeout)
    : nat_ip_(nat_ip),
      max_per_destination_(max_per_destination),
      idle_timeout_(idle_timeout),
      next_port_(policy::kNatFirstPort) {}

void NatTable::clear() {
    by_inside_.clear();
    by_outside_.clear();
    per_destination_.clear();
    next_port_ = policy::kNatFirstPort;
}

void NatTable::take_translations(NatTable& from) noexcept {
    by_inside_ = std::move(from.by_inside_);
    by_outside_ = std::move(from.by_outside_);
    per_destination_ = std::move(from.per_destination_);
    next_port_ = from.next_port_;
    from.clear();
}

net::FiveTuple NatTable::outside_reply(const net::FiveTuple& inside,
                                       std::uint16_t port) const noexcept {
    if (inside.protocol == net::Protocol::kIcmp)
        return {inside.dst, nat_ip_, port, 0, inside.protocol};
    return {inside.dst, nat_ip_, inside.dst_port, port, inside.protocol};
}

std::uint64_t NatTable::destination_key(const net::FiveTuple& inside) noexcept {
    std::uint16_t port = inside.protocol == net::Protocol::kIcmp ? 0 : inside.dst_port;
    return (std::uint64_t{inside.dst.value()} << 24) | (std::uint64_t{port} << 8) | inside.protocol;
}

NatMapping* NatTable::find_outbound(const net::FiveTuple& inside, TimeNs now) noexcept {
    auto it = by_inside_.find(inside);
    if (it == by_inside_.end()) return nullptr;
    if (expired(it->second, now)) {
        erase(it->second);
        return nullptr;
    }
    it->second.last_seen = now;
    return &it->second;
}

NatMapping* NatTable::find_inbound(const net::FiveTuple& outside, TimeNs now) noexcept {
    auto o = by_outside_.find(outside);
    if (o == by_outside_.end()) return nullptr;
    return find_outbound(o->second, now);
}

std::uint32_t NatTable::connections_to(const net::FiveTuple& inside) const noexcept {
    auto it = per_destination_.find(destination_key(inside));
    return it == per_destination_.end() ? 0 : it->second;
}

NatTable::Created NatTable::create(const net::FiveTuple& inside, TimeNs now) {
    std::uint64_t dest = destination_key(inside);
    std::uint32_t& count = per_destination_[dest];
    if (count >= max_per_destination_) {
        expire(now);
        if (per_destination_[dest] >= max_per_destination_) return {};
    }
    // A port is free for this destination when no translation answers to (destination, port).
    constexpr std::uint32_t kPorts = policy::kNatLastPort - policy::kNatFirstPort + 1;
    for (std::uint32_t tries = 0; tries < kPorts; ++tries) {
        std::uint16_t port = next_port_;
        next_port_ = port == policy::kNatLastPort ? policy::kNatFirstPort
                                                  : static_cast<std::uint16_t>(port + 1);
        net::FiveTuple reply = outside_reply(inside, port);
        if (by_outside_.contains(reply)) continue;
        NatMapping& m = by_inside_[inside];
        m.inside = inside;
        m.nat_port = port;
        m.last_seen = now;
        by_outside_.emplace(reply, inside);
        ++per_destination_[dest];
        return {CreateOutcome::Created, &m};
    }
    return {};
}

void NatTable::erase(const NatMapping& m) {
    net::FiveTuple inside = m.inside;
    by_outside_.erase(outside_reply(inside, m.nat_port));
    auto d = per_destination_.find(destination_key(inside));
    if (d != per_destination_.end() && --d->second == 0) per_destination_.erase(d);
    by_inside_.erase(inside);
}

std::size_t NatTable::expire(TimeNs now) {
    std::size_t removed = 0;
    for (auto it = by_inside_.begin(); it != by_inside_.end();) {
        if (expired(it->second, now)) {
            by_outside_.erase(outside_reply(it->first, it->second.nat_port));
            auto d = per_destination_.find(destination_key(it->first));
            if (d != per_destination_.end() && --d->second == 0) per_destination_.erase(d);
            it = by_inside_.erase(it);
            ++removed;
        } else {
            ++it;
        }
    }
    return removed;
}

std::size_t NatTable::count(std::uint8_t protocol) const noexcept {
    std::size_t n = 0;
    for (const auto& [inside, mapping] : by_inside_) {
        if (inside.protocol == protocol) ++n;
    }
    return n;
}

}  // namespace vpcstack::engine
