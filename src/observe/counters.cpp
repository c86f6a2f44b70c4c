// The counters' cloud names are written once, here; the values are the engine's
// (engine::Counters), counted where the event happens.
#include "vpcstack/observe/counters.hpp"

#include <fmt/format.h>

#include <utility>
#include <vector>

namespace vpcstack::observe {

namespace {

using Field = std::pair<const char*, std::uint64_t>;

std::vector<Field> eni_fields(const engine::Counters::Eni& e) {
    return {{"conntrack_allowance_exceeded", e.conntrack_allowance_exceeded},
            {"conntrack_allowance_available", e.conntrack_allowance_available},
            {"linklocal_allowance_exceeded", e.linklocal_allowance_exceeded}};
}

std::vector<Field> nat_fields(const engine::Counters::NatGateway& n) {
    return {{"ActiveConnectionCount", n.ActiveConnectionCount},
            {"ConnectionAttemptCount", n.ConnectionAttemptCount},
            {"ConnectionEstablishedCount", n.ConnectionEstablishedCount},
            {"ErrorPortAllocation", n.ErrorPortAllocation},
            {"PacketsDropCount", n.PacketsDropCount},
            {"PacketsInFromSource", n.PacketsInFromSource},
            {"BytesInFromSource", n.BytesInFromSource},
            {"PacketsOutToDestination", n.PacketsOutToDestination},
            {"BytesOutToDestination", n.BytesOutToDestination},
            {"PacketsInFromDestination", n.PacketsInFromDestination},
            {"BytesInFromDestination", n.BytesInFromDestination},
            {"PacketsOutToSource", n.PacketsOutToSource},
            {"BytesOutToSource", n.BytesOutToSource}};
}

std::vector<Field> lb_fields(const engine::Counters::LoadBalancer& b) {
    return {{"ActiveFlowCount", b.ActiveFlowCount},
            {"ActiveFlowCount_TCP", b.ActiveFlowCount_TCP},
            {"ActiveFlowCount_UDP", b.ActiveFlowCount_UDP},
            {"NewFlowCount", b.NewFlowCount},
            {"NewFlowCount_TCP", b.NewFlowCount_TCP},
            {"NewFlowCount_UDP", b.NewFlowCount_UDP},
            {"ProcessedBytes", b.ProcessedBytes},
            {"ProcessedPackets", b.ProcessedPackets},
            {"TCP_ELB_Reset_Count", b.TCP_ELB_Reset_Count}};
}

}  // namespace

nlohmann::json counters_json(const engine::ComponentRegistry& components,
                             const engine::Counters& counters) {
    nlohmann::json enis = nlohmann::json::array();
    for (std::size_t i = 0; i < counters.enis.size(); ++i) {
        nlohmann::json e{{"eni", components[components.eni(static_cast<model::Index>(i))].name}};
        for (const auto& [name, value] : eni_fields(counters.enis[i])) e[name] = value;
        enis.push_back(std::move(e));
    }
    nlohmann::json nats = nlohmann::json::array();
    for (std::size_t i = 0; i < counters.nat_gateways.size(); ++i) {
        nlohmann::json n{
            {"nat_gateway", components[components.nat_gateway(static_cast<model::Index>(i))].name}};
        for (const auto& [name, value] : nat_fields(counters.nat_gateways[i])) n[name] = value;
        nats.push_back(std::move(n));
    }
    nlohmann::json lbs = nlohmann::json::array();
    for (std::size_t i = 0; i < counters.load_balancers.size(); ++i) {
        if (!counters.load_balancers[i].network) continue;
        nlohmann::json b{{"load_balancer",
                          components[components.load_balancer(static_cast<model::Index>(i))].name}};
        for (const auto& [name, value] : lb_fields(counters.load_balancers[i])) b[name] = value;
        lbs.push_back(std::move(b));
    }
    return {{"enis", std::move(enis)},
            {"nat_gateways", std::move(nats)},
            {"load_balancers", std::move(lbs)}};
}

std::string counters_text(const engine::ComponentRegistry& components,
                          const engine::Counters& counters) {
    std::string out = "counters\n";
    auto line = [&](const std::string& name, const std::vector<Field>& fields) {
        out += fmt::format("  {:<20}", name);
        for (const auto& [field, value] : fields) out += fmt::format(" {}={}", field, value);
        out += '\n';
    };
    for (std::size_t i = 0; i < counters.enis.size(); ++i) {
        line(components[components.eni(static_cast<model::Index>(i))].name,
             eni_fields(counters.enis[i]));
    }
    for (std::size_t i = 0; i < counters.nat_gateways.size(); ++i) {
        line(components[components.nat_gateway(static_cast<model::Index>(i))].name,
             nat_fields(counters.nat_gateways[i]));
    }
    for (std::size_t i = 0; i < counters.load_balancers.size(); ++i) {
        if (!counters.load_balancers[i].network) continue;
        line(components[components.load_balancer(static_cast<model::Index>(i))].name,
             lb_fields(counters.load_balancers[i]));
    }
    return out;
}

}  // namespace vpcstack::observe
