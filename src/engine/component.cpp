#include "vpcstack/engine/component.hpp"

#include "vpcstack/model/invariant.hpp"

namespace vpcstack::engine {

std::string_view kind_name(ComponentKind kind) noexcept {
    switch (kind) {
        case ComponentKind::Eni:
            return "eni";
        case ComponentKind::SecurityGroup:
            return "security-group";
        case ComponentKind::NetworkAcl:
            return "network-acl";
        case ComponentKind::RouteTable:
            return "route-table";
        case ComponentKind::VpcRouter:
            return "vpc-router";
        case ComponentKind::InternetGateway:
            return "internet-gateway";
        case ComponentKind::NatGateway:
            return "nat-gateway";
        case ComponentKind::Peering:
            return "peering";
        case ComponentKind::LoadBalancer:
            return "load-balancer";
        case ComponentKind::Resolver:
            return "resolver";
        case ComponentKind::Internet:
            return "internet";
    }
    return "internet";
}

// The order (groups, ACLs, route tables, gateways, peerings, routers, the internet, ENIs, NAT
// gateways, load balancers) is the order of `lab status` counters.
ComponentRegistry::ComponentRegistry(const model::Topology& t) {
    using K = ComponentKind;
    for (model::Index i = 0; i < t.security_groups.size(); ++i) {
        const auto& sg = t.security_groups[i];
        sg_.push_back(add("sg", t.qualified_name(sg.meta, sg.vpc), K::SecurityGroup, i));
    }
    for (model::Index i = 0; i < t.network_acls.size(); ++i) {
        const auto& acl = t.network_acls[i];
        acl_.push_back(add("acl", t.qualified_name(acl.meta, acl.vpc), K::NetworkAcl, i));
    }
    for (model::Index i = 0; i < t.route_tables.size(); ++i) {
        const auto& rt = t.route_tables[i];
        rt_.push_back(add("rt", t.qualified_name(rt.meta, rt.vpc), K::RouteTable, i));
    }
    for (model::Index i = 0; i < t.internet_gateways.size(); ++i) {
        const auto& igw = t.internet_gateways[i];
        igw_.push_back(add("igw", t.qualified_name(igw.meta, igw.vpc), K::InternetGateway, i));
    }
    for (model::Index i = 0; i < t.peerings.size(); ++i) {
        peering_.push_back(add("peering", t.peerings[i].meta.name, K::Peering, i));
    }
    for (model::Index i = 0; i < t.vpcs.size(); ++i) {
        router_.push_back(add("vpc-router", t.vpcs[i].meta.name, K::VpcRouter, i));
        vpc_names_.push_back(t.vpcs[i].meta.name);
    }
    internet_ = add("", "internet", K::Internet, model::kNone);
    for (model::Index i = 0; i < t.enis.size(); ++i) {
        eni_.push_back(add("eni", t.enis[i].meta.name, K::Eni, i));
    }
    for (model::Index i = 0; i < t.nat_gateways.size(); ++i) {
        const auto& n = t.nat_gateways[i];
        nat_.push_back(add("nat", t.qualified_name(n.meta, n.vpc), K::NatGateway, i));
    }
    for (model::Index i = 0; i < t.load_balancers.size(); ++i) {
        const auto& lb = t.load_balancers[i];
        lb_.push_back(add("lb", t.qualified_name(lb.meta, lb.vpc), K::LoadBalancer, i));
    }
    for (model::Index i = 0; i < t.vpcs.size(); ++i) {
        resolver_.push_back(add("resolver", t.vpcs[i].meta.name, K::Resolver, i));
    }
}

ComponentId ComponentRegistry::add(std::string_view prefix, std::string user_name,
                                   ComponentKind kind, model::Index index) {
    std::string name = prefix.empty() ? user_name : std::string(prefix) + "/" + user_name;
    components_.push_back({std::move(name), std::move(user_name), kind, index});
    return static_cast<ComponentId>(components_.size() - 1);
}

const Component& ComponentRegistry::operator[](ComponentId id) const {
    VPCSTACK_ASSERT(id < components_.size(), "a component id this registry did not give out");
    return components_[id];
}

const std::string& ComponentRegistry::vpc_name(model::Index vpc) const {
    VPCSTACK_ASSERT(vpc < vpc_names_.size(), "a VPC index the topology does not have");
    return vpc_names_[vpc];
}

}  // namespace vpcstack::engine
