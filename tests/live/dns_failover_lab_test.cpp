// Route 53 failover in a live lab, with health checks probed for real from the checkers'
// address (203.0.113.253) in the internet namespace: while web1 serves, its HTTP check passes
// and www.example.com answers the primary, from the VPC resolver and from the internet's name
// server alike, and curl by name reaches web1; once web1's server stops, the check fails within
// one interval and both answer the secondary, web2. A group that admits only the office keeps
// web3's check failing from the start (the classic mistake), and `lab status` says why. Needs
// root.
#include <signal.h>

#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>

#include "live_lab.hpp"
#include "vpcstack/live/health_checks.hpp"
#include "vpcstack/live/user_data.hpp"

namespace vpcstack::live {
namespace {

using namespace lab_testing;
using namespace std::chrono_literals;

const std::string kTopology = R"(region: us-east-1
vpcs:
  - name: hc
    cidr: 10.61.0.0/16
    internet_gateway: igw
    subnets:
      - {name: public, cidr: 10.61.1.0/24, route_table: public-rt}
      - {name: private, cidr: 10.61.2.0/24}
    route_tables:
      - {name: public-rt, routes: [0.0.0.0/0 -> igw]}
    security_groups:
      - {name: web-sg, ingress: [tcp/80 from 0.0.0.0/0], egress: [all to 0.0.0.0/0]}
      - {name: office-only, ingress: [tcp/80 from 198.51.100.0/24], egress: [all to 0.0.0.0/0]}
      - {name: app-sg, ingress: [], egress: [all to 0.0.0.0/0]}
    instances:
      - {name: web1, subnet: public, private_ip: 10.61.1.10, public_ip: 203.0.113.61, security_groups: [web-sg], listen: [tcp/80], user_data: vpcctl serve http --port 80}
      - {name: web2, subnet: public, private_ip: 10.61.1.11, public_ip: 203.0.113.62, security_groups: [web-sg], listen: [tcp/80], user_data: vpcctl serve http --port 80}
      - {name: web3, subnet: public, private_ip: 10.61.1.12, public_ip: 203.0.113.63, security_groups: [office-only], listen: [tcp/80], user_data: vpcctl serve http --port 80}
      - {name: app, subnet: private, private_ip: 10.61.2.10, security_groups: [app-sg]}
hosted_zones:
  - name: example.com
    records:
      - {name: www, type: A, ttl: 10, values: [203.0.113.61], set_identifier: one, failover: primary, health_check: web-1}
      - {name: www, type: A, ttl: 10, values: [203.0.113.62], set_identifier: two, failover: secondary}
      - {name: office, type: A, ttl: 10, values: [203.0.113.63], set_identifier: one, failover: primary, health_check: web-3}
      - {name: office, type: A, ttl: 10, values: [203.0.113.62], set_identifier: two, failover: secondary}
health_checks:
  - {name: web-1, type: HTTP, ip: 203.0.113.61, port: 80, path: /health, interval: 10, failure_threshold: 1}
  - {name: web-2, type: TCP, ip: 203.0.113.62, port: 80, interval: 10, failure_threshold: 1}
  - {name: web-3, type: HTTP, ip: 203.0.113.63, port: 80, path: /health, interval: 10, failure_threshold: 1}
  - {name: both, type: CALCULATED, children: [web-1, web-2], healthy_threshold: 2}
internet_hosts:
  - {name: client, address: 198.51.100.61}
)";

std::string dig(const Lab& lab, const std::string& where, std::vector<std::string> args) {
    std::vector<std::string> command{"dig", "+short", "+time=2", "+tries=1"};
    command.insert(command.end(), args.begin(), args.end());
    return lab.exec(where, command).output;
}

// The check's record in the engine's status reply; an empty record when it is not there.
HealthCheckRecord check(const Lab& lab, const std::string& name) {
    for (const HealthCheckRecord& r : health_records_from_json(lab.status()["health_checks"])) {
        if (r.name == name) return r;
    }
    return {};
}

std::string engine_log(const Lab& lab) {
    std::ifstream in(engine_log_path(lab.name()));
    std::stringstream text;
    text << in.rdbuf();
    return text.str();
}

TEST(LiveDnsFailover, AFailedHealthCheckMovesBothResolversToTheSecondary) {
    SKIP_UNLESS_LIVE();
    ASSERT_EQ(::access("/usr/bin/dig", X_OK), 0) << "dig is missing (tools/install-deps.sh)";
    TopologyFile file("hc", kTopology);
    Lab lab(file.path(), "hc");
    ASSERT_EQ(lab.up().code, 0) << lab.up().output;

    // The first probes may come before the servers listen: wait for a passing one.
    ASSERT_TRUE(eventually(
        [&] {
            const HealthCheckRecord r = check(lab, "web-1");
            return r.healthy && r.last_result.find(": 200") != std::string::npos;
        },
        25s, 500ms))
        << "web-1: " << check(lab, "web-1").last_result;
    EXPECT_TRUE(eventually([&] {
        const HealthCheckRecord r = check(lab, "web-2");
        return r.healthy && r.last_result == "tcp/80 to 203.0.113.62 connected";
    })) << check(lab, "web-2").last_result;
    EXPECT_TRUE(eventually([&] { return check(lab, "both").healthy; }))
        << check(lab, "both").last_result;

    EXPECT_EQ(dig(lab, "app", {"@10.61.0.2", "www.example.com"}), "203.0.113.61\n");
    EXPECT_EQ(dig(lab, "client", {"www.example.com"}), "203.0.113.61\n");
    Result curl = lab.exec("client", {"curl", "-s", "--max-time", "5", "http://www.example.com/"});
    EXPECT_NE(curl.output.find("instance: web1"), std::string::npos) << curl.output;

    // The classic mistake: web3's group admits the office, not the checkers. The probes time
    // out, so office.example.com answers its secondary, though the office reaches web3.
    // Unhealthy from the start (the simulation's prediction, until the first probe's 4 s are
    // up), then by the probes' own result.
    EXPECT_FALSE(check(lab, "web-3").healthy) << check(lab, "web-3").last_result;
    EXPECT_TRUE(eventually(
        [&] {
            return check(lab, "web-3").last_result ==
                   "http/80 to 203.0.113.63 timed out (no connection within 4 s)";
        },
        10s, 250ms))
        << check(lab, "web-3").last_result;
    EXPECT_FALSE(check(lab, "web-3").healthy);
    EXPECT_EQ(dig(lab, "app", {"@10.61.0.2", "office.example.com"}), "203.0.113.62\n");
    EXPECT_EQ(dig(lab, "client", {"office.example.com"}), "203.0.113.62\n");
    Result office = lab.exec("client", {"curl", "-s", "--max-time", "5", "http://203.0.113.63/"});
    EXPECT_NE(office.output.find("instance: web3"), std::string::npos) << office.output;

    // Stop web1's server: its user data's process group.
    auto state = read_state(lab.name());
    ASSERT_TRUE(state.has_value());
    int web1 = 0;
    for (const UserDataRecord& u : state->user_data) {
        if (u.instance == "web1") web1 = u.pid;
    }
    ASSERT_GT(web1, 0) << "web1's user data is recorded";
    const auto stopped = std::chrono::steady_clock::now();
    ASSERT_EQ(::kill(-web1, SIGTERM), 0);
    ASSERT_TRUE(eventually([&] { return !process_group_alive(web1); }, 5s));

    // Within one interval (threshold 1) and a margin, both resolvers answer the secondary.
    ASSERT_TRUE(eventually([&] { return !check(lab, "web-1").healthy; }, 20s, 250ms))
        << check(lab, "web-1").last_result;
    const double took =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - stopped).count();
    EXPECT_LT(took, 10.0 + 5.0) << "one interval of 10 s and a margin";
    EXPECT_EQ(check(lab, "web-1").last_result, "http/80 to 203.0.113.61 refused");
    EXPECT_FALSE(check(lab, "both").healthy) << "one of its two children is healthy";
    EXPECT_TRUE(eventually([&] {
        return dig(lab, "app", {"@10.61.0.2", "www.example.com"}) == "203.0.113.62\n";
    }));
    EXPECT_TRUE(eventually([&] {
        return dig(lab, "client", {"www.example.com"}) == "203.0.113.62\n";
    })) << "the internet's name server reads the engine's statuses";
    curl = lab.exec("client", {"curl", "-s", "--max-time", "5", "http://www.example.com/"});
    EXPECT_NE(curl.output.find("instance: web2"), std::string::npos) << curl.output;

