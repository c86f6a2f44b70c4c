#include "vpcstack/sim/host.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <utility>

#include "vpcstack/net/bytes.hpp"
#include "vpcstack/net/ethernet.hpp"

namespace vpcstack::sim {
namespace {

void patch_dst_mac(Frame& frame, net::MacAddress mac) {
    net::store_mac(frame.data() + net::ethernet::kDstMac, mac);
}

// The tuple an answer to `sent` carries (ICMP echo: the id stays in src_port).
net::FiveTuple answer_tuple(const net::FiveTuple& sent) {
    if (sent.protocol == net::Protocol::kIcmp) {
        return {sent.dst, sent.src, sent.src_port, 0, sent.protocol};
    }
    return sent.reversed();
}

// The local view of a received packet: local address and port first.
net::FiveTuple local_key(const DecodedFrame& f) {
    return {f.dst, f.src, f.dst_port, f.src_port, f.protocol};
}

std::string service(std::uint8_t protocol, std::uint16_t port) {
    return fmt::format("{}/{}", net::protocol_name(protocol), port);
}

}  // namespace

std::string_view to_string(HostAction action) {
    switch (action) {
        case HostAction::Receive:
            return "receive";
        case HostAction::Answer:
            return "answer";
        case HostAction::Forward:
            return "forward";
        case HostAction::Local:
            return "local";
        case HostAction::Ignore:
            return "ignore";
    }
    return "receive";
}

std::string_view to_string(Outcome outcome) {
    switch (outcome) {
        case Outcome::Pending:
            return "pending";
        case Outcome::Connected:
            return "connected";
        case Outcome::Refused:
            return "refused";
        case Outcome::Replied:
            return "replied";
        case Outcome::IcmpError:
            return "icmp-error";
        case Outcome::Reset:
            return "reset";
        case Outcome::TimedOut:
            return "timed-out";
        case Outcome::Unresolved:
            return "unresolved";
    }
    return "?";
}

Host::Host(Config config, EventQueue& events, FlowBook& flows, Transmit transmit)
    : config_(std::move(config)),
      events_(events),
      flows_(flows),
      transmit_(std::move(transmit)),
      arp_cache_(config_.interfaces.size()) {}

bool Host::has_port(engine::PortId port) const noexcept {
    return std::any_of(config_.interfaces.begin(), config_.interfaces.end(),
                       [&](const HostInterface& i) { return i.port == port; });
}

bool Host::is_local(net::Ipv4Address address) const {
    for (const HostInterface& i : config_.interfaces) {
        if (std::find(i.addresses.begin(), i.addresses.end(), address) != i.addresses.end()) {
            return true;
        }
    }
    return config_.owns && config_.owns(address);
}

bool Host::owns(net::Ipv4Address address) const {
    return is_local(address);
}

bool Host::has_address(net::Ipv4Address address) const {
    for (const HostInterface& i : config_.interfaces) {
        if (std::find(i.addresses.begin(), i.addresses.end(), address) != i.addresses.end()) {
            return true;
        }
    }
    return false;
}

Host::Route Host::route_to(net::Ipv4Address to, std::optional<net::Ipv4Address> from) const {
    // A packet from one of a secondary ENI's addresses leaves by that ENI: the cloud's images add
    // a rule and a table per ENI of device index 1 and up (Amazon Linux ec2-net-utils: "from <ip>
    // lookup 10000+N" ahead of the main table), holding the ENI's subnet and a default route via
    // its subnet's router. The primary ENI keeps the main table.
    for (std::size_t i = 1; from && config_.kind == Kind::Instance && i < config_.interfaces.size();
         ++i) {
        const HostInterface& itf = config_.interfaces[i];
        if (std::find(itf.addresses.begin(), itf.addresses.end(), *from) == itf.addresses.end()) {
            continue;
        }
        if (itf.subnet.length() > 0 && itf.subnet.contains(to)) return {i, to};
        return {i, itf.gateway.value_or(to)};
    }
    // Linux's main table: a connected route per interface, the default route via device 0.
    for (std::size_t i = 0; i < config_.interfaces.size(); ++i) {
        const HostInterface& itf = config_.interfaces[i];
        if (itf.subnet.length() > 0 && itf.subnet.contains(to)) return {i, to};
    }
    const HostInterface& first = config_.interfaces.front();
    return {0, first.gateway.value_or(to)};
}

net::Ipv4Address Host::source_for(net::Ipv4Address to, std::optional<net::Ipv4Address> from) const {
    if (from) return *from;
    return config_.interfaces[route_to(to, from).interface].addresses.front();
}

std::uint16_t Host::ephemeral_port(const net::FiveTuple& base) {
    std::uint32_t range = std::uint32_t{config_.ephemeral_last} - config_.ephemeral_first + 1;
    for (std::uint32_t tries = 0; tries < range; ++tries) {
        auto port = static_cast<std::uint16_t>(config_.ephemeral_first + next_ephemeral_ % range);
        next_ephemeral_ = static_cast<std::uint16_t>((next_ephemeral_ + 1) % range);
        net::FiveTuple key = base;
        key.src_port = port;
        bool busy = connections_.count(key) > 0 ||
                    (base.protocol == net::Protocol::kUdp && udp_flows_.count({base.src, port}));
        if (!busy) return port;
    }
    return config_
        .ephemeral_first;  // every port busy: reuse, as a port-exhausted client would fail
}

FlowId Host::open_flow(std::string kind, const net::FiveTuple& tuple, TimeNs timeout) {
    FlowRecord record;
    record.id = flows_.size();
    record.host = config_.name;
    record.kind = std::move(kind);
    record.tuple = tuple;
    record.port = config_.interfaces[route_to(tuple.dst, tuple.src).interface].port;
    record.started = events_.now();
    flows_.push_back(record);
    FlowId id = record.id;
    if (timeout > 0) {
        events_.schedule_in(timeout, [this, id] { decide(id, Outcome::TimedOut); });
    }
    return id;
}

void Host::decide(FlowId id, Outcome outcome) {
    FlowRecord& flow = flows_[id];
    bool reset_after_connect = outcome == Outcome::Reset && flow.outcome == Outcome::Connected;
    if (flow.outcome != Outcome::Pending && !reset_after_connect) return;
    flow.outcome = outcome;
    flow.decided = events_.now();
    if (auto it = waiting_.find(id); it != waiting_.end()) {
        auto then = std::move(it->second);
        waiting_.erase(it);
        then(flow);
    }
}

void Host::when_decided(FlowId id, std::function<void(const FlowRecord&)> then) {
    if (flows_[id].done()) {
        then(flows_[id]);
        return;
    }
    waiting_[id] = std::move(then);
}

FlowId Host::connect_tcp(net::Ipv4Address to, std::uint16_t port,
                         std::optional<std::uint16_t> source_port,
                         std::optional<net::Ipv4Address> from) {
    net::FiveTuple tuple{source_for(to, from), to, 0, port, net::Protocol::kTcp};
    tuple.src_port = source_port ? *source_port : ephemeral_port(tuple);
    FlowId id = open_flow("tcp connect", tuple, config_.timeouts.connect);
    std::uint32_t iss = 0x10000000u + static_cast<std::uint32_t>(id) * 7919u;
    connections_[tuple] = Connection{Connection::State::SynSent, id, iss + 1, 0};
    flows_[id].tcp_seq = iss + 1;
    PacketSpec spec{.tuple = tuple, .tcp_flags = net::tcp::kSyn, .seq = iss};
    send_ip(spec, id);
    return id;
}

FlowId Host::send_udp(net::Ipv4Address to, std::uint16_t port,
                      std::optional<std::uint16_t> source_port,
                      std::optional<net::Ipv4Address> from, std::size_t payload) {
    net::FiveTuple tuple{source_for(to, from), to, 0, port, net::Protocol::kUdp};
    tuple.src_port = source_port ? *source_port : ephemeral_port(tuple);
    FlowId id = open_flow("udp", tuple, config_.timeouts.reply);
    udp_flows_[{tuple.src, tuple.src_port}] = id;
    PacketSpec spec{.tuple = tuple, .payload_size = payload};
    send_ip(spec, id);
    return id;
}

FlowId Host::ping(net::Ipv4Address to, std::optional<net::Ipv4Address> from, std::size_t payload) {
    std::uint16_t echo_id = next_ping_id_++;
    net::FiveTuple tuple{source_for(to, from), to, echo_id, 0, net::Protocol::kIcmp};
    FlowId id = open_flow("ping", tuple, config_.timeouts.reply);
    pings_[echo_id] = id;
    PacketSpec spec{.tuple = tuple, .icmp_type = net::icmp::kEchoRequest, .payload_size = payload};
    send_ip(spec, id);
    return id;
}

FlowId Host::send_packet(const PacketSpec& spec) {
    FlowId id = open_flow("packet", spec.tuple, config_.timeouts.reply);
    crafted_[answer_tuple(spec.tuple)] = id;
    send_ip(spec, id);
    return id;
}

void Host::send_tcp_data(FlowId flow, std::size_t bytes) {
    const FlowRecord& record = flows_.at(flow);
    auto it = connections_.find(record.tuple);
    std::uint32_t seq = record.tcp_seq;
    std::uint32_t ack = record.tcp_ack;
    if (it != connections_.end()) {
        seq = it->second.snd_next;
        ack = it->second.rcv_next;
        it->second.snd_next += static_cast<std::uint32_t>(bytes);
    }
    flows_[flow].tcp_seq = seq + static_cast<std::uint32_t>(bytes);
    send_tcp(record.tuple, net::tcp::kAck | net::tcp::kPsh, seq, ack, bytes);
}

void Host::resolve(net::Ipv4Address to) {
    Route route = route_to(to);
    if (arp_cache_[route.interface].count(route.next_hop)) return;
    PendingArp& pending = arp_pending_[{route.interface, route.next_hop}];
    if (pending.attempts == 0) {
        pending.generation = next_generation_++;
        arp_attempt(route.interface, route.next_hop, pending.generation);
    }
}

void Host::send_ip(PacketSpec spec, std::optional<FlowId> flow) {
    Route route = route_to(spec.tuple.dst, spec.tuple.src);
    if (spec.ip_id == 0) spec.ip_id = next_ip_id_++;
    Frame frame = build_ip_frame(config_.interfaces[route.interface].mac, net::MacAddress(), spec);
    // SEMANTICS 0: traffic to an instance's own addresses never leaves it (Linux's local
    // table); no VPC component sees it.
    if (config_.kind == Kind::Instance && has_address(spec.tuple.dst)) {
        const HostInterface& itf = config_.interfaces[route.interface];
        patch_dst_mac(frame, itf.mac);
        events_.schedule_in(
            0, [this, f = std::move(frame)]() mutable { deliver_locally(std::move(f)); });
        return;
    }
    send_ip_frame(route.interface, route.next_hop, std::move(frame), flow);
}

void Host::send_ip_frame(std::size_t interface, net::Ipv4Address next_hop, Frame frame,
                         std::optional<FlowId> flow) {
    auto cached = arp_cache_[interface].find(next_hop);
    if (cached != arp_cache_[interface].end()) {
        patch_dst_mac(frame, cached->second);
        transmit_(config_.interfaces[interface].port, std::move(frame));
        return;
    }
    PendingArp& pending = arp_pending_[{interface, next_hop}];
    pending.frames.emplace_back(std::move(frame), flow);
    if (pending.attempts == 0) {
        pending.generation = next_generation_++;
        arp_attempt(interface, next_hop, pending.generation);
    }
}

void Host::arp_attempt(std::size_t interface, net::Ipv4Address next_hop, std::uint64_t generation) {
    auto it = arp_pending_.find({interface, next_hop});
    if (it == arp_pending_.end() || it->second.generation != generation) return;
    PendingArp& pending = it->second;
    if (pending.attempts >= config_.timeouts.arp_attempts) {
        // Linux gives up after its probes and fails the queued packets (EHOSTUNREACH).
        for (auto& [frame, flow] : pending.frames) {
            if (flow) decide(*flow, Outcome::Unresolved);
        }
        arp_pending_.erase(it);
        return;
    }
    ++pending.attempts;
    const HostInterface& itf = config_.interfaces[interface];
    net::Ipv4Address sender = itf.addresses.empty() ? net::Ipv4Address() : itf.addresses.front();
    transmit_(itf.port, build_arp_request(itf.mac, sender, next_hop));
    events_.schedule_in(config_.timeouts.arp_retry, [this, interface, next_hop, generation] {
        arp_attempt(interface, next_hop, generation);
    });
}

void Host::receive(engine::PortId port, std::span<const std::uint8_t> frame) {
    auto itf = std::find_if(config_.interfaces.begin(), config_.interfaces.end(),
                            [&](const HostInterface& i) { return i.port == port; });
    if (itf == config_.interfaces.end()) {
        ++ignored_;
        return;
    }
    std::size_t interface = static_cast<std::size_t>(itf - config_.interfaces.begin());
    std::optional<DecodedFrame> parsed = decode_frame(frame);
    Received record{events_.now(), port, parsed.value_or(DecodedFrame{}), "", {}};
    if (!parsed) {
        ++ignored_;
        record.summary = fmt::format("{} bytes", frame.size());
        record.report = {HostAction::Ignore, "dropped: malformed frame"};
    } else {
        record.summary = parsed->summary();
        if (parsed->dst_mac != itf->mac && !parsed->dst_mac.is_broadcast()) {
            ++ignored_;
            record.report = {HostAction::Ignore, "ignored: addressed to " +
                                                     parsed->dst_mac.to_string() + ", not " +
                                                     itf->mac.to_string()};
        } else if (parsed->arp) {
            record.report = on_arp(interface, *parsed);
        } else if (parsed->ipv4) {
            record.report = on_ip(interface, *parsed, frame);
        } else {
            ++ignored_;
            record.report = {HostAction::Ignore,
                             fmt::format("ignored: ethertype 0x{:04x}", parsed->ether_type)};
        }
    }
    inbox_.push_back(std::move(record));
}

void Host::deliver_locally(Frame frame) {
    std::optional<DecodedFrame> parsed = decode_frame(frame);
    if (!parsed || !parsed->ipv4) return;
    std::size_t interface = 0;
    for (std::size_t i = 0; i < config_.interfaces.size(); ++i) {
        const auto& a = config_.interfaces[i].addresses;
        if (std::find(a.begin(), a.end(), parsed->dst) != a.end()) interface = i;
    }
    Received record{
        events_.now(), config_.interfaces[interface].port, *parsed, parsed->summary(), {}};
    HostReport answer = on_ip(interface, *parsed, frame);
    record.report = {HostAction::Local, "delivered by its own stack (" + answer.detail + ")"};
    record.local = true;
    inbox_.push_back(std::move(record));
}

HostReport Host::on_arp(std::size_t interface, const DecodedFrame& f) {
    const HostInterface& itf = config_.interfaces[interface];
    const ArpView& arp = *f.arp;
    if (arp.request) {
        bool mine = std::find(itf.addresses.begin(), itf.addresses.end(), arp.target_ip) !=
                        itf.addresses.end() ||
                    (config_.owns && config_.owns(arp.target_ip));
        if (!mine) return {HostAction::Ignore, "ignored: ARP for another address"};
        transmit_(itf.port, build_arp_reply(itf.mac, arp.target_ip, arp.sender_mac, arp.sender_ip));
        return {HostAction::Answer, "answered ARP"};
    }
    arp_cache_[interface][arp.sender_ip] = arp.sender_mac;
    auto it = arp_pending_.find({interface, arp.sender_ip});
    if (it != arp_pending_.end()) {
        auto frames = std::move(it->second.frames);
        arp_pending_.erase(it);
        for (auto& [frame, flow] : frames) {
            patch_dst_mac(frame, arp.sender_mac);
            transmit_(itf.port, std::move(frame));
        }
    }
    return {HostAction::Receive,
            "learned " + arp.sender_ip.to_string() + " is at " + arp.sender_mac.to_string()};
}

HostReport Host::on_ip(std::size_t, const DecodedFrame& f, std::span<const std::uint8_t> frame) {
    // AWS: subnet-sizing — broadcast and multicast are not supported; a host ignores them too.
    if (net::is_broadcast_or_multicast(f.dst)) {
        ++ignored_;
        return {HostAction::Ignore, "ignored: broadcast or multicast"};
    }
    if (!is_local(f.dst)) {
        if (config_.forwarding && (!config_.may_forward || config_.may_forward(f.dst))) {
            return forward(f, frame);
        }
        ++ignored_;
        return {HostAction::Ignore, "dropped: not addressed to this host"};
    }
    std::span<const std::uint8_t> ip = ip_packet_of(frame);
    auto crafted = crafted_.find(f.tuple());
    if (crafted != crafted_.end()) {
        FlowRecord& flow = flows_[crafted->second];
        ++flow.replies;
        bool rst = f.protocol == net::Protocol::kTcp && (f.tcp_flags & net::tcp::kRst);
        decide(flow.id, rst ? Outcome::Refused : Outcome::Replied);
        return {HostAction::Receive, "answer to a crafted packet: recorded"};
    }
    switch (f.protocol) {
        case net::Protocol::kTcp:
            return on_tcp(f);
        case net::Protocol::kUdp:
            return on_udp(f, ip);
        case net::Protocol::kIcmp:
            return on_icmp(f);
        default:
            return icmp_error(f, net::icmp::kDestinationUnreachable,
                              net::icmp::kProtocolUnreachable, ip);
    }
}

HostReport Host::forward(const DecodedFrame& f, std::span<const std::uint8_t> frame) {
    std::span<const std::uint8_t> ip = ip_packet_of(frame);
    if (f.ttl <= 1) return icmp_error(f, net::icmp::kTimeExceeded, 0, ip);
    Route route = route_to(f.dst);
    send_ip_frame(route.interface, route.next_hop,
                  reframe_forwarded(config_.interfaces[route.interface].mac, net::MacAddress(), ip),
                  std::nullopt);
    return {HostAction::Forward, "forwarded via " + config_.interfaces[route.interface].name};
}

void Host::send_tcp(const net::FiveTuple& local_tuple, std::uint8_t flags, std::uint32_t seq,
                    std::uint32_t ack, std::size_t payload) {
    PacketSpec spec{
        .tuple = local_tuple, .tcp_flags = flags, .seq = seq, .ack = ack, .payload_size = payload};
    send_ip(spec, std::nullopt);
}

HostReport Host::on_tcp(const DecodedFrame& f) {
    net::FiveTuple key = local_key(f);
    const bool syn = f.tcp_flags & net::tcp::kSyn;
    const bool ack = f.tcp_flags & net::tcp::kAck;
    const bool rst = f.tcp_flags & net::tcp::kRst;
    auto it = connections_.find(key);
    if (it != connections_.end()) {
        Connection& c = it->second;
        if (c.flow) ++flows_[*c.flow].replies;
        switch (c.state) {
            case Connection::State::SynSent:
                if (rst) {
                    if (c.flow) decide(*c.flow, Outcome::Refused);
                    connections_.erase(it);
                    return {HostAction::Receive, "connection refused (RST)"};
                }
                if (syn && ack && f.ack == c.snd_next) {
                    c.rcv_next = f.seq + 1;
                    c.state = Connection::State::Established;
                    if (c.flow) {
                        flows_[*c.flow].tcp_ack = c.rcv_next;
                        decide(*c.flow, Outcome::Connected);
                    }
                    send_tcp(key, net::tcp::kAck, c.snd_next, c.rcv_next);
                    return {HostAction::Answer, "connected: sent ACK"};
                }
                return {HostAction::Ignore, "ignored: unexpected segment while connecting"};
            case Connection::State::SynReceived:
                if (rst) {
                    connections_.erase(it);
                    return {HostAction::Receive, "handshake reset (RST)"};
                }
                if (syn && !ack) {
                    send_tcp(key, net::tcp::kSyn | net::tcp::kAck, c.snd_next - 1, c.rcv_next);
                    return {HostAction::Receive, "retransmitted SYN-ACK"};
                }
                if (ack) {
                    c.state = Connection::State::Established;
                    if (config_.accepted) config_.accepted(f.tuple());
                    if (f.payload_size == 0) return {HostAction::Receive, "connection established"};
                    c.rcv_next = f.seq + static_cast<std::uint32_t>(f.payload_size);
                    send_tcp(key, net::tcp::kAck, c.snd_next, c.rcv_next);
                    return {HostAction::Receive, "connection established: data acknowledged"};
                }
                return {HostAction::Ignore, "ignored: unexpected segment during handshake"};
            case Connection::State::Established:
            case Connection::State::Closed:
                if (rst) {
                    if (c.flow) decide(*c.flow, Outcome::Reset);
                    connections_.erase(it);
                    return {HostAction::Receive, "connection reset (RST)"};
                }
                if (f.payload_size > 0 || (f.tcp_flags & net::tcp::kFin)) {
                    c.rcv_next = f.seq + static_cast<std::uint32_t>(f.payload_size) +
                                 ((f.tcp_flags & net::tcp::kFin) ? 1u : 0u);
                    if (c.flow) flows_[*c.flow].tcp_ack = c.rcv_next;
                    send_tcp(key, net::tcp::kAck, c.snd_next, c.rcv_next);
                    return {HostAction::Answer,
                            fmt::format("received {} bytes: sent ACK", f.payload_size)};
                }
                return {HostAction::Receive, "acknowledged"};
        }
    }
    if (rst) return {HostAction::Ignore, "ignored: RST for no connection"};
    if (config_.silent && config_.silent(f.dst)) {
        return {HostAction::Ignore, "ignored: nothing answers at this address"};
    }
    if (syn && !ack) {
        if (config_.listening && config_.listening(f.dst, net::Protocol::kTcp, f.dst_port)) {
            std::uint32_t iss = 0x20000000u + static_cast<std::uint32_t>(f.src_port) * 65537u;
            connections_[key] =
                Connection{Connection::State::SynReceived, std::nullopt, iss + 1, f.seq + 1};
            send_tcp(key, net::tcp::kSyn | net::tcp::kAck, iss, f.seq + 1);
            return {HostAction::Answer, fmt::format("{} listening: answered SYN-ACK",
                                                    service(net::Protocol::kTcp, f.dst_port))};
        }
        if (config_.answers_only_listeners) return no_listener(net::Protocol::kTcp, f.dst_port);
        send_tcp(key, net::tcp::kRst | net::tcp::kAck, 0, f.seq + 1);
        return {HostAction::Answer,
                fmt::format("{} closed: answered RST", service(net::Protocol::kTcp, f.dst_port))};
    }
    // RFC 793 reset generation for a segment of no connection (what Linux does).
    if (ack) {
        send_tcp(key, net::tcp::kRst, f.ack, 0);
    } else {
        send_tcp(key, net::tcp::kRst | net::tcp::kAck, 0,
                 f.seq + static_cast<std::uint32_t>(f.payload_size) + (syn ? 1u : 0u));
    }
    return {HostAction::Answer, "no connection: answered RST"};
}

HostReport Host::on_udp(const DecodedFrame& f, std::span<const std::uint8_t> ip) {
    auto client = udp_flows_.find({f.dst, f.dst_port});
    if (client != udp_flows_.end() && flows_[client->second].tuple.dst == f.src) {
        FlowRecord& flow = flows_[client->second];
        ++flow.replies;
        decide(flow.id, Outcome::Replied);
        return {HostAction::Receive, "reply received"};
    }
    if (config_.silent && config_.silent(f.dst)) {
        return {HostAction::Ignore, "ignored: nothing answers at this address"};
    }
    // The port is a client socket's, connected to another peer: no socket takes the datagram
    // (Linux matches a connected UDP socket on its peer too), so it is answered as a closed
    // port, never with a datagram (two answering ends would answer each other forever).
    const bool client_port = client != udp_flows_.end();
    if (!client_port && config_.listening &&
        config_.listening(f.dst, net::Protocol::kUdp, f.dst_port)) {
        PacketSpec spec{.tuple = local_key(f), .payload_size = f.payload_size};
        send_ip(spec, std::nullopt);
        return {HostAction::Answer, fmt::format("{} listening: answered a datagram",
                                                service(net::Protocol::kUdp, f.dst_port))};
    }
    if (config_.answers_only_listeners) return no_listener(net::Protocol::kUdp, f.dst_port);
    icmp_error(f, net::icmp::kDestinationUnreachable, net::icmp::kPortUnreachable, ip);
    return {HostAction::Answer, fmt::format("{} closed: answered ICMP port unreachable",
                                            service(net::Protocol::kUdp, f.dst_port))};
}

std::optional<FlowId> Host::flow_matching_error(const net::FiveTuple& quoted) const {
    // The quoted source may have been translated on the way (NAT); match on what the host
    // chose itself first, then on the far end only.
    std::optional<FlowId> loose;
    for (auto it = flows_.rbegin(); it != flows_.rend(); ++it) {
        const FlowRecord& flow = *it;
        if (flow.host != config_.name || flow.tuple.protocol != quoted.protocol) continue;
        if (flow.tuple.dst != quoted.dst || flow.tuple.dst_port != quoted.dst_port) continue;
        if (flow.tuple.src == quoted.src && flow.tuple.src_port == quoted.src_port) return flow.id;
        if (!loose && flow.outcome == Outcome::Pending) loose = flow.id;
    }
    return loose;
}

std::optional<std::string> Host::unanswered(net::Ipv4Address address, std::uint8_t protocol,
                                            std::uint16_t port) const {
    if (!config_.answers_only_listeners) return std::nullopt;
    if (protocol == net::Protocol::kIcmp) return "ignored: a load balancer node answers no ping";
    if (config_.listening && config_.listening(address, protocol, port)) return std::nullopt;
    return no_listener(protocol, port).detail;
}

HostReport Host::no_listener(std::uint8_t protocol, std::uint16_t port) const {
    return {HostAction::Ignore,
            fmt::format("ignored: no listener on {} (a load balancer node answers nothing else)",
                        service(protocol, port))};
}

HostReport Host::on_icmp(const DecodedFrame& f) {
    const IcmpView& icmp = *f.icmp;
    if (icmp.type == net::icmp::kEchoRequest && config_.silent && config_.silent(f.dst)) {
        return {HostAction::Ignore, "ignored: nothing answers at this address"};
    }
    // An internet host answers ping when its listen list says icmp (or it has none).
    if (icmp.type == net::icmp::kEchoRequest && config_.kind == Kind::Internet &&
        config_.listening && !config_.listening(f.dst, net::Protocol::kIcmp, 0)) {
        return {HostAction::Ignore, "ignored: does not answer ping (no icmp in its listen list)"};
    }
    if (icmp.type == net::icmp::kEchoRequest) {
        if (auto why = unanswered(f.dst, net::Protocol::kIcmp, 0)) {
            return {HostAction::Ignore, *why};
        }
    }
    if (icmp.type == net::icmp::kEchoRequest) {
        PacketSpec spec{.tuple = {f.dst, f.src, icmp.id, 0, net::Protocol::kIcmp},
                        .icmp_type = net::icmp::kEchoReply,
                        .icmp_sequence = icmp.sequence,
                        .payload_size = f.payload_size};
        send_ip(spec, std::nullopt);
        return {HostAction::Answer, "answered echo reply"};
    }
    if (icmp.type == net::icmp::kEchoReply) {
        auto it = pings_.find(icmp.id);
        if (it == pings_.end()) return {HostAction::Ignore, "ignored: echo reply to no ping"};
        FlowRecord& flow = flows_[it->second];
        ++flow.replies;
        decide(flow.id, Outcome::Replied);
        return {HostAction::Receive, "echo reply received"};
    }
    if (icmp.is_error() && icmp.quoted) {
        std::optional<FlowId> id = flow_matching_error(*icmp.quoted);
        if (!id) return {HostAction::Ignore, "ignored: ICMP error about no flow of this host"};
        FlowRecord& flow = flows_[*id];
        flow.icmp_error = icmp;
        flow.icmp_from = f.src;
        decide(flow.id, Outcome::IcmpError);
        return {HostAction::Receive,
                "ICMP " + icmp_text(icmp.type, icmp.code, icmp.mtu) + " received"};
    }
    return {HostAction::Ignore, "ignored: ICMP " + icmp_text(icmp.type, icmp.code, icmp.mtu)};
}

HostReport Host::icmp_error(const DecodedFrame& f, std::uint8_t type, std::uint8_t code,
                            std::span<const std::uint8_t> ip) {
    const bool local = is_local(f.dst);
    Route route = local ? route_to(f.src, f.dst) : route_to(f.src);
    const HostInterface& itf = config_.interfaces[route.interface];
    net::Ipv4Address from = local ? f.dst : itf.addresses.front();
    Frame frame = build_icmp_error(itf.mac, net::MacAddress(), from, type, code, ip);
    if (frame.empty()) return {HostAction::Ignore, "dropped: too short to quote"};
    send_ip_frame(route.interface, route.next_hop, std::move(frame), std::nullopt);
    return {HostAction::Answer, "answered ICMP " + icmp_text(type, code)};
}

}  // namespace vpcstack::sim
