#include "probe.hpp"

#include <fmt/format.h>

#include "vpcstack/engine/trace_format.hpp"
#include "vpcstack/net/icmp.hpp"
#include "vpcstack/net/tcp.hpp"
#include "vpcstack/sim/packet.hpp"

namespace vpcstack::verify {
namespace {

using engine::PortId;

constexpr int kMaxHops = 16;                          // hosts a flow may pass, as the trace's walk
constexpr engine::TimeNs kProbeTime = 1'000'000'000;  // any time will do: the state is fresh
constexpr std::uint16_t kEchoId = 1;
constexpr std::uint32_t kRequestSeq = 1000;
constexpr std::uint32_t kReplySeq = 5000;

std::set<net::Ipv4Address> account_addresses(const model::Topology& t) {
    std::set<net::Ipv4Address> out;
    for (const model::Eni& e : t.enis) {
        if (e.public_ip) out.insert(*e.public_ip);
    }
    for (const model::ElasticIp& eip : t.elastic_ips) out.insert(eip.address);
    for (const model::LoadBalancer& lb : t.load_balancers) {
        for (const model::LoadBalancerNode& node : lb.nodes) {
            if (auto a = t.public_address_of_lb_node(node)) out.insert(*a);
        }
    }
    return out;
}

// What a host's interface looks like to the prober: the port and MAC a packet leaves by.
struct Egress {
    PortId port = engine::kInternetPort;
    net::MacAddress mac = engine::kInternetMac;
};

Egress egress_of(const sim::Host& host, const sim::Host::Route& route) {
    const sim::HostInterface& itf = host.interfaces()[route.interface];
    return {itf.port, itf.mac};
}

sim::PacketSpec answer_to(const sim::DecodedFrame& d) {
    sim::PacketSpec spec;
    spec.tuple = {d.dst, d.src, d.dst_port, d.src_port, d.protocol};
    switch (d.protocol) {
        case net::Protocol::kTcp:
            spec.tcp_flags = net::tcp::kSyn | net::tcp::kAck;
            spec.seq = kReplySeq;
            spec.ack = d.seq + 1;
            break;
        case net::Protocol::kIcmp:
            spec.icmp_type = net::icmp::kEchoReply;
            spec.tuple.src_port = d.icmp ? d.icmp->id : kEchoId;
            spec.tuple.dst_port = 0;
            spec.icmp_sequence = d.icmp ? d.icmp->sequence : 1;
            spec.payload_size = d.payload_size;
            break;
        default:
            spec.payload_size = 32;
            break;
    }
    return spec;
}

}  // namespace

Prober::Prober(const model::Topology& topology) {
    sim::SimulationOptions options;
    options.trace = false;
    sim_ = std::make_unique<sim::Simulation>(topology, options);
    const model::Topology& t = sim_->topology();  // kept put by the simulation
    engine::EngineConfig fast;
    fast_ = std::make_unique<engine::Engine>(t, *this, fast);
    engine::EngineConfig audit = fast;
    audit.trace = true;
    audit.audit = true;
    audit_ = std::make_unique<engine::Engine>(t, *this, audit);
    audit_->set_trace_callback(
        [this](engine::PacketTrace&& trace) { traces_.push_back(std::move(trace)); });
    forwarding_.assign(t.enis.size(), false);
    for (const model::Instance& instance : t.instances) {
        bool forwards = false;
        for (model::Index e : instance.enis) forwards |= !t.enis[e].source_dest_check;
        for (model::Index e : instance.enis) forwarding_[e] = forwards && instance.running;
    }
    account_ = account_addresses(t);
}

Prober::~Prober() = default;

void Prober::transmit(PortId port, std::span<const std::uint8_t> frame) {
    // Frames are kept in a pool of buffers reused from probe to probe.
    if (out_count_ == out_.size()) out_.emplace_back();
    out_[out_count_].first = port;
    out_[out_count_].second.assign(frame.begin(), frame.end());
    ++out_count_;
}

Flow Prober::flow(const sim::Endpoint& from, const sim::Endpoint& to) const {
    Flow f;
    f.from = from;
    f.to = to;
    f.src = sim_->source_address(from);
    sim::Endpoint sender = from;
    sender.address = f.src;
    f.dst = sim_->destination_address(sender, to);
    return f;
}

std::vector<Blocker> Prober::blockers(const ProbeResult& result) const {
    std::vector<Blocker> out;
    for (const Stop& stop : result.stops) {
        const engine::TraceStep& step = *stop.step;
        engine::StepText text = engine::describe(step, *audit_->components());
        Blocker b;
        b.component = text.component;
        b.reason = *step.drop;
        b.rule = text.rule;
        b.detail = text.detail;
        b.explanation = std::string(engine::info(*step.drop).analyzer_code);
        b.reply = stop.reply;
        out.push_back(std::move(b));
    }
    if (result.lost) out.push_back(*result.lost);
    return out;
}

bool Prober::local(const Flow& flow) {
    if (flow.from.kind != sim::Endpoint::Kind::Instance) return false;
    const sim::Host* host = sim_->host_at(flow.from.eni);
    return host != nullptr && host->has_address(flow.dst);
}

ProbeResult Prober::connects(const Flow& flow) {
    return run(*fast_, flow, false);
}

ProbeResult Prober::explain(const Flow& flow) {
    ++explained_;
    return run(*audit_, flow, true);
}

ProbeResult Prober::run(engine::Engine& engine, const Flow& flow, bool collect) {
    ++probes_;
    const model::Topology& t = sim_->topology();
    out_count_ = 0;
    if (collect) {  // the fast engine records none: earlier stops stay valid
        for (engine::PacketTrace& used : traces_) engine.recycle(std::move(used));
        traces_.clear();
    }
    std::vector<PortId>& touched = touched_;
    touched.clear();
    std::size_t reply_from_trace = SIZE_MAX;  // traces from this index on are the answer's
    std::string failure;                      // what happened, when no component dropped it
    std::string failure_at = "network";

    sim::Host* source = flow.from.kind == sim::Endpoint::Kind::Internet
                            ? &sim_->internet()
                            : sim_->host_at(flow.from.eni);
    sim::Host* destination = nullptr;  // none for an address no interface holds
    if (flow.to.kind == sim::Endpoint::Kind::Internet) destination = &sim_->internet();
    if (flow.to.kind == sim::Endpoint::Kind::Instance) destination = sim_->host_at(flow.to.eni);

    sim::PacketSpec spec;
    spec.tuple = {flow.src, flow.dst, flow.sport, flow.dport, flow.protocol};
    if (flow.protocol == net::Protocol::kIcmp) {
        spec.tuple.src_port = kEchoId;
        spec.tuple.dst_port = 0;
        spec.payload_size = 56;
    } else if (flow.protocol == net::Protocol::kTcp) {
        spec.seq = kRequestSeq;
    } else {
        spec.payload_size = 32;
    }
    Egress out;
    if (source == nullptr) {  // a stopped instance: its ENI is there, nothing runs behind it
        out = {flow.from.eni, t.enis[flow.from.eni].mac};
    } else if (source->kind() == sim::Host::Kind::Instance) {
        out = egress_of(*source, source->route_to(flow.dst, flow.src));
    }
    sim::Frame& frame = frame_;
    sim::build_ip_frame(frame, out.mac, engine::kRouterMac, spec);

    bool replying = false;
    bool connected = false;
    net::Ipv4Address sent_src = flow.src;  // the packet handed to the engine at this hop
    net::Ipv4Address sent_dst = flow.dst;
    for (int hop = 0; hop < kMaxHops; ++hop) {
        out_count_ = 0;
        touched.push_back(out.port);
        engine.receive(out.port, frame, kProbeTime);
        const PortId ingress = out.port;
        // The first IPv4 frame the engine sent (it sends one per packet here: probes are small).
        std::optional<sim::DecodedFrame> d;
        PortId port = 0;
        for (std::size_t i = 0; i < out_count_; ++i) {
            const auto& [p, bytes] = out_[i];
            d = sim::decode_frame(bytes);
            if (d && d->ipv4) {
                port = p;
                frame = bytes;
                break;
            }
            d.reset();
        }
        if (!d) break;  // dropped (the trace says where) or lost
        touched.push_back(port);
        // Out of the port it came in by: the engine's own answer (an ICMP error, a RST), unless
        // it is the packet itself, routed back to the ENI that sent it (a router instance).
        if (port == ingress && !(d->src == sent_src && d->dst == sent_dst)) {
            failure = fmt::format("answered by the network instead: {}", d->summary());
            break;
        }
        sim::Host* host = port == engine::kInternetPort ? &sim_->internet() : sim_->host_at(port);
        if (host == nullptr) {
            failure = "delivered to a port nothing runs behind";
            break;
        }
        const bool internet = host->kind() == sim::Host::Kind::Internet;
        const bool own = internet ? account_.count(d->dst) == 0 : host->has_address(d->dst);
        const bool arrived =
            host == destination || (flow.to_targets && !internet && host != source);
        if (!replying && own && arrived) {
            // A load balancer's node takes only its listeners' ports (the simulation's host
            // says so): nothing answers anything else.
            if (auto silent = host->unanswered(d->dst, d->protocol, d->dst_port)) {
                failure_at = host->name();
                failure = *silent;
                break;
            }
            // The destination answers, from the address the request reached.
            sim::PacketSpec answer = answer_to(*d);
            out = internet ? Egress{} : egress_of(*host, host->route_to(d->src, d->dst));
            sim::build_ip_frame(frame, out.mac, engine::kRouterMac, answer);
            sent_src = answer.tuple.src;
            sent_dst = answer.tuple.dst;
            replying = true;
            reply_from_trace = traces_.size();
            continue;
        }
        if (replying && own && host == source && d->dst == flow.src && d->src == flow.dst &&
            d->protocol == flow.protocol) {
            connected = true;
            break;
        }
        if (replying && own && host == source && d->dst == flow.src) {
            failure_at = host->name();
            failure = fmt::format(
                "the answer came back from {}, not from {}: it took another way "
                "back than the request came (an asymmetric path)",
                d->src.to_string(), flow.dst.to_string());
            break;
        }
        const bool forwards = internet ? account_.count(d->dst) > 0 : forwarding_[port];
        if (own || !forwards) {
            failure_at = host->name();
            failure = fmt::format("{} reached {}, which {}",
                                  replying ? "the answer" : "the request", host->name(),
                                  own ? "is not the other end" : "does not forward packets");
            break;
        }
        // A router instance (or the internet) sends it on by its own routing table.
        out = internet ? Egress{} : egress_of(*host, host->route_to(d->dst));
        frame = sim::reframe_forwarded(out.mac, engine::kRouterMac, sim::ip_packet_of(frame));
        sent_src = d->src;
        sent_dst = d->dst;
    }

    ProbeResult result;
    result.connected = connected;
    result.delivered = replying;
    if (collect) {
        for (std::size_t i = 0; i < traces_.size(); ++i) {
            for (const engine::TraceStep& step : traces_[i].steps) {
                if (step.drop) result.stops.push_back({&step, i >= reply_from_trace});
            }
        }
        if (result.stops.empty() && !connected) {
            Blocker b;
            b.component = failure_at;
            b.detail = failure.empty() ? "the packet was lost" : failure;
            b.reply = replying;
            result.lost = std::move(b);
        }
    }
    engine.forget_flows(touched);
    return result;
}

}  // namespace vpcstack::verify
