// Route tables. AWS: VPC_Route_Tables (implicit local routes, one route per destination, the
// targets a route may name), middlebox-routing (routes more specific than a local route),
// replace-local-route-target (a network interface in place of a local route's target),
// managed-prefix-lists (a prefix list as a destination), gateway-route-tables (the routes a
// table associated with an internet gateway may have), CreateRoute (an instance target needs
// exactly one interface).
#include <algorithm>

#include "../build/builder.hpp"
#include "vpcstack/model/cloud_rules.hpp"

namespace vpcstack::model::build {

void Builder::resolve_route_table(Index i) {
    RouteTable& table = t_.route_tables[i];
    const Vpc& vpc = t_.vpcs[table.vpc];
    // AWS: VPC_Route_Tables — every table has an implicit local route per VPC CIDR.
    table.routes = local_routes(vpc, raw_.file);
    const RawRouteTable* raw = raw_route_tables_[i];
    if (raw == nullptr) return;
    const Subject s{"route table", raw->meta.name, raw->meta.loc};
    for (const RawRoute& r : raw->routes) {
        Index prefix_list = kNone;
        if (!r.prefix_list.empty()) {
            // AWS: managed-prefix-lists — a route's destination may be a prefix list.
            prefix_list = resolve_global(prefix_list_names_, "prefix list", r.prefix_list, r.loc, s,
                                         fmt::format("route '{}'", r.text));
            if (prefix_list == kNone) continue;
        }
        auto target = resolve_route_target(r, table.vpc, s);
        if (!target) continue;
        Route route{r.destination, *target, r.loc, false, prefix_list};
        if (!check_route(route, r.text, table.vpc, table.routes, s)) continue;
        // AWS: replace-local-route-target — a route to a whole VPC CIDR replaces the target of
        // that CIDR's local route; the table keeps one route per destination.
        auto local = std::find_if(table.routes.begin(), table.routes.end(), [&](const Route& e) {
            return e.implicit && !route.to_prefix_list() && e.destination == route.destination;
        });
        if (local != table.routes.end()) {
            *local = std::move(route);
        } else {
            table.routes.push_back(std::move(route));
        }
    }
}

// Targets: local, blackhole, igw, igw/NAME, nat/NAME, peering/NAME, instance/NAME, eni/NAME.
std::optional<RouteTarget> Builder::resolve_route_target(const RawRoute& r, Index vpc,
                                                         const Subject& s) {
    const std::string where = fmt::format("route '{}'", r.text);
    const std::string& text = r.target;
    const Vpc& v = t_.vpcs[vpc];
    auto other_vpc = [&](const char* noun, const std::string& name, Index owner) {
        error(r.loc, s,
              fmt::format("{} targets {} '{}' of VPC '{}'; expected {} {} of VPC '{}'", where, noun,
                          name, vpc_name(owner), article(noun), noun, v.meta.name));
    };
    if (text == "local") {
        // AWS: VPC_Route_Tables — local routes are implicit and cannot be created.
        error(r.loc, s,
              fmt::format("{} is a local route; expected local routes to stay implicit (one is "
                          "made for each VPC CIDR)",
                          where));
        return std::nullopt;
    }
    if (text == "blackhole") return RouteTarget{RouteTargetKind::Blackhole, kNone, text, r.was};
    if (text == "igw") {
        if (v.internet_gateway == kNone) {
            error(r.loc, s,
                  fmt::format("{} targets the internet gateway, but VPC '{}' has none; expected "
                              "an 'internet_gateway' on the VPC",
                              where, v.meta.name));
            return std::nullopt;
        }
        return RouteTarget{RouteTargetKind::InternetGateway, v.internet_gateway, text};
    }
    const std::size_t slash = text.find('/');
    const std::string kind = text.substr(0, slash);
    const std::string name = slash == std::string::npos ? "" : text.substr(slash + 1);
    if (slash == std::string::npos || name.empty() ||
        (kind != "igw" && kind != "nat" && kind != "peering" && kind != "instance" &&
         kind != "eni")) {
        error(r.loc, s,
              fmt::format("{} has target '{}'; expected igw, igw/NAME, nat/NAME, peering/NAME, "
                          "instance/NAME, eni/NAME or blackhole",
                          where, text));
        return std::nullopt;
    }
    if (kind == "igw") {
        Index g = resolve_global(igw_names_, "internet gateway", name, r.loc, s, where);
        if (g == kNone) return std::nullopt;
        if (t_.internet_gateways[g].vpc != vpc) {
            other_vpc("internet gateway", name, t_.internet_gateways[g].vpc);
            return std::nullopt;
        }
        return RouteTarget{RouteTargetKind::InternetGateway, g, text};
    }
    if (kind == "nat") {
        auto n = resolve_scoped(&VpcScope::nat_gateways, "NAT gateway", name, vpc, r.loc, s, where);
        if (!n) return std::nullopt;
        if (n->vpc != vpc) {
            other_vpc("NAT gateway", name, n->vpc);
            return std::nullopt;
        }
        return RouteTarget{RouteTargetKind::NatGateway, n->index, text};
    }
    if (kind == "peering") {
        Index p = resolve_global(peering_names_, "peering", name, r.loc, s, where);
        if (p == kNone) return std::nullopt;
        const Peering& peering = t_.peerings[p];
        if (peering.requester != vpc && peering.accepter != vpc) {
            auto side = [&](Index x) { return x == kNone ? std::string("?") : vpc_name(x); };
            error(r.loc, s,
                  fmt::format("{} targets peering '{}', which connects VPCs '{}' and '{}'; "
                              "expected a peering of VPC '{}'",
                              where, name, side(peering.requester), side(peering.accepter),
                              v.meta.name));
            return std::nullopt;
        }
        return RouteTarget{RouteTargetKind::Peering, p, text};
    }
    if (kind == "instance") {
        Index in = resolve_global(instance_names_, "instance", name, r.loc, s, where);
        if (in == kNone) return std::nullopt;
        if (instance_vpc_[in] != vpc) {
            other_vpc("instance", name, instance_vpc_[in]);
            return std::nullopt;
        }
        // AWS: CreateRoute — an instance target needs exactly one network interface.
        if (t_.instances[in].enis.size() > 1) {
            error(r.loc, s,
                  fmt::format("{} targets instance '{}', which has {} network interfaces; "
                              "expected eni/NAME to choose one",
                              where, name, t_.instances[in].enis.size()));
            return std::nullopt;
        }
        return RouteTarget{RouteTargetKind::Instance, in, text};
    }
    Index e = resolve_global(eni_names_, "ENI", name, r.loc, s, where);
    if (e == kNone) return std::nullopt;
    if (t_.enis[e].vpc != vpc) {
        other_vpc("ENI", name, t_.enis[e].vpc);
        return std::nullopt;
    }
    return RouteTarget{RouteTargetKind::Eni, e, text};
}

bool Builder::check_route(const Route& route, const std::string& text, Index vpc,
                          const std::vector<Route>& earlier, const Subject& s) {
    const std::string where = fmt::format("route '{}'", text);
    const RouteTargetKind k = cloud::effective_kind(route.target);
    for (const Route& e : earlier) {
        if (e.prefix_list != route.prefix_list) continue;
        if (!route.to_prefix_list() && e.destination != route.destination) continue;
        if (e.implicit) {
            // AWS: replace-local-route-target — only a network interface may take the place of
            // the local target.
            if (cloud::may_replace_local_target(k)) return true;
            error(route.loc, s,
                  fmt::format("{} has the destination of the local route {} with target {}; "
                              "expected an ENI or instance target (replacing the local "
                              "route's target) or no route (the local route is implicit)",
                              where, e.destination.to_string(), to_string(k)));
        } else {
            error(route.loc, s,
                  fmt::format("{} repeats destination {} ({}); expected each destination once "
                              "per route table",
                              where, t_.destination_text(e), where_text(e.loc)));
        }
        return false;
    }
    // A prefix list's entries are matched one by one, by longest prefix (policy/route_table).
    if (route.to_prefix_list()) return true;
    // AWS: VPC_Route_Tables, middlebox-routing — a route more specific than a local route must
    // name exactly a subnet CIDR of the VPC and target a NAT gateway or a network interface.
    const Vpc& v = t_.vpcs[vpc];
    // (A destination equal to a VPC CIDR was reported above as the local route's.)
    const std::optional<net::Cidr> local = cloud::local_route_covering(v.cidrs, route.destination);
    if (!local) return true;
    const bool whole_subnet = std::any_of(v.subnets.begin(), v.subnets.end(), [&](Index sn) {
        return t_.subnets[sn].cidr == route.destination && raw_subnets_[sn]->cidr.has_value();
    });
    if (!whole_subnet) {
        error(route.loc, s,
              fmt::format("{} is more specific than the local route {} but is not a subnet "
                          "CIDR of the VPC; expected the exact CIDR of a subnet (middlebox "
                          "routing)",
                          where, local->to_string()));
        return false;
    }
    if (!cloud::may_take_subnet_traffic(k)) {
        error(route.loc, s,
              fmt::format("{} is more specific than the local route {} with target {}; expected "
                          "a NAT gateway, ENI or instance target (middlebox routing)",
                          where, local->to_string(), to_string(k)));
        return false;
    }
    return true;
}

// AWS: gateway-route-tables — a gateway route table routes to local or to a network interface,
// for the entire VPC CIDR (replacing the local target) or the entire CIDR of a subnet, never to
// a CIDR outside the VPC and never for a prefix list.
void Builder::check_gateway_route_table(Index table, const Subject& gateway,
                                        const SourceLocation& loc) {
    const RouteTable& rt = t_.route_tables[table];
    const Vpc& v = t_.vpcs[rt.vpc];
    const Subject s{"route table", rt.meta.name, rt.meta.loc};
    bool ok = true;
    for (const Route& r : rt.routes) {
        if (r.implicit) continue;
        const std::string where =
            fmt::format("route '{} -> {}'", t_.destination_text(r), r.target.text);
        if (r.to_prefix_list()) {
            error(r.loc, s,
                  fmt::format("{} has a prefix-list destination, but the table is the gateway "
                              "route table of {} '{}'; expected the VPC CIDR or a subnet CIDR",
                              where, gateway.kind, gateway.name));
            ok = false;
        } else if (!cloud::local_route_covering(v.cidrs, r.destination)) {
            error(r.loc, s,
                  fmt::format("{} is outside VPC '{}' ({}), but the table is the gateway route "
                              "table of {} '{}'; expected the VPC CIDR or a subnet CIDR",
                              where, v.meta.name, join_cidrs(v.cidrs), gateway.kind, gateway.name));
            ok = false;
        } else if (!cloud::gateway_route_table_may_target(cloud::effective_kind(r.target))) {
            error(r.loc, s,
                  fmt::format("{} has target {}, but the table is the gateway route table of {} "
                              "'{}'; expected local or an ENI or instance target",
                              where, to_string(r.target.kind), gateway.kind, gateway.name));
            ok = false;
        }
    }
    if (!ok) {
        error(loc, gateway,
              fmt::format("'route_table' names route table '{}', whose routes a gateway route "
                          "table cannot have (see above)",
                          rt.meta.name));
    }
}

}  // namespace vpcstack::model::build
