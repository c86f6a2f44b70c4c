#include "vpcstack/live/lb_nodes.hpp"

#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <stdexcept>
#include <system_error>

#include "vpcstack/live/netns.hpp"
#include "vpcstack/live/user_data.hpp"

namespace vpcstack::live {

namespace {

// Where HAProxy is looked for after PATH: a package installs it in /usr/sbin, which sudo's and
// some shells' PATH leave out.
constexpr std::array<std::string_view, 3> kSbinDirs = {"/usr/sbin", "/usr/local/sbin", "/sbin"};

// The file name of a node's files: its ENI's name, which is the lab's display name for it.
std::string file_stem(std::string_view node) {
    std::string out(node);
    for (char& c : out) {
        if (c == '/') c = '_';
    }
    return out;
}

}  // namespace

std::string lb_node_dir(std::string_view lab) {
    return lab_dir(lab) + "/lb";
}

std::string lb_log_socket_path(std::string_view lab) {
    return lb_node_dir(lab) + "/log.sock";
}

std::vector<LbNodeSetup> plan_lb_nodes(std::string_view lab, const LabPlan& plan,
                                       const model::Topology& topology) {
    const lb::HaproxyPaths paths{lb_node_dir(lab), lb_log_socket_path(lab), certificate_dir(lab)};
    std::vector<LbNodeSetup> nodes;
    for (const auto& ns : plan.namespaces) {
        if (ns.kind != NamespaceKind::LoadBalancerNode) continue;
        LbNodeSetup setup;
        setup.node = ns.display;
        setup.netns = ns.name;
        const std::string stem = lb_node_dir(lab) + "/" + file_stem(ns.display);
        setup.config_file = stem + ".cfg";
        setup.log = stem + ".log";
        setup.config = lb::haproxy_config(topology, ns.load_balancer, ns.node, paths);
        nodes.push_back(std::move(setup));
    }
    return nodes;
}

namespace {

bool executable_file(const std::string& path) {
    struct stat st {};
    return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) &&
           ::access(path.c_str(), X_OK) == 0;
}

}  // namespace

std::string find_haproxy() {
    if (const char* chosen = std::getenv(kHaproxyVariable); chosen != nullptr && *chosen != '\0') {
        return executable_file(chosen) ? std::string(chosen) : "";
    }
    std::vector<std::string> dirs;
    if (const char* path = std::getenv("PATH")) {
        std::string_view rest(path);
        while (!rest.empty()) {
            const auto colon = rest.find(':');
            dirs.emplace_back(rest.substr(0, colon));
            rest = colon == std::string_view::npos ? "" : rest.substr(colon + 1);
        }
    }
    dirs.insert(dirs.end(), kSbinDirs.begin(), kSbinDirs.end());
    for (const auto& dir : dirs) {
        if (dir.empty()) continue;
        const std::string candidate = dir + "/haproxy";
        if (executable_file(candidate)) return candidate;
    }
    return "";
}

void write_lb_nodes(const std::vector<LbNodeSetup>& nodes) {
    for (const auto& node : nodes) {
        std::error_code ec;
        std::filesystem::create_directories(node.config_file.parent_path(), ec);
        if (ec) {
            throw std::runtime_error(node.config_file.parent_path().string() + ": " + ec.message());
        }
        {
            std::ofstream out(node.config_file);
            out << node.config.text;
            if (!out) {
                throw std::runtime_error(node.config_file.string() + ": cannot write");
            }
        }
        // HAProxy reads a certificate's key from "<certificate>.key" when the certificate file
        // holds none; the lab's CA writes it as "<name>-key.pem". A link keeps one key.
        for (const auto& certificate : node.config.certificates) {
            std::filesystem::remove(certificate.key_for_proxy, ec);
            std::filesystem::create_symlink(certificate.key, certificate.key_for_proxy, ec);
            if (ec) {
                throw std::runtime_error(certificate.key_for_proxy.string() + ": " + ec.message());
            }
        }
    }
}

