// The cloud's rules that more than one module needs: the limits and predicates that validation
// enforces on a topology and that the AWS importer applies when it decides what it can write.
// Each is stated once here, with the AWS documentation page it comes from.
#pragma once

#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>
#include <vector>

#include "vpcstack/model/topology.hpp"
#include "vpcstack/net/ipv4.hpp"

namespace vpcstack::model::cloud {

// AWS: vpc-cidr-blocks, subnet-sizing — VPC and subnet CIDR blocks are /16 to /28.
inline constexpr int kLargestPrefix = 16;
inline constexpr int kSmallestPrefix = 28;
constexpr bool valid_block_size(const net::Cidr& block) noexcept {
    return block.length() >= kLargestPrefix && block.length() <= kSmallestPrefix;
}

// AWS: amazon-vpc-limits — 5 IPv4 CIDR blocks per VPC besides the primary, and 5 security
// groups per network interface (the default quotas; the topology allows no more).
inline constexpr std::size_t kMaxSecondaryCidrs = 5;
inline constexpr std::size_t kMaxSecurityGroupsPerEni = 5;

// AWS: vpc-network-acls — rule numbers are 1 to 32766; 32767 is the final '*' rule, which
// denies everything and is implicit.
inline constexpr long kMaxAclRuleNumber = 32766;
inline constexpr long kAclFinalRuleNumber = 32767;
constexpr bool valid_acl_rule_number(long number) noexcept {
    return number >= 1 && number <= kMaxAclRuleNumber;
}

// AWS: subnet-sizing — the first four addresses and the last one of a subnet are reserved.
// What `address` is used for when it is reserved in `subnet` ("the VPC router"), else nullptr.
const char* reserved_address_role(const net::Cidr& subnet, net::Ipv4Address address) noexcept;
// The first and last address an instance or NAT gateway may have.
constexpr net::Ipv4Address first_usable_address(const net::Cidr& subnet) noexcept {
    return subnet.network() + 4;
}
constexpr net::Ipv4Address last_usable_address(const net::Cidr& subnet) noexcept {
    return net::Ipv4Address(subnet.last().value() - 1);
}

// AWS: vpc-dns, ec2-instance-metadata, set-time — the VPC's services at fixed link-local
// addresses, and the Amazon DNS resolver inside a VPC: the base of its primary CIDR + 2 (and
// of each subnet, which the resolver also answers on).
inline constexpr net::Ipv4Address kLinkLocalDnsAddress{169, 254, 169, 253};
inline constexpr net::Ipv4Address kMetadataAddress{169, 254, 169, 254};
inline constexpr net::Ipv4Address kTimeSyncAddress{169, 254, 169, 123};
constexpr net::Ipv4Address resolver_address(const net::Cidr& block) noexcept {
    return block.network() + 2;
}

// AWS: vpc-cidr-blocks (association restrictions) — the RFC 1918 range a CIDR lies in, if any;
// a secondary CIDR may not come from another private range than the primary's.
std::optional<net::Cidr> rfc1918_range(const net::Cidr& block) noexcept;

// AWS: VPC_Route_Tables — every route table has a local route for each VPC CIDR. The VPC CIDR
// whose local route covers `destination` (contains it, or is it), if any.
std::optional<net::Cidr> local_route_covering(const std::vector<net::Cidr>& vpc_cidrs,
                                              const net::Cidr& destination) noexcept;
// AWS: middlebox-routing — a route more specific than a local route may only send traffic to
// a NAT gateway or a network interface (an ENI, or an instance's).
constexpr bool may_take_subnet_traffic(RouteTargetKind kind) noexcept {
    return kind == RouteTargetKind::NatGateway || kind == RouteTargetKind::Eni ||
           kind == RouteTargetKind::Instance;
}
// AWS: replace-local-route-target — the target of a local route (the route of a whole VPC
// CIDR) may be replaced by a network interface (an ENI, or an instance's) and later restored
// to local; no other target may take it.
constexpr bool may_replace_local_target(RouteTargetKind kind) noexcept {
    return kind == RouteTargetKind::Eni || kind == RouteTargetKind::Instance;
}

// AWS: VPC_Route_Tables — a route whose target was deleted is in state blackhole and keeps
// the target's id. The kind of target a reference names: a cloud id (eni-, i-, nat-, pcx-,
// igw-) or a topology target (eni/NAME, instance/NAME, nat/NAME, peering/NAME, igw);
// Blackhole when it names none of these.
RouteTargetKind kind_named_by(std::string_view reference) noexcept;
// The kind the validation rules judge a route by: for a blackhole route that names its
// deleted target, that target's kind (the cloud let the route be made with it).
constexpr RouteTargetKind effective_kind(const RouteTarget& target) noexcept {
    if (target.kind == RouteTargetKind::Blackhole && !target.was.empty()) {
        return kind_named_by(target.was);
    }
    return target.kind;
}

// AWS: gateway-route-tables — a route table associated with an internet gateway routes only
// to local or to a network interface (a middlebox appliance), for the whole VPC CIDR or a
// whole subnet CIDR; it has no prefix-list destination.
constexpr bool gateway_route_table_may_target(RouteTargetKind kind) noexcept {
    return kind == RouteTargetKind::Local || kind == RouteTargetKind::Eni ||
           kind == RouteTargetKind::Instance;
}

// AWS: vpc-peering-basics — only an active peering carries traffic (and lets a security group
// name a group of the peer VPC); a pending one already holds its pair of VPCs, so that a second
// peering between them, or one between overlapping VPCs, is refused.
constexpr bool peering_in_force(PeeringStatus status) noexcept {
    return status == PeeringStatus::Active || status == PeeringStatus::PendingAcceptance;
}
// The first pair of overlapping CIDRs, one from each list; peered VPCs may have none.
std::optional<std::pair<net::Cidr, net::Cidr>> first_overlap(const std::vector<net::Cidr>& a,
                                                             const std::vector<net::Cidr>& b);

// AWS: default-security-group — the default group of a VPC is the one named "default" (the
// cloud does not let any other group have that name).
inline constexpr std::string_view kDefaultGroupName = "default";

// AWS: EC2 API ConnectionTrackingConfiguration — the ranges of an ENI's idle timeouts (s).
struct TimeoutRange {
    std::uint32_t min;
    std::uint32_t max;
};
inline constexpr TimeoutRange kTcpEstablishedTimeout{60, 432'000};
inline constexpr TimeoutRange kUdpStreamTimeout{60, 180};
inline constexpr TimeoutRange kUdpTimeout{30, 60};

}  // namespace vpcstack::model::cloud
