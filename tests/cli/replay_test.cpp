// `vpcctl replay`: a capture from a real instance (its own MAC, not the topology's) replayed at
// two-tier-nat's app; the text's aligned verdicts, the JSON, the exit codes, the files of --out
// (decoded by tshark) and bad input.
#include <gtest/gtest.h>
#include <sys/time.h>

#include <tins/tins.h>

#include <algorithm>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_command.hpp"

namespace {

using vpcstack::test_support::has_line;
using vpcstack::test_support::joined;
using vpcstack::test_support::lines_of;
using vpcstack::test_support::tshark_fields;

using vpcstack::test_support::read_file;
using vpcstack::test_support::Result;
using vpcstack::test_support::TempDir;

constexpr long kCaptureSecond = 1'700'000'000;
const std::string kAppMac = "0a:1b:2c:3d:4e:5f";  // the real instance's, not the topology's
const std::string kGatewayMac = "06:00:00:00:00:01";

Result vpcctl(const std::string& args) {
    return vpcstack::test_support::vpcctl_in(VPCSTACK_SOURCE_DIR, args);
}

Tins::EthernetII tcp(const std::string& src_mac, const std::string& dst_mac, const std::string& src,
                     std::uint16_t sport, const std::string& dst, std::uint16_t dport,
                     std::uint16_t flags) {
    Tins::TCP segment(dport, sport);
    segment.flags(flags);
    return Tins::EthernetII(dst_mac, src_mac) / Tins::IP(dst, src) / segment;
}

// app opens tcp/443 to the client (delivered through the NAT gateway); with `drops`, also a
// datagram web's group does not allow and a packet from an address app does not own.
std::string write_capture(const TempDir& dir, bool drops) {
    const std::string file = (dir.path() / "app.pcap").string();
    Tins::PacketWriter writer(file, Tins::DataLinkType<Tins::EthernetII>());
    auto write = [&](const Tins::PDU& pdu, long ms) {
        timeval tv{kCaptureSecond + ms / 1000, static_cast<suseconds_t>((ms % 1000) * 1000)};
        Tins::Packet packet(pdu, Tins::Timestamp(tv));
        writer.write(packet);
    };
    auto syn = tcp(kAppMac, kGatewayMac, "10.0.2.10", 40000, "198.51.100.7", 443, Tins::TCP::SYN);
    write(syn, 0);
    auto syn_ack = tcp(kGatewayMac, kAppMac, "198.51.100.7", 443, "10.0.2.10", 40000,
                       Tins::TCP::SYN | Tins::TCP::ACK);
    write(syn_ack, 20);
    if (drops) {
        auto udp = Tins::EthernetII(kGatewayMac, kAppMac) / Tins::IP("10.0.1.10", "10.0.2.10") /
                   Tins::UDP(53, 5353);
        write(udp, 500);
        auto spoofed =
            tcp(kAppMac, kGatewayMac, "10.0.2.99", 41000, "198.51.100.7", 443, Tins::TCP::SYN);
        write(spoofed, 2250);
    }
    return file;
}

TEST(Replay, TextShowsOneAlignedVerdictPerPacketAndEachDroppedFlowsPath) {
    TempDir dir;
    const std::string pcap = write_capture(dir, true);
    Result r = vpcctl("replay topologies/two-tier-nat.yaml --pcap " + pcap + " --at app");
    EXPECT_EQ(r.exit_code, 1) << r.err;  // some packets were dropped
    std::vector<std::string> lines = lines_of(r.out);
    ASSERT_GE(lines.size(), 8u) << r.out;
    EXPECT_EQ(lines[0].rfind("replay " + pcap + " at eni/app/eth0 (app, 10.0.2.10, ", 0), 0u)
        << r.out;
    // The header and the four packets: the verdicts start in one column.
    const std::size_t column = lines[2].find("VERDICT");
    ASSERT_NE(column, std::string::npos) << r.out;
    const std::vector<std::string> verdicts = {
        "delivered to internet 198.51.100.7 (client)",
        "to the ENI: the simulated network sent it too",
        "dropped at sg/web-sg: ",
        "dropped at eni/app/eth0: ",
    };
    for (std::size_t i = 0; i < verdicts.size(); ++i) {
        EXPECT_EQ(lines[3 + i].find(verdicts[i]), column) << lines[3 + i];
    }
    EXPECT_NE(lines[5].find("[SecurityGroupNoMatch]"), std::string::npos) << lines[5];
    EXPECT_NE(lines[6].find("2.250000"), std::string::npos) << lines[6];
    EXPECT_NE(lines[6].find("[SourceDestCheck]"), std::string::npos) << lines[6];
    EXPECT_NE(r.out.find("\n4 packets: 3 sent by eni/app/eth0 and replayed, 1 to it, 0 others\n"
                         "replayed: 1 delivered, 0 answered by the network, 2 dropped "
                         "(SecurityGroupNoMatch 1, SourceDestCheck 1)\n"
                         "to the ENI: 1 sent by the simulated network too, 0 not\n"),
              std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("dropped flow 1 of 2: 1 packet, the first is #3"), std::string::npos)
        << r.out;
    EXPECT_NE(r.out.find("  sg/web-sg"), std::string::npos) << r.out;
}

TEST(Replay, JsonAndTheOutputDirectoryHoldTheVerdictsAndWhatArrivedFarAway) {
    TempDir dir;
    const std::string pcap = write_capture(dir, true);
    const std::string out = (dir.path() / "out").string();
    Result r = vpcctl("replay topologies/two-tier-nat.yaml --pcap " + pcap +
                      " --at eni/app/eth0 --json --out " + out);
    EXPECT_EQ(r.exit_code, 1) << r.err;
    nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["all_passed"], false);
    EXPECT_EQ(j["at"]["capture_mac"], kAppMac);
    EXPECT_EQ(j["summary"]["replayed"], 3);
    EXPECT_EQ(j["summary"]["dropped"], 2);
    EXPECT_EQ(j["summary"]["drops"]["SourceDestCheck"], 1);
    EXPECT_EQ(j["packets"][0]["verdict"], "delivered");
    EXPECT_EQ(j["packets"][1]["role"], "received");
    EXPECT_EQ(j["packets"][1]["reproduced"], true);
    EXPECT_EQ(j["packets"][2]["drop_reason"], "SecurityGroupNoMatch");
    EXPECT_EQ(j["packets"][2]["dropped_at"], "sg/web-sg");
    EXPECT_EQ(j["packets"][3]["offset_ns"], 2'250'000'000LL);
    ASSERT_EQ(j["dropped_flows"].size(), 2u);
    EXPECT_EQ(j["dropped_flows"][1]["path"]["dropped_at"], "eni/app/eth0");
    EXPECT_EQ(nlohmann::json::parse(read_file(out + "/replay.json")), j);

    // The SYN as the internet saw it: translated by the NAT gateway, at the capture's time.
    std::vector<std::string> internet = tshark_fields(
        out + "/igw_prod-igw_outside.pcapng",
        "frame.time_epoch ip.src ip.dst tcp.srcport tcp.dstport tcp.flags.syn tcp.flags.ack");
    ASSERT_FALSE(internet.empty());
    EXPECT_EQ(internet[0].rfind(std::to_string(kCaptureSecond) + ".0000", 0), 0u) << internet[0];
    EXPECT_NE(internet[0].find("|203.0.113.20|198.51.100.7|1024|443|1|0"), std::string::npos)
        << internet[0];
    // The client's answer came back to app.
    std::vector<std::string> app =
        tshark_fields(out + "/eni_app_eth0.pcapng", "ip.src ip.dst tcp.flags.syn tcp.flags.ack");
    EXPECT_NE(std::find(app.begin(), app.end(), "198.51.100.7|10.0.2.10|1|1"), app.end());
}

TEST(Replay, EveryPacketDeliveredExitsZero) {
    TempDir dir;
    const std::string pcap = write_capture(dir, false);
    Result r = vpcctl("replay topologies/two-tier-nat.yaml --pcap " + pcap + " --at app");
    EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
    EXPECT_NE(r.out.find("replayed: 1 delivered, 0 answered by the network, 0 dropped\n"),
              std::string::npos)
        << r.out;
}

TEST(Replay, BadInputIsAUsageErrorThatSaysWhatWasExpected) {
    TempDir dir;
    const std::string pcap = write_capture(dir, false);
    Result not_pcap = vpcctl(
        "replay topologies/two-tier-nat.yaml --pcap "
        "topologies/two-tier-nat.yaml --at app");
    EXPECT_EQ(not_pcap.exit_code, 2);
    EXPECT_NE(not_pcap.err.find("vpcctl replay: --pcap topologies/two-tier-nat.yaml: cannot be "
                                "read as a capture"),
              std::string::npos)
        << not_pcap.err;
    EXPECT_NE(not_pcap.err.find("expected a pcap or pcapng file"), std::string::npos);

    Result unknown = vpcctl("replay topologies/two-tier-nat.yaml --pcap " + pcap + " --at db");
    EXPECT_EQ(unknown.exit_code, 2);
    EXPECT_NE(unknown.err.find("vpcctl replay: --at: "), std::string::npos) << unknown.err;

    Result not_an_eni =
        vpcctl("replay topologies/two-tier-nat.yaml --pcap " + pcap + " --at 8.8.8.8");
    EXPECT_EQ(not_an_eni.exit_code, 2);
    EXPECT_NE(not_an_eni.err.find("expected an instance or a network interface"), std::string::npos)
        << not_an_eni.err;

    Result missing = vpcctl("replay topologies/two-tier-nat.yaml --at app");
    EXPECT_EQ(missing.exit_code, 2);
}

}  // namespace
