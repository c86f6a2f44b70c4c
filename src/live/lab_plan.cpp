#include "vpcstack/live/lab_plan.hpp"

#include "vpcstack/live/dns_serve.hpp"
#include "vpcstack/model/cloud_rules.hpp"
#include "vpcstack/model/dns_views.hpp"
#include "vpcstack/sim/health_checks.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "vpcstack/engine/engine.hpp"

namespace vpcstack::live {

namespace {

constexpr std::size_t kMaxLabName = 20;
// Fixed interface indices inside each namespace (lo is 1).
constexpr int kFirstInstanceIfindex = 10;
constexpr int kFirstHostEndIfindex = 100;

// Keeps a namespace name to characters `ip netns` and file systems take without quoting.
std::string sanitize(std::string_view text) {
    std::string out;
    for (char c : text) {
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '-' || c == '_' || c == '.';
        out.push_back(ok ? c : '-');
    }
    return out.empty() ? std::string("x") : out;
}

// The interface of ENI `eni_index` at device slot `slot` of its host.
InterfacePlan interface_of(const model::Topology& topology, model::Index eni_index,
                           std::size_t slot) {
    const auto& eni = topology.enis[eni_index];
    const auto& subnet = topology.subnets[eni.subnet];
    InterfacePlan itf;
    itf.name = "eth" + std::to_string(slot);
    itf.port = eni_index;
    itf.mac = eni.mac;
    itf.mtu = kInstanceMtu;
    itf.ifindex = kFirstInstanceIfindex + static_cast<int>(slot);
    itf.host_end = "p" + std::to_string(eni_index);
    for (const auto& ip : eni.private_ips) {
        itf.addresses.push_back({ip, subnet.cidr.length()});
    }
    // AWS: subnet-sizing — the VPC router is the subnet's base address + 1.
    const net::Ipv4Address router = subnet.cidr.network() + 1;
    if (slot == 0) {
        itf.gateway = router;
    } else {
        // Amazon Linux ec2-net-utils: a table and rules per secondary ENI, numbered
        // 10000 + its device number, so its replies leave by it.
        const auto number = static_cast<std::uint32_t>(eni.device_index);
        PolicyRoutingPlan policy;
        policy.table = kPolicyRuleBase + number;
        policy.priority = kPolicyRuleBase + number;
        policy.subnet = subnet.cidr;
        policy.router = router;
        policy.sources = eni.private_ips;
        itf.policy = std::move(policy);
    }
    return itf;
}

}  // namespace

const NamespacePlan* LabPlan::find(std::string_view display) const {
    for (const auto& ns : namespaces) {
        if (ns.display == display) {
            return &ns;
        }
    }
    return nullptr;
}

std::optional<std::string> check_lab_name(std::string_view name) {
    if (name.empty() || name.size() > kMaxLabName) {
        return "a lab name has 1 to " + std::to_string(kMaxLabName) + " characters";
    }
    for (char c : name) {
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-')) {
            return "a lab name uses only lowercase letters, digits and '-'";
        }
    }
    if (name.front() == '-') {
        return "a lab name starts with a letter or digit";
    }
    return std::nullopt;
}

std::string lab_name_from_path(std::string_view path) {
    auto slash = path.find_last_of('/');
    std::string_view base = slash == std::string_view::npos ? path : path.substr(slash + 1);
    auto dot = base.find_last_of('.');
    if (dot != std::string_view::npos && dot > 0) {
        base = base.substr(0, dot);
    }
    std::string name;
    for (char c : base) {
        if (c >= 'A' && c <= 'Z') {
            c = static_cast<char>(c - 'A' + 'a');
        }
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
        name.push_back(ok ? c : '-');
    }
    while (!name.empty() && name.front() == '-') {
        name.erase(name.begin());
    }
    if (name.size() > kMaxLabName) {
        name.resize(kMaxLabName);
    }
    return name.empty() ? std::string("lab") : name;
}

std::string namespace_prefix(std::string_view lab) {
    return std::string(kNamespacePrefix) + std::string(lab) + "-";
}

