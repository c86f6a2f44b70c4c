// vpcctl diff: the reachability a change of topology opens and closes. The work is done by
// verify::compute_reach (twice) and verify::diff_reach; this file loads and prints.
#include <unistd.h>

#include <cstdio>

#include "commands.hpp"
#include "vpcstack/render/terminal.hpp"
#include "vpcstack/verify/diff.hpp"
#include "vpcstack/verify/render.hpp"

namespace vpcstack::cli {

int run_diff(const DiffOptions& options) {
    std::optional<model::Topology> before = load_topology_or_report(options.old_topology);
    std::optional<model::Topology> after = load_topology_or_report(options.new_topology);
    if (!before || !after) return kExitError;
    verify::ReachResult old_reach = verify::compute_reach(*before);
    verify::ReachResult new_reach = verify::compute_reach(*after);
    for (const verify::ReachResult* r : {&old_reach, &new_reach}) {
        if (!r->reach) {
            std::fprintf(stderr, "vpcctl diff: %s\n", r->error.c_str());
            return kExitError;
        }
    }
    verify::ReachDiff diff = verify::diff_reach(*old_reach.reach, *new_reach.reach);
    std::string text = options.json
                           ? verify::render_diff_json(diff)
                           : verify::render_diff_text(diff, render::color_wanted(STDOUT_FILENO));
    std::fputs(text.c_str(), stdout);
    return diff.changed() ? kExitNegative : kExitOk;
}

}  // namespace vpcstack::cli
