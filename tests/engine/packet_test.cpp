#include "vpcstack/engine/packet.hpp"

#include <gtest/gtest.h>
#include <tins/tins.h>

#include "fixture.hpp"
#include "vpcstack/net/bytes.hpp"
#include "vpcstack/net/checksum.hpp"
#include "vpcstack/net/ethernet.hpp"
#include "vpcstack/net/ipv4_header.hpp"
#include "vpcstack/net/tcp.hpp"

namespace vpcstack::engine::testing {
namespace {

TEST(Packet, ParsesTcpFiveTupleAndFlags) {
    auto f = frame_from(net::MacAddress(), "10.0.1.10", "10.0.2.10", tcp(40000, 443));
    ParsedFrame pf = parse_frame(f);
    ASSERT_EQ(pf.outcome, ParseOutcome::Ipv4);
    EXPECT_EQ(pf.tuple.to_string(), "tcp 10.0.1.10:40000 -> 10.0.2.10:443");
    EXPECT_EQ(pf.tcp_flags, net::tcp::kSyn);
    EXPECT_EQ(pf.ttl, 64);
    EXPECT_EQ(pf.ip_total_length, 40u);
    EXPECT_TRUE(pf.has_l4);
}

TEST(Packet, GoldenBytesOfAnIcmpEcho) {
    // Ethernet, IPv4 (checksum 0x24a4 precomputed), ICMP echo id 0x0007 seq 1.
    std::vector<std::uint8_t> f{0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 0x02, 0xaa, 0x00, 0x00, 0x00,
                                0x01, 0x08, 0x00, 0x45, 0x00, 0x00, 0x1c, 0x00, 0x01, 0x00, 0x00,
                                0x40, 0x01, 0x00, 0x00, 10,   0,    1,    10,   10,   0,    2,
                                10,   0x08, 0x00, 0x00, 0x00, 0x00, 0x07, 0x00, 0x01};
    // Fill in the header checksum the way a sender would.
    std::uint8_t* ip = f.data() + net::ethernet::kHeaderSize;
    net::store16(ip + net::ipv4::kChecksum,
                 net::checksum(net::ones_sum({ip, net::ipv4::kMinHeaderSize})));
    ParsedFrame pf = parse_frame(f);
    ASSERT_EQ(pf.outcome, ParseOutcome::Ipv4);
    EXPECT_EQ(pf.key.protocol, net::Protocol::kIcmp);
    EXPECT_EQ(pf.icmp_type, 8);
    EXPECT_TRUE(pf.icmp_query);
    EXPECT_EQ(pf.tuple.src_port, 7);  // the query id
    EXPECT_EQ(pf.tuple.dst_port, 0);
}

TEST(Packet, InconsistentLengthsAreMalformed) {
    auto f = frame_from(net::MacAddress(), "10.0.1.10", "10.0.2.10", tcp(40000, 443));
    auto bad_ihl = f;
    bad_ihl[14] = 0x44;  // IHL 4 < 5
    EXPECT_EQ(parse_frame(bad_ihl).outcome, ParseOutcome::Malformed);
    auto bad_version = f;
    bad_version[14] = 0x65;
    EXPECT_EQ(parse_frame(bad_version).outcome, ParseOutcome::Malformed);
    auto long_total = f;
    net::store16(long_total.data() + net::ethernet::kHeaderSize + net::ipv4::kTotalLength,
                 1400);  // total length beyond the frame
    EXPECT_EQ(parse_frame(long_total).outcome, ParseOutcome::Malformed);
    auto bad_offset = f;
    bad_offset[14 + 20 + 12] = 0x20;  // TCP data offset 2 words
    EXPECT_EQ(parse_frame(bad_offset).outcome, ParseOutcome::Malformed);
}

TEST(Packet, NonFirstFragmentHasNoPorts) {
    Tins::EthernetII eth;
    Tins::IP ipv4("10.0.2.10", "10.0.1.10");
    ipv4.fragment_offset(100);
    auto pkt = eth / ipv4 / Tins::RawPDU(std::string(40, 'a'));
    auto bytes = pkt.serialize();
    std::uint8_t* ip = bytes.data() + net::ethernet::kHeaderSize;
    ip[net::ipv4::kProtocol] = net::Protocol::kUdp;  // claim UDP; recompute the header checksum
    net::store16(ip + net::ipv4::kChecksum, 0);
    net::store16(ip + net::ipv4::kChecksum,
                 net::checksum(net::ones_sum({ip, net::ipv4::kMinHeaderSize})));
    ParsedFrame pf = parse_frame(bytes);
    ASSERT_EQ(pf.outcome, ParseOutcome::Ipv4);
    EXPECT_TRUE(pf.fragment);
    EXPECT_FALSE(pf.first_fragment);
    EXPECT_FALSE(pf.has_l4);
    EXPECT_EQ(pf.tuple.src_port, 0);
}

TEST(Packet, IcmpErrorCarriesTheInnerTuple) {
    Tins::EthernetII eth;
    Tins::IP outer("10.0.1.10", "192.0.2.1");
    Tins::ICMP icmp(Tins::ICMP::DEST_UNREACHABLE);
    icmp.code(3);
    Tins::IP inner("192.0.2.1", "10.0.1.10");
    auto quoted = inner / Tins::UDP(53, 40000);
    auto inner_bytes = quoted.serialize();
    auto pkt = eth / outer / icmp / Tins::RawPDU(inner_bytes);
    auto bytes = pkt.serialize();
    ParsedFrame pf = parse_frame(bytes);
    ASSERT_EQ(pf.outcome, ParseOutcome::Ipv4);
    ASSERT_TRUE(pf.icmp_inner.present);
    EXPECT_EQ(pf.icmp_inner.tuple.to_string(), "udp 10.0.1.10:40000 -> 192.0.2.1:53");
}

TEST(Packet, ArpAndOtherEtherTypes) {
    Tins::EthernetII req = Tins::ARP::make_arp_request("10.0.1.1", "10.0.1.10");
    ParsedFrame pf = parse_frame(req.serialize());
    ASSERT_EQ(pf.outcome, ParseOutcome::Arp);
    EXPECT_EQ(pf.arp_op, 1);
    EXPECT_EQ(pf.arp_target_ip.to_string(), "10.0.1.1");
    std::vector<std::uint8_t> lldp(60, 0);
    lldp[12] = 0x88;
    lldp[13] = 0xcc;
    EXPECT_EQ(parse_frame(lldp).outcome, ParseOutcome::NotIpv4);
}

}  // namespace
}  // namespace vpcstack::engine::testing
