// The VPC resolver (stages/resolver.cpp): DNS over UDP to base + 2 and 169.254.169.253 answered
// in the data plane, whatever the security groups and ACLs say; split horizon between a private
// zone of the VPC and a public one; instances' DNS hostnames; NXDOMAIN for names in no zone; the
// resolver switched off by enable_dns_support; truncation; the link-local allowance.
#include <gtest/gtest.h>
#include <tins/tins.h>

#include "../engine_fixture.hpp"
#include "vpcstack/dns/message.hpp"
#include "vpcstack/engine/trace_format.hpp"

namespace vpcstack::engine::testing {
namespace {

class ResolverTest : public EngineTest {
  protected:
    void SetUp() override {
        EngineTest::SetUp();
        // A private zone of prod and a public zone of the same name: inside the VPC the private
        // one answers, also for a name only the public one has.
        model::HostedZone inside;
        inside.meta.name = "example.com";
        inside.is_private = true;
        inside.vpcs = {vpc};
        inside.zone.name = "example.com";
        inside.zone.is_private = true;
        inside.zone.id = "ZPRIVATE";
        inside.zone.record_sets.push_back(record("db.example.com", "10.0.2.10"));
        inside.zone.record_sets.push_back(record("shop.example.com", "10.0.1.10"));
        b.t.hosted_zones.push_back(inside);
        model::HostedZone outside;
        outside.meta.name = "example.com";
        outside.zone.name = "example.com";
        outside.zone.id = "ZPUBLIC";
        outside.zone.record_sets.push_back(record("shop.example.com", "203.0.113.10"));
        outside.zone.record_sets.push_back(record("www.example.com", "203.0.113.11"));
        b.t.hosted_zones.push_back(outside);
        model::HostedZone other;
        other.meta.name = "example.org";
        other.zone.name = "example.org";
        other.zone.id = "ZORG";
        dns::RecordSet big;
        big.name = "big.example.org";
        big.type = dns::RrType::TXT;
        for (int i = 0; i < 20; ++i) big.values.push_back("\"" + std::string(60, 'x') + "\"");
        other.zone.record_sets.push_back(big);
        other.zone.record_sets.push_back(record("www.example.org", "198.51.100.80"));
        b.t.hosted_zones.push_back(other);
    }

    static dns::RecordSet record(std::string name, std::string address) {
        dns::RecordSet rs;
        rs.name = std::move(name);
        rs.type = dns::RrType::A;
        rs.ttl = 300;
        rs.values = {std::move(address)};
        return rs;
    }

    // A query from `eni` (its address `src`) to `resolver`; the parsed answer, when one came.
    std::optional<dns::Response> ask(Index eni, const char* src, const char* resolver,
                                     const std::string& name, dns::RrType type = dns::RrType::A,
                                     std::uint16_t edns = 0, TimeNs now = 0) {
        const std::vector<std::uint8_t> query = dns::build_query(name, type, 4242, true, edns);
        Tins::UDP udp(53, 40053);
        auto frame = from_eni(eni, src, resolver, udp / Tins::RawPDU(query));
        std::vector<SentFrame> out = send(eni, frame, now);
        if (out.size() != 1) return std::nullopt;
        EXPECT_EQ(out[0].port, eni) << "the answer goes back to the asking interface";
        expect_checksums_valid(out[0].bytes);
        Tins::EthernetII eth = parse(out[0].bytes);
        const auto& ip4 = eth.rfind_pdu<Tins::IP>();
        EXPECT_EQ(ip4.src_addr().to_string(), resolver);
        EXPECT_EQ(ip4.dst_addr().to_string(), src);
        const auto& reply = eth.rfind_pdu<Tins::UDP>();
        EXPECT_EQ(reply.sport(), 53);
        EXPECT_EQ(reply.dport(), 40053);
        const auto& raw = eth.rfind_pdu<Tins::RawPDU>();
        return dns::parse_response(raw.payload());
    }

