// The translation table of one NAT gateway.
//
// AWS: vpc-nat-gateway — the source of TCP, UDP and ICMP query traffic becomes the gateway's
// private IP and a port (or query id) from 1024-65535; replies are translated back only for
// existing translations; at most 55,000 simultaneous connections per destination (IP, port,
// protocol); a translation idle for 350 s expires.
#pragma once

#include <cstddef>
#include <cstdint>
#include <unordered_map>

#include "vpcstack/engine/port.hpp"
#include "vpcstack/net/protocol.hpp"

namespace vpcstack::engine {

struct NatMapping {
    net::FiveTuple inside;  // private source -> destination, as the instance sent it
    std::uint16_t nat_port = 0;
    TimeNs last_seen = 0;
};

class NatTable {
  public:
    NatTable(net::Ipv4Address nat_ip, std::uint32_t max_per_destination, TimeNs idle_timeout);

    // The translation of an outbound flow, refreshed; nullptr when none (or it expired).
    NatMapping* find_outbound(const net::FiveTuple& inside, TimeNs now) noexcept;
    // The translation an inbound packet (remote -> NAT IP:port) belongs to, refreshed.
    NatMapping* find_inbound(const net::FiveTuple& outside, TimeNs now) noexcept;

    enum class CreateOutcome : std::uint8_t { Created, PortsExhausted };
    struct Created {
        CreateOutcome outcome = CreateOutcome::PortsExhausted;
        NatMapping* mapping = nullptr;
    };
    Created create(const net::FiveTuple& inside, TimeNs now);

    std::size_t expire(TimeNs now);
    std::size_t size() const noexcept { return by_inside_.size(); }
    // Translations of one protocol (expired ones not yet swept included).
    std::size_t count(std::uint8_t protocol) const noexcept;
    // Forgets every translation; ports are handed out again as by a new table.
    void clear();
    // Takes over every translation of `from` (left empty) and its next port, replacing this
    // table's; the limits stay this table's. Both must be of the same NAT IP (the caller checks).
    // Translations hold tuples only, no ENI or port.
    void take_translations(NatTable& from) noexcept;
    net::Ipv4Address nat_ip() const noexcept { return nat_ip_; }
    // Connections now open to one destination (IP, port, protocol).
    std::uint32_t connections_to(const net::FiveTuple& inside) const noexcept;

  private:
    // The tuple of the reply as it reaches the NAT: remote -> NAT IP:port.
    net::FiveTuple outside_reply(const net::FiveTuple& inside, std::uint16_t port) const noexcept;
    static std::uint64_t destination_key(const net::FiveTuple& inside) noexcept;
    bool expired(const NatMapping& m, TimeNs now) const noexcept {
        return now >= m.last_seen && now - m.last_seen >= idle_timeout_;
    }
    void erase(const NatMapping& m);

    net::Ipv4Address nat_ip_;
    std::uint32_t max_per_destination_;
    TimeNs idle_timeout_;
    std::uint16_t next_port_;
    std::unordered_map<net::FiveTuple, NatMapping> by_inside_;
    std::unordered_map<net::FiveTuple, net::FiveTuple> by_outside_;  // reply tuple -> inside
    std::unordered_map<std::uint64_t, std::uint32_t> per_destination_;
};

}  // namespace vpcstack::engine
