// Sets of services: per protocol, sorted and merged port ranges.
#include <fmt/format.h>

#include <algorithm>
#include <charconv>

#include "vpcstack/verify/reach.hpp"

namespace vpcstack::verify {
namespace {

constexpr std::uint16_t kEcho = 8;

bool before(const ServiceRange& a, const ServiceRange& b) {
    if (a.protocol.number() != b.protocol.number()) {
        return a.protocol.number() < b.protocol.number();
    }
    return a.first < b.first;
}

// Sorted by protocol and first port, overlapping or adjacent ranges joined.
std::vector<ServiceRange> normalised(std::vector<ServiceRange> ranges) {
    std::sort(ranges.begin(), ranges.end(), before);
    std::vector<ServiceRange> out;
    for (const ServiceRange& r : ranges) {
        if (!out.empty() && out.back().protocol == r.protocol &&
            std::uint32_t{r.first} <= std::uint32_t{out.back().last} + 1) {
            out.back().last = std::max(out.back().last, r.last);
        } else {
            out.push_back(r);
        }
    }
    return out;
}

std::optional<std::uint16_t> parse_port(std::string_view text) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || value > 65535) return {};
    return static_cast<std::uint16_t>(value);
}

}  // namespace

std::string ServiceRange::to_string() const {
    if (protocol.has_ports()) {
        std::string name = protocol.to_string();
        if (first == 0 && last == 65535) return name + "/all";
        if (first == last) return fmt::format("{}/{}", name, first);
        return fmt::format("{}/{}-{}", name, first, last);
    }
    if (protocol.number() == net::Protocol::kIcmp) return "icmp echo";
    return fmt::format("proto {}", protocol.number());
}

ServiceSet ServiceSet::of(std::vector<ServiceRange> ranges) {
    ServiceSet s;
    s.ranges_ = normalised(std::move(ranges));
    return s;
}

void ServiceSet::add(const ServiceRange& range) {
    ranges_.push_back(range);
    ranges_ = normalised(std::move(ranges_));
}

void ServiceSet::add(const ServiceSet& other) {
    ranges_.insert(ranges_.end(), other.ranges_.begin(), other.ranges_.end());
    ranges_ = normalised(std::move(ranges_));
}

bool ServiceSet::contains(net::Protocol protocol, std::uint16_t port) const {
    return contains(ServiceRange{protocol, port, port});
}

bool ServiceSet::contains(const ServiceRange& range) const {
    return std::any_of(ranges_.begin(), ranges_.end(), [&](const ServiceRange& r) {
        return r.protocol == range.protocol && r.first <= range.first && range.last <= r.last;
    });
}

ServiceSet ServiceSet::intersect(const ServiceSet& other) const {
    ServiceSet out;
    for (const ServiceRange& a : ranges_) {
        for (const ServiceRange& b : other.ranges_) {
            if (a.protocol != b.protocol) continue;
            std::uint16_t first = std::max(a.first, b.first);
            std::uint16_t last = std::min(a.last, b.last);
            if (first <= last) out.ranges_.push_back({a.protocol, first, last});
        }
    }
    out.ranges_ = normalised(std::move(out.ranges_));
    return out;
}

ServiceSet ServiceSet::minus(const ServiceSet& other) const {
    ServiceSet out;
    for (const ServiceRange& a : ranges_) {
        // Cut away every range of `other` of the same protocol, left to right (both are sorted).
        std::uint32_t next = a.first;
        for (const ServiceRange& b : other.ranges_) {
            if (b.protocol != a.protocol || b.last < next || b.first > a.last) continue;
            if (b.first > next) {
                out.ranges_.push_back({a.protocol, static_cast<std::uint16_t>(next),
                                       static_cast<std::uint16_t>(b.first - 1)});
            }
            next = std::uint32_t{b.last} + 1;
        }
        if (next <= a.last) {
            out.ranges_.push_back({a.protocol, static_cast<std::uint16_t>(next), a.last});
        }
    }
    out.ranges_ = normalised(std::move(out.ranges_));
    return out;
}

std::string ServiceSet::to_string() const {
    if (ranges_.empty()) return "none";
    std::string out;
    for (const ServiceRange& r : ranges_) {
        if (!out.empty()) out += ", ";
        out += r.to_string();
    }
    return out;
}

ServiceSet all_services() {
    ServiceSet s;
    s.add({net::Protocol::icmp(), kEcho, kEcho});
    s.add({net::Protocol::tcp(), 0, 65535});
    s.add({net::Protocol::udp(), 0, 65535});
    return s;
}

std::optional<ServiceRange> parse_service(std::string_view text) {
    if (text == "icmp" || text == "icmp echo" || text == "icmp/echo") {
        return ServiceRange{net::Protocol::icmp(), kEcho, kEcho};
    }
    std::string_view name = text.substr(0, text.find('/'));
    std::optional<net::Protocol> protocol = net::Protocol::parse(name);
    if (!protocol || protocol->is_all()) return {};
    if (!protocol->has_ports()) {
        if (name.size() != text.size() || protocol->number() == net::Protocol::kIcmp) return {};
        return ServiceRange{*protocol, 0, 0};
    }
    if (name.size() == text.size()) return ServiceRange{*protocol, 0, 65535};
    std::string_view ports = text.substr(name.size() + 1);
    if (ports == "all") return ServiceRange{*protocol, 0, 65535};
    std::size_t dash = ports.find('-');
    auto first = parse_port(ports.substr(0, dash));
    auto last = dash == std::string_view::npos ? first : parse_port(ports.substr(dash + 1));
    if (!first || !last || *first > *last) return {};
    return ServiceRange{*protocol, *first, *last};
}

}  // namespace vpcstack::verify
