// The engine's pipeline. Each stage is one member function with one verb; it either hands the
// packet to the next stage or ends its journey (deliver, reply, drop with a named reason). The
// cloud's rules themselves live in policy/; stages only call them.
//
//   receive -> parse -> { answer_arp | eni_send | internet_receive }
//   eni_send: ENI checks, security group egress, then same-subnet delivery or route_from_subnet
//   route_from_subnet: ACL outbound, route lookup, then the target:
//     local -> deliver_in_vpc | igw -> igw_send | nat -> nat_send | peering -> peering_send |
//     eni/instance -> middlebox_send
//   every way into an ENI: enter_subnet (ACL inbound) -> enter_eni (checks, security group
//   ingress) -> deliver
#include "vpcstack/engine/engine.hpp"

#include <algorithm>
#include <cstring>
#include <optional>
#include <unordered_map>

#include <fmt/format.h>

#include "vpcstack/engine/checksum.hpp"
#include "vpcstack/engine/nat_table.hpp"
#include "vpcstack/engine/packet.hpp"
#include "vpcstack/engine/replies.hpp"
#include "vpcstack/policy/nat.hpp"
#include "vpcstack/policy/network_acl.hpp"
#include "vpcstack/policy/route_table.hpp"
#include "vpcstack/policy/security_group.hpp"

namespace vpcstack::engine {

namespace {

using model::Index;
using model::kNone;
using policy::Direction;

// The VPC router is not a hop: it does not decrement TTL (commonly reported; not in the cloud's
// documentation). Kept in this one place so it can change.
constexpr bool kVpcRouterDecrementsTtl = false;

// Large enough for a GSO frame handed over whole by a live lab.
constexpr std::size_t kMaxFrame = 65536 + kEthernetHeaderSize;

// AWS: PG vpc-peering-basics — the MTU of an inter-region peering.
constexpr std::size_t kInterRegionMtu = 1500;

constexpr net::Cidr kLinkLocal{net::Ipv4Address(169, 254, 0, 0), 16};
constexpr net::Ipv4Address kMetadataAddress{169, 254, 169, 254};
constexpr net::Ipv4Address kLinkLocalDnsAddress{169, 254, 169, 253};
constexpr net::Cidr kMulticast{net::Ipv4Address(224, 0, 0, 0), 4};
constexpr net::Ipv4Address kLimitedBroadcast{255, 255, 255, 255};

using ComponentId = std::uint32_t;

enum class OwnerKind : std::uint8_t { Eni, NatGateway };
struct Owner {
    OwnerKind kind = OwnerKind::Eni;
    Index index = kNone;
};

std::uint64_t mac_key(const net::MacAddress& m) noexcept {
    std::uint64_t k = 0;
    for (std::uint8_t o : m.octets()) k = (k << 8) | o;
    return k;
}

std::uint64_t vpc_address_key(Index vpc, net::Ipv4Address a) noexcept {
    return (std::uint64_t{vpc} << 32) | a.value();
}

std::string tcp_flags_text(std::uint8_t flags) {
    std::string out;
    auto add = [&](std::uint8_t bit, const char* name) {
        if ((flags & bit) == 0) return;
        if (!out.empty()) out += ",";
        out += name;
    };
    add(kTcpSyn, "SYN");
    add(kTcpAck, "ACK");
    add(kTcpFin, "FIN");
    add(kTcpRst, "RST");
    add(0x08, "PSH");
    return out;
}

std::string summarize(const ParsedFrame& pf) {
    switch (pf.outcome) {
        case ParseOutcome::Arp:
            if (pf.arp_op == 1) {
                return fmt::format("arp who-has {} tell {}", pf.arp_target_ip.to_string(),
                                   pf.arp_sender_ip.to_string());
            }
            return fmt::format("arp {} is-at {}", pf.arp_sender_ip.to_string(),
                               pf.arp_sender_mac.to_string());
        case ParseOutcome::NotIpv4:
            return fmt::format("ethertype 0x{:04x}", pf.ether_type);
        case ParseOutcome::Malformed:
            return "malformed frame";
        case ParseOutcome::Ipv4:
            break;
    }
    std::string s = pf.tuple.to_string();
    if (pf.key.protocol == net::Protocol::kTcp && pf.has_l4) {
        s += " [" + tcp_flags_text(pf.tcp_flags) + "]";
    } else if (pf.key.protocol == net::Protocol::kIcmp && pf.has_l4) {
        s += fmt::format(" type {} code {}", pf.icmp_type, pf.icmp_code);
    }
    if (pf.fragment) s += pf.first_fragment ? " (first fragment)" : " (fragment)";
    return s;
}

std::string endpoint(net::Ipv4Address a, std::uint16_t port, std::uint8_t protocol) {
    if (protocol == net::Protocol::kTcp || protocol == net::Protocol::kUdp) {
        return fmt::format("{}:{}", a.to_string(), port);
    }
    if (protocol == net::Protocol::kIcmp) return fmt::format("{} id {}", a.to_string(), port);
    return a.to_string();
}

// One packet's metadata, travelling beside its bytes.
struct Context;
struct Context {
    std::span<std::uint8_t> frame;           // the engine's working copy, rewritten in place
    std::span<const std::uint8_t> original;  // as received, for ICMP errors and RSTs
    ParsedFrame pf;
    ParsedFrame original_pf;
    TimeNs now = 0;
    PortId ingress = 0;
    bool via_peering = false;  // arrived over a peering connection
    Index via_nat = kNone;     // translated by this NAT gateway
    std::size_t path_mtu = 0;  // a smaller MTU on the way (inter-region peering); 0: none
    PacketTrace* trace = nullptr;
};

// Formats a trace detail only when the packet is traced: drops on an untraced path build no
// strings.
template <typename... Args>
std::string say(const Context& ctx, fmt::format_string<Args...> format, Args&&... args) {
    if (ctx.trace == nullptr) return {};
    return fmt::format(format, std::forward<Args>(args)...);
}

}  // namespace

struct Engine::Impl {
    struct EniState {
        Index index = kNone;
        Index subnet = kNone;
        Index vpc = kNone;
        net::MacAddress mac;
        std::vector<net::Ipv4Address> ips;
        bool source_dest_check = true;
        bool running = true;
        std::vector<const policy::CompiledGroup*> groups;
        ConntrackTable conntrack;
        ComponentId component = 0;
        // Datagrams whose first fragment the security groups allowed, until when the rest may
        // follow: later fragments carry no ports to match.
        std::unordered_map<std::uint64_t, TimeNs> admitted_fragments;

        bool owns(net::Ipv4Address a) const noexcept {
            return std::find(ips.begin(), ips.end(), a) != ips.end();
        }
    };

    Impl(const model::Topology& t, FrameSink& s, EngineConfig c);

