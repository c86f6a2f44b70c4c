#include "vpcstack/sim/trace_report.hpp"

#include <fmt/format.h>
#include <fmt/ranges.h>

#include <algorithm>
#include <cctype>
#include <nlohmann/json.hpp>
#include <set>

#include "vpcstack/dns/message.hpp"
#include "vpcstack/engine/trace_format.hpp"
#include "vpcstack/model/cloud_rules.hpp"
#include "vpcstack/model/dns_views.hpp"
#include "vpcstack/net/icmp.hpp"
#include "vpcstack/net/tcp.hpp"
#include "vpcstack/sim/health_checks.hpp"
#include "vpcstack/sim/load_balancer_health.hpp"
#include "vpcstack/sim/simulation.hpp"
#include "vpcstack/sim/stub_resolver.hpp"

namespace vpcstack::sim {
namespace {

using engine::DropReason;
using engine::PacketTrace;

constexpr TimeNs kTraceHorizon = 60 * kSecond;  // virtual time a trace may take at most

bool is_arp(const PacketTrace& t) {
    return t.packet.kind == engine::PacketFacts::Kind::Arp;
}

// Follows a translation so a hint names the packet as the dropping component saw it. Ports
// are followed for TCP and UDP; an ICMP query id stays where the tuple keeps it.
void apply_translation(const engine::Translation& t, net::FiveTuple& tuple) {
    const bool src = t.field == engine::Translation::Field::Source;
    (src ? tuple.src : tuple.dst) = t.after.address;
    const bool ports = t.protocol == net::Protocol::kTcp || t.protocol == net::Protocol::kUdp;
    if (ports && t.after.port) (src ? tuple.src_port : tuple.dst_port) = *t.after.port;
}

// A host's name for the address it received on: an instance's name, a named internet host,
// or the internet address itself.
std::string host_label(const model::Topology& t, const Host& host, net::Ipv4Address dst) {
    if (host.kind() == Host::Kind::Instance) return host.name();
    for (const model::InternetHost& h : t.internet_hosts) {
        if (h.address == dst) return h.meta.name;
    }
    return dst.to_string();
}

// The engine steps of one trace appended to a path; the tuple followed through translations
// up to the drop.
void append_trace(TracePath& path, const PacketTrace& t, net::FiveTuple& tuple_at_drop) {
    net::FiveTuple tuple = t.tuple();
    for (const engine::TraceStep& s : t.steps) {
        path.steps.push_back({s, std::nullopt});
        if (s.drop && !path.dropped_at) {
            path.dropped_at = path.steps.size() - 1;
            tuple_at_drop = tuple;
        }
        if (s.translation) apply_translation(*s.translation, tuple);
    }
    if (t.fate == engine::Fate::Dropped) path.drop = t.drop;
}

struct Walk {
    TracePath path;
    std::size_t last_trace = 0;
    Host* receiver = nullptr;
    net::FiveTuple tuple_at_drop;
    HostReport receiver_report;
};

class Tracer {
  public:
    Tracer(Simulation& sim, TimeNs start) : sim_(sim), start_(start) {}

    std::optional<std::size_t> next_trace(std::size_t from, const Host* sender) const {
        const auto& traces = sim_.traces();
        for (std::size_t i = from; i < traces.size(); ++i) {
            if (is_arp(traces[i])) continue;
            if (sender == nullptr || sender->has_port(traces[i].ingress)) return i;
        }
        return std::nullopt;
    }

    Walk walk(std::size_t first, std::string direction) {
        const auto& traces = sim_.traces();
        Walk w;
        w.path.direction = std::move(direction);
        w.path.packet = traces[first].packet;
        std::size_t current = first;
        for (int hop = 0; hop < 16; ++hop) {
            const PacketTrace& t = traces[current];
            w.last_trace = current;
            append_trace(w.path, t, w.tuple_at_drop);
            if (t.fate == engine::Fate::Dropped || t.fate == engine::Fate::Replied) {
                w.path.fate = t.fate;
                return w;
            }
            Host* host = t.egress ? sim_.host_at(*t.egress) : nullptr;
            const Received* r = host ? receipt(*host, *t.egress, t) : nullptr;
            if (r == nullptr) {
                w.path.fate = engine::Fate::Lost;
                return w;
            }
            std::string name = host_label(sim_.topology(), *host, r->frame.dst);
            w.path.steps.push_back(
                {std::nullopt, HostStep{name, r->report.action, r->report.detail}});
            w.receiver = host;
            w.receiver_report = r->report;
            if (r->report.action != HostAction::Forward) {
                w.path.fate = engine::Fate::Delivered;
                return w;
            }
            auto next = next_trace(current + 1, host);
            if (!next) {
                w.path.fate = engine::Fate::Lost;
                return w;
            }
            current = *next;
        }
        w.path.fate = engine::Fate::Lost;
        return w;
    }

  private:
    // The host's record of receiving the frame the engine sent for `t`: the first not yet
    // claimed on that port, after it was sent, of the same protocol and TCP flags (the
    // addresses and ports may have been translated on the way).
    const Received* receipt(const Host& host, engine::PortId port, const PacketTrace& t) {
        const auto& inbox = host.inbox();
        for (std::size_t i = 0; i < inbox.size(); ++i) {
            const Received& r = inbox[i];
            if (r.time < start_ || r.time < t.time || r.port != port || !r.frame.ipv4) continue;
            if (r.frame.protocol != t.packet.tuple.protocol) continue;
            if (r.frame.protocol == net::Protocol::kTcp &&
                r.frame.tcp_flags != t.packet.tcp_flags) {
                continue;
            }
            if (!used_.insert({&host, i}).second) continue;
            return &r;
        }
        return nullptr;
    }

