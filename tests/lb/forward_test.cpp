// Forward actions in the cloud's words: weighted target groups, round robin and least
// outstanding requests over healthy targets, failing open, 503 without targets, and sticky
// sessions (AWS: load-balancer-listeners, load-balancer-target-groups, sticky-sessions).
#include "vpcstack/lb/forward.hpp"

#include <gtest/gtest.h>

#include <array>

#include "alb_topology.hpp"

namespace vpcstack::lb {
namespace {

using testing::load_alb;
using testing::request;
using H = TargetHealth;

const std::string kListeners = R"(
          - {protocol: HTTP, port: 80, default_action: {forward: web-tg}}
          - {protocol: HTTP, port: 81, default_action: {forward: lor-tg}}
          - {protocol: HTTP, port: 82, default_action: {forward: sticky-tg}}
          - {protocol: HTTP, port: 83, default_action: {forward: app-tg}}
          - {protocol: HTTP, port: 84, default_action: {forward: empty-tg}}
          - {protocol: HTTP, port: 85, default_action: {forward: {target_groups: [{name: web-tg, weight: 0}, {name: lor-tg, weight: 1}, {name: ip-tg, weight: 3}]}}}
          - {protocol: HTTP, port: 86, default_action: {forward: {target_groups: [{name: web-tg, weight: 0}, {name: ip-tg, weight: 0}]}}}
          - {protocol: HTTP, port: 87, default_action: {forward: {target_groups: [{name: web-tg, weight: 1}, {name: ip-tg, weight: 1}], stickiness: 600}}}
)";

const std::string kGroups = R"(
      - {name: web-tg, protocol: HTTP, port: 80, targets: [web-1, web-2, web-3]}
      - {name: lor-tg, protocol: HTTP, port: 80, algorithm: least_outstanding_requests, targets: [web-1, web-2, web-3]}
      - {name: sticky-tg, protocol: HTTP, port: 80, stickiness: {type: lb_cookie, duration: 3600}, targets: [web-1, web-2, web-3]}
      - {name: app-tg, protocol: HTTP, port: 80, stickiness: {type: app_cookie, cookie_name: SESSION, duration: 60}, targets: [web-1, web-2]}
      - {name: empty-tg, protocol: HTTP, port: 80}
      - {name: ip-tg, target_type: ip, protocol: HTTP, port: 8080, targets: [10.0.10.200, {ip: 10.0.10.201, port: 9090}]}
)";

constexpr std::uint64_t kNow = 1'700'000'000;  // Tue, 14 Nov 2023 22:13:20 GMT

class Forwarding : public ::testing::Test {
  protected:
    model::Topology t = load_alb(kListeners, kGroups);

    const model::ListenerAction& action(std::uint16_t port) const {
        for (const model::Listener& l : t.load_balancers.at(0).listeners) {
            if (l.port == port) return l.default_action;
        }
        ADD_FAILURE() << "no listener on port " << port;
        return t.load_balancers.at(0).listeners.at(0).default_action;
    }
    model::Index group(std::string_view name) const {
        for (std::size_t g = 0; g < t.target_groups.size(); ++g) {
            if (t.target_groups[g].meta.name == name) return static_cast<model::Index>(g);
        }
        ADD_FAILURE() << "no target group " << name;
        return 0;
    }
    // Every group healthy and idle, but `name`, which has `state`.
    std::vector<GroupState> states(std::string_view name, GroupState state) const {
        std::vector<GroupState> all(t.target_groups.size());
        all.at(group(name)) = std::move(state);
        return all;
    }
    static std::string endpoint(const ForwardResult& r) {
        return r.address.to_string() + ":" + std::to_string(r.port);
    }
    // The endpoints of `n` requests in a row through one forwarder.
    std::vector<std::string> sequence(std::uint16_t port, const std::vector<GroupState>& s, int n,
                                      std::vector<TargetChoice>* choices = nullptr) {
        Forwarder f(t);
        std::vector<std::string> out;
        for (int i = 0; i < n; ++i) {
            const ForwardResult r = f.forward(action(port), request("/"), s, 0, kNow);
            out.push_back(endpoint(r));
            if (choices) choices->push_back(r.target_choice);
        }
        return out;
    }
    void SetUp() override { ASSERT_FALSE(t.load_balancers.empty()); }
};

TEST_F(Forwarding, AGroupOfWeightZeroIsNeverChosenAndTheOthersShareByWeight) {
    std::array<int, 3> chosen{};
    for (std::uint64_t draw = 0; draw < 4000; ++draw) {
        const auto entry = choose_weighted(action(85).target_groups, draw * 0x9e3779b97f4a7c15ull);
        ASSERT_TRUE(entry.has_value());
        ++chosen.at(*entry);
    }
    EXPECT_EQ(chosen[0], 0) << "weight 0";
    EXPECT_NEAR(chosen[1], 1000, 100) << "weight 1 of 4";
    EXPECT_NEAR(chosen[2], 3000, 100) << "weight 3 of 4";
}

