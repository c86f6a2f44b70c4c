// The UDP header (RFC 768): field offsets and the checksum rules particular to UDP.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vpcstack::net::udp {

inline constexpr std::size_t kHeaderSize = 8;

// Field offsets from the start of the header.
inline constexpr std::size_t kSrcPort = 0;
inline constexpr std::size_t kDstPort = 2;
inline constexpr std::size_t kLength = 4;  // header and payload
inline constexpr std::size_t kChecksum = 6;

// A checksum field of zero means the sender computed none.
inline constexpr std::uint16_t kNoChecksum = 0;

// The value to send for a computed checksum: a computed zero goes on the wire as all ones, since
// zero means "no checksum".
constexpr std::uint16_t wire_checksum(std::uint16_t computed) noexcept {
    return computed == kNoChecksum ? 0xffff : computed;
}

}  // namespace vpcstack::net::udp