    Simulation& sim_;
    TimeNs start_;
    std::set<std::pair<const Host*, std::size_t>> used_;
};

// ------------------------------------------------------------------------------------------
// Hints: what to change, in the words of the setting that dropped the packet.

std::string step_name(const engine::ComponentRegistry& components, const ReportStep& s) {
    return s.engine ? components[s.engine->component].name : "host/" + s.host->host;
}

std::string step_name(const TraceReport& r, const ReportStep& s) {
    return step_name(*r.components, s);
}

std::string where(const model::Topology& t, net::Ipv4Address a) {
    for (const model::Subnet& s : t.subnets) {
        if (s.cidr.contains(a)) return s.cidr.to_string();
    }
    return a.to_string();
}

// How a rule would have to name the packet's service. A reply goes to an ephemeral port, so
// name the range the client picks from. AWS: vpc-network-acls — ephemeral ports.
std::string service(const net::FiveTuple& p, bool reply) {
    std::string proto = net::protocol_name(p.protocol);
    if (p.protocol != net::Protocol::kTcp && p.protocol != net::Protocol::kUdp) return proto;
    if (reply) {
        if (p.dst_port >= 32768 && p.dst_port <= 60999) return proto + " 32768-60999";
        if (p.dst_port >= 1024) return proto + " 1024-65535";
    }
    return fmt::format("{}/{}", proto, p.dst_port);
}

std::string hint_for(const model::Topology& t, const engine::ComponentRegistry& components,
                     const TracePath& path, const net::FiveTuple& p, bool reply) {
    if (!path.drop || !path.dropped_at || !path.steps[*path.dropped_at].engine) return "";
    const engine::TraceStep& step = *path.steps[*path.dropped_at].engine;
    const engine::StepText words = engine::describe(step, components);
    const std::string& full_name = words.component;
    const std::string& name = components[step.component].user_name;
    const std::string& rule = words.rule;
    const std::string& detail = words.detail;
    const bool inbound_rule = step.rule.direction == policy::Direction::Inbound;
    std::string so = reply ? ", so the reply is dropped" : "";
    switch (*path.drop) {
        case DropReason::AclDenied: {
            bool inbound = inbound_rule;
            std::string peer = inbound ? "from " + where(t, p.src) : "to " + where(t, p.dst);
            std::string dir = inbound ? "inbound" : "outbound";
            if (step.rule.kind == engine::RuleRef::Kind::AclDefault) {
                return fmt::format("ACL '{}' {} has no rule allowing {} {}{}", name, dir,
                                   service(p, reply), peer, so);
            }
            return fmt::format("ACL '{}' {} denies {} {} ({}){}", name, dir, service(p, reply),
                               peer, rule, so);
        }
        case DropReason::SecurityGroupNoMatch: {
            bool inbound =
                step.rule.kind == engine::RuleRef::Kind::SecurityGroupNone && inbound_rule;
            return fmt::format("security group '{}' has no {} rule allowing {} {} {}{}", name,
                               inbound ? "inbound" : "outbound", service(p, false),
                               inbound ? "from" : "to", (inbound ? p.src : p.dst).to_string(), so);
        }
        case DropReason::NoRoute:
            return fmt::format("route table '{}' has no route to {}{}", name, p.dst.to_string(),
                               so);
        case DropReason::Blackhole:
            return fmt::format(
                "route table '{}' sends {} to a blackhole ({}): point the route "
                "at an existing, active target{}",
                name, p.dst.to_string(), rule.empty() ? detail : rule, so);
        case DropReason::NoPublicIp:
            return fmt::format(
                "{} has no public or Elastic IP, so internet gateway '{}' drops "
                "its traffic{}; give it a public IP or route through a NAT gateway",
                p.src.to_string(), name, so);
        case DropReason::NoMapping:
            if (auto vpc = t.vpc_containing(p.dst)) {
                return fmt::format(
                    "{} is a private address of VPC '{}': from the internet an instance is "
                    "reached only at its public or Elastic IP; give it one",
                    p.dst.to_string(), t.vpcs[*vpc].meta.name);
            }
            return fmt::format("{} is not the public or Elastic IP of any interface",
                               p.dst.to_string());
        case DropReason::NatNoTranslation:
            if (reply) {
                return fmt::format(
                    "the reply leaves through NAT gateway '{}', which has no translation for it: "
                    "the request came in through the internet gateway, so the reply's subnet "
                    "must route it back there",
                    name);
            }
            return fmt::format(
                "NAT gateway '{}' only lets in replies to connections opened from "
                "inside; nothing can open a connection through it",
                name);
        case DropReason::NotTransitive:
            return fmt::format(
                "peering is not transitive: traffic that arrived over a peering "
                "cannot leave through '{}'; peer the two VPCs directly",
                full_name);
        case DropReason::SourceDestCheck:
            return fmt::format(
                "ENI '{}' has source/destination check on: turn it off for an "
                "instance that routes or translates traffic{}",
                name, so);
        case DropReason::MtuExceeded:
            return fmt::format("{}; send at most 1500 bytes to the internet, or clear DF",
                               detail.empty() ? "larger than the internet gateway's MTU" : detail);
        case DropReason::InstanceStopped:
            return fmt::format("the instance behind '{}' is not running", full_name);
        default:
            break;
    }
    std::string text(engine::info(*path.drop).explanation);
    if (!detail.empty()) text += ": " + detail;
    return text + so;
}

}  // namespace

TraceEnd trace_end_of(const model::Topology& t, const Endpoint& e) {
    TraceEnd end;
    switch (e.kind) {
        case Endpoint::Kind::Instance:
            end.kind = "instance";
            break;
        case Endpoint::Kind::Internet:
            end.kind = "internet";
            break;
        case Endpoint::Kind::Unassigned:
            end.kind = "unassigned";
            break;
    }
    end.name = host_name_of(t, e);
    end.address = e.address.to_string();
    end.label = e.label;
    return end;
}

namespace {

struct Probe {
    std::uint8_t protocol = net::Protocol::kIcmp;
    std::optional<std::uint16_t> dport;
    std::optional<std::uint16_t> sport;
};

std::optional<std::string> parse_probe(const TraceQuery& q, Probe& probe) {
    if (!q.protocol.empty()) {
        auto p = net::Protocol::parse(q.protocol);
        if (!p || p->is_all()) {
            return fmt::format("--proto '{}': expected tcp, udp, icmp or a protocol number 0-255",
                               q.protocol);
        }
        probe.protocol = p->number();
    }
    bool ports = probe.protocol == net::Protocol::kTcp || probe.protocol == net::Protocol::kUdp;
    if (!ports && (q.dport >= 0 || q.sport >= 0)) {
        return fmt::format("--dport and --sport apply to tcp and udp only, not {}",
                           net::protocol_name(probe.protocol));
    }
    if (ports && q.dport < 0) {
        return fmt::format("--dport is required for {}", net::protocol_name(probe.protocol));
    }
    if (q.dport > 65535 || q.sport > 65535) return "ports are 0-65535";
    if (q.dport >= 0) probe.dport = static_cast<std::uint16_t>(q.dport);
    if (q.sport >= 0) probe.sport = static_cast<std::uint16_t>(q.sport);
    return std::nullopt;
}

void warm_up(Simulation& sim, Host& source, const Endpoint& from, const Endpoint& to) {
    // Resolve next hops first so the trace shows the flow, not its ARP exchanges.
    source.resolve(to.address);
    if (to.kind == Endpoint::Kind::Instance) {
        if (Host* h = sim.host_at(to.eni)) h->resolve(from.address);
    }
    const model::Topology& t = sim.topology();
    for (model::Index i = 0; i < t.enis.size(); ++i) {
        if (auto a = t.public_address_of_eni(i)) sim.internet().resolve(*a);
    }
    for (const model::ElasticIp& eip : t.elastic_ips) sim.internet().resolve(eip.address);
    sim.run_until_idle(kTraceHorizon);
    sim.clear_traces();
}

}  // namespace

namespace {

// The one-step path of a packet an instance sent to one of its own addresses.
TracePath local_path(const FlowRecord& record, const Host& source, const std::string& name) {
    TracePath path;
    path.direction = "forward";
    engine::PacketFacts p;
    p.kind = engine::PacketFacts::Kind::Ipv4;
    p.tuple = record.tuple;
    p.has_l4 = true;
    if (record.tuple.protocol == net::Protocol::kTcp) p.tcp_flags = net::tcp::kSyn;
    if (record.tuple.protocol == net::Protocol::kIcmp) p.icmp_type = net::icmp::kEchoRequest;
    path.packet = p;
    std::string detail = "delivered by its own stack";
    for (const Received& r : source.inbox()) {
        if (r.local) {
            detail = r.report.detail;
            break;
        }
    }
    path.steps.push_back({std::nullopt, HostStep{name, HostAction::Local, detail}});
    path.fate = engine::Fate::Delivered;
    return path;
}

// Why an answer that arrived is not the answer: the return path translated it on the way.
std::string translated_reply_hint(const TraceReport& r) {
    if (!r.ret) return "";
    for (const ReportStep& s : r.ret->steps) {
        if (s.engine && s.engine->kind == engine::ComponentKind::NatGateway &&
            s.engine->translation) {
            return fmt::format(
                "the answer left through NAT gateway '{}', which gave it another source: "
                "the request came in through the internet gateway, so the answering subnet "
                "must route it back there",
                (*r.components)[s.engine->component].user_name);
        }
    }
    return "the answer arrived changed on its way back, so its initiator did not take it";
}

}  // namespace

namespace {

void keep_engine_view(TraceReport& report, const Simulation& sim) {
    report.packets = sim.traces();
    report.counters = sim.counters();
    report.end_time = sim.now();
}

}  // namespace

namespace {

std::string target_text(const model::Topology& t, model::Index group, model::Index target) {
    const model::TargetGroup& g = t.target_groups[group];
    const model::Target& tg = g.targets[target];
    const lb::TargetEndpoint e = lb::target_endpoint(t, g, tg);
    const std::string where = fmt::format("{}:{}", e.address.to_string(), e.port);
    if (tg.instance == model::kNone) return where;
    return fmt::format("{} ({})", t.instances[tg.instance].meta.name, where);
}

std::string_view field_name(model::ConditionField f) {
    switch (f) {
        case model::ConditionField::HostHeader:
            return "host-header";
        case model::ConditionField::PathPattern:
            return "path-pattern";
        case model::ConditionField::HttpHeader:
            return "http-header";
        case model::ConditionField::HttpRequestMethod:
            return "http-request-method";
        case model::ConditionField::QueryString:
            return "query-string";
        case model::ConditionField::SourceIp:
            return "source-ip";
    }
    return "?";
}

std::string action_text(const model::Topology& t, const model::ListenerAction& a,
                        const HttpExchange& ex) {
    switch (a.kind) {
        case model::ActionKind::Forward: {
            std::string groups;
            for (const model::WeightedTargetGroup& w : a.target_groups) {
                if (!groups.empty()) groups += ", ";
                groups += t.target_groups[w.target_group].meta.name;
                if (a.target_groups.size() > 1) groups += fmt::format(" (weight {})", w.weight);
            }
            return "forward to " + groups;
        }
        case model::ActionKind::Redirect:
            return fmt::format("redirect {} to {}", ex.status, ex.response_header("Location"));
        case model::ActionKind::FixedResponse:
            return fmt::format("fixed-response {}", ex.status);
    }
    return "?";
}

std::string choice_text(const model::Topology& t, const lb::ForwardResult& f) {
    std::string out;
    switch (f.target_choice) {
        case lb::TargetChoice::Algorithm:
            out = t.target_groups[f.target_group].algorithm ==
                          model::LbAlgorithm::LeastOutstandingRequests
                      ? "chosen by least outstanding requests"
                      : "chosen by round robin";
            break;
        case lb::TargetChoice::Sticky:
            out = "kept by the request's stickiness cookie";
            break;
        case lb::TargetChoice::FailOpen:
            out =
                "failing open: no target of the group is healthy, so every target is a "
                "candidate";
            break;
    }
    if (f.group_choice == lb::GroupChoice::Sticky) out += " (group by its AWSALBTG cookie)";
    return out;
}

// The first engine trace of a flow the simulation started, from `from` on.
std::optional<std::size_t> trace_of_flow(const Simulation& sim, const net::FiveTuple& tuple,
                                         std::size_t from) {
    const auto& traces = sim.traces();
    for (std::size_t i = from; i < traces.size(); ++i) {
        if (traces[i].packet.kind == engine::PacketFacts::Kind::Ipv4 &&
            traces[i].packet.tuple == tuple) {
            return i;
        }
    }
    return std::nullopt;
}

}  // namespace

namespace {

// "dropped at <component> (<reason>)", and " on the return path" for a reply.
std::string drop_phrase(const TraceReport& report, const TracePath& path, bool reply) {
    return fmt::format("dropped at {} ({}){}", dropped_at_name(report, path),
                       path.drop ? engine::name(*path.drop) : "dropped",
                       reply ? " on the return path" : "");
}

// How a report names an address the load balancer connected to: the instance holding it.
std::string address_text(const model::Topology& t, net::Ipv4Address a, std::uint16_t port) {
    for (const model::Eni& eni : t.enis) {
        for (net::Ipv4Address ip : eni.private_ips) {
            if (ip == a && eni.instance != model::kNone) {
                return fmt::format("{} ({}:{})", t.instances[eni.instance].meta.name, a.to_string(),
                                   port);
            }
        }
    }
    return fmt::format("{}:{}", a.to_string(), port);
}

std::string answer_text(const HttpExchange& ex) {
    switch (ex.answer) {
        case HttpAnswer::Pending:
            return "no answer";
        case HttpAnswer::ClientNotConnected:
            return "no answer: the client did not connect";
        case HttpAnswer::Target:
            return fmt::format("200 from {}", ex.target);
        case HttpAnswer::Redirect:
            return fmt::format("{} redirect to {}", ex.status, ex.response_header("Location"));
        case HttpAnswer::FixedResponse:
            return fmt::format("{} fixed response", ex.status);
        case HttpAnswer::NoTarget:
            return ex.forward && ex.forward->outcome == lb::ForwardOutcome::NoWeightedGroup
                       ? "503: every target group of the action has weight 0"
                       : "503: the target group has no registered target";
        case HttpAnswer::BadGateway:
            return fmt::format("502: {} refused or reset the load balancer's connection",
                               ex.target);
        case HttpAnswer::GatewayTimeout:
            return fmt::format("504: the load balancer's connection to {} timed out", ex.target);
    }
    return "?";
}

// The load balancer's part of a traced request, and the verdict on the whole request once the
// client's connection is set up. AWS: load-balancer-troubleshooting.
void add_http(TraceReport& report, Simulation& sim, Tracer& tracer, const HttpExchange& ex) {
    const model::Topology& t = sim.topology();
    HttpTrace& h = report.http.emplace();
    const lb::HttpRequest& r = ex.request;
    h.request = fmt::format("{} {}{}{}", r.method, r.path, r.query.empty() ? "" : "?", r.query);
    if (!r.host.empty()) h.request += " Host: " + r.host;
    const model::LoadBalancer& lb = t.load_balancers[ex.load_balancer];
    h.load_balancer = lb.meta.name;
    h.node = t.enis[ex.node_eni].meta.name;
    if (ex.listener != model::kNone) {
        const model::Listener& l = lb.listeners[ex.listener];
        h.listener = fmt::format("{}:{}", model::to_string(l.protocol), l.port);
    }
    h.status = ex.status;
    h.answer = answer_text(ex);
    if (!report.reachable) return;  // the client's connection failed: its verdict stands
    if (ex.listener == model::kNone || ex.match.action == nullptr) {
        report.reachable = false;
        report.verdict =
            fmt::format("unreachable: {} has no listener on tcp/{}", lb.meta.name, r.listener_port);
        return;
    }
    h.rule_priority = ex.match.priority;
    for (const lb::SkippedRule& sk : ex.match.skipped) {
        h.skipped.push_back(fmt::format("priority {}: {} {}", sk.priority, field_name(sk.field),
                                        sk.miss == lb::ConditionMiss::Absent
                                            ? "reads nothing the request has"
                                            : "matched none of its values"));
    }
    h.action = action_text(t, *ex.match.action, ex);
    bool unhealthy = false;
    for (FlowId id : ex.health_checks) {
        const FlowRecord& check = sim.flow(id);
        const bool healthy = check.outcome == Outcome::Connected;
        unhealthy |= !healthy;
        h.health.push_back({address_text(t, check.tuple.dst, check.tuple.dst_port),
                            std::string(to_string(check.outcome)), healthy});
    }
    if (ex.forward && ex.forward->outcome == lb::ForwardOutcome::Target) {
        h.target = target_text(t, ex.forward->target_group, ex.forward->target);
        h.choice = choice_text(t, *ex.forward);
    }
    net::FiveTuple at_drop;
    bool reply_dropped = false;
    std::optional<TracePath> dropped;
    if (ex.target_flow) {
        const FlowRecord& rec = sim.flow(*ex.target_flow);
        if (auto first = trace_of_flow(sim, rec.tuple, 0)) {
            Walk w = tracer.walk(*first, "target");
            h.to_target = w.path;
            if (w.path.fate == engine::Fate::Dropped) {
                dropped = w.path;
                at_drop = w.tuple_at_drop;
            } else if (w.path.fate == engine::Fate::Delivered && w.receiver != nullptr) {
                if (auto back = tracer.next_trace(w.last_trace + 1, w.receiver)) {
                    Walk b = tracer.walk(*back, "reply");
                    h.from_target = b.path;
                    if (b.path.fate == engine::Fate::Dropped) {
                        dropped = b.path;
                        at_drop = b.tuple_at_drop;
                        reply_dropped = true;
                    }
                }
            }
        }
    }
    switch (ex.answer) {
        case HttpAnswer::Target:
            report.verdict =
                fmt::format("reachable: HTTP 200 from {} through {}", ex.target, lb.meta.name);
            break;
        case HttpAnswer::Redirect:
        case HttpAnswer::FixedResponse:
            report.verdict = fmt::format("reachable: {} answered {} itself ({})", lb.meta.name,
                                         ex.status, h.action);
            break;
        default: {
            report.reachable = false;
            if (dropped) {
                // The drop's own verdict and hint, said of the load balancer's connection.
                set_drop_verdict(report, t, *dropped, at_drop, reply_dropped);
                report.verdict = fmt::format(
                    "unreachable: {} answered {}: its connection to {} "
                    "was {}",
                    lb.meta.name, ex.status, ex.target,
                    drop_phrase(report, *dropped, reply_dropped));
            } else {
                report.verdict = fmt::format("unreachable: {} answered {}", lb.meta.name, h.answer);
            }
            if (ex.answer == HttpAnswer::NoTarget && report.hint.empty()) {
                report.hint = "register targets in the target group (or give a group a weight)";
            }
            break;
        }
    }
    if (unhealthy || (dropped && !reply_dropped)) {
        // AWS: application-load-balancers — the load balancer connects to targets from its
        // nodes' private addresses, so the targets' security groups must admit it.
        report.notes.push_back(fmt::format(
            "{} connects to its targets from its nodes' private addresses ({} for this request): "
            "a target's security group must admit the load balancer's security group or those "
            "addresses, not the client's",
            lb.meta.name, t.enis[ex.node_eni].primary_ip().to_string()));
    }
    if (unhealthy) {
        report.notes.push_back(
            "health checks failed, so the target group fails open to every target when none is "
            "healthy");
    }
}

}  // namespace

namespace {

// A name rather than an address or a resource: letters, digits, '-' and at least one dot.
bool looks_like_dns_name(std::string_view text) {
    if (text.find('.') == std::string_view::npos || net::Ipv4Address::parse(text)) return false;
    return std::all_of(text.begin(), text.end(), [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '-' || c == '.' || c == '_';
    });
}

std::vector<std::string> answer_texts(const std::vector<dns::Record>& answers) {
    std::vector<std::string> out;
    for (const dns::Record& r : answers) out.push_back(dns::to_string(r.type) + " " + r.data);
    return out;
}

std::string first_address(const std::vector<dns::Record>& answers) {
    for (const dns::Record& r : answers) {
        if (r.type == dns::RrType::A) return r.data;
    }
    return "";
}

// Resolves `name` as the source would, in a simulation of its own so that the lookup leaves
// nothing in the traced flow's counters. Nothing (and `error`) when it does not resolve.
std::optional<DnsLookup> look_up(const model::Topology& t, const Endpoint& source,
                                 const std::string& name, std::string& error) {
    DnsLookup lookup;
    lookup.name = dns::normalize_name(name);
    std::vector<dns::Record> answers;
    if (source.kind == Endpoint::Kind::Instance) {
        const model::Eni& eni = t.enis[source.eni];
        const net::Ipv4Address resolver =
            model::cloud::resolver_address(t.vpcs[eni.vpc].cidrs.front());
        lookup.resolver = resolver.to_string() + " (the VPC resolver)";
        StubLookup stub = stub_lookup(t, source.eni, lookup.name);
        if (stub.traces.empty()) {
            error = "the lookup of " + lookup.name + " left no trace";
            return std::nullopt;
        }
        if (!stub.response || !stub.exchange || !stub.answered) {
            error = fmt::format("{}: the VPC resolver {} did not answer ({})", lookup.name,
                                resolver.to_string(), stub.error);
            return std::nullopt;
        }
        lookup.over_tcp = stub.over_tcp;
        lookup.path = path_of(stub.traces[*stub.answered], stub.over_tcp ? "dns over tcp" : "dns");
        const std::shared_ptr<const engine::DnsExchange> answered = stub.exchange;
        lookup.rcode = std::string(dns::to_string(answered->rcode));
        answers = answered->answers;
    } else {
        lookup.resolver = "the internet's name servers";
        model::DnsViews views(t, load_balancer_health_fn(t, probe_load_balancers(t)));
        dns::Random random(0x5eed);
        const std::map<std::string, HealthCheckStatus> checks = probe_health_checks(t);
        auto healthy = [&](std::string_view check) {
            auto it = checks.find(std::string(check));
            return it == checks.end() || it->second.healthy;
        };
        // AWS: routing-policy-geo, routing-policy-latency — the query is placed by where it
        // comes from: the internet host's `location`.
        dns::Resolution r =
            dns::resolve(views.internet(), {lookup.name, dns::RrType::A},
                         views.internet_client(source.address), healthy, views.alias(), random);
        if (!r.in_view()) r.answer.rcode = dns::Rcode::NxDomain;
        lookup.rcode = std::string(dns::to_string(r.answer.rcode));
        answers = r.answer.answers;
    }
    lookup.answers = answer_texts(answers);
    lookup.address = first_address(answers);
    if (lookup.address.empty()) {
        error = fmt::format("{}: {} from {}{}", lookup.name, lookup.rcode, lookup.resolver,
                            lookup.answers.empty() ? std::string(", no address")
                                                   : ", no A record among the answers");
        return std::nullopt;
    }
    return lookup;
}

}  // namespace

TraceResult run_trace(const model::Topology& topology, const TraceQuery& query) {
    ResolveResult from = resolve_endpoint(topology, query.from);
    if (!from.endpoint) return {std::nullopt, "--from: " + from.error};
    ResolveResult to = resolve_endpoint(topology, query.to);
    std::optional<DnsLookup> lookup;
    if (!to.endpoint && looks_like_dns_name(query.to)) {
        std::string error;
        lookup = look_up(topology, *from.endpoint, query.to, error);
        if (!lookup) return {std::nullopt, "--to: " + error};
        to = resolve_endpoint(topology, lookup->address);
    }
    if (!to.endpoint) return {std::nullopt, "--to: " + to.error};
    // A request to a name carries it as its Host header unless one was given, as curl sends it.
    TraceQuery named_query;
    if (lookup && query.http && query.http->host.empty()) {
        named_query = query;
        named_query.http->host = lookup->name;
    }
    const TraceQuery& q = named_query.http ? named_query : query;
    Probe probe;
    if (auto error = parse_probe(query, probe)) return {std::nullopt, *error};
    if (query.http && probe.protocol != net::Protocol::kTcp) {
        return {std::nullopt, "--http: an HTTP request is carried by tcp (--proto tcp)"};
    }

    Simulation sim(topology);
    Host* source = nullptr;
    try {
        source = &sim.host_for(*from.endpoint);
    } catch (const EndpointError& e) {
        return {std::nullopt, std::string("--from: ") + e.what()};
    }
    Endpoint src = *from.endpoint;
    src.address = sim.source_address(src);
    net::Ipv4Address dst = sim.destination_address(src, *to.endpoint);
    // SEMANTICS 0: an instance's own addresses are local; the packet never reaches the network.
    const bool local = source->kind() == Host::Kind::Instance && source->has_address(dst);
    warm_up(sim, *source, src, *to.endpoint);

    TimeNs start = sim.now();
    sim.engine().set_capture_sink(query.capture);
    FlowId flow = 0;
    std::optional<ExchangeId> exchange;
    switch (probe.protocol) {
        case net::Protocol::kTcp:
            if (query.http) {
                try {
                    exchange = sim.http(src, *to.endpoint, *probe.dport, *q.http);
                } catch (const EndpointError& e) {
                    return {std::nullopt, std::string("--http: ") + e.what()};
                }
                flow = sim.exchange(*exchange).client_flow;
                break;
            }
            flow = source->connect_tcp(dst, *probe.dport, probe.sport, src.address);
            break;
        case net::Protocol::kUdp:
            flow = source->send_udp(dst, *probe.dport, probe.sport, src.address);
            break;
        case net::Protocol::kIcmp:
            flow = source->ping(dst, src.address);
            break;
        default:
            flow = source->send_packet(
                {.tuple = {src.address, dst, 0, 0, probe.protocol}, .payload_size = 20});
            break;
    }
    sim.run_until_idle(kTraceHorizon);
    sim.engine().set_capture_sink(nullptr);

    TraceReport report;
    report.topology = topology.file;
    report.dns = std::move(lookup);
    report.components = sim.engine().components();
    report.from = trace_end_of(topology, src);
    report.from.label = from.endpoint->label;
    report.to = trace_end_of(topology, *to.endpoint);
    if (dst != to.endpoint->address) {
        report.to.address = dst.to_string();
        report.to.label = fmt::format("{} (public {})", report.to.name, dst.to_string());
    }
    report.protocol = net::protocol_name(probe.protocol);
    const FlowRecord& record = sim.flow(flow);
    if (probe.dport) report.dport = record.tuple.dst_port;
    if (probe.protocol == net::Protocol::kTcp || probe.protocol == net::Protocol::kUdp) {
        report.sport = record.tuple.src_port;
    }
    report.outcome = std::string(to_string(record.outcome));

    const bool answered = record.outcome == Outcome::Connected ||
                          record.outcome == Outcome::Replied || record.outcome == Outcome::Refused;
    if (local) {
        report.forward = local_path(record, *source, report.from.name);
        report.reachable = answered;
        report.refused = record.outcome == Outcome::Refused;
        report.verdict = answered ? "reachable"
                                  : fmt::format("unreachable: {} did not answer itself ({})",
                                                report.from.name, report.outcome);
        report.notes.push_back(fmt::format(
            "{} is an address of {} itself: its own stack delivers it, no VPC component sees it",
            dst.to_string(), report.from.name));
        keep_engine_view(report, sim);
        return {std::move(report), ""};
    }

    Tracer tracer(sim, start);
    auto first = tracer.next_trace(0, source);
    if (!first) {
        report.forward.direction = "forward";
        report.forward.fate = engine::Fate::Lost;
        report.verdict =
            fmt::format("unreachable: {} could not send: nothing answered its ARP for the next hop",
                        report.from.name);
        if (to.endpoint->kind == Endpoint::Kind::Unassigned) {
            report.hint = fmt::format("no interface holds {}", dst.to_string());
        }
        keep_engine_view(report, sim);
        return {std::move(report), ""};
    }
    Walk forward = tracer.walk(*first, "forward");
    report.forward = forward.path;
    Host* destination = nullptr;
    if (to.endpoint->kind == Endpoint::Kind::Internet) destination = &sim.internet();
    if (to.endpoint->kind == Endpoint::Kind::Instance) destination = sim.host_at(to.endpoint->eni);
    // A Network Load Balancer hands the flow to a target: the target's host is the far end.
    // AWS: network-load-balancers.
    for (const ReportStep& s : forward.path.steps) {
        if (s.engine && s.engine->kind == engine::ComponentKind::LoadBalancer &&
            s.engine->translation && forward.receiver != nullptr) {
            destination = forward.receiver;
        }
    }

    using engine::Fate;
    if (forward.path.fate == Fate::Dropped) {
        set_drop_verdict(report, topology, forward.path, forward.tuple_at_drop, false);
    } else if (forward.path.fate == Fate::Replied) {
        report.verdict =
            fmt::format("unreachable: answered by {} instead of {}",
                        forward.path.steps.empty() ? std::string("the network")
                                                   : step_name(report, forward.path.steps.back()),
                        report.to.name);
    } else if (forward.path.fate == Fate::Lost || forward.receiver == nullptr) {
        report.verdict = fmt::format("unreachable: the packet reached no host");
    } else if (forward.receiver != destination) {
        report.verdict = fmt::format("unreachable: delivered to {} instead of {}",
                                     step_name(report, forward.path.steps.back()), report.to.name);
        report.hint = forward.receiver_report.detail;
    } else if (auto back = tracer.next_trace(forward.last_trace + 1, forward.receiver); !back) {
        report.verdict = fmt::format("unreachable: {} did not answer ({})", report.to.name,
                                     forward.receiver_report.detail);
    } else {
        Walk ret = tracer.walk(*back, "return");
        report.ret = ret.path;
        if (ret.path.fate == Fate::Dropped) {
            set_drop_verdict(report, topology, ret.path, ret.tuple_at_drop, true);
        } else if (ret.path.fate != Fate::Delivered || ret.receiver != source) {
            report.verdict = "unreachable: the answer did not reach " + report.from.name;
        } else {
            report.reachable = true;
            report.verdict = "reachable";
        }
    }

    // SEMANTICS 0: reachable means the initiator got the answer it waits for. The paths explain
    // why; the initiator's own state decides.
    if (answered && !report.reachable) {
        report.reachable = true;
        report.verdict = "reachable";
        report.hint.clear();
    } else if (!answered && report.reachable) {
        report.reachable = false;
        std::string what = "nothing it recognised";
        if (report.ret && !report.ret->steps.empty() && report.ret->steps.back().host) {
            what = report.ret->steps.back().host->detail;
        }
        report.verdict = fmt::format(
            "unreachable: the answer reached {} but is not the answer it "
            "waits for ({}; {})",
            report.from.name, what, report.outcome);
        report.hint = translated_reply_hint(report);
    }

    // An internet address the topology does not describe: its answer is an assumption, and the
    // verdict says so (SEMANTICS: the internet the simulation models).
    if (to.endpoint->kind == Endpoint::Kind::Internet &&
        internet_address_kind(topology, dst) == InternetAddressKind::Assumed) {
        std::string igw;
        for (const ReportStep& s : report.forward.steps) {
            if (s.engine && s.engine->kind == engine::ComponentKind::InternetGateway) {
                igw = (*report.components)[s.engine->component].name;
            }
        }
        if (report.reachable && !igw.empty()) {
            report.verdict = fmt::format(
                "reachable: left the VPC through {}; the far end is assumed to answer", igw);
        } else if (!report.reachable && !topology.internet_others_answer &&
                   report.forward.fate == engine::Fate::Delivered) {
            report.verdict = fmt::format(
                "unreachable: left the VPC through {}; nothing answers at {} (the topology's "
                "internet: others: silent)",
                igw.empty() ? std::string("the internet gateway") : igw, dst.to_string());
        }
    }

    if (exchange) add_http(report, sim, tracer, sim.exchange(*exchange));
    if (record.outcome == Outcome::Refused && probe.protocol == net::Protocol::kTcp) {
        report.refused = true;
        report.notes.push_back(
            fmt::format("connection refused: nothing listens on tcp/{} at {} "
                        "(it answered RST)",
                        record.tuple.dst_port, report.to.name));
    }
    if (record.icmp_error) {
        report.notes.push_back(fmt::format(
            "{} received ICMP {} from {}", report.from.name,
            icmp_text(record.icmp_error->type, record.icmp_error->code, record.icmp_error->mtu),
            record.icmp_from.to_string()));
    }
    keep_engine_view(report, sim);
    return {std::move(report), ""};
}

std::string dropped_at_name(const TraceReport& report, const TracePath& path) {
    if (!path.dropped_at || !report.components) return "";
    return step_name(report, path.steps[*path.dropped_at]);
}

void set_drop_verdict(TraceReport& report, const model::Topology& topology, const TracePath& path,
                      const net::FiveTuple& at_drop, bool reply) {
    report.verdict = "unreachable: " + drop_phrase(report, path, reply);
    report.hint = hint_for(topology, *report.components, path, at_drop, reply);
}

TracePath path_of(const engine::PacketTrace& trace, std::string direction,
                  net::FiveTuple* tuple_at_drop) {
    TracePath path;
    path.direction = std::move(direction);
    path.packet = trace.packet;
    net::FiveTuple at_drop;
    append_trace(path, trace, at_drop);
    if (tuple_at_drop != nullptr) *tuple_at_drop = at_drop;
    path.fate = trace.fate;
    return path;
}

// ------------------------------------------------------------------------------------------
// Rendering.

namespace {

struct Palette {
    bool on = false;
    std::string paint(std::string_view text, const char* code) const {
        if (!on) return std::string(text);
        return fmt::format("\x1b[{}m{}\x1b[0m", code, text);
    }
    const char* action_code(std::string_view action) const {
        if (action == "drop" || action == "deny" || action == "ignore") return "31";
        if (action == "translate") return "36";
        return "32";
    }
};

std::string pad_to(std::string text, std::size_t width) {
    if (text.size() < width) text.append(width - text.size(), ' ');
    return text;
}

std::string request_text(const TraceReport& r) {
    std::string what = r.protocol;
    if (r.protocol == "icmp") what = "icmp echo";
    if (r.dport) what += fmt::format("/{}", *r.dport);
    return what;
}

// A step in words: the engine's formatter for a component, the host's own words for a host.
engine::StepText text_of(const engine::ComponentRegistry& components, const ReportStep& s) {
    if (s.engine) return engine::describe(*s.engine, components);
    return {"host/" + s.host->host, "host", std::string(to_string(s.host->action)), "",
            s.host->detail};
}

std::optional<DropReason> drop_of(const ReportStep& s) {
    return s.engine ? s.engine->drop : std::nullopt;
}

std::string packet_text(const TracePath& path) {
    return path.packet ? engine::summarize(*path.packet) : "(no packet reached the network)";
}

void render_path(std::string& out, const engine::ComponentRegistry& components,
                 const TracePath& path, const Palette& pal) {
    out += fmt::format("{}  {}\n", pal.paint(pad_to(path.direction, 7), "1"), packet_text(path));
    std::vector<engine::StepText> texts;
    std::size_t wc = 0, wa = 0, wr = 0;
    for (const ReportStep& s : path.steps) {
        engine::StepText& t = texts.emplace_back(text_of(components, s));
        wc = std::max(wc, t.component.size());
        wa = std::max(wa, t.action.size());
        wr = std::max(wr, t.rule.size());
    }
    for (std::size_t i = 0; i < path.steps.size(); ++i) {
        const engine::StepText& t = texts[i];
        std::string line = "  " + pad_to(t.component, wc) + "  ";
        line += pal.paint(pad_to(t.action, wa), pal.action_code(t.action));
        std::string rest = pad_to(t.rule, wr);
        if (!t.detail.empty()) rest += (wr > 0 ? "  " : "") + t.detail;
        if (auto drop = drop_of(path.steps[i])) {
            rest += (rest.empty() ? "" : "  ") + fmt::format("[{}]", engine::name(*drop));
        }
        while (!rest.empty() && rest.back() == ' ') rest.pop_back();
        if (!rest.empty()) line += "  " + rest;
        while (!line.empty() && line.back() == ' ') line.pop_back();
        out += line + "\n";
    }
    if (path.fate == engine::Fate::Lost && !path.steps.empty()) {
        out += "  (lost: no host received it)\n";
    }
}

nlohmann::ordered_json step_json(const engine::ComponentRegistry& components, const ReportStep& s) {
    const engine::StepText t = text_of(components, s);
    nlohmann::ordered_json j = {{"component", t.component},
                                {"kind", t.kind},
                                {"action", t.action},
                                {"rule", t.rule},
                                {"detail", t.detail}};
    auto drop = drop_of(s);
    j["drop_reason"] = drop ? nlohmann::ordered_json(std::string(engine::name(*drop))) : nullptr;
    return j;
}

}  // namespace

nlohmann::ordered_json path_json(const TracePath& p, const engine::ComponentRegistry& components) {
    nlohmann::ordered_json steps = nlohmann::ordered_json::array();
    for (const ReportStep& s : p.steps) steps.push_back(step_json(components, s));
    nlohmann::ordered_json j = {{"packet", packet_text(p)},
                                {"fate", std::string(engine::fate_name(p.fate))},
                                {"steps", steps}};
    j["drop_reason"] =
        p.drop ? nlohmann::ordered_json(std::string(engine::name(*p.drop))) : nullptr;
    const std::string at = p.dropped_at ? step_name(components, p.steps[*p.dropped_at]) : "";
    j["dropped_at"] = at.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(at);
    return j;
}

std::string render_path_text(const TracePath& path, const engine::ComponentRegistry& components,
                             bool color) {
    std::string out;
    render_path(out, components, path, Palette{color});
    return out;
}

namespace {

nlohmann::ordered_json end_json(const TraceEnd& e) {
    return {{"kind", e.kind}, {"name", e.name}, {"address", e.address}, {"label", e.label}};
}

}  // namespace

namespace {

// The load balancer's part of an HTTP trace: its decision, then its own connection's paths.
void render_http(std::string& out, const engine::ComponentRegistry& components, const HttpTrace& h,
                 const Palette& pal) {
    auto line = [&](std::string_view label, const std::string& text) {
        out += fmt::format("  {}  {}\n", pad_to(std::string(label), 13), text);
    };
    out += fmt::format("{}  {}\n", pal.paint(pad_to("http", 7), "1"), h.request);
    line("load balancer", fmt::format("{} (node {}){}", h.load_balancer, h.node,
                                      h.listener.empty() ? "" : ", listener " + h.listener));
    for (const std::string& s : h.skipped) line("passed over", s);
    if (!h.action.empty()) {
        line("rule", h.rule_priority ? fmt::format("priority {}", *h.rule_priority)
                                     : std::string("the listener's default action"));
        line("action", h.action);
    }
    for (const HttpTrace::Check& c : h.health) {
        line("health check",
             fmt::format("{}: {}, {}", c.target, c.outcome, c.healthy ? "healthy" : "unhealthy"));
    }
    if (!h.target.empty()) line("target", fmt::format("{}, {}", h.target, h.choice));
    line("answer", pal.paint(h.answer, h.status == 0 || h.status >= 500 ? "31" : "32"));
    if (h.to_target) {
        out += "\n";
        render_path(out, components, *h.to_target, pal);
    }
    if (h.from_target) {
        out += "\n";
        render_path(out, components, *h.from_target, pal);
    }
}

nlohmann::ordered_json http_json(const HttpTrace& h, const engine::ComponentRegistry& components) {
    nlohmann::ordered_json health = nlohmann::ordered_json::array();
    for (const HttpTrace::Check& c : h.health) {
        health.push_back({{"target", c.target}, {"outcome", c.outcome}, {"healthy", c.healthy}});
    }
    auto text_or_null = [](const std::string& s) {
        return s.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(s);
    };
    nlohmann::ordered_json j;
    j["request"] = h.request;
    j["load_balancer"] = h.load_balancer;
    j["node"] = h.node;
    j["listener"] = text_or_null(h.listener);
    j["rule_priority"] = h.rule_priority ? nlohmann::ordered_json(*h.rule_priority)
                                         : nlohmann::ordered_json(nullptr);
    j["skipped"] = h.skipped;
    j["action"] = text_or_null(h.action);
    j["health_checks"] = health;
    j["target"] = text_or_null(h.target);
    j["choice"] = text_or_null(h.choice);
    j["status"] =
        h.status == 0 ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(h.status);
    j["answer"] = h.answer;
    j["to_target"] = h.to_target ? path_json(*h.to_target, components) : nullptr;
    j["from_target"] = h.from_target ? path_json(*h.from_target, components) : nullptr;
    return j;
}

}  // namespace

std::string render_text(const TraceReport& r, bool color) {
    Palette pal{color};
    std::string out =
        fmt::format("trace {}: {} -> {}\n\n", request_text(r), r.from.label, r.to.label);
    if (r.dns) {
        out += fmt::format("dns {} -> {}: {} from {}{}: {}\n", r.dns->name, r.dns->address,
                           r.dns->rcode, r.dns->resolver,
                           r.dns->over_tcp ? " over TCP (the UDP answer was truncated)" : "",
                           fmt::join(r.dns->answers, ", "));
        if (r.dns->path) render_path(out, *r.components, *r.dns->path, pal);
        out += "\n";
    }
    render_path(out, *r.components, r.forward, pal);
    if (r.ret) {
        out += "\n";
        render_path(out, *r.components, *r.ret, pal);
    }
    if (r.http) {
        out += "\n";
        render_http(out, *r.components, *r.http, pal);
    }
    out += "\n";
    out += pal.paint(r.verdict, r.reachable ? "1;32" : "1;31") + "\n";
    for (const std::string& note : r.notes) out += "note: " + note + "\n";
    if (!r.hint.empty()) out += "hint: " + r.hint + "\n";
    return out;
}

std::string render_json(const TraceReport& r) {
    nlohmann::ordered_json j;
    j["reachable"] = r.reachable;
    j["verdict"] = r.verdict;
    j["hint"] = r.hint.empty() ? nlohmann::ordered_json(nullptr) : nlohmann::ordered_json(r.hint);
    j["refused"] = r.refused;
    j["outcome"] = r.outcome;
    j["notes"] = r.notes;
    j["topology"] = r.topology;
    j["from"] = end_json(r.from);
    j["to"] = end_json(r.to);
    if (r.dns) {
        j["dns"] = {{"name", r.dns->name},
                    {"resolver", r.dns->resolver},
                    {"rcode", r.dns->rcode},
                    {"over_tcp", r.dns->over_tcp},
                    {"answers", r.dns->answers},
                    {"address", r.dns->address},
                    {"path", r.dns->path ? path_json(*r.dns->path, *r.components)
                                         : nlohmann::ordered_json(nullptr)}};
    }
    j["protocol"] = r.protocol;
    j["dport"] = r.dport ? nlohmann::ordered_json(*r.dport) : nullptr;
    j["sport"] = r.sport ? nlohmann::ordered_json(*r.sport) : nullptr;
    j["forward"] = path_json(r.forward, *r.components);
    j["return"] = r.ret ? path_json(*r.ret, *r.components) : nlohmann::ordered_json(nullptr);
    j["http"] = r.http ? http_json(*r.http, *r.components) : nlohmann::ordered_json(nullptr);
    return j.dump(2) + "\n";
}

}  // namespace vpcstack::sim
