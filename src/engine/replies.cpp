#include "vpcstack/engine/replies.hpp"

#include <algorithm>
#include <cstring>

#include "vpcstack/engine/checksum.hpp"

namespace vpcstack::engine {

namespace {

constexpr std::size_t kMinFrame = 60;  // Ethernet minimum without the FCS

void write_ethernet(std::uint8_t* p, const net::MacAddress& dst, const net::MacAddress& src,
                    std::uint16_t type) noexcept {
    store_mac(p, dst);
    store_mac(p + 6, src);
    store16(p + 12, type);
}

void write_ipv4(std::uint8_t* ip, std::uint16_t total_length, std::uint8_t protocol,
                net::Ipv4Address src, net::Ipv4Address dst) noexcept {
    ip[0] = 0x45;
    ip[1] = 0;
    store16(ip + 2, total_length);
    store16(ip + 4, 0);       // identification
    store16(ip + 6, 0x4000);  // DF
    ip[8] = kReplyTtl;
    ip[9] = protocol;
    store16(ip + 10, 0);
    store32(ip + 12, src.value());
    store32(ip + 16, dst.value());
    store16(ip + 10, fold_checksum(ones_sum({ip, kIpv4MinHeaderSize})));
}

std::size_t padded(std::span<std::uint8_t> out, std::size_t length) noexcept {
    if (length < kMinFrame) {
        std::fill(out.begin() + static_cast<std::ptrdiff_t>(length),
                  out.begin() + static_cast<std::ptrdiff_t>(kMinFrame), 0);
        return kMinFrame;
    }
    return length;
}

}  // namespace

std::size_t build_arp_reply(std::span<std::uint8_t> out, const ParsedFrame& request,
                            const net::MacAddress& answered_mac) noexcept {
    if (out.size() < kMinFrame) return 0;
    std::uint8_t* p = out.data();
    write_ethernet(p, request.arp_sender_mac, answered_mac, kEtherTypeArp);
    std::uint8_t* a = p + kEthernetHeaderSize;
    store16(a, 1);
    store16(a + 2, kEtherTypeIpv4);
    a[4] = 6;
    a[5] = 4;
    store16(a + 6, 2);  // reply
    store_mac(a + 8, answered_mac);
    store32(a + 14, request.arp_target_ip.value());
    store_mac(a + 18, request.arp_sender_mac);
    store32(a + 24, request.arp_sender_ip.value());
    return padded(out, kEthernetHeaderSize + kArpSize);
}

std::size_t build_icmp_error(std::span<std::uint8_t> out, std::span<const std::uint8_t> original,
                             const ParsedFrame& pf, std::uint8_t type, std::uint8_t code,
                             std::uint16_t next_hop_mtu, net::Ipv4Address from,
                             const net::MacAddress& dst_mac,
                             const net::MacAddress& src_mac) noexcept {
    std::size_t quoted = std::min(pf.ip_total_length, pf.ip_header_size + 8);
    std::size_t icmp_len = 8 + quoted;
    std::size_t total = kEthernetHeaderSize + kIpv4MinHeaderSize + icmp_len;
    if (out.size() < std::max(total, kMinFrame) || original.size() < pf.l3 + quoted) return 0;
    std::uint8_t* p = out.data();
    write_ethernet(p, dst_mac, src_mac, kEtherTypeIpv4);
    std::uint8_t* ip = p + kEthernetHeaderSize;
    write_ipv4(ip, static_cast<std::uint16_t>(kIpv4MinHeaderSize + icmp_len), net::Protocol::kIcmp,
               from, pf.key.src);
    std::uint8_t* icmp = ip + kIpv4MinHeaderSize;
    icmp[0] = type;
    icmp[1] = code;
    store16(icmp + 2, 0);
    store16(icmp + 4, 0);
    store16(icmp + 6, type == 3 && code == 4 ? next_hop_mtu : 0);
    std::memcpy(icmp + 8, original.data() + pf.l3, quoted);
    store16(icmp + 2, fold_checksum(ones_sum({icmp, icmp_len})));
    return padded(out, total);
}

std::size_t build_tcp_rst(std::span<std::uint8_t> out, std::span<const std::uint8_t> original,
                          const ParsedFrame& pf, const net::MacAddress& dst_mac,
                          const net::MacAddress& src_mac) noexcept {
    constexpr std::size_t kTcpHeader = 20;
    std::size_t total = kEthernetHeaderSize + kIpv4MinHeaderSize + kTcpHeader;
    if (out.size() < std::max(total, kMinFrame) || !pf.has_l4 ||
        pf.key.protocol != net::Protocol::kTcp) {
        return 0;
    }
    const std::uint8_t* seg = original.data() + pf.l4;
    std::uint32_t seq = load32(seg + 4);
    std::uint32_t ack = load32(seg + 8);
    std::size_t data_offset = static_cast<std::size_t>(seg[12] >> 4) * 4;
    std::uint32_t payload =
        static_cast<std::uint32_t>(pf.ip_total_length - pf.ip_header_size - data_offset);
    if ((pf.tcp_flags & kTcpSyn) != 0) ++payload;
    if ((pf.tcp_flags & kTcpFin) != 0) ++payload;

    std::uint8_t* p = out.data();
    write_ethernet(p, dst_mac, src_mac, kEtherTypeIpv4);
    std::uint8_t* ip = p + kEthernetHeaderSize;
    write_ipv4(ip, static_cast<std::uint16_t>(kIpv4MinHeaderSize + kTcpHeader), net::Protocol::kTcp,
               pf.key.dst, pf.key.src);
    std::uint8_t* tcp = ip + kIpv4MinHeaderSize;
    std::memset(tcp, 0, kTcpHeader);
    store16(tcp, pf.key.dst_port);
    store16(tcp + 2, pf.key.src_port);
    tcp[12] = 5 << 4;
    if ((pf.tcp_flags & kTcpAck) != 0) {
        store32(tcp + 4, ack);
        tcp[13] = kTcpRst;
    } else {
        store32(tcp + 8, seq + payload);
        tcp[13] = kTcpRst | kTcpAck;
    }
    // Pseudo-header: source, destination, zero + protocol, TCP length.
    std::uint32_t sum = 0;
    sum += pf.key.dst.value() >> 16;
    sum += pf.key.dst.value() & 0xffff;
    sum += pf.key.src.value() >> 16;
    sum += pf.key.src.value() & 0xffff;
    sum += net::Protocol::kTcp;
    sum += kTcpHeader;
    store16(tcp + 16, fold_checksum(ones_sum({tcp, kTcpHeader}, sum)));
    return padded(out, total);
}

}  // namespace vpcstack::engine
