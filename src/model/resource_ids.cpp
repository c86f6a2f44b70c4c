#include "vpcstack/model/resource_ids.hpp"

#include <fmt/format.h>

namespace vpcstack::model {

namespace {

std::uint64_t fnv1a(std::string_view text) noexcept {
    std::uint64_t h = 0xcbf29ce484222325ULL;
    for (char c : text) {
        h ^= static_cast<std::uint8_t>(c);
        h *= 0x100000001b3ULL;
    }
    return h;
}

std::string id_or(const Meta& meta, std::string_view prefix, std::string_view seed) {
    return meta.id.empty() ? derived_id(prefix, seed) : meta.id;
}

}  // namespace

std::string derived_id(std::string_view prefix, std::string_view seed) {
    // 17 hex digits: 64 bits of one hash and 4 of another.
    const std::uint64_t a = fnv1a(seed);
    const std::uint64_t b = fnv1a(std::string(seed) + "#");
    return fmt::format("{}{:016x}{:x}", prefix, a, b & 0xF);
}

std::string vpc_id(const Topology& t, Index vpc) {
    const Vpc& v = t.vpcs.at(vpc);
    return id_or(v.meta, "vpc-", v.meta.name);
}

std::string subnet_id(const Topology& t, Index subnet) {
    const Subnet& s = t.subnets.at(subnet);
    return id_or(s.meta, "subnet-", t.qualified_name(s.meta, s.vpc));
}

std::string eni_id(const Topology& t, Index eni) {
    const Eni& e = t.enis.at(eni);
    return id_or(e.meta, "eni-", "eni/" + e.meta.name);
}

std::string instance_id(const Topology& t, Index instance) {
    const Instance& i = t.instances.at(instance);
    return id_or(i.meta, "i-", i.meta.name);
}

std::string security_group_id(const Topology& t, Index group) {
    const SecurityGroup& g = t.security_groups.at(group);
    return id_or(g.meta, "sg-", t.qualified_name(g.meta, g.vpc));
}

}  // namespace vpcstack::model
