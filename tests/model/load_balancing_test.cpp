// Load balancers, target groups, launch templates and Auto Scaling groups: a full example loads
// with the cloud's defaults, a group's instances are launched and registered, and every rule of
// checks/load_balancing.cpp refuses what breaks it with exactly this message.
#include <gtest/gtest.h>

#include "test_support.hpp"
#include "vpcstack/model/loader.hpp"

namespace vpcstack::model {
namespace {

using testing::diagnostics_of;
using Lines = std::vector<std::string>;

// Two zones, a public and a private subnet in each; tests append load balancing resources.
const std::string kVpc = R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    subnets:
      - {name: pub-a, cidr: 10.0.0.0/24, az: us-east-1a}
      - {name: pub-b, cidr: 10.0.1.0/24, az: us-east-1b}
      - {name: priv-a, cidr: 10.0.10.0/24, az: us-east-1a}
      - {name: priv-b, cidr: 10.0.11.0/24, az: us-east-1b}
      - {name: pub-a2, cidr: 10.0.2.0/24, az: us-east-1a}
    security_groups:
      - name: lb-sg
        ingress: [tcp/443 from 0.0.0.0/0]
        egress: [tcp/80 to 10.0.0.0/16]
      - name: web-sg
        ingress: [tcp/80 from sg:lb-sg]
    instances:
      - {name: solo, subnet: priv-a, private_ip: 10.0.10.100}
)";  // line 19 is the last

std::string problems(const LoadResult& r) {
    std::string out;
    for (const Diagnostic& d : r.diagnostics.sorted()) out += d.to_string() + "\n";
    return out;
}

TEST(LoadBalancing, AnAlbOverAnAutoScalingGroupLoadsWithTheCloudsDefaults) {
    const LoadResult r = load_topology_text(kVpc + R"(    load_balancers:
      - name: web-alb
        type: application
        subnets: [pub-a, {subnet: pub-b, private_ip: 10.0.1.50}]
        security_groups: [lb-sg]
        listeners:
          - protocol: HTTPS
            port: 443
            certificate: shop.example.com
            default_action: {forward: web-tg}
            rules:
              - priority: 20
                conditions: [{host-header: shop.example.com}, {http-header: {name: X-Env, values: [beta]}}]
                action: {forward: {target_groups: [{name: web-tg, weight: 80}, {name: ip-tg, weight: 20}], stickiness: 600}}
              - priority: 10
                conditions: [{path-pattern: ["/old/*"]}, {source-ip: [203.0.113.0/24]}]
                action: {fixed-response: {status: 410, body: gone}}
    target_groups:
      - {name: web-tg, protocol: HTTP, port: 80}
      - {name: ip-tg, target_type: ip, protocol: HTTP, port: 8080, targets: [10.0.10.200, {ip: 192.168.1.5, port: 9090}]}
    launch_templates:
      - {name: web-lt, security_groups: [web-sg], user_data: "serve 80", listen: [tcp/80]}
    auto_scaling_groups:
      - {name: web, launch_template: web-lt, min_size: 1, max_size: 5, desired_capacity: 3, subnets: [priv-a, priv-b], target_groups: [web-tg]}
)",
                                            "t.yaml");
    ASSERT_TRUE(r.ok()) << problems(r);
    const Topology& t = *r.topology;

    ASSERT_EQ(t.load_balancers.size(), 1u);
    const LoadBalancer& lb = t.load_balancers[0];
    EXPECT_EQ(lb.scheme, LoadBalancerScheme::InternetFacing) << "internet-facing by default";
    EXPECT_TRUE(lb.cross_zone) << "an ALB always balances across zones";
    ASSERT_EQ(lb.nodes.size(), 2u);
    EXPECT_EQ(t.subnets[lb.nodes[0].subnet].meta.name, "pub-a");
    EXPECT_EQ(lb.nodes[0].private_ip.to_string(), "10.0.0.4") << "the first free address";
    EXPECT_EQ(lb.nodes[1].private_ip.to_string(), "10.0.1.50") << "as written";
    ASSERT_TRUE(lb.nodes[0].public_ip && lb.nodes[1].public_ip);
    EXPECT_EQ(lb.nodes[0].public_ip->to_string(), "192.0.2.1");
    EXPECT_EQ(lb.nodes[1].public_ip->to_string(), "192.0.2.2");
    ASSERT_EQ(lb.listeners.size(), 1u);
    const Listener& l = lb.listeners[0];
    EXPECT_EQ(l.certificate, "shop.example.com");
    ASSERT_EQ(l.rules.size(), 2u);
    EXPECT_EQ(l.rules[0].priority, 10u) << "rules are kept lowest priority first";
    EXPECT_EQ(l.rules[0].action.kind, ActionKind::FixedResponse);
    EXPECT_EQ(l.rules[0].action.status_code, 410);
    EXPECT_EQ(l.rules[0].action.content_type, "text/plain");
    EXPECT_EQ(l.rules[0].conditions[1].source_ips.front().to_string(), "203.0.113.0/24");
    const ListenerAction& weighted = l.rules[1].action;
    ASSERT_EQ(weighted.target_groups.size(), 2u);
    EXPECT_EQ(weighted.target_groups[0].weight, 80u);
    EXPECT_EQ(weighted.group_stickiness, 600u);
    EXPECT_EQ(l.rules[1].conditions[1].field, ConditionField::HttpHeader);
    EXPECT_EQ(l.rules[1].conditions[1].header_name, "X-Env");

