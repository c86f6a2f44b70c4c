#include "vpcstack/sim/endpoint.hpp"

#include <fmt/format.h>

#include <vector>

namespace vpcstack::sim {
namespace {

using model::Index;
using model::Topology;

Endpoint instance_endpoint(const Topology& t, Index eni, net::Ipv4Address address) {
    Endpoint e;
    e.kind = Endpoint::Kind::Instance;
    e.eni = eni;
    e.instance = t.enis[eni].instance;
    e.address = address;
    std::string name =
        e.instance != model::kNone ? t.instances[e.instance].meta.name : t.enis[eni].meta.name;
    e.label = fmt::format("{} ({})", name, address.to_string());
    return e;
}

Endpoint internet_endpoint(const Topology& t, net::Ipv4Address address) {
    Endpoint e;
    e.kind = Endpoint::Kind::Internet;
    e.address = address;
    for (Index i = 0; i < t.internet_hosts.size(); ++i) {
        if (t.internet_hosts[i].address == address) e.internet_host = i;
    }
    e.label = e.internet_host != model::kNone
                  ? fmt::format("{} ({})", t.internet_hosts[e.internet_host].meta.name,
                                address.to_string())
                  : fmt::format("{} (internet)", address.to_string());
    return e;
}

std::string describe_eni(const Topology& t, Index eni) {
    const model::Eni& e = t.enis[eni];
    return fmt::format("ENI '{}' in VPC '{}'", e.meta.name, t.vpcs[e.vpc].meta.name);
}

ResolveResult one_of(std::vector<std::pair<Endpoint, std::string>> found, std::string_view text) {
    if (found.size() == 1) return {std::move(found.front().first), ""};
    std::string list;
    for (const auto& [endpoint, what] : found) {
        if (!list.empty()) list += " and ";
        list += what;
    }
    return {std::nullopt, fmt::format("'{}' is ambiguous: it names {}; name the instance or ENI "
                                      "instead",
                                      text, list)};
}

ResolveResult resolve_address(const Topology& t, net::Ipv4Address address, std::string_view text) {
    std::vector<std::pair<Endpoint, std::string>> found;
    for (Index i = 0; i < t.enis.size(); ++i) {
        const model::Eni& eni = t.enis[i];
        for (net::Ipv4Address ip : eni.private_ips) {
            if (ip == address) found.emplace_back(instance_endpoint(t, i, ip), describe_eni(t, i));
        }
        if (t.public_address_of_eni(i) == address) {
            Endpoint e = instance_endpoint(t, i, address);
            e.via_public_address = true;
            e.label = fmt::format(
                "{} (public {} -> {})",
                e.instance != model::kNone ? t.instances[e.instance].meta.name : eni.meta.name,
                address.to_string(), eni.primary_ip().to_string());
            found.emplace_back(std::move(e), "the public IP of " + describe_eni(t, i));
        }
    }
    if (!found.empty()) return one_of(std::move(found), text);
    for (Index i = 0; i < t.nat_gateways.size(); ++i) {
        if (t.nat_gateways[i].private_ip == address || t.public_address_of_nat(i) == address) {
            // A NAT gateway starts nothing and answers nothing, but packets may be sent to it.
            Endpoint e;
            e.kind = Endpoint::Kind::Unassigned;
            e.address = address;
            e.label = fmt::format("{} (NAT gateway '{}')", address.to_string(),
                                  t.nat_gateways[i].meta.name);
            return {std::move(e), ""};
        }
    }
    if (auto vpc = t.vpc_containing(address)) {
        Endpoint e;
        e.kind = Endpoint::Kind::Unassigned;
        e.address = address;
        e.label =
            fmt::format("{} (unassigned in VPC '{}')", address.to_string(), t.vpcs[*vpc].meta.name);
        return {std::move(e), ""};
    }
    return {internet_endpoint(t, address), ""};
}

}  // namespace

ResolveResult resolve_endpoint(const Topology& t, std::string_view text) {
    if (text.empty())
        return {std::nullopt, "an empty endpoint; expected an instance, ENI or address"};
    if (auto address = net::Ipv4Address::parse(text)) return resolve_address(t, *address, text);

    std::vector<std::pair<Endpoint, std::string>> found;
    for (Index i = 0; i < t.instances.size(); ++i) {
        const model::Instance& inst = t.instances[i];
        if ((inst.meta.name == text || (!inst.meta.id.empty() && inst.meta.id == text)) &&
            !inst.enis.empty()) {
            Index eni = inst.enis.front();
            found.emplace_back(instance_endpoint(t, eni, t.enis[eni].primary_ip()),
                               fmt::format("instance '{}'", inst.meta.name));
        }
    }
    for (Index i = 0; i < t.enis.size(); ++i) {
        const model::Eni& eni = t.enis[i];
        if (eni.meta.name == text || (!eni.meta.id.empty() && eni.meta.id == text)) {
            // An instance's single ENI may share its name; that is the same endpoint.
            bool same = !found.empty() && found.back().first.eni == i;
            if (!same)
                found.emplace_back(instance_endpoint(t, i, eni.primary_ip()), describe_eni(t, i));
        }
    }
    for (Index i = 0; i < t.internet_hosts.size(); ++i) {
        const model::InternetHost& host = t.internet_hosts[i];
        if (host.meta.name == text || (!host.meta.id.empty() && host.meta.id == text)) {
            found.emplace_back(internet_endpoint(t, host.address),
                               fmt::format("internet host '{}'", host.meta.name));
        }
    }
    // A load balancer by name: its first node, as the first address its DNS name returns
    // (AWS: application-load-balancers, network-load-balancers — one address per enabled zone).
    for (Index i = 0; i < t.load_balancers.size(); ++i) {
        const model::LoadBalancer& lb = t.load_balancers[i];
        if (lb.meta.name != text && (lb.meta.id.empty() || lb.meta.id != text)) continue;
        if (lb.nodes.empty()) continue;
        if (lb.type == model::LoadBalancerType::Network) {
            Endpoint e;
            e.kind = Endpoint::Kind::Unassigned;
            e.address = lb.nodes.front().private_ip;
            e.load_balancer = i;
            e.label = fmt::format("{} ({})", lb.meta.name, e.address.to_string());
            found.emplace_back(std::move(e), fmt::format("load balancer '{}'", lb.meta.name));
            continue;
        }
        if (lb.nodes.front().eni == model::kNone) continue;
        const Index eni = lb.nodes.front().eni;
        found.emplace_back(instance_endpoint(t, eni, t.enis[eni].primary_ip()),
                           fmt::format("load balancer '{}'", lb.meta.name));
    }
    if (found.empty()) {
        return {
            std::nullopt,
            fmt::format(
                "unknown endpoint '{}': not an instance, ENI, load balancer, internet host or IPv4 "
                "address of this topology",
                text)};
    }
    return one_of(std::move(found), text);
}

std::string host_name_of(const Topology& t, const Endpoint& e) {
    switch (e.kind) {
        case Endpoint::Kind::Instance:
            return e.instance != model::kNone ? t.instances[e.instance].meta.name
                                              : t.enis[e.eni].meta.name;
        case Endpoint::Kind::Internet:
            return e.internet_host != model::kNone ? t.internet_hosts[e.internet_host].meta.name
                                                   : e.address.to_string();
        case Endpoint::Kind::Unassigned:
            return e.load_balancer != model::kNone ? t.load_balancers[e.load_balancer].meta.name
                                                   : e.address.to_string();
    }
    return "?";
}

}  // namespace vpcstack::sim
