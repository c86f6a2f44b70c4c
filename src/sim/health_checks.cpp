#include "vpcstack/sim/health_checks.hpp"

#include <fmt/format.h>

#include <vector>

#include "vpcstack/dns/zones.hpp"
#include "vpcstack/model/dns_views.hpp"
#include "vpcstack/sim/simulation.hpp"

namespace vpcstack::sim {

std::map<std::string, HealthCheckStatus> probe_health_checks(const model::Topology& t) {
    std::map<std::string, HealthCheckStatus> out;
    if (t.health_checks.empty()) return out;
    SimulationOptions options;
    options.trace = false;
    options.probe_health_checks = false;   // this is the probe
    options.probe_load_balancers = false;  // no record of the checks needs them
    Simulation sim(t, options);
    model::DnsViews views(t);
    struct Probe {
        model::Index check;
        net::Ipv4Address address;
        std::optional<FlowId> flow;
    };
    std::vector<Probe> probes;
    for (model::Index c = 0; c < t.health_checks.size(); ++c) {
        const model::Route53HealthCheck& hc = t.health_checks[c];
        if (hc.type == model::HealthCheckType::Calculated) continue;
        Probe p{c, {}, std::nullopt};
        std::string why;
        std::optional<net::Ipv4Address> address = health_check_address(hc, views, why);
        if (!address) {
            out[hc.meta.name] = {hc.inverted, why};
            continue;
        }
        p.address = *address;
        sim.internet().resolve(p.address);
        p.flow =
            sim.internet().connect_tcp(p.address, hc.port, std::nullopt, kRoute53CheckerAddress);
        probes.push_back(p);
    }
    sim.run_until_idle();
    for (const Probe& p : probes) {
        const model::Route53HealthCheck& hc = t.health_checks[p.check];
        const Outcome outcome = sim.flow(*p.flow).outcome;
        const bool connected = outcome == Outcome::Connected;
        out[hc.meta.name] = {connected != hc.inverted,
                             fmt::format("tcp/{} to {} from the checkers ({}): {}{}", hc.port,
                                         p.address.to_string(), kRoute53CheckerAddress.to_string(),
                                         to_string(outcome), hc.inverted ? ", inverted" : "")};
    }
    settle_calculated_health_checks(t, out);
    return out;
}

std::optional<net::Ipv4Address> health_check_address(const model::Route53HealthCheck& hc,
                                                     const model::DnsViews& views,
                                                     std::string& why) {
    if (hc.ip) return *hc.ip;
    dns::Random random(0x5eed);
    dns::Resolution r =
        dns::resolve(views.internet(), {hc.domain, dns::RrType::A}, {}, {}, views.alias(), random);
    for (const dns::Record& record : r.answer.answers) {
        if (record.type != dns::RrType::A) continue;
        if (auto a = net::Ipv4Address::parse(record.data)) return *a;
    }
    why = fmt::format("{} does not resolve from the internet", hc.domain);
    return std::nullopt;
}

void settle_calculated_health_checks(const model::Topology& t,
                                     std::map<std::string, HealthCheckStatus>& out) {
    for (bool changed = true; changed;) {
        changed = false;
        for (const model::Route53HealthCheck& hc : t.health_checks) {
            if (hc.type != model::HealthCheckType::Calculated || out.count(hc.meta.name)) continue;
            std::size_t healthy = 0;
            bool ready = true;
            for (model::Index child : hc.children) {
                auto it = out.find(t.health_checks[child].meta.name);
                if (it == out.end()) {
                    ready = false;
                    break;
                }
                healthy += it->second.healthy ? 1 : 0;
            }
            if (!ready) continue;
            const bool ok = healthy >= hc.healthy_threshold;
            out[hc.meta.name] = {
                ok != hc.inverted,
                fmt::format("{} of {} children healthy, {} needed{}", healthy, hc.children.size(),
                            hc.healthy_threshold, hc.inverted ? ", inverted" : "")};
            changed = true;
        }
    }
}

}  // namespace vpcstack::sim
