// Registration: every resource of the raw topology gets its index, its name in a name table and
// its place in its VPC, before any reference is resolved; then the passes run in a fixed order.
#include <set>

#include "builder.hpp"
#include "vpcstack/model/invariant.hpp"
#include "vpcstack/model/validation.hpp"

namespace vpcstack::model::build {

void Builder::register_vpc(const RawVpc& raw) {
    const Index v = static_cast<Index>(t_.vpcs.size());
    Vpc vpc;
    vpc.meta = meta_of(raw.meta);
    vpc.region = raw.region.has_value() ? *raw.region : t_.region;
    if (raw.account.has_value()) vpc.account = *raw.account;
    bool ok = raw.cidr.has_value();
    if (raw.cidr.has_value()) vpc.cidrs.push_back(*raw.cidr);
    for (const Field<net::Cidr>& c : raw.secondary_cidrs) {
        if (c.has_value()) vpc.cidrs.push_back(*c);
        ok = ok && c.has_value();
    }
    t_.vpcs.push_back(std::move(vpc));
    scopes_.emplace_back();
    vpc_cidrs_ok_.push_back(ok);
    private_owner_.emplace_back();
    add_name(vpc_names_, t_.vpcs[v].meta, v, "VPC", "in the file");
    check_vpc_cidrs(raw);
    check_vpc_dns(v, raw);
}

void Builder::register_prefix_list(const RawPrefixList& raw) {
    const Index i = static_cast<Index>(t_.prefix_lists.size());
    t_.prefix_lists.push_back({meta_of(raw.meta), raw.cidrs});
    add_name(prefix_list_names_, t_.prefix_lists[i].meta, i, "prefix list", "in the file");
}

void Builder::register_vpc_resources(Index v, const RawVpc& raw) {
    register_internet_gateways(v, raw);
    register_subnets(v, raw);
    register_route_tables(v, raw);
    register_network_acls(v, raw);
    register_security_groups(v, raw);
    register_nat_gateways(v, raw);
    register_instances(v, raw);
    register_load_balancing(v, raw);
}

void Builder::register_subnets(Index v, const RawVpc& raw) {
    const std::string in_vpc = fmt::format("within VPC '{}'", vpc_name(v));
    for (const RawSubnet& rs : raw.subnets) {
        const Index i = static_cast<Index>(t_.subnets.size());
        Subnet s;
        s.meta = meta_of(rs.meta);
        s.vpc = v;
        if (rs.cidr.has_value()) s.cidr = *rs.cidr;
        if (rs.az.has_value()) s.availability_zone = *rs.az;
        t_.subnets.push_back(std::move(s));
        t_.vpcs[v].subnets.push_back(i);
        raw_subnets_.push_back(&rs);
        subnet_ok_.push_back(false);
        add_name(scopes_[v].subnets, t_.subnets[i].meta, i, "subnet", in_vpc);
    }
}

void Builder::register_nat_gateways(Index v, const RawVpc& raw) {
    const std::string in_vpc = fmt::format("within VPC '{}'", vpc_name(v));
    for (const RawNatGateway& rn : raw.nat_gateways) {
        const Index i = static_cast<Index>(t_.nat_gateways.size());
        NatGateway n;
        n.meta = meta_of(rn.meta);
        n.vpc = v;
        n.is_public = rn.is_public.value.value_or(true);
        t_.nat_gateways.push_back(std::move(n));
        raw_nats_.push_back(&rn);
        add_name(scopes_[v].nat_gateways, t_.nat_gateways[i].meta, i, "NAT gateway", in_vpc);
    }
}

MetadataOptions metadata_options_of(const RawMetadataOptions& raw) {
    MetadataOptions o;
    if (raw.http_endpoint.has_value()) o.endpoint_enabled = *raw.http_endpoint == "enabled";
    if (raw.http_tokens.has_value()) o.tokens_required = *raw.http_tokens == "required";
    if (raw.http_put_response_hop_limit.has_value()) {
        o.put_response_hop_limit = static_cast<std::uint8_t>(*raw.http_put_response_hop_limit);
    }
    return o;
}

void Builder::register_instances(Index v, const RawVpc& raw) {
    for (const RawInstance& ri : raw.instances) register_instance(v, ri);
}

Index Builder::register_instance(Index v, const RawInstance& ri) {
    const Index i = static_cast<Index>(t_.instances.size());
    Instance inst;
    inst.meta = meta_of(ri.meta);
    inst.running = ri.running;
    inst.listen = ri.listen;
    if (ri.user_data.has_value()) inst.user_data = *ri.user_data;
    if (ri.metadata_options) inst.metadata_options = metadata_options_of(*ri.metadata_options);
    for (std::size_t k = 0; k < ri.enis.size(); ++k) {
        const Index e = static_cast<Index>(t_.enis.size());
        Eni eni;
        eni.meta = meta_of(ri.enis[k].meta);
        // An ENI without a name is called INSTANCE/ethN, N its device index.
        if (eni.meta.name.empty()) eni.meta.name = fmt::format("{}/eth{}", ri.meta.name, k);
        eni.instance = i;
        eni.vpc = v;
        eni.device_index = static_cast<int>(k);
        eni.mac = eni_mac(e);
        if (const PinnedEni* pin = pinned(eni.meta.name)) eni.mac = pin->mac;
        t_.enis.push_back(std::move(eni));
        inst.enis.push_back(e);
        add_name(eni_names_, t_.enis[e].meta, e, "ENI", "in the file");
    }
    t_.instances.push_back(std::move(inst));
    raw_instances_.push_back(&ri);
    instance_vpc_.push_back(v);
    add_name(instance_names_, t_.instances[i].meta, i, "instance", "in the file");
    return i;
}

const PinnedEni* Builder::pinned(const std::string& eni_name) const {
    auto it = raw_.pinned.find(eni_name);
    return it == raw_.pinned.end() ? nullptr : &it->second;
}

// An ENI that keeps its MAC (RawTopology::pinned) may hold the one another ENI's index gives:
// the other, new ENI takes the next MAC no ENI has.
void Builder::renumber_clashing_macs() {
    if (raw_.pinned.empty()) return;
    std::set<net::MacAddress> kept;
    for (const Eni& e : t_.enis) {
        if (pinned(e.meta.name) != nullptr) kept.insert(e.mac);
    }
    Index next = static_cast<Index>(t_.enis.size());
    std::set<net::MacAddress> taken = kept;
    for (Eni& e : t_.enis) {
        if (pinned(e.meta.name) != nullptr) continue;
        if (taken.contains(e.mac)) {
            while (taken.contains(eni_mac(next))) ++next;
            e.mac = eni_mac(next);
        }
        taken.insert(e.mac);
    }
}

void Builder::link_back_references() {
    for (Index e = 0; e < t_.enis.size(); ++e) {
        if (t_.enis[e].subnet != kNone) t_.subnets[t_.enis[e].subnet].enis.push_back(e);
    }
}

std::optional<Topology> Builder::build() {
    t_.file = raw_.file;
    if (raw_.region.has_value()) t_.region = *raw_.region;
    t_.internet_others_answer =
        !(raw_.internet_others.has_value() && *raw_.internet_others == "silent");
    for (const auto& a : raw_.internet_unassigned) {
        if (a.has_value()) t_.internet_unassigned.push_back(*a);
    }
    for (const RawVpc& v : raw_.vpcs) register_vpc(v);
    for (const RawPrefixList& p : raw_.prefix_lists) register_prefix_list(p);
    for (const RawElasticIp& e : raw_.elastic_ips) register_elastic_ip(e);
    for (const RawInternetHost& h : raw_.internet_hosts) register_internet_host(h);
    for (const RawPeering& p : raw_.peerings) register_peering(p);
    for (Index v = 0; v < raw_.vpcs.size(); ++v) register_vpc_resources(v, raw_.vpcs[v]);
    launch_auto_scaling_groups();
    register_route53();

    for (Index i = 0; i < t_.subnets.size(); ++i) resolve_subnet(i);
    for (Index i = 0; i < t_.nat_gateways.size(); ++i) resolve_nat_gateway(i);
    for (Index i = 0; i < t_.instances.size(); ++i) resolve_instance(i);
    for (Index i = 0; i < t_.route_tables.size(); ++i) resolve_route_table(i);
    for (Index i = 0; i < t_.internet_gateways.size(); ++i) resolve_internet_gateway(i);
    for (Index i = 0; i < t_.network_acls.size(); ++i) resolve_network_acl(i);
    for (Index i = 0; i < t_.security_groups.size(); ++i) resolve_security_group(i);
    for (Index i = 0; i < t_.target_groups.size(); ++i) resolve_target_group(i);
    for (Index i = 0; i < t_.load_balancers.size(); ++i) resolve_load_balancer(i);
    for (Index i = 0; i < t_.auto_scaling_groups.size(); ++i) register_group_targets(i);
    // After the load balancers, which alias records may name.
    for (Index i = 0; i < t_.health_checks.size(); ++i) resolve_route53_health_check(i);
    check_health_check_cycles();
    for (Index i = 0; i < t_.hosted_zones.size(); ++i) resolve_hosted_zone(i);
    assign_missing_addresses();
    assign_load_balancer_addresses();
    add_load_balancer_enis();
    renumber_clashing_macs();
    link_back_references();

    if (d_.has_errors()) return std::nullopt;
    assert_complete();
    return std::move(t_);
}

// What the code after validation relies on. A failure is a bug of the builder, not of the file.
void Builder::assert_complete() const {
    for (const Vpc& v : t_.vpcs) {
        VPCSTACK_ASSERT(v.main_route_table != kNone && v.default_acl != kNone &&
                            v.default_security_group != kNone,
                        "every VPC has a main route table, a default ACL and a default group");
    }
    for (const Subnet& s : t_.subnets) {
        VPCSTACK_ASSERT(s.route_table != kNone && s.network_acl != kNone,
                        "every subnet has a route table and a network ACL in effect");
    }
    for (const Eni& e : t_.enis) {
        VPCSTACK_ASSERT(e.subnet != kNone && !e.private_ips.empty() && !e.security_groups.empty(),
                        "every ENI has a subnet, a private address and a security group");
    }
}

}  // namespace vpcstack::model::build
