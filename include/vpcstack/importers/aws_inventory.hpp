// The cloud's resources as the EC2 describe-* calls report them, before any naming or
// conversion: the import model. Every resource keeps its cloud id, its Name tag, the account
// and region it was found in, and the JSON place it was read from (for messages).
//
// Filled by read_aws_dir() (aws_reader.hpp); turned into a topology by write_topology_yaml()
// (aws_topology_writer.hpp). Nothing here depends on the engine.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vpcstack/net/ipv4.hpp"

namespace vpcstack::importers::aws {

// What every resource carries.
struct Resource {
    std::string id;        // vpc-0abc, subnet-0abc, ...
    std::string name_tag;  // the value of the Name tag, empty when there is none
    std::string account;   // OwnerId, else the account of the folder it was found in
    std::string region;    // from the folder layout or the default region
    std::string where;     // "Subnets.json: $.Subnets[2]"
};

struct Vpc {
    Resource r;
    net::Cidr cidr;                    // primary
    std::vector<net::Cidr> secondary;  // associated secondary IPv4 CIDRs
    bool is_default = false;           // IsDefault: the region's default VPC
};

// describe-vpc-attribute: one DNS attribute of one VPC.
struct VpcAttribute {
    std::string vpc_id;
    std::string attribute;  // enableDnsSupport | enableDnsHostnames
    bool value = false;
    std::string where;
};

struct Subnet {
    Resource r;
    std::string vpc_id;
    net::Cidr cidr;
    std::string az;
};

struct InternetGateway {
    Resource r;
    std::vector<std::string> attached_vpcs;  // attachments in state available/attached
};

// One route as describe-route-tables reports it. Exactly one destination and one target
// field is usually set; the reader keeps them all and the writer decides.
struct Route {
    std::optional<net::Cidr> destination;  // DestinationCidrBlock
    std::string other_destination;         // DestinationIpv6CidrBlock / DestinationPrefixListId
    std::string gateway_id;                // igw-, vgw-, vpce-, local
    std::string nat_gateway_id;
    std::string instance_id;
    std::string network_interface_id;
    std::string peering_id;
    std::string other_target_kind;  // e.g. "transit gateway" for targets not modelled yet
    std::string other_target_id;
    std::string state;   // active | blackhole
    std::string origin;  // CreateRouteTable | CreateRoute | EnableVgwRoutePropagation
    std::string where;
};

struct RouteTable {
    Resource r;
    std::string vpc_id;
    bool main = false;
    std::vector<std::string> subnet_ids;   // explicit subnet associations
    std::vector<std::string> gateway_ids;  // edge associations (ingress routing)
    std::vector<Route> routes;
};

struct AclEntry {
    int number = 0;
    bool egress = false;
    bool allow = false;
    std::string protocol;                      // "-1" or a protocol number as text
    std::optional<net::Cidr> cidr;             // unset for an IPv6 entry
    std::string ipv6_cidr;                     // Ipv6CidrBlock, kept for messages
    std::optional<std::pair<int, int>> ports;  // PortRange From/To
    std::optional<std::pair<int, int>> icmp;   // IcmpTypeCode Type/Code, -1 for any
    std::string where;
};

struct NetworkAcl {
    Resource r;
    std::string vpc_id;
    bool is_default = false;
    std::vector<AclEntry> entries;
    std::vector<std::string> subnet_ids;
};

// One security group rule for one peer: describe-security-groups packs several peers into one
// permission; the reader splits them.
struct SgRule {
    enum class PeerKind { Cidr, Group, PrefixList, Ipv6 };
    std::string protocol;  // IpProtocol: tcp, udp, icmp, -1, or a number as text
    int from_port = -1;    // ports, or the ICMP type
    int to_port = -1;      // ports, or the ICMP code
    PeerKind peer_kind = PeerKind::Cidr;
    net::Cidr cidr;
    std::string group_id;        // UserIdGroupPairs GroupId
    std::string group_account;   // UserIdGroupPairs UserId
    std::string prefix_list_id;  // PrefixListIds PrefixListId
    std::string description;
    std::string where;
};

struct SecurityGroup {
    Resource r;
    std::string vpc_id;
    std::string group_name;
    std::vector<SgRule> ingress;
    std::vector<SgRule> egress;
};

struct NatAddress {
    std::string allocation_id;
    std::string network_interface_id;
    std::optional<net::Ipv4Address> private_ip;
    std::optional<net::Ipv4Address> public_ip;
    bool primary = true;
};

struct NatGateway {
    Resource r;
    std::string vpc_id;
    std::string subnet_id;
    std::string state;              // pending | available | deleting | deleted | failed
    std::string connectivity_type;  // public | private
    std::vector<NatAddress> addresses;
};

struct NetworkInterface {
    Resource r;
    std::string vpc_id;
    std::string subnet_id;
    std::string az;
    std::string type;    // InterfaceType: interface, nat_gateway, network_load_balancer, ...
    std::string status;  // in-use | available
    std::string description;
    std::string instance_id;  // Attachment.InstanceId
    int device_index = 0;
    std::vector<net::Ipv4Address> private_ips;  // primary first
    std::optional<net::Ipv4Address> public_ip;  // Association.PublicIp
    std::string public_allocation_id;           // Association.AllocationId (an Elastic IP)
    std::string public_ip_owner;                // Association.IpOwnerId ("amazon" for launch IPs)
    std::vector<std::string> group_ids;
    bool source_dest_check = true;
    // ConnectionTrackingConfiguration: idle timeouts in seconds, when set on the interface.
    std::optional<int> tcp_established_timeout;
    std::optional<int> udp_stream_timeout;
    std::optional<int> udp_timeout;
    std::vector<std::string> secondary_public_ips;  // associations of secondary private IPs
};

struct Instance {
    Resource r;
    std::string state;                 // State.Name: pending, running, stopping, stopped, ...
    std::vector<std::string> eni_ids;  // from the instance record, device index order
    std::string auto_scaling_group;    // the aws:autoscaling:groupName tag, empty when none
};

struct Address {
    Resource r;  // id is the AllocationId
    net::Ipv4Address public_ip;
    std::string association_id;
    std::string network_interface_id;
    std::string instance_id;
    std::optional<net::Ipv4Address> private_ip;
};

struct PeeringSide {
    std::string vpc_id;
    std::string account;
    std::string region;
    std::vector<net::Cidr> cidrs;
};

struct Peering {
    Resource r;
    PeeringSide requester;
    PeeringSide accepter;
    std::string status;  // Status.Code
};

struct PrefixList {
    Resource r;
    std::string list_name;                        // PrefixListName
    std::optional<std::vector<net::Cidr>> cidrs;  // unset when the entries were not given
};

// ---- Elastic Load Balancing v2 (describe-load-balancers, -listeners, -rules, -target-groups,
// -target-health, -target-group-attributes, -load-balancer-attributes) ----

// A load balancer resource is identified by its ARN: `r.id` holds it.
struct LbZone {
    std::string zone;       // ZoneName
    std::string subnet_id;  // SubnetId
    // LoadBalancerAddresses (an NLB's): the node's address and Elastic IP, when reported.
    std::optional<net::Ipv4Address> private_ip;  // PrivateIPv4Address
    std::optional<net::Ipv4Address> public_ip;   // IpAddress
    std::string allocation_id;                   // AllocationId
    std::string where;
};

struct LoadBalancer {
    Resource r;           // id: LoadBalancerArn
    std::string lb_name;  // LoadBalancerName
    std::string type;     // application | network | gateway
    std::string scheme;   // internet-facing | internal
    std::string vpc_id;
    std::string dns_name;       // DNSName, what a Route 53 alias names
    std::vector<LbZone> zones;  // AvailabilityZones
    bool zones_given = false;   // AvailabilityZones was in the input
    std::vector<std::string> security_group_ids;
};

struct WeightedGroupRef {
    std::string target_group_arn;
    std::optional<int> weight;
};

// One action of a listener or rule. AWS: elasticloadbalancing Action.
struct ElbAction {
    std::string type;  // forward | redirect | fixed-response | authenticate-oidc | ...
    std::optional<int> order;
    std::vector<WeightedGroupRef> target_groups;  // TargetGroupArn, or ForwardConfig's
    std::optional<int> stickiness;                // TargetGroupStickinessConfig, when enabled
    // RedirectConfig
    std::string protocol, host, port, path, query, status_code;
    // FixedResponseConfig (StatusCode above)
    std::string content_type, message_body;
    std::string where;
};

struct ElbCondition {
    std::string field;  // host-header | path-pattern | http-header | ...
    std::string header_name;
    std::vector<std::string> values;  // query-string: "KEY=VALUE" or "=VALUE"
    std::string where;
};

struct ElbRule {
    std::string arn;
    std::string listener_arn;  // from the rule's ARN
    std::string priority;      // "10", or "default"
    bool is_default = false;
    std::vector<ElbCondition> conditions;
    std::vector<ElbAction> actions;
    std::string where;
};

struct ElbListener {
    std::string arn;
    std::string load_balancer_arn;
    std::string protocol;  // HTTP | HTTPS | TCP | TLS | UDP | TCP_UDP | GENEVE
    int port = 0;
    std::vector<std::string> certificate_arns;
    std::vector<ElbAction> default_actions;
    std::string where;
};

struct ElbTarget {
    std::string id;  // an instance id, an address, a Lambda or ALB ARN
    std::optional<int> port;
    std::string az;     // AvailabilityZone ("all" for an address outside the VPC)
    std::string state;  // TargetHealth.State
    std::string where;
};

struct TargetGroup {
    Resource r;  // id: TargetGroupArn
    std::string group_name;
    std::string protocol;  // empty for a lambda group
    std::optional<int> port;
    std::string vpc_id;
    std::string target_type;  // instance | ip | lambda | alb
    std::string health_check_protocol;
    std::string health_check_port;  // "traffic-port" or a number as text
    std::string health_check_path;
    std::string matcher;  // Matcher.HttpCode
    std::optional<int> interval, timeout, healthy_threshold, unhealthy_threshold;
    std::vector<std::string> load_balancer_arns;
};

// Attributes of a target group or load balancer: Key -> Value, with the file they came from.
struct ElbAttributes {
    std::map<std::string, std::string> values;
    std::string where;
};

// What a per-resource file (target health, attributes) belongs to: the ARN given beside the
// list, else the resource name taken from the file name.
struct ElbOwner {
    std::string arn;
    std::string name;
    std::string region;
    std::string account;
};

struct TargetHealth {
    ElbOwner owner;
    std::vector<ElbTarget> targets;
    std::string where;
};

struct OwnedAttributes {
    ElbOwner owner;
    bool load_balancer = false;  // else a target group
    ElbAttributes attributes;
};

// acm describe-certificate / list-certificates: the domain of a certificate ARN.
struct Certificate {
    std::string arn;
    std::string domain;
};

// ---- Auto Scaling and launch templates ----

struct LaunchTemplateVersion {
    long number = 0;
    bool is_default = false;
    std::vector<std::string>
        security_group_ids;      // SecurityGroupIds, else NetworkInterfaces' Groups
    std::string user_data;       // decoded from base64
    bool user_data_bad = false;  // not valid base64 (reported as a warning)
    std::string where;
};

struct LaunchTemplate {
    Resource r;  // id: LaunchTemplateId
    std::string template_name;
    std::optional<long> default_version, latest_version;
};

struct AsgInstance {
    std::string id;
    std::string az;
    std::string lifecycle_state;  // InService, Pending, Terminating, ...
};

struct AutoScalingGroup {
    Resource r;  // id: AutoScalingGroupARN (may be empty); the name is the API's key
    std::string group_name;
    std::string launch_template_id, launch_template_name, launch_template_version;
    bool mixed_instances = false;      // MixedInstancesPolicy
    std::string launch_configuration;  // LaunchConfigurationName
    std::optional<int> min_size, max_size, desired_capacity;
    std::vector<std::string> subnet_ids;  // VPCZoneIdentifier, split at commas
    std::vector<std::string> target_group_arns;
    std::string health_check_type;  // EC2 | ELB | VPC_LATTICE | EBS
    std::optional<int> health_check_grace_period;
    std::vector<AsgInstance> instances;
    std::vector<std::string> load_balancer_names;  // classic load balancers
};

// ---- Route 53 (list-hosted-zones, get-hosted-zone, list-resource-record-sets,
// list-health-checks, list-tags-for-resources) ----

struct HostedZone {
    Resource r;        // id: the zone id without "/hostedzone/"
    std::string name;  // Name as the API prints it: "example.com."
    bool is_private = false;
};

// get-hosted-zone's VPCs: a VPC associated with a private zone.
struct HostedZoneVpc {
    std::string zone_id;
    std::string vpc_id;
    std::string vpc_region;
    std::string where;
};

struct RecordSet {
    std::string name;  // absolute, trailing dot, \ooo escapes decoded ("*.example.com.")
    std::string type;
    std::optional<long> ttl;
    std::vector<std::string> values;  // ResourceRecords Value
    std::string set_identifier;
    std::optional<long> weight;
    std::string failover;  // PRIMARY | SECONDARY
    bool multivalue = false;
    std::string latency_region;                   // Region
    std::string continent, country, subdivision;  // GeoLocation
    std::string other_policy;  // a policy not modelled (GeoProximityLocation, ...)
    std::string health_check_id;
    bool alias = false;
    std::string alias_zone_id;
    std::string alias_dns_name;
    bool evaluate_target_health = false;
    std::string where;
};

// One list-resource-record-sets output. The output does not name its zone: the file name does
// (list-resource-record-sets-ZONEID.json), else the zone is found from the apex SOA record.
struct RecordSetList {
    std::string zone_id;  // empty when the file name gives none
    std::string where;    // the file
    std::vector<RecordSet> records;
};

struct Route53HealthCheck {
    Resource r;        // id: the health check id; name_tag from list-tags-for-resources
    std::string type;  // HTTP | HTTPS | TCP | CALCULATED | HTTP_STR_MATCH | ...
    std::optional<net::Ipv4Address> ip;
    std::string domain;  // FullyQualifiedDomainName
    std::optional<int> port;
    std::string path;  // ResourcePath
    std::optional<int> interval, failure_threshold, healthy_threshold;
    bool inverted = false;
    std::vector<std::string> children;  // ChildHealthChecks
};

struct Inventory {
    std::vector<Vpc> vpcs;
    std::vector<Subnet> subnets;
    std::vector<InternetGateway> internet_gateways;
    std::vector<RouteTable> route_tables;
    std::vector<NetworkAcl> network_acls;
    std::vector<SecurityGroup> security_groups;
    std::vector<NatGateway> nat_gateways;
    std::vector<NetworkInterface> network_interfaces;  // describe-network-interfaces
    // ENIs as describe-instances reports them inside each instance; used where
    // describe-network-interfaces does not list the ENI.
    std::vector<NetworkInterface> instance_network_interfaces;
    std::vector<Instance> instances;
    std::vector<Address> addresses;
    std::vector<Peering> peerings;
    std::vector<PrefixList> prefix_lists;
    // get-managed-prefix-list-entries output, by prefix list id.
    std::map<std::string, std::vector<net::Cidr>> prefix_list_entries;
    std::vector<LoadBalancer> load_balancers;
    std::vector<ElbListener> listeners;
    std::vector<ElbRule> rules;
    std::vector<TargetGroup> target_groups;
    std::vector<TargetHealth> target_health;
    std::vector<OwnedAttributes> attributes;
    std::vector<Certificate> certificates;
    std::vector<LaunchTemplate> launch_templates;
    // describe-launch-template-versions, by launch template id.
    std::map<std::string, std::vector<LaunchTemplateVersion>> launch_template_versions;
    std::vector<AutoScalingGroup> auto_scaling_groups;
    std::vector<VpcAttribute> vpc_attributes;
    std::vector<HostedZone> hosted_zones;
    std::vector<HostedZoneVpc> hosted_zone_vpcs;
    std::vector<RecordSetList> record_sets;
    std::vector<Route53HealthCheck> route53_health_checks;
    // list-tags-for-resources: the Name tag of a health check, by id.
    std::map<std::string, std::string> health_check_names;

    // Resource types found in the input that vpcstack does not model yet, with their count
    // ("transit gateways" -> 2). Never silently dropped: the command prints them.
    std::map<std::string, int> not_modelled;
    // Things the reader skipped or doubted; not errors.
    std::vector<std::string> warnings;
    // Regions met in the folder layout, in the order first seen.
    std::vector<std::string> regions;
    int files_read = 0;
};

}  // namespace vpcstack::importers::aws
