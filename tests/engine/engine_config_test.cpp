// EngineConfig: every tunable is checked against its range when the engine is built.
#include <gtest/gtest.h>

#include <stdexcept>

#include "fixture.hpp"
#include "vpcstack/engine/engine.hpp"
#include "vpcstack/model/loader.hpp"

namespace vpcstack::engine::testing {
namespace {

model::Topology two_tier() {
    auto r = model::load_topology_file(std::string(VPCSTACK_SOURCE_DIR) +
                                       "/topologies/two-tier-nat.yaml");
    if (!r.ok()) throw std::runtime_error("two-tier-nat.yaml does not load");
    return *r.topology;
}

TEST(EngineConfig, TheDefaultsAreInRange) {
    model::Topology t = two_tier();
    RecordingSink sink;
    EXPECT_NO_THROW(Engine(t, sink, EngineConfig{}));
}

TEST(EngineConfig, AValueOutsideItsRangeIsRefusedWhenTheEngineIsBuilt) {
    model::Topology t = two_tier();
    RecordingSink sink;
    auto refused = [&](EngineConfig c) {
        try {
            Engine e(t, sink, c);
        } catch (const std::invalid_argument&) {
            return true;
        }
        return false;
    };
    EngineConfig c;
    c.internet_mtu = 575;
    EXPECT_TRUE(refused(c)) << "the internet MTU is 576 to 9001";
    c = {};
    c.internet_mtu = 9002;
    EXPECT_TRUE(refused(c));
    c = {};
    c.conntrack_capacity_per_eni = 0;
    EXPECT_TRUE(refused(c)) << "an ENI tracks at least one connection";
    c = {};
    c.nat_max_per_destination = 64'513;
    EXPECT_TRUE(refused(c)) << "a NAT address has 64,512 ports";
    c = {};
    c.nat_idle_timeout = 0;
    EXPECT_TRUE(refused(c));
    c = {};
    c.conntrack_timeouts.udp = 0;
    EXPECT_TRUE(refused(c));
}

}  // namespace
}  // namespace vpcstack::engine::testing
