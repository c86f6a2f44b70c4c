// Test helpers for the engine: a small builder of Topology objects in C++, a FrameSink that
// records what the engine sends, and libtins-crafted frames.
#pragma once

#include <gtest/gtest.h>
#include <tins/tins.h>

#include <cstdint>
#include <string>
#include <vector>

#include "../model/topology_builder.hpp"
#include "vpcstack/engine/engine.hpp"
#include "vpcstack/model/topology.hpp"

namespace vpcstack::engine::testing {

using model::Index;
using model::kNone;

inline net::Ipv4Address ip(const char* text) {
    return *net::Ipv4Address::parse(text);
}
inline net::Cidr cidr(const char* text) {
    return *net::Cidr::parse(text);
}

// Builds a Topology as the loader would, through the shared test builder
// (tests/model/topology_builder.hpp): every VPC gets the model's defaults (main route table
// with local routes, default ACL allowing all, default security group: inbound from itself,
// all outbound), named after the VPC (NAME-main, NAME-default-acl, NAME-default-sg) so that
// traces tell the VPCs apart.
class TopologyBuilder : private model::testing::TopologyBuilder {
    using Base = model::testing::TopologyBuilder;

  public:
    using Base::t;

    Index vpc(const std::string& name, const char* block) {
        model::Meta meta;
        meta.name = name;
        Index vi = Base::vpc(meta, cidr(block));
        const model::Vpc& v = t.vpcs[vi];
        t.route_tables[v.main_route_table].meta.name = name + "-main";
        t.network_acls[v.default_acl].meta.name = name + "-default-acl";
        t.security_groups[v.default_security_group].meta.name = name + "-default-sg";
        return vi;
    }

    Index subnet(Index vpc, const std::string& name, const char* block) {
        return Base::subnet(vpc, named(name), cidr(block));
    }

    Index route_table(Index vpc, const std::string& name) {
        return Base::route_table(vpc, named(name));
    }
    void route(Index table, const char* destination, model::RouteTargetKind kind,
               Index target = kNone, std::string text = "") {
        Base::route(table, cidr(destination), kind, target,
                    text.empty() ? model::to_string(kind) : std::move(text));
    }
    void associate_route_table(Index subnet, Index table) {
        Base::associate_route_table(subnet, table);
    }

    // A custom ACL: denies all until rules are added.
    Index acl(Index vpc, const std::string& name) { return Base::network_acl(vpc, named(name)); }
    static model::AclRule acl_rule(std::uint16_t number, bool allow, net::Protocol protocol,
                                   const char* block, net::PortRange ports = net::PortRange::all(),
                                   net::IcmpMatch icmp = {}) {
        model::AclRule r;
        r.number = number;
        r.action = allow ? model::RuleAction::Allow : model::RuleAction::Deny;
        r.protocol = protocol;
        r.ports = ports;
        r.icmp = icmp;
        r.cidr = cidr(block);
        r.text = std::to_string(number) + (allow ? " allow " : " deny ") + protocol.to_string() +
                 (protocol.has_ports() && !ports.is_all() ? "/" + ports.to_string() : "") + " " +
                 block;
        return r;
    }
    void associate_acl(Index subnet, Index acl) { Base::associate_network_acl(subnet, acl); }

    Index security_group(Index vpc, const std::string& name) {
        return Base::security_group(vpc, named(name));
    }
    static model::SgRule sg_cidr(net::Protocol protocol, net::PortRange ports, const char* block,
                                 bool ingress = true) {
        model::SgRule r;
        r.protocol = protocol;
        r.ports = ports;
        r.peer_kind = model::PeerKind::Cidr;
        r.cidr = cidr(block);
        r.text = protocol.to_string() +
                 (protocol.has_ports() && !ports.is_all() ? "/" + ports.to_string() : "") +
                 (ingress ? " from " : " to ") + block;
        return r;
    }
    static model::SgRule sg_from_group(net::Protocol protocol, net::PortRange ports, Index group) {
        model::SgRule r;
        r.protocol = protocol;
        r.ports = ports;
        r.peer_kind = model::PeerKind::SecurityGroup;
        r.group = group;
        r.text = protocol.to_string() +
                 (protocol.has_ports() && !ports.is_all() ? "/" + ports.to_string() : "") +
                 " from sg:" + std::to_string(group);
        return r;
    }

