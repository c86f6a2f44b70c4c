// Engine-level tests, one or more per rule of the cloud's semantics. Frames are crafted with
// libtins and the engine's output parsed back with it.
#include "vpcstack/engine/engine.hpp"
#include "vpcstack/engine/trace_format.hpp"

#include <gtest/gtest.h>
#include <tins/tins.h>

#include <memory>

#include "fixture.hpp"
#include "vpcstack/engine/packet.hpp"
#include "vpcstack/net/bytes.hpp"
#include "vpcstack/net/checksum.hpp"
#include "vpcstack/net/ethernet.hpp"
#include "vpcstack/net/ipv4_header.hpp"

namespace vpcstack::engine::testing {
namespace {

using K = model::RouteTargetKind;
using B = TopologyBuilder;

constexpr TimeNs kSec = kNsPerSecond;

EngineConfig traced() {
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

// ---- Forwarding within the VPC --------------------------------------------------------------

TEST_F(EngineTest, PingWithinSubnetIsDeliveredUnchangedExceptEthernet) {
    start();
    auto in = from_eni(web, "10.0.1.10", "10.0.1.11", echo());
    auto out = send(web, in);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, web2);
    // The IP packet is byte for byte what was sent: the VPC router is not a hop (no TTL change).
    ASSERT_EQ(out[0].bytes.size(), 14u + 28u);  // Ethernet padding is not carried on
    EXPECT_TRUE(std::equal(out[0].bytes.begin() + 14, out[0].bytes.end(), in.begin() + 14));
    auto eth = parse(out[0].bytes);
    EXPECT_EQ(eth.dst_addr(), hw(mac(web2)));
    EXPECT_EQ(eth.src_addr(), hw(kRouterMac));
}

TEST_F(EngineTest, PingAcrossSubnetsIsDeliveredAndItsReplyReturns) {
    start();
    auto out = send(web, from_eni(web, "10.0.1.10", "10.0.2.10", echo(9)));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, app);
    auto back = send(app, from_eni(app, "10.0.2.10", "10.0.1.10", echo(9, false)));
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back[0].port, web);
    auto back_eth = parse(back[0].bytes);
    auto& ip4 = back_eth.rfind_pdu<Tins::IP>();
    EXPECT_EQ(ip4.ttl(), 64);
}

TEST_F(EngineTest, SameSubnetTrafficIgnoresTheNetworkAcl) {
    Index deny_all = b.acl(vpc, "deny-all");  // a custom ACL without rules denies everything
    b.associate_acl(pub, deny_all);
    start();
    // AWS: vpc-network-acls — ACLs apply only when traffic crosses the subnet boundary.
    EXPECT_EQ(send(web, from_eni(web, "10.0.1.10", "10.0.1.11", echo())).size(), 1u);
    EXPECT_TRUE(send(web, from_eni(web, "10.0.1.10", "10.0.2.10", echo())).empty());
    EXPECT_EQ(drops(DropReason::AclDenied), 1u);
}

// ---- ARP and noise --------------------------------------------------------------------------

TEST_F(EngineTest, RouterAnswersArpForItsAddressAndNeighbours) {
    start();
    Tins::EthernetII req = Tins::ARP::make_arp_request("10.0.1.1", "10.0.1.10", hw(mac(web)));
    auto out = send(web, req.serialize());
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, web);
    auto reply = parse(out[0].bytes);
    auto& arp = reply.rfind_pdu<Tins::ARP>();
    EXPECT_EQ(arp.opcode(), Tins::ARP::REPLY);
    EXPECT_EQ(arp.sender_hw_addr(), hw(kRouterMac));
    EXPECT_EQ(arp.sender_ip_addr(), Tins::IPv4Address("10.0.1.1"));
    EXPECT_EQ(arp.target_ip_addr(), Tins::IPv4Address("10.0.1.10"));
    EXPECT_EQ(reply.dst_addr(), hw(mac(web)));

    Tins::EthernetII neighbour =
        Tins::ARP::make_arp_request("10.0.1.11", "10.0.1.10", hw(mac(web)));
    out = send(web, neighbour.serialize());
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(parse(out[0].bytes).rfind_pdu<Tins::ARP>().sender_hw_addr(), hw(mac(web2)));

    Tins::EthernetII unused = Tins::ARP::make_arp_request("10.0.1.99", "10.0.1.10", hw(mac(web)));
    EXPECT_TRUE(send(web, unused.serialize()).empty());
    EXPECT_EQ(drops(DropReason::HostUnreachable), 1u);
}

TEST_F(EngineTest, ArpFromTheInternetIsAnsweredForAnyAddress) {
    start();
    Tins::EthernetII req = Tins::ARP::make_arp_request("192.0.2.1", "192.0.2.50", hw(kInternetMac));
    auto out = send(kInternetPort, req.serialize());
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(parse(out[0].bytes).rfind_pdu<Tins::ARP>().sender_hw_addr(), hw(kRouterMac));
}

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

// ---- Source/destination check, middleboxes -------------------------------------------------

TEST_F(EngineTest, SourceDestCheckDropsTrafficFromAForeignSource) {
    start();
    // AWS: EC2 using-eni — the ENI drops traffic it sends whose source is not its own.
    EXPECT_TRUE(send(web, from_eni(web, "10.0.1.99", "10.0.1.11", echo())).empty());
    EXPECT_EQ(drops(DropReason::SourceDestCheck), 1u);
}

