// Bounds-checked views over the bytes of one Ethernet frame, and the parse stage that reads
// them. The hot path reads headers in place: no allocation, no exception; a truncated or
// inconsistent frame parses to ParseOutcome::Malformed.
//
// Handled: Ethernet II; ARP (Ethernet/IPv4); IPv4 with options (IHL > 5), header checksum checked,
// fragments (only the first carries the layer-4 header); TCP, UDP, ICMP, and for ICMP errors the
// embedded header of the packet that caused them.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "vpcstack/net/bytes.hpp"
#include "vpcstack/net/checksum.hpp"
#include "vpcstack/net/ethernet.hpp"
#include "vpcstack/net/ipv4.hpp"
#include "vpcstack/net/ipv4_header.hpp"
#include "vpcstack/net/protocol.hpp"
#include "vpcstack/net/tcp.hpp"
#include "vpcstack/policy/match.hpp"

namespace vpcstack::engine {

enum class ParseOutcome : std::uint8_t { Ipv4, Arp, NotIpv4, Malformed };

// The embedded header of the packet an ICMP error refers to (RFC 792: IP header + 8 bytes).
struct IcmpErrorInner {
    bool present = false;
    net::FiveTuple tuple;  // as the original packet was sent
    std::size_t l3 = 0;    // offset of the embedded IPv4 header in the frame
    std::size_t l4 = 0;    // offset of its layer-4 header (present when has_ports)
    std::size_t end = 0;   // end of the quoted bytes
    bool has_ports = false;
};

// What the parse stage learned; offsets index the frame.
struct ParsedFrame {
    ParseOutcome outcome = ParseOutcome::Malformed;
    std::uint16_t ether_type = 0;
    net::MacAddress dst_mac;
    net::MacAddress src_mac;

    // ARP
    std::uint16_t arp_op = 0;
    net::MacAddress arp_sender_mac;
    net::Ipv4Address arp_sender_ip;
    net::Ipv4Address arp_target_ip;

    // IPv4. l3 is the offset of the IPv4 header.
    std::size_t l3 = net::ethernet::kHeaderSize;
    std::size_t ip_header_size = 0;   // IHL * 4
    std::size_t ip_total_length = 0;  // from the header; the frame may carry padding after it
    std::size_t l4 = 0;               // offset of the layer-4 header, when has_l4
    bool has_l4 = false;              // first fragment (or unfragmented) of TCP/UDP/ICMP
    bool fragment = false;            // MF set or offset > 0
    bool first_fragment = true;       // offset 0
    bool dont_fragment = false;
    std::uint16_t ip_id = 0;
    std::uint8_t ttl = 0;
    std::uint8_t tcp_flags = 0;
    std::uint8_t icmp_type = 0;
    std::uint8_t icmp_code = 0;
    bool icmp_query = false;  // an ICMP message with a query id (echo, timestamp, ...)
    IcmpErrorInner icmp_inner;

    policy::FlowKey key;   // what ACLs and security groups match
    net::FiveTuple tuple;  // the flow: ports, or the ICMP query id in src_port

    std::size_t frame_length() const noexcept { return l3 + ip_total_length; }
};

// Parses the frame. Never throws, never reads outside `frame`.
ParsedFrame parse_frame(std::span<const std::uint8_t> frame) noexcept;

// The tuple of the reply to a flow: addresses swapped, ports swapped (ICMP keeps its query id in
// src_port, as replies carry the same id).
constexpr net::FiveTuple reply_tuple(const net::FiveTuple& t) noexcept {
    if (t.protocol == net::Protocol::kIcmp) return {t.dst, t.src, t.src_port, 0, t.protocol};
    return t.reversed();
}

}  // namespace vpcstack::engine
