#include "vpcstack/importers/aws_elb_mapping.hpp"

#include <gtest/gtest.h>

#include "vpcstack/importers/aws_reader.hpp"

namespace vpcstack::importers::aws {
namespace {

const std::string kWebTg =
    "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/web-tg/943f017f100becff";
const std::string kLambdaTg =
    "arn:aws:elasticloadbalancing:us-east-1:111122223333:targetgroup/thumbs/5f6e7d8c9b0a1b2c";

std::string only_web(const std::string& arn) {
    return arn == kWebTg ? "web-tg" : "";
}

TEST(AwsElbMapping, TheLastActionByOrderIsTheOneWrittenAndTheOnesBeforeAreNamed) {
    ElbAction auth;
    auth.type = "authenticate-oidc";
    auth.order = 1;
    ElbAction forward;
    forward.type = "forward";
    forward.order = 2;
    forward.target_groups = {{kWebTg, 1}};
    ActionOutcome out = map_actions({forward, auth}, only_web);
    ASSERT_TRUE(out.action.has_value()) << out.why;
    EXPECT_EQ(out.action->kind, model::ActionKind::Forward);
    ASSERT_EQ(out.action->target_groups.size(), 1u);
    EXPECT_EQ(*out.action->target_groups[0].name, "web-tg");
    // A lone group's weight is not written.
    EXPECT_FALSE(out.action->target_groups[0].weight.present);
    EXPECT_EQ(out.dropped, (std::vector<std::string>{"authenticate-oidc"}));
}

TEST(AwsElbMapping, AForwardToAGroupNotImportedIsRefusedWithItsName) {
    ElbAction forward;
    forward.type = "forward";
    forward.target_groups = {{kLambdaTg, {}}};
    ActionOutcome out = map_actions({forward}, only_web);
    EXPECT_FALSE(out.action.has_value());
    EXPECT_EQ(out.why, "forwards to target group thumbs, which is not imported");
}

TEST(AwsElbMapping, RedirectPartsThatKeepTheRequestsAreLeftUnsetAndTheStatusIsANumber) {
    ElbAction r;
    r.type = "redirect";
    r.protocol = "HTTPS";
    r.host = "#{host}";
    r.port = "443";
    r.path = "/#{path}";
    r.query = "#{query}";
    r.status_code = "HTTP_302";
    ActionOutcome out = map_actions({r}, only_web);
    ASSERT_TRUE(out.action.has_value()) << out.why;
    EXPECT_EQ(*out.action->protocol, "HTTPS");
    EXPECT_EQ(*out.action->port, "443");
    EXPECT_FALSE(out.action->host.present);
    EXPECT_FALSE(out.action->path.present);
    EXPECT_FALSE(out.action->query.present);
    EXPECT_EQ(*out.action->status, 302);
    r.status_code = "moved";
    EXPECT_FALSE(map_actions({r}, only_web).action.has_value());
}

TEST(AwsElbMapping, ConditionsMapByFieldAndIpv6SourcesAreNotModelled) {
    ElbCondition c{"source-ip", "", {"203.0.113.0/24"}, ""};
    ConditionOutcome ok = map_condition(c);
    ASSERT_TRUE(ok.condition.has_value());
    EXPECT_EQ(ok.condition->source_ips.at(0).to_string(), "203.0.113.0/24");
    c.values = {"2001:db8::/32"};
    ConditionOutcome v6 = map_condition(c);
    EXPECT_FALSE(v6.condition.has_value());
    EXPECT_EQ(v6.not_modelled, "listener rule IPv6 source-ip conditions");
    ConditionOutcome unknown = map_condition({"grpc-method", "", {"x"}, ""});
    EXPECT_FALSE(unknown.condition.has_value());
    EXPECT_EQ(unknown.why, "condition grpc-method: not modelled yet");
}

TEST(AwsElbMapping, TargetGroupAttributesBecomeSettingsAndUnknownAlgorithmsANote) {
    TargetGroup g;
    g.protocol = "HTTP";
    g.health_check_protocol = "HTTP";
    g.health_check_port = "8081";
    g.health_check_path = "/up";
    g.interval = 15;
    ElbAttributes a;
    a.values = {{"stickiness.enabled", "true"},
                {"stickiness.type", "app_cookie"},
                {"stickiness.app_cookie.cookie_name", "SESSION"},
                {"stickiness.app_cookie.duration_seconds", "600"},
                {"deregistration_delay.timeout_seconds", "45"},
                {"load_balancing.algorithm.type", "weighted_random"},
                {"preserve_client_ip.enabled", "true"}};
    model::RawTargetGroup out;
    std::vector<std::string> notes = map_target_group_settings(g, &a, out);
    EXPECT_EQ(*out.health_check.port, 8081);
    EXPECT_EQ(*out.health_check.path, "/up");
    EXPECT_EQ(*out.health_check.interval, 15);
    EXPECT_EQ(*out.stickiness, model::StickinessKind::AppCookie);
    EXPECT_EQ(*out.cookie_name, "SESSION");
    EXPECT_EQ(*out.stickiness_duration, 600);
    EXPECT_EQ(*out.deregistration_delay, 45);
    EXPECT_FALSE(out.algorithm.present);
    EXPECT_FALSE(out.preserve_client_ip.present);  // an ALB group has no such setting
    ASSERT_EQ(notes.size(), 1u);
    EXPECT_EQ(notes[0],
              "load_balancing.algorithm.type weighted_random: not modelled yet (round_robin "
              "applies)");
}

TEST(AwsElbMapping, ACertificateIsNamedAfterItsDomainElseAfterItsArn) {
    const std::string arn = "arn:aws:acm:us-east-1:111122223333:certificate/abcd-1234";
    bool derived = false;
    EXPECT_EQ(certificate_name(arn, {{arn, "shop.example.com"}}, derived), "shop.example.com");
    EXPECT_FALSE(derived);
    EXPECT_EQ(certificate_name(arn, {}, derived), "acm-abcd-1234");
    EXPECT_TRUE(derived);
    EXPECT_EQ(certificate_name("arn:aws:iam::111122223333:server-certificate/legacy", {}, derived),
              "legacy");
}

// describe-target-health prints only its list: the group comes from the file name or a key.
TEST(AwsElbReader, TargetHealthWithoutAnOwnerIsAnErrorNamingTheConvention) {
    const char* doc = R"({"TargetHealthDescriptions": [{"Target": {"Id": "i-1", "Port": 80}}]})";
    ReadResult named;
    read_aws_document(doc, "us-east-1/target-health-web-tg.json", "us-east-1", "", named);
    ASSERT_TRUE(named.ok()) << named.errors.front();
    ASSERT_EQ(named.inventory.target_health.size(), 1u);
    EXPECT_EQ(named.inventory.target_health[0].owner.name, "web-tg");
    EXPECT_EQ(named.inventory.target_health[0].targets.at(0).port, 80);

    ReadResult anonymous;
    read_aws_document(doc, "health.json", "us-east-1", "", anonymous);
    ASSERT_EQ(anonymous.errors.size(), 1u);
    EXPECT_EQ(anonymous.errors[0],
              "health.json: $.TargetHealthDescriptions: cannot tell which target group these "
              "targets belong to; expected the file named target-health-GROUP-NAME.json or a "
              "TargetGroupArn key");
}

TEST(AwsElbReader, ARulesListenerComesFromItsArnAndAGroupsSubnetsFromVpcZoneIdentifier) {
    ReadResult r;
    read_aws_document(
        R"({"Rules": [{"RuleArn": "arn:aws:elasticloadbalancing:us-east-1:1:listener-rule/app/a/b/c/d",
             "Priority": "5", "Conditions": [], "Actions": []}],
           "AutoScalingGroups": [{"AutoScalingGroupName": "g", "MinSize": 1, "MaxSize": 2,
             "VPCZoneIdentifier": "subnet-1, subnet-2", "HealthCheckGracePeriod": 0}]})",
        "x.json", "us-east-1", "", r);
    ASSERT_TRUE(r.ok()) << r.errors.front();
    EXPECT_EQ(r.inventory.rules.at(0).listener_arn,
              "arn:aws:elasticloadbalancing:us-east-1:1:listener/app/a/b/c");
    const AutoScalingGroup& g = r.inventory.auto_scaling_groups.at(0);
    EXPECT_EQ(g.subnet_ids, (std::vector<std::string>{"subnet-1", "subnet-2"}));
    EXPECT_EQ(g.health_check_grace_period, 0);
    EXPECT_EQ(g.r.account, "");

    ReadResult bad;
    read_aws_document(R"({"Rules": [{"RuleArn": "arn:x", "Priority": "5"}]})", "r.json", "", "",
                      bad);
    ASSERT_EQ(bad.errors.size(), 1u);
    EXPECT_EQ(
        bad.errors[0].rfind("r.json: $.Rules[0].RuleArn: \"arn:x\" is not a listener rule ARN", 0),
        0u)
        << bad.errors[0];
}

}  // namespace
}  // namespace vpcstack::importers::aws
