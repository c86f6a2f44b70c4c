// Network Load Balancer: a node takes a client's flow on a listener, sends it to one target of
// the listener's target group, and carries the target's replies back to the client.
//
// load_balancer (a packet for a node's address, after the node subnet's inbound ACL): a
//   tracked flow goes on to its target. A new one needs a listener for its protocol and port,
//   the load balancer's security groups (when it has any) inbound and outbound, and a target:
//   among the group's targets in the zones the load balancer spans (in the node's own zone
//   unless cross-zone load balancing is on), the healthy ones, or all of them when none is
//   healthy; the flow hash picks one. The destination becomes the target; with client IP
//   preservation off the source becomes the node's address and a port of its own. Then the
//   node's subnet routes it (AclOutbound), or EniIngress in the same subnet. Drop with
//   LbNotCarried (a TLS listener, a target that is the client itself with client IP
//   preservation), LbNoListener (no listener, or
//   ICMP), SecurityGroupNoMatch, LbNoTarget, or LbNoFlow (a TCP packet that is not a SYN and
//   of no flow: RST sent).
// load_balancer_return (a target's reply, matched at its subnet's exit): the source becomes
//   the node's address and listener port, the destination the client's own; then the node's
//   subnet routes it to the client.
//
// AWS: network-load-balancers — one node per enabled zone; a flow hash (protocol, addresses,
// ports) picks the target and the flow keeps it; idle timeout 350 s (TCP), 120 s (UDP); cross-
// zone load balancing is off by default; when no target is healthy the load balancer routes to
// all of them (fail open); a target in a zone the load balancer does not span gets nothing.
// AWS: load-balancer-target-groups (client IP preservation) — on, the target sees the client's
// address; off, the node's private address. Either way the reply goes back through the load
// balancer, whatever the target subnet's route table says. AWS: target-group-health-checks —
// checks come from the nodes' private addresses, so the target's security group and both
// subnets' ACLs must admit them. AWS: load-balancer-security-groups — the load balancer's
// groups judge the clients inbound and the traffic to targets outbound; a target's group may
// reference them. The nodes answer no ICMP and nothing on a port without a listener.
#include <algorithm>
#include <string>

#include "../dataplane.hpp"
#include "vpcstack/engine/rewrite.hpp"
#include "vpcstack/policy/nat.hpp"

