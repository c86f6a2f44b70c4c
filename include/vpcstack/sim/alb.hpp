// The Application Load Balancers of a simulation, at connection level. AWS:
// application-load-balancers, load-balancer-listeners, load-balancer-target-groups,
// target-group-health-checks, load-balancer-troubleshooting (HTTP errors).
//
// An ALB node is an ENI of the topology with a simulated host behind it that accepts TCP on the
// listeners' ports. An HTTP request is a real connection from the client to the node, judged by
// the engine like any other (the node's security groups and subnet ACL, the client's side);
// once the node accepts it, the proxy routes the request with src/lb (rules by priority, the
// action, weighted groups, stickiness, the routing algorithm) and opens its own connection from
// the node's private address to the chosen target, which the engine judges again (the ALB's
// outbound rules, the target's security group and ACL). The answer is the one the cloud gives:
//
// - 200 from the target, whose simulated HTTP responder returns its name;
// - the listener's redirect or fixed response;
// - 503 when the chosen group has no registered target (or every weight is 0);
// - 502 when the target refuses or resets the connection (or an ICMP error comes back);
// - 504 when the connection to the target times out.
//
// Health checks are real connections too, from the node to each target's health-check port
// (the traffic port unless set), so a target whose security group does not admit the load
// balancer is unhealthy. They run when a request needs a group whose health is older than the
// check interval (nothing runs while no request comes, so a simulation still goes idle), and
// one round decides each target's state: the state the cloud reaches after the thresholds'
// run of passing or failing checks. When no target is healthy the group fails open.
//
// The HTTP bytes themselves are not carried: the client sends one data segment for the request
// and the node one toward the target, so captures and traces show the connections' data.
#pragma once
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "vpcstack/lb/forward.hpp"
#include "vpcstack/lb/http_request.hpp"
#include "vpcstack/lb/rules.hpp"
#include "vpcstack/model/topology.hpp"
#include "vpcstack/sim/event_queue.hpp"
#include "vpcstack/sim/host.hpp"

namespace vpcstack::sim {

using ExchangeId = std::size_t;

// How an HTTP request through an ALB ended.
enum class HttpAnswer : std::uint8_t {
    Pending,             // still in flight
    ClientNotConnected,  // the client's connection to the node failed (see client_flow)
    Target,              // a target answered 200
    Redirect,            // the listener's redirect action
    FixedResponse,       // the listener's fixed-response action
    NoTarget,            // 503: the chosen group has no registered target
    BadGateway,          // 502: the target refused or reset the connection
    GatewayTimeout,      // 504: the connection to the target timed out
};
std::string_view to_string(HttpAnswer answer);

// One request through a load balancer, as the client and the load balancer saw it.
struct HttpExchange {
    ExchangeId id = 0;
    model::Index load_balancer = model::kNone;
    model::Index listener = model::kNone;  // kNone: no listener on the port (connection refused)
    model::Index node_eni = model::kNone;  // the node the client connected to
    FlowId client_flow = 0;
    lb::HttpRequest request;  // as the listener saw it: source is the peer as the node saw it
    lb::RuleMatch match;      // set once the request arrived
    std::optional<lb::ForwardResult> forward;  // a forward action's decision
    std::vector<FlowId> health_checks;         // the checks this request waited for
    std::optional<FlowId> target_flow;         // the node's connection to the target
    std::string target;                        // the target's name (instance) or address
    lb::HttpRequest to_target;                 // the request as the target received it
    HttpAnswer answer = HttpAnswer::Pending;
    std::uint16_t status = 0;
    std::vector<lb::HttpHeader> response_headers;  // Location, Set-Cookie, Content-Type
    std::string body;
    bool done() const noexcept { return answer != HttpAnswer::Pending; }
    // The value of a response header (first of that name), empty when absent.
    std::string_view response_header(std::string_view name) const;
};

// What the cloud's metrics count of one ALB (AWS: load-balancer-cloudwatch-metrics,
// AWS/ApplicationELB; health check requests excluded). HTTP_Fixed_Response_Count and
// HTTP_Redirect_Count count those actions; the ELB codes are the answers the load balancer
// gives itself (a fixed response's 4XX and 5XX included); a connection to a target that is
// refused, reset or times out is a TargetConnectionErrorCount.
struct AlbMetrics {
    std::uint64_t RequestCount = 0;
    std::uint64_t HTTP_Fixed_Response_Count = 0;
    std::uint64_t HTTP_Redirect_Count = 0;
    std::uint64_t HTTPCode_ELB_3XX_Count = 0;
    std::uint64_t HTTPCode_ELB_4XX_Count = 0;
    std::uint64_t HTTPCode_ELB_5XX_Count = 0;
    std::uint64_t HTTPCode_ELB_502_Count = 0;
    std::uint64_t HTTPCode_ELB_503_Count = 0;
    std::uint64_t HTTPCode_ELB_504_Count = 0;
    std::uint64_t HTTPCode_Target_2XX_Count = 0;
    std::uint64_t TargetConnectionErrorCount = 0;
};

// Per target group: the requests it received, its targets' health at the last check, and
// RequestCountPerTarget, the requests divided by the healthy targets (all of them when none is
// healthy), the metric of the cloud's target-tracking policy ALBRequestCountPerTarget.
struct TargetGroupMetrics {
    std::uint64_t RequestCount = 0;
    std::uint64_t HealthyHostCount = 0;
    std::uint64_t UnHealthyHostCount = 0;
    double RequestCountPerTarget = 0;
};

// The proxies of every ALB of one simulation. The Simulation owns it.
class AlbProxies {
  public:
    using HostOf = std::function<Host*(model::Index eni)>;
    AlbProxies(const model::Topology& topology, EventQueue& events, HostOf host_of_eni);

    // The accept hook of a node's host (Host::Config::accepted).
    std::function<void(const net::FiveTuple&)> acceptor(model::Index node_eni);

    // Starts a request from `client` (already resolved) to a node on a port, now.
    ExchangeId start(Host& client, net::Ipv4Address client_source, model::Index node_eni,
                     net::Ipv4Address node_address, std::uint16_t port, lb::HttpRequest request);
    const HttpExchange& exchange(ExchangeId id) const { return exchanges_.at(id); }
    const AlbMetrics& metrics(model::Index load_balancer) const {
        return metrics_.at(load_balancer);
    }
    TargetGroupMetrics group_metrics(model::Index target_group) const;

  private:
    struct Health {
        std::vector<lb::TargetHealth> state;  // per target of the group
        TimeNs checked = 0;
        bool known = false;
        bool running = false;
        std::size_t remaining = 0;
        std::vector<FlowId> checks;
        std::vector<std::function<void()>> waiting;
    };
    void arrived(ExchangeId id);
    void forward(ExchangeId id);
    void connect_target(ExchangeId id);
    void answer_target(ExchangeId id, const FlowRecord& flow);
    void finish(ExchangeId id, HttpAnswer answer, std::uint16_t status);
    void ensure_health(model::Index group, model::Index node_eni, std::function<void()> then);
    std::uint64_t seconds_now() const;

    const model::Topology* topology_;
    EventQueue* events_;
    HostOf host_of_eni_;
    lb::Forwarder forwarder_;
    std::deque<HttpExchange> exchanges_;
    std::map<model::Index, std::deque<ExchangeId>> waiting_accept_;  // by node ENI
    std::vector<Health> health_;                                     // per target group
    std::vector<lb::GroupState> states_;                             // per target group
    std::vector<AlbMetrics> metrics_;                                // per load balancer
    std::vector<std::uint64_t> group_requests_;                      // per target group
};

}  // namespace vpcstack::sim
