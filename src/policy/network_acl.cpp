#include "vpcstack/policy/network_acl.hpp"

#include <algorithm>

#include <fmt/format.h>

namespace vpcstack::policy {

namespace {

CompiledAclRule compile_rule(const model::AclRule& rule, Direction direction) {
    CompiledAclRule c;
    c.box = l4_box(rule.protocol, rule.ports, rule.icmp);
    // AWS: vpc-network-acls — inbound rules name the source, outbound rules the destination.
    if (direction == Direction::Inbound) {
        c.box.src = to_range(rule.cidr);
    } else {
        c.box.dst = to_range(rule.cidr);
    }
    c.number = rule.number;
    c.action = rule.action;
    c.text = rule.text;
    if (c.text.empty()) {
        c.text = fmt::format(
            "{} {} {}{} {} {}", rule.number,
            rule.action == model::RuleAction::Allow ? "allow" : "deny", rule.protocol.to_string(),
            rule.protocol.has_ports() && !rule.ports.is_all() ? "/" + rule.ports.to_string()
                                                              : std::string(),
            direction == Direction::Inbound ? "from" : "to", rule.cidr.to_string());
    }
    return c;
}

std::vector<CompiledAclRule> compile_rules(const std::vector<model::AclRule>& rules,
                                           Direction direction) {
    std::vector<CompiledAclRule> out;
    out.reserve(rules.size());
    for (const auto& r : rules) out.push_back(compile_rule(r, direction));
    // AWS: vpc-network-acls — lowest rule number first.
    std::stable_sort(out.begin(), out.end(),
                     [](const auto& a, const auto& b) { return a.number < b.number; });
    return out;
}

}  // namespace

CompiledAcl::CompiledAcl(const model::NetworkAcl& acl)
    : inbound_(compile_rules(acl.inbound, Direction::Inbound)),
      outbound_(compile_rules(acl.outbound, Direction::Outbound)) {}

AclVerdict CompiledAcl::evaluate(Direction direction, const FlowKey& key) const noexcept {
    // AWS: vpc-network-acls — the first matching rule decides; the final '*' rule denies.
    for (const CompiledAclRule& rule : rules(direction)) {
        if (rule.box.contains(key)) {
            return {rule.action == model::RuleAction::Allow, rule.number, &rule};
        }
    }
    return {};
}

AclVerdict CompiledAcl::evaluate_later_fragment(Direction direction,
                                                const FlowKey& key) const noexcept {
    const Box all = Box::all();
    for (const CompiledAclRule& rule : rules(direction)) {
        const Box& b = rule.box;
        if (!b.protocol.contains(key.protocol) || !b.src.contains(key.src.value()) ||
            !b.dst.contains(key.dst.value())) {
            continue;
        }
        const bool layer4 = b.src_port != all.src_port || b.dst_port != all.dst_port ||
                            b.icmp_type != all.icmp_type || b.icmp_code != all.icmp_code;
        const bool allow = rule.action == model::RuleAction::Allow;
        if (layer4 && !allow) continue;
        return {allow, rule.number, &rule};
    }
    return {};
}

}  // namespace vpcstack::policy