TEST_F(Forwarding, TheSameDrawChoosesTheSameGroup) {
    Forwarder a(t);
    Forwarder b(t);
    for (std::uint64_t draw : {0ull, 1ull, 2ull, 3ull, 0xffffffffffffffffull}) {
        const ForwardResult x = a.forward(action(85), request("/"), {}, draw, kNow);
        const ForwardResult y = b.forward(action(85), request("/"), {}, draw, kNow);
        EXPECT_EQ(x.target_group, y.target_group) << draw;
        EXPECT_NE(x.target_group, group("web-tg")) << draw;
    }
}

TEST_F(Forwarding, WhenEveryWeightIsZeroTheLoadBalancerAnswers503) {
    Forwarder f(t);
    const ForwardResult r = f.forward(action(86), request("/"), {}, 12345, kNow);
    EXPECT_EQ(r.outcome, ForwardOutcome::NoWeightedGroup);
    EXPECT_EQ(r.status, 503);
}

TEST_F(Forwarding, RoundRobinTakesTheHealthyTargetsInTurn) {
    EXPECT_EQ(sequence(80, {}, 4), (std::vector<std::string>{"10.0.10.11:80", "10.0.10.12:80",
                                                             "10.0.10.13:80", "10.0.10.11:80"}));
    EXPECT_EQ(sequence(80, states("web-tg", {{H::Healthy, H::Unhealthy, H::Healthy}, {}}), 4),
              (std::vector<std::string>{"10.0.10.11:80", "10.0.10.13:80", "10.0.10.11:80",
                                        "10.0.10.13:80"}))
        << "an unhealthy target receives nothing while another is healthy";
    EXPECT_EQ(sequence(80, states("web-tg", {{H::Initial, H::Healthy, H::Unhealthy}, {}}), 2),
              (std::vector<std::string>{"10.0.10.12:80", "10.0.10.12:80"}))
        << "a target still in its initial health checks receives nothing either";
}

TEST_F(Forwarding, WhenNoTargetIsHealthyTheLoadBalancerRoutesToAllTargets) {
    std::vector<TargetChoice> choices;
    EXPECT_EQ(
        sequence(80, states("web-tg", {{H::Unhealthy, H::Unhealthy, H::Initial}, {}}), 3, &choices),
        (std::vector<std::string>{"10.0.10.11:80", "10.0.10.12:80", "10.0.10.13:80"}));
    EXPECT_EQ(choices, (std::vector<TargetChoice>(3, TargetChoice::FailOpen)));
}

TEST_F(Forwarding, AGroupWithNoRegisteredTargetsAnswers503) {
    Forwarder f(t);
    const ForwardResult r = f.forward(action(84), request("/"), {}, 0, kNow);
    EXPECT_EQ(r.outcome, ForwardOutcome::NoTargets);
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(r.target_group, group("empty-tg"));
    EXPECT_EQ(r.target, model::kNone);
}

TEST_F(Forwarding, LeastOutstandingRequestsGoesToTheLeastBusyHealthyTarget) {
    EXPECT_EQ(sequence(81, states("lor-tg", {{}, {5, 1, 3}}), 1).front(), "10.0.10.12:80");
    EXPECT_EQ(sequence(81, states("lor-tg", {{H::Healthy, H::Unhealthy, H::Healthy}, {5, 1, 3}}), 1)
                  .front(),
              "10.0.10.13:80")
        << "the idlest target is unhealthy";
    EXPECT_EQ(sequence(81, states("lor-tg", {{}, {2, 2, 2}}), 3),
              (std::vector<std::string>{"10.0.10.11:80", "10.0.10.12:80", "10.0.10.13:80"}))
        << "ties go round";
}

TEST_F(Forwarding, IpTargetsAreReachedOnTheirOwnPortOrTheGroups) {
    Forwarder f(t);
    const model::ListenerAction& ip_only = action(85);
    // draw 1 of weights 0, 1, 3 falls in ip-tg's share.
    EXPECT_EQ(endpoint(f.forward(ip_only, request("/"), {}, 1, kNow)), "10.0.10.200:8080");
    EXPECT_EQ(endpoint(f.forward(ip_only, request("/"), {}, 1, kNow)), "10.0.10.201:9090");
}

TEST_F(Forwarding, TheLoadBalancerCookieKeepsAClientWithItsHealthyTarget) {
    Forwarder f(t);
    const ForwardResult first = f.forward(action(82), request("/"), {}, 0, kNow);
    ASSERT_EQ(first.outcome, ForwardOutcome::Target);
    EXPECT_EQ(first.target_choice, TargetChoice::Algorithm);
    ASSERT_TRUE(first.cookies.target.has_value());
    EXPECT_EQ(first.cookies.target->name, "AWSALB");
    EXPECT_EQ(first.cookies.target->expires, kNow + 3600);

    HttpRequest again = request("/");
    again.headers = {{"Cookie", "theme=dark; AWSALB=" + first.cookies.target->value}};
    for (int i = 0; i < 3; ++i) {
        const ForwardResult r = f.forward(action(82), again, {}, 0, kNow + 10);
        EXPECT_EQ(r.target_choice, TargetChoice::Sticky);
        EXPECT_EQ(endpoint(r), endpoint(first)) << "round robin would have moved on";
    }

    // The sticky target fails its health checks: the client is balanced again.
    const std::vector<GroupState> down =
        states("sticky-tg", {{first.target == 0 ? H::Unhealthy : H::Healthy,
                              first.target == 1 ? H::Unhealthy : H::Healthy,
                              first.target == 2 ? H::Unhealthy : H::Healthy},
                             {}});
    const ForwardResult moved = f.forward(action(82), again, down, 0, kNow + 20);
    EXPECT_EQ(moved.target_choice, TargetChoice::Algorithm);
    EXPECT_NE(moved.target, first.target);
    ASSERT_TRUE(moved.cookies.target.has_value());
    EXPECT_NE(moved.cookies.target->value, first.cookies.target->value)
        << "the new cookie names the new target";
}

