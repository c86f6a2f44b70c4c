// The IPv4 header (RFC 791): field offsets, the flags and fragment offset word, and the
// version/IHL byte. Protocol numbers are net::Protocol::kTcp, kUdp, kIcmp (protocol.hpp).
//
//   0        4        8        12       16       20
//   |ver ihl tos len  |id  flags+off |ttl pr csum |src     |dst     | options ...
#pragma once

#include <cstddef>
#include <cstdint>

namespace vpcstack::net::ipv4 {

inline constexpr std::uint8_t kVersion = 4;
inline constexpr std::size_t kMinHeaderSize = 20;  // IHL 5
inline constexpr std::size_t kMaxHeaderSize = 60;  // IHL 15

// Field offsets from the start of the header.
inline constexpr std::size_t kVersionIhl = 0;
inline constexpr std::size_t kTos = 1;
inline constexpr std::size_t kTotalLength = 2;
inline constexpr std::size_t kId = 4;
inline constexpr std::size_t kFlagsFragment = 6;  // 3 flag bits, 13 bits of offset in 8-byte units
inline constexpr std::size_t kTtl = 8;
inline constexpr std::size_t kProtocol = 9;  // shares a 16-bit word with kTtl
inline constexpr std::size_t kChecksum = 10;
inline constexpr std::size_t kSrc = 12;
inline constexpr std::size_t kDst = 16;

// The byte at kVersionIhl of a header without options.
inline constexpr std::uint8_t kVersionIhlNoOptions = 0x45;

// Bits of the 16-bit word at kFlagsFragment.
inline constexpr std::uint16_t kDontFragment = 0x4000;
inline constexpr std::uint16_t kMoreFragments = 0x2000;
inline constexpr std::uint16_t kFragmentOffsetMask = 0x1fff;

constexpr std::uint8_t version(const std::uint8_t* header) noexcept {
    return static_cast<std::uint8_t>(header[kVersionIhl] >> 4);
}
// IHL * 4: the header's length in bytes, options included (not validated).
constexpr std::size_t header_size(const std::uint8_t* header) noexcept {
    return static_cast<std::size_t>(header[kVersionIhl] & 0x0f) * 4;
}

}  // namespace vpcstack::net::ipv4
