// Live labs end to end: `vpcctl lab up` a topology, then real sockets, ping and nmap inside the
// namespaces check that the cloud's rules hold on real packets. Needs root and network
// namespaces; skipped (saying why) otherwise. Every lab is torn down by a guard, even when a
// test fails, and the guard asserts that nothing the lab made is left behind.
#include <arpa/inet.h>
#include <fcntl.h>
#include <net/if.h>
#include <netinet/in.h>
#include <poll.h>
#include <sched.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <cstdio>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "live_lab.hpp"
#include "support/run_command.hpp"
#include "vpcstack/live/control.hpp"
#include "vpcstack/live/lab_plan.hpp"
#include "vpcstack/live/lab_state.hpp"
#include "vpcstack/live/netns.hpp"

namespace vpcstack::live {
namespace {

using namespace lab_testing;

using namespace std::chrono_literals;

// A socket made inside a lab namespace; it stays bound to that namespace wherever it is used.
Fd socket_in(const std::string& netns, int type) {
    Fd ns = open_named_netns(netns);
    EXPECT_TRUE(ns.valid()) << "no namespace " << netns;
    if (!ns.valid()) {
        return Fd();
    }
    NetnsGuard inside(ns.get());
    return Fd(::socket(AF_INET, type | SOCK_CLOEXEC, 0));
}

sockaddr_in address_of(const std::string& ip, int port) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    ::inet_pton(AF_INET, ip.c_str(), &a.sin_addr);
    return a;
}

Fd listen_in(const std::string& netns, int port) {
    Fd fd = socket_in(netns, SOCK_STREAM);
    int one = 1;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in any = address_of("0.0.0.0", port);
    EXPECT_EQ(::bind(fd.get(), reinterpret_cast<sockaddr*>(&any), sizeof(any)), 0);
    EXPECT_EQ(::listen(fd.get(), 16), 0);
    return fd;
}

enum class Outcome { Connected, Refused, TimedOut, Unreachable };

const char* to_string(Outcome o) {
    switch (o) {
        case Outcome::Connected:
            return "connected";
        case Outcome::Refused:
            return "refused";
        case Outcome::TimedOut:
            return "timed out";
        case Outcome::Unreachable:
            return "unreachable";
    }
    return "?";
}

std::ostream& operator<<(std::ostream& out, Outcome o) {
    return out << to_string(o);
}

Outcome connect_from(const std::string& netns, const std::string& ip, int port, Fd* keep = nullptr,
                     std::chrono::milliseconds timeout = 1500ms) {
    Fd fd = socket_in(netns, SOCK_STREAM | SOCK_NONBLOCK);
    sockaddr_in to = address_of(ip, port);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&to), sizeof(to)) != 0 &&
        errno != EINPROGRESS) {
        return errno == ECONNREFUSED ? Outcome::Refused : Outcome::Unreachable;
    }
    pollfd p{fd.get(), POLLOUT, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) {
        return Outcome::TimedOut;
    }
    int error = 0;
    socklen_t length = sizeof(error);
    ::getsockopt(fd.get(), SOL_SOCKET, SO_ERROR, &error, &length);
    if (error == ECONNREFUSED) {
        return Outcome::Refused;
    }
    if (error != 0) {
        return Outcome::Unreachable;
    }
    if (keep != nullptr) {
        *keep = std::move(fd);
    }
    return Outcome::Connected;
}

// Accepts one connection within the timeout; returns the peer's address, or "" on none.
std::string accept_peer(int listener, Fd* accepted = nullptr,
                        std::chrono::milliseconds timeout = 1500ms) {
    pollfd p{listener, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(timeout.count())) <= 0) {
        return "";
    }
    sockaddr_in peer{};
    socklen_t length = sizeof(peer);
    Fd fd(::accept4(listener, reinterpret_cast<sockaddr*>(&peer), &length, SOCK_CLOEXEC));
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &peer.sin_addr, text, sizeof(text));
    if (accepted != nullptr) {
        *accepted = std::move(fd);
    }
    return text;
}

