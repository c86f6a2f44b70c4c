// Small topologies built in C++ for the render tests, filled the way the loader fills them
// (effective route table and ACL per subnet, implicit local routes first, default groups).
#pragma once

#include <string>

#include "vpcstack/model/topology.hpp"

namespace vpcstack::render::testing {

using model::Index;
using model::kNone;

inline net::Cidr cidr(const char* text) {
    return *net::Cidr::parse(text);
}
inline net::Ipv4Address ip(const char* text) {
    return *net::Ipv4Address::parse(text);
}

inline model::Meta meta(std::string name, int line = 0) {
    model::Meta m;
    m.name = std::move(name);
    m.loc = {"sample.yaml", line, 3};
    return m;
}

class SampleBuilder {
  public:
    explicit SampleBuilder(std::string region = "us-east-1") {
        t.file = "sample.yaml";
        t.region = std::move(region);
    }

    Index vpc(const char* name, const char* cidr_text) {
        model::Vpc v;
        v.meta = meta(name);
        v.region = t.region;
        v.cidrs = {cidr(cidr_text)};
        const Index index = static_cast<Index>(t.vpcs.size());
        t.vpcs.push_back(v);
        model::RouteTable main;
        main.meta = meta("main");
        main.meta.implicit = true;
        main.vpc = index;
        main.main = true;
        t.vpcs[index].main_route_table = route_table(index, main);
        model::NetworkAcl acl;
        acl.meta = meta("default");
        acl.meta.implicit = true;
        acl.vpc = index;
        acl.is_default = true;
        t.vpcs[index].default_acl = static_cast<Index>(t.network_acls.size());
        t.network_acls.push_back(acl);
        t.vpcs[index].default_security_group = security_group(index, "default", true);
        return index;
    }

    Index route_table(Index vpc, model::RouteTable table) {
        for (const net::Cidr& c : t.vpcs[vpc].cidrs) {
            model::Route local;
            local.destination = c;
            local.target.kind = model::RouteTargetKind::Local;
            local.implicit = true;
            table.routes.insert(table.routes.begin(), local);
        }
        table.vpc = vpc;
        t.route_tables.push_back(table);
        return static_cast<Index>(t.route_tables.size() - 1);
    }

    Index route_table(Index vpc, const char* name) {
        model::RouteTable table;
        table.meta = meta(name);
        return route_table(vpc, table);
    }

    void route(Index table, const char* destination, model::RouteTargetKind kind, Index target,
               std::string text) {
        model::Route r;
        r.destination = cidr(destination);
        r.target.kind = kind;
        r.target.index = target;
        r.target.text = std::move(text);
        t.route_tables[table].routes.push_back(r);
    }

    Index igw(Index vpc, const char* name) {
        model::InternetGateway g;
        g.meta = meta(name);
        g.vpc = vpc;
        t.internet_gateways.push_back(g);
        const Index index = static_cast<Index>(t.internet_gateways.size() - 1);
        t.vpcs[vpc].internet_gateway = index;
        return index;
    }

    Index subnet(Index vpc, const char* name, const char* cidr_text, Index table = kNone) {
        model::Subnet s;
        s.meta = meta(name);
        s.vpc = vpc;
        s.cidr = cidr(cidr_text);
        s.availability_zone = t.region + "a";
        s.explicit_route_table = table != kNone;
        s.route_table = table != kNone ? table : t.vpcs[vpc].main_route_table;
        s.network_acl = t.vpcs[vpc].default_acl;
        t.subnets.push_back(s);
        const Index index = static_cast<Index>(t.subnets.size() - 1);
        t.vpcs[vpc].subnets.push_back(index);
        return index;
    }

    Index security_group(Index vpc, const char* name, bool is_default = false) {
        model::SecurityGroup g;
        g.meta = meta(name);
        g.meta.implicit = is_default;
        g.vpc = vpc;
        g.is_default = is_default;
        t.security_groups.push_back(g);
        return static_cast<Index>(t.security_groups.size() - 1);
    }

