// The Application Load Balancer in the simulation: a proxy behind ENIs of its own. The client's
// connection ends at a node, whose security group judges it; the node opens its own connection
// to the target from its private address, which the target's security group must admit (the
// classic mistake); health checks come from the nodes; rules by priority, redirects, sticky
// cookies, failing open, and the load balancer's own 502, 503 and 504.
// AWS: application-load-balancers, load-balancer-listeners, load-balancer-target-groups,
// target-group-health-checks, sticky-sessions, x-forwarded-headers, load-balancer-troubleshooting.
#include <fmt/format.h>

#include <map>
#include <set>
#include <string>

#include "scenario.hpp"

using namespace scenario;

namespace {

const char* const kClient = "198.51.100.7";

struct Options {
    std::string web_ingress = "tcp/80 from sg:alb-sg";
    std::string alb_ingress = "tcp/80 from 0.0.0.0/0";
    std::string web2_listen = "[tcp/80]";
    std::string web_targets = "[web-1, web-2]";
    std::string stickiness;  // e.g. "stickiness: {type: lb_cookie, duration: 3600}"
};

// An internet-facing ALB in two zones over two web servers in private subnets, and an app tier
// that /api/* requests go to.
std::string alb_topology(const Options& o) {
    return fmt::format(
        R"(
region: us-east-1
vpcs:
  - name: shop
    cidr: 10.0.0.0/16
    internet_gateway: igw
    subnets:
      - {{name: public-a, cidr: 10.0.0.0/24, az: us-east-1a, route_table: public-rt}}
      - {{name: public-b, cidr: 10.0.1.0/24, az: us-east-1b, route_table: public-rt}}
      - {{name: web-a, cidr: 10.0.10.0/24, az: us-east-1a}}
      - {{name: web-b, cidr: 10.0.11.0/24, az: us-east-1b}}
    route_tables:
      - {{name: public-rt, routes: ["0.0.0.0/0 -> igw"]}}
    security_groups:
      - name: alb-sg
        ingress: [{alb_ingress}, tcp/443 from 0.0.0.0/0]
        egress: [tcp/80 to 10.0.0.0/16, tcp/8080 to 10.0.0.0/16]
      - name: web-sg
        ingress: [{web_ingress}]
      - name: app-sg
        ingress: [tcp/8080 from sg:alb-sg]
    instances:
      - {{name: web-1, subnet: web-a, private_ip: 10.0.10.10, security_groups: [web-sg], listen: [tcp/80]}}
      - {{name: web-2, subnet: web-b, private_ip: 10.0.11.10, security_groups: [web-sg], listen: {web2_listen}}}
      - {{name: app-1, subnet: web-a, private_ip: 10.0.10.20, security_groups: [app-sg], listen: [tcp/8080]}}
    load_balancers:
      - name: alb
        type: application
        scheme: internet-facing
        subnets:
          - {{subnet: public-a, private_ip: 10.0.0.10}}
          - {{subnet: public-b, private_ip: 10.0.1.10}}
        security_groups: [alb-sg]
        listeners:
          - protocol: HTTP
            port: 80
            default_action: {{forward: web-tg}}
            rules:
              - priority: 20
                conditions: [{{path-pattern: ["/api/*"]}}]
                action: {{forward: app-tg}}
              - priority: 10
                conditions: [{{path-pattern: ["/api/status"]}}]
                action: {{fixed-response: {{status: 200, content_type: text/plain, body: "up"}}}}
              - priority: 30
                conditions: [{{path-pattern: ["/empty"]}}]
                action: {{forward: empty-tg}}
          - protocol: HTTPS
            port: 443
            certificate: shop.example.com
            default_action: {{redirect: {{protocol: HTTP, port: "80", status: 302}}}}
    target_groups:
      - name: web-tg
        protocol: HTTP
        port: 80
        health_check: {{path: /health, interval: 10}}
        {stickiness}
        targets: {web_targets}
      - name: app-tg
        protocol: HTTP
        port: 8080
        targets: [app-1]
      - name: empty-tg
        protocol: HTTP
        port: 80
internet_hosts:
  - {{name: client, address: {client}}}
)",
        fmt::arg("alb_ingress", o.alb_ingress), fmt::arg("web_ingress", o.web_ingress),
        fmt::arg("web2_listen", o.web2_listen), fmt::arg("web_targets", o.web_targets),
        fmt::arg("stickiness", o.stickiness), fmt::arg("client", kClient));
}

