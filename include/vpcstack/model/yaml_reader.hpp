// The first half of loading: YAML text to raw resources. The reader checks the shape of the file
// (keys, types, value syntax such as addresses, CIDRs, ports and rule short forms) and keeps
// where every value was written. It resolves no reference and checks no relation between
// resources: validation.hpp does that. See docs/topology.md for the format.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vpcstack/model/diagnostics.hpp"
#include "vpcstack/model/topology.hpp"

namespace vpcstack::model {

// One value of the file: unset when absent or invalid (the invalid case is already reported).
template <class T>
struct Field {
    std::optional<T> value;
    SourceLocation loc;    // where the value was written; the owning item's place when absent
    bool present = false;  // written in the file, valid or not

    // A value written in the file (for raw topologies made in code, such as by an importer).
    static Field written(T v) { return {std::move(v), {}, true}; }

    bool has_value() const { return value.has_value(); }
    const T& operator*() const { return *value; }
    const T* operator->() const { return &*value; }
};

// Comments carry no meaning: the reader skips them and nothing compares them. A raw topology
// made in code keeps them so that the file written from it can explain itself (an importer
// says what it left out and why); write_topology_yaml() (yaml_writer.hpp) writes them.

// A comment line among the entries of a list: written before entry `before`, or after the
// last entry when `before` is the list's size.
struct Remark {
    std::size_t before = 0;
    std::string text;
};

struct RawMeta {
    std::string name;  // empty when missing (reported) or, for ENIs, to be generated
    std::string id;
    SourceLocation loc;                // the item's first key
    std::string comment;               // at the end of the item's first line
    std::vector<std::string> remarks;  // comment lines after the item's settings
};

struct RawRoute {
    net::Cidr destination;    // unset when the destination is a prefix list
    std::string prefix_list;  // the prefix list of a destination "pl:NAME", else empty
    std::string target;       // as written: "igw", "nat/nat-a", "blackhole" ...
    std::string was;          // the deleted target a blackhole route still names, else empty
    SourceLocation was_loc;
    std::string id;
    std::string text;  // "0.0.0.0/0 -> igw"; route_text() (rule_text.hpp) makes it
    SourceLocation loc;
    std::string comment;
};

struct RawRouteTable {
    RawMeta meta;
    Field<bool> main;
    std::vector<RawRoute> routes;
    std::vector<Remark> route_remarks;
};

struct RawAclRule {
    long number = 0;  // range checked by validation
    RuleAction action = RuleAction::Deny;
    net::Protocol protocol;
    net::PortRange ports;
    net::IcmpMatch icmp;
    net::Cidr cidr;
    std::string text;  // the short form as written; acl_rule_text() makes it
    SourceLocation loc;
    std::string comment;
};

struct RawAcl {
    RawMeta meta;
    Field<bool> is_default;
    std::vector<RawAclRule> inbound;
    std::vector<RawAclRule> outbound;
    std::vector<Remark> inbound_remarks;
    std::vector<Remark> outbound_remarks;
};

struct RawSgRule {
    net::Protocol protocol;
    net::PortRange ports;
    net::IcmpMatch icmp;
    PeerKind peer_kind = PeerKind::Cidr;
    net::Cidr cidr;
    std::string reference;  // group ("web-sg", "shared/web-sg") or prefix list name
    std::string description;
    std::string text;  // the short form as written; sg_rule_text() makes it
    SourceLocation loc;
    std::string comment;
};

struct RawSecurityGroup {
    RawMeta meta;
    Field<bool> is_default;
    std::vector<RawSgRule> ingress;
    std::optional<std::vector<RawSgRule>> egress;  // unset: not written
    std::vector<Remark> ingress_remarks;
    std::vector<Remark> egress_remarks;
};

struct RawSubnet {
    RawMeta meta;
    Field<net::Cidr> cidr;
    Field<std::string> az;
    Field<std::string> route_table;
    Field<std::string> network_acl;
};

struct RawNatGateway {
    RawMeta meta;
    Field<std::string> subnet;
    Field<net::Ipv4Address> private_ip;
    Field<std::string> elastic_ip;
    Field<bool> is_public;  // from type: public|private
};

struct RawSecondaryElasticIp {
    Field<net::Ipv4Address> private_ip;
    Field<std::string> elastic_ip;
    SourceLocation loc;
};

struct RawEni {
    RawMeta meta;
    Field<std::string> subnet;
    std::vector<Field<net::Ipv4Address>> private_ips;  // empty: assigned by the loader
    Field<net::Ipv4Address> public_ip;
    Field<std::string> elastic_ip;
    std::vector<RawSecondaryElasticIp> secondary_elastic_ips;
    std::vector<Field<std::string>> security_groups;
    SourceLocation security_groups_loc;
    Field<bool> source_dest_check;
    // connection_tracking: {tcp_established_timeout, udp_stream_timeout, udp_timeout}
    Field<long> tcp_established_timeout;
    Field<long> udp_stream_timeout;
    Field<long> udp_timeout;
};

// metadata_options: {http_endpoint, http_tokens, http_put_response_hop_limit}
struct RawMetadataOptions {
    SourceLocation loc;
    Field<std::string> http_endpoint;  // enabled | disabled
    Field<std::string> http_tokens;    // optional | required
    Field<long> http_put_response_hop_limit;
};

struct RawInstance {
    RawMeta meta;
    std::vector<RawEni> enis;
    Field<std::string> state;  // pending, running, stopped, ...
    bool running = true;       // from state; running when not written
    std::optional<std::vector<ListenPort>> listen;
    Field<std::string> user_data;
    std::optional<RawMetadataOptions> metadata_options;
};

// ---- Elastic Load Balancing and Auto Scaling (per VPC) ----

// An entry of a load balancer's 'subnets': NAME or {subnet, private_ip, elastic_ip}.
struct RawLbSubnet {
    Field<std::string> subnet;
    Field<net::Ipv4Address> private_ip;
    Field<std::string> elastic_ip;
    SourceLocation loc;
};

struct RawWeightedGroup {
    Field<std::string> name;
    Field<long> weight;
    SourceLocation loc;
};

// {forward: GROUP}, {forward: {target_groups: [...], stickiness: SECONDS}},
// {redirect: {...}} or {fixed-response: {...}}.
struct RawAction {
    ActionKind kind = ActionKind::Forward;
    std::vector<RawWeightedGroup> target_groups;
    Field<long> stickiness;
    Field<std::string> protocol, host, port, path, query;  // redirect
    Field<long> status;                                    // redirect, fixed-response
    Field<std::string> content_type, body;                 // fixed-response
    SourceLocation loc;
};

struct RawCondition {
    ConditionField field = ConditionField::PathPattern;
    std::string header_name;
    std::vector<std::string> values;
    std::vector<net::Cidr> source_ips;
    SourceLocation loc;
};

struct RawListenerRule {
    Field<long> priority;
    std::vector<RawCondition> conditions;
    std::optional<RawAction> action;
    SourceLocation loc;
};

struct RawListener {
    Field<LbProtocol> protocol;
    Field<long> port;
    Field<std::string> certificate;
    std::optional<RawAction> default_action;
    std::vector<RawListenerRule> rules;
    SourceLocation loc;
};

struct RawLoadBalancer {
    RawMeta meta;
    Field<LoadBalancerType> type;
    Field<LoadBalancerScheme> scheme;
    std::vector<RawLbSubnet> subnets;
    SourceLocation subnets_loc;
    std::vector<Field<std::string>> security_groups;
    SourceLocation security_groups_loc;
    Field<bool> cross_zone;
    std::vector<RawListener> listeners;
};

struct RawHealthCheck {
    Field<LbProtocol> protocol;
    Field<long> port;  // unset and not present, or written traffic-port: the traffic port
    Field<std::string> path;
    Field<std::string> matcher;
    Field<long> interval, timeout, healthy_threshold, unhealthy_threshold;
};

// An entry of 'targets': NAME or ADDRESS, or {instance|ip, port}.
struct RawTarget {
    Field<std::string> instance;
    Field<net::Ipv4Address> ip;
    Field<long> port;
    SourceLocation loc;
};

struct RawTargetGroup {
    RawMeta meta;
    Field<TargetType> target_type;
    Field<LbProtocol> protocol;
    Field<long> port;
    RawHealthCheck health_check;
    Field<bool> preserve_client_ip;
    Field<StickinessKind> stickiness;  // stickiness: {type, duration, cookie_name}
    Field<long> stickiness_duration;
    Field<std::string> cookie_name;
    Field<long> deregistration_delay;
    Field<LbAlgorithm> algorithm;
    std::vector<RawTarget> targets;
};

struct RawLaunchTemplate {
    RawMeta meta;
    std::vector<Field<std::string>> security_groups;
    SourceLocation security_groups_loc;
    Field<std::string> user_data;
    std::optional<std::vector<ListenPort>> listen;
    Field<bool> source_dest_check;
    std::optional<RawMetadataOptions> metadata_options;
};

struct RawTargetTracking {
    SourceLocation loc;
    Field<std::string> metric;
    Field<std::string> target_group;
    Field<double> target_value;
    Field<long> period;
    Field<bool> disable_scale_in;
};

struct RawAutoScalingGroup {
    RawMeta meta;
    Field<std::string> launch_template;
    Field<long> min_size, max_size, desired_capacity;
    std::vector<Field<std::string>> subnets;
    SourceLocation subnets_loc;
    std::vector<Field<std::string>> target_groups;
    Field<AsgHealthCheckType> health_check_type;
    Field<long> health_check_grace_period;
    std::optional<RawTargetTracking> target_tracking;
    // Set by a running lab (LoadOverrides::launched), never read from the file.
    std::optional<std::vector<LaunchedInstance>> launched;
};

struct RawInternetGateway {
    RawMeta meta;
    Field<std::string> route_table;  // its gateway route table, a table of the same VPC
};

struct RawVpc {
    RawMeta meta;
    Field<std::string> region;
    Field<std::string> account;
    Field<net::Cidr> cidr;
    std::vector<Field<net::Cidr>> secondary_cidrs;
    SourceLocation secondary_cidrs_loc;
    Field<bool> enable_dns_support;
    Field<bool> enable_dns_hostnames;
    std::vector<RawInternetGateway> internet_gateways;  // more than one is an error
    std::vector<RawSubnet> subnets;
    std::vector<RawRouteTable> route_tables;
    std::vector<RawAcl> network_acls;
    std::vector<RawSecurityGroup> security_groups;
    std::vector<RawNatGateway> nat_gateways;
    std::vector<RawInstance> instances;
    std::vector<RawLoadBalancer> load_balancers;
    std::vector<RawTargetGroup> target_groups;
    std::vector<RawLaunchTemplate> launch_templates;
    std::vector<RawAutoScalingGroup> auto_scaling_groups;
};

struct RawElasticIp {
    RawMeta meta;
    Field<net::Ipv4Address> address;
};

struct RawPeering {
    RawMeta meta;
    Field<std::string> requester;
    Field<std::string> accepter;
    Field<PeeringStatus> status;
};

struct RawPrefixList {
    RawMeta meta;
    std::vector<net::Cidr> cidrs;
};

struct RawInternetHost {
    RawMeta meta;
    Field<net::Ipv4Address> address;
    std::optional<std::vector<ListenPort>> listen;
    // location: {continent: EU, country: DE, subdivision: ..., region: eu-central-1}
    bool location = false;
    SourceLocation location_loc;
    Field<std::string> continent, country, subdivision, region;
};

// ---- Route 53 (top level) ----

// alias: {target: NAME, evaluate_target_health: BOOL}
struct RawAlias {
    Field<std::string> target;
    Field<bool> evaluate_target_health;
    SourceLocation loc;
};

// One record set of a hosted zone, as written: names relative to the zone, "@", or absolute.
struct RawRecord {
    Field<std::string> name;
    Field<dns::RrType> type;
    Field<long> ttl;
    std::vector<Field<std::string>> values;
    bool values_written = false;
    SourceLocation values_loc;
    std::optional<RawAlias> alias;
    Field<std::string> set_identifier;
    Field<std::string> health_check;
    // Routing policies: at most one of them (checked by validation).
    Field<long> weight;
    Field<std::string> failover;  // primary | secondary
    Field<bool> multivalue;
    Field<std::string> latency_region;  // latency: {region: R}; present when 'latency' is written
    SourceLocation latency_loc;
    bool latency = false;
    Field<std::string> continent, country, subdivision;  // geolocation: {...}
    SourceLocation geolocation_loc;
    bool geolocation = false;
    SourceLocation loc;
    std::string comment;
};

struct RawHostedZone {
    RawMeta meta;
    Field<bool> is_private;
    std::vector<Field<std::string>> vpcs;
    bool vpcs_written = false;
    SourceLocation vpcs_loc;
    std::vector<RawRecord> records;
};

struct RawRoute53HealthCheck {
    RawMeta meta;
    Field<HealthCheckType> type;
    Field<net::Ipv4Address> ip;
    Field<std::string> domain;
    Field<long> port;
    Field<std::string> path;
    Field<long> interval;
    Field<long> failure_threshold;
    Field<bool> inverted;
    std::vector<Field<std::string>> children;
    bool children_written = false;
    SourceLocation children_loc;
    Field<long> healthy_threshold;
};

struct RawTopology {
    std::string file;
    std::vector<std::string> remarks;  // comment lines at the top of the file
    Field<std::string> region;
    std::vector<RawVpc> vpcs;
    std::vector<RawElasticIp> elastic_ips;
    std::vector<RawPeering> peerings;
    std::vector<RawPrefixList> prefix_lists;
    std::vector<RawInternetHost> internet_hosts;
    // internet: {others: answer | silent} — what an internet address no entry names does.
    Field<std::string> internet_others;
    // internet: {unassigned: [...]} — addresses of the account assigned to nothing now (released,
    // or of deleted NAT gateways): nothing answers there.
    std::vector<Field<net::Ipv4Address>> internet_unassigned;
    std::vector<RawHostedZone> hosted_zones;
    std::vector<RawRoute53HealthCheck> health_checks;
    // Set by a running lab (LoadOverrides::pinned), never read from the file: by ENI name.
    std::map<std::string, PinnedEni> pinned;
};

// Reads the YAML text. Problems of shape and syntax go to `diags`; what could be read is
// returned so that validation can still report the errors of the rest of the file. Returns
// nothing when the text is not YAML at all.
std::optional<RawTopology> read_topology_yaml(std::string_view text, const std::string& file,
                                              Diagnostics& diags);

// Levenshtein distance, for did-you-mean suggestions.
std::size_t edit_distance(std::string_view a, std::string_view b);
// The closest candidate when it is close enough to be a likely typo, else empty.
std::string closest_match(std::string_view word, const std::vector<std::string>& candidates);

}  // namespace vpcstack::model
