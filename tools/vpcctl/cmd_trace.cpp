// vpcctl trace: send one flow through a simulated topology and explain both directions.
// The work is done by sim::run_trace; this file loads the topology and prints the report.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>

#include "commands.hpp"
#include "vpcstack/model/loader.hpp"
#include "vpcstack/sim/trace_report.hpp"

namespace vpcstack::cli {

int run_trace(const TraceOptions& options) {
    model::LoadResult loaded = model::load_topology_file(options.topology);
    if (!loaded.ok()) {  // warnings are for `vpcctl check`; a trace shows their effect instead
        for (const model::Diagnostic& d : loaded.diagnostics.sorted()) {
            std::fprintf(stderr, "%s\n", d.to_string().c_str());
        }
        return kExitError;
    }

    sim::TraceQuery query{options.from, options.to, options.protocol, options.dport, options.sport};
    sim::TraceResult result = sim::run_trace(*loaded.topology, query);
    if (!result.report) {
        std::fprintf(stderr, "vpcctl trace: %s\n", result.error.c_str());
        return kExitError;
    }
    bool color = isatty(STDOUT_FILENO) != 0 && std::getenv("NO_COLOR") == nullptr;
    std::string text =
        options.json ? sim::render_json(*result.report) : sim::render_text(*result.report, color);
    std::fputs(text.c_str(), stdout);
    return result.report->reachable ? kExitOk : kExitNegative;
}

}  // namespace vpcstack::cli
