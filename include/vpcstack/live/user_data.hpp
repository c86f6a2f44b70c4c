// Instances' user data in a live lab: at `lab up` each running instance with user data runs it
// as `/bin/sh -c USER_DATA` inside its namespace (instance_env.hpp: its network, the lab's CA
// trusted, vpcctl on PATH), detached in a session of its own, its output in
// <lab dir>/user-data/<instance>.log. As the cloud runs user data once at launch (AWS:
// user-data, cloud-init's scripts-user) and does not wait for it, `lab up` does not either; a
// script that fails says so in its log. `lab down` ends the scripts' process groups (SIGTERM,
// then SIGKILL).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "vpcstack/live/lab_state.hpp"
#include "vpcstack/model/topology.hpp"

namespace vpcstack::live {

std::string user_data_dir(std::string_view lab);
std::string user_data_log_path(std::string_view lab, std::string_view instance);

// A program started inside a lab namespace and left running: user data's shell, an ALB node's
// HAProxy. It gets the namespace as instance_env.hpp prepares it, a session of its own, /dev/null
// as input and `log` (appended) as output and error.
struct DetachedProcess {
    std::string what;  // for errors: "user data of web1"
    std::string netns;
    std::string program;  // an absolute path, executed as is
    std::vector<std::string> argv;
    std::string log;
    std::string program_dir;  // first on PATH
    std::vector<std::pair<std::string, std::string>> variables;
};

// Starts it; its pid (also its process group and session). Throws SystemError naming the step
// that failed.
int start_detached(std::string_view lab, const DetachedProcess& process);

// Starts one script in `netns`; its pid (also its process group and session). The caller does
// not wait for it: it is not the caller's child. Throws SystemError when it could not start
// (the step that failed, e.g. entering the namespace).
int start_user_data(std::string_view lab, const std::string& instance, const std::string& netns,
                    const std::string& script, const std::string& program_dir);

// Ends the scripts' process groups: SIGTERM, up to `grace_ms` for them to go, then SIGKILL.
// Returns the pids whose groups were still running.
std::vector<int> stop_user_data(const std::vector<UserDataRecord>& scripts, int grace_ms = 2000);

// The same for any process groups (start_detached's pids).
std::vector<int> stop_process_groups(const std::vector<int>& groups, int grace_ms = 2000);

// Whether any process of the group `pgid` is alive (zombies not counted).
bool process_group_alive(int pgid);

}  // namespace vpcstack::live
