// The packet engine: moves Ethernet frames between the ports of a topology (one per ENI, plus
// the internet) with the cloud's semantics. It owns no threads and no clock: its caller hands
// it frames and the current time, and it hands frames to a FrameSink. The simulation and the
// live lab drive the same Engine.
//
// The pipeline is a graph of stages, one file each in src/engine/stages/, walked by the loop in
// src/engine/engine.cpp (the graph is drawn at its top): ENI egress (source/dest check) ->
// security group egress with connection tracking -> subnet ACL outbound -> the subnet's route
// table (skipped, with the ACLs, between ENIs of one subnet) -> the target (local, internet
// gateway, NAT gateway, peering, ENI/instance, blackhole) -> subnet ACL inbound -> ENI ingress
// (source/dest check) -> security group ingress -> delivery (Ethernet rewritten: source
// kRouterMac, destination the ENI's MAC). The cloud's rules live in policy/.
//
// Choices where the cloud leaves room:
// - ARP: the router answers for the subnet's router address (base+1) and DNS address (base+2)
//   with kRouterMac, for an ENI of the same subnet with that ENI's MAC (as instances see each
//   other in the cloud), for a NAT gateway or an off-subnet address with kRouterMac; an unused
//   address of the subnet gets no answer (HostUnreachable). On the internet port every request
//   is answered with kRouterMac. Frames from an ENI must be addressed to kRouterMac or to an ENI's
//   MAC. Gratuitous ARP and unsolicited replies are Noise.
// - MTU: larger than 1500 bytes towards the internet (or over an inter-region peering) with DF
//   set: ICMP fragmentation needed (type 3 code 4, next-hop MTU) from the sender's subnet router
//   address, counted as MtuExceeded; without DF the packet is fragmented (RFC 791; IP options
//   stay in the first fragment only). Within a VPC (MTU 9001) sizes are not checked, so a live
//   lab may hand over large GSO frames whole.
// - Frames the engine makes itself (ARP replies, ICMP errors, the NAT gateway's RST) go straight
//   back out of the ingress port, without ACL or security group evaluation.
// - The VPC's own services answer in the data plane, before security groups and ACLs: the DNS
//   resolver (VPC base+2, subnet base+2, 169.254.169.253; UDP and TCP 53), the instance
//   metadata service (169.254.169.254, HTTP on TCP 80) and time sync (169.254.169.123, NTP on
//   UDP 123); another port there: ServicePortClosed. Other 169.254.0.0/16 addresses: LinkLocal.
//   Broadcast, multicast and the subnet's last address: Noise.
// - ICMP errors (types 3, 11, 12) pass a security group as related traffic of a tracked flow,
//   and are translated (with the packet they quote) by the internet and NAT gateways.
// - Fragments: a later fragment (no ports) passes a security group when the first fragment of
//   its datagram (source, destination, protocol, IP id) passed it within 30 s.
// - Fragments and ACLs: a later fragment is matched on protocol and addresses (an allow rule with
//   ports matches it, a deny rule with ports does not; policy/network_acl.hpp).
// - Connection tracking is per ENI, with the ENI's own timeouts (the topology's
//   connection_tracking, over EngineConfig::conntrack_timeouts) and TCP states (conntrack.hpp).
// - Known gap: inbound non-first fragments at a NAT gateway are dropped (NatUnsupported).
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "vpcstack/engine/capture.hpp"
#include "vpcstack/engine/component.hpp"
#include "vpcstack/engine/conntrack.hpp"
#include "vpcstack/engine/drop_reason.hpp"
#include "vpcstack/engine/port.hpp"
#include "vpcstack/engine/trace.hpp"
#include "vpcstack/model/topology.hpp"
#include "vpcstack/net/ipv4.hpp"
#include "vpcstack/policy/nat.hpp"

namespace vpcstack::engine {

// The MAC the VPC router answers with; instances see it as their gateway's address.
inline constexpr net::MacAddress kRouterMac{{0x02, 0x00, 0x00, 0x00, 0x00, 0x01}};
// The MAC of the internet's side of the internet port (the live lab sets it on that interface).
inline constexpr net::MacAddress kInternetMac{{0x02, 0x00, 0x00, 0x00, 0x00, 0xfe}};

// Checked when the engine is built: a value outside its range throws std::invalid_argument.
struct EngineConfig {
    bool trace = false;  // record a PacketTrace per packet and hand it to the trace callback

