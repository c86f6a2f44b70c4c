// NAT gateway, inbound: replies from the internet (through the internet gateway) to flows the
// NAT gateway translated on their way out.
//
// from_internet: AclInbound of the NAT gateway's subnet, then NatGatewayInbound.
// inbound: the destination becomes the private address and port of the flow's translation,
//   TTL decremented; then the NAT gateway's subnet routes it (AclOutbound). Drop with
//   NatUnsupported (a later fragment: no port to look up), NatNoTranslation (unsolicited) or
//   TtlExceeded (ICMP time exceeded sent).
//
// AWS: vpc-nat-gateway — replies are translated back only for existing translations; nothing
// from outside can open a connection through a NAT gateway. An ICMP error belongs to the
// translation of the packet it quotes.
#include "../dataplane.hpp"
#include "vpcstack/engine/rewrite.hpp"
#include "vpcstack/policy/nat.hpp"

namespace vpcstack::engine::stages {

Next nat_gateway_from_internet(Dataplane& dp, Context& ctx) {
    const model::NatGateway& nat = dp.topo.nat_gateways[ctx.target];
    dp.touch(dp.components->nat_gateway(ctx.target));
    return enter_subnet(ctx, nat.subnet, model::kNone, Next::NatGatewayInbound);
}

Next nat_gateway_inbound(Dataplane& dp, Context& ctx) {
    const model::Index index = ctx.target;
    const model::NatGateway& nat = dp.topo.nat_gateways[index];
    const ComponentId comp = dp.components->nat_gateway(index);
    const ParsedFrame& pf = ctx.pf;
    Counters::NatGateway& counts = dp.nat_counts[index];
    dp.capture(CaptureKind::NatGateway, index, CaptureSide::Outside, CaptureDirection::Inbound,
               ctx.frame);
    ++counts.PacketsInFromDestination;
    counts.BytesInFromDestination += pf.ip_total_length;
    if (pf.fragment && !pf.first_fragment) {
        if (TraceStep* s = dp.drop(ctx, DropReason::NatUnsupported, comp)) {
            s->note = Note::InboundFragment;
        }
        return Next::Done;
    }
    const IcmpErrorInner& inner = pf.icmp_inner;
    const bool icmp_error = inner.present && inner.has_ports;
    NatMapping* m = nullptr;
    if (pf.icmp_query && !policy::icmp_answers_translation(pf.icmp_type)) {
        if (TraceStep* s = dp.drop(ctx, DropReason::NatNoTranslation, comp)) {
            s->note = Note::IcmpRequestInbound;
            s->args.n = pf.icmp_type;
        }
        return Next::Done;
    }
    if (icmp_error) {
        m = dp.nats[index].find_inbound(reply_tuple(inner.tuple), ctx.now);
    } else if (pf.has_l4) {
        m = dp.nats[index].find_inbound(pf.tuple, ctx.now);
    }
    if (m == nullptr) {
        dp.drop(ctx, DropReason::NatNoTranslation, comp);
        return Next::Done;
    }
    if (pf.ttl <= 1) {
        dp.send_icmp_error(ctx, 11, 0, 0, nat.private_ip);
        dp.drop(ctx, DropReason::TtlExceeded, comp);
        return Next::Done;
    }
    const std::uint8_t protocol = pf.key.protocol;
    // The NAT side of the flow: its port, or for ICMP the query id (kept in src_port).
    const Endpoint before{pf.key.dst,
                          protocol == net::Protocol::kIcmp ? pf.tuple.src_port : pf.tuple.dst_port};
    const net::FiveTuple inside = m->inside;
    decrement_ttl(ctx.frame, ctx.pf);
    rewrite_dst_address(ctx.frame, ctx.pf, inside.src);
    if (icmp_error) {
        rewrite_icmp_inner(ctx.frame, ctx.pf, true, inside.src, inside.src_port);
    } else {
        rewrite_dst_port(ctx.frame, ctx.pf, inside.src_port);
    }
    if (TraceStep* s = dp.step(ctx, comp, Action::Translate)) {
        s->translation = Translation{Translation::Field::Destination,
                                     protocol,
                                     before,
                                     {inside.src, inside.src_port},
                                     Translation::Note::None};
    }
    ctx.via_nat = index;
    dp.capture(CaptureKind::NatGateway, index, CaptureSide::Inside, CaptureDirection::Outbound,
               ctx.frame);
    ++counts.PacketsOutToSource;
    counts.BytesOutToSource += pf.ip_total_length;
    return leave_subnet(ctx, nat.subnet);
}

}  // namespace vpcstack::engine::stages