// Sends a line on one socket and says whether it arrives on the other within the timeout.
bool delivers(int from, int to, const std::string& text,
              std::chrono::milliseconds timeout = 1500ms) {
    if (::send(from, text.data(), text.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(text.size())) {
        return false;
    }
    std::string got;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    while (got.size() < text.size() && std::chrono::steady_clock::now() < deadline) {
        pollfd p{to, POLLIN, 0};
        if (::poll(&p, 1, 50) <= 0) {
            continue;
        }
        char buffer[256];
        ssize_t n = ::recv(to, buffer, sizeof(buffer), MSG_DONTWAIT);
        if (n <= 0) {
            return false;
        }
        got.append(buffer, static_cast<std::size_t>(n));
    }
    return got == text;
}

// The two-tier topology with one security group rule removed, written to a temporary file.
std::string two_tier_without(const std::string& rule_line) {
    std::ifstream in(kTopologies + "two-tier-nat.yaml");
    std::stringstream text;
    text << in.rdbuf();
    std::string yaml = text.str();
    auto at = yaml.find(rule_line);
    EXPECT_NE(at, std::string::npos) << rule_line;
    if (at != std::string::npos) {
        auto line_start = yaml.rfind('\n', at) + 1;
        auto line_end = yaml.find('\n', at);
        yaml.erase(line_start, line_end - line_start + 1);
    }
    std::string path = "/tmp/vpcstack-live-" + std::to_string(::getpid()) + "-" +
                       std::to_string(std::hash<std::string>{}(rule_line)) + ".yaml";
    std::ofstream(path) << yaml;
    return path;
}

TEST(LiveLab, TwoTierNatForwardsAsTheCloudDoes) {
    SKIP_UNLESS_LIVE();
    Lab lab(kTopologies + "two-tier-nat.yaml", "nat");
    ASSERT_EQ(lab.up().code, 0) << lab.up().output;
    EXPECT_NE(lab.up().output.find("the engine answered"), std::string::npos)
        << "up verifies that the lab forwards: " << lab.up().output;

    Result ping = lab.exec("web", {"ping", "-c", "1", "-W", "2", "10.0.2.10"});
    EXPECT_EQ(ping.code, 0) << "web pings app across subnets (app-sg allows icmp from the VPC)\n"
                            << ping.output;

    // The web server is reachable from the internet on its open port only.
    Fd web80 = listen_in(lab.ns("web"), 80);
    Fd web22 = listen_in(lab.ns("web"), 22);
    EXPECT_EQ(connect_from(lab.ns("inet"), "203.0.113.10", 80), Outcome::Connected)
        << "web-sg allows tcp/80 from anywhere";
    EXPECT_EQ(accept_peer(web80.get()), "198.51.100.7")
        << "the server sees the client's own address";
    EXPECT_EQ(connect_from(lab.ns("inet"), "203.0.113.10", 22), Outcome::TimedOut)
        << "web-sg has no rule for tcp/22: the SYN is dropped, not refused";
    EXPECT_GE(lab.drops("SecurityGroupNoMatch"), 1u);

    // The private instance reaches the internet through the NAT gateway...
    Fd client80 = listen_in(lab.ns("inet"), 80);
    EXPECT_EQ(connect_from(lab.ns("app"), "198.51.100.7", 80), Outcome::Connected);
    EXPECT_EQ(accept_peer(client80.get()), "203.0.113.20")
        << "the connection leaves with the NAT gateway's Elastic IP";
    // ...and cannot be reached from it.
    Fd app8080 = listen_in(lab.ns("app"), 8080);
    EXPECT_EQ(connect_from(lab.ns("inet"), "203.0.113.20", 8080), Outcome::TimedOut)
        << "unsolicited inbound traffic to the NAT gateway is dropped";
    EXPECT_GE(lab.drops("NatNoTranslation"), 1u);
    EXPECT_EQ(connect_from(lab.ns("inet"), "10.0.2.10", 8080), Outcome::TimedOut)
        << "a private address is not reachable from the internet";

    Result status = run({kVpcctl, "lab", "status", lab.name()});
    EXPECT_EQ(status.code, 0) << status.output;
    EXPECT_NE(status.output.find("SecurityGroupNoMatch"), std::string::npos) << status.output;
    Result trace = run({kVpcctl, "lab", "trace", lab.name(), "--from", "client", "--to", "web",
                        "--proto", "tcp", "--dport", "22"});
    EXPECT_EQ(trace.code, 1) << "every recorded packet was dropped\n" << trace.output;
    EXPECT_NE(trace.output.find("sg/web-sg"), std::string::npos) << trace.output;
    EXPECT_NE(trace.output.find("SecurityGroupNoMatch"), std::string::npos) << trace.output;
}

// Sends `bytes` of a pattern on `from` and checks that `to` receives exactly them.
bool transfers(int from, int to, std::size_t bytes) {
    std::vector<std::uint8_t> data(bytes);
    for (std::size_t i = 0; i < bytes; ++i) {
        data[i] = static_cast<std::uint8_t>(i * 131 + (i >> 9));
    }
    std::vector<std::uint8_t> got;
    std::size_t sent = 0;
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (got.size() < bytes && std::chrono::steady_clock::now() < deadline) {
        if (sent < bytes) {
            ssize_t n =
                ::send(from, data.data() + sent, std::min<std::size_t>(bytes - sent, 1 << 20),
                       MSG_DONTWAIT | MSG_NOSIGNAL);
            if (n > 0) {
                sent += static_cast<std::size_t>(n);
            }
        }
        pollfd p{to, POLLIN, 0};
        if (::poll(&p, 1, 10) > 0) {
            std::uint8_t buffer[65536];
            ssize_t n = ::recv(to, buffer, sizeof(buffer), MSG_DONTWAIT);
            if (n <= 0) {
                return false;
            }
            got.insert(got.end(), buffer, buffer + n);
        }
    }
    return got == data;
}

// Large TCP segments from an instance (TSO, 64 KB frames) cross the 1500-byte internet gateway
// and the NAT gateway intact: the receiving kernel gets every byte, in order.
TEST(LiveLab, BulkTcpThroughTheInternetGatewayAndNatArrivesIntact) {
    SKIP_UNLESS_LIVE();
    Lab lab(kTopologies + "two-tier-nat.yaml", "bulk");
    ASSERT_EQ(lab.up().code, 0) << lab.up().output;
    Fd client80 = listen_in(lab.ns("inet"), 80);
    for (const std::string instance : {"web", "app"}) {
        Fd sender;
        Fd receiver;
        ASSERT_EQ(connect_from(lab.ns(instance), "198.51.100.7", 80, &sender), Outcome::Connected)
            << instance;
        ASSERT_FALSE(accept_peer(client80.get(), &receiver).empty()) << instance;
        EXPECT_TRUE(transfers(sender.get(), receiver.get(), 8 << 20))
            << "8 MB from " << instance << " to the internet host arrive unchanged";
    }
    auto status = lab.status();
    EXPECT_GT(status["live"]["offload"].value("gso_passed", std::uint64_t{0}), 0u)
        << "the instances sent large segments (TSO), so the test covers them";
    EXPECT_EQ(status["engine"]["drops"].value("MtuExceeded", std::uint64_t{1}), 0u)
        << "segments of an MSS that fits are never refused by the 1500-byte gateway";
}

TEST(LiveLab, AclThatForgetsEphemeralPortsMakesTcpConnectsTimeOut) {
    SKIP_UNLESS_LIVE();
    Lab lab(kTopologies + "acl-forgets-ephemeral.yaml", "acl");
    ASSERT_EQ(lab.up().code, 0) << lab.up().output;
    Fd web80 = listen_in(lab.ns("web"), 80);
    EXPECT_EQ(connect_from(lab.ns("inet"), "203.0.113.50", 80), Outcome::TimedOut)
        << "the SYN-ACK goes to an ephemeral port that web-acl does not allow outbound";
    EXPECT_GE(lab.drops("AclDenied"), 1u);
}

TEST(LiveLab, PeeringIsNotTransitive) {
    SKIP_UNLESS_LIVE();
    Lab lab(kTopologies + "hub-and-spoke.yaml", "hub");
    ASSERT_EQ(lab.up().code, 0) << lab.up().output;
    EXPECT_EQ(lab.exec("bastion", {"ping", "-c", "1", "-W", "2", "10.1.1.10"}).code, 0)
        << "the hub reaches spoke-a over their peering";
    EXPECT_EQ(lab.exec("bastion", {"ping", "-c", "1", "-W", "2", "10.2.1.10"}).code, 0)
        << "the hub reaches spoke-b over their peering";
    EXPECT_NE(lab.exec("svc-a", {"ping", "-c", "1", "-W", "1", "10.2.1.10"}).code, 0)
        << "spoke-a must not reach spoke-b through the hub";
    EXPECT_GE(lab.drops("NotTransitive"), 1u);
}

TEST(LiveLab, SecurityGroupChangeKeepsTrackedConnectionsAndCutsUntrackedOnes) {
    SKIP_UNLESS_LIVE();
    Lab lab(kTopologies + "two-tier-nat.yaml", "sg");
    ASSERT_EQ(lab.up().code, 0) << lab.up().output;

    // web -> app:8080 is tracked (its rule names a group, not 0.0.0.0/0).
    Fd app8080 = listen_in(lab.ns("app"), 8080);
    Fd tracked_client;
    Fd tracked_server;
    ASSERT_EQ(connect_from(lab.ns("web"), "10.0.2.10", 8080, &tracked_client), Outcome::Connected);
    ASSERT_FALSE(accept_peer(app8080.get(), &tracked_server).empty());
    // client -> web:80 is untracked (tcp/80 from 0.0.0.0/0, all traffic out).
    Fd web80 = listen_in(lab.ns("web"), 80);
    Fd untracked_client;
    Fd untracked_server;
    ASSERT_EQ(connect_from(lab.ns("inet"), "203.0.113.10", 80, &untracked_client),
              Outcome::Connected);
    ASSERT_FALSE(accept_peer(web80.get(), &untracked_server).empty());
    ASSERT_TRUE(delivers(tracked_client.get(), tracked_server.get(), "before\n"));
    ASSERT_TRUE(delivers(untracked_client.get(), untracked_server.get(), "before\n"));

    for (const auto& [group, rule] : {std::pair{"app-sg", "- tcp/8080 from sg:web-sg"},
                                      std::pair{"web-sg", "- tcp/80 from 0.0.0.0/0"}}) {
        std::string error;
        const std::string edited = two_tier_without(rule);
        auto reply = control_request(
            lab.name(), {{"op", "replace_security_group"}, {"topology", edited}, {"group", group}},
            &error);
        ::unlink(edited.c_str());
        ASSERT_TRUE(reply) << error;
        ASSERT_TRUE(reply->value("ok", false)) << reply->dump();
    }

    EXPECT_TRUE(delivers(tracked_client.get(), tracked_server.get(), "after\n"))
        << "AWS: a tracked connection outlives the rule that allowed it";
    EXPECT_TRUE(delivers(tracked_server.get(), tracked_client.get(), "reply\n"));
    EXPECT_EQ(connect_from(lab.ns("web"), "10.0.2.10", 8080), Outcome::TimedOut)
        << "a new connection needs a rule";
    EXPECT_FALSE(delivers(untracked_client.get(), untracked_server.get(), "after\n", 1000ms))
        << "AWS: an untracked flow is cut as soon as its rule goes";
}

TEST(LiveLab, NmapFromTheInternetSeesExactlyWhatTheRulesAllow) {
    SKIP_UNLESS_LIVE();
    if (::access("/usr/bin/nmap", X_OK) != 0) {
        GTEST_SKIP() << "nmap is not installed";
    }
    Lab lab(kTopologies + "two-tier-nat.yaml", "nmap");
    ASSERT_EQ(lab.up().code, 0) << lab.up().output;
    // web listens on 80 and 8080; web-sg opens 80 and 443.
    Fd web80 = listen_in(lab.ns("web"), 80);
    Fd web8080 = listen_in(lab.ns("web"), 8080);
    Result scan = lab.exec("client", {"nmap", "-Pn", "-n", "-sS", "-p", "22,80,443,8080",
                                      "--max-retries", "1", "-T4", "-oG", "-", "203.0.113.10"});
    ASSERT_EQ(scan.code, 0) << scan.output;
    EXPECT_NE(scan.output.find("80/open/tcp"), std::string::npos) << "allowed and listening: open\n"
                                                                  << scan.output;
    EXPECT_NE(scan.output.find("443/closed/tcp"), std::string::npos)
        << "allowed, nothing listening: the instance answers RST\n"
        << scan.output;
    EXPECT_NE(scan.output.find("22/filtered/tcp"), std::string::npos)
        << "no rule: the security group drops the SYN\n"
        << scan.output;
    EXPECT_NE(scan.output.find("8080/filtered/tcp"), std::string::npos)
        << "listening but no rule: filtered\n"
        << scan.output;
}

// A Network Load Balancer in a live lab: real TCP from the internet namespace to a node's
// Elastic IP reaches the web server of that node's zone, which sees the client's own address
// (client IP preservation), and its replies come back through the node although its subnet has
// no route to the internet. Bulk data crosses it intact; other ports and ping get nothing.
TEST(LiveLab, NetworkLoadBalancerCarriesRealTcpWithTheClientsAddress) {
    SKIP_UNLESS_LIVE();
    Lab lab(kTopologies + "nlb.yaml", "nlb");
    ASSERT_EQ(lab.up().code, 0) << lab.up().output;
    Fd web1 = listen_in(lab.ns("web-1"), 80);
    Fd web2 = listen_in(lab.ns("web-2"), 80);
    Fd client;
    EXPECT_EQ(connect_from(lab.ns("inet"), "203.0.113.60", 80, &client), Outcome::Connected);
    Fd served;
    EXPECT_EQ(accept_peer(web1.get(), &served), "198.51.100.7")
        << "the node in us-east-1a sends to web-1, and the target sees the client";
    EXPECT_TRUE(transfers(client.get(), served.get(), 4 << 20))
        << "4 MiB from the client reach the target intact";
    EXPECT_TRUE(transfers(served.get(), client.get(), 4 << 20))
        << "and 4 MiB back, through the load balancer";
    EXPECT_EQ(connect_from(lab.ns("inet"), "203.0.113.61", 80), Outcome::Connected);
    EXPECT_EQ(accept_peer(web2.get()), "198.51.100.7") << "the node in us-east-1b sends to web-2";

    EXPECT_EQ(connect_from(lab.ns("inet"), "203.0.113.60", 443), Outcome::TimedOut)
        << "no listener on 443: nothing answers";
    Result ping = lab.exec("client", {"ping", "-c", "1", "-W", "1", "203.0.113.60"});
    EXPECT_NE(ping.code, 0) << "load balancer nodes answer no ICMP\n" << ping.output;
    EXPECT_GE(lab.drops("LbNoListener"), 2u);
}

TEST(LiveLab, VethAttachmentForwardsToo) {
    SKIP_UNLESS_LIVE();
    Lab lab(kTopologies + "two-tier-nat.yaml", "veth", "veth");
    ASSERT_EQ(lab.up().code, 0) << lab.up().output;
    EXPECT_EQ(lab.exec("web", {"ping", "-c", "1", "-W", "2", "10.0.2.10"}).code, 0);
    Fd client80 = listen_in(lab.ns("inet"), 80);
    EXPECT_EQ(connect_from(lab.ns("app"), "198.51.100.7", 80), Outcome::Connected);
    EXPECT_EQ(accept_peer(client80.get()), "203.0.113.20");
    auto state = read_state(lab.name());
    ASSERT_TRUE(state);
    EXPECT_EQ(state->attach, "veth");
    EXPECT_NE(std::find(state->namespaces.begin(), state->namespaces.end(), lab.ns("engine")),
              state->namespaces.end())
        << "the veth host ends live in the lab's engine namespace";
}

// An instance with an ENI in each of two subnets (the second with a secondary private IP), a
// client in a third subnet and a neighbour in the primary ENI's subnet.
const char* kMultiEniTopology = R"(region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    subnets:
      - {name: a, cidr: 10.0.1.0/24}
      - {name: b, cidr: 10.0.2.0/24}
      - {name: c, cidr: 10.0.3.0/24}
    security_groups:
      - name: open
        ingress:
          - all from 10.0.0.0/16
    instances:
      - name: multi
        enis:
          - {name: m0, subnet: a, private_ip: 10.0.1.10, security_groups: [open]}
          - {name: m1, subnet: b, private_ips: [10.0.2.10, 10.0.2.11], security_groups: [open]}
      - {name: client, subnet: c, private_ip: 10.0.3.10, security_groups: [open]}
      - {name: near, subnet: a, private_ip: 10.0.1.20, security_groups: [open]}
)";

