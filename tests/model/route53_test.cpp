// Route 53 hosted zones, records and health checks, and the VPC DNS attributes: a full example
// loads with the defaults and absolute names, every rule of checks/route53.cpp refuses what
// breaks it with exactly this message, and the writer writes it all back.
#include <gtest/gtest.h>

#include "raw_topology_diff.hpp"
#include "test_support.hpp"
#include "vpcstack/model/loader.hpp"
#include "vpcstack/model/yaml_reader.hpp"
#include "vpcstack/model/yaml_writer.hpp"

namespace vpcstack::model {
namespace {

using testing::diagnostics_of;
using Lines = std::vector<std::string>;

// A VPC with an internet-facing ALB; tests append hosted zones and health checks.
const std::string kBase = R"(region: us-east-1
vpcs:
  - name: shop
    cidr: 10.0.0.0/16
    enable_dns_hostnames: true
    subnets:
      - {name: pub-a, cidr: 10.0.0.0/24, az: us-east-1a}
      - {name: pub-b, cidr: 10.0.1.0/24, az: us-east-1b}
    security_groups:
      - {name: lb-sg, ingress: [tcp/80 from 0.0.0.0/0]}
    load_balancers:
      - {name: shop-alb, type: application, subnets: [pub-a, pub-b], security_groups: [lb-sg]}
  - name: other
    cidr: 10.1.0.0/16
    enable_dns_support: false
)";  // line 15 is the last

std::string problems(const LoadResult& r) {
    std::string out;
    for (const Diagnostic& d : r.diagnostics.sorted()) out += d.to_string() + "\n";
    return out;
}

const std::string kFull = kBase + R"(hosted_zones:
  - name: Example.com
    id: Z0123456789
    records:
      - {name: shop, type: A, alias: {target: shop-alb, evaluate_target_health: true}}
      - {name: www, type: CNAME, ttl: 300, values: [shop.example.com]}
      - {name: api, type: A, values: [203.0.113.10], set_identifier: a, weight: 70, health_check: api-a}
      - {name: api.example.com, type: A, values: [203.0.113.11], set_identifier: b, weight: 30}
      - {name: app, type: A, values: [203.0.113.20], set_identifier: p, failover: primary, health_check: both}
      - {name: app.example.com., type: A, values: [203.0.113.21], set_identifier: s, failover: secondary}
      - {name: multi, type: A, values: [203.0.113.30], set_identifier: m1, multivalue: true}
      - {name: near, type: A, values: [203.0.113.40], set_identifier: use1, latency: {region: us-east-1}}
      - {name: geo, type: A, values: [203.0.113.50], set_identifier: eu, geolocation: {continent: EU}}
      - {name: geo, type: A, values: [203.0.113.51], set_identifier: wa, geolocation: {country: US, subdivision: WA}}
      - {name: geo, type: A, values: [203.0.113.52], set_identifier: any, geolocation: {country: "*"}}
      - {name: "@", type: MX, values: ["10 mail.example.com"]}
      - {name: "@", type: TXT, ttl: 60, values: ['"v=spf1 -all"']}
      - {name: to-alias, type: A, alias: {target: apex-alias}}
      - {name: apex-alias, type: A, alias: {target: "@"}}
      - {name: "@", type: A, ttl: 120, values: [203.0.113.60]}
      - {name: shop2, type: A, alias: {target: shop}}
  - name: example.com
    private: true
    vpcs: [shop]
    records:
      - {name: db, type: A, values: [10.0.0.50]}
health_checks:
  - {name: api-a, type: HTTP, ip: 203.0.113.10, port: 8080, path: /health, interval: 10, failure_threshold: 2}
  - {name: hc1, type: HTTPS, domain: status.example.org}
  - {name: tcp, type: TCP, ip: 198.51.100.9, port: 22, inverted: true}
  - {name: both, type: CALCULATED, children: [api-a, hc1], healthy_threshold: 2}
)";

