// Security groups: the stateful firewall of an ENI, for what it sends (egress) and what it
// receives (ingress).
//
// Outcomes: SubnetExit (egress) or Deliver (ingress) when allowed; Drop with
// SecurityGroupNoMatch or ConntrackFull.
//
// AWS: EC2 security-group-connection-tracking — a packet of a tracked flow passes either way; a
// new flow needs a rule of the direction it travels and is tracked unless it qualifies as
// untracked (rules of both directions allow all traffic to and from 0.0.0.0/0). Flows through a
// NAT gateway are always tracked. ICMP errors quoting a tracked flow pass as related traffic. A
// later fragment (no ports) passes when its datagram's first fragment passed within 30 s. An
// inbound rule that references a group matches only what a member ENI sent itself, not what a
// middlebox forwarded from a member's address (AWS: security-group-rules).
#include "../dataplane.hpp"

namespace vpcstack::engine::stages {

namespace {

using policy::Direction;

constexpr TimeNs kFragmentTimeout = 30 * kNsPerSecond;  // as Linux's ipfrag_time

std::uint64_t fragment_key(const ParsedFrame& pf) noexcept {
    return (std::uint64_t{pf.key.src.value()} * 0x9E3779B97F4A7C15ULL) ^
           (std::uint64_t{pf.key.dst.value()} << 24) ^ (std::uint64_t{pf.ip_id} << 8) ^
           pf.key.protocol;
}

// The first fragment of a datagram was allowed at this ENI: let the rest follow.
void admit_fragments(const Context& ctx, EniState& eni) {
    if (!ctx.pf.first_fragment) return;
    eni.admitted_fragments[fragment_key(ctx.pf)] = ctx.now + kFragmentTimeout;
}

// A step of this ENI's groups, marked with the ENI: a group may be on many ENIs, and flow logs
// need to know whose decision it was.
TraceStep* for_eni(TraceStep* s, const EniState& eni) noexcept {
    if (s != nullptr) s->eni = eni.index;
    return s;
}

bool fragment_admitted(Dataplane& dp, Context& ctx, EniState& eni, ComponentId comp) {
    dp.touch(comp);
    auto it = eni.admitted_fragments.find(fragment_key(ctx.pf));
    if (it == eni.admitted_fragments.end() || it->second < ctx.now) {
        if (TraceStep* s = for_eni(dp.drop(ctx, DropReason::SecurityGroupNoMatch, comp), eni)) {
            s->note = Note::FragmentNotAdmitted;
        }
        return false;
    }
    if (TraceStep* s = for_eni(dp.step(ctx, comp, Action::Allow), eni))
        s->conn = ConnState::Fragment;
    return true;
}

bool allows(Dataplane& dp, Context& ctx, EniState& eni, Direction direction) {
    const ParsedFrame& pf = ctx.pf;
    const ComponentId first =
        eni.groups.empty() ? eni.component : dp.components->security_group(eni.groups[0]->index);
    if (pf.fragment && !pf.first_fragment) return fragment_admitted(dp, ctx, eni, first);
    auto hit = eni.conntrack.find(pf.tuple, ctx.now, pf.icmp_type, pf.tcp_flags);
    if (hit.entry != nullptr) {
        dp.touch(first);
        if (TraceStep* s = for_eni(dp.step(ctx, first, Action::Allow), eni)) {
            s->conn = hit.reply ? ConnState::EstablishedReply : ConnState::Established;
        }
        if (pf.fragment) admit_fragments(ctx, eni);
        return true;
    }
    if (pf.icmp_inner.present && eni.conntrack.contains_either_way(pf.icmp_inner.tuple, ctx.now)) {
        dp.touch(first);
        if (TraceStep* s = for_eni(dp.step(ctx, first, Action::Allow), eni))
            s->conn = ConnState::Related;
        return true;
    }
    const policy::Sender sender = dp.sender_of(ctx);
    policy::SgVerdict v = policy::evaluate(eni.groups, direction, pf.key,
                                           direction == Direction::Inbound ? &sender : nullptr);
    if (!v.allowed) {
        dp.touch(first);
        if (TraceStep* s = for_eni(dp.drop(ctx, DropReason::SecurityGroupNoMatch, first), eni)) {
            s->rule.kind = RuleRef::Kind::SecurityGroupNone;
            s->rule.direction = direction;
        }
        if (!dp.config.audit) return false;
        // Audit: go on as a tracked flow, so its reply is judged as an allowed flow's would be.
        eni.conntrack.insert(pf.tuple, ctx.now, pf.icmp_type, pf.tcp_flags);
        return true;
    }
    const ComponentId comp = dp.components->security_group(v.group->index);
    dp.touch(comp);
    const bool through_nat = direction == Direction::Outbound
                                 ? dp.routes_through_nat(eni.subnet, pf.key.dst)
                                 : ctx.via_nat != model::kNone;
    const bool untracked = !through_nat && policy::is_untracked_flow(eni.groups, direction, pf.key);
    if (!untracked && eni.conntrack.insert(pf.tuple, ctx.now, pf.icmp_type, pf.tcp_flags) ==
                          ConntrackTable::InsertOutcome::Full) {
        ++eni.conntrack_allowance_exceeded;
        if (TraceStep* s = for_eni(dp.drop(ctx, DropReason::ConntrackFull, comp), eni)) {
            s->note = Note::ConntrackCount;
            s->args.n = static_cast<std::uint32_t>(eni.conntrack.size());
        }
        return false;
    }
    if (TraceStep* s = for_eni(dp.step(ctx, comp, Action::Allow), eni)) {
        s->rule = {RuleRef::Kind::SecurityGroupRule, direction, 0, v.rule->text};
        s->conn = untracked ? ConnState::NewUntracked : ConnState::NewTracked;
    }
    if (pf.fragment) admit_fragments(ctx, eni);
    return true;
}

}  // namespace

Next security_group_egress(Dataplane& dp, Context& ctx) {
    return allows(dp, ctx, dp.eni(ctx.ingress), Direction::Outbound) ? Next::SubnetExit
                                                                     : Next::Done;
}

Next security_group_ingress(Dataplane& dp, Context& ctx) {
    return allows(dp, ctx, dp.eni(ctx.target), Direction::Inbound) ? Next::Deliver : Next::Done;
}

}  // namespace vpcstack::engine::stages
