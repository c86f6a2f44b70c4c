// Addressing. AWS: vpc-cidr-blocks (VPC CIDR sizes, overlap, association restrictions),
// subnet-sizing (subnet sizes, reserved addresses), using-regions-availability-zones (zones of
// a region), and the addresses every ENI, NAT gateway, Elastic IP and internet host holds: a
// private address once per VPC, a public address once.
#include <algorithm>

#include "../build/builder.hpp"
#include "vpcstack/model/cloud_rules.hpp"

namespace vpcstack::model::build {

// AWS: vpc-cidr-blocks, subnet-sizing — a VPC or subnet CIDR block is /16 to /28.
bool Builder::check_block_size(const net::Cidr& block, const SourceLocation& loc,
                               const Subject& s) {
    if (cloud::valid_block_size(block)) return true;
    const bool larger = block.length() < cloud::kLargestPrefix;
    error(loc, s,
          fmt::format("CIDR {} is {} than /{}; expected a prefix length from /{} to /{}",
                      block.to_string(), larger ? "larger" : "smaller",
                      larger ? cloud::kLargestPrefix : cloud::kSmallestPrefix,
                      cloud::kLargestPrefix, cloud::kSmallestPrefix));
    return false;
}

void Builder::check_vpc_cidrs(const RawVpc& raw) {
    const Subject s{"VPC", raw.meta.name, raw.meta.loc};
    std::vector<const Field<net::Cidr>*> all;
    if (raw.cidr.has_value()) all.push_back(&raw.cidr);
    for (const Field<net::Cidr>& c : raw.secondary_cidrs) {
        if (c.has_value()) all.push_back(&c);
    }
    for (std::size_t i = 0; i < all.size(); ++i) {
        const net::Cidr& c = **all[i];
        check_block_size(c, all[i]->loc, s);
        // AWS: vpc-cidr-blocks — the CIDR blocks of a VPC must not overlap.
        for (std::size_t j = 0; j < i; ++j) {
            if (c.overlaps(**all[j])) {
                error(all[i]->loc, s,
                      fmt::format("secondary CIDR {} overlaps {} of the same VPC; expected CIDRs "
                                  "that do not overlap",
                                  c.to_string(), (**all[j]).to_string()));
                break;
            }
        }
    }
    // AWS: vpc-cidr-blocks (association restrictions) — a secondary CIDR may not come from
    // another RFC 1918 range than the primary's.
    if (raw.cidr.has_value()) {
        const std::optional<net::Cidr> primary_range = cloud::rfc1918_range(*raw.cidr);
        for (const Field<net::Cidr>& c : raw.secondary_cidrs) {
            if (!c.has_value()) continue;
            const std::optional<net::Cidr> range = cloud::rfc1918_range(*c);
            if (!range || range == primary_range) continue;
            error(c.loc, s,
                  fmt::format("secondary CIDR {} is from the private range {}, but the primary "
                              "CIDR {} is {}; expected secondary CIDRs from the primary's "
                              "private range, or public ones",
                              c->to_string(), range->to_string(), raw.cidr->to_string(),
                              primary_range ? "from " + primary_range->to_string()
                                            : std::string("not private")));
        }
    }
    if (raw.secondary_cidrs.size() > cloud::kMaxSecondaryCidrs) {
        error(raw.secondary_cidrs_loc, s,
              fmt::format("{} secondary CIDRs; expected at most {} (the cloud's default quota)",
                          raw.secondary_cidrs.size(), cloud::kMaxSecondaryCidrs));
    }
}

void Builder::register_internet_host(const RawInternetHost& raw) {
    const Index i = static_cast<Index>(t_.internet_hosts.size());
    InternetHost host;
    host.meta = meta_of(raw.meta);
    host.listen = raw.listen;
    const Subject s{"internet host", raw.meta.name, raw.meta.loc};
    if (raw.address.has_value()) {
        host.address = *raw.address;
        if (auto v = t_.vpc_containing(*raw.address)) {
            error(
                raw.address.loc, s,
                fmt::format("address {} is inside VPC '{}' ({}); expected an address outside "
                            "every VPC",
                            raw.address->to_string(), vpc_name(*v), join_cidrs(t_.vpcs[*v].cidrs)));
        } else {
            claim_public_address(*raw.address, fmt::format("internet host '{}'", raw.meta.name),
                                 raw.address.loc, s, "address");
        }
    }
    if (raw.location) host.location = internet_host_location(raw, s);
    t_.internet_hosts.push_back(std::move(host));
    add_name(host_names_, t_.internet_hosts[i].meta, i, "internet host", "in the file");
}

// AWS: routing-policy-geo — Route 53 places a query by its source (continent, country, US
// state or other subdivision); routing-policy-latency — by the AWS Region nearest to it.
dns::ClientInfo Builder::internet_host_location(const RawInternetHost& raw, const Subject& s) {
    dns::ClientInfo where;
    if (raw.continent.has_value()) {
        if (dns::is_continent_code(*raw.continent)) {
            where.continent = *raw.continent;
        } else {
            error(raw.continent.loc, s,
                  fmt::format("continent '{}' is unknown; expected AF, AN, AS, EU, NA, OC or SA",
                              *raw.continent));
        }
    }
    if (raw.country.has_value()) {
        const std::optional<std::string> continent = dns::continent_of_country(*raw.country);
        if (!continent) {
            error(raw.country.loc, s,
                  fmt::format("country '{}' is unknown; expected an ISO 3166-1 two-letter code "
                              "such as DE or US",
                              *raw.country));
        } else if (!where.continent.empty() && where.continent != *continent) {
            error(raw.continent.loc, s,
                  fmt::format("continent '{}' does not hold country '{}'; expected {} (or no "
                              "'continent': the country's is taken)",
                              where.continent, *raw.country, *continent));
        } else {
            where.country = *raw.country;
            where.continent = *continent;
        }
    }
    if (raw.subdivision.has_value()) {
        if (!raw.country.present) {
            error(raw.subdivision.loc, s,
                  "'subdivision' without 'country'; expected it with its country ({country: "
                  "US, subdivision: WA})");
        } else {
            where.subdivision = *raw.subdivision;
        }
    }
    if (raw.region.has_value()) {
        if (dns::client_in_region(*raw.region)) {
            where.region = *raw.region;
        } else {
            error(raw.region.loc, s,
                  fmt::format("region '{}' is unknown; expected an AWS region such as "
                              "eu-central-1 (the one its latency records answer it from)",
                              *raw.region));
        }
    }
    return where;
}

void Builder::resolve_subnet(Index i) {
    Subnet& sn = t_.subnets[i];
    const RawSubnet& raw = *raw_subnets_[i];
    const Subject s{"subnet", raw.meta.name, raw.meta.loc};
    const Vpc& vpc = t_.vpcs[sn.vpc];
    if (raw.cidr.has_value()) {
        bool ok = true;
        // AWS: subnet-sizing — /16 to /28, inside one CIDR of the VPC, no overlap.
        if (!check_block_size(sn.cidr, raw.cidr.loc, s)) ok = false;
        if (vpc_cidrs_ok_[sn.vpc] &&
            std::none_of(vpc.cidrs.begin(), vpc.cidrs.end(),
                         [&](const net::Cidr& c) { return c.contains(sn.cidr); })) {
            error(raw.cidr.loc, s,
                  fmt::format("{} is outside VPC '{}' ({}); expected a subnet inside one CIDR of "
                              "its VPC",
                              sn.cidr.to_string(), vpc.meta.name, join_cidrs(vpc.cidrs)));
            ok = false;
        }
        for (Index other : vpc.subnets) {
            const Subnet& o = t_.subnets[other];
            if (other < i && raw_subnets_[other]->cidr.has_value() && o.cidr.overlaps(sn.cidr)) {
                error(raw.cidr.loc, s,
                      fmt::format("{} overlaps subnet '{}' ({}); expected subnets that do not "
                                  "overlap",
                                  sn.cidr.to_string(), o.meta.name, o.cidr.to_string()));
                ok = false;
                break;
            }
        }
        subnet_ok_[i] = ok;
    }
    // AWS: using-regions-availability-zones — a zone's name starts with its region's.
    if (raw.az.has_value() && !vpc.region.empty() && !raw.az->starts_with(vpc.region)) {
        error(raw.az.loc, s,
              fmt::format("availability zone '{}' is not in region {} of VPC '{}'; expected a "
                          "zone of {}, such as {}a",
                          *raw.az, vpc.region, vpc.meta.name, vpc.region, vpc.region));
    }
    // AWS: VPC_Route_Tables, vpc-network-acls — without an association, the main table and the
    // default ACL apply.
    sn.route_table = vpc.main_route_table;
    sn.network_acl = vpc.default_acl;
    if (raw.route_table.has_value()) {
        Index rt = resolve_in_vpc(&VpcScope::route_tables, "route table", *raw.route_table, sn.vpc,
                                  raw.route_table.loc, s, "'route_table'");
        if (rt != kNone) {
            sn.route_table = rt;
            sn.explicit_route_table = true;
        }
    }
    if (raw.network_acl.has_value()) {
        Index acl = resolve_in_vpc(&VpcScope::network_acls, "network ACL", *raw.network_acl, sn.vpc,
                                   raw.network_acl.loc, s, "'network_acl'");
        if (acl != kNone) {
            sn.network_acl = acl;
            sn.explicit_network_acl = true;
        }
    }
}

// AWS: subnet-sizing — an address of the subnet, not one of its reserved ones.
bool Builder::check_address_in_subnet(net::Ipv4Address a, Index subnet, const SourceLocation& loc,
                                      const Subject& s) {
    const Subnet& sn = t_.subnets[subnet];
    if (!sn.cidr.contains(a)) {
        error(loc, s,
              fmt::format("address {} is outside subnet '{}' ({}); expected an address of the "
                          "subnet",
                          a.to_string(), sn.meta.name, sn.cidr.to_string()));
        return false;
    }
    const char* why = cloud::reserved_address_role(sn.cidr, a);
    if (why == nullptr) return true;
    error(loc, s,
          fmt::format("address {} is reserved in subnet '{}' ({}); expected an address from {} to "
                      "{}",
                      a.to_string(), sn.meta.name, why,
                      cloud::first_usable_address(sn.cidr).to_string(),
                      cloud::last_usable_address(sn.cidr).to_string()));
    return false;
}

void Builder::claim_private_address(Index vpc, net::Ipv4Address a, const std::string& owner,
                                    const SourceLocation& loc, const Subject& s) {
    auto [it, inserted] = private_owner_[vpc].emplace(a, owner);
    if (inserted) return;
    error(loc, s,
          fmt::format("address {} is already used by {}; expected each private address once in "
                      "a VPC",
                      a.to_string(), it->second));
}

void Builder::claim_public_address(net::Ipv4Address a, const std::string& owner,
                                   const SourceLocation& loc, const Subject& s, const char* what) {
    auto [it, inserted] = public_owner_.emplace(a, owner);
    if (inserted) return;
    error(loc, s,
          fmt::format("{} {} is already the address of {}; expected each public address once", what,
                      a.to_string(), it->second));
}

std::optional<net::Ipv4Address> Builder::first_free_address(Index subnet) const {
    const Subnet& sn = t_.subnets[subnet];
    const auto& used = private_owner_[sn.vpc];
    for (std::uint32_t a = cloud::first_usable_address(sn.cidr).value();
         a <= cloud::last_usable_address(sn.cidr).value(); ++a) {
        if (!used.contains(net::Ipv4Address(a))) return net::Ipv4Address(a);
    }
    return std::nullopt;
}

// Addresses not written are the first free ones of the subnet, NAT gateways first, in file
// order, after every written address has been claimed.
void Builder::assign_missing_addresses() {
    for (Index n = 0; n < t_.nat_gateways.size(); ++n) {
        NatGateway& nat = t_.nat_gateways[n];
        if (raw_nats_[n]->private_ip.present || nat.subnet == kNone || !subnet_ok_[nat.subnet]) {
            continue;
        }
        const Subject s{"NAT gateway", nat.meta.name, nat.meta.loc};
        if (auto a = first_free_address(nat.subnet)) {
            nat.private_ip = *a;
            claim_private_address(nat.vpc, *a, fmt::format("NAT gateway '{}'", nat.meta.name),
                                  nat.meta.loc, s);
        } else {
            error(nat.meta.loc, s,
                  fmt::format("subnet '{}' has no free address left; expected a larger subnet",
                              t_.subnets[nat.subnet].meta.name));
        }
    }
    // ENIs that already run keep their addresses before new ones take the free ones.
    for (Eni& eni : t_.enis) {
        const PinnedEni* pin = pinned(eni.meta.name);
        if (pin == nullptr || !eni.private_ips.empty() || eni.subnet == kNone ||
            !subnet_ok_[eni.subnet]) {
            continue;
        }
        const Subject s{"ENI", eni.meta.name, eni.meta.loc};
        for (net::Ipv4Address a : pin->private_ips) {
            eni.private_ips.push_back(a);
            claim_private_address(eni.vpc, a, fmt::format("ENI '{}'", eni.meta.name), eni.meta.loc,
                                  s);
        }
    }
    for (Eni& eni : t_.enis) {
        if (!eni.private_ips.empty() || eni.subnet == kNone || !subnet_ok_[eni.subnet]) continue;
        const Subject s{"ENI", eni.meta.name, eni.meta.loc};
        if (auto a = first_free_address(eni.subnet)) {
            eni.private_ips.push_back(*a);
            claim_private_address(eni.vpc, *a, fmt::format("ENI '{}'", eni.meta.name), eni.meta.loc,
                                  s);
        } else {
            error(eni.meta.loc, s,
                  fmt::format("subnet '{}' has no free address left; expected a larger subnet",
                              t_.subnets[eni.subnet].meta.name));
        }
    }
}

}  // namespace vpcstack::model::build
