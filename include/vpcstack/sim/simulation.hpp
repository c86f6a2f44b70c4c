// A whole network in one process: the Engine, one simulated host per running instance, the
// internet as one more host behind the internet port, and a virtual clock. Frames take a small
// fixed link delay each way between a host and the engine; the engine's connection tracking
// and NAT translations expire as virtual time passes. Nothing sleeps: time moves only when
// the caller runs the clock.
//
//   Simulation sim(topology);
//   FlowId f = sim.connect("client", "web", 80);
//   sim.run_until_idle();
//   EXPECT_EQ(sim.flow(f).outcome, Outcome::Connected);
#pragma once

#include <functional>
#include <map>
#include <memory>
#include <stdexcept>
#include <string_view>
#include <vector>

#include "vpcstack/engine/engine.hpp"
#include "vpcstack/model/topology.hpp"
#include "vpcstack/sim/alb.hpp"
#include "vpcstack/sim/endpoint.hpp"
#include "vpcstack/sim/event_queue.hpp"
#include "vpcstack/sim/host.hpp"

namespace vpcstack::sim {

struct SimulationOptions {
    TimeNs link_delay = 10 * kMicrosecond;  // each way between a host and the engine
    bool trace = true;                      // keep the engine's PacketTrace of every packet
    TimeNs expire_interval = kSecond;       // how often, at most, the engine expires idle state
    HostTimeouts timeouts;
    engine::EngineConfig engine;  // its `trace` is set from `trace` above
    // Probe the topology's Route 53 health checks first (sim/health_checks.hpp) and give the
    // VPC resolver their status.
    bool probe_health_checks = true;
    // Probe the load balancers' target health first (sim/load_balancer_health.hpp) and give
    // the VPC resolver each load balancer's health, for aliases with evaluate target health.
    bool probe_load_balancers = true;
};

// Thrown by the traffic API when an endpoint does not resolve (the message says why).
class EndpointError : public std::invalid_argument {
  public:
    using std::invalid_argument::invalid_argument;
};

// What an address outside the VPCs is, for the simulated internet.
enum class InternetAddressKind : std::uint8_t {
    NamedHost,       // an internet host of the topology: answers what its listen list says
    AccountAddress,  // a public or Elastic IP of the account: only what it maps to answers
    ServiceRange,    // in a managed prefix list of a cloud service (S3, DynamoDB)
    Assumed,         // anything else: a generic host, answering or silent as the topology says
};
InternetAddressKind internet_address_kind(const model::Topology& topology, net::Ipv4Address a);
bool is_service_prefix_list(const model::PrefixList& prefix_list);

class Simulation final : public engine::FrameSink {
  public:
    explicit Simulation(model::Topology topology, SimulationOptions options = {});
    ~Simulation() override;
    Simulation(const Simulation&) = delete;
    Simulation& operator=(const Simulation&) = delete;

    // The clock.
    TimeNs now() const noexcept { return events_.now(); }
    EventQueue& events() noexcept { return events_; }
    void run_until(TimeNs when) { events_.run_until(when); }
    void run_for(TimeNs duration) { events_.run_for(duration); }
    // Runs until nothing is left to happen (timeouts included), at most `limit` of virtual time.
    bool run_until_idle(TimeNs limit = 600 * kSecond);
    // Does something at a virtual time (traffic, a rule change).
    void at(TimeNs when, std::function<void()> action);

    // The world.
    const model::Topology& topology() const noexcept { return *topology_; }
    engine::Engine& engine() noexcept { return *engine_; }
    const engine::Engine& engine() const noexcept { return *engine_; }
    Host& internet() noexcept { return *internet_; }
    Host* find_host(std::string_view name) noexcept;
    Host& host(std::string_view name);            // throws EndpointError
    Host* host_at(engine::PortId port) noexcept;  // the host on a port; null when none
    // Resolves an instance, ENI, internet host or address (see endpoint.hpp).
    Endpoint endpoint(std::string_view text) const;  // throws EndpointError
    Host& host_for(const Endpoint& endpoint);        // throws EndpointError
    // The address a packet from `from` to `to` carries: from the internet, an instance is
    // reached at its public address (when it has one), whichever way it was named.
    net::Ipv4Address destination_address(const Endpoint& from, const Endpoint& to) const;
    // The address `from` sends from: an instance named by its public IP sends from its private
    // IP (AWS: VPC_Internet_Gateway — the instance never sees its public address).
    net::Ipv4Address source_address(const Endpoint& from) const;

    // Traffic, starting now. `from` and `to` are anything endpoint() accepts.
    FlowId connect(std::string_view from, std::string_view to, std::uint16_t port,
                   std::optional<std::uint16_t> source_port = {});
    FlowId send_udp(std::string_view from, std::string_view to, std::uint16_t port,
                    std::optional<std::uint16_t> source_port = {});
    FlowId ping(std::string_view from, std::string_view to);
    // A crafted packet of any 5-tuple and TCP flags, sent by `from`'s host (source unchanged).
    FlowId send_packet(std::string_view from, const PacketSpec& spec);
    void send_tcp_data(FlowId flow, std::size_t bytes = 100);
    // An HTTP request to an Application Load Balancer (its name, a node's ENI or address) on a
    // listener's port, starting now: the client's connection, the proxy's rule, target and
    // connection to it (see alb.hpp). Throws EndpointError when `to` is not an ALB node.
    ExchangeId http(std::string_view from, std::string_view to, std::uint16_t port,
                    lb::HttpRequest request = {});
    ExchangeId http(const Endpoint& from, const Endpoint& to, std::uint16_t port,
                    lb::HttpRequest request = {});
    const HttpExchange& exchange(ExchangeId id) const { return albs_->exchange(id); }
    const AlbProxies& albs() const noexcept { return *albs_; }
    // A raw frame straight into the engine on a port, now.
    void inject(engine::PortId port, Frame frame);
    // The caller plays the instance behind an ENI's port: the frames the engine sends out of it
    // go to `receiver` (after the link delay, with the time they arrive) instead of the port's
    // host, which then neither receives nor answers them (observe/replay feeds a capture there).
    using PortReceiver = std::function<void(TimeNs, std::span<const std::uint8_t>)>;
    void play_port(engine::PortId port, PortReceiver receiver);

    const FlowRecord& flow(FlowId id) const { return flows_.at(id); }
    const FlowBook& flows() const noexcept { return flows_; }

    // What the engine saw.
    const std::vector<engine::PacketTrace>& traces() const noexcept { return traces_; }
    void clear_traces() { traces_.clear(); }
    engine::Counters counters() const { return engine_->snapshot(); }
    std::uint64_t drops(engine::DropReason reason) const;
    std::uint64_t undelivered() const noexcept { return undelivered_; }  // frames to no host

    // FrameSink: a frame leaving the engine reaches its host after the link delay.
    void transmit(engine::PortId port, std::span<const std::uint8_t> frame) override;

  private:
    void build_hosts();
    void to_engine(engine::PortId port, Frame frame);

    std::unique_ptr<model::Topology> topology_;  // the engine keeps a reference: keep it put
    SimulationOptions options_;
    EventQueue events_;
    FlowBook flows_;
    std::vector<engine::PacketTrace> traces_;
    std::unique_ptr<engine::Engine> engine_;
    std::vector<std::unique_ptr<Host>> hosts_;
    std::unique_ptr<AlbProxies> albs_;
    Host* internet_ = nullptr;
    std::vector<Host*> host_by_eni_;
    std::map<engine::PortId, PortReceiver> played_;
    TimeNs last_expire_ = 0;
    std::uint64_t undelivered_ = 0;
};

}  // namespace vpcstack::sim
