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

#include "vpcstack/dns/zones.hpp"
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
    // AWS: vpc-dns — DNS attributes. enableDnsSupport: the resolver answers at the primary
    // CIDR's base + 2 and at 169.254.169.253. enableDnsHostnames: instances with public
    // addresses get public DNS hostnames (default VPCs: true); it requires DNS support.
    bool enable_dns_support = true;
    bool enable_dns_hostnames = false;
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

// What a simulated instance answers on: its `listen` ports when the file gives them, else
// the ports its security groups open inbound (a rule for all protocols opens tcp and udp).
// The simulated hosts and the load balancers' health checks both read it.
struct ListenSet {
    struct Open {
        std::uint8_t protocol = 0;
        net::PortRange ports;
    };
    std::vector<ListenPort> exact;  // when the instance names its ports
    std::vector<Open> open;         // otherwise
    bool named = false;

    bool listens(std::uint8_t protocol, std::uint16_t port) const noexcept;
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
    // The Application Load Balancer whose node this is (requester-managed, no instance).
    Index load_balancer = kNone;
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

// AWS: configuring-instance-metadata-options — how the instance metadata service answers an
// instance: on or off, whether a session token (IMDSv2) is required or IMDSv1 is also accepted,
// and the IP TTL of the token's response (the hops it may travel: 1 keeps it on the instance).
struct MetadataOptions {
    bool endpoint_enabled = true;             // http_endpoint: enabled | disabled
    bool tokens_required = false;             // http_tokens: optional | required
    std::uint8_t put_response_hop_limit = 1;  // http_put_response_hop_limit: 1 to 64
    bool operator==(const MetadataOptions&) const = default;
};

struct Instance {
    Meta meta;
    std::vector<Index> enis;  // device index order; enis.front() is the primary ENI
    bool running = true;      // only running instances carry traffic
    // Ports the simulated host listens on. Unset: the ports its security groups open inbound.
    std::optional<std::vector<ListenPort>> listen;
    // What it runs at launch (a command, as the cloud's user data scripts); empty when none.
    std::string user_data;
    // The Auto Scaling group that launched it, kNone for an instance written in the file.
    Index auto_scaling_group = kNone;
    MetadataOptions metadata_options;
};

enum class EipTargetKind : std::uint8_t { None, Eni, NatGateway, LoadBalancer };

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
    // Where its DNS queries come from, for latency and geolocation records (the continent
    // derived from the country when not given); unset: a source of no known location.
    std::optional<dns::ClientInfo> location;
};

// ---- Elastic Load Balancing and Auto Scaling ----
// The load balancers, target groups, launch templates and Auto Scaling groups of a VPC, in the
// cloud's vocabulary. AWS: elasticloadbalancing (network, application), autoscaling.

enum class LoadBalancerType : std::uint8_t { Network, Application };
enum class LoadBalancerScheme : std::uint8_t { InternetFacing, Internal };

// Listener and target group protocols. AWS: NLB listeners TCP, UDP, TCP_UDP, TLS; ALB
// listeners HTTP, HTTPS; target groups the same.
enum class LbProtocol : std::uint8_t { Tcp, Udp, TcpUdp, Tls, Http, Https };

// One node of a load balancer: its subnet mapping in one availability zone, with the node's
// private address and, when internet-facing, its public address (an Elastic IP of an NLB, else
// an address the cloud assigns).
struct LoadBalancerNode {
    Index subnet = kNone;
    net::Ipv4Address private_ip;
    Index elastic_ip = kNone;                   // NLB only
    std::optional<net::Ipv4Address> public_ip;  // internet-facing without an Elastic IP
    // ALB: the node's network interface (in Topology::enis), through which the engine carries
    // its traffic like any ENI's; kNone for an NLB, whose nodes the engine plays itself.
    Index eni = kNone;
    SourceLocation loc;
};

struct WeightedTargetGroup {
    Index target_group = kNone;
    std::uint32_t weight = 1;  // 0-999
};

enum class ActionKind : std::uint8_t { Forward, Redirect, FixedResponse };

// What a listener or rule does with a request. AWS: load-balancer-listeners (rule actions).
struct ListenerAction {
    ActionKind kind = ActionKind::Forward;
    // forward: one or more weighted groups; stickiness across them (seconds), when on
    std::vector<WeightedTargetGroup> target_groups;
    std::optional<std::uint32_t> group_stickiness;
    // redirect: unset parts keep the request's (#{protocol}, #{host}, ... in the cloud)
    std::string redirect_protocol, redirect_host, redirect_port, redirect_path, redirect_query;
    // redirect (301, 302) and fixed-response (2XX, 4XX, 5XX)
    std::uint16_t status_code = 0;
    std::string content_type;  // fixed-response
    std::string message_body;  // fixed-response
    SourceLocation loc;
};