lb::HttpRequest get(std::string path) {
    lb::HttpRequest r;
    r.host = "shop.example.com";
    r.path = std::move(path);
    return r;
}

const HttpExchange& run(Simulation& sim, ExchangeId id) {
    sim.run_until_idle();
    EXPECT_TRUE(sim.exchange(id).done());
    return sim.exchange(id);
}

// The NAME=VALUE of a Set-Cookie header.
std::string cookie_of(const HttpExchange& ex) {
    std::string_view v = ex.response_header("Set-Cookie");
    return std::string(v.substr(0, v.find(';')));
}

}  // namespace

TEST(ApplicationLoadBalancer, ForwardsARequestToATargetFromTheNodesPrivateAddress) {
    Simulation sim(inline_topology(alb_topology({})));
    const HttpExchange& ex = run(sim, sim.http("client", "alb", 80, get("/")));
    EXPECT_EQ(ex.answer, HttpAnswer::Target);
    EXPECT_EQ(ex.status, 200);
    EXPECT_TRUE(ex.body == "web-1" || ex.body == "web-2") << ex.body;
    EXPECT_EQ(sim.flow(ex.client_flow).outcome, Outcome::Connected);
    ASSERT_TRUE(ex.target_flow);
    // The target sees the node, not the client: the connection is the load balancer's own.
    EXPECT_EQ(sim.flow(*ex.target_flow).tuple.src.to_string(), "10.0.0.10");
    EXPECT_EQ(ex.request.source.to_string(), kClient);
    EXPECT_EQ(ex.to_target.header_values("X-Forwarded-For").front(), kClient);
    EXPECT_EQ(ex.to_target.header_values("X-Forwarded-Proto").front(), "http");
    EXPECT_EQ(ex.to_target.header_values("X-Forwarded-Port").front(), "80");
}

TEST(ApplicationLoadBalancer, TheTargetsGroupMustAdmitTheLoadBalancerNotTheClient) {
    // The classic mistake: web-sg admits the clients, but the connection comes from the ALB.
    Options o;
    o.web_ingress = "tcp/80 from 198.51.100.0/24";
    Simulation sim(inline_topology(alb_topology(o)));
    const HttpExchange& ex = run(sim, sim.http("client", "alb", 80, get("/")));
    // Health checks from the nodes fail: every target is unhealthy, the group fails open, and
    // the connection to the target is dropped by its security group until it times out.
    ASSERT_FALSE(ex.health_checks.empty());
    for (FlowId check : ex.health_checks) EXPECT_EQ(sim.flow(check).outcome, Outcome::TimedOut);
    ASSERT_TRUE(ex.forward);
    EXPECT_EQ(ex.forward->target_choice, lb::TargetChoice::FailOpen);
    EXPECT_EQ(ex.answer, HttpAnswer::GatewayTimeout);
    EXPECT_EQ(ex.status, 504);
    EXPECT_GT(sim.drops(DropReason::SecurityGroupNoMatch), 0u);
}

TEST(ApplicationLoadBalancer, TheTargetsGroupMayAdmitTheLoadBalancersAddresses) {
    Options o;
    o.web_ingress = "tcp/80 from 10.0.0.0/23";  // the public subnets holding the nodes
    Simulation sim(inline_topology(alb_topology(o)));
    EXPECT_EQ(run(sim, sim.http("client", "alb", 80, get("/"))).status, 200);
}

TEST(ApplicationLoadBalancer, ItsSecurityGroupJudgesTheClient) {
    Options o;
    o.alb_ingress = "tcp/80 from 203.0.113.0/24";
    Simulation sim(inline_topology(alb_topology(o)));
    const HttpExchange& ex = run(sim, sim.http("client", "alb", 80, get("/")));
    EXPECT_EQ(ex.answer, HttpAnswer::ClientNotConnected);
    EXPECT_EQ(sim.flow(ex.client_flow).outcome, Outcome::TimedOut);
    EXPECT_FALSE(ex.target_flow);
}

