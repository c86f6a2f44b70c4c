#include "vpcstack/render/table.hpp"

#include <gtest/gtest.h>

namespace vpcstack::render {
namespace {

TEST(Table, AlignsColumnsWithTwoSpacesAndNoTrailingSpaces) {
    Table table("  ");
    table.add_row({"NAME", "CIDR", "AZ"});
    table.add_row({"public", "10.0.1.0/24", "us-east-1a"});
    table.add_row({"db", "10.0.3.0/24"});
    table.add_row({"x", "", ""});
    EXPECT_EQ(table.render(false),
              "  NAME    CIDR         AZ\n"
              "  public  10.0.1.0/24  us-east-1a\n"
              "  db      10.0.3.0/24\n"
              "  x\n");
}

TEST(Table, ColourChangesNeitherTheTextNorTheAlignment) {
    Table table;
    table.add_row({Cell("public", Style::Green), "a"});
    table.add_row({Cell("private", Style::Yellow), "b"});
    EXPECT_EQ(table.render(false), "public   a\nprivate  b\n");
    EXPECT_EQ(table.render(true), "\033[32mpublic\033[0m   a\n\033[33mprivate\033[0m  b\n");
}

TEST(Table, MeasuresWidthInCodePointsNotBytes) {
    EXPECT_EQ(display_width("a→b"), 3u);
    Table table;
    table.add_row({"a→b", "x"});
    table.add_row({"abcd", "y"});
    EXPECT_EQ(table.render(false), "a→b   x\nabcd  y\n");
}

TEST(Styled, LeavesTextAloneWithoutColourOrForPlainStyle) {
    EXPECT_EQ(styled("ok", Style::Red, false), "ok");
    EXPECT_EQ(styled("ok", Style::Plain, true), "ok");
    EXPECT_EQ(styled("ok", Style::Bold, true), "\033[1mok\033[0m");
    EXPECT_EQ(styled("", Style::Bold, true), "");
}

TEST(WrapList, BreaksBeforeTheWidthAndIndentsEveryLine) {
    EXPECT_EQ(wrap_list({"1 VPC", "2 subnets", "3 route tables"}, 20, "  "),
              "  1 VPC, 2 subnets,\n"
              "  3 route tables");
    EXPECT_EQ(wrap_list({"one"}, 20, ""), "one");
    EXPECT_EQ(wrap_list({}, 20, "  "), "  ");
}

}  // namespace
}  // namespace vpcstack::render
