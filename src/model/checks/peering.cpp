// VPC peering. AWS: vpc-peering-basics — two different VPCs, no overlapping CIDR (secondary
// ones included), one peering per pair of VPCs; only an active peering carries traffic.
#include "../build/builder.hpp"
#include "vpcstack/model/cloud_rules.hpp"

namespace vpcstack::model::build {

void Builder::register_peering(const RawPeering& raw) {
    const Index i = static_cast<Index>(t_.peerings.size());
    const Subject s{"peering", raw.meta.name, raw.meta.loc};
    Peering p;
    p.meta = meta_of(raw.meta);
    if (raw.status.has_value()) p.status = *raw.status;
    if (raw.requester.has_value()) {
        p.requester =
            resolve_global(vpc_names_, "VPC", *raw.requester, raw.requester.loc, s, "'requester'");
    }
    if (raw.accepter.has_value()) {
        p.accepter =
            resolve_global(vpc_names_, "VPC", *raw.accepter, raw.accepter.loc, s, "'accepter'");
    }
    if (p.requester != kNone && p.accepter != kNone) {
        const Vpc& a = t_.vpcs[p.requester];
        const Vpc& b = t_.vpcs[p.accepter];
        if (p.requester == p.accepter) {
            error(raw.accepter.loc, s,
                  fmt::format("peers VPC '{}' with itself; expected two different VPCs",
                              a.meta.name));
        } else if (cloud::peering_in_force(p.status)) {
            // AWS: vpc-peering-basics — peered VPCs have no overlapping CIDR, secondary included;
            // one peering per pair of VPCs.
            if (auto overlap = cloud::first_overlap(a.cidrs, b.cidrs)) {
                error(raw.meta.loc, s,
                      fmt::format("VPC '{}' ({}) and VPC '{}' ({}) have overlapping CIDRs; "
                                  "expected peered VPCs whose CIDRs do not overlap",
                                  a.meta.name, overlap->first.to_string(), b.meta.name,
                                  overlap->second.to_string()));
            }
            for (const Peering& other : t_.peerings) {
                bool same = (other.requester == p.requester && other.accepter == p.accepter) ||
                            (other.requester == p.accepter && other.accepter == p.requester);
                if (same && cloud::peering_in_force(other.status)) {
                    error(raw.meta.loc, s,
                          fmt::format("VPCs '{}' and '{}' are already peered by '{}' ({}); "
                                      "expected one peering per pair of VPCs",
                                      a.meta.name, b.meta.name, other.meta.name,
                                      where_text(other.meta.loc)));
                    break;
                }
            }
        }
    }
    t_.peerings.push_back(p);
    add_name(peering_names_, t_.peerings[i].meta, i, "peering", "in the file");
}

}  // namespace vpcstack::model::build
