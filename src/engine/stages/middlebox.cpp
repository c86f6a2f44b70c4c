// Middlebox routing: a route whose target is an ENI (or an instance's primary ENI) sends the
// packet, unchanged, into that ENI's subnet (AclInbound) and to the ENI (EniIngress).
//
// AWS: middlebox-routing — the packet reaches the appliance with its original destination and
// is accepted only when the appliance's source/destination check is off (EniIngress decides).
#include "../dataplane.hpp"

namespace vpcstack::engine::stages {

Next middlebox(Dataplane& dp, Context& ctx) {
    return enter_subnet(ctx, dp.eni(ctx.target).subnet, ctx.subnet, Next::EniIngress);
}

}  // namespace vpcstack::engine::stages
