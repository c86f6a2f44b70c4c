// Reachability before and after a change: places matched by name, pairs compared service by
// service.
#include "vpcstack/verify/diff.hpp"

#include <map>

#include "vpcstack/verify/policy.hpp"

namespace vpcstack::verify {
namespace {

std::map<std::string, std::size_t> by_name(const Reach& reach) {
    std::map<std::string, std::size_t> out;
    for (std::size_t i = 0; i < reach.places.size(); ++i) out.emplace(reach.places[i].name, i);
    return out;
}

// The services of `changed` split by the Closed groups of the side where they do not connect;
// each part shown by a packet from the side where it does.
std::vector<FlowChange> changes(const ServiceSet& changed, const PairResult& connects,
                                const PairResult& blocked) {
    std::vector<FlowChange> out;
    ServiceSet left = changed;
    for (const Closed& c : blocked.closed) {
        ServiceSet part = c.services.intersect(left);
        if (part.empty()) continue;
        out.push_back({part, connecting_witness(connects, part), c.blockers});
        left = left.minus(part);
    }
    // A well-formed Reach groups every closed service; keep anything else visible all the same.
    if (!left.empty()) out.push_back({left, connecting_witness(connects, left), {}});
    return out;
}

}  // namespace

ReachDiff diff_reach(const Reach& old_reach, const Reach& new_reach) {
    ReachDiff diff;
    diff.old_topology = old_reach.topology;
    diff.new_topology = new_reach.topology;
    std::map<std::string, std::size_t> old_places = by_name(old_reach);
    std::map<std::string, std::size_t> new_places = by_name(new_reach);
    for (const Place& p : new_reach.places) {
        if (!old_places.count(p.name)) diff.added.push_back({p.name, p.address});
    }
    for (const Place& p : old_reach.places) {
        if (!new_places.count(p.name)) diff.removed.push_back({p.name, p.address});
    }
    for (const PairResult& now : new_reach.views()) {
        const std::string& from = new_reach.places[now.from].name;
        const std::string& to = new_reach.places[now.to].name;
        auto f = old_places.find(from);
        auto t = old_places.find(to);
        if (f == old_places.end() || t == old_places.end()) continue;
        const std::optional<PairResult> before = old_reach.view(f->second, t->second);
        if (!before) continue;
        ++diff.compared;
        PairDiff d{from, to, {}, {}};
        ServiceSet opened = now.open.minus(before->open);
        ServiceSet closed = before->open.minus(now.open);
        if (!opened.empty()) d.opened = changes(opened, now, *before);
        if (!closed.empty()) d.closed = changes(closed, *before, now);
        if (!d.opened.empty() || !d.closed.empty()) diff.pairs.push_back(std::move(d));
    }
    return diff;
}

}  // namespace vpcstack::verify
