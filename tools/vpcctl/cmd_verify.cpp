// vpcctl verify: checks a policy file's assertions against a topology's reachability, and shows
// every violation with the packet that proves it and that packet's trace. The work is done by
// verify::compute_reach and verify::check_policy; this file loads, runs the traces and prints.
#include <unistd.h>

#include <cstdio>

#include "commands.hpp"
#include "vpcstack/render/terminal.hpp"
#include "vpcstack/sim/trace_report.hpp"
#include "vpcstack/verify/policy.hpp"
#include "vpcstack/verify/render.hpp"

namespace vpcstack::cli {

int run_verify(const VerifyOptions& options) {
    std::optional<model::Topology> topology = load_topology_or_report(options.topology);
    verify::PolicyLoad policy = verify::load_policy_file(options.policy);
    for (const model::Diagnostic& d : policy.diagnostics.sorted()) {
        std::fprintf(stderr, "%s\n", d.to_string().c_str());
    }
    if (!topology || !policy.ok()) return kExitError;

    verify::ReachResult result = verify::compute_reach(*topology);
    if (!result.reach) {
        std::fprintf(stderr, "vpcctl verify: %s\n", result.error.c_str());
        return kExitError;
    }
    verify::PolicyCheck check = verify::check_policy(*topology, *result.reach, *policy.policy);
    for (const model::Diagnostic& d : check.diagnostics.sorted()) {
        std::fprintf(stderr, "%s\n", d.to_string().c_str());
    }
    if (check.diagnostics.has_errors()) return kExitError;

    std::string text;
    if (options.json) {
        text = verify::render_policy_json(check, *result.reach, [&](const verify::Witness& w) {
            sim::TraceResult r = sim::run_trace(*topology, w.query());
            return r.report ? sim::render_json(*r.report) : std::string();
        });
    } else {
        bool color = render::color_wanted(STDOUT_FILENO);
        text = verify::render_policy_text(
            check, *result.reach,
            [&](const verify::Witness& w) {
                sim::TraceResult r = sim::run_trace(*topology, w.query());
                return r.report ? sim::render_text(*r.report, color) : "no trace: " + r.error;
            },
            color);
    }
    std::fputs(text.c_str(), stdout);
    return check.holds() ? kExitOk : kExitNegative;
}

}  // namespace vpcstack::cli
