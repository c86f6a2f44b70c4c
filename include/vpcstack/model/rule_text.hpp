// The short forms a topology file writes routes and rules in (docs/topology.md), made from
// their parts. The reader keeps a rule's text as written and makes it with these functions for
// the long forms; the writer writes the text back; an importer makes it here too, so that a
// rule reads back as the same rule.
//   route_text("0.0.0.0/0", "nat/nat-a")              0.0.0.0/0 -> nat/nat-a
//   acl_rule_text(100, "allow", "tcp/80", true, ...)   100 allow tcp/80 from 0.0.0.0/0
//   sg_rule_text("icmp/3:4", false, "sg:web")          icmp/3:4 to sg:web
#pragma once

#include <string>
#include <string_view>

#include "vpcstack/model/topology.hpp"
#include "vpcstack/model/yaml_reader.hpp"
#include "vpcstack/net/protocol.hpp"

namespace vpcstack::model {

// "all", "tcp", "tcp/443", "udp/1024-65535", "icmp/8", "icmp/3:4", "50": ports only for tcp
// and udp, and only when not all of them; an ICMP type (and code) only when given.
std::string traffic_text(const net::Protocol& protocol, const net::PortRange& ports,
                         const net::IcmpMatch& icmp);

std::string route_text(std::string_view destination, std::string_view target);

// `action` as written ("allow" or "deny"); `cidr` as written.
std::string acl_rule_text(long number, std::string_view action, std::string_view traffic,
                          bool inbound, std::string_view cidr);
std::string to_string(RuleAction action);

// `peer` as written: a CIDR, sg:NAME, sg:VPC/NAME or pl:NAME.
std::string sg_rule_text(std::string_view traffic, bool ingress, std::string_view peer);
// The peer of a raw rule as the file writes it.
std::string sg_peer_text(const RawSgRule& rule);

}  // namespace vpcstack::model
