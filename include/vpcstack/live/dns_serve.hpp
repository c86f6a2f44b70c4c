// The internet's name server of a live lab (`vpcctl serve dns`, started by `lab up` in the
// internet namespace on 127.0.0.53, which the namespace's resolv.conf names): it answers what
// the world would from the topology's public hosted zones, the instances' public hostnames (their
// public addresses, as seen from outside their VPC) and the aliases to load balancers, and
// NXDOMAIN for every other name, so that a lab never asks the real internet. The zones are
// model/dns_views.hpp's, the answers dns/zones.hpp's, as the VPC resolver gives them. UDP only.
#pragma once

#include <sys/types.h>
#include <time.h>

#include <cstdint>
#include <map>
#include <string>

#include "vpcstack/live/netns.hpp"
#include "vpcstack/model/dns_views.hpp"
#include "vpcstack/model/topology.hpp"

namespace vpcstack::live {

inline constexpr std::string_view kInternetNameServer = "127.0.0.53";

class DnsServer {
  public:
    // Binds UDP `address`:`port` (0: any free port); throws SystemError. The topology must
    // outlive the server. `health_file`: a lab's health-checks.json (health_checks.hpp), read
    // again before a query whenever the engine has replaced it.
    DnsServer(const model::Topology& topology, const std::string& address, std::uint16_t port,
              std::string health_file = "");

    std::uint16_t port() const noexcept { return port_; }
    // Answers until `stop_fd` is readable; returns the number of queries answered. Throws
    // SystemError when polling fails.
    std::uint64_t run(int stop_fd);

  private:
    // Aliases with evaluate target health see the load balancers' health as the simulation
    // probes it when the server starts (sim/load_balancer_health.hpp).
    model::DnsViews views_;
    void refresh_health();

    // Route 53 health checks as the simulation probes them when the server starts
    // (sim/health_checks.hpp), then as the lab's engine probes them live (`health_file_`).
    std::map<std::string, bool> healthy_;
    std::string health_file_;
    ino_t health_inode_ = 0;
    timespec health_mtime_{};
    dns::Random random_{0x5eed};
    Fd socket_;
    std::uint16_t port_ = 0;
};

}  // namespace vpcstack::live
