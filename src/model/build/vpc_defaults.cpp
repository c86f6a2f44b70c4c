// The three per-VPC defaults, registered by one template: the main route table, the default
// network ACL and the default security group (defaults.hpp states what each is). For each
// kind, a written resource is the default when its key says so or, without the key, when it
// has the reserved name; the reserved name cannot be given to another resource, there is one
// default per VPC, and the cloud's own is made when the file writes none.
#include "builder.hpp"

namespace vpcstack::model::build {

// What differs between the three kinds.
template <class Raw, class Built>
struct Builder::DefaultSlot {
    const DefaultRole& role;
    const char* noun;                        // "route table"
    Field<bool> Raw::*key;                   // the raw flag: main or is_default
    bool Built::*flag;                       // the built flag
    std::vector<Built> Topology::*items;     // where the built resources go
    std::vector<const Raw*> Builder::*raws;  // the raw item behind each, by index
    NameTable VpcScope::*names;
    Index Vpc::*slot;  // the VPC's default of this kind
    Built (*make_default)(Index vpc, Index self, const std::string& file);
};

template <class Raw, class Built>
void Builder::register_with_default(Index v, const std::vector<Raw>& raws,
                                    const DefaultSlot<Raw, Built>& k) {
    std::vector<Built>& items = t_.*k.items;
    NameTable& names = scopes_[v].*k.names;
    Index& slot = t_.vpcs[v].*k.slot;
    const std::string in_vpc = fmt::format("within VPC '{}'", vpc_name(v));
    for (const Raw& raw : raws) {
        const Index i = static_cast<Index>(items.size());
        const Subject s{k.noun, raw.meta.name, raw.meta.loc};
        const Field<bool>& key = raw.*k.key;
        Built built;
        built.meta = meta_of(raw.meta);
        built.vpc = v;
        built.*k.flag = counts_as_default(k.role, key, raw.meta.name);
        if (raw.meta.name == k.role.name && key.has_value() && !*key) {
            error(key.loc, s,
                  fmt::format("the name '{}' is reserved for the VPC's {}; expected another "
                              "name, or {}: true",
                              k.role.name, k.role.role, k.role.key));
        }
        if (built.*k.flag) {
            if (slot != kNone) {
                const Meta& first = items[slot].meta;
                error(raw.meta.loc, s,
                      fmt::format("a second {} in VPC '{}' (the first is '{}', {}); expected one "
                                  "{} per VPC",
                                  k.role.role, vpc_name(v), first.name, where_text(first.loc),
                                  k.role.role));
            } else {
                slot = i;
            }
        }
        items.push_back(std::move(built));
        (this->*k.raws).push_back(&raw);
        add_name(names, items[i].meta, i, k.noun, in_vpc);
    }
    if (slot != kNone) return;
    const Index i = static_cast<Index>(items.size());
    items.push_back(k.make_default(v, i, raw_.file));
    (this->*k.raws).push_back(nullptr);
    slot = i;
    // A written one may hold the reserved name with its key false (reported above).
    if (names.find(std::string(k.role.name)) == kNone) {
        add_name(names, items[i].meta, i, k.noun, in_vpc);
    }
}

void Builder::register_route_tables(Index v, const RawVpc& raw) {
    static const DefaultSlot<RawRouteTable, RouteTable> kSlot{
        kMainRouteTable,
        "route table",
        &RawRouteTable::main,
        &RouteTable::main,
        &Topology::route_tables,
        &Builder::raw_route_tables_,
        &VpcScope::route_tables,
        &Vpc::main_route_table,
        [](Index vpc, Index, const std::string& file) {
            return default_main_route_table(vpc, file);
        }};
    register_with_default(v, raw.route_tables, kSlot);
}

void Builder::register_network_acls(Index v, const RawVpc& raw) {
    static const DefaultSlot<RawAcl, NetworkAcl> kSlot{
        kDefaultNetworkAcl,
        "network ACL",
        &RawAcl::is_default,
        &NetworkAcl::is_default,
        &Topology::network_acls,
        &Builder::raw_acls_,
        &VpcScope::network_acls,
        &Vpc::default_acl,
        [](Index vpc, Index, const std::string& file) { return default_network_acl(vpc, file); }};
    register_with_default(v, raw.network_acls, kSlot);
}

void Builder::register_security_groups(Index v, const RawVpc& raw) {
    static const DefaultSlot<RawSecurityGroup, SecurityGroup> kSlot{
        kDefaultSecurityGroup,         "security group",
        &RawSecurityGroup::is_default, &SecurityGroup::is_default,
        &Topology::security_groups,    &Builder::raw_groups_,
        &VpcScope::security_groups,    &Vpc::default_security_group,
        &default_security_group};
    register_with_default(v, raw.security_groups, kSlot);
}

}  // namespace vpcstack::model::build
