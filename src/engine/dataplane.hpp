// The engine's insides, shared by the stages (src/engine/stages/) and nothing else: the lookup
// tables compiled from the topology (compile.cpp), the per-packet Context, the names of the
// stages (Next) and the helpers every stage uses to trace, count, drop and transmit.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <unordered_map>
#include <vector>

#include "lb_flows.hpp"
#include "vpcstack/dns/zones.hpp"
#include "vpcstack/engine/capture.hpp"
#include "vpcstack/engine/component.hpp"
#include "vpcstack/engine/conntrack.hpp"
#include "vpcstack/engine/engine.hpp"
#include "vpcstack/engine/nat_table.hpp"
#include "vpcstack/engine/packet.hpp"
#include "vpcstack/engine/replies.hpp"
#include "vpcstack/engine/trace.hpp"
#include "vpcstack/model/dns_views.hpp"
#include "vpcstack/model/invariant.hpp"
#include "vpcstack/policy/network_acl.hpp"
#include "vpcstack/policy/route_table.hpp"
#include "vpcstack/policy/security_group.hpp"

namespace vpcstack::engine {

// The stages of the pipeline. Each returns the next one; Done ends the packet's journey
// (delivered, answered or dropped). The graph is walked in engine.cpp.
enum class Next : std::uint8_t {
    Done,
    Arp,                     // stages/arp.cpp
    EniEgress,               // stages/eni_egress.cpp
    SecurityGroupEgress,     // stages/security_group.cpp
    SubnetExit,              // stages/vpc_router.cpp
    SameSubnet,              // stages/vpc_router.cpp
    AclOutbound,             // stages/network_acl.cpp
    RouteLookup,             // stages/vpc_router.cpp
    LocalDelivery,           // stages/vpc_router.cpp
    InternetGatewayEgress,   // stages/internet_gateway.cpp
    InternetGatewayIngress,  // stages/internet_gateway.cpp
    NatGatewayFromSubnet,    // stages/nat_gateway_out.cpp
    NatGatewayOutbound,      // stages/nat_gateway_out.cpp
    NatGatewayFromInternet,  // stages/nat_gateway_in.cpp
    NatGatewayInbound,       // stages/nat_gateway_in.cpp
    Peering,                 // stages/peering.cpp
    Middlebox,               // stages/middlebox.cpp
    LoadBalancer,            // stages/load_balancer.cpp
    LoadBalancerReturn,      // stages/load_balancer.cpp
    Resolver,                // stages/resolver.cpp
    ServiceTcp,              // stages/service_tcp.cpp
    TimeSync,                // stages/time_sync.cpp
    AclInbound,              // stages/network_acl.cpp
    EniIngress,              // stages/eni_ingress.cpp
    SecurityGroupIngress,    // stages/security_group.cpp
    Deliver,                 // stages/eni_ingress.cpp
};

// One packet's metadata, travelling beside its bytes.
struct Context {
    std::span<std::uint8_t> frame;           // the engine's working copy, rewritten in place
    std::span<const std::uint8_t> original;  // as received, for ICMP errors and RSTs
    ParsedFrame pf;
    ParsedFrame original_pf;
    TimeNs now = 0;
    PortId ingress = 0;
    bool via_peering = false;             // arrived over a peering connection
    model::Index via_nat = model::kNone;  // translated by this NAT gateway
    model::Index via_lb = model::kNone;   // sent on by this load balancer node (lb_nodes)
    LbFlow* lb_reply = nullptr;           // a target's reply, on its way back to its node
    std::size_t path_mtu = 0;      // a smaller MTU on the way (inter-region peering); 0: none
    PacketTrace* trace = nullptr;  // null when the packet is not traced

