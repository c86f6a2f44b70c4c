// The TCP header (RFC 9293): field offsets and the flag bits of the byte at kFlags.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace vpcstack::net::tcp {

inline constexpr std::size_t kMinHeaderSize = 20;  // data offset 5
inline constexpr std::size_t kMaxHeaderSize = 60;  // data offset 15

// Field offsets from the start of the header.
inline constexpr std::size_t kSrcPort = 0;
inline constexpr std::size_t kDstPort = 2;
inline constexpr std::size_t kSeqNumber = 4;
inline constexpr std::size_t kAckNumber = 8;
inline constexpr std::size_t kDataOffset = 12;  // high nibble: header length in 32-bit words
inline constexpr std::size_t kFlags = 13;
inline constexpr std::size_t kWindow = 14;
inline constexpr std::size_t kChecksum = 16;
inline constexpr std::size_t kUrgentPointer = 18;

// The byte at kDataOffset of a header without options.
inline constexpr std::uint8_t kDataOffsetNoOptions = 5 << 4;

// Flag bits of the byte at kFlags.
inline constexpr std::uint8_t kFin = 0x01;
inline constexpr std::uint8_t kSyn = 0x02;
inline constexpr std::uint8_t kRst = 0x04;
inline constexpr std::uint8_t kPsh = 0x08;
inline constexpr std::uint8_t kAck = 0x10;
inline constexpr std::uint8_t kUrg = 0x20;
inline constexpr std::uint8_t kEce = 0x40;
inline constexpr std::uint8_t kCwr = 0x80;

// Data offset * 4: the header's length in bytes, options included (not validated).
constexpr std::size_t header_size(const std::uint8_t* header) noexcept {
    return static_cast<std::size_t>(header[kDataOffset] >> 4) * 4;
}

// The flags by name, as traces print them: "SYN,ACK" (SYN, ACK, FIN, RST, PSH in that order).
std::string flags_text(std::uint8_t flags);

}  // namespace vpcstack::net::tcp
