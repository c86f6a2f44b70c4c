#include "vpcstack/sim/stub_resolver.hpp"

#include <fmt/format.h>

#include "vpcstack/engine/engine.hpp"
#include "vpcstack/engine/packet.hpp"
#include "vpcstack/engine/trace_format.hpp"
#include "vpcstack/model/cloud_rules.hpp"
#include "vpcstack/net/bytes.hpp"
#include "vpcstack/net/tcp.hpp"
#include "vpcstack/sim/health_checks.hpp"
#include "vpcstack/sim/load_balancer_health.hpp"
#include "vpcstack/sim/packet.hpp"

namespace vpcstack::sim {

namespace {

namespace tcp = net::tcp;

constexpr std::uint16_t kClientPort = 53053;
constexpr std::uint16_t kQueryId = 0x7ace;

struct Frames : engine::FrameSink {
    std::vector<std::vector<std::uint8_t>> sent;
    void transmit(engine::PortId, std::span<const std::uint8_t> frame) override {
        sent.emplace_back(frame.begin(), frame.end());
    }
};

class Client {
  public:
    Client(const model::Topology& t, model::Index eni) : t_(t), eni_(t.enis[eni]), port_(eni) {
        engine::EngineConfig config;
        config.trace = true;
        engine_ = std::make_unique<engine::Engine>(t, frames_, config);
        engine_->set_trace_callback(
            [this](engine::PacketTrace&& trace) { result.traces.push_back(std::move(trace)); });
        for (const auto& [check, status] : probe_health_checks(t)) {
            engine_->set_health_check_status(check, status.healthy);
        }
        for (const auto& [name, health] : probe_load_balancers(t)) {
            engine_->set_load_balancer_health(name, health.healthy);
        }
        resolver_ = model::cloud::resolver_address(t.vpcs[eni_.vpc].cidrs.front());
    }

    // Sends one packet; the frames the engine answered with.
    std::vector<std::vector<std::uint8_t>> send(PacketSpec spec) {
        frames_.sent.clear();
        const std::size_t before = result.traces.size();
        engine_->receive(port_, build_ip_frame(eni_.mac, engine::kRouterMac, spec), now_);
        now_ += 1'000'000;  // a millisecond between the client's packets
        for (std::size_t i = before; i < result.traces.size(); ++i) {
            for (const engine::TraceStep& s : result.traces[i].steps) {
                if (s.dns) {
                    result.exchange = s.dns;
                    result.answered = i;
                }
            }
        }
        return frames_.sent;
    }

    PacketSpec spec(std::uint8_t protocol, std::span<const std::uint8_t> payload) const {
        PacketSpec s;
        s.tuple = {eni_.primary_ip(), resolver_, kClientPort, 53, protocol};
        s.payload_size = payload.size();
        s.payload = payload;
        return s;
    }

    void udp(const std::vector<std::uint8_t>& query) {
        std::vector<std::vector<std::uint8_t>> out = send(spec(net::Protocol::kUdp, query));
        if (out.empty()) return;
        const engine::ParsedFrame pf = engine::parse_frame(out.front());
        const std::size_t at = pf.l4 + 8;
        result.response = dns::parse_response(std::span<const std::uint8_t>(
            out.front().data() + at, pf.ip_total_length - pf.ip_header_size - 8));
    }

    void tcp_query(const std::vector<std::uint8_t>& query) {
        result.over_tcp = true;
        result.response.reset();
        std::uint32_t seq = 0x5eed0000;
        PacketSpec syn = spec(net::Protocol::kTcp, {});
        syn.tcp_flags = tcp::kSyn;
        syn.seq = seq;
        std::vector<std::vector<std::uint8_t>> out = send(syn);
        if (out.size() != 1) return;
        engine::ParsedFrame pf = engine::parse_frame(out.front());
        if (pf.tcp_flags != (tcp::kSyn | tcp::kAck)) return;
        std::uint32_t ack = net::load32(out.front().data() + pf.l4 + tcp::kSeqNumber) + 1;
        ++seq;
        PacketSpec last = spec(net::Protocol::kTcp, {});
        last.tcp_flags = tcp::kAck;
        last.seq = seq;
        last.ack = ack;
        send(last);
        const std::vector<std::uint8_t> framed = dns::frame_tcp(query);
        PacketSpec data = spec(net::Protocol::kTcp, framed);
        data.tcp_flags = tcp::kAck | tcp::kPsh;
        data.seq = seq;
        data.ack = ack;
        seq += static_cast<std::uint32_t>(framed.size());
        std::vector<std::uint8_t> stream;
        for (const std::vector<std::uint8_t>& f : send(data)) {
            pf = engine::parse_frame(f);
            const std::size_t header = tcp::header_size(f.data() + pf.l4);
            const std::size_t len = pf.ip_total_length - pf.ip_header_size - header;
            stream.insert(stream.end(), f.begin() + static_cast<long>(pf.l4 + header),
                          f.begin() + static_cast<long>(pf.l4 + header + len));
            ack += static_cast<std::uint32_t>(len);
        }
        if (auto message = dns::unframe_tcp(stream))
            result.response = dns::parse_response(*message);
        PacketSpec fin = spec(net::Protocol::kTcp, {});
        fin.tcp_flags = tcp::kFin | tcp::kAck;
        fin.seq = seq;
        fin.ack = ack;
        ++seq;
        if (!send(fin).empty()) {
            PacketSpec bye = spec(net::Protocol::kTcp, {});
            bye.tcp_flags = tcp::kAck;
            bye.seq = seq;
            bye.ack = ack + 1;
            send(bye);
        }
    }

    StubLookup result;

  private:
    const model::Topology& t_;
    const model::Eni& eni_;
    engine::PortId port_;
    Frames frames_;
    std::unique_ptr<engine::Engine> engine_;
    net::Ipv4Address resolver_;
    engine::TimeNs now_ = 0;
};

}  // namespace

StubLookup stub_lookup(const model::Topology& t, model::Index eni, const std::string& name,
                       dns::RrType type) {
    Client client(t, eni);
    const std::vector<std::uint8_t> query = dns::build_query(name, type, kQueryId, true, 0);
    client.udp(query);
    if (client.result.response && client.result.response->truncated) client.tcp_query(query);
    StubLookup result = std::move(client.result);
    if (!result.response) {
        const engine::PacketTrace* last = result.traces.empty() ? nullptr : &result.traces.back();
        const std::optional<engine::DropReason> why = last != nullptr ? last->drop : std::nullopt;
        result.error =
            why ? fmt::format("{}: {}", engine::name(*why), engine::info(*why).explanation)
                : std::string("no answer came back");
    }
    return result;
}

}  // namespace vpcstack::sim
