#include "vpcstack/render/diagram.hpp"

#include <algorithm>
#include <filesystem>
#include <map>
#include <utility>

#include "vpcstack/render/facts.hpp"

namespace vpcstack::render {

using model::Index;
using model::kNone;
using model::RouteTargetKind;
using model::Topology;
using Vertex = DiagramGraph::vertex_descriptor;

namespace {

constexpr const char* kPublicFill = "#e6f4e6";
constexpr const char* kPrivateFill = "#f3f3f3";
constexpr const char* kVpcColor = "#3b6ea5";
constexpr const char* kBlackholeColor = "#c0392b";

std::string join_lines(const std::vector<std::string>& lines) {
    std::string out;
    for (const std::string& l : lines) {
        if (!out.empty()) out += '\n';
        out += l;
    }
    return out;
}

// Builds the graph in a fixed order (the topology's vectors), which makes the output
// deterministic without sorting anything afterwards.
class Builder {
  public:
    Builder(const Topology& topo, Diagram& out) : t_(topo), d_(out) {}

    void build() {
        d_.title =
            t_.file.empty() ? "topology" : std::filesystem::path(t_.file).filename().string();
        internet_ = add_node({.id = "internet",
                              .label = "internet",
                              .shape = "ellipse",
                              .style = "filled",
                              .fillcolor = "#dde8f5"});
        for (Index v = 0; v < t_.vpcs.size(); ++v) add_vpc(v);
        // The internet and its hosts side by side, above everything (the graph is drawn
        // bottom to top, so routes point up towards the internet).
        d_.same_rank.push_back({"internet"});
        for (Index h = 0; h < t_.internet_hosts.size(); ++h) add_internet_host(h);
        for (Index g = 0; g < t_.internet_gateways.size(); ++g) {
            add_edge(igw_.at(g), internet_, {.dir = "none"});
        }
        for (Index p = 0; p < t_.peerings.size(); ++p) add_peering(p);
        for (Index s = 0; s < t_.subnets.size(); ++s) add_routes(s);
        for (const model::Instance& instance : t_.instances) link_enis(instance);
        for (Index g = 0; g < t_.security_groups.size(); ++g) add_group_references(g);
    }

  private:
    Vertex add_node(DiagramNode node) { return boost::add_vertex(std::move(node), d_.graph); }

    void add_edge(Vertex from, Vertex to, DiagramEdge edge) {
        edge.order = next_order_++;
        boost::add_edge(from, to, std::move(edge), d_.graph);
    }

    int add_cluster(DiagramCluster cluster) {
        d_.clusters.push_back(std::move(cluster));
        return static_cast<int>(d_.clusters.size() - 1);
    }

    void add_vpc(Index v) {
        const model::Vpc& vpc = t_.vpcs[v];
        const std::string n = std::to_string(v);
        const int cluster = add_cluster({.id = "cluster_vpc" + n,
                                         .label = "VPC " + vpc.meta.name,
                                         .style = "rounded,bold",
                                         .color = kVpcColor});
        vpc_cluster_[v] = cluster;
        std::vector<std::string> lines;
        for (const net::Cidr& c : vpc.cidrs) lines.push_back(c.to_string());
        lines.push_back(vpc.region);
        vpc_anchor_[v] = add_node({.id = "vpc" + n,
                                   .label = join_lines(lines),
                                   .shape = "plaintext",
                                   .cluster = cluster});
        if (vpc.internet_gateway != kNone) {
            const model::InternetGateway& igw = t_.internet_gateways.at(vpc.internet_gateway);
            igw_[vpc.internet_gateway] =
                add_node({.id = "igw" + std::to_string(vpc.internet_gateway),
                          .label = "internet gateway\n" + igw.meta.name,
                          .shape = "invhouse",
                          .style = "filled",
                          .fillcolor = "#fff2cc",
                          .cluster = cluster});
        }
        for (Index s : vpc.subnets) add_subnet(s, cluster);
    }