    // Where the packet is in the graph.
    model::Index subnet = model::kNone;  // the subnet it leaves (ACL outbound, route lookup)
    model::Index target = model::kNone;  // the route's target, or the ENI it is entering
    // Entering a subnet: its inbound ACL applies unless the packet comes from that subnet.
    struct Entering {
        model::Index subnet = model::kNone;
        model::Index from_subnet = model::kNone;
        Next then = Next::Done;
    } entering;
};

// Who holds an address inside a VPC.
struct Owner {
    enum class Kind : std::uint8_t { Eni, NatGateway, LoadBalancerNode };
    Kind kind = Kind::Eni;
    model::Index index = model::kNone;
};

// The engine's end of a TCP connection to a link-local service (stages/service_tcp.cpp): DNS
// over TCP to the resolver, HTTP to the instance metadata service.
struct ServiceConnection {
    enum class State : std::uint8_t { SynReceived, Established, Closing };
    State state = State::SynReceived;
    std::uint32_t snd_next = 0;         // the next sequence number the service sends
    std::uint32_t rcv_next = 0;         // the next one it expects from the client
    std::uint16_t mss = 536;            // the client's (RFC 9293: 536 without the option)
    std::vector<std::uint8_t> pending;  // request bytes not answered yet
    TimeNs last = 0;                    // the last segment, for the idle timeout
};

struct EniState {
    model::Index index = model::kNone;
    model::Index subnet = model::kNone;
    model::Index vpc = model::kNone;
    net::MacAddress mac;
    std::vector<net::Ipv4Address> ips;
    bool source_dest_check = true;
    bool running = true;
    std::vector<const policy::CompiledGroup*> groups;
    ConntrackTable conntrack;
    ComponentId component = 0;
    std::uint64_t conntrack_allowance_exceeded = 0;
    // The link-local services' packets-per-second allowance: the second being counted and the
    // packets in it.
    std::uint64_t linklocal_second = 0;
    std::uint32_t linklocal_packets = 0;
    std::uint64_t linklocal_allowance_exceeded = 0;
    // Its connections to the link-local TCP services, by the client's tuple.
    std::unordered_map<net::FiveTuple, ServiceConnection> service_connections;
    // Datagrams whose first fragment the security groups allowed, until when the rest may
    // follow: later fragments carry no ports to match.
    std::unordered_map<std::uint64_t, TimeNs> admitted_fragments;
    // A target of a load balancer: what it sends may be the reply of a balanced flow.
    bool lb_target = false;

    bool owns(net::Ipv4Address a) const noexcept {
        for (net::Ipv4Address ip : ips) {
            if (ip == a) return true;
        }
        return false;
    }
};

// One node of a load balancer: its address in one subnet (AZ). Its index in
// Dataplane::lb_nodes is what Owner and Context::via_lb hold.
struct LbNode {
    model::Index lb = model::kNone;
    model::Index subnet = model::kNone;
    model::Index vpc = model::kNone;
    net::Ipv4Address private_ip;
    std::vector<const policy::CompiledGroup*> groups;  // the load balancer's security groups
};

// Large enough for a GSO frame handed over whole by a live lab.
inline constexpr std::size_t kMaxFrame = 65536 + net::ethernet::kHeaderSize;

struct Dataplane {
    Dataplane(const model::Topology& topology, FrameSink& sink, EngineConfig config);

    // --- tables (compile.cpp) ---
    const model::Topology& topo;
    FrameSink& sink;
    EngineConfig config;
    std::shared_ptr<const ComponentRegistry> components;

    policy::GroupMembership membership;
    std::vector<policy::CompiledGroup> groups;
    std::vector<policy::CompiledAcl> acls;
    std::vector<policy::CompiledRouteTable> route_tables;
    std::vector<EniState> enis;
    std::vector<NatTable> nats;
    std::vector<LbNode> lb_nodes;
    LbFlowTable lb_flows;
    // Health of a target as one node's checks see it, by lb_health_key(node, ENI, port); cleared
    // when a security group changes (stages/load_balancer.cpp).
    std::unordered_map<std::uint64_t, bool> lb_health;
    static std::uint64_t lb_health_key(model::Index node, model::Index eni,
                                       std::uint16_t port) noexcept {
        return (std::uint64_t{node} << 40) | (std::uint64_t{eni & 0xffffff} << 16) | port;
    }
    static model::Index lb_health_key_eni(std::uint64_t key) noexcept {
        return static_cast<model::Index>((key >> 16) & 0xffffff);
    }
    static std::uint64_t lb_health_key_with_eni(std::uint64_t key, model::Index eni) noexcept {
        return (key & ~(std::uint64_t{0xffffff} << 16)) | (std::uint64_t{eni & 0xffffff} << 16);
    }
    std::vector<std::unordered_map<std::uint32_t, Owner>> vpc_addresses;  // private, per VPC
    std::unordered_map<std::uint32_t, Owner> public_addresses;
    std::unordered_map<std::uint32_t, net::Ipv4Address> public_to_private;  // 1:1 NAT
    std::unordered_map<std::uint64_t, net::Ipv4Address> private_to_public;  // (vpc, ip)
    std::unordered_map<std::uint64_t, model::Index> mac_to_eni;

