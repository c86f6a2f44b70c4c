// Flow logs against the cloud's own examples (AWS: flow-logs-records-examples), each recreated
// by a topology with the example's addresses, ports and ids, and the clock set so that the
// records' times are the example's where the cloud's example is physically possible.
#include "vpcstack/observe/flow_log.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "vpcstack/model/loader.hpp"
#include "vpcstack/sim/simulation.hpp"

namespace {

using namespace vpcstack;
using observe::FlowLogCollector;
using observe::FlowLogOptions;
using observe::FlowLogRecord;
using sim::kSecond;

model::Topology load(const std::string& yaml) {
    model::LoadResult r = model::load_topology_text(yaml, "flow-log-test.yaml");
    if (!r.ok()) {
        std::string all;
        for (const auto& d : r.diagnostics.sorted()) all += d.to_string() + "\n";
        throw std::runtime_error(all);
    }
    return std::move(*r.topology);
}

// Virtual time of a Unix second, given the epoch a test picked.
constexpr engine::TimeNs at_unix(std::int64_t unix_s, std::int64_t epoch_s) {
    return static_cast<engine::TimeNs>(unix_s - epoch_s) * kSecond;
}

// The records of a whole run, formatted, with the interface's id first for selection.
std::vector<std::string> run_records(sim::Simulation& s, FlowLogOptions options) {
    FlowLogCollector c(s.topology(), std::move(options));
    for (const engine::PacketTrace& t : s.traces()) c.observe(t);
    std::vector<std::string> out;
    for (const FlowLogRecord& r : c.take_all(s.now())) out.push_back(c.format(r));
    return out;
}

bool contains(const std::vector<std::string>& lines, const std::string& line) {
    return std::find(lines.begin(), lines.end(), line) != lines.end();
}

std::string joined(const std::vector<std::string>& lines) {
    std::string all;
    for (const std::string& l : lines) all += l + "\n";
    return all;
}

// Replaces the fields at the given 0-based positions (the times) by "T".
std::string without_fields(const std::string& line, std::initializer_list<int> positions) {
    std::istringstream in(line);
    std::string word, out;
    int i = 0;
    while (in >> word) {
        bool drop = std::find(positions.begin(), positions.end(), i) != positions.end();
        if (!out.empty()) out += ' ';
        out += drop ? "T" : word;
        ++i;
    }
    return out;
}

const char* kSameSubnet = R"(
region: us-east-1
vpcs:
  - name: default
    account: "123456789010"
    cidr: 172.31.0.0/16
    subnets:
      - name: a
        cidr: 172.31.0.0/20
        az: us-east-1a
      - name: b
        cidr: 172.31.16.0/20
        az: us-east-1b
    security_groups:
      - name: ssh
        ingress:
          - tcp/22 from 172.31.0.0/16
      - name: rdp-closed
        ingress:
          - tcp/22 from 172.31.0.0/16
    instances:
      - name: admin
        subnet: b
        private_ip: 172.31.16.139
        security_groups: [ssh]
      - name: server
        enis:
          - id: eni-1235b8ca123456789
            subnet: b
            private_ip: 172.31.16.21
            security_groups: [ssh]
      - name: desktop
        subnet: a
        private_ip: 172.31.9.69
        security_groups: [ssh]
      - name: windows
        enis:
          - id: eni-1235b8ca123456789
            subnet: a
            private_ip: 172.31.9.12
            security_groups: [rdp-closed]
)";

// The example's two records use one interface id for two interfaces; the two flows are run
// in two topologies that each keep one of them.
std::string only(const std::string& yaml, const std::string& drop_a, const std::string& drop_b) {
    std::string out = yaml;
    for (const std::string& name : {drop_a, drop_b}) {
        std::size_t at = out.find("      - name: " + name + "\n");
        std::size_t next = out.find("      - name: ", at + 1);
        out.erase(at, next == std::string::npos ? std::string::npos : next - at);
    }
    return out;
}

