// Route 53 health checks, probed through the engine as the cloud's checkers probe them: from the
// internet, so the endpoint's security group and ACLs must admit the checkers (the classic
// mistake: a group that admits only the load balancer or the office leaves the check failing and
// its records out of the answers).
//
// AWS: dns-failover-determining-health-of-endpoints — HTTP and HTTPS checks need a TCP
// connection and then a 2xx or 3xx answer; TCP checks the connection alone; a CALCULATED check
// is healthy when at least `healthy_threshold` of its children are; `inverted` flips the result.
// Here each check is probed once from kRoute53CheckerAddress to its address (its IP, or its
// domain resolved through the internet's name servers) and port: the steady state the checkers
// reach after `failure_threshold` probes. Simulated hosts answer any request on a port they
// accept, so an HTTP check passes when the connection does; no answer code is judged.
#pragma once

#include <functional>
#include <map>
#include <optional>
#include <string>

#include "vpcstack/model/dns_views.hpp"
#include "vpcstack/model/topology.hpp"
#include "vpcstack/net/ipv4.hpp"

namespace vpcstack::sim {

// Where the checkers' probes come from in a lab: an address of the documentation range
// 203.0.113.0/24 (RFC 5737) standing for Route 53's published checker ranges.
inline constexpr net::Ipv4Address kRoute53CheckerAddress{203, 0, 113, 253};

struct HealthCheckStatus {
    bool healthy = true;
    std::string why;  // "tcp/80 to 203.0.113.10 connected", "... timed out", "2 of 2 children"
};

// Every health check of the topology by name.
std::map<std::string, HealthCheckStatus> probe_health_checks(const model::Topology& topology);

// What the simulation and the live lab's prober share.

// The address an HTTP, HTTPS or TCP check probes: its IP, or its domain resolved through the
// internet's name servers (the first A record). Nothing, and `why` set, when the domain does
// not resolve from the internet.
std::optional<net::Ipv4Address> health_check_address(const model::Route53HealthCheck& check,
                                                     const model::DnsViews& views,
                                                     std::string& why);

// Adds to `statuses` (by name) every CALCULATED check whose children all have a status there,
// children first (the loader refuses cycles): healthy when at least `healthy_threshold` of its
// children are, then `inverted` applied.
void settle_calculated_health_checks(const model::Topology& topology,
                                     std::map<std::string, HealthCheckStatus>& statuses);

}  // namespace vpcstack::sim
