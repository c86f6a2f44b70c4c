// Redirect and fixed-response actions (AWS: load-balancer-listeners, redirect actions and
// fixed-response actions), from listeners as the loader builds them.
#include "vpcstack/lb/responses.hpp"

#include <gtest/gtest.h>

#include "alb_topology.hpp"

namespace vpcstack::lb {
namespace {

using testing::load_alb;
using testing::request;

// The default action of the topology's first listener.
const model::ListenerAction& default_action(const model::Topology& t) {
    return t.load_balancers.at(0).listeners.at(0).default_action;
}

TEST(RedirectAction, UnsetPartsKeepTheRequestsAndTheDefaultStatusIsPermanent) {
    const model::Topology t = load_alb(R"(
          - protocol: HTTP
            port: 80
            default_action: {redirect: {protocol: HTTPS, port: "443"}}
)");
    ASSERT_FALSE(t.load_balancers.empty());
    const RedirectResponse r =
        render_redirect(default_action(t), request("/cart/view?id=7", "Shop.example.com:80"));
    EXPECT_EQ(r.status, 301);
    EXPECT_EQ(r.location, "https://Shop.example.com:443/cart/view?id=7")
        << "host (without the request's port), path and query kept";
}

TEST(RedirectAction, PlaceholdersReuseTheRequestsPartsAndPathLosesItsLeadingSlash) {
    const model::Topology t = load_alb(R"(
          - protocol: HTTP
            port: 8080
            default_action:
              redirect: {host: "new.#{host}", path: "/v2/#{path}", query: "#{query}&from=#{port}", status: 302}
)");
    ASSERT_FALSE(t.load_balancers.empty());
    HttpRequest req = request("/cart?id=7");
    req.listener_port = 8080;
    const RedirectResponse r = render_redirect(default_action(t), req);
    EXPECT_EQ(r.status, 302);
    EXPECT_EQ(r.location, "http://new.shop.example.com:8080/v2/cart?id=7&from=8080");
}

TEST(RedirectAction, AnEmptyQueryLeavesNoQuestionMarkAndProtocolPlaceholderKeepsTheListeners) {
    const model::Topology t = load_alb(R"(
          - protocol: HTTPS
            port: 443
            certificate: shop.example.com
            default_action: {redirect: {protocol: "#{protocol}", host: www.example.com}}
)");
    ASSERT_FALSE(t.load_balancers.empty());
    HttpRequest req = request("/");
    req.listener_protocol = model::LbProtocol::Https;
    req.listener_port = 443;
    EXPECT_EQ(render_redirect(default_action(t), req).location, "https://www.example.com:443/");
}

TEST(FixedResponseAction, AnswersWithItsStatusContentTypeAndBody) {
    const model::Topology t = load_alb(R"(
          - protocol: HTTP
            port: 80
            default_action: {fixed-response: {status: 503, content_type: application/json, body: "{\"down\": true}"}}
          - protocol: HTTP
            port: 81
            default_action: {fixed-response: {status: 404}}
)");
    ASSERT_FALSE(t.load_balancers.empty());
    const FixedResponse down = render_fixed_response(default_action(t));
    EXPECT_EQ(down.status, 503);
    EXPECT_EQ(down.content_type, "application/json");
    EXPECT_EQ(down.body, "{\"down\": true}");
    const FixedResponse missing =
        render_fixed_response(t.load_balancers[0].listeners.at(1).default_action);
    EXPECT_EQ(missing.status, 404);
    EXPECT_EQ(missing.content_type, "text/plain") << "the cloud's default content type";
    EXPECT_EQ(missing.body, "");
}

}  // namespace
}  // namespace vpcstack::lb
