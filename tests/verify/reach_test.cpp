// compute_reach and query on the example topologies: the services each pair can open, the
// components that block the rest, and witnesses that replay as claimed.
#include "vpcstack/verify/reach.hpp"

#include <gtest/gtest.h>

#include "vpcstack/model/loader.hpp"
#include "vpcstack/sim/trace_report.hpp"

namespace vpcstack::verify {
namespace {

model::Topology load(const std::string& name) {
    model::LoadResult r =
        model::load_topology_file(std::string(VPCSTACK_SOURCE_DIR) + "/topologies/" + name);
    EXPECT_TRUE(r.ok()) << name;
    return *r.topology;
}

std::size_t place(const Reach& reach, const std::string& name) {
    for (std::size_t i = 0; i < reach.places.size(); ++i) {
        if (reach.places[i].name == name) return i;
    }
    ADD_FAILURE() << "no place " << name;
    return 0;
}

const PairReach& pair(const Reach& reach, const std::string& from, const std::string& to) {
    const PairReach* p = reach.pair(place(reach, from), place(reach, to));
    EXPECT_NE(p, nullptr) << from << " -> " << to;
    return *p;
}

TEST(Reach, PrintThreeTier) {
    model::Topology t = load("three-tier.yaml");
    ReachResult r = compute_reach(t);
    ASSERT_TRUE(r.reach) << r.error;
    for (const PairReach& p : r.reach->pairs) {
        std::printf("%s -> %s: %s\n", r.reach->places[p.from].name.c_str(),
                    r.reach->places[p.to].name.c_str(), p.open.to_string().c_str());
        for (const Closed& c : p.closed) {
            std::printf("   closed %s\n", c.services.to_string().c_str());
            for (const Blocker& b : c.blockers) std::printf("      %s\n", b.to_string().c_str());
        }
    }
    std::printf("classes %zu pairs %zu probes %zu %.3fs\n", r.reach->stats.classes,
                r.reach->stats.class_pairs, r.reach->stats.probes, r.reach->stats.seconds);
}

}  // namespace
}  // namespace vpcstack::verify
