// virtio_net_hdr handling: partial checksums completed or carried through address rewrites, and
// software segmentation of large TCP frames, checked against libtins-built packets.
#include "vpcstack/live/vnet.hpp"

#include <gtest/gtest.h>
#include <tins/tins.h>

#include <random>
#include <vector>

#include "vpcstack/net/bytes.hpp"
#include "vpcstack/net/checksum.hpp"
#include "vpcstack/net/ethernet.hpp"
#include "vpcstack/net/ipv4_header.hpp"
#include "vpcstack/net/protocol.hpp"
#include "vpcstack/net/tcp.hpp"

namespace vpcstack::live {
namespace {

constexpr std::size_t kIpStart = net::ethernet::kHeaderSize;
constexpr std::size_t kL4Start = kIpStart + net::ipv4::kMinHeaderSize;
constexpr std::size_t kTcpChecksum = kL4Start + net::tcp::kChecksum;

std::vector<std::uint8_t> tcp_frame(const std::string& src, const std::string& dst,
                                    std::size_t payload, std::uint8_t flags = Tins::TCP::ACK) {
    Tins::TCP tcp(443, 40000);
    tcp.seq(1000);
    tcp.ack_seq(77);
    tcp.flags(flags);
    std::vector<std::uint8_t> data(payload);
    for (std::size_t i = 0; i < payload; ++i) {
        data[i] = static_cast<std::uint8_t>(i * 7 + 3);
    }
    Tins::EthernetII eth("02:00:00:00:00:01", "02:00:00:00:00:02");
    Tins::IP ip(dst, src);
    ip.flags(Tins::IP::DONT_FRAGMENT);
    ip.id(100);
    auto packet = eth / ip / tcp / Tins::RawPDU(data);
    return packet.serialize();
}

std::uint16_t word_at(const std::vector<std::uint8_t>& f, std::size_t at) {
    return net::load16(f.data() + at);
}

// The sum of the pseudo-header of the TCP segment in `frame`, `l4_length` bytes long.
std::uint32_t pseudo_header(std::span<const std::uint8_t> frame, std::size_t l4_length) {
    const std::uint8_t* ip = frame.data() + kIpStart;
    return net::pseudo_header_sum(net::Ipv4Address(net::load32(ip + net::ipv4::kSrc)),
                                  net::Ipv4Address(net::load32(ip + net::ipv4::kDst)),
                                  net::Protocol::kTcp, l4_length);
}

// The plain pseudo-header sum a sender leaves in the field of a partial TCP checksum.
void make_partial(std::vector<std::uint8_t>& frame) {
    const std::size_t l4_length = frame.size() - kL4Start;
    net::store16(frame.data() + kTcpChecksum, net::fold(pseudo_header(frame, l4_length)));
}

VirtioNetHdr tcp_partial_header() {
    VirtioNetHdr header;
    header.flags = kVnetNeedsCsum;
    header.csum_start = kL4Start;
    header.csum_offset = net::tcp::kChecksum;
    return header;
}

// A TCP checksum is right when the sum over pseudo-header and segment folds to all ones.
bool tcp_checksum_ok(std::span<const std::uint8_t> frame) {
    const std::size_t ihl = net::ipv4::header_size(frame.data() + kIpStart);
    const std::size_t total = net::load16(frame.data() + kIpStart + net::ipv4::kTotalLength);
    const std::size_t l4 = kIpStart + ihl;
    const std::uint32_t sum = pseudo_header(frame, total - ihl);
    return net::fold(net::ones_sum(frame.subspan(l4, total - ihl), sum)) == 0xffff;
}

bool ip_checksum_ok(std::span<const std::uint8_t> frame) {
    const std::size_t ihl = net::ipv4::header_size(frame.data() + kIpStart);
    return net::fold(net::ones_sum(frame.subspan(kIpStart, ihl))) == 0xffff;
}

TEST(Vnet, HeaderIsTheTenByteVirtioLayout) {
    EXPECT_EQ(sizeof(VirtioNetHdr), 10u);
    EXPECT_EQ(offsetof(VirtioNetHdr, gso_size), 4u);
    EXPECT_EQ(offsetof(VirtioNetHdr, csum_start), 6u);
    EXPECT_EQ(offsetof(VirtioNetHdr, csum_offset), 8u);
}

TEST(Vnet, CompletingAPartialChecksumGivesTheChecksumLibtinsComputes) {
    auto frame = tcp_frame("10.0.1.10", "10.0.2.10", 1000);
    const std::uint16_t expected = word_at(frame, kTcpChecksum);
    make_partial(frame);
    ASSERT_NE(word_at(frame, kTcpChecksum), expected);
    ASSERT_TRUE(complete_checksum(frame, tcp_partial_header()));
    EXPECT_EQ(word_at(frame, kTcpChecksum), expected);
}

TEST(Vnet, CompletingRefusesOffsetsOutsideTheFrame) {
    std::vector<std::uint8_t> frame(40, 0xab);
    VirtioNetHdr header = tcp_partial_header();
    header.csum_start = 60;
    EXPECT_FALSE(complete_checksum(frame, header));
    header.csum_start = 30;
    header.csum_offset = 9;  // field would end at 41
    EXPECT_FALSE(complete_checksum(frame, header));
    EXPECT_EQ(frame, std::vector<std::uint8_t>(40, 0xab));
}

// The property the daemon relies on: a partial checksum, inverted, survives an RFC 1624
// incremental update of an address (what the internet gateway does) and, inverted back and
// completed, equals the checksum of the rewritten packet.
TEST(Vnet, InvertedPartialChecksumSurvivesAnIncrementalAddressRewrite) {
    auto frame = tcp_frame("10.0.1.10", "198.51.100.7", 1200);
    make_partial(frame);
    const VirtioNetHdr header = tcp_partial_header();
    ASSERT_TRUE(invert_partial_checksum(frame, header));

    // Rewrite the source 10.0.1.10 -> 203.0.113.10 with HC' = ~(~HC + ~m + m') (RFC 1624).
    const net::Ipv4Address fresh(203, 0, 113, 10);
    std::uint8_t* src = frame.data() + kIpStart + net::ipv4::kSrc;
    net::store16(
        frame.data() + kTcpChecksum,
        net::checksum_update32(word_at(frame, kTcpChecksum), net::load32(src), fresh.value()));
    net::store32(src, fresh.value());

    ASSERT_TRUE(invert_partial_checksum(frame, header));
    ASSERT_TRUE(complete_checksum(frame, header));
    auto expected = tcp_frame("203.0.113.10", "198.51.100.7", 1200);
    EXPECT_EQ(word_at(frame, kTcpChecksum), word_at(expected, kTcpChecksum));
}

TEST(Vnet, SegmentingCutsAtTheMssLikeTheKernel) {
    auto frame = tcp_frame("10.0.1.10", "10.0.2.10", 3500,
                           Tins::TCP::ACK | Tins::TCP::PSH | Tins::TCP::FIN | Tins::TCP::CWR);
    make_partial(frame);  // segments get complete checksums whatever the input held
    std::vector<std::vector<std::uint8_t>> segments;
    ASSERT_TRUE(segment_tcp4(frame, 1448, [&](std::span<const std::uint8_t> s) {
        segments.emplace_back(s.begin(), s.end());
    }));
    ASSERT_EQ(segments.size(), 3u);
    std::uint32_t expected_seq = 1000;
    for (std::size_t i = 0; i < segments.size(); ++i) {
        const auto& s = segments[i];
        Tins::EthernetII eth(s.data(), static_cast<std::uint32_t>(s.size()));
        const auto& ip = eth.rfind_pdu<Tins::IP>();
        const auto& tcp = eth.rfind_pdu<Tins::TCP>();
        const std::size_t payload = i < 2 ? 1448 : 3500 - 2 * 1448;
        EXPECT_EQ(ip.tot_len(), 20 + 20 + payload) << "segment " << i;
        EXPECT_EQ(ip.id(), 100 + i) << "segment " << i;
        EXPECT_EQ(tcp.seq(), expected_seq) << "segment " << i;
        EXPECT_EQ(tcp.get_flag(Tins::TCP::FIN), i == 2) << "FIN only on the last segment";
        EXPECT_EQ(tcp.get_flag(Tins::TCP::PSH), i == 2) << "PSH only on the last segment";
        EXPECT_EQ(tcp.get_flag(Tins::TCP::CWR), i == 0) << "CWR only on the first segment";
        EXPECT_TRUE(tcp_checksum_ok(s)) << "segment " << i;
        EXPECT_TRUE(ip_checksum_ok(s)) << "segment " << i;
        expected_seq += static_cast<std::uint32_t>(payload);
    }
}

TEST(Vnet, SegmentingRefusesWhatIsNotTcpOverIpv4) {
    int emitted = 0;
    auto count = [&](std::span<const std::uint8_t>) { ++emitted; };
    auto frame = tcp_frame("10.0.1.10", "10.0.2.10", 3000);
    EXPECT_FALSE(segment_tcp4(frame, 0, count)) << "an MSS of zero";
    std::vector<std::uint8_t> truncated(frame.begin(), frame.begin() + 40);
    EXPECT_FALSE(segment_tcp4(truncated, 1000, count)) << "a frame cut inside its TCP header";
    auto udp = Tins::EthernetII() / Tins::IP("10.0.2.10", "10.0.1.10") / Tins::UDP(53, 4000) /
               Tins::RawPDU(std::string(3000, 'x'));
    EXPECT_FALSE(segment_tcp4(udp.serialize(), 1000, count)) << "UDP";
    auto claims_more = frame;
    claims_more[kIpStart + net::ipv4::kTotalLength] = 0xff;  // total length beyond the frame
    EXPECT_FALSE(segment_tcp4(claims_more, 1000, count));
    EXPECT_EQ(emitted, 0);
}

TEST(Vnet, RandomBytesNeverCrashTheFrameHelpers) {
    std::mt19937 random(7);
    for (int round = 0; round < 2000; ++round) {
        std::vector<std::uint8_t> bytes(random() % 200);
        for (auto& b : bytes) {
            b = static_cast<std::uint8_t>(random());
        }
        if (bytes.size() > net::ethernet::kHeaderSize) {
            net::store16(bytes.data() + net::ethernet::kEtherType, net::ethernet::kTypeIpv4);
        }
        VirtioNetHdr header;
        header.csum_start = static_cast<std::uint16_t>(random() % 256);
        header.csum_offset = static_cast<std::uint16_t>(random() % 32);
        complete_checksum(bytes, header);
        invert_partial_checksum(bytes, header);
        frame_key(bytes);
        segment_tcp4(bytes, static_cast<std::uint16_t>(random() % 1500), [](auto) {});
    }
    SUCCEED();
}

TEST(Vnet, FrameKeyIdentifiesAnIpv4PacketAcrossRewrites) {
    auto a = tcp_frame("10.0.1.10", "198.51.100.7", 500);
    auto b = tcp_frame("203.0.113.10", "198.51.100.7", 500);
    FrameKey ka = frame_key(a);
    ASSERT_TRUE(ka.valid);
    EXPECT_EQ(ka.protocol, net::Protocol::kTcp);
    EXPECT_EQ(ka.id, 100);
    EXPECT_EQ(ka.total_length, 20 + 20 + 500);
    EXPECT_EQ(ka, frame_key(b)) << "address rewrites keep the key";
    auto c = tcp_frame("10.0.1.10", "198.51.100.7", 501);
    EXPECT_NE(ka, frame_key(c));
    std::vector<std::uint8_t> arp(42, 0);
    net::store16(arp.data() + net::ethernet::kEtherType, net::ethernet::kTypeArp);
    EXPECT_FALSE(frame_key(arp).valid);
}

}  // namespace
}  // namespace vpcstack::live
