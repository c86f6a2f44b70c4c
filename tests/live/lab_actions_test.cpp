// The lab's actions without a running lab: their errors as values, and `lab trace`'s reading of
// engine traces, fed with traces of the simulation (sent through the control socket's JSON
// form, as a lab's engine sends them). The live tests in lab_test.cpp run them for real.
#include "vpcstack/live/lab_actions.hpp"

#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>
#include <vector>

#include "vpcstack/live/control.hpp"
#include "vpcstack/model/loader.hpp"
#include "vpcstack/sim/simulation.hpp"

namespace vpcstack::live {
namespace {

const std::string kTopologies = VPCSTACK_SOURCE_DIR "/topologies/";

model::Topology example(const std::string& name) {
    auto loaded = model::load_topology_file(kTopologies + name);
    EXPECT_TRUE(loaded.ok()) << name << " does not load";
    return loaded.ok() ? *loaded.topology : model::Topology{};
}

// A lab name that no lab on this machine has.
std::string absent_lab() {
    return "t" + std::to_string(::getpid() % 100000) + "-absent";
}

// The traces of what `traffic` sends in a simulation of the topology, as a lab's engine would
// hand them to `lab trace`: IP packets only, through their JSON form.
template <typename Traffic>
std::vector<engine::PacketTrace> traces_of(const model::Topology& topology, Traffic traffic) {
    sim::Simulation sim(topology);
    traffic(sim);
    sim.run_until_idle(60 * sim::kSecond);
    std::vector<engine::PacketTrace> out;
    for (const auto& trace : sim.traces()) {
        if (trace.packet.kind != engine::PacketFacts::Kind::Arp) {
            out.push_back(trace_from_json(trace_to_json(trace)));
        }
    }
    return out;
}

LabTraceOptions flow(std::string from, std::string to, std::string protocol = "", int dport = -1) {
    return {"demo", std::move(from), std::move(to), std::move(protocol), dport, -1};
}

TEST(LabTrace, ARequestDroppedOnTheWayIsJudgedAsVpcctlTraceJudgesIt) {
    auto topology = example("two-tier-nat.yaml");
    auto traces = traces_of(topology, [](sim::Simulation& s) { s.connect("client", "web", 22); });
    LabTraceResult r = trace_exchange(topology, flow("client", "web", "tcp", 22), traces);
    ASSERT_FALSE(r.error) << r.error->message;
    ASSERT_TRUE(r.report);
    EXPECT_EQ(r.outcome, Outcome::Negative);
    EXPECT_FALSE(r.report->reachable);
    EXPECT_EQ(r.report->verdict, "unreachable: dropped at sg/web-sg (SecurityGroupNoMatch)");
    EXPECT_EQ(r.report->hint,
              "security group 'web-sg' has no inbound rule allowing tcp/22 from 198.51.100.7")
        << "the hint of `vpcctl trace`, for the packet the lab saw";
    EXPECT_FALSE(r.report->ret) << "nothing came back";
    EXPECT_EQ(r.report->outcome, "no reply");
    EXPECT_EQ(r.report->from.kind, "internet");
    EXPECT_EQ(r.report->from.label, "client (198.51.100.7)");
    EXPECT_EQ(r.report->to.label, "web (10.0.1.10)");
    EXPECT_EQ(r.report->protocol, "tcp");
    EXPECT_EQ(r.report->dport, 22);
}

TEST(LabTrace, TheReplyOfANattedFlowCountsAsTheInstancesOwn) {
    auto topology = example("two-tier-nat.yaml");
    auto traces = traces_of(topology, [](sim::Simulation& s) { s.ping("app", "client"); });
    LabTraceResult r = trace_exchange(topology, flow("app", "client"), traces);
    ASSERT_TRUE(r.report);
    EXPECT_EQ(r.outcome, Outcome::Ok);
    EXPECT_EQ(r.report->verdict, "reachable");
    ASSERT_TRUE(r.report->ret) << "the echo reply comes back to the NAT gateway's Elastic IP";
    EXPECT_EQ(r.report->ret->fate, engine::Fate::Delivered);
    EXPECT_EQ(r.report->outcome, "replied");
}

TEST(LabTrace, AReplyDroppedOnTheWayBackSaysSoAndNamesTheFix) {
    auto topology = example("acl-forgets-ephemeral.yaml");
    auto traces = traces_of(topology, [](sim::Simulation& s) { s.connect("client", "web", 80); });
    LabTraceResult r = trace_exchange(topology, flow("client", "web", "tcp", 80), traces);
    ASSERT_TRUE(r.report);
    EXPECT_EQ(r.outcome, Outcome::Negative);
    EXPECT_EQ(r.report->verdict,
              "unreachable: dropped at acl/web-acl (AclDenied) on the return path");
    EXPECT_NE(r.report->hint.find("ACL 'web-acl' outbound has no rule allowing tcp 32768-60999"),
              std::string::npos)
        << r.report->hint;
}

TEST(LabTrace, WithoutARequestThereIsNoReportButAnAddressToSendTo) {
    auto topology = example("two-tier-nat.yaml");
    auto traces = traces_of(topology, [](sim::Simulation& s) { s.ping("web", "app"); });
    LabTraceResult none = trace_exchange(topology, flow("app", "client"), {});
    EXPECT_EQ(none.outcome, Outcome::Negative);
    EXPECT_FALSE(none.report);
    EXPECT_FALSE(none.only_other_way);
    EXPECT_EQ(none.to_address, "198.51.100.7");

    // Only web's request and app's reply were seen; app's reply is a packet from app to web.
    LabTraceResult reverse = trace_exchange(topology, flow("client", "web"), traces);
    EXPECT_FALSE(reverse.report);
    EXPECT_TRUE(reverse.only_other_way);
}

TEST(LabTrace, EndpointsAreNamedAsVpcctlTraceNamesThem) {
    auto topology = example("two-tier-nat.yaml");
    LabTraceResult unknown = trace_exchange(topology, flow("nobody", "web"), {});
    EXPECT_EQ(unknown.outcome, Outcome::Error);
    ASSERT_TRUE(unknown.error);
    EXPECT_EQ(unknown.error->message.rfind("--from: unknown endpoint 'nobody'", 0), 0u)
        << unknown.error->message;
    LabTraceResult bad_to = trace_exchange(topology, flow("web", ""), {});
    ASSERT_TRUE(bad_to.error);
    EXPECT_EQ(bad_to.error->message.rfind("--to: ", 0), 0u) << bad_to.error->message;
    LabTraceResult bad_proto = trace_exchange(topology, flow("web", "app", "bogus"), {});
    ASSERT_TRUE(bad_proto.error);
    EXPECT_EQ(bad_proto.error->message,
              "--proto bogus: expected tcp, udp, icmp or a protocol number");
}

TEST(LabActions, ABadLabNameIsAnErrorBeforeAnythingElse) {
    const std::string expected = "'Bad': a lab name uses only lowercase letters, digits and '-'";
    LabStatusResult status = lab_status({"Bad"});
    EXPECT_EQ(status.outcome, Outcome::Error);
    ASSERT_TRUE(status.error);
    EXPECT_EQ(status.error->message, expected);
    LabDownResult down = lab_down({"Bad"});
    ASSERT_TRUE(down.error);
    EXPECT_EQ(down.error->message, expected) << "the name is checked before the privileges";
    LabExecResult exec = lab_exec({"Bad", "web", {"true"}});
    ASSERT_TRUE(exec.error);
    EXPECT_EQ(exec.error->message, expected);
    EXPECT_FALSE(exec.command_not_run);
    LabTraceOptions options = flow("web", "app");
    options.name = "Bad";
    LabTraceResult trace = lab_trace(options);
    ASSERT_TRUE(trace.error);
    EXPECT_EQ(trace.error->message, expected);
}

TEST(LabActions, ALabThatWasNeverUpHasNoStatusAndNoTraces) {
    const std::string lab = absent_lab();
    LabStatusResult status = lab_status({lab});
    EXPECT_EQ(status.outcome, Outcome::Error);
    ASSERT_TRUE(status.error);
    EXPECT_EQ(status.error->message.rfind("no lab '" + lab + "' (", 0), 0u)
        << status.error->message;
    LabTraceOptions options = flow("web", "app");
    options.name = lab;
    LabTraceResult trace = lab_trace(options);
    ASSERT_TRUE(trace.error);
    EXPECT_EQ(trace.error->message, status.error->message);
}

TEST(LabActions, TheListNamesEveryLabOnce) {
    LabListResult list = lab_list();
    EXPECT_EQ(list.outcome, Outcome::Ok);
    std::set<std::string> names;
    for (const auto& entry : list.labs) {
        EXPECT_TRUE(names.insert(entry.lab).second) << entry.lab << " is listed twice";
        EXPECT_NE(entry.lab, absent_lab());
    }
}

LabUpOptions up_options(std::string topology, std::string name = "", std::string attach = "tap") {
    LabUpOptions options;
    options.topology = std::move(topology);
    options.name = std::move(name);
    options.attach = std::move(attach);
    return options;
}

TEST(LabUp, WithoutRootNothingIsTried) {
    if (::geteuid() == 0) {
        GTEST_SKIP() << "runs as root here";
    }
    LabUpResult up = lab_up(up_options(kTopologies + "two-tier-nat.yaml"));
    EXPECT_EQ(up.outcome, Outcome::Error);
    ASSERT_TRUE(up.error);
    EXPECT_EQ(up.error->message, "'lab up' needs root: it creates network namespaces and devices");
}

// These stop before anything is made, so they leave the machine as it was; they need root
// only because lab_up checks for it first.
TEST(LabUp, BadInputIsRefusedBeforeAnythingIsMade) {
    if (::geteuid() != 0) {
        GTEST_SKIP() << "lab up checks for root first";
    }
    LabUpResult missing = lab_up(up_options("/nonexistent.yaml", absent_lab()));
    ASSERT_TRUE(missing.error);
    EXPECT_EQ(missing.error->message, "/nonexistent.yaml: No such file or directory");

    const std::string bad = "/tmp/vpcstack-lab-actions-" + std::to_string(::getpid()) + ".yaml";
    {
        FILE* f = std::fopen(bad.c_str(), "w");
        ASSERT_NE(f, nullptr);
        std::fputs("region: us-east-1\nvpcs:\n  - name: x\n    cidr: 10.0.0.0/33\n", f);
        std::fclose(f);
    }
    LabUpResult broken = lab_up(up_options(bad, absent_lab()));
    ::unlink(bad.c_str());
    ASSERT_TRUE(broken.error);
    EXPECT_EQ(broken.error->message, bad + ": the topology does not load");
    EXPECT_FALSE(broken.error->diagnostics.empty()) << "the loader's diagnostics come along";

    LabUpResult bad_name = lab_up(up_options(kTopologies + "two-tier-nat.yaml", "Bad"));
    ASSERT_TRUE(bad_name.error);
    EXPECT_EQ(bad_name.error->message.rfind("'Bad': ", 0), 0u);

    LabUpResult bad_attach =
        lab_up(up_options(kTopologies + "two-tier-nat.yaml", absent_lab(), "wifi"));
    ASSERT_TRUE(bad_attach.error);
    EXPECT_EQ(bad_attach.error->message, "--attach wifi: expected tap or veth");
    EXPECT_EQ(bad_attach.leftovers_removed, 0u);
}

}  // namespace
}  // namespace vpcstack::live