LabPlan make_lab_plan(std::string_view lab, const model::Topology& topology) {
    if (auto problem = check_lab_name(lab)) {
        throw std::invalid_argument("lab name '" + std::string(lab) + "': " + *problem);
    }
    LabPlan plan;
    plan.lab = lab;
    const std::string prefix = namespace_prefix(lab);
    plan.engine_namespace = prefix + "engine";
    const std::string internet_ns = prefix + "inet";
    std::set<std::string> taken{plan.engine_namespace, internet_ns};

    // AWS: vpc-dns, DHCP options (AmazonProvidedDNS) — an instance's resolver is its VPC's
    // base address + 2 and its search domain the region's internal domain.
    auto resolv_conf = [&](model::Index eni_index) {
        const model::Index vpc = topology.enis[eni_index].vpc;
        const auto& cidrs = topology.vpcs[vpc].cidrs;
        if (cidrs.empty()) return std::string();
        return "nameserver " + model::cloud::resolver_address(cidrs.front()).to_string() +
               "\nsearch " + model::instance_search_domain(topology, vpc) + "\n";
    };
    auto unique_name = [&](std::string_view display, std::string_view suffix) {
        std::string name = prefix + sanitize(display);
        while (taken.count(name) != 0) {
            name += suffix;
        }
        taken.insert(name);
        return name;
    };

    for (model::Index i = 0; i < topology.instances.size(); ++i) {
        const auto& instance = topology.instances[i];
        NamespacePlan ns;
        ns.display = instance.meta.name;
        ns.instance = i;
        ns.name = unique_name(instance.meta.name, "-vm");
        for (std::size_t slot = 0; slot < instance.enis.size(); ++slot) {
            const model::Index eni_index = instance.enis[slot];
            if (!topology.enis[eni_index].source_dest_check) ns.forwarding = true;
            ns.interfaces.push_back(interface_of(topology, eni_index, slot));
        }
        if (!instance.enis.empty()) ns.resolv_conf = resolv_conf(instance.enis.front());
        plan.namespaces.push_back(std::move(ns));
    }

    // AWS: elasticloadbalancing — an ALB node is a requester-managed network interface in its
    // subnet; its host here is wired as an instance's primary ENI.
    for (model::Index l = 0; l < topology.load_balancers.size(); ++l) {
        const auto& lb = topology.load_balancers[l];
        for (model::Index n = 0; n < lb.nodes.size(); ++n) {
            const model::Index eni_index = lb.nodes[n].eni;
            if (eni_index == model::kNone) continue;  // an NLB's: the engine plays it
            NamespacePlan ns;
            ns.display = topology.enis[eni_index].meta.name;
            ns.kind = NamespaceKind::LoadBalancerNode;
            ns.load_balancer = l;
            ns.node = n;
            ns.name = unique_name(ns.display, "-lb");
            ns.interfaces.push_back(interface_of(topology, eni_index, 0));
            ns.resolv_conf = resolv_conf(eni_index);
            plan.namespaces.push_back(std::move(ns));
        }
    }

    NamespacePlan internet;
    internet.name = internet_ns;
    internet.display = "internet";
    internet.kind = NamespaceKind::Internet;
    InterfacePlan itf;
    itf.name = "eth0";
    itf.port = engine::kInternetPort;
    itf.mac = engine::kInternetMac;
    itf.mtu = kInternetMtu;
    itf.ifindex = kFirstInstanceIfindex;
    itf.host_end = "inet";
    for (const auto& host : topology.internet_hosts) {
        itf.addresses.push_back({host.address, 32});
    }
    // Route 53's health checkers probe from the internet (health_checks.hpp).
    if (!topology.health_checks.empty() &&
        std::none_of(itf.addresses.begin(), itf.addresses.end(), [](const AddressPlan& a) {
            return a.address == sim::kRoute53CheckerAddress;
        })) {
        itf.addresses.push_back({sim::kRoute53CheckerAddress, 32});
    }
    itf.gateway = kInternetNextHop;
    itf.gateway_onlink = true;
    if (!topology.internet_hosts.empty()) {
        itf.source = topology.internet_hosts.front().address;
    }
    internet.interfaces.push_back(std::move(itf));
    internet.resolv_conf = "nameserver " + std::string(kInternetNameServer) + "\n";
    plan.namespaces.push_back(std::move(internet));

    // Host ends get fixed indices in the engine namespace too.
    int next = kFirstHostEndIfindex;
    for (auto& ns : plan.namespaces) {
        for (auto& i : ns.interfaces) {
            i.host_ifindex = next++;
        }
    }
    return plan;
}

const NamespacePlan* resolve_exec_target(const LabPlan& plan, const model::Topology& topology,
                                         std::string_view target) {
    if (const auto* ns = plan.find(target)) {
        return ns;
    }
    const bool internet_host =
        std::any_of(topology.internet_hosts.begin(), topology.internet_hosts.end(),
                    [&](const auto& host) { return host.meta.name == target; });
    return internet_host ? plan.find("internet") : nullptr;
}

}  // namespace vpcstack::live
