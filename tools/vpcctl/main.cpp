// vpcctl: the command line of vpcstack. This file only parses arguments; every subcommand is a
// run_* function in its own file (see commands.hpp).
#include <CLI/CLI.hpp>

#include <cstdio>

#include "commands.hpp"

namespace cli = vpcstack::cli;

namespace {

void add_flow_options(CLI::App* cmd, std::string& from, std::string& to, std::string& protocol,
                      int& dport, int& sport, bool& json) {
    cmd->add_option("--from", from,
                    "Source: an instance, ENI name or id, or any IP address (an internet host)")
        ->required();
    cmd->add_option("--to", to, "Destination, in the same forms as --from")->required();
    cmd->add_option("--proto", protocol,
                    "tcp, udp, icmp or a protocol number (default: icmp echo)");
    cmd->add_option("--dport", dport, "Destination port (tcp and udp)")
        ->check(CLI::Range(0, 65535));
    cmd->add_option("--sport", sport, "Source port (tcp and udp; default: an ephemeral port)")
        ->check(CLI::Range(0, 65535));
    cmd->add_flag("--json", json, "Print the trace as JSON (see docs/trace-json.md)");
}

void add_flow_log_options(CLI::App* cmd, cli::FlowLogCliOptions& o) {
    cmd->add_option("--flow-logs", o.dir,
                    "Write VPC Flow Logs under DIR in the cloud's S3 layout (docs/observe.md)");
    cmd->add_flag("--flow-logs-gzip", o.gzip, "Compress the flow log files (.log.gz)");
    cmd->add_option("--flow-log-format", o.format,
                    "Custom record format, '${field} ...' (default: the version 2 format)");
    cmd->add_option("--flow-log-interval", o.interval, "Aggregation interval: 60 or 600 seconds")
        ->check(CLI::IsMember({60, 600}));
    cmd->add_option("--flow-log-account", o.account,
                    "Account id for VPCs whose topology gives none")
        ->capture_default_str();
    cmd->add_option("--flow-log-region", o.region, "Region when the topology gives none")
        ->capture_default_str();
}

// Points, filter and drops: shared by `trace --pcap` and `lab capture`.
void add_capture_filters(CLI::App* cmd, cli::CaptureCliOptions& o) {
    cmd->add_flag("--drops-only", o.drops_only, "Capture only the packets that died");
    cmd->add_option("--filter", o.filter, "BPF filter in libpcap's syntax, e.g. 'tcp port 80'");
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"vpcctl: cloud VPC networking, simulated packet by packet or as a live lab"};
    app.require_subcommand(1);
    app.set_version_flag("--version", "vpcctl 0.1.0");
    int exit_code = cli::kExitOk;

    cli::CheckOptions check;
    auto* check_cmd = app.add_subcommand("check", "Validate a topology and summarise it");
    check_cmd->add_option("topology", check.topology, "Topology YAML file")->required();
    check_cmd->add_flag("-q,--quiet", check.quiet, "Print diagnostics only, no summary");
    check_cmd->callback([&] { exit_code = cli::run_check(check); });

    cli::DiagramOptions diagram;
    auto* diagram_cmd =
        app.add_subcommand("diagram", "Draw a topology as Graphviz dot, SVG or PNG");
    diagram_cmd->add_option("topology", diagram.topology, "Topology YAML file")->required();
    diagram_cmd->add_option("-o,--output", diagram.output, "Output file: .dot, .svg or .png")
        ->required();
    diagram_cmd->callback([&] { exit_code = cli::run_diagram(diagram); });

