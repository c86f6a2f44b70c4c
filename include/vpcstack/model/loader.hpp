// Loading a topology file: parse the YAML, apply the cloud's defaults, validate everything, and
// build the Topology only when no error was found. See docs/topology.md for the format.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>

#include "vpcstack/model/diagnostics.hpp"
#include "vpcstack/model/topology.hpp"

namespace vpcstack::model {

struct LoadResult {
    std::optional<Topology> topology;  // set only when diagnostics has no error
    Diagnostics diagnostics;
    bool ok() const { return topology.has_value(); }
};

// What a running lab changes of its topology without editing the file: the desired capacity of
// Auto Scaling groups (`vpcctl lab scale`), by group name or VPC/NAME. The file's min_size and
// max_size still bound it; the group launches its first N instances as the file would.
struct LoadOverrides {
    std::map<std::string, std::uint32_t> desired_capacity;
};

// Reads and loads a file. A file that cannot be read is an error diagnostic, not an exception.
LoadResult load_topology_file(const std::string& path, const LoadOverrides& overrides = {});
// Loads YAML text; `file` is the name used in diagnostics.
LoadResult load_topology_text(std::string_view yaml, const std::string& file,
                              const LoadOverrides& overrides = {});

}  // namespace vpcstack::model
