// Route 53 and the VPC DNS attributes. AWS: vpc-dns (DNS attributes), Route 53 Developer Guide
// (hosted-zones-private, ResourceRecordTypes, rrsets-working-with, routing-policy,
// resource-record-sets-choosing-alias-non-alias, health-checks-types,
// health-checks-creating-values).
//
// Zones and health checks are registered after every VPC's resources (their names), and
// resolved after the load balancers, which alias records may name. Record names are made
// absolute and lower-case here, so that the dns module sees only absolute names.
#include <arpa/inet.h>

#include <algorithm>
#include <functional>
#include <set>

#include "../build/builder.hpp"
#include "vpcstack/dns/zones.hpp"

namespace vpcstack::model::build {
namespace {

constexpr long kMaxTtl = 2147483647;
constexpr long kMaxWeight = 255;

bool ends_with(std::string_view text, std::string_view suffix) {
    return text.size() >= suffix.size() && text.substr(text.size() - suffix.size()) == suffix;
}

bool under_zone(const std::string& name, const std::string& zone) {
    return name == zone || ends_with(name, "." + zone);
}

// A record's name as written, made absolute: "@" is the apex, "NAME." is absolute, a name
// already under the zone is taken as it is, anything else is relative to the zone. nullopt when
// an absolute name lies outside the zone.
std::optional<std::string> absolute_name(const std::string& written, const std::string& zone) {
    if (written == "@") return zone;
    const std::string n = dns::normalize_name(written);
    if (under_zone(n, zone)) return n;
    if (ends_with(written, ".")) return std::nullopt;
    return n + "." + zone;
}

// Why `name` is not a valid DNS name (RFC 1035 2.3.4: labels of 1 to 63 octets, 255 octets
// on the wire, 253 characters in presentation form); empty when it is.
std::string dns_name_problem(const std::string& name) {
    if (name.empty()) return "it is empty";
    if (name.size() > 253) return fmt::format("it has {} characters", name.size());
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t dot = name.find('.', start);
        std::size_t end = dot == std::string::npos ? name.size() : dot;
        if (end == start) return "it has an empty label";
        if (end - start > 63) {
            return fmt::format("label '{}' has {} characters", name.substr(start, end - start),
                               end - start);
        }
        if (dot == std::string::npos) break;
        start = dot + 1;
    }
    return {};
}
constexpr const char* kDnsNameExpected =
    "expected labels of 1 to 63 characters separated by dots, 253 characters in all";

// AWS: health-checks-creating-values (IP address) — Route 53 does not check endpoints at
// private, loopback or link-local addresses: its checkers are on the internet.
bool checkable_address(net::Ipv4Address a) {
    static const net::Cidr kRanges[] = {
        *net::Cidr::parse("10.0.0.0/8"),     *net::Cidr::parse("172.16.0.0/12"),
        *net::Cidr::parse("192.168.0.0/16"), *net::Cidr::parse("127.0.0.0/8"),
        *net::Cidr::parse("169.254.0.0/16"), *net::Cidr::parse("0.0.0.0/8"),
        *net::Cidr::parse("224.0.0.0/4")};
    return std::none_of(std::begin(kRanges), std::end(kRanges),
                        [&](const net::Cidr& c) { return c.contains(a); });
}

// The value syntax of one record type, in presentation form; empty when valid.
std::string value_problem(dns::RrType type, const std::string& v) {
    auto words = [&] {
        std::vector<std::string> out;
        std::size_t i = 0;
        while (i < v.size()) {
            while (i < v.size() && v[i] == ' ') ++i;
            std::size_t j = v.find(' ', i);
            if (j == std::string::npos) j = v.size();
            if (j > i) out.push_back(v.substr(i, j - i));
            i = j;
        }
        return out;
    };
    auto number = [](const std::string& w, long hi) {
        return !w.empty() && w.size() <= 5 && std::all_of(w.begin(), w.end(), ::isdigit) &&
               std::stol(w) <= hi;
    };
    switch (type) {
        case dns::RrType::A:
            if (!net::Ipv4Address::parse(v)) return "an IPv4 address such as 203.0.113.10";
            return {};
        case dns::RrType::AAAA: {
            unsigned char buf[16];
            if (inet_pton(AF_INET6, v.c_str(), buf) != 1) {
                return "an IPv6 address such as 2001:db8::10";
            }
            return {};
        }
        case dns::RrType::MX: {
            auto w = words();
            if (w.size() != 2 || !number(w[0], 65535)) {
                return "PRIORITY HOST, such as '10 mail.example.com'";
            }
            return {};
        }
        case dns::RrType::SRV: {
            auto w = words();
            if (w.size() != 4 || !number(w[0], 65535) || !number(w[1], 65535) ||
                !number(w[2], 65535)) {
                return "PRIORITY WEIGHT PORT HOST, such as '1 10 5269 xmpp.example.com'";
            }
            return {};
        }
        default:
            if (v.empty()) return "a value that is not empty";
            return {};
    }
}

std::string policy_key(const RawRecord& r) {
    std::vector<std::string> keys;
    if (r.weight.present) keys.push_back("weight");
    if (r.failover.present) keys.push_back("failover");
    if (r.multivalue.value.value_or(false)) keys.push_back("multivalue");
    if (r.latency) keys.push_back("latency");
    if (r.geolocation) keys.push_back("geolocation");
    return keys.empty() ? std::string() : fmt::format("'{}'", fmt::join(keys, "' and '"));
}

const char* policy_word(dns::PolicyKind kind) {
    switch (kind) {
        case dns::PolicyKind::Simple:
            return "simple";
        case dns::PolicyKind::Weighted:
            return "weighted";
        case dns::PolicyKind::Failover:
            return "failover";
        case dns::PolicyKind::MultiValue:
            return "multivalue";
        case dns::PolicyKind::Latency:
            return "latency";
        case dns::PolicyKind::Geolocation:
            return "geolocation";
    }
    return "?";
}

// AWS: Route 53 API GeoLocation — continent codes.
bool known_continent(const std::string& c) {
    static const std::set<std::string> kCodes = {"AF", "AN", "AS", "EU", "OC", "NA", "SA"};
    return kCodes.contains(c);
}

}  // namespace

