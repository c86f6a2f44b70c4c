// What a process started inside a lab's namespace sees, for `lab exec` and the instances' user
// data alike: the namespace's network, the lab's CA trusted as the system's, and vpcctl on PATH.
//
// Trust: when the lab has a CA (certificates.hpp), the process gets a private mount namespace in
// which the CA's certificate is bind-mounted over the system bundle
// (/etc/ssl/certs/ca-certificates.crt, what curl, openssl and most TLS clients read), and
// SSL_CERT_FILE and CURL_CA_BUNDLE name the CA's file. Nothing outside the process changes. The
// lab's namespaces reach no real internet, so trusting the lab's CA alone loses nothing.
#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vpcstack/live/netns.hpp"

namespace vpcstack::live {

// The system bundle the lab's CA is mounted over.
inline constexpr std::string_view kSystemCaBundle = "/etc/ssl/certs/ca-certificates.crt";

// The lab's CA certificate, when the lab has made one.
std::optional<std::string> lab_ca_file(std::string_view lab);

// Everything a process needs to enter an instance, prepared before a fork: the child then only
// makes system calls (InstanceEnv::enter), which is all that is safe after forking a process
// with threads.
struct InstanceEnv {
    Fd netns;              // the namespace to enter
    std::string ca_file;   // empty: no CA to trust
    bool bind_ca = false;  // whether the system bundle exists to be covered
    // /etc/netns/<namespace>/resolv.conf when the lab wrote one: bind-mounted over
    // /etc/resolv.conf, as `ip netns exec` does, so names resolve through the VPC resolver.
    std::string resolv_conf;
    std::vector<std::pair<std::string, std::string>> variables;  // set or replaced
    std::vector<std::string> environment;  // this process's environment with `variables`
    std::vector<char*> envp;               // pointers into `environment`, null-terminated

    // The step that failed and its errno, from enter().
    struct Failure {
        const char* step = nullptr;
        int error = 0;
    };
    // Enters the network namespace and, with a CA or a resolv.conf, a private mount namespace
    // with the CA over the system bundle and the namespace's resolv.conf over /etc/resolv.conf.
    // Async-signal-safe; does not touch the environment.
    std::optional<Failure> enter() const noexcept;
};

// Prepares entering `netns` of `lab`: PATH gets `program_dir` (the running vpcctl's) first;
// `extra` variables are added (VPCSTACK_LAB and the like). Throws SystemError when the
// namespace cannot be opened.
InstanceEnv prepare_instance_env(std::string_view lab, const std::string& netns,
                                 const std::string& program_dir,
                                 std::vector<std::pair<std::string, std::string>> extra = {});

// The directory of the running program (of /proc/self/exe), or of `program` when given.
std::string program_directory(const std::string& program = "");

}  // namespace vpcstack::live
