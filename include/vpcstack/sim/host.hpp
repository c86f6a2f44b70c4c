// A simulated host: one network stack with one interface per port, speaking real frames.
//
// It behaves as a Linux host would: ARP to resolve its next hop (cached, retried, then given
// up), ICMP echo, TCP (a listening port answers SYN with SYN-ACK; a closed port, or a segment
// that belongs to no connection, gets a RST), UDP (an open port answers with a datagram; a
// closed port gets ICMP port unreachable), ICMP protocol unreachable for other protocols. A host
// with forwarding on routes packets not addressed to it (an instance whose source/destination
// check is off, acting as a router or firewall).
//
// Outcomes of what the host starts (a connection, a datagram, a ping, a crafted packet) are kept
// as FlowRecords; every frame it receives is kept in its inbox with what it did about it.
#pragma once

#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vpcstack/engine/port.hpp"
#include "vpcstack/net/ipv4.hpp"
#include "vpcstack/net/protocol.hpp"
#include "vpcstack/sim/event_queue.hpp"
#include "vpcstack/sim/packet.hpp"

namespace vpcstack::sim {

struct HostInterface {
    std::string name;  // the ENI's name, "internet" for the internet
    engine::PortId port = 0;
    net::MacAddress mac;
    std::vector<net::Ipv4Address> addresses;  // primary first
    net::Cidr subnet;                         // on-link prefix; /0 for the internet
    std::optional<net::Ipv4Address>
        gateway;  // the subnet router (.1); none: every address is on-link
};

enum class Outcome : std::uint8_t {
    Pending,     // nothing decisive yet
    Connected,   // TCP: SYN-ACK received and acknowledged
    Refused,     // TCP: RST received in answer to the SYN
    Replied,     // UDP or ICMP echo: an answer came back
    IcmpError,   // an ICMP error about the flow came back (unreachable, frag needed, ...)
    Reset,       // TCP: an established connection was reset
    TimedOut,    // no answer before the timeout
    Unresolved,  // ARP for the next hop went unanswered
};
std::string_view to_string(Outcome outcome);

using FlowId = std::size_t;

struct FlowRecord {
    FlowId id = 0;
    std::string host;      // the host that started it
    std::string kind;      // "tcp connect", "udp", "ping", "packet"
    net::FiveTuple tuple;  // as the host sent it
    engine::PortId port = 0;
    Outcome outcome = Outcome::Pending;
    TimeNs started = 0;
    TimeNs decided = 0;
    std::optional<IcmpView> icmp_error;
    net::Ipv4Address icmp_from;  // who sent the ICMP error
    std::uint32_t replies = 0;   // answers received (datagrams, echo replies, segments)
    std::uint32_t tcp_seq = 0;   // next sequence number to send (TCP)
    std::uint32_t tcp_ack = 0;   // next sequence number expected from the peer (TCP)
    bool done() const noexcept { return outcome != Outcome::Pending; }
};

// Every FlowRecord of a simulation, whichever host started it.
using FlowBook = std::deque<FlowRecord>;

// What a host did with a frame it received.
enum class HostAction : std::uint8_t {
    Receive,  // took it (a reply it waited for, an ARP answer, a handshake's last ACK, ...)
    Answer,   // sent something back (SYN-ACK, RST, echo reply, ICMP error, ...)
    Forward,  // routed it on (a middlebox instance)
    Local,    // its own stack delivered a packet it sent to one of its own addresses
    Ignore,   // dropped or ignored it (not for this host, unexpected, malformed)
};
std::string_view to_string(HostAction action);  // "receive", "answer", "forward", "ignore"

struct HostReport {
    HostAction action = HostAction::Receive;
    std::string detail;  // the host's own words: "tcp/80 listening: answered SYN-ACK"
};

struct Received {
    TimeNs time = 0;
    engine::PortId port = 0;
    DecodedFrame frame;
    std::string summary;
    HostReport report;
    bool local = false;  // sent by the host itself to one of its own addresses
};

struct HostTimeouts {
    TimeNs arp_retry = kSecond;  // three requests, then the next hop is unreachable
    int arp_attempts = 3;
    TimeNs connect = 5 * kSecond;  // TCP connect (no SYN retransmission)
    TimeNs reply = 5 * kSecond;    // UDP and ICMP echo
};

class Host {
  public:
    enum class Kind : std::uint8_t { Instance, Internet };
    using Transmit = std::function<void(engine::PortId, Frame)>;
    // Whether a local address listens on a protocol/port.
    using ListenPolicy = std::function<bool(net::Ipv4Address, std::uint8_t, std::uint16_t)>;
    // Extra addresses a host accepts as its own (the internet: everything outside the VPCs).
    using OwnsPolicy = std::function<bool(net::Ipv4Address)>;