TEST(ApplicationLoadBalancer, RulesAreEvaluatedInPriorityOrder) {
    Simulation sim(inline_topology(alb_topology({})));
    // /api/status meets the rules of priority 10 and 20; 10 is evaluated first.
    const HttpExchange& status = run(sim, sim.http("client", "alb", 80, get("/api/status")));
    EXPECT_EQ(status.match.priority, 10u);
    EXPECT_EQ(status.answer, HttpAnswer::FixedResponse);
    EXPECT_EQ(status.body, "up");
    const HttpExchange& api = run(sim, sim.http("client", "alb", 80, get("/api/cart")));
    EXPECT_EQ(api.match.priority, 20u);
    EXPECT_EQ(api.body, "app-1");
    const HttpExchange& page = run(sim, sim.http("client", "alb", 80, get("/index.html")));
    EXPECT_TRUE(page.match.is_default());
    EXPECT_NE(page.body, "app-1");
}

TEST(ApplicationLoadBalancer, RoundRobinSpreadsRequestsOverTheHealthyTargets) {
    Simulation sim(inline_topology(alb_topology({})));
    std::map<std::string, int> seen;
    for (int i = 0; i < 10; ++i) ++seen[run(sim, sim.http("client", "alb", 80, get("/"))).body];
    EXPECT_EQ(seen["web-1"], 5);
    EXPECT_EQ(seen["web-2"], 5);
}

TEST(ApplicationLoadBalancer, AnUnhealthyTargetGetsNoRequestWhileAnotherIsHealthy) {
    Options o;
    o.web2_listen = "[]";  // nothing answers on web-2's port 80: its health checks are refused
    Simulation sim(inline_topology(alb_topology(o)));
    for (int i = 0; i < 6; ++i) {
        const HttpExchange& ex = run(sim, sim.http("client", "alb", 80, get("/")));
        EXPECT_EQ(ex.body, "web-1");
        EXPECT_EQ(ex.forward->target_choice, lb::TargetChoice::Algorithm);
    }
}

TEST(ApplicationLoadBalancer, ATargetThatRefusesTheConnectionGives502) {
    Options o;
    o.web_targets = "[web-2]";
    o.web2_listen = "[]";  // unhealthy; the only target, so the group fails open to it
    Simulation sim(inline_topology(alb_topology(o)));
    const HttpExchange& ex = run(sim, sim.http("client", "alb", 80, get("/")));
    EXPECT_EQ(ex.forward->target_choice, lb::TargetChoice::FailOpen);
    EXPECT_EQ(sim.flow(*ex.target_flow).outcome, Outcome::Refused);
    EXPECT_EQ(ex.answer, HttpAnswer::BadGateway);
    EXPECT_EQ(ex.status, 502);
}

TEST(ApplicationLoadBalancer, AGroupWithNoRegisteredTargetGives503) {
    Simulation sim(inline_topology(alb_topology({})));
    const HttpExchange& ex = run(sim, sim.http("client", "alb", 80, get("/empty")));
    EXPECT_EQ(ex.answer, HttpAnswer::NoTarget);
    EXPECT_EQ(ex.status, 503);
    EXPECT_FALSE(ex.target_flow);
}

TEST(ApplicationLoadBalancer, AStickyCookieKeepsASessionOnOneTarget) {
    Options o;
    o.stickiness = "stickiness: {type: lb_cookie, duration: 3600}";
    Simulation sim(inline_topology(alb_topology(o)));
    const HttpExchange& first = run(sim, sim.http("client", "alb", 80, get("/")));
    const std::string cookie = cookie_of(first);
    ASSERT_TRUE(cookie.starts_with("AWSALB=")) << cookie;
    for (int i = 0; i < 5; ++i) {
        lb::HttpRequest r = get("/");
        r.headers.push_back({"Cookie", cookie});
        const HttpExchange& ex = run(sim, sim.http("client", "alb", 80, r));
        EXPECT_EQ(ex.body, first.body);
        EXPECT_EQ(ex.forward->target_choice, lb::TargetChoice::Sticky);
    }
    // Without the cookie, requests are balanced again.
    std::set<std::string> targets;
    for (int i = 0; i < 4; ++i)
        targets.insert(run(sim, sim.http("client", "alb", 80, get("/"))).body);
    EXPECT_EQ(targets.size(), 2u);
}