    const TargetGroup& web_tg = t.target_groups[0];
    EXPECT_EQ(web_tg.target_type, TargetType::Instance);
    EXPECT_EQ(web_tg.health_check.protocol, LbProtocol::Http);
    EXPECT_EQ(web_tg.health_check.path, "/");
    EXPECT_EQ(web_tg.health_check.matcher, "200");
    EXPECT_EQ(web_tg.health_check.interval, 30u);
    EXPECT_EQ(web_tg.health_check.timeout, 5u);
    EXPECT_EQ(web_tg.health_check.healthy_threshold, 5u);
    EXPECT_EQ(web_tg.health_check.unhealthy_threshold, 2u);
    EXPECT_FALSE(web_tg.health_check.port) << "traffic-port";
    EXPECT_FALSE(web_tg.preserve_client_ip) << "an ALB connects from its own nodes";
    EXPECT_EQ(web_tg.deregistration_delay, 300u);
    EXPECT_EQ(web_tg.algorithm, LbAlgorithm::RoundRobin);
    const TargetGroup& ip_tg = t.target_groups[1];
    ASSERT_EQ(ip_tg.targets.size(), 2u);
    EXPECT_EQ(ip_tg.targets[1].ip.to_string(), "192.168.1.5") << "a private range outside the VPC";
    EXPECT_EQ(ip_tg.targets[1].port, 9090);

    // The group launches web-1..3 over the zones in turn and registers them in web-tg.
    ASSERT_EQ(t.auto_scaling_groups.size(), 1u);
    const AutoScalingGroup& asg = t.auto_scaling_groups[0];
    EXPECT_EQ(asg.health_check_type, AsgHealthCheckType::Ec2);
    ASSERT_EQ(asg.instances.size(), 3u);
    const char* expected[][3] = {{"web-1", "priv-a", "10.0.10.4"},
                                 {"web-2", "priv-b", "10.0.11.4"},
                                 {"web-3", "priv-a", "10.0.10.5"}};
    for (std::size_t k = 0; k < 3; ++k) {
        const Instance& inst = t.instances[asg.instances[k]];
        const Eni& eni = t.enis[inst.enis.front()];
        EXPECT_EQ(inst.meta.name, expected[k][0]);
        EXPECT_EQ(t.subnets[eni.subnet].meta.name, expected[k][1]) << inst.meta.name;
        EXPECT_EQ(eni.primary_ip().to_string(), expected[k][2]) << inst.meta.name;
        EXPECT_EQ(inst.auto_scaling_group, 0u);
        EXPECT_EQ(inst.user_data, "serve 80");
        ASSERT_TRUE(inst.listen.has_value());
        EXPECT_EQ(inst.listen->front().to_string(), "tcp/80");
        ASSERT_EQ(eni.security_groups.size(), 1u);
        EXPECT_EQ(t.security_groups[eni.security_groups[0]].meta.name, "web-sg");
    }
    ASSERT_EQ(web_tg.targets.size(), 3u);
    EXPECT_EQ(web_tg.targets[2].instance, asg.instances[2]);
    EXPECT_EQ(web_tg.targets[2].registered_by, 0u);
    EXPECT_EQ(t.instances[0].auto_scaling_group, kNone) << "solo was written in the file";
}

