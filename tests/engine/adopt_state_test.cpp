// Engine::adopt_state: a new engine, built on the topology after a scale change (instances
// inserted or removed, so ENI indices shift), takes over the old engine's flows: tracked
// connections, NAT translations and load balancer flows, renumbered to the new ENIs.
// AWS: security-group-connection-tracking, vpc-nat-gateway, load-balancer-target-groups.
#include <gtest/gtest.h>
#include <tins/tins.h>

#include <algorithm>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "fixture.hpp"
#include "vpcstack/engine/engine.hpp"
#include "vpcstack/model/loader.hpp"

namespace vpcstack::engine::testing {
namespace {

constexpr std::uint16_t kSynAck = Tins::TCP::SYN | Tins::TCP::ACK;
constexpr TimeNs kSec = kNsPerSecond;

model::Topology load(const std::string& yaml) {
    model::LoadResult r = model::load_topology_text(yaml, "adopt.yaml");
    if (!r.ok()) throw std::runtime_error("the test topology does not load");
    return std::move(*r.topology);
}

// What identifies an ENI across a scale change: its instance and device, or its own name.
std::string identity(const model::Topology& t, Index e) {
    const model::Eni& eni = t.enis[e];
    if (eni.instance == kNone) return eni.meta.name;
    return t.instances[eni.instance].meta.name + "#" + std::to_string(eni.device_index);
}

// As the daemon does: the new topology's surviving ENIs keep their old MAC, the others get fresh
// ones; returns the map from the old ENIs to the new.
std::vector<Index> carry_identities(const model::Topology& old, model::Topology& now) {
    std::vector<Index> map(old.enis.size(), kNone);
    std::uint8_t fresh = 0;
    for (Index j = 0; j < now.enis.size(); ++j) {
        Index found = kNone;
        for (Index i = 0; i < old.enis.size(); ++i) {
            if (identity(old, i) == identity(now, j)) found = i;
        }
        if (found == kNone) {
            now.enis[j].mac = net::MacAddress({0x02, 0xbb, 0x00, 0x00, 0x00, ++fresh});
        } else {
            now.enis[j].mac = old.enis[found].mac;
            map[found] = j;
        }
    }
    return map;
}

Index eni_of(const model::Topology& t, const std::string& instance) {
    for (Index i = 0; i < t.enis.size(); ++i) {
        if (t.enis[i].instance != kNone && t.instances[t.enis[i].instance].meta.name == instance)
            return i;
    }
    return kNone;
}

std::uint64_t drops(const Engine& e, DropReason r) {
    return e.snapshot().drops[static_cast<std::size_t>(r)];
}

std::vector<SentFrame> send(Engine& e, RecordingSink& sink, PortId port,
                            const std::vector<std::uint8_t>& frame, TimeNs now = 0) {
    sink.frames.clear();
    e.receive(port, frame, now);
    return sink.frames;
}

// One subnet: a (whose group admits nothing inbound) and b (tcp/80 from the VPC); `extra` is
// YAML for instances listed before them.
std::string two_instances(const std::string& extra) {
    return R"(
region: us-east-1
vpcs:
  - name: lab
    cidr: 10.0.0.0/16
    subnets:
      - {name: app, cidr: 10.0.1.0/24, az: us-east-1a}
    security_groups:
      - name: quiet-sg
        egress: [all to 0.0.0.0/0]
      - name: server-sg
        ingress: [tcp/80 from 10.0.0.0/16]
    instances:
)" + extra +
           R"(
      - {name: a, subnet: app, private_ip: 10.0.1.10, security_groups: [quiet-sg]}
      - {name: b, subnet: app, private_ip: 10.0.1.20, security_groups: [server-sg], listen: [tcp/80]}
)";
}