// AWS: vpc-dns — "If you enable DNS hostnames, you must also enable DNS support" (the API
// refuses enableDnsHostnames on a VPC without DNS support).
void Builder::check_vpc_dns(Index v, const RawVpc& raw) {
    Vpc& vpc = t_.vpcs[v];
    vpc.enable_dns_support = raw.enable_dns_support.value.value_or(true);
    vpc.enable_dns_hostnames = raw.enable_dns_hostnames.value.value_or(false);
    if (vpc.enable_dns_hostnames && !vpc.enable_dns_support) {
        error(raw.enable_dns_hostnames.loc, {"VPC", raw.meta.name, raw.meta.loc},
              "'enable_dns_hostnames' is true while 'enable_dns_support' is false; expected DNS "
              "support enabled for DNS hostnames");
    }
}

void Builder::register_route53() {
    for (const RawRoute53HealthCheck& rh : raw_.health_checks) {
        const Index i = static_cast<Index>(t_.health_checks.size());
        Route53HealthCheck h;
        h.meta = meta_of(rh.meta);
        t_.health_checks.push_back(std::move(h));
        raw_health_checks_.push_back(&rh);
        add_name(health_check_names_, t_.health_checks[i].meta, i, "health check", "in the file");
    }
    for (const RawHostedZone& rz : raw_.hosted_zones) {
        HostedZone z;
        z.meta = meta_of(rz.meta);
        z.meta.name = dns::normalize_name(rz.meta.name);
        z.is_private = rz.is_private.value.value_or(false);
        z.zone.name = z.meta.name;
        z.zone.is_private = z.is_private;
        z.zone.id = z.meta.id;
        t_.hosted_zones.push_back(std::move(z));
        raw_zones_.push_back(&rz);
    }
}

