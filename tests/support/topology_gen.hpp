// Topology generators for tests and benchmarks. Each writes YAML text in the topology format
// (docs/topology.md) and is loaded by the project's own loader, so every generated topology is
// checked by the same validation a user's file goes through; a topology the loader rejects is a
// bug of the generator.
//
// scale_topology: the shape of a cloud account, scaled by its number of instances (for 1,000:
//   5 peered VPCs, 50 subnets, 200 security groups, 20 network ACLs of 20 rules, NAT and
//   internet gateways, public addresses on part of the public fleet).
// random_topology: small random topologies for differential testing, every value drawn from one
//   seeded std::mt19937_64, so a seed reproduces its case on any platform.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "vpcstack/model/loader.hpp"
#include "vpcstack/model/topology.hpp"

namespace vpcstack::test_support {

// The counts a scale topology is built to, for a number of instances. The security group,
// network ACL and route table counts are the ones written in the file; loading adds each VPC's
// default group, default ACL and main route table.
struct ScaleShape {
    std::size_t instances = 0;
    std::size_t vpcs = 0;
    std::size_t subnets = 0;
    std::size_t public_subnets = 0;
    std::size_t security_groups = 0;
    std::size_t network_acls = 0;
    std::size_t rules_per_acl = 20;  // inbound and outbound together, half each
    std::size_t nat_gateways = 0;
    std::size_t internet_gateways = 0;
    std::size_t peerings = 0;
    std::size_t prefix_lists = 0;
};

// 1,000 instances give the benchmark shape; every count scales in proportion to `instances`
// (at least one VPC, one subnet per VPC, one group per VPC, one ACL). At most 40,000 instances.
ScaleShape scale_shape(std::size_t instances);

struct GeneratedTopology {
    std::string name;  // the file name diagnostics use: "scale-1000-seed-1.yaml"
    std::string yaml;
    // Scale topologies only: the name of an instance of a database role, and the address of an
    // internet host, for single queries.
    std::string db_instance;
    std::string internet_client;
};

GeneratedTopology scale_topology(std::size_t instances, std::uint64_t seed);
GeneratedTopology random_topology(std::uint64_t seed);

// Loads a generated topology with the project's loader.
model::LoadResult load(const GeneratedTopology& generated);
// Every diagnostic of a load, one a line (errors and warnings).
std::string diagnostics_text(const model::LoadResult& result);
// Loads a generated topology; a rejected one is a generator bug: throws std::runtime_error with
// the diagnostics and the YAML.
model::Topology load_or_throw(const GeneratedTopology& generated);

}  // namespace vpcstack::test_support
