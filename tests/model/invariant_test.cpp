// VPCSTACK_ASSERT stays on in release builds: this file is compiled as if with -DNDEBUG.
#ifndef NDEBUG
#define NDEBUG
#endif
#include "vpcstack/model/invariant.hpp"

#include <gtest/gtest.h>

namespace {

TEST(Invariant, AHoldingInvariantCostsNothingButTheCheck) {
    int calls = 0;
    VPCSTACK_ASSERT(++calls == 1, "the condition is evaluated once");
    EXPECT_EQ(calls, 1);
}

TEST(InvariantDeathTest, ABrokenInvariantPrintsWhereAndWhyAndAbortsEvenWithNdebug) {
    EXPECT_DEATH(
        VPCSTACK_ASSERT(1 + 1 == 3, "arithmetic holds"),
        "invariant_test.cpp:[0-9]+: invariant broken: 1 \\+ 1 == 3 \\(arithmetic holds\\)");
}

}  // namespace
