// ENI egress: a frame an instance sent on its network interface.
//
// Outcomes: SecurityGroupEgress, or Drop with InstanceStopped, Noise (broadcast, multicast,
// the subnet's last address), WrongDestinationMac, SourceDestCheck, ServiceNotModelled or
// LinkLocal.
//
// AWS: EC2 using-eni — with source/destination check on, an ENI only sends from its own
// addresses. AWS: subnet-sizing — broadcast and multicast are not supported. AWS: vpc-dns,
// ec2-instance-metadata — the DNS resolver (VPC base + 2, subnet base + 2, 169.254.169.253) and
// the metadata service (169.254.169.254) are not modelled yet: their packets are dropped with
// their own reason instead of disappearing. 169.254.0.0/16 is otherwise never routed.
#include "../dataplane.hpp"
#include "vpcstack/model/cloud_rules.hpp"

namespace vpcstack::engine::stages {

namespace {

constexpr net::Cidr kLinkLocal{net::Ipv4Address(169, 254, 0, 0), 16};
using model::cloud::kLinkLocalDnsAddress;
using model::cloud::kMetadataAddress;
using model::cloud::kTimeSyncAddress;
// AWS: vpc-dns, EC2 monitoring-network-performance-ena — an ENI may send at most 1024 packets
// per second to the DNS resolver, the metadata service and time sync together.
constexpr std::uint32_t kLinkLocalPacketsPerSecond = 1024;

// Counts the packet against the ENI's link-local allowance (linklocal_allowance_exceeded).
void count_linklocal(Dataplane& dp, Context& ctx, model::Index eni_index) {
    EniState& eni = dp.eni(eni_index);
    const std::uint64_t second = ctx.now / kNsPerSecond;
    if (second != eni.linklocal_second) {
        eni.linklocal_second = second;
        eni.linklocal_packets = 0;
    }
    if (++eni.linklocal_packets > kLinkLocalPacketsPerSecond) ++eni.linklocal_allowance_exceeded;
}

bool is_broadcast(net::Ipv4Address dst, const net::Cidr& subnet) noexcept {
    return net::is_broadcast_or_multicast(dst) || dst == subnet.last();
}

// False when the packet is for a VPC service the engine does not model, or link-local.
bool services_check(Dataplane& dp, Context& ctx, const EniState& eni) {
    net::Ipv4Address dst = ctx.pf.key.dst;
    const model::Vpc& vpc = dp.topo.vpcs[eni.vpc];
    bool dns = dst == kLinkLocalDnsAddress ||
               (!vpc.cidrs.empty() && dst == model::cloud::resolver_address(vpc.cidrs.front())) ||
               dst == model::cloud::resolver_address(dp.topo.subnets[eni.subnet].cidr);
    ComponentId router = dp.components->vpc_router(eni.vpc);
    if (dns || dst == kMetadataAddress || dst == kTimeSyncAddress) {
        count_linklocal(dp, ctx, eni.index);
    }
    if (dns || dst == kMetadataAddress) {
        if (TraceStep* s = dp.drop(ctx, DropReason::ServiceNotModelled, router)) {
            s->note = dns ? Note::DnsResolver : Note::MetadataService;
            s->args.address = dst;
        }
        return false;
    }
    if (kLinkLocal.contains(dst)) {
        if (TraceStep* s = dp.drop(ctx, DropReason::LinkLocal, router)) {
            s->note = Note::LinkLocalAddress;
            s->args.address = dst;
        }
        return false;
    }
    return true;
}

}  // namespace

Next eni_egress(Dataplane& dp, Context& ctx) {
    EniState& eni = dp.enis[ctx.ingress];
    const ParsedFrame& pf = ctx.pf;
    if (!eni.running) {
        dp.drop(ctx, DropReason::InstanceStopped, eni.component);
        return Next::Done;
    }
    if (pf.dst_mac.is_multicast()) {
        if (TraceStep* s = dp.drop(ctx, DropReason::Noise, eni.component)) {
            s->note = Note::BroadcastFrame;
        }
        return Next::Done;
    }
    if (pf.dst_mac != kRouterMac && !dp.is_eni_mac(pf.dst_mac)) {
        if (TraceStep* s = dp.drop(ctx, DropReason::WrongDestinationMac, eni.component)) {
            s->note = Note::UnknownDestinationMac;
            s->args.mac = pf.dst_mac;
        }
        return Next::Done;
    }
    if (is_broadcast(pf.key.dst, dp.topo.subnets[eni.subnet].cidr)) {
        if (TraceStep* s = dp.drop(ctx, DropReason::Noise, eni.component)) {
            s->note = Note::BroadcastAddress;
        }
        return Next::Done;
    }
    if (eni.source_dest_check && !eni.owns(pf.key.src)) {
        if (TraceStep* s = dp.drop(ctx, DropReason::SourceDestCheck, eni.component)) {
            s->rule.kind = RuleRef::Kind::SourceDestCheck;
            s->note = Note::SourceNotOwn;
            s->args.address = pf.key.src;
        }
        return Next::Done;
    }
    if (!services_check(dp, ctx, eni)) return Next::Done;
    if (TraceStep* s = dp.step(ctx, eni.component, Action::Forward)) s->note = Note::SentByInstance;
    return Next::SecurityGroupEgress;
}

}  // namespace vpcstack::engine::stages
