// ARP: the VPC router answers for its subnets' addresses, and for any address of the internet.
#include <gtest/gtest.h>
#include <tins/tins.h>

#include "../engine_fixture.hpp"

namespace vpcstack::engine::testing {
namespace {

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

}  // namespace
}  // namespace vpcstack::engine::testing