    std::optional<Owner> owner_of(model::Index vpc, net::Ipv4Address a) const noexcept;
    std::optional<net::Ipv4Address> public_of(model::Index vpc, net::Ipv4Address a) const noexcept;
    bool is_eni_mac(const net::MacAddress& mac) const noexcept;
    bool routes_through_nat(model::Index subnet, net::Ipv4Address dst) const noexcept;
    EniState& eni(model::Index i) {
        VPCSTACK_ASSERT(i < enis.size(), "an ENI index the topology does not have");
        return enis[i];
    }

    // --- counters ---
    std::uint64_t received = 0;
    std::uint64_t transmitted = 0;
    std::array<std::uint64_t, kDropReasonCount> drops{};
    std::vector<Counters::Component> component_counts;
    std::vector<Counters::NatGateway> nat_counts;   // ActiveConnectionCount filled by snapshot()
    std::vector<Counters::LoadBalancer> lb_counts;  // ActiveFlowCount filled by snapshot()
    void touch(ComponentId c) noexcept { ++component_counts[c].packets; }

    // --- trace and output ---
    // Appends a step when the packet is traced; returns it for the stage to fill, else null.
    TraceStep* step(Context& ctx, ComponentId component, Action action) {
        // An audit (EngineConfig::audit) wants the denials only.
        if (ctx.trace == nullptr || config.audit) [[likely]]
            return nullptr;
        return append_step(*ctx.trace, component, action);
    }
    // Counts the drop; when traced, appends a drop step and returns it.
    TraceStep* drop(Context& ctx, DropReason reason, ComponentId component) {
        ++drops[static_cast<std::size_t>(reason)];
        ++component_counts[component].drops;
        if (ctx.trace == nullptr) [[likely]]
            return nullptr;
        return append_drop(*ctx.trace, reason, component);
    }
    TraceStep* append_step(PacketTrace& trace, ComponentId component, Action action);
    TraceStep* append_drop(PacketTrace& trace, DropReason reason, ComponentId component);
    void transmit(PortId port, std::span<const std::uint8_t> frame);
    void finish_delivered(Context& ctx, PortId port);
    // A frame the engine built, sent back out of the port the packet came in on.
    void reply(Context& ctx, std::span<const std::uint8_t> frame);
    void send_icmp_error(Context& ctx, std::uint8_t type, std::uint8_t code, std::uint16_t mtu,
                         net::Ipv4Address from);
    // A TCP RST answering the packet, from the address it was sent to (stages that refuse a
    // TCP packet of no flow: NAT gateway, load balancer).
    void send_tcp_rst(Context& ctx);
    // Who sent a packet, for security group references: the load balancer node that passed it
    // on, else the ENI it left unless a NAT gateway stands between; else nobody (the internet).
    // AWS: security-group-rules, load-balancer-security-groups.
    policy::Sender sender_of(const Context& ctx) const noexcept {
        if (ctx.via_lb != model::kNone) return {lb_nodes[ctx.via_lb].groups, true};
        if (ctx.ingress < enis.size() && ctx.via_nat == model::kNone) {
            const EniState& from = enis[ctx.ingress];
            return {from.groups, from.owns(ctx.pf.key.src)};
        }
        return {};
    }
    // A packet larger than `mtu` with DF set is dropped and its sender told the MTU (ICMP type
    // 3 code 4, RFC 1191). Returns false when it was dropped.
    bool path_mtu_check(Context& ctx, std::size_t mtu, ComponentId component);
    // RFC 791 fragmentation to `mtu`. Options stay in the first fragment only.
    void transmit_fragments(Context& ctx, PortId port, std::size_t mtu);

    // --- capture (engine/capture.hpp) ---
    CaptureSink* capture_sink = nullptr;
    std::uint64_t packet_id = 0;  // of the packet being walked, while a capture is on
    TimeNs packet_time = 0;
    void capture(CaptureKind kind, model::Index index, CaptureSide side, CaptureDirection dir,
                 std::span<const std::uint8_t> frame) {
        if (capture_sink == nullptr) [[likely]]
            return;
        // The engine builds its own frames (answers) in reply_buffer.
        const bool made = frame.data() == reply_buffer.data();
        capture_sink->frame({{kind, index, side}, dir, packet_id, packet_time, frame, made});
    }

