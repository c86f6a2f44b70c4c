// NAT gateway, outbound: a private subnet's traffic leaves with the NAT gateway's address.
//
// from_subnet: a route sent the packet to the NAT gateway: AclInbound of the NAT gateway's
//   subnet, then NatGatewayOutbound; Drop with NotTransitive or NatOwnSubnet.
// outbound: the source becomes the NAT gateway's private IP and a port of its own (a new
//   translation for a flow's first packet), TTL decremented; then the NAT gateway's subnet
//   routes it (AclOutbound). Drop with TtlExceeded (ICMP time exceeded sent),
//   NatUnsupported, NatNoTranslation (a TCP packet that is not a SYN: RST sent) or
//   NatPortsExhausted.
//
// AWS: vpc-nat-gateway — the NAT gateway has no security group; its subnet's ACL applies. It
// does not serve its own subnet. Ports 1024-65535, at most 55,000 simultaneous connections to
// one destination per address; a TCP packet that is not a SYN and matches no translation (an
// asymmetric SYN-ACK, or a connection past the idle timeout) is answered with RST. AWS:
// nat-gateway-troubleshooting — the NAT gateway is a hop: it decrements TTL. AWS:
// vpc-peering-basics — traffic that arrived over a peering may not use it.
#include "../dataplane.hpp"
#include "vpcstack/engine/rewrite.hpp"
#include "vpcstack/policy/nat.hpp"

namespace vpcstack::engine::stages {

Next nat_gateway_from_subnet(Dataplane& dp, Context& ctx) {
    const model::NatGateway& nat = dp.topo.nat_gateways[ctx.target];
    const ComponentId comp = dp.components->nat_gateway(ctx.target);
    dp.touch(comp);
    if (ctx.via_peering) {
        dp.drop(ctx, DropReason::NotTransitive, comp);
        return Next::Done;
    }
    if (!policy::nat_serves(nat, ctx.subnet)) {
        dp.drop(ctx, DropReason::NatOwnSubnet, comp);
        return Next::Done;
    }
    return enter_subnet(ctx, nat.subnet, ctx.subnet, Next::NatGatewayOutbound);
}

Next nat_gateway_outbound(Dataplane& dp, Context& ctx) {
    const model::Index index = ctx.target;
    const model::NatGateway& nat = dp.topo.nat_gateways[index];
    const ComponentId comp = dp.components->nat_gateway(index);
    const ParsedFrame& pf = ctx.pf;
    Counters::NatGateway& counts = dp.nat_counts[index];
    dp.capture(CaptureKind::NatGateway, index, CaptureSide::Inside, CaptureDirection::Inbound,
               ctx.frame);
    ++counts.PacketsInFromSource;
    counts.BytesInFromSource += pf.ip_total_length;
    if (pf.ttl <= 1) {
        dp.send_icmp_error(ctx, 11, 0, 0, nat.private_ip);
        if (TraceStep* s = dp.drop(ctx, DropReason::TtlExceeded, comp)) {
            s->note = Note::TimeExceededSent;
            s->args.address = nat.private_ip;
        }
        return Next::Done;
    }
    const policy::NatPacketFacts facts{pf.key.protocol, pf.fragment, pf.first_fragment,
                                       pf.icmp_query};
    const policy::NatHandling handling = policy::nat_handling(facts);
    if (handling == policy::NatHandling::Unsupported) {
        dp.drop(ctx, DropReason::NatUnsupported, comp);
        return Next::Done;
    }
    const Endpoint before{pf.key.src, pf.tuple.src_port};
    const std::uint8_t protocol = pf.key.protocol;
    if (handling == policy::NatHandling::TranslateAddress) {
        decrement_ttl(ctx.frame, ctx.pf);
        rewrite_src_address(ctx.frame, ctx.pf, nat.private_ip);
        if (TraceStep* s = dp.step(ctx, comp, Action::Translate)) {
            s->translation = Translation{Translation::Field::Source,
                                         protocol,
                                         before,
                                         {nat.private_ip, {}},
                                         Translation::Note::AddressOnlyFragment};
        }
        ctx.via_nat = index;
        dp.capture(CaptureKind::NatGateway, index, CaptureSide::Outside, CaptureDirection::Outbound,
                   ctx.frame);
        ++counts.PacketsOutToDestination;
        counts.BytesOutToDestination += pf.ip_total_length;
        return leave_subnet(ctx, nat.subnet);
    }
    NatTable& table = dp.nats[index];
    NatMapping* m = table.find_outbound(pf.tuple, ctx.now);
    bool created = false;
    if (m == nullptr) {
        if (pf.key.protocol == net::Protocol::kTcp && policy::answer_with_rst(pf.tcp_flags)) {
            if (TraceStep* s = dp.drop(ctx, DropReason::NatNoTranslation, comp)) {
                s->note = Note::RstSent;
            }
            dp.send_tcp_rst(ctx);
            return Next::Done;
        }
        if (pf.key.protocol == net::Protocol::kIcmp &&
            !policy::icmp_opens_translation(pf.icmp_type)) {
            if (TraceStep* s = dp.drop(ctx, DropReason::NatNoTranslation, comp)) {
                s->note = Note::IcmpReplyOpensNothing;
                s->args.n = pf.icmp_type;
            }
            return Next::Done;
        }
        auto c = table.create(pf.tuple, ctx.now);
        ++counts.ConnectionAttemptCount;
        if (c.outcome == NatTable::CreateOutcome::PortsExhausted) {
            ++counts.ErrorPortAllocation;
            if (TraceStep* s = dp.drop(ctx, DropReason::NatPortsExhausted, comp)) {
                s->note = Note::NatConnectionsTo;
                s->args.n = static_cast<std::uint32_t>(table.connections_to(pf.tuple));
                s->args.m = protocol;
                s->args.endpoint = {pf.key.dst, pf.tuple.dst_port};
            }
            return Next::Done;
        }
        m = c.mapping;
        created = true;
        ++counts.ConnectionEstablishedCount;
    }
    decrement_ttl(ctx.frame, ctx.pf);
    rewrite_src_address(ctx.frame, ctx.pf, nat.private_ip);
    rewrite_src_port(ctx.frame, ctx.pf, m->nat_port);
    if (TraceStep* s = dp.step(ctx, comp, Action::Translate)) {
        s->translation =
            Translation{Translation::Field::Source,
                        protocol,
                        before,
                        {nat.private_ip, m->nat_port},
                        created ? Translation::Note::NewMapping : Translation::Note::None};
    }
    ctx.via_nat = index;
    dp.capture(CaptureKind::NatGateway, index, CaptureSide::Outside, CaptureDirection::Outbound,
               ctx.frame);
    ++counts.PacketsOutToDestination;
    counts.BytesOutToDestination += pf.ip_total_length;
    return leave_subnet(ctx, nat.subnet);
}

}  // namespace vpcstack::engine::stages
