#include "vpcstack/lb/forward.hpp"

#include <fmt/format.h>

#include <array>
#include <charconv>
#include <chrono>

#include "vpcstack/model/invariant.hpp"

namespace vpcstack::lb {
namespace {

using model::Index;

const GroupState kUnknownGroup{};

std::optional<std::uint64_t> parse_u64(std::string_view text) noexcept {
    std::uint64_t value = 0;
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty()) return std::nullopt;
    return value;
}

// The value of a target's stickiness cookie: GROUP|ADDRESS:PORT|EXPIRES. The cloud encrypts
// its cookies; this one stays readable so that a trace can show which target it names.
std::string target_cookie_value(const model::TargetGroup& group, TargetEndpoint e,
                                std::uint64_t expires) {
    return fmt::format("{}|{}:{}|{}", group.meta.name, e.address.to_string(), e.port, expires);
}

struct TargetCookie {
    std::string_view group;
    TargetEndpoint endpoint;
    std::uint64_t expires = 0;
};

std::optional<TargetCookie> parse_target_cookie(std::string_view value) {
    const std::size_t last = value.rfind('|');
    if (last == std::string_view::npos || last == 0) return std::nullopt;
    const std::size_t middle = value.rfind('|', last - 1);
    if (middle == std::string_view::npos) return std::nullopt;
    const std::string_view endpoint = value.substr(middle + 1, last - middle - 1);
    const std::size_t colon = endpoint.rfind(':');
    if (colon == std::string_view::npos) return std::nullopt;
    const auto address = net::Ipv4Address::parse(endpoint.substr(0, colon));
    const auto port = parse_u64(endpoint.substr(colon + 1));
    const auto expires = parse_u64(value.substr(last + 1));
    if (!address || !port || *port > 65535 || !expires) return std::nullopt;
    return TargetCookie{
        value.substr(0, middle), {*address, static_cast<std::uint16_t>(*port)}, *expires};
}

// The target a request's stickiness cookie names, when it is one of the group's, unexpired
// and healthy.
std::optional<Index> sticky_target(const model::Topology& t, const model::TargetGroup& group,
                                   const GroupState& state, const HttpRequest& request,
                                   std::uint64_t now) {
    std::string_view name;
    switch (group.stickiness.kind) {
        case model::StickinessKind::LbCookie:
            name = kLbCookie;
            break;
        case model::StickinessKind::AppCookie:
            name = kAppCookie;
            break;
        default:
            return std::nullopt;
    }
    const auto value = request.cookie(name);
    if (!value) return std::nullopt;
    const auto cookie = parse_target_cookie(*value);
    if (!cookie || cookie->group != group.meta.name || cookie->expires <= now) return std::nullopt;
    for (std::size_t i = 0; i < group.targets.size(); ++i) {
        if (target_endpoint(t, group, group.targets[i]) != cookie->endpoint) continue;
        if (state.health_of(i) != TargetHealth::Healthy) return std::nullopt;
        return static_cast<Index>(i);
    }
    return std::nullopt;  // the target was deregistered
}

// The entry of the action whose group a request's AWSALBTG cookie names: GROUP|EXPIRES.
std::optional<std::uint32_t> sticky_entry(const model::Topology& t,
                                          const model::ListenerAction& action,
                                          const HttpRequest& request, std::uint64_t now) {
    const auto value = request.cookie(kGroupCookie);
    if (!value) return std::nullopt;
    const std::size_t bar = value->rfind('|');
    if (bar == std::string_view::npos) return std::nullopt;
    const auto expires = parse_u64(value->substr(bar + 1));
    if (!expires || *expires <= now) return std::nullopt;
    const std::string_view name = value->substr(0, bar);
    for (std::size_t e = 0; e < action.target_groups.size(); ++e) {
        if (t.target_groups[action.target_groups[e].target_group].meta.name == name) {
            return static_cast<std::uint32_t>(e);
        }
    }
    return std::nullopt;
}

}  // namespace

TargetEndpoint target_endpoint(const model::Topology& t, const model::TargetGroup& group,
                               const model::Target& target) {
    TargetEndpoint e{target.ip, target.port.value_or(group.port)};
    if (target.instance != model::kNone) {
        const model::Instance& instance = t.instances[target.instance];
        VPCSTACK_ASSERT(!instance.enis.empty(), "every instance has a primary ENI");
        e.address = t.enis[instance.enis.front()].primary_ip();
    }
    return e;
}

TargetHealth GroupState::health_of(std::size_t target) const noexcept {
    return target < health.size() ? health[target] : TargetHealth::Healthy;
}

std::uint32_t GroupState::outstanding_of(std::size_t target) const noexcept {
    return target < outstanding.size() ? outstanding[target] : 0;
}

std::optional<std::uint32_t> choose_weighted(std::span<const model::WeightedTargetGroup> groups,
                                             std::uint64_t draw) noexcept {
    std::uint64_t total = 0;
    for (const model::WeightedTargetGroup& g : groups) total += g.weight;
    if (total == 0) return std::nullopt;
    // Each group owns an interval of [0, total) as wide as its weight: a weight of 0 owns none.
    const std::uint64_t point = draw % total;
    std::uint64_t end = 0;
    for (std::size_t i = 0; i < groups.size(); ++i) {
        end += groups[i].weight;
        if (point < end) return static_cast<std::uint32_t>(i);
    }
    return std::nullopt;  // not reached: point < total
}

