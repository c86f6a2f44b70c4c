// A lab's record on disk, /run/vpcstack/<lab>/: state.json (what `lab up` made and how to find
// it again), engine.log (the engine daemon's output), control.sock (the daemon's socket),
// certs/ (the lab's CA and certificates), user-data/ (the output of instances' user data) and
// lb/ (the HAProxy configuration, log, pid file and stats socket of each ALB node).
// `lab down` works from this record and from the namespace prefix alone, so it cleans up after
// an engine killed with SIGKILL too.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vpcstack/model/loader.hpp"
#include "vpcstack/observe/flow_log.hpp"

namespace vpcstack::live {

inline constexpr std::string_view kStateRoot = "/run/vpcstack";

std::string lab_dir(std::string_view lab);
std::string state_path(std::string_view lab);
std::string control_socket_path(std::string_view lab);
std::string engine_log_path(std::string_view lab);
// The lab's certificate authority and the certificates it issued (certificates.hpp).
std::string certificate_dir(std::string_view lab);

struct DeviceRecord {
    std::string netns;
    std::string name;
    std::string kind;  // tap, veth
};

// An instance's user data script, started by `lab up` (user_data.hpp); `lab down` ends its
// process group.
struct UserDataRecord {
    std::string instance;
    int pid = 0;  // also its process group and session
    std::string log;
};

// The HAProxy process that plays an Application Load Balancer node (lb_nodes.hpp); `lab down`
// ends its process group as a user data script's.
struct LbNodeRecord {
    std::string node;  // the node ENI's name, "shop-alb-us-east-1a"
    int pid = 0;       // also its process group and session
    std::string config;
    std::string log;
};

// One thing an Auto Scaling group did, as the cloud's scaling activities say it
// (describe-scaling-activities): "Launching a new EC2 instance: web-asg-4", with its cause.
struct ScalingActivity {
    std::int64_t time = 0;  // unix time, seconds
    std::string group;
    std::string description;
    std::string cause;
};

// VPC Flow Logs of a lab (docs/observe.md): written by the engine daemon as windows close and
// when it stops; no directory: none.
using FlowLogSettings = observe::FlowLogSettings;

struct LabState {
    std::string lab;
    std::string topology;        // absolute path of the topology file
    std::string attach = "tap";  // tap or veth
    bool offload = true;         // virtio_net_hdr with checksum and TSO offloads
    bool trace = true;           // the engine keeps a ring of recent packet traces
    FlowLogSettings flow_logs;
    int engine_pid = 0;
    std::int64_t started = 0;  // unix time, seconds
    std::string status;        // starting, running, failed
    double bringup_ms = 0;
    std::string engine_namespace;
    std::vector<std::string> namespaces;  // every namespace the lab makes, engine's included
    std::vector<DeviceRecord> devices;
    std::vector<UserDataRecord> user_data;
    std::vector<LbNodeRecord> lb_nodes;
    // What scaling changed of the topology file (model/scaling.hpp): every load of the lab's
    // topology applies it (load_lab_topology).
    model::LoadOverrides overrides;
    std::vector<ScalingActivity> activities;  // newest last, the last kActivitiesKept
};

inline constexpr std::size_t kActivitiesKept = 50;

// The lab's topology as it runs: its file with the lab's overrides.
model::LoadResult load_lab_topology(const LabState& state);

// Writes state.json atomically (a temporary file renamed over it). Throws SystemError.
void write_state(const LabState& state);
// Reads state.json; nothing (and `error` set) when it is missing or unreadable.
std::optional<LabState> read_state(std::string_view lab, std::string* error = nullptr);
// The labs that have a directory under /run/vpcstack, sorted.
std::vector<std::string> list_labs();
// Whether a pid is alive and is this lab's engine (its command line says so).
bool engine_alive(int pid, std::string_view lab);

}  // namespace vpcstack::live
