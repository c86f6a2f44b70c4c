#include "vpcstack/policy/match.hpp"

#include <fmt/format.h>

namespace vpcstack::policy {

std::optional<Box> Box::intersect(const Box& o) const noexcept {
    Box b{protocol.intersect(o.protocol),
          src.intersect(o.src),
          dst.intersect(o.dst),
          src_port.intersect(o.src_port),
          dst_port.intersect(o.dst_port),
          icmp_type.intersect(o.icmp_type),
          icmp_code.intersect(o.icmp_code)};
    if (b.empty()) return std::nullopt;
    return b;
}

std::string Box::to_string() const {
    auto addr = [](AddressRange r) {
        return net::Ipv4Address(r.lo).to_string() + "-" + net::Ipv4Address(r.hi).to_string();
    };
    return fmt::format("proto {}-{} src {} dst {} sport {}-{} dport {}-{} icmp {}-{}/{}-{}",
                       protocol.lo, protocol.hi, addr(src), addr(dst), src_port.lo, src_port.hi,
                       dst_port.lo, dst_port.hi, icmp_type.lo, icmp_type.hi, icmp_code.lo,
                       icmp_code.hi);
}

Box l4_box(net::Protocol protocol, net::PortRange ports, net::IcmpMatch icmp) noexcept {
    Box b;
    if (protocol.is_all()) return b;  // all traffic: ports and ICMP fields do not matter
    b.protocol = {protocol.number(), protocol.number()};
    if (protocol.has_ports()) b.dst_port = {ports.first, ports.last};
    if (protocol.number() == net::Protocol::kIcmp) {
        if (icmp.type >= 0)
            b.icmp_type = {static_cast<std::uint16_t>(icmp.type),
                           static_cast<std::uint16_t>(icmp.type)};
        if (icmp.code >= 0)
            b.icmp_code = {static_cast<std::uint16_t>(icmp.code),
                           static_cast<std::uint16_t>(icmp.code)};
    }
    return b;
}

}  // namespace vpcstack::policy
