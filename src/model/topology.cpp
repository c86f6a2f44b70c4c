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

bool ListenSet::listens(std::uint8_t protocol, std::uint16_t port) const noexcept {
    if (named) {
        for (const ListenPort& p : exact) {
            if (p.protocol == protocol && p.port == port) return true;
        }
        return false;
    }
    for (const Open& o : open) {
        if (o.protocol == protocol && o.ports.contains(port)) return true;
    }
    return false;
}

ListenSet Topology::listen_set(Index instance) const {
    const Instance& in = instances.at(instance);
    ListenSet out;
    if (in.listen) {
        out.named = true;
        out.exact = *in.listen;
        return out;
    }
    for (Index eni : in.enis) {
        for (Index group : enis.at(eni).security_groups) {
            for (const SgRule& rule : security_groups.at(group).ingress) {
                if (rule.protocol.is_all()) {
                    out.open.push_back({net::Protocol::kTcp, net::PortRange::all()});
                    out.open.push_back({net::Protocol::kUdp, net::PortRange::all()});
                } else if (rule.protocol.has_ports()) {
                    out.open.push_back({rule.protocol.number(), rule.ports});
                }
            }
        }
    }
    return out;
}

std::optional<net::Ipv4Address> Topology::public_address_of_lb_node(
    const LoadBalancerNode& node) const {
    if (node.elastic_ip != kNone) return elastic_ips.at(node.elastic_ip).address;
    return node.public_ip;
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

namespace {
// Table-driven spellings: one list per enum, read both ways.
template <class E, std::size_t N>
std::string spelled(const std::pair<E, const char*> (&table)[N], E value) {
    for (const auto& [e, text] : table) {
        if (e == value) return text;
    }
    return "?";
}
template <class E, std::size_t N>
std::optional<E> parsed(const std::pair<E, const char*> (&table)[N], std::string_view text) {
    for (const auto& [e, spelling] : table) {
        if (text == spelling) return e;
    }
    return std::nullopt;
}

constexpr std::pair<LbProtocol, const char*> kLbProtocols[] = {
    {LbProtocol::Tcp, "TCP"}, {LbProtocol::Udp, "UDP"},   {LbProtocol::TcpUdp, "TCP_UDP"},
    {LbProtocol::Tls, "TLS"}, {LbProtocol::Http, "HTTP"}, {LbProtocol::Https, "HTTPS"},
};
constexpr std::pair<ConditionField, const char*> kConditionFields[] = {
    {ConditionField::HostHeader, "host-header"},
    {ConditionField::PathPattern, "path-pattern"},
    {ConditionField::HttpHeader, "http-header"},
    {ConditionField::HttpRequestMethod, "http-request-method"},
    {ConditionField::QueryString, "query-string"},
    {ConditionField::SourceIp, "source-ip"},
};
}  // namespace

std::string to_string(LoadBalancerType type) {
    return type == LoadBalancerType::Network ? "network" : "application";
}
std::string to_string(LoadBalancerScheme scheme) {
    return scheme == LoadBalancerScheme::InternetFacing ? "internet-facing" : "internal";
}
std::string to_string(LbProtocol protocol) {
    return spelled(kLbProtocols, protocol);
}
std::string to_string(ActionKind kind) {
    switch (kind) {
        case ActionKind::Forward:
            return "forward";
        case ActionKind::Redirect:
            return "redirect";
        case ActionKind::FixedResponse:
            return "fixed-response";
    }
    return "?";
}
std::string to_string(ConditionField field) {
    return spelled(kConditionFields, field);
}
std::string to_string(TargetType type) {
    return type == TargetType::Instance ? "instance" : "ip";
}
std::string to_string(LbAlgorithm algorithm) {
    return algorithm == LbAlgorithm::RoundRobin ? "round_robin" : "least_outstanding_requests";
}
std::string to_string(StickinessKind kind) {
    switch (kind) {
        case StickinessKind::None:
            return "none";
        case StickinessKind::LbCookie:
            return "lb_cookie";
        case StickinessKind::AppCookie:
            return "app_cookie";
        case StickinessKind::SourceIp:
            return "source_ip";
    }
    return "?";
}
std::string to_string(AsgHealthCheckType type) {
    return type == AsgHealthCheckType::Ec2 ? "EC2" : "ELB";
}
std::string to_string(HealthCheckType type) {
    switch (type) {
        case HealthCheckType::Http:
            return "HTTP";
        case HealthCheckType::Https:
            return "HTTPS";
        case HealthCheckType::Tcp:
            return "TCP";
        case HealthCheckType::Calculated:
            return "CALCULATED";
    }
    return "?";
}
std::optional<LbProtocol> parse_lb_protocol(std::string_view text) {
    return parsed(kLbProtocols, text);
}
std::optional<ConditionField> parse_condition_field(std::string_view text) {
    return parsed(kConditionFields, text);
}

}  // namespace vpcstack::model
