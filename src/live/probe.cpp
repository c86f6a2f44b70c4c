#include "vpcstack/live/probe.hpp"

#include <arpa/inet.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <net/if.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <array>
#include <cerrno>

#include "vpcstack/live/netns.hpp"
#include "vpcstack/net/arp.hpp"
#include "vpcstack/net/bytes.hpp"
#include "vpcstack/net/ethernet.hpp"

namespace vpcstack::live {

namespace ethernet = net::ethernet;
namespace arp = net::arp;

std::optional<ArpAnswer> probe_arp(const std::string& netns, const std::string& device,
                                   net::MacAddress source_mac, net::Ipv4Address source,
                                   net::Ipv4Address target, std::chrono::milliseconds timeout) {
    Fd ns = open_named_netns(netns);
    if (!ns.valid()) {
        throw SystemError("open namespace " + netns, errno);
    }
    Fd sock;
    int ifindex = 0;
    {
        NetnsGuard inside(ns.get());
        ifindex = static_cast<int>(::if_nametoindex(device.c_str()));
        if (ifindex == 0) {
            throw SystemError("find " + device + " in " + netns, errno);
        }
        sock = Fd(::socket(AF_PACKET, SOCK_RAW | SOCK_CLOEXEC, htons(ETH_P_ARP)));
        if (!sock.valid()) {
            throw SystemError("open packet socket in " + netns, errno);
        }
        sockaddr_ll address{};
        address.sll_family = AF_PACKET;
        address.sll_protocol = htons(ETH_P_ARP);
        address.sll_ifindex = ifindex;
        if (::bind(sock.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
            throw SystemError("bind packet socket in " + netns, errno);
        }
    }
    // Ethernet broadcast, then an ARP request "who-has target tell source".
    constexpr std::size_t kArpFrame = ethernet::kHeaderSize + arp::kSize;
    std::array<std::uint8_t, kArpFrame> frame{};
    net::store_mac(frame.data() + ethernet::kDstMac, net::MacAddress::broadcast());
    net::store_mac(frame.data() + ethernet::kSrcMac, source_mac);
    net::store16(frame.data() + ethernet::kEtherType, ethernet::kTypeArp);
    std::uint8_t* request = frame.data() + ethernet::kHeaderSize;
    net::store16(request + arp::kHardwareType, arp::kHardwareEthernet);
    net::store16(request + arp::kProtocolType, ethernet::kTypeIpv4);
    request[arp::kHardwareSize] = arp::kEthernetAddressSize;
    request[arp::kProtocolSize] = arp::kIpv4AddressSize;
    net::store16(request + arp::kOperation, arp::kRequest);
    net::store_mac(request + arp::kSenderMac, source_mac);
    net::store32(request + arp::kSenderIp, source.value());
    net::store32(request + arp::kTargetIp, target.value());  // the target MAC stays zero

    const auto start = std::chrono::steady_clock::now();
    if (::send(sock.get(), frame.data(), frame.size(), 0) < 0) {
        throw SystemError("send ARP request in " + netns, errno);
    }
    std::array<std::uint8_t, 2048> reply{};
    for (;;) {
        auto left = timeout - std::chrono::duration_cast<std::chrono::milliseconds>(
                                  std::chrono::steady_clock::now() - start);
        if (left.count() <= 0) {
            return std::nullopt;
        }
        pollfd p{sock.get(), POLLIN, 0};
        if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
            continue;
        }
        ssize_t n = ::recv(sock.get(), reply.data(), reply.size(), 0);
        if (n < static_cast<ssize_t>(kArpFrame)) {
            continue;
        }
        const std::uint8_t* answer_arp = reply.data() + ethernet::kHeaderSize;
        const bool is_reply =
            net::load16(reply.data() + ethernet::kEtherType) == ethernet::kTypeArp &&
            net::load16(answer_arp + arp::kOperation) == arp::kReply &&
            net::load32(answer_arp + arp::kSenderIp) == target.value();
        if (!is_reply) {
            continue;
        }
        ArpAnswer answer;
        answer.mac = net::load_mac(answer_arp + arp::kSenderMac);
        answer.milliseconds =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        return answer;
    }
}

}  // namespace vpcstack::live
