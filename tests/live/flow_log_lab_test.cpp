// Flow logs and the cloud's counters in a live lab: pings between two instances leave records
// in the cloud's S3 layout once the lab is down, and `lab status --json` shows the counters.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>
#include <sstream>

#include "live_lab.hpp"

namespace vpcstack::live::lab_testing {
namespace {

std::string read_all_logs(const std::string& dir, std::size_t& files) {
    std::string all;
    files = 0;
    if (!std::filesystem::exists(dir)) return all;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
        if (!e.is_regular_file()) continue;
        ++files;
        std::ifstream in(e.path());
        std::stringstream text;
        text << in.rdbuf();
        all += text.str();
    }
    return all;
}

TEST(LiveLabFlowLogs, PingsBetweenInstancesAreAcceptRecordsOnBothEnis) {
    SKIP_UNLESS_LIVE();
    const std::string dir = testing::TempDir() + "lab-flow-logs";
    std::filesystem::remove_all(dir);
    {
        Lab lab(kTopologies + "two-tier-nat.yaml", "flog", "tap",
                {"--flow-logs", dir, "--flow-log-account", "123456789010"});
        ASSERT_EQ(lab.up().code, 0) << lab.up().output;
        Result ping = lab.exec("web", {"ping", "-c", "3", "-i", "0.2", "-W", "2", "10.0.2.10"});
        EXPECT_EQ(ping.code, 0) << ping.output;

        Result status = run({kVpcctl, "lab", "status", lab.name(), "--json"});
        ASSERT_EQ(status.code, 0) << status.output;
        nlohmann::json j = nlohmann::json::parse(status.output);
        EXPECT_EQ(j["flow_logs"], std::filesystem::absolute(dir).string());
        ASSERT_TRUE(j["counters"]["enis"].is_array()) << status.output;
        EXPECT_EQ(j["counters"]["enis"][0]["eni"], "eni/web/eth0");
        EXPECT_EQ(j["counters"]["enis"][0]["conntrack_allowance_exceeded"], 0);
        EXPECT_LT(j["counters"]["enis"][0]["conntrack_allowance_available"].get<std::uint64_t>(),
                  65536u)
            << "web tracks its pings";
        EXPECT_EQ(j["counters"]["nat_gateways"][0]["nat_gateway"], "nat/nat-a");
        EXPECT_EQ(j["counters"]["nat_gateways"][0]["ErrorPortAllocation"], 0);
    }  // lab down: the daemon writes the window still open
    std::size_t files = 0;
    std::string logs = read_all_logs(dir + "/AWSLogs/123456789010/vpcflowlogs/us-east-1", files);
    ASSERT_GE(files, 1u) << "no flow log file under " << dir;
    EXPECT_NE(logs.find("version account-id interface-id srcaddr dstaddr srcport dstport "
                        "protocol packets bytes start end action log-status\n"),
              std::string::npos);
    // The three pings (84 bytes each): web's egress and app's ingress records of
    // 10.0.1.10 -> 10.0.2.10, ICMP, accepted; summed over records, as a minute may end between
    // two pings.
    std::map<std::string, std::uint64_t> packets, bytes;  // by interface id
    std::istringstream lines(logs);
    for (std::string line; std::getline(lines, line);) {
        std::istringstream f(line);
        std::vector<std::string> w{std::istream_iterator<std::string>(f), {}};
        if (w.size() == 14 && w[3] == "10.0.1.10" && w[4] == "10.0.2.10" && w[7] == "1" &&
            w[12] == "ACCEPT" && w[13] == "OK") {
            packets[w[2]] += std::stoull(w[8]);
            bytes[w[2]] += std::stoull(w[9]);
        }
    }
    ASSERT_EQ(packets.size(), 2u) << "records on web's and app's ENIs:\n" << logs;
    for (const auto& [eni, n] : packets) {
        EXPECT_EQ(n, 3u) << eni << "\n" << logs;
        EXPECT_EQ(bytes[eni], 3u * 84u) << eni;
    }
    std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace vpcstack::live::lab_testing
