#include "vpcstack/render/facts.hpp"

namespace vpcstack::render {

using model::Index;
using model::kNone;
using model::RouteTargetKind;

namespace {

const model::RouteTable* table_of(const model::Topology& topo, Index subnet) {
    Index rt = topo.subnets.at(subnet).route_table;
    return rt == kNone ? nullptr : &topo.route_tables.at(rt);
}

std::string name_or(const std::string& name, const char* fallback) {
    return name.empty() ? fallback : name;
}

}  // namespace

const model::Route* internet_route(const model::Topology& topo, Index subnet) {
    const model::RouteTable* table = table_of(topo, subnet);
    if (table == nullptr) return nullptr;
    const model::Route* best = nullptr;
    for (const model::Route& route : table->routes) {
        if (route.target.kind != RouteTargetKind::InternetGateway) continue;
        if (route.to_prefix_list()) continue;  // some addresses only, never a whole range
        if (best == nullptr || route.destination.length() < best->destination.length()) {
            best = &route;
        }
    }
    return best;
}

const model::Route* default_route(const model::Topology& topo, Index subnet) {
    const model::RouteTable* table = table_of(topo, subnet);
    if (table == nullptr) return nullptr;
    for (const model::Route& route : table->routes) {
        if (!route.to_prefix_list() && route.destination.length() == 0) return &route;
    }
    return nullptr;
}

std::string target_name(const model::Topology& topo, const model::RouteTarget& target) {
    const bool known = target.index != kNone;
    switch (target.kind) {
        case RouteTargetKind::Local:
            return "local";
        case RouteTargetKind::Blackhole:
            return "blackhole";
        case RouteTargetKind::InternetGateway:
            if (known && target.index < topo.internet_gateways.size()) {
                return "igw/" + topo.internet_gateways[target.index].meta.name;
            }
            break;
        case RouteTargetKind::NatGateway:
            if (known && target.index < topo.nat_gateways.size()) {
                return "nat/" + topo.nat_gateways[target.index].meta.name;
            }
            break;
        case RouteTargetKind::Peering:
            if (known && target.index < topo.peerings.size()) {
                return "peering/" + topo.peerings[target.index].meta.name;
            }
            break;
        case RouteTargetKind::Instance:
            if (known && target.index < topo.instances.size()) {
                return "instance/" + topo.instances[target.index].meta.name;
            }
            break;
        case RouteTargetKind::Eni:
            if (known && target.index < topo.enis.size()) {
                return "eni/" + topo.enis[target.index].meta.name;
            }
            break;
    }
    return name_or(target.text, "?");
}

std::string route_text(const model::Topology& topo, const model::Route& route) {
    return topo.destination_text(route) + " -> " + target_name(topo, route.target);
}

std::string blackhole_reason(const model::Topology& topo, const model::Route& route) {
    const model::RouteTarget& target = route.target;
    switch (target.kind) {
        case RouteTargetKind::Blackhole:
            return target.was.empty() ? "written as blackhole" : target.was + " was deleted";
        case RouteTargetKind::Peering: {
            const model::Peering& p = topo.peerings.at(target.index);
            if (p.status != model::PeeringStatus::Active) {
                return "peering " + p.meta.name + " is " + model::to_string(p.status);
            }
            return {};
        }
        case RouteTargetKind::Instance: {
            const model::Instance& instance = topo.instances.at(target.index);
            if (!instance.running) return "instance " + instance.meta.name + " is not running";
            return {};
        }
        case RouteTargetKind::Eni: {
            const model::Eni& eni = topo.enis.at(target.index);
            if (eni.instance != kNone && !topo.instances.at(eni.instance).running) {
                return "instance " + topo.instances.at(eni.instance).meta.name + " is not running";
            }
            return {};
        }
        case RouteTargetKind::Local:
        case RouteTargetKind::InternetGateway:
        case RouteTargetKind::NatGateway:
            return {};
    }
    return {};
}

std::string eni_display_name(const model::Topology& topo, Index eni) {
    const model::Eni& e = topo.enis.at(eni);
    if (e.instance == kNone) return e.meta.name;
    const model::Instance& instance = topo.instances.at(e.instance);
    if (instance.enis.size() == 1) return instance.meta.name;
    const std::string prefix = instance.meta.name + "/";
    if (e.meta.name.starts_with(prefix)) return e.meta.name;
    return prefix + e.meta.name;
}

}  // namespace vpcstack::render
