// Security group rules. AWS: security-group-rules (a rule's peer is a CIDR, a group or a prefix
// list; a group without egress rules allows all outbound), vpc-peering-security-groups (a rule
// may name a group of an actively peered VPC in the same region).
#include <algorithm>

#include "../build/builder.hpp"

namespace vpcstack::model::build {

bool Builder::actively_peered(Index a, Index b) const {
    return std::any_of(t_.peerings.begin(), t_.peerings.end(), [&](const Peering& p) {
        return p.status == PeeringStatus::Active &&
               ((p.requester == a && p.accepter == b) || (p.requester == b && p.accepter == a));
    });
}

void Builder::resolve_security_group(Index i) {
    const RawSecurityGroup* raw = raw_groups_[i];
    if (raw == nullptr) return;
    SecurityGroup& g = t_.security_groups[i];
    const Subject s{"security group", raw->meta.name, raw->meta.loc};
    for (const RawSgRule& r : raw->ingress) {
        if (auto rule = build_sg_rule(r, g.vpc, s, "ingress")) g.ingress.push_back(*rule);
    }
    if (!raw->egress) {
        // AWS: security-group-rules — a new group allows all outbound traffic.
        g.egress.push_back(allow_all_outbound(raw_.file));
        return;
    }
    for (const RawSgRule& r : *raw->egress) {
        if (auto rule = build_sg_rule(r, g.vpc, s, "egress")) g.egress.push_back(*rule);
    }
}

std::optional<SgRule> Builder::build_sg_rule(const RawSgRule& raw, Index vpc, const Subject& s,
                                             const char* direction) {
    SgRule rule;
    rule.protocol = raw.protocol;
    rule.ports = raw.ports;
    rule.icmp = raw.icmp;
    rule.peer_kind = raw.peer_kind;
    rule.cidr = raw.cidr;
    rule.description = raw.description;
    rule.text = raw.text;
    rule.loc = raw.loc;
    const std::string where = fmt::format("{} rule '{}'", direction, raw.text);
    if (raw.peer_kind == PeerKind::PrefixList) {
        rule.prefix_list =
            resolve_global(prefix_list_names_, "prefix list", raw.reference, raw.loc, s, where);
        if (rule.prefix_list == kNone) return std::nullopt;
    } else if (raw.peer_kind == PeerKind::SecurityGroup) {
        auto ref = resolve_scoped(&VpcScope::security_groups, "security group", raw.reference, vpc,
                                  raw.loc, s, where);
        if (!ref) return std::nullopt;
        // AWS: security-group-rules, vpc-peering-security-groups — a rule may name a group of
        // its own VPC or of a VPC peered with it (active peering, same region).
        if (ref->vpc != vpc) {
            const Vpc& mine = t_.vpcs[vpc];
            const Vpc& theirs = t_.vpcs[ref->vpc];
            if (!actively_peered(vpc, ref->vpc)) {
                error(raw.loc, s,
                      fmt::format("{} names security group '{}' of VPC '{}', which has no active "
                                  "peering with VPC '{}'; expected a group of this VPC or of an "
                                  "actively peered VPC",
                                  where, raw.reference, theirs.meta.name, mine.meta.name));
                return std::nullopt;
            }
            if (theirs.region != mine.region) {
                error(raw.loc, s,
                      fmt::format("{} names security group '{}' of VPC '{}' in region {}; "
                                  "expected a peered VPC in the same region ({})",
                                  where, raw.reference, theirs.meta.name, theirs.region,
                                  mine.region));
                return std::nullopt;
            }
        }
        rule.group = ref->index;
    }
    return rule;
}

}  // namespace vpcstack::model::build