TEST_F(EngineTest, MiddleboxRouteNeedsSourceDestCheckOff) {
    Index fw_sg = b.security_group(vpc, "fw-sg");
    b.t.security_groups[fw_sg].ingress = {B::sg_cidr(net::Protocol::all(), {}, "0.0.0.0/0")};
    b.t.security_groups[fw_sg].egress = {B::sg_cidr(net::Protocol::all(), {}, "0.0.0.0/0", false)};
    Index fw_on = b.instance("fw-on", pub, "10.0.1.30", {fw_sg});
    Index fw_off = b.instance("fw-off", pub, "10.0.1.31", {fw_sg}, nullptr, false);
    // AWS: middlebox routing — a route more specific than local, to a whole subnet, via an ENI.
    b.route(private_rt, "10.0.1.0/24", K::Eni, fw_on, "eni/fw-on");
    start();
    EXPECT_TRUE(send(app, from_eni(app, "10.0.2.10", "10.0.1.10", echo())).empty());
    EXPECT_EQ(drops(DropReason::SourceDestCheck), 1u);

    b.t.route_tables[private_rt].routes.back().target.index = fw_off;
    start();
    auto out = send(app, from_eni(app, "10.0.2.10", "10.0.1.10", echo()));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, fw_off);
    // The middlebox forwards it on; its source is not its own, which its check (off) allows.
    out = send(fw_off, frame_from(mac(fw_off), "10.0.2.10", "10.0.1.10", echo()));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, web);
}

// ---- Routing -------------------------------------------------------------------------------

TEST_F(EngineTest, LongestPrefixMatchDecides) {
    Index other = b.subnet(vpc, "other", "10.0.3.0/24");
    Index box = b.instance("box", other, "10.0.3.10", {}, nullptr, false);
    b.t.security_groups[b.t.vpcs[vpc].default_security_group].ingress.push_back(
        B::sg_cidr(net::Protocol::all(), {}, "0.0.0.0/0"));
    // /0 -> nat (private-rt) but 192.0.2.0/24 -> the box instance.
    b.route(private_rt, "192.0.2.0/24", K::Instance, b.t.enis[box].instance, "instance/box");
    start();
    auto out = send(app, from_eni(app, "10.0.2.10", "192.0.2.7", echo()));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, box);
}

TEST_F(EngineTest, BlackholeAndMissingRoutesDrop) {
    b.route(private_rt, "192.0.2.0/24", K::Blackhole, kNone, "blackhole");
    Index stopped = b.instance("stopped", pub, "10.0.1.40", {}, nullptr, true, false);
    b.route(private_rt, "198.51.100.0/24", K::Instance, b.t.enis[stopped].instance,
            "instance/stopped");
    Index isolated = b.subnet(vpc, "isolated", "10.0.4.0/24");
    Index lonely = b.instance("lonely", isolated, "10.0.4.10");
    start();
    EXPECT_TRUE(send(app, from_eni(app, "10.0.2.10", "192.0.2.7", echo())).empty());
    EXPECT_EQ(drops(DropReason::Blackhole), 1u);
    // AWS: VPC_Route_Tables — a route to a stopped instance is a blackhole.
    EXPECT_TRUE(send(app, from_eni(app, "10.0.2.10", "198.51.100.9", echo())).empty());
    EXPECT_EQ(drops(DropReason::Blackhole), 2u);
    // The main table has only the local route.
    EXPECT_TRUE(send(lonely, from_eni(lonely, "10.0.4.10", "192.0.2.7", echo())).empty());
    EXPECT_EQ(drops(DropReason::NoRoute), 1u);
}

TEST_F(EngineTest, DestinationWithoutAnInterfaceIsUnreachable) {
    start();
    EXPECT_TRUE(send(web, from_eni(web, "10.0.1.10", "10.0.2.99", echo())).empty());
    EXPECT_EQ(drops(DropReason::HostUnreachable), 1u);
}

// ---- Network ACLs --------------------------------------------------------------------------

TEST_F(EngineTest, AclLowestRuleNumberDecidesAndRepliesAreEvaluatedToo) {
    Index acl = b.acl(vpc, "private-acl");
    auto& a = b.t.network_acls[acl];
    a.inbound = {
        B::acl_rule(100, false, net::Protocol::tcp(), "10.0.1.11/32", net::PortRange::single(8080)),
        B::acl_rule(200, true, net::Protocol::tcp(), "10.0.0.0/16", net::PortRange::single(8080))};
    // Outbound forgets the ephemeral ports of the reply.
    a.outbound = {
        B::acl_rule(100, true, net::Protocol::tcp(), "10.0.0.0/16", net::PortRange{1024, 32767})};
    b.associate_acl(priv, acl);
    start(traced());
    EXPECT_TRUE(send(web2, from_eni(web2, "10.0.1.11", "10.0.2.10", tcp(40000, 8080))).empty());
    EXPECT_EQ(drops(DropReason::AclDenied), 1u);
    EXPECT_EQ(words(traces.back().steps.back()).rule,
              "inbound rule 100: deny tcp/8080 10.0.1.11/32");

    auto out = send(web, from_eni(web, "10.0.1.10", "10.0.2.10", tcp(40000, 8080)));
    ASSERT_EQ(out.size(), 1u);
    // AWS: vpc-network-acls — stateless: the reply to port 40000 is denied by the final '*' rule.
    EXPECT_TRUE(send(app, from_eni(app, "10.0.2.10", "10.0.1.10",
                                   tcp(8080, 40000, Tins::TCP::SYN | Tins::TCP::ACK)))
                    .empty());
    EXPECT_EQ(drops(DropReason::AclDenied), 2u);
    EXPECT_EQ(words(traces.back().steps.back()).rule, "outbound rule *: deny all");
}

// ---- Security groups -----------------------------------------------------------------------

