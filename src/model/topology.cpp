#include "vpcstack/model/topology.hpp"

#include "vpcstack/model/invariant.hpp"

namespace vpcstack::model {

std::optional<net::Ipv4Address> Topology::public_address_of_eni(Index eni) const {
    const Eni& e = enis.at(eni);
    if (e.elastic_ip != kNone) return elastic_ips.at(e.elastic_ip).address;
    return e.public_ip;
}

std::vector<std::pair<net::Ipv4Address, net::Ipv4Address>> Topology::public_mappings_of_eni(
    Index eni) const {
    std::vector<std::pair<net::Ipv4Address, net::Ipv4Address>> out;
    const Eni& e = enis.at(eni);
    if (auto pub = public_address_of_eni(eni)) out.emplace_back(*pub, e.primary_ip());
    for (const SecondaryElasticIp& s : e.secondary_elastic_ips) {
        out.emplace_back(elastic_ips.at(s.elastic_ip).address, s.private_ip);
    }
    return out;
}

std::string Topology::destination_text(const Route& route) const {
    if (route.to_prefix_list()) return "pl:" + prefix_lists.at(route.prefix_list).meta.name;
    return route.destination.to_string();
}

std::optional<net::Ipv4Address> Topology::public_address_of_nat(Index nat) const {
    const NatGateway& n = nat_gateways.at(nat);
    if (!n.is_public) return std::nullopt;
    VPCSTACK_ASSERT(n.elastic_ip != kNone,
                    "validation gives every public NAT gateway an Elastic IP");
    return elastic_ips.at(n.elastic_ip).address;
}

std::optional<Index> Topology::vpc_containing(net::Ipv4Address address) const {
    for (Index i = 0; i < vpcs.size(); ++i) {
        for (const net::Cidr& cidr : vpcs[i].cidrs) {
            if (cidr.contains(address)) return i;
        }
    }
    return std::nullopt;
}

std::string Topology::qualified_name(const Meta& meta, Index vpc) const {
    if (vpc == kNone || vpcs.size() < 2) return meta.name;
    return vpcs.at(vpc).meta.name + "/" + meta.name;
}

std::string to_string(RouteTargetKind kind) {
    switch (kind) {
        case RouteTargetKind::Local:
            return "local";
        case RouteTargetKind::InternetGateway:
            return "internet gateway";
        case RouteTargetKind::NatGateway:
            return "NAT gateway";
        case RouteTargetKind::Peering:
            return "peering connection";
        case RouteTargetKind::Instance:
            return "instance";
        case RouteTargetKind::Eni:
            return "network interface";
        case RouteTargetKind::Blackhole:
            return "blackhole";
    }
    return "?";
}

std::string ListenPort::to_string() const {
    if (protocol == net::Protocol::kIcmp) return "icmp";
    return net::protocol_name(protocol) + "/" + std::to_string(port);
}

std::string to_string(PeeringStatus status) {
    switch (status) {
        case PeeringStatus::Active:
            return "active";
        case PeeringStatus::PendingAcceptance:
            return "pending-acceptance";
        case PeeringStatus::Rejected:
            return "rejected";
        case PeeringStatus::Deleted:
            return "deleted";
        case PeeringStatus::Failed:
            return "failed";
    }
    return "?";
}

std::optional<PeeringStatus> parse_peering_status(std::string_view text) {
    for (auto s : {PeeringStatus::Active, PeeringStatus::PendingAcceptance, PeeringStatus::Rejected,
                   PeeringStatus::Deleted, PeeringStatus::Failed}) {
        if (to_string(s) == text) return s;
    }
    return std::nullopt;
}

}  // namespace vpcstack::model
