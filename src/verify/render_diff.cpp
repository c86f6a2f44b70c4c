// The output of `vpcctl diff` (docs/verify.md): places added and removed, then every pair whose
// services changed, each change with a packet that shows it on both sides.
#include <fmt/format.h>

#include "render_common.hpp"
#include "vpcstack/render/table.hpp"
#include "vpcstack/verify/render.hpp"

namespace vpcstack::verify {
namespace {

using detail::Json;
using render::Style;
using render::styled;

std::string place_list(const std::vector<PlaceChange>& places) {
    std::string out;
    for (const PlaceChange& p : places) {
        if (!out.empty()) out += ", ";
        out += p.address.empty() ? p.name : fmt::format("{} ({})", p.name, p.address);
    }
    return out;
}

// One change: `connects` is the file where the witness connects, `blocked` the other one.
std::string change_text(const FlowChange& c, std::string_view verb, std::string_view connects,
                        std::string_view blocked, bool color, Style style) {
    std::string out = fmt::format("  {} {}\n", styled(verb, style, color), c.services.to_string());
    for (const Blocker& b : c.blockers) {
        out += fmt::format("    blocked in {} by {}", blocked, b.to_string());
        out += '\n';
    }
    out += fmt::format("    connects: {}\n", c.witness.command(connects));
    out += fmt::format("    blocked:  {}\n", c.witness.command(blocked));
    return out;
}

Json change_json(const FlowChange& c, std::string_view connects, std::string_view blocked) {
    Json j = {{"services", detail::services_json(c.services)},
              {"ranges", detail::ranges_json(c.services)},
              {"witness", detail::witness_json(c.witness, connects)},
              {"blocked_command", c.witness.command(blocked)},
              {"blockers", detail::blockers_json(c.blockers)}};
    return j;
}

Json places_json(const std::vector<PlaceChange>& places) {
    Json out = Json::array();
    for (const PlaceChange& p : places) out.push_back({{"name", p.name}, {"address", p.address}});
    return out;
}

}  // namespace

std::string render_diff_text(const ReachDiff& diff, bool color) {
    const std::string& old_file = diff.old_topology;
    const std::string& new_file = diff.new_topology;
    if (!diff.changed()) {
        return fmt::format("diff {} -> {}: no reachability change ({} pairs compared)\n", old_file,
                           new_file, diff.compared);
    }
    std::string out = fmt::format("diff {} -> {}: reachability changed for {} of {} pairs\n",
                                  old_file, new_file, diff.pairs.size(), diff.compared);
    if (!diff.added.empty()) out += fmt::format("added places: {}\n", place_list(diff.added));
    if (!diff.removed.empty()) out += fmt::format("removed places: {}\n", place_list(diff.removed));
    for (const PairDiff& p : diff.pairs) {
        out += fmt::format("\n{}\n",
                           styled(fmt::format("{} -> {}", p.from, p.to), Style::Bold, color));
        for (const FlowChange& c : p.opened) {
            out += change_text(c, "opened", new_file, old_file, color, Style::Green);
        }
        for (const FlowChange& c : p.closed) {
            out += change_text(c, "closed", old_file, new_file, color, Style::Red);
        }
    }
    return out;
}

std::string render_diff_json(const ReachDiff& diff) {
    Json pairs = Json::array();
    for (const PairDiff& p : diff.pairs) {
        Json opened = Json::array();
        for (const FlowChange& c : p.opened) {
            opened.push_back(change_json(c, diff.new_topology, diff.old_topology));
        }
        Json closed = Json::array();
        for (const FlowChange& c : p.closed) {
            closed.push_back(change_json(c, diff.old_topology, diff.new_topology));
        }
        pairs.push_back({{"from", p.from},
                         {"to", p.to},
                         {"opened", std::move(opened)},
                         {"closed", std::move(closed)}});
    }
    Json doc = {{"changed", diff.changed()},        {"old", diff.old_topology},
                {"new", diff.new_topology},         {"compared", diff.compared},
                {"added", places_json(diff.added)}, {"removed", places_json(diff.removed)},
                {"pairs", std::move(pairs)}};
    return doc.dump(2) + "\n";
}

}  // namespace vpcstack::verify
