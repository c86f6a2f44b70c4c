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
#pragma once

#include <deque>
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

class DnsViews {
  public:
    // The topology must outlive the views.
    explicit DnsViews(const Topology& topology);
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
    // The search domain of a VPC's instances (DHCP options' domain-name): ec2.internal in
    // us-east-1, REGION.compute.internal elsewhere.
    std::string search_domain(Index vpc) const;

  private:
    const Topology& t_;
    std::deque<dns::Zone> zones_;  // made here; a deque keeps their addresses
    std::vector<dns::ZoneView> vpc_views_;
    dns::ZoneView internet_view_;
    dns::AliasFn alias_;
};

}  // namespace vpcstack::model
