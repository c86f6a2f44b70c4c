#include "topology_gen.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cmath>
#include <random>
#include <set>
#include <stdexcept>
#include <utility>
#include <vector>

#include "vpcstack/net/ipv4.hpp"

namespace vpcstack::test_support {
namespace {

// Draws from one std::mt19937_64. Values are reduced by modulo rather than through the standard
// distributions, whose algorithms differ between standard libraries: a seed gives the same
// topology everywhere.
class Rng {
  public:
    explicit Rng(std::uint64_t seed) : engine_(seed) {}
    std::uint64_t between(std::uint64_t lo, std::uint64_t hi) {
        return lo + engine_() % (hi - lo + 1);
    }
    bool chance(int percent) { return between(0, 99) < static_cast<std::uint64_t>(percent); }
    template <class T>
    const T& pick(const std::vector<T>& items) {
        return items[between(0, items.size() - 1)];
    }
    template <class T>
    void shuffle(std::vector<T>& items) {
        for (std::size_t i = items.size(); i > 1; --i)
            std::swap(items[i - 1], items[between(0, i - 1)]);
    }

  private:
    std::mt19937_64 engine_;
};

std::string ip(std::uint32_t value) {
    return net::Ipv4Address(value).to_string();
}
std::string cidr(std::uint32_t network, int length) {
    return fmt::format("{}/{}", ip(network), length);
}
constexpr std::uint32_t quad(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t d) {
    return (a << 24) | (b << 16) | (c << 8) | d;
}

// `count` spread over `parts` as evenly as possible: the share of part `i`.
std::size_t share(std::size_t count, std::size_t parts, std::size_t i) {
    return count / parts + (i < count % parts ? 1 : 0);
}

// A YAML list item or key at an indentation, one line each.
class Yaml {
  public:
    void line(int indent, std::string_view text) {
        out_.append(static_cast<std::size_t>(indent), ' ');
        out_ += text;
        out_ += '\n';
    }
    std::string take() { return std::move(out_); }

  private:
    std::string out_;
};

std::string flow_list(const std::vector<std::string>& items) {
    std::string out = "[";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i) out += ", ";
        out += items[i];
    }
    return out + "]";
}

// ---------------------------------------------------------------------------------------------
// The scale topology.

// One VPC's part of a scale shape.
struct VpcShape {
    std::size_t subnets = 0;
    std::size_t public_subnets = 0;
    std::size_t groups = 0;
    std::size_t acls = 0;
    std::size_t nats = 0;
};

std::size_t scaled(double per_thousand, std::size_t instances, std::size_t at_least) {
    auto n = static_cast<std::size_t>(
        std::llround(per_thousand * static_cast<double>(instances) / 1000.0));
    return std::max(n, at_least);
}

VpcShape vpc_shape(const ScaleShape& s, std::size_t v) {
    VpcShape out;
    out.subnets = share(s.subnets, s.vpcs, v);
    out.public_subnets = std::max<std::size_t>(1, out.subnets * 3 / 10);
    out.groups = share(s.security_groups, s.vpcs, v);
    out.acls = share(s.network_acls, s.vpcs, v);
    // One NAT gateway in each of the first two public subnets, when private subnets need one.
    out.nats = out.subnets > out.public_subnets ? std::min<std::size_t>(2, out.public_subnets) : 0;
    return out;
}

// Peerings of a scale topology: VPCs in groups of five peered in a full mesh, and the first VPC
// of every further group peered with VPC 0 (the hub).
std::vector<std::pair<std::size_t, std::size_t>> scale_peerings(std::size_t vpcs) {
    std::vector<std::pair<std::size_t, std::size_t>> out;
    for (std::size_t a = 0; a < vpcs; ++a) {
        for (std::size_t b = a + 1; b < vpcs && b / 5 == a / 5; ++b) out.emplace_back(a, b);
    }
    for (std::size_t leader = 5; leader < vpcs; leader += 5) out.emplace_back(0, leader);
    return out;
}

std::string vpc_name(std::size_t v) {
    return fmt::format("vpc{:02}", v);
}
std::string group_name(std::size_t g) {
    return fmt::format("sg-{:03}", g);
}
std::string peering_name(std::size_t a, std::size_t b) {
    return fmt::format("{}-{}", vpc_name(a), vpc_name(b));
}

const std::vector<std::uint16_t> kServicePorts = {22,   80,   443,  3306, 5432,  6379,
                                                  8080, 8443, 9090, 9100, 11211, 27017};

