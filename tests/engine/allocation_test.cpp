// The forwarding path allocates nothing when tracing is off: every operator new in this binary
// is counted, and established flows are forwarded while the count must stay still.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdlib>
#include <new>

#include "fixture.hpp"

namespace {
std::atomic<std::size_t> g_allocations{0};
}  // namespace

// AddressSanitizer brings its own operator new: count only without it.
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kCountingAllocations = false;
#else
constexpr bool kCountingAllocations = true;
// The replacements below pair malloc with free; GCC cannot see that through inlining.
#pragma GCC diagnostic ignored "-Wmismatched-new-delete"
void* operator new(std::size_t size) {
    g_allocations.fetch_add(1, std::memory_order_relaxed);
    if (void* p = std::malloc(size == 0 ? 1 : size)) return p;
    throw std::bad_alloc();
}
void* operator new[](std::size_t size) {
    return operator new(size);
}
void operator delete(void* p) noexcept {
    std::free(p);
}
void operator delete(void* p, std::size_t) noexcept {
    std::free(p);
}
void operator delete[](void* p) noexcept {
    std::free(p);
}
void operator delete[](void* p, std::size_t) noexcept {
    std::free(p);
}
#endif

namespace vpcstack::engine::testing {
namespace {

using K = model::RouteTargetKind;
using B = TopologyBuilder;

TEST(Allocation, ForwardingEstablishedFlowsAllocatesNothing) {
    if (!kCountingAllocations) GTEST_SKIP() << "allocations are not counted under ASan";
    TopologyBuilder b;
    Index vpc = b.vpc("prod", "10.0.0.0/16");
    Index igw = b.internet_gateway(vpc);
    Index pub = b.subnet(vpc, "public", "10.0.1.0/24");
    Index priv = b.subnet(vpc, "private", "10.0.2.0/24");
    Index public_rt = b.route_table(vpc, "public-rt");
    b.route(public_rt, "0.0.0.0/0", K::InternetGateway, igw);
    b.associate_route_table(pub, public_rt);
    Index nat = b.nat_gateway("nat", pub, "10.0.1.20", "198.51.100.20");
    Index private_rt = b.route_table(vpc, "private-rt");
    b.route(private_rt, "0.0.0.0/0", K::NatGateway, nat);
    b.associate_route_table(priv, private_rt);
    Index sg = b.t.vpcs[vpc].default_security_group;
    b.t.security_groups[sg].ingress.push_back(B::sg_cidr(net::Protocol::all(), {}, "10.0.0.0/16"));
    Index web = b.instance("web", pub, "10.0.1.10", {}, "203.0.113.10");
    Index app = b.instance("app", priv, "10.0.2.10");

    struct CountingSink : FrameSink {
        void transmit(PortId, std::span<const std::uint8_t>) override { ++frames; }
        std::size_t frames = 0;
    } sink;
    Engine engine(b.t, sink);
    auto between = frame_from(b.t.enis[app].mac, "10.0.2.10", "10.0.1.10", tcp(40000, 80));
    auto to_internet = frame_from(b.t.enis[web].mac, "10.0.1.10", "192.0.2.9", tcp(40001, 443));
    auto via_nat = frame_from(b.t.enis[app].mac, "10.0.2.10", "192.0.2.9", tcp(40002, 443));
    // The first packet of each flow creates its tracking and translation entries.
    engine.receive(app, between, 0);
    engine.receive(web, to_internet, 0);
    engine.receive(app, via_nat, 0);
    ASSERT_EQ(sink.frames, 3u);

    std::size_t before = g_allocations.load();
    for (TimeNs t = 1; t <= 1000; ++t) {
        engine.receive(app, between, t);
        engine.receive(web, to_internet, t);
        engine.receive(app, via_nat, t);
    }
    EXPECT_EQ(g_allocations.load() - before, 0u);
    EXPECT_EQ(sink.frames, 3003u);
}

}  // namespace
}  // namespace vpcstack::engine::testing
