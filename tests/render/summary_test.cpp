#include "vpcstack/render/summary.hpp"

#include <gtest/gtest.h>

#include "sample_topology.hpp"

namespace vpcstack::render {
namespace {

using model::PeeringStatus;
using model::RouteTargetKind;
using testing::SampleBuilder;

TEST(Summary, ShowsCountsSubnetsWithTheirRouteToTheInternetAndWhatLivesInThem) {
    EXPECT_EQ(render_summary(testing::two_tier(), false),
              "sample.yaml: valid\n"
              "  1 VPC, 2 subnets, 3 route tables, 1 network ACL, 3 security groups, 2 instances, "
              "2 ENIs,\n"
              "  1 NAT gateway, 1 internet gateway, 0 peerings, 1 Elastic IP, 0 prefix lists, 1 "
              "internet host\n"
              "\n"
              "VPC prod  10.0.0.0/16  region us-east-1  internet gateway prod-igw\n"
              "  SUBNET   CIDR         AZ          ACCESS   ROUTE TABLE  NETWORK ACL  ROUTES\n"
              "  public   10.0.1.0/24  us-east-1a  public   public-rt    default      "
              "0.0.0.0/0 -> igw/prod-igw\n"
              "    web    instance     10.0.1.10  203.0.113.10 (public IP)    sg web-sg\n"
              "    nat-a  NAT gateway  10.0.1.20  203.0.113.20 (eip nat-eip)\n"
              "  private  10.0.2.0/24  us-east-1a  private  private-rt   default      "
              "0.0.0.0/0 -> nat/nat-a\n"
              "    app    instance     10.0.2.10  -                           sg app-sg\n"
              "\n"
              "Internet hosts\n"
              "  client  198.51.100.7  accepts everything\n");
}

TEST(Summary, ColourAddsEscapeCodesAndNothingElse) {
    const model::Topology t = testing::two_tier();
    std::string coloured = render_summary(t, true);
    EXPECT_NE(coloured.find("\033[32mpublic\033[0m"), std::string::npos);
    EXPECT_NE(coloured.find("\033[33mprivate\033[0m"), std::string::npos);
    // Removing every escape sequence gives back the plain text exactly.
    std::string stripped;
    for (std::size_t i = 0; i < coloured.size(); ++i) {
        if (coloured[i] == '\033') {
            i = coloured.find('m', i);
            continue;
        }
        stripped += coloured[i];
    }
    EXPECT_EQ(stripped, render_summary(t, false));
}

TEST(Summary, ShowsTheKeyRouteOfEachSubnetAndHowManyOthersThereAre) {
    using model::RouteTargetKind;
    SampleBuilder b;
    const auto a = b.vpc("a", "10.0.0.0/16");
    const auto c = b.vpc("c", "10.1.0.0/16");
    b.igw(a, "a-igw");
    const auto pcx = b.peering("a-c", a, c);
    const auto hub_rt = b.route_table(a, "hub-rt");
    b.route(hub_rt, "10.1.0.0/16", RouteTargetKind::Peering, pcx, "peering/a-c");
    b.route(hub_rt, "0.0.0.0/0", RouteTargetKind::InternetGateway, 0, "igw");
    b.route(hub_rt, "192.168.0.0/16", RouteTargetKind::Blackhole, model::kNone, "blackhole");
    const auto peer_rt = b.route_table(a, "peer-rt");
    b.route(peer_rt, "10.1.0.0/16", RouteTargetKind::Peering, pcx, "peering/a-c");
    b.subnet(a, "hub", "10.0.1.0/24", hub_rt);
    b.subnet(a, "peer", "10.0.2.0/24", peer_rt);
    b.subnet(a, "local", "10.0.3.0/24");
    const std::string text = render_summary(b.t, false);
    EXPECT_NE(text.find("  hub     10.0.1.0/24  us-east-1a  public   hub-rt       default      "
                        "0.0.0.0/0 -> igw/a-igw (+2 more)\n"),
              std::string::npos)
        << "the internet gateway route makes the subnet public, whatever its position\n"
        << text;
    EXPECT_NE(text.find("  peer    10.0.2.0/24  us-east-1a  private  peer-rt      default      "
                        "10.1.0.0/16 -> peering/a-c\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("  local   10.0.3.0/24  us-east-1a  private  main         default      "
                        "local only\n"),
              std::string::npos)
        << text;
}

TEST(Summary, ListsPeeringsWithTheirStatusAndMarksBlackholeDefaultRoutes) {
    SampleBuilder b;
    const auto a = b.vpc("a", "10.0.0.0/16");
    const auto c = b.vpc("c", "10.1.0.0/16");
    const auto rt = b.route_table(a, "a-rt");
    const auto pcx = b.peering("a-c", a, c, PeeringStatus::PendingAcceptance);
    b.route(rt, "0.0.0.0/0", RouteTargetKind::Peering, pcx, "peering/a-c");
    b.subnet(a, "s", "10.0.1.0/24", rt);
    const std::string text = render_summary(b.t, false);
    EXPECT_NE(text.find("\nPeerings\n  a-c  a <-> c  pending-acceptance\n"), std::string::npos)
        << text;
    EXPECT_NE(text.find("  s       10.0.1.0/24  us-east-1a  private  a-rt         default      "
                        "0.0.0.0/0 -> peering/a-c (blackhole)\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("VPC c  10.1.0.0/16  region us-east-1  no internet gateway\n  (no "
                        "subnets)\n"),
              std::string::npos)
        << text;
}

TEST(Summary, ShowsElasticIpsStoppedInstancesAndDisabledSourceDestCheck) {
    model::Topology t = testing::two_tier();
    model::ElasticIp eip;
    eip.meta.name = "app-eip";
    eip.address = testing::ip("203.0.113.99");
    t.elastic_ips.push_back(eip);
    model::Eni& app = t.enis[t.instances[1].enis.front()];
    app.elastic_ip = static_cast<model::Index>(t.elastic_ips.size() - 1);
    app.source_dest_check = false;
    t.instances[1].running = false;
    const std::string text = render_summary(t, false);
    EXPECT_NE(text.find("    app    instance     10.0.2.10  203.0.113.99 (eip app-eip)  sg app-sg  "
                        "src/dst check off  not running\n"),
              std::string::npos)
        << text;
}

TEST(Summary, ShowsEveryCidrOfAVpcItsCloudIdAccountAndThePrefixLists) {
    SampleBuilder b;
    const auto v = b.vpc("prod", "10.0.0.0/16");
    b.t.vpcs[v].cidrs.push_back(testing::cidr("10.1.0.0/16"));
    b.t.vpcs[v].meta.id = "vpc-0a1b2c3d";
    b.t.vpcs[v].account = "111122223333";
    model::PrefixList office;
    office.meta.name = "office";
    office.cidrs = {testing::cidr("198.51.100.0/24"), testing::cidr("192.0.2.0/25")};
    b.t.prefix_lists.push_back(office);
    const std::string text = render_summary(b.t, false);
    EXPECT_NE(text.find("VPC prod (vpc-0a1b2c3d)  10.0.0.0/16 + 10.1.0.0/16  region us-east-1  "
                        "account 111122223333  no internet gateway\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("\nPrefix lists\n  office  198.51.100.0/24, 192.0.2.0/25\n"),
              std::string::npos)
        << text;
}

TEST(Diagnostics, PrintsEveryDiagnosticInFileOrderThenACountLine) {
    model::Diagnostics d;
    d.warning({"x.yaml", 9, 5}, "network ACL", "web-acl", "replies are dropped");
    d.error({"x.yaml", 3, 7}, "subnet", "app", "10.1.0.0/24 is outside VPC 'prod'");
    d.error({"x.yaml", 3, 2}, "", "", "bad");
    EXPECT_EQ(render_diagnostics(d, false),
              "x.yaml:3:2: error: bad\n"
              "x.yaml:3:7: error: subnet 'app': 10.1.0.0/24 is outside VPC 'prod'\n"
              "x.yaml:9:5: warning: network ACL 'web-acl': replies are dropped\n"
              "2 errors, 1 warning\n");
    const std::string coloured = render_diagnostics(d, true);
    EXPECT_EQ(coloured.substr(0, coloured.find('\n') + 1),
              "x.yaml:3:2: \033[31merror\033[0m: bad\n");
}

TEST(Diagnostics, PrintsNothingWhenThereIsNothingToSay) {
    EXPECT_EQ(render_diagnostics(model::Diagnostics{}, false), "");
    model::Diagnostics one;
    one.warning({"x.yaml", 1, 1}, "", "", "w");
    EXPECT_EQ(render_diagnostics(one, false), "x.yaml:1:1: warning: w\n1 warning\n");
}

}  // namespace
}  // namespace vpcstack::render
