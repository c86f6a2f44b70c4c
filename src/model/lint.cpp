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
        VPCSTACK_ASSERT(
            eni.subnet != kNone && (eni.instance != kNone) != (eni.load_balancer != kNone),
            "validation gives every ENI a subnet and an instance or a load balancer");
        if (eni.load_balancer != kNone) continue;  // load balancing checks judge its nodes
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

// ---- Load balancing: what the cloud accepts but leaves a load balancer without traffic ----

bool rule_covers_tcp_port(const SgRule& r, std::uint16_t port) {
    return (r.protocol.is_all() || r.protocol == net::Protocol::tcp()) && r.ports.contains(port);
}

// The target groups a load balancer's listeners and rules forward to.
std::vector<Index> forwarded_groups(const LoadBalancer& lb) {
    std::vector<Index> out;
    auto add = [&](const ListenerAction& a) {
        for (const WeightedTargetGroup& w : a.target_groups) {
            if (std::find(out.begin(), out.end(), w.target_group) == out.end()) {
                out.push_back(w.target_group);
            }
        }
    };
    for (const Listener& l : lb.listeners) {
        add(l.default_action);
        for (const ListenerRule& r : l.rules) add(r.action);
    }
    return out;
}

// AWS: load-balancer-target-groups — a target group receives traffic only from a load balancer
// whose listener forwards to it; registered targets of a group nobody uses stay unused.
void lint_unused_target_groups(const Topology& t, Diagnostics& d) {
    std::vector<bool> used(t.target_groups.size(), false);
    for (const LoadBalancer& lb : t.load_balancers) {
        for (Index g : forwarded_groups(lb)) used[g] = true;
    }
    for (Index g = 0; g < t.target_groups.size(); ++g) {
        if (used[g]) continue;
        const TargetGroup& tg = t.target_groups[g];
        d.warning(tg.meta.loc, "target group", tg.meta.name,
                  "no load balancer forwards to it; expected a listener or rule that forwards "
                  "to it, or its targets receive no traffic");
    }
}

// AWS: load-balancer-update-security-groups — an ALB's security groups must allow traffic to
// its targets on the listener and health check ports, and the targets' groups must admit the
// ALB (by its group or its nodes' addresses): the classic mistake that leaves every target
// unhealthy.
void lint_alb_security_groups(const Topology& t, Diagnostics& d) {
    for (const LoadBalancer& lb : t.load_balancers) {
        if (lb.type != LoadBalancerType::Application) continue;
        for (Index g : forwarded_groups(lb)) {
            const TargetGroup& tg = t.target_groups[g];
            std::vector<std::uint16_t> ports;
            for (const Target& target : tg.targets) {
                const std::uint16_t port = target.port.value_or(tg.port);
                if (std::find(ports.begin(), ports.end(), port) == ports.end()) {
                    ports.push_back(port);
                }
            }
            if (tg.targets.empty()) ports.push_back(tg.port);
            for (std::uint16_t port : ports) {
                const bool egress = std::any_of(
                    lb.security_groups.begin(), lb.security_groups.end(), [&](Index sg) {
                        const auto& rules = t.security_groups[sg].egress;
                        return std::any_of(rules.begin(), rules.end(), [&](const SgRule& r) {
                            return rule_covers_tcp_port(r, port);
                        });
                    });
                if (!egress) {
                    d.warning(
                        lb.meta.loc, "load balancer", lb.meta.name,
                        fmt::format("no egress rule of its security groups allows tcp/{} "
                                    "to the targets of target group '{}'; expected an "
                                    "egress rule such as tcp/{} to the targets' security group, or "
                                    "no request or health check reaches them",
                                    port, tg.meta.name, port));
                }
            }
            for (const Target& target : tg.targets) {
                if (target.instance == kNone) continue;
                const Instance& inst = t.instances[target.instance];
                const Eni& eni = t.enis[inst.enis.front()];
                const std::uint16_t port = target.port.value_or(tg.port);
                const bool admitted = std::any_of(
                    eni.security_groups.begin(), eni.security_groups.end(), [&](Index sg) {
                        const auto& rules = t.security_groups[sg].ingress;
                        return std::any_of(rules.begin(), rules.end(), [&](const SgRule& r) {
                            if (!rule_covers_tcp_port(r, port)) return false;
                            if (r.peer_kind == PeerKind::SecurityGroup) {
                                return std::find(lb.security_groups.begin(),
                                                 lb.security_groups.end(),
                                                 r.group) != lb.security_groups.end();
                            }
                            if (r.peer_kind != PeerKind::Cidr) return false;
                            return std::all_of(lb.nodes.begin(), lb.nodes.end(),
                                               [&](const LoadBalancerNode& n) {
                                                   return r.cidr.contains(n.private_ip);
                                               });
                        });
                    });
                if (admitted) continue;
                d.warning(target.loc, "target group", tg.meta.name,
                          fmt::format("target '{}' does not admit load balancer '{}' on tcp/{}: "
                                      "no ingress rule of its security groups names the load "
                                      "balancer's group or covers its nodes' addresses; "
                                      "expected a rule such as tcp/{} from sg:{}, or the target "
                                      "fails its health checks",
                                      inst.meta.name, lb.meta.name, port, port,
                                      lb.security_groups.empty()
                                          ? std::string("GROUP")
                                          : t.security_groups[lb.security_groups[0]].meta.name));
            }
        }
    }
}

