// The match structures every piece of cloud policy compiles to. A FlowKey is what the rules of
// the cloud look at in one packet; a Box is a set of packets, the product of one interval per
// field (protocol x source x destination x source port x destination port x ICMP type x code).
// A rule is a Box: the engine asks whether a packet's key lies in it, and a verifier can
// intersect it with another set of packets. Fields a rule does not constrain are full intervals;
// fields a packet does not have (ports of ICMP, ICMP type of TCP) are 0 in its key.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "vpcstack/net/ipv4.hpp"
#include "vpcstack/net/protocol.hpp"

namespace vpcstack::policy {

// What the cloud's rules look at in one packet.
struct FlowKey {
    net::Ipv4Address src;
    net::Ipv4Address dst;
    std::uint8_t protocol = 0;
    std::uint16_t src_port = 0;  // TCP and UDP only
    std::uint16_t dst_port = 0;  // TCP and UDP only
    std::uint8_t icmp_type = 0;  // ICMP only
    std::uint8_t icmp_code = 0;  // ICMP only
};

// A closed interval [lo, hi]; empty when lo > hi.
template <typename T>
struct Interval {
    T lo{};
    T hi{};
    constexpr bool contains(T v) const noexcept { return v >= lo && v <= hi; }
    constexpr bool empty() const noexcept { return lo > hi; }
    constexpr Interval intersect(Interval o) const noexcept {
        return {lo > o.lo ? lo : o.lo, hi < o.hi ? hi : o.hi};
    }
    constexpr bool operator==(const Interval&) const noexcept = default;
};

using AddressRange = Interval<std::uint32_t>;
using ByteRange = Interval<std::uint16_t>;  // protocol, ICMP type and code (0-255)
using PortInterval = Interval<std::uint16_t>;

constexpr AddressRange to_range(const net::Cidr& cidr) noexcept {
    return {cidr.network().value(), cidr.last().value()};
}

struct Box {
    ByteRange protocol{0, 255};
    AddressRange src{0, UINT32_MAX};
    AddressRange dst{0, UINT32_MAX};
    PortInterval src_port{0, 65535};
    PortInterval dst_port{0, 65535};
    ByteRange icmp_type{0, 255};
    ByteRange icmp_code{0, 255};

    static constexpr Box all() noexcept { return {}; }

    constexpr bool contains(const FlowKey& k) const noexcept {
        return protocol.contains(k.protocol) && src.contains(k.src.value()) &&
               dst.contains(k.dst.value()) && src_port.contains(k.src_port) &&
               dst_port.contains(k.dst_port) && icmp_type.contains(k.icmp_type) &&
               icmp_code.contains(k.icmp_code);
    }
    constexpr bool empty() const noexcept {
        return protocol.empty() || src.empty() || dst.empty() || src_port.empty() ||
               dst_port.empty() || icmp_type.empty() || icmp_code.empty();
    }
    // The packets in both boxes; nullopt when there are none.
    std::optional<Box> intersect(const Box& other) const noexcept;
    std::string to_string() const;
    constexpr bool operator==(const Box&) const noexcept = default;
};

// The layer-4 part of a rule as the cloud writes it: a protocol ("all" or a number), a port
// range that applies to the destination port of TCP and UDP, and an ICMP type/code.
// AWS: vpc-network-acls, security-group-rules — the port range is the destination port.
Box l4_box(net::Protocol protocol, net::PortRange ports, net::IcmpMatch icmp) noexcept;

}  // namespace vpcstack::policy