TEST(Route53, AFullExampleLoadsWithTheDefaultsAndAbsoluteNames) {
    const LoadResult r = load_topology_text(kFull, "t.yaml");
    ASSERT_TRUE(r.ok()) << problems(r);
    const Topology& t = *r.topology;
    EXPECT_TRUE(t.vpcs[0].enable_dns_support) << "on by default";
    EXPECT_TRUE(t.vpcs[0].enable_dns_hostnames);
    EXPECT_FALSE(t.vpcs[1].enable_dns_support);
    EXPECT_FALSE(t.vpcs[1].enable_dns_hostnames) << "off by default";

    ASSERT_EQ(t.hosted_zones.size(), 2u);
    const HostedZone& pub = t.hosted_zones[0];
    EXPECT_EQ(pub.meta.name, "example.com") << "lower-case";
    EXPECT_EQ(pub.zone.name, "example.com");
    EXPECT_EQ(pub.zone.id, "Z0123456789");
    EXPECT_FALSE(pub.is_private);
    EXPECT_FALSE(pub.zone.is_private);
    EXPECT_TRUE(pub.vpcs.empty());
    const auto& sets = pub.zone.record_sets;
    ASSERT_EQ(sets.size(), 17u);
    ASSERT_EQ(pub.record_locs.size(), 17u);
    ASSERT_EQ(pub.record_health_checks.size(), 17u);
    ASSERT_EQ(pub.alias_load_balancers.size(), 17u);

    EXPECT_EQ(sets[0].name, "shop.example.com");
    ASSERT_TRUE(sets[0].alias);
    EXPECT_EQ(sets[0].alias->name, "shop-alb");
    EXPECT_TRUE(sets[0].alias->evaluate_target_health);
    EXPECT_EQ(sets[0].ttl, 60u) << "Route 53 answers ELB aliases with TTL 60";
    EXPECT_TRUE(sets[0].values.empty());
    EXPECT_EQ(pub.alias_load_balancers[0], 0u);
    EXPECT_EQ(pub.record_locs[0].line, 20);
    EXPECT_EQ(pub.record_locs[0].column, 9);

    EXPECT_EQ(sets[1].name, "www.example.com");
    EXPECT_EQ(sets[1].type, dns::RrType::CNAME);
    EXPECT_EQ(sets[1].values, (std::vector<std::string>{"shop.example.com"}));
    EXPECT_EQ(sets[1].policy.kind, dns::PolicyKind::Simple);
    EXPECT_EQ(pub.alias_load_balancers[1], kNone);

    EXPECT_EQ(sets[2].name, "api.example.com");
    EXPECT_EQ(sets[2].ttl, 300u) << "the default TTL";
    EXPECT_EQ(sets[2].policy.kind, dns::PolicyKind::Weighted);
    EXPECT_EQ(sets[2].policy.weight, 70u);
    EXPECT_EQ(sets[2].set_identifier, "a");
    EXPECT_EQ(sets[2].health_check, std::optional<std::string>("api-a")) << "by name";
    EXPECT_EQ(pub.record_health_checks[2], 0u);
    EXPECT_EQ(sets[3].name, "api.example.com") << "a full name under the zone";
    EXPECT_EQ(sets[3].health_check, std::nullopt);
    EXPECT_EQ(pub.record_health_checks[3], kNone);

    EXPECT_EQ(sets[4].policy.kind, dns::PolicyKind::Failover);
    EXPECT_EQ(sets[4].policy.failover, dns::FailoverRole::Primary);
    EXPECT_EQ(pub.record_health_checks[4], 3u);
    EXPECT_EQ(sets[5].name, "app.example.com") << "absolute, the dot dropped";
    EXPECT_EQ(sets[5].policy.failover, dns::FailoverRole::Secondary);
    EXPECT_EQ(sets[6].policy.kind, dns::PolicyKind::MultiValue);
    EXPECT_EQ(sets[7].policy.kind, dns::PolicyKind::Latency);
    EXPECT_EQ(sets[7].policy.region, "us-east-1");
    EXPECT_EQ(sets[8].policy.kind, dns::PolicyKind::Geolocation);
    EXPECT_EQ(sets[8].policy.location.continent, "EU");
    EXPECT_EQ(sets[9].policy.location.country, "US");
    EXPECT_EQ(sets[9].policy.location.subdivision, "WA");
    EXPECT_TRUE(sets[10].policy.location.is_default());
    EXPECT_EQ(sets[11].name, "example.com") << "@ is the apex";
    EXPECT_EQ(sets[11].type, dns::RrType::MX);
    EXPECT_EQ(sets[11].values, (std::vector<std::string>{"10 mail.example.com"}));
    EXPECT_EQ(sets[12].values, (std::vector<std::string>{"\"v=spf1 -all\""}));
    EXPECT_EQ(sets[12].ttl, 60u);
    ASSERT_TRUE(sets[14].alias);
    EXPECT_EQ(sets[14].alias->name, "example.com") << "an alias to a record of the zone";
    EXPECT_FALSE(sets[14].alias->evaluate_target_health);
    EXPECT_EQ(pub.alias_load_balancers[14], kNone);
    EXPECT_EQ(sets[14].ttl, 120u) << "the target's TTL";
    ASSERT_TRUE(sets[13].alias);
    EXPECT_EQ(sets[13].alias->name, "apex-alias.example.com");
    EXPECT_EQ(sets[13].ttl, 120u) << "the TTL at the end of the chain, written later";
    ASSERT_TRUE(sets[16].alias);
    EXPECT_EQ(sets[16].ttl, 60u) << "an alias to a load balancer's alias";
    EXPECT_EQ(pub.alias_load_balancers[16], kNone);

    const HostedZone& priv = t.hosted_zones[1];
    EXPECT_TRUE(priv.is_private);
    EXPECT_TRUE(priv.zone.is_private);
    EXPECT_EQ(priv.vpcs, (std::vector<Index>{0}));
    ASSERT_EQ(priv.zone.record_sets.size(), 1u);
    EXPECT_EQ(priv.zone.record_sets[0].name, "db.example.com");

    ASSERT_EQ(t.health_checks.size(), 4u);
    const Route53HealthCheck& a = t.health_checks[0];
    EXPECT_EQ(a.type, HealthCheckType::Http);
    EXPECT_EQ(a.ip->to_string(), "203.0.113.10");
    EXPECT_EQ(a.port, 8080);
    EXPECT_EQ(a.path, "/health");
    EXPECT_EQ(a.interval, 10u);
    EXPECT_EQ(a.failure_threshold, 2u);
    EXPECT_FALSE(a.inverted);
    const Route53HealthCheck& h = t.health_checks[1];
    EXPECT_EQ(h.type, HealthCheckType::Https);
    EXPECT_FALSE(h.ip);
    EXPECT_EQ(h.domain, "status.example.org");
    EXPECT_EQ(h.port, 443) << "HTTPS checks port 443 by default";
    EXPECT_EQ(h.path, "/");
    EXPECT_EQ(h.interval, 30u);
    EXPECT_EQ(h.failure_threshold, 3u);
    EXPECT_EQ(t.health_checks[2].type, HealthCheckType::Tcp);
    EXPECT_TRUE(t.health_checks[2].inverted);
    const Route53HealthCheck& c = t.health_checks[3];
    EXPECT_EQ(c.type, HealthCheckType::Calculated);
    EXPECT_EQ(c.children, (std::vector<Index>{0, 1}));
    EXPECT_EQ(c.healthy_threshold, 2u);
}

