// The places of a topology and the selectors that name groups of them.
#include <fmt/format.h>

#include <algorithm>

#include <set>
#include "vpcstack/dns/message.hpp"
#include "vpcstack/model/dns_views.hpp"
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
    if (e.instance != model::kNone) {
        const model::Instance& instance = t.instances[e.instance];
        if (instance.enis.front() == eni) {
            candidates.push_back(instance.meta.name);
            if (!instance.meta.id.empty()) candidates.push_back(instance.meta.id);
        }
    }
    if (e.load_balancer != model::kNone) {  // trace resolves an ALB's name to its first node
        const model::LoadBalancer& lb = t.load_balancers[e.load_balancer];
        candidates.push_back(lb.meta.name);
        if (!lb.meta.id.empty()) candidates.push_back(lb.meta.id);
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

// The ENIs of a load balancer's nodes (an ALB's; an NLB has none).
std::vector<Index> node_enis(const model::LoadBalancer& lb) {
    std::vector<Index> out;
    for (const model::LoadBalancerNode& node : lb.nodes) {
        if (node.eni != model::kNone) out.push_back(node.eni);
    }
    return out;
}

}  // namespace

bool Place::source() const noexcept {
    return kind != Kind::LoadBalancer || eni != model::kNone;
}

std::vector<Place> places_of(const Topology& t) {
    std::vector<Place> places;
    for (const model::Instance& instance : t.instances) {
        for (Index eni : instance.enis) {
            const model::Eni& e = t.enis[eni];
            Place p;
            p.kind = Place::Kind::Eni;
            p.eni = eni;
            // A secondary ENI: "web/eth1" (its own name when it already says whose it is).
            p.name = instance.meta.name;
            if (eni != instance.enis.front()) {
                const bool prefixed = e.meta.name.starts_with(instance.meta.name + "/");
                p.name = prefixed ? e.meta.name : instance.meta.name + "/" + e.meta.name;
            }
            p.address = e.primary_ip().to_string();
            p.trace_name = trace_name_of(t, eni);
            places.push_back(std::move(p));
        }
    }
    for (Index b = 0; b < t.load_balancers.size(); ++b) {
        const model::LoadBalancer& lb = t.load_balancers[b];
        if (lb.nodes.empty()) continue;
        const model::LoadBalancerNode& first = lb.nodes.front();
        if (lb.type == model::LoadBalancerType::Application && first.eni == model::kNone) continue;
        Place p;
        p.kind = Place::Kind::LoadBalancer;
        p.load_balancer = b;
        p.eni = first.eni;
        p.name = lb.meta.name;
        p.address = first.private_ip.to_string();
        if (p.eni != model::kNone) {
            p.trace_name = trace_name_of(t, p.eni);
        } else {  // a Network Load Balancer: by its name, unless that names something else too
            sim::ResolveResult r = sim::resolve_endpoint(t, lb.meta.name);
            const bool unique = r.endpoint && r.endpoint->load_balancer == b;
            p.trace_name = unique ? lb.meta.name : p.address;
        }
        places.push_back(std::move(p));
    }
    Place internet;
    internet.kind = Place::Kind::Internet;
    internet.name = "internet";
    internet.trace_name = "internet";
    places.push_back(std::move(internet));
    return places;
}

namespace {

// AWS: vpc-dns, hosted-zone-private-considerations — a DNS name selects the places its
// addresses belong to as any client resolves it: through the internet's name servers (public
// zones, public hostnames) and through each VPC's resolver (its private zones first). A private
// or public address of an ENI selects that ENI, a load balancer node's address the load
// balancer, any other address outside the VPCs the internet. Nothing when it resolves nowhere.
std::optional<Selection> by_name(const Topology& t, const std::vector<Place>& places,
                                 std::string_view name) {
    model::DnsViews views(t);
    dns::Random random(0x5eed);
    const dns::Question question{dns::normalize_name(name), dns::RrType::A};
    std::set<std::size_t> chosen;
    bool resolved = false;
    auto take = [&](const dns::ZoneView& view, Index vpc) {
        dns::Resolution r = dns::resolve(view, question, {}, {}, views.alias(), random);
        for (const dns::Record& record : r.answer.answers) {
            if (record.type != dns::RrType::A) continue;
            auto address = net::Ipv4Address::parse(record.data);
            if (!address) continue;
            resolved = true;
            bool owned = false;
            for (std::size_t i = 0; i < places.size(); ++i) {
                const Place& p = places[i];
                if (p.kind == Place::Kind::Eni) {
                    const model::Eni& eni = t.enis[p.eni];
                    const bool private_match =
                        (vpc == model::kNone || eni.vpc == vpc) &&
                        std::find(eni.private_ips.begin(), eni.private_ips.end(), *address) !=
                            eni.private_ips.end();
                    if (private_match || t.public_address_of_eni(p.eni) == *address) {
                        chosen.insert(i);
                        owned = true;
                    }
                } else if (p.kind == Place::Kind::LoadBalancer) {
                    for (const model::LoadBalancerNode& n :
                         t.load_balancers[p.load_balancer].nodes) {
                        if (n.private_ip == *address ||
                            t.public_address_of_lb_node(n) == *address) {
                            chosen.insert(i);
                            owned = true;
                        }
                    }
                }
            }
            if (!owned && !t.vpc_containing(*address)) {
                for (std::size_t i = 0; i < places.size(); ++i) {
                    if (places[i].kind == Place::Kind::Internet) chosen.insert(i);
                }
            }
        }
    };
    take(views.internet(), model::kNone);
    for (Index v = 0; v < t.vpcs.size(); ++v) take(views.vpc(v), v);
    if (!resolved) return std::nullopt;
    return Selection{{chosen.begin(), chosen.end()}, ""};
}

}  // namespace

