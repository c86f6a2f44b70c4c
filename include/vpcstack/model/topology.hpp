// The topology: every resource of a network, as the cloud names it, after loading and
// validation. A Topology is built only by the loader (or an importer going through it) and is
// immutable afterwards: the engine compiles it into its own structures and never changes it.
//
// Resources live in flat vectors; references between them are indices into those vectors
// (kNone where absent), resolved and checked by validation. Every resource keeps the name the
// user gave it, the cloud id if one was given, and where in the file it was written.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "vpcstack/net/ipv4.hpp"
#include "vpcstack/net/protocol.hpp"

namespace vpcstack::model {

using Index = std::uint32_t;
inline constexpr Index kNone = UINT32_MAX;

struct SourceLocation {
    std::string file;
    int line = 0;  // 1-based; 0 when the thing was not written in a file (an implicit default)
    int column = 0;
};

// Name, optional cloud id and origin, common to every resource.
struct Meta {
    std::string name;
    std::string id;  // the cloud's id (vpc-0abc...), empty unless given
    SourceLocation loc;
    bool implicit = false;  // made by the loader as the cloud would (default ACL, main table...)
};

struct InternetGateway {
    Meta meta;
    Index vpc = kNone;
    // The gateway route table: the route table associated with the gateway, which routes the
    // traffic entering the VPC through it (AWS: gateway-route-tables); kNone when none.
    Index route_table = kNone;
};

struct Vpc {
    Meta meta;
    std::string region;            // the topology's region unless the VPC names its own
    std::string account;           // owner account id, empty unless given
    std::vector<net::Cidr> cidrs;  // primary first, then secondary CIDRs
    Index main_route_table = kNone;
    Index default_acl = kNone;
    Index default_security_group = kNone;
    Index internet_gateway = kNone;
    std::vector<Index> subnets;
};

struct Subnet {
    Meta meta;
    Index vpc = kNone;
    net::Cidr cidr;
    std::string availability_zone;
    Index route_table =
        kNone;  // the table in effect: the associated one, else the VPC's main table
    bool explicit_route_table = false;
    Index network_acl = kNone;  // the ACL in effect: the associated one, else the VPC's default ACL
    bool explicit_network_acl = false;
    std::vector<Index> enis;
};

enum class RouteTargetKind : std::uint8_t {
    Local,
    InternetGateway,
    NatGateway,
    Peering,
    Instance,  // routes to the instance's primary ENI
    Eni,
    Blackhole,  // written as "blackhole" by the user, or imported in state blackhole
};

struct RouteTarget {
    RouteTargetKind kind = RouteTargetKind::Local;
    Index index = kNone;  // into the vector of that kind; kNone for Local and Blackhole
    std::string text;     // as written, e.g. "nat/nat-a"
    // A blackhole route whose target was deleted keeps naming it, as the cloud does (state
    // blackhole): "eni-0abc", "nat-0abc"; empty otherwise.
    std::string was = {};
};

struct Route {
    net::Cidr destination;  // unused when the destination is a prefix list
    RouteTarget target;
    SourceLocation loc;
    bool implicit = false;  // the local route of a VPC CIDR
    // The destination is a prefix list (AWS: managed-prefix-lists): the route matches every
    // CIDR of the list. kNone for a CIDR destination.
    Index prefix_list = kNone;

    bool to_prefix_list() const noexcept { return prefix_list != kNone; }
};

struct RouteTable {
    Meta meta;
    Index vpc = kNone;
    bool main = false;
    std::vector<Route> routes;  // the implicit local routes first
    Index gateway = kNone;      // the internet gateway it is associated with, if any
};

enum class RuleAction : std::uint8_t { Allow, Deny };

// One numbered rule of a network ACL. cidr is the source for inbound rules and the destination
// for outbound rules. AWS: vpc-network-acls.
struct AclRule {
    std::uint16_t number = 0;  // 1-32766; 32767 is the final implicit deny, not stored
    RuleAction action = RuleAction::Deny;
    net::Protocol protocol;
    net::PortRange ports;  // meaningful for tcp and udp only
    net::IcmpMatch icmp;   // meaningful for icmp only
    net::Cidr cidr;
    std::string text;  // the rule as written, for traces
    SourceLocation loc;
};

struct NetworkAcl {
    Meta meta;
    Index vpc = kNone;
    bool is_default = false;
    std::vector<AclRule> inbound;   // sorted by number
    std::vector<AclRule> outbound;  // sorted by number
};

enum class PeerKind : std::uint8_t { Cidr, SecurityGroup, PrefixList };

// One security group rule: the source for ingress, the destination for egress.
// AWS: security-group-rules.
struct SgRule {
    net::Protocol protocol;
    net::PortRange ports;
    net::IcmpMatch icmp;
    PeerKind peer_kind = PeerKind::Cidr;
    net::Cidr cidr;             // PeerKind::Cidr
    Index group = kNone;        // PeerKind::SecurityGroup
    Index prefix_list = kNone;  // PeerKind::PrefixList
    std::string description;
    std::string text;  // the rule as written, for traces
    SourceLocation loc;
};

struct SecurityGroup {
    Meta meta;
    Index vpc = kNone;
    bool is_default = false;
    std::vector<SgRule> ingress;
    std::vector<SgRule> egress;
};

struct NatGateway {
    Meta meta;
    Index vpc = kNone;
    Index subnet = kNone;
    net::Ipv4Address private_ip;
    bool is_public = true;     // connectivity type public (needs an Elastic IP) or private
    Index elastic_ip = kNone;  // the Elastic IP resource, when public
};

// A port an instance or internet host listens on (tcp/80, udp/53).
struct ListenPort {
    std::uint8_t protocol = net::Protocol::kTcp;
    std::uint16_t port = 0;  // 0 for icmp (answers ping)
    auto operator<=>(const ListenPort&) const = default;
    std::string to_string() const;  // "tcp/80", "udp/53", "icmp", as the topology writes it
};

// An Elastic IP associated with a secondary private address of an ENI.
// AWS: EC2 using-instance-addressing-eips — one Elastic IP per private address.
struct SecondaryElasticIp {
    net::Ipv4Address private_ip;
    Index elastic_ip = kNone;
    SourceLocation loc;
};

// AWS: EC2 API ConnectionTrackingConfiguration — idle timeouts of an ENI's tracked connections,
// in seconds; unset ones keep the cloud's defaults (432,000 / 180 / 30).
struct ConnectionTracking {
    std::optional<std::uint32_t> tcp_established_timeout;  // 60 to 432,000
    std::optional<std::uint32_t> udp_stream_timeout;       // 60 to 180
    std::optional<std::uint32_t> udp_timeout;              // 30 to 60
    bool operator==(const ConnectionTracking&) const = default;
};

struct Eni {
    Meta meta;
    Index instance = kNone;
    Index subnet = kNone;
    Index vpc = kNone;
    std::vector<net::Ipv4Address> private_ips;  // primary first
    std::optional<net::Ipv4Address> public_ip;  // assigned at launch; not an Elastic IP
    Index elastic_ip = kNone;                   // Elastic IP associated with the primary IP
    std::vector<SecondaryElasticIp> secondary_elastic_ips;  // of secondary addresses
    std::vector<Index> security_groups;  // 1 to 5; the VPC's default group when none given
    bool source_dest_check = true;
    ConnectionTracking connection_tracking;
    net::MacAddress mac;
    int device_index = 0;

