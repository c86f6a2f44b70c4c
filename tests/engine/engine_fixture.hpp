// The fixture shared by the engine's tests, one file per stage in stages/ and the engine as a
// whole in engine_test.cpp: the two-subnet VPC below, an engine over it, and helpers to send
// frames and read drops and traces. Frames are crafted with libtins and the engine's output
// parsed back with it.
#pragma once

#include <gtest/gtest.h>
#include <tins/tins.h>

#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "fixture.hpp"
#include "vpcstack/engine/engine.hpp"
#include "vpcstack/engine/packet.hpp"
#include "vpcstack/engine/trace_format.hpp"
#include "vpcstack/net/checksum.hpp"

namespace vpcstack::engine::testing {

using K = model::RouteTargetKind;
using B = TopologyBuilder;

inline constexpr TimeNs kSec = kNsPerSecond;

inline EngineConfig traced() {
    EngineConfig c;
    c.trace = true;
    return c;
}

// prod 10.0.0.0/16
//   public 10.0.1.0/24  (public-rt: 0.0.0.0/0 -> igw)   web 10.0.1.10 (203.0.113.10),
//   web2 10.0.1.11,
//                                                        nat-a 10.0.1.20 (198.51.100.20)
//   private 10.0.2.0/24 (private-rt: 0.0.0.0/0 -> nat)  app 10.0.2.10
class EngineTest : public ::testing::Test {
  protected:
    void SetUp() override {
        vpc = b.vpc("prod", "10.0.0.0/16");
        igw = b.internet_gateway(vpc);
        pub = b.subnet(vpc, "public", "10.0.1.0/24");
        priv = b.subnet(vpc, "private", "10.0.2.0/24");
        public_rt = b.route_table(vpc, "public-rt");
        b.route(public_rt, "0.0.0.0/0", K::InternetGateway, igw, "igw");
        b.associate_route_table(pub, public_rt);
        nat = b.nat_gateway("nat-a", pub, "10.0.1.20", "198.51.100.20");
        private_rt = b.route_table(vpc, "private-rt");
        b.route(private_rt, "0.0.0.0/0", K::NatGateway, nat, "nat/nat-a");
        b.associate_route_table(priv, private_rt);

        web_sg = b.security_group(vpc, "web-sg");
        b.t.security_groups[web_sg].ingress = {
            B::sg_cidr(net::Protocol::tcp(), net::PortRange::single(80), "0.0.0.0/0"),
            B::sg_cidr(net::Protocol::icmp(), {}, "10.0.0.0/16")};
        b.t.security_groups[web_sg].egress = {
            B::sg_cidr(net::Protocol::all(), {}, "0.0.0.0/0", false)};
        app_sg = b.security_group(vpc, "app-sg");
        b.t.security_groups[app_sg].ingress = {
            B::sg_from_group(net::Protocol::tcp(), net::PortRange::single(8080), web_sg),
            B::sg_cidr(net::Protocol::icmp(), {}, "10.0.0.0/16")};
        b.t.security_groups[app_sg].egress = {
            B::sg_cidr(net::Protocol::all(), {}, "0.0.0.0/0", false)};

        web = b.instance("web", pub, "10.0.1.10", {web_sg}, "203.0.113.10");
        web2 = b.instance("web2", pub, "10.0.1.11", {web_sg});
        app = b.instance("app", priv, "10.0.2.10", {app_sg});
    }

    // A trace step in the words `vpcctl trace` prints.
    StepText words(const TraceStep& s) const { return describe(s, *engine->components()); }

    void start(EngineConfig config = {}) {
        engine = std::make_unique<Engine>(b.t, sink, config);
        engine->set_trace_callback([this](PacketTrace&& t) { traces.push_back(std::move(t)); });
    }

    net::MacAddress mac(Index eni) const { return b.t.enis[eni].mac; }

    // Sends and returns the frames the engine emitted in response.
    std::vector<SentFrame> send(PortId port, const std::vector<std::uint8_t>& frame,
                                TimeNs now = 0) {
        sink.frames.clear();
        engine->receive(port, frame, now);
        return sink.frames;
    }
    std::uint64_t drops(DropReason r) const {
        return engine->snapshot().drops[static_cast<std::size_t>(r)];
    }
    template <typename L4>
    std::vector<std::uint8_t> from_eni(Index eni, const char* src, const char* dst, L4 l4,
                                       std::uint8_t ttl = 64) {
        return frame_from(mac(eni), src, dst, l4, ttl);
    }
    template <typename L4>
    std::vector<std::uint8_t> from_internet(const char* src, const char* dst, L4 l4) {
        return frame_from(kInternetMac, src, dst, l4);
    }

    TopologyBuilder b;
    Index vpc = 0, igw = 0, pub = 0, priv = 0, public_rt = 0, private_rt = 0, nat = 0;
    Index web_sg = 0, app_sg = 0, web = 0, web2 = 0, app = 0;
    RecordingSink sink;
    std::unique_ptr<Engine> engine;
    std::vector<PacketTrace> traces;
};

// Checks the IPv4 header checksum and the TCP/UDP/ICMP checksum of a frame the engine sent,
// by recomputing them from scratch.
inline void expect_checksums_valid(const std::vector<std::uint8_t>& frame) {
    ParsedFrame pf = parse_frame(frame);
    ASSERT_EQ(pf.outcome, ParseOutcome::Ipv4);  // parse_frame verifies the IP header checksum
    if (!pf.has_l4 || pf.fragment) return;  // a fragment's L4 checksum covers the whole datagram
    std::span<const std::uint8_t> l4(frame.data() + pf.l4, pf.ip_total_length - pf.ip_header_size);
    std::uint32_t sum = 0;
    if (pf.key.protocol != net::Protocol::kIcmp) {
        sum = net::pseudo_header_sum(pf.key.src, pf.key.dst, pf.key.protocol, l4.size());
    }
    EXPECT_EQ(net::fold(net::ones_sum(l4, sum)), 0xffff) << "layer-4 checksum does not verify";
}

// An ICMP error from the internet quoting `quoted` (as the internet saw it).
inline std::vector<std::uint8_t> icmp_error_from_internet(
    const char* from, const char* to, const std::vector<std::uint8_t>& quoted_frame) {
    Tins::EthernetII eth(hw(kRouterMac), hw(kInternetMac));
    Tins::ICMP icmp(Tins::ICMP::DEST_UNREACHABLE);
    icmp.code(3);  // port unreachable
    std::vector<std::uint8_t> quote(quoted_frame.begin() + 14, quoted_frame.begin() + 14 + 28);
    auto pkt = eth / Tins::IP(to, from) / icmp / Tins::RawPDU(quote);
    return pkt.serialize();
}

}  // namespace vpcstack::engine::testing