    cli::TraceOptions trace;
    auto* trace_cmd = app.add_subcommand(
        "trace", "Send one flow through a simulated topology and explain its path");
    trace_cmd->add_option("topology", trace.topology, "Topology YAML file")->required();
    add_flow_options(trace_cmd, trace.from, trace.to, trace.protocol, trace.dport, trace.sport,
                     trace.json);
    trace_cmd->add_flag("--counters", trace.counters,
                        "Show the engine's counters under the cloud's names (docs/observe.md)");
    add_flow_log_options(trace_cmd, trace.flow_logs);
    trace_cmd->add_option("--pcap", trace.capture.output,
                          "Write a pcapng capture of the flow: FILE.pcapng, or DIR (one file per "
                          "capture point)");
    trace_cmd->add_option(
        "--point", trace.capture.points,
        "Capture point for --pcap (repeatable; default: every point): eni/web/eth0, "
        "subnet/public, nat/nat-a outside, igw/main, peering/a-b, internet");
    add_capture_filters(trace_cmd, trace.capture);
    trace_cmd->add_option("--http", trace.http,
                          "Send an HTTP request to an Application Load Balancer and follow it to "
                          "its rule and target, e.g. 'GET /api?x=1' (tcp, --dport default 80)");
    trace_cmd->add_option("--host", trace.host, "The Host header of the --http request");
    trace_cmd->add_option("--header", trace.headers,
                          "Another header of the --http request, 'Name: value' (repeatable)");
    trace_cmd->add_option("--flow-log-epoch", trace.flow_logs.epoch,
                          "Unix seconds the simulation's clock starts at (default: now)");
    trace_cmd->callback([&] { exit_code = cli::run_trace(trace); });

    cli::ReplayOptions replay;
    auto* replay_cmd = app.add_subcommand(
        "replay", "Replay a capture through the simulated network as if an ENI sent it");
    replay_cmd->add_option("topology", replay.topology, "Topology YAML file")->required();
    replay_cmd->add_option("--pcap", replay.pcap, "Capture to replay: pcap or pcapng (tcpdump -w)")
        ->required();
    replay_cmd->add_option("--at", replay.at, "The ENI that sent it: an instance, ENI name or id")
        ->required();
    replay_cmd->add_option("--out", replay.out,
                           "Write replay.json and a pcapng per capture point into DIR");
    replay_cmd->add_flag("--json", replay.json, "Print the verdicts as JSON (docs/observe.md)");
    replay_cmd->callback([&] { exit_code = cli::run_replay(replay); });

    cli::ReachOptions reach;
    auto* reach_cmd = app.add_subcommand(
        "reach", "Which services connect between places, proven by the engine (docs/verify.md)");
    reach_cmd->add_option("topology", reach.topology, "Topology YAML file")->required();
    reach_cmd->add_option("--from", reach.from,
                          "Sources: an instance, ENI, load balancer, subnet, VPC, security "
                          "group, CIDR or internet (default: every place); with --proto, a "
                          "trace endpoint");
    reach_cmd->add_option("--to", reach.to, "Destinations, in the same forms as --from");
    reach_cmd->add_option("--proto", reach.protocol,
                          "Ask about one service: tcp, udp or icmp (needs --from and --to)");
    reach_cmd->add_option("--dport", reach.dport, "Destination port (tcp and udp)")
        ->check(CLI::Range(0, 65535));
    reach_cmd->add_option("--sport", reach.sport, "Source port (default: any ephemeral port)")
        ->check(CLI::Range(0, 65535));
    reach_cmd->add_flag("--json", reach.json, "Print JSON (see docs/verify.md)");
    reach_cmd->add_option("--html", reach.html,
                          "Write the matrix as one self-contained HTML report to this file");
    reach_cmd->callback([&] { exit_code = cli::run_reach(reach); });

    cli::VerifyOptions verify;
    auto* verify_cmd = app.add_subcommand(
        "verify", "Check a policy file of reachability assertions (exit 1 on a violation)");
    verify_cmd->add_option("topology", verify.topology, "Topology YAML file")->required();
    verify_cmd->add_option("policy", verify.policy, "Policy YAML file (docs/verify.md)")
        ->required();
    verify_cmd->add_flag("--json", verify.json, "Print JSON (see docs/verify.md)");
    verify_cmd->callback([&] { exit_code = cli::run_verify(verify); });

    cli::DiffOptions diff;
    auto* diff_cmd = app.add_subcommand(
        "diff", "What a change of topology opens and closes (exit 1 when reachability changed)");
    diff_cmd->add_option("old", diff.old_topology, "The topology before")->required();
    diff_cmd->add_option("new", diff.new_topology, "The topology after")->required();
    diff_cmd->add_flag("--json", diff.json, "Print JSON (see docs/verify.md)");
    diff_cmd->callback([&] { exit_code = cli::run_diff(diff); });

