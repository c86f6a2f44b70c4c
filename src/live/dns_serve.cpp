#include "vpcstack/live/dns_serve.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <sys/stat.h>

#include <array>
#include <cerrno>
#include <vector>

#include "vpcstack/dns/message.hpp"
#include "vpcstack/live/health_checks.hpp"
#include "vpcstack/sim/health_checks.hpp"
#include "vpcstack/sim/load_balancer_health.hpp"

namespace vpcstack::live {

DnsServer::DnsServer(const model::Topology& topology, const std::string& address,
                     std::uint16_t port, std::string health_file)
    : views_(topology, sim::load_balancer_health_fn(topology, sim::probe_load_balancers(topology))),
      health_file_(std::move(health_file)) {
    for (const auto& [name, status] : sim::probe_health_checks(topology)) {
        healthy_[name] = status.healthy;
    }
    refresh_health();
    socket_ = Fd(::socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0));
    if (!socket_.valid()) throw SystemError("socket", errno);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_port = htons(port);
    if (::inet_pton(AF_INET, address.c_str(), &local.sin_addr) != 1) {
        throw SystemError("address " + address, EINVAL);
    }
    if (::bind(socket_.get(), reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
        throw SystemError("bind " + address + ":" + std::to_string(port), errno);
    }
    socklen_t length = sizeof(local);
    ::getsockname(socket_.get(), reinterpret_cast<sockaddr*>(&local), &length);
    port_ = ntohs(local.sin_port);
}

void DnsServer::refresh_health() {
    if (health_file_.empty()) return;
    struct stat st {};
    if (::stat(health_file_.c_str(), &st) != 0) return;
    // The engine replaces the file by a rename: a new inode is a new version.
    if (st.st_ino == health_inode_ && st.st_mtim.tv_sec == health_mtime_.tv_sec &&
        st.st_mtim.tv_nsec == health_mtime_.tv_nsec) {
        return;
    }
    if (auto statuses = read_health_statuses(health_file_)) {
        for (const auto& [name, healthy] : *statuses) healthy_[name] = healthy;
        health_inode_ = st.st_ino;
        health_mtime_ = st.st_mtim;
    }
}

std::uint64_t DnsServer::run(int stop_fd) {
    std::uint64_t answered = 0;
    std::array<std::uint8_t, 65536> buffer{};
    for (;;) {
        std::array<pollfd, 2> fds{{{socket_.get(), POLLIN, 0}, {stop_fd, POLLIN, 0}}};
        if (::poll(fds.data(), fds.size(), -1) < 0) {
            if (errno == EINTR) continue;
            throw SystemError("poll", errno);
        }
        if ((fds[1].revents & POLLIN) != 0) return answered;
        if ((fds[0].revents & POLLIN) == 0) continue;
        sockaddr_in peer{};
        socklen_t peer_length = sizeof(peer);
        const ssize_t n = ::recvfrom(socket_.get(), buffer.data(), buffer.size(), 0,
                                     reinterpret_cast<sockaddr*>(&peer), &peer_length);
        if (n <= 0) continue;
        dns::ParseFailure failure;
        std::optional<dns::Query> query =
            dns::parse_query({buffer.data(), static_cast<std::size_t>(n)}, &failure);
        std::vector<std::uint8_t> wire;
        if (!query) {
            wire = dns::build_error_response(failure);
        } else {
            refresh_health();
            // AWS: routing-policy-geo, routing-policy-latency — placed by the query's source:
            // the internet host of that address, by its `location`.
            const dns::ClientInfo client =
                views_.internet_client(net::Ipv4Address(ntohl(peer.sin_addr.s_addr)));
            auto healthy = [this](std::string_view check) {
                auto it = healthy_.find(std::string(check));
                return it == healthy_.end() || it->second;
            };
            dns::Resolution r = dns::resolve(views_.internet(), query->question, client, healthy,
                                             views_.alias(), random_);
            // Outside the topology's public zones the lab's internet knows no name.
            if (!r.in_view()) r.answer.rcode = dns::Rcode::NxDomain;
            wire = dns::build_response(*query, r.answer, /*tcp=*/false);
        }
        if (wire.empty()) continue;
        ::sendto(socket_.get(), wire.data(), wire.size(), 0, reinterpret_cast<sockaddr*>(&peer),
                 peer_length);
        ++answered;
    }
}

}  // namespace vpcstack::live
