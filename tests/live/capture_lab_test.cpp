// `vpcctl lab capture` on a running lab: captures to a file and to a pipe at once, read back by
// tshark (installed by tools/install-deps.sh). A ping from the private instance through the NAT
// gateway shows on both sides of the gateway with one packet id, translated outside, and with
// the Elastic IP outside the internet gateway; a drops-only capture keeps the packet the
// security group dropped, with the reason; bad points and filters are usage errors that start
// nothing; SIGTERM and a reader that goes away end a capture cleanly.
#include <chrono>
#include <ctime>
#include <filesystem>
#include <future>
#include <set>
#include <sstream>
#include <thread>

#include "live_lab.hpp"

namespace vpcstack::live::lab_testing {
namespace {

using vpcstack::test_support::has_line;
using vpcstack::test_support::joined;
using vpcstack::test_support::lines_of;
using vpcstack::test_support::tshark_fields;

using namespace std::chrono_literals;

// Runs a command on a thread of its own, for a capture that runs while the test sends traffic.
std::future<Result> start(std::vector<std::string> args) {
    return std::async(std::launch::async, [args = std::move(args)] { return run(args); });
}

// A shell line (a pipe), run the same way.
std::future<Result> start_shell(const std::string& line) {
    return start({"bash", "-c", line});
}

// Waits until the lab's engine has `n` captures open.
bool captures_open(const Lab& lab, std::size_t n) {
    const auto deadline = std::chrono::steady_clock::now() + 10s;
    while (std::chrono::steady_clock::now() < deadline) {
        if (lab.status().value("captures", nlohmann::json::array()).size() == n) return true;
        std::this_thread::sleep_for(50ms);
    }
    return false;
}

// The packet id of the first line that ends with `rest` ("|nat/nat-a inside|...").
std::string id_of(const std::vector<std::string>& lines, const std::string& rest) {
    for (const std::string& line : lines) {
        const auto bar = line.find('|');
        if (bar != std::string::npos && line.substr(bar) == rest) return line.substr(0, bar);
    }
    return "";
}

TEST(LiveLabCapture, ThePingThroughTheNatGatewayIsOnePacketOnBothSidesTranslatedOutside) {
    SKIP_UNLESS_LIVE();
    const std::string nat_file = testing::TempDir() + "lab-capture-nat.pcapng";
    const std::string igw_file = testing::TempDir() + "lab-capture-igw.pcapng";
    std::filesystem::remove(nat_file);
    std::filesystem::remove(igw_file);
    Lab lab(kTopologies + "two-tier-nat.yaml", "cap");
    ASSERT_EQ(lab.up().code, 0) << lab.up().output;

    // Two requests and two replies, each at both sides of the gateway: 8 packets.
    auto nat = start({kVpcctl, "lab", "capture", lab.name(), "nat/nat-a", "-w", nat_file, "--count",
                      "8", "--duration", "30"});
    // The internet gateway's outside, streamed through a pipe.
    auto igw =
        start_shell("set -o pipefail; " + kVpcctl + " lab capture " + lab.name() +
                    " igw/prod-igw outside -w - --count 4 --duration 30 | cat > " + igw_file);
    // Everything, into a reader that goes away after one byte.
    auto gone = start_shell("set -o pipefail; " + kVpcctl + " lab capture " + lab.name() +
                            " -w - --duration 30 | head -c 1 > /dev/null");
    ASSERT_TRUE(captures_open(lab, 3)) << lab.status().dump();

    Result ping = lab.exec("app", {"ping", "-c", "2", "-i", "0.2", "-W", "2", "198.51.100.7"});
    EXPECT_EQ(ping.code, 0) << "app reaches the internet host through nat-a\n" << ping.output;

    const Result nat_done = nat.get();
    EXPECT_EQ(nat_done.code, 0) << nat_done.output;
    EXPECT_NE(nat_done.output.find("8 packets from lab " + lab.name() + " to " + nat_file +
                                   " (--count reached)"),
              std::string::npos)
        << nat_done.output;
    const Result igw_done = igw.get();
    EXPECT_EQ(igw_done.code, 0) << igw_done.output;
    const Result gone_done = gone.get();
    EXPECT_EQ(gone_done.code, 0) << "a reader that goes away ends the capture cleanly\n"
                                 << gone_done.output;
    EXPECT_NE(gone_done.output.find("(the reader went away)"), std::string::npos)
        << gone_done.output;
    EXPECT_TRUE(captures_open(lab, 0)) << "the engine let go of every capture\n"
                                       << lab.status().dump();

    const std::string fields =
        "frame.packet_id frame.interface_name ip.src ip.dst icmp.type "
        "frame.packet_flags_direction";
    const std::vector<std::string> lines = tshark_fields(nat_file, fields);
    ASSERT_EQ(lines.size(), 8u) << joined(lines);
    std::set<std::string> interfaces;
    for (const std::string& name : tshark_fields(nat_file, "frame.interface_name"))
        interfaces.insert(name);
    EXPECT_EQ(interfaces, (std::set<std::string>{"nat/nat-a inside", "nat/nat-a outside"}));
    // The echo request: in from the private subnet, out translated to the gateway's address.
    const std::string request =
        id_of(lines, "|nat/nat-a inside|10.0.2.10|198.51.100.7|8|0x00000001");
    ASSERT_FALSE(request.empty()) << joined(lines);
    EXPECT_TRUE(has_line(lines, request + "|nat/nat-a outside|10.0.1.20|198.51.100.7|8|0x00000002"))
        << "the same packet, translated, leaves outside\n"
        << joined(lines);
    // The reply: in outside to the gateway, out inside translated back to app.
    const std::string reply =
        id_of(lines, "|nat/nat-a outside|198.51.100.7|10.0.1.20|0|0x00000001");
    ASSERT_FALSE(reply.empty()) << joined(lines);
    EXPECT_TRUE(has_line(lines, reply + "|nat/nat-a inside|198.51.100.7|10.0.2.10|0|0x00000002"))
        << joined(lines);

    // Outside the internet gateway the request carries the Elastic IP, under the same id (one
    // engine numbers packets for every capture).
    const std::vector<std::string> igw_lines = tshark_fields(igw_file, fields);
    ASSERT_EQ(igw_lines.size(), 4u) << joined(igw_lines);
    EXPECT_TRUE(has_line(igw_lines,
                         request + "|igw/prod-igw outside|203.0.113.20|198.51.100.7|8|0x00000002"))
        << joined(igw_lines);
    EXPECT_TRUE(
        has_line(igw_lines, reply + "|igw/prod-igw outside|198.51.100.7|203.0.113.20|0|0x00000001"))
        << joined(igw_lines);

    // Wall-clock times, as Wireshark shows them.
    const double now = static_cast<double>(std::time(nullptr));
    for (const std::string& t : tshark_fields(nat_file, "frame.time_epoch")) {
        EXPECT_NEAR(std::stod(t), now, 120.0) << "a capture time of " << t;
    }
    std::filesystem::remove(nat_file);
    std::filesystem::remove(igw_file);
}

TEST(LiveLabCapture, DropsOnlyKeepsTheDroppedPacketWithItsReasonAndBadInputStartsNothing) {
    SKIP_UNLESS_LIVE();
    const std::string file = testing::TempDir() + "lab-capture-drops.pcapng";
    const std::string term_file = testing::TempDir() + "lab-capture-term.pcapng";
    std::filesystem::remove(file);
    std::filesystem::remove(term_file);
    Lab lab(kTopologies + "two-tier-nat.yaml", "capd");
    ASSERT_EQ(lab.up().code, 0) << lab.up().output;

    Result bad_point = run({kVpcctl, "lab", "capture", lab.name(), "nat/nat-b", "-w", file});
    EXPECT_EQ(bad_point.code, 2) << bad_point.output;
    EXPECT_NE(bad_point.output.find("no capture point \"nat/nat-b\": name an instance (web), an "
                                    "ENI (eni/web/eth0), a subnet"),
              std::string::npos)
        << bad_point.output;
    Result bad_filter =
        run({kVpcctl, "lab", "capture", lab.name(), "web", "-w", file, "--filter", "port ninety"});
    EXPECT_EQ(bad_filter.code, 2) << bad_filter.output;
    EXPECT_NE(bad_filter.output.find("filter \"port ninety\""), std::string::npos)
        << bad_filter.output;
    Result no_output = run({kVpcctl, "lab", "capture", lab.name(), "web"});
    EXPECT_EQ(no_output.code, 2) << no_output.output;
    EXPECT_FALSE(std::filesystem::exists(file)) << "a refused capture writes no file";
    EXPECT_TRUE(lab.status().value("captures", nlohmann::json::array()).empty())
        << "a refused capture is not asked of the engine";
    Result no_lab = run({kVpcctl, "lab", "capture", lab.name() + "-none", "web", "-w", file});
    EXPECT_EQ(no_lab.code, 2) << no_lab.output;

    // web-sg allows ICMP from the VPC only: the client's ping dies at the security group, seen
    // last at the public subnet's boundary. The allowed ping before it is not kept.
    auto drops = start({kVpcctl, "lab", "capture", lab.name(), "subnet/public", "--drops-only",
                        "-w", file, "--count", "1", "--duration", "30"});
    ASSERT_TRUE(captures_open(lab, 1)) << lab.status().dump();
    Result allowed = lab.exec("web", {"ping", "-c", "1", "-W", "2", "10.0.2.10"});
    EXPECT_EQ(allowed.code, 0) << allowed.output;
    Result denied = lab.exec("client", {"ping", "-c", "1", "-W", "1", "203.0.113.10"});
    EXPECT_NE(denied.code, 0) << "web-sg does not allow ICMP from the internet\n" << denied.output;
    const Result drops_done = drops.get();
    EXPECT_EQ(drops_done.code, 0) << drops_done.output;
    const std::vector<std::string> lines =
        tshark_fields(file, "frame.interface_name ip.src ip.dst icmp.type frame.comment");
    ASSERT_EQ(lines.size(), 1u) << joined(lines);
    EXPECT_EQ(lines[0].rfind("subnet/public|198.51.100.7|10.0.1.10|8|dropped at sg/web-sg", 0), 0u)
        << lines[0];
    EXPECT_NE(lines[0].find("[SecurityGroupNoMatch]"), std::string::npos) << lines[0];

    // SIGTERM ends a capture with its file whole (a background job of a script ignores SIGINT,
    // so the script sends SIGTERM; a terminal's Ctrl-C takes the same path).
    auto term = start_shell(kVpcctl + " lab capture " + lab.name() + " web -w " + term_file +
                            " & p=$!; until [ -s " + term_file + " ]; do sleep 0.05; done; " +
                            kVpcctl + " lab exec " + lab.name() +
                            " web -- ping -c 1 -W 2 10.0.2.10 > /dev/null; sleep 0.3; "
                            "kill -TERM $p; wait $p");
    const Result term_done = term.get();
    EXPECT_EQ(term_done.code, 0) << term_done.output;
    EXPECT_NE(term_done.output.find("(interrupted)"), std::string::npos) << term_done.output;
    const std::vector<std::string> web =
        tshark_fields(term_file, "frame.interface_name ip.src ip.dst icmp.type");
    EXPECT_TRUE(has_line(web, "eni/web/eth0|10.0.1.10|10.0.2.10|8")) << joined(web);
    EXPECT_TRUE(has_line(web, "eni/web/eth0|10.0.2.10|10.0.1.10|0")) << joined(web);
    std::filesystem::remove(file);
    std::filesystem::remove(term_file);
}

}  // namespace
}  // namespace vpcstack::live::lab_testing
