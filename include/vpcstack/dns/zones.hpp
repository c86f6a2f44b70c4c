// Route 53 hosted zones and how the VPC resolver answers from them, on our own types: the one
// definition of the answer logic, for the engine (simulation and live labs) and the verifier.
//
// AWS: hosted-zone-private-considerations — "Public and private hosted zones that have
// overlapping namespaces": if a private hosted zone associated with the VPC matches the name
// (the same name or a parent), the most specific such zone answers, also when it has no record
// for the name: the query is not passed on to the public zones. Only when no private zone
// matches is the name resolved publicly (here: the most specific public zone of the view, and
// outside every zone NotInView, for the caller to forward to the internet's name servers).
//
// AWS: routing-policy (Choosing a routing policy), health-checks-how-route-53-chooses-records —
// - a record set without a health check is always healthy; an alias with evaluate target health
//   is as healthy as its target;
// - when no record set of a group is healthy, Route 53 answers as if all were healthy;
// - weighted: weight / sum of weights among the healthy non-zero ones; weight-0 record sets only
//   when every non-zero one is unhealthy; all weights 0: equal chances;
// - failover: the primary while healthy, else the secondary; both unhealthy: the primary;
// - multivalue: up to eight healthy record sets chosen at random; none healthy: up to eight of
//   all of them;
// - latency: the record set of the client's region, else of the nearest region (see
//   region_distance_km(): a fixed table, as this lab has no latency measurements);
// - geolocation: the smallest region that contains the client wins (subdivision, country,
//   continent, then the default "*"); an unhealthy one gives way to the next larger; no match
//   answers NODATA ("no answer").
// DNS itself (RFC 1034, 2308, 6604): NXDOMAIN when the name does not exist in the zone, NODATA
// (NOERROR, no records) when it does with other types or is an empty non-terminal, both with the
// zone's SOA in the authority section, its TTL the lesser of the SOA's TTL and its minimum; a
// CNAME at a name answers every type and is followed inside the view (at most 8 links; a loop
// or a longer chain is SERVFAIL, as a recursive resolver answers); an alias answers with the
// queried name, the alias's type and the target's values and TTL; a name that does not exist is
// answered from the wildcard ("*.example.com") of its closest encloser (RFC 4592).
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vpcstack/dns/message.hpp"
#include "vpcstack/net/ipv4.hpp"

namespace vpcstack::dns {

// A small deterministic generator (splitmix64): a seed gives the same answers every run.
class Random {
  public:
    explicit Random(std::uint64_t seed = 0) noexcept : state_(seed) {}
    std::uint64_t next() noexcept;
    // Uniform in [0, n); 0 when n is 0.
    std::uint64_t below(std::uint64_t n) noexcept { return n == 0 ? 0 : next() % n; }

  private:
    std::uint64_t state_;
};

enum class PolicyKind : std::uint8_t {
    Simple,
    Weighted,
    Failover,
    MultiValue,
    Latency,
    Geolocation
};
std::string_view to_string(PolicyKind kind);

enum class FailoverRole : std::uint8_t { Primary, Secondary };

// A geolocation record's location: a continent code ("EU"), or a country code ("DE") with an
// optional subdivision ("US" + "WA"), or the default: country "*".
struct GeoLocation {
    std::string continent;
    std::string country;
    std::string subdivision;
    bool is_default() const { return country == "*"; }
};

struct RoutingPolicy {
    PolicyKind kind = PolicyKind::Simple;
    std::uint32_t weight = 0;                       // Weighted
    FailoverRole failover = FailoverRole::Primary;  // Failover
    std::string region;                             // Latency: "eu-west-1"
    GeoLocation location;                           // Geolocation