// Amazon Linux ec2-net-utils routes what a secondary ENI's addresses send out of that ENI (a
// table and rules per ENI); without it the reply would leave the primary ENI with the
// secondary's source address and the VPC's source/destination check would drop it.
TEST(LiveLab, AMultiEniInstanceAnswersOnItsSecondaryEniFromOtherSubnets) {
    SKIP_UNLESS_LIVE();
    const std::string path = "/tmp/vpcstack-live-" + std::to_string(::getpid()) + "-multi.yaml";
    std::ofstream(path) << kMultiEniTopology;
    for (const std::string attach : {"tap", "veth"}) {
        SCOPED_TRACE("attach " + attach);
        Lab lab(path, "multi-" + attach, attach);
        ASSERT_EQ(lab.up().code, 0) << lab.up().output;

        Result rules = lab.exec("multi", {"ip", "-4", "rule", "show"});
        EXPECT_NE(rules.output.find("10001:\tfrom 10.0.2.10 lookup 10001"), std::string::npos)
            << rules.output;
        EXPECT_NE(rules.output.find("10001:\tfrom 10.0.2.11 lookup 10001"), std::string::npos)
            << rules.output;
        EXPECT_EQ(rules.output.find("from 10.0.1.10"), std::string::npos)
            << "the primary ENI has no rule: it uses the main table\n"
            << rules.output;
        Result table = lab.exec("multi", {"ip", "-4", "route", "show", "table", "10001"});
        EXPECT_NE(table.output.find("default via 10.0.2.1 dev eth1"), std::string::npos)
            << table.output;
        EXPECT_NE(table.output.find("10.0.2.0/24 dev eth1"), std::string::npos) << table.output;
        Result main = lab.exec("multi", {"ip", "-4", "route", "show", "default"});
        EXPECT_NE(main.output.find("default via 10.0.1.1 dev eth0"), std::string::npos)
            << main.output;

        for (const std::string from : {"client", "near"}) {
            for (const std::string to : {"10.0.2.10", "10.0.2.11", "10.0.1.10"}) {
                Result ping = lab.exec(from, {"ping", "-c", "1", "-W", "2", to});
                EXPECT_EQ(ping.code, 0) << from << " pings multi at " << to << "\n" << ping.output;
            }
        }
        Fd server = listen_in(lab.ns("multi"), 8080);
        Result nc = lab.exec("client", {"nc", "-z", "-w", "2", "10.0.2.10", "8080"});
        EXPECT_EQ(nc.code, 0) << "nc from the third subnet to the secondary ENI\n" << nc.output;
        EXPECT_EQ(accept_peer(server.get()), "10.0.3.10");
        EXPECT_EQ(connect_from(lab.ns("near"), "10.0.2.11", 8080), Outcome::Connected)
            << "from the primary ENI's subnet to the secondary ENI's secondary IP";
        EXPECT_EQ(accept_peer(server.get()), "10.0.1.20");
        EXPECT_EQ(lab.drops("SourceDestCheck"), 0u)
            << "every reply left by the ENI that owns its source address";
    }
    ::unlink(path.c_str());
}