    void add_subnet(Index s, int vpc_cluster) {
        const model::Subnet& subnet = t_.subnets[s];
        const std::string n = std::to_string(s);
        const bool is_public = internet_route(t_, s) != nullptr;
        std::string label = subnet.meta.name + "  " + subnet.cidr.to_string();
        if (!subnet.availability_zone.empty()) label += "  " + subnet.availability_zone;
        label += is_public ? "\npublic" : "\nprivate";
        const int cluster = add_cluster({.id = "cluster_subnet" + n,
                                         .label = label,
                                         .style = "rounded,filled",
                                         .color = "#888888",
                                         .fillcolor = is_public ? kPublicFill : kPrivateFill,
                                         .parent = vpc_cluster});
        subnet_cluster_[s] = cluster;
        std::vector<std::string> lines;
        if (subnet.route_table != kNone) {
            lines.push_back("route table " + t_.route_tables.at(subnet.route_table).meta.name);
        }
        if (subnet.network_acl != kNone) {
            lines.push_back("network ACL " + t_.network_acls.at(subnet.network_acl).meta.name);
        }
        subnet_anchor_[s] = add_node({.id = "subnet" + n,
                                      .label = join_lines(lines),
                                      .shape = "plaintext",
                                      .cluster = cluster});
        for (Index e : subnet.enis) add_eni(e, cluster);
        for (Index g = 0; g < t_.nat_gateways.size(); ++g) {
            if (t_.nat_gateways[g].subnet == s) add_nat(g, cluster);
        }
    }

    void add_eni(Index e, int cluster) {
        const model::Eni& eni = t_.enis[e];
        std::vector<std::string> lines = {eni_display_name(t_, e)};
        for (const net::Ipv4Address& ip : eni.private_ips) lines.push_back(ip.to_string());
        if (auto pub = t_.public_address_of_eni(e)) lines.push_back("public " + pub->to_string());
        if (!eni.source_dest_check) lines.push_back("src/dst check off");
        const bool running = eni.instance == kNone || t_.instances.at(eni.instance).running;
        if (!running) lines.push_back("(not running)");
        eni_[e] = add_node({.id = "eni" + std::to_string(e),
                            .label = join_lines(lines),
                            .shape = "box",
                            .style = running ? "rounded,filled" : "rounded,dashed",
                            .fillcolor = "white",
                            .cluster = cluster});
    }

    void add_nat(Index g, int cluster) {
        const model::NatGateway& nat = t_.nat_gateways[g];
        std::vector<std::string> lines = {"NAT gateway", nat.meta.name, nat.private_ip.to_string()};
        if (auto pub = t_.public_address_of_nat(g)) lines.push_back("public " + pub->to_string());
        nat_[g] = add_node({.id = "nat" + std::to_string(g),
                            .label = join_lines(lines),
                            .shape = "hexagon",
                            .style = "filled",
                            .fillcolor = "#fde9d9",
                            .cluster = cluster});
    }

    void add_internet_host(Index h) {
        const model::InternetHost& host = t_.internet_hosts[h];
        d_.same_rank.front().push_back("host" + std::to_string(h));
        Vertex v = add_node({.id = "host" + std::to_string(h),
                             .label = host.meta.name + "\n" + host.address.to_string(),
                             .shape = "ellipse"});
        add_edge(v, internet_, {.dir = "none"});
    }

    void add_peering(Index p) {
        const model::Peering& peering = t_.peerings[p];
        const bool active = peering.status == model::PeeringStatus::Active;
        std::string label = "peering " + peering.meta.name;
        if (!active) label += "\n(" + model::to_string(peering.status) + ")";
        add_edge(vpc_anchor_.at(peering.requester), vpc_anchor_.at(peering.accepter),
                 {.label = label,
                  .style = active ? "bold" : "dashed",
                  .color = active ? kVpcColor : "#888888",
                  .dir = "both",
                  .ltail = d_.clusters[vpc_cluster_.at(peering.requester)].id,
                  .lhead = d_.clusters[vpc_cluster_.at(peering.accepter)].id});
    }

    Vertex blackhole_of(Index vpc) {
        auto it = blackhole_.find(vpc);
        if (it != blackhole_.end()) return it->second;
        Vertex v = add_node({.id = "blackhole" + std::to_string(vpc),
                             .label = "blackhole",
                             .shape = "octagon",
                             .color = kBlackholeColor,
                             .cluster = vpc_cluster_.at(vpc)});
        blackhole_.emplace(vpc, v);
        return v;
    }

