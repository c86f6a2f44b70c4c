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

// Where HAProxy is: the first executable `haproxy` on PATH or in the sbin directories (root's
// PATH may lack them); empty when there is none.
std::string find_haproxy();

// Writes the nodes' configuration files and links the certificate keys HAProxy reads. Throws
// std::runtime_error naming the file that could not be written.
void write_lb_nodes(const std::vector<LbNodeSetup>& nodes);

// `haproxy -c -f CONFIG` of one node: empty when HAProxy accepts the file, else its output.
std::string check_lb_node(const std::string& haproxy, const LbNodeSetup& node);

// Starts HAProxy for one node in its namespace; its pid. Throws SystemError.
int start_lb_node(std::string_view lab, const std::string& haproxy, const LbNodeSetup& node,
                  const std::string& program_dir);

// Ends the nodes' processes (SIGTERM, then SIGKILL); the pids that were still running.
std::vector<int> stop_lb_nodes(const std::vector<LbNodeRecord>& nodes, int grace_ms = 2000);

}  // namespace vpcstack::live
