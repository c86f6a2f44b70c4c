// The cloud's ids of a topology's resources, one definition for every part that shows them
// (flow logs, the instance metadata service): the id written in the file (or imported), else
// one derived from the resource's name, stable from run to run, with the 17 hex digits of the
// cloud's long ids (vpc-0a1b2c3d4e5f60718).
#pragma once

#include <string>
#include <string_view>

#include "vpcstack/model/topology.hpp"

namespace vpcstack::model {

// PREFIX followed by 17 hex digits of hashes of `seed`.
std::string derived_id(std::string_view prefix, std::string_view seed);

std::string vpc_id(const Topology& t, Index vpc);
std::string subnet_id(const Topology& t, Index subnet);
std::string eni_id(const Topology& t, Index eni);
std::string instance_id(const Topology& t, Index instance);
std::string security_group_id(const Topology& t, Index group);

}  // namespace vpcstack::model
