// The rewrites the engine makes to a parsed IPv4 frame in place (NAT, TTL), each with its
// checksum fix-ups done incrementally (RFC 1624) so that no payload is read again.
#pragma once

#include <cstdint>
#include <span>

#include "vpcstack/engine/packet.hpp"
#include "vpcstack/net/ipv4.hpp"

namespace vpcstack::engine {

// Rewrites of a frame parsed by parse_frame (which must be the frame's current state). Each keeps
// the IPv4 header checksum and the TCP/UDP/ICMP checksum right, and updates `pf`.
void rewrite_src_address(std::span<std::uint8_t> frame, ParsedFrame& pf,
                         net::Ipv4Address address) noexcept;
void rewrite_dst_address(std::span<std::uint8_t> frame, ParsedFrame& pf,
                         net::Ipv4Address address) noexcept;
// TCP/UDP source port, or the ICMP query id.
void rewrite_src_port(std::span<std::uint8_t> frame, ParsedFrame& pf, std::uint16_t port) noexcept;
// TCP/UDP destination port, or the ICMP query id.
void rewrite_dst_port(std::span<std::uint8_t> frame, ParsedFrame& pf, std::uint16_t port) noexcept;
void decrement_ttl(std::span<std::uint8_t> frame, ParsedFrame& pf) noexcept;

// For an ICMP error: rewrite an address (and the port or query id, when the quote has one) of
// the packet it quotes, as a NAT must so the error reaches the right socket. Keeps the quoted
// IP header checksum, the quoted UDP checksum (TCP's lies beyond the 8 quoted bytes) and the
// ICMP checksum right. `source` picks the quoted source, else the quoted destination.
void rewrite_icmp_inner(std::span<std::uint8_t> frame, ParsedFrame& pf, bool source,
                        net::Ipv4Address address, std::uint16_t port) noexcept;

}  // namespace vpcstack::engine
