#include "vpcstack/engine/packet.hpp"

#include "vpcstack/engine/checksum.hpp"
#include "vpcstack/policy/nat.hpp"

namespace vpcstack::engine {

net::MacAddress load_mac(const std::uint8_t* p) noexcept {
    return net::MacAddress({p[0], p[1], p[2], p[3], p[4], p[5]});
}

void store_mac(std::uint8_t* p, const net::MacAddress& mac) noexcept {
    for (std::size_t i = 0; i < 6; ++i) p[i] = mac.octets()[i];
}

namespace {

ParsedFrame malformed(ParsedFrame pf) noexcept {
    pf.outcome = ParseOutcome::Malformed;
    return pf;
}

bool parse_arp(std::span<const std::uint8_t> frame, ParsedFrame& pf) noexcept {
    if (frame.size() < kEthernetHeaderSize + kArpSize) return false;
    const std::uint8_t* a = frame.data() + kEthernetHeaderSize;
    // Ethernet hardware (1), IPv4 protocol, 6-byte and 4-byte addresses.
    if (load16(a) != 1 || load16(a + 2) != kEtherTypeIpv4 || a[4] != 6 || a[5] != 4) return false;
    pf.arp_op = load16(a + 6);
    pf.arp_sender_mac = load_mac(a + 8);
    pf.arp_sender_ip = net::Ipv4Address(load32(a + 14));
    pf.arp_target_ip = net::Ipv4Address(load32(a + 24));
    return true;
}

// The tuple of the packet embedded in an ICMP error (its IP header and at least 8 bytes).
IcmpErrorInner parse_icmp_inner(const std::uint8_t* frame, std::size_t offset,
                                std::size_t len) noexcept {
    IcmpErrorInner inner;
    const std::uint8_t* p = frame + offset;
    inner.l3 = offset;
    inner.end = offset + len;
    if (len < kIpv4MinHeaderSize) return inner;
    if ((p[0] >> 4) != 4) return inner;
    std::size_t ihl = static_cast<std::size_t>(p[0] & 0x0f) * 4;
    if (ihl < kIpv4MinHeaderSize || ihl > len) return inner;
    inner.tuple.protocol = p[9];
    inner.tuple.src = net::Ipv4Address(load32(p + 12));
    inner.tuple.dst = net::Ipv4Address(load32(p + 16));
    const std::uint8_t* l4 = p + ihl;
    std::size_t l4_len = len - ihl;
    bool first = (load16(p + 6) & 0x1fff) == 0;
    if (first && (inner.tuple.protocol == net::Protocol::kTcp ||
                  inner.tuple.protocol == net::Protocol::kUdp)) {
        if (l4_len < 4) return inner;
        inner.tuple.src_port = load16(l4);
        inner.tuple.dst_port = load16(l4 + 2);
        inner.has_ports = true;
    } else if (first && inner.tuple.protocol == net::Protocol::kIcmp) {
        if (l4_len < 8) return inner;
        inner.tuple.src_port = load16(l4 + 4);
        inner.has_ports = true;
    }
    inner.l4 = offset + ihl;
    inner.present = true;
    return inner;
}

bool parse_l4(const std::uint8_t* frame, std::size_t l4_offset, std::size_t len,
              ParsedFrame& pf) noexcept {
    const std::uint8_t* l4 = frame + l4_offset;
    switch (pf.key.protocol) {
        case net::Protocol::kTcp: {
            if (len < 20) return false;
            std::size_t data_offset = static_cast<std::size_t>(l4[12] >> 4) * 4;
            if (data_offset < 20 || data_offset > len) return false;
            pf.key.src_port = load16(l4);
            pf.key.dst_port = load16(l4 + 2);
            pf.tcp_flags = l4[13];
            pf.tuple.src_port = pf.key.src_port;
            pf.tuple.dst_port = pf.key.dst_port;
            return true;
        }
        case net::Protocol::kUdp: {
            if (len < 8) return false;
            std::size_t udp_length = load16(l4 + 4);
            // A first fragment carries only part of the datagram the length describes.
            if (udp_length < 8 || (!pf.fragment && udp_length > len)) return false;
            pf.key.src_port = load16(l4);
            pf.key.dst_port = load16(l4 + 2);
            pf.tuple.src_port = pf.key.src_port;
            pf.tuple.dst_port = pf.key.dst_port;
            return true;
        }
        case net::Protocol::kIcmp: {
            if (len < 8) return false;
            pf.icmp_type = l4[0];
            pf.icmp_code = l4[1];
            pf.key.icmp_type = pf.icmp_type;
            pf.key.icmp_code = pf.icmp_code;
            pf.icmp_query = policy::is_icmp_query(pf.icmp_type);
            if (pf.icmp_query) {
                pf.tuple.src_port = load16(l4 + 4);  // the query id, as conntrack keeps it
            } else if (pf.icmp_type == 3 || pf.icmp_type == 11 || pf.icmp_type == 12) {
                pf.icmp_inner = parse_icmp_inner(frame, l4_offset + 8, len - 8);
            }
            return true;
        }
        default:
            return true;  // other protocols: addresses and protocol only
    }
}

}  // namespace

ParsedFrame parse_frame(std::span<const std::uint8_t> frame) noexcept {
    ParsedFrame pf;
    if (frame.size() < kEthernetHeaderSize) return malformed(pf);
    const std::uint8_t* d = frame.data();
    pf.dst_mac = load_mac(d);
    pf.src_mac = load_mac(d + 6);
    pf.ether_type = load16(d + 12);

    if (pf.ether_type == kEtherTypeArp) {
        if (!parse_arp(frame, pf)) return malformed(pf);
        pf.outcome = ParseOutcome::Arp;
        return pf;
    }
    if (pf.ether_type != kEtherTypeIpv4) {
        pf.outcome = ParseOutcome::NotIpv4;
        return pf;
    }

    std::size_t available = frame.size() - kEthernetHeaderSize;
    const std::uint8_t* ip = d + kEthernetHeaderSize;
    if (available < kIpv4MinHeaderSize) return malformed(pf);
    if ((ip[0] >> 4) != 4) return malformed(pf);
    pf.ip_header_size = static_cast<std::size_t>(ip[0] & 0x0f) * 4;
    if (pf.ip_header_size < kIpv4MinHeaderSize || pf.ip_header_size > available) {
        return malformed(pf);
    }
    pf.ip_total_length = load16(ip + 2);
    if (pf.ip_total_length < pf.ip_header_size || pf.ip_total_length > available) {
        return malformed(pf);
    }
    // A header whose checksum does not verify is damaged: the sum over it, checksum included,
    // must fold to zero.
    if (fold_checksum(ones_sum({ip, pf.ip_header_size})) != 0) return malformed(pf);

    std::uint16_t flags_offset = load16(ip + 6);
    pf.dont_fragment = (flags_offset & 0x4000) != 0;
    bool more_fragments = (flags_offset & 0x2000) != 0;
    std::uint16_t offset = flags_offset & 0x1fff;
    pf.fragment = more_fragments || offset != 0;
    pf.first_fragment = offset == 0;
    pf.ip_id = load16(ip + 4);
    pf.ttl = ip[8];
    pf.key.protocol = ip[9];
    pf.key.src = net::Ipv4Address(load32(ip + 12));
    pf.key.dst = net::Ipv4Address(load32(ip + 16));
    pf.tuple.protocol = pf.key.protocol;
    pf.tuple.src = pf.key.src;
    pf.tuple.dst = pf.key.dst;
    pf.l4 = pf.l3 + pf.ip_header_size;

    if (pf.first_fragment) {
        std::size_t l4_len = pf.ip_total_length - pf.ip_header_size;
        if (!parse_l4(d, pf.l4, l4_len, pf)) return malformed(pf);
        pf.has_l4 = pf.key.protocol == net::Protocol::kTcp ||
                    pf.key.protocol == net::Protocol::kUdp ||
                    pf.key.protocol == net::Protocol::kIcmp;
    }
    pf.outcome = ParseOutcome::Ipv4;
    return pf;
}

}  // namespace vpcstack::engine
