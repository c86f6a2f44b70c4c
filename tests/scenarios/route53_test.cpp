// Route 53 in the simulation, in the cloud's words: a failover record answers its secondary when
// the primary's health check fails, and the classic cause is the endpoint's security group,
// which must admit the health checkers; a check the group admits keeps the primary; weighted
// records spread by weight; a name resolves differently inside the VPC (private zone) and from
// the internet; a VPC without DNS support answers nothing; an alias with evaluate target health
// follows its load balancer's targets; latency and geolocation records place an internet host
// by its location.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "scenario.hpp"
#include "vpcstack/sim/health_checks.hpp"
#include "vpcstack/sim/load_balancer_health.hpp"
#include "vpcstack/sim/trace_report.hpp"

namespace scenario {
namespace {

// Two public web servers; primary.example.com fails over from web-1 to web-2. web-1's group
// admits the office only (the classic mistake) unless the test opens it to everyone.
std::string topology(const std::string& web1_ingress) {
    return R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    internet_gateway: igw
    enable_dns_hostnames: true
    subnets:
      - {name: public, cidr: 10.0.1.0/24, route_table: public-rt}
    route_tables:
      - {name: public-rt, routes: [0.0.0.0/0 -> igw]}
    security_groups:
      - {name: web1-sg, ingress: [)" +
           web1_ingress + R"(]}
      - {name: web2-sg, ingress: [tcp/80 from 0.0.0.0/0]}
    instances:
      - {name: web-1, subnet: public, private_ip: 10.0.1.10, public_ip: 203.0.113.10, security_groups: [web1-sg], listen: [tcp/80]}
      - {name: web-2, subnet: public, private_ip: 10.0.1.11, public_ip: 203.0.113.11, security_groups: [web2-sg], listen: [tcp/80]}
      - {name: app, subnet: public, private_ip: 10.0.1.20}
hosted_zones:
  - name: example.com
    records:
      - {name: www, type: A, values: [203.0.113.10], set_identifier: one, failover: primary, health_check: web-1}
      - {name: www, type: A, values: [203.0.113.11], set_identifier: two, failover: secondary}
      - {name: split, type: A, values: [203.0.113.10]}
  - name: example.com
    private: true
    vpcs: [prod]
    records:
      - {name: split, type: A, values: [10.0.1.10]}
health_checks:
  - {name: web-1, type: HTTP, ip: 203.0.113.10, port: 80, path: /health}
  - {name: web-2, type: TCP, ip: 203.0.113.11, port: 80}
  - {name: any, type: CALCULATED, children: [web-1, web-2], healthy_threshold: 1}
internet_hosts:
  - {name: client, address: 198.51.100.7}
)";
}

std::string address_of(const model::Topology& t, const std::string& from, const std::string& name) {
    TraceQuery q;
    q.from = from;
    q.to = name;
    q.protocol = "tcp";
    q.dport = 80;
    TraceResult r = run_trace(t, q);
    EXPECT_TRUE(r.report) << r.error;
    return r.report && r.report->dns ? r.report->dns->address : "";
}

// AWS: dns-failover, route-53-ip-addresses (health checkers must be allowed in) — a group that
// admits only the office blocks the checkers: the primary is unhealthy and Route 53 answers the
// secondary, even though clients from the office reach it fine.
TEST(Route53, AGroupThatShutsOutTheHealthCheckersFailsThePrimaryOver) {
    const model::Topology t = inline_topology(topology("tcp/80 from 198.51.100.0/24"));
    const auto checks = probe_health_checks(t);
    ASSERT_EQ(checks.size(), 3u);
    EXPECT_FALSE(checks.at("web-1").healthy) << checks.at("web-1").why;
    EXPECT_NE(checks.at("web-1").why.find("203.0.113.253"), std::string::npos)
        << "the checkers' address is named: " << checks.at("web-1").why;
    EXPECT_TRUE(checks.at("web-2").healthy) << checks.at("web-2").why;
    EXPECT_TRUE(checks.at("any").healthy) << "one of two children is enough";
    EXPECT_EQ(address_of(t, "client", "www.example.com"), "203.0.113.11");
    // Inside the VPC the private zone example.com answers for the whole name space: www is not
    // in it (split horizon).
    TraceQuery inside;
    inside.from = "app";
    inside.to = "www.example.com";
    inside.protocol = "tcp";
    inside.dport = 80;
    EXPECT_EQ(run_trace(t, inside).error,
              "--to: www.example.com: NXDOMAIN from 10.0.0.2 (the VPC resolver), no address");
}

TEST(Route53, WhenTheCheckersAreAdmittedThePrimaryAnswers) {
    const model::Topology t = inline_topology(topology("tcp/80 from 0.0.0.0/0"));
    EXPECT_TRUE(probe_health_checks(t).at("web-1").healthy);
    EXPECT_EQ(address_of(t, "client", "www.example.com"), "203.0.113.10");
}

// AWS: hosted-zone-private-considerations — the same name, two answers.
TEST(Route53, ThePrivateZoneAnswersInsideTheVpcAndThePublicOneOutside) {
    const model::Topology t = inline_topology(topology("tcp/80 from 0.0.0.0/0"));
    EXPECT_EQ(address_of(t, "app", "split.example.com"), "10.0.1.10");
    EXPECT_EQ(address_of(t, "client", "split.example.com"), "203.0.113.10");
    // Public hostnames: the private address inside, the public one outside.
    EXPECT_EQ(address_of(t, "app", "ec2-203-0-113-11.compute-1.amazonaws.com"), "10.0.1.11");
    EXPECT_EQ(address_of(t, "client", "ec2-203-0-113-11.compute-1.amazonaws.com"), "203.0.113.11");
}

TEST(Route53, AVpcWithoutDnsSupportCannotResolve) {
    std::string yaml = topology("tcp/80 from 0.0.0.0/0");
    yaml.replace(yaml.find("    enable_dns_hostnames: true\n"),
                 std::string("    enable_dns_hostnames: true\n").size(),
                 "    enable_dns_support: false\n");
    // The private zone's association now draws a warning; the topology still loads.
    model::LoadResult loaded = model::load_topology_text(yaml, "inline.yaml");
    ASSERT_TRUE(loaded.ok());
    TraceQuery q;
    q.from = "app";
    q.to = "www.example.com";
    q.protocol = "tcp";
    q.dport = 80;
    TraceResult r = run_trace(*loaded.topology, q);
    EXPECT_FALSE(r.report);
    EXPECT_NE(r.error.find("did not answer (ResolverDisabled"), std::string::npos) << r.error;
}

// An ALB in front of web-1; www.example.com fails over from an alias to the ALB to a static
// address. `web_ingress` is what web-1's group admits; `evaluate` the alias's evaluate target
// health. Two internet clients: one in Germany, one in Washington State.
std::string alb_topology(const std::string& web_ingress, bool evaluate) {
    return R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    internet_gateway: igw
    subnets:
      - {name: public-a, cidr: 10.0.1.0/24, az: us-east-1a, route_table: public-rt}
      - {name: public-b, cidr: 10.0.2.0/24, az: us-east-1b, route_table: public-rt}
    route_tables:
      - {name: public-rt, routes: [0.0.0.0/0 -> igw]}
    security_groups:
      - {name: alb-sg, ingress: [tcp/80 from 0.0.0.0/0]}
      - {name: web-sg, ingress: [)" +
           web_ingress + R"(]}
    instances:
      - {name: web-1, subnet: public-a, private_ip: 10.0.1.10, security_groups: [web-sg], listen: [tcp/80]}
    load_balancers:
      - name: shop-alb
        type: application
        subnets: [public-a, public-b]
        security_groups: [alb-sg]
        listeners:
          - {protocol: HTTP, port: 80, default_action: {forward: web-tg}}
    target_groups:
      - {name: web-tg, protocol: HTTP, port: 80, health_check: {path: /health}, targets: [web-1]}
      - {name: spare-tg, protocol: HTTP, port: 80}
hosted_zones:
  - name: example.com
    records:
      - {name: www, type: A, alias: {target: shop-alb, evaluate_target_health: )" +
           (evaluate ? "true" : "false") + R"(}, set_identifier: alb, failover: primary}
      - {name: www, type: A, values: [192.0.2.80], set_identifier: static, failover: secondary}
      - {name: geo, type: A, values: [192.0.2.1], set_identifier: eu, geolocation: {continent: EU}}
      - {name: geo, type: A, values: [192.0.2.2], set_identifier: wa, geolocation: {country: US, subdivision: WA}}
      - {name: geo, type: A, values: [192.0.2.3], set_identifier: us, geolocation: {country: US}}
      - {name: geo, type: A, values: [192.0.2.9], set_identifier: any, geolocation: {country: "*"}}
      - {name: near, type: A, values: [192.0.2.11], set_identifier: use1, latency: {region: us-east-1}}
      - {name: near, type: A, values: [192.0.2.12], set_identifier: euc1, latency: {region: eu-central-1}}
internet_hosts:
  - {name: berlin, address: 198.51.100.7, location: {country: DE, region: eu-central-1}}
  - {name: seattle, address: 198.51.100.8, location: {country: US, subdivision: WA}}
  - {name: nowhere, address: 198.51.100.9}
)";
}

// The ALB's public addresses, as an alias to it answers them.
std::vector<std::string> alb_addresses(const model::Topology& t) {
    std::vector<std::string> out;
    for (const model::LoadBalancerNode& node : t.load_balancers.at(0).nodes) {
        if (auto a = t.public_address_of_lb_node(node)) out.push_back(a->to_string());
    }
    return out;
}

bool is_alb_address(const model::Topology& t, const std::string& address) {
    const std::vector<std::string> all = alb_addresses(t);
    return std::find(all.begin(), all.end(), address) != all.end();
}

// AWS: resource-record-sets-values-alias (Evaluate target health) — an alias to a load balancer
// whose every target group with targets has a healthy target is healthy: the primary answers
// with the load balancer's addresses (a group without targets does not count against it).
TEST(Route53, AnAliasToAnAlbWithHealthyTargetsAnswersTheAlb) {
    const model::Topology t = inline_topology(alb_topology("tcp/80 from sg:alb-sg", true));
    ASSERT_EQ(alb_addresses(t).size(), 2u);
    const auto health = probe_load_balancers(t);
    ASSERT_TRUE(health.at("shop-alb").healthy) << health.at("shop-alb").why;
    const std::string answer = address_of(t, "berlin", "www.example.com");
    EXPECT_TRUE(is_alb_address(t, answer)) << answer;
    // From inside the VPC the resolver sees the same health.
    TraceQuery inside;
    inside.from = "web-1";
    inside.to = "www.example.com";
    inside.protocol = "tcp";
    inside.dport = 80;
    TraceResult r = run_trace(t, inside);
    ASSERT_TRUE(r.report && r.report->dns) << r.error;
    EXPECT_TRUE(is_alb_address(t, r.report->dns->address)) << r.report->dns->address;
}

// The classic mistake: the targets' group admits the office, not the load balancer, so the
// load balancer's health checks fail, no target of web-tg is healthy, the load balancer is
// unhealthy and Route 53 answers the secondary.
TEST(Route53, AnAliasToAnAlbWhoseTargetsFailTheirChecksFailsOver) {
    const model::Topology t = inline_topology(alb_topology("tcp/80 from 198.51.100.0/24", true));
    const auto health = probe_load_balancers(t);
    EXPECT_FALSE(health.at("shop-alb").healthy) << health.at("shop-alb").why;
    EXPECT_NE(health.at("shop-alb").why.find("'web-tg' 0 of 1"), std::string::npos)
        << health.at("shop-alb").why;
    EXPECT_EQ(address_of(t, "berlin", "www.example.com"), "192.0.2.80");
    TraceQuery inside;
    inside.from = "web-1";
    inside.to = "www.example.com";
    inside.protocol = "tcp";
    inside.dport = 80;
    TraceResult r = run_trace(t, inside);
    ASSERT_TRUE(r.report && r.report->dns) << r.error;
    EXPECT_EQ(r.report->dns->address, "192.0.2.80") << "the VPC resolver fails over alike";
}

// Without evaluate target health the alias is always healthy: the ALB answers whatever its
// targets' health.
TEST(Route53, AnAliasThatDoesNotEvaluateTargetHealthAnswersTheAlbRegardless) {
    const model::Topology t = inline_topology(alb_topology("tcp/80 from 198.51.100.0/24", false));
    EXPECT_TRUE(is_alb_address(t, address_of(t, "berlin", "www.example.com")));
}

// AWS: routing-policy-geo — the smallest region that holds the client answers: Washington
// State before the United States, Germany by its continent, and a source of no location the
// default record.
TEST(Route53, GeolocationRecordsAnswerAnInternetHostByItsLocation) {
    const model::Topology t = inline_topology(alb_topology("tcp/80 from sg:alb-sg", true));
    EXPECT_EQ(address_of(t, "seattle", "geo.example.com"), "192.0.2.2");
    EXPECT_EQ(address_of(t, "berlin", "geo.example.com"), "192.0.2.1");
    EXPECT_EQ(address_of(t, "nowhere", "geo.example.com"), "192.0.2.9");
}

// AWS: routing-policy-latency — the region nearest the client: Berlin's host names
// eu-central-1; the VPC asks from its own region.
TEST(Route53, LatencyRecordsAnswerAnInternetHostFromItsRegion) {
    const model::Topology t = inline_topology(alb_topology("tcp/80 from sg:alb-sg", true));
    EXPECT_EQ(address_of(t, "berlin", "near.example.com"), "192.0.2.12");
    EXPECT_EQ(address_of(t, "web-1", "near.example.com"), "192.0.2.11");
}

}  // namespace
}  // namespace scenario