TEST_F(EngineTest, SecurityGroupReferenceMatchesMembersPrivateAddresses) {
    start();
    // app-sg allows tcp/8080 from members of web-sg only.
    EXPECT_EQ(send(web, from_eni(web, "10.0.1.10", "10.0.2.10", tcp(40000, 8080))).size(), 1u);
    Index stranger = b.instance("stranger", pub, "10.0.1.50");
    start();
    EXPECT_TRUE(
        send(stranger, from_eni(stranger, "10.0.1.50", "10.0.2.10", tcp(40000, 8080))).empty());
    EXPECT_EQ(drops(DropReason::SecurityGroupNoMatch), 1u);
}

TEST_F(EngineTest, RepliesOfAnAllowedFlowPassWithoutAnInboundRule) {
    start();
    // app -> web:80 is allowed by web-sg. app-sg has no inbound rule for the reply (tcp from
    // 10.0.1.10:80 to port 40000), yet it passes: app's egress tracked the connection.
    ASSERT_EQ(send(app, from_eni(app, "10.0.2.10", "10.0.1.10", tcp(40000, 80))).size(), 1u);
    auto out = send(web, from_eni(web, "10.0.1.10", "10.0.2.10",
                                  tcp(80, 40000, Tins::TCP::SYN | Tins::TCP::ACK)));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, app);
    // The same packet without the connection is refused.
    EXPECT_TRUE(send(web, from_eni(web, "10.0.1.10", "10.0.2.10",
                                   tcp(80, 40001, Tins::TCP::SYN | Tins::TCP::ACK)))
                    .empty());
    EXPECT_EQ(drops(DropReason::SecurityGroupNoMatch), 1u);
}

// Checks the IPv4 header checksum and the TCP/UDP/ICMP checksum of a frame the engine sent,
// by recomputing them from scratch.
void expect_checksums_valid(const std::vector<std::uint8_t>& frame) {
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

// ---- Internet gateway ----------------------------------------------------------------------

TEST_F(EngineTest, InternetGatewayMapsThePublicAddressBothWays) {
    start(traced());
    auto out = send(kInternetPort, from_internet("192.0.2.50", "203.0.113.10", tcp(50000, 80)));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, web);
    auto in_eth = parse(out[0].bytes);
    auto& in_ip = in_eth.rfind_pdu<Tins::IP>();
    EXPECT_EQ(in_ip.dst_addr(), Tins::IPv4Address("10.0.1.10"));  // the instance never sees it
    expect_checksums_valid(out[0].bytes);
    EXPECT_EQ(words(traces.back().steps.at(0)).component, "igw/prod-igw");
    EXPECT_EQ(words(traces.back().steps.at(0)).detail, "dst 203.0.113.10 -> 10.0.1.10");
    ASSERT_TRUE(traces.back().steps.at(0).translation.has_value());
    EXPECT_EQ(traces.back().steps.at(0).translation->after.address, net::Ipv4Address(10, 0, 1, 10));

    out = send(web, from_eni(web, "10.0.1.10", "192.0.2.50",
                             tcp(80, 50000, Tins::TCP::SYN | Tins::TCP::ACK)));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, kInternetPort);
    auto eth = parse(out[0].bytes);
    EXPECT_EQ(eth.dst_addr(), hw(kInternetMac));
    EXPECT_EQ(eth.rfind_pdu<Tins::IP>().src_addr(), Tins::IPv4Address("203.0.113.10"));
    expect_checksums_valid(out[0].bytes);
}

TEST_F(EngineTest, InternetGatewayDropsSourcesWithoutPublicAddress) {
    start();
    // web2 is in the public subnet but has no public IP.
    EXPECT_TRUE(send(web2, from_eni(web2, "10.0.1.11", "192.0.2.50", tcp(40000, 443))).empty());
    EXPECT_EQ(drops(DropReason::NoPublicIp), 1u);
    EXPECT_TRUE(
        send(kInternetPort, from_internet("192.0.2.50", "203.0.113.99", tcp(1, 80))).empty());
    EXPECT_EQ(drops(DropReason::NoMapping), 1u);
}

TEST_F(EngineTest, InboundThroughTheGatewayPassesAclAndSecurityGroup) {
    start();
    // web-sg allows tcp/80 from anywhere but not tcp/22.
    EXPECT_TRUE(
        send(kInternetPort, from_internet("192.0.2.50", "203.0.113.10", tcp(50000, 22))).empty());
    EXPECT_EQ(drops(DropReason::SecurityGroupNoMatch), 1u);
}

TEST_F(EngineTest, OversizedPacketWithDontFragmentGetsIcmpFragmentationNeeded) {
    start();
    Tins::EthernetII eth(hw(kRouterMac), hw(mac(web)));
    Tins::IP ipv4("192.0.2.50", "10.0.1.10");
    ipv4.flags(Tins::IP::DONT_FRAGMENT);
    auto pkt = eth / ipv4 / Tins::UDP(9000, 40000) / Tins::RawPDU(std::string(2000, 'x'));
    auto out = send(web, pkt.serialize());
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, web);
    EXPECT_EQ(drops(DropReason::MtuExceeded), 1u);
    auto reply = parse(out[0].bytes);
    auto& icmp = reply.rfind_pdu<Tins::ICMP>();
    EXPECT_EQ(icmp.type(), Tins::ICMP::DEST_UNREACHABLE);
    EXPECT_EQ(icmp.code(), 4);
    EXPECT_EQ(icmp.mtu(), 1500);
    EXPECT_EQ(reply.rfind_pdu<Tins::IP>().dst_addr(), Tins::IPv4Address("10.0.1.10"));
    expect_checksums_valid(out[0].bytes);
}

