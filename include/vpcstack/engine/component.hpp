// The components of a topology as the engine names them: every security group, network ACL,
// route table, internet gateway, peering, VPC router, ENI, NAT gateway and load balancer, plus
// the internet.
// A trace step, a counter and a drop all refer to a component by its ComponentId; its name
// ("sg/web-sg", "acl/prod/default") is looked up here, in one place.
//
// The registry is a pure function of the topology, so a live lab's client rebuilds the same ids
// its engine daemon used.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vpcstack/model/invariant.hpp"
#include "vpcstack/model/topology.hpp"

namespace vpcstack::engine {

using ComponentId = std::uint32_t;

enum class ComponentKind : std::uint8_t {
    Eni,
    SecurityGroup,
    NetworkAcl,
    RouteTable,
    VpcRouter,
    InternetGateway,
    NatGateway,
    Peering,
    LoadBalancer,
    Resolver,  // the VPC's DNS resolver (Route 53 Resolver), one per VPC
    Internet,  // the internet port: every address outside the VPCs
};

// "eni", "security-group", "network-acl", ... as traces and JSON print them.
std::string_view kind_name(ComponentKind kind) noexcept;

struct Component {
    std::string name;       // kind-prefixed user name: "eni/web/eth0", "rt/prod/public-rt"
    std::string user_name;  // the user's name alone: "web/eth0", "prod/public-rt"
    ComponentKind kind = ComponentKind::Internet;
    model::Index index = model::kNone;  // into the topology's vector of that kind
};

class ComponentRegistry {
  public:
    explicit ComponentRegistry(const model::Topology& topology);

    ComponentId security_group(model::Index i) const { return at(sg_, i); }
    ComponentId network_acl(model::Index i) const { return at(acl_, i); }
    ComponentId route_table(model::Index i) const { return at(rt_, i); }
    ComponentId internet_gateway(model::Index i) const { return at(igw_, i); }
    ComponentId peering(model::Index i) const { return at(peering_, i); }
    ComponentId vpc_router(model::Index vpc) const { return at(router_, vpc); }
    ComponentId eni(model::Index i) const { return at(eni_, i); }
    ComponentId nat_gateway(model::Index i) const { return at(nat_, i); }
    ComponentId load_balancer(model::Index i) const { return at(lb_, i); }
    ComponentId resolver(model::Index vpc) const { return at(resolver_, vpc); }
    ComponentId internet() const noexcept { return internet_; }

    const Component& operator[](ComponentId id) const;
    std::span<const Component> all() const noexcept { return components_; }
    std::size_t size() const noexcept { return components_.size(); }
    // The name of a VPC, for trace details that mention one.
    const std::string& vpc_name(model::Index vpc) const;

  private:
    ComponentId add(std::string_view prefix, std::string user_name, ComponentKind kind,
                    model::Index index);
    static ComponentId at(const std::vector<ComponentId>& ids, model::Index i) {
        VPCSTACK_ASSERT(i < ids.size(), "a component index the topology does not have");
        return ids[i];
    }

    std::vector<Component> components_;
    std::vector<ComponentId> sg_, acl_, rt_, igw_, peering_, router_, eni_, nat_, lb_, resolver_;
    ComponentId internet_ = 0;
    std::vector<std::string> vpc_names_;
};

}  // namespace vpcstack::engine