    // Connections one ENI can track before new flows are dropped (ConntrackFull). The cloud's
    // allowance grows with the instance size; range 1 to 10,000,000.
    std::size_t conntrack_capacity_per_eni = 65536;
    // Idle timeouts of tracked connections (see conntrack.hpp for the cloud's ranges).
    ConntrackTimeouts conntrack_timeouts;
    // Simultaneous connections per NAT IP to one destination (IP, port, protocol); the cloud's
    // limit is 55,000. Range 1 to 64,512.
    std::uint32_t nat_max_per_destination = policy::kNatMaxConnectionsPerDestination;
    // Idle timeout of a NAT translation; the cloud's is 350 s.
    TimeNs nat_idle_timeout = policy::kNatIdleTimeoutSeconds * kNsPerSecond;
    // Largest IPv4 packet through the internet gateway; the cloud's is 1500. Range 576 to 9001.
    std::uint16_t internet_mtu = 1500;
    // For verification (verify/): a security group or network ACL that denies a packet is
    // recorded in the trace as a drop step and the packet goes on as if allowed (tracked, so its
    // reply is judged as the reply of an allowed flow), so one walk names every component that
    // blocks a flow on its way there and back; its traces hold those drop steps only. Never set
    // in a simulation or a lab.
    bool audit = false;
    // The wall clock at engine time 0, in nanoseconds since 1970-01-01 UTC: what time sync
    // (169.254.169.123) answers. A simulation's virtual clock starts at 2026-01-01T00:00:00Z; a
    // live lab gives the host's CLOCK_REALTIME minus CLOCK_MONOTONIC.
    std::int64_t wall_clock_at_zero = std::int64_t{1767225600} * 1'000'000'000;
};

struct Counters {
    std::uint64_t received = 0;
    std::uint64_t transmitted = 0;
    std::array<std::uint64_t, kDropReasonCount> drops{};
    // Per component (ComponentRegistry order, with its name): packets seen and dropped there.
    struct Component {
        std::uint64_t packets = 0;
        std::uint64_t drops = 0;
    };
    std::vector<std::pair<std::string, Component>> components;  // filled by snapshot()

    // Per ENI (Topology::enis order), under the names of the cloud's ENA allowance statistics
    // (AWS: EC2 monitoring-network-performance-ena).
    struct Eni {
        // New flows dropped because the ENI tracked as many connections as it may
        // (the ENI's share of drops[ConntrackFull]).
        std::uint64_t conntrack_allowance_exceeded = 0;
        // Connections the ENI can still track: the capacity minus the entries tracked now.
        std::uint64_t conntrack_allowance_available = 0;
        // Packets to the DNS resolver, the metadata service or time sync beyond the cloud's
        // 1024 packets per second per ENI (dropped as LinkLocalAllowance).
        std::uint64_t linklocal_allowance_exceeded = 0;
    };
    std::vector<Eni> enis;

    // Per NAT gateway (Topology::nat_gateways order), as the cloud's CloudWatch metrics name
    // them (AWS: vpc-nat-gateway-cloudwatch). Bytes are IP total lengths.
    struct NatGateway {
        std::uint64_t ActiveConnectionCount = 0;       // TCP translations open now
        std::uint64_t ConnectionAttemptCount = 0;      // new flows that asked for a translation
        std::uint64_t ConnectionEstablishedCount = 0;  // ... and got one
        std::uint64_t ErrorPortAllocation = 0;         // ... and found no free port
        std::uint64_t PacketsDropCount = 0;            // every drop at the NAT gateway
        std::uint64_t PacketsInFromSource = 0;         // from the VPC, reaching the gateway
        std::uint64_t BytesInFromSource = 0;
        std::uint64_t PacketsOutToDestination = 0;  // translated, on their way out
        std::uint64_t BytesOutToDestination = 0;
        std::uint64_t PacketsInFromDestination = 0;  // replies reaching the gateway
        std::uint64_t BytesInFromDestination = 0;
        std::uint64_t PacketsOutToSource = 0;  // replies translated back
        std::uint64_t BytesOutToSource = 0;
    };
    std::vector<NatGateway> nat_gateways;

    // Per Network Load Balancer (Topology::load_balancers order; zero for an ALB, whose proxy
    // counts its own), as the cloud's CloudWatch metrics name them (AWS:
    // network-load-balancer-cloudwatch-metrics). Bytes are IP total lengths, both directions.
    struct LoadBalancer {
        bool network = false;               // a Network Load Balancer (the engine carries it)
        std::uint64_t ActiveFlowCount = 0;  // flows carried now (filled by snapshot())
        std::uint64_t ActiveFlowCount_TCP = 0;
        std::uint64_t ActiveFlowCount_UDP = 0;
        std::uint64_t NewFlowCount = 0;  // flows sent to a target
        std::uint64_t NewFlowCount_TCP = 0;
        std::uint64_t NewFlowCount_UDP = 0;
        std::uint64_t ProcessedBytes = 0;  // client to target and back
        std::uint64_t ProcessedPackets = 0;
        std::uint64_t TCP_ELB_Reset_Count = 0;  // RSTs the load balancer sent itself
    };
    std::vector<LoadBalancer> load_balancers;
};

class Engine {
  public:
    Engine(const model::Topology& topology, FrameSink& sink, EngineConfig config = {});
    ~Engine();
    Engine(const Engine&) = delete;
    Engine& operator=(const Engine&) = delete;

