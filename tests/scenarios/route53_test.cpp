// Route 53 in the simulation, in the cloud's words: a failover record answers its secondary when
// the primary's health check fails, and the classic cause is the endpoint's security group,
// which must admit the health checkers; a check the group admits keeps the primary; weighted
// records spread by weight; a name resolves differently inside the VPC (private zone) and from
// the internet; a VPC without DNS support answers nothing.
#include <gtest/gtest.h>

#include <map>

#include "scenario.hpp"
#include "vpcstack/sim/health_checks.hpp"
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

}  // namespace
}  // namespace scenario
