// The subcommands of vpcctl. main.cpp parses arguments (it alone includes CLI11) and calls one
// run_* function per subcommand; each lives in its own cmd_<name>.cpp, formats output and calls
// the library. Exit codes, the same across the product:
//   0  success, or a positive answer (valid, reachable, policy holds)
//   1  a negative answer (invalid topology, unreachable, policy violated)
//   2  a usage or input error
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "vpcstack/live/lab_actions.hpp"
#include "vpcstack/model/topology.hpp"
#include "vpcstack/observe/flow_log.hpp"

namespace vpcstack::cli {

inline constexpr int kExitOk = 0;
inline constexpr int kExitNegative = 1;
inline constexpr int kExitError = 2;

struct CheckOptions {
    std::string topology;
    bool quiet = false;  // diagnostics only, no summary
};
int run_check(const CheckOptions& options);

struct DiagramOptions {
    std::string topology;
    std::string output;  // .dot, .svg or .png
};
int run_diagram(const DiagramOptions& options);

// The flow log options of `trace` and `lab up` (docs/observe.md); no directory: no flow logs.
struct FlowLogCliOptions : observe::FlowLogSettings {
    long long epoch = -1;  // Unix seconds of the simulation's time 0; -1: now
};

// The capture options of `trace` (docs/observe.md).
struct CaptureCliOptions {
    std::string output;               // a .pcapng file, or a directory: one file per point
    std::vector<std::string> points;  // names (observe::parse_capture_point); empty: every point
    bool drops_only = false;
    std::string filter;  // BPF
};

struct TraceOptions {
    std::string topology;
    std::string from;
    std::string to;
    std::string protocol;  // tcp, udp, icmp or a number; empty: icmp echo
    int dport = -1;        // -1: not given
    int sport = -1;
    bool json = false;
    bool counters = false;  // add the counters under the cloud's names
    FlowLogCliOptions flow_logs;
    CaptureCliOptions capture;
    // An HTTP request to an Application Load Balancer: "GET /api", its Host and more headers.
    std::string http;
    std::string host;
    std::vector<std::string> headers;  // "Name: value"
};
int run_trace(const TraceOptions& options);
// The library's flow log options from the command line's; on an error, nothing and `error`.
std::optional<observe::FlowLogOptions> flow_log_options(const FlowLogCliOptions& cli,
                                                        std::string& error);

// `vpcctl replay TOPO --pcap FILE --at ENI`: a capture through the simulated network as if the
// ENI sent it (docs/observe.md). Exit 1 when a packet was dropped.
struct ReplayOptions {
    std::string topology;
    std::string pcap;
    std::string at;   // an instance or ENI
    std::string out;  // a directory: replay.json and a capture per point; empty: none
    bool json = false;
};
int run_replay(const ReplayOptions& options);

// `vpcctl reach`: the matrix of which services connect between places, or with --proto the
// query form for one service between two endpoints (docs/verify.md).
struct ReachOptions {
    std::string topology;
    std::string from;  // selectors; empty: every place (the query form requires both)
    std::string to;
    std::string protocol;  // non-empty: the query form
    int dport = -1;        // -1: not given
    int sport = -1;
    bool json = false;
    std::string html;  // the HTML report's file; empty: none
};
int run_reach(const ReachOptions& options);

// `vpcctl verify TOPO POLICY`: checks a policy file's assertions (docs/verify.md).
struct VerifyOptions {
    std::string topology;
    std::string policy;
    bool json = false;
};
int run_verify(const VerifyOptions& options);

// `vpcctl diff OLD NEW`: the reachability a change of topology opens and closes.
struct DiffOptions {
    std::string old_topology;
    std::string new_topology;
    bool json = false;
};
int run_diff(const DiffOptions& options);

// Loads a topology for a command; on an error prints its diagnostics to stderr and returns
// nothing (warnings are for `vpcctl check`).
std::optional<model::Topology> load_topology_or_report(const std::string& path);

struct ImportAwsOptions {
    std::string input_dir;
    std::string output;
    std::string region;  // default region when the layout does not say
};
int run_import_aws(const ImportAwsOptions& options);

// The lab commands fill the options of their action (live/lab_actions.hpp) directly.
// Offloads and tracing from the environment; flow logs from the command line.
int run_lab_up(live::LabUpOptions options, const FlowLogCliOptions& flow_logs);
int run_lab_down(const live::LabDownOptions& options);
int run_lab_ls();
int run_lab_status(const live::LabStatusOptions& options, bool json);
int run_lab_scale(const live::LabScaleOptions& options);
int run_lab_exec(const live::LabExecOptions& options);

struct LabTraceOptions {
    live::LabTraceOptions flow;
    bool json = false;
};
int run_lab_trace(const LabTraceOptions& options);

// `vpcctl lab capture`: pcapng from a running lab's engine (docs/observe.md).
int run_lab_capture(const live::LabCaptureOptions& options);

// `vpcctl serve http`: a tiny web server that names the instance and echoes the load
// balancer's X-Forwarded-* headers (live/http_serve.hpp); what user data runs in a lab.
struct ServeHttpOptions {
    int port = 80;
    std::string address = "0.0.0.0";
    std::string name;  // empty: the host name
    std::string tls_certificate;
    std::string tls_key;
};
int run_serve_http(const ServeHttpOptions& options);

// vpcctl serve dns: the lab's internet name server (live/dns_serve.hpp).
struct ServeDnsOptions {
    std::string lab;       // the lab whose topology it serves (with its scaling), or:
    std::string topology;  // a topology file
    int port = 53;
    std::string address = "127.0.0.53";
};
int run_serve_dns(const ServeDnsOptions& options);

// The engine daemon behind a lab; started by `lab up`, not meant to be run by hand.
struct LabEngineOptions {
    std::string name;
};
int run_lab_engine(const LabEngineOptions& options);

}  // namespace vpcstack::cli
