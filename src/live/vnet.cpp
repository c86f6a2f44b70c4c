#include "vpcstack/live/vnet.hpp"

#include <cstring>
#include <vector>

namespace vpcstack::live {

namespace {

constexpr std::size_t kEthernetHeader = 14;
constexpr std::uint16_t kEtherTypeIpv4 = 0x0800;
constexpr std::uint8_t kTcp = 6;
constexpr std::uint8_t kTcpFin = 0x01;
constexpr std::uint8_t kTcpPsh = 0x08;
constexpr std::uint8_t kTcpCwr = 0x80;

std::uint16_t load16(const std::uint8_t* p) noexcept {
    return static_cast<std::uint16_t>((p[0] << 8) | p[1]);
}
std::uint32_t load32(const std::uint8_t* p) noexcept {
    return (std::uint32_t{p[0]} << 24) | (std::uint32_t{p[1]} << 16) | (std::uint32_t{p[2]} << 8) |
           p[3];
}
void store16(std::uint8_t* p, std::uint16_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v >> 8);
    p[1] = static_cast<std::uint8_t>(v);
}
void store32(std::uint8_t* p, std::uint32_t v) noexcept {
    p[0] = static_cast<std::uint8_t>(v >> 24);
    p[1] = static_cast<std::uint8_t>(v >> 16);
    p[2] = static_cast<std::uint8_t>(v >> 8);
    p[3] = static_cast<std::uint8_t>(v);
}

}  // namespace

std::uint32_t ones_sum(std::span<const std::uint8_t> bytes, std::uint32_t sum) noexcept {
    // 64-bit accumulation of 32-bit words keeps a 64 KB GSO frame cheap.
    std::uint64_t acc = sum;
    std::size_t i = 0;
    const std::size_t n = bytes.size();
    for (; i + 4 <= n; i += 4) {
        acc += load32(bytes.data() + i);
    }
    for (; i + 2 <= n; i += 2) {
        acc += load16(bytes.data() + i);
    }
    if (i < n) {
        acc += std::uint64_t{bytes[i]} << 8;
    }
    while (acc >> 32) {
        acc = (acc & 0xffffffffu) + (acc >> 32);
    }
    // Fold to 32 bits preserving the one's complement sum modulo 0xffff.
    std::uint32_t folded = static_cast<std::uint32_t>((acc & 0xffff) + ((acc >> 16) & 0xffff));
    return folded;
}

std::uint16_t fold(std::uint32_t sum) noexcept {
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return static_cast<std::uint16_t>(sum);
}

bool complete_checksum(std::span<std::uint8_t> frame, const VirtioNetHdr& header) noexcept {
    const std::size_t start = header.csum_start;
    const std::size_t field = start + header.csum_offset;
    if (start >= frame.size() || field + 2 > frame.size()) {
        return false;
    }
    std::uint16_t checksum = static_cast<std::uint16_t>(~fold(ones_sum(frame.subspan(start))));
    // A UDP checksum that computes to zero is sent as all ones (RFC 768).
    if (checksum == 0 && header.csum_offset == 6) {
        checksum = 0xffff;
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
    if (mss == 0 || frame.size() < kEthernetHeader + 20 ||
        load16(frame.data() + 12) != kEtherTypeIpv4) {
        return false;
    }
    const std::uint8_t* ip = frame.data() + kEthernetHeader;
    const std::size_t ip_header = std::size_t{ip[0] & 0x0fu} * 4;
    const std::size_t total = load16(ip + 2);
    if ((ip[0] >> 4) != 4 || ip_header < 20 || ip[9] != kTcp || total < ip_header + 20 ||
        kEthernetHeader + total > frame.size()) {
        return false;
    }
    const std::uint8_t* tcp = ip + ip_header;
    const std::size_t tcp_header = static_cast<std::size_t>(tcp[12] >> 4) * 4;
    if (tcp_header < 20 || ip_header + tcp_header > total) {
        return false;
    }
    const std::size_t headers = kEthernetHeader + ip_header + tcp_header;
    const std::size_t payload = kEthernetHeader + total - headers;
    const std::uint16_t first_id = load16(ip + 4);
    const std::uint32_t first_seq = load32(tcp + 4);
    const std::uint8_t flags = tcp[13];

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
        std::uint8_t* sip = segment.data() + kEthernetHeader;
        std::uint8_t* stcp = sip + ip_header;
        store16(sip + 2, static_cast<std::uint16_t>(ip_header + tcp_header + chunk));
        store16(sip + 4, static_cast<std::uint16_t>(first_id + index));
        store16(sip + 10, 0);
        store16(sip + 10, static_cast<std::uint16_t>(~fold(ones_sum({sip, ip_header}))));
        store32(stcp + 4, first_seq + static_cast<std::uint32_t>(offset));
        std::uint8_t segment_flags = flags;
        if (!last) {
            segment_flags &= static_cast<std::uint8_t>(~(kTcpFin | kTcpPsh));
        }
        if (!first) {
            segment_flags &= static_cast<std::uint8_t>(~kTcpCwr);
        }
        stcp[13] = segment_flags;
        store16(stcp + 16, 0);
        const std::size_t l4_length = tcp_header + chunk;
        std::uint32_t pseudo = ones_sum({sip + 12, 8});
        pseudo += kTcp;
        pseudo += static_cast<std::uint32_t>(l4_length);
        std::uint32_t sum = ones_sum({stcp, l4_length}, pseudo);
        store16(stcp + 16, static_cast<std::uint16_t>(~fold(sum)));
        emit({segment.data(), segment.size()});
        offset += chunk;
        ++index;
    } while (offset < payload);
    return true;
}

FrameKey frame_key(std::span<const std::uint8_t> frame) noexcept {
    FrameKey key;
    if (frame.size() < kEthernetHeader + 20 || load16(frame.data() + 12) != kEtherTypeIpv4) {
        return key;
    }
    const std::uint8_t* ip = frame.data() + kEthernetHeader;
    key.total_length = load16(ip + 2);
    key.id = load16(ip + 4);
    key.protocol = ip[9];
    key.valid = true;
    return key;
}

}  // namespace vpcstack::live