TEST(AdoptState, TrackedConnectionSurvivesAnInstanceInsertedBeforeIt) {
    const model::Topology before = load(two_instances(""));
    model::Topology after = load(two_instances(
        "      - {name: extra, subnet: app, private_ip: 10.0.1.5, security_groups: [quiet-sg]}"));
    const std::vector<Index> map = carry_identities(before, after);
    const Index a0 = eni_of(before, "a"), b0 = eni_of(before, "b");
    const Index a1 = eni_of(after, "a"), b1 = eni_of(after, "b");
    ASSERT_EQ(a0, 0u);
    ASSERT_EQ(a1, 1u) << "the inserted instance shifts a's ENI";
    ASSERT_EQ(map[a0], a1);
    ASSERT_EQ(map[b0], b1);

    RecordingSink sink;
    auto old = std::make_unique<Engine>(before, sink);
    // a opens a connection to b; b's answer reaches a as the reply of a tracked flow.
    auto out = send(*old, sink, a0,
                    frame_from(before.enis[a0].mac, "10.0.1.10", "10.0.1.20", tcp(40000, 80)));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, b0);
    out = send(*old, sink, b0,
               frame_from(before.enis[b0].mac, "10.0.1.20", "10.0.1.10", tcp(80, 40000, kSynAck)));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, a0);
    const Counters old_counts = old->snapshot();

    const auto ack = frame_from(after.enis[b1].mac, "10.0.1.20", "10.0.1.10",
                                tcp(80, 40000, Tins::TCP::ACK | Tins::TCP::PSH));
    // Without the old state, a's group sees an unsolicited packet.
    RecordingSink fresh_sink;
    Engine fresh(after, fresh_sink);
    EXPECT_TRUE(send(fresh, fresh_sink, b1, ack, kSec).empty());
    EXPECT_EQ(drops(fresh, DropReason::SecurityGroupNoMatch), 1u);

    Engine adopted(after, sink);
    adopted.adopt_state(*old, map);
    EXPECT_EQ(adopted.tracked_connections(a1), 1u);
    EXPECT_EQ(adopted.tracked_connections(b1), 1u);
    EXPECT_EQ(adopted.tracked_connections(0), 0u) << "the new instance tracks nothing";
    EXPECT_EQ(old->tracked_connections(a0), 0u) << "the old engine is left without its flows";
    // The counters continue, per component by name.
    const Counters c = adopted.snapshot();
    EXPECT_EQ(c.received, old_counts.received);
    EXPECT_EQ(c.transmitted, old_counts.transmitted);
    for (const auto& [name, counts] : old_counts.components) {
        auto it = std::find_if(c.components.begin(), c.components.end(),
                               [&](const auto& p) { return p.first == name; });
        ASSERT_NE(it, c.components.end()) << name;
        EXPECT_EQ(it->second.packets, counts.packets) << name;
    }
    // The old engine may go before the reply comes.
    old.reset();
    out = send(adopted, sink, b1, ack, kSec);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, a1);
    EXPECT_EQ(parse(out[0].bytes).dst_addr(), hw(after.enis[a1].mac));
    EXPECT_EQ(drops(adopted, DropReason::SecurityGroupNoMatch), 0u);
}

std::string behind_nat(const std::string& extra) {
    return R"(
region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    internet_gateway: prod-igw
    subnets:
      - {name: public, cidr: 10.0.1.0/24, az: us-east-1a, route_table: public-rt}
      - {name: private, cidr: 10.0.2.0/24, az: us-east-1a, route_table: private-rt}
    route_tables:
      - {name: public-rt, routes: ["0.0.0.0/0 -> igw"]}
      - {name: private-rt, routes: ["0.0.0.0/0 -> nat/nat-a"]}
    security_groups:
      - name: app-sg
        ingress: [tcp/8080 from 10.0.0.0/16]
    nat_gateways:
      - {name: nat-a, subnet: public, private_ip: 10.0.1.20, elastic_ip: nat-eip}
    instances:
)" + extra +
           R"(
      - {name: app, subnet: private, private_ip: 10.0.2.10, security_groups: [app-sg]}
elastic_ips:
  - {name: nat-eip, address: 203.0.113.20}
internet_hosts:
  - {name: client, address: 198.51.100.7, listen: [tcp/443]}
)";
}