    struct Config {
        std::string name;
        Kind kind = Kind::Instance;
        std::vector<HostInterface> interfaces;
        ListenPolicy listening;
        OwnsPolicy owns;
        bool forwarding = false;
        OwnsPolicy may_forward;  // when set, forwarding covers only these destinations
        // Addresses at which nothing answers a request (no SYN-ACK, no RST, no echo reply, no
        // ICMP error); replies to the host's own flows still arrive.
        OwnsPolicy silent;
        // A load balancer node: a port without a listener and a ping get no answer at all
        // (no RST, no ICMP error, no echo reply).
        bool answers_only_listeners = false;
        // Called when a connection to a listening port is set up (the handshake's last ACK
        // arrived), with the flow as received: what a server's accept() learns of its peer.
        std::function<void(const net::FiveTuple&)> accepted;
        std::uint16_t ephemeral_first = 32768;  // Linux: net.ipv4.ip_local_port_range
        std::uint16_t ephemeral_last = 60999;
        HostTimeouts timeouts;
    };

    Host(Config config, EventQueue& events, FlowBook& flows, Transmit transmit);

    const std::string& name() const noexcept { return config_.name; }
    Kind kind() const noexcept { return config_.kind; }
    const std::vector<HostInterface>& interfaces() const noexcept { return config_.interfaces; }
    bool has_port(engine::PortId port) const noexcept;
    bool owns(net::Ipv4Address address) const;
    // One of the addresses of its interfaces (an instance's ENIs' private IPs).
    bool has_address(net::Ipv4Address address) const;
    // Why a new request to a local address would get no answer at all, in the host's words: at
    // a load balancer node, a port without a listener or a ping. None when it gets one (a
    // SYN-ACK or RST, a datagram or ICMP error, an echo reply).
    std::optional<std::string> unanswered(net::Ipv4Address address, std::uint8_t protocol,
                                          std::uint16_t port) const;
    net::Ipv4Address primary_address() const {
        return config_.interfaces.front().addresses.front();
    }

    // A frame arriving on one of the host's ports.
    void receive(engine::PortId port, std::span<const std::uint8_t> frame);

    // Traffic the host starts now. The source address defaults to the address of the egress
    // interface (the internet: the destination decides nothing, so `from` must be given).
    FlowId connect_tcp(net::Ipv4Address to, std::uint16_t port,
                       std::optional<std::uint16_t> source_port = {},
                       std::optional<net::Ipv4Address> from = {});
    FlowId send_udp(net::Ipv4Address to, std::uint16_t port,
                    std::optional<std::uint16_t> source_port = {},
                    std::optional<net::Ipv4Address> from = {}, std::size_t payload = 32);
    FlowId ping(net::Ipv4Address to, std::optional<net::Ipv4Address> from = {},
                std::size_t payload = 56);
    // Any IP packet, as crafted (spoofed sources included); the host only frames and routes it.
    FlowId send_packet(const PacketSpec& spec);
    // Sends the next data segment of an established (or reset) TCP connection.
    void send_tcp_data(FlowId flow, std::size_t bytes = 100);
    // Resolves the next hop towards an address ahead of time (warms the ARP cache).
    void resolve(net::Ipv4Address to);
    // Calls `then` once, when a flow of this host is first decided (a connection set up,
    // refused or timed out): what a program waiting on the socket would learn.
    void when_decided(FlowId flow, std::function<void(const FlowRecord&)> then);

