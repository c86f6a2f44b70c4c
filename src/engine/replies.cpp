#include "vpcstack/engine/replies.hpp"
#include "vpcstack/net/udp.hpp"

#include <algorithm>
#include <cstring>

#include "vpcstack/net/arp.hpp"
#include "vpcstack/net/bytes.hpp"
#include "vpcstack/net/checksum.hpp"
#include "vpcstack/net/ethernet.hpp"
#include "vpcstack/net/icmp.hpp"
#include "vpcstack/net/ipv4_header.hpp"
#include "vpcstack/net/tcp.hpp"

namespace vpcstack::engine {

namespace {

using net::load32;
using net::store16;
using net::store32;
using net::store_mac;
namespace ethernet = net::ethernet;
namespace ipv4 = net::ipv4;
namespace arp = net::arp;
namespace tcp = net::tcp;
namespace icmp = net::icmp;

void write_ethernet(std::uint8_t* p, const net::MacAddress& dst, const net::MacAddress& src,
                    std::uint16_t type) noexcept {
    net::store_mac(p + ethernet::kDstMac, dst);
    net::store_mac(p + ethernet::kSrcMac, src);
    net::store16(p + ethernet::kEtherType, type);
}

void write_ipv4(std::uint8_t* ip, std::uint16_t total_length, std::uint8_t protocol,
                net::Ipv4Address src, net::Ipv4Address dst, std::uint8_t ttl = kReplyTtl) noexcept {
    ip[ipv4::kVersionIhl] = ipv4::kVersionIhlNoOptions;
    ip[ipv4::kTos] = 0;
    net::store16(ip + ipv4::kTotalLength, total_length);
    net::store16(ip + ipv4::kId, 0);
    net::store16(ip + ipv4::kFlagsFragment, ipv4::kDontFragment);
    ip[ipv4::kTtl] = ttl;
    ip[ipv4::kProtocol] = protocol;
    net::store16(ip + ipv4::kChecksum, 0);
    net::store32(ip + ipv4::kSrc, src.value());
    net::store32(ip + ipv4::kDst, dst.value());
    net::store16(ip + ipv4::kChecksum, net::checksum(net::ones_sum({ip, ipv4::kMinHeaderSize})));
}

std::size_t padded(std::span<std::uint8_t> out, std::size_t length) noexcept {
    if (length < ethernet::kMinFrameSize) {
        std::fill(out.begin() + static_cast<std::ptrdiff_t>(length),
                  out.begin() + static_cast<std::ptrdiff_t>(ethernet::kMinFrameSize), 0);
        return ethernet::kMinFrameSize;
    }
    return length;
}

}  // namespace

std::size_t build_arp_reply(std::span<std::uint8_t> out, const ParsedFrame& request,
                            const net::MacAddress& answered_mac) noexcept {
    if (out.size() < ethernet::kMinFrameSize) return 0;
    std::uint8_t* p = out.data();
    write_ethernet(p, request.arp_sender_mac, answered_mac, ethernet::kTypeArp);
    std::uint8_t* a = p + ethernet::kHeaderSize;
    net::store16(a + arp::kHardwareType, arp::kHardwareEthernet);
    net::store16(a + arp::kProtocolType, ethernet::kTypeIpv4);
    a[arp::kHardwareSize] = arp::kEthernetAddressSize;
    a[arp::kProtocolSize] = arp::kIpv4AddressSize;
    net::store16(a + arp::kOperation, arp::kReply);
    net::store_mac(a + arp::kSenderMac, answered_mac);
    net::store32(a + arp::kSenderIp, request.arp_target_ip.value());
    net::store_mac(a + arp::kTargetMac, request.arp_sender_mac);
    net::store32(a + arp::kTargetIp, request.arp_sender_ip.value());
    return padded(out, ethernet::kHeaderSize + arp::kSize);
}

std::size_t build_icmp_error(std::span<std::uint8_t> out, std::span<const std::uint8_t> original,
                             const ParsedFrame& pf, std::uint8_t type, std::uint8_t code,
                             std::uint16_t next_hop_mtu, net::Ipv4Address from,
                             const net::MacAddress& dst_mac,
                             const net::MacAddress& src_mac) noexcept {
    std::size_t quoted = std::min(pf.ip_total_length, pf.ip_header_size + icmp::kQuotedPayload);
    std::size_t icmp_len = icmp::kHeaderSize + quoted;
    std::size_t total = ethernet::kHeaderSize + ipv4::kMinHeaderSize + icmp_len;
    if (out.size() < std::max(total, ethernet::kMinFrameSize) || original.size() < pf.l3 + quoted) {
        return 0;
    }
    std::uint8_t* p = out.data();
    write_ethernet(p, dst_mac, src_mac, ethernet::kTypeIpv4);
    std::uint8_t* ip = p + ethernet::kHeaderSize;
    write_ipv4(ip, static_cast<std::uint16_t>(ipv4::kMinHeaderSize + icmp_len),
               net::Protocol::kIcmp, from, pf.key.src);
    std::uint8_t* m = ip + ipv4::kMinHeaderSize;
    m[icmp::kType] = type;
    m[icmp::kCode] = code;
    net::store16(m + icmp::kChecksum, 0);
    net::store32(m + icmp::kRestOfHeader, 0);
    net::store16(m + icmp::kNextHopMtu,
                 type == icmp::kDestinationUnreachable && code == icmp::kFragmentationNeeded
                     ? next_hop_mtu
                     : 0);
    std::memcpy(m + icmp::kQuote, original.data() + pf.l3, quoted);
    net::store16(m + icmp::kChecksum, net::checksum(net::ones_sum({m, icmp_len})));
    return padded(out, total);
}

std::size_t build_tcp_rst(std::span<std::uint8_t> out, std::span<const std::uint8_t> original,
                          const ParsedFrame& pf, const net::MacAddress& dst_mac,
                          const net::MacAddress& src_mac) noexcept {
    constexpr std::size_t kTcpHeader = tcp::kMinHeaderSize;
    std::size_t total = ethernet::kHeaderSize + ipv4::kMinHeaderSize + kTcpHeader;
    if (out.size() < std::max(total, ethernet::kMinFrameSize) || !pf.has_l4 ||
        pf.key.protocol != net::Protocol::kTcp) {
        return 0;
    }
    const std::uint8_t* seg = original.data() + pf.l4;
    std::uint32_t seq = net::load32(seg + tcp::kSeqNumber);
    std::uint32_t ack = net::load32(seg + tcp::kAckNumber);
    std::size_t data_offset = tcp::header_size(seg);
    std::uint32_t payload =
        static_cast<std::uint32_t>(pf.ip_total_length - pf.ip_header_size - data_offset);
    if ((pf.tcp_flags & tcp::kSyn) != 0) ++payload;
    if ((pf.tcp_flags & tcp::kFin) != 0) ++payload;

    std::uint8_t* p = out.data();
    write_ethernet(p, dst_mac, src_mac, ethernet::kTypeIpv4);
    std::uint8_t* ip = p + ethernet::kHeaderSize;
    write_ipv4(ip, static_cast<std::uint16_t>(ipv4::kMinHeaderSize + kTcpHeader),
               net::Protocol::kTcp, pf.key.dst, pf.key.src);
    std::uint8_t* t = ip + ipv4::kMinHeaderSize;
    std::memset(t, 0, kTcpHeader);
    net::store16(t + tcp::kSrcPort, pf.key.dst_port);
    net::store16(t + tcp::kDstPort, pf.key.src_port);
    t[tcp::kDataOffset] = tcp::kDataOffsetNoOptions;
    if ((pf.tcp_flags & tcp::kAck) != 0) {
        net::store32(t + tcp::kSeqNumber, ack);
        t[tcp::kFlags] = tcp::kRst;
    } else {
        net::store32(t + tcp::kAckNumber, seq + payload);
        t[tcp::kFlags] = tcp::kRst | tcp::kAck;
    }
    std::uint32_t pseudo =
        net::pseudo_header_sum(pf.key.dst, pf.key.src, net::Protocol::kTcp, kTcpHeader);
    net::store16(t + tcp::kChecksum, net::checksum(net::ones_sum({t, kTcpHeader}, pseudo)));
    return padded(out, total);
}

std::size_t build_udp_reply(std::span<std::uint8_t> out, const ParsedFrame& pf,
                            std::span<const std::uint8_t> payload, const net::MacAddress& dst_mac,
                            const net::MacAddress& src_mac) noexcept {
    const std::size_t udp_length = net::udp::kHeaderSize + payload.size();
    const std::size_t ip_length = ipv4::kMinHeaderSize + udp_length;
    const std::size_t frame = ethernet::kHeaderSize + ip_length;
    if (frame > out.size() || ip_length > 0xffff || !pf.has_l4) return 0;
    std::uint8_t* p = out.data();
    write_ethernet(p, dst_mac, src_mac, ethernet::kTypeIpv4);
    std::uint8_t* ip = p + ethernet::kHeaderSize;
    write_ipv4(ip, static_cast<std::uint16_t>(ip_length), net::Protocol::kUdp, pf.key.dst,
               pf.key.src);
    std::uint8_t* u = ip + ipv4::kMinHeaderSize;
    net::store16(u + net::udp::kSrcPort, pf.tuple.dst_port);
    net::store16(u + net::udp::kDstPort, pf.tuple.src_port);
    net::store16(u + net::udp::kLength, static_cast<std::uint16_t>(udp_length));
    net::store16(u + net::udp::kChecksum, 0);
    std::copy(payload.begin(), payload.end(), u + net::udp::kHeaderSize);
    const std::uint32_t pseudo = net::pseudo_header_sum(pf.key.dst, pf.key.src, net::Protocol::kUdp,
                                                        static_cast<std::uint16_t>(udp_length));
    std::uint16_t sum = net::checksum(net::ones_sum({u, udp_length}, pseudo));
    // RFC 768: a computed zero is sent as all ones (zero means "no checksum").
    if (sum == 0) sum = 0xffff;
    net::store16(u + net::udp::kChecksum, sum);
    return padded(out, frame);
}

std::size_t build_tcp_segment(std::span<std::uint8_t> out, const ParsedFrame& pf,
                              const TcpSegment& segment, const net::MacAddress& dst_mac,
                              const net::MacAddress& src_mac) noexcept {
    constexpr std::size_t kMssOptionSize = 4;
    const std::size_t header =
        tcp::kMinHeaderSize + (segment.mss != 0 ? kMssOptionSize : std::size_t{0});
    const std::size_t ip_length = ipv4::kMinHeaderSize + header + segment.payload.size();
    const std::size_t frame = ethernet::kHeaderSize + ip_length;
    if (std::max(frame, ethernet::kMinFrameSize) > out.size() || ip_length > 0xffff || !pf.has_l4) {
        return 0;
    }
    std::uint8_t* p = out.data();
    write_ethernet(p, dst_mac, src_mac, ethernet::kTypeIpv4);
    std::uint8_t* ip = p + ethernet::kHeaderSize;
    write_ipv4(ip, static_cast<std::uint16_t>(ip_length), net::Protocol::kTcp, pf.key.dst,
               pf.key.src, segment.ttl);
    std::uint8_t* t = ip + ipv4::kMinHeaderSize;
    std::memset(t, 0, header);
    store16(t + tcp::kSrcPort, pf.tuple.dst_port);
    store16(t + tcp::kDstPort, pf.tuple.src_port);
    store32(t + tcp::kSeqNumber, segment.seq);
    store32(t + tcp::kAckNumber, segment.ack);
    t[tcp::kDataOffset] = static_cast<std::uint8_t>((header / 4) << 4);
    t[tcp::kFlags] = segment.flags;
    store16(t + tcp::kWindow, segment.window);
    if (segment.mss != 0) {
        constexpr std::uint8_t kOptionMss = 2;  // RFC 9293: kind 2, length 4
        t[tcp::kMinHeaderSize] = kOptionMss;
        t[tcp::kMinHeaderSize + 1] = kMssOptionSize;
        store16(t + tcp::kMinHeaderSize + 2, segment.mss);
    }
    std::copy(segment.payload.begin(), segment.payload.end(), t + header);
    const std::size_t tcp_length = header + segment.payload.size();
    const std::uint32_t pseudo = net::pseudo_header_sum(pf.key.dst, pf.key.src, net::Protocol::kTcp,
                                                        static_cast<std::uint16_t>(tcp_length));
    store16(t + tcp::kChecksum, net::checksum(net::ones_sum({t, tcp_length}, pseudo)));
    return padded(out, frame);
}

}  // namespace vpcstack::engine