void Builder::resolve_route53_health_check(Index i) {
    Route53HealthCheck& h = t_.health_checks[i];
    const RawRoute53HealthCheck& r = *raw_health_checks_[i];
    const Subject s{"health check", r.meta.name, r.meta.loc};
    // An invalid type is reported by the reader; what else to check depends on it.
    if (r.type.present && !r.type.has_value()) return;
    h.type = r.type.value.value_or(HealthCheckType::Http);
    const std::string type = to_string(h.type);
    const std::string a_type = fmt::format("{} {}", type.front() == 'H' ? "an" : "a", type);
    if (r.inverted.has_value()) h.inverted = *r.inverted;
    if (h.type == HealthCheckType::Calculated) {
        // AWS: health-checks-creating-values (Status of other health checks) — a calculated
        // check watches child checks and has no endpoint of its own.
        for (const auto& [present, loc, key] :
             {std::tuple{r.ip.present, r.ip.loc, "ip"},
              std::tuple{r.domain.present, r.domain.loc, "domain"},
              std::tuple{r.port.present, r.port.loc, "port"},
              std::tuple{r.path.present, r.path.loc, "path"},
              std::tuple{r.interval.present, r.interval.loc, "interval"},
              std::tuple{r.failure_threshold.present, r.failure_threshold.loc,
                         "failure_threshold"}}) {
            if (present) {
                error(loc, s,
                      fmt::format("'{}' given for a CALCULATED health check; expected it only "
                                  "with HTTP, HTTPS or TCP",
                                  key));
            }
        }
        if (r.children.empty()) {
            error(r.children_loc, s,
                  "a CALCULATED health check without 'children'; expected the health checks it "
                  "combines");
        }
        for (const Field<std::string>& c : r.children) {
            Index child =
                resolve_global(health_check_names_, "health check", *c, c.loc, s, "'children'");
            if (child == kNone) continue;
            if (std::find(h.children.begin(), h.children.end(), child) != h.children.end()) {
                error(c.loc, s,
                      fmt::format("'children' names '{}' twice; expected each child once", *c));
                continue;
            }
            h.children.push_back(child);
        }
        if (r.healthy_threshold.has_value()) {
            const long n = *r.healthy_threshold;
            if (n < 0 || n > static_cast<long>(r.children.size())) {
                error(r.healthy_threshold.loc, s,
                      fmt::format("'healthy_threshold' is {}; expected 0 to {} (the number of "
                                  "children)",
                                  n, r.children.size()));
            } else {
                h.healthy_threshold = static_cast<std::uint32_t>(n);
            }
        }
        return;
    }
    for (const auto& [present, loc, key] :
         {std::tuple{r.children_written, r.children_loc, "children"},
          std::tuple{r.healthy_threshold.present, r.healthy_threshold.loc, "healthy_threshold"}}) {
        if (present) {
            error(loc, s,
                  fmt::format("'{}' given for {} health check; expected it only with "
                              "CALCULATED",
                              key, a_type));
        }
    }
    // AWS: health-checks-creating-values — an endpoint is an IP address or a domain name.
    if (r.ip.present && r.domain.present) {
        error(r.domain.loc, s,
              fmt::format("{} health check with both 'ip' and 'domain'; expected one of them",
                          a_type));
    } else if (!r.ip.present && !r.domain.present) {
        error(r.meta.loc, s,
              fmt::format("{} health check without 'ip' or 'domain'; expected the endpoint "
                          "it checks",
                          a_type));
    }
    if (r.ip.has_value()) {
        h.ip = *r.ip;
        if (!checkable_address(*r.ip)) {
            error(r.ip.loc, s,
                  fmt::format("'ip' is {}, a private or reserved address; expected a public "
                              "address Route 53's checkers can reach",
                              r.ip->to_string()));
        }
    }
    if (r.domain.has_value()) {
        h.domain = dns::normalize_name(*r.domain);
        if (std::string why = dns_name_problem(h.domain); !why.empty()) {
            error(r.domain.loc, s,
                  fmt::format("'domain' '{}' is not a valid DNS name: {}; {}", *r.domain, why,
                              kDnsNameExpected));
        }
    }
    h.port = h.type == HealthCheckType::Https ? 443 : 80;
    // AWS: Route 53 API HealthCheckConfig (Port) — required for TCP checks.
    if (h.type == HealthCheckType::Tcp && !r.port.present) {
        error(r.meta.loc, s, "a TCP health check without 'port'; expected the port it connects to");
    }
    if (r.port.has_value()) {
        if (*r.port < 1 || *r.port > 65535) {
            error(r.port.loc, s, fmt::format("'port' is {}; expected 1 to 65535", *r.port));
        } else {
            h.port = static_cast<std::uint16_t>(*r.port);
        }
    }
    if (r.path.present && h.type == HealthCheckType::Tcp) {
        error(r.path.loc, s,
              "'path' given for a TCP health check; expected it only with HTTP "
              "or HTTPS");
    } else if (r.path.has_value()) {
        if (r.path->empty() || r.path->front() != '/') {
            error(r.path.loc, s,
                  fmt::format("'path' is '{}'; expected a path starting with '/'", *r.path));
        } else {
            h.path = *r.path;
        }
    }
    if (r.interval.has_value()) {
        if (*r.interval != 10 && *r.interval != 30) {
            error(r.interval.loc, s,
                  fmt::format("'interval' is {}; expected 10 (fast) or 30 seconds", *r.interval));
        } else {
            h.interval = static_cast<std::uint32_t>(*r.interval);
        }
    }
    if (r.failure_threshold.has_value()) {
        if (*r.failure_threshold < 1 || *r.failure_threshold > 10) {
            error(r.failure_threshold.loc, s,
                  fmt::format("'failure_threshold' is {}; expected 1 to 10", *r.failure_threshold));
        } else {
            h.failure_threshold = static_cast<std::uint32_t>(*r.failure_threshold);
        }
    }
}

