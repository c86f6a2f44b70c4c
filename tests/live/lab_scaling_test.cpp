// What a running lab changes when a group scales (live/lab_scaling.hpp), worked out without
// privileges: the namespaces made and removed, every surviving ENI's new port, and the veth
// host ends of new namespaces that no running device has.
#include "vpcstack/live/lab_scaling.hpp"

#include <gtest/gtest.h>

#include <set>

#include "vpcstack/model/loader.hpp"
#include "vpcstack/model/scaling.hpp"

namespace vpcstack::live {
namespace {

const std::string kWebStack = VPCSTACK_SOURCE_DIR "/topologies/web-stack.yaml";

model::Topology load(const model::LoadOverrides& overrides = {}) {
    model::LoadResult r = model::load_topology_file(kWebStack, overrides);
    EXPECT_TRUE(r.ok());
    return r.ok() ? std::move(*r.topology) : model::Topology{};
}

TEST(LabScaling, ScalingOutAddsTheNewInstancesNamespacesAndMovesEveryPortThatStays) {
    const model::Topology before = load();
    const model::Index g = model::find_auto_scaling_group(before, "web-asg");
    ASSERT_NE(g, model::kNone);
    const LabPlan plan_before = make_lab_plan("demo", before);
    const model::Topology after =
        load(model::overrides_for(before, g, model::scaled_instances(before, g, 5)));
    LabPlan plan_after = make_lab_plan("demo", after);
    const LabChange change = diff_lab_plans(plan_before, before, plan_after, after);
    ASSERT_FALSE(change.problem) << *change.problem;
    ASSERT_EQ(change.added.size(), 2u);
    EXPECT_EQ(plan_after.namespaces[change.added[0]].display, "web-asg-4");
    EXPECT_EQ(plan_after.namespaces[change.added[1]].display, "web-asg-5");
    EXPECT_TRUE(change.removed.empty());
    ASSERT_EQ(change.eni_map.size(), before.enis.size());
    for (model::Index e = 0; e < before.enis.size(); ++e) {
        ASSERT_NE(change.eni_map[e], model::kNone) << before.enis[e].meta.name;
        EXPECT_EQ(after.enis[change.eni_map[e]].meta.name, before.enis[e].meta.name);
    }
    // The ALB nodes' ENIs come after the instances': their ports moved by two.
    const NamespacePlan* node = plan_after.find("shop-alb-us-east-1a");
    ASSERT_NE(node, nullptr);
    EXPECT_EQ(node->interfaces[0].port,
              plan_before.find("shop-alb-us-east-1a")->interfaces[0].port + 2);
    // Veth host ends: those that stay keep theirs, new ones take names and indices no one has.
    std::set<std::string> ends;
    std::set<int> indices;
    for (const auto& ns : plan_after.namespaces) {
        for (const auto& itf : ns.interfaces) {
            EXPECT_TRUE(ends.insert(itf.host_end).second) << itf.host_end;
            EXPECT_TRUE(indices.insert(itf.host_ifindex).second) << itf.host_ifindex;
        }
    }
    EXPECT_EQ(node->interfaces[0].host_end,
              plan_before.find("shop-alb-us-east-1a")->interfaces[0].host_end);
}

TEST(LabScaling, ScalingInRemovesTheTerminatedInstancesNamespaces) {
    const model::Topology before = load();
    const model::Index g = model::find_auto_scaling_group(before, "web-asg");
    const LabPlan plan_before = make_lab_plan("demo", before);
    const model::Topology after = load(model::overrides_for(
        before, g,
        model::leaving_service(before, g, model::scaled_instances(before, g, 2), false)));
    LabPlan plan_after = make_lab_plan("demo", after);
    const LabChange change = diff_lab_plans(plan_before, before, plan_after, after);
    ASSERT_FALSE(change.problem);
    EXPECT_TRUE(change.added.empty());
    ASSERT_EQ(change.removed.size(), 1u);
    EXPECT_EQ(change.removed[0], plan_before.find("web-asg-3")->name);
    model::Index gone = model::kNone;
    for (model::Index e = 0; e < before.enis.size(); ++e) {
        if (change.eni_map[e] == model::kNone) gone = e;
    }
    ASSERT_NE(gone, model::kNone);
    EXPECT_EQ(before.enis[gone].meta.name, "web-asg-3/eth0");
}

TEST(LabScaling, ANamespaceThatWouldChangeIsAProblem) {
    const model::Topology before = load();
    const model::Index g = model::find_auto_scaling_group(before, "web-asg");
    const LabPlan plan_before = make_lab_plan("demo", before);
    // Without pins the ENIs after the group's (the ALB nodes') get other MACs: the running lab
    // cannot follow.
    model::LoadOverrides unpinned =
        model::overrides_for(before, g, model::scaled_instances(before, g, 5));
    unpinned.pinned.clear();
    const model::Topology after = load(unpinned);
    LabPlan plan_after = make_lab_plan("demo", after);
    const LabChange change = diff_lab_plans(plan_before, before, plan_after, after);
    ASSERT_TRUE(change.problem);
    EXPECT_NE(change.problem->find("would change its interface eth0"), std::string::npos)
        << *change.problem;
}

}  // namespace
}  // namespace vpcstack::live
