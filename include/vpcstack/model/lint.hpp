// Warnings about a valid topology: settings the cloud accepts but that are most likely
// mistakes, such as a public instance in a subnet without a route to the internet gateway, or
// a network ACL that lets requests in but not their replies out.
#pragma once

#include "vpcstack/model/diagnostics.hpp"
#include "vpcstack/model/topology.hpp"

namespace vpcstack::model {

void lint_topology(const Topology& topology, Diagnostics& diags);

}  // namespace vpcstack::model