// A calculated check may watch calculated checks, but never itself through them.
void Builder::check_health_check_cycles() {
    enum class Mark : std::uint8_t { Unseen, OnPath, Done };
    std::vector<Mark> marks(t_.health_checks.size(), Mark::Unseen);
    std::vector<Index> path;
    std::function<void(Index)> visit = [&](Index h) {
        marks[h] = Mark::OnPath;
        path.push_back(h);
        for (Index c : t_.health_checks[h].children) {
            if (marks[c] == Mark::OnPath) {
                std::vector<std::string> names;
                auto from = std::find(path.begin(), path.end(), c);
                for (auto it = from; it != path.end(); ++it) {
                    names.push_back(t_.health_checks[*it].meta.name);
                }
                names.push_back(t_.health_checks[c].meta.name);
                const Meta& m = t_.health_checks[h].meta;
                error(raw_health_checks_[h]->children_loc, {"health check", m.name, m.loc},
                      fmt::format("its children form a cycle ({}); expected a calculated health "
                                  "check never to depend on itself",
                                  fmt::join(names, " -> ")));
            } else if (marks[c] == Mark::Unseen) {
                visit(c);
            }
        }
        path.pop_back();
        marks[h] = Mark::Done;
    };
    for (Index h = 0; h < t_.health_checks.size(); ++h) {
        if (marks[h] == Mark::Unseen) visit(h);
    }
}