TEST(FlowLogExamples, AcceptedSshTrafficIsTheCloudsRecordByteForByte) {
    // "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 20641 22 6 20 4249
    //  1418530010 1418530070 ACCEPT OK": 20 packets, 4249 bytes from the client in 60 s.
    const std::int64_t epoch = 1418530000;
    sim::Simulation s(load(only(kSameSubnet, "desktop", "windows")));
    sim::FlowId flow = 0;
    s.at(at_unix(1418530010, epoch), [&] { flow = s.connect("admin", "server", 22, 20641); });
    // The handshake's SYN and ACK (40 bytes each) and 18 data segments: 80 + 18 * 40 + 3449.
    for (int i = 0; i < 18; ++i) {
        std::int64_t when = i == 17 ? 1418530070 : 1418530011 + i * 3;
        s.at(at_unix(when, epoch), [&, i] { s.send_tcp_data(flow, i == 17 ? 219 : 190); });
    }
    s.run_until(at_unix(1418530080, epoch));
    FlowLogOptions o;
    o.interval_seconds = 600;  // the example predates one-minute windows
    o.epoch_ns = epoch * 1'000'000'000;
    std::vector<std::string> lines = run_records(s, o);
    EXPECT_TRUE(contains(lines,
                         "2 123456789010 eni-1235b8ca123456789 172.31.16.139 172.31.16.21 "
                         "20641 22 6 20 4249 1418530010 1418530070 ACCEPT OK"))
        << joined(lines);
}

TEST(FlowLogExamples, RejectedRdpTrafficIsTheCloudsRecordByteForByte) {
    // "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 49761 3389 6 20 4249
    //  1418530010 1418530070 REJECT OK": the security group does not open tcp/3389.
    const std::int64_t epoch = 1418530000;
    sim::Simulation s(load(only(kSameSubnet, "admin", "server")));
    for (int i = 0; i < 20; ++i) {
        std::int64_t when = i == 19 ? 1418530070 : 1418530010 + i * 3;
        sim::PacketSpec spec;
        spec.tuple = {net::Ipv4Address(172, 31, 9, 69), net::Ipv4Address(172, 31, 9, 12), 49761,
                      3389, net::Protocol::kTcp};
        spec.payload_size = i == 19 ? 219 : 170;  // 20 * 40 + 19 * 170 + 219 = 4249
        s.at(at_unix(when, epoch), [&s, spec] { s.send_packet("desktop", spec); });
    }
    s.run_until(at_unix(1418530080, epoch));
    FlowLogOptions o;
    o.interval_seconds = 600;
    o.epoch_ns = epoch * 1'000'000'000;
    std::vector<std::string> lines = run_records(s, o);
    EXPECT_TRUE(contains(lines,
                         "2 123456789010 eni-1235b8ca123456789 172.31.9.69 172.31.9.12 "
                         "49761 3389 6 20 4249 1418530010 1418530070 REJECT OK"))
        << joined(lines);
}

const char* kPingAcl = R"(
region: us-east-1
vpcs:
  - name: default
    account: "123456789010"
    cidr: 172.31.0.0/16
    internet_gateway: igw
    subnets:
      - name: public
        cidr: 172.31.16.0/20
        az: us-east-1a
        route_table: public-rt
        network_acl: no-icmp-out
    route_tables:
      - name: public-rt
        routes:
          - 0.0.0.0/0 -> igw
    network_acls:
      - name: no-icmp-out
        inbound:
          - 100 allow icmp from 0.0.0.0/0
        outbound:
          - 100 allow tcp/1024-65535 to 0.0.0.0/0
    security_groups:
      - name: ping-in
        ingress:
          - icmp from 0.0.0.0/0
        egress: []
    instances:
      - name: web
        enis:
          - id: eni-1235b8ca123456789
            subnet: public
            private_ip: 172.31.16.139
            public_ip: 198.51.100.139
            security_groups: [ping-in]
internet_hosts:
  - name: home
    address: 203.0.113.12
)";

