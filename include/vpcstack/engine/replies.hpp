// Frames the engine builds itself (the slow path): ARP replies of the VPC router, ICMP errors
// (fragmentation needed, time exceeded) and the TCP RST of a NAT gateway. Each is written into a
// caller's buffer, with correct checksums, and its length returned.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "vpcstack/engine/packet.hpp"
#include "vpcstack/net/ipv4.hpp"

namespace vpcstack::engine {

inline constexpr std::size_t kReplyBufferSize = 128;
inline constexpr std::uint8_t kReplyTtl = 64;

// An ARP reply telling `requester` that `answered_ip` is at `answered_mac`.
std::size_t build_arp_reply(std::span<std::uint8_t> out, const ParsedFrame& request,
                            const net::MacAddress& answered_mac) noexcept;

// An ICMP error about the IPv4 packet in `original` (parsed as `pf`), sent from `from` to the
// packet's source. It quotes the original IP header and the first 8 bytes of its payload
// (RFC 792). `next_hop_mtu` is set for type 3 code 4 (RFC 1191).
std::size_t build_icmp_error(std::span<std::uint8_t> out, std::span<const std::uint8_t> original,
                             const ParsedFrame& pf, std::uint8_t type, std::uint8_t code,
                             std::uint16_t next_hop_mtu, net::Ipv4Address from,
                             const net::MacAddress& dst_mac,
                             const net::MacAddress& src_mac) noexcept;

// The TCP RST answering the segment in `original` (RFC 793 "reset generation"): from its
// destination to its source; seq = its ACK number when it carried one, else ACK = its SEQ plus
// its length.
std::size_t build_tcp_rst(std::span<std::uint8_t> out, std::span<const std::uint8_t> original,
                          const ParsedFrame& pf, const net::MacAddress& dst_mac,
                          const net::MacAddress& src_mac) noexcept;

// A UDP datagram answering the one parsed as `pf`: from its destination address and port to its
// source, carrying `payload` (the VPC resolver's answer). Its length, 0 when it does not fit.
std::size_t build_udp_reply(std::span<std::uint8_t> out, const ParsedFrame& pf,
                            std::span<const std::uint8_t> payload, const net::MacAddress& dst_mac,
                            const net::MacAddress& src_mac) noexcept;

// A TCP segment of the engine's own end of a connection (the link-local services'): from the
// destination of the client's segment parsed as `pf` to its source, with `flags`, `seq`, `ack`,
// `window`, an MSS option when `mss` is not 0 (RFC 9293, 3.7.1) and `payload`, in an IP packet
// of TTL `ttl`. Its length, 0 when it does not fit.
struct TcpSegment {
    std::uint8_t flags = 0;
    std::uint32_t seq = 0;
    std::uint32_t ack = 0;
    std::uint16_t window = 0xffff;
    std::uint16_t mss = 0;
    std::uint8_t ttl = kReplyTtl;
    std::span<const std::uint8_t> payload;
};
std::size_t build_tcp_segment(std::span<std::uint8_t> out, const ParsedFrame& pf,
                              const TcpSegment& segment, const net::MacAddress& dst_mac,
                              const net::MacAddress& src_mac) noexcept;

}  // namespace vpcstack::engine