Selection select_places(const Topology& t, const std::vector<Place>& places,
                        std::string_view selector) {
    // An optional kind prefix settles a name that several kinds share: "sg:web".
    std::string_view kind;
    std::string_view name = selector;
    if (auto colon = selector.find(':'); colon != std::string_view::npos) {
        kind = selector.substr(0, colon);
        name = selector.substr(colon + 1);
        static constexpr std::string_view kKinds[] = {"instance", "eni", "lb",   "subnet",
                                                      "vpc",      "sg",  "cidr", "dns"};
        if (std::find(std::begin(kKinds), std::end(kKinds), kind) == std::end(kKinds)) {
            return {{},
                    fmt::format("'{}': unknown kind '{}'; expected instance:, eni:, lb:, "
                                "subnet:, vpc:, sg:, cidr: or dns:",
                                selector, kind)};
        }
    }
    auto wants = [&](std::string_view k) { return kind.empty() || kind == k; };
    // ENIs by a test on the ENI; load balancers by a test on the load balancer (by default:
    // one of its nodes' ENIs passes the ENI's test).
    auto pick_both = [&](auto&& eni_matches, auto&& lb_matches) {
        Selection s;
        for (std::size_t i = 0; i < places.size(); ++i) {
            const Place& p = places[i];
            const bool match = (p.kind == Place::Kind::Eni && eni_matches(p.eni)) ||
                               (p.kind == Place::Kind::LoadBalancer &&
                                lb_matches(t.load_balancers[p.load_balancer]));
            if (match) s.places.push_back(i);
        }
        return s;
    };
    auto pick = [&](auto&& eni_matches) {
        return pick_both(eni_matches, [&](const model::LoadBalancer& lb) {
            const std::vector<Index> enis = node_enis(lb);
            return std::any_of(enis.begin(), enis.end(), eni_matches);
        });
    };
    auto nodes_where = [](const model::LoadBalancer& lb, auto&& node_matches) {
        return std::any_of(lb.nodes.begin(), lb.nodes.end(), node_matches);
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
    if (wants("lb")) {
        for (const model::LoadBalancer& lb : t.load_balancers) {
            if (!named(lb.meta, name)) continue;
            return pick_both([](Index) { return false; },
                             [&](const model::LoadBalancer& other) { return &other == &lb; });
        }
    }
    if (wants("subnet")) {
        for (Index s = 0; s < t.subnets.size(); ++s) {
            if (named(t.subnets[s].meta, name)) {
                return pick_both([&](Index eni) { return t.enis[eni].subnet == s; },
                                 [&](const model::LoadBalancer& lb) {
                                     return nodes_where(lb, [&](const model::LoadBalancerNode& n) {
                                         return n.subnet == s;
                                     });
                                 });
            }
        }
    }
    if (wants("vpc")) {
        for (Index v = 0; v < t.vpcs.size(); ++v) {
            if (named(t.vpcs[v].meta, name)) {
                return pick_both([&](Index eni) { return t.enis[eni].vpc == v; },
                                 [&](const model::LoadBalancer& lb) { return lb.vpc == v; });
            }
        }
    }
    if (wants("sg")) {
        for (Index g = 0; g < t.security_groups.size(); ++g) {
            if (!named(t.security_groups[g].meta, name)) continue;
            auto member = [&](const std::vector<Index>& groups) {
                return std::find(groups.begin(), groups.end(), g) != groups.end();
            };
            return pick_both(
                [&](Index eni) { return member(t.enis[eni].security_groups); },
                [&](const model::LoadBalancer& lb) { return member(lb.security_groups); });
        }
    }
    if (wants("cidr")) {
        bool host_bits = false;
        if (auto cidr = net::Cidr::parse_lenient(name, &host_bits); cidr && !host_bits) {
            Selection s = pick_both(
                [&](Index eni) {
                    const auto& ips = t.enis[eni].private_ips;
                    return std::any_of(ips.begin(), ips.end(),
                                       [&](net::Ipv4Address a) { return cidr->contains(a); });
                },
                [&](const model::LoadBalancer& lb) {
                    return nodes_where(lb, [&](const model::LoadBalancerNode& n) {
                        return cidr->contains(n.private_ip);
                    });
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
    if (wants("dns") && name.find('.') != std::string_view::npos) {
        if (std::optional<Selection> s = by_name(t, places, name)) return *s;
        if (kind == "dns") {
            return {{},
                    fmt::format("'{}': the name resolves to no address of this topology, "
                                "through the internet's name servers or any VPC's resolver",
                                name)};
        }
    }
    return {{},
            fmt::format("'{}' names no instance, ENI, load balancer, subnet, VPC or security "
                        "group, and is not a CIDR, a DNS name of the topology or 'internet'",
                        selector)};
}

}  // namespace vpcstack::verify