TEST(FlowLogExamples, APingWhoseReplyTheAclDropsIsAnAcceptAndARejectRecord) {
    // The security group lets the ping in and its reply out (stateful); the ACL lets the ping
    // in and drops the reply (stateless): "... 203.0.113.12 172.31.16.139 0 0 1 4 336
    // 1432917027 1432917142 ACCEPT OK" and "... 172.31.16.139 203.0.113.12 0 0 1 4 336
    // 1432917094 1432917142 REJECT OK".
    const std::int64_t epoch = 1432917000;
    sim::Simulation s(load(kPingAcl));
    for (std::int64_t when : {1432917027, 1432917065, 1432917103, 1432917142}) {
        s.at(at_unix(when, epoch), [&] { s.ping("home", "web"); });
    }
    s.run_until(at_unix(1432917150, epoch));
    FlowLogOptions o;
    o.interval_seconds = 600;
    o.epoch_ns = epoch * 1'000'000'000;
    std::vector<std::string> lines = run_records(s, o);
    EXPECT_TRUE(contains(lines,
                         "2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 "
                         "0 0 1 4 336 1432917027 1432917142 ACCEPT OK"))
        << joined(lines);
    // The cloud's example starts the reply's record 67 s after its request's, which no reply
    // does (the cloud's start is when its capture saw it, up to a minute late): the start is
    // the one field compared loosely; here it is the first reply's second.
    bool found = false;
    for (const std::string& l : lines) {
        if (without_fields(l, {10}) ==
            "2 123456789010 eni-1235b8ca123456789 172.31.16.139 203.0.113.12 0 0 1 4 336 T "
            "1432917142 REJECT OK") {
            found = true;
            EXPECT_EQ(l.substr(l.find(" 336 ") + 5, 10), "1432917027");
        }
    }
    EXPECT_TRUE(found) << joined(lines);
    EXPECT_EQ(lines.size(), 2u) << "an ACCEPT and a REJECT record, nothing else:\n"
                                << joined(lines);
}

TEST(FlowLogExamples, ASecurityGroupThatDeniesThePingGivesOneRejectRecord) {
    // AWS: "If your security group denies inbound ICMP traffic, the flow log displays a single
    // REJECT record".
    std::string yaml = kPingAcl;
    yaml.replace(yaml.find("          - icmp from 0.0.0.0/0"),
                 std::string("          - icmp from 0.0.0.0/0").size(),
                 "          - tcp/22 from 0.0.0.0/0");
    sim::Simulation s(load(yaml));
    s.ping("home", "web");
    s.run_for(5 * kSecond);
    std::vector<std::string> lines = run_records(s, {});
    ASSERT_EQ(lines.size(), 1u) << joined(lines);
    EXPECT_EQ(without_fields(lines[0], {10, 11}),
              "2 123456789010 eni-1235b8ca123456789 203.0.113.12 172.31.16.139 0 0 1 1 84 T T "
              "REJECT OK");
}

const char* kNat = R"(
region: us-east-1
vpcs:
  - name: prod
    account: "123456789010"
    cidr: 10.0.0.0/16
    internet_gateway: igw
    subnets:
      - name: public
        cidr: 10.0.0.0/24
        az: us-east-1a
        route_table: public-rt
      - name: private
        cidr: 10.0.1.0/24
        az: us-east-1a
        route_table: private-rt
    route_tables:
      - name: public-rt
        routes:
          - 0.0.0.0/0 -> igw
      - name: private-rt
        routes:
          - 0.0.0.0/0 -> nat/nat-a
    security_groups:
      - name: app
        ingress: []
    nat_gateways:
      - name: nat-a
        subnet: public
        private_ip: 10.0.0.220
        elastic_ip: nat-eip
    instances:
      - name: app
        id: i-01234567890123456
        enis:
          - id: eni-1111aaaa2222bbbb3
            subnet: private
            private_ip: 10.0.1.5
            security_groups: [app]
elastic_ips:
  - name: nat-eip
    address: 198.51.100.220
internet_hosts:
  - name: server
    address: 203.0.113.5
    listen: [tcp/443]
)";

