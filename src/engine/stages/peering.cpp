// VPC peering: a route sends the packet to the peer VPC, where it enters the subnet of the ENI
// holding the destination (AclInbound, then EniIngress).
//
// Outcomes: AclInbound; Drop with NotTransitive (arrived over a peering already, or the
// destination is not an ENI of the peer VPC), HostUnreachable or MtuExceeded.
//
// AWS: vpc-peering-basics — a peering is not transitive: what arrived over a peering is
// delivered only to an ENI of the receiving VPC, never through its gateways or other peerings.
// AWS: PG vpc-peering-basics — MTU 9001 within a region, 1500 across regions.
#include <algorithm>

#include "../dataplane.hpp"

namespace vpcstack::engine::stages {

namespace {
constexpr std::size_t kInterRegionMtu = 1500;
}

Next peering(Dataplane& dp, Context& ctx) {
    const model::Peering& p = dp.topo.peerings[ctx.target];
    const ComponentId comp = dp.components->peering(ctx.target);
    dp.touch(comp);
    dp.capture(CaptureKind::Peering, ctx.target, CaptureSide::Whole, CaptureDirection::Unknown,
               ctx.frame);
    if (ctx.via_peering) {
        dp.drop(ctx, DropReason::NotTransitive, comp);
        return Next::Done;
    }
    const model::Index from_vpc = dp.topo.subnets[ctx.subnet].vpc;
    const model::Index other = p.requester == from_vpc ? p.accepter : p.requester;
    const model::Vpc& peer = dp.topo.vpcs[other];
    const net::Ipv4Address dst = ctx.pf.key.dst;
    const bool inside = std::any_of(peer.cidrs.begin(), peer.cidrs.end(),
                                    [&](const net::Cidr& c) { return c.contains(dst); });
    const auto owner = inside ? dp.owner_of(other, dst) : std::nullopt;
    if (!inside || (owner && owner->kind == Owner::Kind::NatGateway)) {
        if (TraceStep* s = dp.drop(ctx, DropReason::NotTransitive, comp)) {
            s->note = Note::NotInPeerVpc;
            s->args.address = dst;
            s->args.vpc = other;
        }
        return Next::Done;
    }
    if (!owner) {
        if (TraceStep* s = dp.drop(ctx, DropReason::HostUnreachable, comp)) {
            s->note = Note::NoInterfaceInPeerVpc;
            s->args.address = dst;
            s->args.vpc = other;
        }
        return Next::Done;
    }
    const std::string& from_region =
        dp.topo.vpcs[from_vpc].region.empty() ? dp.topo.region : dp.topo.vpcs[from_vpc].region;
    const std::string& to_region = peer.region.empty() ? dp.topo.region : peer.region;
    if (from_region != to_region) {
        if (!dp.path_mtu_check(ctx, kInterRegionMtu, comp)) return Next::Done;
        ctx.path_mtu = kInterRegionMtu;
    }
    if (TraceStep* s = dp.step(ctx, comp, Action::Forward)) {
        s->note = Note::IntoVpc;
        s->args.vpc = other;
    }
    ctx.via_peering = true;
    ctx.target = owner->index;
    // AWS: elasticloadbalancing — clients in a peered VPC may use an internal load balancer.
    if (owner->kind == Owner::Kind::LoadBalancerNode) {
        return enter_subnet(ctx, dp.lb_nodes[owner->index].subnet, model::kNone,
                            Next::LoadBalancer);
    }
    return enter_subnet(ctx, dp.enis[owner->index].subnet, model::kNone, Next::EniIngress);
}

}  // namespace vpcstack::engine::stages