// Ten inbound and ten outbound rules drawn from realistic sets: allows for the services and the
// ephemeral reply ports, denies for blocked ranges and ports, in a random order of numbers.
void scale_acl_rules(Rng& rng, std::size_t v, std::size_t subnets, std::vector<std::string>& in,
                     std::vector<std::string>& out) {
    const std::string own = cidr(quad(10, static_cast<std::uint32_t>(v), 0, 0), 16);
    const std::string some_subnet =
        cidr(quad(10, static_cast<std::uint32_t>(v),
                  static_cast<std::uint32_t>(rng.between(0, subnets - 1)), 0),
             24);
    std::vector<std::string> inbound = {
        "deny all from 192.0.2.128/25",
        "allow tcp/443 from 0.0.0.0/0",
        "allow tcp/80 from 0.0.0.0/0",
        "allow tcp/22 from 198.51.100.0/25",
        "allow all from 10.0.0.0/8",
        "allow tcp/1024-65535 from 0.0.0.0/0",
        "allow udp/1024-65535 from 0.0.0.0/0",
        "allow icmp from 0.0.0.0/0",
        "deny tcp/3389 from 0.0.0.0/0",
        fmt::format("deny tcp/{} from 0.0.0.0/0", rng.pick(std::vector<int>{23, 445, 135, 139})),
        fmt::format("allow tcp/{} from {}", rng.pick(kServicePorts), own),
        "allow udp/53 from 10.0.0.0/8",
        fmt::format("deny all from {}", some_subnet),
        "allow tcp/32768-60999 from 0.0.0.0/0",
    };
    std::vector<std::string> outbound = {
        "allow all to 0.0.0.0/0",
        "allow tcp/32768-60999 to 0.0.0.0/0",
        "allow tcp/1024-65535 to 10.0.0.0/8",
        "allow tcp/443 to 0.0.0.0/0",
        "allow tcp/80 to 0.0.0.0/0",
        "allow udp/53 to 0.0.0.0/0",
        "deny tcp/25 to 0.0.0.0/0",
        "deny all to 192.0.2.128/25",
        "allow icmp to 0.0.0.0/0",
        "allow udp/1024-65535 to 0.0.0.0/0",
        fmt::format("deny tcp/{} to 0.0.0.0/0", rng.pick(kServicePorts)),
        "allow all to 10.0.0.0/8",
    };
    rng.shuffle(inbound);
    rng.shuffle(outbound);
    for (std::size_t i = 0; i < 10; ++i) {
        in.push_back(fmt::format("{} {}", 100 + 10 * i, inbound[i]));
        out.push_back(fmt::format("{} {}", 100 + 10 * i, outbound[i]));
    }
}

}  // namespace

ScaleShape scale_shape(std::size_t instances) {
    if (instances == 0 || instances > 40000) {
        throw std::invalid_argument(
            fmt::format("scale_topology: {} instances; expected 1 to 40,000", instances));
    }
    ScaleShape s;
    s.instances = instances;
    s.vpcs = scaled(5, instances, 1);
    s.subnets = scaled(50, instances, s.vpcs);
    s.security_groups = scaled(200, instances, s.vpcs);
    s.network_acls = scaled(20, instances, 1);
    s.internet_gateways = s.vpcs;
    s.peerings = scale_peerings(s.vpcs).size();
    s.prefix_lists = scaled(2, instances, 1);
    for (std::size_t v = 0; v < s.vpcs; ++v) {
        VpcShape vs = vpc_shape(s, v);
        s.public_subnets += vs.public_subnets;
        s.nat_gateways += vs.nats;
    }
    return s;
}

