// Making and removing a lab's namespaces and devices (the plan is in lab_plan.hpp).
//
// Bring-up never forks: per namespace, unshare(CLONE_NEWNET) on this thread, IPv6 off, the TAPs
// opened right there (or the veth created with its host end placed straight into the engine
// namespace), and every link, address, route and rule request sent by rtnetlink, up to 64 in
// one message (all of an instance's in one). Devices are created where they live, never moved
// (measured: a move costs ~20 ms of kernel waiting).
//
// Tear-down ends the load balancer nodes' HAProxy and the instances' user data, stops the engine,
// kills whatever still runs inside the lab's namespaces, and unmounts them all at once so the
// kernel deletes their devices in batches.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "vpcstack/engine/port.hpp"
#include "vpcstack/live/lab_plan.hpp"
#include "vpcstack/live/netns.hpp"

namespace vpcstack::live {

enum class Attach : std::uint8_t { Tap, Veth };
std::optional<Attach> parse_attach(std::string_view text);
std::string_view to_string(Attach attach);

// One engine port as the kernel sees it.
struct LivePort {
    engine::PortId port = 0;
    Fd fd;               // TAP fd or AF_PACKET socket
    std::string netns;   // where the device is
    std::string device;  // its name there
    std::string owner;   // instance name, ALB node ENI name or "internet"
};

struct BringUpOptions {
    Attach attach = Attach::Tap;
    bool offload = true;  // virtio_net_hdr, checksum and TSO offloads
    // Namespaces made in parallel. Measured here: no gain (the kernel serialises on its
    // locks), so one by default.
    std::size_t threads = 1;
    // Veth: the engine namespace exists already (a running lab makes more namespaces).
    bool engine_namespace_exists = false;
};

// Creates everything in the plan and returns the engine's ports. On failure throws SystemError;
// what was already created stays, named with the lab's prefix, for tear_down to remove.
std::vector<LivePort> bring_up(const LabPlan& plan, const BringUpOptions& options);

// Closes the ports' fds in parallel (each close of a packet socket waits for the kernel).
void close_ports(std::vector<LivePort>& ports);

struct TearDownReport {
    int engine_pid = 0;                   // the engine stopped, 0 when none was running
    bool engine_killed = false;           // it had to be killed (SIGKILL)
    std::vector<std::string> namespaces;  // namespaces removed
    std::vector<int> lb_nodes_stopped;    // ALB nodes' HAProxy still running (lb_nodes.hpp)
    std::vector<int> user_data_stopped;   // user data scripts still running (user_data.hpp)
    std::vector<int> killed_pids;         // other processes that were inside them
    bool state_removed = false;
    std::vector<std::string> errors;
    double milliseconds = 0;
};

// Removes everything `lab up` made for `lab`: idempotent, and works without the engine.
TearDownReport tear_down(std::string_view lab);

}  // namespace vpcstack::live
