// ALB listener rules in the cloud's words: priority order, the default action, and each
// condition type's matching (AWS: load-balancer-listeners, rule condition types).
#include "vpcstack/lb/rules.hpp"

#include <gtest/gtest.h>

#include "alb_topology.hpp"
#include "vpcstack/lb/forward.hpp"
#include "vpcstack/lb/responses.hpp"

namespace vpcstack::lb {
namespace {

using model::ConditionField;
using testing::load_alb;
using testing::request;

model::RuleCondition condition(ConditionField field, std::vector<std::string> values,
                               std::string header = "") {
    model::RuleCondition c;
    c.field = field;
    c.values = std::move(values);
    c.header_name = std::move(header);
    return c;
}

bool matches(const model::RuleCondition& c, const HttpRequest& r) {
    return evaluate(c, r).matched;
}

// Rules written out of order; each answers with its own status, so the status names the rule.
const std::string kListener = R"(
          - protocol: HTTP
            port: 80
            default_action: {fixed-response: {status: 404, body: none}}
            rules:
              - priority: 30
                conditions: [{path-pattern: ["/api/*"]}]
                action: {fixed-response: {status: 230}}
              - priority: 10
                conditions: [{host-header: admin.example.com}, {path-pattern: ["/api/*"]}]
                action: {fixed-response: {status: 210}}
              - priority: 20
                conditions: [{path-pattern: ["/api/*", "/v2/*"]}, {http-request-method: [GET, HEAD]}]
                action: {fixed-response: {status: 220}}
)";

TEST(ListenerRules, RulesAreEvaluatedInPriorityOrderLowestFirstNotInTheOrderWritten) {
    const model::Topology t = load_alb(kListener);
    ASSERT_FALSE(t.load_balancers.empty());
    const model::Listener& listener = t.load_balancers[0].listeners[0];

    const RuleMatch admin = route(listener, request("/api/users", "admin.example.com"));
    ASSERT_EQ(admin.priority, 10u) << "the lowest priority that matches wins";
    EXPECT_EQ(admin.action->status_code, 210);
    EXPECT_TRUE(admin.skipped.empty()) << "nothing is evaluated before priority 10";

    const RuleMatch shop = route(listener, request("/api/users"));
    ASSERT_EQ(shop.priority, 20u) << "priority 20 comes before 30, though written after it";
    EXPECT_EQ(shop.action->status_code, 220);
    ASSERT_EQ(shop.skipped.size(), 1u);
    EXPECT_EQ(shop.skipped[0].priority, 10u);
    EXPECT_EQ(shop.skipped[0].condition, 0u) << "priority 10 fails on its host-header";
    EXPECT_EQ(shop.skipped[0].field, ConditionField::HostHeader);
    EXPECT_EQ(shop.skipped[0].miss, ConditionMiss::NoValueMatched);
}

TEST(ListenerRules, ARuleMatchesWhenAllItsConditionsDoAndAConditionWhenAnyValueDoes) {
    const model::Topology t = load_alb(kListener);
    ASSERT_FALSE(t.load_balancers.empty());
    const model::Listener& listener = t.load_balancers[0].listeners[0];

    HttpRequest head = request("/v2/items");
    head.method = "HEAD";
    const RuleMatch m = route(listener, head);
    ASSERT_EQ(m.priority, 20u);
    EXPECT_EQ(m.matched_values, (std::vector<std::uint32_t>{1, 1}))
        << "the second path pattern and the second method matched";

    HttpRequest post = request("/v2/items");
    post.method = "POST";
    const RuleMatch none = route(listener, post);
    EXPECT_TRUE(none.is_default()) << "one condition of three fails: no rule matches";
    ASSERT_EQ(none.skipped.size(), 3u);
    EXPECT_EQ(none.skipped[1].priority, 20u);
    EXPECT_EQ(none.skipped[1].condition, 1u) << "the path matched, the method did not";
    EXPECT_EQ(none.skipped[1].field, ConditionField::HttpRequestMethod);
}

TEST(ListenerRules, ARequestNoRuleMatchesGetsTheListenersDefaultAction) {
    const model::Topology t = load_alb(kListener);
    ASSERT_FALSE(t.load_balancers.empty());
    const model::Listener& listener = t.load_balancers[0].listeners[0];
    const RuleMatch m = route(listener, request("/index.html"));
    EXPECT_TRUE(m.is_default());
    EXPECT_FALSE(m.priority.has_value());
    EXPECT_EQ(m.action, &listener.default_action);
    EXPECT_EQ(m.action->status_code, 404);
    ASSERT_EQ(m.skipped.size(), 3u);
    EXPECT_EQ(m.skipped[0].priority, 10u);
    EXPECT_EQ(m.skipped[1].priority, 20u);
    EXPECT_EQ(m.skipped[2].priority, 30u);
}

TEST(HostHeaderCondition, IsNotCaseSensitiveAndIgnoresThePort) {
    const auto c = condition(ConditionField::HostHeader, {"shop.example.com"});
    EXPECT_TRUE(matches(c, request("/", "SHOP.Example.COM")));
    EXPECT_TRUE(matches(c, request("/", "shop.example.com:8080")));
    EXPECT_FALSE(matches(c, request("/", "shop.example.org")));
}

TEST(HostHeaderCondition, StarMatchesAnyRunAndQuestionMarkExactlyOneCharacter) {
    const auto star = condition(ConditionField::HostHeader, {"*.example.com"});
    EXPECT_TRUE(matches(star, request("/", "api.eu.Example.com")));
    EXPECT_FALSE(matches(star, request("/", "example.com"))) << "the dot must be there";
    const auto one = condition(ConditionField::HostHeader, {"web?.example.com"});
    EXPECT_TRUE(matches(one, request("/", "web1.example.com")));
    EXPECT_FALSE(matches(one, request("/", "web.example.com")));
    EXPECT_FALSE(matches(one, request("/", "web12.example.com")));
}

TEST(HostHeaderCondition, ARequestWithoutAHostMatchesNoHostHeaderCondition) {
    const ConditionResult r =
        evaluate(condition(ConditionField::HostHeader, {"*"}), request("/", ""));
    EXPECT_FALSE(r.matched);
    EXPECT_EQ(r.miss, ConditionMiss::Absent);
}

TEST(PathPatternCondition, IsCaseSensitive) {
    const auto c = condition(ConditionField::PathPattern, {"/API/*"});
    EXPECT_TRUE(matches(c, request("/API/users")));
    EXPECT_FALSE(matches(c, request("/api/users")));
}

TEST(PathPatternCondition, IsMatchedAgainstThePathNotTheQueryString) {
    EXPECT_FALSE(
        matches(condition(ConditionField::PathPattern, {"/search?q=*"}), request("/search?q=x")));
    EXPECT_TRUE(
        matches(condition(ConditionField::PathPattern, {"/search"}), request("/search?q=x")));
    EXPECT_TRUE(matches(condition(ConditionField::PathPattern, {"/img/*.png"}),
                        request("/img/a/b.png?v=2")));
    EXPECT_FALSE(
        matches(condition(ConditionField::PathPattern, {"*.png"}), request("/img?f=b.png")));
}

TEST(HttpHeaderCondition, NameAndValuesAreNotCaseSensitiveAndValuesHaveWildcards) {
    const auto c = condition(ConditionField::HttpHeader, {"beta-?", "*mobile*"}, "X-Env");
    HttpRequest r = request("/");
    r.headers = {{"x-ENV", "BETA-2"}};
    EXPECT_EQ(evaluate(c, r).value, 0u);
    EXPECT_TRUE(evaluate(c, r).matched);
    r.headers = {{"X-Env", "prod"}, {"x-env", "Some Mobile App"}};
    EXPECT_TRUE(matches(c, r)) << "any header of that name may match";
    EXPECT_EQ(evaluate(c, r).value, 1u);
    r.headers = {{"X-Env", "prod"}};
    EXPECT_EQ(evaluate(c, r).miss, ConditionMiss::NoValueMatched);
    r.headers = {{"X-Other", "beta-2"}};
    EXPECT_FALSE(matches(c, r));
    EXPECT_EQ(evaluate(c, r).miss, ConditionMiss::Absent);
}

TEST(HttpRequestMethodCondition, IsCaseSensitiveAndExact) {
    const auto c = condition(ConditionField::HttpRequestMethod, {"POST"});
    HttpRequest r = request("/");
    r.method = "POST";
    EXPECT_TRUE(matches(c, r));
    r.method = "post";
    EXPECT_FALSE(matches(c, r));
    r.method = "POSTX";
    EXPECT_FALSE(matches(c, r));
    EXPECT_FALSE(matches(condition(ConditionField::HttpRequestMethod, {"P*"}), r))
        << "a method has no wildcards";
}

TEST(QueryStringCondition, KeyValuePairsAreNotCaseSensitiveAndArePercentDecoded) {
    const auto c = condition(ConditionField::QueryString, {"version=v1"});
    EXPECT_TRUE(matches(c, request("/?VERSION=V1")));
    EXPECT_TRUE(matches(c, request("/?a=b&version=v%31"))) << "%31 is '1'";
    EXPECT_FALSE(matches(c, request("/?version=v2&x=v1"))) << "key and value of one parameter";
    EXPECT_FALSE(matches(c, request("/?version=v10")));
}

TEST(QueryStringCondition, TheKeyIsOptionalAndBothSidesHaveWildcards) {
    const auto any_key = condition(ConditionField::QueryString, {"=*debug*"});
    EXPECT_TRUE(matches(any_key, request("/?mode=full%20DEBUG%20on")));
    EXPECT_FALSE(matches(any_key, request("/?debug=on"))) << "the value, not the key, must match";
    const auto bare = condition(ConditionField::QueryString, {"on"});
    EXPECT_TRUE(matches(bare, request("/?debug=on")));
    const auto wild_key = condition(ConditionField::QueryString, {"utm_*=?"});
    EXPECT_TRUE(matches(wild_key, request("/?utm_source=x")));
    EXPECT_FALSE(matches(wild_key, request("/?utm_source=xy")));
}

TEST(QueryStringCondition, ABackslashEscapesALiteralStarOrQuestionMark) {
    const auto c = condition(ConditionField::QueryString, {"q=\\*"});
    EXPECT_TRUE(matches(c, request("/?q=*")));
    EXPECT_TRUE(matches(c, request("/?q=%2A"))) << "a percent-encoded star is a star";
    EXPECT_FALSE(matches(c, request("/?q=anything")));
}

TEST(QueryStringCondition, ARequestWithoutAQueryStringMatchesNone) {
    const ConditionResult r =
        evaluate(condition(ConditionField::QueryString, {"=*"}), request("/"));
    EXPECT_FALSE(r.matched);
    EXPECT_EQ(r.miss, ConditionMiss::Absent);
}

TEST(SourceIpCondition, IsTheClientAddressOfTheConnectionNotXForwardedFor) {
    model::RuleCondition c;
    c.field = ConditionField::SourceIp;
    c.source_ips = {*net::Cidr::parse("192.0.2.0/24"), *net::Cidr::parse("203.0.113.0/24")};
    HttpRequest r = request("/");
    r.source = net::Ipv4Address(198, 51, 100, 7);
    r.headers = {{"X-Forwarded-For", "203.0.113.9"}};
    EXPECT_FALSE(matches(c, r)) << "a proxy's request carries the proxy's address";
    r.source = net::Ipv4Address(203, 0, 113, 9);
    r.headers.clear();
    const ConditionResult hit = evaluate(c, r);
    EXPECT_TRUE(hit.matched);
    EXPECT_EQ(hit.value, 1u) << "the second CIDR block";
}

TEST(WebStackExample, HttpIsRedirectedToHttpsAndApiRequestsGoToTheAppTier) {
    model::LoadResult r =
        model::load_topology_file(VPCSTACK_SOURCE_DIR "/topologies/web-stack.yaml");
    ASSERT_TRUE(r.ok());
    const model::Topology& t = *r.topology;
    const model::LoadBalancer& alb = t.load_balancers.at(0);

    HttpRequest plain = request("/api/orders?page=2");
    const RuleMatch on_http = route(alb.listeners.at(0), plain);
    ASSERT_EQ(on_http.action->kind, model::ActionKind::Redirect);
    EXPECT_EQ(render_redirect(*on_http.action, plain).location,
              "https://shop.example.com:443/api/orders?page=2");

    HttpRequest secure = plain;
    secure.listener_protocol = model::LbProtocol::Https;
    secure.listener_port = 443;
    const RuleMatch api = route(alb.listeners.at(1), secure);
    ASSERT_EQ(api.priority, 10u);
    Forwarder forwarder(t);
    const ForwardResult to_app = forwarder.forward(*api.action, secure, {}, 0, 0);
    ASSERT_EQ(to_app.outcome, ForwardOutcome::Target);
    EXPECT_EQ(t.target_groups[to_app.target_group].meta.name, "app-tg");

    const RuleMatch page = route(alb.listeners.at(1), request("/index.html"));
    EXPECT_TRUE(page.is_default());
    const ForwardResult to_web = forwarder.forward(*page.action, secure, {}, 0, 0);
    EXPECT_EQ(t.target_groups[to_web.target_group].meta.name, "web-tg");
    EXPECT_TRUE(to_web.cookies.target.has_value())
        << "web-tg is sticky by the load balancer's cookie";
}

}  // namespace
}  // namespace vpcstack::lb
