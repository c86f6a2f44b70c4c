#include "vpcstack/net/checksum.hpp"

#include <gtest/gtest.h>

#include <vector>

#include "vpcstack/net/bytes.hpp"
#include "vpcstack/net/ipv4_header.hpp"
#include "vpcstack/net/protocol.hpp"
#include "vpcstack/net/tcp.hpp"

namespace vpcstack::net {
namespace {

TEST(Checksum, Rfc1071Example) {
    // RFC 1071 section 3: 0001 f203 f4f5 f6f7 sums to ddf2, whose complement is 220d.
    const std::vector<std::uint8_t> data{0x00, 0x01, 0xf2, 0x03, 0xf4, 0xf5, 0xf6, 0xf7};
    EXPECT_EQ(ones_sum(data), 0xddf2u);
    EXPECT_EQ(fold(ones_sum(data)), 0xddf2);
    EXPECT_EQ(checksum(ones_sum(data)), 0x220d);
}

// A UDP packet's IPv4 header, 192.168.0.1 -> 192.168.0.199, checksum b861.
const std::vector<std::uint8_t> kIpv4Header{0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40,
                                            0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8,
                                            0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};

TEST(Checksum, OfAnIpv4HeaderIsComputedWithTheFieldZeroed) {
    std::vector<std::uint8_t> header = kIpv4Header;
    store16(header.data() + ipv4::kChecksum, 0);
    EXPECT_EQ(checksum(ones_sum(header)), 0xb861);
}

TEST(Checksum, AHeaderWithACorrectChecksumFoldsToAllOnes) {
    EXPECT_EQ(fold(ones_sum(kIpv4Header)), 0xffff);
    EXPECT_EQ(checksum(ones_sum(kIpv4Header)), 0);
    std::vector<std::uint8_t> damaged = kIpv4Header;
    damaged[ipv4::kTtl] = 63;
    EXPECT_NE(fold(ones_sum(damaged)), 0xffff);
}

TEST(Checksum, AnOddLastByteIsPaddedWithZero) {
    EXPECT_EQ(ones_sum(std::vector<std::uint8_t>{0xab}), 0xab00u);
    EXPECT_EQ(ones_sum(std::vector<std::uint8_t>{0x12, 0x34, 0xab}), 0x1234u + 0xab00u);
    EXPECT_EQ(ones_sum(std::vector<std::uint8_t>{0x12, 0x34, 0x56, 0x78, 0x9a, 0xbc, 0xde}),
              fold(0x1234u + 0x5678u + 0x9abcu + 0xde00u));
}

TEST(Checksum, SumsChainAcrossCallsAndCarriesWrapAround) {
    const std::vector<std::uint8_t> a{0xff, 0xff, 0xff, 0xff};
    const std::vector<std::uint8_t> b{0x00, 0x02, 0x00, 0x00, 0x80, 0x00};
    std::vector<std::uint8_t> ab = a;
    ab.insert(ab.end(), b.begin(), b.end());
    EXPECT_EQ(ones_sum(b, ones_sum(a)), ones_sum(ab));
    EXPECT_EQ(ones_sum(ab), 0x8002u);  // ffff + ffff + 0002 + 8000, carries added back
    EXPECT_EQ(fold(0x1fffeu), 0xffff);
    EXPECT_EQ(fold(0x2ffffu), 0x0002);
}

TEST(Checksum, OfATcpSegmentCoversThePseudoHeader) {
    // 10.0.1.10:40000 -> 10.0.2.10:443 SYN with an MSS option; checksum e420 (computed apart).
    std::vector<std::uint8_t> segment{0x9c, 0x40, 0x01, 0xbb, 0x01, 0x02, 0x03, 0x04,
                                      0x00, 0x00, 0x00, 0x00, 0x60, 0x02, 0xfa, 0xf0,
                                      0x00, 0x00, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4};
    std::uint32_t pseudo = pseudo_header_sum(Ipv4Address(10, 0, 1, 10), Ipv4Address(10, 0, 2, 10),
                                             Protocol::kTcp, segment.size());
    EXPECT_EQ(checksum(ones_sum(segment, pseudo)), 0xe420);
    store16(segment.data() + tcp::kChecksum, 0xe420);
    EXPECT_EQ(fold(ones_sum(segment, pseudo)), 0xffff);
}

TEST(Checksum, OfAUdpDatagramCoversThePseudoHeader) {
    // 10.0.1.10:40000 -> 10.0.2.10:53 "hello"; checksum 0879 (computed apart).
    const std::vector<std::uint8_t> datagram{0x9c, 0x40, 0x00, 0x35, 0x00, 0x0d, 0x00,
                                             0x00, 'h',  'e',  'l',  'l',  'o'};
    std::uint32_t pseudo = pseudo_header_sum(Ipv4Address(10, 0, 1, 10), Ipv4Address(10, 0, 2, 10),
                                             Protocol::kUdp, datagram.size());
    EXPECT_EQ(checksum(ones_sum(datagram, pseudo)), 0x0879);
}

TEST(Checksum, Rfc1624Example) {
    // RFC 1624 section 4: HC 0xdd2f, a field 0x5555 -> 0x3285. Eqn. 3 gives 0x0000, which a
    // full recomputation gives too; eqn. 2 would give 0xffff.
    EXPECT_EQ(checksum_update16(0xdd2f, 0x5555, 0x3285), 0x0000);
}

TEST(Checksum, IncrementalUpdateOfTheIpv4TtlAndAddress) {
    std::vector<std::uint8_t> header = kIpv4Header;
    std::uint16_t old_word = load16(header.data() + ipv4::kTtl);
    header[ipv4::kTtl] = 63;
    std::uint16_t c = checksum_update16(0xb861, old_word, load16(header.data() + ipv4::kTtl));
    EXPECT_EQ(c, 0xb961);
    c = checksum_update32(c, load32(header.data() + ipv4::kSrc), 0x0a000114u);
    store32(header.data() + ipv4::kSrc, 0x0a000114u);
    store16(header.data() + ipv4::kChecksum, c);
    EXPECT_EQ(fold(ones_sum(header)), 0xffff);
}

TEST(Checksum, IncrementalUpdateEqualsRecomputation) {
    std::uint32_t seed = 99;
    for (int i = 0; i < 2000; ++i) {
        std::vector<std::uint8_t> data(20);
        for (auto& b : data) {
            seed = seed * 1664525u + 1013904223u;
            b = static_cast<std::uint8_t>(seed >> 24);
        }
        std::uint16_t before = checksum(ones_sum(data));
        std::uint32_t old_value = load32(data.data() + 12);
        seed = seed * 1664525u + 1013904223u;
        store32(data.data() + 12, seed);
        std::uint16_t updated = checksum_update32(before, old_value, seed);
        std::uint16_t full = checksum(ones_sum(data));
        // One's complement has two zeros; both verify.
        EXPECT_TRUE(updated == full || (updated == 0xffff && full == 0) ||
                    (updated == 0 && full == 0xffff))
            << i;
    }
}

TEST(Checksum, SumsOfLargeBuffersDoNotOverflow) {
    const std::vector<std::uint8_t> ones(65536, 0xff);
    EXPECT_EQ(ones_sum(ones), 0xffffu);
    std::vector<std::uint8_t> pattern(65535);
    std::uint64_t words = 0;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        pattern[i] = static_cast<std::uint8_t>(i * 7);
        words += (i % 2 == 0) ? std::uint64_t{pattern[i]} << 8 : pattern[i];
    }
    while (words >> 16) words = (words & 0xffff) + (words >> 16);
    EXPECT_EQ(ones_sum(pattern), words);
}

}  // namespace
}  // namespace vpcstack::net
