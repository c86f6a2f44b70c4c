// Replay: a capture's packets from one ENI through a simulation, on the virtual clock, and the
// verdict of each. The engine decides everything; this file picks the ENI's packets, frames
// them as the engine expects an instance to, and reads the engine's trace records back.
#include "vpcstack/observe/replay.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "vpcstack/engine/engine.hpp"
#include "vpcstack/engine/trace_format.hpp"
#include "vpcstack/model/invariant.hpp"
#include "vpcstack/net/arp.hpp"
#include "vpcstack/net/bytes.hpp"
#include "vpcstack/net/ethernet.hpp"
#include "vpcstack/net/ipv4_header.hpp"
#include "vpcstack/net/tcp.hpp"
#include "vpcstack/sim/packet.hpp"
#include "vpcstack/sim/simulation.hpp"

namespace vpcstack::observe {

namespace {

using engine::TimeNs;

// How long after the capture's last packet the simulation may still run (replies, timeouts).
constexpr TimeNs kReplayTail = 60 * engine::kNsPerSecond;

// The addresses of a frame, read in place so that a truncated frame still says what it can.
struct FrameAddresses {
    std::optional<net::MacAddress> src_mac;
    std::optional<net::MacAddress> dst_mac;
    std::uint16_t ether_type = 0;
    std::optional<net::Ipv4Address> src;  // IPv4 source, ARP sender
    std::optional<net::Ipv4Address> dst;  // IPv4 destination, ARP target
};

FrameAddresses addresses_of(std::span<const std::uint8_t> f) {
    using namespace net;
    FrameAddresses a;
    if (f.size() < ethernet::kHeaderSize) return a;
    a.dst_mac = load_mac(f.data() + ethernet::kDstMac);
    a.src_mac = load_mac(f.data() + ethernet::kSrcMac);
    a.ether_type = load16(f.data() + ethernet::kEtherType);
    const std::uint8_t* l3 = f.data() + ethernet::kHeaderSize;
    const std::size_t rest = f.size() - ethernet::kHeaderSize;
    if (a.ether_type == ethernet::kTypeIpv4 && rest >= ipv4::kMinHeaderSize) {
        a.src = Ipv4Address(load32(l3 + ipv4::kSrc));
        a.dst = Ipv4Address(load32(l3 + ipv4::kDst));
    } else if (a.ether_type == ethernet::kTypeArp && rest >= arp::kSize) {
        a.src = Ipv4Address(load32(l3 + arp::kSenderIp));
        a.dst = Ipv4Address(load32(l3 + arp::kTargetIp));
    }
    return a;
}

bool holds(const model::Eni& eni, std::optional<net::Ipv4Address> a) {
    return a &&
           std::find(eni.private_ips.begin(), eni.private_ips.end(), *a) != eni.private_ips.end();
}

// The MAC that sent the ENI's frames in an Ethernet capture: the topology's when a frame
// carries it, else the one that sent from the ENI's own addresses (a real instance's).
std::optional<net::MacAddress> capture_mac_of(const CaptureFile& capture, const model::Eni& eni) {
    std::optional<net::MacAddress> learned;
    for (const CapturedPacket& p : capture.packets) {
        const FrameAddresses a = addresses_of(p.frame);
        if (capture.link_type != CaptureLinkType::Ethernet) {
            if (p.direction == CapturedDirection::Outgoing && !p.loopback && a.src_mac &&
                *a.src_mac != net::MacAddress()) {
                return a.src_mac;
            }
            continue;
        }
        if (a.src_mac == eni.mac) return eni.mac;
        if (!learned && holds(eni, a.src)) learned = a.src_mac;
    }
    return learned;
}

PacketRole role_of(const CaptureFile& capture, const CapturedPacket& p, const model::Eni& eni,
                   std::optional<net::MacAddress> capture_mac) {
    const FrameAddresses a = addresses_of(p.frame);
    switch (capture.link_type) {
        case CaptureLinkType::Ethernet:
            if (capture_mac && a.src_mac == capture_mac) return PacketRole::Sent;
            if ((capture_mac && a.dst_mac == capture_mac) ||
                (a.ether_type == net::ethernet::kTypeIpv4 && holds(eni, a.dst))) {
                return PacketRole::Received;
            }
            return PacketRole::Other;
        case CaptureLinkType::LinuxCooked:
        case CaptureLinkType::LinuxCooked2:
            if (p.loopback) return PacketRole::Other;
            if (p.direction == CapturedDirection::Outgoing) return PacketRole::Sent;
            if (p.direction == CapturedDirection::Incoming) return PacketRole::Received;
            return PacketRole::Other;
        case CaptureLinkType::RawIp:
            if (holds(eni, a.src)) return PacketRole::Sent;
            if (holds(eni, a.dst)) return PacketRole::Received;
            return PacketRole::Other;
    }
    return PacketRole::Other;
}

// The frame as the engine expects it from the ENI: its MAC as the source; to the neighbour
// ENI's MAC within the subnet (what the engine's ARP answers), else the router's.
std::vector<std::uint8_t> frame_for(const model::Topology& t, const model::Eni& eni,
                                    std::optional<net::MacAddress> capture_mac,
                                    std::vector<std::uint8_t> frame) {
    using namespace net;
    if (frame.size() < ethernet::kHeaderSize) return frame;
    const FrameAddresses a = addresses_of(frame);
    store_mac(frame.data() + ethernet::kSrcMac, eni.mac);
    const bool arp_request =
        a.ether_type == ethernet::kTypeArp && frame.size() >= ethernet::kHeaderSize + arp::kSize &&
        load16(frame.data() + ethernet::kHeaderSize + arp::kOperation) == arp::kRequest;
    if (a.ether_type == ethernet::kTypeArp && frame.size() >= ethernet::kHeaderSize + arp::kSize) {
        std::uint8_t* sender = frame.data() + ethernet::kHeaderSize + arp::kSenderMac;
        if (!capture_mac || load_mac(sender) == *capture_mac) store_mac(sender, eni.mac);
    }
    if (a.dst_mac->is_multicast()) return frame;  // broadcast and multicast stay
    MacAddress dst = engine::kRouterMac;
    if (arp_request && *a.dst_mac == MacAddress()) {
        dst = MacAddress::broadcast();  // a cooked capture's request: its address was lost
    } else if (a.dst && t.subnets[eni.subnet].cidr.contains(*a.dst)) {
        for (const model::Eni& other : t.enis) {
            if (other.subnet == eni.subnet && holds(other, a.dst)) dst = other.mac;
        }
    }
    store_mac(frame.data() + ethernet::kDstMac, dst);
    return frame;
}

// What a packet carries that a reply of the simulation must match.
struct Signature {
    net::FiveTuple tuple;
    std::uint8_t flags = 0;  // TCP flags, or the ICMP type
    friend auto operator<=>(const Signature&, const Signature&) = default;
};

std::optional<Signature> signature_of(std::span<const std::uint8_t> frame) {
    std::optional<sim::DecodedFrame> d = sim::decode_frame(frame);
    if (!d || !d->ipv4) return std::nullopt;
    Signature s{d->tuple(), 0};
    if (d->protocol == net::Protocol::kTcp) s.flags = d->tcp_flags;
    if (d->protocol == net::Protocol::kIcmp && d->icmp) s.flags = d->icmp->type;
    return s;
}

std::string packet_words(std::span<const std::uint8_t> frame) {
    std::optional<sim::DecodedFrame> d = sim::decode_frame(frame);
    if (d) return d->summary();
    return fmt::format("{} bytes, not a frame replay can read", frame.size());
}

// Warm-up: every host resolves its gateway and its subnet's neighbours, the internet the
// account's public addresses, so that the replay shows traffic, not ARP.
void warm_up(sim::Simulation& sim, model::Index played) {
    const model::Topology& t = sim.topology();
    for (const model::Instance& instance : t.instances) {
        sim::Host* host = sim.find_host(instance.meta.name);
        if (host == nullptr ||
            std::find(instance.enis.begin(), instance.enis.end(), played) != instance.enis.end()) {
            continue;  // stopped, or the capture plays it
        }
        for (const sim::HostInterface& itf : host->interfaces()) {
            if (itf.gateway) host->resolve(*itf.gateway);
            for (model::Index e = 0; e < t.enis.size(); ++e) {
                const net::Ipv4Address neighbour = t.enis[e].primary_ip();
                if (e != itf.port && itf.subnet.contains(neighbour)) host->resolve(neighbour);
            }
        }
    }
    for (model::Index i = 0; i < t.enis.size(); ++i) {
        if (auto a = t.public_address_of_eni(i)) sim.internet().resolve(*a);
    }
    for (const model::ElasticIp& eip : t.elastic_ips) sim.internet().resolve(eip.address);
    sim.run_until(kReplayStart);
    sim.clear_traces();
}

// The packet's destination once the gateways on its way translated it.
net::Ipv4Address final_destination(const engine::PacketTrace& trace) {
    net::Ipv4Address dst = trace.tuple().dst;
    for (const engine::TraceStep& s : trace.steps) {
        if (s.translation && s.translation->field == engine::Translation::Field::Destination) {
            dst = s.translation->after.address;
        }
    }
    return dst;
}

std::string delivered_to(const model::Topology& t, const engine::ComponentRegistry& components,
                         const engine::PacketTrace& trace) {
    if (!trace.egress) return "";
    if (*trace.egress == engine::kInternetPort) {
        const net::Ipv4Address dst = final_destination(trace);
        for (const model::InternetHost& h : t.internet_hosts) {
            if (h.address == dst)
                return fmt::format("internet {} ({})", dst.to_string(), h.meta.name);
        }
        return "internet " + dst.to_string();
    }
    const model::Eni& eni = t.enis.at(*trace.egress);
    std::string name = components[components.eni(*trace.egress)].name;
    if (eni.instance != model::kNone) name += " (" + t.instances[eni.instance].meta.name + ")";
    return name;
}

void judge(const model::Topology& t, const engine::ComponentRegistry& components, ReplayPacket& p) {
    const engine::PacketTrace& trace = *p.trace;
    switch (trace.fate) {
        case engine::Fate::Dropped: {
            p.verdict = ReplayVerdict::Dropped;
            p.drop = trace.drop;
            if (const engine::TraceStep* step = trace.drop_step()) {
                const engine::StepText text = engine::describe(*step, components);
                p.dropped_at = text.component;
                p.rule = !text.rule.empty() ? text.rule : text.detail;
                if (step->drop) p.drop = step->drop;
            }
            return;
        }
        case engine::Fate::Replied: {
            p.verdict = ReplayVerdict::Answered;
            const engine::TraceStep* by = trace.steps.empty() ? nullptr : &trace.steps.back();
            for (const engine::TraceStep& s : trace.steps) {
                if (s.action == engine::Action::Reply) by = &s;
            }
            p.answered_by = by != nullptr ? components[by->component].name : "the network";
            return;
        }
        case engine::Fate::Delivered:
        case engine::Fate::Lost:
            p.verdict = ReplayVerdict::Delivered;
            p.delivered_to = delivered_to(t, components, trace);
            return;
    }
}

// The key of a dropped packet's flow: its 5-tuple as sent; what is not IPv4, by its words.
std::string flow_key(const engine::PacketTrace& trace) {
    if (trace.packet.kind != engine::PacketFacts::Kind::Ipv4)
        return engine::summarize(trace.packet);
    const net::FiveTuple& f = trace.tuple();
    return fmt::format("{} {}:{} -> {}:{}", net::protocol_name(f.protocol), f.src.to_string(),
                       f.src_port, f.dst.to_string(), f.dst_port);
}

void summarise(ReplayReport& r) {
    ReplaySummary& s = r.summary;
    s.packets = r.packets.size();
    for (const ReplayPacket& p : r.packets) {
        if (p.truncated) ++s.truncated;
        switch (p.role) {
            case PacketRole::Sent:
                ++s.replayed;
                break;
            case PacketRole::Received:
                ++s.received;
                if (p.reproduced == true) ++s.reproduced;
                break;
            case PacketRole::Other:
                ++s.other;
                break;
        }
        switch (p.verdict) {
            case ReplayVerdict::Delivered:
                ++s.delivered;
                break;
            case ReplayVerdict::Answered:
                ++s.answered;
                break;
            case ReplayVerdict::Dropped:
                ++s.dropped;
                ++s.drops[p.drop ? std::string(engine::name(*p.drop)) : "unknown"];
                break;
            case ReplayVerdict::NotReplayed:
                break;
        }
    }
}

}  // namespace

std::string_view verdict_name(ReplayVerdict verdict) noexcept {
    switch (verdict) {
        case ReplayVerdict::Delivered:
            return "delivered";
        case ReplayVerdict::Answered:
            return "answered";
        case ReplayVerdict::Dropped:
            return "dropped";
        case ReplayVerdict::NotReplayed:
            return "not replayed";
    }
    return "not replayed";
}

std::uint64_t replay_epoch_ns(const CaptureFile& capture) noexcept {
    if (capture.packets.empty()) return 0;
    std::uint64_t first = capture.packets.front().time_ns;
    for (const CapturedPacket& p : capture.packets) first = std::min(first, p.time_ns);
    return first >= kReplayStart ? first - kReplayStart : 0;
}

ReplayResult run_replay(const model::Topology& topology, const CaptureFile& capture,
                        const ReplayQuery& query) {
    // "eni/app/eth0", as traces name an ENI, is the ENI "app/eth0".
    std::string_view at = query.at;
    if (at.starts_with("eni/")) at.remove_prefix(4);
    sim::ResolveResult resolved = sim::resolve_endpoint(topology, at);
    if (!resolved.endpoint) return {std::nullopt, "--at: " + resolved.error};
    if (resolved.endpoint->kind != sim::Endpoint::Kind::Instance) {
        return {std::nullopt,
                fmt::format("--at: '{}' is {}; expected an instance or a network interface of "
                            "the topology",
                            query.at, resolved.endpoint->label)};
    }
    const model::Index eni_index = resolved.endpoint->eni;
    const model::Eni& eni = topology.enis[eni_index];
    if (capture.packets.empty()) {
        return {std::nullopt, fmt::format("{}: the capture holds no packets", capture.path)};
    }

    ReplayReport report;
    report.capture = capture.path;
    report.topology = topology.file;
    report.link_type = capture.link_type;
    report.mac = eni.mac;
    report.addresses = eni.private_ips;
    report.notes = capture.notes;
    if (eni.instance != model::kNone) report.instance = topology.instances[eni.instance].meta.name;
    report.capture_mac = capture_mac_of(capture, eni);
    report.epoch_ns = replay_epoch_ns(capture);
    std::uint64_t first = capture.packets.front().time_ns;
    for (const CapturedPacket& c : capture.packets) first = std::min(first, c.time_ns);

    for (std::size_t i = 0; i < capture.packets.size(); ++i) {
        const CapturedPacket& c = capture.packets[i];
        ReplayPacket& p = report.packets.emplace_back();
        p.number = i + 1;
        p.capture_time_ns = c.time_ns;
        p.offset = c.time_ns - first;
        p.wire_length = c.wire_length;
        p.captured_length = static_cast<std::uint32_t>(c.frame.size());
        p.truncated = c.truncated;
        p.role = role_of(capture, c, eni, report.capture_mac);
        p.packet = packet_words(c.frame);
    }
    const std::size_t sent = static_cast<std::size_t>(
        std::count_if(report.packets.begin(), report.packets.end(),
                      [](const ReplayPacket& p) { return p.role == PacketRole::Sent; }));
    if (sent == 0) {
        std::string addresses;
        for (net::Ipv4Address a : eni.private_ips) {
            addresses += (addresses.empty() ? "" : ", ") + a.to_string();
        }
        return {std::nullopt,
                fmt::format("{}: none of its {} packets was sent by {} (MAC {}, {}); expected a "
                            "capture taken on that instance, or --at the ENI that sent them",
                            capture.path, capture.packets.size(), eni.meta.name,
                            eni.mac.to_string(), addresses)};
    }

    sim::Simulation sim(topology);
    report.components = sim.engine().components();
    report.eni = (*report.components)[report.components->eni(eni_index)].name;
    // The capture plays the ENI: what the network sends it is kept, never answered.
    std::map<Signature, std::size_t> arrived;  // not yet matched by a captured packet
    sim.play_port(eni_index, [&](TimeNs, std::span<const std::uint8_t> frame) {
        ++report.delivered_to_eni;
        if (auto s = signature_of(frame)) ++arrived[*s];
    });
    warm_up(sim, eni_index);

    sim.engine().set_capture_sink(query.capture);
    TimeNs last = kReplayStart;
    for (std::size_t i = 0; i < capture.packets.size(); ++i) {
        ReplayPacket& p = report.packets[i];
        if (p.role != PacketRole::Sent) continue;
        const TimeNs when = kReplayStart + p.offset;
        last = std::max(last, when);
        sim.at(when, [&sim, &p, &topology, &eni, &report, &capture, eni_index, i] {
            std::vector<std::uint8_t> frame =
                frame_for(topology, eni, report.capture_mac, capture.packets[i].frame);
            const std::size_t before = sim.traces().size();
            sim.inject(eni_index, std::move(frame));
            VPCSTACK_ASSERT(sim.traces().size() == before + 1,
                            "the engine records one trace per received frame");
            p.trace = sim.traces()[before];
        });
    }
    sim.run_until_idle(last - sim.now() + kReplayTail);
    sim.engine().set_capture_sink(nullptr);

    std::map<std::string, std::size_t> flows;  // key -> index in dropped_flows
    for (ReplayPacket& p : report.packets) {
        if (p.role == PacketRole::Received) {
            if (auto s = signature_of(capture.packets[p.number - 1].frame)) {
                auto match = arrived.find(*s);
                p.reproduced = match != arrived.end() && match->second > 0;
                if (*p.reproduced) --match->second;
            }
        }
        if (!p.trace) continue;
        judge(topology, *report.components, p);
        if (p.verdict != ReplayVerdict::Dropped) continue;
        const std::string key = flow_key(*p.trace);
        auto [it, fresh] = flows.try_emplace(key, report.dropped_flows.size());
        if (fresh) {
            DroppedFlow& f = report.dropped_flows.emplace_back();
            f.flow = engine::summarize(p.trace->packet);
            f.first_packet = p.number;
            f.path = sim::path_of(*p.trace, "sent");
        }
        ++report.dropped_flows[it->second].packets;
    }
    summarise(report);
    return {std::move(report), ""};
}

// ------------------------------------------------------------------------------------------
// Rendering.

namespace {

std::string pad(std::string text, std::size_t width) {
    if (text.size() < width) text.append(width - text.size(), ' ');
    return text;
}

std::string paint(bool on, std::string_view text, const char* code) {
    if (!on) return std::string(text);
    return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
}

std::string seconds(engine::TimeNs ns) {
    return fmt::format("{}.{:06}", ns / engine::kNsPerSecond, (ns % engine::kNsPerSecond) / 1000);
}

std::string verdict_text(const ReplayPacket& p) {
    switch (p.verdict) {
        case ReplayVerdict::Delivered:
            return "delivered to " + p.delivered_to;
        case ReplayVerdict::Answered:
            return "answered by " + p.answered_by;
        case ReplayVerdict::Dropped: {
            std::string text = "dropped at " + p.dropped_at;
            if (!p.rule.empty()) text += ": " + p.rule;
            return text + fmt::format(" [{}]", p.drop ? engine::name(*p.drop) : "unknown");
        }
        case ReplayVerdict::NotReplayed:
            break;
    }
    if (p.role == PacketRole::Received) {
        if (!p.reproduced) return "to the ENI, not replayed";
        return *p.reproduced ? "to the ENI: the simulated network sent it too"
                             : "to the ENI: the simulated network did not send it";
    }
    return "not the ENI's, not replayed";
}

const char* verdict_colour(const ReplayPacket& p) {
    if (p.verdict == ReplayVerdict::Dropped) return "31";
    if (p.verdict == ReplayVerdict::NotReplayed) return "2";
    return "32";
}

std::string packet_column(const ReplayPacket& p) {
    if (!p.truncated) return p.packet;
    return fmt::format("{} (truncated: {} of {} bytes)", p.packet, p.captured_length,
                       p.wire_length);
}

std::string drops_text(const ReplaySummary& s) {
    std::string out;
    for (const auto& [reason, n] : s.drops)
        out += fmt::format("{}{} {}", out.empty() ? "" : ", ", reason, n);
    return out;
}

std::string addresses_text(const std::vector<net::Ipv4Address>& addresses) {
    std::string out;
    for (net::Ipv4Address a : addresses) out += (out.empty() ? "" : ", ") + a.to_string();
    return out;
}

}  // namespace

std::string render_replay_text(const ReplayReport& r, bool color) {
    std::string out = fmt::format("replay {} at {} ({}, {}, {}): {} capture, {} packets\n\n",
                                  r.capture, r.eni, r.instance, addresses_text(r.addresses),
                                  r.mac.to_string(), link_type_name(r.link_type), r.packets.size());
    std::vector<std::string> numbers, times, packets;
    std::size_t wn = 1, wt = 4, wp = 6;
    for (const ReplayPacket& p : r.packets) {
        wn = std::max(wn, numbers.emplace_back(std::to_string(p.number)).size());
        wt = std::max(wt, times.emplace_back(seconds(p.offset)).size());
        wp = std::max(wp, packets.emplace_back(packet_column(p)).size());
    }
    out += fmt::format("  {:>{}}  {}  {}  VERDICT\n", "#", wn, pad("TIME", wt), pad("PACKET", wp));
    for (std::size_t i = 0; i < r.packets.size(); ++i) {
        const ReplayPacket& p = r.packets[i];
        out += fmt::format("  {:>{}}  {}  {}  {}\n", numbers[i], wn, pad(times[i], wt),
                           pad(packets[i], wp), paint(color, verdict_text(p), verdict_colour(p)));
    }
    const ReplaySummary& s = r.summary;
    out += fmt::format("\n{} packets: {} sent by {} and replayed, {} to it, {} others\n", s.packets,
                       s.replayed, r.eni, s.received, s.other);
    out += fmt::format("replayed: {} delivered, {} answered by the network, {} dropped{}\n",
                       s.delivered, s.answered, s.dropped,
                       s.dropped == 0 ? "" : " (" + drops_text(s) + ")");
    if (s.received > 0) {
        out += fmt::format("to the ENI: {} sent by the simulated network too, {} not\n",
                           s.reproduced, s.received - s.reproduced);
    }
    if (s.truncated > 0) {
        out += fmt::format("{} packets were captured truncated and replayed as captured\n",
                           s.truncated);
    }
    for (const std::string& note : r.notes) out += "note: " + note + "\n";
    for (std::size_t i = 0; i < r.dropped_flows.size(); ++i) {
        const DroppedFlow& f = r.dropped_flows[i];
        out += fmt::format("\ndropped flow {} of {}: {} packet{}, the first is #{}\n", i + 1,
                           r.dropped_flows.size(), f.packets, f.packets == 1 ? "" : "s",
                           f.first_packet);
        out += sim::render_path_text(f.path, *r.components, color);
    }
    return out;
}

std::string render_replay_json(const ReplayReport& r) {
    using nlohmann::ordered_json;
    auto text_or_null = [](const std::string& s) {
        return s.empty() ? ordered_json(nullptr) : ordered_json(s);
    };
    ordered_json j;
    j["all_passed"] = r.all_passed();
    j["capture"] = r.capture;
    j["link_type"] = std::string(link_type_name(r.link_type));
    j["topology"] = r.topology;
    ordered_json addresses = ordered_json::array();
    for (net::Ipv4Address a : r.addresses) addresses.push_back(a.to_string());
    j["at"] = {{"eni", r.eni},
               {"instance", r.instance},
               {"mac", r.mac.to_string()},
               {"capture_mac",
                r.capture_mac ? ordered_json(r.capture_mac->to_string()) : ordered_json(nullptr)},
               {"addresses", addresses}};
    j["start_ns"] = r.start;
    j["epoch_ns"] = r.epoch_ns;
    const ReplaySummary& s = r.summary;
    j["summary"] = {{"packets", s.packets},
                    {"replayed", s.replayed},
                    {"delivered", s.delivered},
                    {"answered", s.answered},
                    {"dropped", s.dropped},
                    {"drops", s.drops},
                    {"received", s.received},
                    {"reproduced", s.reproduced},
                    {"other", s.other},
                    {"truncated", s.truncated},
                    {"delivered_to_eni", r.delivered_to_eni}};
    ordered_json packets = ordered_json::array();
    for (const ReplayPacket& p : r.packets) {
        ordered_json e;
        e["number"] = p.number;
        e["capture_time_ns"] = p.capture_time_ns;
        e["offset_ns"] = p.offset;
        e["time_ns"] = p.trace ? ordered_json(p.trace->time) : ordered_json(nullptr);
        e["packet_id"] = p.trace ? ordered_json(p.trace->id) : ordered_json(nullptr);
        e["role"] = p.role == PacketRole::Sent       ? "sent"
                    : p.role == PacketRole::Received ? "received"
                                                     : "other";
        e["packet"] = p.packet;
        e["length"] = p.wire_length;
        e["captured_length"] = p.captured_length;
        e["truncated"] = p.truncated;
        e["verdict"] = std::string(verdict_name(p.verdict));
        e["delivered_to"] = text_or_null(p.delivered_to);
        e["answered_by"] = text_or_null(p.answered_by);
        e["dropped_at"] = text_or_null(p.dropped_at);
        e["rule"] = text_or_null(p.rule);
        e["drop_reason"] =
            p.drop ? ordered_json(std::string(engine::name(*p.drop))) : ordered_json(nullptr);
        e["reproduced"] = p.reproduced ? ordered_json(*p.reproduced) : ordered_json(nullptr);
        packets.push_back(std::move(e));
    }
    j["packets"] = std::move(packets);
    ordered_json flows = ordered_json::array();
    for (const DroppedFlow& f : r.dropped_flows) {
        flows.push_back({{"flow", f.flow},
                         {"first_packet", f.first_packet},
                         {"packets", f.packets},
                         {"path", sim::path_json(f.path, *r.components)}});
    }
    j["dropped_flows"] = std::move(flows);
    j["notes"] = r.notes;
    return j.dump(2) + "\n";
}

}  // namespace vpcstack::observe
