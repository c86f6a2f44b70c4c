// Test helpers for the engine: a small builder of Topology objects in C++, a FrameSink that
// records what the engine sends, and libtins-crafted frames.
#pragma once

#include <gtest/gtest.h>
#include <tins/tins.h>

#include <cstdint>
#include <string>
#include <vector>

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

// Builds a Topology as the loader would: main route table with local routes, default ACL
// allowing all, default security group (inbound from itself, all outbound).
class TopologyBuilder {
  public:
    Index vpc(const std::string& name, const char* block) {
        model::Vpc v;
        v.meta.name = name;
        v.cidrs.push_back(cidr(block));
        Index vi = add(t.vpcs, v);
        model::RouteTable rt;
        rt.meta.name = name + "-main";
        rt.vpc = vi;
        rt.main = true;
        t.vpcs[vi].main_route_table = add(t.route_tables, rt);
        add_local_routes(t.vpcs[vi].main_route_table);
        model::NetworkAcl acl;
        acl.meta.name = name + "-default-acl";
        acl.vpc = vi;
        acl.is_default = true;
        acl.inbound.push_back(acl_rule(100, true, net::Protocol::all(), "0.0.0.0/0"));
        acl.outbound.push_back(acl_rule(100, true, net::Protocol::all(), "0.0.0.0/0"));
        t.vpcs[vi].default_acl = add(t.network_acls, acl);
        model::SecurityGroup sg;
        sg.meta.name = name + "-default-sg";
        sg.vpc = vi;
        sg.is_default = true;
        Index sgi = add(t.security_groups, sg);
        t.security_groups[sgi].ingress.push_back(sg_from_group(net::Protocol::all(), {}, sgi));
        t.security_groups[sgi].egress.push_back(
            sg_cidr(net::Protocol::all(), {}, "0.0.0.0/0", false));
        t.vpcs[vi].default_security_group = sgi;
        return vi;
    }

    Index subnet(Index vpc, const std::string& name, const char* block) {
        model::Subnet s;
        s.meta.name = name;
        s.vpc = vpc;
        s.cidr = cidr(block);
        s.route_table = t.vpcs[vpc].main_route_table;
        s.network_acl = t.vpcs[vpc].default_acl;
        Index si = add(t.subnets, s);
        t.vpcs[vpc].subnets.push_back(si);
        return si;
    }

    Index route_table(Index vpc, const std::string& name) {
        model::RouteTable rt;
        rt.meta.name = name;
        rt.vpc = vpc;
        Index r = add(t.route_tables, rt);
        add_local_routes(r);
        return r;
    }
    void route(Index table, const char* destination, model::RouteTargetKind kind,
               Index target = kNone, std::string text = "") {
        model::Route r;
        r.destination = cidr(destination);
        r.target.kind = kind;
        r.target.index = target;
        r.target.text = text.empty() ? model::to_string(kind) : text;
        t.route_tables[table].routes.push_back(r);
    }
    void associate_route_table(Index subnet, Index table) {
        t.subnets[subnet].route_table = table;
        t.subnets[subnet].explicit_route_table = true;
    }

    // A custom ACL: denies all until rules are added.
    Index acl(Index vpc, const std::string& name) {
        model::NetworkAcl a;
        a.meta.name = name;
        a.vpc = vpc;
        return add(t.network_acls, a);
    }
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
    void associate_acl(Index subnet, Index acl) {
        t.subnets[subnet].network_acl = acl;
        t.subnets[subnet].explicit_network_acl = true;
    }

    Index security_group(Index vpc, const std::string& name) {
        model::SecurityGroup sg;
        sg.meta.name = name;
        sg.vpc = vpc;
        return add(t.security_groups, sg);
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
        model::InternetGateway g;
        g.meta.name = t.vpcs[vpc].meta.name + "-igw";
        g.vpc = vpc;
        Index gi = add(t.internet_gateways, g);
        t.vpcs[vpc].internet_gateway = gi;
        return gi;
    }

    // One instance with one ENI; returns the ENI index (= engine port). No groups: the VPC's
    // default group.
    Index instance(const std::string& name, Index subnet, const char* address,
                   std::vector<Index> groups = {}, const char* public_ip = nullptr,
                   bool source_dest_check = true, bool running = true) {
        struct {
            std::vector<Index> groups;
            const char* public_ip;
            bool source_dest_check;
            bool running;
        } options{std::move(groups), public_ip, source_dest_check, running};
        model::Instance inst;
        inst.meta.name = name;
        inst.running = options.running;
        Index ii = add(t.instances, inst);
        model::Eni e;
        e.meta.name = name + "/eth0";
        e.instance = ii;
        e.subnet = subnet;
        e.vpc = t.subnets[subnet].vpc;
        e.private_ips.push_back(ip(address));
        if (options.public_ip != nullptr) e.public_ip = ip(options.public_ip);
        e.security_groups = options.groups;
        if (e.security_groups.empty()) {
            e.security_groups.push_back(t.vpcs[e.vpc].default_security_group);
        }
        e.source_dest_check = options.source_dest_check;
        std::uint8_t n = static_cast<std::uint8_t>(t.enis.size() + 1);
        e.mac = net::MacAddress({0x02, 0xaa, 0x00, 0x00, 0x00, n});
        Index ei = add(t.enis, e);
        t.instances[ii].enis.push_back(ei);
        t.subnets[subnet].enis.push_back(ei);
        return ei;
    }

    Index nat_gateway(const std::string& name, Index subnet, const char* private_ip,
                      const char* elastic_ip) {
        model::NatGateway n;
        n.meta.name = name;
        n.vpc = t.subnets[subnet].vpc;
        n.subnet = subnet;
        n.private_ip = ip(private_ip);
        Index ni = static_cast<Index>(t.nat_gateways.size());
        if (elastic_ip != nullptr) {
            model::ElasticIp eip;
            eip.meta.name = name + "-eip";
            eip.address = ip(elastic_ip);
            eip.target_kind = model::EipTargetKind::NatGateway;
            eip.target = ni;
            n.elastic_ip = add(t.elastic_ips, eip);
        } else {
            n.is_public = false;
        }
        return add(t.nat_gateways, n);
    }

    Index peering(const std::string& name, Index a, Index b,
                  model::PeeringStatus status = model::PeeringStatus::Active) {
        model::Peering p;
        p.meta.name = name;
        p.requester = a;
        p.accepter = b;
        p.status = status;
        return add(t.peerings, p);
    }

    model::Topology t;

  private:
    template <typename T>
    static Index add(std::vector<T>& v, T item) {
        v.push_back(std::move(item));
        return static_cast<Index>(v.size() - 1);
    }
    void add_local_routes(Index table) {
        const model::Vpc& v = t.vpcs[t.route_tables[table].vpc];
        for (const net::Cidr& c : v.cidrs) {
            model::Route r;
            r.destination = c;
            r.target.kind = model::RouteTargetKind::Local;
            r.target.text = "local";
            r.implicit = true;
            t.route_tables[table].routes.push_back(r);
        }
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
