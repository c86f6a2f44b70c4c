// Loading a topology file: parse the YAML, apply the cloud's defaults, validate everything, and
// build the Topology only when no error was found. See docs/topology.md for the format.
#pragma once

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

// Reads and loads a file. A file that cannot be read is an error diagnostic, not an exception.
LoadResult load_topology_file(const std::string& path);
// Loads YAML text; `file` is the name used in diagnostics.
LoadResult load_topology_text(std::string_view yaml, const std::string& file);

}  // namespace vpcstack::model