TEST(AdoptState, NatTranslationSurvives) {
    const model::Topology before = load(behind_nat(""));
    model::Topology after =
        load(behind_nat("      - {name: worker, subnet: private, private_ip: 10.0.2.5, "
                        "security_groups: [app-sg]}"));
    const std::vector<Index> map = carry_identities(before, after);
    const Index app0 = eni_of(before, "app"), app1 = eni_of(after, "app");
    ASSERT_NE(app0, app1);

    RecordingSink sink;
    Engine old(before, sink);
    auto out =
        send(old, sink, app0,
             frame_from(before.enis[app0].mac, "10.0.2.10", "198.51.100.7", tcp(40000, 443)));
    ASSERT_EQ(out.size(), 1u);
    ASSERT_EQ(out[0].port, kInternetPort);
    auto sent = parse(out[0].bytes);
    ASSERT_EQ(sent.rfind_pdu<Tins::IP>().src_addr(), Tins::IPv4Address("203.0.113.20"));
    const std::uint16_t nat_port = sent.rfind_pdu<Tins::TCP>().sport();

    auto reply = [&] {
        Tins::TCP t(nat_port, 443);
        t.flags(kSynAck);
        return frame_from(kInternetMac, "198.51.100.7", "203.0.113.20", t);
    }();
    RecordingSink fresh_sink;
    Engine fresh(after, fresh_sink);
    EXPECT_TRUE(send(fresh, fresh_sink, kInternetPort, reply, kSec).empty());
    EXPECT_EQ(drops(fresh, DropReason::NatNoTranslation), 1u);

    Engine adopted(after, sink);
    adopted.adopt_state(old, map);
    EXPECT_EQ(adopted.nat_translations(0), 1u);
    EXPECT_EQ(old.nat_translations(0), 0u);
    EXPECT_EQ(adopted.snapshot().nat_gateways[0].ConnectionEstablishedCount, 1u);
    out = send(adopted, sink, kInternetPort, reply, kSec);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, app1);
    auto delivered = parse(out[0].bytes);
    EXPECT_EQ(delivered.rfind_pdu<Tins::IP>().dst_addr(), Tins::IPv4Address("10.0.2.10"));
    EXPECT_EQ(delivered.rfind_pdu<Tins::TCP>().dport(), 40000);
    // A new flow from app gets the next port, not one in use.
    out =
        send(adopted, sink, app1,
             frame_from(after.enis[app1].mac, "10.0.2.10", "198.51.100.7", tcp(40001, 443)), kSec);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_NE(parse(out[0].bytes).rfind_pdu<Tins::TCP>().sport(), nat_port);
}

// An internet-facing NLB, cross-zone off: the node in us-east-1a sends to the web-a targets,
// the one in us-east-1b to the web-b ones. Client IP preservation is on (instance targets).
std::string nlb(const std::string& instances, const std::string& targets) {
    return R"(
region: us-east-1
vpcs:
  - name: shop
    cidr: 10.30.0.0/16
    internet_gateway: shop-igw
    subnets:
      - {name: public-a, cidr: 10.30.0.0/24, az: us-east-1a, route_table: public-rt}
      - {name: public-b, cidr: 10.30.1.0/24, az: us-east-1b, route_table: public-rt}
      - {name: web-a, cidr: 10.30.10.0/24, az: us-east-1a}
      - {name: web-b, cidr: 10.30.11.0/24, az: us-east-1b}
    route_tables:
      - {name: public-rt, routes: ["0.0.0.0/0 -> igw"]}
    security_groups:
      - name: web-sg
        ingress: [tcp/80 from 0.0.0.0/0]
    instances:
)" + instances +
           R"(
    load_balancers:
      - name: web-nlb
        type: network
        scheme: internet-facing
        subnets:
          - {subnet: public-a, private_ip: 10.30.0.10, elastic_ip: nlb-a-eip}
          - {subnet: public-b, private_ip: 10.30.1.10, elastic_ip: nlb-b-eip}
        listeners:
          - {protocol: TCP, port: 80, default_action: {forward: web-tg}}
    target_groups:
      - {name: web-tg, protocol: TCP, port: 80, targets: )" +
           targets + R"(}
elastic_ips:
  - {name: nlb-a-eip, address: 203.0.113.60}
  - {name: nlb-b-eip, address: 203.0.113.61}
internet_hosts:
  - {name: client, address: 198.51.100.7}
)";
}

const char* const kWeb1 =
    "      - {name: web-1, subnet: web-a, private_ip: 10.30.10.10, security_groups: [web-sg], "
    "listen: [tcp/80]}\n";
const char* const kWeb2 =
    "      - {name: web-2, subnet: web-b, private_ip: 10.30.11.10, security_groups: [web-sg], "
    "listen: [tcp/80]}\n";
const char* const kWeb3 =
    "      - {name: web-3, subnet: web-a, private_ip: 10.30.10.30, security_groups: [web-sg], "
    "listen: [tcp/80]}\n";
const char* const kBastion =
    "      - {name: bastion, subnet: web-b, private_ip: 10.30.11.5, security_groups: [web-sg]}\n";