TEST(LoadBalancing, NetworkLoadBalancerDefaultsFollowTheTargetType) {
    const LoadResult r = load_topology_text(kVpc + R"(    load_balancers:
      - name: nlb
        type: network
        subnets: [{subnet: pub-a, elastic_ip: nlb-a}, pub-b]
        listeners:
          - {protocol: TCP, port: 5432, default_action: {forward: by-instance}}
          - {protocol: TLS, port: 443, certificate: db.example.com, default_action: {forward: by-ip}}
          - {protocol: UDP, port: 53, default_action: {forward: dns}}
    target_groups:
      - {name: by-instance, protocol: TCP, port: 5432, targets: [solo]}
      - {name: by-ip, target_type: ip, protocol: TCP, port: 443, targets: [10.0.10.100]}
      - {name: dns, target_type: ip, protocol: UDP, port: 53, health_check: {protocol: HTTP, port: "8080"}}
elastic_ips:
  - {name: nlb-a, address: 198.51.100.40}
)",
                                            "t.yaml");
    ASSERT_TRUE(r.ok()) << problems(r);
    const Topology& t = *r.topology;
    const LoadBalancer& lb = t.load_balancers[0];
    EXPECT_FALSE(lb.cross_zone) << "off by default for an NLB";
    EXPECT_TRUE(lb.security_groups.empty()) << "optional for an NLB";
    EXPECT_EQ(t.elastic_ips[lb.nodes[0].elastic_ip].target_kind, EipTargetKind::LoadBalancer);
    EXPECT_FALSE(lb.nodes[0].public_ip) << "its Elastic IP is its public address";
    EXPECT_EQ(lb.nodes[1].public_ip->to_string(), "192.0.2.1");
    const TargetGroup& by_instance = t.target_groups[0];
    EXPECT_TRUE(by_instance.preserve_client_ip) << "on for instance targets";
    EXPECT_EQ(by_instance.health_check.protocol, LbProtocol::Tcp);
    EXPECT_EQ(by_instance.health_check.timeout, 10u);
    EXPECT_EQ(by_instance.health_check.path, "") << "no path for a TCP check";
    EXPECT_FALSE(t.target_groups[1].preserve_client_ip) << "off for ip targets over TCP";
    const TargetGroup& dns = t.target_groups[2];
    EXPECT_TRUE(dns.preserve_client_ip) << "always on for UDP";
    EXPECT_EQ(dns.health_check.timeout, 6u) << "6 s for an HTTP check of an NLB group";
    EXPECT_EQ(dns.health_check.matcher, "200-399");
    EXPECT_EQ(dns.health_check.port, 8080);
}

TEST(LoadBalancing, AnAlbNeedsTwoZonesAndASecurityGroup) {
    EXPECT_EQ(
        diagnostics_of(kVpc + R"(    load_balancers:
      - {name: one-zone, type: application, subnets: [pub-a]}
      - {name: same-zone, type: network, subnets: [pub-a, pub-a2]}
)"),
        (Lines{"t.yaml:20:9: error: load balancer 'one-zone': an Application Load Balancer without "
               "security groups; expected 'security_groups' with 1 to 5 groups",
               "t.yaml:20:54: error: load balancer 'one-zone': an Application Load Balancer with 1 "
               "subnet; expected subnets in at least two availability zones",
               "t.yaml:21:59: error: load balancer 'same-zone': subnet 'pub-a2' is in us-east-1a, "
               "as subnet 'pub-a' is; expected one subnet per availability zone"}));
}

TEST(LoadBalancing, ListenersNeedCertificatesForTlsAndUniquePortsInRange) {
    EXPECT_EQ(
        diagnostics_of(kVpc + R"(    load_balancers:
      - name: alb
        type: application
        subnets: [pub-a, pub-b]
        security_groups: [lb-sg]
        listeners:
          - {protocol: HTTPS, port: 443, default_action: {forward: tg}}
          - {protocol: HTTP, port: 443, default_action: {forward: tg}}
          - {protocol: HTTP, port: 0, default_action: {forward: tg}}
          - {protocol: TCP, port: 22, default_action: {forward: tg}}
          - {protocol: HTTP, port: 8080, certificate: x, default_action: {forward: tgg}}
    target_groups:
      - {name: tg, protocol: HTTP, port: 80}
)"),
        (Lines{"t.yaml:25:13: error: load balancer 'alb': listener HTTPS 443 has no 'certificate'; "
               "expected the name of its certificate (TLS and HTTPS listeners terminate TLS)",
               "t.yaml:26:36: error: load balancer 'alb': listener HTTP 443: port 443 already has "
               "a listener (line 25); expected one listener per port",
               "t.yaml:27:36: error: load balancer 'alb': listener HTTP 0 has port 0; expected "
               "1-65535",
               "t.yaml:28:24: error: load balancer 'alb': listener TCP 22 on an Application Load "
               "Balancer; expected HTTP or HTTPS",
               "t.yaml:29:55: error: load balancer 'alb': listener HTTP 8080 has a 'certificate'; "
               "expected one only on TLS and HTTPS listeners",
               "t.yaml:29:84: error: load balancer 'alb': listener HTTP 8080 default action names "
               "unknown target group 'tgg'; did you mean 'tg'?"}));
}

