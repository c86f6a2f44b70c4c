// The wildcards of ALB condition values: '*' any run, '?' one character, '\' for a literal one
// in a query string.
#include "vpcstack/lb/wildcard.hpp"

#include <gtest/gtest.h>

namespace vpcstack::lb {
namespace {

TEST(Wildcard, StarMatchesAnyRunIncludingNone) {
    EXPECT_TRUE(wildcard_match("/api/*", "/api/", CaseRule::Sensitive));
    EXPECT_TRUE(wildcard_match("/api/*", "/api/v1/users", CaseRule::Sensitive));
    EXPECT_TRUE(wildcard_match("*a*b*", "xxaxxbxx", CaseRule::Sensitive));
    EXPECT_TRUE(wildcard_match("*", "", CaseRule::Sensitive));
    EXPECT_FALSE(wildcard_match("/api/*", "/api", CaseRule::Sensitive));
    EXPECT_FALSE(wildcard_match("*a*b", "xxaxxbxc", CaseRule::Sensitive));
}

TEST(Wildcard, QuestionMarkMatchesExactlyOneCharacter) {
    EXPECT_TRUE(wildcard_match("/v?/", "/v2/", CaseRule::Sensitive));
    EXPECT_FALSE(wildcard_match("/v?/", "/v/", CaseRule::Sensitive));
    EXPECT_FALSE(wildcard_match("/v?/", "/v10/", CaseRule::Sensitive));
}

TEST(Wildcard, CaseIsComparedOnlyWhenTheConditionSaysSo) {
    EXPECT_FALSE(wildcard_match("/Img/*", "/img/a", CaseRule::Sensitive));
    EXPECT_TRUE(wildcard_match("/Img/*", "/img/a", CaseRule::Insensitive));
}

TEST(Wildcard, ABackslashMakesTheNextCharacterLiteralWhenEscapesAreOn) {
    EXPECT_TRUE(wildcard_match("a\\*", "a*", CaseRule::Sensitive, Escapes::Backslash));
    EXPECT_FALSE(wildcard_match("a\\*", "abc", CaseRule::Sensitive, Escapes::Backslash));
    EXPECT_FALSE(wildcard_match("a\\?", "ab", CaseRule::Sensitive, Escapes::Backslash));
    EXPECT_TRUE(wildcard_match("a\\*", "a\\xyz", CaseRule::Sensitive, Escapes::None))
        << "without escapes the backslash is an ordinary character";
}

}  // namespace
}  // namespace vpcstack::lb
