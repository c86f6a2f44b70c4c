// The engine: a frame comes in, is parsed, and walks the graph of stages until one of them ends
// its journey (delivered, answered or dropped with a named reason). The graph:
//
//   ENI port      -> EniEgress -> SecurityGroupEgress -> SubnetExit
//                      (ARP frames: Arp, answered by the VPC router)
//                 -> EniEgress -> Resolver -> back out of the ENI port   (DNS to base + 2)
//                 -> EniEgress -> ServiceTcp -> back out       (DNS over TCP, metadata HTTP)
//                 -> EniEgress -> TimeSync -> back out         (NTP to 169.254.169.123)
//   SubnetExit    -> SameSubnet -> EniIngress                 (same subnet: no ACL, no route)
//                 -> AclOutbound -> RouteLookup -> the route's target:
//   RouteLookup   -> LocalDelivery          -> AclInbound -> EniIngress
//                 -> InternetGatewayEgress  -> internet port
//                 -> NatGatewayFromSubnet   -> AclInbound -> NatGatewayOutbound -> AclOutbound
//                 -> Peering                -> AclInbound -> EniIngress
//                 -> Middlebox              -> AclInbound -> EniIngress
//   internet port -> InternetGatewayIngress -> AclInbound -> EniIngress
//                                           -> NatGatewayFromInternet -> AclInbound
//                                              -> NatGatewayInbound -> AclOutbound
//   to a load balancer node (LocalDelivery, InternetGatewayIngress, Peering)
//                 -> AclInbound -> LoadBalancer -> AclOutbound (or EniIngress, same subnet)
//   a target's reply (SubnetExit) -> AclOutbound -> RouteLookup -> AclInbound
//                 -> LoadBalancerReturn -> AclOutbound (or EniIngress, same subnet)
//   EniIngress    -> SecurityGroupIngress -> Deliver -> ENI port
//
// AclInbound continues where the packet was entering the subnet for (Context::entering). A new
// gateway kind is a stage file in stages/, a Next value, an edge from RouteLookup and a line in
// walk() below.
#include "vpcstack/engine/engine.hpp"

#include <fmt/format.h>

#include <cstring>
#include <stdexcept>
#include <string_view>

#include "dataplane.hpp"