TEST(ApplicationLoadBalancer, ARedirectIsAnsweredByTheLoadBalancerItself) {
    Simulation sim(inline_topology(alb_topology({})));
    lb::HttpRequest r = get("/cart");
    r.query = "id=7";
    const HttpExchange& ex = run(sim, sim.http("client", "alb", 443, r));
    EXPECT_EQ(ex.answer, HttpAnswer::Redirect);
    EXPECT_EQ(ex.status, 302);
    EXPECT_EQ(ex.response_header("Location"), "http://shop.example.com:80/cart?id=7");
    EXPECT_FALSE(ex.target_flow);
}

TEST(ApplicationLoadBalancer, NodesAnswerNoPingAndNothingOnAPortWithoutAListener) {
    Options o;
    o.alb_ingress = "all from 0.0.0.0/0";  // the security group lets everything reach the node
    Simulation sim(inline_topology(alb_topology(o)));
    const FlowId ping = sim.ping("client", "alb");
    const FlowId other = sim.connect("client", "alb", 8443);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(ping).outcome, Outcome::TimedOut);
    EXPECT_EQ(sim.flow(other).outcome, Outcome::TimedOut);  // no RST either
    EXPECT_EQ(sim.drops(DropReason::SecurityGroupNoMatch), 0u);
}

TEST(ApplicationLoadBalancer, AnInstanceInsideTheVpcReachesTheNodeByItsPrivateAddress) {
    Simulation sim(inline_topology(alb_topology({})));
    const HttpExchange& ex = run(sim, sim.http("app-1", "10.0.1.10", 80, get("/")));
    EXPECT_EQ(ex.status, 200);
    EXPECT_EQ(ex.request.source.to_string(), "10.0.10.20");
    EXPECT_EQ(sim.flow(*ex.target_flow).tuple.src.to_string(), "10.0.1.10");
}

TEST(ApplicationLoadBalancer, CountsRequestsAndAnswersUnderTheCloudsMetricNames) {
    Options o;
    o.web_targets = "[web-1, web-2]";
    o.web2_listen = "[]";  // web-2 fails its checks
    Simulation sim(inline_topology(alb_topology(o)));
    for (int i = 0; i < 4; ++i) run(sim, sim.http("client", "alb", 80, get("/")));
    run(sim, sim.http("client", "alb", 80, get("/api/status")));  // fixed response
    run(sim, sim.http("client", "alb", 80, get("/empty")));       // 503
    run(sim, sim.http("client", "alb", 443, get("/")));           // redirect
    const AlbMetrics& m = sim.albs().metrics(0);
    EXPECT_EQ(m.RequestCount, 7u);
    EXPECT_EQ(m.HTTPCode_Target_2XX_Count, 4u);
    EXPECT_EQ(m.HTTP_Fixed_Response_Count, 1u);
    EXPECT_EQ(m.HTTP_Redirect_Count, 1u);
    EXPECT_EQ(m.HTTPCode_ELB_3XX_Count, 1u);
    EXPECT_EQ(m.HTTPCode_ELB_503_Count, 1u);
    EXPECT_EQ(m.HTTPCode_ELB_5XX_Count, 1u);
    EXPECT_EQ(m.TargetConnectionErrorCount, 0u) << "no request went to the unhealthy web-2";
    const TargetGroupMetrics web = sim.albs().group_metrics(0);
    EXPECT_EQ(web.RequestCount, 4u);
    EXPECT_EQ(web.HealthyHostCount, 1u);
    EXPECT_EQ(web.UnHealthyHostCount, 1u);
    EXPECT_DOUBLE_EQ(web.RequestCountPerTarget, 4.0);
}
