#include "vpcstack/sim/simulation.hpp"

#include "vpcstack/sim/health_checks.hpp"
#include "vpcstack/sim/load_balancer_health.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <set>
#include <utility>

namespace vpcstack::sim {
namespace {

using model::Index;
using model::Topology;

// AWS has no notion of it; the simulated host answers what Topology::listen_set says.
Host::ListenPolicy instance_listening(const Topology& t, Index instance) {
    return [ports = t.listen_set(instance)](net::Ipv4Address, std::uint8_t protocol,
                                            std::uint16_t port) {
        return ports.listens(protocol, port);
    };
}

// Addresses the cloud answers for on the internet side: public and Elastic IPs.
std::set<net::Ipv4Address> cloud_public_addresses(const Topology& t) {
    std::set<net::Ipv4Address> out;
    for (Index i = 0; i < t.enis.size(); ++i) {
        if (auto a = t.public_address_of_eni(i)) out.insert(*a);
    }
    for (const model::ElasticIp& eip : t.elastic_ips) out.insert(eip.address);
    for (const model::LoadBalancer& lb : t.load_balancers) {
        for (const model::LoadBalancerNode& node : lb.nodes) {
            if (auto a = t.public_address_of_lb_node(node)) out.insert(*a);
        }
    }
    return out;
}

}  // namespace

InternetAddressKind internet_address_kind(const Topology& t, net::Ipv4Address a) {
    for (const model::InternetHost& h : t.internet_hosts) {
        if (h.address == a) return InternetAddressKind::NamedHost;
    }
    for (const model::ElasticIp& eip : t.elastic_ips) {
        if (eip.address == a) return InternetAddressKind::AccountAddress;
    }
    for (net::Ipv4Address u : t.internet_unassigned) {
        if (u == a) return InternetAddressKind::AccountAddress;
    }
    for (Index i = 0; i < t.enis.size(); ++i) {
        if (t.public_address_of_eni(i) == a) return InternetAddressKind::AccountAddress;
    }
    for (const model::LoadBalancer& lb : t.load_balancers) {
        for (const model::LoadBalancerNode& node : lb.nodes) {
            if (t.public_address_of_lb_node(node) == a) return InternetAddressKind::AccountAddress;
        }
    }
    for (const model::PrefixList& pl : t.prefix_lists) {
        if (!is_service_prefix_list(pl)) continue;
        for (const net::Cidr& c : pl.cidrs) {
            if (c.contains(a)) return InternetAddressKind::ServiceRange;
        }
    }
    return InternetAddressKind::Assumed;
}

bool is_service_prefix_list(const model::PrefixList& pl) {
    // AWS: managed prefix lists of the cloud's services are named com.amazonaws.REGION.SERVICE.
    return pl.meta.name.starts_with("com.amazonaws.");
}

Simulation::Simulation(model::Topology topology, SimulationOptions options)
    : topology_(std::make_unique<model::Topology>(std::move(topology))), options_(options) {
    engine::EngineConfig config = options_.engine;
    config.trace = options_.trace;
    engine_ = std::make_unique<engine::Engine>(*topology_, *this, config);
    if (options_.trace) {
        engine_->set_trace_callback(
            [this](engine::PacketTrace&& trace) { traces_.push_back(std::move(trace)); });
    }
    albs_ = std::make_unique<AlbProxies>(*topology_, events_,
                                         [this](Index eni) { return host_by_eni_[eni]; });
    build_hosts();
    if (options_.probe_health_checks) {
        for (const auto& [name, status] : sim::probe_health_checks(*topology_)) {
            engine_->set_health_check_status(name, status.healthy);
        }
    }
    if (options_.probe_load_balancers) {
        for (const auto& [name, health] : sim::probe_load_balancers(*topology_)) {
            engine_->set_load_balancer_health(name, health.healthy);
        }
    }
}

Simulation::~Simulation() = default;

void Simulation::build_hosts() {
    const Topology& t = *topology_;
    host_by_eni_.assign(t.enis.size(), nullptr);
    auto transmit = [this](engine::PortId port, Frame frame) { to_engine(port, std::move(frame)); };

    for (Index i = 0; i < t.instances.size(); ++i) {
        const model::Instance& instance = t.instances[i];
        if (!instance.running || instance.enis.empty()) continue;
        Host::Config config;
        config.name = instance.meta.name;
        config.kind = Host::Kind::Instance;
        for (Index e : instance.enis) {
            const model::Eni& eni = t.enis[e];
            const net::Cidr& subnet = t.subnets[eni.subnet].cidr;
            config.interfaces.push_back(
                {eni.meta.name, e, eni.mac, eni.private_ips, subnet, subnet.network() + 1});
            // An instance that may forward other hosts' traffic is configured as a router.
            if (!eni.source_dest_check) config.forwarding = true;
        }
        config.listening = instance_listening(t, i);
        config.timeouts = options_.timeouts;
        hosts_.push_back(std::make_unique<Host>(std::move(config), events_, flows_, transmit));
        for (Index e : instance.enis) host_by_eni_[e] = hosts_.back().get();
    }
    // An Application Load Balancer's nodes: each accepts connections on the listeners' ports
    // (AWS: load-balancer-listeners) and answers nothing else, ping included.
    for (Index e = 0; e < t.enis.size(); ++e) {
        const model::Eni& eni = t.enis[e];
        if (eni.load_balancer == model::kNone) continue;
        std::vector<std::uint16_t> ports;
        for (const model::Listener& l : t.load_balancers[eni.load_balancer].listeners) {
            ports.push_back(l.port);
        }
        Host::Config config;
        config.name = eni.meta.name;
        config.kind = Host::Kind::Instance;
        const net::Cidr& subnet = t.subnets[eni.subnet].cidr;
        config.interfaces.push_back(
            {eni.meta.name, e, eni.mac, eni.private_ips, subnet, subnet.network() + 1});
        config.listening = [ports](net::Ipv4Address, std::uint8_t protocol, std::uint16_t port) {
            return protocol == net::Protocol::kTcp &&
                   std::find(ports.begin(), ports.end(), port) != ports.end();
        };
        config.accepted = albs_->acceptor(e);
        config.answers_only_listeners = true;
        config.timeouts = options_.timeouts;
        hosts_.push_back(std::make_unique<Host>(std::move(config), events_, flows_, transmit));
        host_by_eni_[e] = hosts_.back().get();
    }

    // The internet: every address outside the VPCs, behind one port.
    Host::Config config;
    config.name = "internet";
    config.kind = Host::Kind::Internet;
    HostInterface itf{"internet", engine::kInternetPort, engine::kInternetMac, {}, {}, {}};
    for (const model::InternetHost& h : t.internet_hosts) itf.addresses.push_back(h.address);
    std::set<net::Ipv4Address> cloud = cloud_public_addresses(t);
    if (itf.addresses.empty()) {
        // An address of its own, not one the cloud gave out (the loader gives load balancer
        // nodes public addresses from the same documentation range).
        net::Ipv4Address own(192, 0, 2, 1);
        while (cloud.count(own) > 0) own = own + 1;
        itf.addresses.push_back(own);
    }
    config.interfaces.push_back(itf);
    const Topology* topo = topology_.get();
    config.owns = [topo, cloud](net::Ipv4Address a) {
        return !topo->vpc_containing(a) && cloud.count(a) == 0;
    };
    // A packet from one VPC to another's public address crosses the internet and comes back.
    config.forwarding = true;
    config.may_forward = [cloud](net::Ipv4Address a) { return cloud.count(a) > 0; };
    std::vector<std::pair<net::Ipv4Address, std::set<model::ListenPort>>> listen_lists;
    for (const model::InternetHost& h : t.internet_hosts) {
        if (h.listen)
            listen_lists.emplace_back(h.address, std::set(h.listen->begin(), h.listen->end()));
    }
    config.listening = [topo, listen_lists](net::Ipv4Address a, std::uint8_t protocol,
                                            std::uint16_t port) {
        for (const auto& [address, ports] : listen_lists) {
            if (address == a) return ports.count(model::ListenPort{protocol, port}) > 0;
        }
        if (internet_address_kind(*topo, a) == InternetAddressKind::ServiceRange) {
            // The cloud's own services (S3, DynamoDB) serve HTTPS and HTTP and answer ping.
            return protocol == net::Protocol::kIcmp ||
                   (protocol == net::Protocol::kTcp && (port == 443 || port == 80));
        }
        return true;  // any other internet address: a public server that accepts everything
    };
    // Nothing answers at an address of the account that is assigned to nothing, nor at a
    // generic address when the topology says others are silent.
    config.silent = [topo, cloud](net::Ipv4Address a) {
        const InternetAddressKind kind = internet_address_kind(*topo, a);
        if (kind == InternetAddressKind::AccountAddress) return cloud.count(a) == 0;
        return kind == InternetAddressKind::Assumed && !topo->internet_others_answer;
    };
    config.timeouts = options_.timeouts;
    hosts_.push_back(std::make_unique<Host>(std::move(config), events_, flows_, transmit));
    internet_ = hosts_.back().get();
}

bool Simulation::run_until_idle(TimeNs limit) {
    return events_.run_until_idle(events_.now() + limit);
}

void Simulation::at(TimeNs when, std::function<void()> action) {
    events_.schedule_at(when, std::move(action));
}

Host* Simulation::find_host(std::string_view name) noexcept {
    for (auto& h : hosts_) {
        if (h->name() == name) return h.get();
    }
    return nullptr;
}

Host& Simulation::host(std::string_view name) {
    if (Host* h = find_host(name)) return *h;
    throw EndpointError(fmt::format("no host named '{}' (stopped instances have none)", name));
}

Host* Simulation::host_at(engine::PortId port) noexcept {
    if (port == engine::kInternetPort) return internet_;
    return port < host_by_eni_.size() ? host_by_eni_[port] : nullptr;
}

Endpoint Simulation::endpoint(std::string_view text) const {
    ResolveResult r = resolve_endpoint(*topology_, text);
    if (!r.endpoint) throw EndpointError(r.error);
    return *r.endpoint;
}

Host& Simulation::host_for(const Endpoint& e) {
    switch (e.kind) {
        case Endpoint::Kind::Internet:
            return *internet_;
        case Endpoint::Kind::Instance: {
            if (Host* h = host_by_eni_.at(e.eni)) return *h;
            throw EndpointError(
                fmt::format("instance '{}' is not running", host_name_of(*topology_, e)));
        }
        case Endpoint::Kind::Unassigned:
            break;
    }
    throw EndpointError(fmt::format("{} is held by no interface, so nothing can send from it",
                                    e.address.to_string()));
}

net::Ipv4Address Simulation::source_address(const Endpoint& e) const {
    // AWS: VPC_Internet_Gateway — the instance never sees its public address.
    return e.via_public_address ? topology_->enis[e.eni].primary_ip() : e.address;
}

net::Ipv4Address Simulation::destination_address(const Endpoint& from, const Endpoint& to) const {
    if (from.kind == Endpoint::Kind::Internet && to.kind == Endpoint::Kind::Instance &&
        !to.via_public_address) {
        if (auto pub = topology_->public_address_of_eni(to.eni)) return *pub;
    }
    // AWS: network-load-balancers — an internet-facing node's DNS answer is its public address.
    if (from.kind == Endpoint::Kind::Internet && to.load_balancer != model::kNone) {
        const model::LoadBalancer& lb = topology_->load_balancers[to.load_balancer];
        if (auto pub = topology_->public_address_of_lb_node(lb.nodes.front())) return *pub;
    }
    return to.address;
}

FlowId Simulation::connect(std::string_view from, std::string_view to, std::uint16_t port,
                           std::optional<std::uint16_t> source_port) {
    Endpoint src = endpoint(from);
    Endpoint dst = endpoint(to);
    return host_for(src).connect_tcp(destination_address(src, dst), port, source_port,
                                     source_address(src));
}

FlowId Simulation::send_udp(std::string_view from, std::string_view to, std::uint16_t port,
                            std::optional<std::uint16_t> source_port) {
    Endpoint src = endpoint(from);
    Endpoint dst = endpoint(to);
    return host_for(src).send_udp(destination_address(src, dst), port, source_port,
                                  source_address(src));
}

FlowId Simulation::ping(std::string_view from, std::string_view to) {
    Endpoint src = endpoint(from);
    Endpoint dst = endpoint(to);
    return host_for(src).ping(destination_address(src, dst), source_address(src));
}

FlowId Simulation::send_packet(std::string_view from, const PacketSpec& spec) {
    return host_for(endpoint(from)).send_packet(spec);
}

ExchangeId Simulation::http(std::string_view from, std::string_view to, std::uint16_t port,
                            lb::HttpRequest request) {
    return http(endpoint(from), endpoint(to), port, std::move(request));
}

ExchangeId Simulation::http(const Endpoint& src, const Endpoint& dst, std::uint16_t port,
                            lb::HttpRequest request) {
    if (dst.kind != Endpoint::Kind::Instance ||
        topology_->enis[dst.eni].load_balancer == model::kNone) {
        throw EndpointError(fmt::format(
            "{} is not an Application Load Balancer: expected its name, a node's ENI or a node's "
            "address",
            dst.label));
    }
    return albs_->start(host_for(src), source_address(src), dst.eni, destination_address(src, dst),
                        port, std::move(request));
}

void Simulation::send_tcp_data(FlowId id, std::size_t bytes) {
    const FlowRecord& record = flows_.at(id);
    host(record.host).send_tcp_data(id, bytes);
}

void Simulation::inject(engine::PortId port, Frame frame) {
    if (events_.now() >= last_expire_ + options_.expire_interval) {
        engine_->expire(events_.now());
        last_expire_ = events_.now();
    }
    engine_->receive(port, frame, events_.now());
}

void Simulation::to_engine(engine::PortId port, Frame frame) {
    events_.schedule_in(options_.link_delay, [this, port, frame = std::move(frame)]() mutable {
        inject(port, std::move(frame));
    });
}

void Simulation::play_port(engine::PortId port, PortReceiver receiver) {
    played_[port] = std::move(receiver);
}

void Simulation::transmit(engine::PortId port, std::span<const std::uint8_t> frame) {
    if (auto played = played_.find(port); played != played_.end()) {
        events_.schedule_in(options_.link_delay,
                            [this, &receiver = played->second,
                             copy = Frame(frame.begin(), frame.end())] { receiver(now(), copy); });
        return;
    }
    Host* target = host_at(port);
    if (target == nullptr) {
        ++undelivered_;
        return;
    }
    events_.schedule_in(
        options_.link_delay,
        [target, port, copy = Frame(frame.begin(), frame.end())] { target->receive(port, copy); });
}

std::uint64_t Simulation::drops(engine::DropReason reason) const {
    return counters().drops[static_cast<std::size_t>(reason)];
}

}  // namespace vpcstack::sim
