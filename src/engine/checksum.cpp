#include "vpcstack/engine/checksum.hpp"

namespace vpcstack::engine {

std::uint32_t ones_sum(std::span<const std::uint8_t> bytes, std::uint32_t initial) noexcept {
    std::uint64_t sum = initial;
    std::size_t i = 0;
    for (; i + 1 < bytes.size(); i += 2) sum += load16(bytes.data() + i);
    if (i < bytes.size()) sum += std::uint32_t{bytes[i]} << 8;
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint32_t>(sum);
}

std::uint16_t fold_checksum(std::uint32_t sum) noexcept {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum & 0xffff);
}

std::uint16_t checksum_update16(std::uint16_t checksum, std::uint16_t old_value,
                                std::uint16_t new_value) noexcept {
    // RFC 1624 eqn. 3: HC' = ~(~HC + ~m + m').
    std::uint32_t sum = static_cast<std::uint16_t>(~checksum);
    sum += static_cast<std::uint16_t>(~old_value);
    sum += new_value;
    return fold_checksum(sum);
}

std::uint16_t checksum_update32(std::uint16_t checksum, std::uint32_t old_value,
                                std::uint32_t new_value) noexcept {
    checksum = checksum_update16(checksum, static_cast<std::uint16_t>(old_value >> 16),
                                 static_cast<std::uint16_t>(new_value >> 16));
    return checksum_update16(checksum, static_cast<std::uint16_t>(old_value),
                             static_cast<std::uint16_t>(new_value));
}

namespace {

constexpr std::size_t kIpChecksum = 10;
constexpr std::size_t kIpSrc = 12;
constexpr std::size_t kIpDst = 16;

// Where the layer-4 checksum lives, when the frame carries it; nullptr otherwise.
std::uint8_t* l4_checksum(std::span<std::uint8_t> frame, const ParsedFrame& pf) noexcept {
    if (!pf.has_l4) return nullptr;
    switch (pf.key.protocol) {
        case net::Protocol::kTcp:
            return frame.data() + pf.l4 + 16;
        case net::Protocol::kUdp:
            return frame.data() + pf.l4 + 6;
        case net::Protocol::kIcmp:
            return frame.data() + pf.l4 + 2;
        default:
            return nullptr;
    }
}

void update_field(std::uint8_t* csum_at, std::uint32_t old_value, std::uint32_t new_value,
                  bool is_udp) noexcept {
    std::uint16_t old_sum = load16(csum_at);
    if (is_udp && old_sum == 0) return;  // UDP without a checksum stays without one
    std::uint16_t c = checksum_update32(old_sum, old_value, new_value);
    if (is_udp && c == 0) c = 0xffff;  // RFC 768: a computed zero is sent as all ones
    store16(csum_at, c);
}

void rewrite_address(std::span<std::uint8_t> frame, ParsedFrame& pf, std::size_t field,
                     net::Ipv4Address address) noexcept {
    std::uint8_t* ip = frame.data() + pf.l3;
    std::uint32_t old_value = load32(ip + field);
    std::uint32_t new_value = address.value();
    store32(ip + field, new_value);
    store16(ip + kIpChecksum, checksum_update32(load16(ip + kIpChecksum), old_value, new_value));
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
    std::uint16_t old_value = load16(at);
    store16(at, port);
    update_field(c, old_value, port, pf.key.protocol == net::Protocol::kUdp);
}

}  // namespace

void rewrite_src_address(std::span<std::uint8_t> frame, ParsedFrame& pf,
                         net::Ipv4Address address) noexcept {
    rewrite_address(frame, pf, kIpSrc, address);
    pf.key.src = address;
    pf.tuple.src = address;
}

void rewrite_dst_address(std::span<std::uint8_t> frame, ParsedFrame& pf,
                         net::Ipv4Address address) noexcept {
    rewrite_address(frame, pf, kIpDst, address);
    pf.key.dst = address;
    pf.tuple.dst = address;
}

void rewrite_src_port(std::span<std::uint8_t> frame, ParsedFrame& pf, std::uint16_t port) noexcept {
    if (pf.key.protocol == net::Protocol::kIcmp) {
        if (!pf.icmp_query) return;
        rewrite_port(frame, pf, 4, port);  // the query id
        pf.tuple.src_port = port;
        return;
    }
    rewrite_port(frame, pf, 0, port);
    pf.key.src_port = port;
    pf.tuple.src_port = port;
}

void rewrite_dst_port(std::span<std::uint8_t> frame, ParsedFrame& pf, std::uint16_t port) noexcept {
    if (pf.key.protocol == net::Protocol::kIcmp) {
        if (!pf.icmp_query) return;
        rewrite_port(frame, pf, 4, port);  // the query id
        pf.tuple.src_port = port;
        return;
    }
    rewrite_port(frame, pf, 2, port);
    pf.key.dst_port = port;
    pf.tuple.dst_port = port;
}

void decrement_ttl(std::span<std::uint8_t> frame, ParsedFrame& pf) noexcept {
    std::uint8_t* ip = frame.data() + pf.l3;
    std::uint16_t old_word = load16(ip + 8);  // TTL and protocol share a 16-bit word
    ip[8] = static_cast<std::uint8_t>(ip[8] - 1);
    store16(ip + kIpChecksum,
            checksum_update16(load16(ip + kIpChecksum), old_word, load16(ip + 8)));
    pf.ttl = ip[8];
}

void rewrite_icmp_inner(std::span<std::uint8_t> frame, ParsedFrame& pf, bool source,
                        net::Ipv4Address address, std::uint16_t port) noexcept {
    IcmpErrorInner& inner = pf.icmp_inner;
    if (!inner.present || pf.key.protocol != net::Protocol::kIcmp || !pf.has_l4) return;
    std::uint8_t* icmp_csum = frame.data() + pf.l4 + 2;
    // Every 16-bit word changed inside the quote changes the ICMP checksum too.
    auto change16 = [&](std::uint8_t* at, std::uint16_t value) {
        std::uint16_t old_value = load16(at);
        store16(at, value);
        store16(icmp_csum, checksum_update16(load16(icmp_csum), old_value, value));
    };
    auto change32 = [&](std::uint8_t* at, std::uint32_t value) {
        change16(at, static_cast<std::uint16_t>(value >> 16));
        change16(at + 2, static_cast<std::uint16_t>(value));
    };
    std::uint8_t* ip = frame.data() + inner.l3;
    std::uint8_t* field = ip + (source ? kIpSrc : kIpDst);
    std::uint32_t old_address = load32(field);
    change32(field, address.value());
    change16(ip + kIpChecksum,
             checksum_update32(load16(ip + kIpChecksum), old_address, address.value()));
    std::uint8_t proto = inner.tuple.protocol;
    if (inner.has_ports) {
        std::uint8_t* l4 = frame.data() + inner.l4;
        std::uint16_t old_port = 0;
        if (proto == net::Protocol::kIcmp) {
            old_port = load16(l4 + 4);
            change16(l4 + 4, port);
        } else {
            std::uint8_t* at = l4 + (source ? 0 : 2);
            old_port = load16(at);
            change16(at, port);
        }
        if (proto == net::Protocol::kUdp && inner.l4 + 8 <= inner.end) {
            std::uint8_t* udp_csum = l4 + 6;
            if (load16(udp_csum) != 0) {
                std::uint16_t c = checksum_update32(load16(udp_csum), old_address, address.value());
                if (proto != net::Protocol::kIcmp) c = checksum_update16(c, old_port, port);
                change16(udp_csum, c == 0 ? 0xffff : c);
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
