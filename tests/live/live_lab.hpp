// What the live-lab tests share: running vpcctl, whether live tests can run here (root, network
// namespaces, /dev/net/tun), and a guard that brings a lab up for one test and removes it,
// checking that nothing the lab made is left behind.
#pragma once

#include <net/if.h>
#include <sched.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "support/run_command.hpp"
#include "vpcstack/live/control.hpp"
#include "vpcstack/live/lab_plan.hpp"
#include "vpcstack/live/lab_state.hpp"
#include "vpcstack/live/netns.hpp"

namespace vpcstack::live::lab_testing {

inline const std::string kVpcctl = VPCSTACK_BINARY_DIR "/tools/vpcctl/vpcctl";
inline const std::string kTopologies = VPCSTACK_SOURCE_DIR "/topologies/";

// Runs `attempt` until it returns true or `limit` has passed: what a lab starts in the background
// (a server, a health check, a scaling step) takes a moment.
template <typename F>
bool eventually(F attempt, std::chrono::milliseconds limit = std::chrono::milliseconds(5000),
                std::chrono::milliseconds poll = std::chrono::milliseconds(100)) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!attempt()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(poll);
    }
    return true;
}

// A topology written by a test to a file of its own, removed when the object goes.
class TopologyFile {
  public:
    TopologyFile(const std::string& tag, const std::string& text)
        : path_(std::filesystem::temp_directory_path() /
                ("vs-" + tag + "-" + std::to_string(::getpid()) + ".yaml")) {
        std::ofstream(path_) << text;
    }
    ~TopologyFile() { std::filesystem::remove(path_); }
    TopologyFile(const TopologyFile&) = delete;
    TopologyFile& operator=(const TopologyFile&) = delete;
    std::string path() const { return path_.string(); }

  private:
    std::filesystem::path path_;
};

// What a command printed, stderr merged into stdout as a terminal shows it.
struct Result {
    int code = -1;
    std::string output;
};

// Runs a command in the C locale, so that the error texts of the tools (strerror) are English.
inline Result run(const std::vector<std::string>& args) {
    test_support::RunOptions options;
    options.merge_stderr = true;
    options.env = {"LC_ALL=C"};
    test_support::Result result = test_support::run(args, options);
    return {result.exit_code, result.out};
}

inline std::set<std::string> root_links() {
    std::set<std::string> names;
    if (struct if_nameindex* all = ::if_nameindex()) {
        for (auto* i = all; i->if_index != 0; ++i) {
            names.insert(i->if_name);
        }
        ::if_freenameindex(all);
    }
    return names;
}

// Why live tests cannot run here, or empty when they can.
inline std::string why_not_runnable() {
    if (::geteuid() != 0) {
        return "live-lab tests need root (network namespaces, TAP devices)";
    }
    if (::access(kVpcctl.c_str(), X_OK) != 0) {
        return "";  // a missing vpcctl is a failure, reported by the test
    }
    pid_t child = ::fork();
    if (child == 0) {
        _exit(::unshare(CLONE_NEWNET) == 0 && ::access("/dev/net/tun", R_OK | W_OK) == 0 ? 0 : 1);
    }
    int status = 0;
    ::waitpid(child, &status, 0);
    if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
        return "network namespaces or /dev/net/tun are not available here";
    }
    return "";
}

#define SKIP_UNLESS_LIVE()                                       \
    do {                                                         \
        if (auto why = why_not_runnable(); !why.empty()) {       \
            GTEST_SKIP() << why;                                 \
        }                                                        \
        ASSERT_EQ(::access(kVpcctl.c_str(), X_OK), 0)            \
            << kVpcctl << " is not built (build target vpcctl)"; \
    } while (0)

// Brings a lab up for one test and removes it, checking that nothing is left.
class Lab {
  public:
    // `extra`: more options of `lab up` (--flow-logs DIR ...).
    Lab(const std::string& topology, const std::string& tag, const std::string& attach = "tap",
        const std::vector<std::string>& extra = {})
        : name_("t" + std::to_string(::getpid() % 100000) + "-" + tag),
          links_before_(root_links()) {
        std::vector<std::string> args{kVpcctl,  "lab", "up",       topology,
                                      "--name", name_, "--attach", attach};
        args.insert(args.end(), extra.begin(), extra.end());
        up_ = run(args);
    }
    ~Lab() {
        Result down = run({kVpcctl, "lab", "down", name_});
        EXPECT_EQ(down.code, 0) << down.output;
        EXPECT_TRUE(list_named_netns(namespace_prefix(name_)).empty())
            << "namespaces of lab " << name_ << " are left";
        struct stat st {};
        EXPECT_NE(::stat(lab_dir(name_).c_str(), &st), 0) << lab_dir(name_) << " is left";
        // Devices live inside the lab's namespaces; none may show up in the root namespace.
        auto after = root_links();
        for (const auto& link : after) {
            EXPECT_TRUE(links_before_.count(link) != 0)
                << "device " << link << " left in the root namespace";
        }
    }
    Lab(const Lab&) = delete;
    Lab& operator=(const Lab&) = delete;

    const std::string& name() const { return name_; }
    const Result& up() const { return up_; }
    std::string ns(const std::string& display) const { return namespace_prefix(name_) + display; }
    Result exec(const std::string& target, std::vector<std::string> command) const {
        std::vector<std::string> args{kVpcctl, "lab", "exec", name_, target, "--"};
        args.insert(args.end(), command.begin(), command.end());
        return run(args);
    }
    nlohmann::json status() const {
        std::string error;
        auto reply = control_request(name_, {{"op", "status"}}, &error);
        EXPECT_TRUE(reply.has_value()) << error;
        return reply.value_or(nlohmann::json::object());
    }
    std::uint64_t drops(const std::string& reason) const {
        return status()["engine"]["drops"].value(reason, std::uint64_t{0});
    }

  private:
    std::string name_;
    std::set<std::string> links_before_;
    Result up_;
};

}  // namespace vpcstack::live::lab_testing
