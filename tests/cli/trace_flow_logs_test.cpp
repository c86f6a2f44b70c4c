// `vpcctl trace --flow-logs DIR` and `--counters`: the traced flow's records in the cloud's S3
// layout, and the counters under the cloud's names in the text and the JSON.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "support/run_command.hpp"

namespace {

using vpcstack::test_support::read_file;
using vpcstack::test_support::Result;

Result vpcctl(const std::string& args) {
    return vpcstack::test_support::vpcctl_in(VPCSTACK_SOURCE_DIR, args);
}

std::vector<std::string> files_under(const std::string& dir) {
    std::vector<std::string> out;
    for (const auto& e : std::filesystem::recursive_directory_iterator(dir)) {
        if (e.is_regular_file()) out.push_back(e.path().string());
    }
    return out;
}

TEST(TraceFlowLogs, TheNatPathWritesTheInstancesAndTheNatGatewaysRecords) {
    std::string dir = testing::TempDir() + "trace-flow-logs";
    std::filesystem::remove_all(dir);
    Result r = vpcctl(
        "trace topologies/two-tier-nat.yaml --from app --to 8.8.8.8 --proto tcp "
        "--dport 443 --sport 40000 --flow-logs " +
        dir + " --flow-log-epoch 1700000000 --flow-log-account 123456789010");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    std::vector<std::string> files = files_under(dir);
    ASSERT_EQ(files.size(), 1u);
    EXPECT_NE(files[0].find("/AWSLogs/123456789010/vpcflowlogs/us-east-1/2023/11/14/"
                            "123456789010_vpcflowlogs_us-east-1_fl-"),
              std::string::npos)
        << files[0];
    std::string text = read_file(files[0]);
    EXPECT_EQ(text.substr(0, text.find('\n')),
              "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
              "bytes start end action log-status");
    // The instance's SYN and ACK out, the NAT gateway's view of them, and the SYN-ACK back.
    for (const char* part :
         {" 10.0.2.10 8.8.8.8 40000 443 6 2 80 1700000001 1700000001 ACCEPT OK",
          " 10.0.2.10 10.0.1.20 40000 443 6 2 80 ", " 10.0.1.20 8.8.8.8 1024 443 6 2 80 ",
          " 8.8.8.8 10.0.1.20 443 1024 6 1 40 ", " 10.0.1.20 10.0.2.10 443 40000 6 1 40 ",
          " 8.8.8.8 10.0.2.10 443 40000 6 1 40 ", " - NODATA"}) {
        EXPECT_NE(text.find(part), std::string::npos) << part << "\n" << text;
    }
    std::filesystem::remove_all(dir);
}

TEST(TraceFlowLogs, GzipFilesAndABadFormatIsAUsageError) {
    std::string dir = testing::TempDir() + "trace-flow-logs-gz";
    std::filesystem::remove_all(dir);
    Result r = vpcctl("trace topologies/two-tier-nat.yaml --from app --to 8.8.8.8 --flow-logs " +
                      dir + " --flow-logs-gzip");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    // One file, or two when the run's window straddles a file boundary of the S3 layout.
    std::vector<std::string> files = files_under(dir);
    ASSERT_GE(files.size(), 1u);
    ASSERT_LE(files.size(), 2u);
    for (const std::string& f : files) EXPECT_TRUE(f.ends_with(".log.gz")) << f;
    std::filesystem::remove_all(dir);

    Result bad = vpcctl("trace topologies/two-tier-nat.yaml --from app --to 8.8.8.8 --flow-logs " +
                        dir + " --flow-log-format ${dst-port}");
    EXPECT_EQ(bad.exit_code, 2);
    EXPECT_NE(bad.err.find("--flow-log-format: field 1 '${dst-port}' is not a flow log field"),
              std::string::npos)
        << bad.err;
    EXPECT_FALSE(std::filesystem::exists(dir)) << "nothing is written on a usage error";
}

TEST(TraceCounters, TheJsonCarriesTheNatGatewaysCloudWatchNames) {
    Result r = vpcctl(
        "trace topologies/two-tier-nat.yaml --from app --to 8.8.8.8 --proto tcp --dport 443 "
        "--json --counters");
    ASSERT_EQ(r.exit_code, 0) << r.err;
    nlohmann::json j = nlohmann::json::parse(r.out);
    EXPECT_EQ(j["verdict"].get<std::string>().substr(0, 9), "reachable");
    const nlohmann::json& nat = j["counters"]["nat_gateways"][0];
    EXPECT_EQ(nat["nat_gateway"], "nat/nat-a");
    EXPECT_EQ(nat["ConnectionAttemptCount"], 1);
    EXPECT_EQ(nat["ActiveConnectionCount"], 1);
    EXPECT_EQ(nat["ErrorPortAllocation"], 0);
    EXPECT_EQ(nat["BytesOutToDestination"], 80);
    EXPECT_EQ(j["counters"]["enis"][1]["eni"], "eni/app/eth0");
    EXPECT_EQ(j["counters"]["enis"][1]["conntrack_allowance_available"], 65535);
}

}  // namespace
