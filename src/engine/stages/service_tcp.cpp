// The link-local TCP services: DNS over TCP to the VPC resolver (RFC 7766, after a truncated
// UDP answer) and HTTP to the instance metadata service (169.254.169.254:80). The engine is
// the server end of the connection, on the instance's host as the cloud has it, before
// security groups and ACLs (stages/eni_egress.cpp sends the packets here).
//
// The server side of RFC 9293 that these short exchanges need: the handshake (the ISN a hash
// of the connection and the clock; MSS 1460 announced), in-order data gathered until the
// service holds a whole request (a length-prefixed DNS message, an HTTP request with its
// body), the answers cut to the client's MSS, the client's FIN answered with FIN, RST or the
// idle timeout (60 s) forgets the connection. A segment of no connection is answered with
// RST. There is no retransmission timer: the engine's links (a process's memory, a lab's veth
// or TAP) do not lose segments; a segment before the expected one is acknowledged again and a
// segment after it (a gap) too, its data dropped.
//
// Outcomes: Done (answered: SYN-ACK, ACK, data, FIN or RST back out of the ENI port).
#include "../dataplane.hpp"
#include "../metadata.hpp"
#include "vpcstack/dns/message.hpp"
#include "vpcstack/engine/replies.hpp"
#include "vpcstack/net/bytes.hpp"
#include "vpcstack/net/tcp.hpp"