TEST(LiveLab, DownCleansUpAfterTheEngineWasKilled) {
    SKIP_UNLESS_LIVE();
    Lab lab(kTopologies + "two-tier-nat.yaml", "kill");
    ASSERT_EQ(lab.up().code, 0) << lab.up().output;
    // A process left running inside the lab must not keep its namespace alive.
    Result sleeper = run(
        {"sh", "-c", kVpcctl + " lab exec " + lab.name() + " web -- sleep 60 >/dev/null 2>&1 &"});
    ASSERT_EQ(sleeper.code, 0);
    auto state = read_state(lab.name());
    ASSERT_TRUE(state);
    ASSERT_GT(state->engine_pid, 0);
    ASSERT_EQ(::kill(state->engine_pid, SIGKILL), 0);
    std::this_thread::sleep_for(100ms);
    Result status = run({kVpcctl, "lab", "status", lab.name()});
    EXPECT_EQ(status.code, 1) << "the engine is gone\n" << status.output;
    Result down = run({kVpcctl, "lab", "down", lab.name()});
    EXPECT_EQ(down.code, 0) << down.output;
    EXPECT_NE(down.output.find("removed 3 namespaces"), std::string::npos) << down.output;
    EXPECT_NE(down.output.find("killed 1 processes"), std::string::npos) << down.output;
    Result again = run({kVpcctl, "lab", "down", lab.name()});
    EXPECT_EQ(again.code, 0);
    EXPECT_NE(again.output.find("nothing to remove"), std::string::npos) << "down is idempotent";
}