TEST_F(EngineTest, OversizedPacketWithoutDontFragmentIsFragmented) {
    start();
    Tins::EthernetII eth(hw(kRouterMac), hw(mac(web)));
    Tins::IP ipv4("192.0.2.50", "10.0.1.10");
    std::string payload(3000, 'y');
    auto pkt = eth / ipv4 / Tins::UDP(9000, 40000) / Tins::RawPDU(payload);
    auto out = send(web, pkt.serialize());
    ASSERT_EQ(out.size(), 3u);
    Tins::IPv4Reassembler reassembler;
    std::size_t done = 0;
    for (auto& f : out) {
        EXPECT_EQ(f.port, kInternetPort);
        EXPECT_LE(f.bytes.size() - 14, 1500u);
        expect_checksums_valid(f.bytes);
        Tins::EthernetII e = parse(f.bytes);
        if (reassembler.process(e) == Tins::IPv4Reassembler::REASSEMBLED) {
            ++done;
            EXPECT_EQ(e.rfind_pdu<Tins::IP>().src_addr(), Tins::IPv4Address("203.0.113.10"));
            EXPECT_EQ(e.rfind_pdu<Tins::UDP>().dport(), 9000);
            EXPECT_EQ(e.rfind_pdu<Tins::RawPDU>().payload().size(), payload.size());
        }
    }
    EXPECT_EQ(done, 1u);
}

// ---- NAT gateway ---------------------------------------------------------------------------

TEST_F(EngineTest, NatGatewayTranslatesOutboundAndRepliesBack) {
    start(traced());
    auto out = send(app, from_eni(app, "10.0.2.10", "192.0.2.80", tcp(40000, 443)));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, kInternetPort);
    auto eth = parse(out[0].bytes);
    auto& ip4 = eth.rfind_pdu<Tins::IP>();
    auto& seg = eth.rfind_pdu<Tins::TCP>();
    // The NAT gateway translates to its private IP and a port; the IGW to its Elastic IP.
    EXPECT_EQ(ip4.src_addr(), Tins::IPv4Address("198.51.100.20"));
    EXPECT_GE(seg.sport(), 1024);
    EXPECT_EQ(ip4.ttl(), 63);  // the NAT gateway is a hop
    expect_checksums_valid(out[0].bytes);
    std::uint16_t port = seg.sport();

    auto reply = from_internet("192.0.2.80", "198.51.100.20",
                               tcp(443, port, Tins::TCP::SYN | Tins::TCP::ACK));
    out = send(kInternetPort, reply);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, app);
    auto back = parse(out[0].bytes);
    EXPECT_EQ(back.rfind_pdu<Tins::IP>().dst_addr(), Tins::IPv4Address("10.0.2.10"));
    EXPECT_EQ(back.rfind_pdu<Tins::TCP>().dport(), 40000);
    expect_checksums_valid(out[0].bytes);
    EXPECT_EQ(engine->nat_translations(nat), 1u);
}

TEST_F(EngineTest, NatGatewayTranslatesPingByQueryId) {
    start();
    auto out = send(app, from_eni(app, "10.0.2.10", "192.0.2.80", echo(77)));
    ASSERT_EQ(out.size(), 1u);
    auto request = parse(out[0].bytes);
    auto& icmp = request.rfind_pdu<Tins::ICMP>();
    std::uint16_t id = icmp.id();
    expect_checksums_valid(out[0].bytes);
    out = send(kInternetPort, from_internet("192.0.2.80", "198.51.100.20", echo(id, false)));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(parse(out[0].bytes).rfind_pdu<Tins::ICMP>().id(), 77);
    expect_checksums_valid(out[0].bytes);
}

TEST_F(EngineTest, NatGatewayDropsUnsolicitedInbound) {
    start();
    EXPECT_TRUE(
        send(kInternetPort, from_internet("192.0.2.80", "198.51.100.20", tcp(443, 2000))).empty());
    EXPECT_EQ(drops(DropReason::NatNoTranslation), 1u);
}

TEST_F(EngineTest, NatGatewayAnswersAnAsymmetricSynAckWithRst) {
    // app gets a public IP: inbound reaches it through the IGW, but its reply follows the
    // private route table to the NAT gateway, which has no translation for it.
    b.t.enis[app].public_ip = ip("203.0.113.30");
    b.t.security_groups[app_sg].ingress.push_back(
        B::sg_cidr(net::Protocol::tcp(), net::PortRange::single(22), "0.0.0.0/0"));
    start();
    auto out = send(kInternetPort, from_internet("192.0.2.50", "203.0.113.30", tcp(50000, 22)));
    ASSERT_EQ(out.size(), 1u);
    Tins::TCP synack = tcp(22, 50000, Tins::TCP::SYN | Tins::TCP::ACK);
    synack.ack_seq(1001);
    synack.seq(5000);
    out = send(app, from_eni(app, "10.0.2.10", "192.0.2.50", synack));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, app);
    auto rst = parse(out[0].bytes);
    auto& seg = rst.rfind_pdu<Tins::TCP>();
    EXPECT_EQ(seg.flags() & Tins::TCP::RST, Tins::TCP::RST);
    EXPECT_EQ(seg.seq(), 1001u);  // RFC 793: the RST takes the offending segment's ACK number
    EXPECT_EQ(seg.sport(), 50000);
    EXPECT_EQ(seg.dport(), 22);
    EXPECT_EQ(rst.rfind_pdu<Tins::IP>().src_addr(), Tins::IPv4Address("192.0.2.50"));
    expect_checksums_valid(out[0].bytes);
    EXPECT_EQ(drops(DropReason::NatNoTranslation), 1u);
}

