#include "vpcstack/net/ipv4_header.hpp"

#include <gtest/gtest.h>

#include <array>

#include "vpcstack/net/bytes.hpp"
#include "vpcstack/net/protocol.hpp"

namespace vpcstack::net {
namespace {

// A UDP packet's header, 192.168.0.1 -> 192.168.0.199, id 0, DF, TTL 64, checksum b861.
constexpr std::array<std::uint8_t, 20> kHeader{0x45, 0x00, 0x00, 0x73, 0x00, 0x00, 0x40,
                                               0x00, 0x40, 0x11, 0xb8, 0x61, 0xc0, 0xa8,
                                               0x00, 0x01, 0xc0, 0xa8, 0x00, 0xc7};

TEST(Ipv4Header, FieldsSitWhereRfc791PutsThem) {
    const std::uint8_t* h = kHeader.data();
    EXPECT_EQ(ipv4::version(h), ipv4::kVersion);
    EXPECT_EQ(ipv4::header_size(h), ipv4::kMinHeaderSize);
    EXPECT_EQ(h[ipv4::kVersionIhl], ipv4::kVersionIhlNoOptions);
    EXPECT_EQ(h[ipv4::kTos], 0);
    EXPECT_EQ(load16(h + ipv4::kTotalLength), 0x73);
    EXPECT_EQ(load16(h + ipv4::kId), 0);
    EXPECT_EQ(load16(h + ipv4::kFlagsFragment), ipv4::kDontFragment);
    EXPECT_EQ(h[ipv4::kTtl], 64);
    EXPECT_EQ(h[ipv4::kProtocol], Protocol::kUdp);
    EXPECT_EQ(load16(h + ipv4::kChecksum), 0xb861);
    EXPECT_EQ(Ipv4Address(load32(h + ipv4::kSrc)), Ipv4Address(192, 168, 0, 1));
    EXPECT_EQ(Ipv4Address(load32(h + ipv4::kDst)), Ipv4Address(192, 168, 0, 199));
}

TEST(Ipv4Header, FlagsAndFragmentOffsetShareOneWord) {
    // A middle fragment: MF set, offset 185 (1480 bytes).
    constexpr std::uint16_t word = 0x20b9;
    EXPECT_NE(word & ipv4::kMoreFragments, 0);
    EXPECT_EQ(word & ipv4::kDontFragment, 0);
    EXPECT_EQ(word & ipv4::kFragmentOffsetMask, 185);
}

TEST(Ipv4Header, OptionsLengthenTheHeader) {
    const std::uint8_t with_options[1] = {0x46};
    EXPECT_EQ(ipv4::header_size(with_options), 24u);
    const std::uint8_t longest[1] = {0x4f};
    EXPECT_EQ(ipv4::header_size(longest), ipv4::kMaxHeaderSize);
}

}  // namespace
}  // namespace vpcstack::net
