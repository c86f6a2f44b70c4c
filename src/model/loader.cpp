#include "vpcstack/model/loader.hpp"

#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "vpcstack/model/lint.hpp"
#include "vpcstack/model/validation.hpp"
#include "vpcstack/model/yaml_reader.hpp"

namespace vpcstack::model {

LoadResult load_topology_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        LoadResult result;
        result.diagnostics.error({path, 0, 0}, "", "",
                                 fmt::format("cannot read the file: {}; expected a readable "
                                             "topology file",
                                             std::strerror(errno)));
        return result;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return load_topology_text(text.str(), path);
}

// Read, then validate and build, then look for likely mistakes. Warnings are only looked for
// in a topology without errors: they are about a network that could run.
LoadResult load_topology_text(std::string_view yaml, const std::string& file) {
    LoadResult result;
    std::optional<RawTopology> raw = read_topology_yaml(yaml, file, result.diagnostics);
    if (!raw) return result;
    std::optional<Topology> topology = build_topology(*raw, result.diagnostics);
    if (!topology || result.diagnostics.has_errors()) return result;
    lint_topology(*topology, result.diagnostics);
    result.topology = std::move(topology);
    return result;
}

}  // namespace vpcstack::model
