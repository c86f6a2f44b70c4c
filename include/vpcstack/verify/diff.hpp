// `vpcctl diff OLD NEW`: what a change of topology does to reachability. Places are matched by
// name; for every pair present in both, the services that connect in NEW and not in OLD
// (opened) and those that connected in OLD and no longer do (closed), each shown by a packet
// from the topology where it connects and the components that block it in the other one.
#pragma once

#include <string>
#include <vector>

#include "vpcstack/verify/reach.hpp"

namespace vpcstack::verify {

// Services of a pair whose fate changed, all blocked by the same components on the side where
// they do not connect.
struct FlowChange {
    ServiceSet services;
    // A packet that connects: NEW's open witness for an opened flow, OLD's for a closed one
    // (replay it against NEW to see it blocked there).
    Witness witness;
    // What blocks these services in the topology where they do not connect: OLD for an opened
    // flow, NEW for a closed one.
    std::vector<Blocker> blockers;
};

struct PairDiff {
    std::string from;  // place names, the same in both
    std::string to;
    std::vector<FlowChange> opened;
    std::vector<FlowChange> closed;
};

struct PlaceChange {
    std::string name;
    std::string address;  // in the topology that has it
};

struct ReachDiff {
    std::string old_topology;
    std::string new_topology;
    std::vector<PlaceChange> added;    // in NEW only
    std::vector<PlaceChange> removed;  // in OLD only
    std::vector<PairDiff> pairs;       // changed pairs only, in NEW's source-major order
    std::size_t compared = 0;          // pairs present in both
    bool changed() const { return !added.empty() || !removed.empty() || !pairs.empty(); }
};

ReachDiff diff_reach(const Reach& old_reach, const Reach& new_reach);

}  // namespace vpcstack::verify
