#include "vpcstack/sim/host.hpp"

#include <gtest/gtest.h>

#include <memory>

using namespace vpcstack;
using namespace vpcstack::sim;

namespace {

const net::MacAddress kRouter({0x02, 0, 0, 0, 0, 0x01});
const net::Ipv4Address kA(10, 0, 1, 10);
const net::Ipv4Address kB(10, 0, 2, 20);

// Two hosts in two subnets behind a toy router: it answers every ARP request with its own MAC
// and delivers IPv4 frames to whichever host holds the destination. No cloud rules at all: this
// tests the hosts' stacks only.
class TwoHosts : public ::testing::Test {
  protected:
    void SetUp() override {
        a = make("a", 1, {0x02, 0, 0, 0, 0, 0x0a}, kA, "10.0.1.0/24", {{6, 22}});
        b = make("b", 2, {0x02, 0, 0, 0, 0, 0x0b}, kB, "10.0.2.0/24", {{6, 80}, {17, 53}});
    }

    std::unique_ptr<Host> make(std::string name, engine::PortId port,
                               std::array<std::uint8_t, 6> mac, net::Ipv4Address ip,
                               const char* cidr,
                               std::vector<std::pair<std::uint8_t, std::uint16_t>> listen) {
        Host::Config c;
        c.name = std::move(name);
        net::Cidr subnet = *net::Cidr::parse(cidr);
        c.interfaces.push_back(
            {"eth0", port, net::MacAddress(mac), {ip}, subnet, subnet.network() + 1});
        c.listening = [listen](net::Ipv4Address, std::uint8_t proto, std::uint16_t p) {
            for (auto [lp, lport] : listen) {
                if (lp == proto && lport == p) return true;
            }
            return false;
        };
        return std::make_unique<Host>(std::move(c), events, flows,
                                      [this](engine::PortId from, Frame f) { wire(from, f); });
    }

    void wire(engine::PortId from, Frame frame) {
        ++frames_on_wire;
        if (drop_everything) return;
        auto parsed = decode_frame(frame);
        ASSERT_TRUE(parsed) << "a host sent a malformed frame";
        Host* sender = from == 1 ? a.get() : b.get();
        if (parsed->arp) {
            if (!parsed->arp->request || !answer_arp) return;
            events.schedule_in(kMicrosecond, [=, this] {
                sender->receive(from, build_arp_reply(kRouter, parsed->arp->target_ip,
                                                      parsed->src_mac, parsed->arp->sender_ip));
            });
            return;
        }
        Host* target = a->owns(parsed->dst) ? a.get() : b->owns(parsed->dst) ? b.get() : nullptr;
        if (!target) return;
        const HostInterface& itf = target->interfaces().front();
        Frame out = reframe_forwarded(kRouter, itf.mac, ip_packet_of(frame));
        events.schedule_in(kMicrosecond, [=, port = itf.port] { target->receive(port, out); });
    }

    // Whether the host did `action` about one of the frames it received.
    static bool did(const Host& host, const std::string& action) {
        for (const Received& r : host.inbox()) {
            if (r.report.detail == action) return true;
        }
        return false;
    }

    EventQueue events;
    FlowBook flows;
    std::unique_ptr<Host> a, b;
    bool answer_arp = true;
    bool drop_everything = false;
    int frames_on_wire = 0;
};

}  // namespace

TEST_F(TwoHosts, APingIsAnswered) {
    FlowId f = a->ping(kB);
    events.run_until_idle();
    EXPECT_EQ(flows[f].outcome, Outcome::Replied);
    EXPECT_EQ(flows[f].replies, 1u);
    EXPECT_TRUE(did(*b, "answered echo reply"));
}

TEST_F(TwoHosts, ATcpConnectionToAListeningPortCompletesTheHandshake) {
    FlowId f = a->connect_tcp(kB, 80);
    events.run_until_idle();
    EXPECT_EQ(flows[f].outcome, Outcome::Connected);
    EXPECT_EQ(flows[f].tuple.src_port, 32768) << "the first Linux ephemeral port";
    EXPECT_TRUE(did(*b, "connection established"))
        << "the server must see the final ACK of the handshake";
}

TEST_F(TwoHosts, ATcpConnectionToAClosedPortIsRefusedWithRst) {
    FlowId f = a->connect_tcp(kB, 81);
    events.run_until_idle();
    EXPECT_EQ(flows[f].outcome, Outcome::Refused);
    EXPECT_TRUE(did(*b, "tcp/81 closed: answered RST"));
}

