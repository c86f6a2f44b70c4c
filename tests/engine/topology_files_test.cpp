// The engine over topologies written in YAML: every example file compiles into an engine that
// answers ARP and survives a sweep of packets, and YAML snippets check rules end to end.
#include <gtest/gtest.h>
#include <tins/tins.h>

#include <filesystem>

#include "fixture.hpp"
#include "vpcstack/engine/engine.hpp"
#include "vpcstack/model/loader.hpp"

namespace vpcstack::engine::testing {
namespace {

TEST(TopologyFiles, EveryExampleRunsThroughTheEngine) {
    std::filesystem::path dir = std::filesystem::path(VPCSTACK_SOURCE_DIR) / "topologies";
    std::size_t files = 0;
    for (const auto& entry : std::filesystem::directory_iterator(dir)) {
        if (entry.path().extension() != ".yaml") continue;
        model::LoadResult r = model::load_topology_file(entry.path().string());
        if (!r.ok()) continue;  // an example that does not load is the loader's test to catch
        ++files;
        const model::Topology& t = *r.topology;
        RecordingSink sink;
        EngineConfig config;
        config.trace = true;
        Engine engine(t, sink, config);
        std::size_t traced = 0;
        engine.set_trace_callback([&](PacketTrace&&) { ++traced; });
        std::size_t sent = 0;
        // Every ENI pings every private address and one internet address.
        for (Index from = 0; from < t.enis.size(); ++from) {
            const model::Eni& e = t.enis[from];
            std::string src = e.primary_ip().to_string();
            std::vector<std::string> targets{"198.51.100.7"};
            for (const auto& other : t.enis) targets.push_back(other.primary_ip().to_string());
            for (const auto& dst : targets) {
                engine.receive(from, frame_from(e.mac, src.c_str(), dst.c_str(), tcp(40000, 443)),
                               0);
                ++sent;
            }
        }
        Counters c = engine.snapshot();
        EXPECT_EQ(c.received, sent) << entry.path();
        EXPECT_EQ(traced, sent) << entry.path();
        std::uint64_t dropped = 0;
        for (auto d : c.drops) dropped += d;
        // Each packet was either sent on (possibly as fragments) or dropped with a reason.
        EXPECT_LE(sent - dropped, c.transmitted) << entry.path();
    }
    EXPECT_GT(files, 0u);
}

TEST(TopologyFiles, TwoTierNatFromYaml) {
    std::string path = std::string(VPCSTACK_SOURCE_DIR) + "/topologies/two-tier-nat.yaml";
    model::LoadResult r = model::load_topology_file(path);
    if (!r.ok()) GTEST_SKIP() << "two-tier-nat.yaml does not load";
    const model::Topology& t = *r.topology;
    auto eni_named = [&](const std::string& instance) {
        for (Index i = 0; i < t.enis.size(); ++i) {
            if (t.instances[t.enis[i].instance].meta.name == instance) return i;
        }
        return kNone;
    };
    Index web = eni_named("web");
    Index app = eni_named("app");
    ASSERT_NE(web, kNone);
    ASSERT_NE(app, kNone);
    RecordingSink sink;
    EngineConfig config;
    config.trace = true;
    Engine engine(t, sink, config);
    std::vector<PacketTrace> traces;
    engine.set_trace_callback([&](PacketTrace&& p) { traces.push_back(std::move(p)); });

    // The internet client reaches web on tcp/80.
    engine.receive(kInternetPort,
                   frame_from(kInternetMac, "198.51.100.7", "203.0.113.10", tcp(50000, 80)), 0);
    ASSERT_EQ(sink.frames.size(), 1u);
    EXPECT_EQ(sink.frames[0].port, web);
    // app reaches the internet through nat-a, leaving as its Elastic IP.
    sink.frames.clear();
    engine.receive(app, frame_from(t.enis[app].mac, "10.0.2.10", "198.51.100.7", tcp(40000, 443)),
                   0);
    ASSERT_EQ(sink.frames.size(), 1u);
    EXPECT_EQ(parse(sink.frames[0].bytes).rfind_pdu<Tins::IP>().src_addr(),
              Tins::IPv4Address("203.0.113.20"));
    std::vector<std::string> components;
    for (const auto& s : traces.back().steps) {
        components.push_back((*engine.components())[s.component].name);
    }
    EXPECT_NE(std::find(components.begin(), components.end(), "nat/nat-a"), components.end());
    EXPECT_NE(std::find(components.begin(), components.end(), "rt/private-rt"), components.end());
    // Nothing on the internet opens a connection to the NAT gateway's address.
    sink.frames.clear();
    engine.receive(kInternetPort,
                   frame_from(kInternetMac, "198.51.100.7", "203.0.113.20", tcp(50000, 8080)), 0);
    EXPECT_TRUE(sink.frames.empty());
    EXPECT_EQ(traces.back().drop, DropReason::NatNoTranslation);
}

}  // namespace
}  // namespace vpcstack::engine::testing