    auto* import_cmd =
        app.add_subcommand("import", "Write a topology from a cloud's own description");
    import_cmd->require_subcommand(1);
    cli::ImportAwsOptions import_aws;
    auto* aws_cmd =
        import_cmd->add_subcommand("aws", "Import the JSON output of 'aws ec2 describe-*' calls");
    aws_cmd->add_option("dir", import_aws.input_dir, "Folder of describe-* JSON files")->required();
    aws_cmd->add_option("-o,--output", import_aws.output, "Topology YAML file to write")
        ->required();
    aws_cmd->add_option("--region", import_aws.region, "Region when the folder layout names none");
    aws_cmd->callback([&] { exit_code = cli::run_import_aws(import_aws); });

    auto* lab_cmd = app.add_subcommand("lab", "Live labs: instances as network namespaces");
    lab_cmd->require_subcommand(1);
    vpcstack::live::LabUpOptions lab_up;
    auto* up_cmd = lab_cmd->add_subcommand("up", "Bring up a topology as a live lab");
    up_cmd->add_option("topology", lab_up.topology, "Topology YAML file")->required();
    up_cmd->add_option("--name", lab_up.name, "Lab name (default: the file's base name)");
    up_cmd->add_option("--attach", lab_up.attach, "How instances attach: tap or veth")
        ->check(CLI::IsMember({"tap", "veth"}));
    cli::FlowLogCliOptions lab_flow_logs;
    add_flow_log_options(up_cmd, lab_flow_logs);
    up_cmd->callback([&] { exit_code = cli::run_lab_up(lab_up, lab_flow_logs); });

    vpcstack::live::LabDownOptions lab_down;
    auto* down_cmd = lab_cmd->add_subcommand("down", "Remove everything a lab made");
    down_cmd->add_option("lab", lab_down.name, "Lab name")->required();
    down_cmd->callback([&] { exit_code = cli::run_lab_down(lab_down); });

    auto* ls_cmd = lab_cmd->add_subcommand("ls", "List running labs");
    ls_cmd->callback([&] { exit_code = cli::run_lab_ls(); });

    vpcstack::live::LabStatusOptions lab_status;
    auto* status_cmd =
        lab_cmd->add_subcommand("status", "Instances, addresses, counters and drops");
    status_cmd->add_option("lab", lab_status.name, "Lab name")->required();
    bool lab_status_json = false;
    status_cmd->add_flag("--json", lab_status_json,
                         "Print the status as JSON, with the counters under the cloud's names");
    status_cmd->callback([&] { exit_code = cli::run_lab_status(lab_status, lab_status_json); });

    vpcstack::live::LabScaleOptions lab_scale;
    auto* scale_cmd = lab_cmd->add_subcommand(
        "scale", "Set an Auto Scaling group's desired capacity in a running lab");
    scale_cmd->add_option("lab", lab_scale.name, "Lab name")->required();
    scale_cmd->add_option("group", lab_scale.group, "Auto Scaling group (NAME or VPC/NAME)")
        ->required();
    scale_cmd->add_option("desired", lab_scale.desired, "Desired capacity")->required();
    scale_cmd->callback([&] { exit_code = cli::run_lab_scale(lab_scale); });

    vpcstack::live::LabExecOptions lab_exec;
    auto* exec_cmd = lab_cmd->add_subcommand("exec", "Run a command inside an instance");
    exec_cmd->add_option("lab", lab_exec.name, "Lab name")->required();
    exec_cmd->add_option("instance", lab_exec.instance, "Instance name")->required();
    exec_cmd->add_option("command", lab_exec.command, "Command and arguments, after --")
        ->required();
    exec_cmd->callback([&] { exit_code = cli::run_lab_exec(lab_exec); });

    cli::LabTraceOptions lab_trace;
    auto* lab_trace_cmd =
        lab_cmd->add_subcommand("trace", "Explain recent packets of a flow in a running lab");
    lab_trace_cmd->add_option("lab", lab_trace.flow.name, "Lab name")->required();
    add_flow_options(lab_trace_cmd, lab_trace.flow.from, lab_trace.flow.to, lab_trace.flow.protocol,
                     lab_trace.flow.dport, lab_trace.flow.sport, lab_trace.json);
    lab_trace_cmd->callback([&] { exit_code = cli::run_lab_trace(lab_trace); });