TEST(LoadBalancing, RulePrioritiesAreUniqueAndFrom1To50000) {
    EXPECT_EQ(diagnostics_of(kVpc + R"(    load_balancers:
      - name: alb
        type: application
        subnets: [pub-a, pub-b]
        security_groups: [lb-sg]
        listeners:
          - protocol: HTTP
            port: 80
            default_action: {fixed-response: {status: 404}}
            rules:
              - {priority: 5, conditions: [{path-pattern: /a}], action: {forward: tg}}
              - {priority: 5, conditions: [{path-pattern: /b}], action: {forward: tg}}
              - {priority: 50001, conditions: [{path-pattern: /c}], action: {forward: tg}}
              - {priority: 7, conditions: [{path-pattern: /d}], action: {redirect: {status: 307}}}
    target_groups:
      - {name: tg, protocol: HTTP, port: 80}
)"),
              (Lines{"t.yaml:30:28: error: load balancer 'alb': listener HTTP 80 rule 5: priority "
                     "5 is already a rule's (line 29); expected unique priorities in a listener",
                     "t.yaml:31:28: error: load balancer 'alb': listener HTTP 80 rule 50001 has "
                     "priority 50001; expected 1 to 50000",
                     "t.yaml:32:93: error: load balancer 'alb': redirect 'status' is 307; expected "
                     "301 or 302"}));
}

TEST(LoadBalancing, TargetsMustBeOfTheGroupsVpcOrPrivate) {
    EXPECT_EQ(
        diagnostics_of(kVpc + R"(    target_groups:
      - {name: ips, target_type: ip, protocol: TCP, port: 80, targets: [198.51.100.9, 172.16.0.9, solo]}
      - {name: inst, protocol: TCP, port: 80, targets: [solo, {instance: solo}, other, 10.0.10.100]}
  - name: dev
    cidr: 10.9.0.0/16
    subnets: [{name: d, cidr: 10.9.0.0/24, az: us-east-1a}]
    instances: [{name: other, subnet: d}]
)"),
        (Lines{
            "t.yaml:20:73: error: target group 'ips': ip target 198.51.100.9 is a public address; "
            "expected an address of VPC 'prod' (10.0.0.0/16) or of the private ranges 10.0.0.0/8, "
            "172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10",
            "t.yaml:20:99: error: target group 'ips': target 'solo' is not an address, but the "
            "group's target_type is ip; expected an IPv4 address",
            "t.yaml:21:63: error: target group 'inst': target solo on port 80 is registered twice; "
            "expected each target and port once",
            "t.yaml:21:81: error: target group 'inst': target instance 'other' is in VPC 'dev'; "
            "expected an instance of the target group's VPC 'prod'",
            "t.yaml:21:88: error: target group 'inst': target 10.0.10.100 is an address, but the "
            "group's target_type is instance; expected an instance name (or target_type: ip)"}));
}

TEST(LoadBalancing, HealthCheckRangesAreTheClouds) {
    EXPECT_EQ(diagnostics_of(kVpc + R"(    target_groups:
      - name: tg
        protocol: HTTP
        port: 80
        health_check: {protocol: TCP, interval: 400, timeout: 30, healthy_threshold: 11, matcher: "200-600"}
      - name: slow
        protocol: TCP
        port: 80
        health_check: {interval: 10, timeout: 10, path: /health}
)"),
              (Lines{"t.yaml:23:34: error: target group 'tg': health check protocol TCP for a HTTP "
                     "target group; expected HTTP or HTTPS",
                     "t.yaml:23:49: error: target group 'tg': health check 'interval' is 400; "
                     "expected 5 to 300",
                     "t.yaml:23:86: error: target group 'tg': health check 'healthy_threshold' is "
                     "11; expected 2 to 10",
                     "t.yaml:23:99: error: target group 'tg': health check 'matcher' is '200-600'; "
                     "expected HTTP codes 200-499 as CODE, CODE,CODE or FIRST-LAST",
                     "t.yaml:27:47: error: target group 'slow': health check timeout 10 s is not "
                     "less than its interval 10 s; expected a timeout shorter than the interval",
                     "t.yaml:27:57: error: target group 'slow': health check 'path' given for a "
                     "TCP check; expected it only with HTTP or HTTPS checks"}));
}