    static RoutingPolicy simple() { return {}; }
    static RoutingPolicy weighted(std::uint32_t w) {
        RoutingPolicy p;
        p.kind = PolicyKind::Weighted;
        p.weight = w;
        return p;
    }
    static RoutingPolicy failover_as(FailoverRole role) {
        RoutingPolicy p;
        p.kind = PolicyKind::Failover;
        p.failover = role;
        return p;
    }
    static RoutingPolicy multivalue() {
        RoutingPolicy p;
        p.kind = PolicyKind::MultiValue;
        return p;
    }
    static RoutingPolicy latency(std::string region_name) {
        RoutingPolicy p;
        p.kind = PolicyKind::Latency;
        p.region = std::move(region_name);
        return p;
    }
    static RoutingPolicy geolocation(GeoLocation where) {
        RoutingPolicy p;
        p.kind = PolicyKind::Geolocation;
        p.location = std::move(where);
        return p;
    }
};

// An alias record's target: a load balancer's name, a distribution, another record.
struct AliasTarget {
    std::string name;
    bool evaluate_target_health = false;
};

// A Route 53 record (set): one name, one type, one routing policy.
struct RecordSet {
    std::string name;  // absolute, lower-case, no trailing dot
    RrType type = RrType::A;
    std::uint32_t ttl = 300;
    std::vector<std::string> values;  // presentation form; empty for an alias
    std::string set_identifier;       // required by every policy but Simple
    RoutingPolicy policy;
    std::optional<std::string> health_check;  // a health check id
    std::optional<AliasTarget> alias;
};

struct Zone {
    std::string name;  // the apex
    bool is_private = false;
    std::string id;  // the hosted zone id, for traces
    std::vector<RecordSet> record_sets;
};

// The zones one client sees, in the order given: its VPC's private zones, then the public ones.
// The zones must outlive the view.
struct ZoneView {
    std::vector<const Zone*> zones;
};

// Which zone answers for `name` (the rule at the top); nullptr outside every zone.
const Zone* find_zone(const ZoneView& view, std::string_view name);

struct ClientInfo {
    std::string region;       // where the query comes from, for latency records
    std::string continent;    // "EU"; empty when the address maps to no location
    std::string country;      // "DE"
    std::string subdivision;  // "WA" (with country "US")
    net::Ipv4Address source;
};

// The current status of a health check, by id.
using HealthFn = std::function<bool(std::string_view health_check_id)>;

// What an alias target resolves to, for the alias record's type.
struct AliasResolution {
    std::vector<std::string> values;
    std::uint32_t ttl = 60;
    bool healthy = true;
};
// nullopt: the target has no records of that type (the alias answers NODATA).
using AliasFn = std::function<std::optional<AliasResolution>(const AliasTarget&, RrType)>;

// Great-circle distance between two regions' locations, from a fixed table of the regions'
// cities (us-east-1 Northern Virginia, eu-west-1 Dublin, ...); nullopt for a region not in it.
std::optional<double> region_distance_km(std::string_view from, std::string_view to);

// Route 53's continent codes (AF, AN, AS, EU, NA, OC, SA).
bool is_continent_code(std::string_view code);
// The continent of an ISO 3166-1 country code ("DE" -> "EU"); nullopt for a code not in the
// table.
std::optional<std::string> continent_of_country(std::string_view country);
// A client in a region's city (us-east-1: Northern Virginia, NA / US / VA): the location
// Route 53 gives queries from a VPC of that region; nullopt for a region not in the table.
// AWS: routing-policy-geo-phz — "Route 53 responds to DNS queries based on the AWS Region of the
// VPC that the query originated from"; routing-policy-latency-phz likewise for latency.
std::optional<ClientInfo> client_in_region(std::string_view region);

enum class Outcome : std::uint8_t {
    Answered,           // records in the answer section
    NoData,             // the name exists, not with this type (or no geolocation record matched)
    NxDomain,           // the name does not exist in the zone
    NotInView,          // in no zone of the view: the caller forwards or refuses
    CnameLeftView,      // a CNAME led out of the view: the chain so far, the caller may go on
    CnameLoop,          // SERVFAIL
    CnameChainTooLong,  // SERVFAIL
};
std::string_view to_string(Outcome outcome);

// Why the chosen record set(s) were chosen.
enum class ChoiceReason : std::uint8_t {
    Only,              // Simple: the one record set
    ByWeight,          // a weighted draw among the healthy non-zero weights
    ZeroWeight,        // every non-zero weight unhealthy: a draw among the weight-0 ones
    EqualWeights,      // all weights zero: equal chances
    PrimaryHealthy,    //
    PrimaryUnhealthy,  // the secondary, because the primary is unhealthy (or absent)
    Healthy,           // MultiValue: the healthy ones, at most eight
    ClientRegion,      // Latency: the client's own region
    NearestRegion,     // Latency: the nearest region by the distance table
    Subdivision,       // Geolocation levels, smallest first
    Country,
    Continent,
    DefaultLocation,
};
std::string_view to_string(ChoiceReason reason);

enum class SkipReason : std::uint8_t {
    Unhealthy,        // its health check is unhealthy
    TargetUnhealthy,  // alias with evaluate target health, the target unhealthy
    ZeroWeight,       // not drawn: healthy non-zero weights exist
    BeyondEight,      // MultiValue: healthy, but not among the eight drawn
    FartherRegion,    // Latency: a nearer healthy region was chosen
    LargerLocation,   // Geolocation: a smaller matching location was chosen
};
std::string_view to_string(SkipReason reason);

struct SkippedRecordSet {
    std::string set_identifier;
    SkipReason reason = SkipReason::Unhealthy;
    std::optional<std::string> health_check;
};

// One name looked up in one zone (a CNAME chain has one step per link).
struct Step {
    std::string name;
    RrType type = RrType::A;
    std::string zone;  // the apex
    std::string zone_id;
    bool zone_private = false;
    Outcome outcome = Outcome::Answered;  // Answered here also for a CNAME link followed
    bool cname = false;                   // the step answered with a CNAME to follow
    PolicyKind policy = PolicyKind::Simple;
    std::vector<std::string> chosen;  // set identifiers ("" for a simple record set)
    std::optional<ChoiceReason> reason;
    bool all_unhealthy = false;  // no record set healthy: chosen as if all were
    std::vector<SkippedRecordSet> skipped;
    std::optional<std::string> alias_target;  // the chosen record set is an alias to this
    std::optional<std::string> wildcard;      // answered from this wildcard ("*.example.com")
};

struct Explanation {
    Outcome outcome = Outcome::Answered;
    std::vector<Step> steps;
    std::string left_view_name;  // CnameLeftView: where the chain went
};

struct Resolution {
    Answer answer;
    Explanation explanation;
    bool in_view() const { return explanation.outcome != Outcome::NotInView; }
};

inline constexpr std::size_t kMaxCnameChain = 8;
inline constexpr std::size_t kMaxMultiValueAnswers = 8;

// The answer the VPC resolver gives `client` for `question` from the zones of `view`.
// `health` and `alias` may be empty: then every check is healthy and no alias resolves.
Resolution resolve(const ZoneView& view, const Question& question, const ClientInfo& client,
                   const HealthFn& health, const AliasFn& alias, Random& random);

}  // namespace vpcstack::dns
