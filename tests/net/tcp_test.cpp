#include "vpcstack/net/tcp.hpp"

#include <gtest/gtest.h>

#include <array>

#include "vpcstack/net/bytes.hpp"

namespace vpcstack::net {
namespace {

// 40000 -> 443 SYN, seq 01020304, window 64240, checksum e420, one option (MSS 1460).
constexpr std::array<std::uint8_t, 24> kSyn{0x9c, 0x40, 0x01, 0xbb, 0x01, 0x02, 0x03, 0x04,
                                            0x00, 0x00, 0x00, 0x00, 0x60, 0x02, 0xfa, 0xf0,
                                            0xe4, 0x20, 0x00, 0x00, 0x02, 0x04, 0x05, 0xb4};

TEST(Tcp, FieldsSitWhereRfc9293PutsThem) {
    const std::uint8_t* t = kSyn.data();
    EXPECT_EQ(load16(t + tcp::kSrcPort), 40000);
    EXPECT_EQ(load16(t + tcp::kDstPort), 443);
    EXPECT_EQ(load32(t + tcp::kSeqNumber), 0x01020304u);
    EXPECT_EQ(load32(t + tcp::kAckNumber), 0u);
    EXPECT_EQ(tcp::header_size(t), 24u);
    EXPECT_EQ(t[tcp::kFlags], tcp::kSyn);
    EXPECT_EQ(load16(t + tcp::kWindow), 64240);
    EXPECT_EQ(load16(t + tcp::kChecksum), 0xe420);
    EXPECT_EQ(load16(t + tcp::kUrgentPointer), 0);
}

TEST(Tcp, FlagBitsAreTheProtocolsBits) {
    EXPECT_EQ(tcp::kSyn | tcp::kAck, 0x12);
    EXPECT_EQ(tcp::kRst | tcp::kAck, 0x14);
    EXPECT_EQ(tcp::kFin | tcp::kPsh | tcp::kAck, 0x19);
    EXPECT_EQ(tcp::kUrg | tcp::kEce | tcp::kCwr, 0xe0);
    const std::uint8_t no_options[13] = {
        0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, tcp::kDataOffsetNoOptions};
    EXPECT_EQ(tcp::header_size(no_options), tcp::kMinHeaderSize);
}

}  // namespace
}  // namespace vpcstack::net
