#include "vpcstack/live/lab_scaling.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <map>
#include <set>

namespace vpcstack::live {

namespace {

std::string describe(const InterfacePlan& itf) {
    std::string out = itf.name + " " + itf.mac.to_string();
    for (const auto& a : itf.addresses)
        out += fmt::format(" {}/{}", a.address.to_string(), a.prefix_length);
    return out;
}

// What the kernel holds of an interface: its name, MAC and addresses (its port number is the
// engine's business and may change).
bool same_device(const InterfacePlan& a, const InterfacePlan& b) {
    if (a.name != b.name || a.mac != b.mac || a.addresses.size() != b.addresses.size()) {
        return false;
    }
    for (std::size_t i = 0; i < a.addresses.size(); ++i) {
        if (a.addresses[i].address != b.addresses[i].address ||
            a.addresses[i].prefix_length != b.addresses[i].prefix_length) {
            return false;
        }
    }
    return true;
}

}  // namespace

LabChange diff_lab_plans(const LabPlan& before, const model::Topology& topology_before,
                         LabPlan& after, const model::Topology& topology_after) {
    LabChange change;
    std::map<std::string, const NamespacePlan*> old_by_name;
    for (const NamespacePlan& ns : before.namespaces) old_by_name[ns.name] = &ns;

    std::set<std::string> host_ends;
    int next_ifindex = 0;
    for (const NamespacePlan& ns : before.namespaces) {
        for (const InterfacePlan& itf : ns.interfaces) {
            host_ends.insert(itf.host_end);
            next_ifindex = std::max(next_ifindex, itf.host_ifindex + 1);
        }
    }
    std::set<std::string> staying;
    for (std::size_t k = 0; k < after.namespaces.size(); ++k) {
        NamespacePlan& ns = after.namespaces[k];
        auto found = old_by_name.find(ns.name);
        if (found == old_by_name.end()) {
            change.added.push_back(k);
            for (InterfacePlan& itf : ns.interfaces) {
                // Host ends are named after ports, which moved: a name no running device has.
                std::string name = itf.host_end;
                for (int n = 2; host_ends.contains(name); ++n) {
                    name = fmt::format("{}x{}", itf.host_end, n);
                }
                itf.host_end = name;
                host_ends.insert(name);
                itf.host_ifindex = next_ifindex++;
            }
            continue;
        }
        const NamespacePlan& old = *found->second;
        staying.insert(ns.name);
        if (old.interfaces.size() != ns.interfaces.size()) {
            change.problem = fmt::format("{} would have {} interfaces instead of {}", ns.display,
                                         ns.interfaces.size(), old.interfaces.size());
            return change;
        }
        for (std::size_t i = 0; i < ns.interfaces.size(); ++i) {
            if (!same_device(old.interfaces[i], ns.interfaces[i])) {
                change.problem =
                    fmt::format("{} would change its interface {} to {}", ns.display,
                                describe(old.interfaces[i]), describe(ns.interfaces[i]));
                return change;
            }
            ns.interfaces[i].host_end = old.interfaces[i].host_end;
            ns.interfaces[i].host_ifindex = old.interfaces[i].host_ifindex;
        }
    }
    for (const NamespacePlan& ns : before.namespaces) {
        if (!staying.contains(ns.name)) change.removed.push_back(ns.name);
    }
    std::map<std::string, model::Index> new_eni;
    for (model::Index e = 0; e < topology_after.enis.size(); ++e) {
        new_eni[topology_after.enis[e].meta.name] = e;
    }
    change.eni_map.assign(topology_before.enis.size(), model::kNone);
    for (model::Index e = 0; e < topology_before.enis.size(); ++e) {
        auto it = new_eni.find(topology_before.enis[e].meta.name);
        if (it != new_eni.end()) change.eni_map[e] = it->second;
    }
    return change;
}

}  // namespace vpcstack::live
