// Names for an imported topology: names made from cloud tags, and unique names within a scope.
// (The YAML itself is written by model/yaml_writer.hpp.)
#pragma once

#include <map>
#include <set>
#include <string>
#include <string_view>

namespace vpcstack::importers {

// A name usable in a topology from a cloud tag: letters, digits, '.', '_' and '-' kept, any run
// of other characters (spaces, '/', ':') becomes one '-', and leading/trailing '-' dropped.
// Empty when nothing usable remains.
std::string sanitize_name(std::string_view text);

// Names unique within one scope (a VPC's subnets, the file's instances, ...). The first taker
// of a name keeps it; later ones get NAME-2, NAME-3, ...
class NameScope {
  public:
    // Marks a name as taken without handing it out (e.g. "main" made by the loader).
    void reserve(const std::string& name) { taken_.insert(name); }
    std::string unique(const std::string& wanted);
    bool taken(const std::string& name) const { return taken_.count(name) != 0; }

  private:
    std::set<std::string> taken_;
    std::map<std::string, int> next_;  // next number to try per wanted name
};

}  // namespace vpcstack::importers
