// Loading a topology for the commands that run it: the diagnostics go to stderr.
#include <cstdio>

#include "commands.hpp"
#include "vpcstack/model/loader.hpp"

namespace vpcstack::cli {

std::optional<model::Topology> load_topology_or_report(const std::string& path) {
    model::LoadResult loaded = model::load_topology_file(path);
    if (!loaded.ok()) {
        for (const model::Diagnostic& d : loaded.diagnostics.sorted()) {
            std::fprintf(stderr, "%s\n", d.to_string().c_str());
        }
        return std::nullopt;
    }
    return std::move(loaded.topology);
}

}  // namespace vpcstack::cli