    Index internet_gateway(Index vpc) {
        return Base::internet_gateway(vpc, named(t.vpcs[vpc].meta.name + "-igw"));
    }

    // One instance with one ENI; returns the ENI index (= engine port). No groups: the VPC's
    // default group.
    Index instance(const std::string& name, Index subnet, const char* address,
                   std::vector<Index> groups = {}, const char* public_ip = nullptr,
                   bool source_dest_check = true, bool running = true) {
        Index ii = Base::instance(named(name), running);
        std::uint8_t n = static_cast<std::uint8_t>(t.enis.size() + 1);
        Index ei = Base::eni(ii, named(name + "/eth0"), subnet, {ip(address)}, std::move(groups),
                             net::MacAddress({0x02, 0xaa, 0x00, 0x00, 0x00, n}));
        if (public_ip != nullptr) t.enis[ei].public_ip = ip(public_ip);
        t.enis[ei].source_dest_check = source_dest_check;
        return ei;
    }

    Index nat_gateway(const std::string& name, Index subnet, const char* private_ip,
                      const char* elastic_ip) {
        Index eip = kNone;
        if (elastic_ip != nullptr) eip = Base::elastic_ip(named(name + "-eip"), ip(elastic_ip));
        return Base::nat_gateway(named(name), subnet, ip(private_ip), eip);
    }

    Index peering(const std::string& name, Index a, Index b,
                  model::PeeringStatus status = model::PeeringStatus::Active) {
        return Base::peering(named(name), a, b, status);
    }

  private:
    static model::Meta named(std::string name) {
        model::Meta meta;
        meta.name = std::move(name);
        return meta;
    }
};

struct SentFrame {
    PortId port;
    std::vector<std::uint8_t> bytes;
};

class RecordingSink : public FrameSink {
  public:
    void transmit(PortId port, std::span<const std::uint8_t> frame) override {
        frames.push_back({port, std::vector<std::uint8_t>(frame.begin(), frame.end())});
    }
    std::vector<SentFrame> frames;
};

inline std::vector<std::uint8_t> bytes_of(Tins::PDU& pdu) {
    return pdu.serialize();
}

inline Tins::HWAddress<6> hw(const net::MacAddress& m) {
    return Tins::HWAddress<6>(m.octets().data());
}

inline const char* kInstanceMacText = "02:aa:00:00:00:01";

// A frame as an instance (ENI MAC `from`) sends it to the router.
template <typename L4>
std::vector<std::uint8_t> frame_from(const net::MacAddress& from, const char* src, const char* dst,
                                     L4 l4, std::uint8_t ttl = 64) {
    Tins::EthernetII eth(hw(kRouterMac), hw(from));
    Tins::IP ipv4(dst, src);
    ipv4.ttl(ttl);
    auto pkt = eth / ipv4 / l4;
    return pkt.serialize();
}

inline Tins::TCP tcp(std::uint16_t sport, std::uint16_t dport,
                     std::uint16_t flags = Tins::TCP::SYN) {
    Tins::TCP t(dport, sport);
    t.flags(flags);
    t.seq(1000);
    return t;
}

inline Tins::ICMP echo(std::uint16_t id = 7, bool request = true) {
    Tins::ICMP i(request ? Tins::ICMP::ECHO_REQUEST : Tins::ICMP::ECHO_REPLY);
    i.id(id);
    i.sequence(1);
    return i;
}

inline Tins::EthernetII parse(const std::vector<std::uint8_t>& bytes) {
    return Tins::EthernetII(bytes.data(), static_cast<std::uint32_t>(bytes.size()));
}

}  // namespace vpcstack::engine::testing
