#include "vpcstack/engine/rewrite.hpp"

#include "vpcstack/net/checksum.hpp"
#include "vpcstack/net/icmp.hpp"
#include "vpcstack/net/ipv4_header.hpp"
#include "vpcstack/net/tcp.hpp"
#include "vpcstack/net/udp.hpp"

namespace vpcstack::engine {

namespace {

using net::checksum_update16;
using net::checksum_update32;
using net::load16;
using net::load32;
using net::store16;
using net::store32;
namespace ipv4 = net::ipv4;
namespace tcp = net::tcp;
namespace udp = net::udp;
namespace icmp = net::icmp;

// Where the layer-4 checksum lives, when the frame carries it; nullptr otherwise.
std::uint8_t* l4_checksum(std::span<std::uint8_t> frame, const ParsedFrame& pf) noexcept {
    if (!pf.has_l4) return nullptr;
    switch (pf.key.protocol) {
        case net::Protocol::kTcp:
            return frame.data() + pf.l4 + tcp::kChecksum;
        case net::Protocol::kUdp:
            return frame.data() + pf.l4 + udp::kChecksum;
        case net::Protocol::kIcmp:
            return frame.data() + pf.l4 + icmp::kChecksum;
        default:
            return nullptr;
    }
}

void update_field(std::uint8_t* csum_at, std::uint32_t old_value, std::uint32_t new_value,
                  bool is_udp) noexcept {
    std::uint16_t old_sum = net::load16(csum_at);
    if (is_udp && old_sum == udp::kNoChecksum) return;  // stays without one
    std::uint16_t c = checksum_update32(old_sum, old_value, new_value);
    net::store16(csum_at, is_udp ? udp::wire_checksum(c) : c);
}

void rewrite_address(std::span<std::uint8_t> frame, ParsedFrame& pf, std::size_t field,
                     net::Ipv4Address address) noexcept {
    std::uint8_t* ip = frame.data() + pf.l3;
    std::uint32_t old_value = net::load32(ip + field);
    std::uint32_t new_value = address.value();
    net::store32(ip + field, new_value);
    net::store16(ip + ipv4::kChecksum,
                 checksum_update32(net::load16(ip + ipv4::kChecksum), old_value, new_value));
    // TCP and UDP checksums cover the addresses through the pseudo-header; ICMP's does not.
    if (pf.key.protocol == net::Protocol::kTcp || pf.key.protocol == net::Protocol::kUdp) {
        if (std::uint8_t* c = l4_checksum(frame, pf)) {
            update_field(c, old_value, new_value, pf.key.protocol == net::Protocol::kUdp);
        }
    }
}

void rewrite_port(std::span<std::uint8_t> frame, ParsedFrame& pf, std::size_t offset,
                  std::uint16_t port) noexcept {
    std::uint8_t* c = l4_checksum(frame, pf);
    if (c == nullptr) return;
    std::uint8_t* at = frame.data() + pf.l4 + offset;
    std::uint16_t old_value = net::load16(at);
    net::store16(at, port);
    update_field(c, old_value, port, pf.key.protocol == net::Protocol::kUdp);
}

}  // namespace

void rewrite_src_address(std::span<std::uint8_t> frame, ParsedFrame& pf,
                         net::Ipv4Address address) noexcept {
    rewrite_address(frame, pf, ipv4::kSrc, address);
    pf.key.src = address;
    pf.tuple.src = address;
}

void rewrite_dst_address(std::span<std::uint8_t> frame, ParsedFrame& pf,
                         net::Ipv4Address address) noexcept {
    rewrite_address(frame, pf, ipv4::kDst, address);
    pf.key.dst = address;
    pf.tuple.dst = address;
}

namespace {

// A TCP/UDP port, or for ICMP the query id (the one field that stands for both ports; the
// tuple keeps it in src_port).
void rewrite_l4_port(std::span<std::uint8_t> frame, ParsedFrame& pf, bool source,
                     std::uint16_t port) noexcept {
    if (pf.key.protocol == net::Protocol::kIcmp) {
        if (!pf.icmp_query) return;
        rewrite_port(frame, pf, icmp::kQueryId, port);
        pf.tuple.src_port = port;
        return;
    }
    rewrite_port(frame, pf, source ? tcp::kSrcPort : tcp::kDstPort, port);  // UDP: same offsets
    (source ? pf.key.src_port : pf.key.dst_port) = port;
    (source ? pf.tuple.src_port : pf.tuple.dst_port) = port;
}

}  // namespace

void rewrite_src_port(std::span<std::uint8_t> frame, ParsedFrame& pf, std::uint16_t port) noexcept {
    rewrite_l4_port(frame, pf, true, port);
}

void rewrite_dst_port(std::span<std::uint8_t> frame, ParsedFrame& pf, std::uint16_t port) noexcept {
    rewrite_l4_port(frame, pf, false, port);
}

void decrement_ttl(std::span<std::uint8_t> frame, ParsedFrame& pf) noexcept {
    std::uint8_t* ip = frame.data() + pf.l3;
    std::uint16_t old_word = net::load16(ip + ipv4::kTtl);  // TTL and protocol share a 16-bit word
    ip[ipv4::kTtl] = static_cast<std::uint8_t>(ip[ipv4::kTtl] - 1);
    net::store16(ip + ipv4::kChecksum, checksum_update16(net::load16(ip + ipv4::kChecksum),
                                                         old_word, net::load16(ip + ipv4::kTtl)));
    pf.ttl = ip[ipv4::kTtl];
}

void rewrite_icmp_inner(std::span<std::uint8_t> frame, ParsedFrame& pf, bool source,
                        net::Ipv4Address address, std::uint16_t port) noexcept {
    IcmpErrorInner& inner = pf.icmp_inner;
    if (!inner.present || pf.key.protocol != net::Protocol::kIcmp || !pf.has_l4) return;
    std::uint8_t* icmp_csum = frame.data() + pf.l4 + icmp::kChecksum;
    // Every 16-bit word changed inside the quote changes the ICMP checksum too.
    auto change16 = [&](std::uint8_t* at, std::uint16_t value) {
        std::uint16_t old_value = net::load16(at);
        net::store16(at, value);
        net::store16(icmp_csum, checksum_update16(net::load16(icmp_csum), old_value, value));
    };
    auto change32 = [&](std::uint8_t* at, std::uint32_t value) {
        change16(at, static_cast<std::uint16_t>(value >> 16));
        change16(at + 2, static_cast<std::uint16_t>(value));
    };
    std::uint8_t* ip = frame.data() + inner.l3;
    std::uint8_t* field = ip + (source ? ipv4::kSrc : ipv4::kDst);
    std::uint32_t old_address = net::load32(field);
    change32(field, address.value());
    change16(ip + ipv4::kChecksum,
             checksum_update32(net::load16(ip + ipv4::kChecksum), old_address, address.value()));
    std::uint8_t proto = inner.tuple.protocol;
    if (inner.has_ports) {
        std::uint8_t* l4 = frame.data() + inner.l4;
        std::uint16_t old_port = 0;
        if (proto == net::Protocol::kIcmp) {
            old_port = net::load16(l4 + icmp::kQueryId);
            change16(l4 + icmp::kQueryId, port);
        } else {
            std::uint8_t* at = l4 + (source ? udp::kSrcPort : udp::kDstPort);  // TCP: the same
            old_port = net::load16(at);
            change16(at, port);
        }
        if (proto == net::Protocol::kUdp && inner.l4 + udp::kHeaderSize <= inner.end) {
            std::uint8_t* udp_csum = l4 + udp::kChecksum;
            if (net::load16(udp_csum) != udp::kNoChecksum) {
                std::uint16_t c =
                    checksum_update32(net::load16(udp_csum), old_address, address.value());
                c = checksum_update16(c, old_port, port);
                change16(udp_csum, udp::wire_checksum(c));
            }
        }
    }
    if (source) {
        inner.tuple.src = address;
        if (inner.has_ports) inner.tuple.src_port = port;
    } else {
        inner.tuple.dst = address;
        if (inner.has_ports && proto != net::Protocol::kIcmp) inner.tuple.dst_port = port;
    }
}

}  // namespace vpcstack::engine
