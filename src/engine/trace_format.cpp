#include "vpcstack/engine/trace_format.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "vpcstack/engine/packet.hpp"

namespace vpcstack::engine {

bool PacketFacts::is_tcp_syn() const noexcept {
    return kind == Kind::Ipv4 && tuple.protocol == net::Protocol::kTcp && has_l4 &&
           (tcp_flags & (net::tcp::kSyn | net::tcp::kAck)) == net::tcp::kSyn;
}

const TraceStep* PacketTrace::drop_step() const noexcept {
    for (const TraceStep& s : steps) {
        if (s.drop) return &s;
    }
    return nullptr;
}

std::string_view action_name(Action action) noexcept {
    switch (action) {
        case Action::Allow:
            return "allow";
        case Action::Forward:
            return "forward";
        case Action::Translate:
            return "translate";
        case Action::Deliver:
            return "deliver";
        case Action::Reply:
            return "reply";
        case Action::Drop:
            return "drop";
    }
    return "drop";
}

std::string_view fate_name(Fate fate) noexcept {
    switch (fate) {
        case Fate::Delivered:
            return "delivered";
        case Fate::Dropped:
            return "dropped";
        case Fate::Replied:
            return "answered by the network";
        case Fate::Lost:
            return "lost";
    }
    return "lost";
}

std::string_view conn_state_name(ConnState state) noexcept {
    switch (state) {
        case ConnState::NewTracked:
            return "new, tracked";
        case ConnState::NewUntracked:
            return "new, untracked";
        case ConnState::Established:
            return "established";
        case ConnState::EstablishedReply:
            return "established (reply of a tracked flow)";
        case ConnState::Related:
            return "related";
        case ConnState::Fragment:
            return "fragment of an allowed datagram";
    }
    return "";
}

std::string rule_text(const RuleRef& rule) {
    const bool inbound = rule.direction == policy::Direction::Inbound;
    const char* dir = inbound ? "inbound" : "outbound";
    switch (rule.kind) {
        case RuleRef::Kind::None:
            return "";
        case RuleRef::Kind::AclDefault:
            return fmt::format("{} rule *: deny all", dir);
        case RuleRef::Kind::AclRule: {
            // The rule as written may start with its own number ("100 allow ..."): say it once.
            std::string_view text = rule.text;
            std::string number = fmt::format("{} ", rule.number);
            if (text.starts_with(number)) text.remove_prefix(number.size());
            return fmt::format("{} rule {}: {}", dir, rule.number, text);
        }
        case RuleRef::Kind::SecurityGroupRule:
            return fmt::format("{}: {}", dir, rule.text);
        case RuleRef::Kind::SecurityGroupNone:
            return fmt::format("no {} rule allows it", dir);
        case RuleRef::Kind::Route:
            return rule.text;
        case RuleRef::Kind::SourceDestCheck:
            return "source/dest check: on";
    }
    return "";
}

std::string endpoint_text(const Endpoint& e, std::uint8_t protocol) {
    if (!e.port) return e.address.to_string();
    if (protocol == net::Protocol::kTcp || protocol == net::Protocol::kUdp) {
        return fmt::format("{}:{}", e.address.to_string(), *e.port);
    }
    if (protocol == net::Protocol::kIcmp)
        return fmt::format("{} id {}", e.address.to_string(), *e.port);
    return e.address.to_string();
}

std::string translation_text(const Translation& t) {
    const char* suffix = "";
    if (t.note == Translation::Note::NewMapping) suffix = " (new translation)";
    if (t.note == Translation::Note::AddressOnlyFragment) suffix = " (UDP fragment)";
    return fmt::format("{} {} -> {}{}", t.field == Translation::Field::Source ? "src" : "dst",
                       endpoint_text(t.before, t.protocol), endpoint_text(t.after, t.protocol),
                       suffix);
}

namespace {

std::string note_text(Note note, const StepArgs& a, const ComponentRegistry& components) {
    const std::string address = a.address.to_string();
    switch (note) {
        case Note::None:
            return "";
        case Note::NoSuchPort:
            return fmt::format("no port {} in this topology", a.n);
        case Note::EtherTypeNotCarried:
            return fmt::format("ethertype 0x{:04x} is not carried", a.n);
        case Note::UnsolicitedArpReply:
            return "ARP reply nobody asked for";
        case Note::GratuitousArp:
            return "gratuitous ARP";
        case Note::ArpIsAt:
            return fmt::format("{} is-at {}", address, a.mac.to_string());
        case Note::BroadcastFrame:
            return "broadcast and multicast frames are not delivered";
        case Note::BroadcastAddress:
            return "broadcast and multicast are not delivered";
        case Note::UnknownDestinationMac:
            return fmt::format("{} is neither the router nor an interface", a.mac.to_string());
        case Note::InternetWrongMac:
            return "frames from the internet go to the router's MAC";
        case Note::SourceNotOwn:
            return fmt::format("source {} is not an address of this interface", address);
        case Note::DestinationNotOwn:
            return fmt::format("destination {} is not an address of this interface", address);
        case Note::SentByInstance:
            return "sent by the instance";
        case Note::LinkLocalAddress:
            return fmt::format("{} is link-local", address);
        case Note::ConntrackCount:
            return fmt::format("{} connections tracked", a.n);
        case Note::FragmentNotAdmitted:
            return "a fragment whose first fragment was not allowed";
        case Note::SameSubnet:
            return "same subnet: no route table, no network ACL";
        case Note::NoRouteTo:
            return fmt::format("no route to {}", address);
        case Note::BlackholeTarget:
            return a.text;
        case Note::NoInterfaceHolds:
            return fmt::format("no interface holds {}", address);
        case Note::NatOnlyForwards:
            return fmt::format("{} is a NAT gateway, which only forwards", address);
        case Note::DeliverTo:
            return fmt::format("to {}", address);
        case Note::NoPublicAddress:
            return fmt::format("{} has no public IPv4 address", address);
        case Note::NotPublicAddress:
            return fmt::format("{} is not a public address of any interface", address);
        case Note::VpcWithoutGateway:
            return fmt::format("VPC {} has no internet gateway", components.vpc_name(a.vpc));
        case Note::MtuExceeded:
            return fmt::format("{} bytes > MTU {} with DF: ICMP fragmentation needed sent", a.n,
                               a.m);
        case Note::Fragmented:
            return fmt::format("fragmented into {} packets for MTU {}", a.n, a.m);
        case Note::TimeExceededSent:
            return fmt::format("ICMP time exceeded sent from {}", address);
        case Note::RstSent:
            return "TCP packet that is not a SYN matches no translation: RST sent";
        case Note::NatConnectionsTo:
            return fmt::format("{} connections to {}", a.n,
                               endpoint_text(a.endpoint, static_cast<std::uint8_t>(a.m)));
        case Note::InboundFragment:
            return "inbound fragments without a port are not reassembled";
        case Note::NotInPeerVpc:
            return fmt::format("{} is not an interface of VPC {}: a peering is not transitive",
                               address, components.vpc_name(a.vpc));
        case Note::NoInterfaceInPeerVpc:
            return fmt::format("no interface of VPC {} holds {}", components.vpc_name(a.vpc),
                               address);
        case Note::IntoVpc:
            return fmt::format("into VPC {}", components.vpc_name(a.vpc));
        case Note::IcmpReplyOpensNothing:
            return fmt::format("an ICMP reply (type {}) matches no translation and opens none",
                               a.n);
        case Note::LaterFragment:
            return "a later fragment: matched on protocol and addresses, no ports";
        case Note::IcmpRequestInbound:
            return fmt::format(
                "an ICMP request (type {}) from outside is not the reply of a translated query",
                a.n);
        case Note::LbListener:
            return fmt::format("listener {}",
                               endpoint_text(a.endpoint, static_cast<std::uint8_t>(a.m)));
        case Note::LbTarget:
            return fmt::format("new flow to target {} (flow hash over {} target{})",
                               endpoint_text(a.endpoint, net::Protocol::kTcp), a.n,
                               a.n == 1 ? "" : "s");
        case Note::LbTargetFailOpen:
            return fmt::format(
                "new flow to target {}: no target is healthy, so all {} receive traffic "
                "(fail open)",
                endpoint_text(a.endpoint, net::Protocol::kTcp), a.n);
        case Note::LbFlow:
            return fmt::format("flow to target {}", endpoint_text(a.endpoint, net::Protocol::kTcp));
        case Note::LbReply:
            return fmt::format("reply to {} returns through the load balancer",
                               endpoint_text(a.endpoint, net::Protocol::kTcp));
        case Note::LbNoIcmp:
            return fmt::format("load balancer nodes answer no ICMP (type {})", a.n);
        case Note::LbNoTargetInZone:
            return fmt::format("no target in {} and cross-zone load balancing is off", a.text);
        case Note::LbLoopback:
            return fmt::format(
                "the target {} is the client itself and client IP preservation is on: it would "
                "receive its own packet (the loopback limitation)",
                address);
        case Note::LbRstSent:
            return "a TCP packet that is not a SYN, of no flow the load balancer tracks: RST sent";
        case Note::LbTlsListener:
            return "a TLS listener ends the client's TLS session: not carried at packet level";
        case Note::DnsAnswered:
            return fmt::format("the VPC resolver at {} answers", address);
        case Note::ResolverOff:
            return fmt::format("VPC {} has enable_dns_support false: its resolver answers nothing",
                               components.vpc_name(a.vpc));
        case Note::LinkLocalAllowance:
            return fmt::format(
                "packet {} this second to the link-local services; the allowance "
                "is 1024 per interface",
                a.n);
        case Note::ServicePortClosed:
            return fmt::format("nothing answers {}/{} at {}",
                               net::protocol_name(static_cast<std::uint8_t>(a.m)), a.n, address);
        case Note::ServiceHandshake:
            return fmt::format("the service at {} accepts the connection: SYN-ACK, MSS {}", address,
                               a.n);
        case Note::ServiceAck:
            return a.n > 0 ? fmt::format(
                                 "taken by the service at {}; {} bytes of a request wait "
                                 "for the rest",
                                 address, a.n)
                           : fmt::format("taken by the service at {}", address);
        case Note::ServiceClosed:
            return fmt::format("the connection to the service at {} is closed", address);
        case Note::ServiceReset:
            return fmt::format("the connection to the service at {} is reset", address);
        case Note::ServiceNoConnection:
            return fmt::format("a segment of no connection to the service at {}: RST sent",
                               address);
        case Note::MetadataAnswered:
            return "the instance metadata service answers";
        case Note::MetadataOff:
            return "the instance's metadata endpoint is disabled (metadata_options http_endpoint)";
        case Note::TimeSyncAnswered:
            return fmt::format("the Amazon Time Sync Service at {} answers (NTP)", address);
    }
    return "";
}

// The resolver's exchange: the question, the answer and why (dns/zones.hpp's explanation).
std::string dns_text(const DnsExchange& x) {
    if (!x.error.empty() && x.name.empty()) return "not a query it answers: " + x.error;
    std::string out =
        fmt::format("{} {}? {}", dns::to_string(x.type), x.name, dns::to_string(x.rcode));
    if (x.tcp) out += " over TCP";
    if (x.truncated) out += ", truncated (TC: retry over TCP)";
    std::vector<std::string> answers;
    for (const dns::Record& r : x.answers) {
        answers.push_back(r.name == x.name
                              ? fmt::format("{} {}", dns::to_string(r.type), r.data)
                              : fmt::format("{} {} {}", r.name, dns::to_string(r.type), r.data));
    }
    if (!answers.empty()) out += ": " + fmt::format("{}", fmt::join(answers, ", "));
    for (const dns::Step& step : x.explanation.steps) {
        std::string why =
            fmt::format("{} zone {}", step.zone_private ? "private" : "public", step.zone);
        if (step.policy != dns::PolicyKind::Simple) {
            why += fmt::format(", {} routing", dns::to_string(step.policy));
            if (!step.chosen.empty()) why += fmt::format(" chose {}", fmt::join(step.chosen, " "));
            if (step.reason) why += fmt::format(" ({})", dns::to_string(*step.reason));
        }
        for (const dns::SkippedRecordSet& skip : step.skipped) {
            why +=
                fmt::format(", skipped {} ({})", skip.set_identifier, dns::to_string(skip.reason));
        }
        if (step.alias_target) why += ", alias to " + *step.alias_target;
        if (step.cname) why += ", CNAME followed";
        out += " [" + step.name + ": " + why + "]";
    }
    if (x.explanation.outcome == dns::Outcome::NotInView) {
        out += " [in no zone of the topology: the lab's internet answers NXDOMAIN]";
    }
    if (!x.error.empty()) out += "; " + x.error;
    return out;
}

// The metadata service's exchange: the request, the status and why a refusal.
std::string metadata_text(const MetadataExchange& x) {
    std::string out = x.method.empty() ? std::string("a request that is not HTTP")
                                       : fmt::format("{} {}", x.method, x.path);
    if (x.token) out += " with a session token (IMDSv2)";
    out += fmt::format(": {}", x.status);
    if (x.ttl != 0) out += fmt::format(", the token's answer sent with IP TTL {}", x.ttl);
    if (!x.why.empty()) out += " (" + x.why + ")";
    return out;
}

void append(std::string& out, std::string_view part) {
    if (part.empty()) return;
    if (!out.empty()) out += "; ";
    out += part;
}

}  // namespace

StepText describe(const TraceStep& step, const ComponentRegistry& components) {
    StepText text;
    text.component = components[step.component].name;
    text.kind = std::string(kind_name(step.kind));
    text.action = std::string(action_name(step.action));
    text.rule = rule_text(step.rule);
    if (step.translation) append(text.detail, translation_text(*step.translation));
    if (step.conn) append(text.detail, conn_state_name(*step.conn));
    append(text.detail, note_text(step.note, step.args, components));
    if (step.dns) append(text.detail, dns_text(*step.dns));
    if (step.metadata) append(text.detail, metadata_text(*step.metadata));
    if (step.drop && text.detail.empty()) text.detail = std::string(info(*step.drop).explanation);
    return text;
}

std::string summarize(const PacketFacts& p) {
    using K = PacketFacts::Kind;
    switch (p.kind) {
        case K::Arp:
            if (p.arp_op == 1) {
                return fmt::format("arp who-has {} tell {}", p.arp_target_ip.to_string(),
                                   p.arp_sender_ip.to_string());
            }
            return fmt::format("arp {} is-at {}", p.arp_sender_ip.to_string(),
                               p.arp_sender_mac.to_string());
        case K::NotIpv4:
            return fmt::format("ethertype 0x{:04x}", p.ether_type);
        case K::Malformed:
            return "malformed frame";
        case K::Ipv4:
            break;
    }
    std::string s = p.tuple.to_string();
    if (p.tuple.protocol == net::Protocol::kTcp && p.has_l4) {
        s += " [" + net::tcp::flags_text(p.tcp_flags) + "]";
    } else if (p.tuple.protocol == net::Protocol::kIcmp && p.has_l4) {
        s += fmt::format(" type {} code {}", p.icmp_type, p.icmp_code);
    }
    if (p.fragment) s += p.first_fragment ? " (first fragment)" : " (fragment)";
    return s;
}

}  // namespace vpcstack::engine
