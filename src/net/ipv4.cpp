#include "vpcstack/net/ipv4.hpp"

#include <fmt/format.h>

#include <charconv>

namespace vpcstack::net {
namespace {

// Parses a decimal number of at most `max_digits` digits, the whole of `text`.
std::optional<std::uint32_t> parse_decimal(std::string_view text, std::size_t max_digits) {
    if (text.empty() || text.size() > max_digits) return std::nullopt;
    std::uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

}  // namespace

std::optional<Ipv4Address> Ipv4Address::parse(std::string_view text) noexcept {
    std::uint32_t value = 0;
    for (int i = 0; i < 4; ++i) {
        std::size_t dot = text.find('.');
        if ((i < 3) == (dot == std::string_view::npos)) return std::nullopt;
        auto octet = parse_decimal(text.substr(0, dot), 3);
        if (!octet || *octet > 255) return std::nullopt;
        value = (value << 8) | *octet;
        text = i < 3 ? text.substr(dot + 1) : std::string_view{};
    }
    return Ipv4Address(value);
}

std::string Ipv4Address::to_string() const {
    return fmt::format("{}.{}.{}.{}", value_ >> 24, (value_ >> 16) & 0xff, (value_ >> 8) & 0xff,
                       value_ & 0xff);
}

std::optional<Cidr> Cidr::parse_lenient(std::string_view text, bool* host_bits_set) noexcept {
    std::size_t slash = text.find('/');
    auto address = Ipv4Address::parse(text.substr(0, slash));
    if (!address) return std::nullopt;
    std::uint32_t length = 32;
    if (slash != std::string_view::npos) {
        auto parsed = parse_decimal(text.substr(slash + 1), 2);
        if (!parsed || *parsed > 32) return std::nullopt;
        length = *parsed;
    }
    Cidr cidr(*address, static_cast<std::uint8_t>(length));
    if (host_bits_set != nullptr) *host_bits_set = cidr.network() != *address;
    return cidr;
}

std::optional<Cidr> Cidr::parse(std::string_view text) noexcept {
    if (text.find('/') == std::string_view::npos) return std::nullopt;
    bool host_bits = false;
    auto cidr = parse_lenient(text, &host_bits);
    if (!cidr || host_bits) return std::nullopt;
    return cidr;
}

std::string Cidr::to_string() const {
    return fmt::format("{}/{}", network_.to_string(), length_);
}

std::optional<MacAddress> MacAddress::parse(std::string_view text) noexcept {
    std::array<std::uint8_t, 6> octets{};
    if (text.size() != 17) return std::nullopt;
    for (std::size_t i = 0; i < 6; ++i) {
        if (i < 5 && text[i * 3 + 2] != ':') return std::nullopt;
        std::string_view part = text.substr(i * 3, 2);
        unsigned value = 0;
        auto [end, ec] = std::from_chars(part.data(), part.data() + 2, value, 16);
        if (ec != std::errc{} || end != part.data() + 2) return std::nullopt;
        octets[i] = static_cast<std::uint8_t>(value);
    }
    return MacAddress(octets);
}

std::string MacAddress::to_string() const {
    return fmt::format("{:02x}:{:02x}:{:02x}:{:02x}:{:02x}:{:02x}", octets_[0], octets_[1],
                       octets_[2], octets_[3], octets_[4], octets_[5]);
}

}  // namespace vpcstack::net
