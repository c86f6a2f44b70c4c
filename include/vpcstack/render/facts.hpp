// Facts about a topology that the summary and the diagram both show: which route makes a subnet
// public, what a route target is called, whether a route is a blackhole, how an ENI is named.
// They read the Topology only; nothing here decides what a packet does (that is the engine's).
#pragma once

#include <string>

#include "vpcstack/model/topology.hpp"

namespace vpcstack::render {

// The route of the subnet's route table that sends traffic to an internet gateway, preferring
// the shortest prefix (0.0.0.0/0); nullptr when there is none.
// AWS: VPC_Internet_Gateway — a subnet is public because its route table points at the IGW.
const model::Route* internet_route(const model::Topology& topo, model::Index subnet);

// The route for 0.0.0.0/0 of the subnet's route table, if it has one.
const model::Route* default_route(const model::Topology& topo, model::Index subnet);

// A route target by resolved name: "local", "igw/prod-igw", "nat/nat-a", "peering/app-shared",
// "instance/proxy", "eni/fw-front", "blackhole".
std::string target_name(const model::Topology& topo, const model::RouteTarget& target);

// "0.0.0.0/0 -> igw/prod-igw"
std::string route_text(const model::Topology& topo, const model::Route& route);

// Why traffic matching the route is dropped, or empty when it is not: a route written as
// blackhole, a peering that is not active, an instance that is not running.
// AWS: VPC_Route_Tables — a route whose target is gone or inactive is in state blackhole.
std::string blackhole_reason(const model::Topology& topo, const model::Route& route);

// The name an ENI is shown by: its instance's name when the instance has one ENI, otherwise
// "INSTANCE/ENI" (or the ENI's own name when it already starts with "INSTANCE/").
std::string eni_display_name(const model::Topology& topo, model::Index eni);

}  // namespace vpcstack::render
