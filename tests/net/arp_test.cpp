#include "vpcstack/net/arp.hpp"

#include <gtest/gtest.h>

#include <array>

#include "vpcstack/net/bytes.hpp"
#include "vpcstack/net/ethernet.hpp"

namespace vpcstack::net {
namespace {

// "who-has 10.0.1.1 tell 10.0.1.10" from 02:aa:00:00:00:01, after the Ethernet header.
constexpr std::array<std::uint8_t, 28> kRequest{
    0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x01, 0x02, 0xaa, 0x00, 0x00, 0x00, 0x01,
    10,   0,    1,    10,   0x00, 0x00, 0x00, 0x00, 0x00, 0x00, 10,   0,    1,    1};

TEST(Arp, FieldsSitWhereRfc826PutsThem) {
    static_assert(arp::kSize == kRequest.size());
    const std::uint8_t* a = kRequest.data();
    EXPECT_EQ(load16(a + arp::kHardwareType), arp::kHardwareEthernet);
    EXPECT_EQ(load16(a + arp::kProtocolType), ethernet::kTypeIpv4);
    EXPECT_EQ(a[arp::kHardwareSize], arp::kEthernetAddressSize);
    EXPECT_EQ(a[arp::kProtocolSize], arp::kIpv4AddressSize);
    EXPECT_EQ(load16(a + arp::kOperation), arp::kRequest);
    EXPECT_EQ(load_mac(a + arp::kSenderMac).to_string(), "02:aa:00:00:00:01");
    EXPECT_EQ(Ipv4Address(load32(a + arp::kSenderIp)), Ipv4Address(10, 0, 1, 10));
    EXPECT_EQ(load_mac(a + arp::kTargetMac), MacAddress());
    EXPECT_EQ(Ipv4Address(load32(a + arp::kTargetIp)), Ipv4Address(10, 0, 1, 1));
    EXPECT_EQ(arp::kReply, 2);
}

}  // namespace
}  // namespace vpcstack::net