TEST(Route53, TheWriterWritesZonesRecordsAndHealthChecksBack) {
    Diagnostics d1;
    auto raw = read_topology_yaml(kFull, "t.yaml", d1);
    ASSERT_TRUE(raw && !d1.has_errors());
    const std::string text = write_topology_yaml(*raw);
    Diagnostics d2;
    auto again = read_topology_yaml(text, "t.yaml", d2);
    ASSERT_TRUE(again && !d2.has_errors()) << text;
    EXPECT_EQ(testing::raw_difference(*raw, *again), "") << text;
    const LoadResult r = load_topology_text(text, "again.yaml");
    EXPECT_TRUE(r.ok()) << problems(r) << text;
    EXPECT_NE(text.find("enable_dns_support: false"), std::string::npos) << text;
    EXPECT_NE(text.find("{name: \"@\", type: MX, values: [10 mail.example.com]}"),
              std::string::npos)
        << text;
}

TEST(Route53, DnsHostnamesNeedDnsSupport) {
    EXPECT_EQ(
        diagnostics_of(R"(region: us-east-1
vpcs:
  - {name: a, cidr: 10.0.0.0/16, enable_dns_support: false, enable_dns_hostnames: true}
)"),
        (Lines{"t.yaml:3:83: error: VPC 'a': 'enable_dns_hostnames' is true while "
               "'enable_dns_support' is false; expected DNS support enabled for DNS hostnames"}));
}

