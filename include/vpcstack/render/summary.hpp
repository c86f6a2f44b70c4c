// The one-screen summary `vpcctl check` prints for a valid topology: resources per kind, then
// per VPC its CIDRs and region and one line per subnet (CIDR, AZ, public or private and the
// route that makes it so, route table, network ACL) followed by what lives in the subnet
// (instances with private and public addresses, NAT gateways), then peerings, prefix lists and
// internet hosts.
#pragma once

#include <string>

#include "vpcstack/model/diagnostics.hpp"
#include "vpcstack/model/topology.hpp"

namespace vpcstack::render {

// The summary, ending in a newline. With color, ANSI escape codes highlight headers and
// states; the text and alignment are otherwise identical.
std::string render_summary(const model::Topology& topo, bool color);

// Every diagnostic in file order, one per line (FILE:LINE:COL: error: ...), then a count line
// ("2 errors, 1 warning"). Empty when there is no diagnostic.
std::string render_diagnostics(const model::Diagnostics& diagnostics, bool color);

}  // namespace vpcstack::render
