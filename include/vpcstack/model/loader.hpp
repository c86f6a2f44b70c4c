// Loading a topology file: parse the YAML, apply the cloud's defaults, validate everything, and
// build the Topology only when no error was found. See docs/topology.md for the format.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vpcstack/model/diagnostics.hpp"
#include "vpcstack/model/topology.hpp"

namespace vpcstack::model {

struct LoadResult {
    std::optional<Topology> topology;  // set only when diagnostics has no error
    Diagnostics diagnostics;
    bool ok() const { return topology.has_value(); }
};

// What a running lab changes of its topology without editing the file (model/scaling.hpp):
//  - desired_capacity: the desired capacity of Auto Scaling groups, by group name or VPC/NAME;
//    the group launches its first N instances as the file would;
//  - launched: the instances a group runs now, by name and subnet, in place of the spread the
//    file's desired capacity gives (instances launched and terminated by scaling, replaced when
//    unhealthy); the desired capacity is their number;
//  - pinned: the private addresses and MAC of ENIs (instances' and load balancer nodes', by ENI
//    name) that already run, kept whatever else changes, as the cloud never renumbers a running
//    interface.
// The file's min_size and max_size still bound every group.
struct LoadOverrides {
    std::map<std::string, std::uint32_t> desired_capacity;
    std::map<std::string, std::vector<LaunchedInstance>> launched;
    std::map<std::string, PinnedEni> pinned;
    bool empty() const { return desired_capacity.empty() && launched.empty() && pinned.empty(); }
};

// Reads and loads a file. A file that cannot be read is an error diagnostic, not an exception.
LoadResult load_topology_file(const std::string& path, const LoadOverrides& overrides = {});
// Loads YAML text; `file` is the name used in diagnostics.
LoadResult load_topology_text(std::string_view yaml, const std::string& file,
                              const LoadOverrides& overrides = {});

}  // namespace vpcstack::model
