// SEMANTICS section 7 and the NAT gateway: connection tracking pairs ICMP queries with their
// replies by type, and a NAT gateway opens translations only for packets that may open a flow.
#include "scenario.hpp"

#include "vpcstack/engine/trace_format.hpp"
#include "vpcstack/net/icmp.hpp"

using namespace scenario;

namespace {

// The NAT gateway's port (ICMP: query id) of the latest translation it made.
std::optional<std::uint16_t> latest_nat_port(const Simulation& sim) {
    std::optional<std::uint16_t> port;
    for (const engine::PacketTrace& t : sim.traces()) {
        for (const engine::TraceStep& s : t.steps) {
            if (s.kind == engine::ComponentKind::NatGateway && s.translation &&
                s.translation->field == engine::Translation::Field::Source) {
                port = s.translation->after.port;
            }
        }
    }
    return port;
}

}  // namespace

// AWS: security-group-connection-tracking — ICMP is tracked, and an echo reply (type 0) with the
// id of a tracked echo request (type 8) is its reply; an echo request coming the other way is a
// new flow that needs a rule.
TEST(ConnectionTracking, AnEchoRequestComingBackIsANewFlowNotTheReplyOfOne) {
    // web pings its own public IP: the request leaves through the internet gateway and comes
    // back, from 203.0.113.10, as an echo request with web's own id. web-sg allows ICMP only from
    // 10.0.0.0/16, so that returning request is refused.
    Simulation sim(example("two-tier-nat.yaml"));
    FlowId own_public = sim.ping("web", "203.0.113.10");
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(own_public).outcome, Outcome::TimedOut);
    EXPECT_EQ(where_dropped(sim, DropReason::SecurityGroupNoMatch), "sg/web-sg")
        << "the request that came back is not the reply of web's own request";
}

TEST(ConnectionTracking, TheEchoReplyOfATrackedRequestIsEstablished) {
    Simulation sim(example("two-tier-nat.yaml"));
    FlowId ping = sim.ping("web", "app");
    sim.run_until_idle();
    EXPECT_EQ(sim.flow(ping).outcome, Outcome::Replied);
    bool reply_established = false;
    for (const engine::PacketTrace& t : sim.traces()) {
        if (t.packet.icmp_type != net::icmp::kEchoReply) continue;
        for (const engine::TraceStep& s : t.steps) {
            if (s.conn == engine::ConnState::EstablishedReply) reply_established = true;
        }
    }
    EXPECT_TRUE(reply_established) << "the echo reply passes web-sg as the reply of the request";
}

// AWS: vpc-nat-gateway — a NAT gateway translates traffic initiated from inside. An ICMP echo
// reply that matches no translation opens none: it is dropped, not translated.
TEST(NatGateway, AnEchoReplyWithNoTranslationIsDroppedNotTranslated) {
    Simulation sim(example("two-tier-nat.yaml"));
    sim.send_packet(
        "app", {.tuple = {*net::Ipv4Address::parse("10.0.2.10"),
                          *net::Ipv4Address::parse("198.51.100.7"), 4242, 0, net::Protocol::kIcmp},
                .icmp_type = net::icmp::kEchoReply});
    sim.run_until_idle();
    EXPECT_EQ(where_dropped(sim, DropReason::NatNoTranslation), "nat/nat-a");
    EXPECT_EQ(sim.engine().nat_translations(0), 0u) << "no translation was made for it";
}

// AWS: vpc-nat-gateway — nothing from outside opens a connection through a NAT gateway: an echo
// request to its address, even with the id of a translated ping, is not that ping's reply.
TEST(NatGateway, AnEchoRequestFromOutsideIsNotTheReplyOfATranslatedPing) {
    Simulation sim(example("two-tier-nat.yaml"));
    FlowId ping = sim.ping("app", "client");
    sim.run_until_idle();
    ASSERT_EQ(sim.flow(ping).outcome, Outcome::Replied) << "app reaches the internet";
    auto id = latest_nat_port(sim);
    ASSERT_TRUE(id.has_value());
    sim.clear_traces();
    auto requests_seen_by_app = [&] {
        std::size_t n = 0;
        for (const DecodedFrame& f : packets_received(sim.host("app"))) {
            if (f.icmp && f.icmp->type == net::icmp::kEchoRequest) ++n;
        }
        return n;
    };
    const std::size_t before = requests_seen_by_app();
    sim.send_packet("client", {.tuple = {*net::Ipv4Address::parse("198.51.100.7"),
                                         *net::Ipv4Address::parse("203.0.113.20"), *id, 0,
                                         net::Protocol::kIcmp},
                               .icmp_type = net::icmp::kEchoRequest});
    sim.run_until_idle();
    EXPECT_EQ(where_dropped(sim, DropReason::NatNoTranslation), "nat/nat-a");
    EXPECT_EQ(requests_seen_by_app(), before) << "app never sees the outside request";
}

