// The VPC router: where a packet goes once it has left an ENI.
//
// subnet_exit: a packet for an address of the sender's own subnet goes straight to that ENI
//   (SameSubnet); anything else leaves the subnet through its ACL (AclOutbound).
// same_subnet: EniIngress of the ENI holding the address, or Drop with HostUnreachable.
// route_lookup: the longest matching route of the subnet's table picks the target:
//   LocalDelivery, InternetGatewayEgress, NatGatewayFromSubnet, Peering or Middlebox; Drop with
//   NoRoute or Blackhole.
// local_delivery: into the subnet of the ENI holding the address (AclInbound, then EniIngress),
//   or of the load balancer node (then LoadBalancer); Drop with HostUnreachable.
// A target's reply to a flow a load balancer sent it leaves its subnet (AclOutbound) and goes
//   to the node's subnet (AclInbound, then LoadBalancerReturn), not by the route table.
//
// AWS: VPC_Route_Tables — each direction uses the table of the subnet it leaves; the most
// specific route wins; within a subnet neither the route table nor the network ACL applies
// (vpc-network-acls). The VPC router is not a hop: it does not decrement TTL (commonly
// reported; not in the cloud's documentation).
#include "../dataplane.hpp"
#include "vpcstack/engine/rewrite.hpp"

namespace vpcstack::engine::stages {

namespace {
constexpr bool kVpcRouterDecrementsTtl = false;

void no_interface(Dataplane& dp, Context& ctx, ComponentId router) {
    if (TraceStep* s = dp.drop(ctx, DropReason::HostUnreachable, router)) {
        s->note = Note::NoInterfaceHolds;
        s->args.address = ctx.pf.key.dst;
    }
}
}  // namespace

Next subnet_exit(Dataplane& dp, Context& ctx) {
    const EniState& eni = dp.enis[ctx.ingress];
    // AWS: load-balancer-target-groups — a target's reply to a balanced flow returns through
    // the load balancer node, whatever this subnet's route table says.
    if (eni.lb_target && !dp.lb_flows.empty()) {
        if (LbFlow* flow = dp.lb_flows.find_reply(ctx.pf.tuple, ctx.now)) {
            ctx.lb_reply = flow;
            if (dp.lb_nodes[flow->node].subnet == eni.subnet) return Next::LoadBalancerReturn;
            return leave_subnet(ctx, eni.subnet);
        }
    }
    if (dp.topo.subnets[eni.subnet].cidr.contains(ctx.pf.key.dst)) return Next::SameSubnet;
    return leave_subnet(ctx, eni.subnet);
}

Next same_subnet(Dataplane& dp, Context& ctx) {
    const EniState& from = dp.enis[ctx.ingress];
    const ComponentId router = dp.components->vpc_router(from.vpc);
    dp.touch(router);
    auto owner = dp.owner_of(from.vpc, ctx.pf.key.dst);
    if (!owner || owner->kind == Owner::Kind::NatGateway) {
        no_interface(dp, ctx, router);
        return Next::Done;
    }
    if (TraceStep* s = dp.step(ctx, router, Action::Forward)) s->note = Note::SameSubnet;
    ctx.target = owner->index;
    return owner->kind == Owner::Kind::LoadBalancerNode ? Next::LoadBalancer : Next::EniIngress;
}

Next route_lookup(Dataplane& dp, Context& ctx) {
    const model::Subnet& s = dp.topo.subnets[ctx.subnet];
    const ComponentId comp = dp.components->route_table(s.route_table);
    dp.touch(comp);
    if (ctx.lb_reply != nullptr) {  // see subnet_exit
        return enter_subnet(ctx, dp.lb_nodes[ctx.lb_reply->node].subnet, ctx.subnet,
                            Next::LoadBalancerReturn);
    }
    const policy::CompiledRoute* r = dp.route_tables[s.route_table].lookup(ctx.pf.key.dst);
    if (r == nullptr) {
        if (TraceStep* t = dp.drop(ctx, DropReason::NoRoute, comp)) {
            t->note = Note::NoRouteTo;
            t->args.address = ctx.pf.key.dst;
        }
        return Next::Done;
    }
    using K = model::RouteTargetKind;
    if (r->blackhole || r->kind == K::Blackhole) {
        if (TraceStep* t = dp.drop(ctx, DropReason::Blackhole, comp)) {
            t->rule = {RuleRef::Kind::Route, policy::Direction::Outbound, 0, r->text};
            if (r->blackhole) {
                t->note = Note::BlackholeTarget;
                t->args.text = r->blackhole_reason;
            }
        }
        return Next::Done;
    }
    if (TraceStep* t = dp.step(ctx, comp, Action::Forward)) {
        t->rule = {RuleRef::Kind::Route, policy::Direction::Outbound, 0, r->text};
    }
    if constexpr (kVpcRouterDecrementsTtl) decrement_ttl(ctx.frame, ctx.pf);
    ctx.target = r->target;
    switch (r->kind) {
        case K::Local:
            return Next::LocalDelivery;
        case K::InternetGateway:
            return Next::InternetGatewayEgress;
        case K::NatGateway:
            return Next::NatGatewayFromSubnet;
        case K::Peering:
            return Next::Peering;
        case K::Instance:
        case K::Eni:
            return Next::Middlebox;
        case K::Blackhole:
            break;
    }
    VPCSTACK_ASSERT(false, "a route target kind the router does not know");
    return Next::Done;
}

Next local_delivery(Dataplane& dp, Context& ctx) {
    const model::Index vpc = dp.topo.subnets[ctx.subnet].vpc;
    const ComponentId router = dp.components->vpc_router(vpc);
    dp.touch(router);
    auto owner = dp.owner_of(vpc, ctx.pf.key.dst);
    if (!owner) {
        no_interface(dp, ctx, router);
        return Next::Done;
    }
    if (owner->kind == Owner::Kind::NatGateway) {
        if (TraceStep* s = dp.drop(ctx, DropReason::HostUnreachable, router)) {
            s->note = Note::NatOnlyForwards;
            s->args.address = ctx.pf.key.dst;
        }
        return Next::Done;
    }
    ctx.target = owner->index;
    if (owner->kind == Owner::Kind::LoadBalancerNode) {
        return enter_subnet(ctx, dp.lb_nodes[owner->index].subnet, ctx.subnet, Next::LoadBalancer);
    }
    return enter_subnet(ctx, dp.enis[owner->index].subnet, ctx.subnet, Next::EniIngress);
}

}  // namespace vpcstack::engine::stages
