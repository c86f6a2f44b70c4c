// What a NAT gateway translates, and its limits, in one place.
//
// AWS: vpc-nat-gateway — translates the source of TCP, UDP and ICMP query traffic to its private
// IP and a port from 1024-65535; other protocols are dropped. UDP fragments are forwarded, TCP and
// ICMP fragments dropped. At most 55,000 simultaneous connections per NAT IP to each unique
// destination (IP, port, protocol). Idle timeout 350 s. A TCP packet that is not a SYN and matches
// no translation is answered with a RST. It does not serve instances in its own subnet (observed).
#pragma once

#include <cstdint>

#include "vpcstack/model/topology.hpp"
#include "vpcstack/net/icmp.hpp"
#include "vpcstack/net/tcp.hpp"
#include "vpcstack/policy/match.hpp"

namespace vpcstack::policy {

inline constexpr std::uint16_t kNatFirstPort = 1024;
inline constexpr std::uint16_t kNatLastPort = 65535;
inline constexpr std::uint32_t kNatMaxConnectionsPerDestination = 55000;
inline constexpr std::uint64_t kNatIdleTimeoutSeconds = 350;

enum class NatHandling : std::uint8_t {
    Translate,         // rewrite source address and port (or ICMP query id)
    TranslateAddress,  // a non-first UDP fragment: no port to see, rewrite the address only
    Unsupported,       // a protocol or fragment the NAT gateway drops
};

struct NatPacketFacts {
    std::uint8_t protocol = 0;
    bool fragment = false;        // MF set or offset > 0
    bool first_fragment = false;  // offset 0
    bool icmp_query = false;      // net::icmp::is_query: echo and other messages carrying an id
};

NatHandling nat_handling(const NatPacketFacts& facts) noexcept;

// Does a NAT gateway translate traffic of an instance in `source_subnet`?
// Observed (Batfish model and lab): not for instances in its own subnet.
constexpr bool nat_serves(const model::NatGateway& nat, model::Index source_subnet) noexcept {
    return nat.subnet != source_subnet;
}

// ICMP through a NAT gateway is query traffic: a request (echo, timestamp, ...) opens a
// translation, and only the reply type of that request comes back through it. An ICMP query
// reply with no translation opens nothing (AWS: vpc-nat-gateway — the NAT gateway translates
// traffic initiated from inside; security-group-connection-tracking pairs queries by type).
constexpr bool icmp_opens_translation(std::uint8_t icmp_type) noexcept {
    return net::icmp::is_query_request(icmp_type);
}
constexpr bool icmp_answers_translation(std::uint8_t icmp_type) noexcept {
    return net::icmp::is_query_reply(icmp_type);
}

// AWS: vpc-nat-gateway — a TCP packet without a translation is answered with RST unless it is a
// SYN (which would open a new translation).
constexpr bool answer_with_rst(std::uint8_t tcp_flags) noexcept {
    bool pure_syn = (tcp_flags & net::tcp::kSyn) != 0 && (tcp_flags & net::tcp::kAck) == 0;
    return !pure_syn && (tcp_flags & net::tcp::kRst) == 0;
}

}  // namespace vpcstack::policy