GeneratedTopology scale_topology(std::size_t instances, std::uint64_t seed) {
    const ScaleShape s = scale_shape(instances);
    Rng rng(seed);
    GeneratedTopology g;
    g.name = fmt::format("scale-{}-seed-{}.yaml", instances, seed);
    const auto peerings = scale_peerings(s.vpcs);
    std::vector<std::vector<std::size_t>> peers(s.vpcs);
    for (auto [a, b] : peerings) {
        peers[a].push_back(b);
        peers[b].push_back(a);
    }
    std::vector<std::string> prefix_lists;
    for (std::size_t p = 0; p < s.prefix_lists; ++p) {
        prefix_lists.push_back(p == 0 ? "office" : fmt::format("partners-{}", p));
    }
    std::uint32_t next_public = quad(52, 0, 1, 0);
    std::vector<std::pair<std::string, std::string>> elastic_ips;  // name, address

    Yaml y;
    y.line(0, fmt::format("# A generated account: {} instances, seed {}.", instances, seed));
    y.line(0, "region: us-east-1");
    y.line(0, "vpcs:");
    std::size_t instance_total = 0;
    for (std::size_t v = 0; v < s.vpcs; ++v) {
        const VpcShape vs = vpc_shape(s, v);
        const std::string vpc = vpc_name(v);
        const auto octet = static_cast<std::uint32_t>(v);
        y.line(2, "- name: " + vpc);
        y.line(4, "cidr: " + cidr(quad(10, octet, 0, 0), 16));
        y.line(4, fmt::format("internet_gateway: {}-igw", vpc));

        // Peer routes, on every table of the VPC.
        std::vector<std::string> peer_routes;
        for (std::size_t p : peers[v]) {
            peer_routes.push_back(fmt::format(
                "{} -> peering/{}", cidr(quad(10, static_cast<std::uint32_t>(p), 0, 0), 16),
                peering_name(std::min(v, p), std::max(v, p))));
        }

        y.line(4, "subnets:");
        for (std::size_t i = 0; i < vs.subnets; ++i) {
            const bool pub = i < vs.public_subnets;
            std::string table =
                pub || vs.nats == 0 ? "public-rt" : fmt::format("private-rt-{}", i % vs.nats);
            std::string acl = vs.acls ? fmt::format(", network_acl: acl-{}", i % vs.acls) : "";
            y.line(6, fmt::format("- {{name: {}-{}, cidr: {}, az: us-east-1{}, route_table: {}{}}}",
                                  pub ? "public" : "private", i,
                                  cidr(quad(10, octet, static_cast<std::uint32_t>(i), 0), 24),
                                  "abc"[i % 3], table, acl));
        }

        y.line(4, "route_tables:");
        {
            std::vector<std::string> routes = {"0.0.0.0/0 -> igw"};
            routes.insert(routes.end(), peer_routes.begin(), peer_routes.end());
            y.line(6, "- name: public-rt");
            y.line(8, "routes: " + flow_list(routes));
        }
        for (std::size_t n = 0; n < vs.nats; ++n) {
            std::vector<std::string> routes = {fmt::format("0.0.0.0/0 -> nat/nat-{}", n)};
            routes.insert(routes.end(), peer_routes.begin(), peer_routes.end());
            y.line(6, fmt::format("- name: private-rt-{}", n));
            y.line(8, "routes: " + flow_list(routes));
        }

        if (vs.acls) y.line(4, "network_acls:");
        for (std::size_t a = 0; a < vs.acls; ++a) {
            std::vector<std::string> in, out;
            scale_acl_rules(rng, v, vs.subnets, in, out);
            y.line(6, fmt::format("- name: acl-{}", a));
            y.line(8, "inbound: " + flow_list(in));
            y.line(8, "outbound: " + flow_list(out));
        }

        // Security groups: the even ones reference other groups (of this VPC or of a peer), the
        // odd ones name addresses and prefix lists.
        y.line(4, "security_groups:");
        for (std::size_t k = 0; k < vs.groups; ++k) {
            std::vector<std::string> ingress;
            const std::size_t rules = rng.between(2, 4);
            for (std::size_t r = 0; r < rules; ++r) {
                const std::uint16_t port = rng.pick(kServicePorts);
                if (k % 2 == 0 && vs.groups > 1) {
                    std::string ref;
                    if (!peers[v].empty() && rng.chance(25)) {
                        std::size_t p = rng.pick(peers[v]);
                        std::size_t groups_there = vpc_shape(s, p).groups;
                        ref = fmt::format("sg:{}/{}", vpc_name(p),
                                          group_name(rng.between(0, groups_there - 1)));
                    } else {
                        ref = "sg:" + group_name(rng.between(0, vs.groups - 1));
                    }
                    ingress.push_back(rng.chance(15) ? "icmp from " + ref
                                                     : fmt::format("tcp/{} from {}", port, ref));
                } else {
                    switch (rng.between(0, 6)) {
                        case 0:
                            ingress.push_back("tcp/443 from 0.0.0.0/0");
                            break;
                        case 1:
                            ingress.push_back("tcp/80 from 0.0.0.0/0");
                            break;
                        case 2:
                            ingress.push_back(
                                fmt::format("tcp/22 from pl:{}", rng.pick(prefix_lists)));
                            break;
                        case 3:
                            ingress.push_back(fmt::format("tcp/{} from {}", port,
                                                          cidr(quad(10, octet, 0, 0), 16)));
                            break;
                        case 4:
                            ingress.push_back("udp/53 from 10.0.0.0/8");
                            break;
                        case 5:
                            ingress.push_back("icmp from 10.0.0.0/8");
                            break;
                        default:
                            ingress.push_back(fmt::format(
                                "tcp/8000-8100 from {}",
                                cidr(
                                    quad(10, octet,
                                         static_cast<std::uint32_t>(rng.between(0, vs.subnets - 1)),
                                         0),
                                    24)));
                            break;
                    }
                }
            }
            std::sort(ingress.begin(), ingress.end());
            ingress.erase(std::unique(ingress.begin(), ingress.end()), ingress.end());
            y.line(6, "- name: " + group_name(k));
            y.line(8, "ingress: " + flow_list(ingress));
            if (rng.chance(20)) {
                y.line(8, fmt::format("egress: [tcp/443 to 0.0.0.0/0, tcp/{} to 10.0.0.0/8, "
                                      "udp/53 to {}/32]",
                                      rng.pick(kServicePorts), ip(quad(10, octet, 0, 2))));
            }
        }

        if (vs.nats) y.line(4, "nat_gateways:");
        for (std::size_t n = 0; n < vs.nats; ++n) {
            std::string eip = fmt::format("{}-nat-{}-eip", vpc, n);
            elastic_ips.emplace_back(eip, ip(next_public++));
            y.line(6, fmt::format(
                          "- {{name: nat-{}, subnet: public-{}, private_ip: {}, elastic_ip: {}}}",
                          n, n, ip(quad(10, octet, static_cast<std::uint32_t>(n), 5)), eip));
        }

        // Instances: each subnet runs a few roles, each role a fixed set of groups, as
        // autoscaled fleets do.
        y.line(4, "instances:");
        const std::vector<std::string> public_roles = {"web", "bastion", "proxy"};
        const std::vector<std::string> private_roles = {"app", "db", "cache", "worker", "queue"};
        for (std::size_t i = 0; i < vs.subnets; ++i) {
            const bool pub = i < vs.public_subnets;
            // The subnets of all VPCs, in order, share the instances out.
            std::size_t global_subnet = 0;
            for (std::size_t w = 0; w < v; ++w) global_subnet += vpc_shape(s, w).subnets;
            global_subnet += i;
            const std::size_t count = share(s.instances, s.subnets, global_subnet);
            if (count > 240) throw std::logic_error("scale_topology: a /24 subnet over-full");
            const std::size_t roles = std::min<std::size_t>(3, std::max<std::size_t>(count, 1));
            std::vector<std::string> role_names;
            std::vector<std::string> role_groups;
            for (std::size_t r = 0; r < roles; ++r) {
                const auto& names = pub ? public_roles : private_roles;
                role_names.push_back(names[(i + r) % names.size()]);
                std::vector<std::string> groups;
                const std::size_t n = rng.between(1, std::min<std::size_t>(3, vs.groups));
                while (groups.size() < n) {
                    std::string group = group_name(rng.between(0, vs.groups - 1));
                    if (std::find(groups.begin(), groups.end(), group) == groups.end())
                        groups.push_back(group);
                }
                role_groups.push_back(flow_list(groups));
            }
            for (std::size_t k = 0; k < count; ++k) {
                const std::size_t r = k % roles;
                std::string name = fmt::format("{}-s{}-{}-{}", vpc, i, role_names[r], k);
                std::string address;
                if (pub && role_names[r] == "bastion") {
                    std::string eip = name + "-eip";
                    elastic_ips.emplace_back(eip, ip(next_public++));
                    address = ", elastic_ip: " + eip;
                } else if (pub && rng.chance(60)) {
                    address = ", public_ip: " + ip(next_public++);
                }
                y.line(6, fmt::format("- {{name: {}, subnet: {}-{}, private_ip: {}, "
                                      "security_groups: {}{}}}",
                                      name, pub ? "public" : "private", i,
                                      ip(quad(10, octet, static_cast<std::uint32_t>(i),
                                              static_cast<std::uint32_t>(10 + k))),
                                      role_groups[r], address));
                if (g.db_instance.empty() && role_names[r] == "db") g.db_instance = name;
                ++instance_total;
            }
        }
    }
    if (instance_total != s.instances)
        throw std::logic_error("scale_topology: instances miscounted");
    if (g.db_instance.empty()) g.db_instance = fmt::format("{}-s0-web-0", vpc_name(0));

    y.line(0, "elastic_ips:");
    for (const auto& [name, address] : elastic_ips)
        y.line(2, fmt::format("- {{name: {}, address: {}}}", name, address));
    y.line(0, "peerings:");
    for (auto [a, b] : peerings) {
        y.line(2, fmt::format("- {{name: {}, requester: {}, accepter: {}}}", peering_name(a, b),
                              vpc_name(a), vpc_name(b)));
    }
    y.line(0, "prefix_lists:");
    for (std::size_t p = 0; p < prefix_lists.size(); ++p) {
        std::string cidrs =
            p == 0 ? "[198.51.100.0/25, 192.0.2.0/28]"
                   : fmt::format("[{}]", cidr(quad(198, 18 + static_cast<std::uint32_t>(p) / 256,
                                                   static_cast<std::uint32_t>(p) % 256, 0),
                                              24));
        y.line(2, fmt::format("- {{name: {}, cidrs: {}}}", prefix_lists[p], cidrs));
    }
    g.internet_client = "198.51.100.7";
    y.line(0, "internet_hosts:");
    y.line(2, "- {name: office-client, address: 198.51.100.7}");
    y.line(2, "- {name: scanner, address: 192.0.2.200}");
    y.line(2, "- {name: partner, address: 198.18.1.10}");
    g.yaml = y.take();
    return g;
}

