#include "vpcstack/live/netns.hpp"

#include <dirent.h>
#include <fcntl.h>
#include <sched.h>
#include <signal.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <mutex>
#include <string>
#include <thread>

namespace vpcstack::live {

Fd& Fd::operator=(Fd&& other) noexcept {
    if (this != &other) {
        reset();
        fd_ = other.release();
    }
    return *this;
}

Fd::~Fd() {
    reset();
}

void Fd::reset() noexcept {
    if (fd_ >= 0) {
        ::close(fd_);
    }
    fd_ = -1;
}

SystemError::SystemError(std::string what, int error)
    : message_(std::move(what) + ": " + std::strerror(error)), error_(error) {}

NetnsGuard::NetnsGuard(int target_netns_fd) : original_(open_current_netns()) {
    if (::setns(target_netns_fd, CLONE_NEWNET) != 0) {
        throw SystemError("enter network namespace", errno);
    }
}

NetnsGuard::~NetnsGuard() {
    // Coming back cannot fail for a namespace we came from and still hold open.
    ::setns(original_.get(), CLONE_NEWNET);
}

Fd open_current_netns() {
    Fd fd(::open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC));
    if (!fd.valid()) {
        throw SystemError("open /proc/thread-self/ns/net", errno);
    }
    return fd;
}

Fd unshare_netns() {
    if (::unshare(CLONE_NEWNET) != 0) {
        throw SystemError("unshare(CLONE_NEWNET)", errno);
    }
    return open_current_netns();
}

namespace {

// /run/netns is made a shared mount point once, as `ip netns add` does, so that namespaces
// published here are seen by processes in other mount namespaces too.
void prepare_netns_dir_once() {
    ::mkdir("/run", 0755);
    if (::mkdir(std::string(kNetnsDir).c_str(), 0755) != 0 && errno != EEXIST) {
        throw SystemError("create " + std::string(kNetnsDir), errno);
    }
    const std::string dir(kNetnsDir);
    if (::mount("", dir.c_str(), "none", MS_SHARED | MS_REC, nullptr) != 0) {
        if (errno != EINVAL) {
            throw SystemError("make " + dir + " shared", errno);
        }
        // Not a mount point yet: bind it over itself first.
        if (::mount(dir.c_str(), dir.c_str(), "none", MS_BIND | MS_REC, nullptr) != 0) {
            throw SystemError("bind-mount " + dir, errno);
        }
        if (::mount("", dir.c_str(), "none", MS_SHARED | MS_REC, nullptr) != 0) {
            throw SystemError("make " + dir + " shared", errno);
        }
    }
}

void prepare_netns_dir() {
    // Bring-up publishes namespaces from several threads.
    static std::once_flag once;
    std::call_once(once, prepare_netns_dir_once);
}

}  // namespace

void publish_current_netns(const std::string& name) {
    prepare_netns_dir();
    const std::string path = std::string(kNetnsDir) + "/" + name;
    Fd file(::open(path.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0));
    if (!file.valid()) {
        throw SystemError("create " + path, errno);
    }
    file.reset();
    if (::mount("/proc/thread-self/ns/net", path.c_str(), "none", MS_BIND, nullptr) != 0) {
        int error = errno;
        ::unlink(path.c_str());
        throw SystemError("bind-mount namespace on " + path, error);
    }
}

Fd open_named_netns(const std::string& name) {
    const std::string path = std::string(kNetnsDir) + "/" + name;
    return Fd(::open(path.c_str(), O_RDONLY | O_CLOEXEC));
}

std::vector<std::string> list_named_netns(std::string_view prefix) {
    std::vector<std::string> names;
    DIR* dir = ::opendir(std::string(kNetnsDir).c_str());
    if (dir == nullptr) {
        return names;
    }
    while (dirent* entry = ::readdir(dir)) {
        std::string_view name(entry->d_name);
        if (name != "." && name != ".." && name.starts_with(prefix)) {
            names.emplace_back(name);
        }
    }
    ::closedir(dir);
    std::sort(names.begin(), names.end());
    return names;
}

void write_sysctl(const std::string& key, const std::string& value) {
    const std::string path = "/proc/sys/" + key;
    Fd fd(::open(path.c_str(), O_WRONLY | O_CLOEXEC));
    if (!fd.valid()) {
        throw SystemError("open " + path, errno);
    }
    if (::write(fd.get(), value.data(), value.size()) < 0) {
        throw SystemError("write " + path, errno);
    }
}

namespace {

// The pids whose network namespace is one of `inodes` (as `ip netns pids` finds them).
std::vector<int> pids_in_namespaces(const std::vector<ino_t>& inodes) {
    std::vector<int> pids;
    DIR* proc = ::opendir("/proc");
    if (proc == nullptr) {
        return pids;
    }
    const int self = ::getpid();
    while (dirent* entry = ::readdir(proc)) {
        char* end = nullptr;
        long pid = std::strtol(entry->d_name, &end, 10);
        if (*end != '\0' || pid <= 0 || pid == self) {
            continue;
        }
        struct stat st {};
        std::string path = std::string("/proc/") + entry->d_name + "/ns/net";
        if (::stat(path.c_str(), &st) == 0 &&
            std::find(inodes.begin(), inodes.end(), st.st_ino) != inodes.end()) {
            pids.push_back(static_cast<int>(pid));
        }
    }
    ::closedir(proc);
    return pids;
}

}  // namespace

NetnsRemoval remove_named_netns(const std::vector<std::string>& names) {
    NetnsRemoval result;
    std::vector<ino_t> inodes;
    for (const auto& name : names) {
        struct stat st {};
        std::string path = std::string(kNetnsDir) + "/" + name;
        if (::stat(path.c_str(), &st) == 0) {
            inodes.push_back(st.st_ino);
        }
    }
    // Anything still running inside (a server started with `lab exec`) would keep the
    // namespace and its devices alive after the unmount.
    for (int attempt = 0; attempt < 50 && !inodes.empty(); ++attempt) {
        auto pids = pids_in_namespaces(inodes);
        if (pids.empty()) {
            break;
        }
        for (int pid : pids) {
            if (::kill(pid, SIGKILL) == 0 &&
                std::find(result.killed_pids.begin(), result.killed_pids.end(), pid) ==
                    result.killed_pids.end()) {
                result.killed_pids.push_back(pid);
            }
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    for (const auto& name : names) {
        std::string path = std::string(kNetnsDir) + "/" + name;
        if (::umount2(path.c_str(), MNT_DETACH) != 0 && errno != EINVAL && errno != ENOENT) {
            result.errors.push_back("unmount " + path + ": " + std::strerror(errno));
        }
        // Its /etc files (lab_plan.hpp): only what the lab wrote there.
        const std::string etc = std::string(kNetnsEtcDir) + "/" + name;
        ::unlink((etc + "/resolv.conf").c_str());
        ::rmdir(etc.c_str());
        if (::unlink(path.c_str()) != 0) {
            if (errno != ENOENT) {
                result.errors.push_back("remove " + path + ": " + std::strerror(errno));
            }
            continue;
        }
        result.removed.push_back(name);
    }
    return result;
}

}  // namespace vpcstack::live
