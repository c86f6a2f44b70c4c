// The verifier's one contact with the cloud's semantics: a concrete flow sent through the engine
// (request, then the answer the destination gives), on state as fresh as a new engine's.
//
// The prober plays the hosts the way the simulation does (sim/host.hpp): the source picks its
// egress interface with its own routing table, an instance with forwarding on (source/dest check
// off) routes packets that are not its own, the internet sends packets for the account's public
// addresses back in, and the destination answers a TCP SYN with SYN-ACK, an echo request with an
// echo reply, a datagram with a datagram, whatever listens there (reachability is a property of
// the network, not of the applications). A load balancer is the exception, as the simulation
// plays it: an Application Load Balancer's node answers only its listeners' ports, and a Network
// Load Balancer's request is answered by the target it reaches.
#pragma once

#include <memory>
#include <optional>
#include <set>
#include <vector>

#include "vpcstack/engine/engine.hpp"
#include "vpcstack/sim/endpoint.hpp"
#include "vpcstack/sim/simulation.hpp"
#include "vpcstack/verify/reach.hpp"

namespace vpcstack::verify {

// A concrete flow: the two ends as the simulation resolves them and the first packet's header.
struct Flow {
    sim::Endpoint from;
    sim::Endpoint to;
    net::Ipv4Address src;  // on the wire, as sent
    net::Ipv4Address dst;
    std::uint8_t protocol = net::Protocol::kTcp;
    std::uint16_t sport = 0;  // tcp/udp
    std::uint16_t dport = 0;  // tcp/udp
    // To a Network Load Balancer: the target the engine sends the request to answers it, and
    // the answer comes back through the load balancer.
    bool to_targets = false;
};

// A component that stopped a flow, as the audit engine recorded it: its drop step (owned by
// the prober, valid until the next explain()) and whether it was on the way back.
struct Stop {
    const engine::TraceStep* step = nullptr;
    bool reply = false;
};

struct ProbeResult {
    bool connected = false;
    bool delivered = false;   // the request reached the destination (its answer was sent)
    std::vector<Stop> stops;  // filled by explain(): every drop on the way there and back
    // Filled by explain() when nothing dropped the flow yet it did not connect: what happened.
    std::optional<Blocker> lost;
    bool open() const noexcept { return connected && stops.empty() && !lost; }
};

class Prober final : public engine::FrameSink {
  public:
    explicit Prober(const model::Topology& topology);
    ~Prober() override;

    // The addresses a flow between two endpoints carries (as `vpcctl trace` sends it).
    Flow flow(const sim::Endpoint& from, const sim::Endpoint& to) const;
    // Whether the flow connects: its request reaches the destination and the answer comes back.
    ProbeResult connects(const Flow& flow);
    // The same flow through an engine that records every denial and goes on: every blocker on
    // the way there and back, and what happened when no component dropped it.
    ProbeResult explain(const Flow& flow);
    // The stops of an explained result in words (formatted only when they are shown: most
    // results are compared by their steps and dropped).
    std::vector<Blocker> blockers(const ProbeResult& result) const;
    // Whether the source itself holds the destination address (its own stack answers).
    bool local(const Flow& flow);

    std::size_t probes() const noexcept { return probes_; }
    std::size_t explained() const noexcept { return explained_; }
    const sim::Simulation& simulation() const noexcept { return *sim_; }

    void transmit(engine::PortId port, std::span<const std::uint8_t> frame) override;

  private:
    ProbeResult run(engine::Engine& engine, const Flow& flow, bool collect);

    std::unique_ptr<sim::Simulation> sim_;  // its hosts decide routes; its engine is not used
    std::unique_ptr<engine::Engine> fast_;
    std::unique_ptr<engine::Engine> audit_;
    std::vector<std::pair<engine::PortId, std::vector<std::uint8_t>>> out_;  // [0, out_count_)
    std::size_t out_count_ = 0;
    sim::Frame frame_;                     // the packet being sent, reused from probe to probe
    std::vector<engine::PortId> touched_;  // ports a probe used: their state is forgotten
    std::vector<engine::PacketTrace> traces_;
    std::vector<bool> forwarding_;        // per ENI: its instance routes others' packets
    std::set<net::Ipv4Address> account_;  // public and Elastic IPs: the internet sends them back
    std::size_t probes_ = 0;
    std::size_t explained_ = 0;
};

}  // namespace vpcstack::verify
