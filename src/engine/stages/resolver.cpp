// The VPC resolver (Route 53 Resolver, "AmazonProvidedDNS"): DNS queries to the VPC's base
// address + 2, the subnet's base + 2 or 169.254.169.253, answered by the engine in the data plane,
// as the cloud answers them on the instance's host. This stage answers UDP; DNS over TCP is
// carried by stages/service_tcp.cpp, which asks Dataplane::answer_dns below for each message.
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
//   public zones: NXDOMAIN (the lab never asks the real internet);
// - an answer larger than the client's UDP size (512 bytes, or its EDNS0 size) is truncated (TC)
//   and the client asks again over TCP (RFC 7766), where it fits whole.
// The zones are model/dns_views.hpp's and the answer logic dns/zones.hpp's.
#include "../dataplane.hpp"
#include "vpcstack/dns/message.hpp"
#include "vpcstack/dns/zones.hpp"
#include "vpcstack/engine/replies.hpp"
#include "vpcstack/net/udp.hpp"

namespace vpcstack::engine {

Dataplane::DnsAnswer Dataplane::answer_dns(const EniState& eni, net::Ipv4Address client_address,
                                           net::Ipv4Address resolver,
                                           std::span<const std::uint8_t> message, bool tcp) {
    DnsAnswer out;
    out.exchange = std::make_shared<DnsExchange>();
    DnsExchange& exchange = *out.exchange;
    exchange.resolver = resolver;
    exchange.tcp = tcp;
    dns::ParseFailure failure;
    std::optional<dns::Query> query = dns::parse_query(message, &failure);
    if (!query) {
        exchange.error = failure.reason;
        if (failure.question) exchange.name = failure.question->name;
        out.wire = dns::build_error_response(failure);
        exchange.rcode = failure.reply_rcode.value_or(dns::Rcode::FormErr);
        return out;
    }
    const dns::ZoneView& view = dns_views->vpc(eni.vpc);
    const dns::ClientInfo client = dns_views->client_of(eni.vpc, client_address);
    dns::Resolution r =
        dns::resolve(view, query->question, client, dns_health, dns_views->alias(), dns_random);
    if (!r.in_view()) {
        // The internet's name servers know nothing else: NXDOMAIN, with the root's SOA.
        r.answer.rcode = dns::Rcode::NxDomain;
    }
    dns::BuildResult built = dns::build_response_ex(*query, r.answer, tcp);
    out.wire = std::move(built.wire);
    exchange.name = query->question.name;
    exchange.type = query->question.type;
    exchange.rcode = r.answer.rcode;
    exchange.truncated = built.truncated;
    exchange.answers = r.answer.answers;
    exchange.explanation = std::move(r.explanation);
    exchange.error = built.error;
    return out;
}

namespace stages {

Next resolver(Dataplane& dp, Context& ctx) {
    const EniState& eni = dp.enis[ctx.ingress];
    const ComponentId component = dp.components->resolver(eni.vpc);
    dp.touch(component);
    const ParsedFrame& pf = ctx.pf;
    const std::span<const std::uint8_t> payload = ctx.frame.subspan(
        pf.l4 + net::udp::kHeaderSize,
        std::min<std::size_t>(ctx.frame.size() - pf.l4 - net::udp::kHeaderSize,
                              pf.ip_total_length - pf.ip_header_size - net::udp::kHeaderSize));
    Dataplane::DnsAnswer answer =
        dp.answer_dns(eni, pf.key.src, pf.key.dst, payload, /*tcp=*/false);
    const std::size_t n = answer.wire.empty() ? 0
                                              : build_udp_reply(dp.dns_buffer, pf, answer.wire,
                                                                pf.src_mac, kRouterMac);
    if (n == 0) {
        if (TraceStep* s = dp.drop(ctx, DropReason::MalformedDnsQuery, component)) {
            s->dns = answer.exchange;
        }
        return Next::Done;
    }
    if (TraceStep* s = dp.step(ctx, component, Action::Reply)) {
        s->note = Note::DnsAnswered;
        s->args.address = pf.key.dst;
        s->dns = answer.exchange;
    }
    dp.reply(ctx, std::span<const std::uint8_t>(dp.dns_buffer.data(), n));
    return Next::Done;
}

}  // namespace stages

}  // namespace vpcstack::engine
