#include "vpcstack/model/lint.hpp"

#include <fmt/format.h>

#include <algorithm>

#include "vpcstack/model/cloud_rules.hpp"
#include "vpcstack/model/invariant.hpp"

namespace vpcstack::model {
namespace {

// AWS: vpc-network-acls — Linux clients reply from ports 32768-60999; a request rule is one
// whose ports lie outside that range.
constexpr net::PortRange kLinuxEphemeral{32768, 60999};

bool has_internet_route(const Topology& t, Index route_table) {
    const auto& routes = t.route_tables[route_table].routes;
    return std::any_of(routes.begin(), routes.end(), [](const Route& r) {
        return r.target.kind == RouteTargetKind::InternetGateway;
    });
}

// AWS: VPC_Internet_Gateway — a public address is of use only where the subnet's route table
// sends traffic to the internet gateway.
void lint_public_enis(const Topology& t, Diagnostics& d) {
    for (Index e = 0; e < t.enis.size(); ++e) {
        const Eni& eni = t.enis[e];
        VPCSTACK_ASSERT(eni.subnet != kNone && eni.instance != kNone,
                        "validation gives every ENI a subnet and an instance");
        auto address = t.public_address_of_eni(e);
        if (!address) continue;
        const Subnet& subnet = t.subnets[eni.subnet];
        if (has_internet_route(t, subnet.route_table)) continue;
        // AWS: gateway-route-tables — with ingress routing the subnet's traffic may reach the
        // gateway through an appliance, so the subnet's own table need not name the gateway.
        const Index igw = t.vpcs[eni.vpc].internet_gateway;
        if (igw != kNone && t.internet_gateways[igw].route_table != kNone) continue;
        const Instance& inst = t.instances[eni.instance];
        d.warning(eni.meta.loc, "instance", inst.meta.name,
                  fmt::format("ENI '{}' has public address {} but route table '{}' of subnet '{}' "
                              "has no route to an internet gateway; expected a route such as "
                              "0.0.0.0/0 -> igw for the address to be usable",
                              eni.meta.name, address->to_string(),
                              t.route_tables[subnet.route_table].meta.name, subnet.meta.name));
    }
}

// AWS: vpc-nat-gateway — a public NAT gateway sends its traffic to the internet gateway
// through its own subnet's route table.
void lint_nat_gateways(const Topology& t, Diagnostics& d) {
    for (const NatGateway& nat : t.nat_gateways) {
        VPCSTACK_ASSERT(nat.subnet != kNone, "validation gives every NAT gateway a subnet");
        if (!nat.is_public) continue;
        const Subnet& subnet = t.subnets[nat.subnet];
        if (has_internet_route(t, subnet.route_table)) continue;
        d.warning(nat.meta.loc, "NAT gateway", nat.meta.name,
                  fmt::format("route table '{}' of its subnet '{}' has no route to an internet "
                              "gateway; expected a route such as 0.0.0.0/0 -> igw in the subnet "
                              "of a public NAT gateway",
                              t.route_tables[subnet.route_table].meta.name, subnet.meta.name));
    }
}

// AWS: vpc-peering-routing — a route to a peering that is not active is a blackhole.
// AWS: using-eni — an interface that forwards traffic needs source/destination check off.
void lint_routes(const Topology& t, Diagnostics& d) {
    for (const RouteTable& table : t.route_tables) {
        for (const Route& r : table.routes) {
            const std::string text = fmt::format("{} -> {}", t.destination_text(r), r.target.text);
            if (r.target.kind == RouteTargetKind::Peering) {
                const Peering& p = t.peerings[r.target.index];
                if (p.status == PeeringStatus::Active) continue;
                d.warning(r.loc, "route table", table.meta.name,
                          fmt::format("route '{}' targets peering '{}', which is {}: its traffic "
                                      "is dropped as by a blackhole; expected an active peering",
                                      text, p.meta.name, to_string(p.status)));
                continue;
            }
            Index eni = kNone;
            if (r.target.kind == RouteTargetKind::Eni) eni = r.target.index;
            if (r.target.kind == RouteTargetKind::Instance) {
                eni = t.instances[r.target.index].enis.front();
            }
            if (eni == kNone || !t.enis[eni].source_dest_check) continue;
            d.warning(r.loc, "route table", table.meta.name,
                      fmt::format("route '{}' sends traffic to ENI '{}', whose source/destination "
                                  "check is on and drops it; expected source_dest_check: false "
                                  "on an interface that forwards traffic",
                                  text, t.enis[eni].meta.name));
        }
    }
}

// The rule that decides a reply to `port`, or nullptr for the final deny. A rule counts when
// it covers every address of `peer` (allow) or any of them (deny): the warning must be sure.
const AclRule* deciding_rule(const std::vector<AclRule>& rules, std::uint8_t protocol,
                             std::uint16_t port, const net::Cidr& peer) {
    for (const AclRule& r : rules) {
        if (!r.protocol.matches(protocol) || !r.ports.contains(port)) continue;
        bool covers = r.action == RuleAction::Allow ? r.cidr.contains(peer) : r.cidr.overlaps(peer);
        if (covers) return &r;
    }
    return nullptr;
}

struct Blocked {
    net::PortRange ports;
    const AclRule* by = nullptr;  // nullptr: the final deny rule
};

// The first stretch of `ports` to which `rules` do not allow `protocol` from or to `peer`.
// The decision can change only where a rule's port range starts or ends.
std::optional<Blocked> first_blocked(const std::vector<AclRule>& rules, std::uint8_t protocol,
                                     net::PortRange ports, const net::Cidr& peer) {
    std::vector<std::uint32_t> cuts = {ports.first, ports.last + 1u};
    for (const AclRule& r : rules) {
        for (std::uint32_t c : {std::uint32_t{r.ports.first}, r.ports.last + 1u}) {
            if (c > ports.first && c <= ports.last) cuts.push_back(c);
        }
    }
    std::sort(cuts.begin(), cuts.end());
    cuts.erase(std::unique(cuts.begin(), cuts.end()), cuts.end());
    std::optional<Blocked> blocked;
    for (std::size_t k = 0; k + 1 < cuts.size(); ++k) {
        const auto port = static_cast<std::uint16_t>(cuts[k]);
        const AclRule* r = deciding_rule(rules, protocol, port, peer);
        const bool allowed = r != nullptr && r->action == RuleAction::Allow;
        if (!blocked) {
            if (allowed) continue;
            blocked = Blocked{{port, port}, r};
        } else if (allowed || r != blocked->by) {
            break;
        }
        blocked->ports.last = static_cast<std::uint16_t>(cuts[k + 1] - 1);
    }
    return blocked;
}

std::string denier(const AclRule* rule) {
    return rule == nullptr ? "the final deny rule (*)" : fmt::format("rule {}", rule->number);
}

// AWS: vpc-nat-gateway — a NAT gateway sends from ports 1024-65535, and the network ACL of its
// subnet applies to the replies coming back from the internet.
void lint_nat_acls(const Topology& t, Diagnostics& d) {
    const net::Cidr anywhere(net::Ipv4Address(0), 0);
    for (const NatGateway& nat : t.nat_gateways) {
        VPCSTACK_ASSERT(nat.subnet != kNone, "validation gives every NAT gateway a subnet");
        if (!nat.is_public) continue;
        const Subnet& subnet = t.subnets[nat.subnet];
        const NetworkAcl& acl = t.network_acls[subnet.network_acl];
        auto blocked = first_blocked(acl.inbound, net::Protocol::kTcp, {1024, 65535}, anywhere);
        if (!blocked) continue;
        d.warning(nat.meta.loc, "NAT gateway", nat.meta.name,
                  fmt::format("network ACL '{}' of its subnet '{}' denies inbound tcp replies "
                              "from 0.0.0.0/0 to ports {} by {}; expected an inbound rule "
                              "allowing tcp/1024-65535 from 0.0.0.0/0, the ports a NAT gateway "
                              "uses",
                              acl.meta.name, subnet.meta.name, blocked->ports.to_string(),
                              denier(blocked->by)));
    }
}

// AWS: vpc-network-acls — ACLs do not filter traffic to and from the VPC DNS resolver
// (base of the primary CIDR + 2, and 169.254.169.253): no reply rule is needed for it.
bool is_dns_resolver(const Topology& t, Index vpc, const net::Cidr& cidr) {
    if (cidr.length() != 32) return false;
    if (cidr.network() == cloud::kLinkLocalDnsAddress) return true;
    VPCSTACK_ASSERT(vpc != kNone && !t.vpcs[vpc].cidrs.empty(),
                    "validation gives every ACL a VPC, and every VPC its primary CIDR");
    return cidr.network() == cloud::resolver_address(t.vpcs[vpc].cidrs.front());
}

// AWS: vpc-network-acls — ACLs are stateless: a rule that lets requests through needs a rule
// in the other direction for the replies to the client's ephemeral ports.
void lint_acl_direction(const Topology& t, const NetworkAcl& acl, bool inbound, Diagnostics& d) {
    const auto& requests = inbound ? acl.inbound : acl.outbound;
    const auto& replies = inbound ? acl.outbound : acl.inbound;
    const char* here = inbound ? "inbound" : "outbound";
    const char* there = inbound ? "outbound" : "inbound";
    const char* preposition = inbound ? "to" : "from";
    for (const AclRule& rule : requests) {
        if (rule.action != RuleAction::Allow || !rule.protocol.has_ports() ||
            rule.ports.overlaps(kLinuxEphemeral) || is_dns_resolver(t, acl.vpc, rule.cidr)) {
            continue;
        }
        auto blocked = first_blocked(replies, rule.protocol.number(), kLinuxEphemeral, rule.cidr);
        if (!blocked) continue;
        const std::string proto = rule.protocol.to_string();
        d.warning(rule.loc, "network ACL", acl.meta.name,
                  fmt::format("{} rule '{}' lets requests through, but {} replies ({} {} {}, "
                              "ports {}) are denied by {}; expected an {} rule allowing "
                              "{}/1024-65535 {} {}",
                              here, rule.text, there, proto, preposition, rule.cidr.to_string(),
                              blocked->ports.to_string(), denier(blocked->by), there, proto,
                              preposition, rule.cidr.to_string()));
    }
}

}  // namespace

void lint_topology(const Topology& topology, Diagnostics& diags) {
    lint_public_enis(topology, diags);
    lint_nat_gateways(topology, diags);
    lint_nat_acls(topology, diags);
    lint_routes(topology, diags);
    for (const NetworkAcl& acl : topology.network_acls) {
        lint_acl_direction(topology, acl, true, diags);
        lint_acl_direction(topology, acl, false, diags);
    }
}

}  // namespace vpcstack::model
