// The Application Load Balancer in a live lab: topologies/web-stack.yaml brought up, each ALB
// node a namespace running HAProxy, the web servers and the app tier `vpcctl serve http` from
// their user data. From the internet's client, curl speaks HTTPS to the node's public address
// and verifies the lab CA's certificate of shop.example.com; the requests spread over the web
// servers, the AWSALB cookie keeps a client on one, the target sees the client in
// X-Forwarded-For, HTTP is redirected to HTTPS, /api/* reaches the app tier, and a web server
// that stops is left out once its health checks fail. The simulation's answer to the same
// requests (sim::Simulation::http) must be the live one. Needs root.
#include <signal.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "live_lab.hpp"
#include "support/run_command.hpp"
#include "vpcstack/live/instance_env.hpp"
#include "vpcstack/live/lab_state.hpp"
#include "vpcstack/live/lb_nodes.hpp"
#include "vpcstack/live/user_data.hpp"
#include "vpcstack/model/loader.hpp"
#include "vpcstack/sim/simulation.hpp"

namespace vpcstack::live {
namespace {

using namespace lab_testing;
using namespace std::chrono_literals;
using test_support::read_file;

const std::string kWebStack = kTopologies + "web-stack.yaml";
// The public address of shop-alb's node in us-east-1a (`vpcctl check topologies/web-stack.yaml`).
const std::string kNodeAddress = "192.0.2.1";
const std::string kNode = "shop-alb-us-east-1a";
const std::string kClient = "198.51.100.7";
const std::set<std::string> kWebServers = {"web-asg-1", "web-asg-2", "web-asg-3"};
const std::set<std::string> kAppServers = {"app-1", "app-2"};

// One answer as curl saw it.
struct Answer {
    int curl_code = -1;
    int status = 0;
    std::string headers;  // as received, CRLF between lines
    std::string body;
    std::string output;  // everything, for messages

