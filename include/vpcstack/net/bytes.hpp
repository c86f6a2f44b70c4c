// Loads and stores of network byte order (big-endian) fields at a byte pointer, and of MAC
// addresses. Every wire format in net/ is read and written through these; none checks bounds,
// so the caller must have checked the length first.
#pragma once

#include <cstddef>
#include <cstdint>

#include "vpcstack/net/ipv4.hpp"

namespace vpcstack::net {

constexpr std::uint16_t load16(const std::uint8_t* p) noexcept {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}

constexpr std::uint32_t load32(const std::uint8_t* p) noexcept {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           std::uint32_t{p[3]};
}

constexpr void store16(std::uint8_t* p, std::uint16_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}

constexpr void store32(std::uint8_t* p, std::uint32_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}

constexpr MacAddress load_mac(const std::uint8_t* p) noexcept {
    return MacAddress({p[0], p[1], p[2], p[3], p[4], p[5]});
}

constexpr void store_mac(std::uint8_t* p, const MacAddress& mac) noexcept {
    for (std::size_t i = 0; i < 6; ++i) p[i] = mac.octets()[i];
}

}  // namespace vpcstack::net