TEST_F(EngineTest, NatTranslationExpiresAfter350IdleSeconds) {
    start();
    ASSERT_EQ(send(app, from_eni(app, "10.0.2.10", "192.0.2.80", tcp(40000, 443)), 0).size(), 1u);
    Tins::TCP ack = tcp(40000, 443, Tins::TCP::ACK);
    ack.ack_seq(1);
    EXPECT_EQ(send(app, from_eni(app, "10.0.2.10", "192.0.2.80", ack), 349 * kSec).size(), 1u);
    EXPECT_EQ(send(app, from_eni(app, "10.0.2.10", "192.0.2.80", ack), 698 * kSec).size(), 1u);
    // 350 s idle: the translation is gone and the next segment gets a RST.
    auto out = send(app, from_eni(app, "10.0.2.10", "192.0.2.80", ack), 1048 * kSec);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, app);
    EXPECT_TRUE(parse(out[0].bytes).rfind_pdu<Tins::TCP>().get_flag(Tins::TCP::RST));
}

TEST_F(EngineTest, NatGatewayAllows55000ConnectionsPerDestination) {
    EngineConfig config;
    config.conntrack_capacity_per_eni = 200000;
    start(config);
    std::size_t ok = 0;
    // 55,001 connections from distinct source ports to one destination (192.0.2.80, 443, tcp).
    for (std::uint32_t i = 0; i < 55001; ++i) {
        auto f =
            from_eni(app, "10.0.2.10", "192.0.2.80", tcp(static_cast<std::uint16_t>(1 + i), 443));
        ok += send(app, f).size();
    }
    EXPECT_EQ(ok, 55000u);
    EXPECT_EQ(drops(DropReason::NatPortsExhausted), 1u);
    // Another destination still has ports.
    EXPECT_EQ(send(app, from_eni(app, "10.0.2.10", "192.0.2.81", tcp(1, 443))).size(), 1u);
}

TEST_F(EngineTest, NatGatewayDropsOtherProtocolsAndTcpFragments) {
    start();
    EXPECT_TRUE(send(app, from_eni(app, "10.0.2.10", "192.0.2.80", Tins::RawPDU("gre"))).empty());
    EXPECT_EQ(drops(DropReason::NatUnsupported), 1u);

    Tins::EthernetII eth(hw(kRouterMac), hw(mac(app)));
    Tins::IP frag("192.0.2.80", "10.0.2.10");
    frag.flags(Tins::IP::MORE_FRAGMENTS);
    auto tcp_frag = eth / frag / tcp(40000, 443);
    EXPECT_TRUE(send(app, tcp_frag.serialize()).empty());
    EXPECT_EQ(drops(DropReason::NatUnsupported), 2u);
    // AWS: vpc-nat-gateway — UDP fragments are forwarded.
    auto udp_frag = eth / frag / Tins::UDP(53, 40000) / Tins::RawPDU(std::string(64, 'z'));
    EXPECT_EQ(send(app, udp_frag.serialize()).size(), 1u);
}

TEST_F(EngineTest, NatGatewayAnswersTtlExpiryFromItsPrivateAddress) {
    start();
    auto out = send(app, from_eni(app, "10.0.2.10", "192.0.2.80", Tins::UDP(33434, 40000), 1));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, app);
    auto reply = parse(out[0].bytes);
    EXPECT_EQ(reply.rfind_pdu<Tins::ICMP>().type(), Tins::ICMP::TIME_EXCEEDED);
    EXPECT_EQ(reply.rfind_pdu<Tins::IP>().src_addr(), Tins::IPv4Address("10.0.1.20"));
    expect_checksums_valid(out[0].bytes);
    EXPECT_EQ(drops(DropReason::TtlExceeded), 1u);
}

TEST_F(EngineTest, NatGatewayDoesNotServeItsOwnSubnet) {
    Index rt = b.route_table(vpc, "odd-rt");
    b.route(rt, "0.0.0.0/0", K::NatGateway, nat, "nat/nat-a");
    b.associate_route_table(pub, rt);
    start();
    EXPECT_TRUE(send(web, from_eni(web, "10.0.1.10", "192.0.2.80", tcp(40000, 443))).empty());
    EXPECT_EQ(drops(DropReason::NatOwnSubnet), 1u);
}

TEST_F(EngineTest, NatSubnetAclAppliesBothWays) {
    Index acl = b.acl(vpc, "public-acl");
    b.t.network_acls[acl].inbound = {B::acl_rule(100, true, net::Protocol::all(), "10.0.0.0/16")};
    b.t.network_acls[acl].outbound = {B::acl_rule(100, true, net::Protocol::all(), "0.0.0.0/0")};
    b.associate_acl(pub, acl);
    start();
    auto out = send(app, from_eni(app, "10.0.2.10", "192.0.2.80", tcp(40000, 443)));
    ASSERT_EQ(out.size(), 1u);
    std::uint16_t port = parse(out[0].bytes).rfind_pdu<Tins::TCP>().sport();
    // The reply enters the NAT gateway's subnet from the internet: inbound allows only 10/16.
    EXPECT_TRUE(send(kInternetPort, from_internet("192.0.2.80", "198.51.100.20",
                                                  tcp(443, port, Tins::TCP::SYN | Tins::TCP::ACK)))
                    .empty());
    EXPECT_EQ(drops(DropReason::AclDenied), 1u);
}

// An ICMP error from the internet quoting `quoted` (as the internet saw it).
std::vector<std::uint8_t> icmp_error_from_internet(const char* from, const char* to,
                                                   const std::vector<std::uint8_t>& quoted_frame) {
    Tins::EthernetII eth(hw(kRouterMac), hw(kInternetMac));
    Tins::ICMP icmp(Tins::ICMP::DEST_UNREACHABLE);
    icmp.code(3);  // port unreachable
    std::vector<std::uint8_t> quote(quoted_frame.begin() + 14, quoted_frame.begin() + 14 + 28);
    auto pkt = eth / Tins::IP(to, from) / icmp / Tins::RawPDU(quote);
    return pkt.serialize();
}

