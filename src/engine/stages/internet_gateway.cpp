// The internet gateway: one-to-one NAT between an ENI's (or NAT gateway's) private IP and its
// public or Elastic IP, in both directions, and ingress routing by its gateway route table.
//
// egress: out of the internet port (delivered), fragmented to the internet MTU without DF;
//   Drop with NotTransitive, NoPublicIp or MtuExceeded (ICMP fragmentation needed is sent).
// ingress (from the internet port): the public destination becomes the private one; with a
//   gateway route table, its route for the private address decides: a network interface sends
//   the packet to that appliance (Middlebox), local continues as without a table. Then
//   AclInbound and EniIngress, NatGatewayFromInternet, or AclInbound and LoadBalancer for a
//   load balancer node; Drop with Noise,
//   WrongDestinationMac, NoMapping or Blackhole.
//
// AWS: VPC_Internet_Gateway — only an address with a public or Elastic IP leaves through the
// internet gateway, translated to it; inbound, the public address maps back. AWS: EC2
// using-instance-addressing-eips — an Elastic IP of a secondary private address maps to that
// address. AWS: gateway-route-tables — a route table associated with the internet gateway
// routes the traffic entering the VPC through it, to local or to a middlebox appliance. AWS: EC2
// network_mtu — at most 1500 bytes through the internet gateway. AWS: vpc-peering-basics — no
// edge-to-edge routing through a peer's internet gateway. An ICMP error quotes the packet it
// answers, so its quoted header is translated too.
#include "../dataplane.hpp"
#include "vpcstack/engine/rewrite.hpp"

