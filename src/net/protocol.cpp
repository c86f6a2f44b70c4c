#include "vpcstack/net/protocol.hpp"

#include <fmt/format.h>

#include <charconv>

namespace vpcstack::net {
namespace {

std::optional<std::uint32_t> parse_number(std::string_view text, std::uint32_t max) {
    if (text.empty() || text.size() > 5) return std::nullopt;
    std::uint32_t value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size() || value > max) return std::nullopt;
    return value;
}

}  // namespace

std::string protocol_name(std::uint8_t number) {
    switch (number) {
        case Protocol::kTcp: return "tcp";
        case Protocol::kUdp: return "udp";
        case Protocol::kIcmp: return "icmp";
        default: return std::to_string(number);
    }
}

std::optional<Protocol> Protocol::parse(std::string_view text) noexcept {
    if (text == "all" || text == "-1") return Protocol::all();
    if (text == "tcp") return Protocol::tcp();
    if (text == "udp") return Protocol::udp();
    if (text == "icmp") return Protocol::icmp();
    auto number = parse_number(text, 255);
    if (!number) return std::nullopt;
    return Protocol(static_cast<std::uint8_t>(*number));
}

std::string Protocol::to_string() const {
    return is_all() ? "all" : protocol_name(number());
}

std::optional<PortRange> PortRange::parse(std::string_view text) noexcept {
    if (text == "all" || text == "*") return PortRange::all();
    std::size_t dash = text.find('-');
    auto first = parse_number(text.substr(0, dash), 65535);
    if (!first) return std::nullopt;
    if (dash == std::string_view::npos) return PortRange::single(static_cast<std::uint16_t>(*first));
    auto last = parse_number(text.substr(dash + 1), 65535);
    if (!last || *last < *first) return std::nullopt;
    return PortRange{static_cast<std::uint16_t>(*first), static_cast<std::uint16_t>(*last)};
}

std::string PortRange::to_string() const {
    if (is_all()) return "all";
    if (first == last) return std::to_string(first);
    return fmt::format("{}-{}", first, last);
}

std::string IcmpMatch::to_string() const {
    if (type < 0) return "any";
    if (code < 0) return std::to_string(type);
    return fmt::format("{}:{}", type, code);
}

std::string FiveTuple::to_string() const {
    if (protocol == Protocol::kTcp || protocol == Protocol::kUdp) {
        return fmt::format("{} {}:{} -> {}:{}", protocol_name(protocol), src.to_string(), src_port,
                           dst.to_string(), dst_port);
    }
    if (protocol == Protocol::kIcmp) {
        return fmt::format("icmp {} -> {} id {}", src.to_string(), dst.to_string(), src_port);
    }
    return fmt::format("{} {} -> {}", protocol_name(protocol), src.to_string(), dst.to_string());
}

}  // namespace vpcstack::net