TEST_F(EngineTest, IcmpErrorsAreTranslatedBackThroughTheNatGateway) {
    start();
    auto out = send(app, from_eni(app, "10.0.2.10", "192.0.2.80", Tins::UDP(53, 40000)));
    ASSERT_EQ(out.size(), 1u);
    out =
        send(kInternetPort, icmp_error_from_internet("192.0.2.80", "198.51.100.20", out[0].bytes));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, app);
    expect_checksums_valid(out[0].bytes);  // the ICMP checksum covers the rewritten quote
    ParsedFrame pf = parse_frame(out[0].bytes);
    ASSERT_TRUE(pf.icmp_inner.present);
    EXPECT_EQ(pf.icmp_inner.tuple.to_string(), "udp 10.0.2.10:40000 -> 192.0.2.80:53");
    // The quoted IP header's checksum still verifies.
    std::span<const std::uint8_t> quoted(out[0].bytes.data() + pf.icmp_inner.l3,
                                         net::ipv4::kMinHeaderSize);
    EXPECT_EQ(net::fold(net::ones_sum(quoted)), 0xffff);
}

TEST_F(EngineTest, IcmpErrorsToAPublicAddressQuoteThePrivateOne) {
    // A tracked flow (from a /24, not 0.0.0.0/0): its ICMP errors pass as related traffic.
    b.t.security_groups[web_sg].ingress.push_back(
        B::sg_cidr(net::Protocol::tcp(), net::PortRange::single(8080), "192.0.2.0/24"));
    start();
    auto out = send(kInternetPort, from_internet("192.0.2.50", "203.0.113.10", tcp(50000, 8080)));
    ASSERT_EQ(out.size(), 1u);
    auto reply = send(web, from_eni(web, "10.0.1.10", "192.0.2.50",
                                    tcp(8080, 50000, Tins::TCP::SYN | Tins::TCP::ACK)));
    ASSERT_EQ(reply.size(), 1u);
    out =
        send(kInternetPort, icmp_error_from_internet("192.0.2.50", "203.0.113.10", reply[0].bytes));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, web);
    ParsedFrame pf = parse_frame(out[0].bytes);
    EXPECT_EQ(pf.icmp_inner.tuple.src.to_string(), "10.0.1.10");
    expect_checksums_valid(out[0].bytes);
}

// Splits the IPv4 packet of `frame` into two fragments at `split` bytes of payload (a multiple
// of 8), as a sender would.
std::vector<std::vector<std::uint8_t>> fragments_of(const std::vector<std::uint8_t>& frame,
                                                    std::size_t split, std::uint16_t id) {
    ParsedFrame pf = parse_frame(frame);
    std::size_t header = pf.ip_header_size;
    std::size_t payload = pf.ip_total_length - header;
    std::vector<std::vector<std::uint8_t>> out;
    for (int part = 0; part < 2; ++part) {
        std::size_t from = part == 0 ? 0 : split;
        std::size_t to = part == 0 ? split : payload;
        const auto l3 = static_cast<long>(net::ethernet::kHeaderSize);
        std::vector<std::uint8_t> f(frame.begin(), frame.begin() + l3 + static_cast<long>(header));
        f.insert(f.end(), frame.begin() + l3 + static_cast<long>(header + from),
                 frame.begin() + l3 + static_cast<long>(header + to));
        std::uint8_t* ip4 = f.data() + l3;
        net::store16(ip4 + net::ipv4::kTotalLength, static_cast<std::uint16_t>(header + to - from));
        net::store16(ip4 + net::ipv4::kId, id);
        net::store16(
            ip4 + net::ipv4::kFlagsFragment,
            static_cast<std::uint16_t>((part == 0 ? net::ipv4::kMoreFragments : 0) | (from / 8)));
        net::store16(ip4 + net::ipv4::kChecksum, 0);
        net::store16(ip4 + net::ipv4::kChecksum, net::checksum(net::ones_sum({ip4, header})));
        out.push_back(f);
    }
    return out;
}

TEST_F(EngineTest, LaterFragmentsFollowTheirFirstThroughSecurityGroups) {
    b.t.security_groups[web_sg].ingress.push_back(
        B::sg_cidr(net::Protocol::udp(), net::PortRange::single(53), "10.0.0.0/16"));
    start();
    auto whole = from_eni(app, "10.0.2.10", "10.0.1.10",
                          Tins::UDP(53, 40000) / Tins::RawPDU(std::string(2000, 'f')));
    auto parts = fragments_of(whole, 1000, 4242);
    EXPECT_EQ(send(app, parts[0]).size(), 1u);
    EXPECT_EQ(send(app, parts[1]).size(), 1u);
    // A later fragment of a datagram whose first fragment never passed is refused.
    auto stray = fragments_of(whole, 1000, 4343);
    EXPECT_TRUE(send(app, stray[1]).empty());
    EXPECT_EQ(drops(DropReason::SecurityGroupNoMatch), 1u);
}

// ---- Peering -------------------------------------------------------------------------------