TEST(Route53, RecordTypesNamesValuesAndTtls) {
    EXPECT_EQ(
        diagnostics_of(kBase + R"(hosted_zones:
  - name: example.com
    records:
      - {name: a, type: SPF, values: ["v=spf1"]}
      - {name: b, type: A, values: [203.0.113.300]}
      - {name: c, type: A}
      - {name: d, type: A, values: [203.0.113.1], ttl: 2147483648}
      - {name: e.other.org., type: A, values: [203.0.113.1]}
      - {name: f, type: MX, values: [mail.example.com]}
      - {name: g, type: AAAA, values: ["2001:db8::1", "10.0.0.1"]}
      - {name: "@", type: CNAME, values: [x.example.org]}
      - {name: h, type: CNAME, values: [x.example.org, y.example.org]}
      - {name: i, type: A, values: [203.0.113.1]}
      - {name: i, type: CNAME, values: [x.example.org]}
      - {name: j, type: A, values: [203.0.113.1]}
      - {name: j, type: A, values: [203.0.113.2]}
      - {name: aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa, type: A, values: [203.0.113.1]}
  - {name: "bad..zone"}
)"),
        (Lines{
            "t.yaml:19:25: error: hosted zone 'example.com': record type 'SPF' is not supported; "
            "expected A, AAAA, CNAME, TXT, MX, NS, SRV, PTR or CAA",
            "t.yaml:20:37: error: hosted zone 'example.com': value '203.0.113.300' of record "
            "b.example.com A is invalid; expected an IPv4 address such as 203.0.113.10",
            "t.yaml:21:9: error: hosted zone 'example.com': record c.example.com A has no "
            "'values'; expected at least one value, or an 'alias'",
            "t.yaml:22:56: error: hosted zone 'example.com': 'ttl' of record d.example.com A is "
            "2147483648; expected 0 to 2147483647 seconds",
            "t.yaml:23:16: error: hosted zone 'example.com': record name 'e.other.org.' is outside "
            "the zone; expected a name relative to the zone, '@' for the apex, or an absolute name "
            "ending with '.example.com.'",
            "t.yaml:24:38: error: hosted zone 'example.com': value 'mail.example.com' of record "
            "f.example.com MX is invalid; expected PRIORITY HOST, such as '10 mail.example.com'",
            "t.yaml:25:55: error: hosted zone 'example.com': value '10.0.0.1' of record "
            "g.example.com AAAA is invalid; expected an IPv6 address such as 2001:db8::10",
            "t.yaml:26:16: error: hosted zone 'example.com': a CNAME record at the zone apex; "
            "expected CNAME records only below example.com (the apex holds the zone's SOA and NS "
            "records)",
            "t.yaml:27:40: error: hosted zone 'example.com': record h.example.com CNAME has 2 "
            "values; expected exactly one",
            "t.yaml:29:9: error: hosted zone 'example.com': i.example.com has a CNAME record (line "
            "29) and A records (line 28); expected no other record at the name of a CNAME",
            "t.yaml:31:9: error: hosted zone 'example.com': record j.example.com A: another simple "
            "record set of this name and type exists (line 30); expected one simple record set per "
            "name and type, with all its values",
            "t.yaml:32:16: error: hosted zone 'example.com': record name "
            "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa.example.com' is not "
            "a valid DNS name: label "
            "'aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' has 64 characters; "
            "expected labels of 1 to 63 characters separated by dots, 253 characters in all",
            "t.yaml:33:5: error: hosted zone 'bad..zone': the zone name is not a valid DNS name: "
            "it has an empty label; expected labels of 1 to 63 characters separated by dots, 253 "
            "characters in all"}));
}

