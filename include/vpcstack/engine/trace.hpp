// Trace records: what each stage decided for one packet, as data. A stage fills a TraceStep with
// enums, addresses and numbers (no text); engine/trace_format.hpp turns it into words, in one
// place. Hints, JSON, lab traces, and later captures, flow logs and verification witnesses read
// the fields; nothing parses the formatted text.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "vpcstack/dns/zones.hpp"
#include "vpcstack/engine/component.hpp"
#include "vpcstack/engine/drop_reason.hpp"
#include "vpcstack/engine/port.hpp"
#include "vpcstack/net/ipv4.hpp"
#include "vpcstack/net/protocol.hpp"
#include "vpcstack/policy/network_acl.hpp"

namespace vpcstack::engine {

// What a stage did with the packet.
enum class Action : std::uint8_t { Allow, Forward, Translate, Deliver, Reply, Drop };

// The rule or route that decided, in the structure the cloud gives it.
struct RuleRef {
    enum class Kind : std::uint8_t {
        None,
        AclRule,            // a numbered network ACL rule
        AclDefault,         // the ACL's final '*' rule (deny all)
        SecurityGroupRule,  // the security group rule that allowed a new flow
        SecurityGroupNone,  // no rule of the ENI's groups allows it
        Route,              // the route table entry that matched
        SourceDestCheck,    // the ENI's source/destination check (on)
    };
    Kind kind = Kind::None;
    policy::Direction direction = policy::Direction::Inbound;  // ACL and security group rules
    std::uint16_t number = 0;                                  // AclRule: the rule number
    std::string text;  // the rule as the user wrote it ("allow tcp/80 from 0.0.0.0/0")
};

// One side of a flow at a translation: an address and, when the translation concerns it, the
// port (TCP, UDP) or query id (ICMP).
struct Endpoint {
    net::Ipv4Address address;
    std::optional<std::uint16_t> port;
    friend bool operator==(const Endpoint&, const Endpoint&) = default;
};

struct Translation {
    enum class Field : std::uint8_t { Source, Destination };
    enum class Note : std::uint8_t { None, NewMapping, AddressOnlyFragment };
    Field field = Field::Source;
    std::uint8_t protocol = 0;
    Endpoint before;
    Endpoint after;
    Note note = Note::None;
};

// What connection tracking said about a packet a security group let through.
enum class ConnState : std::uint8_t {
    NewTracked,
    NewUntracked,
    Established,       // a packet of a tracked flow, in the direction it was opened
    EstablishedReply,  // a reply of a tracked flow
    Related,           // an ICMP error quoting a tracked flow
    Fragment,          // a later fragment of a datagram whose first fragment was allowed
};

// What else a step says, with its arguments in StepArgs. Formatted by trace_format.cpp.
enum class Note : std::uint8_t {
    None,
    NoSuchPort,             // n: the port number
    EtherTypeNotCarried,    // n: the EtherType
    UnsolicitedArpReply,    //
    GratuitousArp,          //
    ArpIsAt,                // address is at mac
    BroadcastFrame,         //
    BroadcastAddress,       //
    UnknownDestinationMac,  // mac
    InternetWrongMac,       //
    SourceNotOwn,           // address
    DestinationNotOwn,      // address
    SentByInstance,         //
    LinkLocalAddress,       // address
    ConntrackCount,         // n: connections tracked
    FragmentNotAdmitted,    //
    SameSubnet,             //
    NoRouteTo,              // address
    BlackholeTarget,        // text: why the target is not available
    NoInterfaceHolds,       // address
    NatOnlyForwards,        // address
    DeliverTo,              // address
    NoPublicAddress,        // address
    NotPublicAddress,       // address
    VpcWithoutGateway,      // vpc
    MtuExceeded,            // n: the packet's size, m: the MTU
    Fragmented,             // n: packets, m: the MTU
    TimeExceededSent,       // address: the sender of the ICMP error
    RstSent,                //
    NatConnectionsTo,       // n: connections, endpoint (with protocol in m)
    InboundFragment,        //
    NotInPeerVpc,           // address, vpc
    NoInterfaceInPeerVpc,   // address, vpc
    IntoVpc,                // vpc
    IcmpReplyOpensNothing,  // n: the ICMP type
    IcmpRequestInbound,     // n: the ICMP type
    LaterFragment,          // an ACL matched a later fragment on protocol and addresses
    LbListener,             // endpoint: the listener's address and port (protocol in m)
    LbTarget,               // endpoint: the target chosen; n: targets to choose from
    LbTargetFailOpen,       // as LbTarget, every target unhealthy: the load balancer fails open
    LbFlow,                 // endpoint: the target of the tracked flow
    LbReply,                // endpoint: the client; the reply returns through the load balancer
    LbNoIcmp,               // n: the ICMP type; load balancer nodes answer no ICMP
    LbNoTargetInZone,       // text: the node's availability zone (cross-zone off)
    LbTlsListener,          // a TLS listener terminates TLS; not at packet level
    LbRstSent,              // a TCP packet of no flow, not a SYN: RST sent
    LbLoopback,             // address: the target, which is the client itself
    DnsAnswered,            // address: the resolver address asked; the exchange in TraceStep::dns
    ResolverOff,            // vpc: its enable_dns_support is false
    LinkLocalAllowance,     // n: packets this second to the link-local services
    ServicePortClosed,      // address, n: the port, m: the protocol; no service answers there
    ServiceHandshake,       // address, n: the MSS announced; a link-local service's SYN-ACK
    ServiceAck,             // address, n: request bytes waiting for the rest
    ServiceClosed,          // address: the client closed; FIN answered
    ServiceReset,           // address: the client reset the connection
    ServiceNoConnection,    // address: a segment of no connection; RST sent
    MetadataAnswered,       // the exchange in TraceStep::metadata
    MetadataOff,            // the instance's http_endpoint is disabled
    TimeSyncAnswered,       // address: the Amazon Time Sync Service answers (NTP)
};

// A DNS query the VPC resolver answered (or refused), as data: the trace shows the question,
// the answer and why those records (dns/zones.hpp's explanation).
struct DnsExchange {
    net::Ipv4Address resolver;  // the address asked: base + 2 or 169.254.169.253
    std::string name;
    dns::RrType type = dns::RrType::A;
    dns::Rcode rcode = dns::Rcode::NoError;
    bool truncated = false;  // TC set: the answer did not fit UDP; the client retries over TCP
    bool tcp = false;        // asked over TCP (RFC 7766)
    std::vector<dns::Record> answers;
    dns::Explanation explanation;
    std::string error;  // a query that could not be read, in words
};

// A request the instance metadata service answered, as data.
struct MetadataExchange {
    std::string method;        // GET, PUT, ...
    std::string path;          // /latest/meta-data/local-ipv4
    std::uint16_t status = 0;  // 200, 400, 401, 403, 404, 405
    bool token = false;        // it carried a session token (IMDSv2)
    std::uint8_t ttl = 0;      // the answer's IP TTL (the PUT response hop limit for a token)
    std::string why;           // a refusal's reason
};

struct StepArgs {
    net::Ipv4Address address;
    net::MacAddress mac;
    std::uint32_t n = 0;
    std::uint32_t m = 0;
    model::Index vpc = model::kNone;
    Endpoint endpoint;
    std::string text;
};

// One stage's decision.
struct TraceStep {
    ComponentId component = 0;
    ComponentKind kind = ComponentKind::Internet;
    Action action = Action::Forward;
    RuleRef rule;
    std::optional<Translation> translation;
    std::optional<ConnState> conn;
    Note note = Note::None;
    StepArgs args;
    std::optional<DropReason> drop;
    // Whom the decision was for: the ENI of a security group step, the subnet of a network ACL
    // step (a group or an ACL may serve many); kNone on other steps. Flow logs read them.
    model::Index eni = model::kNone;
    model::Index subnet = model::kNone;
    std::shared_ptr<const DnsExchange> dns;            // the resolver's steps
    std::shared_ptr<const MetadataExchange> metadata;  // the instance metadata service's steps
};

// How a packet's journey ended. Lost: handed to a host that never took it (reports only).
enum class Fate : std::uint8_t { Delivered, Dropped, Replied, Lost };

// What the packet was when it entered, as the parse stage read it.
struct PacketFacts {
    enum class Kind : std::uint8_t { Ipv4, Arp, NotIpv4, Malformed };
    Kind kind = Kind::Malformed;
    std::uint16_t ether_type = 0;
    // ARP
    std::uint16_t arp_op = 0;
    net::Ipv4Address arp_sender_ip;
    net::Ipv4Address arp_target_ip;
    net::MacAddress arp_sender_mac;
    // IPv4
    net::FiveTuple tuple;  // ports, or the ICMP query id in src_port
    bool has_l4 = false;
    bool fragment = false;
    bool first_fragment = true;
    std::uint8_t tcp_flags = 0;
    std::uint8_t icmp_type = 0;
    std::uint8_t icmp_code = 0;
    std::uint16_t ip_total_length = 0;

    bool is_tcp_syn() const noexcept;  // SYN without ACK: a connection attempt
};

// The whole journey of one packet through the engine.
struct PacketTrace {
    std::uint64_t id = 0;
    TimeNs time = 0;
    PortId ingress = 0;
    PacketFacts packet;  // as it entered
    std::vector<TraceStep> steps;
    Fate fate = Fate::Dropped;
    std::optional<DropReason> drop;
    std::optional<PortId> egress;  // where it left the engine when delivered or answered

    const net::FiveTuple& tuple() const noexcept { return packet.tuple; }
    // The step that dropped it, when it was dropped.
    const TraceStep* drop_step() const noexcept;
};

}  // namespace vpcstack::engine