// ---------------------------------------------------------------------------------------------
// The random topology.

namespace {

struct RSubnet {
    std::string name;
    std::uint32_t network = 0;
    int length = 24;
    std::string route_table;  // empty: the main table
    std::string acl;          // empty: the default ACL
    std::set<std::uint32_t> used;
};

struct REni {
    std::string name;  // as routes name it: "INSTANCE/ethN"
    std::size_t subnet = 0;
    std::vector<std::uint32_t> addresses;
    std::string public_ip;
    std::string elastic_ip;
    std::vector<std::string> groups;
    bool source_dest_check = true;
};

struct RInstance {
    std::string name;
    std::size_t vpc = 0;
    std::vector<REni> enis;
    bool stopped = false;
};

struct RNat {
    std::string name;
    std::size_t subnet = 0;
    std::uint32_t address = 0;
    std::string elastic_ip;  // empty: a private NAT gateway
};

struct RPeering {
    std::string name;
    std::size_t a = 0, b = 0;
    bool active = true;
};

struct RVpc {
    std::string name;
    std::uint32_t network = 0;
    int length = 16;
    bool igw = false;
    std::string igw_route_table;  // a gateway route table (ingress routing), or empty
    std::vector<RSubnet> subnets;
    std::vector<RNat> nats;
    std::vector<std::string> groups;  // custom groups; "default" exists as well
    std::vector<std::string> tables;  // custom route tables
    std::vector<std::string> acls;    // custom ACLs
};

class RandomTopology {
  public:
    explicit RandomTopology(std::uint64_t seed) : rng_(seed), seed_(seed) {}

    GeneratedTopology make() {
        make_vpcs();
        make_peerings();
        make_internet_side();
        make_instances();
        make_nats();
        GeneratedTopology g;
        g.name = fmt::format("random-{}.yaml", seed_);
        g.yaml = write();
        return g;
    }

  private:
    void make_vpcs() {
        const std::size_t count = rng_.between(1, 3);
        std::set<std::uint32_t> seconds;
        while (seconds.size() < count)
            seconds.insert(static_cast<std::uint32_t>(rng_.between(0, 255)));
        std::vector<std::uint32_t> octets(seconds.begin(), seconds.end());
        rng_.shuffle(octets);
        for (std::size_t v = 0; v < count; ++v) {
            RVpc vpc;
            vpc.name = std::string(1, static_cast<char>('a' + v)) + "vpc";
            vpc.length = rng_.chance(70) ? 16 : 20;
            vpc.network = quad(10, octets[v], 0, 0);
            vpc.igw = rng_.chance(75);
            const std::size_t subnets = rng_.between(1, 4);
            std::set<std::uint32_t> thirds;
            const std::uint32_t third_max = vpc.length == 16 ? 255 : 15;
            while (thirds.size() < subnets)
                thirds.insert(static_cast<std::uint32_t>(rng_.between(0, third_max)));
            for (std::uint32_t third : thirds) {
                RSubnet s;
                s.name = fmt::format("s{}", vpc.subnets.size());
                // /27 at the smallest: 27 usable addresses hold every ENI and NAT gateway a VPC can
                // get.
                s.length = rng_.pick(std::vector<int>{24, 24, 26, 27});
                s.network = vpc.network | (third << 8);
                vpc.subnets.push_back(s);
            }
            const std::size_t groups = rng_.between(0, 3);
            for (std::size_t k = 0; k < groups; ++k) vpc.groups.push_back(fmt::format("sg{}", k));
            const std::size_t tables = rng_.between(0, 2);
            for (std::size_t k = 0; k < tables; ++k) vpc.tables.push_back(fmt::format("rt{}", k));
            const std::size_t acls = rng_.between(0, 2);
            for (std::size_t k = 0; k < acls; ++k) vpc.acls.push_back(fmt::format("acl{}", k));
            for (RSubnet& s : vpc.subnets) {
                if (!vpc.tables.empty() && rng_.chance(70)) s.route_table = rng_.pick(vpc.tables);
                if (!vpc.acls.empty() && rng_.chance(70)) s.acl = rng_.pick(vpc.acls);
            }
            vpcs_.push_back(std::move(vpc));
        }
    }

