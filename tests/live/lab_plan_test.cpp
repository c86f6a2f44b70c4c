// What a lab is made of, decided from a topology: names, interfaces, addresses, routes.
#include "vpcstack/live/lab_plan.hpp"

#include <gtest/gtest.h>

#include <set>

#include "vpcstack/engine/engine.hpp"
#include "vpcstack/model/loader.hpp"

namespace vpcstack::live {
namespace {

model::Topology load(const std::string& yaml) {
    auto result = model::load_topology_text(yaml, "test.yaml");
    if (!result.ok()) {
        for (const auto& d : result.diagnostics.all()) {
            ADD_FAILURE() << d.to_string();
        }
        return {};
    }
    return *result.topology;
}

model::Topology two_tier() {
    auto result = model::load_topology_file(VPCSTACK_SOURCE_DIR "/topologies/two-tier-nat.yaml");
    EXPECT_TRUE(result.ok());
    return result.ok() ? *result.topology : model::Topology{};
}

TEST(LabPlan, LabNamesAreShortLowercaseAndSafe) {
    EXPECT_FALSE(check_lab_name("demo"));
    EXPECT_FALSE(check_lab_name("two-tier-nat"));
    EXPECT_TRUE(check_lab_name(""));
    EXPECT_TRUE(check_lab_name("Demo"));
    EXPECT_TRUE(check_lab_name("a/b"));
    EXPECT_TRUE(check_lab_name("-x"));
    EXPECT_TRUE(check_lab_name("a-name-that-is-far-too-long"));
}

TEST(LabPlan, DefaultNameComesFromTheFileName) {
    EXPECT_EQ(lab_name_from_path("topologies/two-tier-nat.yaml"), "two-tier-nat");
    EXPECT_EQ(lab_name_from_path("/x/My_Lab.yml"), "my-lab");
    EXPECT_EQ(lab_name_from_path("noext"), "noext");
    EXPECT_FALSE(check_lab_name(lab_name_from_path("/x/a-very-long-topology-file-name.yaml")));
}

TEST(LabPlan, EveryInstanceGetsANamespaceWithItsEnisAsInterfaces) {
    auto topology = two_tier();
    LabPlan plan = make_lab_plan("demo", topology);
    ASSERT_EQ(plan.namespaces.size(), 3u) << "web, app and the internet";
    EXPECT_EQ(plan.engine_namespace, "vs-demo-engine");

    const NamespacePlan* web = plan.find("web");
    ASSERT_NE(web, nullptr);
    EXPECT_EQ(web->name, "vs-demo-web");
    ASSERT_EQ(web->interfaces.size(), 1u);
    const auto& eth0 = web->interfaces[0];
    const auto eni = topology.instances[web->instance].enis[0];
    EXPECT_EQ(eth0.name, "eth0");
    EXPECT_EQ(eth0.port, eni) << "the port of an ENI is its index";
    EXPECT_EQ(eth0.mac, topology.enis[eni].mac) << "the interface carries the ENI's MAC";
    EXPECT_EQ(eth0.mtu, 9001u) << "AWS: MTU 9001 inside a VPC";
    ASSERT_EQ(eth0.addresses.size(), 1u);
    EXPECT_EQ(eth0.addresses[0].address.to_string(), "10.0.1.10");
    EXPECT_EQ(eth0.addresses[0].prefix_length, 24) << "the subnet's prefix length";
    ASSERT_TRUE(eth0.gateway);
    EXPECT_EQ(eth0.gateway->to_string(), "10.0.1.1") << "the VPC router is the subnet base + 1";
    EXPECT_LE(eth0.host_end.size(), 15u);
}

TEST(LabPlan, TheInternetIsOneNamespaceHoldingEveryInternetHost) {
    auto topology = two_tier();
    LabPlan plan = make_lab_plan("demo", topology);
    const NamespacePlan* internet = plan.find("internet");
    ASSERT_NE(internet, nullptr);
    EXPECT_EQ(internet->name, "vs-demo-inet");
    EXPECT_EQ(internet->kind, NamespaceKind::Internet);
    ASSERT_EQ(internet->interfaces.size(), 1u);
    const auto& eth0 = internet->interfaces[0];
    EXPECT_EQ(eth0.port, engine::kInternetPort);
    EXPECT_EQ(eth0.mac, engine::kInternetMac);
    EXPECT_EQ(eth0.mtu, 1500u) << "the internet side of the gateway is 1500 bytes";
    ASSERT_EQ(eth0.addresses.size(), 1u);
    EXPECT_EQ(eth0.addresses[0].address.to_string(), "198.51.100.7");
    EXPECT_EQ(eth0.addresses[0].prefix_length, 32);
    EXPECT_TRUE(eth0.gateway_onlink) << "the next hop is on no prefix of the interface";
    EXPECT_EQ(eth0.source->to_string(), "198.51.100.7");
}

TEST(LabPlan, ExecTargetsAreInstancesInternetHostsOrTheInternet) {
    auto topology = two_tier();
    LabPlan plan = make_lab_plan("demo", topology);
    EXPECT_EQ(resolve_exec_target(plan, topology, "app")->name, "vs-demo-app");
    EXPECT_EQ(resolve_exec_target(plan, topology, "client")->name, "vs-demo-inet");
    EXPECT_EQ(resolve_exec_target(plan, topology, "internet")->name, "vs-demo-inet");
    EXPECT_EQ(resolve_exec_target(plan, topology, "nobody"), nullptr);
}

TEST(LabPlan, NamesThatWouldCollideWithTheLabsOwnNamespacesAreMadeUnique) {
    auto topology = load(R"(region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    subnets:
      - {name: s, cidr: 10.0.1.0/24}
    instances:
      - {name: inet, subnet: s, private_ip: 10.0.1.10}
      - {name: engine, subnet: s, private_ip: 10.0.1.11}
)");
    LabPlan plan = make_lab_plan("x", topology);
    EXPECT_EQ(plan.find("inet")->name, "vs-x-inet-vm");
    EXPECT_EQ(plan.find("engine")->name, "vs-x-engine-vm");
    EXPECT_EQ(plan.find("internet")->name, "vs-x-inet");
}

// An instance with two ENIs in two subnets, the second with a secondary private IP.
const char* kMultiEni = R"(region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    subnets:
      - {name: a, cidr: 10.0.1.0/24}
      - {name: b, cidr: 10.0.2.0/26}
    instances:
      - name: multi
        enis:
          - {name: m0, subnet: a, private_ip: 10.0.1.10}
          - {name: m1, subnet: b, private_ips: [10.0.2.10, 10.0.2.11]}
)";

TEST(LabPlan, TheMainTableHasOneDefaultRouteViaThePrimaryEni) {
    auto topology = load(kMultiEni);
    LabPlan plan = make_lab_plan("demo", topology);
    const NamespacePlan* multi = plan.find("multi");
    ASSERT_NE(multi, nullptr);
    ASSERT_EQ(multi->interfaces.size(), 2u);
    const auto& eth0 = multi->interfaces[0];
    const auto& eth1 = multi->interfaces[1];
    EXPECT_EQ(eth1.name, "eth1") << "interfaces are named in device-index order";
    ASSERT_TRUE(eth0.gateway);
    EXPECT_EQ(eth0.gateway->to_string(), "10.0.1.1");
    EXPECT_FALSE(eth1.gateway) << "only the primary ENI's router is the main table's default";
    EXPECT_FALSE(eth0.policy)
        << "ec2-net-utils gives the primary ENI no table or rule of its own: it uses main";
}

TEST(LabPlan, ASecondaryEniGetsItsOwnTableAndARulePerPrivateIp) {
    auto topology = load(kMultiEni);
    LabPlan plan = make_lab_plan("demo", topology);
    const auto& eth1 = plan.find("multi")->interfaces[1];
    ASSERT_TRUE(eth1.policy) << "replies from the secondary ENI's addresses must leave by it";
    const auto& policy = *eth1.policy;
    EXPECT_EQ(policy.table, 10001u) << "ec2-net-utils: table 10000 + device number";
    EXPECT_EQ(policy.priority, 10001u) << "ec2-net-utils: rule priority 10000 + device number";
    EXPECT_EQ(policy.subnet.to_string(), "10.0.2.0/26") << "the ENI's subnet, on-link";
    EXPECT_EQ(policy.router.to_string(), "10.0.2.1") << "the subnet's router, base + 1";
    ASSERT_EQ(policy.sources.size(), 2u) << "one rule for each private IP of the ENI";
    EXPECT_EQ(policy.sources[0].to_string(), "10.0.2.10");
    EXPECT_EQ(policy.sources[1].to_string(), "10.0.2.11");
    ASSERT_EQ(eth1.addresses.size(), 2u);
    EXPECT_EQ(eth1.addresses[1].prefix_length, 26);
}

TEST(LabPlan, SingleEniInstancesHaveNoPolicyRouting) {
    auto topology = two_tier();
    LabPlan plan = make_lab_plan("demo", topology);
    for (const auto& ns : plan.namespaces) {
        for (const auto& itf : ns.interfaces) {
            EXPECT_FALSE(itf.policy) << ns.display << " " << itf.name;
        }
    }
}

TEST(LabPlan, ABadLabNameIsRefused) {
    auto topology = two_tier();
    EXPECT_THROW(make_lab_plan("Bad Name", topology), std::invalid_argument);
}

}  // namespace
}  // namespace vpcstack::live

