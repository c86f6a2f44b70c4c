// vpcctl diagram, run as a user runs it: the exact dot text of a small topology, pictures
// through Graphviz when it is installed, and the errors when it is not.
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "support/run_command.hpp"

namespace {

namespace fs = std::filesystem;
using vpcstack::test_support::read_file;
using vpcstack::test_support::Result;
using vpcstack::test_support::TempDir;

const std::string kSourceDir = VPCSTACK_SOURCE_DIR;

// Two VPCs, an internet gateway, a pending peering with a route to it (a blackhole), an
// instance with a public IP and an internet host.
const char* const kSmallTopology =
    "region: us-east-1\n"
    "vpcs:\n"
    "  - name: a\n"
    "    cidr: 10.0.0.0/16\n"
    "    internet_gateway: a-igw\n"
    "    subnets:\n"
    "      - {name: pub, cidr: 10.0.1.0/24, az: us-east-1a, route_table: pub-rt}\n"
    "    route_tables:\n"
    "      - name: pub-rt\n"
    "        routes:\n"
    "          - 0.0.0.0/0 -> igw\n"
    "          - 10.1.0.0/16 -> peering/a-b\n"
    "    instances:\n"
    "      - {name: web, subnet: pub, private_ip: 10.0.1.10, public_ip: 203.0.113.10}\n"
    "  - name: b\n"
    "    cidr: 10.1.0.0/16\n"
    "    subnets:\n"
    "      - {name: priv, cidr: 10.1.1.0/24}\n"
    "peerings:\n"
    "  - {name: a-b, requester: a, accepter: b, status: pending-acceptance}\n"
    "internet_hosts:\n"
    "  - {name: client, address: 198.51.100.7}\n";

const char* const kSmallDot =
    "digraph vpcstack {\n"
    "  graph [compound=true, rankdir=BT, fontname=\"Helvetica\", fontsize=12, labelloc=t, "
    "nodesep=0.35, ranksep=0.6, label=\"small.yaml\"];\n"
    "  node [fontname=\"Helvetica\", fontsize=10];\n"
    "  edge [fontname=\"Helvetica\", fontsize=9];\n"
    "  internet [label=\"internet\", shape=\"ellipse\", style=\"filled\", fillcolor=\"#dde8f5\"];\n"
    "  host0 [label=\"client\\n198.51.100.7\", shape=\"ellipse\"];\n"
    "  subgraph cluster_vpc0 {\n"
    "    graph [label=\"VPC a\", style=\"rounded,bold\", color=\"#3b6ea5\", labelloc=b];\n"
    "    vpc0 [label=\"10.0.0.0/16\\nus-east-1\", shape=\"plaintext\"];\n"
    "    igw0 [label=\"internet gateway\\na-igw\", shape=\"invhouse\", style=\"filled\", "
    "fillcolor=\"#fff2cc\"];\n"
    "    subgraph cluster_subnet0 {\n"
    "      graph [label=\"pub  10.0.1.0/24  us-east-1a\\npublic\", style=\"rounded,filled\", "
    "color=\"#888888\", fillcolor=\"#e6f4e6\", labelloc=b];\n"
    "      subnet0 [label=\"route table pub-rt\\nnetwork ACL default\", shape=\"plaintext\"];\n"
    "      eni0 [label=\"web\\n10.0.1.10\\npublic 203.0.113.10\", shape=\"box\", "
    "style=\"rounded,filled\", fillcolor=\"white\"];\n"
    "    }\n"
    "  }\n"
    "  subgraph cluster_vpc1 {\n"
    "    graph [label=\"VPC b\", style=\"rounded,bold\", color=\"#3b6ea5\", labelloc=b];\n"
    "    vpc1 [label=\"10.1.0.0/16\\nus-east-1\", shape=\"plaintext\"];\n"
    "    subgraph cluster_subnet1 {\n"
    "      graph [label=\"priv  10.1.1.0/24\\nprivate\", style=\"rounded,filled\", "
    "color=\"#888888\", fillcolor=\"#f3f3f3\", labelloc=b];\n"
    "      subnet1 [label=\"route table main\\nnetwork ACL default\", shape=\"plaintext\"];\n"
    "    }\n"
    "  }\n"
    "  { rank=same; internet; host0; }\n"
    "  host0 -> internet [dir=\"none\"];\n"
    "  igw0 -> internet [dir=\"none\"];\n"
    "  vpc0 -> vpc1 [label=\"peering a-b\\n(pending-acceptance)\", style=\"dashed\", "
    "color=\"#888888\", fontcolor=\"#888888\", dir=\"both\", ltail=\"cluster_vpc0\", "
    "lhead=\"cluster_vpc1\"];\n"
    "  subnet0 -> igw0 [label=\"0.0.0.0/0\", ltail=\"cluster_subnet0\"];\n"
    "  subnet0 -> vpc1 [label=\"10.1.0.0/16\\nvia a-b\\n(blackhole)\", style=\"dashed\", "
    "color=\"#c0392b\", fontcolor=\"#c0392b\", ltail=\"cluster_subnet0\", "
    "lhead=\"cluster_vpc1\"];\n"
    "}\n";

// Runs vpcctl with the arguments and, when path_env is given, that PATH.
Result vpcctl(const std::vector<std::string>& args, const char* path_env = nullptr) {
    vpcstack::test_support::RunOptions options;
    if (path_env != nullptr) options.env.push_back(std::string("PATH=") + path_env);
    return vpcstack::test_support::vpcctl(args, options);
}

bool dot_installed() {
    const char* path = std::getenv("PATH");
    std::stringstream dirs(path != nullptr ? path : "");
    std::string dir;
    while (std::getline(dirs, dir, ':')) {
        if (!dir.empty() && ::access((dir + "/dot").c_str(), X_OK) == 0) return true;
    }
    return false;
}

TEST(DiagramCommand, WritesTheExactDotTextOfASmallTopology) {
    TempDir dir;
    const fs::path topology = dir.write("small.yaml", kSmallTopology);
    const fs::path output = dir.path() / "small.dot";
    const Result run = vpcctl({"diagram", topology.string(), "-o", output.string()});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.out, "wrote " + output.string() + " (8 nodes, 5 edges, 4 clusters)\n");
    EXPECT_EQ(read_file(output), kSmallDot);
}

