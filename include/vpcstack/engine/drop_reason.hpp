// The one list of reasons a packet can be dropped. It drives the enum, the printed name, the
// explanation and the counter: no packet leaves the engine unaccounted for.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace vpcstack::engine {

enum class DropReason : std::uint8_t {
    Malformed,  // truncated or inconsistent headers
    NotIpv4,    // an EtherType the VPC does not carry (IPv6, LLDP, ...)
    Noise,      // gratuitous ARP, router solicitations, broadcast/multicast: not delivered
    WrongDestinationMac,   // a frame not addressed to the router, the ENI or broadcast
    TtlExceeded,           // TTL ran out at a hop that decrements it
    SourceDestCheck,       // the ENI sent or would receive traffic that is not its own
    SecurityGroupNoMatch,  // no rule of the ENI's security groups allows a new flow
    AclDenied,             // a network ACL rule (or the final '*' rule) denies
    NoRoute,               // no route in the subnet's route table matches
    Blackhole,             // the matching route's target is gone or not active
    NoPublicIp,            // routed to the internet gateway from an address without a public IP
    NoMapping,             // from the internet to a public address that maps to no ENI
    NatNoTranslation,      // inbound at a NAT gateway with no translation (unsolicited)
    NatPortsExhausted,     // 55,000 connections to one destination from one NAT IP
    NatUnsupported,        // a protocol or fragment the NAT gateway does not translate
    NotTransitive,         // arrived over a peering and would leave the VPC again
    ConntrackFull,         // the ENI tracks as many connections as it may
    MtuExceeded,           // larger than the path MTU with DF set (ICMP frag-needed is sent)
    InstanceStopped,       // the target instance is not running
    HostUnreachable,       // no ENI holds the destination address inside the VPC
    NatOwnSubnet,          // routed to a NAT gateway from the NAT gateway's own subnet
    LinkLocal,             // to a link-local address (169.254.0.0/16) the VPC does not route
    ServicePortClosed,     // to a link-local service's address, on a port no service answers
    MetadataDisabled,      // to the metadata service of an instance whose http_endpoint is off
    ResolverDisabled,      // to the VPC resolver of a VPC whose enable_dns_support is false
    LinkLocalAllowance,    // beyond the ENI's 1024 packets per second to link-local services
    MalformedDnsQuery,     // to the VPC resolver, not a DNS query it can answer
    LbNoListener,          // to a load balancer node on a port or protocol it has no listener for
    LbNoTarget,            // the load balancer has no target this node may send the flow to
    LbNoFlow,              // a TCP packet, not a SYN, of no flow the load balancer tracks
    LbNotCarried,          // a load balancer the engine does not carry at packet level
    kCount,
};

inline constexpr std::size_t kDropReasonCount = static_cast<std::size_t>(DropReason::kCount);

struct DropReasonInfo {
    DropReason reason;
    std::string_view name;         // "AclDenied"
    std::string_view explanation;  // one line for people
    // The matching explanation code of the cloud's Reachability Analyzer, "" where none fits.
    std::string_view analyzer_code = {};
};

inline constexpr std::array<DropReasonInfo, kDropReasonCount> kDropReasons{{
    {DropReason::Malformed, "Malformed", "truncated or inconsistent packet headers"},
    {DropReason::NotIpv4, "NotIpv4", "not an IPv4 or ARP frame"},
    {DropReason::Noise, "Noise", "broadcast, multicast or unsolicited ARP is not delivered"},
    {DropReason::WrongDestinationMac, "WrongDestinationMac", "frame not addressed to the VPC"},
    {DropReason::TtlExceeded, "TtlExceeded", "TTL expired in transit"},
    {DropReason::SourceDestCheck, "SourceDestCheck",
     "source/destination check: the address is not the ENI's own"},
    {DropReason::SecurityGroupNoMatch, "SecurityGroupNoMatch",
     "no security group rule allows the flow", "ENI_SG_RULES_MISMATCH"},
    {DropReason::AclDenied, "AclDenied", "denied by a network ACL rule", "SUBNET_ACL_RESTRICTION"},
    {DropReason::NoRoute, "NoRoute", "no route matches the destination", "NO_ROUTE_TO_DESTINATION"},
    {DropReason::Blackhole, "Blackhole", "the route's target is not available (blackhole)",
     "BAD_STATE_ROUTE"},
    {DropReason::NoPublicIp, "NoPublicIp",
     "the source has no public IPv4 address at the internet gateway"},
    {DropReason::NoMapping, "NoMapping", "the public address is not mapped to any interface",
     "IGW_PRIVATE_IP_ASSOCIATION_FOR_INGRESS"},
    {DropReason::NatNoTranslation, "NatNoTranslation",
     "no NAT translation exists for this inbound packet"},
    {DropReason::NatPortsExhausted, "NatPortsExhausted",
     "the NAT gateway has no free port towards this destination"},
    {DropReason::NatUnsupported, "NatUnsupported",
     "the NAT gateway does not translate this protocol or fragment"},
    {DropReason::NotTransitive, "NotTransitive",
     "traffic that arrived over a peering may not leave the VPC again",
     "PCX_REQUIRES_ADDRESS_IN_VPC_CIDR"},
    {DropReason::ConntrackFull, "ConntrackFull", "the interface's connection tracking is full"},
    {DropReason::MtuExceeded, "MtuExceeded", "larger than the path MTU with don't-fragment set"},
    {DropReason::InstanceStopped, "InstanceStopped", "the instance is not running", "BAD_STATE"},
    {DropReason::HostUnreachable, "HostUnreachable", "no interface holds the destination address"},
    {DropReason::NatOwnSubnet, "NatOwnSubnet",
     "a NAT gateway does not serve instances in its own subnet"},
    {DropReason::LinkLocal, "LinkLocal", "link-local addresses are never routed"},
    {DropReason::ServicePortClosed, "ServicePortClosed",
     "no service answers this port at the resolver, metadata or time sync address"},
    {DropReason::MetadataDisabled, "MetadataDisabled",
     "the instance's metadata endpoint is disabled (metadata_options http_endpoint)"},
    {DropReason::ResolverDisabled, "ResolverDisabled",
     "the VPC's DNS resolver is off (enable_dns_support false)"},
    {DropReason::LinkLocalAllowance, "LinkLocalAllowance",
     "more than 1024 packets per second from one interface to the resolver, metadata and time "
     "services"},
    {DropReason::MalformedDnsQuery, "MalformedDnsQuery",
     "sent to the VPC resolver, not a DNS query it answers"},
    {DropReason::LbNoListener, "LbNoListener",
     "the load balancer has no listener for this protocol and port"},
    {DropReason::LbNoTarget, "LbNoTarget",
     "the load balancer has no registered target to send this flow to"},
    {DropReason::LbNoFlow, "LbNoFlow",
     "not a SYN, and of no flow the load balancer tracks (RST sent)"},
    {DropReason::LbNotCarried, "LbNotCarried",
     "the engine does not carry this load balancer's traffic at packet level"},
}};

constexpr const DropReasonInfo& info(DropReason r) {
    return kDropReasons[static_cast<std::size_t>(r)];
}
constexpr std::string_view name(DropReason r) {
    return info(r).name;
}

}  // namespace vpcstack::engine