// Three VPCs in a line, a - b - c, peered a-b and b-c; b has an internet gateway.
class PeeringTest : public ::testing::Test {
  protected:
    void SetUp() override {
        va = b.vpc("a", "10.1.0.0/16");
        vb = b.vpc("b", "10.2.0.0/16");
        vc = b.vpc("c", "10.3.0.0/16");
        sa = b.subnet(va, "a-sub", "10.1.1.0/24");
        sb = b.subnet(vb, "b-sub", "10.2.1.0/24");
        sc = b.subnet(vc, "c-sub", "10.3.1.0/24");
        igw_b = b.internet_gateway(vb);
        ab = b.peering("a-b", va, vb);
        bc = b.peering("b-c", vb, vc);
        for (Index v : {va, vb, vc}) {
            auto& sg = b.t.security_groups[b.t.vpcs[v].default_security_group];
            sg.ingress.push_back(B::sg_cidr(net::Protocol::all(), {}, "10.0.0.0/8"));
        }
        Index rta = b.t.vpcs[va].main_route_table;
        b.route(rta, "10.2.0.0/16", K::Peering, ab, "peering/a-b");
        b.route(rta, "10.3.0.0/16", K::Peering, ab, "peering/a-b");
        b.route(rta, "0.0.0.0/0", K::Peering, ab, "peering/a-b");
        Index rtb = b.t.vpcs[vb].main_route_table;
        b.route(rtb, "10.1.0.0/16", K::Peering, ab, "peering/a-b");
        b.route(rtb, "10.3.0.0/16", K::Peering, bc, "peering/b-c");
        b.route(rtb, "0.0.0.0/0", K::InternetGateway, igw_b, "igw");
        Index rtc = b.t.vpcs[vc].main_route_table;
        b.route(rtc, "10.2.0.0/16", K::Peering, bc, "peering/b-c");
        ia = b.instance("ia", sa, "10.1.1.10");
        ib = b.instance("ib", sb, "10.2.1.10", {}, "203.0.113.20");
        ic = b.instance("ic", sc, "10.3.1.10");
    }
    void start() { engine = std::make_unique<Engine>(b.t, sink); }
    std::vector<SentFrame> send(PortId port, const std::vector<std::uint8_t>& frame) {
        sink.frames.clear();
        engine->receive(port, frame, 0);
        return sink.frames;
    }
    std::uint64_t drops(DropReason r) const {
        return engine->snapshot().drops[static_cast<std::size_t>(r)];
    }

    TopologyBuilder b;
    Index va = 0, vb = 0, vc = 0, sa = 0, sb = 0, sc = 0, igw_b = 0, ab = 0, bc = 0;
    Index ia = 0, ib = 0, ic = 0;
    RecordingSink sink;
    std::unique_ptr<Engine> engine;
};

TEST_F(PeeringTest, ActivePeeringDeliversBothWays) {
    start();
    auto out = send(ia, frame_from(b.t.enis[ia].mac, "10.1.1.10", "10.2.1.10", echo()));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, ib);
    out = send(ib, frame_from(b.t.enis[ib].mac, "10.2.1.10", "10.1.1.10", echo(7, false)));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, ia);
}

TEST_F(PeeringTest, PeeringIsNotTransitive) {
    start();
    // a -> c through b: the packet arrived over a-b and would leave over b-c.
    EXPECT_TRUE(send(ia, frame_from(b.t.enis[ia].mac, "10.1.1.10", "10.3.1.10", echo())).empty());
    EXPECT_EQ(drops(DropReason::NotTransitive), 1u);
    // a -> the internet through b's internet gateway: no edge-to-edge routing.
    EXPECT_TRUE(send(ia, frame_from(b.t.enis[ia].mac, "10.1.1.10", "192.0.2.9", echo())).empty());
    EXPECT_EQ(drops(DropReason::NotTransitive), 2u);
}

TEST_F(PeeringTest, PendingPeeringIsABlackhole) {
    b.t.peerings[ab].status = model::PeeringStatus::PendingAcceptance;
    start();
    EXPECT_TRUE(send(ia, frame_from(b.t.enis[ia].mac, "10.1.1.10", "10.2.1.10", echo())).empty());
    EXPECT_EQ(drops(DropReason::Blackhole), 1u);
}

TEST_F(PeeringTest, WithoutARouteBackTrafficIsOneWay) {
    auto& routes = b.t.route_tables[b.t.vpcs[vc].main_route_table].routes;
    routes.pop_back();  // c has no route to b
    start();
    EXPECT_EQ(send(ib, frame_from(b.t.enis[ib].mac, "10.2.1.10", "10.3.1.10", echo())).size(), 1u);
    EXPECT_TRUE(
        send(ic, frame_from(b.t.enis[ic].mac, "10.3.1.10", "10.2.1.10", echo(7, false))).empty());
    EXPECT_EQ(drops(DropReason::NoRoute), 1u);
}

TEST_F(PeeringTest, InterRegionPeeringCarries1500Bytes) {
    b.t.region = "us-east-1";
    b.t.vpcs[vb].region = "eu-west-1";
    start();
    auto big = [&](bool df) {
        Tins::EthernetII eth(hw(kRouterMac), hw(b.t.enis[ia].mac));
        Tins::IP ipv4("10.2.1.10", "10.1.1.10");
        if (df) ipv4.flags(Tins::IP::DONT_FRAGMENT);
        auto pkt = eth / ipv4 / Tins::UDP(9000, 40000) / Tins::RawPDU(std::string(4000, 'p'));
        return pkt.serialize();
    };
    auto out = send(ia, big(true));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, ia);
    EXPECT_EQ(parse(out[0].bytes).rfind_pdu<Tins::ICMP>().mtu(), 1500);
    EXPECT_EQ(drops(DropReason::MtuExceeded), 1u);
    out = send(ia, big(false));
    ASSERT_EQ(out.size(), 3u);
    for (auto& f : out) {
        EXPECT_EQ(f.port, ib);
        EXPECT_LE(f.bytes.size(), 14u + 1500u);
    }
    // Within a region the VPC MTU (9001) applies: no fragmentation.
    b.t.vpcs[vb].region.clear();
    start();
    EXPECT_EQ(send(ia, big(true)).size(), 1u);
}

// ---- Connection tracking -------------------------------------------------------------------