TEST(Route53, RoutingPolicies) {
    EXPECT_EQ(
        diagnostics_of(kBase + R"(hosted_zones:
  - name: example.com
    records:
      - {name: a, type: A, values: [203.0.113.1], weight: 10}
      - {name: b, type: A, values: [203.0.113.1], set_identifier: x}
      - {name: c, type: A, values: [203.0.113.1], set_identifier: x, weight: 10, failover: primary}
      - {name: d, type: A, values: [203.0.113.1], set_identifier: x, weight: 256}
      - {name: e, type: A, values: [203.0.113.1], set_identifier: x, weight: 1}
      - {name: e, type: A, values: [203.0.113.2], set_identifier: x, weight: 1}
      - {name: f, type: A, values: [203.0.113.1], set_identifier: x, weight: 1}
      - {name: f, type: A, values: [203.0.113.2], set_identifier: y, failover: primary}
      - {name: g, type: A, values: [203.0.113.1], set_identifier: x, failover: primary}
      - {name: g, type: A, values: [203.0.113.2], set_identifier: y, failover: primary}
      - {name: h, type: A, values: [203.0.113.1]}
      - {name: h, type: A, values: [203.0.113.2], set_identifier: y, weight: 1}
      - {name: i, type: A, values: [203.0.113.1], set_identifier: x, failover: tertiary}
      - {name: j, type: A, values: [203.0.113.1], set_identifier: x, latency: {region: mars-1}}
      - {name: k, type: A, values: [203.0.113.1], set_identifier: x, geolocation: {continent: EU, country: DE}}
      - {name: l, type: A, values: [203.0.113.1], set_identifier: x, geolocation: {continent: XX}}
      - {name: m, type: A, values: [203.0.113.1], set_identifier: x, geolocation: {country: usa}}
      - {name: n, type: A, values: [203.0.113.1], set_identifier: x, geolocation: {continent: EU, subdivision: WA}}
      - {name: o, type: CNAME, values: [x.example.org], set_identifier: x, multivalue: true}
      - {name: p, type: A, values: [203.0.113.1], health_check: nope}
      - {name: q, type: A, values: [203.0.113.1], set_identifier: x, geolocation: {country: US, subdivision: WA}}
      - {name: q, type: A, values: [203.0.113.2], set_identifier: y, geolocation: {country: US, subdivision: WA}}
)"),
        (Lines{
            "t.yaml:19:9: error: hosted zone 'example.com': record a.example.com A has 'weight' "
            "without 'set_identifier'; expected a set identifier with every routing policy",
            "t.yaml:20:67: error: hosted zone 'example.com': record b.example.com A has "
            "'set_identifier' but no routing policy; expected one of weight, failover, multivalue, "
            "latency or geolocation with it",
            "t.yaml:21:9: error: hosted zone 'example.com': record c.example.com A has 'weight' "
            "and 'failover'; expected one routing policy per record set",
            "t.yaml:22:78: error: hosted zone 'example.com': 'weight' of record d.example.com A is "
            "256; expected 0 to 255",
            "t.yaml:24:67: error: hosted zone 'example.com': set identifier 'x' of record "
            "e.example.com A is already used (line 23); expected unique set identifiers per name "
            "and type",
            "t.yaml:26:9: error: hosted zone 'example.com': record f.example.com A is failover, "
            "the record set of line 25 is weighted; expected one routing policy for all record "
            "sets of a name and type",
            "t.yaml:28:80: error: hosted zone 'example.com': record g.example.com A has a second "
            "primary record set (the first: line 27); expected at most one primary and one "
            "secondary",
            "t.yaml:30:9: error: hosted zone 'example.com': record h.example.com A is weighted, "
            "the record set of line 29 is simple; expected one routing policy for all record sets "
            "of a name and type",
            "t.yaml:31:80: error: hosted zone 'example.com': 'failover' is 'tertiary'; expected "
            "primary or secondary",
            "t.yaml:32:88: error: hosted zone 'example.com': latency region 'mars-1' of record "
            "j.example.com A is unknown; expected an AWS region such as us-east-1",
            "t.yaml:33:83: error: hosted zone 'example.com': geolocation of record k.example.com A "
            "has both 'continent' and 'country'; expected either 'continent' or 'country' ('*' for "
            "the default location)",
            "t.yaml:34:95: error: hosted zone 'example.com': continent 'XX' of record "
            "l.example.com A is unknown; expected AF, AN, AS, EU, OC, NA or SA",
            "t.yaml:35:93: error: hosted zone 'example.com': country 'usa' of record m.example.com "
            "A is invalid; expected a two-letter code such as US, or '*' for the default location",
            "t.yaml:36:112: error: hosted zone 'example.com': 'subdivision' of record "
            "n.example.com A without a country; expected it with 'country' (US: WA, ...)",
            "t.yaml:37:88: error: hosted zone 'example.com': record o.example.com CNAME is a "
            "multivalue CNAME; expected multivalue answers with another type",
            "t.yaml:38:65: error: hosted zone 'example.com': record p.example.com A: "
            "'health_check' names unknown health check 'nope'; expected the name of a health check "
            "of this file",
            "t.yaml:40:83: error: hosted zone 'example.com': location 'US-WA' of record "
            "q.example.com A already has a record set (line 39); expected each location once per "
            "name and type"}));
}

