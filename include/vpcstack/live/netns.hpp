// Network namespaces without forking `ip`: create a named namespace the way `ip netns add` does
// (a file under /run/netns bind-mounted over the namespace), enter one on the calling thread,
// and remove many at once. A lab's namespaces are all named with its prefix (see lab_plan.hpp).
//
// Measured here (docs/live-lab.md): creating a namespace with unshare(CLONE_NEWNET) in-process
// costs well under a millisecond, and deleting namespaces lets the kernel remove all their
// devices in one batch, while deleting devices one by one costs ~20 ms each.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace vpcstack::live {

inline constexpr std::string_view kNetnsDir = "/run/netns";
// Where `ip netns exec` looks for a namespace's own /etc files (its resolv.conf).
inline constexpr std::string_view kNetnsEtcDir = "/etc/netns";

// An owned file descriptor.
class Fd {
  public:
    Fd() = default;
    explicit Fd(int fd) noexcept : fd_(fd) {}
    Fd(Fd&& other) noexcept : fd_(other.release()) {}
    Fd& operator=(Fd&& other) noexcept;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    ~Fd();

    int get() const noexcept { return fd_; }
    bool valid() const noexcept { return fd_ >= 0; }
    int release() noexcept {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }
    void reset() noexcept;

  private:
    int fd_ = -1;
};

// A failed system call, with what was being done: "create namespace vs-demo-web: ...".
class SystemError : public std::exception {
  public:
    SystemError(std::string what, int error);
    const char* what() const noexcept override { return message_.c_str(); }
    int error() const noexcept { return error_; }

  private:
    std::string message_;
    int error_;
};

// Moves the calling thread into another network namespace and back when destroyed.
class NetnsGuard {
  public:
    explicit NetnsGuard(int target_netns_fd);  // throws SystemError
    ~NetnsGuard();
    NetnsGuard(const NetnsGuard&) = delete;
    NetnsGuard& operator=(const NetnsGuard&) = delete;

  private:
    Fd original_;
};

// Gives the calling thread a new, empty network namespace (it stays there: wrap the call in a
// NetnsGuard on the current namespace to come back). Returns an fd of the new namespace.
Fd unshare_netns();
// Publishes the calling thread's namespace as /run/netns/<name>, visible to `ip netns`.
void publish_current_netns(const std::string& name);
// Opens /run/netns/<name>; an invalid Fd when it does not exist.
Fd open_named_netns(const std::string& name);
// Opens the calling thread's current namespace.
Fd open_current_netns();
// Names of /run/netns entries starting with prefix, sorted.
std::vector<std::string> list_named_netns(std::string_view prefix);
// Writes a sysctl of the calling thread's namespace, e.g. "net/ipv6/conf/all/disable_ipv6".
void write_sysctl(const std::string& key, const std::string& value);

// Outcome of removing named namespaces.
struct NetnsRemoval {
    std::vector<std::string> removed;
    std::vector<int> killed_pids;     // processes that were still inside them
    std::vector<std::string> errors;  // one line per failure
};
// Kills every process still inside the namespaces, then unmounts and unlinks them all. The
// kernel frees each namespace when its last reference goes, deleting its devices in one batch;
// because all are unmounted together, its cleanup work batches across namespaces too.
NetnsRemoval remove_named_netns(const std::vector<std::string>& names);

}  // namespace vpcstack::live