TEST(FlowLogExamples, TheNatGatewaysInterfaceHasTheFourRecordsOfTheCloudsExample) {
    // Format "instance-id interface-id srcaddr dstaddr pkt-srcaddr pkt-dstaddr"; the NAT
    // gateway's interface is eni-1235b8ca123456789, the instance's eni-1111aaaa2222bbbb3.
    sim::Simulation s(load(kNat));
    s.connect("app", "server", 443);
    s.run_for(5 * kSecond);
    FlowLogOptions o;
    std::string error;
    o.format = *observe::FlowLogFormat::parse(
        "${instance-id} ${interface-id} ${srcaddr} ${dstaddr} ${pkt-srcaddr} ${pkt-dstaddr}",
        error);
    o.interface_ids["nat/nat-a"] = "eni-1235b8ca123456789";
    std::vector<std::string> lines = run_records(s, o);
    std::vector<std::string> nat, instance;
    for (const std::string& l : lines) {
        if (l.find("eni-1235b8ca123456789") != std::string::npos) nat.push_back(l);
        if (l.find("eni-1111aaaa2222bbbb3") != std::string::npos) instance.push_back(l);
    }
    EXPECT_EQ(joined(nat),
              "- eni-1235b8ca123456789 10.0.1.5 10.0.0.220 10.0.1.5 203.0.113.5\n"
              "- eni-1235b8ca123456789 10.0.0.220 203.0.113.5 10.0.0.220 203.0.113.5\n"
              "- eni-1235b8ca123456789 203.0.113.5 10.0.0.220 203.0.113.5 10.0.0.220\n"
              "- eni-1235b8ca123456789 10.0.0.220 10.0.1.5 203.0.113.5 10.0.1.5\n");
    EXPECT_EQ(joined(instance),
              "i-01234567890123456 eni-1111aaaa2222bbbb3 10.0.1.5 203.0.113.5 10.0.1.5 "
              "203.0.113.5\n"
              "i-01234567890123456 eni-1111aaaa2222bbbb3 203.0.113.5 10.0.1.5 203.0.113.5 "
              "10.0.1.5\n");
}

TEST(FlowLogExamples, TheNatSubnetsAclDenyingTheRequestIsARejectOnTheNatGatewaysInterface) {
    // The request is accepted leaving the instance, and rejected entering the NAT gateway's
    // subnet: the REJECT is on the interface the ACL guards, the NAT gateway's.
    std::string yaml = kNat;
    yaml.replace(yaml.find("        route_table: public-rt\n"),
                 std::string("        route_table: public-rt\n").size(),
                 "        route_table: public-rt\n        network_acl: closed\n");
    yaml.replace(yaml.find("    security_groups:"), 0,
                 "    network_acls:\n      - name: closed\n        inbound: []\n"
                 "        outbound: []\n");
    sim::Simulation s(load(yaml));
    s.connect("app", "server", 443, 40000);
    s.run_for(2 * kSecond);
    FlowLogOptions o;
    o.interface_ids["nat/nat-a"] = "eni-nat";
    std::vector<std::string> lines = run_records(s, o);
    bool instance_accept = false, nat_reject = false;
    for (const std::string& l : lines) {
        if (l.find(" eni-1111aaaa2222bbbb3 10.0.1.5 203.0.113.5 40000 443 6 ") !=
                std::string::npos &&
            l.ends_with(" ACCEPT OK")) {
            instance_accept = true;
        }
        if (l.find(" eni-nat 10.0.1.5 10.0.0.220 40000 443 6 ") != std::string::npos &&
            l.ends_with(" REJECT OK")) {
            nat_reject = true;
        }
    }
    EXPECT_TRUE(instance_accept) << joined(lines);
    EXPECT_TRUE(nat_reject) << joined(lines);
}

TEST(FlowLogFormat, LaterFieldsTcpFlagsTrafficPathAndDirectionFollowTheCloud) {
    // The traffic-path example's format, on a connection to the internet through the NAT:
    // the instance's SYN and ACK ORed (2), the server's SYN-ACK (18); egress through another
    // resource of the VPC (1); the NAT gateway's egress through the internet gateway (8).
    sim::Simulation s(load(kNat));
    s.connect("app", "server", 443, 40000);
    s.run_for(5 * kSecond);
    FlowLogOptions o;
    std::string error;
    o.format = *observe::FlowLogFormat::parse(
        "${version} ${interface-id} ${srcport} ${dstport} ${tcp-flags} ${type} ${region} ${az-id} "
        "${flow-direction} ${traffic-path} ${sublocation-id} ${pkt-dst-aws-service}",
        error);
    o.interface_ids["nat/nat-a"] = "eni-nat";
    std::vector<std::string> lines = run_records(s, o);
    EXPECT_TRUE(contains(lines,
                         "5 eni-1111aaaa2222bbbb3 40000 443 2 IPv4 us-east-1 use1-az1 "
                         "egress 1 - -"))
        << joined(lines);
    EXPECT_TRUE(contains(lines,
                         "5 eni-1111aaaa2222bbbb3 443 40000 18 IPv4 us-east-1 use1-az1 "
                         "ingress - - -"))
        << joined(lines);
    bool nat_egress_via_igw = false;
    for (const std::string& l : lines) {
        if (l.starts_with("5 eni-nat ") &&
            l.find(" 443 2 IPv4 us-east-1 use1-az1 egress 8 - -") != std::string::npos) {
            nat_egress_via_igw = true;
        }
    }
    EXPECT_TRUE(nat_egress_via_igw) << joined(lines);
}