TEST(Route53, AliasTargets) {
    EXPECT_EQ(diagnostics_of(kBase + R"(hosted_zones:
  - name: example.com
    records:
      - {name: a, type: A, alias: {target: shop-alb}, values: [203.0.113.1]}
      - {name: b, type: A, alias: {target: shop-alb}, ttl: 60}
      - {name: c, type: TXT, alias: {target: shop-alb}}
      - {name: d, type: A, alias: {target: nothing}}
      - {name: e, type: A, alias: {target: e}}
      - {name: f, type: A, set_identifier: x, multivalue: true, alias: {target: shop-alb}}
      - {name: g, type: A, alias: {evaluate_target_health: true}}
)"),
              (Lines{"t.yaml:19:63: error: hosted zone 'example.com': record a.example.com A has "
                     "both 'alias' and 'values'; expected one of them",
                     "t.yaml:20:60: error: hosted zone 'example.com': record b.example.com A is an "
                     "alias and has a 'ttl'; expected none, as an alias takes its target's TTL",
                     "t.yaml:21:25: error: hosted zone 'example.com': record c.example.com TXT is "
                     "an alias to load balancer 'shop-alb'; expected type A or AAAA",
                     "t.yaml:22:44: error: hosted zone 'example.com': alias target 'nothing' of "
                     "record d.example.com A is neither a load balancer of the topology nor a "
                     "record of zone 'example.com' with type A; expected one of them",
                     "t.yaml:23:44: error: hosted zone 'example.com': record e.example.com A is an "
                     "alias to itself; expected another record or a load balancer",
                     "t.yaml:24:59: error: hosted zone 'example.com': record f.example.com A is a "
                     "multivalue alias; expected multivalue answers only with values (Route 53 has "
                     "no multivalue alias records)",
                     "t.yaml:25:35: error: hosted zone 'example.com': 'alias' without 'target'; "
                     "expected a load balancer of the topology or a record of the zone"}));
}

TEST(Route53, PrivateAndPublicZones) {
    EXPECT_EQ(diagnostics_of(kBase + R"(hosted_zones:
  - {name: corp.internal, private: true}
  - {name: example.com, vpcs: [shop]}
  - {name: example.com}
  - {name: shop.internal, private: true, vpcs: [shop, shpo, shop]}
  - {name: shop.internal, private: true, vpcs: [other, shop]}
)"),
              (Lines{"t.yaml:17:5: error: hosted zone 'corp.internal': a private hosted zone "
                     "without 'vpcs'; expected the VPCs it is associated with",
                     "t.yaml:18:31: error: hosted zone 'example.com': 'vpcs' given for a public "
                     "hosted zone; expected them only with 'private: true'",
                     "t.yaml:19:5: error: hosted zone 'example.com': another public hosted zone "
                     "has this name (line 18); expected one public zone per name",
                     "t.yaml:20:55: error: hosted zone 'shop.internal': 'vpcs' names unknown VPC "
                     "'shpo'; expected the name of a VPC of this file",
                     "t.yaml:20:61: error: hosted zone 'shop.internal': 'vpcs' names 'shop' twice; "
                     "expected each VPC once",
                     "t.yaml:21:56: error: hosted zone 'shop.internal': VPC 'shop' is already "
                     "associated with private hosted zone 'shop.internal' (line 20); expected one "
                     "private zone of a name per VPC"}));
}

