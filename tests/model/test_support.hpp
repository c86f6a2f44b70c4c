// Helpers shared by the model tests.
#pragma once

#include <string>
#include <vector>

#include "vpcstack/model/loader.hpp"

namespace vpcstack::model::testing {

// Every diagnostic of loading `yaml` as "t.yaml", in file order.
inline std::vector<std::string> diagnostics_of(const std::string& yaml) {
    LoadResult r = load_topology_text(yaml, "t.yaml");
    std::vector<std::string> out;
    for (const Diagnostic& d : r.diagnostics.sorted()) out.push_back(d.to_string());
    return out;
}

inline std::string joined(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& l : lines) out += l + "\n";
    return out;
}

}  // namespace vpcstack::model::testing
