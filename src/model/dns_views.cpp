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

std::string DnsViews::region_of(Index vpc) const {
    return dns_region(t_, vpc);
}

std::string DnsViews::search_domain(Index vpc) const {
    return instance_search_domain(t_, vpc);
}

DnsViews::DnsViews(const Topology& t) : t_(t) {
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
        for (const LoadBalancer& lb : t_.load_balancers) {
            if (lb.meta.name != target.name) continue;
            if (type != dns::RrType::A) return std::nullopt;
            dns::AliasResolution r;
            r.ttl = 60;
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
