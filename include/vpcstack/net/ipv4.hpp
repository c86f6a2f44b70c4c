// Value types for IPv4 addressing: Ipv4Address, Cidr, MacAddress.
//
// Parsing from text is the only operation that can fail; it returns std::nullopt and never
// throws. Everything else is noexcept, comparable and hashable.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace vpcstack::net {

class Ipv4Address {
  public:
    constexpr Ipv4Address() noexcept = default;
    constexpr explicit Ipv4Address(std::uint32_t host_order) noexcept : value_(host_order) {}
    constexpr Ipv4Address(std::uint8_t a, std::uint8_t b, std::uint8_t c, std::uint8_t d) noexcept
        : value_((std::uint32_t{a} << 24) | (std::uint32_t{b} << 16) | (std::uint32_t{c} << 8) |
                 std::uint32_t{d}) {}

    // Dotted quad, exactly four decimal octets 0-255 without leading '+' or spaces.
    static std::optional<Ipv4Address> parse(std::string_view text) noexcept;

    constexpr std::uint32_t value() const noexcept { return value_; }
    std::string to_string() const;

    constexpr Ipv4Address operator+(std::uint32_t offset) const noexcept {
        return Ipv4Address(value_ + offset);
    }
    constexpr auto operator<=>(const Ipv4Address&) const noexcept = default;

  private:
    std::uint32_t value_ = 0;
};

// An IPv4 prefix. The stored address is always the network address (host bits cleared);
// parse() rejects text whose host bits are set, since the cloud rejects such CIDR blocks too.
class Cidr {
  public:
    constexpr Cidr() noexcept = default;
    constexpr Cidr(Ipv4Address address, std::uint8_t prefix_length) noexcept
        : network_(address.value() & mask_for(prefix_length)), length_(prefix_length) {}

    static std::optional<Cidr> parse(std::string_view text) noexcept;
    // Like parse(), but also accepts a bare address (as a /32) and says whether host bits were set.
    static std::optional<Cidr> parse_lenient(std::string_view text, bool* host_bits_set) noexcept;

    static constexpr std::uint32_t mask_for(std::uint8_t length) noexcept {
        return length == 0 ? 0 : ~std::uint32_t{0} << (32 - length);
    }

    constexpr Ipv4Address network() const noexcept { return network_; }
    constexpr std::uint8_t length() const noexcept { return length_; }
    constexpr std::uint32_t mask() const noexcept { return mask_for(length_); }
    constexpr Ipv4Address last() const noexcept { return Ipv4Address(network_.value() | ~mask()); }
    constexpr std::uint64_t size() const noexcept { return std::uint64_t{1} << (32 - length_); }

    constexpr bool contains(Ipv4Address a) const noexcept {
        return (a.value() & mask()) == network_.value();
    }
    constexpr bool contains(const Cidr& other) const noexcept {
        return other.length_ >= length_ && contains(other.network_);
    }
    constexpr bool overlaps(const Cidr& other) const noexcept {
        return contains(other.network_) || other.contains(network_);
    }

    std::string to_string() const;
    constexpr auto operator<=>(const Cidr&) const noexcept = default;

  private:
    Ipv4Address network_;
    std::uint8_t length_ = 0;
};

// The limited broadcast address and the multicast range (RFC 919, RFC 1112): a VPC delivers
// neither (AWS: subnet-sizing).
inline constexpr Ipv4Address kLimitedBroadcast{255, 255, 255, 255};
inline constexpr Cidr kMulticast{Ipv4Address(224, 0, 0, 0), 4};
constexpr bool is_broadcast_or_multicast(Ipv4Address a) noexcept {
    return a == kLimitedBroadcast || kMulticast.contains(a);
}

class MacAddress {
  public:
    constexpr MacAddress() noexcept = default;
    constexpr explicit MacAddress(std::array<std::uint8_t, 6> octets) noexcept : octets_(octets) {}
    static std::optional<MacAddress> parse(std::string_view text) noexcept;
    static constexpr MacAddress broadcast() noexcept {
        return MacAddress({0xff, 0xff, 0xff, 0xff, 0xff, 0xff});
    }

    constexpr const std::array<std::uint8_t, 6>& octets() const noexcept { return octets_; }
    constexpr bool is_broadcast() const noexcept { return *this == broadcast(); }
    constexpr bool is_multicast() const noexcept { return (octets_[0] & 1) != 0; }
    std::string to_string() const;
    constexpr auto operator<=>(const MacAddress&) const noexcept = default;

  private:
    std::array<std::uint8_t, 6> octets_{};
};

}  // namespace vpcstack::net

template <>
struct std::hash<vpcstack::net::Ipv4Address> {
    std::size_t operator()(vpcstack::net::Ipv4Address a) const noexcept {
        return std::hash<std::uint32_t>{}(a.value());
    }
};
template <>
struct std::hash<vpcstack::net::Cidr> {
    std::size_t operator()(const vpcstack::net::Cidr& c) const noexcept {
        return std::hash<std::uint64_t>{}((std::uint64_t{c.network().value()} << 8) | c.length());
    }
};
