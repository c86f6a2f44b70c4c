#include "vpcstack/policy/nat.hpp"

#include "vpcstack/net/protocol.hpp"

namespace vpcstack::policy {

NatHandling nat_handling(const NatPacketFacts& f) noexcept {
    switch (f.protocol) {
        case net::Protocol::kUdp:
            // AWS: vpc-nat-gateway — UDP fragments are forwarded.
            if (f.fragment && !f.first_fragment) return NatHandling::TranslateAddress;
            return NatHandling::Translate;
        case net::Protocol::kTcp:
            // AWS: vpc-nat-gateway — TCP fragments are dropped.
            return f.fragment ? NatHandling::Unsupported : NatHandling::Translate;
        case net::Protocol::kIcmp:
            // AWS: vpc-nat-gateway — ICMP fragments are dropped; only query messages carry an id.
            if (f.fragment || !f.icmp_query) return NatHandling::Unsupported;
            return NatHandling::Translate;
        default:
            return NatHandling::Unsupported;
    }
}

}  // namespace vpcstack::policy
