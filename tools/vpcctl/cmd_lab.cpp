// vpcctl lab: live labs over network namespaces. This file formats output and calls live/.
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <thread>

#include "commands.hpp"
#include "vpcstack/engine/engine.hpp"
#include "vpcstack/live/control.hpp"
#include "vpcstack/live/daemon.hpp"
#include "vpcstack/live/lab.hpp"
#include "vpcstack/live/lab_plan.hpp"
#include "vpcstack/live/lab_state.hpp"
#include "vpcstack/live/netns.hpp"
#include "vpcstack/live/probe.hpp"
#include "vpcstack/model/loader.hpp"
#include "vpcstack/sim/trace_report.hpp"

namespace vpcstack::cli {

using nlohmann::json;

namespace {

constexpr auto kReadyTimeout = std::chrono::seconds(60);

void error_line(const std::string& text) {
    std::fprintf(stderr, "vpcctl lab: %s\n", text.c_str());
}

bool require_root(const char* what) {
    if (::geteuid() == 0) {
        return true;
    }
    error_line(fmt::format("'{}' needs root: it creates network namespaces and devices", what));
    return false;
}

bool check_name(const std::string& name) {
    if (auto problem = live::check_lab_name(name)) {
        error_line(fmt::format("'{}': {}", name, *problem));
        return false;
    }
    return true;
}

// Loads a topology, printing its diagnostics on failure.
std::optional<model::Topology> load(const std::string& path) {
    model::LoadResult result = model::load_topology_file(path);
    if (!result.ok()) {
        for (const auto& d : result.diagnostics.sorted()) {
            std::fprintf(stderr, "%s\n", d.to_string().c_str());
        }
        error_line(fmt::format("{}: the topology does not load", path));
        return std::nullopt;
    }
    return std::move(*result.topology);
}

std::string tail_of_file(const std::string& path, std::size_t lines) {
    std::ifstream in(path);
    std::vector<std::string> all;
    for (std::string line; std::getline(in, line);) {
        all.push_back(line);
    }
    std::string out;
    for (std::size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
        out += "  " + all[i] + "\n";
    }
    return out;
}

std::string addresses_of(const live::InterfacePlan& itf) {
    std::string out;
    for (const auto& a : itf.addresses) {
        if (!out.empty()) {
            out += ", ";
        }
        out += fmt::format("{}/{}", a.address.to_string(), a.prefix_length);
    }
    return out.empty() ? "-" : out;
}

std::string public_of(const model::Topology& topology, engine::PortId port) {
    if (port == engine::kInternetPort || port >= topology.enis.size()) {
        return "";
    }
    auto address = topology.public_address_of_eni(port);
    return address ? address->to_string() : "";
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

// Starts `vpcctl lab engine LAB` detached, logging to the lab's engine.log.
int spawn_engine(const std::string& lab) {
    pid_t pid = ::fork();
    if (pid != 0) {
        return pid;
    }
    ::setsid();
    int log =
        ::open(live::engine_log_path(lab).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (log >= 0) {
        ::dup2(log, STDOUT_FILENO);
        ::dup2(log, STDERR_FILENO);
    }
    if (null >= 0) {
        ::dup2(null, STDIN_FILENO);
    }
    char self[PATH_MAX] = {};
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
    if (n <= 0) {
        std::_Exit(127);
    }
    ::execl(self, "vpcctl", "lab", "engine", lab.c_str(), static_cast<char*>(nullptr));
    std::fprintf(stderr, "exec %s: %s\n", self, std::strerror(errno));
    std::_Exit(127);
}

void print_instances(const live::LabPlan& plan, const model::Topology& topology,
                     const json* ports) {
    std::vector<std::array<std::string, 7>> rows;
    rows.push_back({"INSTANCE", "NAMESPACE", "IF", "MAC", "ADDRESSES", "PUBLIC", "RX/TX FRAMES"});
    for (const auto& ns : plan.namespaces) {
        for (const auto& itf : ns.interfaces) {
            std::string counts;
            if (ports != nullptr) {
                for (const auto& p : *ports) {
                    if (p.value("port", engine::PortId{0}) == itf.port) {
                        counts = fmt::format("{}/{}", p.value("rx_frames", std::uint64_t{0}),
                                             p.value("tx_frames", std::uint64_t{0}));
                    }
                }
            }
            std::string addresses = addresses_of(itf);
            if (ns.kind == live::NamespaceKind::Internet) {
                std::string hosts;
                for (const auto& host : topology.internet_hosts) {
                    hosts += (hosts.empty() ? "" : ", ") + host.meta.name + " " +
                             host.address.to_string();
                }
                addresses = hosts.empty() ? "-" : hosts;
            }
            rows.push_back({ns.display, ns.name, itf.name, itf.mac.to_string(), addresses,
                            public_of(topology, itf.port), counts});
        }
    }
    std::array<std::size_t, 7> width{};
    for (const auto& row : rows) {
        for (std::size_t i = 0; i < row.size(); ++i) {
            width[i] = std::max(width[i], row[i].size());
        }
    }
    for (const auto& row : rows) {
        std::string line;
        for (std::size_t i = 0; i < row.size(); ++i) {
            line += fmt::format("{:<{}}", row[i], i + 1 < row.size() ? width[i] + 2 : 0);
        }
        while (!line.empty() && line.back() == ' ') {
            line.pop_back();
        }
        std::printf("  %s\n", line.c_str());
    }
}

// Checks that the lab forwards: the first instance asks for its gateway by ARP (or, with no
// instances, the internet namespace asks for its next hop).
std::optional<live::ArpAnswer> probe_lab(const live::LabPlan& plan, std::string* what) {
    for (const auto& ns : plan.namespaces) {
        for (const auto& itf : ns.interfaces) {
            if (!itf.gateway || itf.addresses.empty()) {
                continue;
            }
            *what =
                fmt::format("{} asked for its gateway {}", ns.display, itf.gateway->to_string());
            net::Ipv4Address source = itf.source.value_or(itf.addresses.front().address);
            return live::probe_arp(ns.name, itf.name, itf.mac, source, *itf.gateway,
                                   std::chrono::milliseconds(2000));
        }
    }
    return std::nullopt;
}

}  // namespace

int run_lab_up(const LabUpOptions& options) {
    if (!require_root("lab up")) {
        return kExitError;
    }
    char resolved[PATH_MAX] = {};
    if (::realpath(options.topology.c_str(), resolved) == nullptr) {
        error_line(fmt::format("{}: {}", options.topology, std::strerror(errno)));
        return kExitError;
    }
    const std::string path = resolved;
    auto topology = load(path);
    if (!topology) {
        return kExitError;
    }
    const std::string lab = options.name.empty() ? live::lab_name_from_path(path) : options.name;
    if (!check_name(lab)) {
        return kExitError;
    }
    auto attach = live::parse_attach(options.attach);
    if (!attach) {
        error_line(fmt::format("--attach {}: expected tap or veth", options.attach));
        return kExitError;
    }
    if (auto existing = live::read_state(lab);
        existing && live::engine_alive(existing->engine_pid, lab)) {
        error_line(
            fmt::format("lab '{}' is already up (engine pid {}); run 'vpcctl lab down {}' first",
                        lab, existing->engine_pid, lab));
        return kExitError;
    }
    // Leftovers of a lab of the same name whose engine is gone.
    live::TearDownReport leftovers = live::tear_down(lab);
    if (!leftovers.namespaces.empty()) {
        std::printf("removed %zu namespaces left by an earlier run of lab '%s'\n",
                    leftovers.namespaces.size(), lab.c_str());
    }

    const auto start = std::chrono::steady_clock::now();
    live::LabPlan plan = live::make_lab_plan(lab, *topology);
    live::LabState state;
    state.lab = lab;
    state.topology = path;
    state.attach = std::string(live::to_string(*attach));
    const char* offload = std::getenv("VPCSTACK_LAB_OFFLOAD");
    state.offload = offload == nullptr || std::string(offload) != "0";
    const char* trace = std::getenv("VPCSTACK_LAB_TRACE");
    state.trace = trace == nullptr || std::string(trace) != "0";
    state.started = static_cast<std::int64_t>(std::time(nullptr));
    state.status = "starting";
    state.engine_namespace = *attach == live::Attach::Veth ? plan.engine_namespace : "";
    for (const auto& ns : plan.namespaces) {
        state.namespaces.push_back(ns.name);
        for (const auto& itf : ns.interfaces) {
            state.devices.push_back({ns.name, itf.name, state.attach});
            if (*attach == live::Attach::Veth) {
                state.devices.push_back({plan.engine_namespace, itf.host_end, "veth"});
            }
        }
    }
    if (*attach == live::Attach::Veth) {
        state.namespaces.push_back(plan.engine_namespace);
    }
    try {
        live::write_state(state);
    } catch (const std::exception& e) {
        error_line(e.what());
        return kExitError;
    }

    const int pid = spawn_engine(lab);
    if (pid < 0) {
        error_line(fmt::format("cannot start the engine: {}", std::strerror(errno)));
        live::tear_down(lab);
        return kExitError;
    }
    state.engine_pid = pid;
    // Wait until the engine answers on its socket, or dies.
    bool ready = false;
    const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            break;
        }
        if (auto reply = live::control_request(lab, {{"op", "ping"}}, nullptr,
                                               std::chrono::milliseconds(200));
            reply && reply->value("ok", false)) {
            ready = true;
            break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    if (!ready) {
        error_line(fmt::format("the engine of lab '{}' did not start; its log:\n{}", lab,
                               tail_of_file(live::engine_log_path(lab), 20)));
        live::tear_down(lab);
        return kExitError;
    }
    const double up_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

    std::string probe_what;
    std::optional<live::ArpAnswer> answer;
    std::string probe_error;
    try {
        answer = probe_lab(plan, &probe_what);
    } catch (const std::exception& e) {
        probe_error = e.what();
    }
    auto final_state = live::read_state(lab);
    std::printf(
        "lab %s up in %.0f ms (namespaces and devices %.0f ms), engine pid %d, attach %s%s\n",
        lab.c_str(), up_ms, final_state ? final_state->bringup_ms : 0.0, pid, state.attach.c_str(),
        state.offload ? " with offloads" : "");
    print_instances(plan, *topology, nullptr);
    if (answer) {
        std::printf("forwarding: %s, the engine answered %s in %.2f ms\n", probe_what.c_str(),
                    answer->mac.to_string().c_str(), answer->milliseconds);
    } else if (!probe_what.empty() || !probe_error.empty()) {
        std::printf("warning: the lab is up but does not forward: %s, no answer%s%s\n",
                    probe_what.c_str(), probe_error.empty() ? "" : ": ", probe_error.c_str());
        std::printf("next: vpcctl lab status %s; its log is %s\n", lab.c_str(),
                    live::engine_log_path(lab).c_str());
        return kExitNegative;
    }
    if (!plan.namespaces.empty() && plan.namespaces.front().kind == live::NamespaceKind::Instance) {
        std::printf("try:  vpcctl lab exec %s %s -- ping -c1 %s\n", lab.c_str(),
                    plan.namespaces.front().display.c_str(),
                    plan.namespaces.front().interfaces.front().gateway
                        ? plan.namespaces.front().interfaces.front().gateway->to_string().c_str()
                        : "");
    }
    std::printf("down: vpcctl lab down %s\n", lab.c_str());
    return kExitOk;
}

int run_lab_down(const LabNameOptions& options) {
    if (!check_name(options.name) || !require_root("lab down")) {
        return kExitError;
    }
    live::TearDownReport report = live::tear_down(options.name);
    if (report.engine_pid == 0 && report.namespaces.empty() && !report.state_removed &&
        report.errors.empty()) {
        std::printf("lab %s: nothing to remove\n", options.name.c_str());
        return kExitOk;
    }
    std::printf("lab %s down in %.0f ms\n", options.name.c_str(), report.milliseconds);
    if (report.engine_pid != 0) {
        std::printf("  stopped the engine (pid %d%s)\n", report.engine_pid,
                    report.engine_killed ? ", killed" : "");
    }
    if (!report.killed_pids.empty()) {
        std::string pids;
        for (int pid : report.killed_pids) {
            pids += (pids.empty() ? "" : " ") + std::to_string(pid);
        }
        std::printf("  killed %zu processes still inside the lab: %s\n", report.killed_pids.size(),
                    pids.c_str());
    }
    if (!report.namespaces.empty()) {
        std::printf("  removed %zu namespaces with their devices:", report.namespaces.size());
        for (const auto& name : report.namespaces) {
            std::printf(" %s", name.c_str());
        }
        std::printf("\n");
    }
    if (report.state_removed) {
        std::printf("  removed %s\n", live::lab_dir(options.name).c_str());
    }
    for (const auto& e : report.errors) {
        std::fprintf(stderr, "  error: %s\n", e.c_str());
    }
    return report.errors.empty() ? kExitOk : kExitError;
}

int run_lab_ls() {
    auto labs = live::list_labs();
    std::set<std::string> owned;
    if (labs.empty()) {
        std::printf("no labs\n");
    } else {
        std::printf("%-20s  %-9s  %-6s  %-10s  %-8s  %s\n", "LAB", "STATUS", "ATTACH", "NAMESPACES",
                    "UP", "TOPOLOGY");
    }
    for (const auto& lab : labs) {
        auto state = live::read_state(lab);
        if (!state) {
            std::printf("%-20s  %-9s\n", lab.c_str(), "no state");
            continue;
        }
        owned.insert(state->namespaces.begin(), state->namespaces.end());
        const bool alive = live::engine_alive(state->engine_pid, lab);
        std::string status = alive ? state->status : "stopped";
        std::size_t present = 0;
        for (const auto& ns : state->namespaces) {
            present += live::open_named_netns(ns).valid() ? 1 : 0;
        }
        double uptime = static_cast<double>(std::time(nullptr) - state->started);
        std::printf("%-20s  %-9s  %-6s  %-10s  %-8s  %s\n", lab.c_str(), status.c_str(),
                    state->attach.c_str(),
                    fmt::format("{}/{}", present, state->namespaces.size()).c_str(),
                    duration_text(uptime).c_str(), state->topology.c_str());
    }
    std::vector<std::string> orphans;
    for (const auto& ns : live::list_named_netns(live::kNamespacePrefix)) {
        if (owned.count(ns) == 0) {
            orphans.push_back(ns);
        }
    }
    if (!orphans.empty()) {
        std::printf("namespaces of no recorded lab (remove with 'vpcctl lab down LAB'):");
        for (const auto& ns : orphans) {
            std::printf(" %s", ns.c_str());
        }
        std::printf("\n");
    }
    return kExitOk;
}

int run_lab_status(const LabNameOptions& options) {
    if (!check_name(options.name)) {
        return kExitError;
    }
    std::string error;
    auto state = live::read_state(options.name, &error);
    if (!state) {
        error_line(fmt::format("no lab '{}' ({})", options.name, error));
        return kExitError;
    }
    auto topology = load(state->topology);
    if (!topology) {
        return kExitError;
    }
    live::LabPlan plan = live::make_lab_plan(options.name, *topology);
    const bool alive = live::engine_alive(state->engine_pid, options.name);
    std::optional<json> reply;
    if (alive) {
        reply = live::control_request(options.name, {{"op", "status"}}, &error);
    }
    std::printf("lab %s  %s  engine pid %d  attach %s%s%s\n", options.name.c_str(),
                alive ? state->status.c_str() : "stopped", state->engine_pid, state->attach.c_str(),
                state->offload ? " (offloads)" : "", state->trace ? ", tracing" : "");
    std::printf("topology %s\n", state->topology.c_str());
    if (reply) {
        std::printf("up %s, bring-up %.0f ms\n",
                    duration_text(reply->value("uptime_s", 0.0)).c_str(), state->bringup_ms);
    }
    const json* ports = reply ? &(*reply)["ports"] : nullptr;
    print_instances(plan, *topology, ports);
    if (!reply) {
        std::printf("engine: not running%s%s; remove the lab with 'vpcctl lab down %s'\n",
                    error.empty() ? "" : " (", error.empty() ? "" : (error + ")").c_str(),
                    options.name.c_str());
        return kExitNegative;
    }
    const json& eng = (*reply)["engine"];
    std::printf("engine: %llu frames received, %llu transmitted\n",
                static_cast<unsigned long long>(eng.value("received", std::uint64_t{0})),
                static_cast<unsigned long long>(eng.value("transmitted", std::uint64_t{0})));
    bool any = false;
    for (const auto& info : engine::kDropReasons) {
        std::uint64_t count = eng["drops"].value(std::string(info.name), std::uint64_t{0});
        if (count != 0) {
            if (!any) {
                std::printf("drops:\n");
                any = true;
            }
            std::printf("  %-22s %10llu  %s\n", std::string(info.name).c_str(),
                        static_cast<unsigned long long>(count),
                        std::string(info.explanation).c_str());
        }
    }
    const json& live_part = (*reply)["live"];
    for (const auto& info : live::kLiveDrops) {
        std::uint64_t count = live_part["drops"].value(std::string(info.name), std::uint64_t{0});
        if (count != 0) {
            if (!any) {
                std::printf("drops:\n");
                any = true;
            }
            std::printf("  %-22s %10llu  %s (lab)\n", std::string(info.name).c_str(),
                        static_cast<unsigned long long>(count),
                        std::string(info.explanation).c_str());
        }
    }
    if (!any) {
        std::printf("drops: none\n");
    }
    bool header = false;
    for (const auto& component : eng["components"]) {
        if (!header) {
            std::printf("components (packets / drops):\n");
            header = true;
        }
        std::printf("  %-32s %10llu %8llu\n", component.value("name", "").c_str(),
                    static_cast<unsigned long long>(component.value("packets", std::uint64_t{0})),
                    static_cast<unsigned long long>(component.value("drops", std::uint64_t{0})));
    }
    const json& offload = live_part["offload"];
    if (state->offload) {
        std::printf(
            "offloads: %llu partial checksums passed, %llu completed, %llu large segments "
            "passed, %llu cut before the engine\n",
            static_cast<unsigned long long>(offload.value("partial_passed", std::uint64_t{0})),
            static_cast<unsigned long long>(offload.value("csum_completed", std::uint64_t{0})),
            static_cast<unsigned long long>(offload.value("gso_passed", std::uint64_t{0})),
            static_cast<unsigned long long>(offload.value("gso_segmented", std::uint64_t{0})));
    }
    return kExitOk;
}

int run_lab_exec(const LabExecOptions& options) {
    if (!check_name(options.name) || !require_root("lab exec")) {
        return kExitError;
    }
    std::string error;
    auto state = live::read_state(options.name, &error);
    if (!state) {
        error_line(fmt::format("no lab '{}' ({})", options.name, error));
        return kExitError;
    }
    auto topology = load(state->topology);
    if (!topology) {
        return kExitError;
    }
    live::LabPlan plan = live::make_lab_plan(options.name, *topology);
    const live::NamespacePlan* target =
        live::resolve_exec_target(plan, *topology, options.instance);
    if (target == nullptr) {
        std::string names;
        for (const auto& ns : plan.namespaces) {
            names += (names.empty() ? "" : ", ") + ns.display;
        }
        for (const auto& host : topology->internet_hosts) {
            names += ", " + host.meta.name;
        }
        error_line(
            fmt::format("lab '{}' has no instance or internet host '{}'; expected one of: {}",
                        options.name, options.instance, names));
        return kExitError;
    }
    std::vector<std::string> command = options.command;
    if (!command.empty() && command.front() == "--") {
        command.erase(command.begin());
    }
    if (command.empty()) {
        error_line("no command given; write it after --");
        return kExitError;
    }
    live::Fd ns = live::open_named_netns(target->name);
    if (!ns.valid() || ::setns(ns.get(), CLONE_NEWNET) != 0) {
        error_line(fmt::format("cannot enter namespace {} of lab '{}': {}", target->name,
                               options.name, std::strerror(errno)));
        return kExitError;
    }
    std::vector<char*> argv;
    for (auto& arg : command) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    error_line(fmt::format("{}: {}", command.front(), std::strerror(errno)));
    return 127;
}

namespace {

// Every address a name stands for in a lab: an instance's or ENI's private and public
// addresses, an internet host's address, or a literal address.
std::vector<std::string> addresses_for(const model::Topology& topology, const std::string& name) {
    std::vector<std::string> out;
    auto add_eni = [&](model::Index e) {
        for (const auto& ip : topology.enis[e].private_ips) {
            out.push_back(ip.to_string());
        }
        if (auto pub = topology.public_address_of_eni(e)) {
            out.push_back(pub->to_string());
        }
    };
    for (const auto& instance : topology.instances) {
        if (instance.meta.name == name) {
            for (auto e : instance.enis) {
                add_eni(e);
            }
            // Replies to traffic it sent through a NAT gateway come back to the gateway's
            // addresses: count those of its VPC as its own (ports tell flows apart).
            const model::Index vpc = topology.enis[instance.enis.front()].vpc;
            for (model::Index n = 0; n < topology.nat_gateways.size(); ++n) {
                if (topology.nat_gateways[n].vpc == vpc) {
                    out.push_back(topology.nat_gateways[n].private_ip.to_string());
                    if (auto pub = topology.public_address_of_nat(n)) {
                        out.push_back(pub->to_string());
                    }
                }
            }
        }
    }
    for (model::Index e = 0; e < topology.enis.size(); ++e) {
        if (topology.enis[e].meta.name == name || topology.enis[e].meta.id == name) {
            add_eni(e);
        }
    }
    for (const auto& host : topology.internet_hosts) {
        if (host.meta.name == name) {
            out.push_back(host.address.to_string());
        }
    }
    if (out.empty() && net::Ipv4Address::parse(name)) {
        out.push_back(name);
    }
    return out;
}

sim::TraceEnd trace_end(const model::Topology& topology, const std::string& name,
                        const std::vector<std::string>& addresses) {
    sim::TraceEnd end;
    end.name = name;
    end.address = addresses.front();
    end.kind = "unassigned";
    for (const auto& instance : topology.instances) {
        if (instance.meta.name == name) {
            end.kind = "instance";
        }
    }
    for (const auto& host : topology.internet_hosts) {
        if (host.meta.name == name || host.address.to_string() == name) {
            end.kind = "internet";
            end.name = host.meta.name;
        }
    }
    end.label =
        end.name == end.address ? end.address : fmt::format("{} ({})", end.name, end.address);
    return end;
}

bool contains(const std::vector<std::string>& set, net::Ipv4Address address) {
    return std::find(set.begin(), set.end(), address.to_string()) != set.end();
}

}  // namespace

// Shows the latest exchange of the flow in the `vpcctl trace` format: the request the lab saw
// last (the latest SYN for TCP) and the first reply to it, as the engine traced them.
int run_lab_trace(const LabTraceOptions& options) {
    if (!check_name(options.name)) {
        return kExitError;
    }
    std::string error;
    auto state = live::read_state(options.name, &error);
    if (!state) {
        error_line(fmt::format("no lab '{}' ({})", options.name, error));
        return kExitError;
    }
    auto topology = load(state->topology);
    if (!topology) {
        return kExitError;
    }
    auto from = addresses_for(*topology, options.from);
    auto to = addresses_for(*topology, options.to);
    if (from.empty() || to.empty()) {
        error_line(
            fmt::format("'{}' is neither an instance, an ENI, an internet host nor an address",
                        from.empty() ? options.from : options.to));
        return kExitError;
    }
    int protocol = -1;
    if (!options.protocol.empty()) {
        auto parsed = net::Protocol::parse(options.protocol);
        if (!parsed || parsed->is_all()) {
            error_line(fmt::format("--proto {}: expected tcp, udp, icmp or a protocol number",
                                   options.protocol));
            return kExitError;
        }
        protocol = parsed->number();
    }
    json request = {{"op", "trace"},
                    {"a", from},
                    {"b", to},
                    {"protocol", protocol},
                    {"sport", options.sport},
                    {"dport", options.dport},
                    {"limit", 200}};
    auto reply = live::control_request(options.name, request, &error);
    if (!reply) {
        error_line(error);
        return kExitError;
    }
    if (!reply->value("ok", false)) {
        error_line(reply->value("error", "the engine refused the request"));
        return kExitError;
    }
    std::vector<engine::PacketTrace> traces;
    for (const auto& doc : (*reply)["traces"]) {
        traces.push_back(live::trace_from_json(doc));
    }
    // The request: the latest packet from `from` to `to`, preferring the latest TCP SYN.
    const engine::PacketTrace* forward = nullptr;
    for (const auto& trace : traces) {
        if (!contains(from, trace.tuple().src)) {
            continue;
        }
        const bool syn = trace.packet.is_tcp_syn();
        if (forward == nullptr || syn || !forward->packet.is_tcp_syn()) {
            forward = &trace;
        }
    }
    if (forward == nullptr) {
        std::printf("lab %s has seen no recent packet from %s to %s%s\n", options.name.c_str(),
                    options.from.c_str(), options.to.c_str(),
                    traces.empty() ? "" : " (only packets the other way)");
        std::printf("send some first, e.g. vpcctl lab exec %s %s -- ping -c1 %s\n",
                    options.name.c_str(), options.from.c_str(), to.front().c_str());
        return kExitNegative;
    }
    // Its reply: the first packet back after it, on the same ports (seen from the far end:
    // addresses may be translated, ports of a NAT'd flow too, so only the direction is sure).
    const engine::PacketTrace* back = nullptr;
    for (const auto& trace : traces) {
        if (trace.id > forward->id && contains(to, trace.tuple().src) &&
            contains(from, trace.tuple().dst)) {
            back = &trace;
            break;
        }
    }
    sim::TraceReport report;
    report.topology = state->topology;
    report.components = std::make_shared<engine::ComponentRegistry>(*topology);
    report.from = trace_end(*topology, options.from, from);
    report.to = trace_end(*topology, options.to, to);
    report.protocol = net::protocol_name(forward->tuple().protocol);
    if (options.dport >= 0) {
        report.dport = options.dport;
    }
    if (options.sport >= 0) {
        report.sport = options.sport;
    }
    report.forward = sim::path_of(*forward, "forward");
    if (back != nullptr) {
        report.ret = sim::path_of(*back, "return");
    }
    const sim::TracePath* failed = nullptr;
    if (report.forward.fate == engine::Fate::Dropped) {
        failed = &report.forward;
    } else if (report.ret && report.ret->fate == engine::Fate::Dropped) {
        failed = &*report.ret;
    }
    report.reachable = failed == nullptr && back != nullptr;
    if (failed != nullptr) {
        report.verdict =
            fmt::format("unreachable: dropped at {} ({})", sim::dropped_at_name(report, *failed),
                        failed->drop ? engine::name(*failed->drop) : "dropped");
    } else if (back == nullptr) {
        report.verdict = "no reply seen yet: the request was delivered";
    } else {
        report.verdict = "reachable";
    }
    report.outcome = back != nullptr ? "replied" : "no reply";
    report.notes.push_back(
        fmt::format("live lab {}: {} recent packets between them, the latest "
                    "exchange shown",
                    options.name, reply->value("matched", 0)));
    if (options.json) {
        std::printf("%s\n", sim::render_json(report).c_str());
    } else {
        std::printf("%s", sim::render_text(report, ::isatty(STDOUT_FILENO) != 0).c_str());
    }
    return report.reachable ? kExitOk : kExitNegative;
}

int run_lab_engine(const LabEngineOptions& options) {
    if (!check_name(options.name)) {
        return kExitError;
    }
    return live::run_engine_daemon(options.name);
}

}  // namespace vpcstack::cli