    // The engine's log and `lab status` say what happened.
    EXPECT_NE(engine_log(lab).find("health check web-1: unhealthy (http/80 to 203.0.113.61 "
                                   "refused) after 1 failure"),
              std::string::npos)
        << engine_log(lab);
    Result text = run({kVpcctl, "lab", "status", lab.name()});
    EXPECT_EQ(text.code, 0) << text.output;
    EXPECT_NE(text.output.find("route 53 health checks (probed from 203.0.113.253):"),
              std::string::npos)
        << text.output;
    EXPECT_NE(text.output.find("web-1            HTTP       unhealthy since "), std::string::npos)
        << text.output;
    EXPECT_NE(text.output.find("1 failed in a row: http/80 to 203.0.113.61 refused"),
              std::string::npos)
        << text.output;
    EXPECT_NE(text.output.find("timed out (no connection within 4 s)"), std::string::npos)
        << "web-3's reason: " << text.output;
    Result json_status = run({kVpcctl, "lab", "status", lab.name(), "--json"});
    auto doc = nlohmann::json::parse(json_status.output, nullptr, false);
    ASSERT_FALSE(doc.is_discarded()) << json_status.output;
    ASSERT_EQ(doc["health_checks"].size(), 4u) << json_status.output;
    EXPECT_EQ(doc["health_checks"][0]["name"], "web-1");
    EXPECT_EQ(doc["health_checks"][0]["healthy"], false);
    EXPECT_GE(doc["health_checks"][0]["consecutive"].get<int>(), 1);
}

}  // namespace
}  // namespace vpcstack::live
