#include "vpcstack/live/rtnetlink.hpp"

#include <arpa/inet.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

namespace vpcstack::live {

namespace {

// Appends POD bytes, padded to the netlink alignment.
template <typename T>
void append(std::vector<std::uint8_t>& buffer, const T& value) {
    const auto* bytes = reinterpret_cast<const std::uint8_t*>(&value);
    buffer.insert(buffer.end(), bytes, bytes + sizeof(T));
    buffer.resize(NLMSG_ALIGN(buffer.size()), 0);
}

void put_attr(std::vector<std::uint8_t>& buffer, std::uint16_t type, const void* data,
              std::size_t length) {
    rtattr attr{};
    attr.rta_len = static_cast<unsigned short>(RTA_LENGTH(length));
    attr.rta_type = type;
    const auto* head = reinterpret_cast<const std::uint8_t*>(&attr);
    buffer.insert(buffer.end(), head, head + sizeof(attr));
    const auto* bytes = static_cast<const std::uint8_t*>(data);
    buffer.insert(buffer.end(), bytes, bytes + length);
    buffer.resize(NLMSG_ALIGN(buffer.size()), 0);
}

template <typename T>
void put(std::vector<std::uint8_t>& buffer, std::uint16_t type, const T& value) {
    put_attr(buffer, type, &value, sizeof(T));
}

void put_string(std::vector<std::uint8_t>& buffer, std::uint16_t type, const std::string& text) {
    put_attr(buffer, type, text.c_str(), text.size() + 1);
}

// Nested attributes: open() returns where the header is, close() fixes its length.
std::size_t open_nest(std::vector<std::uint8_t>& buffer, std::uint16_t type) {
    std::size_t at = buffer.size();
    put_attr(buffer, type, nullptr, 0);
    return at;
}

void close_nest(std::vector<std::uint8_t>& buffer, std::size_t at) {
    auto length = static_cast<unsigned short>(buffer.size() - at);
    std::memcpy(buffer.data() + at, &length, sizeof(length));
}

std::uint32_t network_order(net::Ipv4Address address) {
    return htonl(address.value());
}

}  // namespace

RtNetlink::RtNetlink() : socket_(::socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE)) {
    if (!socket_.valid()) {
        throw SystemError("open rtnetlink socket", errno);
    }
    sockaddr_nl local{};
    local.nl_family = AF_NETLINK;
    if (::bind(socket_.get(), reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
        throw SystemError("bind rtnetlink socket", errno);
    }
    // Extended acks carry the kernel's own text for a refused request.
    int one = 1;
    ::setsockopt(socket_.get(), SOL_NETLINK, NETLINK_EXT_ACK, &one, sizeof(one));
}

RtNetlink::Request& RtNetlink::begin(std::uint16_t type, std::uint16_t flags, std::string what) {
    Request& request = requests_.emplace_back();
    request.what = std::move(what);
    nlmsghdr header{};
    header.nlmsg_type = type;
    header.nlmsg_flags = static_cast<std::uint16_t>(NLM_F_REQUEST | NLM_F_ACK | flags);
    header.nlmsg_seq = sequence_++;
    append(request.bytes, header);
    return request;
}

void RtNetlink::set_link(const LinkSettings& settings) {
    Request& request = begin(RTM_NEWLINK, 0, "set link " + std::to_string(settings.ifindex));
    ifinfomsg info{};
    info.ifi_family = AF_UNSPEC;
    info.ifi_index = settings.ifindex;
    info.ifi_flags = settings.up ? IFF_UP : 0;
    info.ifi_change = IFF_UP;
    append(request.bytes, info);
    if (settings.mac) {
        put_attr(request.bytes, IFLA_ADDRESS, settings.mac->octets().data(), 6);
    }
    if (settings.mtu) {
        put(request.bytes, IFLA_MTU, *settings.mtu);
    }
}

void RtNetlink::add_veth(const VethSpec& spec) {
    Request& request = begin(RTM_NEWLINK, NLM_F_CREATE | NLM_F_EXCL,
                             "create veth " + spec.name + " / " + spec.peer_name);
    auto& b = request.bytes;
    ifinfomsg info{};
    info.ifi_family = AF_UNSPEC;
    info.ifi_index = spec.ifindex;
    append(b, info);
    put_string(b, IFLA_IFNAME, spec.name);
    put_attr(b, IFLA_ADDRESS, spec.mac.octets().data(), 6);
    put(b, IFLA_MTU, spec.mtu);
    std::size_t linkinfo = open_nest(b, IFLA_LINKINFO);
    put_string(b, IFLA_INFO_KIND, "veth");
    std::size_t data = open_nest(b, IFLA_INFO_DATA);
    std::size_t peer = open_nest(b, VETH_INFO_PEER);
    ifinfomsg peer_info{};
    peer_info.ifi_family = AF_UNSPEC;
    peer_info.ifi_index = spec.peer_ifindex;
    // The peer cannot be set up here: it is configured before the pair is joined and veth
    // refuses to open an end without its peer (ENOTCONN). Set it up with set_link afterwards.
    append(b, peer_info);
    put_string(b, IFLA_IFNAME, spec.peer_name);
    if (spec.peer_mac) {
        put_attr(b, IFLA_ADDRESS, spec.peer_mac->octets().data(), 6);
    }
    put(b, IFLA_MTU, spec.peer_mtu);
    if (spec.peer_netns_fd >= 0) {
        std::uint32_t fd = static_cast<std::uint32_t>(spec.peer_netns_fd);
        put(b, IFLA_NET_NS_FD, fd);
    }
    close_nest(b, peer);
    close_nest(b, data);
    close_nest(b, linkinfo);
}

void RtNetlink::add_address(int ifindex, net::Ipv4Address address, std::uint8_t prefix_length) {
    Request& request =
        begin(RTM_NEWADDR, NLM_F_CREATE | NLM_F_REPLACE,
              "add address " + address.to_string() + "/" + std::to_string(prefix_length) +
                  " on link " + std::to_string(ifindex));
    ifaddrmsg info{};
    info.ifa_family = AF_INET;
    info.ifa_prefixlen = prefix_length;
    info.ifa_index = static_cast<std::uint32_t>(ifindex);
    info.ifa_scope = RT_SCOPE_UNIVERSE;
    append(request.bytes, info);
    std::uint32_t raw = network_order(address);
    put(request.bytes, IFA_LOCAL, raw);
    put(request.bytes, IFA_ADDRESS, raw);
}

void RtNetlink::add_route(int ifindex, net::Cidr destination,
                          std::optional<net::Ipv4Address> gateway, bool onlink,
                          std::optional<net::Ipv4Address> preferred_source) {
    Request& request = begin(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE,
                             "add route " + destination.to_string() +
                                 (gateway ? " via " + gateway->to_string() : std::string()));
    rtmsg info{};
    info.rtm_family = AF_INET;
    info.rtm_dst_len = destination.length();
    info.rtm_table = RT_TABLE_MAIN;
    info.rtm_protocol = RTPROT_BOOT;
    info.rtm_scope = gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
    info.rtm_type = RTN_UNICAST;
    info.rtm_flags = onlink ? RTNH_F_ONLINK : 0;
    append(request.bytes, info);
    if (destination.length() > 0) {
        put(request.bytes, RTA_DST, network_order(destination.network()));
    }
    if (gateway) {
        put(request.bytes, RTA_GATEWAY, network_order(*gateway));
    }
    if (preferred_source) {
        put(request.bytes, RTA_PREFSRC, network_order(*preferred_source));
    }
    std::uint32_t oif = static_cast<std::uint32_t>(ifindex);
    put(request.bytes, RTA_OIF, oif);
}

void RtNetlink::delete_link(int ifindex) {
    Request& request = begin(RTM_DELLINK, 0, "delete link " + std::to_string(ifindex));
    ifinfomsg info{};
    info.ifi_family = AF_UNSPEC;
    info.ifi_index = ifindex;
    append(request.bytes, info);
}

void RtNetlink::commit() {
    if (requests_.empty()) {
        return;
    }
    std::vector<iovec> parts;
    parts.reserve(requests_.size());
    for (auto& request : requests_) {
        auto* header = reinterpret_cast<nlmsghdr*>(request.bytes.data());
        header->nlmsg_len = static_cast<std::uint32_t>(request.bytes.size());
        parts.push_back({request.bytes.data(), request.bytes.size()});
    }
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    msghdr message{};
    message.msg_name = &kernel;
    message.msg_namelen = sizeof(kernel);
    message.msg_iov = parts.data();
    message.msg_iovlen = parts.size();
    if (::sendmsg(socket_.get(), &message, 0) < 0) {
        int error = errno;
        requests_.clear();
        throw SystemError("send rtnetlink requests", error);
    }

    const std::uint32_t first =
        reinterpret_cast<nlmsghdr*>(requests_.front().bytes.data())->nlmsg_seq;
    std::size_t outstanding = requests_.size();
    std::string failure;
    int failure_errno = 0;
    std::array<std::uint8_t, 16384> buffer{};
    while (outstanding > 0) {
        ssize_t length = ::recv(socket_.get(), buffer.data(), buffer.size(), 0);
        if (length < 0) {
            if (errno == EINTR) {
                continue;
            }
            int error = errno;
            requests_.clear();
            throw SystemError("receive rtnetlink acknowledgements", error);
        }
        int remaining = static_cast<int>(length);
        for (auto* header = reinterpret_cast<nlmsghdr*>(buffer.data()); NLMSG_OK(header, remaining);
             header = NLMSG_NEXT(header, remaining)) {
            if (header->nlmsg_type != NLMSG_ERROR) {
                continue;
            }
            const auto* error = reinterpret_cast<const nlmsgerr*>(
                reinterpret_cast<const std::uint8_t*>(header) + NLMSG_HDRLEN);
            --outstanding;
            if (error->error != 0 && failure.empty()) {
                std::size_t index = error->msg.nlmsg_seq - first;
                failure = index < requests_.size() ? requests_[index].what : "rtnetlink request";
                failure_errno = -error->error;
            }
        }
    }
    requests_.clear();
    if (!failure.empty()) {
        throw SystemError(failure, failure_errno);
    }
}

}  // namespace vpcstack::live
