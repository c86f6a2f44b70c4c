// Turning the import model into a vpcstack topology (docs/topology.md), written as YAML.
//
// Names are the user's: the Name tag where there is one (for security groups, else the group
// name), else the cloud id; sanitised and made unique within their scope. Cloud ids are kept as
// `id:`. Resource types vpcstack does not model yet are counted in the report, never silently
// dropped: a route to such a target becomes a blackhole route with a comment (or, where even a
// blackhole route could not be written, a commented-out line).
#pragma once

#include <map>
#include <string>
#include <vector>

#include "vpcstack/importers/aws_inventory.hpp"
#include "vpcstack/model/yaml_reader.hpp"

namespace vpcstack::importers::aws {

struct WriteOptions {
    std::string region;  // the file's region; empty: the region of most VPCs
};

struct ImportReport {
    std::vector<std::pair<std::string, int>> imported;  // ("VPCs", 2), in a fixed order
    std::map<std::string, int> not_modelled;            // ("routes to transit gateways", 1)
    std::vector<std::string> warnings;
};

struct WriteResult {
    model::RawTopology topology;  // what the import makes, comments included
    std::string yaml;             // model::write_topology_yaml(topology)
    ImportReport report;
    std::vector<std::string> errors;  // the input cannot make a topology (no VPC, no region)
    bool ok() const { return errors.empty(); }
};

WriteResult write_topology_yaml(const Inventory& inventory, const WriteOptions& options);

}  // namespace vpcstack::importers::aws
