#include "vpcstack/policy/security_group.hpp"

#include <utility>

#include <fmt/format.h>

namespace vpcstack::policy {

GroupMembership::GroupMembership(const model::Topology& topology) {
    // AWS: security-group-rules — a group reference stands for the private IPs of its members.
    for (const model::Eni& eni : topology.enis) {
        for (model::Index g : eni.security_groups) {
            auto& list = members_[g];
            for (net::Ipv4Address ip : eni.private_ips) list.emplace_back(ip, 32);
        }
    }
    // A Network Load Balancer's nodes are network interfaces of its security groups (an ALB's
    // are ENIs of the topology, counted above).
    for (const model::LoadBalancer& lb : topology.load_balancers) {
        if (lb.type == model::LoadBalancerType::Application) continue;
        for (model::Index g : lb.security_groups) {
            auto& list = members_[g];
            for (const model::LoadBalancerNode& node : lb.nodes) {
                list.emplace_back(node.private_ip, 32);
            }
        }
    }
}

std::span<const net::Cidr> GroupMembership::members(model::Index group) const noexcept {
    auto it = members_.find(group);
    if (it == members_.end()) return {};
    return it->second;
}

std::vector<Box> CompiledSgRule::boxes(Direction direction) const {
    std::vector<Box> out;
    for (const net::Cidr& peer : peers) {
        Box b = l4;
        if (direction == Direction::Inbound) {
            b.src = to_range(peer);
        } else {
            b.dst = to_range(peer);
        }
        out.push_back(b);
    }
    return out;
}

namespace {

CompiledSgRule compile_rule(const model::Topology& topology, const model::SgRule& rule,
                            const GroupMembership& membership, bool ingress) {
    CompiledSgRule c;
    c.l4 = l4_box(rule.protocol, rule.ports, rule.icmp);
    std::string peer_text;
    switch (rule.peer_kind) {
        case model::PeerKind::Cidr:
            c.peers.push_back(rule.cidr);
            peer_text = rule.cidr.to_string();
            break;
        case model::PeerKind::SecurityGroup: {
            auto m = membership.members(rule.group);
            c.peers.assign(m.begin(), m.end());
            c.peer_group = rule.group;
            if (rule.group < topology.security_groups.size()) {
                const auto& g = topology.security_groups[rule.group];
                peer_text = "sg:" + topology.qualified_name(g.meta, g.vpc);
            }
            break;
        }
        case model::PeerKind::PrefixList:
            if (rule.prefix_list < topology.prefix_lists.size()) {
                const auto& pl = topology.prefix_lists[rule.prefix_list];
                c.peers = pl.cidrs;
                peer_text = "pl:" + pl.meta.name;
            }
            break;
    }
    for (const net::Cidr& p : c.peers) {
        if (p.length() == 0) c.peer_is_anywhere = true;
    }
    c.text = rule.text;
    if (c.text.empty()) {
        std::string l4 = rule.protocol.to_string();
        if (rule.protocol.has_ports() && !rule.ports.is_all()) l4 += "/" + rule.ports.to_string();
        if (rule.protocol.number() == net::Protocol::kIcmp && !rule.protocol.is_all() &&
            !rule.icmp.is_any()) {
            l4 += "/" + rule.icmp.to_string();
        }
        c.text = fmt::format("{} {} {}", l4, ingress ? "from" : "to", peer_text);
    }
    return c;
}

bool sent_by_member(const Sender& sender, model::Index group) noexcept {
    if (!sender.source_is_own) return false;
    for (const CompiledGroup* g : sender.groups) {
        if (g->index == group) return true;
    }
    return false;
}

bool allows(const CompiledSgRule& rule, Direction direction, const FlowKey& key,
            const Sender* sender) noexcept {
    if (!rule.l4.contains(key)) return false;
    if (direction == Direction::Inbound && sender != nullptr && rule.peer_group != model::kNone &&
        !sent_by_member(*sender, rule.peer_group)) {
        return false;
    }
    net::Ipv4Address peer = direction == Direction::Inbound ? key.src : key.dst;
    for (const net::Cidr& c : rule.peers) {
        if (c.contains(peer)) return true;
    }
    return false;
}

}  // namespace

CompiledGroup compile_group(const model::Topology& topology, model::Index group,
                            const std::vector<model::SgRule>& ingress,
                            const std::vector<model::SgRule>& egress,
                            const GroupMembership& membership) {
    CompiledGroup g;
    g.index = group;
    if (group < topology.security_groups.size()) {
        const auto& sg = topology.security_groups[group];
        g.name = topology.qualified_name(sg.meta, sg.vpc);
    }
    for (const auto& r : ingress) g.ingress.push_back(compile_rule(topology, r, membership, true));
    for (const auto& r : egress) g.egress.push_back(compile_rule(topology, r, membership, false));
    return g;
}

SgVerdict evaluate(std::span<const CompiledGroup* const> groups, Direction direction,
                   const FlowKey& key, const Sender* sender) noexcept {
    // AWS: security-group-rules — the union of all groups' rules; any allowing rule allows.
    for (const CompiledGroup* g : groups) {
        for (const CompiledSgRule& rule : g->rules(direction)) {
            if (allows(rule, direction, key, sender)) return {true, g, &rule};
        }
    }
    return {};
}

bool is_untracked(std::span<const CompiledGroup* const> groups, Direction direction,
                  const FlowKey& key) noexcept {
    if (key.protocol != net::Protocol::kTcp && key.protocol != net::Protocol::kUdp) return false;
    bool opened_from_anywhere = false;
    for (const CompiledGroup* g : groups) {
        for (const CompiledSgRule& rule : g->rules(direction)) {
            if (rule.peer_is_anywhere && rule.l4.contains(key)) opened_from_anywhere = true;
        }
    }
    if (!opened_from_anywhere) return false;
    Direction back = direction == Direction::Inbound ? Direction::Outbound : Direction::Inbound;
    for (const CompiledGroup* g : groups) {
        for (const CompiledSgRule& rule : g->rules(back)) {
            if (!rule.peer_is_anywhere) continue;
            bool all_protocols = rule.l4.protocol == ByteRange{0, 255};
            bool same_protocol_all_ports = rule.l4.protocol.contains(key.protocol) &&
                                           rule.l4.dst_port == PortInterval{0, 65535};
            if (all_protocols || same_protocol_all_ports) return true;
        }
    }
    return false;
}

bool is_untracked_flow(std::span<const CompiledGroup* const> groups, Direction direction,
                       const FlowKey& key) noexcept {
    if (is_untracked(groups, direction, key)) return true;
    FlowKey reply = key;
    std::swap(reply.src, reply.dst);
    std::swap(reply.src_port, reply.dst_port);
    Direction back = direction == Direction::Inbound ? Direction::Outbound : Direction::Inbound;
    return is_untracked(groups, back, reply);
}

}  // namespace vpcstack::policy
