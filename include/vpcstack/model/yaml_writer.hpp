// Raw resources to YAML text: the inverse of read_topology_yaml() (yaml_reader.hpp). Reading
// the text back gives the same raw topology, apart from where things were written and the
// comments, which the reader skips (tests/model/yaml_writer_test.cpp checks this for every
// example topology and importer fixture).
//
// One layout, the one docs/topology.md shows: small resources (subnets, NAT gateways, Elastic
// IPs, peerings, prefix lists, internet hosts) as one flow map per line, the others as block
// maps; routes and rules in their short forms (rule_text.hpp), a security group rule with a
// description as a flow map. Values that were present but invalid in a file are left out.
#pragma once

#include <string>
#include <string_view>

#include "vpcstack/model/yaml_reader.hpp"

namespace vpcstack::model {

std::string write_topology_yaml(const RawTopology& topology);

// The scalar as YAML: plain when that reads back as the same string, else double-quoted with
// escapes. `in_flow` also quotes the characters that end a flow item ([]{},).
std::string yaml_scalar(std::string_view text, bool in_flow = false);

}  // namespace vpcstack::model
