// Auto Scaling decisions (model/scaling.hpp): which instances a group launches and terminates,
// the replacement of an unhealthy one, the overrides that keep running ENIs as they are, target
// tracking, and the topology's target_tracking block.
#include "vpcstack/model/scaling.hpp"

#include <gtest/gtest.h>

#include <set>

#include "vpcstack/model/loader.hpp"

namespace vpcstack::model {
namespace {

// Two zones, two private subnets in the first; a group of three over all three subnets behind
// an ALB, a second group in a subnet of the first's.
const std::string kTopology = R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    subnets:
      - {name: pub-a, cidr: 10.0.0.0/24, az: us-east-1a}
      - {name: pub-b, cidr: 10.0.1.0/24, az: us-east-1b}
      - {name: priv-a, cidr: 10.0.10.0/24, az: us-east-1a}
      - {name: priv-b, cidr: 10.0.11.0/24, az: us-east-1b}
      - {name: priv-a2, cidr: 10.0.12.0/24, az: us-east-1a}
    security_groups:
      - name: lb-sg
        ingress: [tcp/80 from 0.0.0.0/0]
        egress: [tcp/80 to 10.0.0.0/16]
      - name: web-sg
        ingress: [tcp/80 from sg:lb-sg]
    load_balancers:
      - name: web-alb
        type: application
        subnets: [pub-a, pub-b]
        security_groups: [lb-sg]
        listeners:
          - {protocol: HTTP, port: 80, default_action: {forward: web-tg}}
    target_groups:
      - {name: web-tg, protocol: HTTP, port: 80}
    launch_templates:
      - {name: web-lt, security_groups: [web-sg], listen: [tcp/80]}
    auto_scaling_groups:
      - name: web
        launch_template: web-lt
        min_size: 1
        max_size: 6
        desired_capacity: 3
        subnets: [priv-a, priv-b, priv-a2]
        target_groups: [web-tg]
        target_tracking: {target_group: web-tg, target_value: 100, period: 10}
      - {name: batch, launch_template: web-lt, min_size: 0, max_size: 3, desired_capacity: 2, subnets: [priv-a]}
)";

Topology load(const LoadOverrides& overrides = {}) {
    LoadResult r = load_topology_text(kTopology, "t.yaml", overrides);
    std::string problems;
    for (const Diagnostic& d : r.diagnostics.sorted()) problems += d.to_string() + "\n";
    EXPECT_TRUE(r.ok()) << problems;
    return r.ok() ? std::move(*r.topology) : Topology{};
}

std::vector<std::string> names(const std::vector<LaunchedInstance>& v) {
    std::vector<std::string> out;
    for (const auto& li : v) out.push_back(li.name + "@" + li.subnet);
    return out;
}

const Eni* eni_named(const Topology& t, const std::string& name) {
    for (const Eni& e : t.enis) {
        if (e.meta.name == name) return &e;
    }
    return nullptr;
}

TEST(Scaling, TheFilesTargetTrackingPolicyLoads) {
    const Topology t = load();
    ASSERT_EQ(t.auto_scaling_groups.size(), 2u);
    const auto& policy = t.auto_scaling_groups[0].target_tracking;
    ASSERT_TRUE(policy);
    EXPECT_EQ(t.target_groups[policy->target_group].meta.name, "web-tg");
    EXPECT_EQ(policy->target_value, 100.0);
    EXPECT_EQ(policy->period, 10u);
    EXPECT_FALSE(policy->disable_scale_in);
    EXPECT_FALSE(t.auto_scaling_groups[1].target_tracking);
}

TEST(Scaling, ABadTargetTrackingPolicyIsRefusedNamingTheField) {
    auto problems = [](const std::string& from, const std::string& to) {
        std::string text = kTopology;
        text.replace(text.find(from), from.size(), to);
        LoadResult r = load_topology_text(text, "t.yaml");
        std::string out;
        for (const Diagnostic& d : r.diagnostics.sorted()) out += d.to_string() + "\n";
        EXPECT_FALSE(r.ok());
        return out;
    };
    EXPECT_NE(problems("target_value: 100", "target_value: 0")
                  .find("'target_value' must be a number above 0"),
              std::string::npos);
    EXPECT_NE(problems("target_value: 100", "target_value: lots")
                  .find("'target_value' is 'lots'; expected a number"),
              std::string::npos);
    EXPECT_NE(problems("period: 10", "period: 15").find("'period' is 15; expected 60, or 10"),
              std::string::npos);
    EXPECT_NE(problems("target_group: web-tg, target_value", "target_group: other, target_value")
                  .find("names target group 'other', which is not one of the group's"),
              std::string::npos);
    EXPECT_NE(problems("{target_group", "{metric: CPUUtilization, target_group")
                  .find("metric 'CPUUtilization'; expected ALBRequestCountPerTarget"),
              std::string::npos);
}

TEST(Scaling, ScalingOutFillsTheZoneWithFewestAndTheZonesLeastUsedSubnet) {
    const Topology t = load();
    const Index web = find_auto_scaling_group(t, "web");
    ASSERT_NE(web, kNone);
    EXPECT_EQ(names(launched_instances(t, web)),
              (std::vector<std::string>{"web-1@priv-a", "web-2@priv-b", "web-3@priv-a2"}));
    EXPECT_EQ(names(scaled_instances(t, web, 5)),
              (std::vector<std::string>{"web-1@priv-a", "web-2@priv-b", "web-3@priv-a2",
                                        "web-4@priv-b", "web-5@priv-a"}))
        << "us-east-1b has fewer, then a tie goes to the first zone, its least used subnet";
    EXPECT_EQ(names(scaled_instances(t, web, 2)),
              (std::vector<std::string>{"web-1@priv-a", "web-2@priv-b"}))
        << "scaling in takes from the zone with most, the newest there";
    EXPECT_EQ(names(scaled_instances(t, web, 1)), (std::vector<std::string>{"web-1@priv-a"}))
        << "then, on a tie, from the zone named last";
    EXPECT_EQ(scaled_instances(t, web, 4, /*last_used=*/7).back().name, "web-8")
        << "a terminated instance's name is never used again";
    EXPECT_EQ(highest_launch_number(t, web), 3u);
    EXPECT_THROW(scaled_instances(t, web, 7), std::invalid_argument);
    EXPECT_THROW(scaled_instances(t, web, 0), std::invalid_argument);
}

TEST(Scaling, ReplacingAnUnhealthyInstanceLaunchesANewOneUnderANewName) {
    const Topology t = load();
    const Index web = find_auto_scaling_group(t, "web");
    const Index web2 = t.auto_scaling_groups[web].instances[1];
    EXPECT_EQ(names(replaced_instances(t, web, web2)),
              (std::vector<std::string>{"web-1@priv-a", "web-3@priv-a2", "web-4@priv-b"}));
    const Index batch1 = t.auto_scaling_groups[find_auto_scaling_group(t, "batch")].instances[0];
    EXPECT_THROW(replaced_instances(t, web, batch1), std::invalid_argument);
}

// Scaling the first group shifts the index of every ENI after its instances (the second group's
// and the ALB nodes'); pinned, they keep their addresses and MACs, and the new ones take what
// is free.
TEST(Scaling, RunningEnisKeepTheirAddressesAndMacsWhenAGroupGrows) {
    const Topology before = load();
    const Index web = find_auto_scaling_group(before, "web");
    const Topology after = load(overrides_for(before, web, scaled_instances(before, web, 5)));
    ASSERT_EQ(after.auto_scaling_groups[0].instances.size(), 5u);
    EXPECT_EQ(after.auto_scaling_groups[0].desired_capacity, 5u);
    EXPECT_EQ(after.target_groups[0].targets.size(), 5u);
    for (const Eni& e : before.enis) {
        const Eni* kept = eni_named(after, e.meta.name);
        ASSERT_NE(kept, nullptr) << e.meta.name;
        EXPECT_EQ(kept->private_ips, e.private_ips) << e.meta.name;
        EXPECT_EQ(kept->mac, e.mac) << e.meta.name;
    }
    // Without pins the second group's instances would have moved: this is what pins prevent.
    LoadOverrides unpinned = overrides_for(before, web, scaled_instances(before, web, 5));
    unpinned.pinned.clear();
    const Topology moved = load(unpinned);
    EXPECT_NE(eni_named(moved, "batch-1/eth0")->mac, eni_named(before, "batch-1/eth0")->mac);
    // New ENIs have addresses and MACs of their own.
    std::set<net::MacAddress> macs;
    std::set<net::Ipv4Address> addresses;
    for (const Eni& e : after.enis) {
        EXPECT_TRUE(macs.insert(e.mac).second) << e.meta.name << " " << e.mac.to_string();
        EXPECT_TRUE(addresses.insert(e.primary_ip()).second) << e.meta.name;
    }
    // Scaling back in keeps the survivors as they are too.
    const Index web_after = find_auto_scaling_group(after, "web");
    const Topology shrunk =
        load(overrides_for(after, web_after, scaled_instances(after, web_after, 2)));
    for (const Eni& e : shrunk.enis) {
        const Eni* was = eni_named(after, e.meta.name);
        ASSERT_NE(was, nullptr) << e.meta.name;
        EXPECT_EQ(was->private_ips, e.private_ips);
        EXPECT_EQ(was->mac, e.mac);
    }
}

TEST(Scaling, ALaunchedInstanceOutsideTheGroupsSubnetsIsRefused) {
    const Topology t = load();
    LoadOverrides o = overrides_for(t, 0, {{"web-9", "pub-a"}});
    LoadResult r = load_topology_text(kTopology, "t.yaml", o);
    EXPECT_FALSE(r.ok());
    std::string out;
    for (const Diagnostic& d : r.diagnostics.sorted()) out += d.to_string() + "\n";
    EXPECT_NE(out.find("instance 'web-9' is launched in subnet 'pub-a', which is not one of the "
                       "group's"),
              std::string::npos)
        << out;
}

TEST(Scaling, TargetTrackingScalesOutAfterThreeHighPeriodsAndInAfterFifteenLow) {
    TargetTrackingPolicy policy;
    policy.target_value = 100;
    TargetTracker tracker(policy);
    tracker.observe(250);
    tracker.observe(250);
    EXPECT_EQ(tracker.decide(2, 1, 10), std::nullopt) << "two high periods are not enough";
    tracker.observe(250);
    EXPECT_EQ(tracker.decide(2, 1, 10), 5u) << "ceil(2 x 250 / 100)";
    EXPECT_TRUE(tracker.datapoints().empty());
    for (int k = 0; k < 3; ++k) tracker.observe(1000);
    EXPECT_EQ(tracker.decide(5, 1, 8), 8u) << "bounded by max_size";
    for (int k = 0; k < 14; ++k) tracker.observe(20);
    EXPECT_EQ(tracker.decide(8, 1, 8), std::nullopt) << "fourteen low periods are not enough";
    tracker.observe(20);
    EXPECT_EQ(tracker.decide(8, 1, 8), 2u) << "ceil(8 x 20 / 100)";
    tracker.observe(150);
    tracker.observe(50);
    tracker.observe(150);
    EXPECT_EQ(tracker.decide(2, 1, 8), std::nullopt) << "a low period in between";

    policy.disable_scale_in = true;
    TargetTracker no_in(policy);
    for (int k = 0; k < 15; ++k) no_in.observe(1);
    EXPECT_EQ(no_in.decide(4, 1, 8), std::nullopt);
}

TEST(Scaling, RequestCountPerTargetDividesByHealthyTargets) {
    EXPECT_EQ(request_count_per_target(300, 3, 4), 100.0);
    EXPECT_EQ(request_count_per_target(300, 0, 4), 75.0) << "none healthy: all of them";
    EXPECT_EQ(request_count_per_target(300, 0, 0), 0.0);
}

}  // namespace
}  // namespace vpcstack::model