TEST(FlowLogFormat, ABadFieldIsNamedWithWhatWasExpected) {
    std::string error;
    EXPECT_FALSE(observe::FlowLogFormat::parse("${srcaddr} ${dst-addr}", error));
    EXPECT_NE(error.find("field 2 '${dst-addr}' is not a flow log field"), std::string::npos)
        << error;
    EXPECT_FALSE(observe::FlowLogFormat::parse("${srcaddr} dstaddr", error));
    EXPECT_NE(error.find("field 2 'dstaddr' is not of the form ${field}"), std::string::npos)
        << error;
    EXPECT_FALSE(observe::FlowLogFormat::parse("  ", error));
    EXPECT_NE(error.find("names no field"), std::string::npos) << error;
    EXPECT_EQ(observe::FlowLogFormat().header(),
              "version account-id interface-id srcaddr dstaddr srcport dstport protocol packets "
              "bytes start end action log-status");
}

TEST(FlowLogWindows, AnIdleInterfaceHasANodataRecordPerWindow) {
    // "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280876 1431280934 - NODATA":
    // the window's bounds are the times.
    const std::int64_t epoch = 1431280860;
    sim::Simulation s(load(only(kSameSubnet, "admin", "desktop")));
    s.run_until(at_unix(1431280910, epoch));
    FlowLogOptions o;
    o.epoch_ns = epoch * 1'000'000'000;
    FlowLogCollector c(s.topology(), o);
    std::vector<FlowLogRecord> records = c.take_all(s.now());
    ASSERT_EQ(records.size(), 2u);  // server and windows, one window
    EXPECT_EQ(c.format(records[0]),
              "2 123456789010 eni-1235b8ca123456789 - - - - - - - 1431280860 1431280919 - NODATA");
}

TEST(FlowLogWindows, PacketsOfTwoWindowsAreTwoRecordsAndOneWithTenMinuteWindows) {
    sim::Simulation s(load(kPingAcl));
    s.at(10 * kSecond, [&] { s.ping("home", "web"); });
    s.at(70 * kSecond, [&] { s.ping("home", "web"); });
    s.run_until(80 * kSecond);
    std::size_t accepted = 0;
    for (const std::string& l : run_records(s, {})) {
        if (l.find(" ACCEPT OK") != std::string::npos) {
            ++accepted;
            EXPECT_NE(l.find(" 1 1 84 "), std::string::npos) << l;  // one ping each
        }
    }
    EXPECT_EQ(accepted, 2u);
    FlowLogOptions ten;
    ten.interval_seconds = 600;
    std::vector<std::string> lines = run_records(s, ten);
    ASSERT_EQ(lines.size(), 2u) << joined(lines);
    EXPECT_NE(lines[0].find(" 1 2 168 10 70 ACCEPT OK"), std::string::npos) << lines[0];
}

TEST(FlowLogWindows, RecordsOfAClosedWindowAreTakenWhenTheNextOneStarts) {
    sim::Simulation s(load(kPingAcl));
    FlowLogCollector c(s.topology(), {});
    s.ping("home", "web");
    s.run_for(5 * kSecond);
    for (const engine::PacketTrace& t : s.traces()) c.observe(t);
    EXPECT_TRUE(c.take_closed(s.now()).empty()) << "the window is still open";
    EXPECT_EQ(c.take_closed(61 * kSecond).size(), 2u);
    std::vector<FlowLogRecord> next = c.take_all(62 * kSecond);
    ASSERT_EQ(next.size(), 1u);
    EXPECT_TRUE(next[0].nodata);
}