    void make_peerings() {
        for (std::size_t a = 0; a < vpcs_.size(); ++a) {
            for (std::size_t b = a + 1; b < vpcs_.size(); ++b) {
                if (!rng_.chance(60)) continue;
                RPeering p{fmt::format("{}-{}", vpcs_[a].name, vpcs_[b].name), a, b,
                           rng_.chance(85)};
                if (rng_.chance(50)) std::swap(p.a, p.b);  // either may be the requester
                peerings_.push_back(p);
            }
        }
    }

    // Named internet hosts, a prefix list, and the pool of public addresses.
    void make_internet_side() {
        const std::size_t hosts = rng_.between(0, 2);
        std::set<std::uint32_t> taken;
        for (std::size_t h = 0; h < hosts; ++h) {
            std::uint32_t address = 0;
            do {
                address = rng_.chance(50)
                              ? quad(198, 51, 100, static_cast<std::uint32_t>(rng_.between(1, 254)))
                              : quad(192, 0, 2, static_cast<std::uint32_t>(rng_.between(1, 254)));
            } while (!taken.insert(address).second);
            internet_hosts_.push_back(address);
        }
        if (rng_.chance(40)) {
            std::vector<std::string> choices = {"198.51.100.0/24", "192.0.2.0/28", "192.0.2.128/25",
                                                "8.8.8.0/24"};
            rng_.shuffle(choices);
            prefix_list_cidrs_.assign(choices.begin(),
                                      choices.begin() + static_cast<long>(rng_.between(1, 2)));
        }
    }

    std::uint32_t free_address(RSubnet& s) {
        const std::uint32_t size = 1u << (32 - s.length);
        for (;;) {
            // Not the five reserved ones: the network address, +1, +2, +3 and the last.
            std::uint32_t offset = static_cast<std::uint32_t>(rng_.between(4, size - 2));
            if (s.used.insert(offset).second) return s.network + offset;
        }
    }

    std::string public_address() { return ip(quad(203, 0, 113, next_public_++)); }

    void make_instances() {
        const std::size_t count = rng_.between(1, 6);
        for (std::size_t i = 0; i < count; ++i) {
            RInstance inst;
            inst.name = fmt::format("i{}", i);
            inst.vpc = rng_.between(0, vpcs_.size() - 1);
            RVpc& vpc = vpcs_[inst.vpc];
            inst.stopped = rng_.chance(8);
            const std::size_t enis = rng_.chance(15) ? 2 : 1;
            const bool forwards = rng_.chance(25);
            for (std::size_t e = 0; e < enis; ++e) {
                REni eni;
                eni.name = fmt::format("{}/eth{}", inst.name, e);
                eni.subnet = rng_.between(0, vpc.subnets.size() - 1);
                RSubnet& s = vpc.subnets[eni.subnet];
                eni.addresses.push_back(free_address(s));
                if (rng_.chance(10)) eni.addresses.push_back(free_address(s));
                if (e == 0 && rng_.chance(30)) {
                    eni.public_ip = public_address();
                } else if (rng_.chance(20)) {
                    eni.elastic_ip = fmt::format("{}-eth{}-eip", inst.name, e);
                    elastic_ips_.emplace_back(eni.elastic_ip, public_address());
                }
                std::vector<std::string> choices = vpc.groups;
                choices.push_back("default");
                rng_.shuffle(choices);
                eni.groups.assign(
                    choices.begin(),
                    choices.begin() + static_cast<long>(rng_.between(
                                          1, std::min<std::size_t>(2, choices.size()))));
                eni.source_dest_check = !forwards;
                inst.enis.push_back(std::move(eni));
            }
            instances_.push_back(std::move(inst));
        }
    }

    void make_nats() {
        for (RVpc& vpc : vpcs_) {
            if (vpc.igw && rng_.chance(50)) add_nat(vpc, true);
            if (rng_.chance(15)) add_nat(vpc, false);
            if (vpc.igw && rng_.chance(10)) vpc.igw_route_table = "ingress-rt";
        }
        if (rng_.chance(20)) elastic_ips_.emplace_back("spare-eip", public_address());
    }

    void add_nat(RVpc& vpc, bool is_public) {
        RNat nat;
        nat.name = fmt::format("nat{}", vpc.nats.size());
        nat.subnet = rng_.between(0, vpc.subnets.size() - 1);
        nat.address = free_address(vpc.subnets[nat.subnet]);
        if (is_public) {
            nat.elastic_ip = fmt::format("{}-{}-eip", vpc.name, nat.name);
            elastic_ips_.emplace_back(nat.elastic_ip, public_address());
        }
        vpc.nats.push_back(nat);
    }

