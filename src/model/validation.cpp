#include "vpcstack/model/validation.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <utility>

namespace vpcstack::model {

// Locally administered, 02:01:XX:XX:XX:XX, clear of the engine's own 02:00:00:00:00:XX
// (the router and the internet side).
net::MacAddress eni_mac(Index index) {
    const std::uint32_t n = index + 1;
    return net::MacAddress({0x02, 0x01, 0x00, static_cast<std::uint8_t>(n >> 16),
                            static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)});
}

namespace {

// AWS: vpc-cidr-blocks, subnet-sizing — VPC and subnet CIDRs are /16 to /28.
constexpr int kLargestPrefix = 16;
constexpr int kSmallestPrefix = 28;
// AWS: amazon-vpc-limits — 5 IPv4 CIDR blocks per VPC besides the primary (default quota).
constexpr std::size_t kMaxSecondaryCidrs = 5;
// AWS: amazon-vpc-limits — 5 security groups per network interface (default quota).
constexpr std::size_t kMaxGroupsPerEni = 5;
// AWS: vpc-network-acls — rule numbers 1 to 32766; 32767 is the final '*' deny.
constexpr long kMaxAclRuleNumber = 32766;

struct NameTable {
    struct Entry {
        Index index;
        SourceLocation loc;
    };
    std::map<std::string, Entry> entries;
    std::vector<std::string> names() const {
        std::vector<std::string> out;
        for (const auto& [name, e] : entries) out.push_back(name);
        return out;
    }
    Index find(const std::string& name) const {
        auto it = entries.find(name);
        return it == entries.end() ? kNone : it->second.index;
    }
};

struct VpcScope {
    NameTable subnets;
    NameTable route_tables;
    NameTable network_acls;
    NameTable security_groups;
    NameTable nat_gateways;
};

std::string article(std::string_view noun) {
    return std::string(
        std::string_view("aeiouAEIOU").find(noun.front()) != std::string_view::npos ? "an" : "a");
}

std::string where_text(const SourceLocation& loc) {
    return loc.line > 0 ? fmt::format("line {}", loc.line) : std::string("implicit");
}

std::string join_cidrs(const std::vector<net::Cidr>& cidrs) {
    std::vector<std::string> parts;
    for (const net::Cidr& c : cidrs) parts.push_back(c.to_string());
    return fmt::format("{}", fmt::join(parts, ", "));
}

// The RFC 1918 range a CIDR lies in, if any.
std::optional<net::Cidr> rfc1918_range(const net::Cidr& c) {
    for (net::Cidr range : {net::Cidr(net::Ipv4Address(10, 0, 0, 0), 8),
                            net::Cidr(net::Ipv4Address(172, 16, 0, 0), 12),
                            net::Cidr(net::Ipv4Address(192, 168, 0, 0), 16)}) {
        if (range.contains(c)) return range;
    }
    return std::nullopt;
}

// What the diagnostics of one resource carry.
struct Subject {
    std::string kind;
    std::string name;
    SourceLocation loc;
};

class Builder {
  public:
    Builder(const RawTopology& raw, Diagnostics& diags) : raw_(raw), d_(diags) {}
    std::optional<Topology> build();

  private:
    void error(const SourceLocation& loc, const Subject& s, std::string message) {
        d_.error(loc, s.kind, s.name, std::move(message));
    }
    Meta meta_of(const RawMeta& raw) const { return {raw.name, raw.id, raw.loc, false}; }
    Meta implicit_meta(const std::string& name) const {
        return {name, "", SourceLocation{raw_.file, 0, 0}, true};
    }
    const std::string& vpc_name(Index v) const { return t_.vpcs[v].meta.name; }

    bool add_name(NameTable& table, const Meta& meta, Index index, const char* noun,
                  const std::string& scope);
    Index resolve_global(const NameTable& table, const char* noun, const std::string& ref,
                         const SourceLocation& loc, const Subject& s, const std::string& where);
    struct ScopedRef {
        Index index = kNone;
        Index vpc = kNone;
    };
    std::optional<ScopedRef> resolve_scoped(NameTable VpcScope::*table, const char* noun,
                                            const std::string& ref, Index vpc,
                                            const SourceLocation& loc, const Subject& s,
                                            const std::string& where);
    Index resolve_in_vpc(NameTable VpcScope::*table, const char* noun, const std::string& ref,
                         Index vpc, const SourceLocation& loc, const Subject& s,
                         const std::string& where);

    // Registration: every named resource gets its index before any reference is resolved.
    void register_vpc(const RawVpc& raw);
    void check_vpc_cidrs(const RawVpc& raw);
    void register_elastic_ip(const RawElasticIp& raw);
    void register_prefix_list(const RawPrefixList& raw);
    void register_internet_host(const RawInternetHost& raw);
    void register_peering(const RawPeering& raw);
    void register_vpc_resources(Index v, const RawVpc& raw);
    void register_route_tables(Index v, const RawVpc& raw);
    void register_network_acls(Index v, const RawVpc& raw);
    void register_security_groups(Index v, const RawVpc& raw);
    void register_instances(Index v, const RawVpc& raw);

