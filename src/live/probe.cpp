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
#include <cstring>

#include "vpcstack/live/netns.hpp"

namespace vpcstack::live {

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
    std::array<std::uint8_t, 42> frame{};
    auto put_ip = [](std::uint8_t* at, net::Ipv4Address ip) {
        std::uint32_t v = ip.value();
        at[0] = static_cast<std::uint8_t>(v >> 24);
        at[1] = static_cast<std::uint8_t>(v >> 16);
        at[2] = static_cast<std::uint8_t>(v >> 8);
        at[3] = static_cast<std::uint8_t>(v);
    };
    std::memset(frame.data(), 0xff, 6);
    std::memcpy(frame.data() + 6, source_mac.octets().data(), 6);
    frame[12] = 0x08;
    frame[13] = 0x06;
    const std::uint8_t arp_header[8] = {0x00, 0x01, 0x08, 0x00, 6, 4, 0x00, 0x01};
    std::memcpy(frame.data() + 14, arp_header, 8);
    std::memcpy(frame.data() + 22, source_mac.octets().data(), 6);
    put_ip(frame.data() + 28, source);
    put_ip(frame.data() + 38, target);

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
        if (n < 42) {
            continue;
        }
        std::array<std::uint8_t, 4> wanted{};
        put_ip(wanted.data(), target);
        const bool is_reply = reply[12] == 0x08 && reply[13] == 0x06 && reply[20] == 0x00 &&
                              reply[21] == 0x02 &&
                              std::memcmp(reply.data() + 28, wanted.data(), 4) == 0;
        if (!is_reply) {
            continue;
        }
        ArpAnswer answer;
        std::array<std::uint8_t, 6> mac{};
        std::memcpy(mac.data(), reply.data() + 22, 6);
        answer.mac = net::MacAddress(mac);
        answer.milliseconds =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        return answer;
    }
}

}  // namespace vpcstack::live
