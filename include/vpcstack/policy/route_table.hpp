// Route selection, compiled from a model::RouteTable.
//
// AWS: VPC_Route_Tables — longest prefix match decides; the local routes of the VPC's CIDRs are
// always present (a route written for a whole VPC CIDR is its local route with the target
// replaced, AWS: replace-local-route-target). A route whose target is deleted, stopped or not
// active (a peering that is not active, an instance that is not running) is a blackhole:
// matching traffic is dropped.
// AWS: route-tables-priority — a route whose destination is a prefix list stands for one route
// per CIDR of the list, each compared by its own prefix length; at equal length a route to a
// CIDR written in the table takes priority over a prefix-list route.
#pragma once

#include <string>
#include <vector>

#include "vpcstack/model/topology.hpp"
#include "vpcstack/policy/match.hpp"

namespace vpcstack::policy {

struct CompiledRoute {
    net::Cidr destination;
    model::RouteTargetKind kind = model::RouteTargetKind::Local;
    // The resolved target: the IGW, NAT gateway or peering index, or the ENI index for both
    // Instance (its primary ENI) and Eni targets; kNone for Local and Blackhole.
    model::Index target = model::kNone;
    bool blackhole = false;
    std::string blackhole_reason;  // why the route is a blackhole, for traces
    std::string text;              // "0.0.0.0/0 -> igw", as written
    // The route's destination is a prefix list; `destination` is one of its CIDRs.
    bool from_prefix_list = false;

    // The destinations this route is a candidate for (before longer prefixes take over).
    Box destination_box() const noexcept {
        Box b;
        b.dst = to_range(destination);
        return b;
    }
};

class CompiledRouteTable {
  public:
    CompiledRouteTable() = default;
    CompiledRouteTable(const model::Topology& topology, model::Index table);

    // The route with the longest prefix containing the address; nullptr when none matches.
    const CompiledRoute* lookup(net::Ipv4Address destination) const noexcept;
    // Routes by decreasing prefix length (the order lookup tries them).
    const std::vector<CompiledRoute>& routes() const noexcept { return routes_; }

  private:
    std::vector<CompiledRoute> routes_;
};

}  // namespace vpcstack::policy