// AWS: load-balancer (availability zones) — targets registered in a zone the load balancer
// does not span receive no traffic from it.
void lint_target_zones(const Topology& t, Diagnostics& d) {
    for (const LoadBalancer& lb : t.load_balancers) {
        std::vector<std::string> zones;
        for (const LoadBalancerNode& n : lb.nodes) {
            zones.push_back(t.subnets[n.subnet].availability_zone);
        }
        for (Index g : forwarded_groups(lb)) {
            const TargetGroup& tg = t.target_groups[g];
            for (const Target& target : tg.targets) {
                if (target.instance == kNone) continue;
                const Instance& inst = t.instances[target.instance];
                const Subnet& sn = t.subnets[t.enis[inst.enis.front()].subnet];
                if (std::find(zones.begin(), zones.end(), sn.availability_zone) != zones.end()) {
                    continue;
                }
                d.warning(target.loc, "target group", tg.meta.name,
                          fmt::format("target '{}' is in {}, a zone load balancer '{}' does not "
                                      "span ({}); expected a subnet of that zone in the load "
                                      "balancer, or the target receives no traffic from it",
                                      inst.meta.name,
                                      sn.availability_zone.empty() ? std::string("no zone")
                                                                   : sn.availability_zone,
                                      lb.meta.name, fmt::format("{}", fmt::join(zones, ", "))));
            }
        }
    }
}

// AWS: hosted-zone-private-considerations — to use private hosted zones, a VPC sets both
// enableDnsHostnames and enableDnsSupport to true.
void lint_private_zones(const Topology& t, Diagnostics& d) {
    for (const HostedZone& z : t.hosted_zones) {
        for (Index v : z.vpcs) {
            const Vpc& vpc = t.vpcs[v];
            if (vpc.enable_dns_support && vpc.enable_dns_hostnames) continue;
            d.warning(z.meta.loc, "hosted zone", z.meta.name,
                      fmt::format(
                          "private zone associated with VPC '{}', whose {} is false; "
                          "expected enable_dns_support and enable_dns_hostnames true in "
                          "the VPCs of a private hosted zone",
                          vpc.meta.name,
                          vpc.enable_dns_support ? "enable_dns_hostnames" : "enable_dns_support"));
        }
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
    lint_unused_target_groups(topology, diags);
    lint_alb_security_groups(topology, diags);
    lint_target_zones(topology, diags);
    lint_private_zones(topology, diags);
}

}  // namespace vpcstack::model
