// Network ACLs: the stateless filter of a subnet, for traffic leaving it (outbound, before the
// route table) and entering it (inbound).
//
// Outcomes: outbound, RouteLookup; inbound, whatever the packet was entering the subnet for
// (Context::entering.then); Drop with AclDenied.
//
// AWS: vpc-network-acls — rules are evaluated from the lowest number, the first match decides,
// the final '*' rule denies. Traffic within one subnet is not evaluated; traffic entering a
// subnet from outside it is evaluated inbound; a reply is evaluated like any other packet. A
// later fragment has no ports: see CompiledAcl::evaluate_later_fragment.
#include "../dataplane.hpp"

namespace vpcstack::engine::stages {

namespace {

bool allows(Dataplane& dp, Context& ctx, model::Index subnet, policy::Direction direction) {
    const model::Index acl = dp.topo.subnets[subnet].network_acl;
    const ComponentId comp = dp.components->network_acl(acl);
    dp.touch(comp);
    const bool later_fragment = ctx.pf.fragment && !ctx.pf.first_fragment;
    const policy::AclVerdict v = later_fragment
                                     ? dp.acls[acl].evaluate_later_fragment(direction, ctx.pf.key)
                                     : dp.acls[acl].evaluate(direction, ctx.pf.key);
    TraceStep* s =
        v.allowed ? dp.step(ctx, comp, Action::Allow) : dp.drop(ctx, DropReason::AclDenied, comp);
    if (s != nullptr) {
        s->rule.direction = direction;
        s->subnet = subnet;
        if (v.rule == nullptr) {
            s->rule.kind = RuleRef::Kind::AclDefault;
            s->rule.number = policy::kAclFinalRuleNumber;
        } else {
            s->rule.kind = RuleRef::Kind::AclRule;
            s->rule.number = v.rule_number;
            s->rule.text = v.rule->text;
        }
        if (later_fragment) s->note = Note::LaterFragment;
    }
    return v.allowed || dp.config.audit;  // audit: recorded above, and on
}

}  // namespace

Next acl_outbound(Dataplane& dp, Context& ctx) {
    dp.capture(CaptureKind::Subnet, ctx.subnet, CaptureSide::Whole, CaptureDirection::Outbound,
               ctx.frame);
    return allows(dp, ctx, ctx.subnet, policy::Direction::Outbound) ? Next::RouteLookup
                                                                    : Next::Done;
}

Next acl_inbound(Dataplane& dp, Context& ctx) {
    const Context::Entering& e = ctx.entering;
    if (e.subnet == e.from_subnet) return e.then;
    dp.capture(CaptureKind::Subnet, e.subnet, CaptureSide::Whole, CaptureDirection::Inbound,
               ctx.frame);
    return allows(dp, ctx, e.subnet, policy::Direction::Inbound) ? e.then : Next::Done;
}

}  // namespace vpcstack::engine::stages
