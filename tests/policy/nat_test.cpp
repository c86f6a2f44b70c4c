#include "vpcstack/policy/nat.hpp"

#include <gtest/gtest.h>

namespace vpcstack::policy {
namespace {

TEST(Nat, TranslatesTcpUdpAndIcmpQueriesOnly) {
    EXPECT_EQ(nat_handling({net::Protocol::kTcp, false, true, false}), NatHandling::Translate);
    EXPECT_EQ(nat_handling({net::Protocol::kUdp, false, true, false}), NatHandling::Translate);
    EXPECT_EQ(nat_handling({net::Protocol::kIcmp, false, true, true}), NatHandling::Translate);
    EXPECT_EQ(nat_handling({net::Protocol::kIcmp, false, true, false}), NatHandling::Unsupported);
    EXPECT_EQ(nat_handling({47, false, true, false}), NatHandling::Unsupported);  // GRE
}

TEST(Nat, UdpFragmentsPassTcpAndIcmpFragmentsDoNot) {
    EXPECT_EQ(nat_handling({net::Protocol::kUdp, true, true, false}), NatHandling::Translate);
    EXPECT_EQ(nat_handling({net::Protocol::kUdp, true, false, false}),
              NatHandling::TranslateAddress);
    EXPECT_EQ(nat_handling({net::Protocol::kTcp, true, true, false}), NatHandling::Unsupported);
    EXPECT_EQ(nat_handling({net::Protocol::kIcmp, true, true, true}), NatHandling::Unsupported);
}

TEST(Nat, NonSynTcpWithoutTranslationGetsRst) {
    using namespace net::tcp;
    EXPECT_FALSE(answer_with_rst(kSyn)) << "a SYN opens a translation";
    EXPECT_TRUE(answer_with_rst(kSyn | kAck));
    EXPECT_TRUE(answer_with_rst(kAck));
    EXPECT_TRUE(answer_with_rst(kFin | kAck));
    EXPECT_FALSE(answer_with_rst(kRst | kAck)) << "a RST is never answered";
}

TEST(Nat, DoesNotServeItsOwnSubnet) {
    model::NatGateway nat;
    nat.subnet = 3;
    EXPECT_FALSE(nat_serves(nat, 3));
    EXPECT_TRUE(nat_serves(nat, 4));
}

}  // namespace
}  // namespace vpcstack::policy
