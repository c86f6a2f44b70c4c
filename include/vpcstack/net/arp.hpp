// ARP for IPv4 over Ethernet (RFC 826): the 28-byte message after the Ethernet header, its field
// offsets and values.
#pragma once

#include <cstddef>
#include <cstdint>

namespace vpcstack::net::arp {

inline constexpr std::size_t kSize = 28;

// Field offsets from the start of the ARP message.
inline constexpr std::size_t kHardwareType = 0;
inline constexpr std::size_t kProtocolType = 2;  // an EtherType: ethernet::kTypeIpv4
inline constexpr std::size_t kHardwareSize = 4;
inline constexpr std::size_t kProtocolSize = 5;
inline constexpr std::size_t kOperation = 6;
inline constexpr std::size_t kSenderMac = 8;
inline constexpr std::size_t kSenderIp = 14;
inline constexpr std::size_t kTargetMac = 18;
inline constexpr std::size_t kTargetIp = 24;

inline constexpr std::uint16_t kHardwareEthernet = 1;
inline constexpr std::uint8_t kEthernetAddressSize = 6;
inline constexpr std::uint8_t kIpv4AddressSize = 4;

// Operations.
inline constexpr std::uint16_t kRequest = 1;
inline constexpr std::uint16_t kReply = 2;

}  // namespace vpcstack::net::arp
