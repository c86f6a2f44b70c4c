#include "vpcstack/model/scaling.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <charconv>
#include <cmath>
#include <map>
#include <stdexcept>

namespace vpcstack::model {

namespace {

// N of an instance called GROUP-N; 0 for any other name.
std::uint32_t launch_number(const std::string& group, const std::string& name) {
    if (name.size() <= group.size() + 1 || name.compare(0, group.size(), group) != 0 ||
        name[group.size()] != '-') {
        return 0;
    }
    std::uint32_t n = 0;
    const char* first = name.data() + group.size() + 1;
    const char* last = name.data() + name.size();
    auto [end, ec] = std::from_chars(first, last, n);
    return ec == std::errc() && end == last ? n : 0;
}

// The group's zones in the order its subnets name them, and each zone's subnets.
struct Zones {
    std::vector<std::string> names;
    std::vector<std::vector<Index>> subnets;
};

Zones zones_of(const Topology& t, const AutoScalingGroup& asg) {
    Zones z;
    for (Index sn : asg.subnets) {
        const std::string& az = t.subnets[sn].availability_zone;
        auto it = std::find(z.names.begin(), z.names.end(), az);
        if (it == z.names.end()) {
            z.names.push_back(az);
            z.subnets.emplace_back();
            it = z.names.end() - 1;
        }
        z.subnets[static_cast<std::size_t>(it - z.names.begin())].push_back(sn);
    }
    return z;
}

const Subnet* subnet_named(const Topology& t, const std::string& name) {
    for (const Subnet& sn : t.subnets) {
        if (sn.meta.name == name) return &sn;
    }
    return nullptr;
}

// Adds one instance where the scale-out rule puts it.
void launch_one(const Topology& t, const AutoScalingGroup& asg, const Zones& zones,
                std::vector<LaunchedInstance>& out, std::uint32_t& next_number) {
    std::map<std::string, std::size_t> per_subnet;
    std::vector<std::size_t> per_zone(zones.names.size(), 0);
    for (const LaunchedInstance& li : out) {
        ++per_subnet[li.subnet];
        if (const Subnet* sn = subnet_named(t, li.subnet)) {
            auto it = std::find(zones.names.begin(), zones.names.end(), sn->availability_zone);
            if (it != zones.names.end())
                ++per_zone[static_cast<std::size_t>(it - zones.names.begin())];
        }
    }
    const std::size_t zone = static_cast<std::size_t>(
        std::min_element(per_zone.begin(), per_zone.end()) - per_zone.begin());
    Index pick = zones.subnets[zone].front();
    for (Index sn : zones.subnets[zone]) {
        if (per_subnet[t.subnets[sn].meta.name] < per_subnet[t.subnets[pick].meta.name]) pick = sn;
    }
    out.push_back({fmt::format("{}-{}", asg.meta.name, next_number++), t.subnets[pick].meta.name});
}

std::uint32_t next_launch_number(const Topology& t, const AutoScalingGroup& asg,
                                 std::uint32_t last_used) {
    std::uint32_t highest = last_used;
    for (const std::vector<Index>* list : {&asg.instances, &asg.draining}) {
        for (Index i : *list) {
            highest = std::max(highest, launch_number(asg.meta.name, t.instances[i].meta.name));
        }
    }
    return highest + 1;
}

}  // namespace

std::uint32_t highest_launch_number(const Topology& t, Index g) {
    return next_launch_number(t, t.auto_scaling_groups[g], 0) - 1;
}

Index find_auto_scaling_group(const Topology& t, std::string_view name) {
    Index found = kNone;
    for (Index g = 0; g < t.auto_scaling_groups.size(); ++g) {
        const AutoScalingGroup& asg = t.auto_scaling_groups[g];
        if (asg.meta.name == name || t.qualified_name(asg.meta, asg.vpc) == name) {
            if (found != kNone) return kNone;
            found = g;
        }
    }
    return found;
}

namespace {

std::vector<LaunchedInstance> listed(const Topology& t, const std::vector<Index>& instances,
                                     bool draining) {
    std::vector<LaunchedInstance> out;
    for (Index i : instances) {
        const Instance& inst = t.instances[i];
        out.push_back(
            {inst.meta.name, t.subnets[t.enis[inst.enis.front()].subnet].meta.name, draining});
    }
    return out;
}

}  // namespace

std::vector<LaunchedInstance> launched_instances(const Topology& t, Index g) {
    return listed(t, t.auto_scaling_groups[g].instances, false);
}

std::vector<LaunchedInstance> draining_instances(const Topology& t, Index g) {
    return listed(t, t.auto_scaling_groups[g].draining, true);
}

std::vector<LaunchedInstance> scaled_instances(const Topology& t, Index g, std::uint32_t desired,
                                               std::uint32_t last_used) {
    const AutoScalingGroup& asg = t.auto_scaling_groups[g];
    if (desired < asg.min_size || desired > asg.max_size) {
        throw std::invalid_argument(
            fmt::format("desired capacity {} is outside the group's min_size {} to max_size {}; "
                        "expected a number from {} to {}",
                        desired, asg.min_size, asg.max_size, asg.min_size, asg.max_size));
    }
    const Zones zones = zones_of(t, asg);
    std::vector<LaunchedInstance> out = launched_instances(t, g);
    std::uint32_t next = next_launch_number(t, asg, last_used);
    while (out.size() < desired) launch_one(t, asg, zones, out, next);
    while (out.size() > desired) {
        // The zone with the most instances, the last named on a tie; its newest instance.
        std::vector<std::size_t> per_zone(zones.names.size(), 0);
        std::vector<std::size_t> zone_of(out.size(), 0);
        for (std::size_t k = 0; k < out.size(); ++k) {
            if (const Subnet* sn = subnet_named(t, out[k].subnet)) {
                auto it = std::find(zones.names.begin(), zones.names.end(), sn->availability_zone);
                zone_of[k] = static_cast<std::size_t>(it - zones.names.begin());
                if (zone_of[k] < per_zone.size()) ++per_zone[zone_of[k]];
            }
        }
        std::size_t zone = 0;
        for (std::size_t z = 0; z < per_zone.size(); ++z) {
            if (per_zone[z] >= per_zone[zone]) zone = z;
        }
        std::size_t victim = out.size();
        for (std::size_t k = 0; k < out.size(); ++k) {
            if (zone_of[k] != zone) continue;
            if (victim == out.size() || launch_number(asg.meta.name, out[k].name) >=
                                            launch_number(asg.meta.name, out[victim].name)) {
                victim = k;
            }
        }
        if (victim == out.size()) victim = out.size() - 1;
        out.erase(out.begin() + static_cast<std::ptrdiff_t>(victim));
    }
    return out;
}

std::vector<LaunchedInstance> replaced_instances(const Topology& t, Index g, Index instance,
                                                 std::uint32_t last_used) {
    const AutoScalingGroup& asg = t.auto_scaling_groups[g];
    if (std::find(asg.instances.begin(), asg.instances.end(), instance) == asg.instances.end()) {
        throw std::invalid_argument(fmt::format("instance '{}' is not one of group '{}'",
                                                t.instances[instance].meta.name, asg.meta.name));
    }
    std::vector<LaunchedInstance> out = launched_instances(t, g);
    std::erase_if(out, [&](const LaunchedInstance& li) {
        return li.name == t.instances[instance].meta.name;
    });
    std::uint32_t next = next_launch_number(t, asg, last_used);
    launch_one(t, asg, zones_of(t, asg), out, next);
    return out;
}

std::vector<LaunchedInstance> leaving_service(const Topology& t, Index g,
                                              const std::vector<LaunchedInstance>& in_service,
                                              bool drain) {
    std::vector<LaunchedInstance> out = in_service;
    for (const LaunchedInstance& li : launched_instances(t, g)) {
        const bool stays =
            std::any_of(in_service.begin(), in_service.end(),
                        [&](const LaunchedInstance& s) { return s.name == li.name; });
        if (!stays && drain) out.push_back({li.name, li.subnet, true});
    }
    for (const LaunchedInstance& li : draining_instances(t, g)) out.push_back(li);
    return out;
}

LoadOverrides overrides_for(const Topology& running, Index g,
                            std::vector<LaunchedInstance> launched) {
    LoadOverrides o;
    for (Index k = 0; k < running.auto_scaling_groups.size(); ++k) {
        const AutoScalingGroup& asg = running.auto_scaling_groups[k];
        std::vector<LaunchedInstance> now = launched_instances(running, k);
        for (LaunchedInstance& li : draining_instances(running, k)) now.push_back(std::move(li));
        o.launched[running.qualified_name(asg.meta, asg.vpc)] = k == g ? launched : now;
    }
    for (const Eni& e : running.enis) {
        o.pinned[e.meta.name] = PinnedEni{e.private_ips, e.mac};
    }
    return o;
}

void TargetTracker::observe(double requests_per_target) {
    datapoints_.push_back(requests_per_target);
    while (datapoints_.size() > kScaleInPeriods) datapoints_.pop_front();
}

std::optional<std::uint32_t> TargetTracker::decide(std::uint32_t capacity, std::uint32_t min_size,
                                                   std::uint32_t max_size) {
    if (datapoints_.empty() || policy_.target_value <= 0) return std::nullopt;
    auto last = [&](std::size_t n, auto above) {
        if (datapoints_.size() < n) return false;
        return std::all_of(datapoints_.end() - static_cast<std::ptrdiff_t>(n), datapoints_.end(),
                           above);
    };
    const double target = policy_.target_value;
    const bool out = last(kScaleOutPeriods, [&](double v) { return v > target; });
    const bool in =
        !policy_.disable_scale_in && last(kScaleInPeriods, [&](double v) { return v < target; });
    if (!out && !in) return std::nullopt;
    const double wanted = std::ceil(static_cast<double>(std::max<std::uint32_t>(capacity, 1)) *
                                    datapoints_.back() / target);
    std::uint32_t desired = static_cast<std::uint32_t>(
        std::clamp(wanted, static_cast<double>(min_size), static_cast<double>(max_size)));
    if (out) desired = std::max(desired, capacity);  // an out alarm never shrinks the group
    if (in) desired = std::min(desired, capacity);
    if (desired == capacity) return std::nullopt;
    datapoints_.clear();
    return desired;
}

double request_count_per_target(std::uint64_t requests, std::size_t healthy,
                                std::size_t registered) {
    const std::size_t targets = healthy > 0 ? healthy : registered;
    return targets == 0 ? 0.0 : static_cast<double>(requests) / static_cast<double>(targets);
}

}  // namespace vpcstack::model
