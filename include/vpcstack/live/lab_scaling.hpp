// What changes in a running lab when its topology is rebuilt around the instances that run
// (Auto Scaling, model/scaling.hpp): the namespaces to make and to remove, and where every
// surviving ENI's port goes. Pure data, tested without privileges; the engine daemon applies it.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vpcstack/live/lab_plan.hpp"
#include "vpcstack/model/topology.hpp"

namespace vpcstack::live {

struct LabChange {
    std::vector<std::size_t> added;    // indices into the new plan's namespaces
    std::vector<std::string> removed;  // names of the old plan's namespaces that go
    // The old topology's ENI i is the new one's eni_map[i], or model::kNone when it goes.
    std::vector<model::Index> eni_map;
    // Why the change cannot be applied to the running lab (a namespace that stays would have
    // to change), or nothing.
    std::optional<std::string> problem;
};

// Compares the running plan with the one of the rebuilt topology. Namespaces that stay keep
// their devices: `after` is given their veth host ends and indices from `before`, and the new
// namespaces host ends and indices no running device has.
LabChange diff_lab_plans(const LabPlan& before, const model::Topology& topology_before,
                         LabPlan& after, const model::Topology& topology_after);

}  // namespace vpcstack::live
