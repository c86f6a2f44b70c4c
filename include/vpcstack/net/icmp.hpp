// ICMP for IPv4 (RFC 792, RFC 950, RFC 1191): the 8-byte header, message types and codes, and
// which messages are queries (carry an identifier) or errors (quote the packet that caused them).
#pragma once

#include <cstddef>
#include <cstdint>

namespace vpcstack::net::icmp {

inline constexpr std::size_t kHeaderSize = 8;
// An error quotes the offending packet's IP header and this many bytes after it.
inline constexpr std::size_t kQuotedPayload = 8;

// Field offsets from the start of the message.
inline constexpr std::size_t kType = 0;
inline constexpr std::size_t kCode = 1;
inline constexpr std::size_t kChecksum = 2;
inline constexpr std::size_t kRestOfHeader = 4;   // 4 bytes whose meaning depends on the type
inline constexpr std::size_t kQueryId = 4;        // queries: identifier
inline constexpr std::size_t kQuerySequence = 6;  // queries: sequence number
inline constexpr std::size_t kNextHopMtu = 6;     // destination unreachable, fragmentation needed
inline constexpr std::size_t kQuote = 8;          // errors: the quoted packet

// Types.
inline constexpr std::uint8_t kEchoReply = 0;
inline constexpr std::uint8_t kDestinationUnreachable = 3;
inline constexpr std::uint8_t kSourceQuench = 4;
inline constexpr std::uint8_t kRedirect = 5;
inline constexpr std::uint8_t kEchoRequest = 8;
inline constexpr std::uint8_t kTimeExceeded = 11;
inline constexpr std::uint8_t kParameterProblem = 12;
inline constexpr std::uint8_t kTimestampRequest = 13;
inline constexpr std::uint8_t kTimestampReply = 14;
inline constexpr std::uint8_t kInfoRequest = 15;
inline constexpr std::uint8_t kInfoReply = 16;
inline constexpr std::uint8_t kAddressMaskRequest = 17;
inline constexpr std::uint8_t kAddressMaskReply = 18;

// Codes of kDestinationUnreachable.
inline constexpr std::uint8_t kNetUnreachable = 0;
inline constexpr std::uint8_t kHostUnreachable = 1;
inline constexpr std::uint8_t kProtocolUnreachable = 2;
inline constexpr std::uint8_t kPortUnreachable = 3;
inline constexpr std::uint8_t kFragmentationNeeded = 4;  // next-hop MTU at kNextHopMtu
inline constexpr std::uint8_t kAdministrativelyProhibited = 13;

// Codes of kTimeExceeded.
inline constexpr std::uint8_t kTtlExceeded = 0;

// Messages with a query identifier: echo, timestamp, information, address mask, and their replies.
constexpr bool is_query(std::uint8_t type) noexcept {
    return type == kEchoReply || type == kEchoRequest || type == kTimestampRequest ||
           type == kTimestampReply || type == kInfoRequest || type == kInfoReply ||
           type == kAddressMaskRequest || type == kAddressMaskReply;
}

// The reply type of a query request (echo 8 -> 0, timestamp 13 -> 14, information 15 -> 16,
// address mask 17 -> 18); 0xff for a type that is not a request.
inline constexpr std::uint8_t kNoReplyType = 0xff;
constexpr std::uint8_t reply_type_of(std::uint8_t request) noexcept {
    switch (request) {
        case kEchoRequest:
            return kEchoReply;
        case kTimestampRequest:
            return kTimestampReply;
        case kInfoRequest:
            return kInfoReply;
        case kAddressMaskRequest:
            return kAddressMaskReply;
        default:
            return kNoReplyType;
    }
}
constexpr bool is_query_request(std::uint8_t type) noexcept {
    return reply_type_of(type) != kNoReplyType;
}
constexpr bool is_query_reply(std::uint8_t type) noexcept {
    return type == kEchoReply || type == kTimestampReply || type == kInfoReply ||
           type == kAddressMaskReply;
}

constexpr bool is_echo(std::uint8_t type) noexcept {
    return type == kEchoRequest || type == kEchoReply;
}

// Error messages: each quotes the packet that caused it.
constexpr bool is_error(std::uint8_t type) noexcept {
    return type == kDestinationUnreachable || type == kSourceQuench || type == kRedirect ||
           type == kTimeExceeded || type == kParameterProblem;
}

}  // namespace vpcstack::net::icmp