enum class ConditionField : std::uint8_t {
    HostHeader,
    PathPattern,
    HttpHeader,
    HttpRequestMethod,
    QueryString,
    SourceIp,
};

// One condition of an ALB rule; it matches when any of its values does. AWS:
// load-balancer-listeners (rule condition types).
struct RuleCondition {
    ConditionField field = ConditionField::PathPattern;
    std::string header_name;            // http-header
    std::vector<std::string> values;    // patterns (* and ?), methods, KEY=VALUE or =VALUE
    std::vector<net::Cidr> source_ips;  // source-ip
    SourceLocation loc;
};

struct ListenerRule {
    std::uint32_t priority = 0;  // 1-50000, lowest first
    std::vector<RuleCondition> conditions;
    ListenerAction action;
    SourceLocation loc;
};

struct Listener {
    LbProtocol protocol = LbProtocol::Tcp;
    std::uint16_t port = 0;
    std::string certificate;  // TLS and HTTPS: the name the lab's CA issues it for
    ListenerAction default_action;
    std::vector<ListenerRule> rules;  // ALB only; sorted by priority
    SourceLocation loc;
};

struct LoadBalancer {
    Meta meta;
    LoadBalancerType type = LoadBalancerType::Application;
    LoadBalancerScheme scheme = LoadBalancerScheme::InternetFacing;
    Index vpc = kNone;
    std::vector<LoadBalancerNode> nodes;  // one per availability zone, in file order
    std::vector<Index> security_groups;   // required for an ALB, optional for an NLB
    // AWS: ALB cross-zone is always on; NLB off unless enabled.
    bool cross_zone = false;
    std::vector<Listener> listeners;
};

enum class TargetType : std::uint8_t { Instance, Ip };
enum class LbAlgorithm : std::uint8_t { RoundRobin, LeastOutstandingRequests };
enum class StickinessKind : std::uint8_t { None, LbCookie, AppCookie, SourceIp };

// AWS: target-group-health-checks — the defaults depend on the load balancer type.
struct HealthCheck {
    LbProtocol protocol = LbProtocol::Http;
    std::optional<std::uint16_t> port;      // unset: the port each target receives traffic on
    std::string path;                       // HTTP and HTTPS checks
    std::string matcher;                    // HTTP codes: "200", "200-299", "200,302"
    std::uint32_t interval = 30;            // seconds, 5-300
    std::uint32_t timeout = 5;              // seconds, 2-120, less than the interval
    std::uint32_t healthy_threshold = 5;    // 2-10
    std::uint32_t unhealthy_threshold = 2;  // 2-10
};

struct Stickiness {
    StickinessKind kind = StickinessKind::None;
    std::uint32_t duration = 86400;  // lb_cookie and app_cookie: seconds, 1 to 604800
    std::string cookie_name;         // app_cookie
};

// One registered target: an instance (its primary private address) or an IP address.
struct Target {
    Index instance = kNone;             // instance targets
    net::Ipv4Address ip;                // ip targets
    std::optional<std::uint16_t> port;  // unset: the group's port
    Index registered_by = kNone;        // the Auto Scaling group that registered it
    SourceLocation loc;
};

struct TargetGroup {
    Meta meta;
    Index vpc = kNone;
    TargetType target_type = TargetType::Instance;
    LbProtocol protocol = LbProtocol::Http;
    std::uint16_t port = 80;
    HealthCheck health_check;
    // AWS: load-balancer-target-groups (client IP preservation) — NLB groups only; an ALB
    // always connects to its targets from its own nodes.
    bool preserve_client_ip = false;
    Stickiness stickiness;
    std::uint32_t deregistration_delay = 300;  // seconds, 0-3600
    LbAlgorithm algorithm = LbAlgorithm::RoundRobin;
    std::vector<Target> targets;
};

struct LaunchTemplate {
    Meta meta;
    Index vpc = kNone;
    std::vector<Index> security_groups;  // the VPC's default group when none given
    std::string user_data;
    std::optional<std::vector<ListenPort>> listen;  // as an instance's
    bool source_dest_check = true;
    MetadataOptions metadata_options;
};

enum class AsgHealthCheckType : std::uint8_t { Ec2, Elb };

// AWS: as-scaling-target-tracking — a target tracking policy on the predefined metric
// ALBRequestCountPerTarget: the requests each target of a target group received in a period
// (RequestCountPerTarget, the Sum over the period), kept near `target_value` by launching or
// terminating instances.
struct TargetTrackingPolicy {
    Index target_group = kNone;  // the metric's ResourceLabel: an ALB target group of the group's
    double target_value = 0;     // requests per target per period, > 0
    std::uint32_t period = 60;   // seconds: 60, or 10, 20, 30 for high-resolution metrics
    bool disable_scale_in = false;
};