TEST_F(EngineTest, RuleChangeCutsUntrackedFlowsButNotTrackedOnes) {
    start();
    // Untracked: web-sg allows tcp/80 from 0.0.0.0/0 and all traffic out to 0.0.0.0/0.
    ASSERT_EQ(
        send(kInternetPort, from_internet("192.0.2.50", "203.0.113.10", tcp(50000, 80))).size(),
        1u);
    EXPECT_EQ(engine->tracked_connections(web), 0u);
    // Tracked: tcp/80 from a /24, not 0.0.0.0/0.
    b.t.security_groups[web_sg].ingress.push_back(
        B::sg_cidr(net::Protocol::tcp(), net::PortRange::single(8080), "192.0.2.0/24"));
    start();
    ASSERT_EQ(
        send(kInternetPort, from_internet("192.0.2.50", "203.0.113.10", tcp(50000, 80))).size(),
        1u);
    ASSERT_EQ(
        send(kInternetPort, from_internet("192.0.2.50", "203.0.113.10", tcp(50001, 8080))).size(),
        1u);
    EXPECT_EQ(engine->tracked_connections(web), 1u);

    // Remove every inbound rule.
    engine->replace_security_group_rules(web_sg, {}, b.t.security_groups[web_sg].egress);
    Tins::TCP ack80 = tcp(50000, 80, Tins::TCP::ACK);
    Tins::TCP ack8080 = tcp(50001, 8080, Tins::TCP::ACK);
    // AWS: security-group-connection-tracking — the untracked flow is cut at once...
    EXPECT_TRUE(send(kInternetPort, from_internet("192.0.2.50", "203.0.113.10", ack80)).empty());
    // ...the tracked one continues.
    EXPECT_EQ(send(kInternetPort, from_internet("192.0.2.50", "203.0.113.10", ack8080)).size(), 1u);
    EXPECT_EQ(send(web, from_eni(web, "10.0.1.10", "192.0.2.50", tcp(8080, 50001, Tins::TCP::ACK)))
                  .size(),
              1u);
}

TEST_F(EngineTest, IcmpIsAlwaysTracked) {
    b.t.security_groups[web_sg].ingress.push_back(
        B::sg_cidr(net::Protocol::icmp(), {}, "0.0.0.0/0"));
    start();
    ASSERT_EQ(send(kInternetPort, from_internet("192.0.2.50", "203.0.113.10", echo())).size(), 1u);
    EXPECT_EQ(engine->tracked_connections(web), 1u);
}

TEST_F(EngineTest, ConntrackFullDropsNewFlows) {
    EngineConfig config;
    config.conntrack_capacity_per_eni = 2;
    start(config);
    EXPECT_EQ(send(app, from_eni(app, "10.0.2.10", "10.0.1.10", tcp(40000, 80))).size(), 1u);
    EXPECT_EQ(send(app, from_eni(app, "10.0.2.10", "10.0.1.10", tcp(40001, 80))).size(), 1u);
    EXPECT_TRUE(send(app, from_eni(app, "10.0.2.10", "10.0.1.10", tcp(40002, 80))).empty());
    EXPECT_EQ(drops(DropReason::ConntrackFull), 1u);
    // Packets of tracked flows still pass.
    EXPECT_EQ(
        send(app, from_eni(app, "10.0.2.10", "10.0.1.10", tcp(40000, 80, Tins::TCP::ACK))).size(),
        1u);
}

TEST_F(EngineTest, UdpTrackingTimesOutAfter30SecondsOr180WhenStreaming) {
    b.t.security_groups[web_sg].ingress.push_back(
        B::sg_cidr(net::Protocol::udp(), net::PortRange::single(53), "10.0.0.0/16"));
    start();
    auto request = from_eni(app, "10.0.2.10", "10.0.1.10", Tins::UDP(53, 40000));
    auto reply = from_eni(web, "10.0.1.10", "10.0.2.10", Tins::UDP(40000, 53));
    // app-sg has no inbound UDP rule: the reply passes only while the flow is tracked.
    ASSERT_EQ(send(app, request, 0).size(), 1u);
    EXPECT_TRUE(send(web, reply, 31 * kSec).empty());

    ASSERT_EQ(send(app, request, 100 * kSec).size(), 1u);
    ASSERT_EQ(send(web, reply, 101 * kSec).size(), 1u);
    ASSERT_EQ(send(app, request, 102 * kSec).size(), 1u);  // replies stream: 180 s
    EXPECT_EQ(send(web, reply, 250 * kSec).size(), 1u);
    EXPECT_TRUE(send(web, reply, 431 * kSec).empty());
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

// ---- Services, trace, counters -------------------------------------------------------------

TEST_F(EngineTest, ServicesAtFixedAddressesAreNamedDrops) {
    start();
    EXPECT_TRUE(send(web, from_eni(web, "10.0.1.10", "169.254.169.254", tcp(40000, 80))).empty());
    EXPECT_TRUE(send(web, from_eni(web, "10.0.1.10", "10.0.0.2", Tins::UDP(53, 40000))).empty());
    EXPECT_EQ(drops(DropReason::ServiceNotModelled), 2u);
    // AWS: 169.254.168.0/22 is never routed.
    EXPECT_TRUE(send(web, from_eni(web, "10.0.1.10", "169.254.168.1", echo())).empty());
    EXPECT_EQ(drops(DropReason::LinkLocal), 1u);
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

TEST_F(EngineTest, StoppedInstanceNeitherSendsNorReceives) {
    Index off = b.instance("off", pub, "10.0.1.60", {}, nullptr, true, false);
    start();
    EXPECT_TRUE(send(off, from_eni(off, "10.0.1.60", "10.0.1.10", echo())).empty());
    EXPECT_TRUE(send(web, from_eni(web, "10.0.1.10", "10.0.1.60", echo())).empty());
    EXPECT_EQ(drops(DropReason::InstanceStopped), 2u);
}

}  // namespace
}  // namespace vpcstack::engine::testing