namespace vpcstack::engine::stages {

namespace {

using policy::Direction;

// The source port the simulated health checker uses (an ephemeral port, as the cloud's).
constexpr std::uint16_t kHealthCheckSourcePort = 40000;

// AWS: load-balancer-listeners — a TCP_UDP listener takes both.
const model::Listener* listener_for(const model::LoadBalancer& lb, std::uint8_t protocol,
                                    std::uint16_t port) {
    using P = model::LbProtocol;
    for (const model::Listener& l : lb.listeners) {
        if (l.port != port) continue;
        const bool tcp = l.protocol == P::Tcp || l.protocol == P::Tls || l.protocol == P::TcpUdp;
        const bool udp = l.protocol == P::Udp || l.protocol == P::TcpUdp;
        if ((protocol == net::Protocol::kTcp && tcp) || (protocol == net::Protocol::kUdp && udp)) {
            return &l;
        }
    }
    return nullptr;
}

// An NLB listener forwards to one target group.
const model::TargetGroup* group_of(const Dataplane& dp, const model::Listener& l) {
    for (const model::WeightedTargetGroup& w : l.default_action.target_groups) {
        if (w.weight > 0 && w.target_group < dp.topo.target_groups.size()) {
            return &dp.topo.target_groups[w.target_group];
        }
    }
    return nullptr;
}

struct Candidate {
    model::Index eni = model::kNone;
    net::Ipv4Address ip;
    std::uint16_t port = 0;
};

std::optional<Candidate> candidate_of(const Dataplane& dp, const model::TargetGroup& tg,
                                      const model::Target& target) {
    const std::uint16_t port = target.port.value_or(tg.port);
    if (target.instance != model::kNone) {
        const model::Instance& in = dp.topo.instances[target.instance];
        if (in.enis.empty()) return std::nullopt;
        const model::Index eni = in.enis.front();
        return Candidate{eni, dp.topo.enis[eni].primary_ip(), port};
    }
    auto owner = dp.owner_of(tg.vpc, target.ip);
    if (!owner || owner->kind != Owner::Kind::Eni) return std::nullopt;
    return Candidate{owner->index, target.ip, port};
}

const std::string& zone_of_subnet(const Dataplane& dp, model::Index subnet) {
    return dp.topo.subnets[subnet].availability_zone;
}

bool acl_allows(const Dataplane& dp, model::Index subnet, Direction d, const policy::FlowKey& k) {
    return dp.acls[dp.topo.subnets[subnet].network_acl].evaluate(d, k).allowed;
}

// Whether the node's health checks reach the target and its answers come back: the target
// runs and listens on the check's port, and the ACLs and security groups on the way admit the
// check and its reply. The steady state of the checks: the thresholds and intervals decide how
// fast it is reached, not what it is.
bool healthy_from(Dataplane& dp, model::Index node_index, const model::TargetGroup& tg,
                  const Candidate& c) {
    const std::uint16_t port = tg.health_check.port.value_or(c.port);
    const std::uint64_t key = Dataplane::lb_health_key(node_index, c.eni, port);
    if (auto it = dp.lb_health.find(key); it != dp.lb_health.end()) return it->second;
    const LbNode& node = dp.lb_nodes[node_index];
    const EniState& eni = dp.enis[c.eni];
    bool ok = eni.running;
    const model::Index instance = dp.topo.enis[c.eni].instance;
    if (ok && instance != model::kNone) {
        ok = dp.topo.listen_set(instance).listens(net::Protocol::kTcp, port);
    }
    const policy::FlowKey check{node.private_ip, c.ip, net::Protocol::kTcp, kHealthCheckSourcePort,
                                port};
    const policy::FlowKey answer{c.ip, node.private_ip, net::Protocol::kTcp, port,
                                 kHealthCheckSourcePort};
    const bool same_subnet = node.subnet == eni.subnet;
    if (ok && !node.groups.empty()) {
        ok = policy::evaluate(node.groups, Direction::Outbound, check).allowed;
    }
    if (ok && !same_subnet) {
        ok = acl_allows(dp, node.subnet, Direction::Outbound, check) &&
             acl_allows(dp, eni.subnet, Direction::Inbound, check) &&
             acl_allows(dp, eni.subnet, Direction::Outbound, answer) &&
             acl_allows(dp, node.subnet, Direction::Inbound, answer);
    }
    if (ok) {
        const policy::Sender sender{node.groups, true};
        ok = policy::evaluate(eni.groups, Direction::Inbound, check, &sender).allowed;
    }
    dp.lb_health.emplace(key, ok);
    return ok;
}

std::uint64_t flow_hash(const net::FiveTuple& t) noexcept {
    std::uint64_t h = std::hash<net::FiveTuple>{}(t);
    h ^= h >> 33;  // splitmix64's finaliser: spread every input bit
    h *= 0xff51afd7ed558ccdULL;
    h ^= h >> 33;
    h *= 0xc4ceb9fe1a85ec53ULL;
    h ^= h >> 33;
    return h;
}

struct Choice {
    std::optional<Candidate> target;
    std::uint32_t pool = 0;
    bool fail_open = false;
    bool none_in_zone = false;
};

Choice choose_target(Dataplane& dp, model::Index node_index, const model::LoadBalancer& lb,
                     const model::TargetGroup& tg, const net::FiveTuple& flow) {
    const LbNode& node = dp.lb_nodes[node_index];
    const std::string& zone = zone_of_subnet(dp, node.subnet);
    std::vector<Candidate> all, healthy;
    bool any_registered = false;
    for (const model::Target& t : tg.targets) {
        auto c = candidate_of(dp, tg, t);
        if (!c) continue;
        const std::string& target_zone = zone_of_subnet(dp, dp.enis[c->eni].subnet);
        const bool spanned = std::any_of(lb.nodes.begin(), lb.nodes.end(), [&](const auto& n) {
            return zone_of_subnet(dp, n.subnet) == target_zone;
        });
        if (!spanned) continue;  // a zone the load balancer is not enabled in
        any_registered = true;
        if (!lb.cross_zone && target_zone != zone) continue;
        all.push_back(*c);
        if (healthy_from(dp, node_index, tg, *c)) healthy.push_back(*c);
    }
    Choice out;
    out.none_in_zone = any_registered && all.empty();
    const std::vector<Candidate>& pool = healthy.empty() ? all : healthy;
    if (pool.empty()) return out;
    out.fail_open = healthy.empty();
    out.pool = static_cast<std::uint32_t>(pool.size());
    out.target = pool[flow_hash(flow) % pool.size()];
    return out;
}

// From the node (or for a reply, back out of it) towards the packet's destination: straight
// to an ENI of the node's own subnet, else out through the node subnet's ACL and route table.
Next leave_node(Dataplane& dp, Context& ctx, const LbNode& node) {
    const model::Subnet& sn = dp.topo.subnets[node.subnet];
    if (sn.cidr.contains(ctx.pf.key.dst)) {
        auto owner = dp.owner_of(node.vpc, ctx.pf.key.dst);
        if (owner && owner->kind == Owner::Kind::Eni) {
            ctx.target = owner->index;
            return Next::EniIngress;
        }
    }
    return leave_subnet(ctx, node.subnet);
}

void note_target(TraceStep* s, Note note, const Candidate& c, std::uint32_t pool) {
    if (s == nullptr) return;
    s->note = note;
    s->args.endpoint = {c.ip, c.port};
    s->args.n = pool;
}

// The packet's new destination (and, without client IP preservation, source), traced.
void translate(Dataplane& dp, Context& ctx, ComponentId comp, const net::FiveTuple& inside) {
    const std::uint8_t protocol = ctx.pf.key.protocol;
    const Endpoint dst_before{ctx.pf.key.dst, ctx.pf.tuple.dst_port};
    const Endpoint src_before{ctx.pf.key.src, ctx.pf.tuple.src_port};
    const bool snat = inside.src != ctx.pf.key.src || inside.src_port != ctx.pf.tuple.src_port;
    if (inside.dst != ctx.pf.key.dst || inside.dst_port != ctx.pf.tuple.dst_port) {
        rewrite_dst_address(ctx.frame, ctx.pf, inside.dst);
        rewrite_dst_port(ctx.frame, ctx.pf, inside.dst_port);
        if (TraceStep* s = dp.step(ctx, comp, Action::Translate)) {
            s->translation = Translation{Translation::Field::Destination,
                                         protocol,
                                         dst_before,
                                         {inside.dst, inside.dst_port},
                                         Translation::Note::None};
        }
    }
    if (!snat) return;
    rewrite_src_address(ctx.frame, ctx.pf, inside.src);
    rewrite_src_port(ctx.frame, ctx.pf, inside.src_port);
    if (TraceStep* s = dp.step(ctx, comp, Action::Translate)) {
        s->translation = Translation{Translation::Field::Source,
                                     protocol,
                                     src_before,
                                     {inside.src, inside.src_port},
                                     Translation::Note::None};
    }
}

bool lb_groups_allow(Dataplane& dp, Context& ctx, const LbNode& node, Direction d,
                     const policy::FlowKey& key, const policy::Sender* sender) {
    if (node.groups.empty()) return true;
    const policy::SgVerdict v = policy::evaluate(node.groups, d, key, sender);
    const ComponentId comp =
        dp.components->security_group((v.allowed ? v.group : node.groups[0])->index);
    dp.touch(comp);
    if (v.allowed) {
        if (TraceStep* s = dp.step(ctx, comp, Action::Allow)) {
            s->rule = {RuleRef::Kind::SecurityGroupRule, d, 0, v.rule->text};
            s->conn = ConnState::NewTracked;
        }
        return true;
    }
    if (TraceStep* s = dp.drop(ctx, DropReason::SecurityGroupNoMatch, comp)) {
        s->rule.kind = RuleRef::Kind::SecurityGroupNone;
        s->rule.direction = d;
    }
    return dp.config.audit;  // audit: recorded, and on
}

}  // namespace

Next load_balancer(Dataplane& dp, Context& ctx) {
    const model::Index node_index = ctx.target;
    const LbNode& node = dp.lb_nodes[node_index];
    const model::LoadBalancer& lb = dp.topo.load_balancers[node.lb];
    const ComponentId comp = dp.components->load_balancer(node.lb);
    const ParsedFrame& pf = ctx.pf;
    dp.touch(comp);
    if (pf.key.protocol != net::Protocol::kTcp && pf.key.protocol != net::Protocol::kUdp) {
        if (TraceStep* s = dp.drop(ctx, DropReason::LbNoListener, comp)) {
            if (pf.key.protocol == net::Protocol::kIcmp) {
                s->note = Note::LbNoIcmp;
                s->args.n = pf.icmp_type;
            }
        }
        return Next::Done;
    }
    if (!pf.has_l4) {  // a later fragment: no ports to find the flow by
        if (TraceStep* s = dp.drop(ctx, DropReason::LbNotCarried, comp)) {
            s->note = Note::InboundFragment;
        }
        return Next::Done;
    }
    Counters::LoadBalancer& counts = dp.lb_counts[node.lb];
    if (LbFlow* flow = dp.lb_flows.find_client(pf.tuple, ctx.now)) {
        ++counts.ProcessedPackets;
        counts.ProcessedBytes += pf.ip_total_length;
        if (TraceStep* s = dp.step(ctx, comp, Action::Forward)) {
            s->note = Note::LbFlow;
            s->args.endpoint = {flow->inside.dst, flow->inside.dst_port};
        }
        const net::FiveTuple inside = flow->inside;
        translate(dp, ctx, comp, inside);
        ctx.via_lb = node_index;
        return leave_node(dp, ctx, node);
    }
    const model::Listener* listener = listener_for(lb, pf.key.protocol, pf.tuple.dst_port);
    if (listener == nullptr) {
        dp.drop(ctx, DropReason::LbNoListener, comp);
        return Next::Done;
    }
    if (listener->protocol == model::LbProtocol::Tls) {
        if (TraceStep* s = dp.drop(ctx, DropReason::LbNotCarried, comp)) {
            s->note = Note::LbTlsListener;
        }
        return Next::Done;
    }
    if (TraceStep* s = dp.step(ctx, comp, Action::Forward)) {
        s->note = Note::LbListener;
        s->args.endpoint = {pf.key.dst, pf.tuple.dst_port};
        s->args.m = pf.key.protocol;
    }
    if (pf.key.protocol == net::Protocol::kTcp && policy::answer_with_rst(pf.tcp_flags)) {
        if (TraceStep* s = dp.drop(ctx, DropReason::LbNoFlow, comp)) s->note = Note::LbRstSent;
        dp.send_tcp_rst(ctx);
        ++counts.TCP_ELB_Reset_Count;
        return Next::Done;
    }
    const policy::Sender sender = dp.sender_of(ctx);
    if (!lb_groups_allow(dp, ctx, node, Direction::Inbound, pf.key, &sender)) return Next::Done;
    const model::TargetGroup* tg = group_of(dp, *listener);
    const Choice choice =
        tg == nullptr ? Choice{} : choose_target(dp, node_index, lb, *tg, pf.tuple);
    if (!choice.target) {
        if (TraceStep* s = dp.drop(ctx, DropReason::LbNoTarget, comp)) {
            if (choice.none_in_zone) {
                s->note = Note::LbNoTargetInZone;
                s->args.text = zone_of_subnet(dp, node.subnet);
            }
        }
        return Next::Done;
    }
    const Candidate& c = *choice.target;
    note_target(dp.step(ctx, comp, Action::Forward),
                choice.fail_open ? Note::LbTargetFailOpen : Note::LbTarget, c, choice.pool);
    net::FiveTuple inside{pf.key.src, c.ip, pf.tuple.src_port, c.port, pf.key.protocol};
    // AWS: load-balancer-troubleshooting — with client IP preservation a target cannot reach
    // itself through its load balancer: it would receive a packet from its own address, which
    // its operating system drops.
    if (tg->preserve_client_ip && inside.src == inside.dst) {
        if (TraceStep* s = dp.drop(ctx, DropReason::LbNotCarried, comp)) {
            s->note = Note::LbLoopback;
            s->args.address = c.ip;
        }
        return Next::Done;
    }
    if (!tg->preserve_client_ip) {
        const std::uint16_t port = dp.lb_flows.free_port(node.private_ip, inside);
        if (port == 0) {
            dp.drop(ctx, DropReason::LbNoTarget, comp);
            return Next::Done;
        }
        inside.src = node.private_ip;
        inside.src_port = port;
    }
    const policy::FlowKey to_target{inside.src, inside.dst, inside.protocol, inside.src_port,
                                    inside.dst_port};
    if (!lb_groups_allow(dp, ctx, node, Direction::Outbound, to_target, nullptr)) {
        return Next::Done;
    }
    dp.lb_flows.insert({node_index, c.eni, pf.tuple, inside, ctx.now, true});
    ++counts.NewFlowCount;
    ++(pf.key.protocol == net::Protocol::kTcp ? counts.NewFlowCount_TCP : counts.NewFlowCount_UDP);
    ++counts.ProcessedPackets;
    counts.ProcessedBytes += pf.ip_total_length;
    translate(dp, ctx, comp, inside);
    ctx.via_lb = node_index;
    return leave_node(dp, ctx, node);
}

Next load_balancer_return(Dataplane& dp, Context& ctx) {
    const LbFlow& flow = *ctx.lb_reply;
    const LbNode& node = dp.lb_nodes[flow.node];
    const ComponentId comp = dp.components->load_balancer(node.lb);
    dp.touch(comp);
    Counters::LoadBalancer& counts = dp.lb_counts[node.lb];
    ++counts.ProcessedPackets;
    counts.ProcessedBytes += ctx.pf.ip_total_length;
    if (TraceStep* s = dp.step(ctx, comp, Action::Forward)) {
        s->note = Note::LbReply;
        s->args.endpoint = {flow.client.src, flow.client.src_port};
    }
    // The reply as the client expects it: from the address and port it connected to.
    translate(dp, ctx, comp, reply_tuple(flow.client));
    ctx.lb_reply = nullptr;
    ctx.via_lb = flow.node;
    return leave_node(dp, ctx, node);
}

}  // namespace vpcstack::engine::stages
