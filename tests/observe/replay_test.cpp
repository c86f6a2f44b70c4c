// Replay: captures written with libtins (and libpcap, for what libtins cannot write: truncated
// packets) from two-tier-nat's app instance, replayed through the simulation; each verdict,
// its reason, the virtual times and what arrived on the far side.
// tests/cli/replay_test.cpp checks the command and decodes its captures with tshark.
#include "vpcstack/observe/replay.hpp"

#include <gtest/gtest.h>
#include <pcap/pcap.h>
#include <sys/time.h>

#include <tins/tins.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

#include "vpcstack/model/loader.hpp"
#include "vpcstack/net/tcp.hpp"
#include "vpcstack/observe/capture.hpp"
#include "vpcstack/sim/packet.hpp"

namespace {

using namespace vpcstack;
using observe::PacketRole;
using observe::ReplayVerdict;

constexpr std::uint64_t kCaptureStart = 1'700'000'000ULL * 1'000'000'000ULL;  // a real clock
constexpr std::uint64_t kMs = 1'000'000;

model::Topology load_file(const std::string& name) {
    model::LoadResult r =
        model::load_topology_file(std::string(VPCSTACK_SOURCE_DIR) + "/topologies/" + name);
    if (!r.ok()) throw std::runtime_error("cannot load " + name);
    return std::move(*r.topology);
}

std::string mac_of(const model::Topology& t, const std::string& instance) {
    for (const model::Instance& i : t.instances) {
        if (i.meta.name == instance) return t.enis[i.enis.front()].mac.to_string();
    }
    throw std::runtime_error("no instance " + instance);
}

timeval at(std::uint64_t ns) {
    return {static_cast<time_t>(ns / 1'000'000'000ULL),
            static_cast<suseconds_t>((ns % 1'000'000'000ULL) / 1000)};
}

// PacketWriter stamps a packet with the time it carries.
void put(Tins::PacketWriter& writer, const Tins::PDU& pdu, std::uint64_t ns) {
    Tins::Packet packet(pdu, Tins::Timestamp(at(ns)));
    writer.write(packet);
}

std::string temp(const std::string& name) {
    return testing::TempDir() + name;
}

Tins::EthernetII tcp(const std::string& src_mac, const std::string& dst_mac, const std::string& src,
                     std::uint16_t sport, const std::string& dst, std::uint16_t dport,
                     std::uint16_t flags) {
    Tins::TCP segment(dport, sport);
    segment.flags(flags);
    segment.seq(1000);
    return Tins::EthernetII(dst_mac, src_mac) / Tins::IP(dst, src) / segment;
}

// What tcpdump would have written on app's ENI: a TLS connection opened to the internet
// client (its SYN-ACK coming back 20 ms later), a DNS-looking datagram to web that web's
// security group does not allow, and 1.75 s later a packet with a source that is not app's.
std::string write_app_capture(const model::Topology& t) {
    const std::string file = temp("replay-app.pcap");
    const std::string app = mac_of(t, "app");
    const std::string gateway = "06:00:00:00:00:01";  // the real VPC's router, not vpcstack's
    Tins::PacketWriter writer(file, Tins::DataLinkType<Tins::EthernetII>());
    auto syn = tcp(app, gateway, "10.0.2.10", 40000, "198.51.100.7", 443, Tins::TCP::SYN);
    put(writer, syn, kCaptureStart);
    auto syn_ack =
        tcp(gateway, app, "198.51.100.7", 443, "10.0.2.10", 40000, Tins::TCP::SYN | Tins::TCP::ACK);
    put(writer, syn_ack, kCaptureStart + 20 * kMs);
    auto ack = tcp(app, gateway, "10.0.2.10", 40000, "198.51.100.7", 443, Tins::TCP::ACK);
    put(writer, ack, kCaptureStart + 21 * kMs);
    auto udp = Tins::EthernetII(gateway, app) / Tins::IP("10.0.1.10", "10.0.2.10") /
               Tins::UDP(53, 5353) / Tins::RawPDU("query");
    put(writer, udp, kCaptureStart + 500 * kMs);
    auto spoofed = tcp(app, gateway, "10.0.2.99", 41000, "198.51.100.7", 443, Tins::TCP::SYN);
    put(writer, spoofed, kCaptureStart + 2250 * kMs);
    return file;
}

TEST(Replay, EveryPacketOfTheEniGetsTheNetworksVerdictAtItsCaptureOffset) {
    const model::Topology t = load_file("two-tier-nat.yaml");
    const observe::CaptureFile capture = observe::read_capture(write_app_capture(t));
    ASSERT_EQ(capture.link_type, observe::CaptureLinkType::Ethernet);
    ASSERT_EQ(capture.packets.size(), 5u);

    observe::ReplayResult result = observe::run_replay(t, capture, {.at = "app"});
    ASSERT_TRUE(result.report) << result.error;
    const observe::ReplayReport& r = *result.report;
    ASSERT_EQ(r.packets.size(), 5u);
    EXPECT_EQ(r.eni, "eni/app/eth0");

    // The SYN leaves through the NAT gateway and reaches the client.
    const observe::ReplayPacket& syn = r.packets[0];
    EXPECT_EQ(syn.role, PacketRole::Sent);
    EXPECT_EQ(syn.verdict, ReplayVerdict::Delivered);
    EXPECT_EQ(syn.delivered_to, "internet 198.51.100.7 (client)");
    // The client's SYN-ACK is the other side's: not replayed, but the simulation sent one too.
    EXPECT_EQ(r.packets[1].role, PacketRole::Received);
    EXPECT_EQ(r.packets[1].verdict, ReplayVerdict::NotReplayed);
    EXPECT_EQ(r.packets[1].reproduced, true);
    EXPECT_EQ(r.packets[2].verdict, ReplayVerdict::Delivered) << r.packets[2].dropped_at;

    // Web's security group lets in no UDP.
    const observe::ReplayPacket& udp = r.packets[3];
    EXPECT_EQ(udp.verdict, ReplayVerdict::Dropped);
    EXPECT_EQ(udp.drop, engine::DropReason::SecurityGroupNoMatch);
    EXPECT_EQ(udp.dropped_at, "sg/web-sg");

    // A source app does not own dies at its own ENI.
    const observe::ReplayPacket& spoofed = r.packets[4];
    EXPECT_EQ(spoofed.verdict, ReplayVerdict::Dropped);
    EXPECT_EQ(spoofed.drop, engine::DropReason::SourceDestCheck);
    EXPECT_EQ(spoofed.dropped_at, "eni/app/eth0");

    // Each packet entered the engine at the capture's offset on the virtual clock.
    for (std::size_t i : {0u, 2u, 3u, 4u}) {
        ASSERT_TRUE(r.packets[i].trace) << i;
        EXPECT_EQ(r.packets[i].trace->time, observe::kReplayStart + r.packets[i].offset) << i;
    }
    EXPECT_EQ(r.packets[4].offset, 2250 * kMs);
    EXPECT_EQ(r.epoch_ns, kCaptureStart - observe::kReplayStart);

    EXPECT_EQ(r.summary.replayed, 4u);
    EXPECT_EQ(r.summary.delivered, 2u);
    EXPECT_EQ(r.summary.dropped, 2u);
    EXPECT_EQ(r.summary.drops.at("SecurityGroupNoMatch"), 1u);
    EXPECT_EQ(r.summary.drops.at("SourceDestCheck"), 1u);
    EXPECT_FALSE(r.all_passed());

    // One path per dropped flow, hop by hop, ending where it died.
    ASSERT_EQ(r.dropped_flows.size(), 2u);
    const observe::DroppedFlow& flow = r.dropped_flows[0];
    EXPECT_EQ(flow.first_packet, 4u);
    ASSERT_TRUE(flow.path.dropped_at);
    EXPECT_EQ(*flow.path.dropped_at, flow.path.steps.size() - 1);
    EXPECT_EQ(flow.path.steps.front().engine->kind, engine::ComponentKind::Eni);
    EXPECT_EQ(flow.path.drop, engine::DropReason::SecurityGroupNoMatch);

    const std::string text = observe::render_replay_text(r, false);
    EXPECT_NE(text.find("dropped at sg/web-sg"), std::string::npos) << text;
    EXPECT_NE(text.find("[SourceDestCheck]"), std::string::npos) << text;
    EXPECT_NE(text.find("dropped flow 2 of 2"), std::string::npos) << text;
}

TEST(Replay, TheFarSideCaptureHoldsTheTranslatedSynAtTheOriginalCapturesTime) {
    const model::Topology t = load_file("two-tier-nat.yaml");
    const observe::CaptureFile capture = observe::read_capture(write_app_capture(t));
    const std::filesystem::path dir = temp("replay-far-side");
    std::filesystem::remove_all(dir);
    std::filesystem::create_directories(dir);
    {
        observe::CaptureOptions options;
        options.epoch_ns = observe::replay_epoch_ns(capture);
        observe::CaptureRecorder recorder(t, options, [&](const std::string& point) {
            auto file = std::make_shared<std::ofstream>(dir / observe::capture_file_name(point),
                                                        std::ios::binary);
            return [file](std::span<const std::uint8_t> bytes) {
                file->write(reinterpret_cast<const char*>(bytes.data()),
                            static_cast<std::streamsize>(bytes.size()));
                return file->good();
            };
        });
        observe::ReplayResult result =
            observe::run_replay(t, capture, {.at = "eni/app/eth0", .capture = &recorder});
        ASSERT_TRUE(result.report) << result.error;
        EXPECT_TRUE(recorder.ok());
    }
    // The far side, read back: the SYN as it left the internet gateway, translated by the NAT
    // gateway, at the time tcpdump saw it leave app (plus the network's few microseconds).
    const observe::CaptureFile outside =
        observe::read_capture((dir / "igw_prod-igw_outside.pcapng").string());
    ASSERT_FALSE(outside.packets.empty());
    const auto& syn = outside.packets.front();
    std::optional<sim::DecodedFrame> d = sim::decode_frame(syn.frame);
    ASSERT_TRUE(d && d->ipv4);
    EXPECT_EQ(d->src.to_string(), "203.0.113.20");
    EXPECT_EQ(d->dst.to_string(), "198.51.100.7");
    EXPECT_EQ(d->tcp_flags, net::tcp::kSyn);
    EXPECT_GE(syn.time_ns, kCaptureStart);
    EXPECT_LT(syn.time_ns, kCaptureStart + kMs);
    // Nothing of the spoofed packet got past app's ENI, and the capture alone played app: its
    // simulated host sent no RST for a SYN-ACK it never asked for.
    for (const auto& p : outside.packets) {
        std::optional<sim::DecodedFrame> f = sim::decode_frame(p.frame);
        ASSERT_TRUE(f);
        EXPECT_NE(f->src_port, 41000) << f->summary();
        EXPECT_EQ(f->tcp_flags & net::tcp::kRst, 0) << f->summary();
    }
    std::filesystem::remove_all(dir);
}

// tcpdump -i any: Linux cooked headers, the instance's packets marked outgoing, with a MAC of
// the real instance's (not the topology's).
TEST(Replay, ALinuxCookedCaptureReplaysTheOutgoingPackets) {
    const model::Topology t = load_file("two-tier-nat.yaml");
    const std::string file = temp("replay-sll.pcap");
    {
        Tins::PacketWriter writer(file, Tins::DataLinkType<Tins::SLL>());
        // The address is the sender's: the instance's own MAC on what it sends.
        auto cooked = [](std::uint16_t packet_type, const Tins::PDU& ip) {
            Tins::SLL sll;
            sll.packet_type(packet_type);
            sll.lladdr_type(1);  // ARPHRD_ETHER
            sll.lladdr_len(6);
            sll.address(packet_type == 4 ? "0a:1b:2c:3d:4e:5f" : "06:00:00:00:00:01");
            sll.protocol(0x0800);
            sll.inner_pdu(ip.clone());
            return sll;
        };
        Tins::TCP syn(443, 40000);
        syn.flags(Tins::TCP::SYN);
        auto out = cooked(4, Tins::IP("198.51.100.7", "10.0.2.10") / syn);  // PACKET_OUTGOING
        put(writer, out, kCaptureStart);
        Tins::TCP syn_ack(40000, 443);
        syn_ack.flags(Tins::TCP::SYN | Tins::TCP::ACK);
        auto in = cooked(0, Tins::IP("10.0.2.10", "198.51.100.7") / syn_ack);  // PACKET_HOST
        put(writer, in, kCaptureStart + 15 * kMs);
        auto ping = cooked(4, Tins::IP("10.0.1.10", "10.0.2.10") / Tins::ICMP());
        put(writer, ping, kCaptureStart + 100 * kMs);
    }
    const observe::CaptureFile capture = observe::read_capture(file);
    EXPECT_EQ(capture.link_type, observe::CaptureLinkType::LinuxCooked);
    observe::ReplayResult result = observe::run_replay(t, capture, {.at = "app"});
    ASSERT_TRUE(result.report) << result.error;
    const observe::ReplayReport& r = *result.report;
    ASSERT_EQ(r.packets.size(), 3u);
    EXPECT_EQ(r.capture_mac->to_string(), "0a:1b:2c:3d:4e:5f");
    EXPECT_EQ(r.packets[0].verdict, ReplayVerdict::Delivered);
    EXPECT_EQ(r.packets[1].role, PacketRole::Received);
    EXPECT_EQ(r.packets[1].reproduced, true);
    // Web answers ping from the VPC: its group allows icmp from 10.0.0.0/16.
    EXPECT_EQ(r.packets[2].verdict, ReplayVerdict::Delivered);
    EXPECT_EQ(r.packets[2].delivered_to, "eni/web/eth0 (web)");
    EXPECT_TRUE(r.all_passed());
    std::filesystem::remove(file);
}

// A packet captured shorter than it was (tcpdump -s 64) is replayed as captured and said to be
// truncated; the engine sees a malformed frame.
TEST(Replay, ATruncatedPacketIsReplayedAsCapturedAndReportedAsTruncated) {
    const model::Topology t = load_file("two-tier-nat.yaml");
    const std::string file = temp("replay-truncated.pcap");
    {
        pcap_t* dead = pcap_open_dead(DLT_EN10MB, 65535);
        pcap_dumper_t* dumper = pcap_dump_open(dead, file.c_str());
        ASSERT_NE(dumper, nullptr) << pcap_geterr(dead);
        auto frame = Tins::EthernetII("06:00:00:00:00:01", mac_of(t, "app")) /
                     Tins::IP("198.51.100.7", "10.0.2.10") / Tins::TCP(443, 40001) /
                     Tins::RawPDU(std::string(1000, 'x'));
        Tins::PDU::serialization_type bytes = frame.serialize();
        pcap_pkthdr h{};
        h.ts = at(kCaptureStart);
        h.len = static_cast<bpf_u_int32>(bytes.size());
        h.caplen = 64;
        pcap_dump(reinterpret_cast<u_char*>(dumper), &h, bytes.data());
        pcap_dump_close(dumper);
        pcap_close(dead);
    }
    const observe::CaptureFile capture = observe::read_capture(file);
    ASSERT_EQ(capture.packets.size(), 1u);
    EXPECT_TRUE(capture.packets[0].truncated);
    observe::ReplayResult result = observe::run_replay(t, capture, {.at = "app"});
    ASSERT_TRUE(result.report) << result.error;
    const observe::ReplayPacket& p = result.report->packets[0];
    EXPECT_TRUE(p.truncated);
    EXPECT_EQ(p.captured_length, 64u);
    EXPECT_EQ(p.wire_length, 14u + 20u + 20u + 1000u);
    EXPECT_EQ(p.verdict, ReplayVerdict::Dropped);
    EXPECT_EQ(p.drop, engine::DropReason::Malformed);
    EXPECT_EQ(result.report->summary.truncated, 1u);
    std::filesystem::remove(file);
}

// Writes frames (link header included) with libpcap, for link types and lengths libtins does
// not write.
void dump(const std::string& file, int link_type,
          const std::vector<std::pair<std::uint64_t, std::vector<std::uint8_t>>>& packets) {
    pcap_t* dead = pcap_open_dead(link_type, 65535);
    pcap_dumper_t* dumper = pcap_dump_open(dead, file.c_str());
    ASSERT_NE(dumper, nullptr) << pcap_geterr(dead);
    for (const auto& [ns, bytes] : packets) {
        pcap_pkthdr h{};
        h.ts = at(ns);
        h.len = h.caplen = static_cast<bpf_u_int32>(bytes.size());
        pcap_dump(reinterpret_cast<u_char*>(dumper), &h, bytes.data());
    }
    pcap_dump_close(dumper);
    pcap_close(dead);
}

// tcpdump on a tunnel or with -y RAW: bare IPv4 packets; the ENI's are those from its address.
TEST(Replay, ARawIpCaptureIsFramedByTheSourceAddress) {
    const model::Topology t = load_file("two-tier-nat.yaml");
    const std::string file = temp("replay-raw.pcap");
    Tins::IP ping = Tins::IP("10.0.1.10", "10.0.2.10") / Tins::ICMP();
    Tins::IP reply = Tins::IP("10.0.2.10", "10.0.1.10") / Tins::ICMP(Tins::ICMP::ECHO_REPLY);
    dump(file, DLT_RAW,
         {{kCaptureStart, ping.serialize()}, {kCaptureStart + kMs, reply.serialize()}});
    const observe::CaptureFile capture = observe::read_capture(file);
    EXPECT_EQ(capture.link_type, observe::CaptureLinkType::RawIp);
    observe::ReplayResult result = observe::run_replay(t, capture, {.at = "app"});
    ASSERT_TRUE(result.report) << result.error;
    const observe::ReplayReport& r = *result.report;
    EXPECT_EQ(r.packets[0].role, PacketRole::Sent);
    EXPECT_EQ(r.packets[0].delivered_to, "eni/web/eth0 (web)");
    EXPECT_EQ(r.packets[1].role, PacketRole::Received);
    EXPECT_EQ(r.packets[1].reproduced, true);  // web answered the ping
    std::filesystem::remove(file);
}

// An ARP request of the real instance (its own MAC in the frame and in the ARP body) is the
// ENI's, reframed with the topology's MAC, and answered by the VPC router.
TEST(Replay, AnArpRequestIsAnsweredByTheNetwork) {
    const model::Topology t = load_file("two-tier-nat.yaml");
    const std::string file = temp("replay-arp.pcap");
    {
        Tins::PacketWriter writer(file, Tins::DataLinkType<Tins::EthernetII>());
        Tins::EthernetII request =
            Tins::ARP::make_arp_request("10.0.2.1", "10.0.2.10", "0a:1b:2c:3d:4e:5f");
        put(writer, request, kCaptureStart);
    }
    observe::ReplayResult result =
        observe::run_replay(t, observe::read_capture(file), {.at = "app"});
    ASSERT_TRUE(result.report) << result.error;
    const observe::ReplayPacket& p = result.report->packets[0];
    EXPECT_EQ(p.role, PacketRole::Sent);
    EXPECT_EQ(p.verdict, ReplayVerdict::Answered);
    EXPECT_EQ(p.answered_by, "vpc-router/prod");
    EXPECT_EQ(result.report->summary.answered, 1u);
    EXPECT_EQ(result.report->delivered_to_eni, 1u);  // the ARP reply
    EXPECT_TRUE(result.report->all_passed());
    std::filesystem::remove(file);
}

TEST(Replay, WhatIsNotACaptureOrNotTheEnisIsAnInputError) {
    const model::Topology t = load_file("two-tier-nat.yaml");
    const std::string text = temp("replay-not-a-capture.pcap");
    std::ofstream(text) << "region: us-east-1\n";
    try {
        observe::read_capture(text);
        ADD_FAILURE() << "a YAML file read as a capture";
    } catch (const observe::CaptureInputError& e) {
        EXPECT_NE(std::string(e.what()).find(text + ": cannot be read as a capture"),
                  std::string::npos)
            << e.what();
        EXPECT_NE(std::string(e.what()).find("expected a pcap or pcapng file"), std::string::npos);
    }
    std::filesystem::remove(text);

    const observe::CaptureFile capture = observe::read_capture(write_app_capture(t));
    observe::ReplayResult unknown = observe::run_replay(t, capture, {.at = "nobody"});
    EXPECT_FALSE(unknown.report);
    EXPECT_EQ(unknown.error.rfind("--at: ", 0), 0u) << unknown.error;
    observe::ReplayResult internet = observe::run_replay(t, capture, {.at = "client"});
    EXPECT_FALSE(internet.report);
    EXPECT_NE(internet.error.find("expected an instance or a network interface"), std::string::npos)
        << internet.error;
    // Web sent none of app's packets.
    observe::ReplayResult web = observe::run_replay(t, capture, {.at = "web"});
    EXPECT_FALSE(web.report);
    EXPECT_NE(web.error.find("none of its 5 packets was sent by"), std::string::npos) << web.error;
}

}  // namespace
