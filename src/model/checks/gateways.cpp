// Gateways and public addresses. AWS: VPC_Internet_Gateway (one internet gateway per VPC),
// vpc-nat-gateway (a public NAT gateway has an Elastic IP, a private one none),
// elastic-ip-addresses-eip (an Elastic IP is associated with one interface or NAT gateway),
// gateway-route-tables (the route table an internet gateway routes its incoming traffic by).
#include "../build/builder.hpp"

namespace vpcstack::model::build {

// AWS: VPC_Internet_Gateway — at most one internet gateway per VPC.
void Builder::register_internet_gateways(Index v, const RawVpc& raw) {
    const Subject vs{"VPC", raw.meta.name, raw.meta.loc};
    for (std::size_t k = 0; k < raw.internet_gateways.size(); ++k) {
        const RawInternetGateway& g = raw.internet_gateways[k];
        const Index i = static_cast<Index>(t_.internet_gateways.size());
        t_.internet_gateways.push_back({meta_of(g.meta), v});
        raw_igws_.push_back(&g);
        add_name(igw_names_, t_.internet_gateways[i].meta, i, "internet gateway", "in the file");
        if (k == 0) {
            t_.vpcs[v].internet_gateway = i;
        } else {
            error(g.meta.loc, vs,
                  fmt::format("internet gateway '{}' is a second internet gateway (the first is "
                              "'{}'); expected at most one per VPC",
                              g.meta.name, raw.internet_gateways[0].meta.name));
        }
    }
}

// AWS: gateway-route-tables — a route table of the VPC associated with its internet gateway
// routes the traffic entering the VPC through the gateway.
void Builder::resolve_internet_gateway(Index g) {
    InternetGateway& igw = t_.internet_gateways[g];
    const RawInternetGateway& raw = *raw_igws_[g];
    if (!raw.route_table.has_value()) return;
    const Subject s{"internet gateway", raw.meta.name, raw.meta.loc};
    const Index table = resolve_in_vpc(&VpcScope::route_tables, "route table", *raw.route_table,
                                       igw.vpc, raw.route_table.loc, s, "'route_table'");
    if (table == kNone) return;
    igw.route_table = table;
    t_.route_tables[table].gateway = g;
    check_gateway_route_table(table, s, raw.route_table.loc);
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

}  // namespace vpcstack::model::build
