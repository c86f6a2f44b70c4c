// One builder of Topology objects in C++ for the tests of the modules after the model (render,
// engine): resources are added the way the loader fills them, and every VPC gets the cloud's
// defaults from model/defaults.hpp (main route table with its local routes, default network
// ACL, default security group), so that no test states them again. Where a test wants a
// topology as a user writes it, load inline YAML through the real loader instead.
//
// It checks nothing: a test may build a topology validation would refuse, to see what the
// code after validation does with it.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "vpcstack/model/defaults.hpp"
#include "vpcstack/model/topology.hpp"
#include "vpcstack/model/validation.hpp"

namespace vpcstack::model::testing {

class TopologyBuilder {
  public:
    explicit TopologyBuilder(std::string file = "", std::string region = "") {
        t.file = std::move(file);
        t.region = std::move(region);
    }

    // A VPC with the cloud's defaults.
    Index vpc(Meta meta, const net::Cidr& cidr) {
        Vpc v;
        v.meta = std::move(meta);
        v.region = t.region;
        v.cidrs = {cidr};
        const Index index = add(t.vpcs, std::move(v));
        add_vpc_defaults(t, index);
        return index;
    }

    // A route table with the local routes.
    Index route_table(Index vpc, Meta meta) {
        RouteTable table;
        table.meta = std::move(meta);
        table.vpc = vpc;
        table.routes = local_routes(t.vpcs.at(vpc), t.file);
        return add(t.route_tables, std::move(table));
    }

    void route(Index table, const net::Cidr& destination, RouteTargetKind kind, Index target,
               std::string text) {
        Route r;
        r.destination = destination;
        r.target = {kind, target, std::move(text)};
        t.route_tables.at(table).routes.push_back(std::move(r));
    }

    Index internet_gateway(Index vpc, Meta meta) {
        const Index index = add(t.internet_gateways, {std::move(meta), vpc});
        t.vpcs.at(vpc).internet_gateway = index;
        return index;
    }

    // A subnet with the VPC's main route table and default ACL.
    Index subnet(Index vpc, Meta meta, const net::Cidr& cidr, std::string az = "") {
        Subnet s;
        s.meta = std::move(meta);
        s.vpc = vpc;
        s.cidr = cidr;
        s.availability_zone = std::move(az);
        s.route_table = t.vpcs.at(vpc).main_route_table;
        s.network_acl = t.vpcs.at(vpc).default_acl;
        const Index index = add(t.subnets, std::move(s));
        t.vpcs.at(vpc).subnets.push_back(index);
        return index;
    }

    void associate_route_table(Index subnet, Index table) {
        t.subnets.at(subnet).route_table = table;
        t.subnets.at(subnet).explicit_route_table = true;
    }

    void associate_network_acl(Index subnet, Index acl) {
        t.subnets.at(subnet).network_acl = acl;
        t.subnets.at(subnet).explicit_network_acl = true;
    }

    // A custom ACL: it denies all until rules are added.
    Index network_acl(Index vpc, Meta meta) {
        NetworkAcl acl;
        acl.meta = std::move(meta);
        acl.vpc = vpc;
        return add(t.network_acls, std::move(acl));
    }

    // A group without rules: it allows nothing in and nothing out until rules are added.
    Index security_group(Index vpc, Meta meta) {
        SecurityGroup g;
        g.meta = std::move(meta);
        g.vpc = vpc;
        return add(t.security_groups, std::move(g));
    }

    Index instance(Meta meta, bool running = true) {
        Instance inst;
        inst.meta = std::move(meta);
        inst.running = running;
        return add(t.instances, std::move(inst));
    }

    // The instance's next interface. No groups: the VPC's default group. No MAC: the one the
    // loader gives.
    Index eni(Index instance, Meta meta, Index subnet, std::vector<net::Ipv4Address> ips,
              std::vector<Index> groups = {}, std::optional<net::MacAddress> mac = {}) {
        Eni e;
        e.meta = std::move(meta);
        e.instance = instance;
        e.subnet = subnet;
        e.vpc = t.subnets.at(subnet).vpc;
        e.private_ips = std::move(ips);
        e.security_groups = std::move(groups);
        if (e.security_groups.empty()) {
            e.security_groups.push_back(t.vpcs.at(e.vpc).default_security_group);
        }
        e.device_index = static_cast<int>(t.instances.at(instance).enis.size());
        const Index index = static_cast<Index>(t.enis.size());
        e.mac = mac.value_or(eni_mac(index));
        add(t.enis, std::move(e));
        t.instances.at(instance).enis.push_back(index);
        t.subnets.at(subnet).enis.push_back(index);
        return index;
    }

    Index elastic_ip(Meta meta, net::Ipv4Address address) {
        ElasticIp e;
        e.meta = std::move(meta);
        e.address = address;
        return add(t.elastic_ips, std::move(e));
    }

    // A public NAT gateway with Elastic IP `eip`, or a private one when `eip` is kNone.
    Index nat_gateway(Meta meta, Index subnet, net::Ipv4Address private_ip, Index eip) {
        NatGateway n;
        n.meta = std::move(meta);
        n.vpc = t.subnets.at(subnet).vpc;
        n.subnet = subnet;
        n.private_ip = private_ip;
        n.is_public = eip != kNone;
        n.elastic_ip = eip;
        const Index index = add(t.nat_gateways, std::move(n));
        if (eip != kNone) {
            t.elastic_ips.at(eip).target_kind = EipTargetKind::NatGateway;
            t.elastic_ips.at(eip).target = index;
        }
        return index;
    }

    Index peering(Meta meta, Index requester, Index accepter,
                  PeeringStatus status = PeeringStatus::Active) {
        Peering p;
        p.meta = std::move(meta);
        p.requester = requester;
        p.accepter = accepter;
        p.status = status;
        return add(t.peerings, std::move(p));
    }

    Index internet_host(Meta meta, net::Ipv4Address address) {
        InternetHost h;
        h.meta = std::move(meta);
        h.address = address;
        return add(t.internet_hosts, std::move(h));
    }

    Topology t;

  private:
    template <typename T>
    static Index add(std::vector<T>& items, T item) {
        items.push_back(std::move(item));
        return static_cast<Index>(items.size() - 1);
    }
};

}  // namespace vpcstack::model::testing
