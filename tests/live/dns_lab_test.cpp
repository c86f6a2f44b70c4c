// Names in a live lab: the engine's VPC resolver answers `dig @10.40.0.2` from an instance
// (split horizon: the VPC's private zone before the public one, instances' hostnames; over
// UDP and TCP), the metadata service answers curl at 169.254.169.254 (IMDSv1 and v2), the
// instances' resolv.conf names it so that curl by name works, and the internet's name server
// (`vpcctl serve dns` on 127.0.0.53 in the internet namespace) answers the public zone with the
// public addresses, so the internet's client reaches the web server by name. Needs root.
#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <string>
#include <thread>

#include "live_lab.hpp"
#include "vpcstack/live/netns.hpp"

namespace vpcstack::live {
namespace {

using namespace lab_testing;
using namespace std::chrono_literals;

const std::string kTopology = R"(region: us-east-1
vpcs:
  - name: corp
    cidr: 10.40.0.0/16
    internet_gateway: igw
    enable_dns_hostnames: true
    subnets:
      - {name: public, cidr: 10.40.1.0/24, route_table: public-rt}
      - {name: private, cidr: 10.40.2.0/24}
    route_tables:
      - {name: public-rt, routes: [0.0.0.0/0 -> igw]}
    security_groups:
      - {name: web-sg, ingress: [tcp/80 from 0.0.0.0/0], egress: [all to 0.0.0.0/0]}
      - {name: app-sg, ingress: [], egress: [all to 0.0.0.0/0]}
    instances:
      - {name: web, subnet: public, private_ip: 10.40.1.10, public_ip: 203.0.113.40, security_groups: [web-sg], listen: [tcp/80], user_data: vpcctl serve http --port 80}
      - {name: app, subnet: private, private_ip: 10.40.2.10, security_groups: [app-sg]}
hosted_zones:
  - name: example.com
    records:
      - {name: www, type: A, values: [203.0.113.40]}
      - {name: shop, type: CNAME, values: [www.example.com]}
  - name: example.com
    private: true
    vpcs: [corp]
    records:
      - {name: www, type: A, values: [10.40.1.10]}
      - {name: db, type: A, ttl: 30, values: [10.40.2.50]}
internet_hosts:
  - {name: client, address: 198.51.100.40}
)";

std::string dig(const Lab& lab, const std::string& where, std::vector<std::string> args) {
    std::vector<std::string> command{"dig", "+short", "+time=2", "+tries=2"};
    command.insert(command.end(), args.begin(), args.end());
    return lab.exec(where, command).output;
}

TEST(LiveDns, TheVpcResolverAndTheInternetsNameServerAnswerAndCurlFindsByName) {
    SKIP_UNLESS_LIVE();
    ASSERT_EQ(::access("/usr/bin/dig", X_OK), 0) << "dig is missing (tools/install-deps.sh)";
    TopologyFile file("dns", kTopology);
    std::string lab_name;
    {
        Lab lab(file.path(), "dns");
        lab_name = lab.name();
        ASSERT_EQ(lab.up().code, 0) << lab.up().output;

        // The VPC resolver at base + 2 and 169.254.169.253; app's group allows no DNS, and no
        // group or ACL filters it. Inside the VPC the private zone answers (split horizon).
        EXPECT_EQ(dig(lab, "app", {"@10.40.0.2", "www.example.com"}), "10.40.1.10\n");
        EXPECT_EQ(dig(lab, "app", {"@169.254.169.253", "db.example.com"}), "10.40.2.50\n");
        // The private zone answers for all of example.com: shop exists only publicly.
        Result shop = lab.exec("app", {"dig", "+time=2", "@10.40.0.2", "shop.example.com"});
        EXPECT_NE(shop.output.find("status: NXDOMAIN"), std::string::npos) << shop.output;
        // Instances' hostnames: private, and public (with enable_dns_hostnames) resolving to
        // the private address inside the VPC.
        EXPECT_EQ(dig(lab, "app", {"@10.40.0.2", "ip-10-40-1-10.ec2.internal"}), "10.40.1.10\n");
        EXPECT_EQ(dig(lab, "app", {"@10.40.0.2", "ec2-203-0-113-40.compute-1.amazonaws.com"}),
                  "10.40.1.10\n");
        // resolv.conf names the resolver: names work without @.
        Result resolv = lab.exec("app", {"cat", "/etc/resolv.conf"});
        EXPECT_NE(resolv.output.find("nameserver 10.40.0.2"), std::string::npos) << resolv.output;
        EXPECT_NE(resolv.output.find("search ec2.internal"), std::string::npos) << resolv.output;
        Result curl = lab.exec("app", {"curl", "-s", "--max-time", "5", "http://www.example.com/"});
        EXPECT_NE(curl.output.find("instance: web"), std::string::npos) << curl.output;

        // DNS over TCP to the resolver (RFC 7766), the engine being the server end.
        EXPECT_EQ(dig(lab, "app", {"+tcp", "@10.40.0.2", "db.example.com"}), "10.40.2.50\n");

        // The instance metadata service: IMDSv1, then IMDSv2's PUT token and its use.
        auto curl_text = [&](std::vector<std::string> args) {
            std::vector<std::string> command{"curl", "-s", "--max-time", "5"};
            command.insert(command.end(), args.begin(), args.end());
            return lab.exec("web", command).output;
        };
        EXPECT_EQ(curl_text({"http://169.254.169.254/latest/meta-data/local-ipv4"}), "10.40.1.10");
        EXPECT_EQ(curl_text({"http://169.254.169.254/latest/meta-data/public-ipv4"}),
                  "203.0.113.40");
        const std::string token =
            curl_text({"-X", "PUT", "-H", "X-aws-ec2-metadata-token-ttl-seconds: 60",
                       "http://169.254.169.254/latest/api/token"});
        EXPECT_EQ(token.size(), 56u) << token;
        EXPECT_EQ(curl_text({"-H", "X-aws-ec2-metadata-token: " + token,
                             "http://169.254.169.254/latest/meta-data/local-hostname"}),
                  "ip-10-40-1-10.ec2.internal");
        EXPECT_EQ(curl_text({"-o", "/dev/null", "-w", "%{http_code}", "-H",
                             "X-aws-ec2-metadata-token: not-a-token",
                             "http://169.254.169.254/latest/meta-data/"}),
                  "401");
        EXPECT_EQ(curl_text({"http://169.254.169.254/latest/user-data"}),
                  "vpcctl serve http --port 80");

        // From the internet: the public zone, the public hostname's public address, and the
        // web server reached by name through the internet gateway.
        EXPECT_EQ(dig(lab, "client", {"shop.example.com"}), "www.example.com.\n203.0.113.40\n");
        EXPECT_EQ(dig(lab, "client", {"ec2-203-0-113-40.compute-1.amazonaws.com"}),
                  "203.0.113.40\n");
        Result unknown = lab.exec("client", {"dig", "+time=2", "nothing.example.net"});
        EXPECT_NE(unknown.output.find("status: NXDOMAIN"), std::string::npos) << unknown.output;
        Result outside =
            lab.exec("client", {"curl", "-s", "--max-time", "5", "http://shop.example.com/"});
        EXPECT_NE(outside.output.find("instance: web"), std::string::npos) << outside.output;

        // The engine counted the resolver's answers in its trace ring.
        EXPECT_EQ(lab.drops("ResolverDisabled"), 0u);
    }
    // lab down removed the namespaces' resolv.conf files.
    std::error_code none;
    for (const auto& entry : std::filesystem::directory_iterator(std::string(kNetnsEtcDir), none)) {
        EXPECT_FALSE(entry.path().filename().string().starts_with(namespace_prefix(lab_name)))
            << entry.path() << " is left";
    }
}

}  // namespace
}  // namespace vpcstack::live
