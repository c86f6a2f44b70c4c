// The builder behind build_topology() (validation.hpp), private to the model library.
//
// It turns a RawTopology into a Topology in three passes: register every resource (giving it
// its index and its name in a name table), resolve every reference and check every rule,
// then assign the addresses not written. Its rooms:
//   build/names.cpp          name tables and reference resolution, with did-you-mean
//   build/registration.cpp   resources to indices, the order of the passes
//   build/vpc_defaults.cpp   the main route table, default ACL and default group (one template)
//   checks/addressing.cpp    VPC and subnet CIDRs, private and public addresses
//   checks/gateways.cpp      internet gateways, NAT gateways, Elastic IPs
//   checks/peering.cpp       VPC peerings
//   checks/instances.cpp     instances and their network interfaces
//   checks/routing.cpp       route tables, route targets, middlebox routes
//   checks/network_acls.cpp  network ACL rules
//   checks/security_groups.cpp  security group rules
//   checks/load_balancing.cpp   load balancers, target groups, launch templates, Auto Scaling
//                               groups (whose instances it launches as the cloud would)
//   checks/route53.cpp          VPC DNS attributes, hosted zones, records, health checks
// Every problem becomes a diagnostic; the Topology is returned only when there is none.
#pragma once

#include <fmt/format.h>

#include <deque>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vpcstack/model/defaults.hpp"
#include "vpcstack/model/diagnostics.hpp"
#include "vpcstack/model/topology.hpp"
#include "vpcstack/model/yaml_reader.hpp"

namespace vpcstack::model::build {

struct NameTable {
    struct Entry {
        Index index;
        SourceLocation loc;
    };
    std::map<std::string, Entry> entries;
    std::vector<std::string> names() const;
    Index find(const std::string& name) const;
};

// The names that are unique within one VPC.
struct VpcScope {
    NameTable subnets;
    NameTable route_tables;
    NameTable network_acls;
    NameTable security_groups;
    NameTable nat_gateways;
    NameTable load_balancers;
    NameTable target_groups;
    NameTable launch_templates;
    NameTable auto_scaling_groups;
};

// What the diagnostics of one resource carry.
struct Subject {
    std::string kind;
    std::string name;
    SourceLocation loc;
};

// The instance metadata options as written (the reader validated them), the cloud's defaults for
// what is not.
MetadataOptions metadata_options_of(const RawMetadataOptions& raw);

// "a" or "an" before a noun.
std::string article(std::string_view noun);
// "line 12", or "implicit" for what the loader made.
std::string where_text(const SourceLocation& loc);
std::string join_cidrs(const std::vector<net::Cidr>& cidrs);

class Builder {
  public:
    Builder(const RawTopology& raw, Diagnostics& diags) : raw_(raw), d_(diags) {}
    std::optional<Topology> build();

  private:
    void error(const SourceLocation& loc, const Subject& s, std::string message) {
        d_.error(loc, s.kind, s.name, std::move(message));
    }
    Meta meta_of(const RawMeta& raw) const { return {raw.name, raw.id, raw.loc, false}; }
    const std::string& vpc_name(Index v) const { return t_.vpcs[v].meta.name; }

    // build/names.cpp
    bool add_name(NameTable& table, const Meta& meta, Index index, const char* noun,
                  const std::string& scope);
    Index resolve_global(const NameTable& table, const char* noun, const std::string& ref,
                         const SourceLocation& loc, const Subject& s, const std::string& where);
    struct ScopedRef {
        Index index = kNone;
        Index vpc = kNone;
    };
    std::optional<ScopedRef> resolve_scoped(NameTable VpcScope::*table, const char* noun,
                                            const std::string& ref, Index vpc,
                                            const SourceLocation& loc, const Subject& s,
                                            const std::string& where);
    Index resolve_in_vpc(NameTable VpcScope::*table, const char* noun, const std::string& ref,
                         Index vpc, const SourceLocation& loc, const Subject& s,
                         const std::string& where);

    // build/registration.cpp: every named resource gets its index before any reference is
    // resolved.
    void register_vpc(const RawVpc& raw);
    void register_prefix_list(const RawPrefixList& raw);
    void register_vpc_resources(Index v, const RawVpc& raw);
    void register_subnets(Index v, const RawVpc& raw);
    void register_nat_gateways(Index v, const RawVpc& raw);
    void register_instances(Index v, const RawVpc& raw);
    Index register_instance(Index v, const RawInstance& raw);
    void renumber_clashing_macs();
    void link_back_references();
    void assert_complete() const;

    // build/vpc_defaults.cpp
    template <class Raw, class Built>
    struct DefaultSlot;
    template <class Raw, class Built>
    void register_with_default(Index v, const std::vector<Raw>& raws,
                               const DefaultSlot<Raw, Built>& slot);
    void register_route_tables(Index v, const RawVpc& raw);
    void register_network_acls(Index v, const RawVpc& raw);
    void register_security_groups(Index v, const RawVpc& raw);

