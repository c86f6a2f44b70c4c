// Small topologies built in C++ for the render tests, through the shared test builder, which
// fills them the way the loader does and takes the VPC defaults from the model.
#pragma once

#include <string>

#include "../model/topology_builder.hpp"
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

// The shared test builder (tests/model/topology_builder.hpp) with the render tests' names:
// resources placed in "sample.yaml", subnets in zone REGION-a.
class SampleBuilder : private model::testing::TopologyBuilder {
    using Base = model::testing::TopologyBuilder;

  public:
    explicit SampleBuilder(std::string region = "us-east-1") : Base("sample.yaml", region) {}
    using Base::t;

    // A VPC with the cloud's defaults: main route table, default ACL and default group.
    Index vpc(const char* name, const char* cidr_text) {
        return Base::vpc(meta(name), cidr(cidr_text));
    }

    Index route_table(Index vpc, const char* name) { return Base::route_table(vpc, meta(name)); }

    void route(Index table, const char* destination, model::RouteTargetKind kind, Index target,
               std::string text) {
        Base::route(table, cidr(destination), kind, target, std::move(text));
    }

    Index igw(Index vpc, const char* name) { return Base::internet_gateway(vpc, meta(name)); }

    Index subnet(Index vpc, const char* name, const char* cidr_text, Index table = kNone) {
        const Index s = Base::subnet(vpc, meta(name), cidr(cidr_text), t.region + "a");
        if (table != kNone) Base::associate_route_table(s, table);
        return s;
    }

    Index security_group(Index vpc, const char* name) {
        return Base::security_group(vpc, meta(name));
    }

    Index elastic_ip(const char* name, const char* address) {
        return Base::elastic_ip(meta(name), ip(address));
    }

    // An instance with one ENI; returns the instance index.
    Index instance(const char* name, Index subnet, const char* private_ip, Index group) {
        const Index index = Base::instance(meta(name));
        add_eni(index, std::string(name) + "/eth0", subnet, private_ip, group);
        return index;
    }

    Index add_eni(Index instance, std::string name, Index subnet, const char* private_ip,
                  Index group) {
        return Base::eni(instance, meta(std::move(name)), subnet, {ip(private_ip)}, {group});
    }

    Index nat(const char* name, Index subnet, const char* private_ip, Index eip) {
        return Base::nat_gateway(meta(name), subnet, ip(private_ip), eip);
    }

    Index peering(const char* name, Index requester, Index accepter,
                  model::PeeringStatus status = model::PeeringStatus::Active) {
        return Base::peering(meta(name), requester, accepter, status);
    }

    void internet_host(const char* name, const char* address) {
        Base::internet_host(meta(name), ip(address));
    }
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
