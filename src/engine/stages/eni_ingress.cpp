// ENI ingress and delivery: a packet reaches the network interface it is for.
//
// eni_ingress: SecurityGroupIngress; Drop with InstanceStopped or SourceDestCheck.
// deliver: the Ethernet header rewritten (source kRouterMac, destination the ENI's MAC), out
//   of the ENI's port, fragmented first to a smaller path MTU (an inter-region peering) when
//   the packet allows it.
//
// AWS: EC2 using-eni — with source/destination check on, an ENI drops traffic it receives that
// is not addressed to one of its addresses. A stopped instance receives nothing.
#include "../dataplane.hpp"

namespace vpcstack::engine::stages {

Next eni_ingress(Dataplane& dp, Context& ctx) {
    EniState& eni = dp.eni(ctx.target);
    dp.touch(eni.component);
    if (!eni.running) {
        dp.drop(ctx, DropReason::InstanceStopped, eni.component);
        return Next::Done;
    }
    if (eni.source_dest_check && !eni.owns(ctx.pf.key.dst)) {
        if (TraceStep* s = dp.drop(ctx, DropReason::SourceDestCheck, eni.component)) {
            s->rule.kind = RuleRef::Kind::SourceDestCheck;
            s->note = Note::DestinationNotOwn;
            s->args.address = ctx.pf.key.dst;
        }
        return Next::Done;
    }
    return Next::SecurityGroupIngress;
}

Next deliver(Dataplane& dp, Context& ctx) {
    const EniState& eni = dp.eni(ctx.target);
    std::uint8_t* eth = ctx.frame.data();
    net::store_mac(eth, eni.mac);
    net::store_mac(eth + 6, kRouterMac);
    if (TraceStep* s = dp.step(ctx, eni.component, Action::Deliver)) {
        s->note = Note::DeliverTo;
        s->args.address = ctx.pf.key.dst;
    }
    if (ctx.path_mtu != 0 && ctx.pf.ip_total_length > ctx.path_mtu) {
        dp.transmit_fragments(ctx, eni.index, ctx.path_mtu);
    } else {
        dp.transmit(eni.index, ctx.frame);
    }
    dp.finish_delivered(ctx, eni.index);
    return Next::Done;
}

}  // namespace vpcstack::engine::stages