TEST(LoadBalancing, AutoScalingSizesAndSubnetsAreChecked) {
    EXPECT_EQ(
        diagnostics_of(kVpc + R"(    launch_templates:
      - {name: lt, security_groups: [web-sg]}
    target_groups:
      - {name: ip-tg, target_type: ip, protocol: HTTP, port: 80}
    auto_scaling_groups:
      - {name: small, launch_template: lt, min_size: 2, max_size: 4, desired_capacity: 1, subnets: [priv-a]}
      - {name: far, launch_template: ltt, min_size: 1, max_size: 1, subnets: [dev/d]}
      - {name: ips, launch_template: lt, min_size: 1, max_size: 1, subnets: [priv-b], target_groups: [ip-tg]}
  - name: dev
    cidr: 10.9.0.0/16
    subnets: [{name: d, cidr: 10.9.0.0/24, az: us-east-1a}]
)"),
        (Lines{"t.yaml:24:88: error: Auto Scaling group 'small': desired_capacity 1 is outside "
               "min_size 2 to max_size 4; expected min_size <= desired_capacity <= max_size",
               "t.yaml:25:38: error: Auto Scaling group 'far': 'launch_template' names unknown "
               "launch template 'ltt'; did you mean 'lt'?",
               "t.yaml:25:79: error: Auto Scaling group 'far': 'subnets' names subnet 'dev/d' of "
               "VPC 'dev'; expected a subnet of VPC 'prod'",
               "t.yaml:26:103: error: Auto Scaling group 'ips': target group 'ip-tg' has "
               "target_type ip; expected groups of target_type instance (an Auto Scaling group "
               "registers instances)"}));
}

TEST(LoadBalancing, ATargetGroupOfAnotherVpcCannotBeForwardedTo) {
    EXPECT_EQ(
        diagnostics_of(kVpc + R"(    load_balancers:
      - name: nlb
        type: network
        subnets: [pub-a]
        listeners: [{protocol: TCP, port: 80, default_action: {forward: dev/tg}}]
  - name: dev
    cidr: 10.9.0.0/16
    target_groups: [{name: tg, protocol: TCP, port: 80}]
)"),
        (Lines{"t.yaml:23:73: error: load balancer 'nlb': listener TCP 80 default action names "
               "target group 'dev/tg' of VPC 'dev'; expected a target group of VPC 'prod'"}));
}

TEST(LoadBalancing, TheReaderNamesUnknownKeysAndBadValues) {
    EXPECT_EQ(
        diagnostics_of(kVpc + R"(    load_balancers:
      - {name: lb, type: classic, subnets: [pub-a], schema: internal}
    target_groups:
      - {name: tg, protocol: HTTP, port: 80, stickiness: {type: cookie}}
)"),
        (Lines{
            "t.yaml:20:26: error: load balancer 'lb': 'type' is 'classic'; expected network or "
            "application",
            "t.yaml:20:53: error: load balancer 'lb': unknown key 'schema'; did you mean 'scheme'?",
            "t.yaml:22:65: error: target group 'tg': 'type' is 'cookie'; expected lb_cookie, "
            "app_cookie or source_ip"}));
}

