#include "vpcstack/live/vnet.hpp"

#include <cstring>
#include <vector>

#include "vpcstack/net/bytes.hpp"
#include "vpcstack/net/checksum.hpp"
#include "vpcstack/net/ethernet.hpp"
#include "vpcstack/net/ipv4_header.hpp"
#include "vpcstack/net/protocol.hpp"
#include "vpcstack/net/tcp.hpp"
#include "vpcstack/net/udp.hpp"

namespace vpcstack::live {

namespace {

using net::load16;
using net::load32;
using net::store16;
using net::store32;
namespace ethernet = net::ethernet;
namespace ipv4 = net::ipv4;
namespace tcp = net::tcp;
namespace udp = net::udp;

}  // namespace

bool complete_checksum(std::span<std::uint8_t> frame, const VirtioNetHdr& header) noexcept {
    const std::size_t start = header.csum_start;
    const std::size_t field = start + header.csum_offset;
    if (start >= frame.size() || field + 2 > frame.size()) {
        return false;
    }
    std::uint16_t checksum = net::checksum(net::ones_sum(frame.subspan(start)));
    if (header.csum_offset == udp::kChecksum) {
        checksum = udp::wire_checksum(checksum);
    }
    store16(frame.data() + field, checksum);
    return true;
}

bool invert_partial_checksum(std::span<std::uint8_t> frame, const VirtioNetHdr& header) noexcept {
    const std::size_t field = std::size_t{header.csum_start} + header.csum_offset;
    if (field + 2 > frame.size()) {
        return false;
    }
    frame[field] = static_cast<std::uint8_t>(~frame[field]);
    frame[field + 1] = static_cast<std::uint8_t>(~frame[field + 1]);
    return true;
}

bool segment_tcp4(std::span<const std::uint8_t> frame, std::uint16_t mss,
                  const std::function<void(std::span<const std::uint8_t>)>& emit) {
    if (mss == 0 || frame.size() < ethernet::kHeaderSize + ipv4::kMinHeaderSize ||
        load16(frame.data() + ethernet::kEtherType) != ethernet::kTypeIpv4) {
        return false;
    }
    const std::uint8_t* ip = frame.data() + ethernet::kHeaderSize;
    const std::size_t ip_header = ipv4::header_size(ip);
    const std::size_t total = load16(ip + ipv4::kTotalLength);
    if (ipv4::version(ip) != ipv4::kVersion || ip_header < ipv4::kMinHeaderSize ||
        ip[ipv4::kProtocol] != net::Protocol::kTcp || total < ip_header + tcp::kMinHeaderSize ||
        ethernet::kHeaderSize + total > frame.size()) {
        return false;
    }
    const std::uint8_t* seg = ip + ip_header;
    const std::size_t tcp_header = tcp::header_size(seg);
    if (tcp_header < tcp::kMinHeaderSize || ip_header + tcp_header > total) {
        return false;
    }
    const std::size_t headers = ethernet::kHeaderSize + ip_header + tcp_header;
    const std::size_t payload = ethernet::kHeaderSize + total - headers;
    const std::uint16_t first_id = load16(ip + ipv4::kId);
    const std::uint32_t first_seq = load32(seg + tcp::kSeqNumber);
    const std::uint8_t flags = seg[tcp::kFlags];

    std::vector<std::uint8_t> segment(headers + mss);
    std::size_t offset = 0;
    std::uint16_t index = 0;
    do {
        const std::size_t chunk = std::min<std::size_t>(mss, payload - offset);
        const bool first = offset == 0;
        const bool last = offset + chunk >= payload;
        segment.resize(headers + chunk);
        std::memcpy(segment.data(), frame.data(), headers);
        std::memcpy(segment.data() + headers, frame.data() + headers + offset, chunk);
        std::uint8_t* sip = segment.data() + ethernet::kHeaderSize;
        std::uint8_t* stcp = sip + ip_header;
        store16(sip + ipv4::kTotalLength,
                static_cast<std::uint16_t>(ip_header + tcp_header + chunk));
        store16(sip + ipv4::kId, static_cast<std::uint16_t>(first_id + index));
        store16(sip + ipv4::kChecksum, 0);
        store16(sip + ipv4::kChecksum, net::checksum(net::ones_sum({sip, ip_header})));
        store32(stcp + tcp::kSeqNumber, first_seq + static_cast<std::uint32_t>(offset));
        std::uint8_t segment_flags = flags;
        if (!last) {
            segment_flags &= static_cast<std::uint8_t>(~(tcp::kFin | tcp::kPsh));
        }
        if (!first) {
            segment_flags &= static_cast<std::uint8_t>(~tcp::kCwr);
        }
        stcp[tcp::kFlags] = segment_flags;
        store16(stcp + tcp::kChecksum, 0);
        const std::size_t l4_length = tcp_header + chunk;
        const std::uint32_t pseudo = net::pseudo_header_sum(
            net::Ipv4Address(load32(sip + ipv4::kSrc)), net::Ipv4Address(load32(sip + ipv4::kDst)),
            net::Protocol::kTcp, l4_length);
        store16(stcp + tcp::kChecksum, net::checksum(net::ones_sum({stcp, l4_length}, pseudo)));
        emit({segment.data(), segment.size()});
        offset += chunk;
        ++index;
    } while (offset < payload);
    return true;
}

FrameKey frame_key(std::span<const std::uint8_t> frame) noexcept {
    FrameKey key;
    if (frame.size() < ethernet::kHeaderSize + ipv4::kMinHeaderSize ||
        load16(frame.data() + ethernet::kEtherType) != ethernet::kTypeIpv4) {
        return key;
    }
    const std::uint8_t* ip = frame.data() + ethernet::kHeaderSize;
    key.total_length = load16(ip + ipv4::kTotalLength);
    key.id = load16(ip + ipv4::kId);
    key.protocol = ip[ipv4::kProtocol];
    key.valid = true;
    return key;
}

}  // namespace vpcstack::live
