// The checksum arithmetic lives in net/checksum.hpp, the frame rewrites in engine/rewrite.hpp.
#pragma once

#include "vpcstack/engine/rewrite.hpp"  // transitional: engine.cpp still includes this