// An instance an Auto Scaling group runs, when scaling decided it (LoadOverrides::launched).
// AWS: as-instance-termination, deregistration delay — a draining instance (Terminating:Wait)
// still runs but is deregistered from the group's target groups while its connections finish,
// and no longer counts towards the desired capacity.
struct LaunchedInstance {
    std::string name;
    std::string subnet;  // a subnet of the group, by name
    bool draining = false;
    bool operator==(const LaunchedInstance&) const = default;
};

// What a running ENI keeps when the topology is rebuilt around it (LoadOverrides::pinned).
struct PinnedEni {
    std::vector<net::Ipv4Address> private_ips;
    net::MacAddress mac;
    bool operator==(const PinnedEni&) const = default;
};

struct AutoScalingGroup {
    Meta meta;
    Index vpc = kNone;
    Index launch_template = kNone;
    std::uint32_t min_size = 0;
    std::uint32_t max_size = 0;
    std::uint32_t desired_capacity = 0;
    std::vector<Index> subnets;        // vpc_zone_identifier
    std::vector<Index> target_groups;  // its instances are registered in each
    AsgHealthCheckType health_check_type = AsgHealthCheckType::Ec2;
    std::uint32_t health_check_grace_period = 300;  // seconds
    std::vector<Index> instances;  // in service: launched and registered, in launch order
    std::vector<Index> draining;   // being terminated, deregistered (LaunchedInstance::draining)
    std::optional<TargetTrackingPolicy> target_tracking;
};

// ---- Route 53 ----
// Hosted zones, their record sets and health checks. AWS: Route 53 Developer Guide
// (hosted-zones-working-with, rrsets-working-with, routing-policy, health-checks-types).

enum class HealthCheckType : std::uint8_t { Http, Https, Tcp, Calculated };

struct Route53HealthCheck {
    Meta meta;  // name (how records refer to it) and id
    HealthCheckType type = HealthCheckType::Http;
    std::optional<net::Ipv4Address> ip;   // IPAddress; or:
    std::string domain;                   // FullyQualifiedDomainName (resolved publicly)
    std::uint16_t port = 80;              // default 80 (HTTP, TCP), 443 (HTTPS)
    std::string path = "/";               // HTTP(S)
    std::uint32_t interval = 30;          // RequestInterval: 10 or 30
    std::uint32_t failure_threshold = 3;  // 1-10
    bool inverted = false;
    std::vector<Index> children;          // Calculated: child health checks
    std::uint32_t healthy_threshold = 1;  // Calculated: HealthThreshold, 0..children
};

struct HostedZone {
    Meta meta;  // meta.name: the zone's domain (lower-case, no trailing dot); meta.id e.g. Z123
    bool is_private = false;
    std::vector<Index> vpcs;  // private zones: the associated VPCs (at least one)
    dns::Zone zone;           // name/is_private/id copied; record sets with absolute names
    // For each record set of zone.record_sets, in the same order: where it was written, its
    // health check (into Topology::health_checks, kNone when none) and, for an alias to a load
    // balancer of the topology, that load balancer (kNone otherwise).
    std::vector<SourceLocation> record_locs;
    std::vector<Index> record_health_checks;
    std::vector<Index> alias_load_balancers;
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
    std::vector<LoadBalancer> load_balancers;
    std::vector<TargetGroup> target_groups;
    std::vector<LaunchTemplate> launch_templates;
    std::vector<AutoScalingGroup> auto_scaling_groups;
    std::vector<HostedZone> hosted_zones;
    std::vector<Route53HealthCheck> health_checks;
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
    // The ports an instance answers on (ListenSet).
    ListenSet listen_set(Index instance) const;
    // The public address of an internet-facing load balancer's node: its Elastic IP, else the
    // address the loader gave it; none for an internal one.
    std::optional<net::Ipv4Address> public_address_of_lb_node(const LoadBalancerNode& node) const;
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
// The cloud's spellings: "network", "internet-facing", "TCP_UDP", "fixed-response",
// "host-header", "least_outstanding_requests", "lb_cookie", "ELB".
std::string to_string(LoadBalancerType type);
std::string to_string(LoadBalancerScheme scheme);
std::string to_string(LbProtocol protocol);
std::string to_string(ActionKind kind);
std::string to_string(ConditionField field);
std::string to_string(TargetType type);
std::string to_string(LbAlgorithm algorithm);
std::string to_string(StickinessKind kind);
std::string to_string(AsgHealthCheckType type);
// "HTTP", "HTTPS", "TCP", "CALCULATED".
std::string to_string(HealthCheckType type);
std::optional<LbProtocol> parse_lb_protocol(std::string_view text);
std::optional<ConditionField> parse_condition_field(std::string_view text);

}  // namespace vpcstack::model
