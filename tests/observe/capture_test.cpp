// Captures: the pcapng blocks as the specification lays them out (read back here block by
// block), and the recorder on the engine's capture points: one packet id at every hop, the
// packet as it is at each point (translated outside a gateway), drops with their reason.
// tests/cli/trace_capture_test.cpp checks that tshark decodes the same.
#include "vpcstack/observe/capture.hpp"

#include <gtest/gtest.h>

#include <cstring>
#include <map>
#include <stdexcept>

#include "vpcstack/model/loader.hpp"
#include "vpcstack/net/ipv4.hpp"
#include "vpcstack/sim/trace_report.hpp"

namespace {

using namespace vpcstack;

model::Topology load_file(const std::string& name) {
    model::LoadResult r =
        model::load_topology_file(std::string(VPCSTACK_SOURCE_DIR) + "/topologies/" + name);
    if (!r.ok()) throw std::runtime_error("cannot load " + name);
    return std::move(*r.topology);
}

std::uint32_t u32(const std::vector<std::uint8_t>& b, std::size_t at) {
    std::uint32_t v;
    std::memcpy(&v, b.data() + at, 4);
    return v;
}

struct Packet {
    std::uint32_t interface = 0;
    std::uint64_t time = 0;
    std::vector<std::uint8_t> data;
    std::optional<std::uint64_t> id;
    std::uint32_t flags = 0;
    std::string comment;
    std::string src() const { return net::Ipv4Address(u32be(26)).to_string(); }
    std::string dst() const { return net::Ipv4Address(u32be(30)).to_string(); }
    std::uint32_t u32be(std::size_t at) const {
        return std::uint32_t{data[at]} << 24 | std::uint32_t{data[at + 1]} << 16 |
               std::uint32_t{data[at + 2]} << 8 | data[at + 3];
    }
};

struct Capture {
    std::vector<std::string> interfaces;
    std::vector<Packet> packets;
    const Packet* at(const std::string& interface, std::uint64_t id) const {
        for (const Packet& p : packets) {
            if (interfaces.at(p.interface) == interface && p.id == id) return &p;
        }
        return nullptr;
    }
};

// Reads the blocks back as the specification defines them, checking each block's framing.
Capture parse(const std::vector<std::uint8_t>& b) {
    Capture c;
    std::size_t at = 0;
    bool first = true;
    while (at < b.size()) {
        const std::uint32_t type = u32(b, at);
        const std::uint32_t length = u32(b, at + 4);
        EXPECT_EQ(length % 4, 0u);
        EXPECT_EQ(u32(b, at + length - 4), length) << "trailing length of block at " << at;
        if (first) {
            EXPECT_EQ(type, 0x0A0D0D0Au);
            EXPECT_EQ(u32(b, at + 8), 0x1A2B3C4Du);
            first = false;
        }
        auto options = [&](std::size_t from, auto&& each) {
            std::size_t o = from;
            while (o + 4 <= at + length - 4) {
                std::uint16_t code, len;
                std::memcpy(&code, b.data() + o, 2);
                std::memcpy(&len, b.data() + o + 2, 2);
                if (code == 0) break;
                each(code, b.data() + o + 4, len);
                o += 4 + ((len + 3U) & ~3U);
            }
        };
        if (type == 1) {
            EXPECT_EQ(b[at + 8], 1);  // Ethernet
            std::string name;
            bool nanoseconds = false;
            options(at + 16, [&](std::uint16_t code, const std::uint8_t* v, std::uint16_t len) {
                if (code == 2) name.assign(reinterpret_cast<const char*>(v), len);
                if (code == 9) nanoseconds = len == 1 && v[0] == 9;
            });
            EXPECT_TRUE(nanoseconds);
            c.interfaces.push_back(name);
        } else if (type == 6) {
            Packet p;
            p.interface = u32(b, at + 8);
            p.time = std::uint64_t{u32(b, at + 12)} << 32 | u32(b, at + 16);
            const std::uint32_t captured = u32(b, at + 20);
            EXPECT_EQ(u32(b, at + 24), captured);
            p.data.assign(b.begin() + at + 28, b.begin() + at + 28 + captured);
            options(at + 28 + ((captured + 3U) & ~3U),
                    [&](std::uint16_t code, const std::uint8_t* v, std::uint16_t len) {
                        if (code == 1) p.comment.assign(reinterpret_cast<const char*>(v), len);
                        if (code == 2 && len == 4) std::memcpy(&p.flags, v, 4);
                        if (code == 5 && len == 8) {
                            std::uint64_t id;
                            std::memcpy(&id, v, 8);
                            p.id = id;
                        }
                    });
            EXPECT_LT(p.interface, c.interfaces.size()) << "a packet before its interface";
            c.packets.push_back(std::move(p));
        }
        at += length;
    }
    return c;
}

struct Traced {
    Capture capture;
    sim::TraceReport report;
};

Traced trace(const model::Topology& t, sim::TraceQuery query, observe::CaptureOptions options) {
    std::vector<std::uint8_t> bytes;
    observe::CaptureRecorder recorder(t, std::move(options), [&](std::span<const std::uint8_t> b) {
        bytes.insert(bytes.end(), b.begin(), b.end());
        return true;
    });
    query.capture = &recorder;
    sim::TraceResult r = sim::run_trace(t, query);
    if (!r.report) throw std::runtime_error(r.error);
    EXPECT_TRUE(recorder.ok());
    EXPECT_EQ(recorder.packets_written(), parse(bytes).packets.size());
    return {parse(bytes), std::move(*r.report)};
}

TEST(Capture, OnePacketHasOneIdAtEveryHopAndIsTranslatedOutsideTheNatGateway) {
    const model::Topology t = load_file("two-tier-nat.yaml");
    Traced run = trace(t, {"app", "client", "tcp", 443, 40000}, {});
    ASSERT_TRUE(run.report.reachable);
    const std::uint64_t syn = run.report.packets.front().id;
    struct Hop {
        const char* point;
        const char* src;
        const char* dst;
        std::uint32_t direction;  // 1 inbound, 2 outbound
    };
    for (const Hop& hop : {Hop{"eni/app/eth0", "10.0.2.10", "198.51.100.7", 2},
                           Hop{"subnet/private", "10.0.2.10", "198.51.100.7", 2},
                           Hop{"subnet/public", "10.0.2.10", "198.51.100.7", 1},
                           Hop{"nat/nat-a inside", "10.0.2.10", "198.51.100.7", 1},
                           Hop{"nat/nat-a outside", "10.0.1.20", "198.51.100.7", 2},
                           Hop{"igw/prod-igw inside", "10.0.1.20", "198.51.100.7", 1},
                           Hop{"igw/prod-igw outside", "203.0.113.20", "198.51.100.7", 2},
                           Hop{"internet", "203.0.113.20", "198.51.100.7", 2}}) {
        const Packet* p = run.capture.at(hop.point, syn);
        ASSERT_NE(p, nullptr) << hop.point;
        EXPECT_EQ(p->src(), hop.src) << hop.point;
        EXPECT_EQ(p->dst(), hop.dst) << hop.point;
        EXPECT_EQ(p->flags & 3, hop.direction) << hop.point;
        EXPECT_EQ(p->comment, "") << hop.point;
    }
    // The SYN-ACK, back through the same points the other way, translated back inside.
    const engine::PacketTrace& synack = run.report.packets.at(1);
    ASSERT_EQ(synack.ingress, engine::kInternetPort);
    const Packet* outside = run.capture.at("nat/nat-a outside", synack.id);
    const Packet* inside = run.capture.at("nat/nat-a inside", synack.id);
    const Packet* delivered = run.capture.at("eni/app/eth0", synack.id);
    ASSERT_TRUE(outside && inside && delivered);
    EXPECT_EQ(outside->dst(), "10.0.1.20");
    EXPECT_EQ(outside->flags & 3, 1u);
    EXPECT_EQ(inside->dst(), "10.0.2.10");
    EXPECT_EQ(inside->flags & 3, 2u);
    EXPECT_EQ(delivered->flags & 3, 1u);
    // One interface per point that saw a packet, each named once.
    std::map<std::string, int> seen;
    for (const std::string& name : run.capture.interfaces) ++seen[name];
    for (const auto& [name, n] : seen) EXPECT_EQ(n, 1) << name;
}

TEST(Capture, ADroppedReplyCarriesTheComponentRuleAndReason) {
    const model::Topology t = load_file("acl-forgets-ephemeral.yaml");
    observe::CaptureOptions options;
    options.drops_only = true;
    Traced run = trace(t, {"client", "web", "tcp", 80, 40000}, options);
    ASSERT_FALSE(run.report.reachable);
    // Only the SYN-ACK died (at the ACL, leaving the subnet): the SYN is not in the capture.
    ASSERT_FALSE(run.capture.packets.empty());
    for (const Packet& p : run.capture.packets) EXPECT_EQ(p.src(), "10.0.1.10");
    const Packet& last = run.capture.packets.back();
    EXPECT_EQ(run.capture.interfaces.at(last.interface), "subnet/public");
    EXPECT_EQ(last.comment, "dropped at acl/web-acl: outbound rule *: deny all [AclDenied]");
    EXPECT_EQ(run.capture.interfaces.at(run.capture.packets.front().interface), "eni/web/eth0");
}

TEST(Capture, PointsAndAFilterSelectWhatIsWritten) {
    const model::Topology t = load_file("two-tier-nat.yaml");
    std::string error;
    observe::CaptureOptions options;
    options.points = observe::parse_capture_point(t, "nat/nat-a:outside", error);
    ASSERT_EQ(options.points.size(), 1u) << error;
    options.filter = "tcp[tcpflags] & tcp-syn != 0 and not tcp[tcpflags] & tcp-ack != 0";
    Traced run = trace(t, {"app", "client", "tcp", 443, 40000}, options);
    ASSERT_EQ(run.capture.interfaces, std::vector<std::string>{"nat/nat-a outside"});
    ASSERT_EQ(run.capture.packets.size(), 1u);  // the SYN, translated
    EXPECT_EQ(run.capture.packets[0].src(), "10.0.1.20");
}

TEST(CapturePoints, NamesResolveToPointsAndUnknownNamesSayWhatIsExpected) {
    const model::Topology t = load_file("two-tier-nat.yaml");
    std::string error;
    EXPECT_EQ(observe::parse_capture_point(t, "nat/nat-a", error).size(), 2u);
    EXPECT_EQ(observe::parse_capture_point(t, "igw/prod-igw outside", error).size(), 1u);
    EXPECT_EQ(observe::parse_capture_point(t, "app", error).size(), 1u);
    EXPECT_EQ(observe::parse_capture_point(t, "subnet/public", error).size(), 1u);
    EXPECT_EQ(observe::parse_capture_point(t, "internet", error).size(), 1u);
    EXPECT_TRUE(observe::parse_capture_point(t, "nat/nat-b", error).empty());
    EXPECT_NE(error.find("no capture point \"nat/nat-b\""), std::string::npos) << error;
    EXPECT_EQ(observe::capture_file_name("nat/nat-a outside"), "nat_nat-a_outside.pcapng");
}

TEST(PacketFilter, LibpcapSyntaxAndItsErrors) {
    observe::PacketFilter udp("udp port 53");
    std::vector<std::uint8_t> frame(42, 0);
    frame[12] = 0x08;  // IPv4
    frame[14] = 0x45;
    frame[23] = 17;  // UDP
    frame[36] = 0;
    frame[37] = 53;  // destination port
    EXPECT_TRUE(udp.matches(frame));
    frame[23] = 6;
    EXPECT_FALSE(udp.matches(frame));
    EXPECT_THROW(observe::PacketFilter("port ninety"), std::invalid_argument);
}

TEST(PcapngBlockSplitter, CutsAStreamIntoWholeBlocksWhateverPiecesItArrivesIn) {
    const model::Topology t = load_file("two-tier-nat.yaml");
    std::vector<std::uint8_t> bytes;
    observe::CaptureRecorder recorder(t, {}, [&](std::span<const std::uint8_t> b) {
        bytes.insert(bytes.end(), b.begin(), b.end());
        return true;
    });
    sim::TraceQuery query{"app", "client", "tcp", 443, 40000};
    query.capture = &recorder;
    ASSERT_TRUE(sim::run_trace(t, query).report);
    const Capture whole = parse(bytes);
    // Fed 7 bytes at a time, the blocks come out whole and in order, the same bytes.
    observe::PcapngBlockSplitter splitter;
    std::vector<std::uint8_t> again;
    std::size_t packets = 0;
    std::size_t headers = 0;
    for (std::size_t at = 0; at < bytes.size(); at += 7) {
        const std::size_t n = std::min<std::size_t>(7, bytes.size() - at);
        splitter.append({bytes.data() + at, n});
        while (auto block = splitter.next()) {
            ASSERT_GE(block->bytes.size(), 12u);
            packets += block->type == observe::PcapngBlockSplitter::Type::EnhancedPacket;
            headers += block->type == observe::PcapngBlockSplitter::Type::SectionHeader;
            again.insert(again.end(), block->bytes.begin(), block->bytes.end());
        }
        splitter.take();
        ASSERT_EQ(splitter.error(), "");
    }
    EXPECT_EQ(again, bytes);
    EXPECT_EQ(packets, whole.packets.size());
    EXPECT_EQ(headers, 1u);
    EXPECT_EQ(splitter.pending(), 0u);

    observe::PcapngBlockSplitter not_pcapng;
    const std::string text = "{\"ok\":true}\n and more bytes";
    not_pcapng.append({reinterpret_cast<const std::uint8_t*>(text.data()), text.size()});
    EXPECT_FALSE(not_pcapng.next());
    EXPECT_NE(not_pcapng.error().find("section header block"), std::string::npos);

    observe::PcapngBlockSplitter bad_length;
    std::vector<std::uint8_t> shb(bytes.begin(), bytes.begin() + 28);
    shb[4] = 13;  // a length that is not a multiple of 4
    shb[5] = shb[6] = shb[7] = 0;
    bad_length.append(shb);
    EXPECT_FALSE(bad_length.next());
    EXPECT_NE(bad_length.error().find("expected a multiple of 4"), std::string::npos)
        << bad_length.error();
}

}  // namespace
