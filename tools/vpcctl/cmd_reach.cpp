// vpcctl reach: which services connect between the places of a topology (a matrix, as text,
// JSON or an HTML report), or with --proto whether one service connects between two endpoints.
// The work is done by verify::compute_reach and verify::query; this file prints the results.
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "commands.hpp"
#include "vpcstack/render/terminal.hpp"
#include "vpcstack/sim/trace_report.hpp"
#include "vpcstack/verify/reach.hpp"
#include "vpcstack/verify/render.hpp"

namespace vpcstack::cli {
namespace {

// The HTML report embeds the trace of every witness up to this many pairs; a larger matrix
// keeps the command lines only (a trace is a full simulation of the flow).
constexpr std::size_t kTracedPairs = 400;

int usage(const char* message) {
    std::fprintf(stderr, "vpcctl reach: %s\n", message);
    return kExitError;
}

int run_query(const model::Topology& topology, const ReachOptions& options) {
    if (options.from.empty() || options.to.empty()) {
        return usage("--proto asks about one flow: --from and --to are required");
    }
    if (!options.html.empty()) return usage("--html shows the matrix; it does not go with --proto");
    sim::TraceQuery q{options.from, options.to, options.protocol, options.dport, options.sport};
    verify::QueryResult result = verify::query(topology, q);
    if (!result.error.empty()) {
        std::fprintf(stderr, "vpcctl reach: %s\n", result.error.c_str());
        return kExitError;
    }
    std::string text = options.json ? verify::render_query_json(result, q, options.topology)
                                    : verify::render_query_text(result, q, options.topology);
    std::fputs(text.c_str(), stdout);
    return result.reachable ? kExitOk : kExitNegative;
}

bool write_html(const model::Topology& topology, const verify::Reach& reach,
                const std::string& path) {
    verify::TraceText trace;
    const std::size_t pairs = reach.pairs().size();
    if (pairs <= kTracedPairs) {
        trace = [&](const verify::Witness& w) {
            sim::TraceResult r = sim::run_trace(topology, w.query());
            return r.report ? sim::render_text(*r.report, false) : "no trace: " + r.error + "\n";
        };
    }
    std::ofstream out(path, std::ios::binary);
    out << verify::render_reach_html(reach, trace);
    out.close();
    if (!out) {
        std::fprintf(stderr, "vpcctl reach: cannot write %s\n", path.c_str());
        return false;
    }
    std::fprintf(
        stderr, "vpcctl reach: wrote %s (%zu pairs%s)\n", path.c_str(), pairs,
        trace ? ", with witness traces" : ", witness commands only: more than 400 pairs to trace");
    return true;
}

}  // namespace

int run_reach(const ReachOptions& options) {
    bool query_form = !options.protocol.empty();
    if (!query_form && (options.dport >= 0 || options.sport >= 0)) {
        return usage("--dport and --sport describe one flow: give --proto too");
    }
    std::optional<model::Topology> topology = load_topology_or_report(options.topology);
    if (!topology) return kExitError;
    if (query_form) return run_query(*topology, options);

    verify::ReachResult result = verify::compute_reach(*topology, {options.from, options.to});
    if (!result.reach) {
        std::fprintf(stderr, "vpcctl reach: %s\n", result.error.c_str());
        return kExitError;
    }
    const verify::Reach& reach = *result.reach;
    if (!options.html.empty()) {
        if (!write_html(*topology, reach, options.html)) return kExitError;
        if (!options.json) return kExitOk;
    }
    std::string text = options.json
                           ? verify::render_reach_json(reach)
                           : verify::render_reach_text(reach, render::color_wanted(STDOUT_FILENO));
    std::fputs(text.c_str(), stdout);
    return kExitOk;
}

}  // namespace vpcstack::cli
