// The topology as a Graphviz picture, built on a Boost.Graph adjacency_list.
//
// Vertices are the things a packet can meet: the internet, internet hosts, internet gateways,
// NAT gateways, ENIs (an instance with one ENI is one vertex), one anchor vertex per VPC and per
// subnet (where edges to and from the VPC or subnet start), and a blackhole vertex per VPC that
// has blackhole routes. VPCs are clusters holding their subnets as nested clusters, which hold
// their ENIs and NAT gateways. Edges: the internet gateway's attachment to the internet; each
// non-local route of a subnet's route table, from the subnet to its target, labelled with the
// destination (red and dashed when the route is a blackhole); each peering between its VPCs
// (dashed when not active); each security group rule that names another group, dotted, from
// the ENIs carrying the named group to the ENIs the rule protects (ingress; the other way for
// egress). Output is deterministic: the same topology gives the same text.
#pragma once

#include <boost/graph/adjacency_list.hpp>

#include <string>
#include <vector>

#include "vpcstack/model/topology.hpp"

namespace vpcstack::render {

inline constexpr int kNoCluster = -1;

struct DiagramNode {
    std::string id{};     // the dot identifier: "internet", "vpc0", "subnet1", "eni2", ...
    std::string label{};  // lines separated by '\n'
    std::string shape = "box";
    std::string style{};
    std::string color{};
    std::string fillcolor{};
    int cluster = kNoCluster;  // the innermost cluster holding the node
};

struct DiagramEdge {
    std::string label{};
    std::string style{};
    std::string color{};
    std::string dir{};       // "none", "both" or empty (forward)
    std::string ltail{};     // cluster the edge visually starts from (needs compound=true)
    std::string lhead{};     // cluster the edge visually ends at
    bool constraint = true;  // false: the edge does not influence the layout's ranks
    int order = 0;           // creation order, the order edges are written in
};

struct DiagramCluster {
    std::string id{};  // "cluster_vpc0", "cluster_subnet1"
    std::string label{};
    std::string style{};
    std::string color{};
    std::string fillcolor{};
    int parent = kNoCluster;
};

using DiagramGraph =
    boost::adjacency_list<boost::vecS, boost::vecS, boost::directedS, DiagramNode, DiagramEdge>;

struct Diagram {
    std::string title{};
    DiagramGraph graph;
    std::vector<DiagramCluster> clusters;
    std::vector<std::vector<std::string>> same_rank;  // node ids drawn side by side
};

Diagram build_diagram(const model::Topology& topo);
// Graphviz dot text of a diagram; clusters nest as subgraphs named cluster_*.
std::string write_dot(const Diagram& diagram);
// build_diagram then write_dot.
std::string render_dot(const model::Topology& topo);

}  // namespace vpcstack::render