    // --- rules ---

    std::vector<std::size_t> active_peers(std::size_t v) const {
        std::vector<std::size_t> out;
        for (const RPeering& p : peerings_) {
            if (!p.active) continue;
            if (p.a == v) out.push_back(p.b);
            if (p.b == v) out.push_back(p.a);
        }
        return out;
    }

    std::string random_port() {
        return std::to_string(rng_.pick(std::vector<int>{22, 53, 80, 443, 1024, 3389, 5432, 8080,
                                                         32768, 60999, 65535, 1, 123}));
    }

    std::string random_range() {
        switch (rng_.between(0, 4)) {
            case 0:
                return "1024-65535";
            case 1:
                return "32768-60999";
            case 2:
                return "49152-65535";
            case 3:
                return "0-1023";
            default: {
                std::uint64_t a = rng_.between(1, 65535), b = rng_.between(1, 65535);
                if (a > b) std::swap(a, b);
                return fmt::format("{}-{}", a, b);
            }
        }
    }

    // A protocol and ports for a security group rule, in the short form.
    std::string sg_traffic() {
        switch (rng_.between(0, 19)) {
            case 0:
            case 1:
            case 2:
                return "all";
            case 3:
            case 4:
            case 5:
            case 6:
            case 7:
                return "tcp/" + random_port();
            case 8:
            case 9:
                return "tcp/" + random_range();
            case 10:
                return "tcp";
            case 11:
            case 12:
            case 13:
                return "udp/" + random_port();
            case 14:
                return "udp/" + random_range();
            case 15:
            case 16:
                return "icmp";
            case 17:
            case 18:
                return "icmp/8";
            default:
                return "icmp/0";
        }
    }

    std::string any_subnet_cidr() {
        const RVpc& vpc = rng_.pick(vpcs_);
        const RSubnet& s = rng_.pick(vpc.subnets);
        return cidr(s.network, s.length);
    }

    std::string internet_cidr() {
        if (!internet_hosts_.empty() && rng_.chance(50))
            return cidr(rng_.pick(internet_hosts_), 32);
        return rng_.pick(std::vector<std::string>{"198.51.100.0/24", "192.0.2.0/24", "0.0.0.0/1",
                                                  "203.0.113.0/24", "128.0.0.0/1"});
    }

    // A peer for a security group rule of VPC `v`.
    std::string sg_peer(std::size_t v) {
        const RVpc& vpc = vpcs_[v];
        switch (rng_.between(0, 9)) {
            case 0:
            case 1:
            case 2:
                return "0.0.0.0/0";
            case 3:
                return cidr(vpc.network, vpc.length);
            case 4:
                return any_subnet_cidr();
            case 5:
            case 6: {
                std::vector<std::string> groups = vpc.groups;
                groups.push_back("default");
                return "sg:" + rng_.pick(groups);
            }
            case 7: {
                std::vector<std::size_t> peers = active_peers(v);
                if (peers.empty()) return "10.0.0.0/8";
                const RVpc& other = vpcs_[rng_.pick(peers)];
                std::vector<std::string> groups = other.groups;
                groups.push_back("default");
                return fmt::format("sg:{}/{}", other.name, rng_.pick(groups));
            }
            case 8:
                if (!prefix_list_cidrs_.empty() && rng_.chance(50)) return "pl:outside";
                return internet_cidr();
            default: {
                // The address of an ENI, so that exact host rules appear.
                if (instances_.empty()) return "10.0.0.0/8";
                const RInstance& inst = rng_.pick(instances_);
                return cidr(rng_.pick(inst.enis).addresses.front(), 32);
            }
        }
    }

    std::vector<std::string> sg_rules(std::size_t v, const char* word) {
        std::vector<std::string> out;
        const std::size_t count = rng_.between(0, 4);
        for (std::size_t i = 0; i < count; ++i)
            out.push_back(fmt::format("{} {} {}", sg_traffic(), word, sg_peer(v)));
        return out;
    }

    std::string acl_traffic() {
        switch (rng_.between(0, 19)) {
            case 0:
            case 1:
            case 2:
            case 3:
            case 4:
                return "all";
            case 5:
            case 6:
                return "tcp";
            case 7:
            case 8:
            case 9:
            case 10:
                return "tcp/" + (rng_.chance(50) ? random_port() : random_range());
            case 11:
                return "udp";
            case 12:
            case 13:
            case 14:
                return "udp/" + (rng_.chance(50) ? random_port() : random_range());
            case 15:
            case 16:
                return "icmp";
            case 17:
                return "icmp/8";
            case 18:
                return "icmp/0";
            default:
                return "icmp/3:3";
        }
    }

    std::string acl_cidr(std::size_t v) {
        const RVpc& vpc = vpcs_[v];
        switch (rng_.between(0, 7)) {
            case 0:
            case 1:
            case 2:
                return "0.0.0.0/0";
            case 3:
                return cidr(vpc.network, vpc.length);
            case 4:
                return any_subnet_cidr();
            case 5:
                return "10.0.0.0/8";
            default:
                return internet_cidr();
        }
    }

