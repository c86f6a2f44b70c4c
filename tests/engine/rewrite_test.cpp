#include "vpcstack/engine/rewrite.hpp"

#include <gtest/gtest.h>
#include <tins/tins.h>

#include "fixture.hpp"
#include "vpcstack/net/bytes.hpp"
#include "vpcstack/net/checksum.hpp"
#include "vpcstack/net/ipv4_header.hpp"
#include "vpcstack/net/udp.hpp"

namespace vpcstack::engine::testing {
namespace {

TEST(Rewrite, NatRewriteKeepsTcpChecksumValid) {
    auto frame = frame_from(net::MacAddress(), "10.0.2.10", "192.0.2.80", tcp(40000, 443));
    std::span<std::uint8_t> bytes(frame);
    ParsedFrame pf = parse_frame(bytes);
    rewrite_src_address(bytes, pf, ip("10.0.1.20"));
    rewrite_src_port(bytes, pf, 1024);
    decrement_ttl(bytes, pf);
    // libtins recomputes nothing when parsing: compare with a freshly serialized copy.
    Tins::EthernetII parsed = parse(frame);
    auto& seg = parsed.rfind_pdu<Tins::TCP>();
    std::uint16_t carried = seg.checksum();
    auto reserialized = parsed.serialize();
    Tins::EthernetII again = parse(reserialized);
    EXPECT_EQ(carried, again.rfind_pdu<Tins::TCP>().checksum());
    EXPECT_EQ(parsed.rfind_pdu<Tins::IP>().checksum(), again.rfind_pdu<Tins::IP>().checksum());
    EXPECT_EQ(again.rfind_pdu<Tins::IP>().ttl(), 63);
    EXPECT_EQ(seg.sport(), 1024);
}

TEST(Rewrite, UdpWithoutChecksumStaysWithout) {
    auto frame = frame_from(net::MacAddress(), "10.0.2.10", "192.0.2.80", Tins::UDP(53, 40000));
    ParsedFrame pf = parse_frame(frame);
    net::store16(frame.data() + pf.l4 + net::udp::kChecksum, net::udp::kNoChecksum);
    std::span<std::uint8_t> bytes(frame);
    rewrite_src_address(bytes, pf, ip("10.0.1.20"));
    EXPECT_EQ(net::load16(frame.data() + pf.l4 + net::udp::kChecksum), net::udp::kNoChecksum);
}

TEST(Rewrite, DestinationRewritesKeepUdpAndIpChecksumsValid) {
    auto frame = frame_from(net::MacAddress(), "192.0.2.80", "203.0.113.10", Tins::UDP(40000, 53));
    std::span<std::uint8_t> bytes(frame);
    ParsedFrame pf = parse_frame(bytes);
    rewrite_dst_address(bytes, pf, ip("10.0.1.10"));
    rewrite_dst_port(bytes, pf, 5353);
    EXPECT_EQ(pf.tuple.to_string(), "udp 192.0.2.80:53 -> 10.0.1.10:5353");
    // Over bytes with a correct checksum the one's-complement sum folds to all ones.
    EXPECT_EQ(net::fold(net::ones_sum({frame.data() + pf.l3, pf.ip_header_size})), 0xffff);
    std::span<const std::uint8_t> datagram(frame.data() + pf.l4,
                                           pf.ip_total_length - pf.ip_header_size);
    std::uint32_t pseudo =
        net::pseudo_header_sum(pf.key.src, pf.key.dst, net::Protocol::kUdp, datagram.size());
    EXPECT_EQ(net::fold(net::ones_sum(datagram, pseudo)), 0xffff);
    EXPECT_EQ(parse_frame(frame).tuple, pf.tuple) << "pf describes the rewritten bytes";
}

}  // namespace
}  // namespace vpcstack::engine::testing