TEST(DiagramCommand, DashPrintsTheDotTextOnStdout) {
    TempDir dir;
    const fs::path topology = dir.write("small.yaml", kSmallTopology);
    const Result run = vpcctl({"diagram", topology.string(), "-o", "-"});
    EXPECT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(run.out, kSmallDot);
}

TEST(DiagramCommand, DrawsSvgAndPngWithGraphviz) {
    if (!dot_installed())
        GTEST_SKIP() << "Graphviz's dot is not on PATH (apt-get install graphviz)";
    TempDir dir;
    const std::string topology = kSourceDir + "/topologies/two-tier-nat.yaml";
    const fs::path svg = dir.path() / "two-tier.svg";
    Result run = vpcctl({"diagram", topology, "-o", svg.string()});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    const std::string picture = read_file(svg);
    EXPECT_NE(picture.find("<svg"), std::string::npos);
    EXPECT_NE(picture.find("cluster_subnet1"), std::string::npos) << "the private subnet is drawn";
    EXPECT_NE(picture.find("198.51.100.7"), std::string::npos) << "the internet client is drawn";
    const fs::path png = dir.path() / "two-tier.png";
    run = vpcctl({"diagram", topology, "-o", png.string()});
    ASSERT_EQ(run.exit_code, 0) << run.err;
    EXPECT_EQ(read_file(png).substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
}

TEST(DiagramCommand, EveryExampleTopologyCanBeDrawn) {
    const bool images = dot_installed();
    TempDir dir;
    for (const auto& entry : fs::directory_iterator(kSourceDir + "/topologies")) {
        if (entry.path().extension() != ".yaml") continue;
        const fs::path out =
            dir.path() / entry.path().filename().replace_extension(images ? ".svg" : ".dot");
        const Result run = vpcctl({"diagram", entry.path().string(), "-o", out.string()});
        EXPECT_EQ(run.exit_code, 0) << entry.path() << "\n" << run.err;
        EXPECT_EQ(run.err, "") << entry.path() << ": dot had something to say";
    }
}

TEST(DiagramCommand, WithoutGraphvizAPictureIsAClearInputError) {
    TempDir dir;
    const std::string topology = kSourceDir + "/topologies/two-tier-nat.yaml";
    const fs::path svg = dir.path() / "x.svg";
    const Result run =
        vpcctl({"diagram", topology, "-o", svg.string()}, dir.path().string().c_str());
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_EQ(run.err, "vpcctl diagram: writing '" + svg.string() +
                           "' needs Graphviz's 'dot' program, which is not on PATH; install "
                           "graphviz (apt-get install graphviz) or write a .dot file instead\n");
    EXPECT_FALSE(fs::exists(svg));
    const fs::path dot = dir.path() / "x.dot";
    EXPECT_EQ(
        vpcctl({"diagram", topology, "-o", dot.string()}, dir.path().string().c_str()).exit_code, 0)
        << "dot text needs no Graphviz";
}

TEST(DiagramCommand, AnUnknownFormatAMissingFileAndBadUsageExitTwo) {
    const std::string topology = kSourceDir + "/topologies/two-tier-nat.yaml";
    Result run = vpcctl({"diagram", topology, "-o", "net.pdf"});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_EQ(run.err,
              "vpcctl diagram: cannot tell the format of 'net.pdf'; expected a file name ending "
              "in .dot, .gv, .svg or .png (or - for dot text on stdout)\n");
    TempDir dir;
    const std::string missing = (dir.path() / "none.yaml").string();
    run = vpcctl({"diagram", missing, "-o", (dir.path() / "x.dot").string()});
    EXPECT_EQ(run.exit_code, 2);
    EXPECT_EQ(run.err,
              "vpcctl diagram: cannot read '" + missing + "': No such file or directory\n");
    EXPECT_EQ(vpcctl({"diagram", topology}).exit_code, 2) << "-o is required";
}

TEST(DiagramCommand, AnInvalidTopologyIsReportedAndNotDrawn) {
    TempDir dir;
    const fs::path topology = dir.write("bad.yaml",
                                        "region: us-east-1\n"
                                        "vpcs:\n"
                                        "  - name: prod\n"
                                        "    cidr: 10.0.0.0/8\n");
    const fs::path output = dir.path() / "bad.dot";
    const Result run = vpcctl({"diagram", topology.string(), "-o", output.string()});
    EXPECT_EQ(run.exit_code, 1);
    EXPECT_NE(run.err.find(topology.string() + ":4:11: error: VPC 'prod'"), std::string::npos)
        << run.err;
    EXPECT_FALSE(fs::exists(output));
}

}  // namespace
