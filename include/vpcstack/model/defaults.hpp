// The cloud's defaults for every VPC: the three resources a VPC has before anyone creates one,
// and the rules that apply where the file says nothing.
//
//   main route table        AWS: VPC_Route_Tables — only the local routes; a subnet without an
//                           association uses it
//   default network ACL     AWS: vpc-network-acls — rule 100 allows all traffic both ways; a
//                           subnet without an association uses it
//   default security group  AWS: default-security-group — inbound from its own members, all
//                           outbound; an interface without groups is in it
//
// A file may write each of them (a table with `main: true`, an ACL or group with
// `default: true`, or one named after its reserved name); the loader makes the ones it does not.
// Tests that build a Topology in C++ take these too, so that there is one statement of them.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vpcstack/model/topology.hpp"
#include "vpcstack/model/yaml_reader.hpp"

namespace vpcstack::model {

// How a file names one of the three per-VPC defaults.
struct DefaultRole {
    std::string_view role;  // in messages: "main route table"
    std::string_view name;  // the name the loader gives it, reserved for it: "main"
    std::string_view key;   // the key that makes a written resource the default: "main"
};
inline constexpr DefaultRole kMainRouteTable{"main route table", "main", "main"};
inline constexpr DefaultRole kDefaultNetworkAcl{"default network ACL", "default", "default"};
inline constexpr DefaultRole kDefaultSecurityGroup{"default security group", "default", "default"};

// A written resource is the VPC's default when its key says so, or, without the key, when it
// has the reserved name.
bool counts_as_default(const DefaultRole& role, const Field<bool>& key, std::string_view name);

// The defaults as the loader makes them for VPC `vpc`, marked implicit and placed in `file`
// at line 0. `self` is the index the security group will have (its inbound rule names it).
RouteTable default_main_route_table(Index vpc, const std::string& file);
NetworkAcl default_network_acl(Index vpc, const std::string& file);
SecurityGroup default_security_group(Index vpc, Index self, const std::string& file);

// AWS: VPC_Route_Tables — the implicit local route of each VPC CIDR, which every table has
// before its own routes.
std::vector<Route> local_routes(const Vpc& vpc, const std::string& file);

// AWS: security-group-rules — a group written without egress rules allows all outbound.
SgRule allow_all_outbound(const std::string& file);

// Appends the three defaults of VPC `vpc` to `topology` and points the VPC at them; the main
// table gets its local routes. For topologies built in C++ (tests, benchmarks).
void add_vpc_defaults(Topology& topology, Index vpc);

}  // namespace vpcstack::model