void Builder::resolve_hosted_zone(Index zi) {
    HostedZone& z = t_.hosted_zones[zi];
    const RawHostedZone& rz = *raw_zones_[zi];
    const Subject s{"hosted zone", rz.meta.name, rz.meta.loc};
    const std::string& zone = z.meta.name;
    bool zone_ok = !rz.meta.name.empty();
    if (zone_ok) {
        if (std::string why = dns_name_problem(zone); !why.empty()) {
            error(rz.meta.loc, s,
                  fmt::format("the zone name is not a valid DNS name: {}; {}", why,
                              kDnsNameExpected));
            zone_ok = false;
        }
    }

    // AWS: hosted-zones-private — a private zone is associated with one or more VPCs; a VPC
    // may not be associated with two private zones of the same name. A public zone has none.
    if (z.is_private) {
        if (rz.vpcs.empty()) {
            error(rz.vpcs_loc, s,
                  "a private hosted zone without 'vpcs'; expected the VPCs it is associated "
                  "with");
        }
        for (const Field<std::string>& v : rz.vpcs) {
            Index vpc = resolve_global(vpc_names_, "VPC", *v, v.loc, s, "'vpcs'");
            if (vpc == kNone) continue;
            if (std::find(z.vpcs.begin(), z.vpcs.end(), vpc) != z.vpcs.end()) {
                error(v.loc, s, fmt::format("'vpcs' names '{}' twice; expected each VPC once", *v));
                continue;
            }
            for (Index other = 0; other < zi; ++other) {
                const HostedZone& o = t_.hosted_zones[other];
                if (!o.is_private || o.meta.name != zone) continue;
                if (std::find(o.vpcs.begin(), o.vpcs.end(), vpc) == o.vpcs.end()) continue;
                error(v.loc, s,
                      fmt::format("VPC '{}' is already associated with private hosted zone '{}' "
                                  "({}); expected one private zone of a name per VPC",
                                  *v, zone, where_text(o.meta.loc)));
            }
            z.vpcs.push_back(vpc);
        }
    } else {
        if (rz.vpcs_written) {
            error(rz.vpcs_loc, s,
                  "'vpcs' given for a public hosted zone; expected them only with 'private: "
                  "true'");
        }
        // Route 53 allows public zones of one name in different delegation sets; one name
        // server answers for a name here, so one public zone per name.
        for (Index other = 0; other < zi; ++other) {
            const HostedZone& o = t_.hosted_zones[other];
            if (o.is_private || o.meta.name != zone || !zone_ok) continue;
            error(rz.meta.loc, s,
                  fmt::format("another public hosted zone has this name ({}); expected one "
                              "public zone per name",
                              where_text(o.meta.loc)));
            break;
        }
    }
    if (!zone_ok) return;

    // First pass: every record set's absolute name, type and values; the alias targets that
    // are records of the zone need every name first.
    const std::size_t n = rz.records.size();
    z.zone.record_sets.resize(n);
    z.record_locs.resize(n);
    z.record_health_checks.assign(n, kNone);
    z.alias_load_balancers.assign(n, kNone);
    std::vector<bool> usable(n, false);  // name and type valid: part of the group checks
    for (std::size_t k = 0; k < n; ++k) {
        const RawRecord& r = rz.records[k];
        dns::RecordSet& rs = z.zone.record_sets[k];
        z.record_locs[k] = r.loc;
        std::optional<std::string> name;
        if (r.name.has_value()) {
            name = absolute_name(*r.name, zone);
            if (!name) {
                error(r.name.loc, s,
                      fmt::format("record name '{}' is outside the zone; expected a name "
                                  "relative to the zone, '@' for the apex, or an absolute name "
                                  "ending with '.{}.'",
                                  *r.name, zone));
            } else if (std::string why = dns_name_problem(*name); !why.empty()) {
                error(r.name.loc, s,
                      fmt::format("record name '{}' is not a valid DNS name: {}; {}", *name, why,
                                  kDnsNameExpected));
                name.reset();
            }
        }
        if (name) rs.name = *name;
        if (r.type.has_value()) rs.type = *r.type;
        usable[k] = name.has_value() && r.type.has_value();
        const std::string label =
            fmt::format("record {} {}", name ? *name : r.name.value.value_or("?"),
                        r.type.has_value() ? dns::to_string(*r.type) : std::string("?"));

        // AWS: resource-record-sets-values-alias — an alias has no TTL and no values of its
        // own: it answers with its target's.
        if (r.alias) {
            if (r.values_written) {
                error(r.values_loc, s,
                      fmt::format("{} has both 'alias' and 'values'; expected one of them", label));
            }
            if (r.ttl.present) {
                error(r.ttl.loc, s,
                      fmt::format("{} is an alias and has a 'ttl'; expected none, as an alias "
                                  "takes its target's TTL",
                                  label));
            }
        } else if (r.values.empty() && r.type.has_value()) {
            error(r.values_written ? r.values_loc : r.loc, s,
                  fmt::format("{} has no 'values'; expected at least one value, or an 'alias'",
                              label));
        }
        if (r.ttl.has_value()) {
            if (*r.ttl < 0 || *r.ttl > kMaxTtl) {
                error(r.ttl.loc, s,
                      fmt::format("'ttl' of {} is {}; expected 0 to {} seconds", label, *r.ttl,
                                  kMaxTtl));
            } else {
                rs.ttl = static_cast<std::uint32_t>(*r.ttl);
            }
        }
        for (const Field<std::string>& v : r.values) {
            if (!v.has_value()) continue;
            rs.values.push_back(*v);
            if (!r.type.has_value()) continue;
            if (std::string want = value_problem(*r.type, *v); !want.empty()) {
                error(v.loc, s,
                      fmt::format("value '{}' of {} is invalid; expected {}", *v, label, want));
            }
        }
        if (r.type.has_value() && *r.type == dns::RrType::CNAME) {
            // RFC 1034 3.6.2: a CNAME has one target; RFC 1912 2.4: none at the apex, which
            // holds the zone's SOA and NS records.
            if (r.values.size() > 1) {
                error(
                    r.values_loc, s,
                    fmt::format("{} has {} values; expected exactly one", label, r.values.size()));
            }
            if (name && *name == zone) {
                error(r.name.loc, s,
                      fmt::format("a CNAME record at the zone apex; expected CNAME records only "
                                  "below {} (the apex holds the zone's SOA and NS records)",
                                  zone));
            }
        }

        // AWS: routing-policy — one policy per record set, each with a set identifier.
        const std::string policies = policy_key(r);
        const int policy_count =
            static_cast<int>(std::count(policies.begin(), policies.end(), '\'')) / 2;
        if (policy_count > 1) {
            error(r.loc, s,
                  fmt::format("{} has {}; expected one routing policy per record set", label,
                              policies));
        } else if (r.weight.has_value()) {
            if (*r.weight < 0 || *r.weight > kMaxWeight) {
                error(r.weight.loc, s,
                      fmt::format("'weight' of {} is {}; expected 0 to {}", label, *r.weight,
                                  kMaxWeight));
            }
            rs.policy = dns::RoutingPolicy::weighted(
                static_cast<std::uint32_t>(std::clamp(*r.weight, 0L, kMaxWeight)));
        } else if (r.failover.has_value()) {
            rs.policy = dns::RoutingPolicy::failover_as(*r.failover == "primary"
                                                            ? dns::FailoverRole::Primary
                                                            : dns::FailoverRole::Secondary);
        } else if (r.multivalue.value.value_or(false)) {
            rs.policy = dns::RoutingPolicy::multivalue();
            // AWS: routing-policy-multivalue — no alias and no CNAME multivalue records.
            if (r.alias) {
                error(r.multivalue.loc, s,
                      fmt::format("{} is a multivalue alias; expected multivalue answers only "
                                  "with values (Route 53 has no multivalue alias records)",
                                  label));
            } else if (r.type.has_value() && *r.type == dns::RrType::CNAME) {
                error(r.multivalue.loc, s,
                      fmt::format("{} is a multivalue CNAME; expected multivalue answers with "
                                  "another type",
                                  label));
            }
        } else if (r.latency) {
            const std::string region = r.latency_region.value.value_or("");
            rs.policy = dns::RoutingPolicy::latency(region);
            if (r.latency_region.has_value() && !dns::region_distance_km(region, region)) {
                error(r.latency_region.loc, s,
                      fmt::format("latency region '{}' of {} is unknown; expected an AWS region "
                                  "such as us-east-1",
                                  region, label));
            }
        } else if (r.geolocation) {
            dns::GeoLocation where;
            where.continent = r.continent.value.value_or("");
            where.country = r.country.value.value_or("");
            where.subdivision = r.subdivision.value.value_or("");
            rs.policy = dns::RoutingPolicy::geolocation(where);
            if (r.continent.present == r.country.present) {
                error(r.geolocation_loc, s,
                      fmt::format("geolocation of {} has {}; expected either 'continent' or "
                                  "'country' ('*' for the default location)",
                                  label,
                                  r.continent.present ? "both 'continent' and 'country'"
                                                      : "neither 'continent' nor 'country'"));
            } else if (r.continent.has_value() && !known_continent(*r.continent)) {
                error(r.continent.loc, s,
                      fmt::format("continent '{}' of {} is unknown; expected AF, AN, AS, EU, "
                                  "OC, NA or SA",
                                  *r.continent, label));
            } else if (r.country.has_value() && *r.country != "*" &&
                       (r.country->size() != 2 ||
                        !std::all_of(r.country->begin(), r.country->end(), ::isupper))) {
                error(r.country.loc, s,
                      fmt::format("country '{}' of {} is invalid; expected a two-letter code "
                                  "such as US, or '*' for the default location",
                                  *r.country, label));
            }
            if (r.subdivision.present && (!r.country.has_value() || *r.country == "*")) {
                error(r.subdivision.loc, s,
                      fmt::format("'subdivision' of {} without a country; expected it with "
                                  "'country' (US: WA, ...)",
                                  label));
            }
        }
        if (r.set_identifier.has_value()) rs.set_identifier = *r.set_identifier;
        if (policy_count > 0 && !r.set_identifier.has_value()) {
            error(r.loc, s,
                  fmt::format("{} has {} without 'set_identifier'; expected a set identifier "
                              "with every routing policy",
                              label, policies));
        } else if (policy_count == 0 && r.set_identifier.present) {
            error(r.set_identifier.loc, s,
                  fmt::format("{} has 'set_identifier' but no routing policy; expected one of "
                              "weight, failover, multivalue, latency or geolocation with it",
                              label));
        }
        if (r.health_check.has_value()) {
            Index h = resolve_global(health_check_names_, "health check", *r.health_check,
                                     r.health_check.loc, s, label + ": 'health_check'");
            if (h != kNone) {
                z.record_health_checks[k] = h;
                rs.health_check = *r.health_check;
            }
        }
    }

    std::vector<std::size_t> alias_of(n, n);  // the record an alias to a record names
    // Second pass: alias targets. A load balancer of the topology (NAME, or VPC/NAME when
    // the name is not unique), else a record of this zone of the alias's type.
    for (std::size_t k = 0; k < n; ++k) {
        const RawRecord& r = rz.records[k];
        if (!r.alias || !r.alias->target.has_value()) continue;
        dns::RecordSet& rs = z.zone.record_sets[k];
        const std::string label = fmt::format("record {} {}", rs.name,
                                              r.type.has_value() ? dns::to_string(*r.type) : "?");
        const std::string& target = *r.alias->target;
        dns::AliasTarget alias;
        alias.evaluate_target_health = r.alias->evaluate_target_health.value.value_or(false);
        std::vector<std::pair<Index, Index>> lbs;  // (VPC, load balancer)
        if (std::size_t slash = target.find('/'); slash != std::string::npos) {
            Index v = vpc_names_.find(target.substr(0, slash));
            if (v != kNone) {
                Index b = scopes_[v].load_balancers.find(target.substr(slash + 1));
                if (b != kNone) lbs.emplace_back(v, b);
            }
        } else {
            for (Index v = 0; v < scopes_.size(); ++v) {
                Index b = scopes_[v].load_balancers.find(target);
                if (b != kNone) lbs.emplace_back(v, b);
            }
        }
        if (lbs.size() > 1) {
            error(r.alias->target.loc, s,
                  fmt::format("alias target '{}' of {} names a load balancer of VPC '{}' and "
                              "of VPC '{}'; expected VPC/NAME",
                              target, label, vpc_name(lbs[0].first), vpc_name(lbs[1].first)));
            continue;
        }
        if (lbs.size() == 1) {
            // AWS: resource-record-sets-choosing-alias-non-alias — an alias to an Elastic Load
            // Balancing load balancer is an A (or AAAA) record; Route 53 answers with TTL 60.
            z.alias_load_balancers[k] = lbs[0].second;
            alias.name = t_.load_balancers[lbs[0].second].meta.name;
            rs.ttl = 60;
            if (r.type.has_value() && *r.type != dns::RrType::A && *r.type != dns::RrType::AAAA) {
                error(r.type.loc, s,
                      fmt::format("{} is an alias to load balancer '{}'; expected type A or "
                                  "AAAA",
                                  label, target));
            }
            rs.alias = alias;
            continue;
        }
        std::optional<std::string> name = absolute_name(target, zone);
        const dns::RecordSet* found = nullptr;
        if (name && r.type.has_value()) {
            for (std::size_t j = 0; j < n && found == nullptr; ++j) {
                const dns::RecordSet& other = z.zone.record_sets[j];
                if (j != k && usable[j] && other.name == *name && other.type == *r.type) {
                    found = &other;
                    alias_of[k] = j;
                }
            }
        }
        if (name && *name == rs.name) {
            error(r.alias->target.loc, s,
                  fmt::format("{} is an alias to itself; expected another record or a load "
                              "balancer",
                              label));
            continue;
        }
        if (found == nullptr) {
            error(r.alias->target.loc, s,
                  fmt::format("alias target '{}' of {} is neither a load balancer of the "
                              "topology nor a record of zone '{}' with type {}; expected one "
                              "of them",
                              target, label, zone,
                              r.type.has_value() ? dns::to_string(*r.type) : "?"));
            continue;
        }
        alias.name = *name;
        rs.alias = alias;
    }
    // An alias to a record takes the TTL of the first record along its chain of aliases that
    // has values or names a load balancer (a chain that loops keeps the default).
    for (std::size_t k = 0; k < n; ++k) {
        std::size_t at = alias_of[k];
        for (std::size_t step = 0; at < n && alias_of[at] < n && step < n; ++step) {
            at = alias_of[at];
        }
        if (at < n && alias_of[at] == n) z.zone.record_sets[k].ttl = z.zone.record_sets[at].ttl;
    }
    raw_records_of_zone_.clear();
    for (const RawRecord& r : rz.records) raw_records_of_zone_.push_back(&r);
    check_record_groups(zi);
}