    Index elastic_ip(const char* name, const char* address) {
        model::ElasticIp e;
        e.meta = meta(name);
        e.address = ip(address);
        t.elastic_ips.push_back(e);
        return static_cast<Index>(t.elastic_ips.size() - 1);
    }

    // An instance with one ENI; returns the instance index.
    Index instance(const char* name, Index subnet, const char* private_ip, Index group) {
        model::Instance inst;
        inst.meta = meta(name);
        const Index index = static_cast<Index>(t.instances.size());
        t.instances.push_back(inst);
        add_eni(index, std::string(name) + "/eth0", subnet, private_ip, group);
        return index;
    }

    Index add_eni(Index instance, std::string name, Index subnet, const char* private_ip,
                  Index group) {
        model::Eni e;
        e.meta = meta(std::move(name));
        e.instance = instance;
        e.subnet = subnet;
        e.vpc = t.subnets[subnet].vpc;
        e.private_ips = {ip(private_ip)};
        e.security_groups = {group};
        e.device_index = static_cast<int>(t.instances[instance].enis.size());
        const Index index = static_cast<Index>(t.enis.size());
        t.enis.push_back(e);
        t.instances[instance].enis.push_back(index);
        t.subnets[subnet].enis.push_back(index);
        return index;
    }

    Index nat(const char* name, Index subnet, const char* private_ip, Index eip) {
        model::NatGateway n;
        n.meta = meta(name);
        n.vpc = t.subnets[subnet].vpc;
        n.subnet = subnet;
        n.private_ip = ip(private_ip);
        n.elastic_ip = eip;
        t.nat_gateways.push_back(n);
        const Index index = static_cast<Index>(t.nat_gateways.size() - 1);
        t.elastic_ips[eip].target_kind = model::EipTargetKind::NatGateway;
        t.elastic_ips[eip].target = index;
        return index;
    }

    Index peering(const char* name, Index requester, Index accepter,
                  model::PeeringStatus status = model::PeeringStatus::Active) {
        model::Peering p;
        p.meta = meta(name);
        p.requester = requester;
        p.accepter = accepter;
        p.status = status;
        t.peerings.push_back(p);
        return static_cast<Index>(t.peerings.size() - 1);
    }

    void internet_host(const char* name, const char* address) {
        model::InternetHost h;
        h.meta = meta(name);
        h.address = ip(address);
        t.internet_hosts.push_back(h);
    }

    model::Topology t;
};

// The classic two-tier VPC: a public subnet (web with a public IP, NAT gateway with an Elastic
// IP) and a private subnet (app) whose default route is the NAT gateway; an internet client.
inline model::Topology two_tier() {
    using model::RouteTargetKind;
    SampleBuilder b;
    const Index prod = b.vpc("prod", "10.0.0.0/16");
    b.igw(prod, "prod-igw");
    const Index public_rt = b.route_table(prod, "public-rt");
    const Index private_rt = b.route_table(prod, "private-rt");
    const Index pub = b.subnet(prod, "public", "10.0.1.0/24", public_rt);
    const Index priv = b.subnet(prod, "private", "10.0.2.0/24", private_rt);
    const Index web_sg = b.security_group(prod, "web-sg");
    const Index app_sg = b.security_group(prod, "app-sg");
    const Index nat_eip = b.elastic_ip("nat-eip", "203.0.113.20");
    const Index nat = b.nat("nat-a", pub, "10.0.1.20", nat_eip);
    b.route(public_rt, "0.0.0.0/0", RouteTargetKind::InternetGateway, 0, "igw");
    b.route(private_rt, "0.0.0.0/0", RouteTargetKind::NatGateway, nat, "nat/nat-a");
    const Index web = b.instance("web", pub, "10.0.1.10", web_sg);
    b.t.enis[b.t.instances[web].enis.front()].public_ip = ip("203.0.113.10");
    b.instance("app", priv, "10.0.2.10", app_sg);
    b.internet_host("client", "198.51.100.7");
    return b.t;
}

}  // namespace vpcstack::render::testing
