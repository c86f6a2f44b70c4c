// Packets per second through the engine, side by side with a libtins parse of the same frame
// (the reference ratio: a parse alone, with libtins, versus the whole pipeline here).
//
//   build-*/engine_bench --benchmark_counters_tabular=true
#include <benchmark/benchmark.h>
#include <tins/tins.h>

#include <memory>
#include <vector>

#include "vpcstack/engine/engine.hpp"
#include "vpcstack/engine/packet.hpp"
#include "vpcstack/net/bytes.hpp"
#include "vpcstack/net/checksum.hpp"
#include "vpcstack/net/ethernet.hpp"
#include "vpcstack/net/ipv4_header.hpp"
#include "vpcstack/net/tcp.hpp"

namespace {

using namespace vpcstack;
using model::Index;

class NullSink : public engine::FrameSink {
  public:
    void transmit(engine::PortId, std::span<const std::uint8_t> frame) override {
        bytes += frame.size();
    }
    std::size_t bytes = 0;
};

net::Ipv4Address ip(const char* t) {
    return *net::Ipv4Address::parse(t);
}

// prod 10.0.0.0/16: public 10.0.1.0/24 (0/0 -> igw), private 10.0.2.0/24 (0/0 -> nat);
// web 10.0.1.10 (203.0.113.10), app 10.0.2.10; both allow all traffic from 10.0.0.0/16, all out.
model::Topology make_topology() {
    model::Topology t;
    model::Vpc v;
    v.meta.name = "prod";
    v.cidrs = {*net::Cidr::parse("10.0.0.0/16")};
    v.internet_gateway = 0;
    t.vpcs.push_back(v);
    t.internet_gateways.push_back({{"igw", "", {}, false}, 0});
    model::NetworkAcl acl;
    acl.meta.name = "default";
    acl.vpc = 0;
    model::AclRule all;
    all.number = 100;
    all.action = model::RuleAction::Allow;
    all.cidr = *net::Cidr::parse("0.0.0.0/0");
    acl.inbound = {all};
    acl.outbound = {all};
    t.network_acls.push_back(acl);
    auto table = [&](const char* name, model::RouteTargetKind kind) {
        model::RouteTable rt;
        rt.meta.name = name;
        rt.vpc = 0;
        model::Route local;
        local.destination = v.cidrs[0];
        local.target.kind = model::RouteTargetKind::Local;
        model::Route def;
        def.destination = *net::Cidr::parse("0.0.0.0/0");
        def.target.kind = kind;
        def.target.index = 0;
        rt.routes = {local, def};
        t.route_tables.push_back(rt);
    };
    table("public-rt", model::RouteTargetKind::InternetGateway);
    table("private-rt", model::RouteTargetKind::NatGateway);
    for (int i = 0; i < 2; ++i) {
        model::Subnet s;
        s.meta.name = i == 0 ? "public" : "private";
        s.vpc = 0;
        s.cidr = *net::Cidr::parse(i == 0 ? "10.0.1.0/24" : "10.0.2.0/24");
        s.route_table = static_cast<Index>(i);
        s.network_acl = 0;
        t.subnets.push_back(s);
    }
    model::SecurityGroup sg;
    sg.meta.name = "sg";
    sg.vpc = 0;
    model::SgRule in;
    in.cidr = *net::Cidr::parse("10.0.0.0/16");
    model::SgRule out;
    out.cidr = *net::Cidr::parse("0.0.0.0/0");
    sg.ingress = {in};
    sg.egress = {out};
    t.security_groups.push_back(sg);
    model::ElasticIp eip;
    eip.address = ip("198.51.100.20");
    eip.target_kind = model::EipTargetKind::NatGateway;
    eip.target = 0;
    t.elastic_ips.push_back(eip);
    model::NatGateway nat;
    nat.meta.name = "nat";
    nat.vpc = 0;
    nat.subnet = 0;
    nat.private_ip = ip("10.0.1.20");
    nat.elastic_ip = 0;
    t.nat_gateways.push_back(nat);
    for (int i = 0; i < 2; ++i) {
        model::Instance inst;
        inst.meta.name = i == 0 ? "web" : "app";
        inst.enis = {static_cast<Index>(i)};
        t.instances.push_back(inst);
        model::Eni e;
        e.meta.name = inst.meta.name + "/eth0";
        e.instance = static_cast<Index>(i);
        e.subnet = static_cast<Index>(i);
        e.vpc = 0;
        e.private_ips = {ip(i == 0 ? "10.0.1.10" : "10.0.2.10")};
        if (i == 0) e.public_ip = ip("203.0.113.10");
        e.security_groups = {0};
        e.mac = net::MacAddress({0x02, 0xaa, 0, 0, 0, static_cast<std::uint8_t>(i + 1)});
        t.enis.push_back(e);
    }
    return t;
}

std::vector<std::uint8_t> tcp_frame(std::uint8_t eni, const char* src, const char* dst,
                                    std::size_t size) {
    Tins::EthernetII eth(Tins::HWAddress<6>("02:00:00:00:00:01"),
                         Tins::HWAddress<6>(eni == 0 ? "02:aa:00:00:00:01" : "02:aa:00:00:00:02"));
    Tins::TCP seg(443, 40000);
    seg.flags(Tins::TCP::ACK);
    std::size_t headers =
        net::ethernet::kHeaderSize + net::ipv4::kMinHeaderSize + net::tcp::kMinHeaderSize;
    std::string payload(size > headers ? size - headers : 0, 'x');
    auto pkt = eth / Tins::IP(dst, src) / seg / Tins::RawPDU(payload);
    return pkt.serialize();
}

struct Setup {
    model::Topology topo = make_topology();
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
    auto frame = tcp_frame(static_cast<std::uint8_t>(port), src, dst,
                           static_cast<std::size_t>(state.range(0)));
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
    run_engine(state, 1, "10.0.2.10", "10.0.1.10");
}
void BM_EngineThroughInternetGateway(benchmark::State& state) {
    run_engine(state, 0, "10.0.1.10", "192.0.2.80");
}
void BM_EngineThroughNatGateway(benchmark::State& state) {
    run_engine(state, 1, "10.0.2.10", "192.0.2.80");
}

void BM_HandParse(benchmark::State& state) {
    auto frame = tcp_frame(0, "10.0.1.10", "10.0.2.10", static_cast<std::size_t>(state.range(0)));
    for (auto _ : state) {
        auto pf = engine::parse_frame(frame);
        benchmark::DoNotOptimize(pf);
    }
    state.SetItemsProcessed(state.iterations());
}

void BM_LibtinsParse(benchmark::State& state) {
    auto frame = tcp_frame(0, "10.0.1.10", "10.0.2.10", static_cast<std::size_t>(state.range(0)));
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
