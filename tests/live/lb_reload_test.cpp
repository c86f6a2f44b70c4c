// A load balancer node's HAProxy while its target groups change: started in a namespace of its
// own with only a loopback (no lab), its statistics read from the stats socket, then reloaded
// without a server: the new process serves, the old one finishes its request in flight and
// exits. Also what a detached process inherits from a daemon's signal settings, and where
// VPCSTACK_HAPROXY points find_haproxy. The namespaces need root; a missing HAProxy skips.
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "support/run_command.hpp"
#include "vpcstack/live/lb_nodes.hpp"
#include "vpcstack/live/netns.hpp"
#include "vpcstack/live/user_data.hpp"

namespace vpcstack::live {
namespace {

using namespace std::chrono_literals;
using test_support::read_file;
using test_support::TempDir;

template <typename F>
bool eventually(F attempt, std::chrono::milliseconds limit) {
    const auto deadline = std::chrono::steady_clock::now() + limit;
    while (!attempt()) {
        if (std::chrono::steady_clock::now() > deadline) return false;
        std::this_thread::sleep_for(50ms);
    }
    return true;
}

// A namespace with its loopback up, removed (with what runs inside) when the object goes.
class TestNetns {
  public:
    explicit TestNetns(const std::string& tag)
        : name_("vs-hpops-" + tag + "-" + std::to_string(::getpid())) {
        test_support::Result add = test_support::run({"ip", "netns", "add", name_});
        EXPECT_EQ(add.exit_code, 0) << add.err;
        test_support::Result lo = test_support::run({"ip", "-n", name_, "link", "set", "lo", "up"});
        EXPECT_EQ(lo.exit_code, 0) << lo.err;
        fd_ = open_named_netns(name_);
    }
    ~TestNetns() { remove_named_netns({name_}); }
    TestNetns(const TestNetns&) = delete;
    TestNetns& operator=(const TestNetns&) = delete;

    const std::string& name() const { return name_; }
    int fd() const { return fd_.get(); }

