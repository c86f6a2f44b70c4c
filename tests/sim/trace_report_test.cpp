#include "vpcstack/sim/trace_report.hpp"

#include <gtest/gtest.h>

#include "vpcstack/engine/trace_format.hpp"

#include "vpcstack/model/loader.hpp"

using namespace vpcstack;
using namespace vpcstack::sim;

namespace {

model::Topology example(const std::string& name) {
    auto r = model::load_topology_file(std::string(VPCSTACK_SOURCE_DIR) + "/topologies/" + name);
    if (!r.ok()) throw std::runtime_error(name + " does not load");
    return *r.topology;
}

// A step of the path, in the words the report prints, names this component and action.
bool has_step(const TraceReport& report, const TracePath& path, const std::string& component,
              const std::string& action) {
    for (const ReportStep& s : path.steps) {
        if (s.engine) {
            engine::StepText t = engine::describe(*s.engine, *report.components);
            if (t.component == component && t.action == action) return true;
        } else if ("host/" + s.host->host == component &&
                   std::string(to_string(s.host->action)) == action) {
            return true;
        }
    }
    return false;
}

}  // namespace

TEST(TraceReport, AReachableFlowShowsBothDirectionsAndEveryTranslation) {
    TraceResult r = run_trace(example("two-tier-nat.yaml"), {"app", "8.8.8.8", "tcp", 443, -1});
    ASSERT_TRUE(r.report) << r.error;
    EXPECT_TRUE(r.report->reachable);
    EXPECT_EQ(r.report->verdict,
              "reachable: left the VPC through igw/prod-igw; the far end is assumed to answer")
        << "8.8.8.8 is no host of the topology: that it answers is an assumption";
    EXPECT_TRUE(has_step(*r.report, r.report->forward, "nat/nat-a", "translate"));
    EXPECT_TRUE(has_step(*r.report, r.report->forward, "igw/prod-igw", "translate"));
    ASSERT_TRUE(r.report->ret);
    EXPECT_TRUE(has_step(*r.report, *r.report->ret, "nat/nat-a", "translate"));
    EXPECT_TRUE(has_step(*r.report, *r.report->ret, "host/app", "answer"))
        << "app completes the handshake";
}

TEST(TraceReport, ARequestDroppedOnTheWayNamesTheComponentAndTheFix) {
    TraceResult r = run_trace(example("two-tier-nat.yaml"), {"web", "app", "tcp", 22, -1});
    ASSERT_TRUE(r.report);
    EXPECT_FALSE(r.report->reachable);
    EXPECT_FALSE(r.report->ret) << "no answer path when the request never arrived";
    EXPECT_EQ(r.report->verdict, "unreachable: dropped at sg/app-sg (SecurityGroupNoMatch)");
    EXPECT_EQ(r.report->hint,
              "security group 'app-sg' has no inbound rule allowing tcp/22 from 10.0.1.10");
}

TEST(TraceReport, ARouteThatIsMissingIsNamed) {
    TraceResult r = run_trace(example("peered-vpcs.yaml"), {"app-server", "8.8.8.8", "", -1, -1});
    ASSERT_TRUE(r.report);
    EXPECT_EQ(r.report->verdict, "unreachable: dropped at rt/app/app-main (NoRoute)");
    EXPECT_EQ(r.report->hint, "route table 'app/app-main' has no route to 8.8.8.8");
}

TEST(TraceReport, AMiddleboxJoinsBothLegsIntoOnePath) {
    TraceResult r = run_trace(example("middlebox.yaml"), {"client", "server", "tcp", 443, -1});
    ASSERT_TRUE(r.report);
    EXPECT_TRUE(r.report->reachable) << r.report->verdict;
    EXPECT_TRUE(has_step(*r.report, r.report->forward, "host/firewall", "forward"));
    EXPECT_TRUE(has_step(*r.report, r.report->forward, "host/server", "answer"));
}

TEST(TraceReport, UsageErrorsAreReportedNotTraced) {
    model::Topology t = example("two-tier-nat.yaml");
    EXPECT_EQ(run_trace(t, {"web", "app", "icmp", 80, -1}).error,
              "--dport and --sport apply to tcp and udp only, not icmp");
    EXPECT_EQ(run_trace(t, {"web", "app", "tcpp", 80, -1}).error,
              "--proto 'tcpp': expected tcp, udp, icmp or a protocol number 0-255");
    EXPECT_EQ(run_trace(t, {"10.0.1.99", "web", "", -1, -1}).error,
              "--from: 10.0.1.99 is held by no interface, so nothing can send from it");
}

// SEMANTICS 0: an instance talking to itself is answered by its own stack, in one step.
TEST(TraceReport, AnInstanceTalkingToItselfIsDeliveredByItsOwnStack) {
    model::Topology t = example("two-tier-nat.yaml");
    TraceResult r = run_trace(t, {"web", "web", "tcp", 80, -1});
    ASSERT_TRUE(r.report) << r.error;
    EXPECT_TRUE(r.report->reachable);
    EXPECT_EQ(r.report->outcome, "connected");
    ASSERT_EQ(r.report->forward.steps.size(), 1u) << "no VPC component is involved";
    ASSERT_TRUE(r.report->forward.steps[0].host);
    EXPECT_EQ(r.report->forward.steps[0].host->action, HostAction::Local);
    EXPECT_FALSE(r.report->ret.has_value());
}

TEST(TraceReport, ColourIsUsedOnlyWhenAsked) {
    TraceResult r = run_trace(example("two-tier-nat.yaml"), {"web", "app", "", -1, -1});
    ASSERT_TRUE(r.report);
    EXPECT_EQ(render_text(*r.report, false).find('\x1b'), std::string::npos);
    EXPECT_NE(render_text(*r.report, true).find("\x1b[1;32mreachable"), std::string::npos);
}