namespace vpcstack::model {
namespace {

// Scaling in with a deregistration delay: the instance leaving service drains (still runs, no
// longer registered, not counted), then goes.
TEST(Scaling, AnInstanceLeavingServiceDrainsDeregisteredThenGoes) {
    const Topology t = load();
    const Index web = find_auto_scaling_group(t, "web");
    std::vector<LaunchedInstance> list =
        leaving_service(t, web, scaled_instances(t, web, 2), /*drain=*/true);
    ASSERT_EQ(list.size(), 3u);
    EXPECT_TRUE(list[2].draining);
    EXPECT_EQ(list[2].name, "web-3");
    const Topology draining = load(overrides_for(t, web, list));
    const AutoScalingGroup& asg = draining.auto_scaling_groups[web];
    EXPECT_EQ(asg.desired_capacity, 2u) << "a draining instance does not count";
    ASSERT_EQ(asg.draining.size(), 1u);
    EXPECT_EQ(draining.instances[asg.draining[0]].meta.name, "web-3");
    EXPECT_EQ(draining.target_groups[0].targets.size(), 2u) << "deregistered";
    EXPECT_EQ(eni_named(draining, "web-3/eth0")->private_ips,
              eni_named(t, "web-3/eth0")->private_ips)
        << "still running, where it was";
    // A later launch does not reuse a draining instance's name.
    EXPECT_EQ(scaled_instances(draining, web, 3).back().name, "web-4");
    // Once drained: terminated.
    const Topology gone = load(overrides_for(draining, web, launched_instances(draining, web)));
    EXPECT_EQ(eni_named(gone, "web-3/eth0"), nullptr);
    EXPECT_TRUE(gone.auto_scaling_groups[web].draining.empty());
    // No delay to honour: terminated at once.
    EXPECT_EQ(leaving_service(t, web, scaled_instances(t, web, 2), false).size(), 2u);
}

}  // namespace
}  // namespace vpcstack::model