    net::Ipv4Address primary_ip() const { return private_ips.front(); }
};

struct Instance {
    Meta meta;
    std::vector<Index> enis;  // device index order; enis.front() is the primary ENI
    bool running = true;      // only running instances carry traffic
    // Ports the simulated host listens on. Unset: the ports its security groups open inbound.
    std::optional<std::vector<ListenPort>> listen;
};

enum class EipTargetKind : std::uint8_t { None, Eni, NatGateway };

struct ElasticIp {
    Meta meta;
    net::Ipv4Address address;
    EipTargetKind target_kind = EipTargetKind::None;
    Index target = kNone;
};

enum class PeeringStatus : std::uint8_t { Active, PendingAcceptance, Rejected, Deleted, Failed };

struct Peering {
    Meta meta;
    Index requester = kNone;  // VPC
    Index accepter = kNone;   // VPC
    PeeringStatus status = PeeringStatus::Active;
};

struct PrefixList {
    Meta meta;
    std::vector<net::Cidr> cidrs;
};

// A named address outside every VPC: a client or server on the internet.
struct InternetHost {
    Meta meta;
    net::Ipv4Address address;
    std::optional<std::vector<ListenPort>> listen;  // unset: accepts everything
};

struct Topology {
    std::string file;    // where it was loaded from
    std::string region;  // default region of the VPCs
    std::vector<Vpc> vpcs;
    std::vector<InternetGateway> internet_gateways;
    std::vector<Subnet> subnets;
    std::vector<RouteTable> route_tables;
    std::vector<NetworkAcl> network_acls;
    std::vector<SecurityGroup> security_groups;
    std::vector<NatGateway> nat_gateways;
    std::vector<Instance> instances;
    std::vector<Eni> enis;
    std::vector<ElasticIp> elastic_ips;
    std::vector<Peering> peerings;
    std::vector<PrefixList> prefix_lists;
    std::vector<InternetHost> internet_hosts;
    // Whether an internet address that no internet host, Elastic IP or cloud service range names
    // answers (a generic public server, the default) or stays silent.
    bool internet_others_answer = true;
    // Addresses of the account that are assigned to nothing now: nothing answers there.
    std::vector<net::Ipv4Address> internet_unassigned;

    // The public address mapped to an ENI's primary IP (its Elastic IP, else its public IP).
    std::optional<net::Ipv4Address> public_address_of_eni(Index eni) const;
    // Every public address of an ENI with the private address it maps to: the primary's,
    // then those of the Elastic IPs on secondary addresses.
    std::vector<std::pair<net::Ipv4Address, net::Ipv4Address>> public_mappings_of_eni(
        Index eni) const;
    // "10.0.0.0/16", or "pl:office" for a prefix-list destination.
    std::string destination_text(const Route& route) const;
    // The Elastic IP address of a public NAT gateway.
    std::optional<net::Ipv4Address> public_address_of_nat(Index nat) const;
    // The VPC whose CIDRs contain the address, if any.
    std::optional<Index> vpc_containing(net::Ipv4Address address) const;
    // Display names that stay unambiguous across VPCs: "prod/web-sg".
    std::string qualified_name(const Meta& meta, Index vpc) const;
};

std::string to_string(RouteTargetKind kind);
std::string to_string(PeeringStatus status);
std::optional<PeeringStatus> parse_peering_status(std::string_view text);

}  // namespace vpcstack::model