    static std::vector<std::string> addresses(const dns::Response& r) {
        std::vector<std::string> out;
        for (const auto& a : r.answers) out.push_back(a.data);
        return out;
    }
};

TEST_F(ResolverTest, APrivateZoneOfTheVpcAnswersBeforeThePublicOneOfTheSameName) {
    start(traced());
    auto shop = ask(web, "10.0.1.10", "10.0.0.2", "shop.example.com");
    ASSERT_TRUE(shop);
    EXPECT_EQ(shop->id, 4242);
    EXPECT_EQ(shop->rcode, dns::Rcode::NoError);
    EXPECT_EQ(addresses(*shop), std::vector<std::string>{"10.0.1.10"});
    // AWS: hosted-zone-private-considerations — the private zone answers for its whole name
    // space: www exists only publicly, and inside the VPC it does not.
    auto www = ask(web, "10.0.1.10", "10.0.0.2", "www.example.com");
    ASSERT_TRUE(www);
    EXPECT_EQ(www->rcode, dns::Rcode::NxDomain);
    ASSERT_FALSE(www->authority.empty()) << "a negative answer carries the zone's SOA";
    EXPECT_EQ(www->authority[0].type, dns::RrType::SOA);
    // A name in no zone of the view: the lab's internet knows nothing else.
    auto nowhere = ask(web, "10.0.1.10", "10.0.0.2", "nothing.invalid");
    ASSERT_TRUE(nowhere);
    EXPECT_EQ(nowhere->rcode, dns::Rcode::NxDomain);
    // The trace names the resolver and says what it answered, from which zone.
    ASSERT_FALSE(traces.empty());
    const PacketTrace& t = traces.front();
    EXPECT_EQ(t.fate, Fate::Replied);
    const TraceStep& step = t.steps.back();
    ASSERT_TRUE(step.dns);
    EXPECT_EQ(step.dns->name, "shop.example.com");
    const StepText text = words(step);
    EXPECT_EQ(text.component, "resolver/prod");
    EXPECT_NE(text.detail.find("A shop.example.com? NOERROR: A 10.0.1.10"), std::string::npos)
        << text.detail;
    EXPECT_NE(text.detail.find("private zone example.com"), std::string::npos) << text.detail;
}

// AWS: resource-record-sets-values-alias (Evaluate target health) — the resolver's failover
// follows the load balancer's health as the lab sets it (Engine::set_load_balancer_health).
TEST_F(ResolverTest, AFailoverAliasToAnUnhealthyLoadBalancerAnswersTheSecondary) {
    model::LoadBalancer lb;
    lb.meta.name = "inner-nlb";
    lb.type = model::LoadBalancerType::Network;
    lb.scheme = model::LoadBalancerScheme::Internal;
    lb.vpc = vpc;
    model::LoadBalancerNode node;
    node.subnet = pub;
    node.private_ip = net::Ipv4Address(10, 0, 1, 100);
    lb.nodes.push_back(node);
    b.t.load_balancers.push_back(lb);
    model::HostedZone& org = b.t.hosted_zones.back();
    dns::RecordSet primary;
    primary.name = "svc.example.org";
    primary.ttl = 60;
    primary.set_identifier = "lb";
    primary.policy = dns::RoutingPolicy::failover_as(dns::FailoverRole::Primary);
    primary.alias = dns::AliasTarget{"inner-nlb", true};
    dns::RecordSet secondary = record("svc.example.org", "198.51.100.99");
    secondary.set_identifier = "static";
    secondary.policy = dns::RoutingPolicy::failover_as(dns::FailoverRole::Secondary);
    org.zone.record_sets.push_back(primary);
    org.zone.record_sets.push_back(secondary);
    start();
    auto healthy = ask(web, "10.0.1.10", "10.0.0.2", "svc.example.org");
    ASSERT_TRUE(healthy);
    EXPECT_EQ(addresses(*healthy), std::vector<std::string>{"10.0.1.100"})
        << "a load balancer never set is healthy: its node's address";
    engine->set_load_balancer_health("inner-nlb", false);
    auto down = ask(web, "10.0.1.10", "10.0.0.2", "svc.example.org");
    ASSERT_TRUE(down);
    EXPECT_EQ(addresses(*down), std::vector<std::string>{"198.51.100.99"});
    engine->set_load_balancer_health("inner-nlb", true);
    auto back = ask(web, "10.0.1.10", "10.0.0.2", "svc.example.org");
    ASSERT_TRUE(back);
    EXPECT_EQ(addresses(*back), std::vector<std::string>{"10.0.1.100"});
}

TEST_F(ResolverTest, EveryResolverAddressAnswersAndNoSecurityGroupOrAclStandsInTheWay) {
    // app's group allows no DNS and the private subnet's ACL denies everything: AWS: vpc-dns —
    // neither filters traffic to the resolver.
    b.t.security_groups[app_sg].egress.clear();
    const Index deny_all = b.acl(vpc, "deny-all");
    b.associate_acl(priv, deny_all);
    start();
    for (const char* resolver : {"10.0.0.2", "10.0.2.2", "169.254.169.253"}) {
        auto db = ask(app, "10.0.2.10", resolver, "db.example.com");
        ASSERT_TRUE(db) << resolver;
        EXPECT_EQ(addresses(*db), std::vector<std::string>{"10.0.2.10"}) << resolver;
    }
}

TEST_F(ResolverTest, InstancesHaveTheirPrivateDnsHostnames) {
    b.t.region = "us-east-1";
    start();
    auto name = ask(app, "10.0.2.10", "10.0.0.2", "ip-10-0-2-10.ec2.internal");
    ASSERT_TRUE(name);
    EXPECT_EQ(addresses(*name), std::vector<std::string>{"10.0.2.10"});
    // Public hostnames only with enable_dns_hostnames (off here, as for a VPC made by the API).
    auto pub = ask(app, "10.0.2.10", "10.0.0.2", "ec2-203-0-113-10.compute-1.amazonaws.com");
    ASSERT_TRUE(pub);
    EXPECT_EQ(pub->rcode, dns::Rcode::NxDomain);
}

TEST_F(ResolverTest, WithDnsHostnamesAPublicHostnameResolvesToThePrivateAddressInside) {
    b.t.region = "eu-west-1";
    b.t.vpcs[vpc].enable_dns_hostnames = true;
    start();
    auto pub =
        ask(app, "10.0.2.10", "10.0.0.2", "ec2-203-0-113-10.eu-west-1.compute.amazonaws.com");
    ASSERT_TRUE(pub);
    EXPECT_EQ(addresses(*pub), std::vector<std::string>{"10.0.1.10"});
    auto own = ask(app, "10.0.2.10", "10.0.0.2", "ip-10-0-1-10.eu-west-1.compute.internal");
    ASSERT_TRUE(own);
    EXPECT_EQ(addresses(*own), std::vector<std::string>{"10.0.1.10"});
}

TEST_F(ResolverTest, ALargeAnswerIsTruncatedOverUdpUnlessEdnsMakesRoom) {
    start();
    auto classic = ask(web, "10.0.1.10", "10.0.0.2", "big.example.org", dns::RrType::TXT);
    ASSERT_TRUE(classic);
    EXPECT_TRUE(classic->truncated) << "1200 bytes of TXT do not fit 512";
    EXPECT_TRUE(classic->answers.empty());
    auto edns = ask(web, "10.0.1.10", "10.0.0.2", "big.example.org", dns::RrType::TXT, 4096);
    ASSERT_TRUE(edns);
    EXPECT_FALSE(edns->truncated);
    EXPECT_EQ(edns->answers.size(), 20u);
}

TEST_F(ResolverTest, AVpcWithoutDnsSupportAnswersNothing) {
    b.t.vpcs[vpc].enable_dns_support = false;
    start();
    EXPECT_FALSE(ask(web, "10.0.1.10", "10.0.0.2", "shop.example.com"));
    EXPECT_EQ(drops(DropReason::ResolverDisabled), 1u);
}

TEST_F(ResolverTest, MoreThan1024PacketsASecondFromOneInterfaceAreDropped) {
    start();
    int answered = 0;
    for (int i = 0; i < 1100; ++i) {
        if (ask(web, "10.0.1.10", "10.0.0.2", "www.example.org", dns::RrType::A, 0, kSec / 2)) {
            ++answered;
        }
    }
    EXPECT_EQ(answered, 1024);
    EXPECT_EQ(drops(DropReason::LinkLocalAllowance), 76u);
    EXPECT_EQ(engine->snapshot().enis[web].linklocal_allowance_exceeded, 76u);
    // Another interface has its own allowance, and the next second starts afresh.
    EXPECT_TRUE(ask(web2, "10.0.1.11", "10.0.0.2", "www.example.org", dns::RrType::A, 0, kSec / 2));
    EXPECT_TRUE(
        ask(web, "10.0.1.10", "10.0.0.2", "www.example.org", dns::RrType::A, 0, kSec + kSec / 2));
}

TEST_F(ResolverTest, GarbageIsANamedDrop) {
    start();
    Tins::UDP udp(53, 40053);
    std::vector<std::uint8_t> junk(7, 0xff);
    EXPECT_TRUE(
        send(web, from_eni(web, "10.0.1.10", "10.0.0.2", udp / Tins::RawPDU(junk))).empty());
    EXPECT_EQ(drops(DropReason::MalformedDnsQuery), 1u);
}

}  // namespace
}  // namespace vpcstack::engine::testing
