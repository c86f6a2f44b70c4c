// The Internet checksum of IPv4, TCP, UDP and ICMP: the one's-complement sum (RFC 1071), the
// TCP/UDP pseudo-header, and incremental updates when a field changes (RFC 1624).
//
// Three steps, three names:
//   ones_sum(bytes, sum)  the running one's-complement sum; feed it to the next call
//   fold(sum)             that sum as 16 bits, NOT complemented (a correct header folds to 0xffff)
//   checksum(sum)         the value stored in a checksum field: ~fold(sum)
// So checksum(ones_sum(header)) is what to store (with the field zeroed first), and over bytes
// that carry a correct checksum it is zero.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>

#include "vpcstack/net/ipv4.hpp"

namespace vpcstack::net {

// The one's-complement sum of `bytes` as 16-bit big-endian words (an odd last byte is padded with
// a zero byte), added to `sum`. The result is folded to 16 bits (at most 0xffff) and not
// complemented, so it can be passed as `sum` to sum more bytes.
std::uint32_t ones_sum(std::span<const std::uint8_t> bytes, std::uint32_t sum = 0) noexcept;

// The 16-bit one's-complement sum of `sum`: carries above bit 15 added back in. Not complemented.
constexpr std::uint16_t fold(std::uint32_t sum) noexcept {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(sum);
}

// The value to store in a checksum field: the complement of the folded sum.
constexpr std::uint16_t checksum(std::uint32_t sum) noexcept {
    return static_cast<std::uint16_t>(~fold(sum));
}

// The sum of the TCP/UDP pseudo-header (source, destination, zero and protocol, segment length);
// pass it as `sum` when summing the segment.
constexpr std::uint32_t pseudo_header_sum(Ipv4Address src, Ipv4Address dst, std::uint8_t protocol,
                                          std::size_t length) noexcept {
    return (src.value() >> 16) + (src.value() & 0xffff) + (dst.value() >> 16) +
           (dst.value() & 0xffff) + protocol + static_cast<std::uint32_t>(length);
}

// RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m'), the checksum after one 16-bit field covered by it
// changes from m to m'. (Eqn. 3, unlike eqn. 2, never turns a checksum into 0xffff for 0x0000.)
constexpr std::uint16_t checksum_update16(std::uint16_t checksum_field, std::uint16_t old_value,
                                          std::uint16_t new_value) noexcept {
    std::uint32_t sum = static_cast<std::uint16_t>(~checksum_field);
    sum += static_cast<std::uint16_t>(~old_value);
    sum += new_value;
    return checksum(sum);
}

// The same for a 32-bit field (an IPv4 address): two 16-bit updates.
constexpr std::uint16_t checksum_update32(std::uint16_t checksum_field, std::uint32_t old_value,
                                          std::uint32_t new_value) noexcept {
    checksum_field = checksum_update16(checksum_field, static_cast<std::uint16_t>(old_value >> 16),
                                       static_cast<std::uint16_t>(new_value >> 16));
    return checksum_update16(checksum_field, static_cast<std::uint16_t>(old_value),
                             static_cast<std::uint16_t>(new_value));
}

}  // namespace vpcstack::net
