// Internet checksums: full computation (RFC 1071) and incremental update (RFC 1624), and the
// rewrites the engine makes to a parsed IPv4 frame with their checksum fix-ups.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "vpcstack/engine/packet.hpp"

namespace vpcstack::engine {

// One's-complement sum of 16-bit words (odd trailing byte padded), not complemented.
std::uint32_t ones_sum(std::span<const std::uint8_t> bytes, std::uint32_t initial = 0) noexcept;
// The checksum to store: the complement of the folded sum.
std::uint16_t fold_checksum(std::uint32_t sum) noexcept;
// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), for one 16-bit field changing from m to m'.
std::uint16_t checksum_update16(std::uint16_t checksum, std::uint16_t old_value,
                                std::uint16_t new_value) noexcept;
std::uint16_t checksum_update32(std::uint16_t checksum, std::uint32_t old_value,
                                std::uint32_t new_value) noexcept;

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