    // One edge per non-local route of the subnet's route table, to where the route sends
    // traffic. A route to a peering points at the peer VPC.
    void add_routes(Index s) {
        const model::Subnet& subnet = t_.subnets[s];
        if (subnet.route_table == kNone) return;
        const Vertex from = subnet_anchor_.at(s);
        for (const model::Route& route : t_.route_tables.at(subnet.route_table).routes) {
            const model::RouteTarget& target = route.target;
            DiagramEdge edge{.label = t_.destination_text(route)};
            Vertex to = from;
            switch (target.kind) {
                case RouteTargetKind::Local:
                    continue;
                case RouteTargetKind::InternetGateway:
                    to = igw_.at(target.index);
                    break;
                case RouteTargetKind::NatGateway:
                    to = nat_.at(target.index);
                    break;
                case RouteTargetKind::Eni:
                    to = eni_.at(target.index);
                    break;
                case RouteTargetKind::Instance:
                    to = eni_.at(t_.instances.at(target.index).enis.front());
                    break;
                case RouteTargetKind::Blackhole:
                    to = blackhole_of(subnet.vpc);
                    break;
                case RouteTargetKind::Peering: {
                    const model::Peering& p = t_.peerings.at(target.index);
                    const Index peer = p.requester == subnet.vpc ? p.accepter : p.requester;
                    to = vpc_anchor_.at(peer);
                    edge.lhead = d_.clusters[vpc_cluster_.at(peer)].id;
                    edge.label += "\nvia " + p.meta.name;
                    break;
                }
            }
            // The edge starts at the subnet's border unless its head lies inside the subnet.
            if (d_.graph[to].cluster != subnet_cluster_.at(s)) {
                edge.ltail = d_.clusters[subnet_cluster_.at(s)].id;
            }
            if (!blackhole_reason(t_, route).empty()) {
                edge.style = "dashed";
                edge.color = kBlackholeColor;
                if (target.kind != RouteTargetKind::Blackhole) edge.label += "\n(blackhole)";
            }
            add_edge(from, to, std::move(edge));
        }
    }

    // The ENIs of one instance are tied together, so a middlebox reads as one machine.
    void link_enis(const model::Instance& instance) {
        for (std::size_t i = 1; i < instance.enis.size(); ++i) {
            add_edge(eni_.at(instance.enis[i - 1]), eni_.at(instance.enis[i]),
                     {.label = instance.meta.name, .style = "bold", .dir = "none"});
        }
    }

    std::vector<Index> enis_with_group(Index group) const {
        std::vector<Index> out;
        for (Index e = 0; e < t_.enis.size(); ++e) {
            const auto& groups = t_.enis[e].security_groups;
            if (std::find(groups.begin(), groups.end(), group) != groups.end()) out.push_back(e);
        }
        return out;
    }

    // A rule naming another group allows the private addresses of the ENIs carrying that group.
    // AWS: security-group-rules — a group reference matches the members' private IPs. A group
    // naming itself (the default group does) would only draw loops, so it is left out.
    void add_group_references(Index g) {
        const model::SecurityGroup& group = t_.security_groups[g];
        const std::vector<Index> protected_enis = enis_with_group(g);
        auto draw = [&](const model::SgRule& rule, bool ingress) {
            if (rule.peer_kind != model::PeerKind::SecurityGroup || rule.group == g) return;
            if (rule.group == kNone) return;
            for (Index peer : enis_with_group(rule.group)) {
                for (Index mine : protected_enis) {
                    const Vertex from = eni_.at(ingress ? peer : mine);
                    const Vertex to = eni_.at(ingress ? mine : peer);
                    add_edge(from, to,
                             {.label = (ingress ? "" : "egress ") + rule.text,
                              .style = "dotted",
                              .color = "#7a5c99",
                              .constraint = false});
                }
            }
        };
        for (const model::SgRule& rule : group.ingress) draw(rule, true);
        for (const model::SgRule& rule : group.egress) draw(rule, false);
    }

