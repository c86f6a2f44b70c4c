#include "vpcstack/live/rtnetlink.hpp"

#include <arpa/inet.h>
#include <linux/fib_rules.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/veth.h>
#include <sys/socket.h>
#include <sys/time.h>
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

// A batch's messages may not exceed the socket's send buffer (EMSGSIZE); this keeps far below.
constexpr std::size_t kBatchBytes = 32 * 1024;
// The kernel answers a batch before sendmsg returns; a wait this long means no answer will come.
constexpr int kAckTimeoutSeconds = 10;

// Table ids above 255 do not fit the header's 8-bit field and travel as an attribute.
std::uint8_t header_table(std::uint32_t table) {
    return table < 256 ? static_cast<std::uint8_t>(table)
                       : static_cast<std::uint8_t>(RT_TABLE_UNSPEC);
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
    timeval timeout{};
    timeout.tv_sec = kAckTimeoutSeconds;
    ::setsockopt(socket_.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
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

void RtNetlink::add_route(const RouteSpec& route) {
    std::string what = "add route " + route.destination.to_string();
    if (route.gateway) {
        what += " via " + route.gateway->to_string();
    }
    if (route.table != RT_TABLE_MAIN) {
        what += " table " + std::to_string(route.table);
    }
    Request& request = begin(RTM_NEWROUTE, NLM_F_CREATE | NLM_F_REPLACE, std::move(what));
    rtmsg info{};
    info.rtm_family = AF_INET;
    info.rtm_dst_len = route.destination.length();
    info.rtm_table = header_table(route.table);
    info.rtm_protocol = RTPROT_BOOT;
    info.rtm_scope = route.gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
    info.rtm_type = RTN_UNICAST;
    info.rtm_flags = route.onlink ? RTNH_F_ONLINK : 0;
    append(request.bytes, info);
    put(request.bytes, RTA_TABLE, route.table);
    if (route.destination.length() > 0) {
        put(request.bytes, RTA_DST, network_order(route.destination.network()));
    }
    if (route.gateway) {
        put(request.bytes, RTA_GATEWAY, network_order(*route.gateway));
    }
    if (route.preferred_source) {
        put(request.bytes, RTA_PREFSRC, network_order(*route.preferred_source));
    }
    std::uint32_t oif = static_cast<std::uint32_t>(route.ifindex);
    put(request.bytes, RTA_OIF, oif);
}

void RtNetlink::add_rule(const RuleSpec& rule) {
    Request& request = begin(RTM_NEWRULE, NLM_F_CREATE | NLM_F_EXCL,
                             "add rule " + std::to_string(rule.priority) + ": from " +
                                 rule.source.to_string() + " lookup " + std::to_string(rule.table));
    fib_rule_hdr info{};
    info.family = AF_INET;
    info.src_len = rule.source.length();
    info.table = header_table(rule.table);
    info.action = FR_ACT_TO_TBL;
    append(request.bytes, info);
    put(request.bytes, FRA_TABLE, rule.table);
    put(request.bytes, FRA_PRIORITY, rule.priority);
    if (rule.source.length() > 0) {
        put(request.bytes, FRA_SRC, network_order(rule.source.network()));
    }
}

void RtNetlink::delete_link(int ifindex) {
    Request& request = begin(RTM_DELLINK, 0, "delete link " + std::to_string(ifindex));
    ifinfomsg info{};
    info.ifi_family = AF_UNSPEC;
    info.ifi_index = ifindex;
    append(request.bytes, info);
}

void RtNetlink::commit() {
    std::string failure;
    int failure_errno = 0;
    try {
        std::size_t first = 0;
        while (first < requests_.size()) {
            std::size_t last = first;
            std::size_t bytes = 0;
            while (last < requests_.size() && last - first < batch_ &&
                   (last == first || bytes + requests_[last].bytes.size() <= kBatchBytes)) {
                bytes += requests_[last].bytes.size();
                ++last;
            }
            send_batch(first, last, &failure, &failure_errno);
            first = last;
        }
    } catch (...) {
        requests_.clear();
        throw;
    }
    requests_.clear();
    if (!failure.empty()) {
        throw SystemError(failure, failure_errno);
    }
}

void RtNetlink::send_batch(std::size_t first, std::size_t last, std::string* failure,
                           int* failure_errno) {
    std::vector<iovec> parts;
    parts.reserve(last - first);
    for (std::size_t i = first; i < last; ++i) {
        auto& bytes = requests_[i].bytes;
        auto* header = reinterpret_cast<nlmsghdr*>(bytes.data());
        header->nlmsg_len = static_cast<std::uint32_t>(bytes.size());
        parts.push_back({bytes.data(), bytes.size()});
    }
    sockaddr_nl kernel{};
    kernel.nl_family = AF_NETLINK;
    msghdr message{};
    message.msg_name = &kernel;
    message.msg_namelen = sizeof(kernel);
    message.msg_iov = parts.data();
    message.msg_iovlen = parts.size();
    if (::sendmsg(socket_.get(), &message, 0) < 0) {
        throw SystemError("send rtnetlink requests", errno);
    }

    const std::uint32_t first_sequence =
        reinterpret_cast<nlmsghdr*>(requests_[first].bytes.data())->nlmsg_seq;
    const std::size_t count = last - first;
    std::size_t outstanding = count;
    std::array<std::uint8_t, 16384> buffer{};
    while (outstanding > 0) {
        ssize_t length = ::recv(socket_.get(), buffer.data(), buffer.size(), 0);
        if (length < 0) {
            if (errno == EINTR) {
                continue;
            }
            const int error = errno;
            const std::string unconfirmed = std::to_string(outstanding) + " of " +
                                            std::to_string(count) + " requests unconfirmed";
            if (error == ENOBUFS) {
                throw SystemError(
                    "receive rtnetlink acknowledgements: the receive buffer "
                    "overflowed and the kernel dropped some (" +
                        unconfirmed + ")",
                    error);
            }
            if (error == EAGAIN || error == EWOULDBLOCK) {
                throw SystemError("receive rtnetlink acknowledgements: none for " +
                                      std::to_string(kAckTimeoutSeconds) + " s (" + unconfirmed +
                                      ")",
                                  ETIMEDOUT);
            }
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
            const std::size_t index = error->msg.nlmsg_seq - first_sequence;
            if (index >= count) {
                continue;  // not an answer to this batch
            }
            --outstanding;
            if (error->error != 0 && failure->empty()) {
                *failure = requests_[first + index].what;
                *failure_errno = -error->error;
            }
        }
    }
}

}  // namespace vpcstack::live
