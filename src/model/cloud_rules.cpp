#include "vpcstack/model/cloud_rules.hpp"

#include <algorithm>

namespace vpcstack::model::cloud {

const char* reserved_address_role(const net::Cidr& subnet, net::Ipv4Address address) noexcept {
    static constexpr const char* kFirstFour[] = {"the network address", "the VPC router",
                                                 "the DNS server", "reserved for future use"};
    if (address == subnet.last()) return "the broadcast address";
    const std::uint32_t offset = address.value() - subnet.network().value();
    return offset < 4 ? kFirstFour[offset] : nullptr;
}

std::optional<net::Cidr> rfc1918_range(const net::Cidr& block) noexcept {
    for (net::Cidr range : {net::Cidr(net::Ipv4Address(10, 0, 0, 0), 8),
                            net::Cidr(net::Ipv4Address(172, 16, 0, 0), 12),
                            net::Cidr(net::Ipv4Address(192, 168, 0, 0), 16)}) {
        if (range.contains(block)) return range;
    }
    return std::nullopt;
}

std::optional<net::Cidr> local_route_covering(const std::vector<net::Cidr>& vpc_cidrs,
                                              const net::Cidr& destination) noexcept {
    auto it = std::find_if(vpc_cidrs.begin(), vpc_cidrs.end(),
                           [&](const net::Cidr& c) { return c.contains(destination); });
    if (it == vpc_cidrs.end()) return std::nullopt;
    return *it;
}

RouteTargetKind kind_named_by(std::string_view reference) noexcept {
    struct Prefix {
        std::string_view text;
        RouteTargetKind kind;
    };
    static constexpr Prefix kPrefixes[] = {
        {"eni-", RouteTargetKind::Eni},
        {"eni/", RouteTargetKind::Eni},
        {"i-", RouteTargetKind::Instance},
        {"instance/", RouteTargetKind::Instance},
        {"nat-", RouteTargetKind::NatGateway},
        {"nat/", RouteTargetKind::NatGateway},
        {"pcx-", RouteTargetKind::Peering},
        {"peering/", RouteTargetKind::Peering},
        {"igw-", RouteTargetKind::InternetGateway},
        {"igw/", RouteTargetKind::InternetGateway},
    };
    if (reference == "igw") return RouteTargetKind::InternetGateway;
    for (const Prefix& p : kPrefixes) {
        if (reference.starts_with(p.text) && reference.size() > p.text.size()) return p.kind;
    }
    return RouteTargetKind::Blackhole;
}

std::optional<std::pair<net::Cidr, net::Cidr>> first_overlap(const std::vector<net::Cidr>& a,
                                                             const std::vector<net::Cidr>& b) {
    for (const net::Cidr& x : a) {
        for (const net::Cidr& y : b) {
            if (x.overlaps(y)) return std::pair{x, y};
        }
    }
    return std::nullopt;
}

}  // namespace vpcstack::model::cloud
