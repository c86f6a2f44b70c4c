// The zones each client of a topology resolves names from: one definition for the VPC resolver
// (engine/stages/resolver.cpp, in simulation and live labs) and the internet's name server of a
// live lab (`vpcctl serve dns`), so that both answer alike.
//
// AWS: vpc-dns (DNS hostnames) — every instance has a private DNS hostname,
// ip-A-B-C-D.ec2.internal in us-east-1 and ip-A-B-C-D.REGION.compute.internal elsewhere,
// resolving to its private address; with enable_dns_hostnames an instance with a public address
// also has a public hostname, ec2-A-B-C-D.compute-1.amazonaws.com (REGION.compute.amazonaws.com
// elsewhere), which resolves to the private address from inside the VPC and to the public address
// from outside it. AWS: hosted-zone-private-considerations — a VPC's view holds its associated
// private hosted zones, then the public ones (dns/zones.hpp decides which answers).
// AWS: resource-record-sets-choosing-alias-non-alias — an alias to a load balancer answers its
// nodes' addresses (the public ones of an internet-facing load balancer, from anywhere) with a
// TTL of 60 s.
// AWS: resource-record-sets-values-alias (Evaluate target health, Application and Network Load
// Balancers) — with evaluate target health, an alias to a load balancer is as healthy as the
// load balancer, and an ALB or NLB is healthy when every target group of it that has targets
// has at least one healthy target (a group without targets counts as healthy); see
// load_balancer_healthy().
// AWS: routing-policy-geo-phz, routing-policy-latency-phz — a query from a VPC is placed in the
// VPC's Region (its city: us-east-1 is Northern Virginia, US); an internet host is where its
// `location` says, and a source no host names has no location (default records answer it).
#pragma once

#include <deque>
#include <functional>
#include <string>
#include <vector>

#include "vpcstack/dns/zones.hpp"
#include "vpcstack/model/topology.hpp"

namespace vpcstack::model {

// The region a VPC's queries come from: its own, else the topology's, else us-east-1.
std::string dns_region(const Topology& t, Index vpc);
// The search domain of a VPC's instances (the DHCP options' domain-name): ec2.internal in
// us-east-1, REGION.compute.internal elsewhere.
std::string instance_search_domain(const Topology& t, Index vpc);
// The private DNS hostname of an address of VPC `vpc`: ip-10-0-1-10.ec2.internal.
std::string private_dns_name(const Topology& t, Index vpc, net::Ipv4Address ip);
// The public DNS hostname of a public address of an ENI of VPC `vpc`:
// ec2-203-0-113-5.compute-1.amazonaws.com (it exists only with enable_dns_hostnames).
std::string public_dns_name(const Topology& t, Index vpc, net::Ipv4Address public_ip);

// The target groups a load balancer's listeners forward to (default actions and rules), each
// once, in the order first named.
std::vector<Index> target_groups_of(const Topology& t, Index load_balancer);
// Whether target `target` (its index in the group's targets) of target group `group` passes
// the group's health checks.
using TargetHealthFn = std::function<bool(Index group, std::size_t target)>;
// The load balancer's health as an alias with evaluate target health sees it (the rule above).
bool load_balancer_healthy(const Topology& t, Index load_balancer,
                           const TargetHealthFn& target_healthy);
// Whether a load balancer is healthy, by its index (load_balancer_healthy() of what the lab
// knows of its targets).
using LoadBalancerHealthFn = std::function<bool(Index load_balancer)>;
// Whether the health of load balancer `lb` can change an answer: some alias record to it with
// evaluate target health has a routing policy (a simple record set answers whatever its health).
bool health_evaluated(const Topology& t, Index load_balancer);

class DnsViews {
  public:
    // The topology must outlive the views. `healthy` tells an alias with evaluate target health
    // whether its load balancer is healthy; empty: every load balancer is.
    explicit DnsViews(const Topology& topology, LoadBalancerHealthFn healthy = {});
    DnsViews(const DnsViews&) = delete;
    DnsViews& operator=(const DnsViews&) = delete;

    // What an ENI of VPC `vpc` sees through the VPC resolver.
    const dns::ZoneView& vpc(Index vpc) const { return vpc_views_.at(vpc); }
    // What the internet sees: the public hosted zones and the instances' public hostnames.
    const dns::ZoneView& internet() const { return internet_view_; }
    // Alias targets that are load balancers of the topology.
    const dns::AliasFn& alias() const { return alias_; }
    // The region a VPC's queries come from (latency records): its own, else the topology's.
    std::string region_of(Index vpc) const;
    // Who a query from an ENI of VPC `vpc` is, for latency and geolocation records: the VPC's
    // region and that region's location (only the region when it is not in dns/zones' table).
    dns::ClientInfo client_of(Index vpc, net::Ipv4Address source = {}) const;
    // Who a query from the internet is: the internet host with that address and its
    // `location`; a source of no known location otherwise.
    dns::ClientInfo internet_client(net::Ipv4Address source) const;
    // The search domain of a VPC's instances (DHCP options' domain-name): ec2.internal in
    // us-east-1, REGION.compute.internal elsewhere.
    std::string search_domain(Index vpc) const;

  private:
    const Topology& t_;
    std::deque<dns::Zone> zones_;  // made here; a deque keeps their addresses
    std::vector<dns::ZoneView> vpc_views_;
    dns::ZoneView internet_view_;
    dns::AliasFn alias_;
    LoadBalancerHealthFn healthy_;
};

}  // namespace vpcstack::model