namespace vpcstack::engine::stages {

namespace {

namespace tcp = net::tcp;

constexpr std::uint16_t kServiceMss = 1460;
constexpr TimeNs kIdleTimeout = 60 * kNsPerSecond;
// A DNS message is at most 65535 bytes after its 2-byte length; HTTP requests are far smaller.
constexpr std::size_t kMaxPending = 65537;

// The client's MSS option (RFC 9293, 3.2), else the default 536.
std::uint16_t client_mss(const std::uint8_t* seg, std::size_t header) {
    std::size_t i = tcp::kMinHeaderSize;
    while (i < header) {
        const std::uint8_t kind = seg[i];
        if (kind == 0) break;
        if (kind == 1) {
            ++i;
            continue;
        }
        if (i + 1 >= header || seg[i + 1] < 2 || i + seg[i + 1] > header) break;
        if (kind == 2 && seg[i + 1] == 4)
            return std::max<std::uint16_t>(net::load16(seg + i + 2), 64);
        i += seg[i + 1];
    }
    return 536;
}

struct Segmenter {
    Dataplane& dp;
    Context& ctx;
    ServiceConnection& conn;
    void send(std::uint8_t flags, std::span<const std::uint8_t> payload = {},
              std::uint8_t ttl = kReplyTtl, std::uint16_t mss = 0) {
        TcpSegment s;
        s.flags = flags;
        s.seq = conn.snd_next;
        s.ack = conn.rcv_next;
        s.mss = mss;
        s.ttl = ttl;
        s.payload = payload;
        const std::size_t n =
            build_tcp_segment(dp.dns_buffer, ctx.pf, s, ctx.pf.src_mac, kRouterMac);
        if (n == 0) return;
        conn.snd_next += static_cast<std::uint32_t>(payload.size());
        if ((flags & (tcp::kSyn | tcp::kFin)) != 0) ++conn.snd_next;
        dp.reply(ctx, std::span<const std::uint8_t>(dp.dns_buffer.data(), n));
    }
    // An answer, cut to the client's MSS; PSH on its last segment.
    void send_data(std::span<const std::uint8_t> bytes, std::uint8_t ttl) {
        const std::size_t chunk = std::min<std::size_t>(conn.mss, kServiceMss);
        for (std::size_t at = 0; at < bytes.size(); at += chunk) {
            const std::size_t n = std::min(chunk, bytes.size() - at);
            const bool last = at + n == bytes.size();
            send(static_cast<std::uint8_t>(tcp::kAck | (last ? tcp::kPsh : 0)),
                 bytes.subspan(at, n), ttl);
        }
    }
};

struct Served {
    bool answered = false;
    bool close = false;  // the service closes after its answer
    std::shared_ptr<const DnsExchange> dns;
    std::shared_ptr<const MetadataExchange> metadata;
};

// Answers every whole request in conn.pending.
Served serve(Dataplane& dp, Context& ctx, ServiceConnection& conn, Segmenter& out, bool dns) {
    Served served;
    const EniState& eni = dp.enis[ctx.ingress];
    while (!conn.pending.empty() && !served.close) {
        if (dns) {
            std::size_t used = 0;
            std::optional<std::vector<std::uint8_t>> message =
                dns::unframe_tcp(conn.pending, &used);
            if (!message) break;
            conn.pending.erase(conn.pending.begin(),
                               conn.pending.begin() + static_cast<std::ptrdiff_t>(used));
            Dataplane::DnsAnswer answer =
                dp.answer_dns(eni, ctx.pf.key.src, ctx.pf.key.dst, *message, /*tcp=*/true);
            served.dns = answer.exchange;
            if (answer.wire.empty()) {
                served.close = true;  // not even a header to answer: the resolver hangs up
                break;
            }
            const std::vector<std::uint8_t> framed = dns::frame_tcp(answer.wire);
            out.send_data(framed, kReplyTtl);
            served.answered = true;
            continue;
        }
        HttpReadResult r = read_http_request(conn.pending);
        if (r.status == HttpRead::Incomplete) break;
        MetadataReply reply;
        if (r.status == HttpRead::Bad) {
            reply = metadata_bad_request(r.error);
            conn.pending.clear();
            served.close = true;
        } else {
            conn.pending.erase(conn.pending.begin(),
                               conn.pending.begin() + static_cast<std::ptrdiff_t>(r.consumed));
            reply = answer_metadata(dp, ctx.ingress, r.request, ctx.now);
            served.close = r.request.wants_close();
        }
        const auto* bytes = reinterpret_cast<const std::uint8_t*>(reply.http.data());
        out.send_data({bytes, reply.http.size()}, reply.ttl);
        served.metadata = reply.exchange;
        served.answered = true;
    }
    return served;
}

// A segment the service took without answering: it ends here, delivered to the service.
void taken(Context& ctx) {
    if (ctx.trace != nullptr) ctx.trace->fate = Fate::Delivered;
}

}  // namespace

Next service_tcp(Dataplane& dp, Context& ctx) {
    EniState& eni = dp.enis[ctx.ingress];
    const ParsedFrame& pf = ctx.pf;
    const bool dns = pf.tuple.dst_port == 53;
    const ComponentId component =
        dns ? dp.components->resolver(eni.vpc) : dp.components->vpc_router(eni.vpc);
    dp.touch(component);
    const std::size_t segment_length = pf.ip_total_length - pf.ip_header_size;
    const std::uint8_t* seg = ctx.frame.data() + pf.l4;
    const std::size_t header = tcp::header_size(seg);
    if (header < tcp::kMinHeaderSize || header > segment_length ||
        pf.l4 + segment_length > ctx.frame.size()) {
        dp.drop(ctx, DropReason::Malformed, component);
        return Next::Done;
    }
    const std::uint32_t seq = net::load32(seg + tcp::kSeqNumber);
    const std::uint32_t ack = net::load32(seg + tcp::kAckNumber);
    const std::uint8_t flags = pf.tcp_flags;
    const std::span<const std::uint8_t> data(seg + header, segment_length - header);
    auto traced = [&](Note note) {
        TraceStep* s = dp.step(ctx, component, Action::Reply);
        if (s != nullptr) {
            s->note = note;
            s->args.address = pf.key.dst;
        }
        return s;
    };

    auto& connections = eni.service_connections;
    // Idle connections go when the table has grown since the last sweep.
    if (connections.size() >= 64 && connections.bucket_count() <= connections.size()) {
        std::erase_if(connections,
                      [&](const auto& kv) { return kv.second.last + kIdleTimeout <= ctx.now; });
    }
    if ((flags & tcp::kRst) != 0) {
        connections.erase(pf.tuple);
        taken(ctx);
        if (TraceStep* s = dp.step(ctx, component, Action::Deliver)) {
            s->note = Note::ServiceReset;
            s->args.address = pf.key.dst;
        }
        return Next::Done;
    }
    if ((flags & tcp::kSyn) != 0 && (flags & tcp::kAck) == 0) {
        ServiceConnection conn;
        const auto iss =
            static_cast<std::uint32_t>(std::hash<net::FiveTuple>{}(pf.tuple) ^ (ctx.now >> 12));
        conn.snd_next = iss;
        conn.rcv_next = seq + 1;
        conn.mss = client_mss(seg, header);
        conn.last = ctx.now;
        ServiceConnection& stored = connections[pf.tuple] = std::move(conn);
        Segmenter out{dp, ctx, stored};
        out.send(tcp::kSyn | tcp::kAck, {}, kReplyTtl, kServiceMss);
        if (TraceStep* s = traced(Note::ServiceHandshake)) s->args.n = kServiceMss;
        return Next::Done;
    }
    auto it = connections.find(pf.tuple);
    if (it == connections.end()) {
        dp.send_tcp_rst(ctx);
        traced(Note::ServiceNoConnection);
        return Next::Done;
    }
    ServiceConnection& conn = it->second;
    conn.last = ctx.now;
    if ((flags & tcp::kAck) != 0 && conn.state == ServiceConnection::State::SynReceived &&
        ack == conn.snd_next) {
        conn.state = ServiceConnection::State::Established;
    }
    const bool fin = (flags & tcp::kFin) != 0;
    const bool fin_sent = conn.state == ServiceConnection::State::Closing;
    if (fin_sent && data.empty() && !fin) {
        // An ACK after the service's FIN: the last one acknowledges it and ends the connection.
        const bool last = (flags & tcp::kAck) != 0 && ack == conn.snd_next;
        if (last) connections.erase(it);
        taken(ctx);
        if (TraceStep* s = dp.step(ctx, component, Action::Deliver)) {
            s->note = last ? Note::ServiceClosed : Note::ServiceAck;
            s->args.address = pf.key.dst;
        }
        return Next::Done;
    }
    bool in_order = seq == conn.rcv_next;
    if (in_order && !data.empty()) {
        if (conn.pending.size() + data.size() > kMaxPending) {
            dp.send_tcp_rst(ctx);
            connections.erase(it);
            traced(Note::ServiceReset);
            return Next::Done;
        }
        conn.pending.insert(conn.pending.end(), data.begin(), data.end());
        conn.rcv_next += static_cast<std::uint32_t>(data.size());
    }
    Segmenter out{dp, ctx, conn};
    Served served;
    if (in_order && !fin_sent) {
        served = serve(dp, ctx, conn, out, dns);
    }
    const bool take_fin = fin && in_order;
    if (take_fin) ++conn.rcv_next;
    if (take_fin && fin_sent) {
        // The client's FIN after the service's: acknowledged, and the connection is done.
        out.send(tcp::kAck);
        connections.erase(it);
        traced(Note::ServiceClosed);
        return Next::Done;
    }
    if (take_fin || served.close) {
        out.send(tcp::kFin | tcp::kAck);
        conn.state = ServiceConnection::State::Closing;
    } else if (!served.answered && (!data.empty() || fin || !in_order)) {
        out.send(tcp::kAck);
    }
    if (!(served.answered || take_fin || served.close || !data.empty() || fin || !in_order)) {
        // The handshake's last ACK, or an ACK of data the service sent: nothing to send.
        taken(ctx);
        if (TraceStep* s = dp.step(ctx, component, Action::Deliver)) {
            s->note = Note::ServiceAck;
            s->args.address = pf.key.dst;
            s->args.n = static_cast<std::uint32_t>(conn.pending.size());
        }
        return Next::Done;
    }
    TraceStep* s = nullptr;
    if (served.dns) {
        s = traced(Note::DnsAnswered);
        if (s != nullptr) s->dns = served.dns;
    } else if (served.metadata) {
        s = traced(Note::MetadataAnswered);
        if (s != nullptr) s->metadata = served.metadata;
    } else if (take_fin) {
        traced(Note::ServiceClosed);
    } else if (TraceStep* t = traced(Note::ServiceAck)) {
        t->args.n = static_cast<std::uint32_t>(conn.pending.size());
    }
    return Next::Done;
}

}  // namespace vpcstack::engine::stages
