// The X-Forwarded headers an ALB sets toward its targets (AWS: x-forwarded-headers).
#include "vpcstack/lb/forwarded_headers.hpp"

#include <gtest/gtest.h>

#include "alb_topology.hpp"

namespace vpcstack::lb {
namespace {

using testing::request;

std::string only(const HttpRequest& r, std::string_view name) {
    const auto values = r.header_values(name);
    EXPECT_EQ(values.size(), 1u) << name;
    return values.empty() ? std::string() : std::string(values.front());
}

TEST(ForwardedHeaders, TheClientAddressIsXForwardedForWhenTheClientSentNone) {
    HttpRequest r = request("/");
    r.source = net::Ipv4Address(198, 51, 100, 7);
    const HttpRequest out = toward_target(r);
    EXPECT_EQ(only(out, "x-forwarded-for"), "198.51.100.7");
    EXPECT_EQ(only(out, "X-Forwarded-Proto"), "http");
    EXPECT_EQ(only(out, "X-Forwarded-Port"), "80");
}

TEST(ForwardedHeaders, TheClientAddressIsAppendedToTheXForwardedForTheClientSent) {
    HttpRequest r = request("/");
    r.source = net::Ipv4Address(198, 51, 100, 7);
    r.headers = {
        {"X-Forwarded-For", "203.0.113.1"}, {"x-forwarded-for", "10.1.2.3"}, {"Accept", "*/*"}};
    const HttpRequest out = toward_target(r);
    EXPECT_EQ(only(out, "X-Forwarded-For"), "203.0.113.1, 10.1.2.3, 198.51.100.7");
    EXPECT_EQ(only(out, "Accept"), "*/*") << "other headers pass unchanged";
}

TEST(ForwardedHeaders, ProtoAndPortAreTheListenersWhateverTheClientSent) {
    HttpRequest r = request("/");
    r.listener_protocol = model::LbProtocol::Https;
    r.listener_port = 8443;
    r.headers = {{"X-Forwarded-Proto", "http"}, {"X-Forwarded-Port", "1"}};
    const HttpRequest out = toward_target(r);
    EXPECT_EQ(only(out, "X-Forwarded-Proto"), "https");
    EXPECT_EQ(only(out, "X-Forwarded-Port"), "8443");
}

}  // namespace
}  // namespace vpcstack::lb