    vpcstack::live::LabCaptureOptions lab_capture;
    auto* capture_cmd = lab_cmd->add_subcommand(
        "capture", "Capture a running lab's packets as pcapng, to a file or a pipe");
    capture_cmd->add_option("lab", lab_capture.name, "Lab name")->required();
    capture_cmd->add_option("points", lab_capture.points,
                            "Capture points (default: every point): eni/web/eth0, web, "
                            "subnet/public, nat/nat-a, 'nat/nat-a outside', igw/main, internet");
    capture_cmd->add_option("-w", lab_capture.output, "Write to FILE, or - for standard output")
        ->required();
    capture_cmd->add_flag("--drops-only", lab_capture.drops_only,
                          "Capture only the packets that died");
    capture_cmd->add_option("--filter", lab_capture.filter,
                            "BPF filter in libpcap's syntax, e.g. 'tcp port 80'");
    capture_cmd->add_option("--count", lab_capture.count, "Stop after N packets")
        ->check(CLI::PositiveNumber);
    capture_cmd->add_option("--duration", lab_capture.duration_s, "Stop after SECONDS")
        ->check(CLI::PositiveNumber);
    capture_cmd->callback([&] { exit_code = cli::run_lab_capture(lab_capture); });

    cli::LabEngineOptions lab_engine;
    auto* engine_cmd = lab_cmd->add_subcommand("engine", "The lab's engine daemon (started by up)");
    engine_cmd->group("");  // hidden from --help
    engine_cmd->add_option("lab", lab_engine.name, "Lab name")->required();
    engine_cmd->callback([&] { exit_code = cli::run_lab_engine(lab_engine); });

    auto* serve_cmd = app.add_subcommand("serve", "Small servers for the instances of a live lab");
    serve_cmd->require_subcommand(1);
    cli::ServeHttpOptions serve_http;
    auto* http_cmd = serve_cmd->add_subcommand(
        "http", "Answer every HTTP request with the instance's name and the X-Forwarded-* headers");
    http_cmd->add_option("--port", serve_http.port, "TCP port to listen on (0: any free port)")
        ->capture_default_str()
        ->check(CLI::Range(0, 65535));
    http_cmd->add_option("--address", serve_http.address, "IPv4 address to listen on")
        ->capture_default_str();
    http_cmd->add_option(
        "--name", serve_http.name,
        "The name the answers give (default: $VPCSTACK_INSTANCE, else the host name)");
    auto* cert_option = http_cmd->add_option("--tls-cert", serve_http.tls_certificate,
                                             "Serve HTTPS with this PEM certificate chain");
    auto* key_option =
        http_cmd->add_option("--tls-key", serve_http.tls_key, "The certificate's PEM private key");
    cert_option->needs(key_option);
    key_option->needs(cert_option);
    http_cmd->callback([&] { exit_code = cli::run_serve_http(serve_http); });
    cli::ServeDnsOptions serve_dns;
    auto* dns_cmd = serve_cmd->add_subcommand(
        "dns", "Answer DNS as the lab's internet: the topology's public zones, NXDOMAIN else");
    auto* dns_lab = dns_cmd->add_option("--lab", serve_dns.lab, "Serve this lab's topology");
    auto* dns_topology =
        dns_cmd->add_option("--topology", serve_dns.topology, "Serve this topology file");
    dns_lab->excludes(dns_topology);
    dns_cmd->add_option("--port", serve_dns.port, "UDP port (0: any free port)")
        ->capture_default_str()
        ->check(CLI::Range(0, 65535));
    dns_cmd->add_option("--address", serve_dns.address, "IPv4 address to listen on")
        ->capture_default_str();
    dns_cmd->callback([&] { exit_code = cli::run_serve_dns(serve_dns); });

    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        int code = app.exit(e);
        return code == 0 ? cli::kExitOk : cli::kExitError;
    }
    return exit_code;
}
