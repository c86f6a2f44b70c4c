// The request type: request lines as a user writes them, headers, cookies and query strings.
#include "vpcstack/lb/http_request.hpp"

#include <gtest/gtest.h>

namespace vpcstack::lb {
namespace {

RequestLine parsed(std::string_view text) {
    const RequestLineResult r = parse_request_line(text);
    EXPECT_TRUE(r.line.has_value()) << text << ": " << r.error;
    return r.line.value_or(RequestLine{});
}

std::string error_of(std::string_view text) {
    const RequestLineResult r = parse_request_line(text);
    EXPECT_FALSE(r.line.has_value()) << text;
    return r.error;
}

TEST(RequestLine, MethodPathAndQueryAreSeparated) {
    const RequestLine l = parsed("POST /api/orders?x=1&y=2");
    EXPECT_EQ(l.method, "POST");
    EXPECT_EQ(l.path, "/api/orders");
    EXPECT_EQ(l.query, "x=1&y=2");
    EXPECT_EQ(l.host, "");
}

TEST(RequestLine, ATargetAloneIsAGet) {
    const RequestLine l = parsed("/index.html");
    EXPECT_EQ(l.method, "GET");
    EXPECT_EQ(l.path, "/index.html");
    EXPECT_EQ(l.query, "");
}

TEST(RequestLine, AnAbsoluteUrlGivesTheHostAndAVersionIsAccepted) {
    const RequestLine l = parsed("DELETE https://shop.example.com:8443?id=3 HTTP/1.1");
    EXPECT_EQ(l.method, "DELETE");
    EXPECT_EQ(l.host, "shop.example.com:8443");
    EXPECT_EQ(l.path, "/") << "an absolute URL without a path asks for /";
    EXPECT_EQ(l.query, "id=3");
    EXPECT_EQ(parsed("GET /a#section").path, "/a") << "a fragment is not sent";
}

TEST(RequestLine, BadRequestsSayWhatWasExpected) {
    EXPECT_EQ(error_of(""),
              "the request is empty; expected METHOD TARGET or TARGET alone (GET), where TARGET "
              "is a path such as /api?x=1 or an absolute URL such as "
              "https://shop.example.com/api");
    EXPECT_NE(error_of("GET").find("the request 'GET' has no target"), std::string::npos);
    EXPECT_NE(error_of("GET api").find("the request target 'api' is not a path"),
              std::string::npos);
    EXPECT_NE(error_of("GE(T /").find("the method 'GE(T' is not an HTTP token"), std::string::npos);
    EXPECT_NE(error_of("GET / /").find("has 3 words"), std::string::npos);
    EXPECT_NE(error_of("http:///x").find("the URL has no host"), std::string::npos);
}

TEST(HttpRequest, HeaderNamesAreNotCaseSensitiveAndHostIsAHeader) {
    HttpRequest r;
    r.host = "shop.example.com:8080";
    r.headers = {{"Accept", "a"}, {"ACCEPT", "b"}, {"Other", "c"}};
    EXPECT_EQ(r.header_values("accept"), (std::vector<std::string_view>{"a", "b"}));
    EXPECT_EQ(r.header_values("HOST"), (std::vector<std::string_view>{"shop.example.com:8080"}));
    EXPECT_EQ(r.host_name(), "shop.example.com");
    r.host = "[2001:db8::1]:443";
    EXPECT_EQ(r.host_name(), "[2001:db8::1]");
}

TEST(HttpRequest, CookiesAreFoundInAnyCookieHeaderByTheirExactName) {
    HttpRequest r;
    r.headers = {{"Cookie", "a=1; AWSALB=xyz"}, {"cookie", "session=abc"}};
    EXPECT_EQ(r.cookie("AWSALB"), "xyz");
    EXPECT_EQ(r.cookie("session"), "abc");
    EXPECT_FALSE(r.cookie("awsalb").has_value()) << "cookie names are case-sensitive";
    EXPECT_FALSE(r.cookie("b").has_value());
}

TEST(QueryString, ParametersArePercentDecodedAndAKeyAloneHasAnEmptyValue) {
    const std::vector<QueryParameter> p = parse_query("a%20b=c%3Dd&flag&&x=100%");
    ASSERT_EQ(p.size(), 3u);
    EXPECT_EQ(p[0].key, "a b");
    EXPECT_EQ(p[0].value, "c=d");
    EXPECT_EQ(p[1].key, "flag");
    EXPECT_EQ(p[1].value, "");
    EXPECT_EQ(p[2].value, "100%") << "a lone '%' stays";
}

}  // namespace
}  // namespace vpcstack::lb
