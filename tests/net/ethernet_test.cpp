#include "vpcstack/net/ethernet.hpp"

#include <gtest/gtest.h>

#include <array>

#include "vpcstack/net/bytes.hpp"

namespace vpcstack::net {
namespace {

// The Ethernet header of a broadcast ARP request from 02:aa:00:00:00:01.
constexpr std::array<std::uint8_t, 14> kArpBroadcast{0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x02,
                                                     0xaa, 0x00, 0x00, 0x00, 0x01, 0x08, 0x06};

TEST(Ethernet, FieldsSitWhereTheHeaderPutsThem) {
    static_assert(ethernet::kHeaderSize == kArpBroadcast.size());
    EXPECT_TRUE(load_mac(kArpBroadcast.data() + ethernet::kDstMac).is_broadcast());
    EXPECT_EQ(load_mac(kArpBroadcast.data() + ethernet::kSrcMac).to_string(), "02:aa:00:00:00:01");
    EXPECT_EQ(load16(kArpBroadcast.data() + ethernet::kEtherType), ethernet::kTypeArp);
}

TEST(Ethernet, EtherTypesAreTheRegisteredNumbers) {
    EXPECT_EQ(ethernet::kTypeIpv4, 0x0800);
    EXPECT_EQ(ethernet::kTypeArp, 0x0806);
    EXPECT_EQ(ethernet::kMinFrameSize, 60u);
}

}  // namespace
}  // namespace vpcstack::net
