// The virtio_net_hdr that TAP (IFF_VNET_HDR) and AF_PACKET (PACKET_VNET_HDR) put before each
// frame, and what a forwarder must do with it. <linux/virtio_net.h> does not compile as C++, so
// the 10-byte header is declared here (fields little-endian, as the host is).
//
// Frames from an instance may arrive
//  - with a partial checksum (kNeedsCsum): the L4 checksum field holds only the pseudo-header
//    sum, to be completed over [csum_start, end);
//  - as one large TCP segment (gso_type TCPv4, gso_size = MSS) that the kernel cuts later.
// The forwarder passes both through whole where it can (measured: ~16 Gbit/s against ~2 without
// offloads) and completes or cuts them in software where the path demands (see daemon.hpp).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <span>

namespace vpcstack::live {

struct VirtioNetHdr {
    std::uint8_t flags = 0;
    std::uint8_t gso_type = 0;
    std::uint16_t hdr_len = 0;
    std::uint16_t gso_size = 0;
    std::uint16_t csum_start = 0;
    std::uint16_t csum_offset = 0;
};
static_assert(sizeof(VirtioNetHdr) == 10);

inline constexpr std::uint8_t kVnetNeedsCsum = 1;
inline constexpr std::uint8_t kVnetDataValid = 2;
inline constexpr std::uint8_t kVnetGsoNone = 0;
inline constexpr std::uint8_t kVnetGsoTcpv4 = 1;
inline constexpr std::uint8_t kVnetGsoUdp = 3;
inline constexpr std::uint8_t kVnetGsoTcpv6 = 4;
inline constexpr std::uint8_t kVnetGsoEcn = 0x80;

// Completes a partial checksum in place: sums [csum_start, end) and stores the result at
// csum_start + csum_offset. False when the offsets do not fit the frame (left untouched).
bool complete_checksum(std::span<std::uint8_t> frame, const VirtioNetHdr& header) noexcept;

// Inverts the 16-bit field a partial checksum lives in. A partial checksum holds the plain
// pseudo-header sum S; the engine's incremental updates (RFC 1624) expect a finished checksum
// ~S. Inverting before and after the engine keeps S exact through address and port rewrites
// without touching the payload.
bool invert_partial_checksum(std::span<std::uint8_t> frame, const VirtioNetHdr& header) noexcept;

// Cuts one Ethernet/IPv4/TCP frame into segments of at most `mss` payload bytes, as the kernel's
// GSO would: IP ids increment, sequence numbers advance, FIN and PSH stay on the last segment,
// CWR on the first, every checksum complete. Calls `emit` once per segment (the span is valid
// during the call). False, emitting nothing, when the frame is not well-formed TCP/IPv4.
bool segment_tcp4(std::span<const std::uint8_t> frame, std::uint16_t mss,
                  const std::function<void(std::span<const std::uint8_t>)>& emit);

// What identifies a frame as "the same packet" on both sides of the engine: the IPv4 total
// length, identification and protocol (the engine rewrites addresses, ports and checksums,
// never these). Empty for non-IPv4 frames.
struct FrameKey {
    std::uint16_t total_length = 0;
    std::uint16_t id = 0;
    std::uint8_t protocol = 0;
    bool valid = false;
    bool operator==(const FrameKey&) const = default;
};
FrameKey frame_key(std::span<const std::uint8_t> frame) noexcept;

}  // namespace vpcstack::live