    std::vector<std::string> acl_rules(std::size_t v, const char* word) {
        std::vector<std::string> out;
        std::set<std::uint64_t> numbers;
        const std::size_t count = rng_.between(0, 5);
        while (numbers.size() < count)
            numbers.insert(rng_.chance(70) ? 10 * rng_.between(1, 30) : rng_.between(1, 32766));
        for (std::uint64_t n : numbers) {
            out.push_back(fmt::format("{} {} {} {} {}", n, rng_.chance(65) ? "allow" : "deny",
                                      acl_traffic(), word, acl_cidr(v)));
        }
        rng_.shuffle(out);  // the file order does not matter, the numbers do
        return out;
    }

    // Instances of VPC `v` that may be a route's target: with one ENI, `instance/NAME`.
    std::vector<std::string> instance_targets(std::size_t v) const {
        std::vector<std::string> out;
        for (const RInstance& inst : instances_) {
            if (inst.vpc != v) continue;
            if (inst.enis.size() == 1) out.push_back("instance/" + inst.name);
            for (const REni& e : inst.enis) out.push_back("eni/" + e.name);
        }
        return out;
    }

    // Middlebox targets preferred: interfaces that forward (their check is off).
    std::string appliance_target(std::size_t v) {
        std::vector<std::string> forwarding;
        for (const RInstance& inst : instances_) {
            if (inst.vpc != v || inst.enis.front().source_dest_check) continue;
            if (inst.enis.size() == 1) forwarding.push_back("instance/" + inst.name);
            for (const REni& e : inst.enis) forwarding.push_back("eni/" + e.name);
        }
        if (!forwarding.empty() && rng_.chance(85)) return rng_.pick(forwarding);
        std::vector<std::string> all = instance_targets(v);
        return all.empty() ? std::string() : rng_.pick(all);
    }

    // A target for a destination outside the VPC.
    std::string outside_target(std::size_t v) {
        const RVpc& vpc = vpcs_[v];
        std::vector<std::string> choices = {"blackhole"};
        if (vpc.igw) choices.insert(choices.end(), {"igw", "igw"});
        for (const RNat& n : vpc.nats) choices.push_back("nat/" + n.name);
        for (const RPeering& p : peerings_)
            if (p.a == v || p.b == v) choices.push_back("peering/" + p.name);
        std::string appliance = appliance_target(v);
        if (!appliance.empty()) choices.push_back(appliance);
        return rng_.pick(choices);
    }

    std::vector<std::string> routes(std::size_t v) {
        const RVpc& vpc = vpcs_[v];
        std::vector<std::string> out;
        std::set<std::string> destinations;
        auto add = [&](const std::string& destination, const std::string& target) {
            if (target.empty() || !destinations.insert(destination).second) return;
            out.push_back(destination + " -> " + target);
        };
        const std::size_t count = rng_.between(0, 4);
        for (std::size_t i = 0; i < count; ++i) {
            switch (rng_.between(0, 9)) {
                case 0:
                case 1:
                case 2:
                    add("0.0.0.0/0", outside_target(v));
                    break;
                case 3:
                case 4: {
                    // A peer's CIDR (or a subnet of it), to the peering that joins them.
                    std::vector<RPeering> mine;
                    for (const RPeering& p : peerings_)
                        if (p.a == v || p.b == v) mine.push_back(p);
                    if (mine.empty()) break;
                    const RPeering& p = rng_.pick(mine);
                    const RVpc& other = vpcs_[p.a == v ? p.b : p.a];
                    std::string destination = rng_.chance(70)
                                                  ? cidr(other.network, other.length)
                                                  : cidr(rng_.pick(other.subnets).network, 24);
                    add(destination, rng_.chance(85) ? "peering/" + p.name : outside_target(v));
                    break;
                }
                case 5:
                case 6: {
                    // Middlebox routing: exactly a subnet CIDR of this VPC, to an appliance or a
                    // NAT gateway.
                    const RSubnet& s = rng_.pick(vpc.subnets);
                    std::string target = appliance_target(v);
                    if (!vpc.nats.empty() && (target.empty() || rng_.chance(25)))
                        target = "nat/" + rng_.pick(vpc.nats).name;
                    add(cidr(s.network, s.length), target);
                    break;
                }
                case 7:
                    if (rng_.chance(30)) add(cidr(vpc.network, vpc.length), appliance_target(v));
                    break;
                case 8:
                    if (!prefix_list_cidrs_.empty()) add("pl:outside", outside_target(v));
                    break;
                default:
                    add(internet_cidr(), outside_target(v));
                    break;
            }
        }
        return out;
    }

    // --- writing ---

    std::string write() {
        Yaml y;
        y.line(0, fmt::format("# A random topology, seed {}.", seed_));
        y.line(0, "region: us-east-1");
        y.line(0, "vpcs:");
        for (std::size_t v = 0; v < vpcs_.size(); ++v) write_vpc(y, v);
        y.line(0, "elastic_ips:");
        for (const auto& [name, address] : elastic_ips_)
            y.line(2, fmt::format("- {{name: {}, address: {}}}", name, address));
        y.line(0, "peerings:");
        for (const RPeering& p : peerings_) {
            y.line(2, fmt::format("- {{name: {}, requester: {}, accepter: {}, status: {}}}", p.name,
                                  vpcs_[p.a].name, vpcs_[p.b].name,
                                  p.active ? "active" : "pending-acceptance"));
        }
        y.line(0, "prefix_lists:");
        if (!prefix_list_cidrs_.empty())
            y.line(2, "- {name: outside, cidrs: " + flow_list(prefix_list_cidrs_) + "}");
        y.line(0, "internet_hosts:");
        for (std::size_t h = 0; h < internet_hosts_.size(); ++h)
            y.line(2, fmt::format("- {{name: host{}, address: {}}}", h, ip(internet_hosts_[h])));
        return y.take();
    }

