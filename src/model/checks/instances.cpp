// Instances and their network interfaces. AWS: using-eni (the interfaces of an instance share
// its availability zone; 1 to 5 security groups, the default group when none),
// using-instance-addressing (a public IP only on the primary interface),
// using-instance-addressing-eips (an Elastic IP on any private address, one per address).
#include <algorithm>

#include "../build/builder.hpp"
#include "vpcstack/model/cloud_rules.hpp"

namespace vpcstack::model::build {

void Builder::resolve_instance(Index i) {
    const Instance& inst = t_.instances[i];
    const RawInstance& raw = *raw_instances_[i];
    for (std::size_t k = 0; k < inst.enis.size(); ++k) {
        resolve_eni(inst.enis[k], raw.enis[k], instance_vpc_[i]);
    }
    // AWS: using-eni — every network interface of an instance is in the instance's AZ.
    const Eni* first_with_az = nullptr;
    for (Index e : inst.enis) {
        const Eni& eni = t_.enis[e];
        if (eni.subnet == kNone) continue;
        const std::string& az = t_.subnets[eni.subnet].availability_zone;
        if (az.empty()) continue;
        if (first_with_az == nullptr) {
            first_with_az = &eni;
            continue;
        }
        const std::string& first_az = t_.subnets[first_with_az->subnet].availability_zone;
        if (az != first_az) {
            error(eni.meta.loc, {"instance", raw.meta.name, raw.meta.loc},
                  fmt::format("ENI '{}' is in subnet '{}' ({}) but ENI '{}' is in {}; expected "
                              "all network interfaces of an instance in one availability zone",
                              eni.meta.name, t_.subnets[eni.subnet].meta.name, az,
                              first_with_az->meta.name, first_az));
        }
    }
}

void Builder::resolve_eni(Index e, const RawEni& raw, Index vpc) {
    Eni& eni = t_.enis[e];
    const Subject s{"ENI", eni.meta.name, eni.meta.loc};
    if (raw.subnet.has_value()) {
        eni.subnet = resolve_in_vpc(&VpcScope::subnets, "subnet", *raw.subnet, vpc, raw.subnet.loc,
                                    s, "'subnet'");
    }
    const std::string owner = fmt::format("ENI '{}' ({})", eni.meta.name, where_text(eni.meta.loc));
    for (const Field<net::Ipv4Address>& ip : raw.private_ips) {
        if (!ip.has_value()) continue;
        eni.private_ips.push_back(*ip);
        if (eni.subnet != kNone && subnet_ok_[eni.subnet] &&
            check_address_in_subnet(*ip, eni.subnet, ip.loc, s)) {
            claim_private_address(vpc, *ip, owner, ip.loc, s);
        }
    }
    if (raw.public_ip.present && raw.elastic_ip.present) {
        error(raw.elastic_ip.loc, s,
              "both 'public_ip' and 'elastic_ip' are given; expected at most one of them");
    }
    // AWS: using-instance-addressing — a public IP is assigned at launch to eth0 only.
    if (raw.public_ip.has_value() && eni.device_index != 0) {
        error(raw.public_ip.loc, s,
              fmt::format("'public_ip' on network interface eth{}; expected a public IP only on "
                          "the primary interface (eth0), or an Elastic IP",
                          eni.device_index));
    }
    if (raw.public_ip.has_value()) {
        eni.public_ip = *raw.public_ip;
        if (auto v = t_.vpc_containing(*raw.public_ip)) {
            error(raw.public_ip.loc, s,
                  fmt::format("public IP {} is inside VPC '{}' ({}); expected a public address "
                              "outside every VPC",
                              raw.public_ip->to_string(), vpc_name(*v),
                              join_cidrs(t_.vpcs[*v].cidrs)));
        } else {
            claim_public_address(*raw.public_ip, owner, raw.public_ip.loc, s, "public IP");
        }
    }
    if (raw.elastic_ip.has_value()) {
        eni.elastic_ip = resolve_global(eip_names_, "Elastic IP", *raw.elastic_ip,
                                        raw.elastic_ip.loc, s, "'elastic_ip'");
        if (eni.elastic_ip != kNone) {
            associate_elastic_ip(eni.elastic_ip, owner, raw.elastic_ip.loc, s);
            t_.elastic_ips[eni.elastic_ip].target_kind = EipTargetKind::Eni;
            t_.elastic_ips[eni.elastic_ip].target = e;
        }
    }
    // AWS: EC2 using-instance-addressing-eips — an Elastic IP may be associated with any
    // private address of an interface, one per address; the primary's is 'elastic_ip'.
    for (const RawSecondaryElasticIp& se : raw.secondary_elastic_ips) {
        if (!se.private_ip.has_value() || !se.elastic_ip.has_value()) continue;
        const net::Ipv4Address a = *se.private_ip;
        const auto at = std::find(eni.private_ips.begin(), eni.private_ips.end(), a);
        if (at == eni.private_ips.end()) {
            error(se.private_ip.loc, s,
                  fmt::format("'secondary_elastic_ips' names {}, which is not an address of the "
                              "interface; expected one of its secondary 'private_ips'",
                              a.to_string()));
            continue;
        }
        if (at == eni.private_ips.begin()) {
            error(se.private_ip.loc, s,
                  fmt::format("'secondary_elastic_ips' names {}, the primary address; expected "
                              "a secondary address ('elastic_ip' is the primary address's)",
                              a.to_string()));
            continue;
        }
        const bool repeated =
            std::any_of(eni.secondary_elastic_ips.begin(), eni.secondary_elastic_ips.end(),
                        [&](const SecondaryElasticIp& x) { return x.private_ip == a; });
        if (repeated) {
            error(se.private_ip.loc, s,
                  fmt::format("'secondary_elastic_ips' names {} twice; expected one Elastic IP "
                              "per private address",
                              a.to_string()));
            continue;
        }
        const Index eip = resolve_global(eip_names_, "Elastic IP", *se.elastic_ip,
                                         se.elastic_ip.loc, s, "'secondary_elastic_ips'");
        if (eip == kNone) continue;
        associate_elastic_ip(eip, owner, se.elastic_ip.loc, s);
        t_.elastic_ips[eip].target_kind = EipTargetKind::Eni;
        t_.elastic_ips[eip].target = e;
        eni.secondary_elastic_ips.push_back({a, eip, se.loc});
    }
    for (const Field<std::string>& g : raw.security_groups) {
        Index group = resolve_in_vpc(&VpcScope::security_groups, "security group", *g, vpc, g.loc,
                                     s, "'security_groups'");
        if (group == kNone) continue;
        if (std::find(eni.security_groups.begin(), eni.security_groups.end(), group) ==
            eni.security_groups.end()) {
            eni.security_groups.push_back(group);
        }
    }
    // AWS: using-eni, amazon-vpc-limits — 1 to 5 groups; the VPC's default group when none.
    if (raw.security_groups.size() > cloud::kMaxSecurityGroupsPerEni) {
        error(raw.security_groups_loc, s,
              fmt::format("{} security groups; expected 1 to {} per network interface",
                          raw.security_groups.size(), cloud::kMaxSecurityGroupsPerEni));
    }
    if (raw.security_groups.empty()) {
        eni.security_groups.push_back(t_.vpcs[vpc].default_security_group);
    }
    eni.source_dest_check = raw.source_dest_check.value.value_or(true);
    auto seconds = [](const Field<long>& f) -> std::optional<std::uint32_t> {
        if (!f.has_value()) return std::nullopt;
        return static_cast<std::uint32_t>(*f);
    };
    eni.connection_tracking = {seconds(raw.tcp_established_timeout),
                               seconds(raw.udp_stream_timeout), seconds(raw.udp_timeout)};
}

}  // namespace vpcstack::model::build
