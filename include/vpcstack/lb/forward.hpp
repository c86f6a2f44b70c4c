// The forward action of an Application Load Balancer: which target group, then which target of
// it, receives a request. AWS: load-balancer-listeners (forward actions),
// load-balancer-target-groups (routing algorithm, health), sticky-sessions.
//
// - Weighted target groups: each group gets a share of requests in proportion to its weight
//   (0-999); a group of weight 0 is never chosen. With group stickiness on, a request carrying the
//   AWSALBTG cookie of one of the action's groups stays with that group for the duration.
// - Within a group, round robin or least outstanding requests, over the healthy targets only;
//   when none is healthy the load balancer routes to all targets ("fails open"); a group with no
//   registered target answers 503.
// - Stickiness of a group: lb_cookie, the load balancer's AWSALB cookie that names the target
//   for the duration; app_cookie, the AWSALBAPP-0 cookie the load balancer adds when the
//   target's response sets the application's cookie. A request carrying a valid cookie of a
//   healthy target goes to that target; one whose target is unhealthy, gone or expired is
//   balanced again and gets a new cookie.
//
// Choices are deterministic: the weighted draw is a caller-supplied 64-bit value and time is the
// caller's (seconds since the epoch), so the simulation and the tests reproduce every decision.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vpcstack/lb/http_request.hpp"
#include "vpcstack/model/topology.hpp"
#include "vpcstack/net/ipv4.hpp"

namespace vpcstack::lb {

// The cookies of the cloud's stickiness. AWS: sticky-sessions.
inline constexpr std::string_view kLbCookie = "AWSALB";
inline constexpr std::string_view kAppCookie = "AWSALBAPP-0";
inline constexpr std::string_view kGroupCookie = "AWSALBTG";

// The address and port a target receives requests on: an instance target's primary private
// address or an IP target's address, on the target's port or else the group's.
struct TargetEndpoint {
    net::Ipv4Address address;
    std::uint16_t port = 0;
    bool operator==(const TargetEndpoint&) const = default;
};
TargetEndpoint target_endpoint(const model::Topology& topology, const model::TargetGroup& group,
                               const model::Target& target);

// A target's health as its group's health checks judge it. AWS: target-group-health-checks —
// only healthy targets receive requests while any target of the group is healthy.
enum class TargetHealth : std::uint8_t { Healthy, Unhealthy, Initial };

// What the balancer knows of one group's targets now, one entry per registered target in the
// group's order. Empty vectors: every target healthy, none with requests outstanding.
struct GroupState {
    std::vector<TargetHealth> health;
    std::vector<std::uint32_t> outstanding;  // requests in flight (least outstanding requests)

    TargetHealth health_of(std::size_t target) const noexcept;
    std::uint32_t outstanding_of(std::size_t target) const noexcept;
};

// Index of the chosen entry of `groups`; unset when every weight is 0.
std::optional<std::uint32_t> choose_weighted(std::span<const model::WeightedTargetGroup> groups,
                                             std::uint64_t draw) noexcept;

enum class PickOutcome : std::uint8_t {
    Healthy,    // a healthy target
    FailOpen,   // no target was healthy: chosen among all of them
    NoTargets,  // the group has no registered target (HTTP 503)
};

struct TargetPick {
    PickOutcome outcome = PickOutcome::NoTargets;
    model::Index target = model::kNone;  // index into TargetGroup::targets
};

// The routing algorithm of one target group, with its round-robin position.
class TargetPicker {
  public:
    TargetPick pick(const model::TargetGroup& group, const GroupState& state);

  private:
    std::size_t next_ = 0;  // where round robin (and ties of least outstanding) start
};

// A cookie the load balancer sets toward the client.
struct SetCookie {
    std::string name;
    std::string value;
    std::uint64_t expires = 0;  // seconds since the epoch

    // NAME=VALUE; Expires=Thu, 03 Dec 2026 11:17:51 GMT; Path=/
    std::string header_value() const;
};

// The stickiness cookies of one decision. The application cookie is sent only when the
// target's response sets the application's own cookie (TargetGroup::stickiness.cookie_name).
struct StickinessCookies {
    std::optional<SetCookie> group;        // AWSALBTG
    std::optional<SetCookie> target;       // AWSALB
    std::optional<SetCookie> application;  // AWSALBAPP-0

    std::vector<SetCookie> for_response(bool response_sets_application_cookie) const;
};

enum class ForwardOutcome : std::uint8_t {
    Target,           // a target was chosen
    NoTargets,        // the chosen group has no registered target: 503
    NoWeightedGroup,  // every group of the action has weight 0: 503
};
enum class GroupChoice : std::uint8_t { Weighted, Sticky };
enum class TargetChoice : std::uint8_t { Algorithm, Sticky, FailOpen };

struct ForwardResult {
    ForwardOutcome outcome = ForwardOutcome::NoWeightedGroup;
    std::uint16_t status = 0;                  // 503 when no target; 0 when a target answers
    std::uint32_t entry = UINT32_MAX;          // index into the action's target_groups
    model::Index target_group = model::kNone;  // index into Topology::target_groups
    model::Index target = model::kNone;        // index into that group's targets
    net::Ipv4Address address;                  // the target's address and port
    std::uint16_t port = 0;
    GroupChoice group_choice = GroupChoice::Weighted;
    TargetChoice target_choice = TargetChoice::Algorithm;
    StickinessCookies cookies;
};

// The forward decisions of the load balancers of one topology: a round-robin position per target
// group. The topology must outlive it.
class Forwarder {
  public:
    explicit Forwarder(const model::Topology& topology);

    // `states` holds one entry per target group of the topology (missing entries: all healthy,
    // none outstanding); `draw` picks among weighted groups; `now` is seconds since the epoch.
    ForwardResult forward(const model::ListenerAction& action, const HttpRequest& request,
                          std::span<const GroupState> states, std::uint64_t draw,
                          std::uint64_t now);

  private:
    const model::Topology* topology_;
    std::vector<TargetPicker> pickers_;
};

}  // namespace vpcstack::lb
