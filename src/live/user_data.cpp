// Starting a detached process: a double fork, so that it is nobody's child here (no zombie in a
// long-running caller, as `lab up` is not one either), with a pipe on which the first child
// sends the process's pid and the process, if it cannot start, the step that failed. The pipe is
// close-on-exec: once the program runs, the parent reads end of file.
#include "vpcstack/live/user_data.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <thread>

#include "vpcstack/live/instance_env.hpp"
#include "vpcstack/live/netns.hpp"

namespace vpcstack::live {

std::string user_data_dir(std::string_view lab) {
    return lab_dir(lab) + "/user-data";
}

std::string user_data_log_path(std::string_view lab, std::string_view instance) {
    std::string file(instance);
    std::replace(file.begin(), file.end(), '/', '_');
    return user_data_dir(lab) + "/" + file + ".log";
}

namespace {

// What the script's process reports when it cannot run the shell.
struct StartFailure {
    char step[96] = {};
    int error = 0;
};

void report(int fd, const char* step, int error) noexcept {
    StartFailure failure;
    std::strncpy(failure.step, step, sizeof(failure.step) - 1);
    failure.error = error;
    [[maybe_unused]] ssize_t n = ::write(fd, &failure, sizeof(failure));
}

bool read_all(int fd, void* data, std::size_t size) {
    auto* bytes = static_cast<char*>(data);
    std::size_t got = 0;
    while (got < size) {
        ssize_t n = ::read(fd, bytes + got, size - got);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) return false;
        got += static_cast<std::size_t>(n);
    }
    return true;
}

}  // namespace

int start_detached(std::string_view lab, const DetachedProcess& spec) {
    InstanceEnv env = prepare_instance_env(lab, spec.netns, spec.program_dir, spec.variables);
    int pipe_fds[2];
    if (::pipe2(pipe_fds, O_CLOEXEC) != 0) {
        throw SystemError("pipe", errno);
    }
    Fd read_end(pipe_fds[0]);
    Fd write_end(pipe_fds[1]);
    std::vector<char*> argv;
    std::vector<std::string> args = spec.argv;
    for (auto& arg : args) {
        argv.push_back(arg.data());
    }
    argv.push_back(nullptr);
    const std::string& log = spec.log;
    const std::string& program = spec.program;
    const std::string run_step = "run " + program;

    const pid_t first = ::fork();
    if (first < 0) {
        throw SystemError("fork", errno);
    }
    if (first == 0) {
        // Only system calls from here: the parent may have threads.
        const int out = write_end.get();
        const pid_t child = ::fork();
        if (child != 0) {
            [[maybe_unused]] ssize_t n = ::write(out, &child, sizeof(child));
            ::_exit(child < 0 ? 1 : 0);
        }
        // A session of its own, so that its process group is its pid.
        ::setsid();
        const int log_fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
        const int null_fd = ::open("/dev/null", O_RDONLY | O_CLOEXEC);
        if (log_fd < 0 || null_fd < 0) {
            report(out, "open the log file", errno);
            ::_exit(1);
        }
        ::dup2(null_fd, STDIN_FILENO);
        ::dup2(log_fd, STDOUT_FILENO);
        ::dup2(log_fd, STDERR_FILENO);
        if (auto failure = env.enter()) {
            report(out, failure->step, failure->error);
            ::_exit(1);
        }
        if (::chdir("/") != 0) {
            report(out, "chdir /", errno);
            ::_exit(1);
        }
        // The program starts as from a shell: a caller's blocked signals (a daemon blocks the
        // ones it waits for) and ignored ones (SIGPIPE, often) survive execve otherwise, and
        // a program that never asked for them would not die of SIGTERM or SIGPIPE.
        struct sigaction default_action {};
        default_action.sa_handler = SIG_DFL;
        sigemptyset(&default_action.sa_mask);
        for (int signal = 1; signal < NSIG; ++signal) {
            if (signal == SIGKILL || signal == SIGSTOP) continue;
            ::sigaction(signal, &default_action, nullptr);
        }
        sigset_t none;
        sigemptyset(&none);
        ::sigprocmask(SIG_SETMASK, &none, nullptr);
        ::execve(program.c_str(), argv.data(), env.envp.data());
        report(out, run_step.c_str(), errno);
        ::_exit(127);
    }
    write_end.reset();
    int status = 0;
    while (::waitpid(first, &status, 0) < 0 && errno == EINTR) {
    }
    pid_t pid = -1;
    if (!read_all(read_end.get(), &pid, sizeof(pid)) || pid <= 0) {
        throw SystemError(spec.what + ": fork", EAGAIN);
    }
    StartFailure failure;
    if (read_all(read_end.get(), &failure, sizeof(failure))) {
        throw SystemError(spec.what + ": " + failure.step, failure.error);
    }
    return pid;
}

int start_user_data(std::string_view lab, const std::string& instance, const std::string& netns,
                    const std::string& script, const std::string& program_dir) {
    ::mkdir(user_data_dir(lab).c_str(), 0755);
    DetachedProcess spec;
    spec.what = "user data of " + instance;
    spec.netns = netns;
    spec.program = "/bin/sh";
    spec.argv = {"sh", "-c", script};
    spec.log = user_data_log_path(lab, instance);
    spec.program_dir = program_dir;
    spec.variables = {{"VPCSTACK_LAB", std::string(lab)}, {"VPCSTACK_INSTANCE", instance}};
    return start_detached(lab, spec);
}

bool process_group_alive(int pgid) {
    if (pgid <= 0) return false;
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) return ::kill(-pgid, 0) == 0;
    bool alive = false;
    while (dirent* entry = ::readdir(proc)) {
        if (entry->d_name[0] < '0' || entry->d_name[0] > '9') continue;
        std::ifstream in(std::string("/proc/") + entry->d_name + "/stat");
        std::string stat;
        std::getline(in, stat);
        // pid (comm) state ppid pgrp ...; comm may hold spaces, so read after its ')'.
        const std::size_t close = stat.rfind(')');
        if (close == std::string::npos) continue;
        char state = 0;
        int ppid = 0;
        int pgrp = 0;
        if (std::sscanf(stat.c_str() + close + 1, " %c %d %d", &state, &ppid, &pgrp) == 3 &&
            pgrp == pgid && state != 'Z' && state != 'X') {
            alive = true;
            break;
        }
    }
    ::closedir(proc);
    return alive;
}

std::vector<int> stop_user_data(const std::vector<UserDataRecord>& scripts, int grace_ms) {
    std::vector<int> groups;
    for (const auto& s : scripts) {
        groups.push_back(s.pid);
    }
    return stop_process_groups(groups, grace_ms);
}

std::vector<int> stop_process_groups(const std::vector<int>& groups, int grace_ms) {
    std::vector<int> running;
    for (int pgid : groups) {
        if (process_group_alive(pgid)) {
            running.push_back(pgid);
            ::kill(-pgid, SIGTERM);
        }
    }
    auto any_alive = [&] {
        return std::any_of(running.begin(), running.end(), process_group_alive);
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(grace_ms);
    while (any_alive() && std::chrono::steady_clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (int pgid : running) {
        if (process_group_alive(pgid)) ::kill(-pgid, SIGKILL);
    }
    for (int i = 0; i < 100 && any_alive(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return running;
}

}  // namespace vpcstack::live
