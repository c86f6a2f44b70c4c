#include "vpcstack/sim/alb.hpp"

#include <fmt/format.h>

#include <memory>

#include "vpcstack/lb/forwarded_headers.hpp"
#include "vpcstack/lb/responses.hpp"
#include "vpcstack/model/invariant.hpp"
#include "vpcstack/net/protocol.hpp"

namespace vpcstack::sim {
namespace {

using model::Index;

// The simulation's clock starts at this instant of the calendar (2026-01-01T00:00:00Z), so
// stickiness cookies carry real expiry dates.
constexpr std::uint64_t kEpochBase = 1767225600;

// A deterministic draw for weighted target groups (splitmix64 of the exchange's number).
std::uint64_t draw_for(ExchangeId id) {
    std::uint64_t z = (id + 1) * 0x9E3779B97F4A7C15ull;
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

// The size of the data segment that stands for a request on the wire.
std::size_t request_bytes(const lb::HttpRequest& r) {
    std::size_t n = r.method.size() + r.path.size() + r.query.size() + r.host.size() + 32;
    for (const lb::HttpHeader& h : r.headers) n += h.name.size() + h.value.size() + 4;
    return n;
}

}  // namespace

std::string_view to_string(HttpAnswer a) {
    switch (a) {
        case HttpAnswer::Pending:
            return "pending";
        case HttpAnswer::ClientNotConnected:
            return "client not connected";
        case HttpAnswer::Target:
            return "target";
        case HttpAnswer::Redirect:
            return "redirect";
        case HttpAnswer::FixedResponse:
            return "fixed response";
        case HttpAnswer::NoTarget:
            return "no target (503)";
        case HttpAnswer::BadGateway:
            return "bad gateway (502)";
        case HttpAnswer::GatewayTimeout:
            return "gateway timeout (504)";
    }
    return "?";
}

std::string_view HttpExchange::response_header(std::string_view name) const {
    for (const lb::HttpHeader& h : response_headers) {
        if (lb::equals_ignoring_case(h.name, name)) return h.value;
    }
    return {};
}

AlbProxies::AlbProxies(const model::Topology& t, EventQueue& events, HostOf host_of_eni)
    : topology_(&t),
      events_(&events),
      host_of_eni_(std::move(host_of_eni)),
      forwarder_(t),
      health_(t.target_groups.size()),
      states_(t.target_groups.size()),
      metrics_(t.load_balancers.size()),
      group_requests_(t.target_groups.size(), 0) {
    for (Index g = 0; g < t.target_groups.size(); ++g) {
        const std::size_t n = t.target_groups[g].targets.size();
        health_[g].state.assign(n, lb::TargetHealth::Initial);
        states_[g].outstanding.assign(n, 0);
    }
}

std::uint64_t AlbProxies::seconds_now() const {
    return kEpochBase + static_cast<std::uint64_t>(events_->now() / kSecond);
}

std::function<void(const net::FiveTuple&)> AlbProxies::acceptor(Index node_eni) {
    return [this, node_eni](const net::FiveTuple& received) {
        auto it = waiting_accept_.find(node_eni);
        if (it == waiting_accept_.end() || it->second.empty()) return;  // not one of ours
        std::deque<ExchangeId>& queue = it->second;
        // The request on this connection: the one whose client sent from this address and
        // port, else (the source was translated on the way, by a NAT gateway) the oldest.
        auto pick = queue.begin();
        for (auto q = queue.begin(); q != queue.end(); ++q) {
            const HttpExchange& ex = exchanges_[*q];
            if (ex.request.source == received.src &&
                ex.request.listener_port == received.dst_port) {
                pick = q;
                break;
            }
        }
        const ExchangeId id = *pick;
        queue.erase(pick);
        exchanges_[id].request.source = received.src;
        // Off the host's receive path: the proxy opens connections of the same host.
        events_->schedule_in(0, [this, id] { arrived(id); });
    };
}

ExchangeId AlbProxies::start(Host& client, net::Ipv4Address client_source, Index node_eni,
                             net::Ipv4Address node_address, std::uint16_t port,
                             lb::HttpRequest request) {
    const model::Eni& eni = topology_->enis[node_eni];
    VPCSTACK_ASSERT(eni.load_balancer != model::kNone, "an ALB request goes to an ALB node");
    const ExchangeId id = exchanges_.size();
    HttpExchange& ex = exchanges_.emplace_back();
    ex.id = id;
    ex.load_balancer = eni.load_balancer;
    ex.node_eni = node_eni;
    const model::LoadBalancer& lb = topology_->load_balancers[eni.load_balancer];
    for (Index l = 0; l < lb.listeners.size(); ++l) {
        if (lb.listeners[l].port == port) ex.listener = l;
    }
    request.source = client_source;
    request.listener_port = port;
    if (ex.listener != model::kNone) request.listener_protocol = lb.listeners[ex.listener].protocol;
    ex.request = std::move(request);
    ex.client_flow = client.connect_tcp(node_address, port, {}, client_source);
    if (ex.listener != model::kNone) waiting_accept_[node_eni].push_back(id);
    client.when_decided(ex.client_flow, [this, id, &client](const FlowRecord& flow) {
        HttpExchange& e = exchanges_[id];
        if (flow.outcome == Outcome::Connected) {
            client.send_tcp_data(e.client_flow, request_bytes(e.request));
            return;
        }
        auto& queue = waiting_accept_[e.node_eni];
        std::erase(queue, id);
        finish(id, HttpAnswer::ClientNotConnected, 0);
    });
    return id;
}

void AlbProxies::arrived(ExchangeId id) {
    HttpExchange& ex = exchanges_[id];
    const model::Listener& listener =
        topology_->load_balancers[ex.load_balancer].listeners[ex.listener];
    ex.match = lb::route(listener, ex.request);
    const model::ListenerAction& action = *ex.match.action;
    switch (action.kind) {
        case model::ActionKind::Redirect: {
            const lb::RedirectResponse r = lb::render_redirect(action, ex.request);
            ex.response_headers.push_back({"Location", r.location});
            finish(id, HttpAnswer::Redirect, r.status);
            return;
        }
        case model::ActionKind::FixedResponse: {
            const lb::FixedResponse r = lb::render_fixed_response(action);
            ex.response_headers.push_back({"Content-Type", r.content_type});
            ex.body = r.body;
            finish(id, HttpAnswer::FixedResponse, r.status);
            return;
        }
        case model::ActionKind::Forward:
            break;
    }
    // Every group the action may pick needs a fresh view of its targets' health.
    auto pending = std::make_shared<std::size_t>(action.target_groups.size());
    if (*pending == 0) {
        forward(id);
        return;
    }
    for (const model::WeightedTargetGroup& w : action.target_groups) {
        ensure_health(w.target_group, ex.node_eni, [this, id, pending] {
            if (--*pending == 0) forward(id);
        });
    }
}

void AlbProxies::ensure_health(Index g, Index node_eni, std::function<void()> then) {
    Health& h = health_[g];
    const model::TargetGroup& group = topology_->target_groups[g];
    const TimeNs interval = static_cast<TimeNs>(group.health_check.interval) * kSecond;
    if (h.known && events_->now() < h.checked + interval) {
        then();
        return;
    }
    h.waiting.push_back(std::move(then));
    if (h.running) return;
    Host* node = host_of_eni_(node_eni);
    VPCSTACK_ASSERT(node != nullptr, "every ALB node has a host");
    h.running = true;
    h.checks.clear();
    h.remaining = group.targets.size();
    if (h.remaining == 0) {
        h.running = false;
        h.known = true;
        h.checked = events_->now();
        auto waiting = std::move(h.waiting);
        for (auto& w : waiting) w();
        return;
    }
    // AWS: target-group-health-checks — from the load balancer's nodes to each target, on the
    // health-check port (the traffic port unless one is set).
    for (std::size_t i = 0; i < group.targets.size(); ++i) {
        const lb::TargetEndpoint e = lb::target_endpoint(*topology_, group, group.targets[i]);
        const std::uint16_t port = group.health_check.port.value_or(e.port);
        const FlowId check = node->connect_tcp(e.address, port);
        h.checks.push_back(check);
        node->when_decided(check, [this, g, i](const FlowRecord& flow) {
            Health& hh = health_[g];
            hh.state[i] = flow.outcome == Outcome::Connected ? lb::TargetHealth::Healthy
                                                             : lb::TargetHealth::Unhealthy;
            if (--hh.remaining > 0) return;
            hh.running = false;
            hh.known = true;
            hh.checked = events_->now();
            states_[g].health = hh.state;
            auto waiting = std::move(hh.waiting);
            for (auto& w : waiting) w();
        });
    }
}

void AlbProxies::forward(ExchangeId id) {
    HttpExchange& ex = exchanges_[id];
    const model::ListenerAction& action = *ex.match.action;
    for (const model::WeightedTargetGroup& w : action.target_groups) {
        const auto& checks = health_[w.target_group].checks;
        ex.health_checks.insert(ex.health_checks.end(), checks.begin(), checks.end());
    }
    ex.forward = forwarder_.forward(action, ex.request, states_, draw_for(id), seconds_now());
    for (const lb::SetCookie& c : ex.forward->cookies.for_response(false)) {
        ex.response_headers.push_back({"Set-Cookie", c.header_value()});
    }
    if (ex.forward->outcome != lb::ForwardOutcome::Target) {
        finish(id, HttpAnswer::NoTarget, ex.forward->status);
        return;
    }
    connect_target(id);
}

void AlbProxies::connect_target(ExchangeId id) {
    HttpExchange& ex = exchanges_[id];
    const lb::ForwardResult& f = *ex.forward;
    const model::Target& target = topology_->target_groups[f.target_group].targets[f.target];
    ex.target = target.instance != model::kNone ? topology_->instances[target.instance].meta.name
                                                : f.address.to_string();
    ex.to_target = lb::toward_target(ex.request);
    ++states_[f.target_group].outstanding[f.target];
    Host* node = host_of_eni_(ex.node_eni);
    // AWS: an ALB connects to its targets from its nodes' private addresses.
    ex.target_flow = node->connect_tcp(f.address, f.port);
    node->when_decided(*ex.target_flow,
                       [this, id](const FlowRecord& flow) { answer_target(id, flow); });
}

void AlbProxies::answer_target(ExchangeId id, const FlowRecord& flow) {
    HttpExchange& ex = exchanges_[id];
    const lb::ForwardResult& f = *ex.forward;
    --states_[f.target_group].outstanding[f.target];
    switch (flow.outcome) {
        case Outcome::Connected:
            host_of_eni_(ex.node_eni)->send_tcp_data(flow.id, request_bytes(ex.to_target));
            ex.body = ex.target;
            finish(id, HttpAnswer::Target, 200);
            return;
        // AWS: load-balancer-troubleshooting — HTTP 502: the target reset the connection or
        // the connection failed; HTTP 504: the connection to the target timed out.
        case Outcome::TimedOut:
        case Outcome::Unresolved:
            finish(id, HttpAnswer::GatewayTimeout, 504);
            return;
        default:
            finish(id, HttpAnswer::BadGateway, 502);
            return;
    }
}

void AlbProxies::finish(ExchangeId id, HttpAnswer answer, std::uint16_t status) {
    HttpExchange& ex = exchanges_[id];
    ex.answer = answer;
    ex.status = status;
    if (answer == HttpAnswer::ClientNotConnected) return;  // no request reached it
    AlbMetrics& m = metrics_[ex.load_balancer];
    ++m.RequestCount;
    if (ex.forward && ex.forward->target_group != model::kNone) {
        ++group_requests_[ex.forward->target_group];
    }
    switch (answer) {
        case HttpAnswer::Target:
            ++m.HTTPCode_Target_2XX_Count;
            return;
        case HttpAnswer::Redirect:
            ++m.HTTP_Redirect_Count;
            break;
        case HttpAnswer::FixedResponse:
            ++m.HTTP_Fixed_Response_Count;
            break;
        case HttpAnswer::NoTarget:
            ++m.HTTPCode_ELB_503_Count;
            break;
        case HttpAnswer::BadGateway:
            ++m.HTTPCode_ELB_502_Count;
            ++m.TargetConnectionErrorCount;
            break;
        case HttpAnswer::GatewayTimeout:
            ++m.HTTPCode_ELB_504_Count;
            ++m.TargetConnectionErrorCount;
            break;
        case HttpAnswer::Pending:
        case HttpAnswer::ClientNotConnected:
            return;
    }
    switch (status / 100) {
        case 3:
            ++m.HTTPCode_ELB_3XX_Count;
            break;
        case 4:
            ++m.HTTPCode_ELB_4XX_Count;
            break;
        case 5:
            ++m.HTTPCode_ELB_5XX_Count;
            break;
        default:
            break;
    }
}

TargetGroupMetrics AlbProxies::group_metrics(Index g) const {
    TargetGroupMetrics m;
    m.RequestCount = group_requests_.at(g);
    for (lb::TargetHealth h : health_[g].state) {
        if (h == lb::TargetHealth::Healthy) ++m.HealthyHostCount;
        if (h == lb::TargetHealth::Unhealthy) ++m.UnHealthyHostCount;
    }
    const std::uint64_t over =
        m.HealthyHostCount > 0 ? m.HealthyHostCount : health_[g].state.size();
    if (over > 0) m.RequestCountPerTarget = static_cast<double>(m.RequestCount) / over;
    return m;
}

}  // namespace vpcstack::sim