namespace vpcstack::engine {

namespace {

// More stages than any path through the graph has (the longest, through a NAT gateway and a
// middlebox, has about 20): a loop in the graph is a bug.
constexpr int kMaxStagesPerPacket = 64;

PacketFacts facts_of(const ParsedFrame& pf) {
    PacketFacts f;
    switch (pf.outcome) {
        case ParseOutcome::Ipv4:
            f.kind = PacketFacts::Kind::Ipv4;
            break;
        case ParseOutcome::Arp:
            f.kind = PacketFacts::Kind::Arp;
            break;
        case ParseOutcome::NotIpv4:
            f.kind = PacketFacts::Kind::NotIpv4;
            break;
        case ParseOutcome::Malformed:
            f.kind = PacketFacts::Kind::Malformed;
            break;
    }
    f.ether_type = pf.ether_type;
    f.arp_op = pf.arp_op;
    f.arp_sender_ip = pf.arp_sender_ip;
    f.arp_target_ip = pf.arp_target_ip;
    f.arp_sender_mac = pf.arp_sender_mac;
    f.tuple = pf.tuple;
    f.has_l4 = pf.has_l4;
    f.fragment = pf.fragment;
    f.first_fragment = pf.first_fragment;
    f.tcp_flags = pf.tcp_flags;
    f.icmp_type = pf.icmp_type;
    f.icmp_code = pf.icmp_code;
    f.ip_total_length = static_cast<std::uint16_t>(pf.ip_total_length);
    return f;
}

// The first stage: what came in, from where.
Next classify(Dataplane& dp, Context& ctx) {
    const bool from_internet = ctx.ingress == kInternetPort;
    if (!from_internet && ctx.ingress >= dp.enis.size()) {
        if (TraceStep* s = dp.drop(ctx, DropReason::Malformed, dp.components->internet())) {
            s->note = Note::NoSuchPort;
            s->args.n = ctx.ingress;
        }
        return Next::Done;
    }
    const ComponentId port =
        from_internet ? dp.components->internet() : dp.enis[ctx.ingress].component;
    dp.touch(port);
    if (from_internet) {
        dp.capture(CaptureKind::Internet, model::kNone, CaptureSide::Whole,
                   CaptureDirection::Inbound, ctx.original);
    } else {
        dp.capture(CaptureKind::Eni, ctx.ingress, CaptureSide::Whole, CaptureDirection::Outbound,
                   ctx.original);
    }
    switch (ctx.pf.outcome) {
        case ParseOutcome::Malformed:
            dp.drop(ctx, DropReason::Malformed, port);
            return Next::Done;
        case ParseOutcome::NotIpv4:
            if (TraceStep* s = dp.drop(ctx, DropReason::NotIpv4, port)) {
                s->note = Note::EtherTypeNotCarried;
                s->args.n = ctx.pf.ether_type;
            }
            return Next::Done;
        case ParseOutcome::Arp:
            return Next::Arp;
        case ParseOutcome::Ipv4:
            break;
    }
    return from_internet ? Next::InternetGatewayIngress : Next::EniEgress;
}

// The walk over the graph: every stage, and the one place that names them all.
void walk(Dataplane& dp, Context& ctx) {
    Next next = classify(dp, ctx);
    for (int n = 0; next != Next::Done; ++n) {
        VPCSTACK_ASSERT(n < kMaxStagesPerPacket, "a packet went round the stage graph");
        switch (next) {
            // clang-format off
            case Next::Arp:                    next = stages::arp(dp, ctx); break;
            case Next::EniEgress:              next = stages::eni_egress(dp, ctx); break;
            case Next::SecurityGroupEgress:    next = stages::security_group_egress(dp, ctx); break;
            case Next::SubnetExit:             next = stages::subnet_exit(dp, ctx); break;
            case Next::SameSubnet:             next = stages::same_subnet(dp, ctx); break;
            case Next::AclOutbound:            next = stages::acl_outbound(dp, ctx); break;
            case Next::RouteLookup:            next = stages::route_lookup(dp, ctx); break;
            case Next::LocalDelivery:          next = stages::local_delivery(dp, ctx); break;
            case Next::InternetGatewayEgress:  next = stages::internet_gateway_egress(dp, ctx); break;
            case Next::InternetGatewayIngress: next = stages::internet_gateway_ingress(dp, ctx); break;
            case Next::NatGatewayFromSubnet:   next = stages::nat_gateway_from_subnet(dp, ctx); break;
            case Next::NatGatewayOutbound:     next = stages::nat_gateway_outbound(dp, ctx); break;
            case Next::NatGatewayFromInternet: next = stages::nat_gateway_from_internet(dp, ctx); break;
            case Next::NatGatewayInbound:      next = stages::nat_gateway_inbound(dp, ctx); break;
            case Next::Peering:                next = stages::peering(dp, ctx); break;
            case Next::Middlebox:              next = stages::middlebox(dp, ctx); break;
            case Next::LoadBalancer:           next = stages::load_balancer(dp, ctx); break;
            case Next::LoadBalancerReturn:     next = stages::load_balancer_return(dp, ctx); break;
            case Next::Resolver:               next = stages::resolver(dp, ctx); break;
            case Next::ServiceTcp:             next = stages::service_tcp(dp, ctx); break;
            case Next::TimeSync:               next = stages::time_sync(dp, ctx); break;
            case Next::AclInbound:             next = stages::acl_inbound(dp, ctx); break;
            case Next::EniIngress:             next = stages::eni_ingress(dp, ctx); break;
            case Next::SecurityGroupIngress:   next = stages::security_group_ingress(dp, ctx); break;
            case Next::Deliver:                next = stages::deliver(dp, ctx); break;
            // clang-format on
            case Next::Done:
                VPCSTACK_ASSERT(false, "Done is not a stage");
        }
    }
}

}  // namespace

struct Engine::Impl {
    Impl(const model::Topology& t, FrameSink& s, EngineConfig c) : dp(t, s, c) {}
    Dataplane dp;
    std::function<void(PacketTrace&&)> trace_callback;
    std::vector<std::vector<TraceStep>> spare_steps;  // from recycle(), kept a few at a time
};

Engine::Engine(const model::Topology& topology, FrameSink& sink, EngineConfig config)
    : impl_(std::make_unique<Impl>(topology, sink, config)) {}

Engine::~Engine() = default;

void Engine::receive(PortId ingress, std::span<const std::uint8_t> frame, TimeNs now) {
    Dataplane& dp = impl_->dp;
    ++dp.received;
    std::optional<PacketTrace> trace;
    Context ctx;
    ctx.now = now;
    ctx.ingress = ingress;
    ctx.original = frame;
    // A capture needs the trace too: it names where and why a packet died.
    if (dp.config.trace || dp.capture_sink != nullptr) {
        trace.emplace();
        if (!impl_->spare_steps.empty()) {
            trace->steps = std::move(impl_->spare_steps.back());
            impl_->spare_steps.pop_back();
        }
        trace->id = ++dp.next_trace_id;
        trace->time = now;
        trace->ingress = ingress;
        ctx.trace = &*trace;
        dp.packet_id = trace->id;
        dp.packet_time = now;
    }
    std::size_t n = std::min(frame.size(), dp.buffer.size());
    if (n > 0) std::memcpy(dp.buffer.data(), frame.data(), n);
    ctx.frame = std::span<std::uint8_t>(dp.buffer.data(), n);
    ctx.pf = frame.size() > dp.buffer.size() ? ParsedFrame{} : parse_frame(ctx.frame);
    if (ctx.pf.outcome == ParseOutcome::Ipv4) {
        ctx.frame = ctx.frame.first(ctx.pf.frame_length());  // drop Ethernet padding
        ctx.original_pf = ctx.pf;
    }
    if (ctx.trace != nullptr) trace->packet = facts_of(ctx.pf);
    walk(dp, ctx);
    if (!trace) return;
    if (dp.capture_sink != nullptr) dp.capture_sink->finished(*trace);
    if (dp.config.trace && impl_->trace_callback) impl_->trace_callback(std::move(*trace));
}

void Engine::expire(TimeNs now) {
    for (auto& e : impl_->dp.enis) {
        e.conntrack.expire(now);
        std::erase_if(e.admitted_fragments, [&](const auto& kv) { return kv.second < now; });
    }
    for (auto& n : impl_->dp.nats) n.expire(now);
    impl_->dp.lb_flows.expire(now);
}

void Engine::set_health_check_status(const std::string& name, bool healthy) {
    impl_->dp.health_status[name] = healthy;
}

void Engine::set_load_balancer_health(const std::string& name, bool healthy) {
    impl_->dp.load_balancer_status[name] = healthy;
}

void Engine::set_trace_callback(std::function<void(PacketTrace&&)> callback) {
    impl_->trace_callback = std::move(callback);
}

void Engine::recycle(PacketTrace&& used) {
    constexpr std::size_t kKept = 16;
    if (impl_->spare_steps.size() >= kKept) return;
    used.steps.clear();
    impl_->spare_steps.push_back(std::move(used.steps));
}

void Engine::set_capture_sink(CaptureSink* sink) {
    impl_->dp.capture_sink = sink;
}

Counters Engine::snapshot() const {
    const Dataplane& dp = impl_->dp;
    Counters c;
    c.received = dp.received;
    c.transmitted = dp.transmitted;
    c.drops = dp.drops;
    c.components.reserve(dp.components->size());
    for (ComponentId i = 0; i < dp.components->size(); ++i) {
        c.components.emplace_back((*dp.components)[i].name, dp.component_counts[i]);
    }
    const std::size_t capacity = dp.config.conntrack_capacity_per_eni;
    for (const EniState& e : dp.enis) {
        const std::size_t tracked = e.conntrack.size();
        c.enis.push_back({e.conntrack_allowance_exceeded,
                          tracked < capacity ? capacity - tracked : 0,
                          e.linklocal_allowance_exceeded});
    }
    for (std::size_t i = 0; i < dp.nats.size(); ++i) {
        Counters::NatGateway n = dp.nat_counts[i];
        n.ActiveConnectionCount = dp.nats[i].count(net::Protocol::kTcp);
        n.PacketsDropCount =
            dp.component_counts[dp.components->nat_gateway(static_cast<model::Index>(i))].drops;
        c.nat_gateways.push_back(n);
    }
    c.load_balancers = dp.lb_counts;
    dp.lb_flows.for_each_live([&](const LbFlow& flow) {
        Counters::LoadBalancer& lb = c.load_balancers[dp.lb_nodes[flow.node].lb];
        ++lb.ActiveFlowCount;
        ++(flow.client.protocol == net::Protocol::kTcp ? lb.ActiveFlowCount_TCP
                                                       : lb.ActiveFlowCount_UDP);
    });
    return c;
}

const model::Topology& Engine::topology() const {
    return impl_->dp.topo;
}

std::shared_ptr<const ComponentRegistry> Engine::components() const {
    return impl_->dp.components;
}

void Engine::replace_security_group_rules(model::Index group, std::vector<model::SgRule> ingress,
                                          std::vector<model::SgRule> egress) {
    Dataplane& dp = impl_->dp;
    VPCSTACK_ASSERT(group < dp.groups.size(), "no security group by that index");
    // Assigned in place: ENIs keep pointing at the same CompiledGroup.
    dp.groups[group] = policy::compile_group(dp.topo, group, ingress, egress, dp.membership);
    dp.lb_health.clear();
}

void Engine::forget_flows(std::span<const PortId> enis) {
    Dataplane& dp = impl_->dp;
    for (PortId port : enis) {
        if (port >= dp.enis.size()) continue;
        dp.enis[port].conntrack.clear();
        dp.enis[port].admitted_fragments.clear();
    }
    for (auto& n : dp.nats) {
        if (n.size() > 0) n.clear();
    }
    if (!dp.lb_flows.empty()) dp.lb_flows.clear();
}

void Engine::adopt_state(Engine& old_engine, std::span<const model::Index> eni_map) {
    auto fail = [](std::string_view what) {
        throw std::invalid_argument(fmt::format("Engine::adopt_state: {}", what));
    };
    if (&old_engine == this) fail("an engine cannot adopt its own state.");
    Dataplane& dp = impl_->dp;
    Dataplane& old = old_engine.impl_->dp;

    // Everything is checked before anything moves.
    if (eni_map.size() != old.enis.size()) {
        fail(fmt::format("the ENI map has {} entries but the old topology has {} ENIs.",
                         eni_map.size(), old.enis.size()));
    }
    for (model::Index i = 0; i < eni_map.size(); ++i) {
        const model::Index to = eni_map[i];
        if (to == model::kNone) continue;
        if (to >= dp.enis.size()) {
            fail(fmt::format("old ENI {} maps to {}, beyond the new topology's {} ENIs.", i, to,
                             dp.enis.size()));
        }
        if (dp.enis[to].mac != old.enis[i].mac) {
            fail(fmt::format("old ENI {} ({}) maps to new ENI {} ({}), whose MAC differs.", i,
                             old.enis[i].mac.to_string(), to, dp.enis[to].mac.to_string()));
        }
    }
    if (dp.nats.size() != old.nats.size()) {
        fail(fmt::format("the old topology has {} NAT gateways and the new one {}.",
                         old.nats.size(), dp.nats.size()));
    }
    for (std::size_t i = 0; i < dp.nats.size(); ++i) {
        if (dp.nats[i].nat_ip() != old.nats[i].nat_ip()) {
            fail(fmt::format("NAT gateway {} has another private address in the new topology.", i));
        }
    }
    if (dp.lb_nodes.size() != old.lb_nodes.size() || dp.lb_counts.size() != old.lb_counts.size()) {
        fail(fmt::format(
            "the old topology has {} load balancers with {} nodes and the new one {} with {}.",
            old.lb_counts.size(), old.lb_nodes.size(), dp.lb_counts.size(), dp.lb_nodes.size()));
    }
    for (std::size_t i = 0; i < dp.lb_nodes.size(); ++i) {
        if (dp.lb_nodes[i].lb != old.lb_nodes[i].lb ||
            dp.lb_nodes[i].private_ip != old.lb_nodes[i].private_ip) {
            fail(fmt::format("load balancer node {} differs in the new topology.", i));
        }
    }
    // Counters of components by name: built before anything moves (it allocates).
    std::unordered_map<std::string_view, ComponentId> new_ids;
    new_ids.reserve(dp.components->size());
    for (ComponentId c = 0; c < dp.components->size(); ++c) {
        new_ids.emplace((*dp.components)[c].name, c);
    }
    std::vector<Counters::Component> component_counts(dp.components->size());
    for (ComponentId c = 0; c < old.components->size(); ++c) {
        auto it = new_ids.find((*old.components)[c].name);
        if (it != new_ids.end()) component_counts[it->second] = old.component_counts[c];
    }
    std::unordered_map<std::uint64_t, bool> lb_health;
    for (const auto& [key, healthy] : old.lb_health) {
        const model::Index from = Dataplane::lb_health_key_eni(key);
        if (from >= eni_map.size() || eni_map[from] == model::kNone) continue;
        lb_health.emplace(Dataplane::lb_health_key_with_eni(key, eni_map[from]), healthy);
    }

    // Per ENI (EniState): the flows, the admitted fragments and the allowance counters.
    for (model::Index i = 0; i < eni_map.size(); ++i) {
        if (eni_map[i] == model::kNone) continue;
        EniState& from = old.enis[i];
        EniState& to = dp.enis[eni_map[i]];
        to.conntrack.take_entries(from.conntrack);
        to.admitted_fragments = std::move(from.admitted_fragments);
        from.admitted_fragments.clear();
        to.conntrack_allowance_exceeded = from.conntrack_allowance_exceeded;
        to.linklocal_second = from.linklocal_second;
        to.linklocal_packets = from.linklocal_packets;
        to.linklocal_allowance_exceeded = from.linklocal_allowance_exceeded;
    }
    // NAT gateways are unchanged by scaling: same index, same address.
    for (std::size_t i = 0; i < dp.nats.size(); ++i) dp.nats[i].take_translations(old.nats[i]);
    dp.nat_counts = old.nat_counts;
    // Load balancer nodes are unchanged too; the flows' targets are renumbered.
    dp.lb_flows = std::move(old.lb_flows);
    old.lb_flows.clear();
    dp.lb_flows.remap_targets(eni_map);
    dp.lb_health = std::move(lb_health);
    dp.lb_counts = old.lb_counts;

    dp.received = old.received;
    dp.transmitted = old.transmitted;
    dp.drops = old.drops;
    dp.component_counts = std::move(component_counts);
    dp.next_trace_id = old.next_trace_id;
    dp.health_status = old.health_status;  // Route 53 checks do not change with a group
    // The last health set for each load balancer, until its checks say otherwise.
    dp.load_balancer_status = old.load_balancer_status;
}

std::size_t Engine::tracked_connections(PortId eni_port) const {
    if (eni_port >= impl_->dp.enis.size()) return 0;
    return impl_->dp.enis[eni_port].conntrack.size();
}

std::size_t Engine::nat_translations(model::Index nat_gateway) const {
    if (nat_gateway >= impl_->dp.nats.size()) return 0;
    return impl_->dp.nats[nat_gateway].size();
}

}  // namespace vpcstack::engine