    const std::vector<Received>& inbox() const noexcept { return inbox_; }
    void clear_inbox() { inbox_.clear(); }
    std::uint64_t ignored() const noexcept { return ignored_; }  // frames not meant for the host

    // Picks the interface and next hop a packet to `to` leaves by (the host's routing decision).
    struct Route {
        std::size_t interface = 0;
        net::Ipv4Address next_hop;
    };
    Route route_to(net::Ipv4Address to, std::optional<net::Ipv4Address> from = {}) const;

  private:
    struct Connection {
        enum class State : std::uint8_t { SynSent, SynReceived, Established, Closed };
        State state = State::SynSent;
        std::optional<FlowId> flow;  // set when this host opened it
        std::uint32_t snd_next = 0;
        std::uint32_t rcv_next = 0;
    };
    struct PendingArp {
        std::vector<std::pair<Frame, std::optional<FlowId>>> frames;
        int attempts = 0;
        std::uint64_t generation = 0;  // tells a stale retry timer from the current one
    };
    using ConnKey = net::FiveTuple;  // local address/port first

    FlowId open_flow(std::string kind, const net::FiveTuple& tuple, TimeNs timeout);
    void decide(FlowId id, Outcome outcome);
    void send_ip(PacketSpec spec, std::optional<FlowId> flow);
    void send_ip_frame(std::size_t interface, net::Ipv4Address next_hop, Frame frame,
                       std::optional<FlowId> flow);
    void arp_attempt(std::size_t interface, net::Ipv4Address next_hop, std::uint64_t generation);
    std::uint16_t ephemeral_port(const net::FiveTuple& base);
    net::Ipv4Address source_for(net::Ipv4Address to, std::optional<net::Ipv4Address> from) const;
    bool is_local(net::Ipv4Address address) const;
    // A packet an instance sent to one of its own addresses: handed to its own stack.
    void deliver_locally(Frame frame);

    HostReport on_arp(std::size_t interface, const DecodedFrame& f);
    HostReport on_ip(std::size_t interface, const DecodedFrame& f,
                     std::span<const std::uint8_t> frame);
    HostReport forward(const DecodedFrame& f, std::span<const std::uint8_t> frame);
    HostReport on_tcp(const DecodedFrame& f);
    HostReport on_udp(const DecodedFrame& f, std::span<const std::uint8_t> ip);
    HostReport on_icmp(const DecodedFrame& f);
    HostReport no_listener(std::uint8_t protocol, std::uint16_t port) const;
    HostReport icmp_error(const DecodedFrame& f, std::uint8_t type, std::uint8_t code,
                          std::span<const std::uint8_t> ip);
    void send_tcp(const net::FiveTuple& local_tuple, std::uint8_t flags, std::uint32_t seq,
                  std::uint32_t ack, std::size_t payload = 0);
    std::optional<FlowId> flow_matching_error(const net::FiveTuple& quoted) const;

    Config config_;
    EventQueue& events_;
    FlowBook& flows_;
    Transmit transmit_;
    std::vector<std::map<net::Ipv4Address, net::MacAddress>> arp_cache_;  // per interface
    std::map<std::pair<std::size_t, net::Ipv4Address>, PendingArp> arp_pending_;
    std::map<ConnKey, Connection> connections_;
    std::map<std::pair<net::Ipv4Address, std::uint16_t>, FlowId> udp_flows_;  // local addr/port
    std::map<std::uint16_t, FlowId> pings_;                                   // by echo id
    std::map<FlowId, std::function<void(const FlowRecord&)>> waiting_;
    std::map<net::FiveTuple, FlowId> crafted_;  // answers to crafted packets, by their tuple
    std::uint64_t next_generation_ = 1;
    std::vector<Received> inbox_;
    std::uint64_t ignored_ = 0;
    std::uint16_t next_ephemeral_ = 0;
    std::uint16_t next_ping_id_ = 0x1000;
    std::uint16_t next_ip_id_ = 1;
};

}  // namespace vpcstack::sim
