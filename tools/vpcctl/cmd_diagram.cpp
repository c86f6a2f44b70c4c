// vpcctl diagram TOPO -o FILE: draw a topology. .dot (or .gv) is written directly; .svg and
// .png are made by Graphviz's dot, which must be on PATH. `-o -` writes dot text to stdout.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <string>

#include "commands.hpp"
#include "vpcstack/model/loader.hpp"
#include "vpcstack/render/diagram.hpp"
#include "vpcstack/render/graphviz.hpp"
#include "vpcstack/render/summary.hpp"
#include "vpcstack/render/terminal.hpp"

namespace vpcstack::cli {

namespace {

std::string unreadable_reason(const std::string& path) {
    std::error_code ec;
    if (std::filesystem::is_directory(path, ec)) return "'" + path + "' is a directory";
    std::ifstream in(path);
    if (!in) return "cannot read '" + path + "': " + std::strerror(errno);
    return {};
}

int fail(const std::string& message) {
    std::fprintf(stderr, "vpcctl diagram: %s\n", message.c_str());
    return kExitError;
}

}  // namespace

int run_diagram(const DiagramOptions& options) {
    const bool to_stdout = options.output == "-";
    const auto format = to_stdout ? std::optional(render::ImageFormat::Dot)
                                  : render::format_for_path(options.output);
    if (!format) {
        return fail("cannot tell the format of '" + options.output +
                    "'; expected a file name ending in .dot, .gv, .svg or .png (or - for dot "
                    "text on stdout)");
    }
    std::optional<std::string> dot_program;
    if (*format != render::ImageFormat::Dot) {
        const char* path_env = std::getenv("PATH");
        dot_program = render::find_program("dot", path_env != nullptr ? path_env : "");
        if (!dot_program) {
            return fail("writing '" + options.output +
                        "' needs Graphviz's 'dot' program, which is not on PATH; install "
                        "graphviz (apt-get install graphviz) or write a .dot file instead");
        }
    }
    if (std::string problem = unreadable_reason(options.topology); !problem.empty()) {
        return fail(problem);
    }

    const model::LoadResult result = model::load_topology_file(options.topology);
    if (!result.ok()) {
        std::fputs(
            render::render_diagnostics(result.diagnostics, render::color_wanted(STDERR_FILENO))
                .c_str(),
            stderr);
        return kExitNegative;
    }
    const render::Diagram diagram = render::build_diagram(*result.topology);
    const std::string dot = render::write_dot(diagram);

    if (to_stdout) {
        std::fputs(dot.c_str(), stdout);
        return kExitOk;
    }
    if (*format == render::ImageFormat::Dot) {
        std::ofstream out(options.output, std::ios::binary | std::ios::trunc);
        if (!out || !(out << dot) || !out.flush()) {
            return fail("cannot write '" + options.output + "': " + std::strerror(errno));
        }
    } else {
        const render::DotRun run = render::run_dot(*dot_program, dot, *format, options.output);
        if (!run.ok) return fail("cannot write '" + options.output + "': " + run.error);
    }
    std::printf("wrote %s (%zu nodes, %zu edges, %zu clusters)\n", options.output.c_str(),
                boost::num_vertices(diagram.graph), boost::num_edges(diagram.graph),
                diagram.clusters.size());
    return kExitOk;
}

}  // namespace vpcstack::cli
