// Ethernet II (IEEE 802.3 with a type field): the 14-byte header, its field offsets and the
// EtherTypes vpcstack handles.
//
//   0      6      12     14
//   | dst  | src  | type | payload ...
#pragma once

#include <cstddef>
#include <cstdint>

namespace vpcstack::net::ethernet {

inline constexpr std::size_t kHeaderSize = 14;
// The shortest frame on the wire, without the 4-byte FCS; shorter frames are padded with zeros.
inline constexpr std::size_t kMinFrameSize = 60;
inline constexpr std::size_t kMacSize = 6;

// Field offsets from the start of the frame.
inline constexpr std::size_t kDstMac = 0;
inline constexpr std::size_t kSrcMac = 6;
inline constexpr std::size_t kEtherType = 12;

// EtherTypes (IEEE registry).
inline constexpr std::uint16_t kTypeIpv4 = 0x0800;
inline constexpr std::uint16_t kTypeArp = 0x0806;

}  // namespace vpcstack::net::ethernet
