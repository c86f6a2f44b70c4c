// The control socket's JSON form of a packet trace: a DNS exchange crosses it whole, with the
// resolver's explanation of its choice (which record set, why, what was skipped), so that
// `lab trace` explains a live answer as `vpcctl trace` explains a simulated one. Needs no root.
#include "vpcstack/live/control.hpp"

#include <gtest/gtest.h>

#include <memory>

namespace vpcstack::live {
namespace {

TEST(ControlTraceJson, ADnsExchangeKeepsItsExplanationBothWays) {
    auto x = std::make_shared<engine::DnsExchange>();
    x->resolver = net::Ipv4Address(10, 40, 0, 2);
    x->name = "www.example.com";
    x->rcode = dns::Rcode::NoError;
    x->truncated = true;
    x->answers.push_back({"www.example.com", dns::RrType::A, 10, "203.0.113.11"});
    x->explanation.outcome = dns::Outcome::CnameLeftView;
    x->explanation.left_view_name = "cdn.example.net";
    dns::Step step;
    step.name = "www.example.com";
    step.zone = "example.com";
    step.zone_id = "Z123";
    step.zone_private = true;
    step.cname = true;
    step.policy = dns::PolicyKind::Failover;
    step.chosen = {"two"};
    step.reason = dns::ChoiceReason::PrimaryUnhealthy;
    step.all_unhealthy = true;
    step.skipped.push_back({"one", dns::SkipReason::Unhealthy, "web-1"});
    step.skipped.push_back({"three", dns::SkipReason::ZeroWeight, std::nullopt});
    step.alias_target = "shop-alb.elb.amazonaws.com";
    step.wildcard = "*.example.com";
    x->explanation.steps.push_back(step);
    x->explanation.steps.push_back(dns::Step{});  // no reason, no alias, no wildcard

    engine::PacketTrace trace;
    engine::TraceStep s;
    s.dns = x;
    trace.steps.push_back(s);
    const engine::PacketTrace back = trace_from_json(trace_to_json(trace));
    ASSERT_EQ(back.steps.size(), 1u);
    ASSERT_TRUE(back.steps[0].dns);
    const engine::DnsExchange& y = *back.steps[0].dns;
    EXPECT_EQ(y.name, "www.example.com");
    EXPECT_TRUE(y.truncated);
    ASSERT_EQ(y.answers.size(), 1u);
    EXPECT_EQ(y.answers[0].data, "203.0.113.11");
    const dns::Explanation& e = y.explanation;
    EXPECT_EQ(e.outcome, dns::Outcome::CnameLeftView);
    EXPECT_EQ(e.left_view_name, "cdn.example.net");
    ASSERT_EQ(e.steps.size(), 2u);
    const dns::Step& a = e.steps[0];
    EXPECT_EQ(a.name, "www.example.com");
    EXPECT_EQ(a.zone, "example.com");
    EXPECT_EQ(a.zone_id, "Z123");
    EXPECT_TRUE(a.zone_private);
    EXPECT_TRUE(a.cname);
    EXPECT_EQ(a.policy, dns::PolicyKind::Failover);
    EXPECT_EQ(a.chosen, std::vector<std::string>{"two"});
    ASSERT_TRUE(a.reason.has_value());
    EXPECT_EQ(*a.reason, dns::ChoiceReason::PrimaryUnhealthy);
    EXPECT_TRUE(a.all_unhealthy);
    ASSERT_EQ(a.skipped.size(), 2u);
    EXPECT_EQ(a.skipped[0].set_identifier, "one");
    EXPECT_EQ(a.skipped[0].reason, dns::SkipReason::Unhealthy);
    EXPECT_EQ(a.skipped[0].health_check, std::optional<std::string>("web-1"));
    EXPECT_EQ(a.skipped[1].reason, dns::SkipReason::ZeroWeight);
    EXPECT_FALSE(a.skipped[1].health_check.has_value());
    EXPECT_EQ(a.alias_target, std::optional<std::string>("shop-alb.elb.amazonaws.com"));
    EXPECT_EQ(a.wildcard, std::optional<std::string>("*.example.com"));
    const dns::Step& b = e.steps[1];
    EXPECT_FALSE(b.reason.has_value());
    EXPECT_FALSE(b.alias_target.has_value());
    EXPECT_FALSE(b.wildcard.has_value());
}

}  // namespace
}  // namespace vpcstack::live