TEST(LoadBalancing, WarnsOfWhatTheCloudAcceptsButLeavesTargetsWithoutTraffic) {
    EXPECT_EQ(
        diagnostics_of(kVpc + R"(    load_balancers:
      - name: alb
        type: application
        subnets: [pub-a, pub-b]
        security_groups: [lb-sg]
        listeners: [{protocol: HTTP, port: 80, default_action: {forward: app}}]
      - name: nlb
        type: network
        subnets: [pub-b]
        listeners: [{protocol: TCP, port: 80, default_action: {forward: nlb-tg}}]
    target_groups:
      - {name: app, protocol: HTTP, port: 8080, targets: [solo]}
      - {name: nlb-tg, protocol: TCP, port: 80, targets: [solo]}
      - {name: spare, protocol: HTTP, port: 80}
)"),
        (Lines{
            "t.yaml:20:9: warning: load balancer 'alb': no egress rule of its security groups "
            "allows tcp/8080 to the targets of target group 'app'; expected an egress rule such as "
            "tcp/8080 to the targets' security group, or no request or health check reaches them",
            "t.yaml:30:59: warning: target group 'app': target 'solo' does not admit load balancer "
            "'alb' on tcp/8080: no ingress rule of its security groups names the load balancer's "
            "group or covers its nodes' addresses; expected a rule such as tcp/8080 from sg:lb-sg, "
            "or the target fails its health checks",
            "t.yaml:31:59: warning: target group 'nlb-tg': target 'solo' is in us-east-1a, a zone "
            "load balancer 'nlb' does not span (us-east-1b); expected a subnet of that zone in the "
            "load balancer, or the target receives no traffic from it",
            "t.yaml:32:9: warning: target group 'spare': no load balancer forwards to it; expected "
            "a listener or rule that forwards to it, or its targets receive no traffic"}));
}

TEST(LoadBalancing, TheWebStackExampleLoads) {
    const LoadResult r =
        load_topology_file(std::string(VPCSTACK_SOURCE_DIR) + "/topologies/web-stack.yaml");
    ASSERT_TRUE(r.ok()) << problems(r);
    const Topology& t = *r.topology;
    EXPECT_EQ(t.auto_scaling_groups.at(0).instances.size(), 3u);
    EXPECT_EQ(t.target_groups.at(0).targets.size(), 3u);
    EXPECT_EQ(r.diagnostics.warning_count(), 0u) << problems(r);
}

}  // namespace
}  // namespace vpcstack::model

namespace vpcstack::model {
namespace {

// `vpcctl lab scale`: a desired capacity given outside the file launches the group's first N
// instances, the ones the file gives keep their names, zones and addresses, and the file's
// bounds still hold.
LoadOverrides capacity(const std::string& group, std::uint32_t n) {
    LoadOverrides o;
    o.desired_capacity[group] = n;
    return o;
}

TEST(LoadBalancing, ADesiredCapacityGivenOutsideTheFileScalesTheGroup) {
    const std::string file = std::string(VPCSTACK_SOURCE_DIR) + "/topologies/web-stack.yaml";
    LoadResult three = load_topology_file(file);
    ASSERT_TRUE(three.ok()) << problems(three);
    LoadResult five = load_topology_file(file, capacity("web-asg", 5));
    ASSERT_TRUE(five.ok()) << problems(five);
    const AutoScalingGroup& asg = five.topology->auto_scaling_groups.at(0);
    ASSERT_EQ(asg.instances.size(), 5u);
    EXPECT_EQ(asg.desired_capacity, 5u);
    const Topology& t3 = *three.topology;
    const Topology& t5 = *five.topology;
    for (std::size_t k = 0; k < 3; ++k) {
        const Instance& before = t3.instances[t3.auto_scaling_groups[0].instances[k]];
        const Instance& after = t5.instances[asg.instances[k]];
        EXPECT_EQ(after.meta.name, before.meta.name);
        EXPECT_EQ(t5.enis[after.enis[0]].primary_ip(), t3.enis[before.enis[0]].primary_ip());
    }
    EXPECT_EQ(t5.instances[asg.instances[3]].meta.name, "web-asg-4");
    EXPECT_EQ(t5.subnets[t5.enis[t5.instances[asg.instances[4]].enis[0]].subnet].meta.name, "web-a")
        << "the fifth goes to the first zone again";
    EXPECT_EQ(t5.target_groups.at(0).targets.size(), 5u) << "registered in web-tg";

    LoadResult too_many = load_topology_file(file, capacity("shop/web-asg", 7));
    EXPECT_FALSE(too_many.ok());
    EXPECT_NE(problems(too_many).find("desired_capacity 7 is outside min_size 2 to max_size 6"),
              std::string::npos)
        << problems(too_many);
    LoadResult unknown = load_topology_file(file, capacity("api-asg", 2));
    EXPECT_FALSE(unknown.ok());
    EXPECT_NE(problems(unknown).find("no Auto Scaling group 'api-asg' to scale; expected one of: "
                                     "web-asg"),
              std::string::npos)
        << problems(unknown);
}

}  // namespace
}  // namespace vpcstack::model
