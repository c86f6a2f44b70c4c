#include "vpcstack/sim/packet.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "vpcstack/net/arp.hpp"
#include "vpcstack/net/bytes.hpp"
#include "vpcstack/net/checksum.hpp"
#include "vpcstack/net/ethernet.hpp"
#include "vpcstack/net/ipv4_header.hpp"
#include "vpcstack/net/udp.hpp"

namespace vpcstack::sim {
namespace {

using net::load16;
using net::load32;
using net::load_mac;
namespace ethernet = net::ethernet;
namespace ipv4 = net::ipv4;
namespace arp = net::arp;
namespace tcp = net::tcp;
namespace udp = net::udp;
namespace icmp = net::icmp;

// Appends big-endian fields to a frame under construction.
class Writer {
  public:
    explicit Writer(Frame& out) : out_(out) {}
    void u8(std::uint8_t v) { out_.push_back(v); }
    void u16(std::uint16_t v) {
        std::uint8_t b[2];
        net::store16(b, v);
        out_.insert(out_.end(), b, b + 2);
    }
    void u32(std::uint32_t v) {
        std::uint8_t b[4];
        net::store32(b, v);
        out_.insert(out_.end(), b, b + 4);
    }
    void mac(net::MacAddress m) { out_.insert(out_.end(), m.octets().begin(), m.octets().end()); }
    void ip(net::Ipv4Address a) { u32(a.value()); }
    void bytes(std::span<const std::uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
    void zeros(std::size_t n) { out_.insert(out_.end(), n, 0); }

  private:
    Frame& out_;
};

void put16(Frame& f, std::size_t at, std::uint16_t v) {
    net::store16(f.data() + at, v);
}

// The checksum of bytes whose checksum field is still zero.
std::uint16_t checksum_of(std::span<const std::uint8_t> bytes) {
    return net::checksum(net::ones_sum(bytes));
}

void ethernet_header(Writer& w, net::MacAddress src, net::MacAddress dst, std::uint16_t type) {
    w.mac(dst);
    w.mac(src);
    w.u16(type);
}

void pad(Frame& f) {
    if (f.size() < ethernet::kMinFrameSize) f.resize(ethernet::kMinFrameSize, 0);
}

// An IPv4 frame is built in place: the Ethernet header and room for the IPv4 header, then the
// transport segment appended behind them, then the IPv4 header filled in.
constexpr std::size_t kIpStart = ethernet::kHeaderSize;
constexpr std::size_t kL4Start = kIpStart + ipv4::kMinHeaderSize;

void begin_ipv4(Frame& f, net::MacAddress src_mac, net::MacAddress dst_mac,
                std::size_t segment_size) {
    f.clear();
    f.reserve(std::max(kL4Start + segment_size, ethernet::kMinFrameSize));  // padded at the end
    Writer w(f);
    ethernet_header(w, src_mac, dst_mac, ethernet::kTypeIpv4);
    w.zeros(ipv4::kMinHeaderSize);
}

void finish_ipv4(Frame& f, net::Ipv4Address src, net::Ipv4Address dst, std::uint8_t protocol,
                 std::uint8_t ttl, std::uint16_t flags_offset, std::uint16_t id) {
    std::uint8_t* ip = f.data() + kIpStart;
    ip[0] = ipv4::kVersionIhlNoOptions;
    ip[1] = 0;
    net::store16(ip + 2, static_cast<std::uint16_t>(f.size() - kIpStart));
    net::store16(ip + 4, id);
    net::store16(ip + 6, flags_offset);
    ip[8] = ttl;
    ip[9] = protocol;
    net::store16(ip + 10, 0);
    net::store32(ip + 12, src.value());
    net::store32(ip + 16, dst.value());
    put16(f, kIpStart + ipv4::kChecksum,
          checksum_of(std::span(f).subspan(kIpStart, ipv4::kMinHeaderSize)));
    pad(f);
}

// Writes the IPv4 header (checksum included) in front of an already built transport segment.
Frame ipv4_frame(net::MacAddress src_mac, net::MacAddress dst_mac, net::Ipv4Address src,
                 net::Ipv4Address dst, std::uint8_t protocol, std::uint8_t ttl,
                 std::uint16_t flags_offset, std::uint16_t id, const Frame& segment) {
    Frame f;
    begin_ipv4(f, src_mac, dst_mac, segment.size());
    Writer(f).bytes(segment);
    finish_ipv4(f, src, dst, protocol, ttl, flags_offset, id);
    return f;
}

// TCP and UDP checksums cover a pseudo-header of addresses, protocol and length; the segment
// runs from `start` to the end of the frame.
void transport_checksum(Frame& f, std::size_t start, std::size_t checksum_at, net::Ipv4Address src,
                        net::Ipv4Address dst, std::uint8_t protocol) {
    std::span<const std::uint8_t> segment = std::span(f).subspan(start);
    std::uint32_t pseudo = net::pseudo_header_sum(src, dst, protocol, segment.size());
    std::uint16_t c = net::checksum(net::ones_sum(segment, pseudo));
    put16(f, start + checksum_at, protocol == net::Protocol::kUdp ? udp::wire_checksum(c) : c);
}

void decode_transport(const std::uint8_t* p, std::size_t len, DecodedFrame& out, bool& ok);

// The header and first bytes of the packet an ICMP error quotes.
std::optional<net::FiveTuple> decode_quoted(const std::uint8_t* p, std::size_t len) {
    if (len < ipv4::kMinHeaderSize || ipv4::version(p) != ipv4::kVersion) return std::nullopt;
    std::size_t ihl = ipv4::header_size(p);
    if (ihl < ipv4::kMinHeaderSize || ihl > len) return std::nullopt;
    net::FiveTuple t;
    t.protocol = p[ipv4::kProtocol];
    t.src = net::Ipv4Address(load32(p + ipv4::kSrc));
    t.dst = net::Ipv4Address(load32(p + ipv4::kDst));
    const std::uint8_t* l4 = p + ihl;
    std::size_t l4len = len - ihl;
    if ((t.protocol == net::Protocol::kTcp || t.protocol == net::Protocol::kUdp) && l4len >= 4) {
        t.src_port = load16(l4 + udp::kSrcPort);  // TCP: the same offsets
        t.dst_port = load16(l4 + udp::kDstPort);
    } else if (t.protocol == net::Protocol::kIcmp && l4len >= icmp::kHeaderSize &&
               icmp::is_echo(l4[icmp::kType])) {
        t.src_port = load16(l4 + icmp::kQueryId);
    }
    return t;
}

void decode_transport(const std::uint8_t* p, std::size_t len, DecodedFrame& out, bool& ok) {
    switch (out.protocol) {
        case net::Protocol::kTcp: {
            if (len < tcp::kMinHeaderSize) return void(ok = false);
            std::size_t offset = tcp::header_size(p);
            if (offset < tcp::kMinHeaderSize || offset > len) return void(ok = false);
            out.src_port = load16(p + tcp::kSrcPort);
            out.dst_port = load16(p + tcp::kDstPort);
            out.seq = load32(p + tcp::kSeqNumber);
            out.ack = load32(p + tcp::kAckNumber);
            out.tcp_flags = p[tcp::kFlags] & 0x3f;  // without ECE and CWR
            out.payload_size = len - offset;
            return;
        }
        case net::Protocol::kUdp: {
            if (len < udp::kHeaderSize) return void(ok = false);
            std::uint16_t udp_length = load16(p + udp::kLength);
            if (udp_length < udp::kHeaderSize || udp_length > len) return void(ok = false);
            out.src_port = load16(p + udp::kSrcPort);
            out.dst_port = load16(p + udp::kDstPort);
            out.payload_size = udp_length - udp::kHeaderSize;
            return;
        }
        case net::Protocol::kIcmp: {
            if (len < icmp::kHeaderSize) return void(ok = false);
            IcmpView view;
            view.type = p[icmp::kType];
            view.code = p[icmp::kCode];
            if (icmp::is_echo(view.type)) {
                view.id = load16(p + icmp::kQueryId);
                view.sequence = load16(p + icmp::kQuerySequence);
            }
            if (view.type == icmp::kDestinationUnreachable &&
                view.code == icmp::kFragmentationNeeded) {
                view.mtu = load16(p + icmp::kNextHopMtu);
            }
            if (view.is_error()) {
                view.quoted = decode_quoted(p + icmp::kQuote, len - icmp::kHeaderSize);
            }
            out.payload_size = len - icmp::kHeaderSize;
            out.icmp = view;
            return;
        }
        default:
            out.payload_size = len;
            return;
    }
}

}  // namespace

std::string icmp_text(std::uint8_t type, std::uint8_t code, std::uint16_t mtu) {
    switch (type) {
        case icmp::kEchoReply:
            return "echo reply";
        case icmp::kEchoRequest:
            return "echo request";
        case icmp::kTimeExceeded:
            return "time exceeded";
        case icmp::kDestinationUnreachable:
            switch (code) {
                case icmp::kNetUnreachable:
                    return "network unreachable";
                case icmp::kHostUnreachable:
                    return "host unreachable";
                case icmp::kProtocolUnreachable:
                    return "protocol unreachable";
                case icmp::kPortUnreachable:
                    return "port unreachable";
                case icmp::kFragmentationNeeded:
                    return fmt::format("fragmentation needed (mtu {})", mtu);
                case icmp::kAdministrativelyProhibited:
                    return "administratively prohibited";
                default:
                    return fmt::format("destination unreachable (code {})", code);
            }
        default:
            return fmt::format("type {} code {}", type, code);
    }
}

net::FiveTuple DecodedFrame::tuple() const {
    net::FiveTuple t{src, dst, 0, 0, protocol};
    if (protocol == net::Protocol::kTcp || protocol == net::Protocol::kUdp) {
        t.src_port = src_port;
        t.dst_port = dst_port;
    } else if (icmp && net::icmp::is_echo(icmp->type)) {
        t.src_port = icmp->id;
    }
    return t;
}

std::string DecodedFrame::summary() const {
    if (arp) {
        if (arp->request) {
            return fmt::format("arp who-has {} tell {}", arp->target_ip.to_string(),
                               arp->sender_ip.to_string());
        }
        return fmt::format("arp {} is-at {}", arp->sender_ip.to_string(),
                           arp->sender_mac.to_string());
    }
    if (!ipv4) return fmt::format("ethertype 0x{:04x}", ether_type);
    if (icmp) {
        std::string text = fmt::format("icmp {} -> {} {}", src.to_string(), dst.to_string(),
                                       icmp_text(icmp->type, icmp->code, icmp->mtu));
        if (net::icmp::is_echo(icmp->type)) {
            text += fmt::format(" id {}", icmp->id);
        }
        return text;
    }
    std::string text = tuple().to_string();
    if (protocol == net::Protocol::kTcp)
        text += fmt::format(" [{}]", net::tcp::flags_text(tcp_flags));
    if (fragment) text += " (fragment)";
    return text;
}

std::span<const std::uint8_t> ip_packet_of(std::span<const std::uint8_t> frame) {
    if (frame.size() < ethernet::kHeaderSize + ipv4::kMinHeaderSize ||
        load16(frame.data() + ethernet::kEtherType) != ethernet::kTypeIpv4) {
        return {};
    }
    std::span<const std::uint8_t> ip = frame.subspan(ethernet::kHeaderSize);
    std::uint16_t total = load16(ip.data() + ipv4::kTotalLength);
    if (total < ipv4::kMinHeaderSize || total > ip.size()) return {};
    return ip.first(total);
}

std::optional<DecodedFrame> decode_frame(std::span<const std::uint8_t> frame) {
    if (frame.size() < ethernet::kHeaderSize) return std::nullopt;
    DecodedFrame out;
    out.dst_mac = load_mac(frame.data() + ethernet::kDstMac);
    out.src_mac = load_mac(frame.data() + ethernet::kSrcMac);
    out.ether_type = load16(frame.data() + ethernet::kEtherType);
    const std::uint8_t* p = frame.data() + ethernet::kHeaderSize;
    std::size_t len = frame.size() - ethernet::kHeaderSize;
    if (out.ether_type == ethernet::kTypeArp) {
        if (len < arp::kSize || load16(p + arp::kHardwareType) != arp::kHardwareEthernet ||
            load16(p + arp::kProtocolType) != ethernet::kTypeIpv4 ||
            p[arp::kHardwareSize] != arp::kEthernetAddressSize ||
            p[arp::kProtocolSize] != arp::kIpv4AddressSize) {
            return std::nullopt;
        }
        std::uint16_t op = load16(p + arp::kOperation);
        if (op != arp::kRequest && op != arp::kReply) return std::nullopt;
        out.arp =
            ArpView{op == arp::kRequest, load_mac(p + arp::kSenderMac),
                    net::Ipv4Address(load32(p + arp::kSenderIp)), load_mac(p + arp::kTargetMac),
                    net::Ipv4Address(load32(p + arp::kTargetIp))};
        return out;
    }
    if (out.ether_type != ethernet::kTypeIpv4) return out;
    if (len < ipv4::kMinHeaderSize || ipv4::version(p) != ipv4::kVersion) return std::nullopt;
    std::size_t ihl = ipv4::header_size(p);
    std::uint16_t total = load16(p + ipv4::kTotalLength);
    if (ihl < ipv4::kMinHeaderSize || total < ihl || total > len) return std::nullopt;
    out.ipv4 = true;
    out.ip_total_length = total;
    out.ip_id = load16(p + ipv4::kId);
    std::uint16_t frag = load16(p + ipv4::kFlagsFragment);
    out.dont_fragment = (frag & ipv4::kDontFragment) != 0;
    out.fragment = (frag & ipv4::kMoreFragments) != 0 || (frag & ipv4::kFragmentOffsetMask) != 0;
    out.ttl = p[ipv4::kTtl];
    out.protocol = p[ipv4::kProtocol];
    out.src = net::Ipv4Address(load32(p + ipv4::kSrc));
    out.dst = net::Ipv4Address(load32(p + ipv4::kDst));
    if ((frag & ipv4::kFragmentOffsetMask) != 0) {  // a later fragment carries no transport header
        out.payload_size = total - ihl;
        return out;
    }
    bool ok = true;
    decode_transport(p + ihl, total - ihl, out, ok);
    if (!ok) return std::nullopt;
    return out;
}

Frame build_ip_frame(net::MacAddress src_mac, net::MacAddress dst_mac, const PacketSpec& spec) {
    Frame f;
    build_ip_frame(f, src_mac, dst_mac, spec);
    return f;
}

void build_ip_frame(Frame& f, net::MacAddress src_mac, net::MacAddress dst_mac,
                    const PacketSpec& spec) {
    const net::FiveTuple& t = spec.tuple;
    auto flags = static_cast<std::uint16_t>((spec.dont_fragment ? ipv4::kDontFragment : 0) |
                                            (spec.more_fragments ? ipv4::kMoreFragments : 0) |
                                            (spec.fragment_offset & ipv4::kFragmentOffsetMask));
    begin_ipv4(f, src_mac, dst_mac, tcp::kMinHeaderSize + spec.payload_size);
    Writer w(f);
    if (spec.fragment_offset != 0) {  // a later fragment carries payload only
        w.zeros(spec.payload_size);
        finish_ipv4(f, t.src, t.dst, t.protocol, spec.ttl, flags, spec.ip_id);
        return;
    }
    switch (t.protocol) {
        case net::Protocol::kTcp:
            w.u16(t.src_port);
            w.u16(t.dst_port);
            w.u32(spec.seq);
            w.u32(spec.ack);
            w.u8(tcp::kDataOffsetNoOptions);
            w.u8(spec.tcp_flags);
            w.u16(64240);  // window
            w.u16(0);      // checksum
            w.u16(0);      // urgent pointer
            if (spec.payload.size() == spec.payload_size) {
                w.bytes(spec.payload);
            } else {
                w.zeros(spec.payload_size);
            }
            transport_checksum(f, kL4Start, tcp::kChecksum, t.src, t.dst, t.protocol);
            break;
        case net::Protocol::kUdp:
            w.u16(t.src_port);
            w.u16(t.dst_port);
            w.u16(static_cast<std::uint16_t>(udp::kHeaderSize + spec.payload_size));
            w.u16(0);
            if (spec.payload.size() == spec.payload_size) {
                w.bytes(spec.payload);
            } else {
                w.zeros(spec.payload_size);
            }
            transport_checksum(f, kL4Start, udp::kChecksum, t.src, t.dst, t.protocol);
            break;
        case net::Protocol::kIcmp:
            w.u8(spec.icmp_type);
            w.u8(spec.icmp_code);
            w.u16(0);
            w.u16(t.src_port);  // echo id
            w.u16(spec.icmp_sequence);
            w.zeros(spec.payload_size);
            put16(f, kL4Start + icmp::kChecksum, checksum_of(std::span(f).subspan(kL4Start)));
            break;
        default:
            w.zeros(spec.payload_size);
            break;
    }
    finish_ipv4(f, t.src, t.dst, t.protocol, spec.ttl, flags, spec.ip_id);
}

namespace {
Frame arp_frame(std::uint16_t op, net::MacAddress eth_dst, net::MacAddress sender_mac,
                net::Ipv4Address sender_ip, net::MacAddress target_mac,
                net::Ipv4Address target_ip) {
    Frame f;
    Writer w(f);
    ethernet_header(w, sender_mac, eth_dst, ethernet::kTypeArp);
    w.u16(arp::kHardwareEthernet);
    w.u16(ethernet::kTypeIpv4);
    w.u8(arp::kEthernetAddressSize);
    w.u8(arp::kIpv4AddressSize);
    w.u16(op);
    w.mac(sender_mac);
    w.ip(sender_ip);
    w.mac(target_mac);
    w.ip(target_ip);
    pad(f);
    return f;
}
}  // namespace

Frame build_arp_request(net::MacAddress sender_mac, net::Ipv4Address sender_ip,
                        net::Ipv4Address target_ip) {
    return arp_frame(arp::kRequest, net::MacAddress::broadcast(), sender_mac, sender_ip,
                     net::MacAddress(), target_ip);
}

Frame build_arp_reply(net::MacAddress sender_mac, net::Ipv4Address sender_ip,
                      net::MacAddress target_mac, net::Ipv4Address target_ip) {
    return arp_frame(arp::kReply, target_mac, sender_mac, sender_ip, target_mac, target_ip);
}

Frame build_icmp_error(net::MacAddress src_mac, net::MacAddress dst_mac, net::Ipv4Address from,
                       std::uint8_t type, std::uint8_t code,
                       std::span<const std::uint8_t> offending, std::uint16_t mtu) {
    if (offending.size() < ipv4::kMinHeaderSize) return {};
    std::size_t ihl = ipv4::header_size(offending.data());
    std::size_t quoted = std::min(offending.size(), ihl + icmp::kQuotedPayload);
    Frame segment;
    Writer w(segment);
    w.u8(type);
    w.u8(code);
    w.u16(0);
    w.u16(0);
    w.u16(mtu);
    w.bytes(offending.first(quoted));
    put16(segment, icmp::kChecksum, checksum_of(segment));
    net::Ipv4Address to(load32(offending.data() + ipv4::kSrc));
    return ipv4_frame(src_mac, dst_mac, from, to, net::Protocol::kIcmp, 64, 0, 0, segment);
}

Frame reframe_forwarded(net::MacAddress src_mac, net::MacAddress dst_mac,
                        std::span<const std::uint8_t> ip_packet) {
    Frame f;
    f.reserve(std::max(ethernet::kHeaderSize + ip_packet.size(), ethernet::kMinFrameSize));
    Writer w(f);
    ethernet_header(w, src_mac, dst_mac, ethernet::kTypeIpv4);
    std::size_t ip_start = f.size();
    w.bytes(ip_packet);
    std::uint8_t* ip = f.data() + ip_start;
    std::size_t ihl = ip_packet.size() >= ipv4::kMinHeaderSize ? ipv4::header_size(ip) : 0;
    if (ihl >= ipv4::kMinHeaderSize && ihl <= ip_packet.size()) {
        if (ip[ipv4::kTtl] > 0) --ip[ipv4::kTtl];
        put16(f, ip_start + ipv4::kChecksum, 0);
        put16(f, ip_start + ipv4::kChecksum, checksum_of({ip, ihl}));
    }
    pad(f);
    return f;
}

}  // namespace vpcstack::sim