// AWS: rrsets-working-with, routing-policy — the record sets of one name and type: one
// simple record set alone, or record sets of one routing policy with unique set identifiers
// (failover: one primary, one secondary); a CNAME shares its name with no other type.
void Builder::check_record_groups(Index zi) {
    const HostedZone& z = t_.hosted_zones[zi];
    const Subject s{"hosted zone", raw_zones_[zi]->meta.name, raw_zones_[zi]->meta.loc};
    std::map<std::pair<std::string, dns::RrType>, std::vector<std::size_t>> groups;
    std::map<std::string, std::vector<std::size_t>> by_name;
    for (std::size_t k = 0; k < z.zone.record_sets.size(); ++k) {
        const RawRecord& r = *raw_records_of_zone_[k];
        if (!r.name.has_value() || !r.type.has_value() || z.zone.record_sets[k].name.empty()) {
            continue;
        }
        const dns::RecordSet& rs = z.zone.record_sets[k];
        by_name[rs.name].push_back(k);
        std::vector<std::size_t>& group = groups[{rs.name, rs.type}];
        const std::string label = fmt::format("record {} {}", rs.name, dns::to_string(rs.type));
        for (std::size_t j : group) {
            const dns::RecordSet& o = z.zone.record_sets[j];
            const std::string where = where_text(z.record_locs[j]);
            if (o.policy.kind == dns::PolicyKind::Simple ||
                rs.policy.kind == dns::PolicyKind::Simple) {
                if (o.policy.kind == rs.policy.kind) {
                    error(r.loc, s,
                          fmt::format("{}: another simple record set of this name and type "
                                      "exists ({}); expected one simple record set per name and "
                                      "type, with all its values",
                                      label, where));
                } else {
                    error(r.loc, s,
                          fmt::format("{} is {}, the record set of {} is {}; expected one "
                                      "routing policy for all record sets of a name and type",
                                      label, policy_word(rs.policy.kind), where,
                                      policy_word(o.policy.kind)));
                }
                break;
            }
            if (o.policy.kind != rs.policy.kind) {
                error(r.loc, s,
                      fmt::format("{} is {}, the record set of {} is {}; expected one routing "
                                  "policy for all record sets of a name and type",
                                  label, policy_word(rs.policy.kind), where,
                                  policy_word(o.policy.kind)));
                break;
            }
            if (!rs.set_identifier.empty() && o.set_identifier == rs.set_identifier) {
                error(r.set_identifier.loc, s,
                      fmt::format("set identifier '{}' of {} is already used ({}); expected "
                                  "unique set identifiers per name and type",
                                  rs.set_identifier, label, where));
                break;
            }
            // AWS: routing-policy-geo — one record set per location of a name and type.
            const dns::GeoLocation& a = rs.policy.location;
            const dns::GeoLocation& b = o.policy.location;
            if (rs.policy.kind == dns::PolicyKind::Geolocation && a.continent == b.continent &&
                a.country == b.country && a.subdivision == b.subdivision) {
                std::string place = a.continent.empty() ? a.country : a.continent;
                if (!a.subdivision.empty()) place += "-" + a.subdivision;
                error(r.geolocation_loc, s,
                      fmt::format("location '{}' of {} already has a record set ({}); expected "
                                  "each location once per name and type",
                                  place, label, where));
                break;
            }
            if (rs.policy.kind == dns::PolicyKind::Failover &&
                o.policy.failover == rs.policy.failover) {
                error(r.failover.loc, s,
                      fmt::format("{} has a second {} record set (the first: {}); expected at "
                                  "most one primary and one secondary",
                                  label,
                                  rs.policy.failover == dns::FailoverRole::Primary ? "primary"
                                                                                   : "secondary",
                                  where));
                break;
            }
        }
        group.push_back(k);
    }
    // RFC 1034 3.6.2, RFC 2181 10.1: a name with a CNAME has no other data.
    for (const auto& [name, members] : by_name) {
        const std::size_t* cname = nullptr;
        const std::size_t* other = nullptr;
        for (const std::size_t& k : members) {
            if (z.zone.record_sets[k].type == dns::RrType::CNAME) {
                if (cname == nullptr) cname = &k;
            } else if (other == nullptr) {
                other = &k;
            }
        }
        if (cname == nullptr || other == nullptr) continue;
        error(z.record_locs[std::max(*cname, *other)], s,
              fmt::format("{} has a CNAME record ({}) and {} records ({}); expected no other "
                          "record at the name of a CNAME",
                          name, where_text(z.record_locs[*cname]),
                          dns::to_string(z.zone.record_sets[*other].type),
                          where_text(z.record_locs[*other])));
    }
}

}  // namespace vpcstack::model::build
