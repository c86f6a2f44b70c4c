// The health of the topology's load balancers as an alias with evaluate target health sees it
// (model/dns_views.hpp, load_balancer_healthy()): each target of each target group the
// listeners forward to is checked as the load balancer checks it, and the rule decides.
//
// AWS: target-group-health-checks — the checks go from the load balancer's nodes to each
// target's health-check port (the traffic port unless one is set), so the target's security
// group and the subnets' ACLs must admit the nodes. Here an Application Load Balancer's checks
// are real connections from its nodes' hosts through the engine, the same connections
// sim/alb.hpp opens before it forwards a request, probed once: the steady state the thresholds
// lead to. A target counts as healthy when the check of at least one node connects. A Network
// Load Balancer's nodes are played by the engine itself, with no host to open a check from:
// it counts as healthy here (its why says so).
#pragma once

#include <map>
#include <string>

#include "vpcstack/model/dns_views.hpp"
#include "vpcstack/model/topology.hpp"

namespace vpcstack::sim {

struct LoadBalancerHealth {
    bool healthy = true;
    std::string why;  // "2 of 2 targets of 'web' healthy", "no healthy target in 'web' (0 of 2)"
};

// Every load balancer of the topology by name.
std::map<std::string, LoadBalancerHealth> probe_load_balancers(const model::Topology& topology);

// The probe's results as DnsViews takes them (a load balancer not in `health` is healthy).
model::LoadBalancerHealthFn load_balancer_health_fn(
    const model::Topology& topology, std::map<std::string, LoadBalancerHealth> health);

}  // namespace vpcstack::sim
