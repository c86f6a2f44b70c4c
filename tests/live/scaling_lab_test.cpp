// Auto Scaling in a live lab: `vpcctl lab scale` launches instances from the launch template
// into the group's subnets and registers them behind the ALB's HAProxy, scaling in drains the
// leaving instances for the deregistration delay before their namespaces go, an instance whose
// server stops is replaced once the load balancer's health checks fail (health check type ELB),
// and a target tracking policy on ALBRequestCountPerTarget scales out under load. Needs root.
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <string>
#include <thread>

#include "live_lab.hpp"
#include "support/run_command.hpp"
#include "vpcstack/live/lab_state.hpp"
#include "vpcstack/live/netns.hpp"

namespace vpcstack::live {
namespace {

using namespace lab_testing;
using namespace std::chrono_literals;

// An internet-facing ALB on HTTP over a group of web servers in two zones; short health checks
// and deregistration delay so that the test waits seconds, not minutes.
std::string topology(const std::string& group_extra, std::uint32_t desired) {
    return R"(region: us-east-1
vpcs:
  - name: shop
    cidr: 10.30.0.0/16
    internet_gateway: igw
    subnets:
      - {name: public-a, cidr: 10.30.0.0/24, az: us-east-1a, route_table: public-rt}
      - {name: public-b, cidr: 10.30.1.0/24, az: us-east-1b, route_table: public-rt}
      - {name: web-a, cidr: 10.30.10.0/24, az: us-east-1a}
      - {name: web-b, cidr: 10.30.11.0/24, az: us-east-1b}
    route_tables:
      - {name: public-rt, routes: [0.0.0.0/0 -> igw]}
    security_groups:
      - name: alb-sg
        ingress: [tcp/80 from 0.0.0.0/0]
        egress: [tcp/80 to sg:web-sg]
      - name: web-sg
        ingress: [tcp/80 from sg:alb-sg]
    load_balancers:
      - name: alb
        type: application
        subnets: [public-a, public-b]
        security_groups: [alb-sg]
        listeners:
          - {protocol: HTTP, port: 80, default_action: {forward: web-tg}}
    target_groups:
      - name: web-tg
        protocol: HTTP
        port: 80
        health_check: {path: /health, interval: 5, timeout: 2, healthy_threshold: 2, unhealthy_threshold: 2}
        deregistration_delay: 3
    launch_templates:
      - {name: web-lt, security_groups: [web-sg], user_data: vpcctl serve http --port 80, listen: [tcp/80]}
    auto_scaling_groups:
      - name: web
        launch_template: web-lt
        min_size: 1
        max_size: 6
        desired_capacity: )" +
           std::to_string(desired) + R"(
        subnets: [web-a, web-b]
        target_groups: [web-tg]
)" + group_extra +
           R"(internet_hosts:
  - {name: client, address: 198.51.100.7}
)";
}

// `n` requests from the internet's client to the node in us-east-1a (192.0.2.1): how many
// each instance answered ("instance: NAME" in its body), "failed" for the others.
std::map<std::string, int> spread(const Lab& lab, int n) {
    const std::string loop = "for i in $(seq " + std::to_string(n) +
                             "); do curl -s --max-time 3 http://192.0.2.1/ || echo 'instance: "
                             "failed'; echo; done";
    Result run = lab.exec("client", {"sh", "-c", loop});
    std::map<std::string, int> seen;
    const std::string key = "instance: ";
    for (std::size_t at = run.output.find(key); at != std::string::npos;
         at = run.output.find(key, at + 1)) {
        const std::size_t end = run.output.find('\n', at);
        ++seen[run.output.substr(at + key.size(), end - at - key.size())];
    }
    return seen;
}

std::string names(const std::map<std::string, int>& seen) {
    std::string out;
    for (const auto& [name, count] : seen) out += name + "=" + std::to_string(count) + " ";
    return out;
}

bool namespace_exists(const Lab& lab, const std::string& instance) {
    for (const auto& name : list_named_netns(namespace_prefix(lab.name()))) {
        if (name == lab.ns(instance)) return true;
    }
    return false;
}

std::string activities(const Lab& lab) {
    std::string out;
    if (auto state = read_state(lab.name())) {
        for (const auto& a : state->activities) out += a.description + " — " + a.cause + "\n";
    }
    return out;
}

