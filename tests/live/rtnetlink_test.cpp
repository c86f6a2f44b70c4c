// The rtnetlink client against the kernel: many requests in one commit, and what happens when
// acknowledgements are lost. Needs root (a network namespace of its own, made on a thread and
// gone with it); skipped otherwise.
#include "vpcstack/live/rtnetlink.hpp"

#include <sched.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <functional>
#include <string>
#include <thread>

#include "vpcstack/live/netns.hpp"

namespace vpcstack::live {
namespace {

// Runs `body` on a thread inside a new, unnamed network namespace, which the kernel removes
// when the thread ends. Returns what it threw, or "" when it returned.
std::string in_new_namespace(const std::function<void()>& body) {
    std::string outcome;
    std::thread thread([&] {
        try {
            Fd ns = unshare_netns();
            body();
        } catch (const std::exception& e) {
            outcome = e.what();
        }
    });
    thread.join();
    return outcome;
}

bool can_unshare() {
    if (::geteuid() != 0) {
        return false;
    }
    return in_new_namespace([] {}).empty();
}

constexpr int kLoopback = 1;

// What a shell command prints.
std::string output_of(const std::string& command) {
    std::string out;
    if (FILE* pipe = ::popen(command.c_str(), "r")) {
        char buffer[512];
        while (std::fgets(buffer, sizeof(buffer), pipe) != nullptr) {
            out += buffer;
        }
        ::pclose(pipe);
    }
    return out;
}

TEST(RtNetlink, ThousandsOfRequestsInOneCommitAreAllAcknowledged) {
    if (!can_unshare()) {
        GTEST_SKIP() << "needs root and network namespaces";
    }
    std::string error = in_new_namespace([] {
        RtNetlink netlink;
        // A veth lab of 1,000 instances sets 1,001 host ends up in one commit; far more
        // acknowledgements than the default receive buffer holds at once.
        for (int i = 0; i < 5000; ++i) {
            netlink.set_link({.ifindex = kLoopback, .mac = {}, .mtu = {}, .up = true});
        }
        netlink.commit();
        EXPECT_EQ(netlink.pending(), 0u);
    });
    EXPECT_EQ(error, "");
}

TEST(RtNetlink, LostAcknowledgementsAreReportedNotWaitedFor) {
    if (!can_unshare()) {
        GTEST_SKIP() << "needs root and network namespaces";
    }
    std::string error = in_new_namespace([] {
        RtNetlink netlink;
        netlink.set_batch_requests(5000);  // one message: the old behaviour
        for (int i = 0; i < 5000; ++i) {
            netlink.set_link({.ifindex = kLoopback, .mac = {}, .mtu = {}, .up = true});
        }
        netlink.commit();
    });
    EXPECT_NE(error.find("receive buffer overflowed"), std::string::npos) << error;
    EXPECT_NE(error.find("unconfirmed"), std::string::npos) << error;
}

TEST(RtNetlink, ARefusedRequestIsNamedAmongTheOthers) {
    if (!can_unshare()) {
        GTEST_SKIP() << "needs root and network namespaces";
    }
    std::string error = in_new_namespace([] {
        RtNetlink netlink;
        for (int i = 0; i < 300; ++i) {
            netlink.set_link({.ifindex = kLoopback, .mac = {}, .mtu = {}, .up = true});
        }
        netlink.set_link({.ifindex = 4242, .mac = {}, .mtu = {}, .up = true});
        for (int i = 0; i < 300; ++i) {
            netlink.set_link({.ifindex = kLoopback, .mac = {}, .mtu = {}, .up = true});
        }
        netlink.commit();
    });
    EXPECT_NE(error.find("set link 4242"), std::string::npos) << error;
}

TEST(RtNetlink, RulesAndRoutesGoInTablesAboveTheEightBitRange) {
    if (!can_unshare()) {
        GTEST_SKIP() << "needs root and network namespaces";
    }
    std::string error = in_new_namespace([] {
        RtNetlink netlink;
        netlink.set_link({.ifindex = kLoopback, .mac = {}, .mtu = {}, .up = true});
        netlink.add_address(kLoopback, net::Ipv4Address(10, 9, 0, 1), 24);
        RouteSpec route;
        route.ifindex = kLoopback;
        route.destination = net::Cidr(net::Ipv4Address(10, 9, 0, 0), 24);
        route.preferred_source = net::Ipv4Address(10, 9, 0, 1);
        route.table = 10001;
        netlink.add_route(route);
        netlink.add_rule({.priority = 10001,
                          .table = 10001,
                          .source = net::Cidr(net::Ipv4Address(10, 9, 0, 1), 32)});
        netlink.commit();
        // A child forked from this thread shares its namespace.
        EXPECT_NE(output_of("ip -4 rule show").find("10001:\tfrom 10.9.0.1 lookup 10001"),
                  std::string::npos)
            << output_of("ip -4 rule show");
        EXPECT_NE(output_of("ip -4 route show table 10001").find("10.9.0.0/24 dev lo"),
                  std::string::npos)
            << output_of("ip -4 route show table 10001");
    });
    EXPECT_EQ(error, "");
}

}  // namespace
}  // namespace vpcstack::live
