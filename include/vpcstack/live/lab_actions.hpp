// The lab's control-plane actions: bring a lab up, take it down, report on one or all, run a
// command inside one, explain what its engine traced, capture what it forwards. `vpcctl lab ...`
// and the tests call these; each takes an options struct and returns a result struct (what
// happened, or why it did not), and none of them prints.
//
// Errors are values: a result whose outcome is Error carries the reason, and with it the
// topology's diagnostics when the topology is what failed to load.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "vpcstack/engine/trace.hpp"
#include "vpcstack/live/capture_stream.hpp"
#include "vpcstack/live/daemon.hpp"
#include "vpcstack/live/health_checks.hpp"
#include "vpcstack/live/lab.hpp"
#include "vpcstack/live/lab_plan.hpp"
#include "vpcstack/live/lab_state.hpp"
#include "vpcstack/live/probe.hpp"
#include "vpcstack/model/topology.hpp"
#include "vpcstack/sim/trace_report.hpp"

namespace vpcstack::live {

// How an action ended: done (or a positive answer), a negative answer (the lab does not
// forward, the engine is not running, the flow is unreachable), or an error (bad input, or the
// system refused). vpcctl exits 0, 1 and 2 for them.
enum class Outcome : std::uint8_t { Ok, Negative, Error };

struct ActionError {
    std::vector<std::string> diagnostics;  // the topology's, one line each, when it did not load
    std::string message;                   // one sentence
};

struct ActionResult {
    Outcome outcome = Outcome::Ok;
    // Why the action could not do its work. Set whenever outcome is Error, except for lab_down,
    // whose report lists the removals that failed.
    std::optional<ActionError> error;
};

// One interface of the lab as `lab up` and `lab status` list it.
struct InterfaceRow {
    std::string instance;  // the instance's name, an ALB node ENI's, or "internet"
    std::string netns;
    std::string device;
    std::string mac;
    std::string addresses;       // "10.0.1.10/24, ..."; the internet's hosts "client 198.51.100.7"
    std::string public_address;  // empty when none
    std::optional<std::uint64_t> rx_frames;  // counted by the engine; none when not asked
    std::optional<std::uint64_t> tx_frames;
};

// ---- lab up ----------------------------------------------------------------------------------

struct LabUpOptions {
    std::string topology;        // a topology file
    std::string name;            // empty: from the file's name
    std::string attach = "tap";  // tap or veth
    bool offload = true;         // virtio_net_hdr with checksum and TSO offloads
    bool trace = true;           // the engine keeps a ring of recent packet traces
    FlowLogSettings flow_logs;   // its dir empty: no flow logs
    // The vpcctl binary that runs the daemon as `vpcctl lab engine LAB` (engine_alive knows
    // the daemon by that command line); empty: this program.
    std::string engine_program;
};

struct LabUpResult : ActionResult {
    std::string lab;
    std::size_t leftovers_removed = 0;  // namespaces of an earlier run of the lab, removed first
    LabState state;                     // as the engine recorded it once up
    double up_ms = 0;                   // from the start of bring-up until the engine answered
    std::vector<InterfaceRow> interfaces;
    // The forwarding check: what was asked, and the answer when one came.
    std::string probe;  // "web asked for its gateway 10.0.1.1"; empty when nothing could ask
    std::optional<ArpAnswer> answer;
    std::string probe_error;  // why the question could not be sent
    // The lab's CA, made when a TLS or HTTPS listener needs a certificate; empty when none.
    std::string ca_file;
    std::size_t certificates_issued = 0;
    // The instances' user data scripts started (user_data.hpp), in topology order.
    std::vector<UserDataRecord> user_data;
    // The Application Load Balancer nodes' HAProxy processes started (lb_nodes.hpp), and what
    // their configuration approximates of the cloud (lb::HaproxyNote), one line each.
    std::vector<LbNodeRecord> lb_nodes;
    std::vector<std::string> lb_notes;
    // A first command to try: an instance and its gateway; empty without instances.
    std::string try_instance;
    std::string try_gateway;
};

// Loads the topology, issues the certificates of its TLS and HTTPS listeners, writes and checks
// its Application Load Balancer nodes' HAProxy configuration, starts the engine daemon (which
// brings the lab up), waits until it answers, starts the instances' user data and the nodes'
// HAProxy, and checks that it forwards. Negative when the lab is up but does not forward.
LabUpResult lab_up(const LabUpOptions& options);

// ---- lab down --------------------------------------------------------------------------------

struct LabDownOptions {
    std::string name;
};

struct LabDownResult : ActionResult {
    TearDownReport report;
    bool nothing_to_remove = false;  // no engine, namespace or state of the lab was found
};

// Removes everything `lab up` made; idempotent. Error when a removal failed.
LabDownResult lab_down(const LabDownOptions& options);

// ---- lab status ------------------------------------------------------------------------------

struct DropCount {
    std::string name;  // the drop reason's name
    std::uint64_t count = 0;
    std::string explanation;
    bool lab = false;  // counted by the lab's daemon (LiveDrop), not by the engine
};

struct ComponentCount {
    std::string name;
    std::uint64_t packets = 0;
    std::uint64_t drops = 0;
};

struct EngineStatus {
    double uptime_s = 0;
    std::uint64_t received = 0;
    std::uint64_t transmitted = 0;
    std::vector<DropCount> drops;  // the reasons counted at least once, engine's first
    std::vector<ComponentCount> components;
    OffloadCounts offload;
    // The counters under the cloud's names, as observe::counters_json gives them.
    nlohmann::json cloud_counters;
    // Open live captures, as live::capture_stats_json gives them.
    nlohmann::json captures = nlohmann::json::array();
};

struct LabStatusOptions {
    std::string name;
};

// An Auto Scaling group of the lab as it runs.
struct GroupRow {
    std::string name;
    std::uint32_t desired = 0, min_size = 0, max_size = 0;
    std::vector<std::string> in_service;
    std::vector<std::string> draining;
    std::string health_check_type;  // EC2 or ELB
    std::string target_tracking;  // "ALBRequestCountPerTarget of web-tg at 100 per 60 s", or empty
};

struct LabStatusResult : ActionResult {
    LabState state;
    std::string status;  // the recorded status, or "stopped" when the engine is gone
    std::vector<InterfaceRow> interfaces;
    std::vector<GroupRow> groups;
    std::optional<EngineStatus> engine;  // none: the engine did not answer (outcome Negative)
    std::string engine_error;            // why it did not, when known
    // Route 53 health checks as the engine's checkers see them (health_checks.hpp); from the
    // engine's reply, else from the last health-checks.json it wrote.
    std::vector<HealthCheckRecord> health_checks;
};

LabStatusResult lab_status(const LabStatusOptions& options);

// ---- lab scale -------------------------------------------------------------------------------

// `vpcctl lab scale LAB GROUP N`: sets an Auto Scaling group's desired capacity in a running lab,
// as `aws autoscaling set-desired-capacity` does; the engine daemon launches, drains and
// terminates instances (model/scaling.hpp).
struct LabScaleOptions {
    std::string name;
    std::string group;
    long desired = -1;
};

struct LabScaleResult : ActionResult {
    std::string group;
    std::uint32_t desired = 0;
    bool unchanged = false;
    std::vector<std::string> launched;
    std::vector<std::string> draining;
    std::vector<std::string> terminated;
    std::uint32_t deregistration_delay = 0;
    double milliseconds = 0;
};

LabScaleResult lab_scale(const LabScaleOptions& options);

// ---- lab ls ----------------------------------------------------------------------------------

struct LabListEntry {
    std::string lab;
    bool has_state = false;  // false: a directory without a readable state.json
    std::string status;      // as in lab_status
    std::string attach;
    std::size_t namespaces_present = 0;
    std::size_t namespaces_total = 0;
    double uptime_s = 0;
    std::string topology;
};

struct LabListResult : ActionResult {
    std::vector<LabListEntry> labs;
    std::vector<std::string> orphans;  // namespaces with the project's prefix that no lab records
};

LabListResult lab_list();

// ---- lab exec --------------------------------------------------------------------------------

struct LabExecOptions {
    std::string name;
    std::string instance;              // an instance, an internet host or "internet"
    std::vector<std::string> command;  // a leading "--" is dropped
};

struct LabExecResult : ActionResult {
    bool command_not_run = false;  // the namespace was entered but the command could not start
};

// Enters the target's namespace (instance_env.hpp: the lab's CA trusted, vpcctl on PATH) and
// replaces this process with the command: it returns only when it could not (the result says
// why).
LabExecResult lab_exec(const LabExecOptions& options);

// ---- lab trace -------------------------------------------------------------------------------

struct LabTraceOptions {
    std::string name;
    std::string from;  // as `vpcctl trace` names endpoints (sim/endpoint.hpp)
    std::string to;
    std::string protocol;  // tcp, udp, icmp or a number; empty: any
    int dport = -1;        // -1: any
    int sport = -1;
};

struct LabTraceResult : ActionResult {
    // The latest exchange, in the form of `vpcctl trace`; none when the lab saw no request.
    std::optional<sim::TraceReport> report;
    // Without a report: whether packets went the other way, and the address to send to.
    bool only_other_way = false;
    std::string to_address;
};

// The latest exchange of the flow that the lab's engine traced: the request it saw last (the
// latest SYN for TCP) and the first reply to it. Ok when reachable.
LabTraceResult lab_trace(const LabTraceOptions& options);

// The same from traces already at hand (oldest first): what lab_trace does once the engine has
// answered. Does not touch the lab, so it is tested with simulated traces.
LabTraceResult trace_exchange(const model::Topology& topology, const LabTraceOptions& options,
                              const std::vector<engine::PacketTrace>& traces);

// ---- lab capture -----------------------------------------------------------------------------

struct LabCaptureOptions {
    std::string name;
    // Capture point names (observe::parse_capture_point); a word "inside" or "outside" after a
    // gateway's name is its side ("nat/nat-a" "outside"). Empty: every point.
    std::vector<std::string> points;
    std::string filter;  // BPF; empty: every packet
    bool drops_only = false;
    std::string output;       // a file, or "-": standard output (not a terminal)
    std::uint64_t count = 0;  // packets to write, then stop; 0: no limit
    double duration_s = 0;    // seconds, then stop; 0: no limit
};

struct LabCaptureResult : ActionResult {
    std::string output;  // the file, or "standard output"
    CaptureCopyResult copy;
};

// Checks the points and the filter against the lab's topology (an error before anything is
// asked of the engine), asks the engine for the capture and copies its pcapng to the output
// until the count, the duration, SIGINT or SIGTERM, the output's reader going away or the lab
// going down; every one of them is Ok and leaves the output whole. Error when the capture
// could not be made or the copy failed.
LabCaptureResult lab_capture(const LabCaptureOptions& options);

}  // namespace vpcstack::live
