// The internet the simulation models: named hosts answer what their listen list says (ICMP
// included), the account's unassigned addresses and silent addresses answer nothing, the cloud's
// service ranges serve HTTPS and HTTP, and any other address is an assumption the verdict names.
#include "scenario.hpp"

#include "vpcstack/sim/trace_report.hpp"

using namespace scenario;

namespace {

std::string web_and_internet(const std::string& extra) {
    return R"(
region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    internet_gateway: igw
    subnets:
      - {name: pub, cidr: 10.0.1.0/24, route_table: rt}
    route_tables:
      - {name: rt, routes: ["0.0.0.0/0 -> igw"]}
    instances:
      - {name: web, subnet: pub, private_ip: 10.0.1.10, public_ip: 203.0.113.10}
elastic_ips:
  - {name: spare, address: 203.0.113.99}
prefix_lists:
  - {name: com.amazonaws.us-east-1.s3, cidrs: [192.0.2.128/25]}
internet_hosts:
  - {name: quiet, address: 198.51.100.7, listen: [tcp/443]}
  - {name: pingable, address: 198.51.100.8, listen: [tcp/443, icmp]}
)" + extra;
}

}  // namespace

TEST(Internet, ANamedHostAnswersPingOnlyWhenItsListenListSaysIcmp) {
    Simulation sim(inline_topology(web_and_internet("")));
    FlowId quiet = sim.ping("web", "quiet");
    FlowId pingable = sim.ping("web", "pingable");
    FlowId https = sim.connect("web", "quiet", 443);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(quiet).outcome, Outcome::TimedOut) << "no icmp in its listen list";
    EXPECT_EQ(sim.flow(pingable).outcome, Outcome::Replied);
    EXPECT_EQ(sim.flow(https).outcome, Outcome::Connected);
}

TEST(Internet, AnElasticIpOfTheAccountThatIsNotAssociatedAnswersNothing) {
    Simulation sim(inline_topology(web_and_internet("")));
    FlowId f = sim.connect("web", "203.0.113.99", 443);
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(f).outcome, Outcome::TimedOut);
    EXPECT_TRUE(some_packet_dropped_for(sim, DropReason::NoMapping))
        << "the internet gateway has nothing behind that address";
}

TEST(Internet, TheRangeOfACloudServiceServesHttpsAndHttpAndNothingElse) {
    Simulation sim(inline_topology(web_and_internet("")));
    FlowId https = sim.connect("web", "192.0.2.200", 443);
    FlowId ssh = sim.connect("web", "192.0.2.200", 22);
    FlowId ping = sim.ping("web", "192.0.2.200");
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(https).outcome, Outcome::Connected);
    EXPECT_EQ(sim.flow(ssh).outcome, Outcome::Refused);
    EXPECT_EQ(sim.flow(ping).outcome, Outcome::Replied);
}

TEST(Internet, AnyOtherAddressIsAnAssumptionTheVerdictNames) {
    TraceResult r =
        run_trace(inline_topology(web_and_internet("")), {"web", "8.8.8.8", "", -1, -1});
    ASSERT_TRUE(r.report) << r.error;
    EXPECT_TRUE(r.report->reachable);
    EXPECT_EQ(r.report->verdict,
              "reachable: left the VPC through igw/igw; the far end is assumed to answer");
}

TEST(Internet, OtherAddressesCanBeSilent) {
    model::Topology t = inline_topology(web_and_internet("internet:\n  others: silent\n"));
    EXPECT_FALSE(t.internet_others_answer);
    TraceResult r = run_trace(t, {"web", "8.8.8.8", "tcp", 443, -1});
    ASSERT_TRUE(r.report) << r.error;
    EXPECT_FALSE(r.report->reachable);
    EXPECT_EQ(r.report->outcome, "timed-out");
    EXPECT_NE(r.report->verdict.find("nothing answers at 8.8.8.8"), std::string::npos)
        << r.report->verdict;
    // A named host is unaffected.
    TraceResult named = run_trace(t, {"web", "quiet", "tcp", 443, -1});
    ASSERT_TRUE(named.report);
    EXPECT_TRUE(named.report->reachable);
}

TEST(Internet, TheInternetSettingIsValidated) {
    auto r = model::load_topology_text(web_and_internet("internet:\n  others: maybe\n"), "t.yaml");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(
        r.diagnostics.sorted().front().to_string().find("'others' is 'maybe'; expected answer"),
        std::string::npos)
        << r.diagnostics.sorted().front().to_string();
}

// The account's addresses that are assigned to nothing now (released, or of a deleted NAT
// gateway, as the importer records them) answer nothing.
TEST(Internet, AnAddressOfTheAccountAssignedToNothingAnswersNothing) {
    model::Topology t =
        inline_topology(web_and_internet("internet:\n  unassigned: [203.0.113.77]\n"));
    TraceResult r = run_trace(t, {"web", "203.0.113.77", "tcp", 443, -1});
    ASSERT_TRUE(r.report) << r.error;
    EXPECT_FALSE(r.report->reachable);
    EXPECT_EQ(r.report->outcome, "timed-out");
    EXPECT_EQ(r.report->verdict.find("assumed"), std::string::npos) << r.report->verdict;
    TraceResult elsewhere = run_trace(t, {"web", "203.0.113.78", "tcp", 443, -1});
    ASSERT_TRUE(elsewhere.report);
    EXPECT_TRUE(elsewhere.report->reachable) << "a generic internet address still answers";
}