    // checks/addressing.cpp
    bool check_block_size(const net::Cidr& block, const SourceLocation& loc, const Subject& s);
    void check_vpc_cidrs(const RawVpc& raw);
    void register_internet_host(const RawInternetHost& raw);
    dns::ClientInfo internet_host_location(const RawInternetHost& raw, const Subject& s);
    void resolve_subnet(Index s);
    bool check_address_in_subnet(net::Ipv4Address a, Index subnet, const SourceLocation& loc,
                                 const Subject& s);
    void claim_private_address(Index vpc, net::Ipv4Address a, const std::string& owner,
                               const SourceLocation& loc, const Subject& s);
    void claim_public_address(net::Ipv4Address a, const std::string& owner,
                              const SourceLocation& loc, const Subject& s, const char* what);
    std::optional<net::Ipv4Address> first_free_address(Index subnet) const;
    void assign_missing_addresses();

    // checks/gateways.cpp
    void register_internet_gateways(Index v, const RawVpc& raw);
    void resolve_internet_gateway(Index g);
    void register_elastic_ip(const RawElasticIp& raw);
    void associate_elastic_ip(Index eip, const std::string& owner, const SourceLocation& loc,
                              const Subject& s);
    void resolve_nat_gateway(Index n);

    // checks/peering.cpp
    void register_peering(const RawPeering& raw);

    // checks/instances.cpp
    void resolve_instance(Index i);
    void resolve_eni(Index e, const RawEni& raw, Index vpc);

    // checks/routing.cpp
    void resolve_route_table(Index rt);
    std::optional<RouteTarget> resolve_route_target(const RawRoute& r, Index vpc, const Subject& s);
    // False when the route is refused (reported); true when it stands, replacing the local
    // route of its destination when it has one.
    bool check_route(const Route& route, const std::string& text, Index vpc,
                     const std::vector<Route>& earlier, const Subject& s);
    void check_gateway_route_table(Index table, const Subject& gateway, const SourceLocation& loc);

    // checks/network_acls.cpp
    void resolve_network_acl(Index a);
    std::vector<AclRule> build_acl_rules(const std::vector<RawAclRule>& raw, bool inbound,
                                         const Subject& s);

    // checks/security_groups.cpp
    bool actively_peered(Index a, Index b) const;
    void resolve_security_group(Index g);
    std::optional<SgRule> build_sg_rule(const RawSgRule& raw, Index vpc, const Subject& s,
                                        const char* direction);

    // checks/load_balancing.cpp
    void register_load_balancing(Index v, const RawVpc& raw);
    void launch_auto_scaling_groups();
    void register_auto_scaling_group(Index v, const RawAutoScalingGroup& raw);
    void resolve_target_group(Index g);
    void resolve_load_balancer(Index b);
    std::optional<ListenerAction> resolve_action(const RawAction& raw, const LoadBalancer& lb,
                                                 const Subject& s, const std::string& what);
    void register_group_targets(Index g);
    void resolve_target_tracking(Index g);
    // What a running lab keeps of this ENI (RawTopology::pinned), by name; null when nothing.
    const PinnedEni* pinned(const std::string& eni_name) const;
    void assign_load_balancer_addresses();
    void add_load_balancer_enis();

    // checks/route53.cpp
    void check_vpc_dns(Index v, const RawVpc& raw);
    void register_route53();
    void resolve_route53_health_check(Index h);
    void check_health_check_cycles();
    void resolve_hosted_zone(Index z);
    void check_record_groups(Index z);

    const RawTopology& raw_;
    Diagnostics& d_;
    Topology t_;

    NameTable vpc_names_, igw_names_, instance_names_, eni_names_, eip_names_, peering_names_,
        prefix_list_names_, host_names_, health_check_names_;
    std::vector<VpcScope> scopes_;
    std::vector<bool> vpc_cidrs_ok_;  // every CIDR of the VPC was valid

    // The raw item behind each built resource (nullptr for implicit ones), by index.
    std::vector<const RawSubnet*> raw_subnets_;
    std::vector<const RawInternetGateway*> raw_igws_;
    std::vector<const RawRouteTable*> raw_route_tables_;
    std::vector<const RawAcl*> raw_acls_;
    std::vector<const RawSecurityGroup*> raw_groups_;
    std::vector<const RawNatGateway*> raw_nats_;
    std::vector<const RawInstance*> raw_instances_;
    std::vector<Index> instance_vpc_;
    std::vector<bool> subnet_ok_;  // the subnet has a valid CIDR inside its VPC
    std::vector<const RawLoadBalancer*> raw_lbs_;
    std::vector<const RawTargetGroup*> raw_tgs_;
    std::vector<const RawLaunchTemplate*> raw_lts_;
    std::vector<const RawAutoScalingGroup*> raw_asgs_;
    std::vector<const RawHostedZone*> raw_zones_;
    std::vector<const RawRoute53HealthCheck*> raw_health_checks_;
    std::vector<const RawRecord*> raw_records_of_zone_;  // scratch: the current zone's records
    std::vector<std::vector<SourceLocation>> asg_group_refs_;  // by group, of its target_groups
    // The instances Auto Scaling groups launch, written as the file would write them; a deque
    // keeps the addresses raw_instances_ holds.
    std::deque<RawInstance> launched_;

    std::vector<std::map<net::Ipv4Address, std::string>> private_owner_;  // per VPC
    std::map<net::Ipv4Address, std::string> public_owner_;
    std::vector<std::string> eip_owner_;  // by Elastic IP; empty while unassociated
};

}  // namespace vpcstack::model::build
