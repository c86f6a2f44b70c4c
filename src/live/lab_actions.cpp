#include "vpcstack/live/lab_actions.hpp"

#include <fcntl.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fmt/format.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <thread>

#include "vpcstack/engine/component.hpp"
#include "vpcstack/engine/drop_reason.hpp"
#include "vpcstack/live/certificates.hpp"
#include "vpcstack/live/control.hpp"
#include "vpcstack/live/daemon.hpp"
#include "vpcstack/live/instance_env.hpp"
#include "vpcstack/live/lb_nodes.hpp"
#include "vpcstack/live/netns.hpp"
#include "vpcstack/live/user_data.hpp"
#include "vpcstack/model/loader.hpp"
#include "vpcstack/sim/endpoint.hpp"

namespace vpcstack::live {

using nlohmann::json;

namespace {

constexpr auto kReadyTimeout = std::chrono::seconds(60);

void fail(ActionResult& result, std::string message, std::vector<std::string> diagnostics = {}) {
    result.outcome = Outcome::Error;
    result.error = ActionError{std::move(diagnostics), std::move(message)};
}

bool require_root(const char* what, ActionResult& result) {
    if (::geteuid() == 0) {
        return true;
    }
    fail(result, fmt::format("'{}' needs root: it creates network namespaces and devices", what));
    return false;
}

bool check_name(const std::string& name, ActionResult& result) {
    if (auto problem = check_lab_name(name)) {
        fail(result, fmt::format("'{}': {}", name, *problem));
        return false;
    }
    return true;
}

std::optional<model::Topology> load(const std::string& path, ActionResult& result,
                                    const model::LoadOverrides& overrides = {}) {
    model::LoadResult loaded = model::load_topology_file(path, overrides);
    if (!loaded.ok()) {
        std::vector<std::string> lines;
        for (const auto& d : loaded.diagnostics.sorted()) {
            lines.push_back(d.to_string());
        }
        fail(result, fmt::format("{}: the topology does not load", path), std::move(lines));
        return std::nullopt;
    }
    return std::move(*loaded.topology);
}

// A lab that `lab up` recorded: its state and its topology, loaded again.
struct RecordedLab {
    LabState state;
    model::Topology topology;
};

// Checks the name (and the privileges, when the action needs root), then reads the record.
std::optional<RecordedLab> open_lab(const std::string& name, ActionResult& result,
                                    const char* needs_root = nullptr) {
    if (!check_name(name, result) || (needs_root != nullptr && !require_root(needs_root, result))) {
        return std::nullopt;
    }
    std::string error;
    auto state = read_state(name, &error);
    if (!state) {
        fail(result, fmt::format("no lab '{}' ({})", name, error));
        return std::nullopt;
    }
    auto topology = load(state->topology, result, state->overrides);
    if (!topology) {
        return std::nullopt;
    }
    return RecordedLab{std::move(*state), std::move(*topology)};
}

// A lab's status: the recorded one while its engine runs, "stopped" once it is gone.
std::string status_of(const LabState& state) {
    return engine_alive(state.engine_pid, state.lab) ? state.status : "stopped";
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

std::string addresses_of(const InterfacePlan& itf) {
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

// The plan's interfaces, with the frame counts of the engine's status reply when given.
std::vector<InterfaceRow> interface_rows(const LabPlan& plan, const model::Topology& topology,
                                         const json* ports) {
    std::vector<InterfaceRow> rows;
    for (const auto& ns : plan.namespaces) {
        for (const auto& itf : ns.interfaces) {
            InterfaceRow row{ns.display,
                             ns.name,
                             itf.name,
                             itf.mac.to_string(),
                             addresses_of(itf),
                             public_of(topology, itf.port),
                             {},
                             {}};
            if (ns.kind == NamespaceKind::Internet) {
                std::string hosts;
                for (const auto& host : topology.internet_hosts) {
                    hosts += (hosts.empty() ? "" : ", ") + host.meta.name + " " +
                             host.address.to_string();
                }
                row.addresses = hosts.empty() ? "-" : hosts;
            }
            if (ports != nullptr) {
                for (const auto& p : *ports) {
                    if (p.value("port", engine::PortId{0}) == itf.port) {
                        row.rx_frames = p.value("rx_frames", std::uint64_t{0});
                        row.tx_frames = p.value("tx_frames", std::uint64_t{0});
                    }
                }
            }
            rows.push_back(std::move(row));
        }
    }
    return rows;
}

// Starts `vpcctl lab engine LAB` detached, logging to the lab's engine.log.
int spawn_engine(const std::string& lab, const std::string& program) {
    pid_t pid = ::fork();
    if (pid != 0) {
        return pid;
    }
    ::setsid();
    int log = ::open(engine_log_path(lab).c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
    int null = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
    if (log >= 0) {
        ::dup2(log, STDOUT_FILENO);
        ::dup2(log, STDERR_FILENO);
    }
    if (null >= 0) {
        ::dup2(null, STDIN_FILENO);
    }
    char self[PATH_MAX] = {};
    if (program.empty()) {
        ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n <= 0) {
            std::_Exit(127);
        }
    } else {
        std::snprintf(self, sizeof(self), "%s", program.c_str());
    }
    ::execl(self, "vpcctl", "lab", "engine", lab.c_str(), static_cast<char*>(nullptr));
    std::fprintf(stderr, "exec %s: %s\n", self, std::strerror(errno));
    std::_Exit(127);
}

// Waits until the engine answers on its socket; false when it died or the time ran out.
bool wait_until_ready(const std::string& lab, int pid) {
    const auto deadline = std::chrono::steady_clock::now() + kReadyTimeout;
    while (std::chrono::steady_clock::now() < deadline) {
        int status = 0;
        if (::waitpid(pid, &status, WNOHANG) == pid) {
            return false;
        }
        if (auto reply =
                control_request(lab, {{"op", "ping"}}, nullptr, std::chrono::milliseconds(200));
            reply && reply->value("ok", false)) {
            return true;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
    }
    return false;
}

// Checks that the lab forwards: the first instance asks for its gateway by ARP (or, with no
// instances, the internet namespace asks for its next hop).
void probe_lab(const LabPlan& plan, LabUpResult& result) {
    for (const auto& ns : plan.namespaces) {
        for (const auto& itf : ns.interfaces) {
            if (!itf.gateway || itf.addresses.empty()) {
                continue;
            }
            result.probe =
                fmt::format("{} asked for its gateway {}", ns.display, itf.gateway->to_string());
            net::Ipv4Address source = itf.source.value_or(itf.addresses.front().address);
            try {
                result.answer = probe_arp(ns.name, itf.name, itf.mac, source, *itf.gateway,
                                          std::chrono::milliseconds(2000));
            } catch (const std::exception& e) {
                result.probe_error = e.what();
            }
            return;
        }
    }
}

// What `lab up` records before the engine starts: everything it is about to make.
LabState initial_state(const std::string& lab, const std::string& path, const LabPlan& plan,
                       Attach attach, const LabUpOptions& options) {
    LabState state;
    state.lab = lab;
    state.topology = path;
    state.attach = std::string(to_string(attach));
    state.offload = options.offload;
    state.trace = options.trace;
    state.flow_logs = options.flow_logs;
    if (!state.flow_logs.dir.empty()) {
        state.flow_logs.dir = std::filesystem::absolute(state.flow_logs.dir).string();
    }
    state.started = static_cast<std::int64_t>(std::time(nullptr));
    state.status = "starting";
    state.engine_namespace = attach == Attach::Veth ? plan.engine_namespace : "";
    for (const auto& ns : plan.namespaces) {
        state.namespaces.push_back(ns.name);
        for (const auto& itf : ns.interfaces) {
            state.devices.push_back({ns.name, itf.name, state.attach});
            if (attach == Attach::Veth) {
                state.devices.push_back({plan.engine_namespace, itf.host_end, "veth"});
            }
        }
    }
    if (attach == Attach::Veth) {
        state.namespaces.push_back(plan.engine_namespace);
    }
    return state;
}

// Starts the user data of every running instance that has some and records the scripts in the
// lab's state, so that `lab down` ends them. False (and the result failed) when one could not
// start; those started are recorded all the same, for the tear-down.
bool run_user_data(const std::string& lab, const LabPlan& plan, const model::Topology& topology,
                   const std::string& program, LabUpResult& result) {
    const std::string program_dir = program_directory(program);
    std::string error;
    for (const auto& ns : plan.namespaces) {
        if (ns.kind != NamespaceKind::Instance || ns.instance == model::kNone) {
            continue;
        }
        const model::Instance& instance = topology.instances[ns.instance];
        if (instance.user_data.empty() || !instance.running) {
            continue;
        }
        try {
            const int pid =
                start_user_data(lab, ns.display, ns.name, instance.user_data, program_dir);
            result.user_data.push_back({ns.display, pid, user_data_log_path(lab, ns.display)});
        } catch (const std::exception& e) {
            error = e.what();
            break;
        }
    }
    // The internet's name server (dns_serve.hpp), when there is a public name to serve: public
    // hosted zones, or instances' public hostnames.
    bool names = std::any_of(topology.hosted_zones.begin(), topology.hosted_zones.end(),
                             [](const model::HostedZone& z) { return !z.is_private; }) ||
                 std::any_of(topology.vpcs.begin(), topology.vpcs.end(),
                             [](const model::Vpc& v) { return v.enable_dns_hostnames; });
    if (const NamespacePlan* internet = plan.find("internet");
        error.empty() && names && internet != nullptr) {
        try {
            const int pid = start_user_data(lab, "internet", internet->name,
                                            "exec vpcctl serve dns --lab " + lab, program_dir);
            result.user_data.push_back({"internet", pid, user_data_log_path(lab, "internet")});
        } catch (const std::exception& e) {
            error = e.what();
        }
    }
    if (!result.user_data.empty()) {
        // The engine recorded the lab once running and writes no more: this adds to its record.
        LabState state = read_state(lab).value_or(result.state);
        state.user_data = result.user_data;
        try {
            write_state(state);
            result.state.user_data = result.user_data;
        } catch (const std::exception& e) {
            stop_user_data(result.user_data);
            error = error.empty() ? e.what() : error;
        }
    }
    if (!error.empty()) {
        fail(result, error);
        return false;
    }
    return true;
}

// Writes the ALB nodes' HAProxy configurations and has HAProxy check them, before anything
// runs. False (and the result failed) when HAProxy is missing or rejects a file.
bool prepare_lb_nodes(const std::vector<LbNodeSetup>& nodes, std::string& haproxy,
                      LabUpResult& result) {
    if (nodes.empty()) {
        return true;
    }
    haproxy = find_haproxy();
    if (haproxy.empty()) {
        const char* chosen = std::getenv(kHaproxyVariable);
        fail(result,
             fmt::format("the topology's Application Load Balancers have {} {}, which HAProxy "
                         "plays in a lab, and {}; install it, e.g. apt-get install haproxy",
                         nodes.size(), nodes.size() == 1 ? "node" : "nodes",
                         chosen != nullptr ? fmt::format("haproxy is not at {}={} (not an "
                                                         "executable file)",
                                                         kHaproxyVariable, chosen)
                                           : std::string("haproxy is not installed (on PATH or "
                                                         "in /usr/sbin)")));
        return false;
    }
    try {
        write_lb_nodes(nodes);
    } catch (const std::exception& e) {
        fail(result, fmt::format("the load balancer nodes' configuration: {}", e.what()));
        return false;
    }
    for (const auto& node : nodes) {
        if (std::string problem = check_lb_node(haproxy, node); !problem.empty()) {
            fail(result, fmt::format("HAProxy rejects the configuration of load balancer node {} "
                                     "({}):\n{}",
                                     node.node, node.config_file.string(), problem));
            return false;
        }
    }
    return true;
}

// Starts HAProxy in every ALB node's namespace and records the processes in the lab's state, so
// that `lab down` ends them. False (and the result failed) when one could not start; those
// started are recorded all the same, for the tear-down.
bool run_lb_nodes(const std::string& lab, const std::vector<LbNodeSetup>& nodes,
                  const std::string& haproxy, const std::string& program, LabUpResult& result) {
    if (nodes.empty()) {
        return true;
    }
    const std::string program_dir = program_directory(program);
    std::string error;
    for (const auto& node : nodes) {
        try {
            const int pid = start_lb_node(lab, haproxy, node, program_dir);
            result.lb_nodes.push_back(
                {node.node, pid, node.config_file.string(), node.log.string()});
        } catch (const std::exception& e) {
            error = e.what();
            break;
        }
    }
    for (const auto& node : nodes) {
        for (const auto& note : node.config.notes) {
            if (std::find(result.lb_notes.begin(), result.lb_notes.end(), note.message) ==
                result.lb_notes.end()) {
                result.lb_notes.push_back(note.message);
            }
        }
    }
    if (!result.lb_nodes.empty()) {
        LabState state = read_state(lab).value_or(result.state);
        state.lb_nodes = result.lb_nodes;
        try {
            write_state(state);
            result.state.lb_nodes = result.lb_nodes;
        } catch (const std::exception& e) {
            stop_lb_nodes(result.lb_nodes);
            error = error.empty() ? e.what() : error;
        }
    }
    if (!error.empty()) {
        fail(result, error);
        return false;
    }
    return true;
}

}  // namespace

LabUpResult lab_up(const LabUpOptions& options) {
    LabUpResult result;
    if (!require_root("lab up", result)) {
        return result;
    }
    char resolved[PATH_MAX] = {};
    if (::realpath(options.topology.c_str(), resolved) == nullptr) {
        fail(result, fmt::format("{}: {}", options.topology, std::strerror(errno)));
        return result;
    }
    const std::string path = resolved;
    auto topology = load(path, result);
    if (!topology) {
        return result;
    }
    const std::string lab = options.name.empty() ? lab_name_from_path(path) : options.name;
    result.lab = lab;
    if (!check_name(lab, result)) {
        return result;
    }
    auto attach = parse_attach(options.attach);
    if (!attach) {
        fail(result, fmt::format("--attach {}: expected tap or veth", options.attach));
        return result;
    }
    if (auto existing = read_state(lab); existing && engine_alive(existing->engine_pid, lab)) {
        fail(result,
             fmt::format("lab '{}' is already up (engine pid {}); run 'vpcctl lab down {}' first",
                         lab, existing->engine_pid, lab));
        return result;
    }
    // Leftovers of a lab of the same name whose engine is gone.
    result.leftovers_removed = tear_down(lab).namespaces.size();

    const auto start = std::chrono::steady_clock::now();
    LabPlan plan = make_lab_plan(lab, *topology);
    result.state = initial_state(lab, path, plan, *attach, options);
    try {
        write_state(result.state);
    } catch (const std::exception& e) {
        fail(result, e.what());
        return result;
    }
    // The certificates exist before anything that serves them starts.
    if (auto names = lab_certificate_names(*topology); !names.empty()) {
        try {
            LabCertificates certificates = issue_lab_certificates(certificate_dir(lab), names);
            result.ca_file = certificates.ca_certificate.string();
            result.certificates_issued = certificates.issued.size();
        } catch (const std::exception& e) {
            fail(result, fmt::format("the lab's certificates: {}", e.what()));
            tear_down(lab);
            return result;
        }
    }
    // The load balancer nodes' configuration, checked before the engine starts: it names the
    // certificates above.
    std::vector<LbNodeSetup> lb_nodes;
    std::string haproxy;
    try {
        lb_nodes = plan_lb_nodes(lab, plan, *topology);
    } catch (const std::exception& e) {
        fail(result, fmt::format("the load balancer nodes' configuration: {}", e.what()));
        tear_down(lab);
        return result;
    }
    if (!prepare_lb_nodes(lb_nodes, haproxy, result)) {
        tear_down(lab);
        return result;
    }
    const int pid = spawn_engine(lab, options.engine_program);
    if (pid < 0) {
        fail(result, fmt::format("cannot start the engine: {}", std::strerror(errno)));
        tear_down(lab);
        return result;
    }
    result.state.engine_pid = pid;
    if (!wait_until_ready(lab, pid)) {
        fail(result, fmt::format("the engine of lab '{}' did not start; its log:\n{}", lab,
                                 tail_of_file(engine_log_path(lab), 20)));
        tear_down(lab);
        return result;
    }
    if (!run_user_data(lab, plan, *topology, options.engine_program, result) ||
        !run_lb_nodes(lab, lb_nodes, haproxy, options.engine_program, result)) {
        tear_down(lab);
        return result;
    }
    result.up_ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    probe_lab(plan, result);
    if (auto recorded = read_state(lab)) {
        result.state.bringup_ms = recorded->bringup_ms;
    }
    result.interfaces = interface_rows(plan, *topology, nullptr);
    if (!result.answer && !result.probe.empty()) {
        result.outcome = Outcome::Negative;
    }
    if (!plan.namespaces.empty() && plan.namespaces.front().kind == NamespaceKind::Instance) {
        const NamespacePlan& first = plan.namespaces.front();
        result.try_instance = first.display;
        if (first.interfaces.front().gateway) {
            result.try_gateway = first.interfaces.front().gateway->to_string();
        }
    }
    return result;
}

LabDownResult lab_down(const LabDownOptions& options) {
    LabDownResult result;
    if (!check_name(options.name, result) || !require_root("lab down", result)) {
        return result;
    }
    result.report = tear_down(options.name);
    const TearDownReport& r = result.report;
    result.nothing_to_remove =
        r.engine_pid == 0 && r.namespaces.empty() && !r.state_removed && r.errors.empty();
    if (!r.errors.empty()) {
        result.outcome = Outcome::Error;
    }
    return result;
}

LabStatusResult lab_status(const LabStatusOptions& options) {
    LabStatusResult result;
    auto lab = open_lab(options.name, result);
    if (!lab) {
        return result;
    }
    result.state = lab->state;
    result.status = status_of(lab->state);
    LabPlan plan = make_lab_plan(options.name, lab->topology);
    std::optional<json> reply;
    if (engine_alive(lab->state.engine_pid, options.name)) {
        reply = control_request(options.name, {{"op", "status"}}, &result.engine_error);
    }
    result.interfaces = interface_rows(plan, lab->topology, reply ? &(*reply)["ports"] : nullptr);
    for (const model::AutoScalingGroup& asg : lab->topology.auto_scaling_groups) {
        GroupRow row;
        row.name = asg.meta.name;
        row.desired = asg.desired_capacity;
        row.min_size = asg.min_size;
        row.max_size = asg.max_size;
        for (model::Index i : asg.instances)
            row.in_service.push_back(lab->topology.instances[i].meta.name);
        for (model::Index i : asg.draining)
            row.draining.push_back(lab->topology.instances[i].meta.name);
        row.health_check_type =
            asg.health_check_type == model::AsgHealthCheckType::Elb ? "ELB" : "EC2";
        if (asg.target_tracking) {
            row.target_tracking = fmt::format(
                "ALBRequestCountPerTarget of {} at {} per {} s{}",
                lab->topology.target_groups[asg.target_tracking->target_group].meta.name,
                asg.target_tracking->target_value, asg.target_tracking->period,
                asg.target_tracking->disable_scale_in ? ", scale-in disabled" : "");
        }
        result.groups.push_back(std::move(row));
    }
    if (reply && reply->contains("health_checks")) {
        result.health_checks = health_records_from_json((*reply)["health_checks"]);
    } else if (!lab->topology.health_checks.empty()) {
        std::ifstream in(health_status_path(options.name));
        json doc = in ? json::parse(in, nullptr, /*allow_exceptions=*/false) : json();
        result.health_checks = health_records_from_json(doc);
    }
    if (!reply) {
        result.outcome = Outcome::Negative;
        return result;
    }
    EngineStatus engine;
    engine.uptime_s = reply->value("uptime_s", 0.0);
    const json& counters = (*reply)["engine"];
    engine.received = counters.value("received", std::uint64_t{0});
    engine.transmitted = counters.value("transmitted", std::uint64_t{0});
    for (const auto& info : engine::kDropReasons) {
        const std::string name(info.name);
        if (std::uint64_t count = counters["drops"].value(name, std::uint64_t{0}); count != 0) {
            engine.drops.push_back({name, count, std::string(info.explanation), false});
        }
    }
    const json& live_part = (*reply)["live"];
    for (const auto& info : kLiveDrops) {
        const std::string name(info.name);
        if (std::uint64_t count = live_part["drops"].value(name, std::uint64_t{0}); count != 0) {
            engine.drops.push_back({name, count, std::string(info.explanation), true});
        }
    }
    for (const auto& component : counters["components"]) {
        engine.components.push_back({component.value("name", ""),
                                     component.value("packets", std::uint64_t{0}),
                                     component.value("drops", std::uint64_t{0})});
    }
    const json& offload = live_part["offload"];
    engine.offload = {offload.value("partial_passed", std::uint64_t{0}),
                      offload.value("csum_completed", std::uint64_t{0}),
                      offload.value("gso_passed", std::uint64_t{0}),
                      offload.value("gso_segmented", std::uint64_t{0})};
    engine.cloud_counters = reply->value("cloud_counters", json::object());
    engine.captures = reply->value("captures", json::array());
    result.engine = std::move(engine);
    return result;
}

LabScaleResult lab_scale(const LabScaleOptions& options) {
    LabScaleResult result;
    auto lab = open_lab(options.name, result, "lab scale");
    if (!lab) {
        return result;
    }
    if (!engine_alive(lab->state.engine_pid, options.name)) {
        fail(result, fmt::format("the engine of lab '{}' is not running; bring the lab up again "
                                 "('vpcctl lab down {}' then 'vpcctl lab up')",
                                 options.name, options.name));
        return result;
    }
    std::string error;
    // Launching is quick; draining waits in the engine, not here.
    auto reply = control_request(
        options.name, {{"op", "scale"}, {"group", options.group}, {"desired", options.desired}},
        &error, std::chrono::milliseconds(60000));
    if (!reply) {
        fail(result, fmt::format("the engine of lab '{}' did not answer: {}", options.name, error));
        return result;
    }
    if (!reply->value("ok", false)) {
        fail(result, reply->value("error", std::string("the engine refused")));
        return result;
    }
    result.group = reply->value("group", options.group);
    result.desired = reply->value("desired", std::uint32_t{0});
    result.unchanged = reply->value("unchanged", false);
    result.launched = reply->value("launched", std::vector<std::string>{});
    result.draining = reply->value("draining", std::vector<std::string>{});
    result.terminated = reply->value("terminated", std::vector<std::string>{});
    result.deregistration_delay = reply->value("deregistration_delay", std::uint32_t{0});
    result.milliseconds = reply->value("milliseconds", 0.0);
    return result;
}

LabListResult lab_list() {
    LabListResult result;
    std::set<std::string> owned;
    for (const auto& lab : list_labs()) {
        LabListEntry entry;
        entry.lab = lab;
        if (auto state = read_state(lab)) {
            owned.insert(state->namespaces.begin(), state->namespaces.end());
            entry.has_state = true;
            entry.status = status_of(*state);
            entry.attach = state->attach;
            entry.namespaces_total = state->namespaces.size();
            for (const auto& ns : state->namespaces) {
                entry.namespaces_present += open_named_netns(ns).valid() ? 1 : 0;
            }
            entry.uptime_s = static_cast<double>(std::time(nullptr) - state->started);
            entry.topology = state->topology;
        }
        result.labs.push_back(std::move(entry));
    }
    for (const auto& ns : list_named_netns(kNamespacePrefix)) {
        if (owned.count(ns) == 0) {
            result.orphans.push_back(ns);
        }
    }
    return result;
}

LabExecResult lab_exec(const LabExecOptions& options) {
    LabExecResult result;
    auto lab = open_lab(options.name, result, "lab exec");
    if (!lab) {
        return result;
    }
    LabPlan plan = make_lab_plan(options.name, lab->topology);
    const NamespacePlan* target = resolve_exec_target(plan, lab->topology, options.instance);
    if (target == nullptr) {
        std::string names;
        for (const auto& ns : plan.namespaces) {
            names += (names.empty() ? "" : ", ") + ns.display;
        }
        for (const auto& host : lab->topology.internet_hosts) {
            names += ", " + host.meta.name;
        }
        fail(result,
             fmt::format("lab '{}' has no instance, load balancer node or internet host '{}'; "
                         "expected one of: {}",
                         options.name, options.instance, names));
        return result;
    }
    std::vector<std::string> command = options.command;
    if (!command.empty() && command.front() == "--") {
        command.erase(command.begin());
    }
    if (command.empty()) {
        fail(result, "no command given; write it after --");
        return result;
    }
    std::optional<InstanceEnv> env;
    try {
        std::vector<std::pair<std::string, std::string>> variables{{"VPCSTACK_LAB", options.name}};
        if (target->kind == NamespaceKind::Instance) {
            variables.emplace_back("VPCSTACK_INSTANCE", target->display);
        }
        env.emplace(prepare_instance_env(options.name, target->name, program_directory(),
                                         std::move(variables)));
    } catch (const SystemError& e) {
        fail(result, fmt::format("cannot enter namespace {} of lab '{}': {}", target->name,
                                 options.name, std::strerror(e.error())));
        return result;
    }
    if (auto failure = env->enter()) {
        fail(result, fmt::format("cannot enter namespace {} of lab '{}': {}: {}", target->name,
                                 options.name, failure->step, std::strerror(failure->error)));
        return result;
    }
    for (const auto& [name, value] : env->variables) {
        ::setenv(name.c_str(), value.c_str(), 1);
    }
    std::vector<char*> argv;
    for (auto& arg : command) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    ::execvp(argv[0], argv.data());
    fail(result, fmt::format("{}: {}", command.front(), std::strerror(errno)));
    result.command_not_run = true;
    return result;
}

namespace {

// Every address the packets of an endpoint carry where the lab's engine sees them: the
// private and public addresses of all an instance's ENIs, or the one address of anything else.
// Replies to traffic an instance sent through a NAT gateway reach the engine addressed to the
// gateway, so the NAT gateways of its VPC count as its own (ports tell flows apart). This is
// the engine's view of a flow; the simulation follows packets by host instead.
std::vector<net::Ipv4Address> addresses_at_engine(const model::Topology& topology,
                                                  const sim::Endpoint& endpoint) {
    if (endpoint.kind != sim::Endpoint::Kind::Instance) {
        return {endpoint.address};
    }
    std::vector<model::Index> enis{endpoint.eni};
    if (endpoint.instance != model::kNone) {
        enis = topology.instances[endpoint.instance].enis;
    }
    std::vector<net::Ipv4Address> out;
    for (model::Index e : enis) {
        out.insert(out.end(), topology.enis[e].private_ips.begin(),
                   topology.enis[e].private_ips.end());
        if (auto pub = topology.public_address_of_eni(e)) {
            out.push_back(*pub);
        }
    }
    const model::Index vpc = topology.enis[endpoint.eni].vpc;
    for (model::Index n = 0; n < topology.nat_gateways.size(); ++n) {
        if (topology.nat_gateways[n].vpc == vpc) {
            out.push_back(topology.nat_gateways[n].private_ip);
            if (auto pub = topology.public_address_of_nat(n)) {
                out.push_back(*pub);
            }
        }
    }
    return out;
}

bool contains(const std::vector<net::Ipv4Address>& set, net::Ipv4Address address) {
    return std::find(set.begin(), set.end(), address) != set.end();
}

// The two ends of the flow the user named, the addresses each stands for, and the protocol
// (-1: any).
struct Flow {
    sim::Endpoint from;
    sim::Endpoint to;
    std::vector<net::Ipv4Address> from_addresses;
    std::vector<net::Ipv4Address> to_addresses;
    int protocol = -1;
};

std::optional<Flow> resolve_flow(const model::Topology& topology, const LabTraceOptions& options,
                                 ActionResult& result) {
    sim::ResolveResult from = sim::resolve_endpoint(topology, options.from);
    if (!from.endpoint) {
        fail(result, "--from: " + from.error);
        return std::nullopt;
    }
    sim::ResolveResult to = sim::resolve_endpoint(topology, options.to);
    if (!to.endpoint) {
        fail(result, "--to: " + to.error);
        return std::nullopt;
    }
    Flow flow{*from.endpoint, *to.endpoint, addresses_at_engine(topology, *from.endpoint),
              addresses_at_engine(topology, *to.endpoint), -1};
    if (!options.protocol.empty()) {
        auto parsed = net::Protocol::parse(options.protocol);
        if (!parsed || parsed->is_all()) {
            fail(result, fmt::format("--proto {}: expected tcp, udp, icmp or a protocol number",
                                     options.protocol));
            return std::nullopt;
        }
        flow.protocol = parsed->number();
    }
    return flow;
}

std::vector<std::string> address_texts(const std::vector<net::Ipv4Address>& addresses) {
    std::vector<std::string> out;
    for (net::Ipv4Address a : addresses) {
        out.push_back(a.to_string());
    }
    return out;
}

}  // namespace

LabTraceResult trace_exchange(const model::Topology& topology, const LabTraceOptions& options,
                              const std::vector<engine::PacketTrace>& traces) {
    LabTraceResult result;
    auto flow = resolve_flow(topology, options, result);
    if (!flow) {
        return result;
    }
    // The request: the latest packet from `from` to `to`, preferring the latest TCP SYN.
    const engine::PacketTrace* forward = nullptr;
    for (const auto& trace : traces) {
        if (!contains(flow->from_addresses, trace.tuple().src)) {
            continue;
        }
        const bool syn = trace.packet.is_tcp_syn();
        if (forward == nullptr || syn || !forward->packet.is_tcp_syn()) {
            forward = &trace;
        }
    }
    if (forward == nullptr) {
        result.outcome = Outcome::Negative;
        result.only_other_way = !traces.empty();
        result.to_address = flow->to.address.to_string();
        return result;
    }
    // Its reply: the first packet back after it (seen from the far end: addresses may be
    // translated, ports of a NAT'd flow too, so only the direction is sure).
    const engine::PacketTrace* back = nullptr;
    for (const auto& trace : traces) {
        if (trace.id > forward->id && contains(flow->to_addresses, trace.tuple().src) &&
            contains(flow->from_addresses, trace.tuple().dst)) {
            back = &trace;
            break;
        }
    }
    sim::TraceReport& report = result.report.emplace();
    report.topology = topology.file;
    report.components = std::make_shared<engine::ComponentRegistry>(topology);
    report.from = sim::trace_end_of(topology, flow->from);
    report.to = sim::trace_end_of(topology, flow->to);
    report.protocol = net::protocol_name(forward->tuple().protocol);
    if (options.dport >= 0) {
        report.dport = options.dport;
    }
    if (options.sport >= 0) {
        report.sport = options.sport;
    }
    net::FiveTuple forward_at_drop;
    net::FiveTuple back_at_drop;
    report.forward = sim::path_of(*forward, "forward", &forward_at_drop);
    if (back != nullptr) {
        report.ret = sim::path_of(*back, "return", &back_at_drop);
    }
    if (report.forward.fate == engine::Fate::Dropped) {
        sim::set_drop_verdict(report, topology, report.forward, forward_at_drop, false);
    } else if (report.ret && report.ret->fate == engine::Fate::Dropped) {
        sim::set_drop_verdict(report, topology, *report.ret, back_at_drop, true);
    } else if (back == nullptr) {
        report.verdict = "no reply seen yet: the request was delivered";
    } else {
        report.reachable = true;
        report.verdict = "reachable";
    }
    report.outcome = back != nullptr ? "replied" : "no reply";
    result.outcome = report.reachable ? Outcome::Ok : Outcome::Negative;
    return result;
}

LabTraceResult lab_trace(const LabTraceOptions& options) {
    LabTraceResult result;
    auto lab = open_lab(options.name, result);
    if (!lab) {
        return result;
    }
    auto flow = resolve_flow(lab->topology, options, result);
    if (!flow) {
        return result;
    }
    json request = {{"op", "trace"},
                    {"a", address_texts(flow->from_addresses)},
                    {"b", address_texts(flow->to_addresses)},
                    {"protocol", flow->protocol},
                    {"sport", options.sport},
                    {"dport", options.dport},
                    {"limit", 200}};
    std::string error;
    auto reply = control_request(options.name, request, &error);
    if (!reply) {
        fail(result, error);
        return result;
    }
    if (!reply->value("ok", false)) {
        fail(result, reply->value("error", "the engine refused the request"));
        return result;
    }
    std::vector<engine::PacketTrace> traces;
    for (const auto& doc : (*reply)["traces"]) {
        traces.push_back(trace_from_json(doc));
    }
    result = trace_exchange(lab->topology, options, traces);
    if (result.report) {
        result.report->notes.push_back(
            fmt::format("live lab {}: {} recent packets between them, the latest exchange shown",
                        options.name, reply->value("matched", 0)));
    }
    return result;
}

// ---- lab capture -----------------------------------------------------------------------------

namespace {

// "nat/nat-a" "outside" (a side written as a word of its own) is "nat/nat-a outside".
std::vector<std::string> joined_point_names(const std::vector<std::string>& words) {
    std::vector<std::string> names;
    for (const std::string& word : words) {
        if ((word == "inside" || word == "outside") && !names.empty()) {
            names.back() += " " + word;
        } else {
            names.push_back(word);
        }
    }
    return names;
}

}  // namespace

LabCaptureResult lab_capture(const LabCaptureOptions& options) {
    LabCaptureResult result;
    if (options.output.empty()) {
        fail(result, "-w: expected a file to write, or - for standard output");
        return result;
    }
    const bool to_stdout = options.output == "-";
    if (to_stdout && ::isatty(STDOUT_FILENO) != 0) {
        fail(result,
             "-w -: standard output is a terminal; pipe it (| wireshark -k -i -) or name a file");
        return result;
    }
    if (options.duration_s < 0) {
        fail(result, fmt::format("--duration {}: expected a positive number of seconds",
                                 options.duration_s));
        return result;
    }
    auto lab = open_lab(options.name, result);
    if (!lab) {
        return result;
    }
    const json request = {{"op", "capture"},
                          {"points", joined_point_names(options.points)},
                          {"filter", options.filter},
                          {"drops_only", options.drops_only}};
    std::string error;
    if (!capture_options(lab->topology, request, error)) {  // before the engine is asked
        fail(result, error);
        return result;
    }
    Fd socket;
    std::vector<std::uint8_t> rest;
    auto reply = control_stream_request(options.name, request, socket, rest, &error);
    if (!reply) {
        fail(result, error);
        return result;
    }
    if (!reply->value("ok", false)) {
        fail(result, reply->value("error", "the engine refused the capture"));
        return result;
    }
    Fd file;
    int output = STDOUT_FILENO;
    result.output = to_stdout ? "standard output" : options.output;
    if (!to_stdout) {
        file = Fd(::open(options.output.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644));
        if (!file.valid()) {
            fail(result, fmt::format("cannot write {}: {}", options.output, std::strerror(errno)));
            return result;
        }
        output = file.get();
    }
    CaptureCopyLimits limits;
    if (options.count > 0) limits.count = options.count;
    if (options.duration_s > 0) {
        limits.duration =
            std::chrono::milliseconds(static_cast<std::int64_t>(options.duration_s * 1000.0 + 0.5));
    }
    result.copy = copy_capture(socket.get(), output, rest, limits);
    if (result.copy.end == CaptureEnd::Failed) {
        fail(result, fmt::format("capture to {}: {}", result.output, result.copy.error));
    }
    return result;
}

}  // namespace vpcstack::live
