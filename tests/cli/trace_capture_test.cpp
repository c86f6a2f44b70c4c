// `vpcctl trace --pcap`: the captures are read back by tshark (installed by
// tools/install-deps.sh), and the test checks what tshark decodes: the interfaces named after
// the components, one packet id across the hops, translated addresses, the drop's comment.
#include <gtest/gtest.h>

#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_command.hpp"

namespace {

using vpcstack::test_support::has_line;
using vpcstack::test_support::joined;
using vpcstack::test_support::lines_of;
using vpcstack::test_support::tshark_fields;

using vpcstack::test_support::Result;

Result vpcctl(const std::string& args) {
    return vpcstack::test_support::vpcctl_in(VPCSTACK_SOURCE_DIR, args);
}

// With arguments that hold spaces (a BPF expression).
Result vpcctl(const std::string& args, const std::vector<std::string>& more) {
    std::vector<std::string> words;
    std::istringstream text(args);
    for (std::string word; text >> word;) words.push_back(word);
    words.insert(words.end(), more.begin(), more.end());
    vpcstack::test_support::RunOptions options;
    options.working_dir = VPCSTACK_SOURCE_DIR;
    options.env = {"NO_COLOR=1"};
    return vpcstack::test_support::vpcctl(words, options);
}

TEST(TraceCapture, TsharkFollowsOnePacketThroughTheNatGatewayByItsId) {
    const std::string file = testing::TempDir() + "trace-capture.pcapng";
    std::filesystem::remove(file);
    Result r = vpcctl(
        "trace topologies/two-tier-nat.yaml --from app --to client --proto tcp --dport 443 "
        "--sport 40000 --pcap " +
        file);
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // The SYN is the first packet; every hop of it carries its id.
    std::vector<std::string> lines =
        tshark_fields(file,
                      "frame.packet_id frame.interface_name ip.src ip.dst "
                      "tcp.srcport frame.packet_flags_direction");
    ASSERT_FALSE(lines.empty());
    const std::string id = lines.front().substr(0, lines.front().find('|'));
    for (const char* hop : {"eni/app/eth0|10.0.2.10|198.51.100.7|40000|0x00000002",
                            "nat/nat-a inside|10.0.2.10|198.51.100.7|40000|0x00000001",
                            "nat/nat-a outside|10.0.1.20|198.51.100.7|1024|0x00000002",
                            "igw/prod-igw outside|203.0.113.20|198.51.100.7|1024|0x00000002"}) {
        EXPECT_TRUE(has_line(lines, id + "|" + hop)) << hop << "\n" << joined(lines);
    }
    std::vector<std::string> descriptions = tshark_fields(file, "frame.interface_description");
    EXPECT_TRUE(has_line(descriptions, "NAT gateway, internet side (translated)"))
        << joined(descriptions);
    std::filesystem::remove(file);
}

TEST(TraceCapture, DropsOnlyKeepsTheDeadReplyWithItsReasonInTheComment) {
    const std::string file = testing::TempDir() + "trace-capture-drops.pcapng";
    std::filesystem::remove(file);
    Result r = vpcctl(
        "trace topologies/acl-forgets-ephemeral.yaml --from client --to web --proto tcp "
        "--dport 80 --pcap " +
        file + " --drops-only");
    ASSERT_EQ(r.exit_code, 1) << r.err;  // unreachable
    std::vector<std::string> lines = tshark_fields(
        file, "frame.interface_name ip.src tcp.flags.syn tcp.flags.ack frame.comment");
    EXPECT_TRUE(has_line(lines,
                         "subnet/public|10.0.1.10|1|1|dropped at acl/web-acl: outbound rule *: "
                         "deny all [AclDenied]"))
        << joined(lines);
    for (const std::string& line : lines) {
        EXPECT_EQ(line.find("198.51.100.7|"), std::string::npos) << "the SYN lived: " << line;
    }
    std::filesystem::remove(file);
}

TEST(TraceCapture, ADirectoryHoldsOneFilePerPointAndBadInputIsAUsageError) {
    const std::string dir = testing::TempDir() + "trace-capture-dir";
    std::filesystem::remove_all(dir);
    Result r = vpcctl(
        "trace topologies/two-tier-nat.yaml --from app --to client --proto tcp --dport 443 "
        "--pcap " +
            dir + " --point nat/nat-a",
        {"--filter", "tcp port 443"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    for (const char* name : {"nat_nat-a_inside.pcapng", "nat_nat-a_outside.pcapng"}) {
        const std::string file = dir + "/" + name;
        ASSERT_TRUE(std::filesystem::exists(file)) << file;
        std::vector<std::string> lines = tshark_fields(file, "frame.interface_name");
        EXPECT_EQ(lines.size(), 3u) << joined(lines);  // SYN, SYN-ACK, ACK
    }
    std::filesystem::remove_all(dir);

    Result bad_point = vpcctl(
        "trace topologies/two-tier-nat.yaml --from app --to client --pcap x.pcapng --point nat/b");
    EXPECT_EQ(bad_point.exit_code, 2);
    EXPECT_NE(bad_point.err.find("--point: no capture point \"nat/b\""), std::string::npos)
        << bad_point.err;
    Result bad_filter =
        vpcctl("trace topologies/two-tier-nat.yaml --from app --to client --pcap x.pcapng",
               {"--filter", "port ninety"});
    EXPECT_EQ(bad_filter.exit_code, 2);
    EXPECT_NE(bad_filter.err.find("--filter: filter \"port ninety\""), std::string::npos)
        << bad_filter.err;
    Result no_pcap =
        vpcctl("trace topologies/two-tier-nat.yaml --from app --to client --drops-only");
    EXPECT_EQ(no_pcap.exit_code, 2);
}

}  // namespace
