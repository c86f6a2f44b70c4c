// Frames as the simulated hosts speak them: building Ethernet/ARP/IPv4/TCP/UDP/ICMP frames
// (checksums included) from the net/ wire formats, and decoding them back into values.
// Hosts are not the hot path; what matters here is that the bytes are exactly what a Linux host
// would put on the wire, and that a malformed frame is reported, never a crash.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vpcstack/net/icmp.hpp"
#include "vpcstack/net/ipv4.hpp"
#include "vpcstack/net/protocol.hpp"
#include "vpcstack/net/tcp.hpp"

namespace vpcstack::sim {

using Frame = std::vector<std::uint8_t>;

// "echo request", "port unreachable", "fragmentation needed (mtu 1500)", ...
std::string icmp_text(std::uint8_t type, std::uint8_t code, std::uint16_t mtu = 0);

struct ArpView {
    bool request = true;
    net::MacAddress sender_mac;
    net::Ipv4Address sender_ip;
    net::MacAddress target_mac;
    net::Ipv4Address target_ip;
};

struct IcmpView {
    std::uint8_t type = 0;
    std::uint8_t code = 0;
    std::uint16_t id = 0;        // echo request/reply
    std::uint16_t sequence = 0;  // echo request/reply
    std::uint16_t mtu = 0;       // next-hop MTU of "fragmentation needed"
    // For errors: the offending packet's flow, read from the quoted header (ports when quoted).
    std::optional<net::FiveTuple> quoted;
    bool is_error() const noexcept { return net::icmp::is_error(type); }
};

// What a host decodes from a received frame: values copied out of the bytes, kept after the
// frame is gone (in a host's inbox, in test assertions). Not the engine's engine::ParsedFrame,
// which is a view of offsets into a frame it is about to rewrite; fields that name the same fact
// have the same name in both.
struct DecodedFrame {
    net::MacAddress dst_mac;
    net::MacAddress src_mac;
    std::uint16_t ether_type = 0;
    std::optional<ArpView> arp;

    bool ipv4 = false;
    net::Ipv4Address src;
    net::Ipv4Address dst;
    std::uint8_t ttl = 0;
    std::uint8_t protocol = 0;
    bool dont_fragment = false;
    bool fragment = false;  // more-fragments set or a non-zero offset
    std::uint16_t ip_id = 0;
    std::uint16_t ip_total_length = 0;

    std::uint16_t src_port = 0;
    std::uint16_t dst_port = 0;
    std::uint8_t tcp_flags = 0;
    std::uint32_t seq = 0;
    std::uint32_t ack = 0;
    std::optional<IcmpView> icmp;
    std::size_t payload_size = 0;  // bytes after the transport header

    // The flow as the packet names it (ICMP echo: the id in src_port, as conntrack does).
    net::FiveTuple tuple() const;
    // "tcp 10.0.1.10:32768 -> 10.0.2.10:5432 [SYN]", "icmp 10.0.1.10 -> 8.8.8.8 echo request",
    // "arp who-has 10.0.1.1 tell 10.0.1.10".
    std::string summary() const;
};

// Decodes a frame; nullopt when it is truncated or inconsistent.
std::optional<DecodedFrame> decode_frame(std::span<const std::uint8_t> frame);
// The IPv4 packet inside an Ethernet frame (empty when there is none).
std::span<const std::uint8_t> ip_packet_of(std::span<const std::uint8_t> frame);

// An IPv4 packet to build: "a packet of this 5-tuple with these TCP flags". For ICMP the tuple's
// src_port is the echo id; for other protocols the ports are ignored.
struct PacketSpec {
    net::FiveTuple tuple;
    std::uint8_t tcp_flags = net::tcp::kSyn;
    std::uint32_t seq = 0;
    std::uint32_t ack = 0;
    std::uint8_t icmp_type = net::icmp::kEchoRequest;
    std::uint8_t icmp_code = 0;
    std::uint16_t icmp_sequence = 1;
    std::size_t payload_size = 0;
    // UDP and TCP: the payload's bytes (payload_size of them) instead of zeros, e.g. a DNS
    // query; the bytes must outlive the build.
    std::span<const std::uint8_t> payload = {};
    bool dont_fragment = true;          // Linux sets DF (path MTU discovery) by default
    bool more_fragments = false;        // a first fragment: MF set, offset 0
    std::uint16_t fragment_offset = 0;  // in 8-byte units; non-zero: a later fragment
    std::uint8_t ttl = 64;
    std::uint16_t ip_id = 0;
};

Frame build_ip_frame(net::MacAddress src_mac, net::MacAddress dst_mac, const PacketSpec& spec);
// The same, into `out` (its buffer reused: the verifier builds millions).
void build_ip_frame(Frame& out, net::MacAddress src_mac, net::MacAddress dst_mac,
                    const PacketSpec& spec);
Frame build_arp_request(net::MacAddress sender_mac, net::Ipv4Address sender_ip,
                        net::Ipv4Address target_ip);
Frame build_arp_reply(net::MacAddress sender_mac, net::Ipv4Address sender_ip,
                      net::MacAddress target_mac, net::Ipv4Address target_ip);
// An ICMP error about `offending` (an IPv4 packet): quotes its header and first 8 payload bytes,
// as RFC 792 asks.
Frame build_icmp_error(net::MacAddress src_mac, net::MacAddress dst_mac, net::Ipv4Address from,
                       std::uint8_t type, std::uint8_t code,
                       std::span<const std::uint8_t> offending, std::uint16_t mtu = 0);
// The same IPv4 packet in a new Ethernet frame with its TTL lowered by one (a router's forward).
Frame reframe_forwarded(net::MacAddress src_mac, net::MacAddress dst_mac,
                        std::span<const std::uint8_t> ip_packet);

}  // namespace vpcstack::sim