TEST(Route53, APrivateZoneWarnsOfAVpcWithoutDnsAttributes) {
    const LoadResult r = load_topology_text(kBase + R"(hosted_zones:
  - {name: corp.internal, private: true, vpcs: [shop, other]}
)",
                                            "t.yaml");
    ASSERT_TRUE(r.ok()) << problems(r);
    EXPECT_EQ(problems(r),
              "t.yaml:17:5: warning: hosted zone 'corp.internal': private zone associated with "
              "VPC 'other', whose enable_dns_support is false; expected enable_dns_support and "
              "enable_dns_hostnames true in the VPCs of a private hosted zone\n");
}

TEST(Route53, HealthChecks) {
    EXPECT_EQ(
        diagnostics_of(kBase + R"(health_checks:
  - {name: a, ip: 203.0.113.1}
  - {name: b, type: HTTP}
  - {name: c, type: HTTP, ip: 203.0.113.1, domain: x.example.com}
  - {name: d, type: HTTP, ip: 10.0.0.5, port: 0, interval: 20, failure_threshold: 11, path: health}
  - {name: e, type: TCP, ip: 203.0.113.1, path: /}
  - {name: f, type: HTTP, ip: 203.0.113.1, children: [a], healthy_threshold: 1}
  - {name: g, type: CALCULATED}
  - {name: h, type: CALCULATED, ip: 203.0.113.1, children: [a, a, zz], healthy_threshold: 3}
  - {name: i, type: CALCULATED, children: [j]}
  - {name: j, type: CALCULATED, children: [i]}
  - {name: k, type: PING}
  - {name: a, type: TCP, domain: "x..y", port: 22}
)"),
        (Lines{"t.yaml:17:5: error: health check 'a': missing key 'type'; expected HTTP, HTTPS, "
               "TCP or CALCULATED",
               "t.yaml:18:5: error: health check 'b': an HTTP health check without 'ip' or "
               "'domain'; expected the endpoint it checks",
               "t.yaml:19:52: error: health check 'c': an HTTP health check with both 'ip' and "
               "'domain'; expected one of them",
               "t.yaml:20:31: error: health check 'd': 'ip' is 10.0.0.5, a private or reserved "
               "address; expected a public address Route 53's checkers can reach",
               "t.yaml:20:47: error: health check 'd': 'port' is 0; expected 1 to 65535",
               "t.yaml:20:60: error: health check 'd': 'interval' is 20; expected 10 (fast) or 30 "
               "seconds",
               "t.yaml:20:83: error: health check 'd': 'failure_threshold' is 11; expected 1 to 10",
               "t.yaml:20:93: error: health check 'd': 'path' is 'health'; expected a path "
               "starting with '/'",
               "t.yaml:21:5: error: health check 'e': a TCP health check without 'port'; expected "
               "the port it connects to",
               "t.yaml:21:49: error: health check 'e': 'path' given for a TCP health check; "
               "expected it only with HTTP or HTTPS",
               "t.yaml:22:54: error: health check 'f': 'children' given for an HTTP health check; "
               "expected it only with CALCULATED",
               "t.yaml:22:78: error: health check 'f': 'healthy_threshold' given for an HTTP "
               "health check; expected it only with CALCULATED",
               "t.yaml:23:5: error: health check 'g': a CALCULATED health check without "
               "'children'; expected the health checks it combines",
               "t.yaml:24:37: error: health check 'h': 'ip' given for a CALCULATED health check; "
               "expected it only with HTTP, HTTPS or TCP",
               "t.yaml:24:64: error: health check 'h': 'children' names 'a' twice; expected each "
               "child once",
               "t.yaml:24:67: error: health check 'h': 'children' names unknown health check 'zz'; "
               "expected the name of a health check of this file",
               "t.yaml:26:43: error: health check 'j': its children form a cycle (i -> j -> i); "
               "expected a calculated health check never to depend on itself",
               "t.yaml:27:21: error: health check 'k': 'type' is 'PING'; expected HTTP, HTTPS, TCP "
               "or CALCULATED",
               "t.yaml:28:5: error: health check 'a': the name is already used by another health "
               "check (line 17); expected unique health check names in the file",
               "t.yaml:28:34: error: health check 'a': 'domain' 'x..y' is not a valid DNS name: it "
               "has an empty label; expected labels of 1 to 63 characters separated by dots, 253 "
               "characters in all"}));
}

}  // namespace
}  // namespace vpcstack::model
