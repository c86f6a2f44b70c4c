// What a live lab is made of, decided from the topology before anything is created: one network
// namespace per instance (one interface per ENI, with the ENI's MAC and addresses), one per
// Application Load Balancer node (its ENI as eth0; HAProxy plays the node there, lb_nodes.hpp),
// one namespace for the whole internet, and a private namespace for the engine's veth ends. Pure
// data, so it is tested without privileges and `lab down` can rebuild the names.
//
// Naming: every namespace is `vs-<lab>-<instance>` (`vs-<lab>-<node ENI>`, e.g.
// `vs-demo-shop-alb-us-east-1a`; `vs-<lab>-inet`, `vs-<lab>-engine`), so labs coexist and
// cleanup finds what a lab made. Interfaces live inside their namespace and are
// called eth0, eth1... as on a cloud instance; veth host ends in the engine namespace are
// `p<port>` and `inet`, all within the kernel's 15-character limit.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vpcstack/engine/port.hpp"
#include "vpcstack/model/topology.hpp"
#include "vpcstack/net/ipv4.hpp"

namespace vpcstack::live {

inline constexpr std::string_view kNamespacePrefix = "vs-";
// AWS: EC2 network_mtu — 9001 inside a VPC; the internet side of the IGW is 1500.
inline constexpr std::uint32_t kInstanceMtu = 9001;
inline constexpr std::uint32_t kInternetMtu = 1500;
// The internet namespace's next hop: a link-local address the engine answers ARP for. The
// internet hosts' own addresses sit on the interface as /32s.
inline constexpr net::Ipv4Address kInternetNextHop{169, 254, 255, 1};

struct AddressPlan {
    net::Ipv4Address address;
    std::uint8_t prefix_length = 32;
};

// Amazon Linux's ec2-net-utils (setup-policy-routes) gives every ENI beyond the primary a
// routing table of its own, 10000 + its device number, holding the subnet's route and a default
// route via that subnet's router, and one rule per private IP of the ENI, `from <ip> lookup
// <table>` at priority 10000 + device number. Replies from a secondary ENI's address then leave
// by that ENI, as the VPC's source/destination check requires. The primary ENI has no table or
// rule: it uses the main table, which holds the only default route.
inline constexpr std::uint32_t kPolicyRuleBase = 10000;

struct PolicyRoutingPlan {
    std::uint32_t table = 0;                // kPolicyRuleBase + device index
    std::uint32_t priority = 0;             // kPolicyRuleBase + device index
    net::Cidr subnet;                       // on-link in the table, from the ENI's primary address
    net::Ipv4Address router;                // the table's default route: the subnet's base + 1
    std::vector<net::Ipv4Address> sources;  // every private IP of the ENI, one rule each
};

struct InterfacePlan {
    std::string name;  // inside the namespace: eth0, eth1...
    engine::PortId port = 0;
    net::MacAddress mac;
    std::uint32_t mtu = kInstanceMtu;
    std::vector<AddressPlan> addresses;
    std::optional<net::Ipv4Address> gateway;  // main table's default route: the primary only
    bool gateway_onlink = false;
    std::optional<net::Ipv4Address> source;   // preferred source of the default route
    std::optional<PolicyRoutingPlan> policy;  // secondary ENIs: their own table and rules
    std::string host_end;                     // the veth end in the engine namespace
    int ifindex = 0;       // fixed inside the namespace, so requests need no lookups
    int host_ifindex = 0;  // fixed index of host_end in the engine namespace
};

// An ALB node is an ENI of its own (model::LoadBalancerNode::eni) with no instance: in the lab it
// is a host like an instance, wired the same way, running the node's proxy.
enum class NamespaceKind : std::uint8_t { Instance, LoadBalancerNode, Internet };

struct NamespacePlan {
    std::string name;     // vs-<lab>-<instance or node ENI>
    std::string display;  // the instance's name, the node ENI's ("shop-alb-us-east-1a"), "internet"
    NamespaceKind kind = NamespaceKind::Instance;
    model::Index instance = model::kNone;
    // LoadBalancerNode: the load balancer and the index of the node in its `nodes`.
    model::Index load_balancer = model::kNone;
    model::Index node = model::kNone;
    std::vector<InterfacePlan> interfaces;
    // An instance with an ENI whose source/destination check is off routes other hosts'
    // traffic (a NAT instance, a firewall): IPv4 forwarding on, as the simulation's router hosts.
    bool forwarding = false;
    // What /etc/netns/<name>/resolv.conf says (as `ip netns exec` and `lab exec` show it as
    // /etc/resolv.conf): an instance's or node's VPC resolver and search domain, the internet's
    // own name server (dns_serve.hpp).
    std::string resolv_conf;
};

struct LabPlan {
    std::string lab;
    std::string engine_namespace;  // vs-<lab>-engine, holds the veth host ends
    // Instances in topology order, then ALB nodes (load balancer, then node order), then the
    // internet.
    std::vector<NamespacePlan> namespaces;

    const NamespacePlan* find(std::string_view display) const;
};

// A lab name: 1-20 characters of [a-z0-9-], starting with a letter or digit. Returns the
// problem, or nothing when the name is fine.
std::optional<std::string> check_lab_name(std::string_view name);
// The default lab name for a topology file: its base name without extension, made valid.
std::string lab_name_from_path(std::string_view path);
// All namespaces of a lab start with this.
std::string namespace_prefix(std::string_view lab);

// Throws std::invalid_argument for a bad lab name.
LabPlan make_lab_plan(std::string_view lab, const model::Topology& topology);

// The namespace where `lab exec` runs a target: an instance name, an ALB node ENI's name, an
// internet host's name, or "internet". Nothing when unknown.
const NamespacePlan* resolve_exec_target(const LabPlan& plan, const model::Topology& topology,
                                         std::string_view target);

}  // namespace vpcstack::live