    const Topology& t_;
    Diagram& d_;
    Vertex internet_{};
    int next_order_ = 0;
    std::map<Index, Vertex> vpc_anchor_, subnet_anchor_, igw_, nat_, eni_, blackhole_;
    std::map<Index, int> vpc_cluster_, subnet_cluster_;
};

std::string quote(const std::string& text) {
    std::string out = "\"";
    for (char c : text) {
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            default:
                out += c;
        }
    }
    return out + "\"";
}

// ` name="value"` pairs for the non-empty attributes, comma-separated inside brackets.
class Attributes {
  public:
    Attributes& add(const char* name, const std::string& value) {
        if (value.empty()) return *this;
        if (!text_.empty()) text_ += ", ";
        text_ += name;
        text_ += '=';
        text_ += quote(value);
        return *this;
    }
    std::string bracketed() const { return text_.empty() ? "" : " [" + text_ + "]"; }
    const std::string& text() const { return text_; }

  private:
    std::string text_;
};

class DotWriter {
  public:
    explicit DotWriter(const Diagram& d) : d_(d) {}

    std::string write() {
        out_ = "digraph vpcstack {\n";
        out_ += "  graph [compound=true, rankdir=BT, fontname=\"Helvetica\", fontsize=12, " +
                std::string("labelloc=t, nodesep=0.35, ranksep=0.6, label=") + quote(d_.title) +
                "];\n";
        out_ += "  node [fontname=\"Helvetica\", fontsize=10];\n";
        out_ += "  edge [fontname=\"Helvetica\", fontsize=9];\n";
        write_contents(kNoCluster, 1);
        for (const auto& group : d_.same_rank) {
            if (group.size() < 2) continue;
            out_ += "  { rank=same;";
            for (const std::string& id : group) out_ += " " + id + ";";
            out_ += " }\n";
        }
        write_edges();
        out_ += "}\n";
        return std::move(out_);
    }

  private:
    void write_contents(int cluster, int depth) {
        const std::string indent(static_cast<std::size_t>(depth) * 2, ' ');
        for (Vertex v : boost::make_iterator_range(boost::vertices(d_.graph))) {
            const DiagramNode& n = d_.graph[v];
            if (n.cluster != cluster) continue;
            Attributes a;
            a.add("label", n.label).add("shape", n.shape).add("style", n.style);
            a.add("color", n.color).add("fillcolor", n.fillcolor);
            out_ += indent + n.id + a.bracketed() + ";\n";
        }
        for (std::size_t c = 0; c < d_.clusters.size(); ++c) {
            const DiagramCluster& child = d_.clusters[c];
            if (child.parent != cluster) continue;
            out_ += indent + "subgraph " + child.id + " {\n";
            Attributes a;
            a.add("label", child.label).add("style", child.style);
            a.add("color", child.color).add("fillcolor", child.fillcolor);
            // labelloc=b puts the label at the top, since the graph is drawn bottom to top.
            out_ += indent + "  graph [" + a.text() + ", labelloc=b];\n";
            write_contents(static_cast<int>(c), depth + 1);
            out_ += indent + "}\n";
        }
    }

    void write_edges() {
        std::vector<std::pair<int, std::string>> lines;
        for (Vertex v : boost::make_iterator_range(boost::vertices(d_.graph))) {
            for (auto e : boost::make_iterator_range(boost::out_edges(v, d_.graph))) {
                add_edge_line(lines, e);
            }
        }
        std::sort(lines.begin(), lines.end());
        for (const auto& line : lines) out_ += line.second;
    }

    void add_edge_line(std::vector<std::pair<int, std::string>>& lines,
                       DiagramGraph::edge_descriptor e) const {
        const DiagramEdge& edge = d_.graph[e];
        Attributes a;
        a.add("label", edge.label).add("style", edge.style).add("color", edge.color);
        a.add("fontcolor", edge.color).add("dir", edge.dir);
        a.add("ltail", edge.ltail).add("lhead", edge.lhead);
        if (!edge.constraint) a.add("constraint", "false");
        lines.emplace_back(edge.order, "  " + d_.graph[boost::source(e, d_.graph)].id + " -> " +
                                           d_.graph[boost::target(e, d_.graph)].id + a.bracketed() +
                                           ";\n");
    }

    const Diagram& d_;
    std::string out_;
};

}  // namespace

Diagram build_diagram(const Topology& topo) {
    Diagram diagram;  // built in place: the graph is never copied
    Builder(topo, diagram).build();
    return diagram;
}

std::string write_dot(const Diagram& diagram) {
    return DotWriter(diagram).write();
}

std::string render_dot(const Topology& topo) {
    return write_dot(build_diagram(topo));
}

}  // namespace vpcstack::render
