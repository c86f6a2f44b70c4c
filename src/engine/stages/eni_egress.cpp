// ENI egress: a frame an instance sent on its network interface.
//
// Outcomes: SecurityGroupEgress, or Drop with InstanceStopped, Noise (broadcast, multicast,
// the subnet's last address), WrongDestinationMac, SourceDestCheck, LinkLocal,
// ServicePortClosed, MetadataDisabled, ResolverDisabled or LinkLocalAllowance; or one of the
// VPC's own services: the resolver (stages/resolver.cpp), the TCP services (DNS over TCP and
// the metadata service, stages/service_tcp.cpp) and time sync (stages/time_sync.cpp).
//
// AWS: EC2 using-eni — with source/destination check on, an ENI only sends from its own
// addresses. AWS: subnet-sizing — broadcast and multicast are not supported. AWS: vpc-dns,
// instancedata-data-retrieval, set-time — DNS (UDP and TCP 53 to VPC base + 2, subnet base +
// 2, 169.254.169.253), the metadata service (HTTP to 169.254.169.254) and time sync (NTP to
// 169.254.169.123) are answered on the instance's host, before security groups and ACLs, which
// do not filter them (AWS: vpc-network-acls — ACLs do not filter traffic to or from the
// resolver, the metadata service or time sync), and flow logs do not record them.
// 169.254.0.0/16 is otherwise never routed. All of them count against the ENI's link-local
// allowance.
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

// Counts the packet against the ENI's link-local allowance; false beyond it, where the cloud
// drops the packet and counts it as linklocal_allowance_exceeded.
bool within_linklocal_allowance(Dataplane& dp, Context& ctx, model::Index eni_index) {
    EniState& eni = dp.eni(eni_index);
    const std::uint64_t second = ctx.now / kNsPerSecond;
    if (second != eni.linklocal_second) {
        eni.linklocal_second = second;
        eni.linklocal_packets = 0;
    }
    if (++eni.linklocal_packets <= kLinkLocalPacketsPerSecond) return true;
    ++eni.linklocal_allowance_exceeded;
    return false;
}

bool is_broadcast(net::Ipv4Address dst, const net::Cidr& subnet) noexcept {
    return net::is_broadcast_or_multicast(dst) || dst == subnet.last();
}

// Where a packet for one of the VPC's own services goes: the resolver, the metadata service,
// time sync, or a drop (Done); nothing for any other packet.
std::optional<Next> services(Dataplane& dp, Context& ctx, const EniState& eni) {
    const net::Ipv4Address dst = ctx.pf.key.dst;
    const model::Vpc& vpc = dp.topo.vpcs[eni.vpc];
    const bool dns =
        dst == kLinkLocalDnsAddress ||
        (!vpc.cidrs.empty() && dst == model::cloud::resolver_address(vpc.cidrs.front())) ||
        dst == model::cloud::resolver_address(dp.topo.subnets[eni.subnet].cidr);
    const bool metadata = dst == kMetadataAddress;
    const bool time_sync = dst == kTimeSyncAddress;
    const ComponentId router = dp.components->vpc_router(eni.vpc);
    if (!dns && !metadata && !time_sync) {
        if (kLinkLocal.contains(dst)) {
            if (TraceStep* s = dp.drop(ctx, DropReason::LinkLocal, router)) {
                s->note = Note::LinkLocalAddress;
                s->args.address = dst;
            }
            return Next::Done;
        }
        return std::nullopt;
    }
    if (!within_linklocal_allowance(dp, ctx, eni.index)) {
        if (TraceStep* s = dp.drop(ctx, DropReason::LinkLocalAllowance, router)) {
            s->note = Note::LinkLocalAllowance;
            s->args.n = dp.eni(eni.index).linklocal_packets;
        }
        return Next::Done;
    }
    const ParsedFrame& pf = ctx.pf;
    const std::uint8_t protocol = pf.has_l4 ? pf.tuple.protocol : std::uint8_t{0};
    const std::uint16_t port = pf.has_l4 ? pf.tuple.dst_port : std::uint16_t{0};
    const bool tcp = protocol == net::Protocol::kTcp;
    const bool udp = protocol == net::Protocol::kUdp;
    if (dns) {
        const ComponentId resolver = dp.components->resolver(eni.vpc);
        if (!vpc.enable_dns_support) {
            if (TraceStep* s = dp.drop(ctx, DropReason::ResolverDisabled, resolver)) {
                s->note = Note::ResolverOff;
                s->args.vpc = eni.vpc;
            }
            return Next::Done;
        }
        if (port == 53 && udp) return Next::Resolver;
        if (port == 53 && tcp) return Next::ServiceTcp;
    } else if (metadata) {
        const model::Eni& e = dp.topo.enis[eni.index];
        // AWS: configuring-instance-metadata-options — with http_endpoint disabled the instance
        // cannot reach its metadata.
        if (e.instance != model::kNone &&
            !dp.topo.instances[e.instance].metadata_options.endpoint_enabled) {
            if (TraceStep* s = dp.drop(ctx, DropReason::MetadataDisabled, router)) {
                s->note = Note::MetadataOff;
            }
            return Next::Done;
        }
        if (port == 80 && tcp) return Next::ServiceTcp;
    } else if (port == 123 && udp) {
        return Next::TimeSync;
    }
    if (TraceStep* s = dp.drop(ctx, DropReason::ServicePortClosed,
                               dns ? dp.components->resolver(eni.vpc) : router)) {
        s->note = Note::ServicePortClosed;
        s->args.address = dst;
        s->args.n = port;
        s->args.m = protocol;
    }
    return Next::Done;
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
    if (std::optional<Next> service = services(dp, ctx, eni)) return *service;
    if (TraceStep* s = dp.step(ctx, eni.component, Action::Forward)) s->note = Note::SentByInstance;
    return Next::SecurityGroupEgress;
}

}  // namespace vpcstack::engine::stages