    // Stages.
    void receive(PortId ingress, std::span<const std::uint8_t> frame, TimeNs now);
    void dispatch(Context& ctx);
    void answer_arp(Context& ctx);
    void eni_send(Context& ctx);
    // Security group stage of an ENI, for traffic it sends (Outbound) or receives (Inbound).
    bool security_group(Context& ctx, EniState& eni, Direction direction);
    void deliver_same_subnet(Context& ctx, const EniState& eni);
    void route_from_subnet(Context& ctx, Index subnet);
    bool acl_check(Context& ctx, Index subnet, Direction direction);
    void deliver_in_vpc(Context& ctx, Index vpc, Index from_subnet);
    bool enter_subnet(Context& ctx, Index subnet, Index from_subnet);
    void enter_eni(Context& ctx, Index eni);
    bool fragment_admitted(Context& ctx, EniState& eni, ComponentId comp);
    void admit_fragments(const Context& ctx, EniState& eni);
    void deliver(Context& ctx, const EniState& eni);
    void igw_send(Context& ctx, Index igw);
    void internet_receive(Context& ctx);
    void nat_send(Context& ctx, Index nat, Index from_subnet);
    void nat_receive(Context& ctx, Index nat);
    void peering_send(Context& ctx, Index peering, Index from_vpc);
    void middlebox_send(Context& ctx, Index eni, Index from_subnet);

    // Helpers.
    std::optional<Owner> owner_of(Index vpc, net::Ipv4Address a) const noexcept;
    bool routes_through_nat(Index subnet, net::Ipv4Address dst) const noexcept;
    bool services_check(Context& ctx, const EniState& eni);
    void transmit(Context& ctx, PortId port, std::span<const std::uint8_t> frame);
    void finish_delivered(Context& ctx, PortId port);
    void reply(Context& ctx, std::span<const std::uint8_t> frame);
    void send_icmp_error(Context& ctx, std::uint8_t type, std::uint8_t code, std::uint16_t mtu,
                         net::Ipv4Address from);
    void transmit_fragments(Context& ctx, PortId port, std::size_t mtu);
    bool path_mtu_check(Context& ctx, std::size_t mtu, ComponentId comp, std::string_view kind);
    void drop(Context& ctx, DropReason reason, ComponentId component, std::string_view kind,
              std::string_view rule = {}, std::string detail = {});
    void step(Context& ctx, ComponentId component, std::string_view kind, std::string_view action,
              std::string rule = {}, std::string detail = {});
    void touch(ComponentId c) noexcept { ++component_counts[c].packets; }
    ComponentId add_component(std::string name);
    const std::string& name_of(ComponentId c) const { return component_names[c]; }

    const model::Topology& topo;
    FrameSink& sink;
    EngineConfig config;
    std::function<void(PacketTrace&&)> trace_callback;

    policy::GroupMembership membership;
    std::vector<policy::CompiledGroup> groups;
    std::vector<policy::CompiledAcl> acls;
    std::vector<policy::CompiledRouteTable> route_tables;
    std::vector<EniState> enis;
    std::vector<NatTable> nats;
    std::vector<std::unordered_map<std::uint32_t, Owner>> vpc_addresses;  // private, per VPC
    std::unordered_map<std::uint32_t, Owner> public_addresses;
    std::unordered_map<std::uint64_t, net::Ipv4Address> private_to_public;  // (vpc, ip)
    std::unordered_map<std::uint64_t, Index> mac_to_eni;

    // Counters, and the component each resource counts under.
    std::uint64_t received = 0;
    std::uint64_t transmitted = 0;
    std::array<std::uint64_t, kDropReasonCount> drops{};
    std::vector<std::string> component_names;
    std::vector<Counters::Component> component_counts;
    std::vector<ComponentId> sg_component, acl_component, rt_component, igw_component,
        nat_component, peering_component, router_component;
    ComponentId internet_component = 0;

