// ARP: the VPC router answers address resolution for the instances of a subnet.
//
// Outcomes: Reply (an ARP reply out of the ingress port), or Drop with Noise (unsolicited
// replies, gratuitous ARP) or HostUnreachable (an unused address of the subnet).
//
// AWS: the VPC router answers for the subnet's router address (base+1) and DNS address
// (base+2). Within a subnet it answers for an ENI's address with that ENI's MAC (instances see
// each other's MACs, as in the cloud) and for other VPC addresses (NAT gateway, off-subnet)
// with kRouterMac; an unused address of the subnet gets no answer. On the internet port every
// address is answered with kRouterMac: the whole internet reaches the VPCs through it.
#include "../dataplane.hpp"

namespace vpcstack::engine::stages {

Next arp(Dataplane& dp, Context& ctx) {
    const ParsedFrame& pf = ctx.pf;
    const bool from_internet = ctx.ingress == kInternetPort;
    const ComponentId port =
        from_internet ? dp.components->internet() : dp.enis[ctx.ingress].component;
    if (pf.arp_op != 1) {
        if (TraceStep* s = dp.drop(ctx, DropReason::Noise, port))
            s->note = Note::UnsolicitedArpReply;
        return Next::Done;
    }
    if (pf.arp_sender_ip == pf.arp_target_ip) {
        if (TraceStep* s = dp.drop(ctx, DropReason::Noise, port)) s->note = Note::GratuitousArp;
        return Next::Done;
    }
    net::MacAddress answer = kRouterMac;
    ComponentId router = port;
    if (!from_internet) {
        const EniState& eni = dp.enis[ctx.ingress];
        router = dp.components->vpc_router(eni.vpc);
        const net::Cidr& cidr = dp.topo.subnets[eni.subnet].cidr;
        net::Ipv4Address target = pf.arp_target_ip;
        bool router_or_dns = target == cidr.network() + 1 || target == cidr.network() + 2;
        if (cidr.contains(target) && !router_or_dns) {
            auto owner = dp.owner_of(eni.vpc, target);
            if (!owner) {
                if (TraceStep* s = dp.drop(ctx, DropReason::HostUnreachable, router)) {
                    s->note = Note::NoInterfaceHolds;
                    s->args.address = target;
                }
                return Next::Done;
            }
            if (owner->kind == Owner::Kind::Eni) answer = dp.enis[owner->index].mac;
        }
    }
    std::size_t n = build_arp_reply(dp.reply_buffer, pf, answer);
    if (TraceStep* s = dp.step(ctx, router, Action::Reply)) {
        s->note = Note::ArpIsAt;
        s->args.address = pf.arp_target_ip;
        s->args.mac = answer;
    }
    dp.reply(ctx, std::span<const std::uint8_t>(dp.reply_buffer.data(), n));
    return Next::Done;
}

}  // namespace vpcstack::engine::stages
