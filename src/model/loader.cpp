#include "vpcstack/model/loader.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "vpcstack/model/lint.hpp"
#include "vpcstack/model/validation.hpp"
#include "vpcstack/model/yaml_reader.hpp"

namespace vpcstack::model {

LoadResult load_topology_file(const std::string& path, const LoadOverrides& overrides) {
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
    return load_topology_text(text.str(), path, overrides);
}

namespace {

// The desired capacities given for a running lab, set on the raw groups as if written in the
// file at the group's desired_capacity (or its name when the file gives none), so validation
// judges them against min_size and max_size there.
// The Auto Scaling group a running lab names (NAME or VPC/NAME), or null with an error.
RawAutoScalingGroup* find_group(RawTopology& raw, const std::string& name, const std::string& file,
                                Diagnostics& d) {
    std::vector<RawAutoScalingGroup*> found;
    std::vector<std::string> known;
    for (RawVpc& vpc : raw.vpcs) {
        for (RawAutoScalingGroup& g : vpc.auto_scaling_groups) {
            known.push_back(g.meta.name);
            if (g.meta.name == name || vpc.meta.name + "/" + g.meta.name == name) {
                found.push_back(&g);
            }
        }
    }
    if (found.size() == 1) return found.front();
    d.error({file, 0, 0}, "Auto Scaling group", name,
            found.empty()
                ? fmt::format("no Auto Scaling group '{}' to scale; expected one of: {}", name,
                              known.empty() ? std::string("(none)")
                                            : fmt::format("{}", fmt::join(known, ", ")))
                : fmt::format("'{}' names Auto Scaling groups in several VPCs; expected VPC/NAME",
                              name));
    return nullptr;
}

// A running lab's changes, set on the raw topology: desired capacities as if written in the
// file at the group's desired_capacity (or its name when the file gives none), so validation
// judges them against min_size and max_size there; launched instances and pinned ENIs as they
// are.
bool apply_overrides(RawTopology& raw, const LoadOverrides& overrides, const std::string& file,
                     Diagnostics& d) {
    bool ok = true;
    for (const auto& [name, capacity] : overrides.desired_capacity) {
        RawAutoScalingGroup* g = find_group(raw, name, file, d);
        if (g == nullptr) {
            ok = false;
            continue;
        }
        Field<long>& f = g->desired_capacity;
        if (!f.present) f.loc = g->meta.loc;
        f.value = static_cast<long>(capacity);
        f.present = true;
    }
    for (const auto& [name, launched] : overrides.launched) {
        RawAutoScalingGroup* g = find_group(raw, name, file, d);
        if (g == nullptr) {
            ok = false;
            continue;
        }
        g->launched = launched;
    }
    raw.pinned = overrides.pinned;
    return ok;
}

}  // namespace

// Read, then validate and build, then look for likely mistakes. Warnings are only looked for
// in a topology without errors: they are about a network that could run.
LoadResult load_topology_text(std::string_view yaml, const std::string& file,
                              const LoadOverrides& overrides) {
    LoadResult result;
    std::optional<RawTopology> raw = read_topology_yaml(yaml, file, result.diagnostics);
    if (!raw) return result;
    if (!apply_overrides(*raw, overrides, file, result.diagnostics)) return result;
    std::optional<Topology> topology = build_topology(*raw, result.diagnostics);
    if (!topology || result.diagnostics.has_errors()) return result;
    lint_topology(*topology, result.diagnostics);
    result.topology = std::move(topology);
    return result;
}

}  // namespace vpcstack::model
