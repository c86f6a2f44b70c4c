#include "vpcstack/net/udp.hpp"

#include <gtest/gtest.h>

#include <array>

#include "vpcstack/net/bytes.hpp"

namespace vpcstack::net {
namespace {

// 40000 -> 53, 5 bytes of payload, checksum 0879.
constexpr std::array<std::uint8_t, 8> kHeader{0x9c, 0x40, 0x00, 0x35, 0x00, 0x0d, 0x08, 0x79};

TEST(Udp, FieldsSitWhereRfc768PutsThem) {
    const std::uint8_t* u = kHeader.data();
    static_assert(udp::kHeaderSize == kHeader.size());
    EXPECT_EQ(load16(u + udp::kSrcPort), 40000);
    EXPECT_EQ(load16(u + udp::kDstPort), 53);
    EXPECT_EQ(load16(u + udp::kLength), udp::kHeaderSize + 5);
    EXPECT_EQ(load16(u + udp::kChecksum), 0x0879);
}

TEST(Udp, AComputedZeroChecksumIsSentAsAllOnes) {
    EXPECT_EQ(udp::wire_checksum(0), 0xffff);
    EXPECT_EQ(udp::wire_checksum(0x1234), 0x1234);
    EXPECT_EQ(udp::kNoChecksum, 0);
}

}  // namespace
}  // namespace vpcstack::net
