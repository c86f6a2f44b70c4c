// The places of a topology and the selectors that name groups of them.
#include <fmt/format.h>

#include <algorithm>

#include "vpcstack/sim/endpoint.hpp"
#include "vpcstack/verify/reach.hpp"

namespace vpcstack::verify {
namespace {

using model::Index;
using model::Topology;

bool named(const model::Meta& meta, std::string_view text) {
    return meta.name == text || (!meta.id.empty() && meta.id == text);
}

// The first of the names `vpcctl trace` resolves to this ENI alone.
std::string trace_name_of(const Topology& t, Index eni) {
    const model::Eni& e = t.enis[eni];
    std::vector<std::string> candidates;
    const model::Instance& instance = t.instances[e.instance];
    if (instance.enis.front() == eni) {
        candidates.push_back(instance.meta.name);
        if (!instance.meta.id.empty()) candidates.push_back(instance.meta.id);
    }
    candidates.push_back(e.meta.name);
    if (!e.meta.id.empty()) candidates.push_back(e.meta.id);
    for (const std::string& c : candidates) {
        sim::ResolveResult r = sim::resolve_endpoint(t, c);
        if (r.endpoint && r.endpoint->kind == sim::Endpoint::Kind::Instance &&
            r.endpoint->eni == eni && !r.endpoint->via_public_address) {
            return c;
        }
    }
    return e.primary_ip().to_string();
}

}  // namespace

std::vector<Place> places_of(const Topology& t) {
    std::vector<Place> places;
    for (const model::Instance& instance : t.instances) {
        for (Index eni : instance.enis) {
            const model::Eni& e = t.enis[eni];
            Place p;
            p.kind = Place::Kind::Eni;
            p.eni = eni;
            p.name = eni == instance.enis.front() ? instance.meta.name
                                                  : instance.meta.name + "/" + e.meta.name;
            p.address = e.primary_ip().to_string();
            p.trace_name = trace_name_of(t, eni);
            places.push_back(std::move(p));
        }
    }
    Place internet;
    internet.kind = Place::Kind::Internet;
    internet.name = "internet";
    internet.trace_name = "internet";
    places.push_back(std::move(internet));
    return places;
}

Selection select_places(const Topology& t, const std::vector<Place>& places,
                        std::string_view selector) {
    // An optional kind prefix settles a name that several kinds share: "sg:web".
    std::string_view kind;
    std::string_view name = selector;
    if (auto colon = selector.find(':'); colon != std::string_view::npos) {
        kind = selector.substr(0, colon);
        name = selector.substr(colon + 1);
        static constexpr std::string_view kKinds[] = {"instance", "eni", "subnet",
                                                      "vpc",      "sg",  "cidr"};
        if (std::find(std::begin(kKinds), std::end(kKinds), kind) == std::end(kKinds)) {
            return {{},
                    fmt::format("'{}': unknown kind '{}'; expected instance:, eni:, subnet:, "
                                "vpc:, sg: or cidr:",
                                selector, kind)};
        }
    }
    auto wants = [&](std::string_view k) { return kind.empty() || kind == k; };
    auto pick = [&](auto&& eni_matches) {
        Selection s;
        for (std::size_t i = 0; i < places.size(); ++i) {
            if (places[i].kind == Place::Kind::Eni && eni_matches(places[i].eni)) {
                s.places.push_back(i);
            }
        }
        return s;
    };
    auto internet = [&] {
        Selection s;
        for (std::size_t i = 0; i < places.size(); ++i) {
            if (places[i].kind == Place::Kind::Internet) s.places.push_back(i);
        }
        return s;
    };

    if (kind.empty() && name == "internet") return internet();
    if (wants("instance")) {
        for (const model::Instance& instance : t.instances) {
            if (!named(instance.meta, name)) continue;
            return pick(
                [&](Index eni) { return t.enis[eni].instance == &instance - &t.instances[0]; });
        }
    }
    if (wants("eni")) {
        for (Index e = 0; e < t.enis.size(); ++e) {
            if (named(t.enis[e].meta, name)) return pick([&](Index eni) { return eni == e; });
        }
    }
    if (wants("subnet")) {
        for (Index s = 0; s < t.subnets.size(); ++s) {
            if (named(t.subnets[s].meta, name)) {
                return pick([&](Index eni) { return t.enis[eni].subnet == s; });
            }
        }
    }
    if (wants("vpc")) {
        for (Index v = 0; v < t.vpcs.size(); ++v) {
            if (named(t.vpcs[v].meta, name)) {
                return pick([&](Index eni) { return t.enis[eni].vpc == v; });
            }
        }
    }
    if (wants("sg")) {
        for (Index g = 0; g < t.security_groups.size(); ++g) {
            if (!named(t.security_groups[g].meta, name)) continue;
            return pick([&](Index eni) {
                const auto& groups = t.enis[eni].security_groups;
                return std::find(groups.begin(), groups.end(), g) != groups.end();
            });
        }
    }
    if (wants("cidr")) {
        bool host_bits = false;
        if (auto cidr = net::Cidr::parse_lenient(name, &host_bits); cidr && !host_bits) {
            Selection s = pick([&](Index eni) {
                const auto& ips = t.enis[eni].private_ips;
                return std::any_of(ips.begin(), ips.end(),
                                   [&](net::Ipv4Address a) { return cidr->contains(a); });
            });
            // Addresses outside every VPC are the internet's.
            bool inside = false;
            for (const model::Vpc& vpc : t.vpcs) {
                for (const net::Cidr& c : vpc.cidrs) inside |= c.contains(*cidr);
            }
            if (!inside) {
                Selection i = internet();
                s.places.insert(s.places.end(), i.places.begin(), i.places.end());
            }
            return s;
        }
        if (kind == "cidr") {
            return {
                {},
                fmt::format("'{}': expected a CIDR such as 10.0.1.0/24, without host bits", name)};
        }
    }
    return {{},
            fmt::format("'{}' names no instance, ENI, subnet, VPC or security group, and is not a "
                        "CIDR or 'internet'",
                        selector)};
}

}  // namespace vpcstack::verify