TEST_F(TwoHosts, UdpToAnOpenPortIsAnsweredAndToAClosedPortGetsPortUnreachable) {
    FlowId open = a->send_udp(kB, 53);
    FlowId closed = a->send_udp(kB, 54);
    events.run_until_idle();
    EXPECT_EQ(flows[open].outcome, Outcome::Replied);
    ASSERT_EQ(flows[closed].outcome, Outcome::IcmpError);
    EXPECT_EQ(flows[closed].icmp_error->code, net::icmp::kPortUnreachable);
    EXPECT_EQ(flows[closed].icmp_from, kB);
}

TEST_F(TwoHosts, ProtocolsWithoutAHandlerGetProtocolUnreachable) {
    FlowId f = a->send_packet({.tuple = {kA, kB, 0, 0, 47}, .payload_size = 20});
    events.run_until_idle();
    ASSERT_EQ(flows[f].outcome, Outcome::IcmpError);
    EXPECT_EQ(flows[f].icmp_error->code, net::icmp::kProtocolUnreachable);
}

TEST_F(TwoHosts, WithoutAnAnswerAConnectionTimesOutInVirtualTime) {
    drop_everything = true;
    FlowId f = a->connect_tcp(kB, 80);
    events.run_until_idle();
    EXPECT_EQ(flows[f].outcome, Outcome::Unresolved) << "ARP went unanswered first";

    drop_everything = false;
    answer_arp = true;
    a->resolve(kB);
    events.run_until_idle();
    drop_everything = true;
    FlowId g = a->connect_tcp(kB, 80);
    events.run_until_idle();
    EXPECT_EQ(flows[g].outcome, Outcome::TimedOut);
    EXPECT_EQ(flows[g].decided - flows[g].started, 5 * kSecond);
}

TEST_F(TwoHosts, ARPIsCachedAfterTheFirstResolution) {
    a->ping(kB);
    events.run_until_idle();
    int before = frames_on_wire;
    a->ping(kB);
    events.run_until_idle();
    EXPECT_EQ(frames_on_wire - before, 2) << "only the request and the reply, no ARP";
}

TEST_F(TwoHosts, ASegmentOfNoConnectionIsAnsweredWithRst) {
    FlowId f = a->send_packet({.tuple = {kA, kB, 40000, 80, net::Protocol::kTcp},
                               .tcp_flags = net::tcp::kSyn | net::tcp::kAck,
                               .ack = 77});
    events.run_until_idle();
    EXPECT_TRUE(did(*b, "no connection: answered RST"));
    EXPECT_EQ(flows[f].outcome, Outcome::Refused) << "the crafted packet's answer was a RST";
    const Received& rst = a->inbox().back();
    EXPECT_EQ(rst.frame.tcp_flags, net::tcp::kRst);
    EXPECT_EQ(rst.frame.seq, 77u) << "RFC 793: the RST takes its sequence from the ACK";
}

TEST_F(TwoHosts, DataOnAnEstablishedConnectionIsAcknowledged) {
    FlowId f = a->connect_tcp(kB, 80);
    events.run_until_idle();
    a->send_tcp_data(f, 100);
    events.run_until_idle();
    EXPECT_TRUE(did(*b, "received 100 bytes: sent ACK"));
    EXPECT_EQ(a->inbox().back().report.detail, "acknowledged");
}

TEST_F(TwoHosts, MalformedAndForeignFramesAreRecordedNotFatal) {
    b->receive(2, Frame{0x01, 0x02, 0x03});
    Frame foreign = build_ip_frame(kRouter, net::MacAddress({0x02, 0, 0, 0, 0, 0x99}),
                                   {.tuple = {kA, kB, 1, 2, net::Protocol::kUdp}});
    b->receive(2, foreign);
    ASSERT_EQ(b->inbox().size(), 2u);
    EXPECT_EQ(b->inbox()[0].report.action, HostAction::Ignore);
    EXPECT_EQ(b->inbox()[0].report.detail, "dropped: malformed frame");
    EXPECT_EQ(b->inbox()[1].report.action, HostAction::Ignore);
    EXPECT_EQ(b->inbox()[1].report.detail,
              "ignored: addressed to 02:00:00:00:00:99, not 02:00:00:00:00:0b");
    EXPECT_EQ(b->ignored(), 2u);
}

TEST_F(TwoHosts, BroadcastIsIgnored) {
    Frame bcast =
        build_ip_frame(kRouter, net::MacAddress::broadcast(),
                       {.tuple = {kA, net::Ipv4Address(0xffffffffu), 0, 0, net::Protocol::kIcmp}});
    b->receive(2, bcast);
    EXPECT_EQ(b->inbox().back().report.action, HostAction::Ignore);
    EXPECT_EQ(b->inbox().back().report.detail, "ignored: broadcast or multicast");
}
