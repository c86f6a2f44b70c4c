#include "vpcstack/render/diagram.hpp"

#include <gtest/gtest.h>

#include <algorithm>

#include "sample_topology.hpp"

namespace vpcstack::render {
namespace {

using model::PeeringStatus;
using model::RouteTargetKind;
using testing::SampleBuilder;

// The node with this dot id; fails the test when there is none.
const DiagramNode& node(const Diagram& d, const std::string& id) {
    for (auto v : boost::make_iterator_range(boost::vertices(d.graph))) {
        if (d.graph[v].id == id) return d.graph[v];
    }
    ADD_FAILURE() << "no node " << id;
    static const DiagramNode none;
    return none;
}

struct EdgeView {
    std::string from, to;
    DiagramEdge edge;
};

std::vector<EdgeView> edges(const Diagram& d) {
    std::vector<EdgeView> out;
    for (auto v : boost::make_iterator_range(boost::vertices(d.graph))) {
        for (auto e : boost::make_iterator_range(boost::out_edges(v, d.graph))) {
            out.push_back({d.graph[boost::source(e, d.graph)].id,
                           d.graph[boost::target(e, d.graph)].id, d.graph[e]});
        }
    }
    std::sort(out.begin(), out.end(),
              [](const EdgeView& a, const EdgeView& b) { return a.edge.order < b.edge.order; });
    return out;
}

const EdgeView* find_edge(const std::vector<EdgeView>& all, const std::string& from,
                          const std::string& to) {
    for (const EdgeView& e : all) {
        if (e.from == from && e.to == to) return &e;
    }
    return nullptr;
}

TEST(Diagram, TwoTierGoldenDot) {
    EXPECT_EQ(
        render_dot(testing::two_tier()),
        "digraph vpcstack {\n"
        "  graph [compound=true, rankdir=BT, fontname=\"Helvetica\", fontsize=12, labelloc=t, "
        "nodesep=0.35, ranksep=0.6, label=\"sample.yaml\"];\n"
        "  node [fontname=\"Helvetica\", fontsize=10];\n"
        "  edge [fontname=\"Helvetica\", fontsize=9];\n"
        "  internet [label=\"internet\", shape=\"ellipse\", style=\"filled\", "
        "fillcolor=\"#dde8f5\"];\n"
        "  host0 [label=\"client\\n198.51.100.7\", shape=\"ellipse\"];\n"
        "  subgraph cluster_vpc0 {\n"
        "    graph [label=\"VPC prod\", style=\"rounded,bold\", color=\"#3b6ea5\", labelloc=b];\n"
        "    vpc0 [label=\"10.0.0.0/16\\nus-east-1\", shape=\"plaintext\"];\n"
        "    igw0 [label=\"internet gateway\\nprod-igw\", shape=\"invhouse\", style=\"filled\", "
        "fillcolor=\"#fff2cc\"];\n"
        "    subgraph cluster_subnet0 {\n"
        "      graph [label=\"public  10.0.1.0/24  us-east-1a\\npublic\", "
        "style=\"rounded,filled\", color=\"#888888\", fillcolor=\"#e6f4e6\", labelloc=b];\n"
        "      subnet0 [label=\"route table public-rt\\nnetwork ACL default\", "
        "shape=\"plaintext\"];\n"
        "      eni0 [label=\"web\\n10.0.1.10\\npublic 203.0.113.10\", shape=\"box\", "
        "style=\"rounded,filled\", fillcolor=\"white\"];\n"
        "      nat0 [label=\"NAT gateway\\nnat-a\\n10.0.1.20\\npublic 203.0.113.20\", "
        "shape=\"hexagon\", style=\"filled\", fillcolor=\"#fde9d9\"];\n"
        "    }\n"
        "    subgraph cluster_subnet1 {\n"
        "      graph [label=\"private  10.0.2.0/24  us-east-1a\\nprivate\", "
        "style=\"rounded,filled\", color=\"#888888\", fillcolor=\"#f3f3f3\", labelloc=b];\n"
        "      subnet1 [label=\"route table private-rt\\nnetwork ACL default\", "
        "shape=\"plaintext\"];\n"
        "      eni1 [label=\"app\\n10.0.2.10\", shape=\"box\", style=\"rounded,filled\", "
        "fillcolor=\"white\"];\n"
        "    }\n"
        "  }\n"
        "  { rank=same; internet; host0; }\n"
        "  host0 -> internet [dir=\"none\"];\n"
        "  igw0 -> internet [dir=\"none\"];\n"
        "  subnet0 -> igw0 [label=\"0.0.0.0/0\", ltail=\"cluster_subnet0\"];\n"
        "  subnet1 -> nat0 [label=\"0.0.0.0/0\", ltail=\"cluster_subnet1\"];\n"
        "}\n");
}

TEST(Diagram, VpcsHoldSubnetsWhichHoldTheirEnisAndNatGateways) {
    const Diagram d = build_diagram(testing::two_tier());
    ASSERT_EQ(d.clusters.size(), 3u);
    EXPECT_EQ(d.clusters[0].id, "cluster_vpc0");
    EXPECT_EQ(d.clusters[0].parent, kNoCluster);
    EXPECT_EQ(d.clusters[1].parent, 0) << "the public subnet sits inside the VPC";
    EXPECT_EQ(d.clusters[2].parent, 0);
    EXPECT_EQ(node(d, "eni0").cluster, 1) << "web lives in the public subnet";
    EXPECT_EQ(node(d, "nat0").cluster, 1) << "the NAT gateway lives in the public subnet";
    EXPECT_EQ(node(d, "eni1").cluster, 2) << "app lives in the private subnet";
    EXPECT_EQ(node(d, "igw0").cluster, 0) << "the internet gateway is attached to the VPC";
    EXPECT_EQ(node(d, "internet").cluster, kNoCluster);
    EXPECT_EQ(node(d, "host0").cluster, kNoCluster) << "internet hosts are outside every VPC";
}

TEST(Diagram, PeeringsJoinVpcClustersAndAreDashedWhenNotActive) {
    SampleBuilder b;
    const auto a = b.vpc("a", "10.0.0.0/16");
    const auto c = b.vpc("c", "10.1.0.0/16");
    const auto e = b.vpc("e", "10.2.0.0/16");
    b.peering("a-c", a, c);
    b.peering("a-e", a, e, PeeringStatus::PendingAcceptance);
    const auto all = edges(build_diagram(b.t));
    const EdgeView* active = find_edge(all, "vpc0", "vpc1");
    ASSERT_NE(active, nullptr);
    EXPECT_EQ(active->edge.style, "bold");
    EXPECT_EQ(active->edge.ltail, "cluster_vpc0");
    EXPECT_EQ(active->edge.lhead, "cluster_vpc1");
    EXPECT_EQ(active->edge.dir, "both");
    const EdgeView* pending = find_edge(all, "vpc0", "vpc2");
    ASSERT_NE(pending, nullptr);
    EXPECT_EQ(pending->edge.style, "dashed");
    EXPECT_EQ(pending->edge.label, "peering a-e\n(pending-acceptance)");
}

TEST(Diagram, RoutesBecomeEdgesLabelledWithTheirDestinationAndBlackholesAreRed) {
    SampleBuilder b;
    const auto a = b.vpc("a", "10.0.0.0/16");
    const auto c = b.vpc("c", "10.1.0.0/16");
    const auto rt = b.route_table(a, "rt");
    const auto s = b.subnet(a, "s", "10.0.1.0/24", rt);
    b.subnet(c, "peer-subnet", "10.1.1.0/24");
    const auto sg = b.t.vpcs[a].default_security_group;
    const auto proxy = b.instance("proxy", s, "10.0.1.50", sg);
    const auto pcx = b.peering("a-c", a, c, PeeringStatus::PendingAcceptance);
    b.route(rt, "10.1.0.0/16", RouteTargetKind::Peering, pcx, "peering/a-c");
    b.route(rt, "192.168.0.0/16", RouteTargetKind::Blackhole, model::kNone, "blackhole");
    b.route(rt, "0.0.0.0/0", RouteTargetKind::Instance, proxy, "instance/proxy");
    const Diagram d = build_diagram(b.t);
    const auto all = edges(d);

    const EdgeView* to_peer = find_edge(all, "subnet0", "vpc1");
    ASSERT_NE(to_peer, nullptr) << "a route to a peering points at the peer VPC";
    EXPECT_EQ(to_peer->edge.label, "10.1.0.0/16\nvia a-c\n(blackhole)");
    EXPECT_EQ(to_peer->edge.lhead, "cluster_vpc1");
    EXPECT_EQ(to_peer->edge.style, "dashed");

    const EdgeView* dropped = find_edge(all, "subnet0", "blackhole0");
    ASSERT_NE(dropped, nullptr);
    EXPECT_EQ(dropped->edge.label, "192.168.0.0/16");
    EXPECT_EQ(dropped->edge.style, "dashed");
    EXPECT_EQ(node(d, "blackhole0").cluster, 0) << "the blackhole belongs to the VPC";

    const EdgeView* via_proxy = find_edge(all, "subnet0", "eni0");
    ASSERT_NE(via_proxy, nullptr) << "a route to an instance points at its primary ENI";
    EXPECT_EQ(via_proxy->edge.ltail, "") << "the ENI is inside the subnet the edge leaves";
    EXPECT_EQ(via_proxy->edge.style, "");
}

TEST(Diagram, TheEnisOfOneInstanceAreTiedTogether) {
    SampleBuilder b;
    const auto vpc = b.vpc("v", "10.0.0.0/16");
    const auto front = b.subnet(vpc, "front", "10.0.1.0/24");
    const auto back = b.subnet(vpc, "back", "10.0.2.0/24");
    const auto sg = b.t.vpcs[vpc].default_security_group;
    const auto fw = b.instance("fw", front, "10.0.1.5", sg);
    b.add_eni(fw, "fw-back", back, "10.0.2.5", sg);
    b.t.enis[1].source_dest_check = false;
    const Diagram d = build_diagram(b.t);
    const auto all = edges(d);
    const EdgeView* tie = find_edge(all, "eni0", "eni1");
    ASSERT_NE(tie, nullptr);
    EXPECT_EQ(tie->edge.label, "fw");
    EXPECT_EQ(tie->edge.dir, "none");
    EXPECT_EQ(node(d, "eni1").label, "fw/fw-back\n10.0.2.5\nsrc/dst check off");
    EXPECT_EQ(node(d, "eni1").cluster, 2) << "each ENI is drawn in its own subnet";
}

TEST(Diagram, SecurityGroupRulesNamingAnotherGroupAreDottedEdgesBetweenTheirEnis) {
    model::Topology t = testing::two_tier();
    // app-sg (group 2) admits tcp/8080 from web-sg (group 1); the default group names itself.
    model::SgRule from_web;
    from_web.protocol = net::Protocol::tcp();
    from_web.ports = net::PortRange::single(8080);
    from_web.peer_kind = model::PeerKind::SecurityGroup;
    from_web.group = 1;
    from_web.text = "tcp/8080 from sg:web-sg";
    t.security_groups[2].ingress.push_back(from_web);
    model::SgRule self = from_web;
    self.group = 0;
    self.text = "all from sg:default";
    t.security_groups[0].ingress.push_back(self);
    t.enis[1].security_groups.push_back(0);
    t.enis[0].security_groups.push_back(0);

    const auto all = edges(build_diagram(t));
    const EdgeView* reference = find_edge(all, "eni0", "eni1");
    ASSERT_NE(reference, nullptr) << "from web (carries web-sg) to app (protected by app-sg)";
    EXPECT_EQ(reference->edge.label, "tcp/8080 from sg:web-sg");
    EXPECT_EQ(reference->edge.style, "dotted");
    EXPECT_FALSE(reference->edge.constraint);
    EXPECT_EQ(find_edge(all, "eni1", "eni0"), nullptr);
    EXPECT_EQ(find_edge(all, "eni0", "eni0"), nullptr) << "a group naming itself draws no loop";
    EXPECT_NE(
        render_dot(t).find(R"(eni0 -> eni1 [label="tcp/8080 from sg:web-sg", style="dotted", )"
                           R"(color="#7a5c99", fontcolor="#7a5c99", constraint="false"];)"),
        std::string::npos);
}

TEST(Diagram, QuotesAndBackslashesInNamesAreEscaped) {
    model::Topology t = testing::two_tier();
    t.internet_hosts[0].meta.name = "say \"hi\" \\o/";
    const std::string dot = render_dot(t);
    EXPECT_NE(dot.find(R"(host0 [label="say \"hi\" \\o/\n198.51.100.7", shape="ellipse"];)"),
              std::string::npos)
        << dot;
}

}  // namespace
}  // namespace vpcstack::render
