#include "vpcstack/dns/zones.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <numeric>
#include <set>
#include <sstream>

namespace vpcstack::dns {

std::uint64_t Random::next() noexcept {
    std::uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
}

std::string_view to_string(PolicyKind kind) {
    switch (kind) {
        case PolicyKind::Simple:
            return "simple";
        case PolicyKind::Weighted:
            return "weighted";
        case PolicyKind::Failover:
            return "failover";
        case PolicyKind::MultiValue:
            return "multivalue";
        case PolicyKind::Latency:
            return "latency";
        case PolicyKind::Geolocation:
            return "geolocation";
    }
    return "?";
}

std::string_view to_string(Outcome outcome) {
    switch (outcome) {
        case Outcome::Answered:
            return "answered";
        case Outcome::NoData:
            return "nodata";
        case Outcome::NxDomain:
            return "nxdomain";
        case Outcome::NotInView:
            return "not-in-view";
        case Outcome::CnameLeftView:
            return "cname-left-view";
        case Outcome::CnameLoop:
            return "cname-loop";
        case Outcome::CnameChainTooLong:
            return "cname-chain-too-long";
    }
    return "?";
}

std::string_view to_string(ChoiceReason reason) {
    switch (reason) {
        case ChoiceReason::Only:
            return "only record set";
        case ChoiceReason::ByWeight:
            return "by weight";
        case ChoiceReason::ZeroWeight:
            return "weight 0, every other unhealthy";
        case ChoiceReason::EqualWeights:
            return "all weights 0";
        case ChoiceReason::PrimaryHealthy:
            return "primary healthy";
        case ChoiceReason::PrimaryUnhealthy:
            return "primary unhealthy";
        case ChoiceReason::Healthy:
            return "healthy";
        case ChoiceReason::ClientRegion:
            return "client's region";
        case ChoiceReason::NearestRegion:
            return "nearest region";
        case ChoiceReason::Subdivision:
            return "subdivision";
        case ChoiceReason::Country:
            return "country";
        case ChoiceReason::Continent:
            return "continent";
        case ChoiceReason::DefaultLocation:
            return "default location";
    }
    return "?";
}

std::string_view to_string(SkipReason reason) {
    switch (reason) {
        case SkipReason::Unhealthy:
            return "unhealthy";
        case SkipReason::TargetUnhealthy:
            return "alias target unhealthy";
        case SkipReason::ZeroWeight:
            return "weight 0";
        case SkipReason::BeyondEight:
            return "beyond eight";
        case SkipReason::FartherRegion:
            return "farther region";
        case SkipReason::LargerLocation:
            return "larger location";
    }
    return "?";
}

namespace {

bool in_zone(std::string_view name, std::string_view apex) {
    if (apex.empty() || name == apex) return true;
    return name.size() > apex.size() && name.ends_with(apex) &&
           name[name.size() - apex.size() - 1] == '.';
}

// --- Regions for latency records --------------------------------------------------------------

struct RegionPlace {
    std::string_view name;
    double lat, lon;                                   // the region's city, degrees
    std::string_view continent, country, subdivision;  // where that city is
};
// The cities AWS names for its regions; distances between them stand in for measured latency.
constexpr std::array<RegionPlace, 21> kRegions{{
    {"us-east-1", 38.9, -77.4, "NA", "US", "VA"},
    {"us-east-2", 40.0, -83.0, "NA", "US", "OH"},
    {"us-west-1", 37.4, -121.9, "NA", "US", "CA"},
    {"us-west-2", 45.8, -119.7, "NA", "US", "OR"},
    {"ca-central-1", 45.5, -73.6, "NA", "CA", ""},
    {"sa-east-1", -23.5, -46.6, "SA", "BR", ""},
    {"eu-west-1", 53.3, -6.3, "EU", "IE", ""},
    {"eu-west-2", 51.5, -0.1, "EU", "GB", ""},
    {"eu-west-3", 48.9, 2.35, "EU", "FR", ""},
    {"eu-central-1", 50.1, 8.7, "EU", "DE", ""},
    {"eu-north-1", 59.3, 18.1, "EU", "SE", ""},
    {"eu-south-1", 45.5, 9.2, "EU", "IT", ""},
    {"ap-northeast-1", 35.7, 139.7, "AS", "JP", ""},
    {"ap-northeast-2", 37.6, 127.0, "AS", "KR", ""},
    {"ap-northeast-3", 34.7, 135.5, "AS", "JP", ""},
    {"ap-southeast-1", 1.35, 103.8, "AS", "SG", ""},
    {"ap-southeast-2", -33.9, 151.2, "OC", "AU", ""},
    {"ap-south-1", 19.1, 72.9, "AS", "IN", ""},
    {"ap-east-1", 22.3, 114.2, "AS", "HK", ""},
    {"me-south-1", 26.1, 50.6, "AS", "BH", ""},
    {"af-south-1", -33.9, 18.4, "AF", "ZA", ""},
}};

// ISO 3166-1 alpha-2 codes by Route 53's continents (AWS: Route 53 API GeoLocation; the
// continents as the GeoLocation list gives them: Europe holds Russia and Turkey, North America
// the Caribbean and Central America).
struct ContinentCountries {
    std::string_view continent;
    std::string_view countries;  // two letters each, space separated
};
constexpr std::array<ContinentCountries, 7> kCountries{{
    {"AF",
     "DZ AO BJ BW BF BI CV CM CF TD KM CG CD CI DJ EG GQ ER SZ ET GA GM GH GN GW KE LS LR LY MG "
     "MW ML MR MU YT MA MZ NA NE NG RE RW SH ST SN SC SL SO ZA SS SD TZ TG TN UG EH ZM ZW"},
    {"AN", "AQ BV GS HM TF"},
    {"AS",
     "AF AM AZ BH BD BT BN KH CN CX CC GE HK IN ID IR IQ IL JP JO KZ KW KG LA LB MO MY MV MN MM "
     "NP KP OM PK PS PH QA SA SG KR LK SY TW TJ TH TL TM AE UZ VN YE IO"},
    {"EU",
     "AX AL AD AT BY BE BA BG HR CY CZ DK EE FO FI FR DE GI GR GG HU IS IE IM IT JE XK LV LI LT "
     "LU MT MD MC ME NL MK NO PL PT RO RU SM RS SK SI ES SJ SE CH TR UA GB VA"},
    {"NA",
     "AI AG AW BS BB BZ BM BQ VG CA KY CR CU CW DM DO SV GL GD GP GT HT HN JM MQ MX MS NI PA PR "
     "BL KN LC MF PM VC SX TT TC US VI UM"},
    {"OC", "AS AU CK FJ PF GU KI MH FM NR NC NZ NU NF MP PW PG PN WS SB TK TO TV VU WF"},
    {"SA", "AR BO BR CL CO EC FK GF GY PY PE SR UY VE"},
}};

const RegionPlace* find_region(std::string_view name) {
    for (const auto& r : kRegions)
        if (r.name == name) return &r;
    return nullptr;
}

// --- Health ----------------------------------------------------------------------------------

struct Candidate {
    const RecordSet* set = nullptr;
    std::optional<AliasResolution> target;  // an alias's resolution
    std::optional<SkipReason> unhealthy;    // why it is unhealthy; unset: healthy
};

struct Context {
    const HealthFn& health;
    const AliasFn& alias;
    Random& random;
    const ClientInfo& client;
};

Candidate evaluate(const RecordSet& rs, const Context& ctx) {
    Candidate c;
    c.set = &rs;
    if (rs.alias && ctx.alias) c.target = ctx.alias(*rs.alias, rs.type);
    if (rs.health_check && ctx.health && !ctx.health(*rs.health_check))
        c.unhealthy = SkipReason::Unhealthy;
    else if (rs.alias && rs.alias->evaluate_target_health && (!c.target || !c.target->healthy))
        c.unhealthy = SkipReason::TargetUnhealthy;
    return c;
}

SkippedRecordSet skipped(const Candidate& c, SkipReason reason) {
    return {c.set->set_identifier, reason, c.set->health_check};
}

// --- Routing policies ------------------------------------------------------------------------

struct Choice {
    std::vector<const Candidate*> chosen;
    std::optional<ChoiceReason> reason;
    bool all_unhealthy = false;
    std::vector<SkippedRecordSet> skipped;
};

void note_unhealthy(const std::vector<Candidate>& group, Choice& choice) {
    if (choice.all_unhealthy) return;  // chosen as if healthy: nothing was skipped for health
    for (const auto& c : group)
        if (c.unhealthy) choice.skipped.push_back(skipped(c, *c.unhealthy));
}

bool any_healthy(const std::vector<Candidate>& group) {
    return std::any_of(group.begin(), group.end(), [](const Candidate& c) { return !c.unhealthy; });
}

const Candidate* draw_by_weight(const std::vector<const Candidate*>& pool, Random& random) {
    std::uint64_t total = 0;
    for (const auto* c : pool) total += c->set->policy.weight;
    if (total == 0) return pool[random.below(pool.size())];
    std::uint64_t r = random.below(total);
    for (const auto* c : pool) {
        if (r < c->set->policy.weight) return c;
        r -= c->set->policy.weight;
    }
    return pool.back();
}

// AWS: health-checks-how-route-53-chooses-records — "Weighted records that have a weight of 0".
Choice choose_weighted(const std::vector<Candidate>& group, Random& random) {
    Choice choice;
    choice.all_unhealthy = !any_healthy(group);
    const bool all_zero = std::all_of(group.begin(), group.end(),
                                      [](const Candidate& c) { return c.set->policy.weight == 0; });
    std::vector<const Candidate*> nonzero, zero;
    for (const auto& c : group) {
        if (c.unhealthy && !choice.all_unhealthy) continue;
        (c.set->policy.weight > 0 ? nonzero : zero).push_back(&c);
    }
    if (!nonzero.empty()) {
        choice.chosen.push_back(draw_by_weight(nonzero, random));
        choice.reason = ChoiceReason::ByWeight;
        for (const auto* c : zero) choice.skipped.push_back(skipped(*c, SkipReason::ZeroWeight));
    } else if (!zero.empty()) {
        choice.chosen.push_back(zero[random.below(zero.size())]);
        choice.reason = all_zero ? ChoiceReason::EqualWeights : ChoiceReason::ZeroWeight;
    }
    note_unhealthy(group, choice);
    return choice;
}

// AWS: routing-policy-failover, dns-failover-types (active-passive).
Choice choose_failover(const std::vector<Candidate>& group) {
    Choice choice;
    const Candidate* primary = nullptr;
    const Candidate* secondary = nullptr;
    for (const auto& c : group) {
        auto& slot = c.set->policy.failover == FailoverRole::Primary ? primary : secondary;
        if (slot == nullptr) slot = &c;
    }
    if (primary && !primary->unhealthy) {
        choice.chosen.push_back(primary);
        choice.reason = ChoiceReason::PrimaryHealthy;
    } else if (secondary && !secondary->unhealthy) {
        choice.chosen.push_back(secondary);
        choice.reason = ChoiceReason::PrimaryUnhealthy;
    } else {
        // Neither healthy: all count as healthy, and so the primary answers.
        choice.all_unhealthy = true;
        choice.chosen.push_back(primary ? primary : secondary);
        choice.reason = primary ? ChoiceReason::PrimaryHealthy : ChoiceReason::PrimaryUnhealthy;
    }
    note_unhealthy(group, choice);
    return choice;
}

// AWS: routing-policy-multivalue.
Choice choose_multivalue(const std::vector<Candidate>& group, Random& random) {
    Choice choice;
    choice.all_unhealthy = !any_healthy(group);
    std::vector<const Candidate*> pool;
    for (const auto& c : group)
        if (!c.unhealthy || choice.all_unhealthy) pool.push_back(&c);
    for (std::size_t i = pool.size(); i > 1; --i) std::swap(pool[i - 1], pool[random.below(i)]);
    for (std::size_t i = 0; i < pool.size(); ++i) {
        if (i < kMaxMultiValueAnswers)
            choice.chosen.push_back(pool[i]);
        else
            choice.skipped.push_back(skipped(*pool[i], SkipReason::BeyondEight));
    }
    choice.reason = ChoiceReason::Healthy;
    note_unhealthy(group, choice);
    return choice;
}

// Takes the first healthy candidate of `ordered` (all count as healthy when none is); the
// candidates before it that were passed over for health are noted, those after it get `later`.
Choice first_healthy(const std::vector<Candidate>& group, std::vector<const Candidate*> ordered,
                     SkipReason later) {
    Choice choice;
    if (ordered.empty()) return choice;
    choice.all_unhealthy = !any_healthy(group);
    std::size_t pick = 0;
    if (!choice.all_unhealthy) {
        auto it = std::find_if(ordered.begin(), ordered.end(),
                               [](const Candidate* c) { return !c->unhealthy; });
        pick = it == ordered.end() ? 0 : static_cast<std::size_t>(it - ordered.begin());
        if (it == ordered.end()) choice.all_unhealthy = true;  // none of the matching healthy
    }
    choice.chosen.push_back(ordered[pick]);
    for (std::size_t i = pick + 1; i < ordered.size(); ++i)
        if (!ordered[i]->unhealthy || choice.all_unhealthy)
            choice.skipped.push_back(skipped(*ordered[i], later));
    note_unhealthy(group, choice);
    return choice;
}

// AWS: routing-policy-latency. Ties (regions at the same distance, unknown regions) are broken
// by the region's name, so that the answer never depends on the order the records were written.
Choice choose_latency(const std::vector<Candidate>& group, const ClientInfo& client) {
    auto distance = [&](const Candidate* c) {
        if (c->set->policy.region == client.region) return 0.0;
        return region_distance_km(client.region, c->set->policy.region)
            .value_or(std::numeric_limits<double>::infinity());
    };
    std::vector<const Candidate*> ordered;
    for (const auto& c : group) ordered.push_back(&c);
    std::stable_sort(ordered.begin(), ordered.end(), [&](const Candidate* a, const Candidate* b) {
        double da = distance(a), db = distance(b);
        if (da != db) return da < db;
        return a->set->policy.region < b->set->policy.region;
    });
    Choice choice = first_healthy(group, ordered, SkipReason::FartherRegion);
    if (!choice.chosen.empty())
        choice.reason = choice.chosen.front()->set->policy.region == client.region
                            ? ChoiceReason::ClientRegion
                            : ChoiceReason::NearestRegion;
    return choice;
}

std::optional<ChoiceReason> geo_level(const GeoLocation& at, const ClientInfo& client) {
    if (at.is_default()) return ChoiceReason::DefaultLocation;
    if (!at.country.empty()) {
        if (at.country != client.country || client.country.empty()) return std::nullopt;
        if (at.subdivision.empty()) return ChoiceReason::Country;
        return at.subdivision == client.subdivision ? std::optional(ChoiceReason::Subdivision)
                                                    : std::nullopt;
    }
    if (!at.continent.empty() && at.continent == client.continent) return ChoiceReason::Continent;
    return std::nullopt;
}

// AWS: routing-policy-geo — "priority goes to the smallest geographic region".
Choice choose_geolocation(const std::vector<Candidate>& group, const ClientInfo& client) {
    std::vector<std::pair<ChoiceReason, const Candidate*>> matching;
    for (const auto& c : group)
        if (auto level = geo_level(c.set->policy.location, client))
            matching.push_back({*level, &c});
    // The enum lists the levels smallest first.
    std::stable_sort(matching.begin(), matching.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    std::vector<const Candidate*> ordered;
    for (const auto& m : matching) ordered.push_back(m.second);
    Choice choice = first_healthy(group, ordered, SkipReason::LargerLocation);
    for (const auto& m : matching)
        if (!choice.chosen.empty() && m.second == choice.chosen.front()) choice.reason = m.first;
    return choice;
}

Choice choose(const std::vector<Candidate>& group, const Context& ctx) {
    switch (group.front().set->policy.kind) {
        case PolicyKind::Simple: {
            Choice choice;
            choice.chosen.push_back(&group.front());
            choice.reason = ChoiceReason::Only;
            return choice;
        }
        case PolicyKind::Weighted:
            return choose_weighted(group, ctx.random);
        case PolicyKind::Failover:
            return choose_failover(group);
        case PolicyKind::MultiValue:
            return choose_multivalue(group, ctx.random);
        case PolicyKind::Latency:
            return choose_latency(group, ctx.client);
        case PolicyKind::Geolocation:
            return choose_geolocation(group, ctx.client);
    }
    return {};
}

// --- Zone contents ---------------------------------------------------------------------------

// Route 53's default SOA, for a zone written without one (every real hosted zone has one).
RecordSet default_soa(const Zone& zone) {
    RecordSet soa;
    soa.name = zone.name;
    soa.type = RrType::SOA;
    soa.ttl = 900;
    soa.values = {"ns-0.awsdns-00.com awsdns-hostmaster.amazon.com 1 7200 900 1209600 86400"};
    return soa;
}

RecordSet zone_soa(const Zone& zone) {
    for (const auto& rs : zone.record_sets)
        if (rs.type == RrType::SOA && normalize_name(rs.name) == zone.name && !rs.values.empty())
            return rs;
    return default_soa(zone);
}

// RFC 2308 3: the SOA of a negative answer, its TTL the lesser of its own and its minimum.
Record negative_soa(const Zone& zone) {
    RecordSet soa = zone_soa(zone);
    Record r{zone.name, RrType::SOA, soa.ttl, soa.values.front()};
    std::istringstream fields(r.data);
    std::string field, last;
    while (fields >> field) last = field;
    char* end = nullptr;
    unsigned long minimum = std::strtoul(last.c_str(), &end, 10);
    if (end != nullptr && *end == '\0' && !last.empty())
        r.ttl = std::min<std::uint32_t>(r.ttl, static_cast<std::uint32_t>(minimum));
    return r;
}

std::vector<const RecordSet*> sets_at(const Zone& zone, std::string_view name, RrType type) {
    std::vector<const RecordSet*> out;
    for (const auto& rs : zone.record_sets)
        if (rs.type == type && normalize_name(rs.name) == name) out.push_back(&rs);
    return out;
}

// The name has records, or names below it do (an empty non-terminal), or it is the apex.
bool name_exists(const Zone& zone, std::string_view name) {
    if (name == zone.name) return true;
    for (const auto& rs : zone.record_sets) {
        std::string n = normalize_name(rs.name);
        if (n == name || (n.size() > name.size() && in_zone(n, name))) return true;
    }
    return false;
}

std::string source_name(const Zone& zone, const std::string& name) {
    if (name_exists(zone, name)) return name;
    std::string_view encloser = name;
    while (encloser != zone.name) {
        auto dot = encloser.find('.');
        encloser = dot == std::string_view::npos ? std::string_view() : encloser.substr(dot + 1);
        if (!name_exists(zone, encloser)) continue;
        std::string wildcard = encloser.empty() ? "*" : "*." + std::string(encloser);
        for (const auto& rs : zone.record_sets)
            if (normalize_name(rs.name) == wildcard) return wildcard;
        return name;
    }
    return name;
}

std::vector<RrType> types_at(const Zone& zone, std::string_view name) {
    std::vector<RrType> out;
    for (const auto& rs : zone.record_sets)
        if (normalize_name(rs.name) == name && rs.type != RrType::CNAME &&
            std::find(out.begin(), out.end(), rs.type) == out.end())
            out.push_back(rs.type);
    return out;
}

// Answers one group (record sets of one name and type): the records and the step's choice.
std::vector<Record> answer_group(const std::vector<const RecordSet*>& sets, std::string_view name,
                                 const Context& ctx, Step& step) {
    std::vector<Candidate> group;
    for (const auto* rs : sets) group.push_back(evaluate(*rs, ctx));
    Choice choice = choose(group, ctx);
    step.policy = group.front().set->policy.kind;
    step.reason = choice.reason;
    step.all_unhealthy = choice.all_unhealthy;
    step.skipped = std::move(choice.skipped);
    std::vector<Record> records;
    for (const Candidate* c : choice.chosen) {
        step.chosen.push_back(c->set->set_identifier);
        if (c->set->alias) {
            step.alias_target = c->set->alias->name;
            // AWS: resource-record-sets-choosing-alias-non-alias — the alias answers with the
            // target's values and TTL, under the queried name and the alias's own type.
            if (c->target)
                for (const auto& v : c->target->values)
                    records.push_back({std::string(name), c->set->type, c->target->ttl, v});
            continue;
        }
        for (const auto& v : c->set->values)
            records.push_back({std::string(name), c->set->type, c->set->ttl, v});
    }
    return records;
}

}  // namespace

std::optional<double> region_distance_km(std::string_view from, std::string_view to) {
    const RegionPlace* a = find_region(from);
    const RegionPlace* b = find_region(to);
    if (a == nullptr || b == nullptr) return std::nullopt;
    constexpr double kPi = 3.14159265358979323846;
    constexpr double kEarthKm = 6371.0;
    auto rad = [&](double deg) { return deg * kPi / 180.0; };
    double dlat = rad(b->lat - a->lat), dlon = rad(b->lon - a->lon);
    double h =
        std::sin(dlat / 2) * std::sin(dlat / 2) +
        std::cos(rad(a->lat)) * std::cos(rad(b->lat)) * std::sin(dlon / 2) * std::sin(dlon / 2);
    return 2 * kEarthKm * std::asin(std::min(1.0, std::sqrt(h)));
}

bool is_continent_code(std::string_view code) {
    return std::any_of(kCountries.begin(), kCountries.end(),
                       [&](const ContinentCountries& c) { return c.continent == code; });
}

std::optional<std::string> continent_of_country(std::string_view country) {
    if (country.size() != 2) return std::nullopt;
    for (const ContinentCountries& c : kCountries) {
        for (std::size_t i = 0; i + 2 <= c.countries.size(); i += 3) {
            if (c.countries.substr(i, 2) == country) return std::string(c.continent);
        }
    }
    return std::nullopt;
}

std::optional<ClientInfo> client_in_region(std::string_view region) {
    const RegionPlace* r = find_region(region);
    if (r == nullptr) return std::nullopt;
    ClientInfo c;
    c.region = std::string(r->name);
    c.continent = std::string(r->continent);
    c.country = std::string(r->country);
    c.subdivision = std::string(r->subdivision);
    return c;
}

const Zone* find_zone(const ZoneView& view, std::string_view name) {
    const Zone* best_private = nullptr;
    const Zone* best_public = nullptr;
    for (const Zone* z : view.zones) {
        if (z == nullptr || !in_zone(name, z->name)) continue;
        const Zone*& best = z->is_private ? best_private : best_public;
        if (best == nullptr || z->name.size() > best->name.size()) best = z;
    }
    return best_private ? best_private : best_public;
}

Resolution resolve(const ZoneView& view, const Question& question, const ClientInfo& client,
                   const HealthFn& health, const AliasFn& alias, Random& random) {
    Resolution res;
    Answer& answer = res.answer;
    Explanation& why = res.explanation;
    const Context ctx{health, alias, random, client};
    const RrType qtype = question.type;

    std::string name = normalize_name(question.name);
    std::set<std::string> visited;
    std::size_t links = 0;
    for (;;) {
        const Zone* zone = find_zone(view, name);
        if (zone == nullptr) {
            why.outcome = links == 0 ? Outcome::NotInView : Outcome::CnameLeftView;
            if (links > 0) why.left_view_name = name;
            return res;
        }
        if (!visited.insert(name).second) {
            why.outcome = Outcome::CnameLoop;
            answer.rcode = Rcode::ServFail;
            return res;
        }
        answer.authoritative = true;
        Step step;
        step.name = name;
        step.type = qtype;
        step.zone = zone->name;
        step.zone_id = zone->id;
        step.zone_private = zone->is_private;

        // RFC 4592: a name that does not exist is answered from the wildcard of its closest
        // encloser, under the name asked for.
        const std::string source = source_name(*zone, name);
        if (source != name) step.wildcard = source;

        std::vector<RrType> types;
        if (qtype == RrType::ANY)
            types = types_at(*zone, source);
        else if (qtype != RrType::CNAME)
            types = {qtype};
        std::vector<Record> records;
        bool had_group = false;
        for (RrType t : types) {
            auto sets = sets_at(*zone, source, t);
            if (sets.empty() && t == RrType::SOA && name == zone->name) {
                // The apex always has an SOA; answer Route 53's default one if none was written.
                RecordSet soa = zone_soa(*zone);
                records.push_back({zone->name, RrType::SOA, soa.ttl, soa.values.front()});
                had_group = true;
                step.reason = ChoiceReason::Only;
                continue;
            }
            if (sets.empty()) continue;
            had_group = true;
            auto got = answer_group(sets, name, ctx, step);
            records.insert(records.end(), got.begin(), got.end());
        }
        if (had_group) {
            // No record chosen (no geolocation match, an alias target without records): NODATA.
            step.outcome = records.empty() ? Outcome::NoData : Outcome::Answered;
            why.outcome = step.outcome;
            answer.answers.insert(answer.answers.end(), records.begin(), records.end());
            if (records.empty()) answer.authority.push_back(negative_soa(*zone));
            why.steps.push_back(std::move(step));
            return res;
        }

        // RFC 1034 3.6.2: a CNAME at the name answers every type.
        auto cnames = sets_at(*zone, source, RrType::CNAME);
        if (!cnames.empty()) {
            auto got = answer_group(cnames, name, ctx, step);
            step.cname = qtype != RrType::CNAME;
            step.outcome = got.empty() ? Outcome::NoData : Outcome::Answered;
            why.steps.push_back(std::move(step));
            if (got.empty()) {
                answer.authority.push_back(negative_soa(*zone));
                why.outcome = Outcome::NoData;
                return res;
            }
            answer.answers.push_back(got.front());
            if (qtype == RrType::CNAME) {
                why.outcome = Outcome::Answered;
                return res;
            }
            if (links == kMaxCnameChain) {
                why.outcome = Outcome::CnameChainTooLong;
                answer.rcode = Rcode::ServFail;
                return res;
            }
            ++links;
            name = normalize_name(got.front().data);
            continue;
        }

        // RFC 2308 2.1/2.2, RFC 6604: the rcode speaks for the last name of the chain.
        const bool exists = source != name || name_exists(*zone, name);
        step.outcome = exists ? Outcome::NoData : Outcome::NxDomain;
        why.outcome = step.outcome;
        answer.rcode = exists ? Rcode::NoError : Rcode::NxDomain;
        answer.authority.push_back(negative_soa(*zone));
        why.steps.push_back(std::move(step));
        return res;
    }
}

}  // namespace vpcstack::dns