namespace vpcstack::live {
namespace {

// An instance that routes other hosts' traffic (source/destination check off) forwards IPv4 in
// its namespace, as the simulation's router hosts do; the others do not.
TEST(LabPlan, AnInstanceWithSourceDestCheckOffForwards) {
    auto loaded =
        model::load_topology_file(std::string(VPCSTACK_SOURCE_DIR) + "/topologies/middlebox.yaml");
    ASSERT_TRUE(loaded.ok());
    LabPlan plan = make_lab_plan("mb", *loaded.topology);
    ASSERT_NE(plan.find("firewall"), nullptr);
    EXPECT_TRUE(plan.find("firewall")->forwarding);
    ASSERT_NE(plan.find("client"), nullptr);
    EXPECT_FALSE(plan.find("client")->forwarding);
}

}  // namespace
}  // namespace vpcstack::live

namespace vpcstack::live {
namespace {

model::Topology web_stack() {
    auto loaded =
        model::load_topology_file(std::string(VPCSTACK_SOURCE_DIR) + "/topologies/web-stack.yaml");
    EXPECT_TRUE(loaded.ok());
    return loaded.ok() ? *loaded.topology : model::Topology{};
}

// AWS: elasticloadbalancing — an ALB node is a network interface in its subnet; in the lab it is
// a host of its own, wired as an instance's primary ENI, where HAProxy plays the node.
TEST(LabPlan, EveryApplicationLoadBalancerNodeGetsANamespaceWiredAsAnInstancesEni) {
    auto topology = web_stack();
    LabPlan plan = make_lab_plan("demo", topology);
    const auto& lb = topology.load_balancers.at(0);
    ASSERT_EQ(lb.nodes.size(), 2u);
    for (model::Index n = 0; n < lb.nodes.size(); ++n) {
        const model::Index eni = lb.nodes[n].eni;
        const std::string name = topology.enis[eni].meta.name;
        const NamespacePlan* ns = plan.find(name);
        ASSERT_NE(ns, nullptr) << "no namespace for node " << name;
        EXPECT_EQ(ns->kind, NamespaceKind::LoadBalancerNode);
        EXPECT_EQ(ns->name, "vs-demo-" + name);
        EXPECT_EQ(ns->load_balancer, 0u);
        EXPECT_EQ(ns->node, n);
        EXPECT_EQ(ns->instance, model::kNone) << "a node has no instance";
        ASSERT_EQ(ns->interfaces.size(), 1u);
        const auto& eth0 = ns->interfaces[0];
        EXPECT_EQ(eth0.name, "eth0");
        EXPECT_EQ(eth0.port, eni) << "the port of the node's ENI is its index";
        EXPECT_EQ(eth0.mac, topology.enis[eni].mac);
        ASSERT_EQ(eth0.addresses.size(), 1u);
        EXPECT_EQ(eth0.addresses[0].address, lb.nodes[n].private_ip);
        EXPECT_EQ(eth0.addresses[0].prefix_length, 24);
        const auto& subnet = topology.subnets[lb.nodes[n].subnet];
        ASSERT_TRUE(eth0.gateway);
        EXPECT_EQ(*eth0.gateway, subnet.cidr.network() + 1) << "the subnet's router";
        EXPECT_FALSE(eth0.policy);
        EXPECT_EQ(eth0.host_end, "p" + std::to_string(eni));
    }
    EXPECT_EQ(plan.find("shop-alb-us-east-1a")->name, "vs-demo-shop-alb-us-east-1a");
    // Instances first, the nodes, then the internet last.
    EXPECT_EQ(plan.namespaces.front().kind, NamespaceKind::Instance);
    EXPECT_EQ(plan.namespaces.back().kind, NamespaceKind::Internet);
    EXPECT_EQ(plan.namespaces.size(), topology.instances.size() + 2 + 1);
    // Every host end in the engine namespace has its own index.
    std::set<int> indices;
    for (const auto& ns : plan.namespaces) {
        for (const auto& itf : ns.interfaces) {
            EXPECT_TRUE(indices.insert(itf.host_ifindex).second) << ns.display;
        }
    }
}

TEST(LabPlan, ExecReachesALoadBalancerNodeByItsEnisName) {
    auto topology = web_stack();
    LabPlan plan = make_lab_plan("demo", topology);
    const NamespacePlan* node = resolve_exec_target(plan, topology, "shop-alb-us-east-1b");
    ASSERT_NE(node, nullptr);
    EXPECT_EQ(node->name, "vs-demo-shop-alb-us-east-1b");
    EXPECT_EQ(resolve_exec_target(plan, topology, "shop-alb"), nullptr)
        << "the load balancer has two nodes: its name is no host";
}

}  // namespace
}  // namespace vpcstack::live