    void write_vpc(Yaml& y, std::size_t v) {
        RVpc& vpc = vpcs_[v];
        y.line(2, "- name: " + vpc.name);
        y.line(4, "cidr: " + cidr(vpc.network, vpc.length));
        if (vpc.igw) {
            if (vpc.igw_route_table.empty())
                y.line(4, fmt::format("internet_gateway: {}-igw", vpc.name));
            else
                y.line(4, fmt::format("internet_gateway: {{name: {}-igw, route_table: {}}}",
                                      vpc.name, vpc.igw_route_table));
        }
        y.line(4, "subnets:");
        for (const RSubnet& s : vpc.subnets) {
            std::string extra;
            if (!s.route_table.empty()) extra += ", route_table: " + s.route_table;
            if (!s.acl.empty()) extra += ", network_acl: " + s.acl;
            y.line(6, fmt::format("- {{name: {}, cidr: {}{}}}", s.name, cidr(s.network, s.length),
                                  extra));
        }
        y.line(4, "route_tables:");
        // The main table is sometimes customised.
        if (rng_.chance(40)) {
            y.line(6, "- name: main");
            y.line(8, "routes: " + flow_list(routes(v)));
        }
        for (const std::string& t : vpc.tables) {
            y.line(6, "- name: " + t);
            y.line(8, "routes: " + flow_list(routes(v)));
        }
        if (!vpc.igw_route_table.empty()) {
            // Ingress routing: a subnet of the VPC, or all of it, through an appliance.
            std::vector<std::string> ingress;
            std::string target = appliance_target(v);
            if (!target.empty()) {
                const RSubnet& s = rng_.pick(vpc.subnets);
                ingress.push_back(fmt::format(
                    "{} -> {}",
                    rng_.chance(70) ? cidr(s.network, s.length) : cidr(vpc.network, vpc.length),
                    target));
            }
            y.line(6, "- name: " + vpc.igw_route_table);
            y.line(8, "routes: " + flow_list(ingress));
        }
        y.line(4, "network_acls:");
        for (const std::string& a : vpc.acls) {
            y.line(6, "- name: " + a);
            y.line(8, "inbound: " + flow_list(acl_rules(v, "from")));
            y.line(8, "outbound: " + flow_list(acl_rules(v, "to")));
        }
        y.line(4, "security_groups:");
        if (rng_.chance(20)) {
            // The default group written out: exactly the rules written.
            y.line(6, "- name: default");
            y.line(8, "ingress: " + flow_list(sg_rules(v, "from")));
        }
        for (const std::string& g : vpc.groups) {
            y.line(6, "- name: " + g);
            y.line(8, "ingress: " + flow_list(sg_rules(v, "from")));
            const std::uint64_t egress = rng_.between(0, 9);
            if (egress == 0) y.line(8, "egress: []");
            if (egress >= 7) y.line(8, "egress: " + flow_list(sg_rules(v, "to")));
        }
        y.line(4, "nat_gateways:");
        for (const RNat& n : vpc.nats) {
            y.line(6, fmt::format("- {{name: {}, subnet: {}, private_ip: {}{}}}", n.name,
                                  vpc.subnets[n.subnet].name, ip(n.address),
                                  n.elastic_ip.empty() ? ", type: private"
                                                       : ", elastic_ip: " + n.elastic_ip));
        }
        y.line(4, "instances:");
        for (const RInstance& inst : instances_) {
            if (inst.vpc != v) continue;
            y.line(6, "- name: " + inst.name);
            if (inst.stopped) y.line(8, "state: stopped");
            y.line(8, "enis:");
            for (const REni& e : inst.enis) {
                std::vector<std::string> addresses;
                for (std::uint32_t a : e.addresses) addresses.push_back(ip(a));
                std::string line = fmt::format(
                    "- {{subnet: {}, private_ips: {}, security_groups: {}",
                    vpc.subnets[e.subnet].name, flow_list(addresses), flow_list(e.groups));
                if (!e.public_ip.empty()) line += ", public_ip: " + e.public_ip;
                if (!e.elastic_ip.empty()) line += ", elastic_ip: " + e.elastic_ip;
                if (!e.source_dest_check) line += ", source_dest_check: false";
                y.line(10, line + "}");
            }
        }
    }

    Rng rng_;
    std::uint64_t seed_;
    std::vector<RVpc> vpcs_;
    std::vector<RPeering> peerings_;
    std::vector<RInstance> instances_;
    std::vector<std::uint32_t> internet_hosts_;
    std::vector<std::string> prefix_list_cidrs_;  // the list "outside", when not empty
    std::vector<std::pair<std::string, std::string>> elastic_ips_;
    std::uint32_t next_public_ = 10;
};

}  // namespace

GeneratedTopology random_topology(std::uint64_t seed) {
    return RandomTopology(seed).make();
}

model::LoadResult load(const GeneratedTopology& generated) {
    return model::load_topology_text(generated.yaml, generated.name);
}

std::string diagnostics_text(const model::LoadResult& result) {
    std::string out;
    for (const model::Diagnostic& d : result.diagnostics.sorted()) out += d.to_string() + "\n";
    return out;
}

model::Topology load_or_throw(const GeneratedTopology& generated) {
    model::LoadResult result = load(generated);
    if (!result.ok()) {
        throw std::runtime_error(
            fmt::format("the loader rejected the generated topology {}:\n{}\n{}", generated.name,
                        diagnostics_text(result), generated.yaml));
    }
    return std::move(*result.topology);
}

}  // namespace vpcstack::test_support