namespace {

model::Index eni_of(const Simulation& sim, const std::string& instance) {
    for (const model::Instance& i : sim.topology().instances) {
        if (i.meta.name == instance) return i.enis.front();
    }
    throw std::runtime_error("no instance " + instance);
}

std::string two_clients(const std::string& tracking) {
    return R"(
region: us-east-1
vpcs:
  - name: v
    cidr: 10.0.0.0/16
    subnets:
      - {name: a, cidr: 10.0.1.0/24}
    security_groups:
      - {name: server-sg, ingress: ["tcp/80 from 10.0.0.0/16"]}
      - {name: client-sg, ingress: ["icmp from 10.0.0.0/16"]}
    instances:
      - {name: server, subnet: a, private_ip: 10.0.1.10, security_groups: [server-sg],
         listen: [tcp/80]}
      - {name: short, subnet: a, private_ip: 10.0.1.20, security_groups: [client-sg],
         connection_tracking: )" +
           tracking + R"(}
      - {name: default, subnet: a, private_ip: 10.0.1.30, security_groups: [client-sg]}
)";
}

}  // namespace

// AWS: security-group-connection-tracking — idle timeouts are set per network interface
// (ConnectionTrackingConfiguration: TCP established 60-432,000 s).
TEST(ConnectionTracking, AnInterfaceKeepsItsOwnTcpEstablishedTimeout) {
    Simulation sim(inline_topology(two_clients("{tcp_established_timeout: 60}")));
    FlowId a = sim.connect("short", "server", 80);
    FlowId b = sim.connect("default", "server", 80);
    sim.run_until_idle();
    ASSERT_EQ(sim.flow(a).outcome, Outcome::Connected);
    ASSERT_EQ(sim.flow(b).outcome, Outcome::Connected);
    sim.run_for(61 * kSecond);
    sim.engine().expire(sim.now());
    EXPECT_EQ(sim.engine().tracked_connections(eni_of(sim, "short")), 0u)
        << "60 s idle: its own timeout";
    EXPECT_EQ(sim.engine().tracked_connections(eni_of(sim, "default")), 1u)
        << "the cloud's default keeps an idle connection 5 days";
}

TEST(ConnectionTracking, AnUnansweredSynIsNotKeptAsLongAsAnEstablishedConnection) {
    Simulation sim(inline_topology(two_clients("{udp_timeout: 30}")));
    FlowId open = sim.connect("default", "server", 80);
    FlowId unanswered = sim.connect("default", "server", 22);  // server-sg drops it
    sim.run_until_idle();
    ASSERT_EQ(sim.flow(open).outcome, Outcome::Connected);
    ASSERT_EQ(sim.flow(unanswered).outcome, Outcome::TimedOut);
    EXPECT_EQ(sim.engine().tracked_connections(eni_of(sim, "default")), 2u);
    sim.run_for(121 * kSecond);
    sim.engine().expire(sim.now());
    EXPECT_EQ(sim.engine().tracked_connections(eni_of(sim, "default")), 1u)
        << "the half-open connection expired, the established one stays";
}

TEST(ConnectionTracking, TimeoutsOutsideTheCloudsRangesAreInputErrors) {
    auto r = model::load_topology_text(two_clients("{tcp_established_timeout: 30}"), "t.yaml");
    ASSERT_FALSE(r.ok());
    EXPECT_NE(r.diagnostics.sorted().front().to_string().find(
                  "'tcp_established_timeout' is 30; expected 60 to 432000 seconds"),
              std::string::npos)
        << r.diagnostics.sorted().front().to_string();
}
