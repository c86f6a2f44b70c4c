#include "vpcstack/importers/yaml_text.hpp"

#include <gtest/gtest.h>

namespace vpcstack::importers {
namespace {

TEST(YamlScalar, PlainWhenItReadsBackUnchanged) {
    EXPECT_EQ(yaml_scalar("web-sg"), "web-sg");
    EXPECT_EQ(yaml_scalar("0.0.0.0/0 -> igw"), "0.0.0.0/0 -> igw");
    EXPECT_EQ(yaml_scalar("tcp/22 from sg:bastion"), "tcp/22 from sg:bastion");
    EXPECT_EQ(yaml_scalar("100 allow tcp/80 from 0.0.0.0/0"), "100 allow tcp/80 from 0.0.0.0/0");
}

TEST(YamlScalar, QuotesWhatYamlWouldReadAsSomethingElse) {
    EXPECT_EQ(yaml_scalar("111122223333"), "\"111122223333\"");  // an account id, not a number
    EXPECT_EQ(yaml_scalar("yes"), "\"yes\"");
    EXPECT_EQ(yaml_scalar("Null"), "\"Null\"");
    EXPECT_EQ(yaml_scalar(""), "\"\"");
    EXPECT_EQ(yaml_scalar("- dash"), "\"- dash\"");
    EXPECT_EQ(yaml_scalar("a: b"), "\"a: b\"");
    EXPECT_EQ(yaml_scalar("web # old"), "\"web # old\"");
    EXPECT_EQ(yaml_scalar("say \"hi\"\n"), "\"say \\\"hi\\\"\\n\"");
}

TEST(YamlScalar, QuotesFlowIndicatorsOnlyInsideFlowCollections) {
    EXPECT_EQ(yaml_scalar("a,b"), "a,b");
    EXPECT_EQ(yaml_scalar("a,b", true), "\"a,b\"");
    EXPECT_EQ(yaml_scalar("x[1]", true), "\"x[1]\"");
}

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
