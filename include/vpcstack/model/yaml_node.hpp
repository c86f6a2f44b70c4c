// What a YAML node is, in the words of error messages, for every reader of YAML files (the
// topology loader, policy files).
#pragma once

#include <yaml-cpp/yaml.h>

namespace vpcstack::model {

// "a map", "a list", "a string" or "empty".
const char* yaml_kind(const YAML::Node& node);

}  // namespace vpcstack::model
