#include "vpcstack/engine/packet.hpp"

#include "vpcstack/net/arp.hpp"
#include "vpcstack/net/icmp.hpp"
#include "vpcstack/net/udp.hpp"

namespace vpcstack::engine {

namespace {

using net::load16;
using net::load32;
namespace ethernet = net::ethernet;
namespace ipv4 = net::ipv4;
namespace arp = net::arp;
namespace tcp = net::tcp;
namespace udp = net::udp;
namespace icmp = net::icmp;

ParsedFrame malformed(ParsedFrame pf) noexcept {
    pf.outcome = ParseOutcome::Malformed;
    return pf;
}

bool parse_arp(std::span<const std::uint8_t> frame, ParsedFrame& pf) noexcept {
    if (frame.size() < ethernet::kHeaderSize + arp::kSize) return false;
    const std::uint8_t* a = frame.data() + ethernet::kHeaderSize;
    if (net::load16(a + arp::kHardwareType) != arp::kHardwareEthernet ||
        net::load16(a + arp::kProtocolType) != ethernet::kTypeIpv4 ||
        a[arp::kHardwareSize] != arp::kEthernetAddressSize ||
        a[arp::kProtocolSize] != arp::kIpv4AddressSize) {
        return false;
    }
    pf.arp_op = net::load16(a + arp::kOperation);
    pf.arp_sender_mac = net::load_mac(a + arp::kSenderMac);
    pf.arp_sender_ip = net::Ipv4Address(net::load32(a + arp::kSenderIp));
    pf.arp_target_ip = net::Ipv4Address(net::load32(a + arp::kTargetIp));
    return true;
}

// The tuple of the packet embedded in an ICMP error (its IP header and at least 8 bytes).
IcmpErrorInner parse_icmp_inner(const std::uint8_t* frame, std::size_t offset,
                                std::size_t len) noexcept {
    IcmpErrorInner inner;
    const std::uint8_t* p = frame + offset;
    inner.l3 = offset;
    inner.end = offset + len;
    if (len < ipv4::kMinHeaderSize) return inner;
    if (ipv4::version(p) != ipv4::kVersion) return inner;
    std::size_t ihl = ipv4::header_size(p);
    if (ihl < ipv4::kMinHeaderSize || ihl > len) return inner;
    inner.tuple.protocol = p[ipv4::kProtocol];
    inner.tuple.src = net::Ipv4Address(net::load32(p + ipv4::kSrc));
    inner.tuple.dst = net::Ipv4Address(net::load32(p + ipv4::kDst));
    const std::uint8_t* l4 = p + ihl;
    std::size_t l4_len = len - ihl;
    bool first = (net::load16(p + ipv4::kFlagsFragment) & ipv4::kFragmentOffsetMask) == 0;
    if (first && (inner.tuple.protocol == net::Protocol::kTcp ||
                  inner.tuple.protocol == net::Protocol::kUdp)) {
        if (l4_len < 4) return inner;  // both ports
        inner.tuple.src_port = net::load16(l4 + udp::kSrcPort);
        inner.tuple.dst_port = net::load16(l4 + udp::kDstPort);
        inner.has_ports = true;
    } else if (first && inner.tuple.protocol == net::Protocol::kIcmp) {
        if (l4_len < icmp::kHeaderSize) return inner;
        inner.tuple.src_port = net::load16(l4 + icmp::kQueryId);
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
            if (len < tcp::kMinHeaderSize) return false;
            std::size_t data_offset = tcp::header_size(l4);
            if (data_offset < tcp::kMinHeaderSize || data_offset > len) return false;
            pf.key.src_port = net::load16(l4 + tcp::kSrcPort);
            pf.key.dst_port = net::load16(l4 + tcp::kDstPort);
            pf.tcp_flags = l4[tcp::kFlags];
            pf.tuple.src_port = pf.key.src_port;
            pf.tuple.dst_port = pf.key.dst_port;
            return true;
        }
        case net::Protocol::kUdp: {
            if (len < udp::kHeaderSize) return false;
            std::size_t udp_length = net::load16(l4 + udp::kLength);
            // A first fragment carries only part of the datagram the length describes.
            if (udp_length < udp::kHeaderSize || (!pf.fragment && udp_length > len)) return false;
            pf.key.src_port = net::load16(l4 + udp::kSrcPort);
            pf.key.dst_port = net::load16(l4 + udp::kDstPort);
            pf.tuple.src_port = pf.key.src_port;
            pf.tuple.dst_port = pf.key.dst_port;
            return true;
        }
        case net::Protocol::kIcmp: {
            if (len < icmp::kHeaderSize) return false;
            pf.icmp_type = l4[icmp::kType];
            pf.icmp_code = l4[icmp::kCode];
            pf.key.icmp_type = pf.icmp_type;
            pf.key.icmp_code = pf.icmp_code;
            pf.icmp_query = icmp::is_query(pf.icmp_type);
            if (pf.icmp_query) {
                pf.tuple.src_port = net::load16(l4 + icmp::kQueryId);  // as conntrack keeps it
            } else if (pf.icmp_type == icmp::kDestinationUnreachable ||
                       pf.icmp_type == icmp::kTimeExceeded ||
                       pf.icmp_type == icmp::kParameterProblem) {
                // The errors the engine translates (source quench and redirect are not).
                pf.icmp_inner =
                    parse_icmp_inner(frame, l4_offset + icmp::kQuote, len - icmp::kHeaderSize);
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
    if (frame.size() < ethernet::kHeaderSize) return malformed(pf);
    const std::uint8_t* d = frame.data();
    pf.dst_mac = net::load_mac(d + ethernet::kDstMac);
    pf.src_mac = net::load_mac(d + ethernet::kSrcMac);
    pf.ether_type = net::load16(d + ethernet::kEtherType);

    if (pf.ether_type == ethernet::kTypeArp) {
        if (!parse_arp(frame, pf)) return malformed(pf);
        pf.outcome = ParseOutcome::Arp;
        return pf;
    }
    if (pf.ether_type != ethernet::kTypeIpv4) {
        pf.outcome = ParseOutcome::NotIpv4;
        return pf;
    }

    std::size_t available = frame.size() - ethernet::kHeaderSize;
    const std::uint8_t* ip = d + ethernet::kHeaderSize;
    if (available < ipv4::kMinHeaderSize) return malformed(pf);
    if (ipv4::version(ip) != ipv4::kVersion) return malformed(pf);
    pf.ip_header_size = ipv4::header_size(ip);
    if (pf.ip_header_size < ipv4::kMinHeaderSize || pf.ip_header_size > available) {
        return malformed(pf);
    }
    pf.ip_total_length = net::load16(ip + ipv4::kTotalLength);
    if (pf.ip_total_length < pf.ip_header_size || pf.ip_total_length > available) {
        return malformed(pf);
    }
    // A header whose checksum does not verify is damaged: the sum over it, checksum included,
    // must fold to all ones.
    if (net::fold(net::ones_sum({ip, pf.ip_header_size})) != 0xffff) return malformed(pf);

    std::uint16_t flags_offset = net::load16(ip + ipv4::kFlagsFragment);
    pf.dont_fragment = (flags_offset & ipv4::kDontFragment) != 0;
    bool more_fragments = (flags_offset & ipv4::kMoreFragments) != 0;
    std::uint16_t offset = flags_offset & ipv4::kFragmentOffsetMask;
    pf.fragment = more_fragments || offset != 0;
    pf.first_fragment = offset == 0;
    pf.ip_id = net::load16(ip + ipv4::kId);
    pf.ttl = ip[ipv4::kTtl];
    pf.key.protocol = ip[ipv4::kProtocol];
    pf.key.src = net::Ipv4Address(net::load32(ip + ipv4::kSrc));
    pf.key.dst = net::Ipv4Address(net::load32(ip + ipv4::kDst));
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
