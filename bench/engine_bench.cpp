// Packets per second through the engine, side by side with a libtins parse of the same frame
// (the reference ratio: a parse alone, with libtins, versus the whole pipeline here).
//
//   build-*/engine_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <tins/tins.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string_view>
#include <vector>

#include "vpcstack/engine/engine.hpp"
#include "vpcstack/engine/packet.hpp"
#include "vpcstack/model/loader.hpp"
#include "vpcstack/net/bytes.hpp"
#include "vpcstack/net/checksum.hpp"
#include "vpcstack/net/ethernet.hpp"
#include "vpcstack/net/ipv4_header.hpp"
#include "vpcstack/net/tcp.hpp"

namespace {

using namespace vpcstack;

class NullSink : public engine::FrameSink {
  public:
    void transmit(engine::PortId, std::span<const std::uint8_t> frame) override {
        bytes += frame.size();
    }
    std::size_t bytes = 0;
};

// prod 10.0.0.0/16: public 10.0.1.0/24 (0/0 -> igw), private 10.0.2.0/24 (0/0 -> nat);
// web 10.0.1.10 (203.0.113.10), app 10.0.2.10; both allow all traffic from 10.0.0.0/16, all out.
// Loaded as any topology file is, so the VPC's defaults are the loader's.
constexpr std::string_view kTopology = R"(
region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    internet_gateway: igw
    subnets:
      - {name: public, cidr: 10.0.1.0/24, route_table: public-rt}
      - {name: private, cidr: 10.0.2.0/24, route_table: private-rt}
    route_tables:
      - {name: public-rt, routes: ["0.0.0.0/0 -> igw"]}
      - {name: private-rt, routes: ["0.0.0.0/0 -> nat/nat"]}
    security_groups:
      - {name: sg, ingress: [all from 10.0.0.0/16], egress: [all to 0.0.0.0/0]}
    nat_gateways:
      - {name: nat, subnet: public, private_ip: 10.0.1.20, elastic_ip: nat-eip}
    instances:
      - {name: web, subnet: public, private_ip: 10.0.1.10, public_ip: 203.0.113.10,
         security_groups: [sg]}
      - {name: app, subnet: private, private_ip: 10.0.2.10, security_groups: [sg]}
elastic_ips:
  - {name: nat-eip, address: 198.51.100.20}
)";

const model::Topology& topology() {
    static const model::Topology loaded = [] {
        model::LoadResult result = model::load_topology_text(kTopology, "engine_bench topology");
        for (const model::Diagnostic& d : result.diagnostics.sorted())
            std::fprintf(stderr, "%s\n", d.to_string().c_str());
        if (!result.ok()) std::abort();
        return std::move(*result.topology);
    }();
    return loaded;
}

// The engine port of the ENI called `name`.
engine::PortId port_of(std::string_view name) {
    const auto& enis = topology().enis;
    for (std::size_t i = 0; i < enis.size(); ++i) {
        if (enis[i].meta.name == name) return static_cast<engine::PortId>(i);
    }
    std::fprintf(stderr, "no ENI %.*s in the topology\n", static_cast<int>(name.size()),
                 name.data());
    std::abort();
}

Tins::HWAddress<6> hw(const net::MacAddress& mac) {
    return Tins::HWAddress<6>(mac.octets().data());
}

// A TCP ACK of `size` bytes (Ethernet included) as the ENI on `port` sends it to the router.
std::vector<std::uint8_t> tcp_frame(engine::PortId port, const char* src, const char* dst,
                                    std::size_t size) {
    Tins::EthernetII eth(hw(engine::kRouterMac), hw(topology().enis[port].mac));
    Tins::TCP seg(443, 40000);
    seg.flags(Tins::TCP::ACK);
    std::size_t headers =
        net::ethernet::kHeaderSize + net::ipv4::kMinHeaderSize + net::tcp::kMinHeaderSize;
    std::string payload(size > headers ? size - headers : 0, 'x');
    auto pkt = eth / Tins::IP(dst, src) / seg / Tins::RawPDU(payload);
    return pkt.serialize();
}

struct Setup {
    model::Topology topo = topology();
    NullSink sink;
    std::unique_ptr<engine::Engine> eng = std::make_unique<engine::Engine>(topo, sink);
};

// Sends the flow's first packet as a SYN so that what is measured is an established flow.
void open_flow(Setup& s, engine::PortId port, std::vector<std::uint8_t> frame) {
    std::uint8_t* seg = frame.data() + net::ethernet::kHeaderSize + net::ipv4::kMinHeaderSize;
    // The TCP checksum covers the flags, which share a 16-bit word with the data offset: fix it
    // incrementally (ACK -> SYN).
    std::uint16_t old_word = net::load16(seg + net::tcp::kDataOffset);
    seg[net::tcp::kFlags] = net::tcp::kSyn;
    net::store16(seg + net::tcp::kChecksum,
                 net::checksum_update16(net::load16(seg + net::tcp::kChecksum), old_word,
                                        net::load16(seg + net::tcp::kDataOffset)));
    s.eng->receive(port, frame, 0);
}

void run_engine(benchmark::State& state, engine::PortId port, const char* src, const char* dst) {
    Setup s;
    auto frame = tcp_frame(port, src, dst, static_cast<std::size_t>(state.range(0)));
    open_flow(s, port, frame);
    std::uint64_t before = s.eng->snapshot().transmitted;
    engine::TimeNs now = 1;
    for (auto _ : state) {
        s.eng->receive(port, frame, now++);
    }
    std::uint64_t sent = s.eng->snapshot().transmitted - before;
    if (sent != static_cast<std::uint64_t>(state.iterations()))
        state.SkipWithError("packets dropped");
    state.SetItemsProcessed(state.iterations());
    state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(frame.size()));
}

void BM_EngineBetweenSubnets(benchmark::State& state) {
    run_engine(state, port_of("app/eth0"), "10.0.2.10", "10.0.1.10");
}
void BM_EngineThroughInternetGateway(benchmark::State& state) {
    run_engine(state, port_of("web/eth0"), "10.0.1.10", "192.0.2.80");
}
void BM_EngineThroughNatGateway(benchmark::State& state) {
    run_engine(state, port_of("app/eth0"), "10.0.2.10", "192.0.2.80");
}

void BM_HandParse(benchmark::State& state) {
    auto frame = tcp_frame(port_of("web/eth0"), "10.0.1.10", "10.0.2.10",
                           static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        auto pf = engine::parse_frame(frame);
        benchmark::DoNotOptimize(pf);
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_LibtinsParse(benchmark::State& state) {
    auto frame = tcp_frame(port_of("web/eth0"), "10.0.1.10", "10.0.2.10",
                           static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        Tins::EthernetII eth(frame.data(), static_cast<std::uint32_t>(frame.size()));
        auto& seg = eth.rfind_pdu<Tins::TCP>();
        benchmark::DoNotOptimize(seg.dport());
    }
    state.SetItemsProcessed(state.iterations());
}

BENCHMARK(BM_LibtinsParse)->Arg(64)->Arg(1500);
BENCHMARK(BM_HandParse)->Arg(64)->Arg(1500);
BENCHMARK(BM_EngineBetweenSubnets)->Arg(64)->Arg(1500);
BENCHMARK(BM_EngineThroughInternetGateway)->Arg(64)->Arg(1500);
BENCHMARK(BM_EngineThroughNatGateway)->Arg(64)->Arg(1500);

}  // namespace

BENCHMARK_MAIN();
