// Security group evaluation, compiled from model::SecurityGroup rules.
//
// AWS: security-group-rules — allow rules only; the rules of all groups on an ENI are combined
// and traffic is allowed if any rule allows it. An inbound rule names the source, an outbound
// rule the destination: a CIDR, a prefix list, or another security group. A group reference
// matches the PRIVATE addresses of the ENIs that carry that group (same or peered VPC), never
// public addresses.
//
// Nuance: the cloud also refuses a group reference for traffic forwarded through a middlebox
// instance. Here a reference is matched by address only, so a forwarded packet whose source is
// still a member's private address matches; topologies that depend on the difference should name
// CIDRs, as the cloud documentation advises.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <unordered_map>
#include <vector>

#include "vpcstack/model/topology.hpp"
#include "vpcstack/policy/match.hpp"
#include "vpcstack/policy/network_acl.hpp"

namespace vpcstack::policy {

// The private addresses (as /32 CIDRs) of the ENIs carrying each security group.
class GroupMembership {
  public:
    GroupMembership() = default;
    explicit GroupMembership(const model::Topology& topology);
    std::span<const net::Cidr> members(model::Index group) const noexcept;

  private:
    std::unordered_map<model::Index, std::vector<net::Cidr>> members_;
};

struct CompiledSgRule {
    Box l4;                         // protocol, ports, ICMP; addresses full
    std::vector<net::Cidr> peers;   // the source (ingress) or destination (egress) addresses
    bool peer_is_anywhere = false;  // one of the peers is 0.0.0.0/0
    model::Index peer_group = model::kNone;  // the group a reference names (peers: its members)
    std::string text;                        // as written

    // The packets this rule allows, as boxes (one per peer CIDR), for verification.
    std::vector<Box> boxes(Direction direction) const;
};

struct CompiledGroup {
    model::Index index = model::kNone;
    std::string name;  // qualified user name, e.g. "web-sg" or "prod/web-sg"
    std::vector<CompiledSgRule> ingress;
    std::vector<CompiledSgRule> egress;
    const std::vector<CompiledSgRule>& rules(Direction d) const noexcept {
        return d == Direction::Inbound ? ingress : egress;
    }
};

CompiledGroup compile_group(const model::Topology& topology, model::Index group,
                            const std::vector<model::SgRule>& ingress,
                            const std::vector<model::SgRule>& egress,
                            const GroupMembership& membership);

struct SgVerdict {
    bool allowed = false;
    const CompiledGroup* group = nullptr;  // the group whose rule allowed
    const CompiledSgRule* rule = nullptr;
};

// Inbound: is the packet (remote -> ENI) allowed by an ingress rule? Outbound: is the packet
// (ENI -> remote) allowed by an egress rule?
// Who sent an inbound packet on its last hop, when the engine knows: the ENI it entered the VPC
// router from (its groups, and whether the source address is that ENI's own). AWS:
// security-group-rules — a rule that references a group matches traffic sent by the ENIs that
// carry the group, not traffic a middlebox forwarded from a member's address.
struct Sender {
    std::span<const CompiledGroup* const>
        groups;  // empty: not an ENI (the internet, a NAT gateway)
    bool source_is_own = false;
};

// `sender` null: group references match by address alone (what a member could send).
SgVerdict evaluate(std::span<const CompiledGroup* const> groups, Direction direction,
                   const FlowKey& key, const Sender* sender = nullptr) noexcept;

// AWS: security-group-connection-tracking — a TCP or UDP flow is untracked when a rule in the
// direction it was opened allows it from/to 0.0.0.0/0 and a rule in the other direction allows
// all response traffic (0.0.0.0/0, all ports of that protocol). ICMP and other protocols are
// always tracked. `key` is the first packet of the flow, seen in `direction`.
bool is_untracked(std::span<const CompiledGroup* const> groups, Direction direction,
                  const FlowKey& key) noexcept;

// For a packet seen in `direction` without a tracked connection: is it part of an untracked
// flow, either opened by it or one whose opening packet went the other way (this packet being a
// reply)? Replies of untracked flows must not create tracking state of their own, or a rule
// change could not cut the flow.
bool is_untracked_flow(std::span<const CompiledGroup* const> groups, Direction direction,
                       const FlowKey& key) noexcept;

}  // namespace vpcstack::policy
