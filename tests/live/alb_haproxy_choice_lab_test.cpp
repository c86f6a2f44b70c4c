// `lab up` of a topology with an Application Load Balancer when VPCSTACK_HAPROXY names an HAProxy
// that is missing or rejects every configuration: the lab does not come up, says why (naming
// haproxy, or the node's configuration file) and leaves no namespace behind. Needs root.
#include <sys/stat.h>

#include <gtest/gtest.h>

#include <string>

#include "live_lab.hpp"
#include "support/run_command.hpp"
#include "vpcstack/live/lb_nodes.hpp"

namespace vpcstack::live {
namespace {

using namespace lab_testing;
using test_support::TempDir;

// One ALB over two public subnets, forwarding to one web server.
const std::string kSmallAlb = R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    internet_gateway: igw
    subnets:
      - {name: pub-a, cidr: 10.0.0.0/24, az: us-east-1a, route_table: public-rt}
      - {name: pub-b, cidr: 10.0.1.0/24, az: us-east-1b, route_table: public-rt}
      - {name: priv-a, cidr: 10.0.10.0/24, az: us-east-1a}
    route_tables:
      - name: public-rt
        routes:
          - 0.0.0.0/0 -> igw
    security_groups:
      - name: lb-sg
        ingress: [tcp/80 from 0.0.0.0/0]
    instances:
      - {name: web-1, subnet: priv-a, private_ip: 10.0.10.11}
    load_balancers:
      - name: alb
        type: application
        subnets: [pub-a, pub-b]
        security_groups: [lb-sg]
        listeners:
          - protocol: HTTP
            port: 80
            default_action: {forward: web-tg}
    target_groups:
      - {name: web-tg, protocol: HTTP, port: 80, targets: [web-1]}
)";

// `lab up` with VPCSTACK_HAPROXY set to `haproxy`; what it said. Takes the lab down again
// (whatever `lab up` left) and checks that nothing of it is left.
Result lab_up_with(const std::string& tag, const std::string& haproxy) {
    TempDir dir;
    const auto topology = dir.write("small-alb.yaml", kSmallAlb);
    const std::string name = "t" + std::to_string(::getpid() % 100000) + "-" + tag;
    test_support::RunOptions options;
    options.merge_stderr = true;
    options.env = {"LC_ALL=C", std::string(kHaproxyVariable) + "=" + haproxy};
    test_support::Result up = test_support::run(
        {kVpcctl, "lab", "up", topology.string(), "--name", name, "--attach", "veth"}, options);
    EXPECT_TRUE(list_named_netns(namespace_prefix(name)).empty())
        << "namespaces of lab " << name << " are left after the failed lab up";
    struct stat st {};
    EXPECT_NE(::stat(lab_dir(name).c_str(), &st), 0) << lab_dir(name) << " is left";
    Result down = run({kVpcctl, "lab", "down", name});
    EXPECT_EQ(down.code, 0) << down.output;
    return {up.exit_code, up.out};
}

TEST(LiveAlbHaproxy, AMissingHaproxyFailsLabUpNamingIt) {
    SKIP_UNLESS_LIVE();
    const Result up = lab_up_with("nohap", "/nonexistent");
    EXPECT_NE(up.code, 0) << up.output;
    EXPECT_NE(up.output.find("haproxy"), std::string::npos) << up.output;
    EXPECT_NE(up.output.find("2 nodes"), std::string::npos) << up.output;
}

TEST(LiveAlbHaproxy, AnHaproxyThatRejectsTheConfigurationFailsLabUpNamingTheNodesFile) {
    SKIP_UNLESS_LIVE();
    TempDir dir;
    const auto script =
        dir.write("haproxy", "#!/bin/sh\necho '[ALERT] rejected by the test'\nexit 1\n");
    ASSERT_EQ(::chmod(script.c_str(), 0755), 0);
    const std::string name = "t" + std::to_string(::getpid() % 100000) + "-rejhap";
    const Result up = lab_up_with("rejhap", script.string());
    EXPECT_NE(up.code, 0) << up.output;
    EXPECT_NE(up.output.find("rejected by the test"), std::string::npos) << up.output;
    const std::string file = lb_node_dir(name) + "/alb-us-east-1a.cfg";
    EXPECT_NE(up.output.find(file), std::string::npos) << "no " << file << " in:\n" << up.output;
}

}  // namespace
}  // namespace vpcstack::live
