#include "vpcstack/importers/yaml_text.hpp"

#include <gtest/gtest.h>

namespace vpcstack::importers {
namespace {

TEST(SanitizeName, KeepsNameCharactersAndJoinsTheRestWithOneDash) {
    EXPECT_EQ(sanitize_name("private a"), "private-a");
    EXPECT_EQ(sanitize_name("  Prod / Web: tier  "), "Prod-Web-tier");
    EXPECT_EQ(sanitize_name("com.amazonaws.us-east-1.s3"), "com.amazonaws.us-east-1.s3");
    EXPECT_EQ(sanitize_name("--x--"), "x");
    EXPECT_EQ(sanitize_name("***"), "");
}

TEST(NameScope, LaterTakersOfANameGetANumber) {
    NameScope scope;
    scope.reserve("main");
    EXPECT_EQ(scope.unique("web"), "web");
    EXPECT_EQ(scope.unique("web"), "web-2");
    EXPECT_EQ(scope.unique("web"), "web-3");
    EXPECT_EQ(scope.unique("main"), "main-2");
    EXPECT_TRUE(scope.taken("web-2"));
}

}  // namespace
}  // namespace vpcstack::importers
