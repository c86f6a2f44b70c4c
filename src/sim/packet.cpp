#include "vpcstack/sim/packet.hpp"

#include <fmt/format.h>

#include <algorithm>

namespace vpcstack::sim {
namespace {

constexpr std::uint16_t kEtherIpv4 = 0x0800;
constexpr std::uint16_t kEtherArp = 0x0806;
constexpr std::size_t kEthernetHeader = 14;
constexpr std::size_t kMinimumFrame = 60;  // without the FCS; shorter frames are padded

std::uint16_t be16(const std::uint8_t* p) {
    return static_cast<std::uint16_t>((std::uint16_t{p[0]} << 8) | p[1]);
}
std::uint32_t be32(const std::uint8_t* p) {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           p[3];
}
net::MacAddress mac_at(const std::uint8_t* p) {
    std::array<std::uint8_t, 6> octets{};
    std::copy(p, p + 6, octets.begin());
    return net::MacAddress(octets);
}

// Appends big-endian fields to a frame under construction.
class Writer {
  public:
    explicit Writer(Frame& out) : out_(out) {}
    void u8(std::uint8_t v) { out_.push_back(v); }
    void u16(std::uint16_t v) {
        out_.push_back(static_cast<std::uint8_t>(v >> 8));
        out_.push_back(static_cast<std::uint8_t>(v));
    }
    void u32(std::uint32_t v) {
        u16(static_cast<std::uint16_t>(v >> 16));
        u16(static_cast<std::uint16_t>(v));
    }
    void mac(net::MacAddress m) { out_.insert(out_.end(), m.octets().begin(), m.octets().end()); }
    void ip(net::Ipv4Address a) { u32(a.value()); }
    void bytes(std::span<const std::uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
    void zeros(std::size_t n) { out_.insert(out_.end(), n, 0); }

  private:
    Frame& out_;
};

void put16(Frame& f, std::size_t at, std::uint16_t v) {
    f[at] = static_cast<std::uint8_t>(v >> 8);
    f[at + 1] = static_cast<std::uint8_t>(v);
}

// RFC 1071 one's complement sum.
std::uint32_t sum_words(std::span<const std::uint8_t> data, std::uint32_t sum = 0) {
    std::size_t i = 0;
    for (; i + 1 < data.size(); i += 2) sum += be16(&data[i]);
    if (i < data.size()) sum += std::uint32_t{data[i]} << 8;
    return sum;
}
std::uint16_t fold(std::uint32_t sum) {
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    return static_cast<std::uint16_t>(~sum);
}

void ethernet_header(Writer& w, net::MacAddress src, net::MacAddress dst, std::uint16_t type) {
    w.mac(dst);
    w.mac(src);
    w.u16(type);
}

void pad(Frame& f) {
    if (f.size() < kMinimumFrame) f.resize(kMinimumFrame, 0);
}

// Writes the IPv4 header (checksum included) in front of an already built transport segment.
Frame ipv4_frame(net::MacAddress src_mac, net::MacAddress dst_mac, net::Ipv4Address src,
                 net::Ipv4Address dst, std::uint8_t protocol, std::uint8_t ttl,
                 std::uint16_t flags_offset, std::uint16_t id, const Frame& segment) {
    Frame f;
    f.reserve(kEthernetHeader + 20 + segment.size());
    Writer w(f);
    ethernet_header(w, src_mac, dst_mac, kEtherIpv4);
    std::size_t ip_start = f.size();
    w.u8(0x45);
    w.u8(0);
    w.u16(static_cast<std::uint16_t>(20 + segment.size()));
    w.u16(id);
    w.u16(flags_offset);
    w.u8(ttl);
    w.u8(protocol);
    w.u16(0);
    w.ip(src);
    w.ip(dst);
    put16(f, ip_start + 10, fold(sum_words(std::span(f).subspan(ip_start, 20))));
    w.bytes(segment);
    pad(f);
    return f;
}

// TCP and UDP checksums cover a pseudo-header of addresses, protocol and length.
void transport_checksum(Frame& segment, std::size_t checksum_at, net::Ipv4Address src,
                        net::Ipv4Address dst, std::uint8_t protocol) {
    std::uint32_t sum = (src.value() >> 16) + (src.value() & 0xffff) + (dst.value() >> 16) +
                        (dst.value() & 0xffff) + protocol +
                        static_cast<std::uint32_t>(segment.size());
    std::uint16_t c = fold(sum_words(segment, sum));
    if (protocol == net::Protocol::kUdp && c == 0) c = 0xffff;
    put16(segment, checksum_at, c);
}

void parse_transport(const std::uint8_t* p, std::size_t len, ParsedFrame& out, bool& ok);

// The header and first bytes of the packet an ICMP error quotes.
std::optional<net::FiveTuple> parse_quoted(const std::uint8_t* p, std::size_t len) {
    if (len < 20 || (p[0] >> 4) != 4) return std::nullopt;
    std::size_t ihl = std::size_t{p[0] & 0x0fu} * 4;
    if (ihl < 20 || ihl > len) return std::nullopt;
    net::FiveTuple t;
    t.protocol = p[9];
    t.src = net::Ipv4Address(be32(p + 12));
    t.dst = net::Ipv4Address(be32(p + 16));
    const std::uint8_t* l4 = p + ihl;
    std::size_t l4len = len - ihl;
    if ((t.protocol == net::Protocol::kTcp || t.protocol == net::Protocol::kUdp) && l4len >= 4) {
        t.src_port = be16(l4);
        t.dst_port = be16(l4 + 2);
    } else if (t.protocol == net::Protocol::kIcmp && l4len >= 8 && (l4[0] == 8 || l4[0] == 0)) {
        t.src_port = be16(l4 + 4);
    }
    return t;
}

void parse_transport(const std::uint8_t* p, std::size_t len, ParsedFrame& out, bool& ok) {
    switch (out.protocol) {
        case net::Protocol::kTcp: {
            if (len < 20) return void(ok = false);
            std::size_t offset = std::size_t{p[12]} / 16 * 4;
            if (offset < 20 || offset > len) return void(ok = false);
            out.src_port = be16(p);
            out.dst_port = be16(p + 2);
            out.seq = be32(p + 4);
            out.ack = be32(p + 8);
            out.tcp_flags = p[13] & 0x3f;
            out.payload_size = len - offset;
            return;
        }
        case net::Protocol::kUdp: {
            if (len < 8) return void(ok = false);
            std::uint16_t udp_length = be16(p + 4);
            if (udp_length < 8 || udp_length > len) return void(ok = false);
            out.src_port = be16(p);
            out.dst_port = be16(p + 2);
            out.payload_size = udp_length - 8u;
            return;
        }
        case net::Protocol::kIcmp: {
            if (len < 8) return void(ok = false);
            IcmpView icmp;
            icmp.type = p[0];
            icmp.code = p[1];
            if (icmp.type == icmp_type::kEchoRequest || icmp.type == icmp_type::kEchoReply) {
                icmp.id = be16(p + 4);
                icmp.sequence = be16(p + 6);
            }
            if (icmp.type == icmp_type::kDestinationUnreachable &&
                icmp.code == icmp_code::kFragmentationNeeded) {
                icmp.mtu = be16(p + 6);
            }
            if (icmp.is_error()) icmp.quoted = parse_quoted(p + 8, len - 8);
            out.payload_size = len - 8;
            out.icmp = icmp;
            return;
        }
        default:
            out.payload_size = len;
            return;
    }
}

}  // namespace

std::string tcp_flags_text(std::uint8_t flags) {
    static constexpr std::pair<std::uint8_t, const char*> kNames[] = {{tcp_flag::kSyn, "SYN"},
                                                                      {tcp_flag::kFin, "FIN"},
                                                                      {tcp_flag::kRst, "RST"},
                                                                      {tcp_flag::kPsh, "PSH"},
                                                                      {tcp_flag::kAck, "ACK"}};
    std::string text;
    for (auto [bit, name] : kNames) {
        if ((flags & bit) == 0) continue;
        if (!text.empty()) text += ',';
        text += name;
    }
    return text;
}

std::string icmp_text(std::uint8_t type, std::uint8_t code, std::uint16_t mtu) {
    switch (type) {
        case icmp_type::kEchoReply:
            return "echo reply";
        case icmp_type::kEchoRequest:
            return "echo request";
        case icmp_type::kTimeExceeded:
            return "time exceeded";
        case icmp_type::kDestinationUnreachable:
            switch (code) {
                case 0:
                    return "network unreachable";
                case 1:
                    return "host unreachable";
                case icmp_code::kProtocolUnreachable:
                    return "protocol unreachable";
                case icmp_code::kPortUnreachable:
                    return "port unreachable";
                case icmp_code::kFragmentationNeeded:
                    return fmt::format("fragmentation needed (mtu {})", mtu);
                case 13:
                    return "administratively prohibited";
                default:
                    return fmt::format("destination unreachable (code {})", code);
            }
        default:
            return fmt::format("type {} code {}", type, code);
    }
}

net::FiveTuple ParsedFrame::tuple() const {
    net::FiveTuple t{src, dst, 0, 0, protocol};
    if (protocol == net::Protocol::kTcp || protocol == net::Protocol::kUdp) {
        t.src_port = src_port;
        t.dst_port = dst_port;
    } else if (icmp &&
               (icmp->type == icmp_type::kEchoRequest || icmp->type == icmp_type::kEchoReply)) {
        t.src_port = icmp->id;
    }
    return t;
}

std::string ParsedFrame::summary() const {
    if (arp) {
        if (arp->request) {
            return fmt::format("arp who-has {} tell {}", arp->target_ip.to_string(),
                               arp->sender_ip.to_string());
        }
        return fmt::format("arp {} is-at {}", arp->sender_ip.to_string(),
                           arp->sender_mac.to_string());
    }
    if (!ipv4) return fmt::format("ethertype 0x{:04x}", ethertype);
    if (icmp) {
        std::string text = fmt::format("icmp {} -> {} {}", src.to_string(), dst.to_string(),
                                       icmp_text(icmp->type, icmp->code, icmp->mtu));
        if (!icmp->is_error() && (icmp->type == 0 || icmp->type == 8)) {
            text += fmt::format(" id {}", icmp->id);
        }
        return text;
    }
    std::string text = tuple().to_string();
    if (protocol == net::Protocol::kTcp) text += fmt::format(" [{}]", tcp_flags_text(tcp_flags));
    if (fragment) text += " (fragment)";
    return text;
}

std::span<const std::uint8_t> ip_packet_of(std::span<const std::uint8_t> frame) {
    if (frame.size() < kEthernetHeader + 20 || be16(&frame[12]) != kEtherIpv4) return {};
    std::span<const std::uint8_t> ip = frame.subspan(kEthernetHeader);
    std::uint16_t total = be16(&ip[2]);
    if (total < 20 || total > ip.size()) return {};
    return ip.first(total);
}

std::optional<ParsedFrame> parse_frame(std::span<const std::uint8_t> frame) {
    if (frame.size() < kEthernetHeader) return std::nullopt;
    ParsedFrame out;
    out.dst_mac = mac_at(&frame[0]);
    out.src_mac = mac_at(&frame[6]);
    out.ethertype = be16(&frame[12]);
    const std::uint8_t* p = frame.data() + kEthernetHeader;
    std::size_t len = frame.size() - kEthernetHeader;
    if (out.ethertype == kEtherArp) {
        if (len < 28 || be16(p) != 1 || be16(p + 2) != kEtherIpv4 || p[4] != 6 || p[5] != 4) {
            return std::nullopt;
        }
        std::uint16_t op = be16(p + 6);
        if (op != 1 && op != 2) return std::nullopt;
        out.arp = ArpView{op == 1, mac_at(p + 8), net::Ipv4Address(be32(p + 14)), mac_at(p + 18),
                          net::Ipv4Address(be32(p + 24))};
        return out;
    }
    if (out.ethertype != kEtherIpv4) return out;
    if (len < 20 || (p[0] >> 4) != 4) return std::nullopt;
    std::size_t ihl = std::size_t{p[0] & 0x0fu} * 4;
    std::uint16_t total = be16(p + 2);
    if (ihl < 20 || total < ihl || total > len) return std::nullopt;
    out.ipv4 = true;
    out.total_length = total;
    out.ip_id = be16(p + 4);
    std::uint16_t frag = be16(p + 6);
    out.dont_fragment = (frag & 0x4000) != 0;
    out.fragment = (frag & 0x2000) != 0 || (frag & 0x1fff) != 0;
    out.ttl = p[8];
    out.protocol = p[9];
    out.src = net::Ipv4Address(be32(p + 12));
    out.dst = net::Ipv4Address(be32(p + 16));
    if ((frag & 0x1fff) != 0) {  // a later fragment carries no transport header
        out.payload_size = total - ihl;
        return out;
    }
    bool ok = true;
    parse_transport(p + ihl, total - ihl, out, ok);
    if (!ok) return std::nullopt;
    return out;
}

Frame build_ip_frame(net::MacAddress src_mac, net::MacAddress dst_mac, const PacketSpec& spec) {
    const net::FiveTuple& t = spec.tuple;
    Frame segment;
    Writer w(segment);
    switch (t.protocol) {
        case net::Protocol::kTcp:
            w.u16(t.src_port);
            w.u16(t.dst_port);
            w.u32(spec.seq);
            w.u32(spec.ack);
            w.u8(5 << 4);
            w.u8(spec.tcp_flags);
            w.u16(64240);  // window
            w.u16(0);      // checksum
            w.u16(0);      // urgent pointer
            w.zeros(spec.payload_size);
            transport_checksum(segment, 16, t.src, t.dst, t.protocol);
            break;
        case net::Protocol::kUdp:
            w.u16(t.src_port);
            w.u16(t.dst_port);
            w.u16(static_cast<std::uint16_t>(8 + spec.payload_size));
            w.u16(0);
            w.zeros(spec.payload_size);
            transport_checksum(segment, 6, t.src, t.dst, t.protocol);
            break;
        case net::Protocol::kIcmp:
            w.u8(spec.icmp_type);
            w.u8(spec.icmp_code);
            w.u16(0);
            w.u16(t.src_port);  // echo id
            w.u16(spec.icmp_sequence);
            w.zeros(spec.payload_size);
            put16(segment, 2, fold(sum_words(segment)));
            break;
        default:
            w.zeros(spec.payload_size);
            break;
    }
    auto flags = static_cast<std::uint16_t>((spec.dont_fragment ? 0x4000 : 0) |
                                            (spec.more_fragments ? 0x2000 : 0) |
                                            (spec.fragment_offset & 0x1fff));
    if (spec.fragment_offset != 0) {  // a later fragment carries payload only
        segment.assign(spec.payload_size, 0);
    }
    return ipv4_frame(src_mac, dst_mac, t.src, t.dst, t.protocol, spec.ttl, flags, spec.ip_id,
                      segment);
}

namespace {
Frame arp_frame(std::uint16_t op, net::MacAddress eth_dst, net::MacAddress sender_mac,
                net::Ipv4Address sender_ip, net::MacAddress target_mac,
                net::Ipv4Address target_ip) {
    Frame f;
    Writer w(f);
    ethernet_header(w, sender_mac, eth_dst, kEtherArp);
    w.u16(1);
    w.u16(kEtherIpv4);
    w.u8(6);
    w.u8(4);
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
    return arp_frame(1, net::MacAddress::broadcast(), sender_mac, sender_ip, net::MacAddress(),
                     target_ip);
}

Frame build_arp_reply(net::MacAddress sender_mac, net::Ipv4Address sender_ip,
                      net::MacAddress target_mac, net::Ipv4Address target_ip) {
    return arp_frame(2, target_mac, sender_mac, sender_ip, target_mac, target_ip);
}

Frame build_icmp_error(net::MacAddress src_mac, net::MacAddress dst_mac, net::Ipv4Address from,
                       std::uint8_t type, std::uint8_t code,
                       std::span<const std::uint8_t> offending, std::uint16_t mtu) {
    if (offending.size() < 20) return {};
    std::size_t ihl = std::size_t{offending[0] & 0x0fu} * 4;
    std::size_t quoted = std::min(offending.size(), ihl + 8);
    Frame segment;
    Writer w(segment);
    w.u8(type);
    w.u8(code);
    w.u16(0);
    w.u16(0);
    w.u16(mtu);
    w.bytes(offending.first(quoted));
    put16(segment, 2, fold(sum_words(segment)));
    net::Ipv4Address to(be32(&offending[12]));
    return ipv4_frame(src_mac, dst_mac, from, to, net::Protocol::kIcmp, 64, 0, 0, segment);
}

Frame reframe_forwarded(net::MacAddress src_mac, net::MacAddress dst_mac,
                        std::span<const std::uint8_t> ip_packet) {
    Frame f;
    Writer w(f);
    ethernet_header(w, src_mac, dst_mac, kEtherIpv4);
    std::size_t ip_start = f.size();
    w.bytes(ip_packet);
    std::size_t ihl = ip_packet.size() >= 20 ? std::size_t{f[ip_start] & 0x0fu} * 4 : 0;
    if (ihl >= 20 && ihl <= ip_packet.size()) {
        if (f[ip_start + 8] > 0) --f[ip_start + 8];
        put16(f, ip_start + 10, 0);
        put16(f, ip_start + 10, fold(sum_words(std::span(f).subspan(ip_start, ihl))));
    }
    pad(f);
    return f;
}

}  // namespace vpcstack::sim
