// Compiling a topology into the tables the stages read: compiled security groups, ACLs and
// route tables (policy/), ENI state with its connection tracking, NAT tables, and the address
// maps (private per VPC, public, MAC). Runs once, when the engine is built; nothing here is on
// the packet path.
#include <fmt/format.h>

#include <stdexcept>

#include "dataplane.hpp"

namespace vpcstack::engine {

namespace {

std::uint64_t mac_key(const net::MacAddress& m) noexcept {
    std::uint64_t k = 0;
    for (std::uint8_t o : m.octets()) k = (k << 8) | o;
    return k;
}

std::uint64_t vpc_address_key(model::Index vpc, net::Ipv4Address a) noexcept {
    return (std::uint64_t{vpc} << 32) | a.value();
}

// EngineConfig tunables, each with the range the cloud (or sense) allows.
void check_config(const EngineConfig& c) {
    auto require = [](bool ok, std::string_view what) {
        if (!ok) throw std::invalid_argument(fmt::format("EngineConfig: {}", what));
    };
    require(c.conntrack_capacity_per_eni >= 1 && c.conntrack_capacity_per_eni <= 10'000'000,
            "conntrack_capacity_per_eni must be 1 to 10,000,000");
    require(c.nat_max_per_destination >= 1 && c.nat_max_per_destination <= 64'512,
            "nat_max_per_destination must be 1 to 64,512");
    require(c.nat_idle_timeout > 0, "nat_idle_timeout must be positive");
    require(c.internet_mtu >= 576 && c.internet_mtu <= 9001, "internet_mtu must be 576 to 9001");
    require(c.conntrack_timeouts.tcp_established > 0 && c.conntrack_timeouts.udp > 0 &&
                c.conntrack_timeouts.udp_stream > 0 && c.conntrack_timeouts.other > 0,
            "connection-tracking timeouts must be positive");
}

// AWS: EC2 ConnectionTrackingConfiguration — an ENI's own TCP and UDP idle timeouts, over the
// engine's defaults.
ConntrackTimeouts timeouts_of(const model::Eni& eni, ConntrackTimeouts t) {
    const model::ConnectionTracking& c = eni.connection_tracking;
    if (c.tcp_established_timeout) t.tcp_established = *c.tcp_established_timeout * kNsPerSecond;
    if (c.udp_stream_timeout) t.udp_stream = *c.udp_stream_timeout * kNsPerSecond;
    if (c.udp_timeout) t.udp = *c.udp_timeout * kNsPerSecond;
    return t;
}

}  // namespace

Dataplane::Dataplane(const model::Topology& t, FrameSink& s, EngineConfig c)
    : topo(t),
      sink(s),
      config(c),
      components(std::make_shared<ComponentRegistry>(t)),
      membership(t),
      buffer(kMaxFrame),
      fragment_buffer(kMaxFrame) {
    check_config(config);
    component_counts.resize(components->size());
    nat_counts.resize(topo.nat_gateways.size());
    lb_counts.resize(topo.load_balancers.size());
    for (std::size_t i = 0; i < lb_counts.size(); ++i) {
        lb_counts[i].network = topo.load_balancers[i].type == model::LoadBalancerType::Network;
    }
    for (model::Index i = 0; i < topo.security_groups.size(); ++i) {
        const auto& sg = topo.security_groups[i];
        groups.push_back(policy::compile_group(topo, i, sg.ingress, sg.egress, membership));
    }
    for (const auto& acl : topo.network_acls) acls.emplace_back(acl);
    for (model::Index i = 0; i < topo.route_tables.size(); ++i) route_tables.emplace_back(topo, i);

    vpc_addresses.resize(topo.vpcs.size());
    for (model::Index i = 0; i < topo.enis.size(); ++i) {
        const model::Eni& e = topo.enis[i];
        VPCSTACK_ASSERT(e.vpc < topo.vpcs.size() && e.subnet < topo.subnets.size(),
                        "an ENI outside the topology's VPCs and subnets");
        VPCSTACK_ASSERT(!e.private_ips.empty(), "an ENI without a private address");
        VPCSTACK_ASSERT(e.instance == model::kNone || e.instance < topo.instances.size(),
                        "an ENI attached to an instance that does not exist");
        EniState st{.index = i,
                    .subnet = e.subnet,
                    .vpc = e.vpc,
                    .mac = e.mac,
                    .ips = e.private_ips,
                    .source_dest_check = e.source_dest_check,
                    .running = e.instance == model::kNone || topo.instances[e.instance].running,
                    .groups = {},
                    .conntrack = ConntrackTable(config.conntrack_capacity_per_eni,
                                                timeouts_of(e, config.conntrack_timeouts)),
                    .component = components->eni(i),
                    .service_connections = {},
                    .admitted_fragments = {}};
        for (model::Index g : e.security_groups) {
            VPCSTACK_ASSERT(g < groups.size(), "an ENI names a security group that does not exist");
            st.groups.push_back(&groups[g]);
        }
        enis.push_back(std::move(st));
        for (net::Ipv4Address ip : e.private_ips) {
            vpc_addresses[e.vpc][ip.value()] = {Owner::Kind::Eni, i};
        }
        mac_to_eni[mac_key(e.mac)] = i;
        // AWS: VPC_Internet_Gateway — a public or Elastic IP maps 1:1 to the primary private
        // IP. AWS: EC2 using-instance-addressing-eips — an Elastic IP associated with a
        // secondary private address maps 1:1 to that address.
        for (const auto& [pub, priv] : topo.public_mappings_of_eni(i)) {
            public_addresses[pub.value()] = {Owner::Kind::Eni, i};
            public_to_private[pub.value()] = priv;
            private_to_public[vpc_address_key(e.vpc, priv)] = pub;
        }
    }
    for (model::Index i = 0; i < topo.nat_gateways.size(); ++i) {
        const model::NatGateway& n = topo.nat_gateways[i];
        VPCSTACK_ASSERT(n.vpc < topo.vpcs.size(), "a NAT gateway outside the topology's VPCs");
        nats.emplace_back(n.private_ip, config.nat_max_per_destination, config.nat_idle_timeout);
        vpc_addresses[n.vpc][n.private_ip.value()] = {Owner::Kind::NatGateway, i};
        if (auto pub = topo.public_address_of_nat(i)) {
            public_addresses[pub->value()] = {Owner::Kind::NatGateway, i};
            public_to_private[pub->value()] = n.private_ip;
            private_to_public[vpc_address_key(n.vpc, n.private_ip)] = *pub;
        }
    }
    // AWS: elasticloadbalancing — each node is a network interface in its subnet, with a
    // private address and, when internet-facing, a public or Elastic IP mapped 1:1 to it.
    for (model::Index i = 0; i < topo.load_balancers.size(); ++i) {
        const model::LoadBalancer& lb = topo.load_balancers[i];
        VPCSTACK_ASSERT(lb.vpc < topo.vpcs.size(), "a load balancer outside the topology's VPCs");
        std::vector<const policy::CompiledGroup*> lb_groups;
        for (model::Index g : lb.security_groups) lb_groups.push_back(&groups[g]);
        // An ALB's nodes are ENIs of the topology (compiled above); a proxy answers behind them.
        if (lb.type == model::LoadBalancerType::Application) continue;
        for (const model::LoadBalancerNode& node : lb.nodes) {
            const auto index = static_cast<model::Index>(lb_nodes.size());
            lb_nodes.push_back({i, node.subnet, lb.vpc, node.private_ip, lb_groups});
            vpc_addresses[lb.vpc][node.private_ip.value()] = {Owner::Kind::LoadBalancerNode, index};
            if (lb.scheme != model::LoadBalancerScheme::InternetFacing) continue;
            if (auto pub = topo.public_address_of_lb_node(node)) {
                public_addresses[pub->value()] = {Owner::Kind::LoadBalancerNode, index};
                public_to_private[pub->value()] = node.private_ip;
                private_to_public[vpc_address_key(lb.vpc, node.private_ip)] = *pub;
            }
        }
    }
    for (const model::TargetGroup& tg : topo.target_groups) {
        for (const model::Target& target : tg.targets) {
            if (target.instance != model::kNone) {
                const auto& instance_enis = topo.instances[target.instance].enis;
                if (!instance_enis.empty()) enis[instance_enis.front()].lb_target = true;
            } else if (auto owner = owner_of(tg.vpc, target.ip);
                       owner && owner->kind == Owner::Kind::Eni) {
                enis[owner->index].lb_target = true;
            }
        }
    }
    // AWS: load-balancer-target-groups (deregistration delay) — a draining instance keeps
    // answering the flows it was given: its replies still go back through the load balancer.
    for (const model::AutoScalingGroup& asg : topo.auto_scaling_groups) {
        if (asg.target_groups.empty()) continue;
        for (model::Index i : asg.draining) {
            const auto& instance_enis = topo.instances[i].enis;
            if (!instance_enis.empty()) enis[instance_enis.front()].lb_target = true;
        }
    }
    for (const model::Subnet& sn : topo.subnets) {
        VPCSTACK_ASSERT(sn.network_acl < acls.size(), "a subnet without a network ACL");
        VPCSTACK_ASSERT(sn.route_table < route_tables.size(), "a subnet without a route table");
        VPCSTACK_ASSERT(sn.vpc < topo.vpcs.size(), "a subnet outside the topology's VPCs");
    }
    compile_dns();
}

// The VPC resolver's zones, per VPC (model/dns_views.hpp).
void Dataplane::compile_dns() {
    dns_views = std::make_unique<model::DnsViews>(topo, [this](model::Index lb) {
        auto it = load_balancer_status.find(topo.load_balancers.at(lb).meta.name);
        return it == load_balancer_status.end() || it->second;
    });
    dns_health = [this](std::string_view check) {
        auto it = health_status.find(std::string(check));
        return it == health_status.end() || it->second;
    };
}

std::optional<Owner> Dataplane::owner_of(model::Index vpc, net::Ipv4Address a) const noexcept {
    if (vpc >= vpc_addresses.size()) return std::nullopt;
    auto it = vpc_addresses[vpc].find(a.value());
    if (it == vpc_addresses[vpc].end()) return std::nullopt;
    return it->second;
}

std::optional<net::Ipv4Address> Dataplane::public_of(model::Index vpc,
                                                     net::Ipv4Address a) const noexcept {
    auto it = private_to_public.find(vpc_address_key(vpc, a));
    if (it == private_to_public.end()) return std::nullopt;
    return it->second;
}

bool Dataplane::is_eni_mac(const net::MacAddress& mac) const noexcept {
    return mac_to_eni.contains(mac_key(mac));
}

bool Dataplane::routes_through_nat(model::Index subnet, net::Ipv4Address dst) const noexcept {
    const model::Subnet& s = topo.subnets[subnet];
    if (s.cidr.contains(dst)) return false;
    const policy::CompiledRoute* r = route_tables[s.route_table].lookup(dst);
    return r != nullptr && r->kind == model::RouteTargetKind::NatGateway;
}

}  // namespace vpcstack::engine