TEST(FlowLogNeverLogged, ServiceTrafficIsNotLogged) {
    // AWS: flow-logs limitations — DNS to the resolver, metadata, time sync, DHCP and the
    // router's reserved address are never logged.
    sim::Simulation s(load(only(kSameSubnet, "desktop", "windows")));
    auto udp = [&](net::Ipv4Address to, std::uint16_t port) {
        sim::PacketSpec spec;
        spec.tuple = {net::Ipv4Address(172, 31, 16, 139), to, 40000, port, net::Protocol::kUdp};
        spec.payload_size = 20;
        s.send_packet("admin", spec);
    };
    udp(net::Ipv4Address(172, 31, 0, 2), 53);         // the VPC's resolver
    udp(net::Ipv4Address(169, 254, 169, 253), 53);    // the resolver's link-local address
    udp(net::Ipv4Address(169, 254, 169, 254), 80);    // metadata
    udp(net::Ipv4Address(169, 254, 169, 123), 123);   // time sync
    udp(net::Ipv4Address(255, 255, 255, 255), 67);    // DHCP
    udp(net::Ipv4Address(172, 31, 16, 1), 9);         // the subnet's router
    udp(net::Ipv4Address(169, 254, 169, 250), 1688);  // Windows activation
    s.run_for(2 * kSecond);
    FlowLogCollector c(s.topology(), {});
    for (const engine::PacketTrace& t : s.traces()) c.observe(t);
    std::vector<FlowLogRecord> records = c.take_all(s.now());
    for (const FlowLogRecord& r : records) EXPECT_TRUE(r.nodata) << c.format(r);
    EXPECT_EQ(c.packets_not_logged(), 7u);
}

TEST(FlowLogFiles, TheCloudsS3LayoutPlainAndGzipReadableByZcat) {
    const std::int64_t epoch = 1529511600;  // 2018-06-20 16:20:00 UTC, the cloud's example
    sim::Simulation s(load(kPingAcl));
    s.at(at_unix(1529511605, epoch), [&] { s.ping("home", "web"); });
    s.run_until(at_unix(1529511620, epoch));
    FlowLogOptions o;
    o.epoch_ns = epoch * 1'000'000'000;
    o.flow_log_id = "fl-1234abcd";
    FlowLogCollector c(s.topology(), o);
    for (const engine::PacketTrace& t : s.traces()) c.observe(t);
    std::vector<FlowLogRecord> records = c.take_all(s.now());
    std::string dir = testing::TempDir() + "flowlog-files";
    std::filesystem::remove_all(dir);
    std::vector<std::string> plain = observe::write_flow_log_files(dir, c, records, false);
    std::vector<std::string> gz = observe::write_flow_log_files(dir + "-gz", c, records, true);
    ASSERT_EQ(plain.size(), 1u);
    ASSERT_EQ(gz.size(), 1u);
    std::regex layout(
        ".*/AWSLogs/123456789010/vpcflowlogs/us-east-1/2018/06/20/"
        "123456789010_vpcflowlogs_us-east-1_fl-1234abcd_20180620T1620Z_[0-9a-f]{8}\\.log");
    EXPECT_TRUE(std::regex_match(plain[0], layout)) << plain[0];
    EXPECT_TRUE(std::regex_match(gz[0].substr(0, gz[0].size() - 3), layout)) << gz[0];
    std::ifstream in(plain[0]);
    std::stringstream text;
    text << in.rdbuf();
    std::string expected = observe::FlowLogFormat().header() + "\n";
    for (const FlowLogRecord& r : records) expected += c.format(r) + "\n";
    EXPECT_EQ(text.str(), expected);
    FILE* p = popen(("zcat '" + gz[0] + "'").c_str(), "r");
    ASSERT_NE(p, nullptr);
    std::string unzipped;
    char buf[4096];
    while (std::size_t n = fread(buf, 1, sizeof buf, p)) unzipped.append(buf, n);
    EXPECT_EQ(pclose(p), 0);
    EXPECT_EQ(unzipped, expected);
    std::filesystem::remove_all(dir);
    std::filesystem::remove_all(dir + "-gz");
}

}  // namespace
