// The one place where trace records become words. Text reports, JSON reports and lab traces all
// call these; nothing else formats a step, and nothing reads the words back.
#pragma once

#include <string>
#include <string_view>

#include "vpcstack/engine/component.hpp"
#include "vpcstack/engine/trace.hpp"

namespace vpcstack::engine {

// A step in words, field by field, as `vpcctl trace` prints it:
//   component "acl/private-acl", kind "network-acl", action "allow",
//   rule "inbound rule 100: allow tcp/80 from 0.0.0.0/0", detail ""
struct StepText {
    std::string component;
    std::string kind;
    std::string action;
    std::string rule;
    std::string detail;
};

StepText describe(const TraceStep& step, const ComponentRegistry& components);

std::string_view action_name(Action action) noexcept;  // "allow", "translate", ...
std::string_view fate_name(Fate fate) noexcept;  // "delivered", "answered by the network", ...
std::string_view conn_state_name(ConnState state) noexcept;  // "new, tracked", "related", ...
// "inbound rule 100: allow tcp/80 from 0.0.0.0/0", "outbound: all to 0.0.0.0/0", ...
std::string rule_text(const RuleRef& rule);
// "src 10.0.2.10:40000 -> 10.0.1.20:1024 (new translation)"
std::string translation_text(const Translation& translation);
// "10.0.1.10:80" for TCP and UDP, "10.0.1.10 id 7" for ICMP, the address otherwise; an
// endpoint without a port prints its address.
std::string endpoint_text(const Endpoint& endpoint, std::uint8_t protocol);
// "tcp 10.0.1.10:40000 -> 10.0.2.10:443 [SYN]", "arp who-has 10.0.1.1 tell 10.0.1.10", ...
std::string summarize(const PacketFacts& packet);

}  // namespace vpcstack::engine