std::string check_lb_node(const std::string& haproxy, const LbNodeSetup& node) {
    // The lab's paths hold only [a-z0-9-._/]: quoting them for the shell is enough.
    const std::string command = "'" + haproxy + "' -c -f '" + node.config_file.string() + "' 2>&1";
    FILE* pipe = ::popen(command.c_str(), "r");
    if (pipe == nullptr) {
        return "cannot run " + haproxy + ": " + std::strerror(errno);
    }
    std::string output;
    std::array<char, 4096> buffer{};
    while (std::size_t n = std::fread(buffer.data(), 1, buffer.size(), pipe)) {
        output.append(buffer.data(), n);
    }
    const int status = ::pclose(pipe);
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0) {
        return "";
    }
    return output.empty() ? haproxy + " -c failed with status " + std::to_string(status) : output;
}

namespace {

DetachedProcess lb_node_process(std::string_view lab, const std::string& haproxy,
                                const LbNodeSetup& node, const std::string& program_dir) {
    DetachedProcess process;
    process.what = "load balancer node " + node.node;
    process.netns = node.netns;
    process.program = haproxy;
    // -db: in the foreground, so that the process is the node and its group ends it.
    process.argv = {"haproxy", "-f", node.config_file.string(), "-db"};
    process.log = node.log.string();
    process.program_dir = program_dir;
    process.variables = {{"VPCSTACK_LAB", std::string(lab)}, {"VPCSTACK_LB_NODE", node.node}};
    return process;
}

}  // namespace

int start_lb_node(std::string_view lab, const std::string& haproxy, const LbNodeSetup& node,
                  const std::string& program_dir) {
    return start_detached(lab, lb_node_process(lab, haproxy, node, program_dir));
}

int reload_lb_node(std::string_view lab, const std::string& haproxy, const LbNodeSetup& node,
                   int old_pid, const std::string& program_dir) {
    if (old_pid <= 0) {
        throw std::invalid_argument("reload of load balancer node " + node.node +
                                    ": no running process (pid " + std::to_string(old_pid) + ")");
    }
    write_lb_nodes({node});
    if (std::string problem = check_lb_node(haproxy, node); !problem.empty()) {
        throw std::runtime_error("HAProxy rejects the configuration of load balancer node " +
                                 node.node + " (" + node.config_file.string() + "):\n" + problem);
    }
    DetachedProcess process = lb_node_process(lab, haproxy, node, program_dir);
    process.what = "reload of load balancer node " + node.node;
    // -sf: once listening, the new process has the old one stop listening and finish.
    process.argv.insert(process.argv.end(), {"-sf", std::to_string(old_pid)});
    return start_detached(lab, process);
}

std::vector<LbServerStats> read_lb_node_stats(const std::string& socket_path, std::string* error) {
    auto fail = [&](const std::string& what, int err) {
        if (error != nullptr) {
            *error = socket_path + ": " + what +
                     (err != 0 ? std::string(": ") + std::strerror(err) : "");
        }
        return std::vector<LbServerStats>{};
    };
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (socket_path.size() >= sizeof(address.sun_path)) {
        return fail("the path is too long for a Unix socket", 0);
    }
    std::memcpy(address.sun_path, socket_path.c_str(), socket_path.size() + 1);
    Fd socket(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!socket.valid()) return fail("socket", errno);
    // A stuck process must not hang the caller.
    timeval timeout{2, 0};
    ::setsockopt(socket.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    ::setsockopt(socket.get(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof(timeout));
    if (::connect(socket.get(), reinterpret_cast<const sockaddr*>(&address), sizeof(address)) !=
        0) {
        return fail("connect", errno);
    }
    constexpr std::string_view kCommand = "show stat\n";
    if (::send(socket.get(), kCommand.data(), kCommand.size(), MSG_NOSIGNAL) !=
        static_cast<ssize_t>(kCommand.size())) {
        return fail("send", errno);
    }
    // HAProxy answers one command and closes the connection.
    std::string answer;
    std::array<char, 8192> buffer{};
    while (true) {
        const ssize_t n = ::recv(socket.get(), buffer.data(), buffer.size(), 0);
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return fail("receive", errno);
        if (n == 0) break;
        answer.append(buffer.data(), static_cast<std::size_t>(n));
    }
    try {
        return lb::parse_haproxy_stats(answer);
    } catch (const std::invalid_argument& e) {
        return fail(e.what(), 0);
    }
}

std::vector<int> stop_lb_nodes(const std::vector<LbNodeRecord>& nodes, int grace_ms) {
    std::vector<int> groups;
    for (const auto& node : nodes) {
        groups.push_back(node.pid);
    }
    return stop_process_groups(groups, grace_ms);
}

}  // namespace vpcstack::live
