// The VPC resolver (Route 53 Resolver, "AmazonProvidedDNS"): UDP queries to the VPC's base
// address + 2, the subnet's base + 2 or 169.254.169.253, answered by the engine in the data plane,
// as the cloud answers them on the instance's host.
//
// AWS: vpc-dns —
// - the resolver answers when the VPC's enable_dns_support is true; else the query goes
//   unanswered (dropped: ResolverDisabled);
// - security groups and network ACLs do not filter traffic to the resolver (and flow logs do not
//   record it): this stage runs straight after the ENI's egress, before them;
// - every ENI may send 1024 packets per second to the link-local services together; beyond it
//   packets are dropped (LinkLocalAllowanceExceeded, counted as linklocal_allowance_exceeded);
// - private hosted zones associated with the VPC answer before public ones (split horizon), the
//   instances' private DNS hostnames (ip-10-0-1-10.ec2.internal in us-east-1,
//   ip-10-0-1-10.REGION.compute.internal elsewhere) resolve to their private address, and with
//   enable_dns_hostnames their public hostnames (ec2-203-0-113-5.compute-1.amazonaws.com) resolve
//   to the private address from inside the VPC;
// - names in no zone go to the internet's name servers, which in a lab serve only the topology's
//   public zones: NXDOMAIN (the lab never asks the real internet).
// The zones are model/dns_views.hpp's and the answer logic dns/zones.hpp's. Not modelled yet:
// DNS over TCP (a ServiceNotModelled drop) and the probing of Route 53 health checks (every check
// counts as healthy).
#include "../dataplane.hpp"
#include "vpcstack/dns/message.hpp"
#include "vpcstack/dns/zones.hpp"
#include "vpcstack/engine/replies.hpp"
#include "vpcstack/net/udp.hpp"

namespace vpcstack::engine::stages {

Next resolver(Dataplane& dp, Context& ctx) {
    const EniState& eni = dp.enis[ctx.ingress];
    const ComponentId component = dp.components->resolver(eni.vpc);
    dp.touch(component);
    const ParsedFrame& pf = ctx.pf;
    const std::span<const std::uint8_t> payload = ctx.frame.subspan(
        pf.l4 + net::udp::kHeaderSize,
        std::min<std::size_t>(ctx.frame.size() - pf.l4 - net::udp::kHeaderSize,
                              pf.ip_total_length - pf.ip_header_size - net::udp::kHeaderSize));
    dns::ParseFailure failure;
    std::optional<dns::Query> query = dns::parse_query(payload, &failure);
    auto exchange = std::make_shared<DnsExchange>();
    exchange->resolver = pf.key.dst;
    std::vector<std::uint8_t> wire;
    if (!query) {
        exchange->error = failure.reason;
        if (failure.question) exchange->name = failure.question->name;
        wire = dns::build_error_response(failure);
        if (wire.empty()) {
            if (TraceStep* s = dp.drop(ctx, DropReason::MalformedDnsQuery, component)) {
                s->dns = exchange;
            }
            return Next::Done;
        }
        exchange->rcode = failure.reply_rcode.value_or(dns::Rcode::FormErr);
    } else {
        const dns::ZoneView& view = dp.dns_views->vpc(eni.vpc);
        dns::ClientInfo client;
        client.region = dp.dns_views->region_of(eni.vpc);
        client.source = pf.key.src;
        dns::Resolution r = dns::resolve(view, query->question, client, dp.dns_health,
                                         dp.dns_views->alias(), dp.dns_random);
        if (!r.in_view()) {
            // The internet's name servers know nothing else: NXDOMAIN, with the root's SOA.
            r.answer.rcode = dns::Rcode::NxDomain;
        }
        dns::BuildResult built = dns::build_response_ex(*query, r.answer, /*tcp=*/false);
        wire = std::move(built.wire);
        exchange->name = query->question.name;
        exchange->type = query->question.type;
        exchange->rcode = r.answer.rcode;
        exchange->truncated = built.truncated;
        exchange->answers = r.answer.answers;
        exchange->explanation = std::move(r.explanation);
        exchange->error = built.error;
    }
    const std::size_t n = build_udp_reply(dp.dns_buffer, pf, wire, pf.src_mac, kRouterMac);
    if (n == 0) {
        if (TraceStep* s = dp.drop(ctx, DropReason::MalformedDnsQuery, component)) {
            s->dns = exchange;
        }
        return Next::Done;
    }
    if (TraceStep* s = dp.step(ctx, component, Action::Reply)) {
        s->note = Note::DnsAnswered;
        s->args.address = pf.key.dst;
        s->dns = exchange;
    }
    dp.reply(ctx, std::span<const std::uint8_t>(dp.dns_buffer.data(), n));
    return Next::Done;
}

}  // namespace vpcstack::engine::stages
