#include "vpcstack/engine/replies.hpp"

#include <gtest/gtest.h>
#include <tins/tins.h>

#include "fixture.hpp"

namespace vpcstack::engine::testing {
namespace {

TEST(Replies, ArpReplyGoldenBytes) {
    Tins::EthernetII req =
        Tins::ARP::make_arp_request("10.0.1.1", "10.0.1.10", "02:aa:00:00:00:01");
    auto bytes = req.serialize();
    ParsedFrame pf = parse_frame(bytes);
    std::array<std::uint8_t, kReplyBufferSize> out{};
    std::size_t n = build_arp_reply(out, pf, kRouterMac);
    ASSERT_EQ(n, 60u);
    const std::vector<std::uint8_t> golden{
        0x02, 0xaa, 0x00, 0x00, 0x00, 0x01,                      // to the requester
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01,                      // from the router
        0x08, 0x06,                                              // ARP
        0x00, 0x01, 0x08, 0x00, 0x06, 0x04, 0x00, 0x02,          // Ethernet/IPv4, reply
        0x02, 0x00, 0x00, 0x00, 0x00, 0x01, 10,   0,    1, 1,    // 10.0.1.1 is-at router MAC
        0x02, 0xaa, 0x00, 0x00, 0x00, 0x01, 10,   0,    1, 10};  // to 10.0.1.10
    EXPECT_TRUE(std::equal(golden.begin(), golden.end(), out.begin()));
}

TEST(Replies, RstToASegmentWithoutAckAcknowledgesItsSequence) {
    auto f = frame_from(net::MacAddress(), "10.0.2.10", "192.0.2.80", tcp(40000, 443));
    ParsedFrame pf = parse_frame(f);
    std::array<std::uint8_t, kReplyBufferSize> out{};
    std::size_t n = build_tcp_rst(out, f, pf, kRouterMac, kRouterMac);
    ASSERT_GT(n, 0u);
    Tins::EthernetII e(out.data(), static_cast<std::uint32_t>(n));
    auto& seg = e.rfind_pdu<Tins::TCP>();
    EXPECT_EQ(seg.flags(), Tins::TCP::RST | Tins::TCP::ACK);
    EXPECT_EQ(seg.ack_seq(), 1001u);  // SYN counts for one
    EXPECT_EQ(seg.sport(), 443);
    EXPECT_EQ(e.rfind_pdu<Tins::IP>().dst_addr(), Tins::IPv4Address("10.0.2.10"));
    // Re-serializing recomputes checksums; they must equal what was built.
    std::uint16_t built = seg.checksum();
    auto again = e.serialize();
    Tins::EthernetII e2(again.data(), static_cast<std::uint32_t>(again.size()));
    EXPECT_EQ(e2.rfind_pdu<Tins::TCP>().checksum(), built);
}

TEST(Replies, TimeExceededQuotesTheOriginalHeader) {
    auto f = frame_from(net::MacAddress(), "10.0.2.10", "192.0.2.80", Tins::UDP(33434, 40000), 1);
    ParsedFrame pf = parse_frame(f);
    std::array<std::uint8_t, kReplyBufferSize> out{};
    std::size_t n = build_icmp_error(out, f, pf, 11, 0, 0, ip("10.0.1.20"), kRouterMac, kRouterMac);
    ASSERT_GT(n, 0u);
    ParsedFrame reply = parse_frame(std::span<const std::uint8_t>(out.data(), n));
    ASSERT_EQ(reply.outcome, ParseOutcome::Ipv4);
    ASSERT_TRUE(reply.icmp_inner.present);
    EXPECT_EQ(reply.icmp_inner.tuple, pf.tuple);
    Tins::EthernetII e(out.data(), static_cast<std::uint32_t>(n));
    std::uint16_t built = e.rfind_pdu<Tins::ICMP>().checksum();
    auto again = e.serialize();
    Tins::EthernetII e2(again.data(), static_cast<std::uint32_t>(again.size()));
    EXPECT_EQ(e2.rfind_pdu<Tins::ICMP>().checksum(), built);
}

}  // namespace
}  // namespace vpcstack::engine::testing
