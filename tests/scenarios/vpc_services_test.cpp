// The VPC's own services in the simulation, in the cloud's words: an answer too large for UDP
// comes back truncated and the instance asks again over TCP, where it arrives whole, though
// the instance's security group allows nothing and its subnet's ACL denies everything.
#include <gtest/gtest.h>

#include "scenario.hpp"
#include "vpcstack/sim/stub_resolver.hpp"
#include "vpcstack/sim/trace_report.hpp"

namespace scenario {
namespace {

constexpr const char* kTopology = R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    subnets:
      - {name: private, cidr: 10.0.1.0/24, network_acl: shut}
    network_acls:
      - {name: shut, inbound: [], outbound: []}
    security_groups:
      - {name: nothing, ingress: [], egress: []}
    instances:
      - {name: app, subnet: private, private_ip: 10.0.1.20, security_groups: [nothing]}
hosted_zones:
  - name: example.com
    private: true
    vpcs: [prod]
    records:
      - {name: many, type: A, values: [198.51.100.1, 198.51.100.2, 198.51.100.3, 198.51.100.4, 198.51.100.5, 198.51.100.6, 198.51.100.7, 198.51.100.8, 198.51.100.9, 198.51.100.10, 198.51.100.11, 198.51.100.12, 198.51.100.13, 198.51.100.14, 198.51.100.15, 198.51.100.16, 198.51.100.17, 198.51.100.18, 198.51.100.19, 198.51.100.20, 198.51.100.21, 198.51.100.22, 198.51.100.23, 198.51.100.24, 198.51.100.25, 198.51.100.26, 198.51.100.27, 198.51.100.28, 198.51.100.29, 198.51.100.30, 198.51.100.31, 198.51.100.32, 198.51.100.33, 198.51.100.34, 198.51.100.35, 198.51.100.36, 198.51.100.37, 198.51.100.38, 198.51.100.39, 198.51.100.40]}
      - {name: few, type: A, values: [198.51.100.1, 198.51.100.2]}
)";

model::Topology topology() {
    return inline_topology(kTopology);
}

// AWS: vpc-dns, RFC 7766 — 40 addresses (about 700 bytes) do not fit a 512-byte UDP answer: the
// resolver sets TC and the stub resolver asks again over TCP.
TEST(VpcServices, ATruncatedAnswerIsAskedAgainOverTcp) {
    const model::Topology t = topology();
    const model::Index app = t.instances[0].enis.front();
    sim::StubLookup many = sim::stub_lookup(t, app, "many.example.com");
    ASSERT_TRUE(many.response) << many.error;
    EXPECT_TRUE(many.over_tcp);
    EXPECT_FALSE(many.response->truncated);
    EXPECT_EQ(many.response->answers.size(), 40u);
    sim::StubLookup few = sim::stub_lookup(t, app, "few.example.com");
    ASSERT_TRUE(few.response) << few.error;
    EXPECT_FALSE(few.over_tcp) << "a small answer needs no TCP";
    EXPECT_EQ(few.response->answers.size(), 2u);

    TraceQuery q;
    q.from = "app";
    q.to = "many.example.com";
    q.protocol = "tcp";
    q.dport = 80;
    TraceResult r = run_trace(t, q);
    ASSERT_TRUE(r.report) << r.error;
    ASSERT_TRUE(r.report->dns);
    EXPECT_TRUE(r.report->dns->over_tcp);
    EXPECT_EQ(r.report->dns->address, "198.51.100.1");
    EXPECT_NE(render_text(*r.report, false).find("over TCP (the UDP answer was truncated)"),
              std::string::npos)
        << render_text(*r.report, false);
}

}  // namespace
}  // namespace scenario
