// The engine's counters under the cloud's names, per ENI and per NAT gateway, as
// `vpcctl trace --counters` and `vpcctl lab status --json` show them (docs/observe.md).
//
// Per ENI, the ENA driver's allowance statistics (AWS: EC2 monitoring-network-performance-ena):
// conntrack_allowance_exceeded, conntrack_allowance_available, linklocal_allowance_exceeded.
// Per NAT gateway, its CloudWatch metrics (AWS: vpc-nat-gateway-cloudwatch): ErrorPortAllocation,
// PacketsDropCount, ActiveConnectionCount, ConnectionAttemptCount, ConnectionEstablishedCount,
// PacketsOutToDestination, BytesOutToDestination, and the other directions.
// Per Network Load Balancer, its CloudWatch metrics (AWS: network-load-balancer-cloudwatch-
// metrics): ActiveFlowCount, NewFlowCount (each also _TCP and _UDP), ProcessedBytes,
// ProcessedPackets, TCP_ELB_Reset_Count.
#pragma once

#include <nlohmann/json.hpp>
#include <string>

#include "vpcstack/engine/component.hpp"
#include "vpcstack/engine/engine.hpp"

namespace vpcstack::observe {

// {"enis": [{"eni": "eni/web/eth0", "conntrack_allowance_exceeded": 0, ...}],
//  "nat_gateways": [{"nat_gateway": "nat/nat-a", "ErrorPortAllocation": 0, ...}],
//  "load_balancers": [{"load_balancer": "lb/web-nlb", "NewFlowCount": 0, ...}]}
nlohmann::json counters_json(const engine::ComponentRegistry& components,
                             const engine::Counters& counters);
// The same as aligned text, one line per ENI and per NAT gateway.
std::string counters_text(const engine::ComponentRegistry& components,
                          const engine::Counters& counters);

}  // namespace vpcstack::observe
