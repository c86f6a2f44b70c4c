// The per-client DNS views: the load balancer health rule aliases with evaluate target health
// follow, and where each client's queries come from (the VPC's region, an internet host's
// location).
#include "vpcstack/model/dns_views.hpp"

#include <gtest/gtest.h>

#include <set>
#include <utility>

#include "vpcstack/model/loader.hpp"

namespace vpcstack::model {
namespace {

const char* kTopology = R"(region: eu-central-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    internet_gateway: igw
    subnets:
      - {name: a, cidr: 10.0.1.0/24, az: eu-central-1a, route_table: rt}
      - {name: b, cidr: 10.0.2.0/24, az: eu-central-1b, route_table: rt}
    route_tables:
      - {name: rt, routes: [0.0.0.0/0 -> igw]}
    security_groups:
      - {name: alb-sg, ingress: [tcp/80 from 0.0.0.0/0]}
    instances:
      - {name: web-1, subnet: a, private_ip: 10.0.1.10}
      - {name: web-2, subnet: b, private_ip: 10.0.2.10}
      - {name: api-1, subnet: a, private_ip: 10.0.1.20}
    load_balancers:
      - name: alb
        type: application
        subnets: [a, b]
        security_groups: [alb-sg]
        listeners:
          - protocol: HTTP
            port: 80
            default_action: {forward: web-tg}
            rules:
              - {priority: 10, conditions: [{path-pattern: ["/api/*"]}], action: {forward: api-tg}}
          - {protocol: HTTP, port: 8080, default_action: {forward: empty-tg}}
    target_groups:
      - {name: web-tg, protocol: HTTP, port: 80, targets: [web-1, web-2]}
      - {name: api-tg, protocol: HTTP, port: 80, targets: [api-1]}
      - {name: empty-tg, protocol: HTTP, port: 80}
      - {name: unused-tg, protocol: HTTP, port: 80, targets: [api-1]}
hosted_zones:
  - name: example.com
    records:
      - {name: checked, type: A, alias: {target: alb, evaluate_target_health: true}}
      - {name: unchecked, type: A, alias: {target: alb}}
internet_hosts:
  - {name: berlin, address: 198.51.100.7, location: {country: DE}}
  - {name: seattle, address: 198.51.100.8, location: {country: US, subdivision: WA, region: us-west-2}}
  - {name: europe, address: 198.51.100.9, location: {continent: EU}}
  - {name: plain, address: 198.51.100.10}
)";

class DnsViewsTest : public ::testing::Test {
  protected:
    void SetUp() override {
        LoadResult r = load_topology_text(kTopology, "t.yaml");
        ASSERT_TRUE(r.ok()) << (r.diagnostics.sorted().empty()
                                    ? std::string()
                                    : r.diagnostics.sorted().front().to_string());
        t = std::move(*r.topology);
    }
    Index group(const std::string& name) const {
        for (Index g = 0; g < t.target_groups.size(); ++g) {
            if (t.target_groups[g].meta.name == name) return g;
        }
        return kNone;
    }
    // Targets named "group/index" fail their checks.
    TargetHealthFn failing(std::set<std::pair<std::string, std::size_t>> down) const {
        return [this, down = std::move(down)](Index g, std::size_t i) {
            return !down.contains({t.target_groups[g].meta.name, i});
        };
    }
    Topology t;
};

TEST_F(DnsViewsTest, TheTargetGroupsOfALoadBalancerAreThoseItsListenersForwardTo) {
    EXPECT_EQ(target_groups_of(t, 0),
              (std::vector<Index>{group("web-tg"), group("api-tg"), group("empty-tg")}))
        << "default actions and rules; a group no listener names is not the load balancer's";
}

// AWS: resource-record-sets-values-alias (Evaluate target health).
TEST_F(DnsViewsTest, ALoadBalancerIsHealthyWhenEveryGroupWithTargetsHasAHealthyOne) {
    EXPECT_TRUE(load_balancer_healthy(t, 0, failing({})));
    EXPECT_TRUE(load_balancer_healthy(t, 0, failing({{"web-tg", 0}})))
        << "one healthy target of web-tg is enough";
    EXPECT_FALSE(load_balancer_healthy(t, 0, failing({{"web-tg", 0}, {"web-tg", 1}})))
        << "a group with only unhealthy targets makes the load balancer unhealthy";
    EXPECT_FALSE(load_balancer_healthy(t, 0, failing({{"api-tg", 0}})))
        << "every group counts, a rule's too";
    EXPECT_TRUE(load_balancer_healthy(t, 0, failing({{"unused-tg", 0}})))
        << "a group no listener forwards to does not count";
    // empty-tg has no targets: it is never asked about and counts as healthy.
}

TEST_F(DnsViewsTest, AnAliasEvaluatingTargetHealthIsAsHealthyAsItsLoadBalancer) {
    bool alb_healthy = true;
    DnsViews views(t, [&](Index lb) { return lb == 0 && alb_healthy; });
    auto resolve_name = [&](const std::string& name) {
        dns::Random random(1);
        return dns::resolve(views.internet(), {name, dns::RrType::A}, {}, {}, views.alias(),
                            random);
    };
    dns::AliasTarget checked{"alb", true};
    dns::AliasTarget unchecked{"alb", false};
    ASSERT_TRUE(views.alias()(checked, dns::RrType::A));
    EXPECT_TRUE(views.alias()(checked, dns::RrType::A)->healthy);
    alb_healthy = false;
    EXPECT_FALSE(views.alias()(checked, dns::RrType::A)->healthy);
    EXPECT_TRUE(views.alias()(unchecked, dns::RrType::A)->healthy)
        << "without evaluate target health the alias is healthy whatever the load balancer";
    // A simple record answers even when unhealthy (nothing else to answer); the step says why.
    const dns::Resolution r = resolve_name("checked.example.com");
    EXPECT_EQ(r.answer.answers.size(), 2u) << "the two nodes' public addresses";
    // No health function: every load balancer is healthy.
    DnsViews plain(t);
    EXPECT_TRUE(plain.alias()(checked, dns::RrType::A)->healthy);
}

// AWS: routing-policy-geo-phz, routing-policy-latency-phz — a VPC's queries come from its
// region's city.
TEST_F(DnsViewsTest, AVpcClientIsInItsRegion) {
    DnsViews views(t);
    const dns::ClientInfo c = views.client_of(0, net::Ipv4Address(10, 0, 1, 10));
    EXPECT_EQ(c.region, "eu-central-1");
    EXPECT_EQ(c.continent, "EU");
    EXPECT_EQ(c.country, "DE") << "Frankfurt";
    EXPECT_EQ(c.subdivision, "");
    EXPECT_EQ(c.source, net::Ipv4Address(10, 0, 1, 10));
    const dns::ClientInfo virginia = *dns::client_in_region("us-east-1");
    EXPECT_EQ(virginia.country, "US");
    EXPECT_EQ(virginia.subdivision, "VA");
}

TEST_F(DnsViewsTest, AnInternetClientIsWhereItsHostsLocationSays) {
    DnsViews views(t);
    const dns::ClientInfo berlin = views.internet_client(net::Ipv4Address(198, 51, 100, 7));
    EXPECT_EQ(berlin.country, "DE");
    EXPECT_EQ(berlin.continent, "EU") << "the country's continent";
    EXPECT_EQ(berlin.region, "");
    const dns::ClientInfo seattle = views.internet_client(net::Ipv4Address(198, 51, 100, 8));
    EXPECT_EQ(seattle.continent, "NA");
    EXPECT_EQ(seattle.subdivision, "WA");
    EXPECT_EQ(seattle.region, "us-west-2");
    EXPECT_EQ(seattle.source, net::Ipv4Address(198, 51, 100, 8));
    EXPECT_EQ(views.internet_client(net::Ipv4Address(198, 51, 100, 9)).continent, "EU");
    const dns::ClientInfo plain = views.internet_client(net::Ipv4Address(198, 51, 100, 10));
    EXPECT_EQ(plain.country, "");
    EXPECT_EQ(plain.continent, "") << "a host without a location has none";
    EXPECT_EQ(views.internet_client(net::Ipv4Address(192, 0, 2, 1)).country, "")
        << "an address no host has";
}

}  // namespace
}  // namespace vpcstack::model
