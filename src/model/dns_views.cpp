#include "vpcstack/model/dns_views.hpp"

#include <algorithm>

namespace vpcstack::model {

namespace {

// "ip-10-0-1-10" / "ec2-203-0-113-5": the address in a DNS hostname.
std::string dashed(std::string_view prefix, net::Ipv4Address a) {
    std::string text = a.to_string();
    std::replace(text.begin(), text.end(), '.', '-');
    return std::string(prefix) + "-" + text;
}

dns::RecordSet a_record(std::string name, net::Ipv4Address address) {
    dns::RecordSet rs;
    rs.name = std::move(name);
    rs.type = dns::RrType::A;
    rs.ttl = 60;
    rs.values = {address.to_string()};
    return rs;
}

}  // namespace

std::string dns_region(const Topology& t, Index vpc) {
    const Vpc& v = t.vpcs.at(vpc);
    if (!v.region.empty()) return v.region;
    return t.region.empty() ? std::string("us-east-1") : t.region;
}

std::string instance_search_domain(const Topology& t, Index vpc) {
    const std::string region = dns_region(t, vpc);
    return region == "us-east-1" ? "ec2.internal" : region + ".compute.internal";
}

namespace {
std::string public_hostname_domain(const std::string& region) {
    return region == "us-east-1" ? "compute-1.amazonaws.com" : region + ".compute.amazonaws.com";
}
}  // namespace

std::string private_dns_name(const Topology& t, Index vpc, net::Ipv4Address ip) {
    return dashed("ip", ip) + "." + instance_search_domain(t, vpc);
}

std::string public_dns_name(const Topology& t, Index vpc, net::Ipv4Address public_ip) {
    return dashed("ec2", public_ip) + "." + public_hostname_domain(dns_region(t, vpc));
}

std::vector<Index> target_groups_of(const Topology& t, Index load_balancer) {
    std::vector<Index> out;
    auto add = [&](const ListenerAction& action) {
        for (const WeightedTargetGroup& w : action.target_groups) {
            if (w.target_group == kNone) continue;
            if (std::find(out.begin(), out.end(), w.target_group) == out.end()) {
                out.push_back(w.target_group);
            }
        }
    };
    for (const Listener& l : t.load_balancers.at(load_balancer).listeners) {
        add(l.default_action);
        for (const ListenerRule& r : l.rules) add(r.action);
    }
    return out;
}

// AWS: resource-record-sets-values-alias (Evaluate target health) — "For an Application or
// Network Load Balancer to be considered healthy, every target group that contains targets must
// contain at least one healthy target"; "A target group that has no registered targets is
// considered healthy".
bool load_balancer_healthy(const Topology& t, Index load_balancer,
                           const TargetHealthFn& target_healthy) {
    for (Index g : target_groups_of(t, load_balancer)) {
        const TargetGroup& group = t.target_groups.at(g);
        if (group.targets.empty()) continue;
        bool any = false;
        for (std::size_t i = 0; i < group.targets.size() && !any; ++i) {
            any = target_healthy(g, i);
        }
        if (!any) return false;
    }
    return true;
}

bool health_evaluated(const Topology& t, Index load_balancer) {
    for (const HostedZone& hz : t.hosted_zones) {
        for (std::size_t r = 0; r < hz.zone.record_sets.size(); ++r) {
            const dns::RecordSet& rs = hz.zone.record_sets[r];
            // A simple record set answers whatever its health: nothing to choose.
            if (rs.alias && rs.alias->evaluate_target_health &&
                rs.policy.kind != dns::PolicyKind::Simple && r < hz.alias_load_balancers.size() &&
                hz.alias_load_balancers[r] == load_balancer) {
                return true;
            }
        }
    }
    return false;
}

std::string DnsViews::region_of(Index vpc) const {
    return dns_region(t_, vpc);
}

dns::ClientInfo DnsViews::client_of(Index vpc, net::Ipv4Address source) const {
    const std::string region = region_of(vpc);
    dns::ClientInfo client = dns::client_in_region(region).value_or(dns::ClientInfo{});
    client.region = region;
    client.source = source;
    return client;
}

dns::ClientInfo DnsViews::internet_client(net::Ipv4Address source) const {
    dns::ClientInfo client;
    for (const InternetHost& h : t_.internet_hosts) {
        if (h.address == source && h.location) {
            client = *h.location;
            break;
        }
    }
    client.source = source;
    return client;
}

std::string DnsViews::search_domain(Index vpc) const {
    return instance_search_domain(t_, vpc);
}

DnsViews::DnsViews(const Topology& t, LoadBalancerHealthFn healthy)
    : t_(t), healthy_(std::move(healthy)) {
    std::vector<const dns::Zone*> hostnames(t.vpcs.size(), nullptr);
    std::vector<const dns::Zone*> public_hostnames(t.vpcs.size(), nullptr);
    // The public hostnames as the internet resolves them, one zone per name (regions differ).
    std::vector<dns::Zone*> outside;
    auto outside_zone = [&](const std::string& name) -> dns::Zone& {
        for (dns::Zone* z : outside) {
            if (z->name == name) return *z;
        }
        dns::Zone& z = zones_.emplace_back();
        z.name = name;
        z.id = "public-hostnames";
        outside.push_back(&z);
        return z;
    };
    for (Index v = 0; v < t.vpcs.size(); ++v) {
        const std::string region = region_of(v);
        dns::Zone& names = zones_.emplace_back();
        names.name = search_domain(v);
        names.is_private = true;
        names.id = "hostnames-" + t.vpcs[v].meta.name;
        dns::Zone& inside = zones_.emplace_back();
        inside.name = public_hostname_domain(region);
        inside.is_private = true;
        inside.id = "public-hostnames-" + t.vpcs[v].meta.name;
        for (Index e = 0; e < t.enis.size(); ++e) {
            const Eni& eni = t.enis[e];
            if (eni.vpc != v || eni.private_ips.empty()) continue;
            for (net::Ipv4Address ip : eni.private_ips) {
                names.record_sets.push_back(a_record(private_dns_name(t, v, ip), ip));
            }
            if (!t.vpcs[v].enable_dns_hostnames) continue;
            if (auto pub = t.public_address_of_eni(e)) {
                const std::string name = public_dns_name(t, v, *pub);
                inside.record_sets.push_back(a_record(name, eni.primary_ip()));
                outside_zone(inside.name).record_sets.push_back(a_record(name, *pub));
            }
        }
        hostnames[v] = &names;
        if (t.vpcs[v].enable_dns_hostnames) public_hostnames[v] = &inside;
    }
    vpc_views_.assign(t.vpcs.size(), dns::ZoneView{});
    for (Index v = 0; v < t.vpcs.size(); ++v) {
        dns::ZoneView& view = vpc_views_[v];
        for (const HostedZone& hz : t.hosted_zones) {
            if (hz.is_private && std::find(hz.vpcs.begin(), hz.vpcs.end(), v) != hz.vpcs.end()) {
                view.zones.push_back(&hz.zone);
            }
        }
        view.zones.push_back(hostnames[v]);
        if (public_hostnames[v] != nullptr) view.zones.push_back(public_hostnames[v]);
        for (const HostedZone& hz : t.hosted_zones) {
            if (!hz.is_private) view.zones.push_back(&hz.zone);
        }
    }
    for (const HostedZone& hz : t.hosted_zones) {
        if (!hz.is_private) internet_view_.zones.push_back(&hz.zone);
    }
    for (const dns::Zone* z : outside) internet_view_.zones.push_back(z);

    alias_ = [this](const dns::AliasTarget& target,
                    dns::RrType type) -> std::optional<dns::AliasResolution> {
        for (Index i = 0; i < t_.load_balancers.size(); ++i) {
            const LoadBalancer& lb = t_.load_balancers[i];
            if (lb.meta.name != target.name) continue;
            if (type != dns::RrType::A) return std::nullopt;
            dns::AliasResolution r;
            r.ttl = 60;
            r.healthy = !target.evaluate_target_health || !healthy_ || healthy_(i);
            for (const LoadBalancerNode& node : lb.nodes) {
                if (lb.scheme == LoadBalancerScheme::InternetFacing) {
                    if (auto pub = t_.public_address_of_lb_node(node)) {
                        r.values.push_back(pub->to_string());
                    }
                } else {
                    r.values.push_back(node.private_ip.to_string());
                }
            }
            return r;
        }
        return std::nullopt;
    };
}

}  // namespace vpcstack::model
