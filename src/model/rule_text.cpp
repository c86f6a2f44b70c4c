#include "vpcstack/model/rule_text.hpp"

#include <fmt/format.h>

namespace vpcstack::model {

std::string traffic_text(const net::Protocol& protocol, const net::PortRange& ports,
                         const net::IcmpMatch& icmp) {
    std::string text = protocol.to_string();
    if (protocol.has_ports() && !ports.is_all()) text += "/" + ports.to_string();
    if (!icmp.is_any()) text += "/" + icmp.to_string();
    return text;
}

std::string route_text(std::string_view destination, std::string_view target) {
    return fmt::format("{} -> {}", destination, target);
}

std::string acl_rule_text(long number, std::string_view action, std::string_view traffic,
                          bool inbound, std::string_view cidr) {
    return fmt::format("{} {} {} {} {}", number, action, traffic, inbound ? "from" : "to", cidr);
}

std::string to_string(RuleAction action) {
    return action == RuleAction::Allow ? "allow" : "deny";
}

std::string sg_rule_text(std::string_view traffic, bool ingress, std::string_view peer) {
    return fmt::format("{} {} {}", traffic, ingress ? "from" : "to", peer);
}

std::string sg_peer_text(const RawSgRule& rule) {
    switch (rule.peer_kind) {
        case PeerKind::Cidr:
            return rule.cidr.to_string();
        case PeerKind::SecurityGroup:
            return "sg:" + rule.reference;
        case PeerKind::PrefixList:
            return "pl:" + rule.reference;
    }
    return {};
}

}  // namespace vpcstack::model
