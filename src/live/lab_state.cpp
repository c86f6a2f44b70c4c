#include "vpcstack/live/lab_state.hpp"

#include <dirent.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "vpcstack/live/netns.hpp"

namespace vpcstack::live {

using nlohmann::json;

std::string lab_dir(std::string_view lab) {
    return std::string(kStateRoot) + "/" + std::string(lab);
}
std::string state_path(std::string_view lab) {
    return lab_dir(lab) + "/state.json";
}
std::string control_socket_path(std::string_view lab) {
    return lab_dir(lab) + "/control.sock";
}
std::string engine_log_path(std::string_view lab) {
    return lab_dir(lab) + "/engine.log";
}
std::string certificate_dir(std::string_view lab) {
    return lab_dir(lab) + "/certs";
}

void write_state(const LabState& state) {
    json devices = json::array();
    for (const auto& d : state.devices) {
        devices.push_back({{"netns", d.netns}, {"name", d.name}, {"kind", d.kind}});
    }
    json user_data = json::array();
    for (const auto& u : state.user_data) {
        user_data.push_back({{"instance", u.instance}, {"pid", u.pid}, {"log", u.log}});
    }
    json lb_nodes = json::array();
    for (const auto& n : state.lb_nodes) {
        lb_nodes.push_back(
            {{"node", n.node}, {"pid", n.pid}, {"config", n.config}, {"log", n.log}});
    }
    json launched = json::object();
    for (const auto& [group, list] : state.overrides.launched) {
        json entries = json::array();
        for (const auto& li : list) {
            entries.push_back(
                {{"name", li.name}, {"subnet", li.subnet}, {"draining", li.draining}});
        }
        launched[group] = entries;
    }
    json pinned = json::object();
    for (const auto& [eni, pin] : state.overrides.pinned) {
        std::vector<std::string> ips;
        for (const auto& ip : pin.private_ips) ips.push_back(ip.to_string());
        pinned[eni] = {{"private_ips", ips}, {"mac", pin.mac.to_string()}};
    }
    json desired = json::object();
    for (const auto& [group, n] : state.overrides.desired_capacity) desired[group] = n;
    json activities = json::array();
    for (const auto& a : state.activities) {
        activities.push_back({{"time", a.time},
                              {"group", a.group},
                              {"description", a.description},
                              {"cause", a.cause}});
    }
    json doc = {{"lab", state.lab},
                {"topology", state.topology},
                {"attach", state.attach},
                {"offload", state.offload},
                {"trace", state.trace},
                {"flow_logs",
                 {{"dir", state.flow_logs.dir},
                  {"gzip", state.flow_logs.gzip},
                  {"format", state.flow_logs.format},
                  {"interval", state.flow_logs.interval},
                  {"account", state.flow_logs.account},
                  {"region", state.flow_logs.region}}},
                {"engine_pid", state.engine_pid},
                {"started", state.started},
                {"status", state.status},
                {"bringup_ms", state.bringup_ms},
                {"engine_namespace", state.engine_namespace},
                {"namespaces", state.namespaces},
                {"devices", devices},
                {"user_data", user_data},
                {"lb_nodes", lb_nodes},
                {"scaling",
                 {{"desired_capacity", desired},
                  {"launched", launched},
                  {"pinned", pinned},
                  {"activities", activities}}}};
    ::mkdir(std::string(kStateRoot).c_str(), 0755);
    ::mkdir(lab_dir(state.lab).c_str(), 0755);
    const std::string path = state_path(state.lab);
    const std::string temporary = path + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(temporary);
        out << doc.dump(2) << "\n";
        if (!out) {
            throw SystemError("write " + temporary, errno);
        }
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        throw SystemError("rename " + temporary + " to " + path, errno);
    }
}

