// What every stage shares: tracing a step, counting a drop, sending a frame (whole, fragmented
// or as the engine's own answer).
#include <algorithm>
#include <cstring>

#include "dataplane.hpp"
#include "vpcstack/engine/rewrite.hpp"
#include "vpcstack/net/ipv4_header.hpp"

namespace vpcstack::engine {

TraceStep* Dataplane::append_step(PacketTrace& trace, ComponentId component, Action action) {
    TraceStep& s = trace.steps.emplace_back();
    s.component = component;
    s.kind = (*components)[component].kind;
    s.action = action;
    return &s;
}

TraceStep* Dataplane::append_drop(PacketTrace& trace, DropReason reason, ComponentId component) {
    trace.fate = Fate::Dropped;
    trace.drop = reason;
    TraceStep* s = append_step(trace, component, Action::Drop);
    s->drop = reason;
    return s;
}

void Dataplane::transmit(PortId port, std::span<const std::uint8_t> frame) {
    ++transmitted;
    if (capture_sink != nullptr) [[unlikely]] {
        if (port == kInternetPort) {
            capture(CaptureKind::Internet, model::kNone, CaptureSide::Whole,
                    CaptureDirection::Outbound, frame);
        } else if (port < enis.size()) {
            capture(CaptureKind::Eni, port, CaptureSide::Whole, CaptureDirection::Inbound, frame);
        }
    }
    sink.transmit(port, frame);
}

void Dataplane::finish_delivered(Context& ctx, PortId port) {
    if (ctx.trace == nullptr) return;
    ctx.trace->fate = Fate::Delivered;
    ctx.trace->egress = port;
}

void Dataplane::reply(Context& ctx, std::span<const std::uint8_t> frame) {
    transmit(ctx.ingress, frame);
    if (ctx.trace == nullptr) return;
    ctx.trace->fate = Fate::Replied;
    ctx.trace->egress = ctx.ingress;
}

void Dataplane::send_tcp_rst(Context& ctx) {
    const std::size_t n = build_tcp_rst(reply_buffer, ctx.original, ctx.original_pf,
                                        ctx.original_pf.src_mac, kRouterMac);
    if (n > 0) reply(ctx, std::span<const std::uint8_t>(reply_buffer.data(), n));
}

void Dataplane::send_icmp_error(Context& ctx, std::uint8_t type, std::uint8_t code,
                                std::uint16_t mtu, net::Ipv4Address from) {
    std::size_t n = build_icmp_error(reply_buffer, ctx.original, ctx.original_pf, type, code, mtu,
                                     from, ctx.original_pf.src_mac, kRouterMac);
    if (n == 0) return;
    transmit(ctx.ingress, std::span<const std::uint8_t>(reply_buffer.data(), n));
    if (ctx.trace != nullptr) ctx.trace->egress = ctx.ingress;
}

// The error comes from the sender's subnet router address (or, from the internet, from the
// address the packet was sent to).
bool Dataplane::path_mtu_check(Context& ctx, std::size_t mtu, ComponentId component) {
    if (ctx.pf.ip_total_length <= mtu || !ctx.pf.dont_fragment) return true;
    net::Ipv4Address from = ctx.original_pf.key.dst;
    if (ctx.ingress < enis.size()) from = topo.subnets[enis[ctx.ingress].subnet].cidr.network() + 1;
    send_icmp_error(ctx, 3, 4, static_cast<std::uint16_t>(mtu), from);
    if (TraceStep* s = drop(ctx, DropReason::MtuExceeded, component)) {
        s->note = Note::MtuExceeded;
        s->args.n = static_cast<std::uint32_t>(ctx.pf.ip_total_length);
        s->args.m = static_cast<std::uint32_t>(mtu);
    }
    return false;
}

void Dataplane::transmit_fragments(Context& ctx, PortId port, std::size_t mtu) {
    const ParsedFrame& pf = ctx.pf;
    const std::uint8_t* ip = ctx.frame.data() + pf.l3;
    std::size_t payload = pf.ip_total_length - pf.ip_header_size;
    std::uint16_t flags_offset = net::load16(ip + net::ipv4::kFlagsFragment);
    std::size_t base_offset = (flags_offset & net::ipv4::kFragmentOffsetMask) * 8U;
    bool more_after = (flags_offset & net::ipv4::kMoreFragments) != 0;
    std::size_t sent = 0;
    std::uint32_t count = 0;
    while (sent < payload) {
        std::size_t header = sent == 0 ? pf.ip_header_size : net::ipv4::kMinHeaderSize;
        std::size_t room = ((mtu - header) / 8) * 8;
        std::size_t chunk = std::min(room, payload - sent);
        bool last = sent + chunk == payload;
        std::uint8_t* out = fragment_buffer.data();
        std::memcpy(out, ctx.frame.data(), net::ethernet::kHeaderSize + net::ipv4::kMinHeaderSize);
        if (sent == 0) {
            std::memcpy(out + net::ethernet::kHeaderSize, ip, header);
        }
        std::uint8_t* oip = out + net::ethernet::kHeaderSize;
        oip[net::ipv4::kVersionIhl] =
            static_cast<std::uint8_t>((net::ipv4::kVersion << 4) | (header / 4));
        net::store16(oip + net::ipv4::kTotalLength, static_cast<std::uint16_t>(header + chunk));
        std::size_t offset = (base_offset + sent) / 8;
        const std::uint16_t more = (last && !more_after) ? 0 : net::ipv4::kMoreFragments;
        net::store16(oip + net::ipv4::kFlagsFragment, static_cast<std::uint16_t>(more | offset));
        net::store16(oip + net::ipv4::kChecksum, 0);
        net::store16(oip + net::ipv4::kChecksum, net::checksum(net::ones_sum({oip, header})));
        std::memcpy(oip + header, ip + pf.ip_header_size + sent, chunk);
        transmit(port,
                 std::span<const std::uint8_t>(out, net::ethernet::kHeaderSize + header + chunk));
        sent += chunk;
        ++count;
    }
    ComponentId where = port == kInternetPort ? components->internet() : enis[port].component;
    if (TraceStep* s = step(ctx, where, Action::Forward)) {
        s->note = Note::Fragmented;
        s->args.n = count;
        s->args.m = static_cast<std::uint32_t>(mtu);
    }
}

}  // namespace vpcstack::engine