TEST(AdoptState, LoadBalancerFlowsFollowTheirTargetOrEndWithIt) {
    const model::Topology before = load(nlb(std::string(kWeb1) + kWeb2, "[web-1, web-2]"));
    // web-1 is gone, web-3 replaces it; bastion, first, shifts web-2's ENI.
    model::Topology after = load(nlb(std::string(kBastion) + kWeb3 + kWeb2, "[web-3, web-2]"));
    const std::vector<Index> map = carry_identities(before, after);
    const Index web1 = eni_of(before, "web-1"), web2_0 = eni_of(before, "web-2");
    const Index web3 = eni_of(after, "web-3"), web2_1 = eni_of(after, "web-2");
    ASSERT_EQ(map[web1], kNone);
    ASSERT_EQ(map[web2_0], web2_1);
    ASSERT_NE(web2_0, web2_1);

    RecordingSink sink;
    Engine old(before, sink);
    auto to_node = [](const char* node, std::uint16_t flags) {
        return frame_from(kInternetMac, "198.51.100.7", node, tcp(50000, 80, flags));
    };
    auto out = send(old, sink, kInternetPort, to_node("203.0.113.60", Tins::TCP::SYN));
    ASSERT_EQ(out.size(), 1u);
    ASSERT_EQ(out[0].port, web1);
    out = send(old, sink, kInternetPort, to_node("203.0.113.61", Tins::TCP::SYN));
    ASSERT_EQ(out.size(), 1u);
    ASSERT_EQ(out[0].port, web2_0);
    ASSERT_EQ(old.snapshot().load_balancers[0].ActiveFlowCount, 2u);

    Engine adopted(after, sink);
    adopted.adopt_state(old, map);
    const Counters c = adopted.snapshot();
    EXPECT_EQ(c.load_balancers[0].ActiveFlowCount, 1u) << "web-1's flow ended with it";
    EXPECT_EQ(c.load_balancers[0].NewFlowCount, 2u);

    // web-2 answers its flow: back through the node the client connected to.
    out = send(
        adopted, sink, web2_1,
        frame_from(after.enis[web2_1].mac, "10.30.11.10", "198.51.100.7", tcp(80, 50000, kSynAck)),
        kSec);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, kInternetPort);
    EXPECT_EQ(parse(out[0].bytes).rfind_pdu<Tins::IP>().src_addr(),
              Tins::IPv4Address("203.0.113.61"));
    // The client's next packet still goes to web-2, at its new port.
    out = send(adopted, sink, kInternetPort, to_node("203.0.113.61", Tins::TCP::ACK), kSec);
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].port, web2_1);
    // The flow to web-1 is gone: its next packet is not a new flow, and is refused with an RST
    // rather than sent to web-3.
    out = send(adopted, sink, kInternetPort, to_node("203.0.113.60", Tins::TCP::ACK), kSec);
    EXPECT_EQ(drops(adopted, DropReason::LbNoFlow), 1u);
    for (const SentFrame& f : out) EXPECT_NE(f.port, web3);
}

TEST(AdoptState, RefusesAMapThatDoesNotFitAndChangesNothing) {
    const model::Topology before = load(two_instances(""));
    model::Topology after = load(two_instances(
        "      - {name: extra, subnet: app, private_ip: 10.0.1.5, security_groups: [quiet-sg]}"));
    const std::vector<Index> map = carry_identities(before, after);
    RecordingSink sink;
    Engine old(before, sink);
    send(old, sink, 0, frame_from(before.enis[0].mac, "10.0.1.10", "10.0.1.20", tcp(40000, 80)));
    ASSERT_EQ(old.tracked_connections(0), 1u);
    Engine adopted(after, sink);

    const std::vector<Index> short_map(map.begin(), map.end() - 1);
    EXPECT_THROW(adopted.adopt_state(old, short_map), std::invalid_argument);
    std::vector<Index> swapped = map;
    std::swap(swapped[0], swapped[1]);  // a onto b's ENI: another MAC
    EXPECT_THROW(adopted.adopt_state(old, swapped), std::invalid_argument);
    std::vector<Index> beyond = map;
    beyond[0] = static_cast<Index>(after.enis.size());
    EXPECT_THROW(adopted.adopt_state(old, beyond), std::invalid_argument);
    EXPECT_THROW(adopted.adopt_state(adopted, map), std::invalid_argument);

    EXPECT_EQ(old.tracked_connections(0), 1u) << "a refused adoption moves nothing";
    EXPECT_EQ(adopted.tracked_connections(map[0]), 0u);
    EXPECT_EQ(adopted.snapshot().received, 0u);

    // The NAT gateways must be the same.
    const model::Topology with_nat = load(behind_nat(""));
    RecordingSink nat_sink;
    Engine nat_engine(with_nat, nat_sink);
    EXPECT_THROW(adopted.adopt_state(nat_engine, std::vector<Index>{kNone}), std::invalid_argument);
}

}  // namespace
}  // namespace vpcstack::engine::testing