    // Resolution and checks, per resource kind.
    void resolve_subnet(Index s);
    void resolve_nat_gateway(Index n);
    void resolve_instance(Index i);
    void resolve_eni(Index e, const RawEni& raw, Index vpc);
    void resolve_route_table(Index rt);
    std::optional<RouteTarget> resolve_route_target(const RawRoute& r, Index vpc, const Subject& s);
    void check_route(const Route& route, const std::string& text, Index vpc,
                     const std::vector<Route>& earlier, const Subject& s);
    void resolve_network_acl(Index a);
    std::vector<AclRule> build_acl_rules(const std::vector<RawAclRule>& raw, bool inbound,
                                         const Subject& s);
    void resolve_security_group(Index g);
    std::optional<SgRule> build_sg_rule(const RawSgRule& raw, Index vpc, const Subject& s,
                                        const char* direction);
    bool actively_peered(Index a, Index b) const;

    // Addresses.
    bool check_address_in_subnet(net::Ipv4Address a, Index subnet, const SourceLocation& loc,
                                 const Subject& s);
    void claim_private_address(Index vpc, net::Ipv4Address a, const std::string& owner,
                               const SourceLocation& loc, const Subject& s);
    void claim_public_address(net::Ipv4Address a, const std::string& owner,
                              const SourceLocation& loc, const Subject& s, const char* what);
    void associate_elastic_ip(Index eip, const std::string& owner, const SourceLocation& loc,
                              const Subject& s);
    std::optional<net::Ipv4Address> first_free_address(Index subnet) const;
    void assign_missing_addresses();
    void link_back_references();

    const RawTopology& raw_;
    Diagnostics& d_;
    Topology t_;

    NameTable vpc_names_, igw_names_, instance_names_, eni_names_, eip_names_, peering_names_,
        prefix_list_names_, host_names_;
    std::vector<VpcScope> scopes_;
    std::vector<bool> vpc_cidrs_ok_;  // every CIDR of the VPC was valid

    // The raw item behind each built resource (nullptr for implicit ones), by index.
    std::vector<const RawSubnet*> raw_subnets_;
    std::vector<const RawRouteTable*> raw_route_tables_;
    std::vector<const RawAcl*> raw_acls_;
    std::vector<const RawSecurityGroup*> raw_groups_;
    std::vector<const RawNatGateway*> raw_nats_;
    std::vector<const RawInstance*> raw_instances_;
    std::vector<Index> instance_vpc_;
    std::vector<bool> subnet_ok_;  // the subnet has a valid CIDR inside its VPC