    std::vector<std::uint8_t> buffer;
    std::array<std::uint8_t, kReplyBufferSize> reply_buffer{};
    std::vector<std::uint8_t> fragment_buffer;
    std::uint64_t next_trace_id = 0;

    // --- the VPC resolver (stages/resolver.cpp, compile.cpp) ---
    std::unique_ptr<model::DnsViews> dns_views;  // per VPC: what its resolver answers from
    dns::HealthFn dns_health;                    // Route 53 health checks' status, from:
    std::unordered_map<std::string, bool> health_status;
    // Load balancers' health for aliases with evaluate target health, by name (unset: healthy).
    std::unordered_map<std::string, bool> load_balancer_status;
    dns::Random dns_random{0x5eed};
    void compile_dns();
    std::vector<std::uint8_t> dns_buffer = std::vector<std::uint8_t>(kMaxFrame);
    // The resolver's answer to one DNS message from `client` on `eni` to `resolver` (over UDP
    // or TCP, stages/resolver.cpp); wire empty when nothing can be answered (the exchange says
    // why).
    struct DnsAnswer {
        std::vector<std::uint8_t> wire;
        std::shared_ptr<DnsExchange> exchange;
    };
    DnsAnswer answer_dns(const EniState& eni, net::Ipv4Address client, net::Ipv4Address resolver,
                         std::span<const std::uint8_t> message, bool tcp);

    // --- the instance metadata service (metadata.cpp) ---
    // IMDSv2 session tokens: the instance they were issued to and when they expire.
    struct MetadataToken {
        model::Index instance = model::kNone;
        TimeNs expires = 0;
    };
    std::unordered_map<std::string, MetadataToken> metadata_tokens;
    std::uint64_t metadata_tokens_issued = 0;
};

// The stages, one verb each. Block comments in their files say what each does and which cloud
// rule it implements.
namespace stages {
Next arp(Dataplane& dp, Context& ctx);
Next eni_egress(Dataplane& dp, Context& ctx);
Next resolver(Dataplane& dp, Context& ctx);
Next service_tcp(Dataplane& dp, Context& ctx);
Next time_sync(Dataplane& dp, Context& ctx);
Next security_group_egress(Dataplane& dp, Context& ctx);
Next security_group_ingress(Dataplane& dp, Context& ctx);
Next subnet_exit(Dataplane& dp, Context& ctx);
Next same_subnet(Dataplane& dp, Context& ctx);
Next acl_outbound(Dataplane& dp, Context& ctx);
Next acl_inbound(Dataplane& dp, Context& ctx);
Next route_lookup(Dataplane& dp, Context& ctx);
Next local_delivery(Dataplane& dp, Context& ctx);
Next internet_gateway_egress(Dataplane& dp, Context& ctx);
Next internet_gateway_ingress(Dataplane& dp, Context& ctx);
Next nat_gateway_from_subnet(Dataplane& dp, Context& ctx);
Next nat_gateway_outbound(Dataplane& dp, Context& ctx);
Next nat_gateway_from_internet(Dataplane& dp, Context& ctx);
Next nat_gateway_inbound(Dataplane& dp, Context& ctx);
Next peering(Dataplane& dp, Context& ctx);
Next middlebox(Dataplane& dp, Context& ctx);
Next load_balancer(Dataplane& dp, Context& ctx);
Next load_balancer_return(Dataplane& dp, Context& ctx);
Next eni_ingress(Dataplane& dp, Context& ctx);
Next deliver(Dataplane& dp, Context& ctx);

// Sends the packet into `subnet` towards `then`: the subnet's inbound ACL applies unless the
// packet comes from that same subnet (AWS: vpc-network-acls).
inline Next enter_subnet(Context& ctx, model::Index subnet, model::Index from_subnet, Next then) {
    ctx.entering = {subnet, from_subnet, then};
    return Next::AclInbound;
}
// Sends the packet out of `subnet`: its outbound ACL, then its route table.
inline Next leave_subnet(Context& ctx, model::Index subnet) {
    ctx.subnet = subnet;
    return Next::AclOutbound;
}
}  // namespace stages

}  // namespace vpcstack::engine