    std::vector<std::uint8_t> buffer;
    std::array<std::uint8_t, kReplyBufferSize> reply_buffer{};
    std::vector<std::uint8_t> fragment_buffer;
    std::uint64_t next_trace_id = 0;
};

// ---------------------------------------------------------------------------------------------
// Compilation: the topology becomes flat tables the stages read.

Engine::Impl::Impl(const model::Topology& t, FrameSink& s, EngineConfig c)
    : topo(t), sink(s), config(c), membership(t), buffer(kMaxFrame), fragment_buffer(kMaxFrame) {
    for (Index i = 0; i < topo.security_groups.size(); ++i) {
        const auto& sg = topo.security_groups[i];
        groups.push_back(policy::compile_group(topo, i, sg.ingress, sg.egress, membership));
        sg_component.push_back(add_component("sg/" + groups.back().name));
    }
    for (const auto& acl : topo.network_acls) {
        acls.emplace_back(acl);
        acl_component.push_back(add_component("acl/" + topo.qualified_name(acl.meta, acl.vpc)));
    }
    for (Index i = 0; i < topo.route_tables.size(); ++i) {
        route_tables.emplace_back(topo, i);
        const auto& rt = topo.route_tables[i];
        rt_component.push_back(add_component("rt/" + topo.qualified_name(rt.meta, rt.vpc)));
    }
    for (const auto& igw : topo.internet_gateways) {
        igw_component.push_back(add_component("igw/" + topo.qualified_name(igw.meta, igw.vpc)));
    }
    for (const auto& p : topo.peerings) {
        peering_component.push_back(add_component("peering/" + p.meta.name));
    }
    for (const auto& v : topo.vpcs) {
        router_component.push_back(add_component("vpc-router/" + v.meta.name));
    }
    internet_component = add_component("internet");

    vpc_addresses.resize(topo.vpcs.size());
    for (Index i = 0; i < topo.enis.size(); ++i) {
        const model::Eni& e = topo.enis[i];
        EniState st{.index = i,
                    .subnet = e.subnet,
                    .vpc = e.vpc,
                    .mac = e.mac,
                    .ips = e.private_ips,
                    .source_dest_check = e.source_dest_check,
                    .running = e.instance == kNone || e.instance >= topo.instances.size() ||
                               topo.instances[e.instance].running,
                    .groups = {},
                    .conntrack = ConntrackTable(config.conntrack_capacity_per_eni,
                                                config.conntrack_timeouts),
                    .component = add_component("eni/" + e.meta.name),
                    .admitted_fragments = {}};
        for (Index g : e.security_groups) {
            if (g < groups.size()) st.groups.push_back(&groups[g]);
        }
        enis.push_back(std::move(st));
        for (net::Ipv4Address ip : e.private_ips) {
            if (e.vpc < vpc_addresses.size())
                vpc_addresses[e.vpc][ip.value()] = {OwnerKind::Eni, i};
        }
        mac_to_eni[mac_key(e.mac)] = i;
        // AWS: VPC_Internet_Gateway — a public or Elastic IP maps 1:1 to the primary private IP.
        if (auto pub = topo.public_address_of_eni(i); pub && !e.private_ips.empty()) {
            public_addresses[pub->value()] = {OwnerKind::Eni, i};
            private_to_public[vpc_address_key(e.vpc, e.primary_ip())] = *pub;
        }
    }
    for (Index i = 0; i < topo.nat_gateways.size(); ++i) {
        const model::NatGateway& n = topo.nat_gateways[i];
        nats.emplace_back(n.private_ip, config.nat_max_per_destination, config.nat_idle_timeout);
        nat_component.push_back(add_component("nat/" + topo.qualified_name(n.meta, n.vpc)));
        if (n.vpc < vpc_addresses.size()) {
            vpc_addresses[n.vpc][n.private_ip.value()] = {OwnerKind::NatGateway, i};
        }
        if (auto pub = topo.public_address_of_nat(i)) {
            public_addresses[pub->value()] = {OwnerKind::NatGateway, i};
            private_to_public[vpc_address_key(n.vpc, n.private_ip)] = *pub;
        }
    }
}

ComponentId Engine::Impl::add_component(std::string name) {
    component_names.push_back(std::move(name));
    component_counts.emplace_back();
    return static_cast<ComponentId>(component_names.size() - 1);
}

std::optional<Owner> Engine::Impl::owner_of(Index vpc, net::Ipv4Address a) const noexcept {
    if (vpc >= vpc_addresses.size()) return std::nullopt;
    auto it = vpc_addresses[vpc].find(a.value());
    if (it == vpc_addresses[vpc].end()) return std::nullopt;
    return it->second;
}

bool Engine::Impl::routes_through_nat(Index subnet, net::Ipv4Address dst) const noexcept {
    const model::Subnet& s = topo.subnets[subnet];
    if (s.cidr.contains(dst) || s.route_table >= route_tables.size()) return false;
    const policy::CompiledRoute* r = route_tables[s.route_table].lookup(dst);
    return r != nullptr && r->kind == model::RouteTargetKind::NatGateway;
}

// ---------------------------------------------------------------------------------------------
// Trace, counters, output.

void Engine::Impl::step(Context& ctx, ComponentId component, std::string_view kind,
                        std::string_view action, std::string rule, std::string detail) {
    if (ctx.trace == nullptr) return;
    ctx.trace->steps.push_back(TraceStep{name_of(component), std::string(kind), std::string(action),
                                         std::move(rule), std::move(detail), std::nullopt});
}

void Engine::Impl::drop(Context& ctx, DropReason reason, ComponentId component,
                        std::string_view kind, std::string_view rule, std::string detail) {
    ++drops[static_cast<std::size_t>(reason)];
    ++component_counts[component].drops;
    if (ctx.trace == nullptr) return;
    if (detail.empty()) detail = std::string(info(reason).explanation);
    ctx.trace->steps.push_back(TraceStep{name_of(component), std::string(kind), "drop",
                                         std::string(rule), std::move(detail), reason});
    ctx.trace->fate = Fate::Dropped;
    ctx.trace->drop = reason;
}

void Engine::Impl::transmit(Context& ctx, PortId port, std::span<const std::uint8_t> frame) {
    (void)ctx;
    ++transmitted;
    sink.transmit(port, frame);
}

void Engine::Impl::finish_delivered(Context& ctx, PortId port) {
    if (ctx.trace == nullptr) return;
    ctx.trace->fate = Fate::Delivered;
    ctx.trace->egress = port;
}

// A frame the engine built, sent back out of the port the packet came in on.
void Engine::Impl::reply(Context& ctx, std::span<const std::uint8_t> frame) {
    transmit(ctx, ctx.ingress, frame);
    if (ctx.trace == nullptr) return;
    ctx.trace->fate = Fate::Replied;
    ctx.trace->egress = ctx.ingress;
}

void Engine::Impl::send_icmp_error(Context& ctx, std::uint8_t type, std::uint8_t code,
                                   std::uint16_t mtu, net::Ipv4Address from) {
    std::size_t n = build_icmp_error(reply_buffer, ctx.original, ctx.original_pf, type, code, mtu,
                                     from, ctx.original_pf.src_mac, kRouterMac);
    if (n == 0) return;
    transmit(ctx, ctx.ingress, std::span<const std::uint8_t>(reply_buffer.data(), n));
    if (ctx.trace != nullptr) ctx.trace->egress = ctx.ingress;
}

// ---------------------------------------------------------------------------------------------
// Ingress.

void Engine::Impl::receive(PortId ingress, std::span<const std::uint8_t> frame, TimeNs now) {
    ++received;
    std::optional<PacketTrace> trace;
    Context ctx;
    ctx.now = now;
    ctx.ingress = ingress;
    ctx.original = frame;
    if (config.trace) {
        trace.emplace();
        trace->id = ++next_trace_id;
        trace->time = now;
        trace->ingress = ingress;
        ctx.trace = &*trace;
    }
    std::size_t n = std::min(frame.size(), buffer.size());
    if (n > 0) std::memcpy(buffer.data(), frame.data(), n);
    ctx.frame = std::span<std::uint8_t>(buffer.data(), n);
    ctx.pf = frame.size() > buffer.size() ? ParsedFrame{} : parse_frame(ctx.frame);
    if (ctx.pf.outcome == ParseOutcome::Ipv4) {
        ctx.frame = ctx.frame.first(ctx.pf.frame_length());  // drop Ethernet padding
        ctx.original_pf = ctx.pf;
    }
    if (ctx.trace != nullptr) {
        trace->tuple = ctx.pf.tuple;
        trace->summary = summarize(ctx.pf);
    }
    dispatch(ctx);
    if (trace && trace_callback) trace_callback(std::move(*trace));
}

void Engine::Impl::dispatch(Context& ctx) {
    bool from_internet = ctx.ingress == kInternetPort;
    if (!from_internet && ctx.ingress >= enis.size()) {
        drop(ctx, DropReason::Malformed, internet_component, "host", "",
             say(ctx, "no port {} in this topology", ctx.ingress));
        return;
    }
    ComponentId port = from_internet ? internet_component : enis[ctx.ingress].component;
    touch(port);
    switch (ctx.pf.outcome) {
        case ParseOutcome::Malformed:
            drop(ctx, DropReason::Malformed, port, from_internet ? "host" : "eni");
            return;
        case ParseOutcome::NotIpv4:
            drop(ctx, DropReason::NotIpv4, port, from_internet ? "host" : "eni", "",
                 say(ctx, "ethertype 0x{:04x} is not carried", ctx.pf.ether_type));
            return;
        case ParseOutcome::Arp:
            answer_arp(ctx);
            return;
        case ParseOutcome::Ipv4:
            break;
    }
    if (from_internet) {
        internet_receive(ctx);
    } else {
        eni_send(ctx);
    }
}

// AWS: the VPC router answers ARP for the subnet's router address (base+1). Within a subnet it
// answers for an ENI's address with that ENI's MAC (instances see each other's MACs, as in the
// cloud) and for other VPC addresses (NAT gateway, DNS, off-subnet) with kRouterMac; an unused
// address of the subnet gets no answer. On the internet port every address is answered with
// kRouterMac: the whole internet reaches the VPCs through it.
void Engine::Impl::answer_arp(Context& ctx) {
    const ParsedFrame& pf = ctx.pf;
    bool from_internet = ctx.ingress == kInternetPort;
    ComponentId port = from_internet ? internet_component : enis[ctx.ingress].component;
    std::string_view kind = from_internet ? "host" : "eni";
    if (pf.arp_op != 1) {
        drop(ctx, DropReason::Noise, port, kind, "", "ARP reply nobody asked for");
        return;
    }
    if (pf.arp_sender_ip == pf.arp_target_ip) {
        drop(ctx, DropReason::Noise, port, kind, "", "gratuitous ARP");
        return;
    }
    net::MacAddress answer = kRouterMac;
    ComponentId router = internet_component;
    if (!from_internet) {
        const EniState& eni = enis[ctx.ingress];
        router = router_component[eni.vpc];
        const net::Cidr& cidr = topo.subnets[eni.subnet].cidr;
        net::Ipv4Address target = pf.arp_target_ip;
        bool router_or_dns = target == cidr.network() + 1 || target == cidr.network() + 2;
        if (cidr.contains(target) && !router_or_dns) {
            auto owner = owner_of(eni.vpc, target);
            if (!owner) {
                drop(ctx, DropReason::HostUnreachable, router, "vpc-router", "",
                     say(ctx, "no interface holds {}", target.to_string()));
                return;
            }
            if (owner->kind == OwnerKind::Eni) answer = enis[owner->index].mac;
        }
    }
    std::size_t n = build_arp_reply(reply_buffer, pf, answer);
    if (ctx.trace != nullptr) {
        step(ctx, router, from_internet ? "internet-gateway" : "vpc-router", "reply", "",
             fmt::format("{} is-at {}", pf.arp_target_ip.to_string(), answer.to_string()));
    }
    reply(ctx, std::span<const std::uint8_t>(reply_buffer.data(), n));
}

// ---------------------------------------------------------------------------------------------
// Leaving an ENI.

void Engine::Impl::eni_send(Context& ctx) {
    EniState& eni = enis[ctx.ingress];
    const ParsedFrame& pf = ctx.pf;
    if (!eni.running) {
        drop(ctx, DropReason::InstanceStopped, eni.component, "eni");
        return;
    }
    if (pf.dst_mac.is_multicast()) {
        drop(ctx, DropReason::Noise, eni.component, "eni", "",
             "broadcast and multicast frames are not delivered");
        return;
    }
    if (pf.dst_mac != kRouterMac && !mac_to_eni.contains(mac_key(pf.dst_mac))) {
        drop(ctx, DropReason::WrongDestinationMac, eni.component, "eni", "",
             say(ctx, "{} is neither the router nor an interface", pf.dst_mac.to_string()));
        return;
    }
    // AWS: subnet-sizing — broadcast and multicast are not supported.
    const net::Cidr& cidr = topo.subnets[eni.subnet].cidr;
    if (pf.key.dst == kLimitedBroadcast || kMulticast.contains(pf.key.dst) ||
        pf.key.dst == cidr.last()) {
        drop(ctx, DropReason::Noise, eni.component, "eni", "",
             "broadcast and multicast are not delivered");
        return;
    }
    // AWS: EC2 using-eni — with source/destination check on, an ENI only sends from its own
    // addresses.
    if (eni.source_dest_check && !eni.owns(pf.key.src)) {
        drop(ctx, DropReason::SourceDestCheck, eni.component, "eni", "source/dest check: on",
             say(ctx, "source {} is not an address of this interface", pf.key.src.to_string()));
        return;
    }
    if (!services_check(ctx, eni)) return;
    if (ctx.trace != nullptr)
        step(ctx, eni.component, "eni", "forward", "", "sent by the instance");
    if (!security_group(ctx, eni, Direction::Outbound)) return;
    // AWS: VPC_Route_Tables, vpc-network-acls — within a subnet neither the route table nor the
    // network ACL applies.
    if (cidr.contains(pf.key.dst)) {
        deliver_same_subnet(ctx, eni);
    } else {
        route_from_subnet(ctx, eni.subnet);
    }
}

// AWS: vpc-dns, ec2-instance-metadata — the DNS resolver (VPC base + 2, 169.254.169.253) and
// the metadata service (169.254.169.254) are not modelled yet: their packets are dropped with
// their own reason instead of disappearing. 169.254.0.0/16 is otherwise never routed.
bool Engine::Impl::services_check(Context& ctx, const EniState& eni) {
    net::Ipv4Address dst = ctx.pf.key.dst;
    const model::Vpc& vpc = topo.vpcs[eni.vpc];
    bool dns = dst == kLinkLocalDnsAddress ||
               (!vpc.cidrs.empty() && dst == vpc.cidrs.front().network() + 2) ||
               dst == topo.subnets[eni.subnet].cidr.network() + 2;
    if (dns || dst == kMetadataAddress) {
        drop(ctx, DropReason::ServiceNotModelled, router_component[eni.vpc], "vpc-router", "",
             say(ctx, "{} is the {}, which is not modelled", dst.to_string(),
                 dns ? "DNS resolver" : "instance metadata service"));
        return false;
    }
    if (kLinkLocal.contains(dst)) {
        drop(ctx, DropReason::LinkLocal, router_component[eni.vpc], "vpc-router", "",
             say(ctx, "{} is link-local", dst.to_string()));
        return false;
    }
    return true;
}

// AWS: EC2 security-group-connection-tracking — a packet of a tracked flow passes; a new flow
// needs a rule of the direction it travels and is tracked unless it qualifies as untracked.
// Flows through a NAT gateway are always tracked.
bool Engine::Impl::security_group(Context& ctx, EniState& eni, Direction direction) {
    const ParsedFrame& pf = ctx.pf;
    const bool outbound = direction == Direction::Outbound;
    ComponentId first = eni.groups.empty() ? eni.component : sg_component[eni.groups[0]->index];
    if (pf.fragment && !pf.first_fragment) return fragment_admitted(ctx, eni, first);
    auto hit = eni.conntrack.find(pf.tuple, ctx.now);
    if (hit.entry != nullptr) {
        touch(first);
        if (ctx.trace != nullptr) {
            step(ctx, first, "security-group", "allow", "",
                 hit.reply ? "established (reply of a tracked flow)" : "established");
        }
        if (pf.fragment) admit_fragments(ctx, eni);
        return true;
    }
    if (pf.icmp_inner.present && eni.conntrack.contains_either_way(pf.icmp_inner.tuple, ctx.now)) {
        touch(first);
        if (ctx.trace != nullptr) step(ctx, first, "security-group", "allow", "", "related");
        return true;
    }
    policy::SgVerdict v = policy::evaluate(eni.groups, direction, pf.key);
    if (!v.allowed) {
        touch(first);
        drop(ctx, DropReason::SecurityGroupNoMatch, first, "security-group",
             outbound ? "no outbound rule allows it" : "no inbound rule allows it");
        return false;
    }
    ComponentId comp = sg_component[v.group->index];
    touch(comp);
    const bool through_nat =
        outbound ? routes_through_nat(eni.subnet, pf.key.dst) : ctx.via_nat != kNone;
    bool untracked = !through_nat && policy::is_untracked_flow(eni.groups, direction, pf.key);
    if (!untracked &&
        eni.conntrack.insert(pf.tuple, ctx.now) == ConntrackTable::InsertOutcome::Full) {
        drop(ctx, DropReason::ConntrackFull, comp, "security-group", "",
             say(ctx, "{} connections tracked", eni.conntrack.size()));
        return false;
    }
    if (ctx.trace != nullptr) {
        step(ctx, comp, "security-group", "allow",
             (outbound ? "outbound: " : "inbound: ") + v.rule->text,
             untracked ? "new, untracked" : "new, tracked");
    }
    if (pf.fragment) admit_fragments(ctx, eni);
    return true;
}

namespace {
constexpr TimeNs kFragmentTimeout = 30 * kNsPerSecond;  // as Linux's ipfrag_time
std::uint64_t fragment_key(const ParsedFrame& pf) noexcept {
    return (std::uint64_t{pf.key.src.value()} * 0x9E3779B97F4A7C15ULL) ^
           (std::uint64_t{pf.key.dst.value()} << 24) ^ (std::uint64_t{pf.ip_id} << 8) ^
           pf.key.protocol;
}
}  // namespace

// The first fragment of a datagram was allowed at this ENI: let the rest follow.
void Engine::Impl::admit_fragments(const Context& ctx, EniState& eni) {
    if (!ctx.pf.first_fragment) return;
    eni.admitted_fragments[fragment_key(ctx.pf)] = ctx.now + kFragmentTimeout;
}

// A later fragment has no ports: it passes when its datagram's first fragment did.
bool Engine::Impl::fragment_admitted(Context& ctx, EniState& eni, ComponentId comp) {
    touch(comp);
    auto it = eni.admitted_fragments.find(fragment_key(ctx.pf));
    if (it == eni.admitted_fragments.end() || it->second < ctx.now) {
        drop(ctx, DropReason::SecurityGroupNoMatch, comp, "security-group", "",
             "a fragment whose first fragment was not allowed");
        return false;
    }
    if (ctx.trace != nullptr) {
        step(ctx, comp, "security-group", "allow", "", "fragment of an allowed datagram");
    }
    return true;
}

void Engine::Impl::deliver_same_subnet(Context& ctx, const EniState& from) {
    ComponentId router = router_component[from.vpc];
    touch(router);
    auto owner = owner_of(from.vpc, ctx.pf.key.dst);
    if (!owner || owner->kind != OwnerKind::Eni) {
        drop(ctx, DropReason::HostUnreachable, router, "vpc-router", "",
             say(ctx, "no interface holds {}", ctx.pf.key.dst.to_string()));
        return;
    }
    if (ctx.trace != nullptr) {
        step(ctx, router, "vpc-router", "forward", "",
             "same subnet: no route table, no network ACL");
    }
    enter_eni(ctx, owner->index);
}

// ---------------------------------------------------------------------------------------------
// The VPC router.

bool Engine::Impl::acl_check(Context& ctx, Index subnet, Direction direction) {
    Index acl = topo.subnets[subnet].network_acl;
    if (acl >= acls.size()) return true;  // validation guarantees one; be lenient if absent
    ComponentId comp = acl_component[acl];
    touch(comp);
    policy::AclVerdict v = acls[acl].evaluate(direction, ctx.pf.key);
    if (!v.allowed) {
        drop(ctx, DropReason::AclDenied, comp, "network-acl",
             ctx.trace != nullptr ? policy::describe(direction, v) : std::string());
        return false;
    }
    if (ctx.trace != nullptr) {
        step(ctx, comp, "network-acl", "allow", policy::describe(direction, v));
    }
    return true;
}

void Engine::Impl::route_from_subnet(Context& ctx, Index subnet) {
    const model::Subnet& s = topo.subnets[subnet];
    // AWS: vpc-network-acls — traffic leaving a subnet passes its ACL's outbound rules.
    if (!acl_check(ctx, subnet, Direction::Outbound)) return;
    ComponentId comp = rt_component[s.route_table];
    touch(comp);
    // AWS: VPC_Route_Tables — each direction uses the table of the subnet it leaves.
    const policy::CompiledRoute* r = route_tables[s.route_table].lookup(ctx.pf.key.dst);
    if (r == nullptr) {
        drop(ctx, DropReason::NoRoute, comp, "route-table", "",
             say(ctx, "no route to {}", ctx.pf.key.dst.to_string()));
        return;
    }
    if (r->blackhole) {
        drop(ctx, DropReason::Blackhole, comp, "route-table", r->text, r->blackhole_reason);
        return;
    }
    if (ctx.trace != nullptr) step(ctx, comp, "route-table", "forward", r->text);
    if constexpr (kVpcRouterDecrementsTtl) decrement_ttl(ctx.frame, ctx.pf);
    using K = model::RouteTargetKind;
    switch (r->kind) {
        case K::Local:
            deliver_in_vpc(ctx, s.vpc, subnet);
            return;
        case K::InternetGateway:
            igw_send(ctx, r->target);
            return;
        case K::NatGateway:
            nat_send(ctx, r->target, subnet);
            return;
        case K::Peering:
            peering_send(ctx, r->target, s.vpc);
            return;
        case K::Instance:
        case K::Eni:
            middlebox_send(ctx, r->target, subnet);
            return;
        case K::Blackhole:
            break;
    }
    drop(ctx, DropReason::Blackhole, comp, "route-table", r->text);
}

void Engine::Impl::deliver_in_vpc(Context& ctx, Index vpc, Index from_subnet) {
    ComponentId router = router_component[vpc];
    touch(router);
    auto owner = owner_of(vpc, ctx.pf.key.dst);
    if (!owner) {
        drop(ctx, DropReason::HostUnreachable, router, "vpc-router", "",
             say(ctx, "no interface holds {}", ctx.pf.key.dst.to_string()));
        return;
    }
    if (owner->kind == OwnerKind::NatGateway) {
        drop(ctx, DropReason::HostUnreachable, router, "vpc-router", "",
             say(ctx, "{} is a NAT gateway, which only forwards", ctx.pf.key.dst.to_string()));
        return;
    }
    if (!enter_subnet(ctx, enis[owner->index].subnet, from_subnet)) return;
    enter_eni(ctx, owner->index);
}

// AWS: vpc-network-acls — traffic entering a subnet from outside it passes the ACL's inbound
// rules.
bool Engine::Impl::enter_subnet(Context& ctx, Index subnet, Index from_subnet) {
    if (subnet == from_subnet) return true;
    return acl_check(ctx, subnet, Direction::Inbound);
}

// ---------------------------------------------------------------------------------------------
// Entering an ENI.

void Engine::Impl::enter_eni(Context& ctx, Index index) {
    EniState& eni = enis[index];
    touch(eni.component);
    if (!eni.running) {
        drop(ctx, DropReason::InstanceStopped, eni.component, "eni");
        return;
    }
    // AWS: EC2 using-eni — with source/destination check on, an ENI drops traffic it receives
    // that is not addressed to one of its addresses.
    if (eni.source_dest_check && !eni.owns(ctx.pf.key.dst)) {
        drop(ctx, DropReason::SourceDestCheck, eni.component, "eni", "source/dest check: on",
             say(ctx, "destination {} is not an address of this interface",
                 ctx.pf.key.dst.to_string()));
        return;
    }
    if (!security_group(ctx, eni, Direction::Inbound)) return;
    deliver(ctx, eni);
}

void Engine::Impl::deliver(Context& ctx, const EniState& eni) {
    std::uint8_t* eth = ctx.frame.data();
    store_mac(eth, eni.mac);
    store_mac(eth + 6, kRouterMac);
    if (ctx.trace != nullptr) {
        step(ctx, eni.component, "eni", "deliver", "",
             fmt::format("to {}", ctx.pf.key.dst.to_string()));
    }
    if (ctx.path_mtu != 0 && ctx.pf.ip_total_length > ctx.path_mtu) {
        transmit_fragments(ctx, eni.index, ctx.path_mtu);
    } else {
        transmit(ctx, eni.index, ctx.frame);
    }
    finish_delivered(ctx, eni.index);
}

// ---------------------------------------------------------------------------------------------
// Internet gateway.

void Engine::Impl::igw_send(Context& ctx, Index igw) {
    ComponentId comp = igw_component[igw];
    touch(comp);
    // AWS: vpc-peering-basics — no edge-to-edge routing through a peer's internet gateway.
    if (ctx.via_peering) {
        drop(ctx, DropReason::NotTransitive, comp, "internet-gateway");
        return;
    }
    Index vpc = topo.internet_gateways[igw].vpc;
    auto pub = private_to_public.find(vpc_address_key(vpc, ctx.pf.key.src));
    // AWS: VPC_Internet_Gateway — only the primary private IP of an ENI with a public or Elastic
    // IP (or a NAT gateway's) leaves through the internet gateway.
    if (pub == private_to_public.end()) {
        drop(ctx, DropReason::NoPublicIp, comp, "internet-gateway", "",
             say(ctx, "{} has no public IPv4 address", ctx.pf.key.src.to_string()));
        return;
    }
    // AWS: EC2 network_mtu — at most 1500 bytes through the internet gateway; with DF set the
    // sender gets ICMP fragmentation needed. Without DF the packet is fragmented.
    bool too_big = ctx.pf.ip_total_length > config.internet_mtu;
    if (!path_mtu_check(ctx, config.internet_mtu, comp, "internet-gateway")) return;
    net::Ipv4Address before = ctx.pf.key.src;
    rewrite_src_address(ctx.frame, ctx.pf, pub->second);
    // An ICMP error quotes the packet it answers: its destination was the private address.
    const IcmpErrorInner& inner = ctx.pf.icmp_inner;
    if (inner.present && inner.tuple.dst == before) {
        std::uint16_t keep = inner.tuple.protocol == net::Protocol::kIcmp ? inner.tuple.src_port
                                                                          : inner.tuple.dst_port;
        rewrite_icmp_inner(ctx.frame, ctx.pf, false, pub->second, keep);
    }
    if (ctx.trace != nullptr) {
        step(ctx, comp, "internet-gateway", "translate", "",
             fmt::format("src {} -> {}", before.to_string(), pub->second.to_string()));
    }
    std::uint8_t* eth = ctx.frame.data();
    store_mac(eth, kInternetMac);
    store_mac(eth + 6, kRouterMac);
    if (too_big) {
        transmit_fragments(ctx, kInternetPort, config.internet_mtu);
    } else {
        transmit(ctx, kInternetPort, ctx.frame);
    }
    finish_delivered(ctx, kInternetPort);
}

// A packet larger than `mtu` with DF set is dropped and its sender told the MTU (ICMP type 3
// code 4, RFC 1191), from its subnet's router address. Returns false when it was dropped.
bool Engine::Impl::path_mtu_check(Context& ctx, std::size_t mtu, ComponentId comp,
                                  std::string_view kind) {
    if (ctx.pf.ip_total_length <= mtu || !ctx.pf.dont_fragment) return true;
    net::Ipv4Address from = ctx.original_pf.key.dst;
    if (ctx.ingress < enis.size()) from = topo.subnets[enis[ctx.ingress].subnet].cidr.network() + 1;
    send_icmp_error(ctx, 3, 4, static_cast<std::uint16_t>(mtu), from);
    drop(ctx, DropReason::MtuExceeded, comp, kind, "",
         say(ctx, "{} bytes > MTU {} with DF: ICMP fragmentation needed sent",
             ctx.pf.ip_total_length, mtu));
    return false;
}

// RFC 791 fragmentation to `mtu`. Options stay in the first fragment only.
void Engine::Impl::transmit_fragments(Context& ctx, PortId port, std::size_t mtu) {
    const ParsedFrame& pf = ctx.pf;
    const std::uint8_t* ip = ctx.frame.data() + pf.l3;
    std::size_t payload = pf.ip_total_length - pf.ip_header_size;
    std::uint16_t flags_offset = load16(ip + 6);
    std::size_t base_offset = (flags_offset & 0x1fffU) * 8U;
    bool more_after = (flags_offset & 0x2000) != 0;
    std::size_t sent = 0;
    std::size_t count = 0;
    while (sent < payload) {
        std::size_t header = sent == 0 ? pf.ip_header_size : kIpv4MinHeaderSize;
        std::size_t room = ((mtu - header) / 8) * 8;
        std::size_t chunk = std::min(room, payload - sent);
        bool last = sent + chunk == payload;
        std::uint8_t* out = fragment_buffer.data();
        std::memcpy(out, ctx.frame.data(), kEthernetHeaderSize + kIpv4MinHeaderSize);
        if (sent == 0) {
            std::memcpy(out + kEthernetHeaderSize, ip, header);
        }
        std::uint8_t* oip = out + kEthernetHeaderSize;
        oip[0] = static_cast<std::uint8_t>(0x40 | (header / 4));
        store16(oip + 2, static_cast<std::uint16_t>(header + chunk));
        std::size_t offset = (base_offset + sent) / 8;
        store16(oip + 6, static_cast<std::uint16_t>(((last && !more_after) ? 0 : 0x2000) | offset));
        store16(oip + 10, 0);
        store16(oip + 10, fold_checksum(ones_sum({oip, header})));
        std::memcpy(oip + header, ip + pf.ip_header_size + sent, chunk);
        transmit(ctx, port,
                 std::span<const std::uint8_t>(out, kEthernetHeaderSize + header + chunk));
        sent += chunk;
        ++count;
    }
    if (ctx.trace != nullptr) {
        step(ctx, port == kInternetPort ? internet_component : enis[port].component,
             port == kInternetPort ? "internet-gateway" : "eni", "forward", "",
             fmt::format("fragmented into {} packets for MTU {}", count, mtu));
    }
}

void Engine::Impl::internet_receive(Context& ctx) {
    const ParsedFrame& pf = ctx.pf;
    if (pf.dst_mac != kRouterMac) {
        bool noise = pf.dst_mac.is_multicast();
        drop(ctx, noise ? DropReason::Noise : DropReason::WrongDestinationMac, internet_component,
             "host", "", noise ? "" : "frames from the internet go to the router's MAC");
        return;
    }
    if (pf.key.dst == kLimitedBroadcast || kMulticast.contains(pf.key.dst)) {
        drop(ctx, DropReason::Noise, internet_component, "host");
        return;
    }
    auto it = public_addresses.find(pf.key.dst.value());
    if (it == public_addresses.end()) {
        drop(ctx, DropReason::NoMapping, internet_component, "internet-gateway", "",
             say(ctx, "{} is not a public address of any interface", pf.key.dst.to_string()));
        return;
    }
    Owner owner = it->second;
    Index vpc =
        owner.kind == OwnerKind::Eni ? enis[owner.index].vpc : topo.nat_gateways[owner.index].vpc;
    Index igw = topo.vpcs[vpc].internet_gateway;
    if (igw == kNone || igw >= igw_component.size()) {
        drop(ctx, DropReason::NoMapping, internet_component, "internet-gateway", "",
             say(ctx, "VPC {} has no internet gateway", topo.vpcs[vpc].meta.name));
        return;
    }
    ComponentId comp = igw_component[igw];
    touch(comp);
    // AWS: VPC_Internet_Gateway — inbound, the public address becomes the private one.
    net::Ipv4Address priv = owner.kind == OwnerKind::Eni
                                ? enis[owner.index].ips.front()
                                : topo.nat_gateways[owner.index].private_ip;
    net::Ipv4Address before = pf.key.dst;
    rewrite_dst_address(ctx.frame, ctx.pf, priv);
    // An ICMP error quotes the packet it answers, whose source was the public address.
    if (ctx.pf.icmp_inner.present && ctx.pf.icmp_inner.tuple.src == before) {
        rewrite_icmp_inner(ctx.frame, ctx.pf, true, priv, ctx.pf.icmp_inner.tuple.src_port);
    }
    if (ctx.trace != nullptr) {
        step(ctx, comp, "internet-gateway", "translate", "",
             fmt::format("dst {} -> {}", before.to_string(), priv.to_string()));
    }
    if (owner.kind == OwnerKind::NatGateway) {
        nat_receive(ctx, owner.index);
        return;
    }
    if (!enter_subnet(ctx, enis[owner.index].subnet, kNone)) return;
    enter_eni(ctx, owner.index);
}

// ---------------------------------------------------------------------------------------------
// NAT gateway.

void Engine::Impl::nat_send(Context& ctx, Index index, Index from_subnet) {
    const model::NatGateway& nat = topo.nat_gateways[index];
    ComponentId comp = nat_component[index];
    touch(comp);
    if (ctx.via_peering) {
        drop(ctx, DropReason::NotTransitive, comp, "nat-gateway");
        return;
    }
    if (!policy::nat_serves(nat, from_subnet)) {
        drop(ctx, DropReason::NatOwnSubnet, comp, "nat-gateway");
        return;
    }
    // AWS: vpc-nat-gateway — the NAT gateway has no security group; its subnet's ACL applies.
    if (!enter_subnet(ctx, nat.subnet, from_subnet)) return;
    // AWS: nat-gateway-troubleshooting — the NAT gateway is a hop: it decrements TTL.
    if (ctx.pf.ttl <= 1) {
        send_icmp_error(ctx, 11, 0, 0, nat.private_ip);
        drop(ctx, DropReason::TtlExceeded, comp, "nat-gateway", "",
             say(ctx, "ICMP time exceeded sent from {}", nat.private_ip.to_string()));
        return;
    }
    policy::NatPacketFacts facts{ctx.pf.key.protocol, ctx.pf.fragment, ctx.pf.first_fragment,
                                 ctx.pf.icmp_query};
    policy::NatHandling handling = policy::nat_handling(facts);
    if (handling == policy::NatHandling::Unsupported) {
        drop(ctx, DropReason::NatUnsupported, comp, "nat-gateway");
        return;
    }
    NatTable& table = nats[index];
    std::string before;
    if (ctx.trace != nullptr) {
        before = endpoint(ctx.pf.key.src, ctx.pf.tuple.src_port, ctx.pf.key.protocol);
    }
    if (handling == policy::NatHandling::TranslateAddress) {
        decrement_ttl(ctx.frame, ctx.pf);
        rewrite_src_address(ctx.frame, ctx.pf, nat.private_ip);
        if (ctx.trace != nullptr) {
            step(ctx, comp, "nat-gateway", "translate", "",
                 fmt::format("src {} -> {} (UDP fragment)", before, nat.private_ip.to_string()));
        }
        ctx.via_nat = index;
        route_from_subnet(ctx, nat.subnet);
        return;
    }
    NatMapping* m = table.find_outbound(ctx.pf.tuple, ctx.now);
    bool created = false;
    if (m == nullptr) {
        // AWS: vpc-nat-gateway — a TCP packet that is not a SYN and matches no translation
        // (an asymmetric SYN-ACK, or a connection past the idle timeout) is answered with RST.
        if (ctx.pf.key.protocol == net::Protocol::kTcp &&
            policy::answer_with_rst(ctx.pf.tcp_flags)) {
            std::size_t n = build_tcp_rst(reply_buffer, ctx.original, ctx.original_pf,
                                          ctx.original_pf.src_mac, kRouterMac);
            drop(ctx, DropReason::NatNoTranslation, comp, "nat-gateway", "",
                 "TCP packet that is not a SYN matches no translation: RST sent");
            if (n > 0) reply(ctx, std::span<const std::uint8_t>(reply_buffer.data(), n));
            return;
        }
        auto c = table.create(ctx.pf.tuple, ctx.now);
        if (c.outcome == NatTable::CreateOutcome::PortsExhausted) {
            drop(ctx, DropReason::NatPortsExhausted, comp, "nat-gateway", "",
                 say(ctx, "{} connections to {}", table.connections_to(ctx.pf.tuple),
                     endpoint(ctx.pf.key.dst, ctx.pf.tuple.dst_port, ctx.pf.key.protocol)));
            return;
        }
        m = c.mapping;
        created = true;
    }
    decrement_ttl(ctx.frame, ctx.pf);
    rewrite_src_address(ctx.frame, ctx.pf, nat.private_ip);
    rewrite_src_port(ctx.frame, ctx.pf, m->nat_port);
    if (ctx.trace != nullptr) {
        step(ctx, comp, "nat-gateway", "translate", "",
             fmt::format("src {} -> {}{}", before,
                         endpoint(nat.private_ip, m->nat_port, ctx.pf.key.protocol),
                         created ? " (new translation)" : ""));
    }
    ctx.via_nat = index;
    route_from_subnet(ctx, nat.subnet);
}

void Engine::Impl::nat_receive(Context& ctx, Index index) {
    const model::NatGateway& nat = topo.nat_gateways[index];
    ComponentId comp = nat_component[index];
    touch(comp);
    if (!enter_subnet(ctx, nat.subnet, kNone)) return;
    if (ctx.pf.fragment && !ctx.pf.first_fragment) {
        drop(ctx, DropReason::NatUnsupported, comp, "nat-gateway", "",
             "inbound fragments without a port are not reassembled");
        return;
    }
    // AWS: vpc-nat-gateway — replies are translated back only for existing translations. An
    // ICMP error belongs to the translation of the packet it quotes.
    const IcmpErrorInner& inner = ctx.pf.icmp_inner;
    bool icmp_error = inner.present && inner.has_ports;
    NatMapping* m = nullptr;
    if (icmp_error) {
        m = nats[index].find_inbound(reply_tuple(inner.tuple), ctx.now);
    } else if (ctx.pf.has_l4) {
        m = nats[index].find_inbound(ctx.pf.tuple, ctx.now);
    }
    if (m == nullptr) {
        drop(ctx, DropReason::NatNoTranslation, comp, "nat-gateway");
        return;
    }
    if (ctx.pf.ttl <= 1) {
        send_icmp_error(ctx, 11, 0, 0, nat.private_ip);
        drop(ctx, DropReason::TtlExceeded, comp, "nat-gateway");
        return;
    }
    std::string before;
    if (ctx.trace != nullptr) {
        before = endpoint(ctx.pf.key.dst,
                          ctx.pf.key.protocol == net::Protocol::kIcmp ? ctx.pf.tuple.src_port
                                                                      : ctx.pf.tuple.dst_port,
                          ctx.pf.key.protocol);
    }
    net::FiveTuple inside = m->inside;
    decrement_ttl(ctx.frame, ctx.pf);
    rewrite_dst_address(ctx.frame, ctx.pf, inside.src);
    if (icmp_error) {
        rewrite_icmp_inner(ctx.frame, ctx.pf, true, inside.src, inside.src_port);
    } else {
        rewrite_dst_port(ctx.frame, ctx.pf, inside.src_port);
    }
    if (ctx.trace != nullptr) {
        step(ctx, comp, "nat-gateway", "translate", "",
             fmt::format("dst {} -> {}", before,
                         endpoint(inside.src, inside.src_port, ctx.pf.key.protocol)));
    }
    ctx.via_nat = index;
    route_from_subnet(ctx, nat.subnet);
}

// ---------------------------------------------------------------------------------------------
// Peering and middleboxes.

void Engine::Impl::peering_send(Context& ctx, Index index, Index from_vpc) {
    const model::Peering& p = topo.peerings[index];
    ComponentId comp = peering_component[index];
    touch(comp);
    // AWS: vpc-peering-basics — not transitive: what arrived over a peering is delivered only
    // to an ENI of the receiving VPC.
    if (ctx.via_peering) {
        drop(ctx, DropReason::NotTransitive, comp, "peering");
        return;
    }
    Index other = p.requester == from_vpc ? p.accepter : p.requester;
    const model::Vpc& peer = topo.vpcs[other];
    net::Ipv4Address dst = ctx.pf.key.dst;
    bool inside = std::any_of(peer.cidrs.begin(), peer.cidrs.end(),
                              [&](const net::Cidr& c) { return c.contains(dst); });
    auto owner = inside ? owner_of(other, dst) : std::nullopt;
    if (!inside || (owner && owner->kind != OwnerKind::Eni)) {
        drop(ctx, DropReason::NotTransitive, comp, "peering", "",
             say(ctx, "{} is not an interface of VPC {}: a peering is not transitive",
                 dst.to_string(), peer.meta.name));
        return;
    }
    if (!owner) {
        drop(ctx, DropReason::HostUnreachable, comp, "peering", "",
             say(ctx, "no interface of VPC {} holds {}", peer.meta.name, dst.to_string()));
        return;
    }
    // AWS: PG vpc-peering-basics — MTU 9001 within a region, 1500 across regions.
    const std::string& from_region =
        topo.vpcs[from_vpc].region.empty() ? topo.region : topo.vpcs[from_vpc].region;
    const std::string& to_region = peer.region.empty() ? topo.region : peer.region;
    if (from_region != to_region) {
        if (!path_mtu_check(ctx, kInterRegionMtu, comp, "peering")) return;
        ctx.path_mtu = kInterRegionMtu;
    }
    if (ctx.trace != nullptr) {
        step(ctx, comp, "peering", "forward", "", fmt::format("into VPC {}", peer.meta.name));
    }
    ctx.via_peering = true;
    if (!enter_subnet(ctx, enis[owner->index].subnet, kNone)) return;
    enter_eni(ctx, owner->index);
}

// AWS: middlebox-routing — a route may send traffic to an ENI; the packet reaches it unchanged
// and is accepted only when that ENI's source/destination check is off.
void Engine::Impl::middlebox_send(Context& ctx, Index eni, Index from_subnet) {
    if (!enter_subnet(ctx, enis[eni].subnet, from_subnet)) return;
    enter_eni(ctx, eni);
}

// ---------------------------------------------------------------------------------------------
// The public face.

Engine::Engine(const model::Topology& topology, FrameSink& sink, EngineConfig config)
    : impl_(std::make_unique<Impl>(topology, sink, config)) {}

Engine::~Engine() = default;

void Engine::receive(PortId ingress, std::span<const std::uint8_t> frame, TimeNs now) {
    impl_->receive(ingress, frame, now);
}

void Engine::expire(TimeNs now) {
    for (auto& e : impl_->enis) {
        e.conntrack.expire(now);
        std::erase_if(e.admitted_fragments, [&](const auto& kv) { return kv.second < now; });
    }
    for (auto& n : impl_->nats) n.expire(now);
}

void Engine::set_trace_callback(std::function<void(PacketTrace&&)> callback) {
    impl_->trace_callback = std::move(callback);
}

Counters Engine::snapshot() const {
    Counters c;
    c.received = impl_->received;
    c.transmitted = impl_->transmitted;
    c.drops = impl_->drops;
    c.components.reserve(impl_->component_names.size());
    for (std::size_t i = 0; i < impl_->component_names.size(); ++i) {
        c.components.emplace_back(impl_->component_names[i], impl_->component_counts[i]);
    }
    return c;
}

const model::Topology& Engine::topology() const {
    return impl_->topo;
}

void Engine::replace_security_group_rules(model::Index group, std::vector<model::SgRule> ingress,
                                          std::vector<model::SgRule> egress) {
    if (group >= impl_->groups.size()) return;
    // Assigned in place: ENIs keep pointing at the same CompiledGroup.
    impl_->groups[group] =
        policy::compile_group(impl_->topo, group, ingress, egress, impl_->membership);
}

std::size_t Engine::tracked_connections(PortId eni_port) const {
    if (eni_port >= impl_->enis.size()) return 0;
    return impl_->enis[eni_port].conntrack.size();
}

std::size_t Engine::nat_translations(model::Index nat_gateway) const {
    if (nat_gateway >= impl_->nats.size()) return 0;
    return impl_->nats[nat_gateway].size();
}

}  // namespace vpcstack::engine