std::optional<LabState> read_state(std::string_view lab, std::string* error) {
    const std::string path = state_path(lab);
    std::ifstream in(path);
    if (!in) {
        if (error) {
            *error = path + ": no such lab state";
        }
        return std::nullopt;
    }
    try {
        json doc = json::parse(in);
        LabState state;
        state.lab = doc.value("lab", std::string(lab));
        state.topology = doc.value("topology", "");
        state.attach = doc.value("attach", "tap");
        state.offload = doc.value("offload", true);
        state.trace = doc.value("trace", true);
        if (auto f = doc.find("flow_logs"); f != doc.end() && f->is_object()) {
            state.flow_logs.dir = f->value("dir", "");
            state.flow_logs.gzip = f->value("gzip", false);
            state.flow_logs.format = f->value("format", "");
            state.flow_logs.interval = f->value("interval", 60);
            state.flow_logs.account = f->value("account", state.flow_logs.account);
            state.flow_logs.region = f->value("region", state.flow_logs.region);
        }
        state.engine_pid = doc.value("engine_pid", 0);
        state.started = doc.value("started", std::int64_t{0});
        state.status = doc.value("status", "");
        state.bringup_ms = doc.value("bringup_ms", 0.0);
        state.engine_namespace = doc.value("engine_namespace", "");
        state.namespaces = doc.value("namespaces", std::vector<std::string>{});
        for (const auto& d : doc.value("devices", json::array())) {
            state.devices.push_back(
                {d.value("netns", ""), d.value("name", ""), d.value("kind", "")});
        }
        for (const auto& u : doc.value("user_data", json::array())) {
            state.user_data.push_back(
                {u.value("instance", ""), u.value("pid", 0), u.value("log", "")});
        }
        for (const auto& n : doc.value("lb_nodes", json::array())) {
            state.lb_nodes.push_back({n.value("node", ""), n.value("pid", 0), n.value("config", ""),
                                      n.value("log", "")});
        }
        if (auto sc = doc.find("scaling"); sc != doc.end() && sc->is_object()) {
            // Named, not temporaries: a range-for keeps only what .items() returns alive.
            const json desired = sc->value("desired_capacity", json::object());
            for (const auto& [group, n] : desired.items()) {
                state.overrides.desired_capacity[group] = n.get<std::uint32_t>();
            }
            const json launched = sc->value("launched", json::object());
            for (const auto& [group, list] : launched.items()) {
                auto& out = state.overrides.launched[group];
                for (const auto& li : list) {
                    out.push_back({li.value("name", ""), li.value("subnet", ""),
                                   li.value("draining", false)});
                }
            }
            const json pinned = sc->value("pinned", json::object());
            for (const auto& [eni, pin] : pinned.items()) {
                model::PinnedEni p;
                for (const auto& ip : pin.value("private_ips", std::vector<std::string>{})) {
                    if (auto a = net::Ipv4Address::parse(ip)) p.private_ips.push_back(*a);
                }
                if (auto mac = net::MacAddress::parse(pin.value("mac", ""))) p.mac = *mac;
                state.overrides.pinned[eni] = std::move(p);
            }
            const json activities = sc->value("activities", json::array());
            for (const auto& a : activities) {
                state.activities.push_back({a.value("time", std::int64_t{0}), a.value("group", ""),
                                            a.value("description", ""), a.value("cause", "")});
            }
        }
        return state;
    } catch (const json::exception& e) {
        if (error) {
            *error = path + ": not a lab state file (" + e.what() + ")";
        }
        return std::nullopt;
    }
}

model::LoadResult load_lab_topology(const LabState& state) {
    return model::load_topology_file(state.topology, state.overrides);
}

std::vector<std::string> list_labs() {
    std::vector<std::string> labs;
    DIR* dir = ::opendir(std::string(kStateRoot).c_str());
    if (dir == nullptr) {
        return labs;
    }
    while (dirent* entry = ::readdir(dir)) {
        std::string name(entry->d_name);
        if (name == "." || name == "..") {
            continue;
        }
        struct stat st {};
        if (::stat(lab_dir(name).c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
            labs.push_back(name);
        }
    }
    ::closedir(dir);
    std::sort(labs.begin(), labs.end());
    return labs;
}

bool engine_alive(int pid, std::string_view lab) {
    if (pid <= 0) {
        return false;
    }
    std::ifstream in("/proc/" + std::to_string(pid) + "/cmdline");
    if (!in) {
        return false;
    }
    std::stringstream buffer;
    buffer << in.rdbuf();
    std::string cmdline = buffer.str();
    std::replace(cmdline.begin(), cmdline.end(), '\0', ' ');
    // A zombie has an empty command line: it is gone as far as the lab is concerned.
    return cmdline.find(" lab engine " + std::string(lab) + " ") != std::string::npos ||
           cmdline.ends_with(" lab engine " + std::string(lab));
}

}  // namespace vpcstack::live