  private:
    std::string name_;
    Fd fd_;
};

// An HTTP server on 127.0.0.1:`port` inside a namespace: answers "<body>\n" to every request,
// after a second to /slow; a thread per connection.
class TinyServer {
  public:
    TinyServer(int netns_fd, std::uint16_t port, std::string body) : body_(std::move(body)) {
        NetnsGuard in(netns_fd);
        listener_ = Fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
        const int one = 1;
        ::setsockopt(listener_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        sockaddr_in address{};
        address.sin_family = AF_INET;
        address.sin_port = htons(port);
        address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        if (::bind(listener_.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
            ::listen(listener_.get(), 64) != 0) {
            throw SystemError("listen on port " + std::to_string(port), errno);
        }
        acceptor_ = std::thread([this] { accept_loop(); });
    }
    ~TinyServer() {
        stop_ = true;
        acceptor_.join();
        for (auto& t : connections_) t.join();
    }
    TinyServer(const TinyServer&) = delete;
    TinyServer& operator=(const TinyServer&) = delete;

  private:
    void accept_loop() {
        while (!stop_) {
            pollfd p{listener_.get(), POLLIN, 0};
            if (::poll(&p, 1, 100) <= 0) continue;
            const int fd = ::accept4(listener_.get(), nullptr, nullptr, SOCK_CLOEXEC);
            if (fd < 0) continue;
            connections_.emplace_back([this, fd] { serve(Fd(fd)); });
        }
    }
    void serve(Fd fd) {
        std::string request;
        char buffer[4096];
        while (request.find("\r\n\r\n") == std::string::npos) {
            pollfd p{fd.get(), POLLIN, 0};
            if (stop_ || ::poll(&p, 1, 100) < 0) return;
            if (p.revents == 0) continue;
            const ssize_t n = ::recv(fd.get(), buffer, sizeof(buffer), 0);
            if (n <= 0) return;
            request.append(buffer, static_cast<std::size_t>(n));
        }
        if (request.starts_with("GET /slow ")) std::this_thread::sleep_for(1s);
        const std::string content = body_ + "\n";
        const std::string response =
            "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(content.size()) +
            "\r\nConnection: close\r\n\r\n" + content;
        [[maybe_unused]] ssize_t sent =
            ::send(fd.get(), response.data(), response.size(), MSG_NOSIGNAL);
    }

    std::string body_;
    Fd listener_;
    std::atomic<bool> stop_{false};
    std::thread acceptor_;
    std::vector<std::thread> connections_;  // only the acceptor adds, joined after it ends
};

// One GET to 127.0.0.1:`port` in the namespace: the body of a 200, else nothing.
std::optional<std::string> get(int netns_fd, std::uint16_t port, const std::string& path = "/") {
    Fd fd;
    {
        NetnsGuard in(netns_fd);
        fd = Fd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    }
    timeval timeout{5, 0};
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(port);
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
        return std::nullopt;
    }
    const std::string request =
        "GET " + path + " HTTP/1.1\r\nHost: shop.example.com\r\nConnection: close\r\n\r\n";
    if (::send(fd.get(), request.data(), request.size(), MSG_NOSIGNAL) < 0) return std::nullopt;
    std::string response;
    char buffer[4096];
    while (true) {
        const ssize_t n = ::recv(fd.get(), buffer, sizeof(buffer), 0);
        if (n <= 0) break;
        response.append(buffer, static_cast<std::size_t>(n));
    }
    if (!response.starts_with("HTTP/1.1 200 ")) return std::nullopt;
    const auto split = response.find("\r\n\r\n");
    return split == std::string::npos ? "" : response.substr(split + 4);
}

constexpr std::uint16_t kListenerPort = 8080;
constexpr std::uint16_t kWeb1Port = 9001;
constexpr std::uint16_t kWeb2Port = 9002;

// A node's configuration as lb::haproxy_config writes its parts: the stats socket, the
// replaced process's deadline, servers named after their target.
LbNodeSetup node_with(const TempDir& dir, const std::string& netns, bool with_web2) {
    LbNodeSetup node;
    node.node = "test-node";
    node.netns = netns;
    node.config_file = dir.path() / "test-node.cfg";
    node.log = dir.path() / "test-node.log";
    node.config.pid_file = dir.path() / "haproxy.pid";
    node.config.stats_socket = dir.path() / "haproxy.sock";
    node.config.hard_stop_after = 3;
    std::string text = "global\n    pidfile " + node.config.pid_file.string() +
                       "\n    stats socket " + node.config.stats_socket.string() +
                       " mode 600 level admin\n    hard-stop-after 3s\n"
                       "defaults\n    mode http\n    retries 0\n    timeout client 10s\n"
                       "    timeout server 10s\n    timeout connect 2s\n"
                       "frontend listener-8080\n    bind 127.0.0.1:8080\n"
                       "    default_backend group-web-tg\n"
                       "backend group-web-tg\n    balance roundrobin\n    option httpchk GET /\n";
    text += "    server " + lb::haproxy_server_name("web-1", kWeb1Port) +
            " 127.0.0.1:9001 check inter 500ms rise 1 fall 1\n";
    if (with_web2) {
        text += "    server " + lb::haproxy_server_name("web-2", kWeb2Port) +
                " 127.0.0.1:9002 check inter 500ms rise 1 fall 1\n";
    }
    node.config.text = text;
    return node;
}

std::map<std::string, LbServerStats> servers_of(const std::vector<LbServerStats>& stats) {
    std::map<std::string, LbServerStats> out;
    for (const auto& s : stats) {
        if (s.backend == "group-web-tg" && s.server != "BACKEND") out[s.server] = s;
    }
    return out;
}

TEST(LbNodeReload, StatsCountEachServersRequestsAndAReloadServesWithoutTheRemovedServer) {
    if (::geteuid() != 0) GTEST_SKIP() << "a namespace for HAProxy needs root";
    const std::string haproxy = find_haproxy();
    if (haproxy.empty()) GTEST_SKIP() << "haproxy is not installed";
    TempDir dir;
    TestNetns netns("reload");
    ASSERT_TRUE(netns.fd() >= 0);
    TinyServer web1(netns.fd(), kWeb1Port, "web-1");
    TinyServer web2(netns.fd(), kWeb2Port, "web-2");

    const LbNodeSetup first = node_with(dir, netns.name(), true);
    write_lb_nodes({first});
    ASSERT_EQ(check_lb_node(haproxy, first), "");
    const int old_pid = start_lb_node("vs-hpops", haproxy, first, "");
    std::vector<int> started{old_pid};
    struct Stop {
        std::vector<int>& pids;
        ~Stop() { stop_process_groups(pids, 500); }
    } stop{started};

    std::string error;
    ASSERT_TRUE(eventually(
        [&] {
            auto servers = servers_of(read_lb_node_stats(first.config.stats_socket, &error));
            return servers.size() == 2 && servers["web-1:9001"].up && servers["web-2:9002"].up;
        },
        5s))
        << error << "\n"
        << read_file(first.log);

    std::map<std::string, int> answered;
    for (int i = 0; i < 6; ++i) {
        auto body = get(netns.fd(), kListenerPort);
        ASSERT_TRUE(body.has_value()) << "request " << i;
        ++answered[*body];
    }
    EXPECT_EQ(answered["web-1\n"], 3) << "round robin over two servers";
    EXPECT_EQ(answered["web-2\n"], 3);
    auto servers = servers_of(read_lb_node_stats(first.config.stats_socket, &error));
    ASSERT_EQ(servers.size(), 2u) << error;
    EXPECT_EQ(servers["web-1:9001"].requests, 3u) << "health checks are not requests";
    EXPECT_EQ(servers["web-2:9002"].requests, 3u);
    EXPECT_EQ(servers["web-1:9001"].address, "127.0.0.1:9001");
    EXPECT_EQ(servers["web-1:9001"].check_status, "L7OK");

    // A request in flight to the old process when the reload comes.
    std::optional<std::string> slow;
    std::thread in_flight([&] { slow = get(netns.fd(), kListenerPort, "/slow"); });
    std::this_thread::sleep_for(200ms);

    const LbNodeSetup second = node_with(dir, netns.name(), false);
    const int new_pid = reload_lb_node("vs-hpops", haproxy, second, old_pid, "");
    started.push_back(new_pid);
    EXPECT_NE(new_pid, old_pid);
    EXPECT_NE(read_file(second.config_file).find("hard-stop-after 3s"), std::string::npos);
    EXPECT_EQ(read_file(second.config_file).find("web-2"), std::string::npos)
        << "the new configuration is written";

    // The new process binds 127.0.0.1:8080 beside the old one (SO_REUSEPORT) and serves only
    // web-1 from the start.
    ASSERT_TRUE(eventually(
        [&] {
            auto now = servers_of(read_lb_node_stats(second.config.stats_socket, &error));
            return now.size() == 1 && now.count("web-1:9001") != 0 && now["web-1:9001"].up;
        },
        5s))
        << error << "\n"
        << read_file(second.log);
    for (int i = 0; i < 4; ++i) {
        auto body = get(netns.fd(), kListenerPort);
        ASSERT_TRUE(body.has_value()) << "request " << i << " after the reload\n"
                                      << read_file(second.log);
        EXPECT_EQ(*body, "web-1\n");
    }
    servers = servers_of(read_lb_node_stats(second.config.stats_socket, &error));
    EXPECT_EQ(servers["web-1:9001"].requests, 4u) << "the new process counts from zero";

    in_flight.join();
    ASSERT_TRUE(slow.has_value()) << "the old process did not finish its request in flight";
    EXPECT_TRUE(*slow == "web-1\n" || *slow == "web-2\n") << *slow;
    EXPECT_TRUE(eventually([&] { return !process_group_alive(old_pid); }, 5s))
        << "the old process is still running\n"
        << read_file(first.log);
    EXPECT_TRUE(process_group_alive(new_pid)) << read_file(second.log);
}

TEST(LbNodeReload, ARejectedConfigurationStartsNothingAndNamesTheFile) {
    const std::string haproxy = find_haproxy();
    if (haproxy.empty()) GTEST_SKIP() << "haproxy is not installed";
    TempDir dir;
    LbNodeSetup node = node_with(dir, "vs-hpops-unused", true);
    node.config.text += "    no-such-keyword\n";
    try {
        reload_lb_node("vs-hpops", haproxy, node, 1, "");
        ADD_FAILURE() << "a configuration HAProxy rejects was started";
    } catch (const std::runtime_error& e) {
        EXPECT_NE(std::string(e.what()).find(node.config_file.string()), std::string::npos)
            << e.what();
    }
}

// A daemon blocks the signals it waits for and often ignores SIGPIPE; a process it starts must
// not inherit either, or SIGTERM would not end it.
TEST(DetachedProcess, StartsWithNoSignalBlockedOrIgnoredWhateverTheCallersSettings) {
    if (::geteuid() != 0) GTEST_SKIP() << "a namespace needs root";
    TestNetns netns("signals");
    ASSERT_TRUE(netns.fd() >= 0);
    TempDir dir;
    struct sigaction ignore {};
    ignore.sa_handler = SIG_IGN;
    struct sigaction previous {};
    ::sigaction(SIGPIPE, &ignore, &previous);
    int pid = -1;
    std::string error;
    std::thread daemon([&] {
        sigset_t blocked;
        sigemptyset(&blocked);
        sigaddset(&blocked, SIGTERM);
        sigaddset(&blocked, SIGINT);
        sigaddset(&blocked, SIGHUP);
        ::pthread_sigmask(SIG_BLOCK, &blocked, nullptr);
        DetachedProcess spec;
        spec.what = "sleeper";
        spec.netns = netns.name();
        spec.program = "/bin/sleep";
        spec.argv = {"sleep", "30"};
        spec.log = (dir.path() / "sleep.log").string();
        try {
            pid = start_detached("vs-hpops", spec);
        } catch (const std::exception& e) {
            error = e.what();
        }
    });
    daemon.join();
    ::sigaction(SIGPIPE, &previous, nullptr);
    ASSERT_GT(pid, 0) << error;

    std::map<std::string, std::string> status;
    std::ifstream in("/proc/" + std::to_string(pid) + "/status");
    for (std::string line; std::getline(in, line);) {
        const auto colon = line.find(':');
        const auto value = line.find_first_not_of(" \t", colon + 1);
        if (colon != std::string::npos && value != std::string::npos) {
            status[line.substr(0, colon)] = line.substr(value);
        }
    }
    EXPECT_EQ(status["SigBlk"], "0000000000000000") << "no signal blocked";
    EXPECT_EQ(status["SigIgn"], "0000000000000000") << "no signal ignored (SIGPIPE was)";
    ASSERT_EQ(::kill(pid, SIGTERM), 0);
    const bool ended = eventually([&] { return !process_group_alive(pid); }, 2s);
    if (!ended) ::kill(-pid, SIGKILL);
    EXPECT_TRUE(ended) << "SIGTERM did not end the process";
}

class HaproxyVariable : public ::testing::Test {
  protected:
    void SetUp() override {
        if (const char* v = std::getenv(kHaproxyVariable)) saved_ = v;
    }
    void TearDown() override {
        if (saved_) {
            ::setenv(kHaproxyVariable, saved_->c_str(), 1);
        } else {
            ::unsetenv(kHaproxyVariable);
        }
    }
    std::optional<std::string> saved_;
};

TEST_F(HaproxyVariable, NamesTheHaproxyToUseAndAMissingOneIsNone) {
    TempDir dir;
    const auto script = dir.write("my-haproxy", "#!/bin/sh\nexit 0\n");
    const auto plain = dir.write("not-executable", "");
    ::chmod(script.c_str(), 0755);
    ::setenv(kHaproxyVariable, script.c_str(), 1);
    EXPECT_EQ(find_haproxy(), script.string());
    ::setenv(kHaproxyVariable, "/nonexistent/haproxy", 1);
    EXPECT_EQ(find_haproxy(), "") << "a missing file is no HAProxy, not the one on PATH";
    ::setenv(kHaproxyVariable, plain.c_str(), 1);
    EXPECT_EQ(find_haproxy(), "");
    ::setenv(kHaproxyVariable, dir.path().c_str(), 1);
    EXPECT_EQ(find_haproxy(), "") << "a directory";
}

}  // namespace
}  // namespace vpcstack::live
