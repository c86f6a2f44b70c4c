#include "vpcstack/model/lint.hpp"

namespace vpcstack::model {

void lint_topology(const Topology&, Diagnostics&) {}

}  // namespace vpcstack::model
