#include "vpcstack/net/icmp.hpp"

#include <gtest/gtest.h>

#include <array>

#include "vpcstack/net/bytes.hpp"

namespace vpcstack::net {
namespace {

// An echo request, id 7, sequence 1, payload "abcd", checksum 3331.
constexpr std::array<std::uint8_t, 12> kEcho{0x08, 0x00, 0x33, 0x31, 0x00, 0x07,
                                             0x00, 0x01, 'a',  'b',  'c',  'd'};

TEST(Icmp, FieldsSitWhereRfc792PutsThem) {
    const std::uint8_t* m = kEcho.data();
    EXPECT_EQ(m[icmp::kType], icmp::kEchoRequest);
    EXPECT_EQ(m[icmp::kCode], 0);
    EXPECT_EQ(load16(m + icmp::kChecksum), 0x3331);
    EXPECT_EQ(load16(m + icmp::kQueryId), 7);
    EXPECT_EQ(load16(m + icmp::kQuerySequence), 1);
    EXPECT_EQ(icmp::kQuote, icmp::kHeaderSize);
}

TEST(Icmp, TypesAndCodesAreTheRfcNumbers) {
    EXPECT_EQ(icmp::kEchoRequest, 8);
    EXPECT_EQ(icmp::kEchoReply, 0);
    EXPECT_EQ(icmp::kTimestampRequest, 13);
    EXPECT_EQ(icmp::kTimestampReply, 14);
    EXPECT_EQ(icmp::kInfoRequest, 15);
    EXPECT_EQ(icmp::kInfoReply, 16);
    EXPECT_EQ(icmp::kAddressMaskRequest, 17);
    EXPECT_EQ(icmp::kAddressMaskReply, 18);
    EXPECT_EQ(icmp::kDestinationUnreachable, 3);
    EXPECT_EQ(icmp::kTimeExceeded, 11);
    EXPECT_EQ(icmp::kParameterProblem, 12);
    EXPECT_EQ(icmp::kFragmentationNeeded, 4);
    EXPECT_EQ(icmp::kPortUnreachable, 3);
}

TEST(Icmp, QueriesCarryAnIdAndErrorsQuoteAPacket) {
    for (int type = 0; type < 256; ++type) {
        auto t = static_cast<std::uint8_t>(type);
        bool query = type == 0 || type == 8 || (type >= 13 && type <= 18);
        bool error = type == 3 || type == 4 || type == 5 || type == 11 || type == 12;
        EXPECT_EQ(icmp::is_query(t), query) << type;
        EXPECT_EQ(icmp::is_error(t), error) << type;
        EXPECT_EQ(icmp::is_echo(t), type == 0 || type == 8) << type;
    }
}

}  // namespace
}  // namespace vpcstack::net
