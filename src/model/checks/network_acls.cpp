// Network ACL rules. AWS: vpc-network-acls — numbers 1 to 32766, unique per direction,
// evaluated lowest first; 32767 is the implicit final deny.
#include <algorithm>

#include "../build/builder.hpp"
#include "vpcstack/model/cloud_rules.hpp"

namespace vpcstack::model::build {

void Builder::resolve_network_acl(Index i) {
    const RawAcl* raw = raw_acls_[i];
    if (raw == nullptr) return;
    NetworkAcl& acl = t_.network_acls[i];
    const Subject s{"network ACL", raw->meta.name, raw->meta.loc};
    acl.inbound = build_acl_rules(raw->inbound, true, s);
    acl.outbound = build_acl_rules(raw->outbound, false, s);
}

// AWS: vpc-network-acls — numbers 1-32766, unique per direction, evaluated lowest first.
std::vector<AclRule> Builder::build_acl_rules(const std::vector<RawAclRule>& raw, bool inbound,
                                              const Subject& s) {
    const char* direction = inbound ? "inbound" : "outbound";
    std::vector<AclRule> rules;
    std::map<long, SourceLocation> seen;
    for (const RawAclRule& r : raw) {
        if (!cloud::valid_acl_rule_number(r.number)) {
            error(r.loc, s,
                  fmt::format("{} rule '{}' has number {}; expected a number from 1 to {} (32767 "
                              "is the implicit final deny)",
                              direction, r.text, r.number, cloud::kMaxAclRuleNumber));
            continue;
        }
        if (auto [it, inserted] = seen.emplace(r.number, r.loc); !inserted) {
            error(r.loc, s,
                  fmt::format("{} rule '{}' repeats rule number {} ({}); expected each number "
                              "once per direction",
                              direction, r.text, r.number, where_text(it->second)));
            continue;
        }
        rules.push_back({static_cast<std::uint16_t>(r.number), r.action, r.protocol, r.ports,
                         r.icmp, r.cidr, r.text, r.loc});
    }
    std::stable_sort(rules.begin(), rules.end(),
                     [](const AclRule& a, const AclRule& b) { return a.number < b.number; });
    return rules;
}

}  // namespace vpcstack::model::build