    std::vector<std::map<net::Ipv4Address, std::string>> private_owner_;  // per VPC
    std::map<net::Ipv4Address, std::string> public_owner_;
    std::vector<std::string> eip_owner_;  // by Elastic IP; empty while unassociated
};

// ---------------------------------------------------------------------------------------------
// Names

bool Builder::add_name(NameTable& table, const Meta& meta, Index index, const char* noun,
                       const std::string& scope) {
    if (meta.name.empty()) return false;  // a missing name is already reported
    auto [it, inserted] = table.entries.emplace(meta.name, NameTable::Entry{index, meta.loc});
    if (inserted) return true;
    error(meta.loc, {noun, meta.name, meta.loc},
          fmt::format("the name is already used by another {} ({}); expected unique {} names {}",
                      noun, where_text(it->second.loc), noun, scope));
    return false;
}

Index Builder::resolve_global(const NameTable& table, const char* noun, const std::string& ref,
                              const SourceLocation& loc, const Subject& s,
                              const std::string& where) {
    Index i = table.find(ref);
    if (i != kNone) return i;
    std::string guess = closest_match(ref, table.names());
    if (!guess.empty()) {
        error(loc, s,
              fmt::format("{} names unknown {} '{}'; did you mean '{}'?", where, noun, ref, guess));
    } else {
        error(loc, s,
              fmt::format("{} names unknown {} '{}'; expected the name of {} {} of this file",
                          where, noun, ref, article(noun), noun));
    }
    return kNone;
}

// NAME is looked up in `vpc`, VPC/NAME in the VPC named.
std::optional<Builder::ScopedRef> Builder::resolve_scoped(NameTable VpcScope::*table,
                                                          const char* noun, const std::string& ref,
                                                          Index vpc, const SourceLocation& loc,
                                                          const Subject& s,
                                                          const std::string& where) {
    Index in_vpc = vpc;
    std::string name = ref;
    if (std::size_t slash = ref.find('/'); slash != std::string::npos) {
        std::string vpc_part = ref.substr(0, slash);
        name = ref.substr(slash + 1);
        in_vpc = vpc_names_.find(vpc_part);
        if (in_vpc == kNone) {
            error(loc, s,
                  fmt::format("{} names unknown VPC '{}' in '{}'; expected NAME or VPC/NAME with "
                              "a VPC of this file",
                              where, vpc_part, ref));
            return std::nullopt;
        }
    }
    const NameTable& names = scopes_[in_vpc].*table;
    Index i = names.find(name);
    if (i != kNone) return ScopedRef{i, in_vpc};
    std::string guess = closest_match(name, names.names());
    if (!guess.empty()) {
        error(loc, s,
              fmt::format("{} names unknown {} '{}'; did you mean '{}'?", where, noun, ref,
                          in_vpc == vpc ? guess : vpc_name(in_vpc) + "/" + guess));
    } else {
        error(loc, s,
              fmt::format("{} names unknown {} '{}'; expected {} {} of VPC '{}'", where, noun, ref,
                          article(noun), noun, vpc_name(in_vpc)));
    }
    return std::nullopt;
}

// Like resolve_scoped, for references that must stay inside `vpc`.
Index Builder::resolve_in_vpc(NameTable VpcScope::*table, const char* noun, const std::string& ref,
                              Index vpc, const SourceLocation& loc, const Subject& s,
                              const std::string& where) {
    auto r = resolve_scoped(table, noun, ref, vpc, loc, s, where);
    if (!r) return kNone;
    if (r->vpc != vpc) {
        error(loc, s,
              fmt::format("{} names {} '{}' of VPC '{}'; expected {} {} of VPC '{}'", where, noun,
                          ref, vpc_name(r->vpc), article(noun), noun, vpc_name(vpc)));
        return kNone;
    }
    return r->index;
}

// ---------------------------------------------------------------------------------------------
// Registration

void Builder::register_vpc(const RawVpc& raw) {
    const Index v = static_cast<Index>(t_.vpcs.size());
    Vpc vpc;
    vpc.meta = meta_of(raw.meta);
    vpc.region = raw.region.has_value() ? *raw.region : t_.region;
    if (raw.account.has_value()) vpc.account = *raw.account;
    bool ok = raw.cidr.has_value();
    if (raw.cidr.has_value()) vpc.cidrs.push_back(*raw.cidr);
    for (const Field<net::Cidr>& c : raw.secondary_cidrs) {
        if (c.has_value()) vpc.cidrs.push_back(*c);
        ok = ok && c.has_value();
    }
    t_.vpcs.push_back(std::move(vpc));
    scopes_.emplace_back();
    vpc_cidrs_ok_.push_back(ok);
    private_owner_.emplace_back();
    add_name(vpc_names_, t_.vpcs[v].meta, v, "VPC", "in the file");
    check_vpc_cidrs(raw);
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
        // AWS: vpc-cidr-blocks — a VPC CIDR block is /16 to /28.
        if (c.length() < kLargestPrefix || c.length() > kSmallestPrefix) {
            error(all[i]->loc, s,
                  fmt::format("CIDR {} is {} than /{}; expected a prefix length from /16 to /28",
                              c.to_string(), c.length() < kLargestPrefix ? "larger" : "smaller",
                              c.length() < kLargestPrefix ? kLargestPrefix : kSmallestPrefix));
        }
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
        const std::optional<net::Cidr> primary_range = rfc1918_range(*raw.cidr);
        for (const Field<net::Cidr>& c : raw.secondary_cidrs) {
            if (!c.has_value()) continue;
            const std::optional<net::Cidr> range = rfc1918_range(*c);
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
    if (raw.secondary_cidrs.size() > kMaxSecondaryCidrs) {
        error(raw.secondary_cidrs_loc, s,
              fmt::format("{} secondary CIDRs; expected at most {} (the cloud's default quota)",
                          raw.secondary_cidrs.size(), kMaxSecondaryCidrs));
    }
}

void Builder::register_elastic_ip(const RawElasticIp& raw) {
    const Index i = static_cast<Index>(t_.elastic_ips.size());
    ElasticIp eip;
    eip.meta = meta_of(raw.meta);
    if (raw.address.has_value()) eip.address = *raw.address;
    t_.elastic_ips.push_back(eip);
    eip_owner_.emplace_back();
    add_name(eip_names_, eip.meta, i, "Elastic IP", "in the file");
    const Subject s{"Elastic IP", raw.meta.name, raw.meta.loc};
    if (!raw.address.has_value()) return;
    if (auto v = t_.vpc_containing(*raw.address)) {
        error(raw.address.loc, s,
              fmt::format("address {} is inside VPC '{}' ({}); expected a public address outside "
                          "every VPC",
                          raw.address->to_string(), vpc_name(*v), join_cidrs(t_.vpcs[*v].cidrs)));
        return;
    }
    claim_public_address(
        *raw.address, fmt::format("Elastic IP '{}' ({})", raw.meta.name, where_text(raw.meta.loc)),
        raw.address.loc, s, "address");
}

void Builder::register_prefix_list(const RawPrefixList& raw) {
    const Index i = static_cast<Index>(t_.prefix_lists.size());
    t_.prefix_lists.push_back({meta_of(raw.meta), raw.cidrs});
    add_name(prefix_list_names_, t_.prefix_lists[i].meta, i, "prefix list", "in the file");
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
    t_.internet_hosts.push_back(std::move(host));
    add_name(host_names_, t_.internet_hosts[i].meta, i, "internet host", "in the file");
}

bool peering_in_force(PeeringStatus status) {
    return status == PeeringStatus::Active || status == PeeringStatus::PendingAcceptance;
}

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
        } else if (peering_in_force(p.status)) {
            // AWS: vpc-peering-basics — peered VPCs have no overlapping CIDR, secondary included;
            // one peering per pair of VPCs.
            for (const net::Cidr& ca : a.cidrs) {
                auto hit = std::find_if(b.cidrs.begin(), b.cidrs.end(),
                                        [&](const net::Cidr& cb) { return ca.overlaps(cb); });
                if (hit != b.cidrs.end()) {
                    error(raw.meta.loc, s,
                          fmt::format("VPC '{}' ({}) and VPC '{}' ({}) have overlapping CIDRs; "
                                      "expected peered VPCs whose CIDRs do not overlap",
                                      a.meta.name, ca.to_string(), b.meta.name, hit->to_string()));
                    break;
                }
            }
            for (const Peering& other : t_.peerings) {
                bool same = (other.requester == p.requester && other.accepter == p.accepter) ||
                            (other.requester == p.accepter && other.accepter == p.requester);
                if (same && peering_in_force(other.status)) {
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

void Builder::register_vpc_resources(Index v, const RawVpc& raw) {
    Vpc& vpc = t_.vpcs[v];
    const Subject vs{"VPC", raw.meta.name, raw.meta.loc};
    VpcScope& scope = scopes_[v];
    const std::string in_vpc = fmt::format("within VPC '{}'", vpc.meta.name);
    // AWS: VPC_Internet_Gateway — at most one internet gateway per VPC.
    for (std::size_t k = 0; k < raw.internet_gateways.size(); ++k) {
        const RawInternetGateway& g = raw.internet_gateways[k];
        const Index i = static_cast<Index>(t_.internet_gateways.size());
        t_.internet_gateways.push_back({meta_of(g.meta), v});
        add_name(igw_names_, t_.internet_gateways[i].meta, i, "internet gateway", "in the file");
        if (k == 0) {
            vpc.internet_gateway = i;
        } else {
            error(g.meta.loc, vs,
                  fmt::format("internet gateway '{}' is a second internet gateway (the first is "
                              "'{}'); expected at most one per VPC",
                              g.meta.name, raw.internet_gateways[0].meta.name));
        }
    }
    for (const RawSubnet& rs : raw.subnets) {
        const Index i = static_cast<Index>(t_.subnets.size());
        Subnet s;
        s.meta = meta_of(rs.meta);
        s.vpc = v;
        if (rs.cidr.has_value()) s.cidr = *rs.cidr;
        if (rs.az.has_value()) s.availability_zone = *rs.az;
        t_.subnets.push_back(std::move(s));
        vpc.subnets.push_back(i);
        raw_subnets_.push_back(&rs);
        subnet_ok_.push_back(false);
        add_name(scope.subnets, t_.subnets[i].meta, i, "subnet", in_vpc);
    }
    register_route_tables(v, raw);
    register_network_acls(v, raw);
    register_security_groups(v, raw);
    for (const RawNatGateway& rn : raw.nat_gateways) {
        const Index i = static_cast<Index>(t_.nat_gateways.size());
        NatGateway n;
        n.meta = meta_of(rn.meta);
        n.vpc = v;
        n.is_public = rn.is_public.value.value_or(true);
        t_.nat_gateways.push_back(std::move(n));
        raw_nats_.push_back(&rn);
        add_name(scope.nat_gateways, t_.nat_gateways[i].meta, i, "NAT gateway", in_vpc);
    }
    register_instances(v, raw);
}

// The main table is the one with `main: true` (or named `main`); without one the cloud's
// default main table with only the local routes is made. AWS: VPC_Route_Tables.
void Builder::register_route_tables(Index v, const RawVpc& raw) {
    Vpc& vpc = t_.vpcs[v];
    const std::string in_vpc = fmt::format("within VPC '{}'", vpc.meta.name);
    for (const RawRouteTable& rt : raw.route_tables) {
        const Index i = static_cast<Index>(t_.route_tables.size());
        const Subject s{"route table", rt.meta.name, rt.meta.loc};
        RouteTable table;
        table.meta = meta_of(rt.meta);
        table.vpc = v;
        table.main = rt.main.value.value_or(!rt.main.present && rt.meta.name == "main");
        if (rt.meta.name == "main" && rt.main.has_value() && !*rt.main) {
            error(rt.main.loc, s,
                  "the name 'main' is reserved for the VPC's main route table; expected another "
                  "name, or main: true");
        }
        if (table.main) {
            if (vpc.main_route_table != kNone) {
                const Meta& first = t_.route_tables[vpc.main_route_table].meta;
                error(rt.meta.loc, s,
                      fmt::format("a second main route table in VPC '{}' (the first is '{}', {}); "
                                  "expected one main route table per VPC",
                                  vpc.meta.name, first.name, where_text(first.loc)));
            } else {
                vpc.main_route_table = i;
            }
        }
        t_.route_tables.push_back(std::move(table));
        raw_route_tables_.push_back(&rt);
        add_name(scopes_[v].route_tables, t_.route_tables[i].meta, i, "route table", in_vpc);
    }
    if (vpc.main_route_table == kNone) {
        const Index i = static_cast<Index>(t_.route_tables.size());
        RouteTable table;
        table.meta = implicit_meta("main");
        table.vpc = v;
        table.main = true;
        t_.route_tables.push_back(std::move(table));
        raw_route_tables_.push_back(nullptr);
        vpc.main_route_table = i;
        if (scopes_[v].route_tables.find("main") == kNone) {
            add_name(scopes_[v].route_tables, t_.route_tables[i].meta, i, "route table", in_vpc);
        }
    }
}

// The default ACL allows all traffic both ways. AWS: vpc-network-acls (default network ACL).
void Builder::register_network_acls(Index v, const RawVpc& raw) {
    Vpc& vpc = t_.vpcs[v];
    const std::string in_vpc = fmt::format("within VPC '{}'", vpc.meta.name);
    for (const RawAcl& ra : raw.network_acls) {
        const Index i = static_cast<Index>(t_.network_acls.size());
        const Subject s{"network ACL", ra.meta.name, ra.meta.loc};
        NetworkAcl acl;
        acl.meta = meta_of(ra.meta);
        acl.vpc = v;
        acl.is_default =
            ra.is_default.value.value_or(!ra.is_default.present && ra.meta.name == "default");
        if (ra.meta.name == "default" && ra.is_default.has_value() && !*ra.is_default) {
            error(ra.is_default.loc, s,
                  "the name 'default' is reserved for the VPC's default network ACL; expected "
                  "another name, or default: true");
        }
        if (acl.is_default) {
            if (vpc.default_acl != kNone) {
                const Meta& first = t_.network_acls[vpc.default_acl].meta;
                error(ra.meta.loc, s,
                      fmt::format("a second default network ACL in VPC '{}' (the first is '{}', "
                                  "{}); expected one default network ACL per VPC",
                                  vpc.meta.name, first.name, where_text(first.loc)));
            } else {
                vpc.default_acl = i;
            }
        }
        t_.network_acls.push_back(std::move(acl));
        raw_acls_.push_back(&ra);
        add_name(scopes_[v].network_acls, t_.network_acls[i].meta, i, "network ACL", in_vpc);
    }
    if (vpc.default_acl == kNone) {
        const Index i = static_cast<Index>(t_.network_acls.size());
        NetworkAcl acl;
        acl.meta = implicit_meta("default");
        acl.vpc = v;
        acl.is_default = true;
        const SourceLocation none{raw_.file, 0, 0};
        const net::Cidr any(net::Ipv4Address(0), 0);
        acl.inbound.push_back({100,
                               RuleAction::Allow,
                               net::Protocol::all(),
                               net::PortRange::all(),
                               {},
                               any,
                               "100 allow all from 0.0.0.0/0",
                               none});
        acl.outbound.push_back({100,
                                RuleAction::Allow,
                                net::Protocol::all(),
                                net::PortRange::all(),
                                {},
                                any,
                                "100 allow all to 0.0.0.0/0",
                                none});
        t_.network_acls.push_back(std::move(acl));
        raw_acls_.push_back(nullptr);
        vpc.default_acl = i;
        if (scopes_[v].network_acls.find("default") == kNone) {
            add_name(scopes_[v].network_acls, t_.network_acls[i].meta, i, "network ACL", in_vpc);
        }
    }
}

SgRule allow_all_to_anywhere(const SourceLocation& loc) {
    SgRule r;
    r.peer_kind = PeerKind::Cidr;
    r.cidr = net::Cidr(net::Ipv4Address(0), 0);
    r.text = "all to 0.0.0.0/0";
    r.loc = loc;
    return r;
}

// The default group allows inbound from its own members and all outbound.
// AWS: default-security-group.
void Builder::register_security_groups(Index v, const RawVpc& raw) {
    Vpc& vpc = t_.vpcs[v];
    const std::string in_vpc = fmt::format("within VPC '{}'", vpc.meta.name);
    for (const RawSecurityGroup& rg : raw.security_groups) {
        const Index i = static_cast<Index>(t_.security_groups.size());
        const Subject s{"security group", rg.meta.name, rg.meta.loc};
        SecurityGroup g;
        g.meta = meta_of(rg.meta);
        g.vpc = v;
        g.is_default =
            rg.is_default.value.value_or(!rg.is_default.present && rg.meta.name == "default");
        if (rg.meta.name == "default" && rg.is_default.has_value() && !*rg.is_default) {
            error(rg.is_default.loc, s,
                  "the name 'default' is reserved for the VPC's default security group; expected "
                  "another name, or default: true");
        }
        if (g.is_default) {
            if (vpc.default_security_group != kNone) {
                const Meta& first = t_.security_groups[vpc.default_security_group].meta;
                error(rg.meta.loc, s,
                      fmt::format("a second default security group in VPC '{}' (the first is "
                                  "'{}', {}); expected one default security group per VPC",
                                  vpc.meta.name, first.name, where_text(first.loc)));
            } else {
                vpc.default_security_group = i;
            }
        }
        t_.security_groups.push_back(std::move(g));
        raw_groups_.push_back(&rg);
        add_name(scopes_[v].security_groups, t_.security_groups[i].meta, i, "security group",
                 in_vpc);
    }
    if (vpc.default_security_group == kNone) {
        const Index i = static_cast<Index>(t_.security_groups.size());
        const SourceLocation none{raw_.file, 0, 0};
        SecurityGroup g;
        g.meta = implicit_meta("default");
        g.vpc = v;
        g.is_default = true;
        SgRule self;
        self.peer_kind = PeerKind::SecurityGroup;
        self.group = i;
        self.text = "all from sg:default";
        self.loc = none;
        g.ingress.push_back(self);
        g.egress.push_back(allow_all_to_anywhere(none));
        t_.security_groups.push_back(std::move(g));
        raw_groups_.push_back(nullptr);
        vpc.default_security_group = i;
        if (scopes_[v].security_groups.find("default") == kNone) {
            add_name(scopes_[v].security_groups, t_.security_groups[i].meta, i, "security group",
                     in_vpc);
        }
    }
}

void Builder::register_instances(Index v, const RawVpc& raw) {
    for (const RawInstance& ri : raw.instances) {
        const Index i = static_cast<Index>(t_.instances.size());
        Instance inst;
        inst.meta = meta_of(ri.meta);
        inst.running = ri.running;
        inst.listen = ri.listen;
        for (std::size_t k = 0; k < ri.enis.size(); ++k) {
            const Index e = static_cast<Index>(t_.enis.size());
            Eni eni;
            eni.meta = meta_of(ri.enis[k].meta);
            // An ENI without a name is called INSTANCE/ethN, N its device index.
            if (eni.meta.name.empty()) eni.meta.name = fmt::format("{}/eth{}", ri.meta.name, k);
            eni.instance = i;
            eni.vpc = v;
            eni.device_index = static_cast<int>(k);
            eni.mac = eni_mac(e);
            t_.enis.push_back(std::move(eni));
            inst.enis.push_back(e);
            add_name(eni_names_, t_.enis[e].meta, e, "ENI", "in the file");
        }
        t_.instances.push_back(std::move(inst));
        raw_instances_.push_back(&ri);
        instance_vpc_.push_back(v);
        add_name(instance_names_, t_.instances[i].meta, i, "instance", "in the file");
    }
}

// ---------------------------------------------------------------------------------------------
// Addresses

// AWS: subnet-sizing — the first four addresses and the last one of a subnet are reserved.
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
    static constexpr const char* kReserved[] = {"the network address", "the VPC router",
                                                "the DNS server", "reserved for future use"};
    const std::uint32_t offset = a.value() - sn.cidr.network().value();
    const char* why = nullptr;
    if (offset < 4) why = kReserved[offset];
    if (a == sn.cidr.last()) why = "the broadcast address";
    if (why == nullptr) return true;
    error(loc, s,
          fmt::format("address {} is reserved in subnet '{}' ({}); expected an address from {} to "
                      "{}",
                      a.to_string(), sn.meta.name, why, (sn.cidr.network() + 4).to_string(),
                      net::Ipv4Address(sn.cidr.last().value() - 1).to_string()));
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

void Builder::associate_elastic_ip(Index eip, const std::string& owner, const SourceLocation& loc,
                                   const Subject& s) {
    if (eip_owner_[eip].empty()) {
        eip_owner_[eip] = owner;
        return;
    }
    error(loc, s,
          fmt::format("Elastic IP '{}' is already associated with {}; expected each Elastic IP "
                      "associated once",
                      t_.elastic_ips[eip].meta.name, eip_owner_[eip]));
}

std::optional<net::Ipv4Address> Builder::first_free_address(Index subnet) const {
    const Subnet& sn = t_.subnets[subnet];
    const auto& used = private_owner_[sn.vpc];
    for (std::uint32_t a = sn.cidr.network().value() + 4; a < sn.cidr.last().value(); ++a) {
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

// ---------------------------------------------------------------------------------------------
// Subnets, NAT gateways, instances and their ENIs

void Builder::resolve_subnet(Index i) {
    Subnet& sn = t_.subnets[i];
    const RawSubnet& raw = *raw_subnets_[i];
    const Subject s{"subnet", raw.meta.name, raw.meta.loc};
    const Vpc& vpc = t_.vpcs[sn.vpc];
    if (raw.cidr.has_value()) {
        bool ok = true;
        // AWS: subnet-sizing — /16 to /28, inside one CIDR of the VPC, no overlap.
        if (sn.cidr.length() < kLargestPrefix || sn.cidr.length() > kSmallestPrefix) {
            error(raw.cidr.loc, s,
                  fmt::format(
                      "CIDR {} is {} than /{}; expected a prefix length from /16 to /28",
                      sn.cidr.to_string(), sn.cidr.length() < kLargestPrefix ? "larger" : "smaller",
                      sn.cidr.length() < kLargestPrefix ? kLargestPrefix : kSmallestPrefix));
            ok = false;
        }
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

void Builder::resolve_nat_gateway(Index n) {
    NatGateway& nat = t_.nat_gateways[n];
    const RawNatGateway& raw = *raw_nats_[n];
    const Subject s{"NAT gateway", raw.meta.name, raw.meta.loc};
    if (raw.subnet.has_value()) {
        nat.subnet = resolve_in_vpc(&VpcScope::subnets, "subnet", *raw.subnet, nat.vpc,
                                    raw.subnet.loc, s, "'subnet'");
    }
    if (raw.private_ip.has_value()) {
        nat.private_ip = *raw.private_ip;
        if (nat.subnet != kNone && subnet_ok_[nat.subnet] &&
            check_address_in_subnet(nat.private_ip, nat.subnet, raw.private_ip.loc, s)) {
            claim_private_address(
                nat.vpc, nat.private_ip,
                fmt::format("NAT gateway '{}' ({})", raw.meta.name, where_text(raw.meta.loc)),
                raw.private_ip.loc, s);
        }
    }
    // AWS: vpc-nat-gateway — a public NAT gateway needs an Elastic IP; a private one has none.
    if (raw.elastic_ip.has_value()) {
        if (!nat.is_public) {
            error(raw.elastic_ip.loc, s,
                  "a private NAT gateway has an 'elastic_ip'; expected no Elastic IP with type "
                  "private");
        } else {
            nat.elastic_ip = resolve_global(eip_names_, "Elastic IP", *raw.elastic_ip,
                                            raw.elastic_ip.loc, s, "'elastic_ip'");
            if (nat.elastic_ip != kNone) {
                associate_elastic_ip(
                    nat.elastic_ip,
                    fmt::format("NAT gateway '{}' ({})", raw.meta.name, where_text(raw.meta.loc)),
                    raw.elastic_ip.loc, s);
                t_.elastic_ips[nat.elastic_ip].target_kind = EipTargetKind::NatGateway;
                t_.elastic_ips[nat.elastic_ip].target = n;
            }
        }
    } else if (nat.is_public && !raw.elastic_ip.present && raw.is_public.has_value()) {
        // (With an invalid 'type', already reported, nothing is said about the Elastic IP.)
        error(raw.meta.loc, s,
              "a public NAT gateway has no 'elastic_ip'; expected an Elastic IP, or type: "
              "private");
    }
}

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
    if (raw.security_groups.size() > kMaxGroupsPerEni) {
        error(raw.security_groups_loc, s,
              fmt::format("{} security groups; expected 1 to {} per network interface",
                          raw.security_groups.size(), kMaxGroupsPerEni));
    }
    if (raw.security_groups.empty()) {
        eni.security_groups.push_back(t_.vpcs[vpc].default_security_group);
    }
    eni.source_dest_check = raw.source_dest_check.value.value_or(true);
}

// ---------------------------------------------------------------------------------------------
// Route tables

void Builder::resolve_route_table(Index i) {
    RouteTable& table = t_.route_tables[i];
    const Vpc& vpc = t_.vpcs[table.vpc];
    // AWS: VPC_Route_Tables — every table has an implicit local route per VPC CIDR.
    for (const net::Cidr& c : vpc.cidrs) {
        table.routes.push_back(
            {c, {RouteTargetKind::Local, kNone, "local"}, SourceLocation{raw_.file, 0, 0}, true});
    }
    const RawRouteTable* raw = raw_route_tables_[i];
    if (raw == nullptr) return;
    const Subject s{"route table", raw->meta.name, raw->meta.loc};
    for (const RawRoute& r : raw->routes) {
        auto target = resolve_route_target(r, table.vpc, s);
        if (!target) continue;
        Route route{r.destination, *target, r.loc, false};
        check_route(route, r.text, table.vpc, table.routes, s);
        table.routes.push_back(std::move(route));
    }
}

// Targets: local, blackhole, igw, igw/NAME, nat/NAME, peering/NAME, instance/NAME, eni/NAME.
std::optional<RouteTarget> Builder::resolve_route_target(const RawRoute& r, Index vpc,
                                                         const Subject& s) {
    const std::string where = fmt::format("route '{}'", r.text);
    const std::string& text = r.target;
    const Vpc& v = t_.vpcs[vpc];
    auto other_vpc = [&](const char* noun, const std::string& name, Index owner) {
        error(r.loc, s,
              fmt::format("{} targets {} '{}' of VPC '{}'; expected {} {} of VPC '{}'", where, noun,
                          name, vpc_name(owner), article(noun), noun, v.meta.name));
    };
    if (text == "local") {
        // AWS: VPC_Route_Tables — local routes are implicit and cannot be created.
        error(r.loc, s,
              fmt::format("{} is a local route; expected local routes to stay implicit (one is "
                          "made for each VPC CIDR)",
                          where));
        return std::nullopt;
    }
    if (text == "blackhole") return RouteTarget{RouteTargetKind::Blackhole, kNone, text};
    if (text == "igw") {
        if (v.internet_gateway == kNone) {
            error(r.loc, s,
                  fmt::format("{} targets the internet gateway, but VPC '{}' has none; expected "
                              "an 'internet_gateway' on the VPC",
                              where, v.meta.name));
            return std::nullopt;
        }
        return RouteTarget{RouteTargetKind::InternetGateway, v.internet_gateway, text};
    }
    const std::size_t slash = text.find('/');
    const std::string kind = text.substr(0, slash);
    const std::string name = slash == std::string::npos ? "" : text.substr(slash + 1);
    if (slash == std::string::npos || name.empty() ||
        (kind != "igw" && kind != "nat" && kind != "peering" && kind != "instance" &&
         kind != "eni")) {
        error(r.loc, s,
              fmt::format("{} has target '{}'; expected igw, igw/NAME, nat/NAME, peering/NAME, "
                          "instance/NAME, eni/NAME or blackhole",
                          where, text));
        return std::nullopt;
    }
    if (kind == "igw") {
        Index g = resolve_global(igw_names_, "internet gateway", name, r.loc, s, where);
        if (g == kNone) return std::nullopt;
        if (t_.internet_gateways[g].vpc != vpc) {
            other_vpc("internet gateway", name, t_.internet_gateways[g].vpc);
            return std::nullopt;
        }
        return RouteTarget{RouteTargetKind::InternetGateway, g, text};
    }
    if (kind == "nat") {
        auto n = resolve_scoped(&VpcScope::nat_gateways, "NAT gateway", name, vpc, r.loc, s, where);
        if (!n) return std::nullopt;
        if (n->vpc != vpc) {
            other_vpc("NAT gateway", name, n->vpc);
            return std::nullopt;
        }
        return RouteTarget{RouteTargetKind::NatGateway, n->index, text};
    }
    if (kind == "peering") {
        Index p = resolve_global(peering_names_, "peering", name, r.loc, s, where);
        if (p == kNone) return std::nullopt;
        const Peering& peering = t_.peerings[p];
        if (peering.requester != vpc && peering.accepter != vpc) {
            auto side = [&](Index x) { return x == kNone ? std::string("?") : vpc_name(x); };
            error(r.loc, s,
                  fmt::format("{} targets peering '{}', which connects VPCs '{}' and '{}'; "
                              "expected a peering of VPC '{}'",
                              where, name, side(peering.requester), side(peering.accepter),
                              v.meta.name));
            return std::nullopt;
        }
        return RouteTarget{RouteTargetKind::Peering, p, text};
    }
    if (kind == "instance") {
        Index in = resolve_global(instance_names_, "instance", name, r.loc, s, where);
        if (in == kNone) return std::nullopt;
        if (instance_vpc_[in] != vpc) {
            other_vpc("instance", name, instance_vpc_[in]);
            return std::nullopt;
        }
        // AWS: CreateRoute — an instance target needs exactly one network interface.
        if (t_.instances[in].enis.size() > 1) {
            error(r.loc, s,
                  fmt::format("{} targets instance '{}', which has {} network interfaces; "
                              "expected eni/NAME to choose one",
                              where, name, t_.instances[in].enis.size()));
            return std::nullopt;
        }
        return RouteTarget{RouteTargetKind::Instance, in, text};
    }
    Index e = resolve_global(eni_names_, "ENI", name, r.loc, s, where);
    if (e == kNone) return std::nullopt;
    if (t_.enis[e].vpc != vpc) {
        other_vpc("ENI", name, t_.enis[e].vpc);
        return std::nullopt;
    }
    return RouteTarget{RouteTargetKind::Eni, e, text};
}

void Builder::check_route(const Route& route, const std::string& text, Index vpc,
                          const std::vector<Route>& earlier, const Subject& s) {
    const std::string where = fmt::format("route '{}'", text);
    for (const Route& e : earlier) {
        if (e.destination != route.destination) continue;
        if (e.implicit) {
            error(route.loc, s,
                  fmt::format("{} has the destination of the local route {}; expected local "
                              "routes to stay implicit",
                              where, e.destination.to_string()));
        } else {
            error(route.loc, s,
                  fmt::format("{} repeats destination {} ({}); expected each destination once "
                              "per route table",
                              where, e.destination.to_string(), where_text(e.loc)));
        }
        return;
    }
    // AWS: VPC_Route_Tables, middlebox-routing — a route more specific than a local route must
    // name exactly a subnet CIDR of the VPC and target a NAT gateway or a network interface.
    const Vpc& v = t_.vpcs[vpc];
    auto local = std::find_if(v.cidrs.begin(), v.cidrs.end(), [&](const net::Cidr& c) {
        return c.contains(route.destination) && route.destination.length() > c.length();
    });
    if (local == v.cidrs.end()) return;
    const bool whole_subnet = std::any_of(v.subnets.begin(), v.subnets.end(), [&](Index sn) {
        return t_.subnets[sn].cidr == route.destination && raw_subnets_[sn]->cidr.has_value();
    });
    if (!whole_subnet) {
        error(route.loc, s,
              fmt::format("{} is more specific than the local route {} but is not a subnet "
                          "CIDR of the VPC; expected the exact CIDR of a subnet (middlebox "
                          "routing)",
                          where, local->to_string()));
        return;
    }
    const RouteTargetKind k = route.target.kind;
    if (k != RouteTargetKind::NatGateway && k != RouteTargetKind::Eni &&
        k != RouteTargetKind::Instance) {
        error(route.loc, s,
              fmt::format("{} is more specific than the local route {} with target {}; expected "
                          "a NAT gateway, ENI or instance target (middlebox routing)",
                          where, local->to_string(), to_string(k)));
    }
}

// ---------------------------------------------------------------------------------------------
// Network ACLs

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
        if (r.number < 1 || r.number > kMaxAclRuleNumber) {
            error(r.loc, s,
                  fmt::format("{} rule '{}' has number {}; expected a number from 1 to {} (32767 "
                              "is the implicit final deny)",
                              direction, r.text, r.number, kMaxAclRuleNumber));
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

// ---------------------------------------------------------------------------------------------
// Security groups

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
        g.egress.push_back(allow_all_to_anywhere(SourceLocation{raw_.file, 0, 0}));
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

// ---------------------------------------------------------------------------------------------
// The whole build

void Builder::link_back_references() {
    for (Index e = 0; e < t_.enis.size(); ++e) {
        if (t_.enis[e].subnet != kNone) t_.subnets[t_.enis[e].subnet].enis.push_back(e);
    }
}

std::optional<Topology> Builder::build() {
    t_.file = raw_.file;
    if (raw_.region.has_value()) t_.region = *raw_.region;
    for (const RawVpc& v : raw_.vpcs) register_vpc(v);
    for (const RawPrefixList& p : raw_.prefix_lists) register_prefix_list(p);
    for (const RawElasticIp& e : raw_.elastic_ips) register_elastic_ip(e);
    for (const RawInternetHost& h : raw_.internet_hosts) register_internet_host(h);
    for (const RawPeering& p : raw_.peerings) register_peering(p);
    for (Index v = 0; v < raw_.vpcs.size(); ++v) register_vpc_resources(v, raw_.vpcs[v]);

    for (Index i = 0; i < t_.subnets.size(); ++i) resolve_subnet(i);
    for (Index i = 0; i < t_.nat_gateways.size(); ++i) resolve_nat_gateway(i);
    for (Index i = 0; i < t_.instances.size(); ++i) resolve_instance(i);
    for (Index i = 0; i < t_.route_tables.size(); ++i) resolve_route_table(i);
    for (Index i = 0; i < t_.network_acls.size(); ++i) resolve_network_acl(i);
    for (Index i = 0; i < t_.security_groups.size(); ++i) resolve_security_group(i);
    assign_missing_addresses();
    link_back_references();

    if (d_.has_errors()) return std::nullopt;
    return std::move(t_);
}

}  // namespace

std::optional<Topology> build_topology(const RawTopology& raw, Diagnostics& diags) {
    return Builder(raw, diags).build();
}

}  // namespace vpcstack::model
