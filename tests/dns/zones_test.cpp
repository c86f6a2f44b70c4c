#include "vpcstack/dns/zones.hpp"

#include <gtest/gtest.h>

#include <map>
#include <set>

namespace vpcstack::dns {
namespace {

RecordSet rs(std::string name, RrType type, std::vector<std::string> values,
             RoutingPolicy policy = RoutingPolicy::simple(), std::string id = "",
             std::optional<std::string> check = std::nullopt) {
    RecordSet r;
    r.name = std::move(name);
    r.type = type;
    r.ttl = 60;
    r.values = std::move(values);
    r.policy = std::move(policy);
    r.set_identifier = std::move(id);
    r.health_check = std::move(check);
    return r;
}

struct Fixture : ::testing::Test {
    std::set<std::string> unhealthy;
    HealthFn health = [this](std::string_view id) { return !unhealthy.count(std::string(id)); };
    AliasFn no_alias;
    Random random{42};
    ClientInfo client;

    Resolution ask(const Zone& zone, std::string name, RrType type = RrType::A) {
        ZoneView view{{&zone}};
        return resolve(view, {std::move(name), type}, client, health, no_alias, random);
    }
    Resolution ask(const ZoneView& view, std::string name, RrType type = RrType::A) {
        return resolve(view, {std::move(name), type}, client, health, no_alias, random);
    }
    static std::vector<std::string> values(const Resolution& r) {
        std::vector<std::string> out;
        for (const auto& rec : r.answer.answers) out.push_back(rec.data);
        return out;
    }
    static std::string one(const Resolution& r) {
        EXPECT_EQ(r.answer.answers.size(), 1u);
        return r.answer.answers.empty() ? "" : r.answer.answers.front().data;
    }
};

using Zones = Fixture;

TEST_F(Zones, WeightedAnswersFollowTheWeightsOver10000Queries) {
    Zone z{"example.com", false, "Z1", {}};
    z.record_sets = {rs("w.example.com", RrType::A, {"10.0.0.1"}, RoutingPolicy::weighted(1), "a"),
                     rs("w.example.com", RrType::A, {"10.0.0.2"}, RoutingPolicy::weighted(3), "b")};
    std::map<std::string, int> seen;
    for (int i = 0; i < 10000; ++i) ++seen[one(ask(z, "w.example.com"))];
    // Expected 2500 / 7500; a binomial standard deviation is about 43.
    EXPECT_NEAR(seen["10.0.0.1"], 2500, 200);
    EXPECT_NEAR(seen["10.0.0.2"], 7500, 200);
}

TEST_F(Zones, AWeightZeroRecordAnswersOnlyWhenEveryOtherIsUnhealthy) {
    Zone z{"example.com", false, "Z1", {}};
    z.record_sets = {
        rs("w.example.com", RrType::A, {"10.0.0.1"}, RoutingPolicy::weighted(1), "one", "hc1"),
        rs("w.example.com", RrType::A, {"10.0.0.2"}, RoutingPolicy::weighted(1), "two", "hc2"),
        rs("w.example.com", RrType::A, {"10.0.0.9"}, RoutingPolicy::weighted(0), "zero", "hc0")};
    for (int i = 0; i < 200; ++i) EXPECT_NE(one(ask(z, "w.example.com")), "10.0.0.9");

    unhealthy = {"hc1"};
    for (int i = 0; i < 50; ++i) EXPECT_EQ(one(ask(z, "w.example.com")), "10.0.0.2");

    unhealthy = {"hc1", "hc2"};
    Resolution r = ask(z, "w.example.com");
    EXPECT_EQ(one(r), "10.0.0.9");
    ASSERT_EQ(r.explanation.steps.size(), 1u);
    EXPECT_EQ(r.explanation.steps[0].reason, ChoiceReason::ZeroWeight);
    EXPECT_EQ(r.explanation.steps[0].skipped.size(), 2u) << "both unhealthy ones are named";

    // All unhealthy: Route 53 answers as if all were healthy, so the non-zero weights again.
    unhealthy = {"hc1", "hc2", "hc0"};
    for (int i = 0; i < 50; ++i) {
        r = ask(z, "w.example.com");
        EXPECT_NE(one(r), "10.0.0.9");
        EXPECT_TRUE(r.explanation.steps[0].all_unhealthy);
    }
}

TEST_F(Zones, AllZeroWeightsShareEqually) {
    Zone z{"example.com", false, "Z1", {}};
    z.record_sets = {rs("w.example.com", RrType::A, {"10.0.0.1"}, RoutingPolicy::weighted(0), "a"),
                     rs("w.example.com", RrType::A, {"10.0.0.2"}, RoutingPolicy::weighted(0), "b")};
    std::map<std::string, int> seen;
    for (int i = 0; i < 2000; ++i) ++seen[one(ask(z, "w.example.com"))];
    EXPECT_NEAR(seen["10.0.0.1"], 1000, 150);
    EXPECT_EQ(ask(z, "w.example.com").explanation.steps[0].reason, ChoiceReason::EqualWeights);
}

TEST_F(Zones, FailoverAnswersThePrimaryWhileHealthyAndThePrimaryWhenBothAreDown) {
    Zone z{"example.com", false, "Z1", {}};
    z.record_sets = {rs("f.example.com", RrType::A, {"10.0.0.1"},
                        RoutingPolicy::failover_as(FailoverRole::Primary), "p", "hcp"),
                     rs("f.example.com", RrType::A, {"10.0.0.2"},
                        RoutingPolicy::failover_as(FailoverRole::Secondary), "s", "hcs")};
    EXPECT_EQ(one(ask(z, "f.example.com")), "10.0.0.1");
    unhealthy = {"hcp"};
    Resolution r = ask(z, "f.example.com");
    EXPECT_EQ(one(r), "10.0.0.2");
    EXPECT_EQ(r.explanation.steps[0].reason, ChoiceReason::PrimaryUnhealthy);
    ASSERT_EQ(r.explanation.steps[0].skipped.size(), 1u);
    EXPECT_EQ(r.explanation.steps[0].skipped[0].set_identifier, "p");
    unhealthy = {"hcp", "hcs"};
    r = ask(z, "f.example.com");
    EXPECT_EQ(one(r), "10.0.0.1");
    EXPECT_TRUE(r.explanation.steps[0].all_unhealthy);
}

TEST_F(Zones, MultivalueAnswersAtMostEightHealthyRecords) {
    Zone z{"example.com", false, "Z1", {}};
    for (int i = 1; i <= 12; ++i)
        z.record_sets.push_back(rs("m.example.com", RrType::A, {"10.0.0." + std::to_string(i)},
                                   RoutingPolicy::multivalue(), "m" + std::to_string(i),
                                   "hc" + std::to_string(i)));
    std::set<std::string> ever;
    for (int q = 0; q < 50; ++q) {
        auto got = values(ask(z, "m.example.com"));
        EXPECT_EQ(got.size(), 8u);
        EXPECT_EQ(std::set<std::string>(got.begin(), got.end()).size(), 8u) << "no duplicates";
        ever.insert(got.begin(), got.end());
    }
    EXPECT_EQ(ever.size(), 12u) << "different queries get different combinations";

    for (int i = 1; i <= 9; ++i) unhealthy.insert("hc" + std::to_string(i));
    auto got = values(ask(z, "m.example.com"));
    EXPECT_EQ(std::set<std::string>(got.begin(), got.end()),
              (std::set<std::string>{"10.0.0.10", "10.0.0.11", "10.0.0.12"}));

    for (int i = 1; i <= 12; ++i) unhealthy.insert("hc" + std::to_string(i));
    Resolution r = ask(z, "m.example.com");
    EXPECT_EQ(r.answer.answers.size(), 8u) << "all unhealthy: up to eight anyway";
    EXPECT_TRUE(r.explanation.steps[0].all_unhealthy);
}

TEST_F(Zones, LatencyAnswersTheClientsRegionElseTheNearest) {
    Zone z{"example.com", false, "Z1", {}};
    z.record_sets = {rs("l.example.com", RrType::A, {"10.1.0.1"},
                        RoutingPolicy::latency("us-east-1"), "use1", "hc-use1"),
                     rs("l.example.com", RrType::A, {"10.2.0.1"},
                        RoutingPolicy::latency("eu-west-1"), "euw1", "hc-euw1"),
                     rs("l.example.com", RrType::A, {"10.3.0.1"},
                        RoutingPolicy::latency("ap-southeast-1"), "apse1")};
    client.region = "eu-west-1";
    Resolution r = ask(z, "l.example.com");
    EXPECT_EQ(one(r), "10.2.0.1");
    EXPECT_EQ(r.explanation.steps[0].reason, ChoiceReason::ClientRegion);

    client.region = "eu-central-1";  // Frankfurt: Dublin is nearer than Virginia
    r = ask(z, "l.example.com");
    EXPECT_EQ(one(r), "10.2.0.1");
    EXPECT_EQ(r.explanation.steps[0].reason, ChoiceReason::NearestRegion);

    client.region = "ap-northeast-1";  // Tokyo: Singapore
    EXPECT_EQ(one(ask(z, "l.example.com")), "10.3.0.1");

    client.region = "eu-west-1";
    unhealthy = {"hc-euw1"};  // the next nearest healthy: Virginia
    EXPECT_EQ(one(ask(z, "l.example.com")), "10.1.0.1");
    EXPECT_LT(*region_distance_km("eu-west-1", "us-east-1"),
              *region_distance_km("eu-west-1", "ap-southeast-1"));
    EXPECT_FALSE(region_distance_km("eu-west-1", "mars-1").has_value());
}

// AWS: Route 53 API GeoLocation — countries by continent; routing-policy-geo-phz — a VPC's
// queries come from its region's city.
TEST(Places, CountriesHaveTheirContinentAndRegionsTheirCity) {
    EXPECT_EQ(continent_of_country("DE"), std::optional<std::string>("EU"));
    EXPECT_EQ(continent_of_country("US"), std::optional<std::string>("NA"));
    EXPECT_EQ(continent_of_country("BR"), std::optional<std::string>("SA"));
    EXPECT_EQ(continent_of_country("AU"), std::optional<std::string>("OC"));
    EXPECT_EQ(continent_of_country("ZZ"), std::nullopt);
    EXPECT_EQ(continent_of_country("D"), std::nullopt);
    EXPECT_TRUE(is_continent_code("AN"));
    EXPECT_FALSE(is_continent_code("XX"));
    const std::optional<ClientInfo> dublin = client_in_region("eu-west-1");
    ASSERT_TRUE(dublin);
    EXPECT_EQ(dublin->region, "eu-west-1");
    EXPECT_EQ(dublin->country, "IE");
    EXPECT_EQ(dublin->continent, "EU");
    EXPECT_EQ(client_in_region("us-west-2")->subdivision, "OR");
    EXPECT_FALSE(client_in_region("mars-1"));
}

TEST_F(Zones, GeolocationPrefersTheSmallestMatchingLocation) {
    Zone z{"example.com", false, "Z1", {}};
    z.record_sets = {rs("g.example.com", RrType::A, {"10.0.0.1"},
                        RoutingPolicy::geolocation({"", "US", "WA"}), "wa", "hc-wa"),
                     rs("g.example.com", RrType::A, {"10.0.0.2"},
                        RoutingPolicy::geolocation({"", "US", ""}), "us"),
                     rs("g.example.com", RrType::A, {"10.0.0.3"},
                        RoutingPolicy::geolocation({"NA", "", ""}), "na"),
                     rs("g.example.com", RrType::A, {"10.0.0.4"},
                        RoutingPolicy::geolocation({"EU", "", ""}), "eu")};
    client = {"us-west-2", "NA", "US", "WA", {}};
    Resolution r = ask(z, "g.example.com");
    EXPECT_EQ(one(r), "10.0.0.1");
    EXPECT_EQ(r.explanation.steps[0].reason, ChoiceReason::Subdivision);
    client.subdivision = "OR";
    EXPECT_EQ(one(ask(z, "g.example.com")), "10.0.0.2");
    client = {"ca-central-1", "NA", "CA", "", {}};
    EXPECT_EQ(one(ask(z, "g.example.com")), "10.0.0.3");

    client = {"us-west-2", "NA", "US", "WA", {}};
    unhealthy = {"hc-wa"};  // gives way to the country
    r = ask(z, "g.example.com");
    EXPECT_EQ(one(r), "10.0.0.2");
    std::map<std::string, SkipReason> skipped;
    for (const auto& s : r.explanation.steps[0].skipped) skipped[s.set_identifier] = s.reason;
    EXPECT_EQ(skipped, (std::map<std::string, SkipReason>{{"wa", SkipReason::Unhealthy},
                                                          {"na", SkipReason::LargerLocation}}));

    // No match and no default: NODATA with the SOA.
    client = {"ap-south-1", "AS", "IN", "", {}};
    r = ask(z, "g.example.com");
    EXPECT_EQ(r.answer.rcode, Rcode::NoError);
    EXPECT_TRUE(r.answer.answers.empty());
    EXPECT_EQ(r.explanation.outcome, Outcome::NoData);
    ASSERT_EQ(r.answer.authority.size(), 1u);
    EXPECT_EQ(r.answer.authority[0].type, RrType::SOA);

    z.record_sets.push_back(rs("g.example.com", RrType::A, {"10.0.0.5"},
                               RoutingPolicy::geolocation({"", "*", ""}), "default"));
    r = ask(z, "g.example.com");
    EXPECT_EQ(one(r), "10.0.0.5");
    EXPECT_EQ(r.explanation.steps[0].reason, ChoiceReason::DefaultLocation);
}

TEST_F(Zones, APrivateZoneHidesThePublicOneAndDoesNotFallThrough) {
    Zone pub{"example.com", false, "ZPUB", {}};
    pub.record_sets = {rs("www.example.com", RrType::A, {"203.0.113.10"}),
                       rs("blog.example.com", RrType::A, {"203.0.113.11"}),
                       rs("api.example.com", RrType::A, {"203.0.113.12"})};
    Zone priv{"example.com", true, "ZPRIV", {}};
    priv.record_sets = {rs("www.example.com", RrType::A, {"10.0.0.10"})};
    Zone api{"api.example.com", false, "ZAPI", {}};
    api.record_sets = {rs("api.example.com", RrType::A, {"198.51.100.1"})};
    ZoneView inside{{&priv, &pub, &api}};
    ZoneView outside{{&pub, &api}};

    Resolution r = ask(inside, "www.example.com");
    EXPECT_EQ(one(r), "10.0.0.10");
    EXPECT_TRUE(r.explanation.steps[0].zone_private);
    EXPECT_EQ(one(ask(outside, "www.example.com")), "203.0.113.10");

    r = ask(inside, "blog.example.com");
    EXPECT_EQ(r.answer.rcode, Rcode::NxDomain) << "the private zone answers, not the public one";
    EXPECT_EQ(r.explanation.steps[0].zone_id, "ZPRIV");
    // Even a more specific public zone does not win over a matching private zone.
    EXPECT_EQ(ask(inside, "api.example.com").answer.rcode, Rcode::NxDomain);
    EXPECT_EQ(one(ask(outside, "api.example.com")), "198.51.100.1");

    r = ask(inside, "www.example.org");
    EXPECT_FALSE(r.in_view());
    EXPECT_EQ(r.explanation.outcome, Outcome::NotInView);
}

TEST_F(Zones, NxdomainAndNodataCarryTheSoaWithTheNegativeTtl) {
    Zone z{"example.com", true, "Z1", {}};
    RecordSet soa = rs("example.com", RrType::SOA,
                       {"ns-1.awsdns-01.org awsdns-hostmaster.amazon.com 1 7200 900 1209600 300"});
    soa.ttl = 900;
    z.record_sets = {soa, rs("www.example.com", RrType::A, {"10.0.0.1"}),
                     rs("a.b.example.com", RrType::A, {"10.0.0.2"})};

    Resolution r = ask(z, "nope.example.com");
    EXPECT_EQ(r.answer.rcode, Rcode::NxDomain);
    EXPECT_EQ(r.explanation.outcome, Outcome::NxDomain);
    ASSERT_EQ(r.answer.authority.size(), 1u);
    EXPECT_EQ(r.answer.authority[0].name, "example.com");
    EXPECT_EQ(r.answer.authority[0].ttl, 300u) << "the lesser of the SOA's TTL and its minimum";

    r = ask(z, "www.example.com", RrType::AAAA);
    EXPECT_EQ(r.answer.rcode, Rcode::NoError);
    EXPECT_EQ(r.explanation.outcome, Outcome::NoData) << "the name exists with type A";
    EXPECT_EQ(r.answer.authority.size(), 1u);

    r = ask(z, "b.example.com");
    EXPECT_EQ(r.explanation.outcome, Outcome::NoData) << "an empty non-terminal exists";

    r = ask(z, "example.com", RrType::SOA);
    EXPECT_EQ(one(r), soa.values[0]);
}

TEST_F(Zones, AZoneWithoutAnSoaGetsRoute53sDefault) {
    Zone z{"example.com", false, "Z1", {rs("www.example.com", RrType::A, {"10.0.0.1"})}};
    Resolution r = ask(z, "nope.example.com");
    ASSERT_EQ(r.answer.authority.size(), 1u);
    EXPECT_EQ(r.answer.authority[0].ttl, 900u);
}

TEST_F(Zones, CnameChainsAreFollowedAcrossZonesOfTheView) {
    Zone a{"example.com", false, "ZA", {}};
    a.record_sets = {rs("www.example.com", RrType::CNAME, {"web.example.com"}),
                     rs("web.example.com", RrType::CNAME, {"lb.example.net"})};
    Zone b{"example.net", false, "ZB", {}};
    b.record_sets = {rs("lb.example.net", RrType::A, {"10.0.0.7"})};
    ZoneView view{{&a, &b}};
    Resolution r = ask(view, "www.example.com");
    ASSERT_EQ(r.answer.answers.size(), 3u);
    EXPECT_EQ(r.answer.answers[0].type, RrType::CNAME);
    EXPECT_EQ(r.answer.answers[1].data, "lb.example.net");
    EXPECT_EQ(r.answer.answers[2], (Record{"lb.example.net", RrType::A, 60, "10.0.0.7"}));
    EXPECT_EQ(r.explanation.steps.size(), 3u);
    EXPECT_TRUE(r.explanation.steps[0].cname);

    // A CNAME query gets the CNAME itself, not the chain.
    r = ask(view, "www.example.com", RrType::CNAME);
    EXPECT_EQ(one(r), "web.example.com");

    // The chain ends at a name that does not exist: NXDOMAIN, the CNAMEs kept.
    b.record_sets.clear();
    r = ask(view, "www.example.com");
    EXPECT_EQ(r.answer.rcode, Rcode::NxDomain);
    EXPECT_EQ(r.answer.answers.size(), 2u);

    // A chain leading out of the view stops there, for the caller to go on.
    ZoneView only_a{{&a}};
    r = ask(only_a, "www.example.com");
    EXPECT_EQ(r.explanation.outcome, Outcome::CnameLeftView);
    EXPECT_EQ(r.explanation.left_view_name, "lb.example.net");
    EXPECT_EQ(r.answer.rcode, Rcode::NoError);
}

TEST_F(Zones, CnameLoopsAndOverlongChainsAreServfail) {
    Zone z{"example.com", false, "Z1", {}};
    z.record_sets = {rs("a.example.com", RrType::CNAME, {"b.example.com"}),
                     rs("b.example.com", RrType::CNAME, {"a.example.com"})};
    Resolution r = ask(z, "a.example.com");
    EXPECT_EQ(r.answer.rcode, Rcode::ServFail);
    EXPECT_EQ(r.explanation.outcome, Outcome::CnameLoop);

    Zone chain{"example.com", false, "Z2", {}};
    for (int i = 0; i < 12; ++i)
        chain.record_sets.push_back(rs("c" + std::to_string(i) + ".example.com", RrType::CNAME,
                                       {"c" + std::to_string(i + 1) + ".example.com"}));
    chain.record_sets.push_back(rs("c12.example.com", RrType::A, {"10.0.0.1"}));
    r = ask(chain, "c0.example.com");
    EXPECT_EQ(r.explanation.outcome, Outcome::CnameChainTooLong);
    EXPECT_EQ(r.answer.rcode, Rcode::ServFail);
    r = ask(chain, "c4.example.com");  // 8 links to c12
    EXPECT_EQ(r.explanation.outcome, Outcome::Answered);
    EXPECT_EQ(r.answer.answers.size(), 9u);
}

TEST_F(Zones, AnAliasAnswersWithItsTargetsValuesAndTtlAndCanEvaluateItsHealth) {
    Zone z{"example.com", false, "Z1", {}};
    RecordSet primary = rs("app.example.com", RrType::A, {},
                           RoutingPolicy::failover_as(FailoverRole::Primary), "p");
    primary.alias = AliasTarget{"my-alb-1.elb.amazonaws.com", true};
    RecordSet secondary = rs("app.example.com", RrType::A, {"10.9.9.9"},
                             RoutingPolicy::failover_as(FailoverRole::Secondary), "s");
    z.record_sets = {primary, secondary};
    bool alb_healthy = true;
    AliasFn alias = [&](const AliasTarget& t, RrType type) -> std::optional<AliasResolution> {
        if (t.name != "my-alb-1.elb.amazonaws.com" || type != RrType::A) return std::nullopt;
        return AliasResolution{{"10.0.1.10", "10.0.2.10"}, 60, alb_healthy};
    };
    ZoneView view{{&z}};
    Resolution r = resolve(view, {"app.example.com", RrType::A}, client, health, alias, random);
    ASSERT_EQ(r.answer.answers.size(), 2u);
    EXPECT_EQ(r.answer.answers[0], (Record{"app.example.com", RrType::A, 60, "10.0.1.10"}));
    EXPECT_EQ(r.explanation.steps[0].alias_target, "my-alb-1.elb.amazonaws.com");

    alb_healthy = false;  // evaluate target health: the alias is unhealthy, the secondary answers
    r = resolve(view, {"app.example.com", RrType::A}, client, health, alias, random);
    EXPECT_EQ(one(r), "10.9.9.9");
    EXPECT_EQ(r.explanation.steps[0].skipped.at(0).reason, SkipReason::TargetUnhealthy);

    z.record_sets[0].alias->evaluate_target_health = false;  // not evaluated: stays primary
    r = resolve(view, {"app.example.com", RrType::A}, client, health, alias, random);
    EXPECT_EQ(r.answer.answers.size(), 2u);

    // The target has no AAAA: NODATA.
    z.record_sets[0].type = RrType::AAAA;
    z.record_sets.pop_back();
    r = resolve(view, {"app.example.com", RrType::AAAA}, client, health, alias, random);
    EXPECT_EQ(r.explanation.outcome, Outcome::NoData);
}

TEST_F(Zones, AWildcardAnswersNamesThatDoNotExist) {
    Zone z{"example.com", false, "Z1", {}};
    z.record_sets = {rs("*.example.com", RrType::A, {"10.0.0.99"}),
                     rs("www.example.com", RrType::TXT, {"\"hello\""}),
                     rs("x.y.example.com", RrType::A, {"10.0.0.1"})};
    Resolution r = ask(z, "anything.example.com");
    EXPECT_EQ(r.answer.answers.at(0), (Record{"anything.example.com", RrType::A, 60, "10.0.0.99"}));
    EXPECT_EQ(r.explanation.steps[0].wildcard, "*.example.com");
    EXPECT_EQ(one(ask(z, "a.b.c.example.com")), "10.0.0.99") << "any depth below the encloser";
    EXPECT_EQ(ask(z, "anything.example.com", RrType::AAAA).explanation.outcome, Outcome::NoData);
    // A name that exists is not covered by the wildcard, nor is an empty non-terminal.
    EXPECT_EQ(ask(z, "www.example.com").explanation.outcome, Outcome::NoData);
    EXPECT_EQ(ask(z, "y.example.com").explanation.outcome, Outcome::NoData);
    // Below an existing name the wildcard of the closer encloser is wanted, and there is none.
    EXPECT_EQ(ask(z, "q.y.example.com").answer.rcode, Rcode::NxDomain);
}

TEST_F(Zones, NamesAreMatchedWithoutCaseOrTrailingDot) {
    Zone z{"example.com", false, "Z1", {rs("www.example.com", RrType::A, {"10.0.0.1"})}};
    EXPECT_EQ(one(ask(z, "WWW.Example.com.")), "10.0.0.1");
    EXPECT_EQ(find_zone(ZoneView{{&z}}, "notexample.com"), nullptr) << "labels, not suffixes";
}

TEST_F(Zones, TheSameSeedGivesTheSameAnswers) {
    Zone z{"example.com", false, "Z1", {}};
    for (int i = 1; i <= 5; ++i)
        z.record_sets.push_back(rs("w.example.com", RrType::A, {"10.0.0." + std::to_string(i)},
                                   RoutingPolicy::weighted(1), std::to_string(i)));
    auto run = [&](std::uint64_t seed) {
        random = Random(seed);
        std::vector<std::string> out;
        for (int i = 0; i < 20; ++i) out.push_back(one(ask(z, "w.example.com")));
        return out;
    };
    EXPECT_EQ(run(7), run(7));
    EXPECT_NE(run(7), run(8));
}

TEST_F(Zones, AResolvedAnswerEncodesOnTheWire) {
    Zone z{"example.com", true, "Z1", {}};
    z.record_sets = {rs("www.example.com", RrType::CNAME, {"web.example.com"}),
                     rs("web.example.com", RrType::A, {"10.0.0.1", "10.0.0.2"})};
    auto wire = build_query("www.example.com", RrType::A, 3, true);
    ParseFailure f;
    auto q = parse_query(wire, &f);
    ASSERT_TRUE(q.has_value());
    Resolution r = ask(z, q->question.name, q->question.type);
    auto response = parse_response(build_response(*q, r.answer, false));
    ASSERT_TRUE(response.has_value());
    EXPECT_EQ(response->answers, r.answer.answers);
    EXPECT_TRUE(response->authoritative);
}

}  // namespace
}  // namespace vpcstack::dns
