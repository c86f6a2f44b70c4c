// The Elastic Load Balancing v2 settings of the import model in the topology's terms: listener
// and rule actions, rule conditions, target group health checks and attributes, load balancer
// attributes, certificates. Pure conversions: the topology writer (aws_topology_writer.hpp)
// resolves names and places the results.
//
// What cannot be written comes back as a reason, never silently dropped: the writer turns it
// into a comment, a warning and a "not modelled yet" count.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vpcstack/importers/aws_inventory.hpp"
#include "vpcstack/model/yaml_reader.hpp"

namespace vpcstack::importers::aws {

// A target group ARN to the topology name of that group in the load balancer's VPC; empty
// when the group is not imported.
using GroupNamer = std::function<std::string(const std::string& arn)>;

struct ActionOutcome {
    std::optional<model::RawAction> action;  // unset: `why` says why
    std::string why;
    std::string not_modelled;  // a "not modelled yet" label, when that is the reason
    // Actions before the final one that are dropped (authenticate-oidc, authenticate-cognito).
    std::vector<std::string> dropped;
};

// The action a listener or rule ends with. AWS: elasticloadbalancing Action — actions run in
// Order; authenticate actions come first, then exactly one forward, redirect or fixed-response.
ActionOutcome map_actions(const std::vector<ElbAction>& actions, const GroupNamer& group_name);

struct ConditionOutcome {
    std::optional<model::RawCondition> condition;
    std::string why;
    std::string not_modelled;
};

// AWS: load-balancer-listeners (rule condition types).
ConditionOutcome map_condition(const ElbCondition& c);

// "HTTPS" -> LbProtocol::Https; unset for GENEVE and anything unknown.
std::optional<model::LbProtocol> map_lb_protocol(const std::string& aws);

// Health check, preserve_client_ip, stickiness, deregistration delay and algorithm of `g`
// (and its describe-target-group-attributes, when given) set in `out`. Settings the topology
// cannot express are returned as notes ("load_balancing.algorithm.type weighted_random: not
// modelled yet").
std::vector<std::string> map_target_group_settings(const TargetGroup& g,
                                                   const ElbAttributes* attributes,
                                                   model::RawTargetGroup& out);

// The topology's certificate name for a certificate ARN: the domain of an ACM certificate in
// the input, else the last part of the ARN (`derived` set).
std::string certificate_name(const std::string& arn, const std::vector<Certificate>& known,
                             bool& derived);

}  // namespace vpcstack::importers::aws
