// vpcctl check TOPO [-q]: validate a topology; print every diagnostic, or the warnings and a
// summary of the network.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "commands.hpp"
#include "vpcstack/model/loader.hpp"
#include "vpcstack/render/summary.hpp"
#include "vpcstack/render/terminal.hpp"

namespace vpcstack::cli {

namespace {

// Why the file cannot be read, or empty. A file that cannot be read is an input error (exit
// 2), not an invalid topology (exit 1).
std::string unreadable_reason(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return "'" + path + "' is a directory";
    std::ifstream in(path);
    if (!in) return "cannot read '" + path + "': " + std::strerror(errno);
    return {};
}

}  // namespace

int run_check(const CheckOptions& options) {
    if (std::string problem = unreadable_reason(options.topology); !problem.empty()) {
        std::fprintf(stderr, "vpcctl check: %s\n", problem.c_str());
        return kExitError;
    }
    const model::LoadResult result = model::load_topology_file(options.topology);
    const std::string diagnostics =
        render::render_diagnostics(result.diagnostics, render::color_wanted(STDERR_FILENO));
    std::fputs(diagnostics.c_str(), stderr);
    if (!result.ok()) return kExitNegative;
    if (!options.quiet) {
        const bool color = render::color_wanted(STDOUT_FILENO);
        std::fputs(render::render_summary(*result.topology, color).c_str(), stdout);
    }
    return kExitOk;
}

}  // namespace vpcstack::cli