TargetPick TargetPicker::pick(const model::TargetGroup& group, const GroupState& state) {
    const std::size_t n = group.targets.size();
    if (n == 0) return {PickOutcome::NoTargets, model::kNone};
    bool any_healthy = false;
    for (std::size_t i = 0; i < n; ++i) any_healthy |= state.health_of(i) == TargetHealth::Healthy;
    // AWS: target-group-health-checks — with no healthy target, every target is a candidate.
    auto candidate = [&](std::size_t i) {
        return !any_healthy || state.health_of(i) == TargetHealth::Healthy;
    };
    const std::size_t start = next_ % n;
    std::optional<std::size_t> chosen;
    for (std::size_t k = 0; k < n; ++k) {
        const std::size_t i = (start + k) % n;
        if (!candidate(i)) continue;
        if (group.algorithm == model::LbAlgorithm::RoundRobin) {
            chosen = i;
            break;
        }
        // Least outstanding requests; a tie goes to the first in round-robin order.
        if (!chosen || state.outstanding_of(i) < state.outstanding_of(*chosen)) chosen = i;
    }
    VPCSTACK_ASSERT(chosen.has_value(), "a group with targets has a candidate");
    next_ = *chosen + 1;
    return {any_healthy ? PickOutcome::Healthy : PickOutcome::FailOpen,
            static_cast<Index>(*chosen)};
}

std::string SetCookie::header_value() const {
    using namespace std::chrono;
    // RFC 9110, section 5.6.7: IMF-fixdate.
    constexpr std::array<const char*, 7> kDays = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
    constexpr std::array<const char*, 12> kMonths = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                                     "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
    const sys_seconds at{seconds{static_cast<std::int64_t>(expires)}};
    const sys_days day = floor<days>(at);
    const year_month_day date{day};
    const hh_mm_ss<seconds> time{at - day};
    return fmt::format("{}={}; Expires={}, {:02} {} {} {:02}:{:02}:{:02} GMT; Path=/", name, value,
                       kDays[weekday{day}.c_encoding()], static_cast<unsigned>(date.day()),
                       kMonths[static_cast<unsigned>(date.month()) - 1],
                       static_cast<int>(date.year()), time.hours().count(), time.minutes().count(),
                       time.seconds().count());
}

std::vector<SetCookie> StickinessCookies::for_response(
    bool response_sets_application_cookie) const {
    std::vector<SetCookie> out;
    if (group) out.push_back(*group);
    if (target) out.push_back(*target);
    if (application && response_sets_application_cookie) out.push_back(*application);
    return out;
}

Forwarder::Forwarder(const model::Topology& topology)
    : topology_(&topology), pickers_(topology.target_groups.size()) {}

ForwardResult Forwarder::forward(const model::ListenerAction& action, const HttpRequest& request,
                                 std::span<const GroupState> states, std::uint64_t draw,
                                 std::uint64_t now) {
    VPCSTACK_ASSERT(action.kind == model::ActionKind::Forward,
                    "only a forward action sends a request to a target");
    const model::Topology& t = *topology_;
    ForwardResult r;

    // AWS: load-balancer-listeners (forward actions) — group stickiness keeps a client with the
    // group it was sent to for the duration, whatever the draw.
    std::optional<std::uint32_t> entry;
    if (action.group_stickiness) entry = sticky_entry(t, action, request, now);
    if (entry) {
        r.group_choice = GroupChoice::Sticky;
    } else {
        entry = choose_weighted(action.target_groups, draw);
    }
    if (!entry) {
        r.outcome = ForwardOutcome::NoWeightedGroup;
        r.status = 503;
        return r;
    }
    r.entry = *entry;
    r.target_group = action.target_groups[*entry].target_group;
    const model::TargetGroup& group = t.target_groups[r.target_group];
    if (action.group_stickiness) {
        const std::uint64_t expires = now + *action.group_stickiness;
        r.cookies.group = SetCookie{std::string(kGroupCookie),
                                    fmt::format("{}|{}", group.meta.name, expires), expires};
    }

    const GroupState& state =
        r.target_group < states.size() ? states[r.target_group] : kUnknownGroup;
    if (auto sticky = sticky_target(t, group, state, request, now)) {
        r.target = *sticky;
        r.target_choice = TargetChoice::Sticky;
    } else {
        const TargetPick pick = pickers_[r.target_group].pick(group, state);
        if (pick.outcome == PickOutcome::NoTargets) {
            r.outcome = ForwardOutcome::NoTargets;
            r.status = 503;
            return r;
        }
        r.target = pick.target;
        r.target_choice = pick.outcome == PickOutcome::FailOpen ? TargetChoice::FailOpen
                                                                : TargetChoice::Algorithm;
    }
    r.outcome = ForwardOutcome::Target;
    const TargetEndpoint e = target_endpoint(t, group, group.targets[r.target]);
    r.address = e.address;
    r.port = e.port;

    // Every response carries a fresh cookie, so a session lasts while the client is active.
    const std::uint64_t expires = now + group.stickiness.duration;
    if (group.stickiness.kind == model::StickinessKind::LbCookie) {
        r.cookies.target =
            SetCookie{std::string(kLbCookie), target_cookie_value(group, e, expires), expires};
    } else if (group.stickiness.kind == model::StickinessKind::AppCookie) {
        r.cookies.application =
            SetCookie{std::string(kAppCookie), target_cookie_value(group, e, expires), expires};
    }
    return r;
}

}  // namespace vpcstack::lb