TEST(LiveLab, UpRefusesALabThatIsAlreadyUpAndBadInput) {
    SKIP_UNLESS_LIVE();
    Lab lab(kTopologies + "single-public-web.yaml", "dup");
    ASSERT_EQ(lab.up().code, 0) << lab.up().output;
    Result again =
        run({kVpcctl, "lab", "up", kTopologies + "single-public-web.yaml", "--name", lab.name()});
    EXPECT_EQ(again.code, 2);
    EXPECT_NE(again.output.find("already up"), std::string::npos) << again.output;
    Result missing = run({kVpcctl, "lab", "up", "/nonexistent.yaml", "--name", lab.name() + "x"});
    EXPECT_EQ(missing.code, 2) << missing.output;
    Result bad_name =
        run({kVpcctl, "lab", "up", kTopologies + "single-public-web.yaml", "--name", "Bad"});
    EXPECT_EQ(bad_name.code, 2) << bad_name.output;
    Result unknown = lab.exec("nobody", {"true"});
    EXPECT_EQ(unknown.code, 2) << unknown.output;
    Result ls = run({kVpcctl, "lab", "ls"});
    EXPECT_NE(ls.output.find(lab.name()), std::string::npos) << ls.output;
}

}  // namespace
}  // namespace vpcstack::live
