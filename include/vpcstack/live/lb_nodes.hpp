// Application Load Balancer nodes in a live lab: each node is a namespace of the lab (its ENI
// as eth0, lab_plan.hpp) in which HAProxy plays the node, with the configuration
// lb::haproxy_config writes from the topology (listeners on the node's private address, rules,
// target groups, health checks, stickiness, X-Forwarded headers). The engine carries the
// clients' connections to the node's ENI and the node's own connections to the targets, and
// judges both as the cloud does (the node's security groups, both subnets' ACLs).
//
// `lab up`, before the engine starts: writes every node's configuration into <lab dir>/lb/,
// links each certificate's key where HAProxy looks for it (<certificate>.key), and has HAProxy
// check the file (`haproxy -c -f`); a missing HAProxy or a rejected file fails `lab up`. Once the
// engine answers: starts `haproxy -f CONFIG -db` in each node's namespace (in the foreground,
// detached in a session of its own as user data is, user_data.hpp), its output in
// <lab dir>/lb/<node>.log. `lab down` ends them.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "vpcstack/lb/haproxy.hpp"
#include "vpcstack/live/lab_plan.hpp"
#include "vpcstack/live/lab_state.hpp"
#include "vpcstack/model/topology.hpp"

namespace vpcstack::live {

std::string lb_node_dir(std::string_view lab);
// The Unix datagram socket the nodes' HAProxy sends its request log to (nothing listens unless
// the user does, e.g. `socat -u UNIX-RECV:PATH -`).
std::string lb_log_socket_path(std::string_view lab);

// One node, ready to start.
struct LbNodeSetup {
    std::string node;   // the node ENI's name
    std::string netns;  // its namespace
    std::filesystem::path config_file;
    std::filesystem::path log;
    lb::HaproxyConfig config;
};

// The nodes of every Application Load Balancer in the plan, in its order, with their
// configuration (nothing written yet).
std::vector<LbNodeSetup> plan_lb_nodes(std::string_view lab, const LabPlan& plan,
                                       const model::Topology& topology);

// Where HAProxy is: $VPCSTACK_HAPROXY when set (empty when that is not an executable file), else
// the first executable `haproxy` on PATH or in the sbin directories (root's PATH may lack them);
// empty when there is none.
std::string find_haproxy();
inline constexpr const char* kHaproxyVariable = "VPCSTACK_HAPROXY";

// Writes the nodes' configuration files and links the certificate keys HAProxy reads. Throws
// std::runtime_error naming the file that could not be written.
void write_lb_nodes(const std::vector<LbNodeSetup>& nodes);

// `haproxy -c -f CONFIG` of one node: empty when HAProxy accepts the file, else its output.
std::string check_lb_node(const std::string& haproxy, const LbNodeSetup& node);

// Starts HAProxy for one node in its namespace; its pid. Throws SystemError.
int start_lb_node(std::string_view lab, const std::string& haproxy, const LbNodeSetup& node,
                  const std::string& program_dir);

// Reconfigures a running node without dropping its connections: writes the node's new
// configuration, has HAProxy check it, and starts a new HAProxy in the namespace with
// `-sf old_pid`. The new process binds the listeners beside the old one (HAProxy sets
// SO_REUSEPORT on Linux), then tells the old one to stop listening; the old one finishes its
// connections and exits, at the latest after the configuration's hard-stop-after (the longest
// deregistration delay). Servers keep their names (lb::haproxy_server_name) and cookie values,
// so stickiness survives. Returns the new pid (its process group, for stop_lb_nodes). Throws
// std::runtime_error naming the file when HAProxy rejects it (the old process keeps running),
// SystemError when the new one cannot start.
int reload_lb_node(std::string_view lab, const std::string& haproxy, const LbNodeSetup& node,
                   int old_pid, const std::string& program_dir);

// A line of a node's statistics: a frontend (server "FRONTEND"), a backend ("BACKEND") or a
// server. A server line's target: its name is lb::haproxy_server_name of the target (instance
// name or IP, and port; "-failopen" after it for the fail-open backup), its address the
// target's "ip:port".
using LbServerStats = lb::HaproxyServerStats;

// The statistics of a node's HAProxy (`show stat` on its stats socket, lb::HaproxyConfig's
// stats_socket). Empty with `*error` set (when given) if the socket does not answer or the
// answer is not HAProxy's CSV.
std::vector<LbServerStats> read_lb_node_stats(const std::string& socket_path,
                                              std::string* error = nullptr);

// Ends the nodes' processes (SIGTERM, then SIGKILL); the pids that were still running.
std::vector<int> stop_lb_nodes(const std::vector<LbNodeRecord>& nodes, int grace_ms = 2000);

}  // namespace vpcstack::live
