#include "vpcstack/net/bytes.hpp"

#include <gtest/gtest.h>

#include <array>

namespace vpcstack::net {
namespace {

TEST(Bytes, LoadsReadNetworkByteOrder) {
    const std::array<std::uint8_t, 4> golden{0x12, 0x34, 0x56, 0x78};
    EXPECT_EQ(load16(golden.data()), 0x1234);
    EXPECT_EQ(load16(golden.data() + 2), 0x5678);
    EXPECT_EQ(load32(golden.data()), 0x12345678u);
}

TEST(Bytes, StoresWriteNetworkByteOrder) {
    std::array<std::uint8_t, 6> out{};
    store16(out.data(), 0xabcd);
    store32(out.data() + 2, 0x0a000102u);
    EXPECT_EQ(out, (std::array<std::uint8_t, 6>{0xab, 0xcd, 10, 0, 1, 2}));
}

TEST(Bytes, MacAddressesRoundTrip) {
    const std::array<std::uint8_t, 6> golden{0x02, 0xaa, 0x00, 0x00, 0x00, 0x01};
    MacAddress mac = load_mac(golden.data());
    EXPECT_EQ(mac.to_string(), "02:aa:00:00:00:01");
    std::array<std::uint8_t, 6> out{};
    store_mac(out.data(), mac);
    EXPECT_EQ(out, golden);
}

}  // namespace
}  // namespace vpcstack::net
