#include "vpcstack/sim/load_balancer_health.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <vector>

#include "vpcstack/lb/forward.hpp"
#include "vpcstack/sim/simulation.hpp"

namespace vpcstack::sim {

std::map<std::string, LoadBalancerHealth> probe_load_balancers(const model::Topology& t) {
    std::map<std::string, LoadBalancerHealth> out;
    bool any = false;
    for (model::Index l = 0; l < t.load_balancers.size(); ++l) {
        if (model::health_evaluated(t, l)) {
            any = true;
        } else {
            out[t.load_balancers[l].meta.name] = {
                true, "no alias with a routing policy evaluates its health"};
        }
    }
    if (!any) return out;
    SimulationOptions options;
    options.trace = false;
    options.probe_health_checks = false;
    options.probe_load_balancers = false;  // this is the probe
    Simulation sim(t, options);
    // checks[group][target]: the checks of that target, one per node that probed it.
    std::map<model::Index, std::vector<std::vector<FlowId>>> checks;
    for (model::Index l = 0; l < t.load_balancers.size(); ++l) {
        const model::LoadBalancer& lb = t.load_balancers[l];
        if (lb.type != model::LoadBalancerType::Application) continue;
        if (!model::health_evaluated(t, l)) continue;
        for (model::Index g : model::target_groups_of(t, l)) {
            const model::TargetGroup& group = t.target_groups[g];
            auto& per_target = checks[g];
            per_target.resize(group.targets.size());
            for (const model::LoadBalancerNode& node : lb.nodes) {
                Host* host = node.eni == model::kNone ? nullptr : sim.host_at(node.eni);
                if (host == nullptr) continue;
                for (std::size_t i = 0; i < group.targets.size(); ++i) {
                    const lb::TargetEndpoint e = lb::target_endpoint(t, group, group.targets[i]);
                    const std::uint16_t port = group.health_check.port.value_or(e.port);
                    per_target[i].push_back(host->connect_tcp(e.address, port));
                }
            }
        }
    }
    sim.run_until_idle();
    auto target_healthy = [&](model::Index g, std::size_t i) {
        auto it = checks.find(g);
        if (it == checks.end() || i >= it->second.size()) return false;
        for (FlowId f : it->second[i]) {
            if (sim.flow(f).outcome == Outcome::Connected) return true;
        }
        return false;
    };
    for (model::Index l = 0; l < t.load_balancers.size(); ++l) {
        const model::LoadBalancer& lb = t.load_balancers[l];
        if (out.contains(lb.meta.name)) continue;
        LoadBalancerHealth& h = out[lb.meta.name];
        if (lb.type != model::LoadBalancerType::Application) {
            h.why = "a Network Load Balancer: its targets' checks are not probed, counted healthy";
            continue;
        }
        h.healthy = model::load_balancer_healthy(t, l, target_healthy);
        std::vector<std::string> groups;
        for (model::Index g : model::target_groups_of(t, l)) {
            const model::TargetGroup& group = t.target_groups[g];
            std::size_t healthy = 0;
            for (std::size_t i = 0; i < group.targets.size(); ++i) {
                healthy += target_healthy(g, i) ? 1 : 0;
            }
            groups.push_back(
                fmt::format("'{}' {} of {}", group.meta.name, healthy, group.targets.size()));
        }
        h.why = groups.empty() ? std::string("no target group")
                               : fmt::format("healthy targets: {}", fmt::join(groups, ", "));
    }
    return out;
}

model::LoadBalancerHealthFn load_balancer_health_fn(
    const model::Topology& t, std::map<std::string, LoadBalancerHealth> health) {
    return [&t, health = std::move(health)](model::Index lb) {
        auto it = health.find(t.load_balancers.at(lb).meta.name);
        return it == health.end() || it->second.healthy;
    };
}

}  // namespace vpcstack::sim
