// Value types for what a rule or a flow names at layer 4: Protocol, PortRange, IcmpMatch,
// FiveTuple.
#pragma once

#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

#include "vpcstack/net/ipv4.hpp"

namespace vpcstack::net {

// An IP protocol number, or "all" (the cloud's protocol "-1").
class Protocol {
public:
    static constexpr std::uint8_t kIcmp = 1;
    static constexpr std::uint8_t kTcp = 6;
    static constexpr std::uint8_t kUdp = 17;

    constexpr Protocol() noexcept = default;  // all
    constexpr explicit Protocol(std::uint8_t number) noexcept : number_(number) {}
    static constexpr Protocol all() noexcept { return Protocol(); }
    static constexpr Protocol tcp() noexcept { return Protocol(kTcp); }
    static constexpr Protocol udp() noexcept { return Protocol(kUdp); }
    static constexpr Protocol icmp() noexcept { return Protocol(kIcmp); }

    // "all", "-1", "tcp", "udp", "icmp" or a number 0-255.
    static std::optional<Protocol> parse(std::string_view text) noexcept;

    constexpr bool is_all() const noexcept { return number_ < 0; }
    constexpr std::uint8_t number() const noexcept { return static_cast<std::uint8_t>(number_); }
    constexpr bool has_ports() const noexcept { return number_ == kTcp || number_ == kUdp; }
    constexpr bool matches(std::uint8_t proto) const noexcept {
        return number_ < 0 || number_ == proto;
    }
    std::string to_string() const;  // "all", "tcp", "udp", "icmp" or the number
    constexpr auto operator<=>(const Protocol&) const noexcept = default;

private:
    std::int16_t number_ = -1;
};

// An inclusive range of TCP or UDP ports.
struct PortRange {
    std::uint16_t first = 0;
    std::uint16_t last = 65535;

    static constexpr PortRange all() noexcept { return {0, 65535}; }
    static constexpr PortRange single(std::uint16_t p) noexcept { return {p, p}; }
    // "443", "1024-65535" or "all"/"*".
    static std::optional<PortRange> parse(std::string_view text) noexcept;

    constexpr bool is_all() const noexcept { return first == 0 && last == 65535; }
    constexpr bool contains(std::uint16_t p) const noexcept { return p >= first && p <= last; }
    constexpr bool contains(const PortRange& r) const noexcept {
        return r.first >= first && r.last <= last;
    }
    constexpr bool overlaps(const PortRange& r) const noexcept {
        return r.first <= last && first <= r.last;
    }
    std::string to_string() const;  // "443", "1024-65535" or "all"
    constexpr auto operator<=>(const PortRange&) const noexcept = default;
};

// ICMP type and code of a rule; -1 means any.
struct IcmpMatch {
    std::int16_t type = -1;
    std::int16_t code = -1;
    constexpr bool matches(std::uint8_t t, std::uint8_t c) const noexcept {
        return (type < 0 || type == t) && (code < 0 || code == c);
    }
    constexpr bool is_any() const noexcept { return type < 0 && code < 0; }
    std::string to_string() const;  // "any", "8" or "3:4"
    constexpr auto operator<=>(const IcmpMatch&) const noexcept = default;
};

// The identity of a flow as seen in one packet. For ICMP query messages the query id is kept in
// src_port and dst_port is 0 (as conntrack does); for other protocols both ports are 0.
struct FiveTuple {
    Ipv4Address src;
    Ipv4Address dst;
    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    std::uint8_t protocol = 0;

    constexpr FiveTuple reversed() const noexcept {
        return {dst, src, dst_port, src_port, protocol};
    }
    std::string to_string() const;  // "tcp 10.0.1.10:40000 -> 10.0.2.10:443"
    constexpr auto operator<=>(const FiveTuple&) const noexcept = default;
};

std::string protocol_name(std::uint8_t number);  // "tcp", "udp", "icmp" or the number

}  // namespace vpcstack::net

template <>
struct std::hash<vpcstack::net::FiveTuple> {
    std::size_t operator()(const vpcstack::net::FiveTuple& t) const noexcept {
        std::uint64_t a = (std::uint64_t{t.src.value()} << 32) | t.dst.value();
        std::uint64_t b = (std::uint64_t{t.src_port} << 24) | (std::uint64_t{t.dst_port} << 8) |
                          t.protocol;
        std::uint64_t h = a * 0x9E3779B97F4A7C15ULL ^ (b + 0x7F4A7C159E3779B9ULL + (a >> 29));
        return static_cast<std::size_t>(h ^ (h >> 31));
    }
};
