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
            c.blackhole_reason = "the route's target is blackhole";
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
    bool has_local = false;
    for (const model::Route& r : rt.routes) {
        CompiledRoute c;
        c.destination = r.destination;
        resolve(topology, r, c);
        c.text = r.destination.to_string() + " -> " +
                 (r.target.text.empty() ? model::to_string(r.target.kind) : r.target.text);
        if (c.kind == model::RouteTargetKind::Local) has_local = true;
        routes_.push_back(std::move(c));
    }
    // AWS: VPC_Route_Tables — the local routes are implicit; add them if the model left them out.
    if (!has_local && rt.vpc < topology.vpcs.size()) {
        for (const net::Cidr& cidr : topology.vpcs[rt.vpc].cidrs) {
            CompiledRoute c;
            c.destination = cidr;
            c.text = cidr.to_string() + " -> local";
            routes_.push_back(std::move(c));
        }
    }
    // AWS: VPC_Route_Tables — longest prefix match; try longer prefixes first.
    std::stable_sort(routes_.begin(), routes_.end(), [](const auto& a, const auto& b) {
        return a.destination.length() > b.destination.length();
    });
}

const CompiledRoute* CompiledRouteTable::lookup(net::Ipv4Address destination) const noexcept {
    for (const CompiledRoute& r : routes_) {
        if (r.destination.contains(destination)) return &r;
    }
    return nullptr;
}

}  // namespace vpcstack::policy