TEST(LiveScaling, ScaleOutRegistersScaleInDrainsThenTerminatesAndUnhealthyInstancesAreReplaced) {
    SKIP_UNLESS_LIVE();
    TopologyFile file("scaling-elb", topology("        health_check_type: ELB\n"
                                              "        health_check_grace_period: 5\n",
                                              2));
    Lab lab(file.path(), "scale");
    ASSERT_EQ(lab.up().code, 0) << lab.up().output;
    ASSERT_TRUE(eventually([&] { return spread(lab, 1).count("failed") == 0; }, 15000ms));

    // Out to 4: two instances launched, one per zone, registered and answering.
    Result out = run({kVpcctl, "lab", "scale", lab.name(), "web", "4"});
    ASSERT_EQ(out.code, 0) << out.output;
    EXPECT_NE(out.output.find("web: desired capacity 4"), std::string::npos) << out.output;
    EXPECT_NE(out.output.find("launched: web-3 web-4"), std::string::npos) << out.output;
    EXPECT_TRUE(namespace_exists(lab, "web-3") && namespace_exists(lab, "web-4"));
    std::map<std::string, int> four;
    EXPECT_TRUE(eventually(
        [&] {
            four = spread(lab, 24);
            return four.size() == 4 && four.count("failed") == 0;
        },
        30000ms))
        << names(four);
    Result status = run({kVpcctl, "lab", "status", lab.name()});
    EXPECT_NE(status.output.find("in service: web-1 web-2 web-3 web-4"), std::string::npos)
        << status.output;

    // In to 2: the newest of each zone drains (no new requests), then goes.
    Result in = run({kVpcctl, "lab", "scale", lab.name(), "web", "2"});
    ASSERT_EQ(in.code, 0) << in.output;
    EXPECT_TRUE(in.output.find("draining: web-3 web-4") != std::string::npos ||
                in.output.find("draining: web-4 web-3") != std::string::npos)
        << in.output;
    EXPECT_TRUE(namespace_exists(lab, "web-3")) << "terminated before its connections drained";
    const std::map<std::string, int> two = spread(lab, 12);
    EXPECT_EQ(two.count("web-3") + two.count("web-4"), 0u)
        << "a draining instance got new requests: " << names(two);
    EXPECT_TRUE(eventually(
        [&] { return !namespace_exists(lab, "web-3") && !namespace_exists(lab, "web-4"); },
        15000ms))
        << activities(lab);
    EXPECT_NE(activities(lab).find("Terminated EC2 instance: web-3"), std::string::npos)
        << activities(lab);

    // Out of bounds: refused, nothing changes.
    Result too_many = run({kVpcctl, "lab", "scale", lab.name(), "web", "9"});
    EXPECT_NE(too_many.code, 0);
    EXPECT_NE(too_many.output.find("desired capacity 9 is outside the group's min_size 1 to "
                                   "max_size 6"),
              std::string::npos)
        << too_many.output;

    // web-1's server stops: its health checks fail, the group replaces it with web-5.
    auto state = read_state(lab.name());
    ASSERT_TRUE(state.has_value());
    int victim = 0;
    for (const auto& script : state->user_data) {
        if (script.instance == "web-1") victim = script.pid;
    }
    ASSERT_NE(victim, 0);
    ASSERT_EQ(::kill(-victim, SIGTERM), 0);
    EXPECT_TRUE(eventually([&] { return namespace_exists(lab, "web-5"); }, 45000ms))
        << activities(lab);
    // The activity is recorded once the change is complete, just after the namespace is made.
    EXPECT_TRUE(eventually(
        [&] {
            return activities(lab).find("an ELB health check found instance web-1 unhealthy") !=
                   std::string::npos;
        },
        5000ms))
        << activities(lab);
    std::map<std::string, int> replaced;
    EXPECT_TRUE(eventually(
        [&] {
            replaced = spread(lab, 12);
            return replaced.count("web-5") != 0 && replaced.count("failed") == 0 &&
                   replaced.count("web-1") == 0;
        },
        30000ms))
        << names(replaced);
    EXPECT_TRUE(eventually([&] { return !namespace_exists(lab, "web-1"); }, 15000ms));
}

TEST(LiveScaling, TargetTrackingOnRequestsPerTargetScalesOutUnderLoad) {
    SKIP_UNLESS_LIVE();
    TopologyFile file("scaling-tracking",
                      topology("        target_tracking: {target_group: web-tg, target_value: 10, "
                               "period: 10, disable_scale_in: true}\n",
                               1));
    Lab lab(file.path(), "track");
    ASSERT_EQ(lab.up().code, 0) << lab.up().output;
    ASSERT_TRUE(eventually([&] { return spread(lab, 1).count("failed") == 0; }, 15000ms));
    // About 40 requests per 10 s on one target, four times the target value: after three
    // periods above it, ceil(1 x 40 / 10) = 4 instances.
    bool scaled = false;
    const auto deadline = std::chrono::steady_clock::now() + 70s;
    while (!scaled && std::chrono::steady_clock::now() < deadline) {
        spread(lab, 8);
        auto state = read_state(lab.name());
        scaled = state && state->overrides.launched.count("web") != 0 &&
                 state->overrides.launched.at("web").size() > 1;
        std::this_thread::sleep_for(1s);
    }
    EXPECT_TRUE(scaled) << activities(lab);
    EXPECT_NE(activities(lab).find("target tracking: RequestCountPerTarget of web-tg"),
              std::string::npos)
        << activities(lab);
}

}  // namespace
}  // namespace vpcstack::live
