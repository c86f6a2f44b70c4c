// Reading a capture for replay: libpcap reads pcap and pcapng; every link type replay accepts
// becomes Ethernet here, so the rest of replay sees one framing.
#include <fmt/format.h>
#include <pcap/pcap.h>

#include <memory>

#include "vpcstack/net/bytes.hpp"
#include "vpcstack/net/ethernet.hpp"
#include "vpcstack/observe/replay.hpp"

namespace vpcstack::observe {

namespace {

// Linux cooked headers (pcap-linktype(7): LINKTYPE_LINUX_SLL, LINKTYPE_LINUX_SLL2).
constexpr std::size_t kSllSize = 16;
constexpr std::size_t kSll2Size = 20;
// Their packet types (Linux's PACKET_* of if_packet.h).
constexpr std::uint16_t kPacketHost = 0;
constexpr std::uint16_t kPacketBroadcast = 1;
constexpr std::uint16_t kPacketMulticast = 2;
constexpr std::uint16_t kPacketOutgoing = 4;
constexpr std::uint16_t kArphrdLoopback = 772;
constexpr std::uint16_t kEtherTypeIpv6 = 0x86dd;

// DLT_IPV4 is newer than some libpcap headers.
constexpr int kDltIpv4 = 228;

struct PcapCloser {
    void operator()(pcap_t* p) const noexcept { pcap_close(p); }
};

std::optional<CaptureLinkType> link_type_of(int dlt) {
    switch (dlt) {
        case DLT_EN10MB:
            return CaptureLinkType::Ethernet;
        case DLT_LINUX_SLL:
            return CaptureLinkType::LinuxCooked;
#ifdef DLT_LINUX_SLL2
        case DLT_LINUX_SLL2:
            return CaptureLinkType::LinuxCooked2;
#endif
        case DLT_RAW:
        case kDltIpv4:
            return CaptureLinkType::RawIp;
        default:
            return std::nullopt;
    }
}

CapturedDirection direction_of(std::uint16_t packet_type) {
    switch (packet_type) {
        case kPacketOutgoing:
            return CapturedDirection::Outgoing;
        case kPacketHost:
        case kPacketBroadcast:
        case kPacketMulticast:
            return CapturedDirection::Incoming;
        default:  // another host's, seen in promiscuous mode
            return CapturedDirection::Unknown;
    }
}

// An Ethernet header for a frame whose capture had none. The destination is unknown (all
// zeros) unless the cooked header says the frame was a broadcast; replay frames what it sends.
std::vector<std::uint8_t> ethernet_header(net::MacAddress src, net::MacAddress dst,
                                          std::uint16_t ether_type) {
    std::vector<std::uint8_t> h(net::ethernet::kHeaderSize);
    net::store_mac(h.data() + net::ethernet::kDstMac, dst);
    net::store_mac(h.data() + net::ethernet::kSrcMac, src);
    net::store16(h.data() + net::ethernet::kEtherType, ether_type);
    return h;
}

// One captured packet as Ethernet; `link_header` is the capture's own header's size.
CapturedPacket convert(CaptureLinkType type, const pcap_pkthdr& h, const std::uint8_t* data) {
    CapturedPacket p;
    p.time_ns = static_cast<std::uint64_t>(h.ts.tv_sec) * 1'000'000'000ULL +
                static_cast<std::uint64_t>(h.ts.tv_usec);  // nanoseconds: opened so
    p.truncated = h.caplen < h.len;
    const std::size_t caplen = h.caplen;
    std::size_t link_header = 0;
    std::vector<std::uint8_t> head;
    switch (type) {
        case CaptureLinkType::Ethernet:
            p.frame.assign(data, data + caplen);
            p.wire_length = h.len;
            return p;
        case CaptureLinkType::LinuxCooked:
        case CaptureLinkType::LinuxCooked2: {
            const bool v2 = type == CaptureLinkType::LinuxCooked2;
            link_header = v2 ? kSll2Size : kSllSize;
            if (caplen < link_header) {
                p.truncated = true;
                head = ethernet_header(net::MacAddress(), net::MacAddress(), 0);
                break;
            }
            const std::uint16_t packet_type = v2 ? data[10] : net::load16(data);
            const std::uint16_t arphrd = net::load16(data + (v2 ? 8 : 2));
            const std::size_t address_length = v2 ? data[11] : net::load16(data + 4);
            const std::uint8_t* address = data + (v2 ? 12 : 6);
            const std::uint16_t protocol = net::load16(data + (v2 ? 0 : 14));
            p.direction = direction_of(packet_type);
            p.loopback = arphrd == kArphrdLoopback;
            const net::MacAddress src = address_length == net::ethernet::kMacSize
                                            ? net::load_mac(address)
                                            : net::MacAddress();
            const net::MacAddress dst =
                packet_type == kPacketBroadcast ? net::MacAddress::broadcast() : net::MacAddress();
            head = ethernet_header(src, dst, protocol);
            break;
        }
        case CaptureLinkType::RawIp: {
            std::uint16_t ether_type = 0;
            if (caplen > 0 && (data[0] >> 4) == 4) ether_type = net::ethernet::kTypeIpv4;
            if (caplen > 0 && (data[0] >> 4) == 6) ether_type = kEtherTypeIpv6;
            head = ethernet_header(net::MacAddress(), net::MacAddress(), ether_type);
            break;
        }
    }
    p.frame = std::move(head);
    if (caplen > link_header) p.frame.insert(p.frame.end(), data + link_header, data + caplen);
    // On the wire as Ethernet: the capture's own header replaced by Ethernet's.
    const std::size_t wire = h.len >= link_header ? h.len - link_header : 0;
    p.wire_length = static_cast<std::uint32_t>(wire + net::ethernet::kHeaderSize);
    return p;
}

}  // namespace

std::string_view link_type_name(CaptureLinkType type) noexcept {
    switch (type) {
        case CaptureLinkType::Ethernet:
            return "ethernet";
        case CaptureLinkType::LinuxCooked:
            return "linux-sll";
        case CaptureLinkType::LinuxCooked2:
            return "linux-sll2";
        case CaptureLinkType::RawIp:
            return "raw-ip";
    }
    return "ethernet";
}

CaptureFile read_capture(const std::string& path) {
    char error[PCAP_ERRBUF_SIZE] = {};
    std::unique_ptr<pcap_t, PcapCloser> pcap(
        pcap_open_offline_with_tstamp_precision(path.c_str(), PCAP_TSTAMP_PRECISION_NANO, error));
    if (!pcap) {
        throw CaptureInputError(fmt::format(
            "{}: cannot be read as a capture ({}); expected a pcap or pcapng file, as tcpdump -w "
            "writes",
            path, error));
    }
    const int dlt = pcap_datalink(pcap.get());
    const std::optional<CaptureLinkType> type = link_type_of(dlt);
    if (!type) {
        const char* name = pcap_datalink_val_to_name(dlt);
        throw CaptureInputError(fmt::format(
            "{}: link type {} ({}) cannot be replayed; expected Ethernet (EN10MB), Linux cooked "
            "(LINUX_SLL, LINUX_SLL2, as tcpdump -i any writes) or raw IP (RAW)",
            path, name != nullptr ? name : "unknown", dlt));
    }
    CaptureFile file;
    file.path = path;
    file.link_type = *type;
    pcap_pkthdr* header = nullptr;
    const std::uint8_t* data = nullptr;
    for (;;) {
        const int r = pcap_next_ex(pcap.get(), &header, &data);
        if (r == PCAP_ERROR_BREAK) break;  // the end of the file
        if (r != 1) {
            // A file cut in the middle of a record (copied while tcpdump was writing) keeps
            // what came before; anything else is not a capture.
            if (!file.packets.empty()) {
                file.notes.push_back(fmt::format("the capture ends early after {} packets: {}",
                                                 file.packets.size(), pcap_geterr(pcap.get())));
                break;
            }
            throw CaptureInputError(fmt::format("{}: {}; expected a pcap or pcapng file", path,
                                                pcap_geterr(pcap.get())));
        }
        file.packets.push_back(convert(*type, *header, data));
    }
    return file;
}

}  // namespace vpcstack::observe
