#include "vpcstack/live/device.hpp"

#include <arpa/inet.h>
#include <fcntl.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/if_tun.h>
#include <net/if.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "vpcstack/live/vnet.hpp"

namespace vpcstack::live {

OpenedDevice open_tap(const std::string& name, const TapOptions& options) {
    OpenedDevice device;
    device.fd = Fd(::open("/dev/net/tun", O_RDWR | O_NONBLOCK | O_CLOEXEC));
    if (!device.fd.valid()) {
        throw SystemError("open /dev/net/tun", errno);
    }
    ifreq request{};
    std::strncpy(request.ifr_name, name.c_str(), IFNAMSIZ - 1);
    request.ifr_flags = IFF_TAP | IFF_NO_PI;
    if (options.vnet_hdr) {
        request.ifr_flags |= IFF_VNET_HDR;
    }
    if (::ioctl(device.fd.get(), TUNSETIFF, &request) != 0) {
        throw SystemError("create TAP " + name, errno);
    }
    if (options.vnet_hdr) {
        int size = static_cast<int>(sizeof(VirtioNetHdr));
        if (::ioctl(device.fd.get(), TUNSETVNETHDRSZ, &size) != 0) {
            throw SystemError("set vnet header size on TAP " + name, errno);
        }
        unsigned offloads = TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6;
        if (::ioctl(device.fd.get(), TUNSETOFFLOAD, offloads) != 0) {
            throw SystemError("set offloads on TAP " + name, errno);
        }
    }
    if (options.persist && ::ioctl(device.fd.get(), TUNSETPERSIST, 1) != 0) {
        throw SystemError("make TAP " + name + " persistent", errno);
    }
    device.ifindex = static_cast<int>(::if_nametoindex(request.ifr_name));
    if (device.ifindex == 0) {
        throw SystemError("find TAP " + name, errno);
    }
    return device;
}

Fd open_packet_socket(int ifindex, bool vnet_hdr) {
    Fd fd(::socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, htons(ETH_P_ALL)));
    if (!fd.valid()) {
        throw SystemError("open packet socket", errno);
    }
    if (vnet_hdr) {
        int one = 1;
        if (::setsockopt(fd.get(), SOL_PACKET, PACKET_VNET_HDR, &one, sizeof(one)) != 0) {
            throw SystemError("enable PACKET_VNET_HDR", errno);
        }
    }
    // Our own transmissions must not come back to us as received frames.
    int ignore = 1;
    ::setsockopt(fd.get(), SOL_PACKET, PACKET_IGNORE_OUTGOING, &ignore, sizeof(ignore));
    int buffer = 4 << 20;
    ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVBUFFORCE, &buffer, sizeof(buffer));
    ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDBUFFORCE, &buffer, sizeof(buffer));
    sockaddr_ll address{};
    address.sll_family = AF_PACKET;
    address.sll_protocol = htons(ETH_P_ALL);
    address.sll_ifindex = ifindex;
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
        throw SystemError("bind packet socket to link " + std::to_string(ifindex), errno);
    }
    return fd;
}

}  // namespace vpcstack::live