TEST_F(Forwarding, AnExpiredForgedOrForeignCookieIsNotFollowed) {
    Forwarder f(t);
    const ForwardResult first = f.forward(action(82), request("/"), {}, 0, kNow);
    ASSERT_TRUE(first.cookies.target.has_value());
    auto with_cookie = [](std::string value) {
        HttpRequest r = request("/");
        r.headers = {{"Cookie", "AWSALB=" + std::move(value)}};
        return r;
    };
    EXPECT_EQ(f.forward(action(82), with_cookie(first.cookies.target->value), {}, 0, kNow + 3600)
                  .target_choice,
              TargetChoice::Algorithm)
        << "expired";
    EXPECT_EQ(f.forward(action(82), with_cookie("garbage"), {}, 0, kNow).target_choice,
              TargetChoice::Algorithm);
    EXPECT_EQ(f.forward(action(82), with_cookie("web-tg|10.0.10.11:80|9999999999"), {}, 0, kNow)
                  .target_choice,
              TargetChoice::Algorithm)
        << "a cookie of another group";
    EXPECT_EQ(f.forward(action(82), with_cookie("sticky-tg|10.0.10.99:80|9999999999"), {}, 0, kNow)
                  .target_choice,
              TargetChoice::Algorithm)
        << "no such target";
}

TEST_F(Forwarding, TheApplicationCookieIsSetOnlyWhenTheTargetSetsItsOwnAndIsFollowed) {
    Forwarder f(t);
    const ForwardResult first = f.forward(action(83), request("/"), {}, 0, kNow);
    ASSERT_TRUE(first.cookies.application.has_value());
    EXPECT_FALSE(first.cookies.target.has_value()) << "no AWSALB under app_cookie stickiness";
    EXPECT_TRUE(first.cookies.for_response(false).empty());
    const std::vector<SetCookie> sent = first.cookies.for_response(true);
    ASSERT_EQ(sent.size(), 1u);
    EXPECT_EQ(sent[0].name, "AWSALBAPP-0");
    EXPECT_EQ(sent[0].expires, kNow + 60);

    HttpRequest again = request("/");
    again.headers = {{"Cookie", "SESSION=s1; AWSALBAPP-0=" + sent[0].value}};
    const ForwardResult r = f.forward(action(83), again, {}, 0, kNow + 1);
    EXPECT_EQ(r.target_choice, TargetChoice::Sticky);
    EXPECT_EQ(r.target, first.target);
}

TEST_F(Forwarding, GroupStickinessKeepsAClientWithItsTargetGroupWhateverTheDraw) {
    Forwarder f(t);
    const ForwardResult first = f.forward(action(87), request("/"), {}, 1, kNow);
    ASSERT_EQ(first.target_group, group("ip-tg")) << "draw 1 of weights 1, 1";
    EXPECT_EQ(first.group_choice, GroupChoice::Weighted);
    ASSERT_TRUE(first.cookies.group.has_value());
    EXPECT_EQ(first.cookies.group->name, "AWSALBTG");
    EXPECT_EQ(first.cookies.group->expires, kNow + 600);

    HttpRequest again = request("/");
    again.headers = {{"Cookie", "AWSALBTG=" + first.cookies.group->value}};
    const ForwardResult r = f.forward(action(87), again, {}, 0, kNow + 5);
    EXPECT_EQ(r.group_choice, GroupChoice::Sticky);
    EXPECT_EQ(r.target_group, group("ip-tg")) << "draw 0 alone would choose web-tg";
    EXPECT_EQ(f.forward(action(87), again, {}, 0, kNow + 600).target_group, group("web-tg"))
        << "once the cookie has expired";
}

TEST(SetCookieHeader, CarriesTheExpiryAsAnHttpDate) {
    const SetCookie c{"AWSALB", "v", kNow + 3600};
    EXPECT_EQ(c.header_value(), "AWSALB=v; Expires=Tue, 14 Nov 2023 23:13:20 GMT; Path=/");
    EXPECT_EQ((SetCookie{"AWSALBTG", "x", 951782400}.header_value()),
              "AWSALBTG=x; Expires=Tue, 29 Feb 2000 00:00:00 GMT; Path=/");
}

}  // namespace
}  // namespace vpcstack::lb
