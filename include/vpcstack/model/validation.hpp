// The second half of loading: raw resources to a Topology. Resolves every name, applies the
// cloud's defaults (main route table, default network ACL and security group, local routes,
// addresses, MACs, ENI names) and checks every rule of docs/topology.md "Validation". Every
// error is collected; the Topology is returned only when there is none.
#pragma once

#include <optional>

#include "vpcstack/model/diagnostics.hpp"
#include "vpcstack/model/topology.hpp"
#include "vpcstack/model/yaml_reader.hpp"

namespace vpcstack::model {

std::optional<Topology> build_topology(const RawTopology& raw, Diagnostics& diags);

// The locally administered MAC address the loader gives the ENI at `index`: 02:00:00 followed
// by index + 1 in three bytes.
net::MacAddress eni_mac(Index index);

}  // namespace vpcstack::model
