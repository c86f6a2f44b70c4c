// Auto Scaling decisions for a running topology: which instances a group launches or terminates
// when its desired capacity changes, which one replaces an unhealthy instance, and what a target
// tracking policy asks for. Pure functions of the running topology; a lab applies them by loading
// its file again with the LoadOverrides they give (loader.hpp), so that the instances that run
// keep their names, addresses and MACs.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <vector>

#include "vpcstack/model/loader.hpp"
#include "vpcstack/model/topology.hpp"

namespace vpcstack::model {

// The Auto Scaling group of this name (NAME or VPC/NAME); kNone when none or several.
Index find_auto_scaling_group(const Topology& t, std::string_view name);

// The instances group `g` has in service, in launch order; and those it is terminating, still
// draining.
std::vector<LaunchedInstance> launched_instances(const Topology& t, Index g);
std::vector<LaunchedInstance> draining_instances(const Topology& t, Index g);

// AWS: ec2-auto-scaling-benefits (instance distribution) and as-instance-termination (default
// termination policy). Scaling out, each new instance goes to the availability zone with the
// fewest of the group's instances (ties: the zone the group names first) and that zone's subnet
// with the fewest; it is called GROUP-N, N one above the highest the group has used. Scaling in,
// an instance leaves the zone with the most (ties: the zone named last); there the policy's
// later criteria (launch template, billing hour) cannot tell identical instances apart, and the
// newest one goes. Throws std::invalid_argument when `desired` is outside min_size..max_size (the
// cloud's ValidationError). `last_used`: the highest N of instances already terminated, never
// used again (as the cloud never reuses an instance id).
std::vector<LaunchedInstance> scaled_instances(const Topology& t, Index g, std::uint32_t desired,
                                               std::uint32_t last_used = 0);

// AWS: as-maintain-instance-levels (replacing unhealthy instances) — the unhealthy instance is
// terminated and a new one launched where the scale-out rule above puts it. Throws
// std::invalid_argument when `instance` is not one of the group's.
std::vector<LaunchedInstance> replaced_instances(const Topology& t, Index g, Index instance,
                                                 std::uint32_t last_used = 0);

// The highest N of the group's GROUP-N instances (draining ones included); 0 when none.
std::uint32_t highest_launch_number(const Topology& t, Index g);

// What group `g` runs once `in_service` (scaled_instances, replaced_instances) are its in-service
// instances: those, the ones leaving service as draining when `drain` (a deregistration delay
// to honour; else they are terminated at once) and those already draining.
std::vector<LaunchedInstance> leaving_service(const Topology& t, Index g,
                                              const std::vector<LaunchedInstance>& in_service,
                                              bool drain);

// The overrides that rebuild `running` with group `g` running `launched` (draining ones
// included): every other group's instances as they run, draining ones too, and every ENI that
// runs pinned to its addresses and MAC.
LoadOverrides overrides_for(const Topology& running, Index g,
                            std::vector<LaunchedInstance> launched);

// AWS: as-scaling-target-tracking — the policy's CloudWatch alarms: scale out when the metric
// was above the target value in the last 3 periods, scale in when it was below in the last 15
// (unless scale-in is disabled); the new capacity is ceil(capacity × metric ÷ target), within
// min_size..max_size, the metric being the latest period's.
class TargetTracker {
  public:
    explicit TargetTracker(TargetTrackingPolicy policy) : policy_(policy) {}

    // One period's RequestCountPerTarget.
    void observe(double requests_per_target);
    // The capacity the policy asks for now, when it differs from `capacity`. A decision clears
    // the datapoints: the alarms judge the group at its new size afresh.
    std::optional<std::uint32_t> decide(std::uint32_t capacity, std::uint32_t min_size,
                                        std::uint32_t max_size);
    const TargetTrackingPolicy& policy() const { return policy_; }
    const std::deque<double>& datapoints() const { return datapoints_; }

    static constexpr std::size_t kScaleOutPeriods = 3;
    static constexpr std::size_t kScaleInPeriods = 15;

  private:
    TargetTrackingPolicy policy_;
    std::deque<double> datapoints_;  // newest last, at most kScaleInPeriods
};

// RequestCountPerTarget of one period: the target group's requests divided by its healthy
// targets (all registered targets when none is healthy, as the load balancer then fails open).
double request_count_per_target(std::uint64_t requests, std::size_t healthy,
                                std::size_t registered);

}  // namespace vpcstack::model
