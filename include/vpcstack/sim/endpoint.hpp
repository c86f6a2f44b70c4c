// Naming the two ends of a flow the way a user would: an instance name, an ENI name or id, an
// instance id, a private or public IP, an internet host's name, or any other address (which is
// then a host on the internet). Resolution fails with a message that says why: unknown names,
// and names or addresses that fit more than one thing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <variant>

#include "vpcstack/model/topology.hpp"
#include "vpcstack/net/ipv4.hpp"

namespace vpcstack::sim {

struct Endpoint {
    enum class Kind : std::uint8_t {
        Instance,    // an ENI of an instance: traffic leaves from / arrives at that ENI
        Internet,    // an address outside every VPC (a named internet host or any other)
        Unassigned,  // an address inside a VPC that no ENI holds (a destination only)
    };
    Kind kind = Kind::Internet;
    model::Index instance = model::kNone;
    model::Index eni = model::kNone;
    model::Index internet_host = model::kNone;  // a named internet host
    // The address packets carry: the private IP for an instance named by name, ENI or private
    // IP; the public IP when the user named the public address (the destination then sits
    // behind the internet gateway's 1:1 mapping).
    net::Ipv4Address address;
    bool via_public_address = false;
    std::string label;  // how reports name it: "web (10.0.1.10)", "8.8.8.8 (internet)"
    // A Network Load Balancer named by its name (Kind::Unassigned: no interface holds its
    // nodes' addresses): its first node's private address, which the internet reaches at the
    // node's public one; the target it picks answers.
    model::Index load_balancer = model::kNone;
};

struct ResolveResult {
    std::optional<Endpoint> endpoint;
    std::string error;  // set when endpoint is empty
};

ResolveResult resolve_endpoint(const model::Topology& topology, std::string_view text);

// The display name of an instance's host: its name; of the internet: the named host or the
// address; of a Network Load Balancer named by name: that name.
std::string host_name_of(const model::Topology& topology, const Endpoint& endpoint);

}  // namespace vpcstack::sim
