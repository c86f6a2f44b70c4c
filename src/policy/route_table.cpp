#include "vpcstack/policy/route_table.hpp"

#include <algorithm>

namespace vpcstack::policy {

namespace {

// Resolves the target and decides whether the route is a blackhole.
// AWS: VPC_Route_Tables — a target that is deleted, stopped or not active makes a blackhole.
void resolve(const model::Topology& topo, const model::Route& route, CompiledRoute& c) {
    using K = model::RouteTargetKind;
    c.kind = route.target.kind;
    c.target = route.target.index;
    switch (c.kind) {
        case K::Local:
            break;
        case K::Blackhole:
            c.blackhole = true;
            // AWS: VPC_Route_Tables — a route whose target was deleted stays, in state
            // blackhole, naming that target.
            c.blackhole_reason = route.target.was.empty()
                                     ? "the route's target is blackhole"
                                     : "its target " + route.target.was + " was deleted";
            break;
        case K::InternetGateway:
            if (c.target >= topo.internet_gateways.size()) {
                c.blackhole = true;
                c.blackhole_reason = "the internet gateway does not exist";
            }
            break;
        case K::NatGateway:
            if (c.target >= topo.nat_gateways.size()) {
                c.blackhole = true;
                c.blackhole_reason = "the NAT gateway does not exist";
            }
            break;
        case K::Peering:
            if (c.target >= topo.peerings.size()) {
                c.blackhole = true;
                c.blackhole_reason = "the peering connection does not exist";
            } else if (topo.peerings[c.target].status != model::PeeringStatus::Active) {
                // AWS: vpc-peering-routing — only an active peering carries traffic.
                c.blackhole = true;
                c.blackhole_reason = "peering " + topo.peerings[c.target].meta.name + " is " +
                                     model::to_string(topo.peerings[c.target].status);
            }
            break;
        case K::Instance:
            if (c.target >= topo.instances.size() || topo.instances[c.target].enis.empty()) {
                c.blackhole = true;
                c.blackhole_reason = "the instance does not exist";
            } else if (!topo.instances[c.target].running) {
                c.blackhole = true;
                c.blackhole_reason =
                    "instance " + topo.instances[c.target].meta.name + " is not running";
            } else {
                c.target = topo.instances[c.target].enis.front();
            }
            break;
        case K::Eni:
            if (c.target >= topo.enis.size()) {
                c.blackhole = true;
                c.blackhole_reason = "the network interface does not exist";
            } else {
                model::Index inst = topo.enis[c.target].instance;
                if (inst != model::kNone && inst < topo.instances.size() &&
                    !topo.instances[inst].running) {
                    c.blackhole = true;
                    c.blackhole_reason =
                        "instance " + topo.instances[inst].meta.name + " is not running";
                }
            }
            break;
    }
    if (c.blackhole) c.target = model::kNone;
}

}  // namespace

CompiledRouteTable::CompiledRouteTable(const model::Topology& topology, model::Index table) {
    const model::RouteTable& rt = topology.route_tables.at(table);
    for (const model::Route& r : rt.routes) {
        CompiledRoute c;
        c.destination = r.destination;
        resolve(topology, r, c);
        const std::string target =
            r.target.text.empty() ? model::to_string(r.target.kind) : r.target.text;
        if (!r.to_prefix_list()) {
            c.text = r.destination.to_string() + " -> " + target;
            routes_.push_back(std::move(c));
            continue;
        }
        // One route per entry of the list, each with its own prefix length.
        const model::PrefixList& pl = topology.prefix_lists.at(r.prefix_list);
        c.from_prefix_list = true;
        for (const net::Cidr& cidr : pl.cidrs) {
            CompiledRoute entry = c;
            entry.destination = cidr;
            entry.text = "pl:" + pl.meta.name + " (" + cidr.to_string() + ") -> " + target;
            routes_.push_back(std::move(entry));
        }
    }
    // AWS: VPC_Route_Tables — every VPC CIDR has its local route; add the ones the model left
    // out. AWS: replace-local-route-target — a route written for a whole VPC CIDR is that
    // CIDR's local route with its target replaced, so no local route is added beside it.
    if (rt.vpc < topology.vpcs.size()) {
        for (const net::Cidr& cidr : topology.vpcs[rt.vpc].cidrs) {
            const bool present =
                std::any_of(rt.routes.begin(), rt.routes.end(), [&](const model::Route& r) {
                    return !r.to_prefix_list() && r.destination == cidr;
                });
            if (present) continue;
            CompiledRoute c;
            c.destination = cidr;
            c.text = cidr.to_string() + " -> local";
            routes_.push_back(std::move(c));
        }
    }
    // AWS: VPC_Route_Tables, route-tables-priority — longest prefix match, so longer prefixes
    // are tried first; at equal length a CIDR route comes before a prefix-list route.
    std::stable_sort(routes_.begin(), routes_.end(), [](const auto& a, const auto& b) {
        if (a.destination.length() != b.destination.length()) {
            return a.destination.length() > b.destination.length();
        }
        return !a.from_prefix_list && b.from_prefix_list;
    });
}

const CompiledRoute* CompiledRouteTable::lookup(net::Ipv4Address destination) const noexcept {
    for (const CompiledRoute& r : routes_) {
        if (r.destination.contains(destination)) return &r;
    }
    return nullptr;
}

}  // namespace vpcstack::policy
