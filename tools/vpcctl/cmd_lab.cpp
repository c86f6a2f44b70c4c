// vpcctl lab: live labs over network namespaces. Each command calls one action of
// live/lab_actions.hpp and prints its result.
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <cstdio>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "commands.hpp"
#include "vpcstack/live/daemon.hpp"
#include "vpcstack/live/health_checks.hpp"
#include "vpcstack/live/lab_actions.hpp"
#include "vpcstack/live/lb_nodes.hpp"
#include "vpcstack/live/user_data.hpp"
#include "vpcstack/render/table.hpp"
#include "vpcstack/sim/health_checks.hpp"
#include "vpcstack/sim/trace_report.hpp"

namespace vpcstack::cli {

namespace {

void error_line(const std::string& text) {
    fmt::print(stderr, "vpcctl lab: {}\n", text);
}

// Prints an action's error, if any, and turns its outcome into the exit code.
int finish(const live::ActionResult& result) {
    if (result.error) {
        for (const auto& line : result.error->diagnostics) {
            fmt::print(stderr, "{}\n", line);
        }
        error_line(result.error->message);
    }
    switch (result.outcome) {
        case live::Outcome::Ok:
            return kExitOk;
        case live::Outcome::Negative:
            return kExitNegative;
        case live::Outcome::Error:
            return kExitError;
    }
    return kExitError;
}

std::string duration_text(double seconds) {
    long s = static_cast<long>(seconds);
    if (s < 60) {
        return fmt::format("{}s", s);
    }
    if (s < 3600) {
        return fmt::format("{}m{:02}s", s / 60, s % 60);
    }
    return fmt::format("{}h{:02}m", s / 3600, (s % 3600) / 60);
}

void print_interfaces(const std::vector<live::InterfaceRow>& rows) {
    render::Table table("  ");
    table.add_row({"HOST", "NAMESPACE", "IF", "MAC", "ADDRESSES", "PUBLIC", "RX/TX FRAMES"});
    for (const auto& row : rows) {
        std::string frames;
        if (row.rx_frames && row.tx_frames) {
            frames = fmt::format("{}/{}", *row.rx_frames, *row.tx_frames);
        }
        table.add_row({row.instance, row.netns, row.device, row.mac, row.addresses,
                       row.public_address, frames});
    }
    std::fputs(table.render(false).c_str(), stdout);
}

// Set to "0" to turn a lab's offloads or tracing off.
bool env_on(const char* name) {
    const char* value = std::getenv(name);
    return value == nullptr || std::string(value) != "0";
}

}  // namespace

int run_lab_up(live::LabUpOptions options, const FlowLogCliOptions& flow_logs) {
    options.offload = env_on("VPCSTACK_LAB_OFFLOAD");
    options.trace = env_on("VPCSTACK_LAB_TRACE");
    if (!flow_logs.dir.empty()) {
        std::string error;
        if (!flow_log_options(flow_logs, error)) {  // checked here, before anything is made
            fmt::print(stderr, "vpcctl lab up: {}\n", error);
            return kExitError;
        }
        options.flow_logs = static_cast<const observe::FlowLogSettings&>(flow_logs);
    }
    const live::LabUpResult up = live::lab_up(options);
    if (up.leftovers_removed != 0) {
        fmt::print("removed {} namespaces left by an earlier run of lab '{}'\n",
                   up.leftovers_removed, up.lab);
    }
    if (up.error) {
        return finish(up);
    }
    fmt::print(
        "lab {} up in {:.0f} ms (namespaces and devices {:.0f} ms), engine pid {}, attach "
        "{}{}\n",
        up.lab, up.up_ms, up.state.bringup_ms, up.state.engine_pid, up.state.attach,
        up.state.offload ? " with offloads" : "");
    print_interfaces(up.interfaces);
    if (!up.ca_file.empty()) {
        fmt::print("certificates: {} issued by the lab's CA {}, trusted inside the lab\n",
                   up.certificates_issued, up.ca_file);
    }
    if (!up.user_data.empty()) {
        fmt::print("user data: {} {} started, output in {}/\n", up.user_data.size(),
                   up.user_data.size() == 1 ? "script" : "scripts", live::user_data_dir(up.lab));
    }
    if (!up.lb_nodes.empty()) {
        fmt::print(
            "load balancer nodes: {} started (HAProxy in each node's namespace), "
            "configuration and log in {}/\n",
            up.lb_nodes.size(), live::lb_node_dir(up.lab));
        for (const auto& note : up.lb_notes) {
            fmt::print("  approximated: {}\n", note);
        }
    }
    if (up.answer) {
        fmt::print("forwarding: {}, the engine answered {} in {:.2f} ms\n", up.probe,
                   up.answer->mac.to_string(), up.answer->milliseconds);
    } else if (!up.probe.empty()) {
        fmt::print("warning: the lab is up but does not forward: {}, no answer{}{}\n", up.probe,
                   up.probe_error.empty() ? "" : ": ", up.probe_error);
        fmt::print("next: vpcctl lab status {}; its log is {}\n", up.lab,
                   live::engine_log_path(up.lab));
        return finish(up);
    }
    if (!up.try_instance.empty()) {
        fmt::print("try:  vpcctl lab exec {} {} -- ping -c1 {}\n", up.lab, up.try_instance,
                   up.try_gateway);
    }
    fmt::print("down: vpcctl lab down {}\n", up.lab);
    return finish(up);
}

int run_lab_down(const live::LabDownOptions& options) {
    const live::LabDownResult down = live::lab_down(options);
    if (down.error) {
        return finish(down);
    }
    const live::TearDownReport& report = down.report;
    if (down.nothing_to_remove) {
        fmt::print("lab {}: nothing to remove\n", options.name);
        return finish(down);
    }
    fmt::print("lab {} down in {:.0f} ms\n", options.name, report.milliseconds);
    if (report.engine_pid != 0) {
        fmt::print("  stopped the engine (pid {}{})\n", report.engine_pid,
                   report.engine_killed ? ", killed" : "");
    }
    if (!report.lb_nodes_stopped.empty()) {
        fmt::print("  ended {} load balancer {}: {}\n", report.lb_nodes_stopped.size(),
                   report.lb_nodes_stopped.size() == 1 ? "node" : "nodes",
                   fmt::join(report.lb_nodes_stopped, " "));
    }
    if (!report.user_data_stopped.empty()) {
        fmt::print("  ended {} user data {}: {}\n", report.user_data_stopped.size(),
                   report.user_data_stopped.size() == 1 ? "script" : "scripts",
                   fmt::join(report.user_data_stopped, " "));
    }
    if (!report.killed_pids.empty()) {
        fmt::print("  killed {} processes still inside the lab: {}\n", report.killed_pids.size(),
                   fmt::join(report.killed_pids, " "));
    }
    if (!report.namespaces.empty()) {
        fmt::print("  removed {} namespaces with their devices: {}\n", report.namespaces.size(),
                   fmt::join(report.namespaces, " "));
    }
    if (report.state_removed) {
        fmt::print("  removed {}\n", live::lab_dir(options.name));
    }
    for (const auto& e : report.errors) {
        fmt::print(stderr, "  error: {}\n", e);
    }
    return finish(down);
}

int run_lab_ls() {
    const live::LabListResult list = live::lab_list();
    if (list.labs.empty()) {
        fmt::print("no labs\n");
    } else {
        render::Table table;
        table.add_row({"LAB", "STATUS", "ATTACH", "NAMESPACES", "UP", "TOPOLOGY"});
        for (const auto& lab : list.labs) {
            if (!lab.has_state) {
                table.add_row({lab.lab, "no state"});
                continue;
            }
            table.add_row({lab.lab, lab.status, lab.attach,
                           fmt::format("{}/{}", lab.namespaces_present, lab.namespaces_total),
                           duration_text(lab.uptime_s), lab.topology});
        }
        std::fputs(table.render(false).c_str(), stdout);
    }
    if (!list.orphans.empty()) {
        fmt::print("namespaces of no recorded lab (remove with 'vpcctl lab down LAB'): {}\n",
                   fmt::join(list.orphans, " "));
    }
    return finish(list);
}

int run_lab_status(const live::LabStatusOptions& options, bool json) {
    const live::LabStatusResult status = live::lab_status(options);
    if (status.error) {
        return finish(status);
    }
    const live::LabState& state = status.state;
    if (json) {
        nlohmann::ordered_json j{{"lab", options.name},
                                 {"status", status.status},
                                 {"engine_pid", state.engine_pid},
                                 {"attach", state.attach},
                                 {"topology", state.topology},
                                 {"flow_logs", state.flow_logs.dir}};
        if (status.engine) {
            const live::EngineStatus& e = *status.engine;
            nlohmann::ordered_json drops = nlohmann::ordered_json::object();
            for (const auto& d : e.drops) drops[d.name] = d.count;
            j["engine"] = {{"uptime_s", e.uptime_s},
                           {"received", e.received},
                           {"transmitted", e.transmitted},
                           {"drops", drops}};
            j["counters"] = e.cloud_counters;
            j["captures"] = e.captures;
        } else {
            j["engine"] = nullptr;
            j["engine_error"] = status.engine_error;
        }
        j["health_checks"] = live::health_records_json(status.health_checks);
        fmt::print("{}\n", j.dump(2));
        return finish(status);
    }
    fmt::print("lab {}  {}  engine pid {}  attach {}{}{}\n", options.name, status.status,
               state.engine_pid, state.attach, state.offload ? " (offloads)" : "",
               state.trace ? ", tracing" : "");
    fmt::print("topology {}\n", state.topology);
    if (status.engine) {
        fmt::print("up {}, bring-up {:.0f} ms\n", duration_text(status.engine->uptime_s),
                   state.bringup_ms);
    }
    print_interfaces(status.interfaces);
    for (const auto& node : state.lb_nodes) {
        fmt::print("load balancer node {}: HAProxy pid {} {}, log {}\n", node.node, node.pid,
                   live::process_group_alive(node.pid) ? "running" : "not running", node.log);
    }
    for (const auto& g : status.groups) {
        fmt::print("auto scaling group {}: desired {} (min {}, max {}), health checks {}{}\n",
                   g.name, g.desired, g.min_size, g.max_size, g.health_check_type,
                   g.target_tracking.empty() ? "" : ", target tracking " + g.target_tracking);
        fmt::print("  in service: {}\n",
                   g.in_service.empty() ? "none" : fmt::format("{}", fmt::join(g.in_service, " ")));
        if (!g.draining.empty()) {
            fmt::print("  draining: {}\n", fmt::join(g.draining, " "));
        }
    }
    if (!state.activities.empty()) {
        fmt::print("scaling activities (latest last):\n");
        const std::size_t first = state.activities.size() > 10 ? state.activities.size() - 10 : 0;
        for (std::size_t i = first; i < state.activities.size(); ++i) {
            const auto& a = state.activities[i];
            std::time_t when = static_cast<std::time_t>(a.time);
            char stamp[32];
            std::strftime(stamp, sizeof(stamp), "%H:%M:%S", std::gmtime(&when));
            fmt::print("  {} {}: {} — {}\n", stamp, a.group, a.description, a.cause);
        }
    }
    if (!status.health_checks.empty()) {
        fmt::print("route 53 health checks (probed from {}):\n",
                   sim::kRoute53CheckerAddress.to_string());
        for (const auto& check : status.health_checks) {
            fmt::print("  {}\n", live::health_check_line(check));
        }
    }
    if (!status.engine) {
        const std::string why = status.engine_error.empty() ? "" : " (" + status.engine_error + ")";
        fmt::print("engine: not running{}; remove the lab with 'vpcctl lab down {}'\n", why,
                   options.name);
        return finish(status);
    }
    const live::EngineStatus& engine = *status.engine;
    fmt::print("engine: {} frames received, {} transmitted\n", engine.received, engine.transmitted);
    if (engine.drops.empty()) {
        fmt::print("drops: none\n");
    } else {
        fmt::print("drops:\n");
    }
    for (const auto& drop : engine.drops) {
        fmt::print("  {:<22} {:>10}  {}{}\n", drop.name, drop.count, drop.explanation,
                   drop.lab ? " (lab)" : "");
    }
    if (!engine.components.empty()) {
        fmt::print("components (packets / drops):\n");
    }
    for (const auto& component : engine.components) {
        fmt::print("  {:<32} {:>10} {:>8}\n", component.name, component.packets, component.drops);
    }
    for (const auto& c : engine.captures) {
        const auto points = c.value("points", std::vector<std::string>{});
        fmt::print("capture {}: {}: {} packets sent, {} dropped for a slow reader\n",
                   c.value("id", 0),
                   points.empty() ? "every point" : fmt::format("{}", fmt::join(points, ", ")),
                   c.value("packets", std::uint64_t{0}), c.value("dropped", std::uint64_t{0}));
    }
    if (state.offload) {
        const live::OffloadCounts& o = engine.offload;
        fmt::print(
            "offloads: {} partial checksums passed, {} completed, {} large segments "
            "passed, {} cut before the engine\n",
            o.partial_passed, o.csum_completed, o.gso_passed, o.gso_segmented);
    }
    return finish(status);
}

int run_lab_scale(const live::LabScaleOptions& options) {
    const live::LabScaleResult scale = live::lab_scale(options);
    if (scale.error) {
        return finish(scale);
    }
    if (scale.unchanged) {
        fmt::print("{}: desired capacity is {} already\n", scale.group, scale.desired);
        return finish(scale);
    }
    fmt::print("{}: desired capacity {} ({:.0f} ms)\n", scale.group, scale.desired,
               scale.milliseconds);
    if (!scale.launched.empty()) {
        fmt::print("  launched: {}\n", fmt::join(scale.launched, " "));
    }
    if (!scale.draining.empty()) {
        fmt::print(
            "  draining: {} (deregistered; terminated after the {} s deregistration "
            "delay)\n",
            fmt::join(scale.draining, " "), scale.deregistration_delay);
    }
    if (!scale.terminated.empty()) {
        fmt::print("  terminated: {}\n", fmt::join(scale.terminated, " "));
    }
    return finish(scale);
}

int run_lab_exec(const live::LabExecOptions& options) {
    const live::LabExecResult exec = live::lab_exec(options);  // returns only when it failed
    const int code = finish(exec);
    return exec.command_not_run ? 127 : code;
}

int run_lab_trace(const LabTraceOptions& options) {
    const live::LabTraceResult trace = live::lab_trace(options.flow);
    if (trace.error) {
        return finish(trace);
    }
    if (!trace.report) {
        fmt::print("lab {} has seen no recent packet from {} to {}{}\n", options.flow.name,
                   options.flow.from, options.flow.to,
                   trace.only_other_way ? " (only packets the other way)" : "");
        fmt::print("send some first, e.g. vpcctl lab exec {} {} -- ping -c1 {}\n",
                   options.flow.name, options.flow.from, trace.to_address);
        return finish(trace);
    }
    if (options.json) {
        fmt::print("{}\n", sim::render_json(*trace.report));
    } else {
        std::fputs(sim::render_text(*trace.report, ::isatty(STDOUT_FILENO) != 0).c_str(), stdout);
    }
    return finish(trace);
}

int run_lab_capture(const live::LabCaptureOptions& options) {
    const live::LabCaptureResult capture = live::lab_capture(options);
    if (capture.error) {
        return finish(capture);
    }
    const char* why = "";
    switch (capture.copy.end) {
        case live::CaptureEnd::Count:
            why = "--count reached";
            break;
        case live::CaptureEnd::Duration:
            why = "--duration passed";
            break;
        case live::CaptureEnd::Signal:
            why = "interrupted";
            break;
        case live::CaptureEnd::ReaderGone:
            why = "the reader went away";
            break;
        case live::CaptureEnd::EngineClosed:
            why = "the lab's engine ended it (lab down?)";
            break;
        case live::CaptureEnd::Failed:
            break;
    }
    // Standard output may be the capture itself: the summary goes to stderr.
    fmt::print(stderr, "vpcctl lab capture: {} packets from lab {} to {} ({})\n",
               capture.copy.packets, options.name, capture.output, why);
    return finish(capture);
}

int run_lab_engine(const LabEngineOptions& options) {
    if (auto problem = live::check_lab_name(options.name)) {
        error_line(fmt::format("'{}': {}", options.name, *problem));
        return kExitError;
    }
    return live::run_engine_daemon(options.name);
}

}  // namespace vpcstack::cli
