#include "vpcstack/live/instance_env.hpp"

#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <sys/mount.h>
#include <unistd.h>

#include <cerrno>
#include <filesystem>

#include "vpcstack/live/lab_state.hpp"

extern char** environ;

namespace vpcstack::live {

namespace {

// A PATH when the caller has none, as a login shell would set it.
constexpr std::string_view kDefaultPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

}  // namespace

std::optional<std::string> lab_ca_file(std::string_view lab) {
    const std::string path = certificate_dir(lab) + "/ca.pem";
    if (::access(path.c_str(), R_OK) != 0) {
        return std::nullopt;
    }
    return path;
}

std::string program_directory(const std::string& program) {
    std::string path = program;
    if (path.empty()) {
        char self[PATH_MAX] = {};
        ssize_t n = ::readlink("/proc/self/exe", self, sizeof(self) - 1);
        if (n <= 0) return "";
        path.assign(self, static_cast<std::size_t>(n));
    }
    std::error_code ec;
    std::filesystem::path absolute = std::filesystem::absolute(path, ec);
    return ec ? "" : absolute.parent_path().string();
}

InstanceEnv prepare_instance_env(std::string_view lab, const std::string& netns,
                                 const std::string& program_dir,
                                 std::vector<std::pair<std::string, std::string>> extra) {
    InstanceEnv env;
    env.netns = open_named_netns(netns);
    if (!env.netns.valid()) {
        throw SystemError("open namespace " + netns, errno);
    }
    const char* path = std::getenv("PATH");
    std::string new_path = path != nullptr && *path != '\0' ? path : std::string(kDefaultPath);
    if (!program_dir.empty()) {
        new_path = program_dir + ":" + new_path;
    }
    env.variables.emplace_back("PATH", new_path);
    if (auto ca = lab_ca_file(lab)) {
        env.ca_file = *ca;
        env.bind_ca = ::access(std::string(kSystemCaBundle).c_str(), F_OK) == 0;
        env.variables.emplace_back("SSL_CERT_FILE", *ca);
        env.variables.emplace_back("CURL_CA_BUNDLE", *ca);
    }
    if (const std::string resolv = std::string(kNetnsEtcDir) + "/" + netns + "/resolv.conf";
        ::access(resolv.c_str(), R_OK) == 0 && ::access("/etc/resolv.conf", F_OK) == 0) {
        env.resolv_conf = resolv;
    }
    for (auto& v : extra) {
        env.variables.push_back(std::move(v));
    }
    for (char** e = environ; e != nullptr && *e != nullptr; ++e) {
        std::string_view entry(*e);
        bool replaced = false;
        for (const auto& [name, value] : env.variables) {
            replaced = replaced || (entry.starts_with(name) && entry.size() > name.size() &&
                                    entry[name.size()] == '=');
        }
        if (!replaced) env.environment.emplace_back(entry);
    }
    for (const auto& [name, value] : env.variables) {
        env.environment.push_back(name + "=" + value);
    }
    for (auto& entry : env.environment) {
        env.envp.push_back(entry.data());
    }
    env.envp.push_back(nullptr);
    return env;
}

std::optional<InstanceEnv::Failure> InstanceEnv::enter() const noexcept {
    if (::setns(netns.get(), CLONE_NEWNET) != 0) {
        return Failure{"enter the network namespace", errno};
    }
    const bool ca = !ca_file.empty() && bind_ca;
    if (!ca && resolv_conf.empty()) {
        return std::nullopt;
    }
    if (::unshare(CLONE_NEWNS) != 0) {
        return Failure{"make a private mount namespace", errno};
    }
    // Private from the root down, so that the bind below stays in this namespace.
    if (::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
        return Failure{"make the mounts private", errno};
    }
    const std::string_view bundle = kSystemCaBundle;
    if (ca && ::mount(ca_file.c_str(), bundle.data(), nullptr, MS_BIND, nullptr) != 0) {
        return Failure{"bind-mount the lab's CA over the system bundle", errno};
    }
    if (!resolv_conf.empty() &&
        ::mount(resolv_conf.c_str(), "/etc/resolv.conf", nullptr, MS_BIND, nullptr) != 0) {
        return Failure{"bind-mount the namespace's resolv.conf over /etc/resolv.conf", errno};
    }
    return std::nullopt;
}

}  // namespace vpcstack::live
