#include "vpcstack/sim/packet.hpp"

#include <gtest/gtest.h>

using namespace vpcstack;
using namespace vpcstack::sim;

namespace {
const net::MacAddress kA({0x02, 0, 0, 0, 0, 0x0a});
const net::MacAddress kB({0x02, 0, 0, 0, 0, 0x0b});
const net::Ipv4Address kSrc(10, 0, 1, 10);
const net::Ipv4Address kDst(10, 0, 2, 20);
}  // namespace

TEST(Packet, ATcpSynHasTheBytesLinuxWouldSend) {
    PacketSpec spec{.tuple = {kSrc, kDst, 40000, 443, net::Protocol::kTcp},
                    .tcp_flags = net::tcp::kSyn,
                    .seq = 1,
                    .ip_id = 0x1234};
    Frame f = build_ip_frame(kA, kB, spec);
    // Golden bytes: Ethernet, IPv4 (DF, TTL 64, checksum), TCP (window 64240, checksum).
    const Frame golden = {
        0x02, 0x00, 0x00, 0x00, 0x00, 0x0b, 0x02, 0x00, 0x00, 0x00, 0x00, 0x0a, 0x08,
        0x00, 0x45, 0x00, 0x00, 0x28, 0x12, 0x34, 0x40, 0x00, 0x40, 0x06, 0x00, 0x00,  // csum below
        0x0a, 0x00, 0x01, 0x0a, 0x0a, 0x00, 0x02, 0x14,                                //
        0x9c, 0x40, 0x01, 0xbb, 0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00,        //
        0x50, 0x02, 0xfa, 0xf0, 0x00, 0x00, 0x00, 0x00,                                //
    };
    ASSERT_EQ(f.size(), 60u) << "a 54-byte frame is padded to the Ethernet minimum";
    for (std::size_t i = 0; i < golden.size(); ++i) {
        if (i == 24 || i == 25 || i == 50 || i == 51) continue;  // checksums, checked below
        EXPECT_EQ(f[i], golden[i]) << "byte " << i;
    }
    // Verifying a one's complement checksum sums to 0xffff.
    auto verify = [](const std::uint8_t* p, std::size_t n, std::uint32_t sum) {
        for (std::size_t i = 0; i + 1 < n; i += 2) sum += (std::uint32_t{p[i]} << 8) | p[i + 1];
        while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
        return sum;
    };
    EXPECT_EQ(verify(&f[14], 20, 0), 0xffffu) << "the IPv4 header checksum must be right";
    std::uint32_t pseudo = 0x0a00 + 0x010a + 0x0a00 + 0x0214 + 6 + 20;
    EXPECT_EQ(verify(&f[34], 20, pseudo), 0xffffu) << "the TCP checksum must be right";
}

TEST(Packet, ParsesWhatItBuildsForEveryProtocol) {
    PacketSpec udp{.tuple = {kSrc, kDst, 5000, 53, net::Protocol::kUdp}, .payload_size = 12};
    auto u = decode_frame(build_ip_frame(kA, kB, udp));
    ASSERT_TRUE(u);
    EXPECT_EQ(u->tuple(), udp.tuple);
    EXPECT_EQ(u->payload_size, 12u);
    EXPECT_TRUE(u->dont_fragment);

    PacketSpec ping{.tuple = {kSrc, kDst, 77, 0, net::Protocol::kIcmp}, .icmp_sequence = 3};
    auto p = decode_frame(build_ip_frame(kA, kB, ping));
    ASSERT_TRUE(p && p->icmp);
    EXPECT_EQ(p->icmp->type, net::icmp::kEchoRequest);
    EXPECT_EQ(p->icmp->id, 77);
    EXPECT_EQ(p->tuple().src_port, 77) << "the echo id stands in for the source port";
    EXPECT_EQ(p->summary(), "icmp 10.0.1.10 -> 10.0.2.20 echo request id 77");

    PacketSpec syn_ack{.tuple = {kDst, kSrc, 443, 40000, net::Protocol::kTcp},
                       .tcp_flags = net::tcp::kSyn | net::tcp::kAck};
    auto t = decode_frame(build_ip_frame(kB, kA, syn_ack));
    ASSERT_TRUE(t);
    EXPECT_EQ(t->summary(), "tcp 10.0.2.20:443 -> 10.0.1.10:40000 [SYN,ACK]");
}

TEST(Packet, AnIcmpErrorQuotesTheOffendingFlow) {
    PacketSpec udp{.tuple = {kSrc, kDst, 5000, 53, net::Protocol::kUdp}};
    Frame offending = build_ip_frame(kA, kB, udp);
    Frame error = build_icmp_error(kB, kA, kDst, net::icmp::kDestinationUnreachable,
                                   net::icmp::kFragmentationNeeded, ip_packet_of(offending), 1500);
    auto e = decode_frame(error);
    ASSERT_TRUE(e && e->icmp && e->icmp->quoted);
    EXPECT_EQ(e->dst, kSrc) << "the error goes back to the sender";
    EXPECT_EQ(e->icmp->mtu, 1500);
    EXPECT_EQ(*e->icmp->quoted, udp.tuple);
    EXPECT_EQ(e->summary(), "icmp 10.0.2.20 -> 10.0.1.10 fragmentation needed (mtu 1500)");
}

TEST(Packet, ArpRequestsAndRepliesRoundTrip) {
    auto req = decode_frame(build_arp_request(kA, kSrc, net::Ipv4Address(10, 0, 1, 1)));
    ASSERT_TRUE(req && req->arp);
    EXPECT_TRUE(req->dst_mac.is_broadcast());
    EXPECT_EQ(req->summary(), "arp who-has 10.0.1.1 tell 10.0.1.10");
    auto rep = decode_frame(build_arp_reply(kB, net::Ipv4Address(10, 0, 1, 1), kA, kSrc));
    ASSERT_TRUE(rep && rep->arp);
    EXPECT_FALSE(rep->arp->request);
    EXPECT_EQ(rep->dst_mac, kA);
}

TEST(Packet, MalformedFramesAreRejectedNotTrusted) {
    PacketSpec spec{.tuple = {kSrc, kDst, 1, 2, net::Protocol::kTcp}};
    Frame f = build_ip_frame(kA, kB, spec);
    EXPECT_FALSE(decode_frame(std::span(f).first(20))) << "a truncated IPv4 header";
    Frame bad_length = f;
    bad_length[16] = 0x05;  // total length 0x05xx: longer than the frame
    EXPECT_FALSE(decode_frame(bad_length));
    Frame bad_offset = f;
    bad_offset[14 + 20 + 12] = 0xf0;  // TCP data offset 60 bytes: past the end
    EXPECT_FALSE(decode_frame(bad_offset));
    for (std::size_t n = 0; n < f.size(); ++n) decode_frame(std::span(f).first(n));  // no crash
}

TEST(Packet, ForwardingLowersTheTtlAndKeepsTheChecksumRight) {
    PacketSpec spec{.tuple = {kSrc, kDst, 1, 2, net::Protocol::kUdp}, .ttl = 9};
    Frame f = build_ip_frame(kA, kB, spec);
    Frame g = reframe_forwarded(kB, kA, ip_packet_of(f));
    auto parsed = decode_frame(g);
    ASSERT_TRUE(parsed);
    EXPECT_EQ(parsed->ttl, 8);
    std::uint32_t sum = 0;
    for (std::size_t i = 14; i < 34; i += 2) sum += (std::uint32_t{g[i]} << 8) | g[i + 1];
    while (sum >> 16) sum = (sum & 0xffff) + (sum >> 16);
    EXPECT_EQ(sum, 0xffffu);
}