    // The instance the body names ("instance: web-asg-2"), empty when none.
    std::string instance() const {
        const std::string key = "instance: ";
        auto at = body.find(key);
        if (at == std::string::npos) return "";
        auto end = body.find('\n', at);
        return body.substr(at + key.size(), end - at - key.size());
    }
    // A response header's value (its name in any case), empty when absent.
    std::string header(const std::string& name) const {
        std::size_t start = 0;
        while (start < headers.size()) {
            std::size_t end = headers.find("\r\n", start);
            if (end == std::string::npos) end = headers.size();
            const std::string line = headers.substr(start, end - start);
            const auto colon = line.find(':');
            if (colon != std::string::npos && lower(line.substr(0, colon)) == lower(name)) {
                return line.substr(line.find_first_not_of(' ', colon + 1));
            }
            start = end + 2;
        }
        return "";
    }
    static std::string lower(std::string text) {
        std::transform(text.begin(), text.end(), text.begin(),
                       [](char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c; });
        return text;
    }
};

// curl from the internet's client to shop.example.com, resolved to the node's public address.
Answer request(const Lab& lab, const std::string& url, std::vector<std::string> extra = {}) {
    const bool https = url.starts_with("https://");
    std::vector<std::string> command{
        "curl",       "-sS",
        "--max-time", "5",
        "--resolve",  "shop.example.com:" + std::string(https ? "443" : "80") + ":" + kNodeAddress,
        "-D",         "-",
        "-w",         "\nstatus=%{http_code}\n"};
    if (auto ca = lab_ca_file(lab.name())) {
        command.insert(command.end(), {"--cacert", *ca});
    }
    command.insert(command.end(), extra.begin(), extra.end());
    command.push_back(url);
    Result run = lab.exec("client", command);
    Answer answer;
    answer.curl_code = run.code;
    answer.output = run.output;
    const std::string& out = run.output;
    auto split = out.find("\r\n\r\n");
    if (split != std::string::npos) {
        answer.headers = out.substr(0, split);
        answer.body = out.substr(split + 4);
    }
    if (auto at = out.rfind("\nstatus="); at != std::string::npos) {
        answer.status = std::atoi(out.c_str() + at + 8);
        if (split != std::string::npos && at > split + 4) {
            answer.body = out.substr(split + 4, at - split - 4);
        }
    }
    return answer;
}

std::string https_url(const std::string& path) {
    return "https://shop.example.com" + path;
}

// What `lab up` says and made for the load balancer's nodes.
void expect_nodes_running(const Lab& lab) {
    EXPECT_NE(lab.up().output.find("load balancer nodes: 2 started"), std::string::npos)
        << lab.up().output;
    auto state = read_state(lab.name());
    ASSERT_TRUE(state.has_value());
    ASSERT_EQ(state->lb_nodes.size(), 2u);
    for (const auto& node : state->lb_nodes) {
        EXPECT_TRUE(process_group_alive(node.pid)) << node.node << ": HAProxy is not running\n"
                                                   << read_file(node.log);
    }
}

TEST(LiveAlb, HttpsThroughTheNodesHaproxyVerifiesSpreadsSticksForwardsRedirectsAndHealthChecks) {
    SKIP_UNLESS_LIVE();
    std::vector<int> haproxy_pids;
    {
        Lab lab(kWebStack, "alb");
        ASSERT_EQ(lab.up().code, 0) << lab.up().output;
        expect_nodes_running(lab);
        for (const auto& node : read_state(lab.name()).value_or(LabState{}).lb_nodes) {
            haproxy_pids.push_back(node.pid);
        }
        // The node is a host of the lab: its ENI with its private address in its namespace.
        Result addr = lab.exec(kNode, {"ip", "-4", "addr", "show", "dev", "eth0"});
        EXPECT_EQ(addr.code, 0) << addr.output;
        EXPECT_NE(addr.output.find("inet 10.20.0."), std::string::npos) << addr.output;

        // The first request: verified against the lab's CA, answered by a web server.
        Answer first;
        EXPECT_TRUE(eventually(
            [&] {
                first = request(lab, https_url("/"));
                return first.curl_code == 0 && first.status == 200;
            },
            15000ms))
            << first.output << "\nnode log:\n"
            << read_file(lb_node_dir(lab.name()) + "/" + kNode + ".log");
        EXPECT_EQ(kWebServers.count(first.instance()), 1u) << first.output;
        // AWS: x-forwarded-headers — the target sees the client's address and the protocol.
        EXPECT_NE(first.body.find("x-forwarded-for: " + kClient + "\n"), std::string::npos)
            << first.body;
        EXPECT_NE(first.body.find("x-forwarded-proto: https\n"), std::string::npos) << first.body;
        EXPECT_NE(first.body.find("x-forwarded-port: 443\n"), std::string::npos) << first.body;

        // Without a cookie, 30 requests reach all three web servers.
        std::map<std::string, int> seen;
        for (int i = 0; i < 30; ++i) {
            Answer a = request(lab, https_url("/"));
            EXPECT_EQ(a.status, 200) << a.output;
            ++seen[a.instance()];
        }
        for (const auto& server : kWebServers) {
            EXPECT_GT(seen[server], 0) << server << " got none of 30 requests";
        }

        // AWS: sticky-sessions — the AWSALB cookie of an answer keeps the client on its target.
        const std::string set_cookie = first.header("set-cookie");
        ASSERT_TRUE(set_cookie.starts_with("AWSALB=")) << first.headers;
        const std::string cookie = set_cookie.substr(0, set_cookie.find(';'));
        for (int i = 0; i < 5; ++i) {
            Answer a = request(lab, https_url("/"), {"-H", "Cookie: " + cookie});
            EXPECT_EQ(a.status, 200) << a.output;
            EXPECT_EQ(a.instance(), first.instance()) << "request " << i << " left its target";
        }

        // The HTTP listener redirects to HTTPS (301).
        Answer http = request(lab, "http://shop.example.com/");
        EXPECT_EQ(http.status, 301) << http.output;
        EXPECT_EQ(http.header("location"), "https://shop.example.com:443/") << http.headers;

        // Rule 10: /api/* to the app tier.
        Answer api = request(lab, https_url("/api/x"));
        EXPECT_EQ(api.status, 200) << api.output;
        EXPECT_EQ(kAppServers.count(api.instance()), 1u) << api.output;

        // A web server that stops: once its health checks fail (interval 10 s, unhealthy
        // threshold 2), no request reaches it.
        auto state = read_state(lab.name());
        ASSERT_TRUE(state.has_value());
        const std::string victim = first.instance();
        int victim_pid = 0;
        for (const auto& script : state->user_data) {
            if (script.instance == victim) victim_pid = script.pid;
        }
        ASSERT_NE(victim_pid, 0) << "no user data for " << victim;
        ASSERT_EQ(::kill(-victim_pid, SIGTERM), 0);
        int clean_run = 0;
        std::map<std::string, int> after;
        const bool avoided = eventually(
            [&] {
                Answer a = request(lab, https_url("/"));
                const bool hit = a.status != 200 || a.instance() == victim;
                clean_run = hit ? 0 : clean_run + 1;
                if (clean_run > 0) ++after[a.instance()];
                return clean_run >= 12;
            },
            40000ms);
        EXPECT_TRUE(avoided) << "requests still reach " << victim
                             << " (or fail) 40 s after it stopped";
        EXPECT_EQ(after.count(victim), 0u);
        EXPECT_GE(after.size(), 2u) << "the two healthy servers share the requests";
    }  // lab down
    for (int pid : haproxy_pids) {
        EXPECT_FALSE(process_group_alive(pid)) << "HAProxy " << pid << " outlived the lab";
    }
}

// The target group an answer came from, by the target's name: the group of `action` (a forward)
// that has it registered, or empty.
std::string group_holding(const model::Topology& t, const model::ListenerAction& action,
                          const std::string& target) {
    for (const auto& weighted : action.target_groups) {
        const auto& group = t.target_groups[weighted.target_group];
        for (const auto& registered : group.targets) {
            if (registered.instance != model::kNone &&
                t.instances[registered.instance].meta.name == target) {
                return group.meta.name;
            }
        }
    }
    return "";
}

TEST(LiveAlb, TheSimulationsAnswerToARequestIsTheLiveLabs) {
    SKIP_UNLESS_LIVE();
    auto loaded = model::load_topology_file(kWebStack);
    ASSERT_TRUE(loaded.ok());
    const model::Topology& topology = *loaded.topology;
    sim::Simulation sim(topology);

    Lab lab(kWebStack, "albsim");
    ASSERT_EQ(lab.up().code, 0) << lab.up().output;
    Answer warm;
    ASSERT_TRUE(eventually(
        [&] {
            warm = request(lab, https_url("/"));
            return warm.status == 200;
        },
        15000ms))
        << warm.output;

    struct Case {
        std::string path;
        std::uint16_t port;
    };
    for (const Case& c : {Case{"/", 443}, Case{"/api/x", 443}, Case{"/index.html", 80}}) {
        SCOPED_TRACE(c.path + " on port " + std::to_string(c.port));
        lb::HttpRequest r;
        r.host = "shop.example.com";
        r.path = c.path;
        const sim::ExchangeId id = sim.http("client", kNode, c.port, r);
        sim.run_until_idle();
        const sim::HttpExchange& simulated = sim.exchange(id);
        ASSERT_TRUE(simulated.done());
        ASSERT_NE(simulated.match.action, nullptr);

        const std::string url =
            (c.port == 443 ? "https://" : "http://") + std::string("shop.example.com") + c.path;
        Answer live = request(lab, url);
        EXPECT_EQ(live.status, simulated.status) << live.output;
        if (simulated.answer == sim::HttpAnswer::Redirect) {
            EXPECT_EQ(live.header("location"), simulated.response_header("Location"));
            continue;
        }
        // The same rule answered: the live target is in the group the simulation's rule
        // forwards to, as the simulation's own target is.
        const model::ListenerAction& action = *simulated.match.action;
        ASSERT_EQ(action.kind, model::ActionKind::Forward);
        const std::string sim_group = group_holding(topology, action, simulated.body);
        EXPECT_FALSE(sim_group.empty()) << "the simulation's target " << simulated.body;
        EXPECT_EQ(group_holding(topology, action, live.instance()), sim_group)
            << "live target " << live.instance() << ", simulated " << simulated.body << " (rule "
            << (simulated.match.priority ? std::to_string(*simulated.match.priority)
                                         : std::string("default"))
            << ")";
    }
}

}  // namespace
}  // namespace vpcstack::live
