// Network ACL evaluation, compiled from a model::NetworkAcl.
//
// AWS: vpc-network-acls — rules are evaluated from the lowest number; the first rule that matches
// decides (allow or deny); the final '*' rule (32767) denies everything. An inbound rule's CIDR is
// the packet's source, an outbound rule's CIDR its destination; the port range is the destination
// port. ACLs are stateless: a reply is evaluated like any other packet.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "vpcstack/model/topology.hpp"
#include "vpcstack/policy/match.hpp"

namespace vpcstack::policy {

enum class Direction : std::uint8_t { Inbound, Outbound };

inline constexpr std::uint16_t kAclFinalRuleNumber = 32767;  // the implicit '*' deny

struct CompiledAclRule {
    Box box;
    std::uint16_t number = 0;
    model::RuleAction action = model::RuleAction::Deny;
    std::string text;  // as written
};

struct AclVerdict {
    bool allowed = false;
    std::uint16_t rule_number = kAclFinalRuleNumber;
    const CompiledAclRule* rule = nullptr;  // nullptr: the final '*' rule decided
};

class CompiledAcl {
  public:
    CompiledAcl() = default;
    explicit CompiledAcl(const model::NetworkAcl& acl);

    AclVerdict evaluate(Direction direction, const FlowKey& key) const noexcept;
    // A later fragment (offset > 0) carries no layer-4 header. The cloud does not document how
    // its ACLs treat one; vpcstack follows the common rule of stateless filters (Cisco IOS ACLs,
    // RFC 1858): a rule is matched on protocol and addresses only; an allow rule with ports or
    // ICMP type matches, a deny rule with ports or ICMP type does not (evaluation goes on).
    AclVerdict evaluate_later_fragment(Direction direction, const FlowKey& key) const noexcept;
    // Rules in evaluation order (lowest number first), for verification.
    const std::vector<CompiledAclRule>& rules(Direction direction) const noexcept {
        return direction == Direction::Inbound ? inbound_ : outbound_;
    }

  private:
    std::vector<CompiledAclRule> inbound_;
    std::vector<CompiledAclRule> outbound_;
};

}  // namespace vpcstack::policy
