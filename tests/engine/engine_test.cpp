// The engine as a whole: parsing and dispatch of frames, expiry, traces and counters.
#include <gtest/gtest.h>
#include <tins/tins.h>

#include <algorithm>
#include <cstddef>

#include "engine_fixture.hpp"
#include "vpcstack/net/ethernet.hpp"
#include "vpcstack/net/ipv4_header.hpp"

namespace vpcstack::engine::testing {
namespace {

TEST_F(EngineTest, GratuitousArpIpv6AndBroadcastAreDroppedAsNoise) {
    start();
    Tins::EthernetII garp = Tins::ARP::make_arp_request("10.0.1.10", "10.0.1.10", hw(mac(web)));
    EXPECT_TRUE(send(web, garp.serialize()).empty());
    EXPECT_EQ(drops(DropReason::Noise), 1u);

    Tins::EthernetII v6 = Tins::EthernetII(hw(kRouterMac), hw(mac(web))) /
                          Tins::IPv6("fe80::1", "fe80::2") /
                          Tins::ICMPv6(Tins::ICMPv6::ROUTER_SOLICIT);
    EXPECT_TRUE(send(web, v6.serialize()).empty());
    EXPECT_EQ(drops(DropReason::NotIpv4), 1u);

    // AWS: subnet-sizing — broadcast is not supported.
    EXPECT_TRUE(send(web, from_eni(web, "10.0.1.10", "10.0.1.255", Tins::UDP(9, 9))).empty());
    EXPECT_TRUE(
        send(web, from_eni(web, "10.0.1.10", "255.255.255.255", Tins::UDP(67, 68))).empty());
    EXPECT_TRUE(
        send(web, from_eni(web, "10.0.1.10", "224.0.0.251", Tins::UDP(5353, 5353))).empty());
    EXPECT_EQ(drops(DropReason::Noise), 4u);
}

TEST_F(EngineTest, MalformedFramesAreDroppedNeverCrash) {
    start();
    auto good = from_eni(web, "10.0.1.10", "10.0.1.11", tcp(40000, 80));
    // Every truncation of a valid frame (up to its IP total length; beyond is padding).
    std::size_t length = 14 + 40;
    for (std::size_t n = 0; n < length; ++n) {
        std::vector<std::uint8_t> cut(good.begin(), good.begin() + static_cast<long>(n));
        engine->receive(web, cut, 0);
    }
    auto c = engine->snapshot();
    EXPECT_EQ(c.drops[static_cast<std::size_t>(DropReason::Malformed)], length);
    EXPECT_EQ(c.transmitted, 0u);
    // Pseudo-random bytes behind a valid Ethernet + IPv4 start.
    std::uint32_t seed = 12345;
    for (int i = 0; i < 5000; ++i) {
        std::vector<std::uint8_t> junk = good;
        for (std::size_t j = 14; j < junk.size(); ++j) {
            seed = seed * 1103515245u + 12345u;
            if ((seed >> 16) % 4 == 0) junk[j] = static_cast<std::uint8_t>(seed >> 24);
        }
        engine->receive(web, junk, 0);
        engine->receive(kInternetPort, junk, 0);
    }
    SUCCEED();
}

TEST_F(EngineTest, BadIpHeaderChecksumIsMalformed) {
    start();
    auto f = from_eni(web, "10.0.1.10", "10.0.1.11", echo());
    f[net::ethernet::kHeaderSize + net::ipv4::kChecksum] ^= 0xff;
    EXPECT_TRUE(send(web, f).empty());
    EXPECT_EQ(drops(DropReason::Malformed), 1u);
}

TEST_F(EngineTest, IpOptionsAreParsed) {
    start();
    Tins::EthernetII eth(hw(kRouterMac), hw(mac(web)));
    Tins::IP ipv4("10.0.1.11", "10.0.1.10");
    ipv4.add_option(Tins::IP::option(Tins::IP::NOOP));
    ipv4.add_option(Tins::IP::option(Tins::IP::NOOP));
    ipv4.add_option(Tins::IP::option(Tins::IP::NOOP));
    ipv4.add_option(Tins::IP::option(Tins::IP::END));
    auto pkt = eth / ipv4 / tcp(40000, 80);
    auto bytes = pkt.serialize();
    ASSERT_EQ(bytes[14] & 0x0f, 6);  // IHL 6
    auto out = send(web, bytes);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(parse(out[0].bytes).rfind_pdu<Tins::TCP>().dport(), 80);
}

TEST_F(EngineTest, ExpireRemovesIdleEntries) {
    start();
    ASSERT_EQ(send(app, from_eni(app, "10.0.2.10", "192.0.2.80", Tins::UDP(53, 40000))).size(), 1u);
    EXPECT_EQ(engine->tracked_connections(app), 1u);
    EXPECT_EQ(engine->nat_translations(nat), 1u);
    engine->expire(29 * kSec);
    EXPECT_EQ(engine->tracked_connections(app), 1u);
    engine->expire(351 * kSec);
    EXPECT_EQ(engine->tracked_connections(app), 0u);
    EXPECT_EQ(engine->nat_translations(nat), 0u);
}

TEST_F(EngineTest, TraceNamesEachComponentAndTheFate) {
    start(traced());
    ASSERT_EQ(send(web, from_eni(web, "10.0.1.10", "10.0.2.10", tcp(40000, 8080))).size(), 1u);
    ASSERT_EQ(traces.size(), 1u);
    const PacketTrace& t = traces[0];
    EXPECT_EQ(summarize(t.packet), "tcp 10.0.1.10:40000 -> 10.0.2.10:8080 [SYN]");
    EXPECT_TRUE(t.packet.is_tcp_syn());
    EXPECT_EQ(t.fate, Fate::Delivered);
    ASSERT_TRUE(t.egress.has_value());
    EXPECT_EQ(*t.egress, app);
    std::vector<std::string> components;
    for (const auto& s : t.steps) components.push_back(words(s).component);
    EXPECT_EQ(components, (std::vector<std::string>{
                              "eni/web/eth0", "sg/web-sg", "acl/prod-default-acl", "rt/public-rt",
                              "acl/prod-default-acl", "sg/app-sg", "eni/app/eth0"}));
    EXPECT_EQ(words(t.steps[1]).rule, "outbound: all to 0.0.0.0/0");
    EXPECT_EQ(t.steps[1].conn, ConnState::NewTracked);
    EXPECT_EQ(words(t.steps[1]).detail, "new, tracked");
    EXPECT_EQ(t.steps[3].rule.kind, RuleRef::Kind::Route);
    EXPECT_EQ(words(t.steps[3]).rule, "10.0.0.0/16 -> local");
    EXPECT_EQ(words(t.steps[5]).rule, "inbound: tcp/8080 from sg:" + std::to_string(web_sg));
}

TEST_F(EngineTest, TraceOfADropNamesTheReason) {
    start(traced());
    EXPECT_TRUE(
        send(kInternetPort, from_internet("192.0.2.50", "198.51.100.20", tcp(1, 2))).empty());
    ASSERT_EQ(traces.size(), 1u);
    EXPECT_EQ(traces[0].fate, Fate::Dropped);
    EXPECT_EQ(traces[0].drop, DropReason::NatNoTranslation);
    EXPECT_EQ(words(traces[0].steps.back()).component, "nat/nat-a");
    EXPECT_EQ(traces[0].steps.back().kind, ComponentKind::NatGateway);
}

TEST_F(EngineTest, WithoutTracingNoTraceIsMade) {
    start();
    send(web, from_eni(web, "10.0.1.10", "10.0.2.10", echo()));
    EXPECT_TRUE(traces.empty());
}

TEST_F(EngineTest, CountersAccountForEveryPacket) {
    start();
    send(web, from_eni(web, "10.0.1.10", "10.0.2.10", echo()));
    send(web, from_eni(web, "10.0.1.10", "10.0.2.99", echo()));
    send(web2, from_eni(web2, "10.0.1.11", "192.0.2.1", echo()));
    Counters c = engine->snapshot();
    EXPECT_EQ(c.received, 3u);
    EXPECT_EQ(c.transmitted, 1u);
    std::uint64_t dropped = 0;
    for (auto d : c.drops) dropped += d;
    EXPECT_EQ(dropped, 2u);
    auto igw_counter = std::find_if(c.components.begin(), c.components.end(),
                                    [](const auto& p) { return p.first == "igw/prod-igw"; });
    ASSERT_NE(igw_counter, c.components.end());
    EXPECT_EQ(igw_counter->second.packets, 1u);
    EXPECT_EQ(igw_counter->second.drops, 1u);
}

}  // namespace
}  // namespace vpcstack::engine::testing