    // A frame sent by an instance on its ENI, or by the internet on kInternetPort.
    void receive(PortId ingress, std::span<const std::uint8_t> frame, TimeNs now);
    // Expires idle connection-tracking entries and NAT translations up to `now`.
    void expire(TimeNs now);

    void set_trace_callback(std::function<void(PacketTrace&&)> callback);
    // Hands back a trace the callback received and its owner is done with: later traces reuse its
    // storage instead of allocating their steps again.
    void recycle(PacketTrace&& used);
    // Shows every packet to `sink` at the capture points (engine/capture.hpp) until reset with
    // null; the sink outlives its use. Costs a trace per packet while set.
    void set_capture_sink(CaptureSink* sink);
    Counters snapshot() const;
    const model::Topology& topology() const;
    // The names of the components trace steps and counters refer to.
    std::shared_ptr<const ComponentRegistry> components() const;

    // Control-plane change used by tests and labs: replace a security group's rules. Tracked
    // flows continue; untracked flows are cut at once. AWS: security-group-connection-tracking.
    void replace_security_group_rules(model::Index group, std::vector<model::SgRule> ingress,
                                      std::vector<model::SgRule> egress);

    // The status of a Route 53 health check, by name, as the VPC resolver's routing policies see
    // it (a check never set is healthy). Probed by sim/health_checks.hpp.
    void set_health_check_status(const std::string& name, bool healthy);
    // The health of a load balancer, by name, as the VPC resolver's aliases with evaluate
    // target health see it (one never set is healthy): model::load_balancer_healthy() of its
    // targets' health. Probed by sim/load_balancer_health.hpp in a simulation; a live lab sets
    // it from its load balancers' own health checks.
    void set_load_balancer_health(const std::string& name, bool healthy);

    // Forgets the connection tracking of these ENIs and every NAT translation, so the next
    // packet meets the state of a freshly built engine (verify/ probes one flow at a time).
    void forget_flows(std::span<const PortId> enis);

    // Takes over the flow state of `old`, an engine built on the topology before a scale change
    // (instances added or removed, everything else the same): `eni_map[i]` is the index in this
    // engine's topology of the old topology's ENI i, or model::kNone when that ENI is gone.
    // AWS: security-group-connection-tracking — the connections of the instances that stay
    // carry on across the change; AWS: load-balancer-target-groups — a deregistered target's
    // flows end.
    // Moves (replacing this engine's own, which is meant to be freshly built):
    // - per surviving ENI: its connection tracking entries (under this topology's capacity and
    //   timeouts), the fragments its groups admitted, conntrack_allowance_exceeded,
    //   linklocal_allowance_exceeded and the link-local allowance's current second and count;
    // - every NAT gateway's translations (with its next port) and its counters;
    // - the Network Load Balancers' flows, their targets renumbered, those of a gone target
    //   ended; the cached health of surviving targets (it assumes their groups, listening ports
    //   and running state unchanged, as a scale change leaves them); the load balancers' counters;
    // - received, transmitted, drops and the trace id sequence; the per-component counters of
    //   every component whose name this topology has too (a gone instance's are dropped);
    //   the Route 53 health checks' status and the load balancers' health last set.
    // Does not move: the trace callback, the capture sink and the recycled trace storage (set
    // them on this engine), the configuration, and anything compiled from the topology (rules,
    // routes, addresses, ENI state such as running or its groups): this topology's hold.
    // Conntrack and NAT entries hold tuples only, no ENI or port, and need no renumbering.
    // Throws std::invalid_argument, changing nothing, when eni_map's size is not old's ENI count,
    // an entry is out of this topology's range, a mapped ENI's MAC differs, the NAT gateways
    // (count or private IP) or the load balancer nodes (count, load balancer or private IP)
    // differ, or `old` is this engine. Both topologies must live during the call; `old` is
    // left without its flows and may be destroyed afterwards.
    void adopt_state(Engine& old, std::span<const model::Index> eni_map);

    // Introspection for tests and lab status.
    std::size_t tracked_connections(PortId eni_port) const;  // conntrack entries of an ENI
    std::size_t nat_translations(model::Index nat_gateway) const;

  private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

}  // namespace vpcstack::engine