namespace vpcstack::engine::stages {

namespace {

void trace_translation(TraceStep* s, Translation::Field field, net::Ipv4Address before,
                       net::Ipv4Address after, std::uint8_t protocol) {
    if (s == nullptr) return;
    s->translation = Translation{field, protocol, {before, {}}, {after, {}}, {}};
}

// The gateway route table's decision for a packet entering the VPC (its destination already
// translated): Middlebox towards the appliance's ENI, Done when dropped, or nothing when the
// route is local and the packet goes on as without a table.
std::optional<Next> route_by_gateway_table(Dataplane& dp, Context& ctx, model::Index table) {
    const ComponentId comp = dp.components->route_table(table);
    dp.touch(comp);
    const policy::CompiledRoute* r = dp.route_tables[table].lookup(ctx.pf.key.dst);
    if (r == nullptr) return std::nullopt;  // validation keeps every VPC CIDR's route
    const RuleRef rule{RuleRef::Kind::Route, policy::Direction::Inbound, 0, r->text};
    if (r->blackhole) {
        if (TraceStep* t = dp.drop(ctx, DropReason::Blackhole, comp)) {
            t->rule = rule;
            t->note = Note::BlackholeTarget;
            t->args.text = r->blackhole_reason;
        }
        return Next::Done;
    }
    if (TraceStep* t = dp.step(ctx, comp, Action::Forward)) t->rule = rule;
    using K = model::RouteTargetKind;
    if (r->kind != K::Eni && r->kind != K::Instance) return std::nullopt;
    ctx.target = r->target;
    ctx.subnet = model::kNone;  // from outside every subnet: the appliance's inbound ACL applies
    return Next::Middlebox;
}
}  // namespace

Next internet_gateway_egress(Dataplane& dp, Context& ctx) {
    const model::Index igw = ctx.target;
    const ComponentId comp = dp.components->internet_gateway(igw);
    dp.touch(comp);
    dp.capture(CaptureKind::InternetGateway, igw, CaptureSide::Inside, CaptureDirection::Inbound,
               ctx.frame);
    if (ctx.via_peering) {
        dp.drop(ctx, DropReason::NotTransitive, comp);
        return Next::Done;
    }
    const model::Index vpc = dp.topo.internet_gateways[igw].vpc;
    const auto pub = dp.public_of(vpc, ctx.pf.key.src);
    if (!pub) {
        if (TraceStep* s = dp.drop(ctx, DropReason::NoPublicIp, comp)) {
            s->note = Note::NoPublicAddress;
            s->args.address = ctx.pf.key.src;
        }
        return Next::Done;
    }
    const bool too_big = ctx.pf.ip_total_length > dp.config.internet_mtu;
    if (!dp.path_mtu_check(ctx, dp.config.internet_mtu, comp)) return Next::Done;
    const net::Ipv4Address before = ctx.pf.key.src;
    rewrite_src_address(ctx.frame, ctx.pf, *pub);
    const IcmpErrorInner& inner = ctx.pf.icmp_inner;
    if (inner.present && inner.tuple.dst == before) {
        std::uint16_t keep = inner.tuple.protocol == net::Protocol::kIcmp ? inner.tuple.src_port
                                                                          : inner.tuple.dst_port;
        rewrite_icmp_inner(ctx.frame, ctx.pf, false, *pub, keep);
    }
    trace_translation(dp.step(ctx, comp, Action::Translate), Translation::Field::Source, before,
                      *pub, ctx.pf.key.protocol);
    std::uint8_t* eth = ctx.frame.data();
    net::store_mac(eth, kInternetMac);
    net::store_mac(eth + 6, kRouterMac);
    dp.capture(CaptureKind::InternetGateway, igw, CaptureSide::Outside, CaptureDirection::Outbound,
               ctx.frame);
    if (too_big) {
        dp.transmit_fragments(ctx, kInternetPort, dp.config.internet_mtu);
    } else {
        dp.transmit(kInternetPort, ctx.frame);
    }
    dp.finish_delivered(ctx, kInternetPort);
    return Next::Done;
}

Next internet_gateway_ingress(Dataplane& dp, Context& ctx) {
    const ParsedFrame& pf = ctx.pf;
    const ComponentId internet = dp.components->internet();
    if (pf.dst_mac != kRouterMac) {
        const bool noise = pf.dst_mac.is_multicast();
        TraceStep* s =
            dp.drop(ctx, noise ? DropReason::Noise : DropReason::WrongDestinationMac, internet);
        if (s != nullptr && !noise) s->note = Note::InternetWrongMac;
        return Next::Done;
    }
    if (net::is_broadcast_or_multicast(pf.key.dst)) {
        dp.drop(ctx, DropReason::Noise, internet);
        return Next::Done;
    }
    auto it = dp.public_addresses.find(pf.key.dst.value());
    if (it == dp.public_addresses.end()) {
        if (TraceStep* s = dp.drop(ctx, DropReason::NoMapping, internet)) {
            s->note = Note::NotPublicAddress;
            s->args.address = pf.key.dst;
        }
        return Next::Done;
    }
    const Owner owner = it->second;
    const bool to_nat = owner.kind == Owner::Kind::NatGateway;
    const bool to_lb = owner.kind == Owner::Kind::LoadBalancerNode;
    const model::Index vpc = to_nat  ? dp.topo.nat_gateways[owner.index].vpc
                             : to_lb ? dp.lb_nodes[owner.index].vpc
                                     : dp.enis[owner.index].vpc;
    const model::Index igw = dp.topo.vpcs[vpc].internet_gateway;
    if (igw == model::kNone) {
        if (TraceStep* s = dp.drop(ctx, DropReason::NoMapping, internet)) {
            s->note = Note::VpcWithoutGateway;
            s->args.vpc = vpc;
        }
        return Next::Done;
    }
    const ComponentId comp = dp.components->internet_gateway(igw);
    dp.touch(comp);
    dp.capture(CaptureKind::InternetGateway, igw, CaptureSide::Outside, CaptureDirection::Inbound,
               ctx.frame);
    const auto mapped = dp.public_to_private.find(pf.key.dst.value());
    VPCSTACK_ASSERT(mapped != dp.public_to_private.end(),
                    "every public address maps to a private one");
    const net::Ipv4Address priv = mapped->second;
    const net::Ipv4Address before = pf.key.dst;
    rewrite_dst_address(ctx.frame, ctx.pf, priv);
    if (ctx.pf.icmp_inner.present && ctx.pf.icmp_inner.tuple.src == before) {
        rewrite_icmp_inner(ctx.frame, ctx.pf, true, priv, ctx.pf.icmp_inner.tuple.src_port);
    }
    trace_translation(dp.step(ctx, comp, Action::Translate), Translation::Field::Destination,
                      before, priv, ctx.pf.key.protocol);
    dp.capture(CaptureKind::InternetGateway, igw, CaptureSide::Inside, CaptureDirection::Outbound,
               ctx.frame);
    ctx.target = owner.index;
    if (to_nat) return Next::NatGatewayFromInternet;
    if (to_lb) {
        return enter_subnet(ctx, dp.lb_nodes[owner.index].subnet, model::kNone, Next::LoadBalancer);
    }
    const model::Index table = dp.topo.internet_gateways[igw].route_table;
    if (table != model::kNone) {
        if (auto next = route_by_gateway_table(dp, ctx, table)) return *next;
    }
    return enter_subnet(ctx, dp.enis[owner.index].subnet, model::kNone, Next::EniIngress);
}

}  // namespace vpcstack::engine::stages
