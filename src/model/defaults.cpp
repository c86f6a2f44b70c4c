#include "vpcstack/model/defaults.hpp"

namespace vpcstack::model {

namespace {

Meta implicit_meta(std::string_view name, const std::string& file) {
    return {std::string(name), "", SourceLocation{file, 0, 0}, true};
}

const net::Cidr kAnywhere(net::Ipv4Address(0), 0);

}  // namespace

bool counts_as_default(const DefaultRole& role, const Field<bool>& key, std::string_view name) {
    return key.value.value_or(!key.present && name == role.name);
}

RouteTable default_main_route_table(Index vpc, const std::string& file) {
    RouteTable table;
    table.meta = implicit_meta(kMainRouteTable.name, file);
    table.vpc = vpc;
    table.main = true;
    return table;
}

NetworkAcl default_network_acl(Index vpc, const std::string& file) {
    NetworkAcl acl;
    acl.meta = implicit_meta(kDefaultNetworkAcl.name, file);
    acl.vpc = vpc;
    acl.is_default = true;
    const SourceLocation none{file, 0, 0};
    for (bool inbound : {true, false}) {
        AclRule rule{100,
                     RuleAction::Allow,
                     net::Protocol::all(),
                     net::PortRange::all(),
                     {},
                     kAnywhere,
                     inbound ? "100 allow all from 0.0.0.0/0" : "100 allow all to 0.0.0.0/0",
                     none};
        (inbound ? acl.inbound : acl.outbound).push_back(std::move(rule));
    }
    return acl;
}

SecurityGroup default_security_group(Index vpc, Index self, const std::string& file) {
    SecurityGroup group;
    group.meta = implicit_meta(kDefaultSecurityGroup.name, file);
    group.vpc = vpc;
    group.is_default = true;
    SgRule members;
    members.peer_kind = PeerKind::SecurityGroup;
    members.group = self;
    members.text = "all from sg:default";
    members.loc = {file, 0, 0};
    group.ingress.push_back(std::move(members));
    group.egress.push_back(allow_all_outbound(file));
    return group;
}

std::vector<Route> local_routes(const Vpc& vpc, const std::string& file) {
    std::vector<Route> routes;
    for (const net::Cidr& c : vpc.cidrs) {
        routes.push_back(
            {c, {RouteTargetKind::Local, kNone, "local"}, SourceLocation{file, 0, 0}, true});
    }
    return routes;
}

SgRule allow_all_outbound(const std::string& file) {
    SgRule rule;
    rule.peer_kind = PeerKind::Cidr;
    rule.cidr = kAnywhere;
    rule.text = "all to 0.0.0.0/0";
    rule.loc = {file, 0, 0};
    return rule;
}

void add_vpc_defaults(Topology& topology, Index vpc) {
    Vpc& v = topology.vpcs.at(vpc);
    v.main_route_table = static_cast<Index>(topology.route_tables.size());
    topology.route_tables.push_back(default_main_route_table(vpc, topology.file));
    topology.route_tables.back().routes = local_routes(v, topology.file);
    v.default_acl = static_cast<Index>(topology.network_acls.size());
    topology.network_acls.push_back(default_network_acl(vpc, topology.file));
    v.default_security_group = static_cast<Index>(topology.security_groups.size());
    topology.security_groups.push_back(
        default_security_group(vpc, v.default_security_group, topology.file));
}

}  // namespace vpcstack::model
