#include "vpcstack/importers/aws_elb_mapping.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace vpcstack::importers::aws {

namespace {

template <class T>
model::Field<T> written(T value) {
    return model::Field<T>::written(std::move(value));
}

// A whole number written as text ("503", "HTTP_301" with its prefix dropped).
std::optional<long> number_in(std::string text, const std::string& prefix = "") {
    if (!prefix.empty() && text.rfind(prefix, 0) == 0) text = text.substr(prefix.size());
    if (text.empty() || text.size() > 9 ||
        !std::all_of(text.begin(), text.end(), [](unsigned char c) { return std::isdigit(c); })) {
        return std::nullopt;
    }
    return std::stol(text);
}

bool is_http(model::LbProtocol p) {
    return p == model::LbProtocol::Http || p == model::LbProtocol::Https;
}

}  // namespace

std::optional<model::LbProtocol> map_lb_protocol(const std::string& aws) {
    return model::parse_lb_protocol(aws);
}

ActionOutcome map_actions(const std::vector<ElbAction>& actions, const GroupNamer& group_name) {
    ActionOutcome out;
    std::vector<const ElbAction*> ordered;
    for (const ElbAction& a : actions) ordered.push_back(&a);
    // AWS: actions without Order are listed in the order they run.
    std::stable_sort(ordered.begin(), ordered.end(), [](const ElbAction* a, const ElbAction* b) {
        return a->order.value_or(0) < b->order.value_or(0);
    });
    if (ordered.empty()) {
        out.why = "no action in the input";
        return out;
    }
    for (std::size_t i = 0; i + 1 < ordered.size(); ++i) out.dropped.push_back(ordered[i]->type);
    const ElbAction& a = *ordered.back();
    model::RawAction raw;
    if (a.type == "forward") {
        raw.kind = model::ActionKind::Forward;
        for (const WeightedGroupRef& ref : a.target_groups) {
            std::string name = group_name(ref.target_group_arn);
            if (name.empty()) {
                // AWS: a target group ARN ends in targetgroup/NAME/ID.
                const std::string& arn = ref.target_group_arn;
                std::size_t at = arn.find(":targetgroup/");
                std::string shown = arn;
                if (at != std::string::npos) {
                    shown = arn.substr(at + 13, arn.find('/', at + 13) - (at + 13));
                }
                out.why = fmt::format("forwards to target group {}, which is not imported", shown);
                out.not_modelled = "listener actions forwarding to target groups not imported";
                return out;
            }
            model::RawWeightedGroup w;
            w.name = written(name);
            // A lone group's weight says nothing; weights matter between groups.
            if (a.target_groups.size() > 1 && ref.weight) w.weight = written(long{*ref.weight});
            raw.target_groups.push_back(std::move(w));
        }
        if (raw.target_groups.empty()) {
            out.why = "a forward action without target groups";
            return out;
        }
        if (a.stickiness) raw.stickiness = written(long{*a.stickiness});
    } else if (a.type == "redirect") {
        raw.kind = model::ActionKind::Redirect;
        // AWS: load-balancer-listeners (redirect actions) — #{protocol}, #{host}, #{port},
        // /#{path} and #{query} keep the request's part, as an unset part does in the topology.
        auto part = [](const std::string& value, const char* keep) {
            return value.empty() || value == keep ? model::Field<std::string>{} : written(value);
        };
        raw.protocol = part(a.protocol, "#{protocol}");
        raw.host = part(a.host, "#{host}");
        raw.port = part(a.port, "#{port}");
        raw.path = part(a.path, "/#{path}");
        raw.query = part(a.query, "#{query}");
        auto code = number_in(a.status_code, "HTTP_");
        if (!code) {
            out.why =
                fmt::format("redirect status \"{}\"; expected HTTP_301 or HTTP_302", a.status_code);
            return out;
        }
        raw.status = written(*code);
    } else if (a.type == "fixed-response") {
        raw.kind = model::ActionKind::FixedResponse;
        auto code = number_in(a.status_code);
        if (!code) {
            out.why = fmt::format("fixed-response status \"{}\"; expected an HTTP status code",
                                  a.status_code);
            return out;
        }
        raw.status = written(*code);
        if (!a.content_type.empty()) raw.content_type = written(a.content_type);
        if (!a.message_body.empty()) raw.body = written(a.message_body);
    } else {
        out.why = fmt::format("{} action: not modelled yet", a.type);
        out.not_modelled = fmt::format("listener actions of type {}", a.type);
        return out;
    }
    out.action = std::move(raw);
    return out;
}

ConditionOutcome map_condition(const ElbCondition& c) {
    ConditionOutcome out;
    auto field = model::parse_condition_field(c.field);
    if (!field) {
        out.why = fmt::format("condition {}: not modelled yet", c.field);
        out.not_modelled = fmt::format("listener rule conditions of type {}", c.field);
        return out;
    }
    if (c.values.empty()) {
        out.why = fmt::format("condition {} without values", c.field);
        return out;
    }
    model::RawCondition raw;
    raw.field = *field;
    raw.header_name = c.header_name;
    if (*field == model::ConditionField::SourceIp) {
        for (const std::string& v : c.values) {
            auto cidr = net::Cidr::parse(v);
            if (!cidr) {
                out.why = fmt::format("source-ip {}: {}", v,
                                      v.find(':') != std::string::npos ? "IPv6: not modelled yet"
                                                                       : "not an IPv4 CIDR");
                if (v.find(':') != std::string::npos) {
                    out.not_modelled = "listener rule IPv6 source-ip conditions";
                }
                return out;
            }
            raw.source_ips.push_back(*cidr);
        }
    } else {
        raw.values = c.values;
    }
    out.condition = std::move(raw);
    return out;
}

std::vector<std::string> map_target_group_settings(const TargetGroup& g,
                                                   const ElbAttributes* attributes,
                                                   model::RawTargetGroup& out) {
    std::vector<std::string> notes;
    const std::optional<model::LbProtocol> protocol = map_lb_protocol(g.protocol);
    const bool alb_group = protocol && is_http(*protocol);
    // Health check. AWS: target-group-health-checks — the cloud reports every setting; they
    // are written as reported, since the topology's defaults depend on the load balancer type.
    model::RawHealthCheck& h = out.health_check;
    std::optional<model::LbProtocol> check = map_lb_protocol(g.health_check_protocol);
    if (!g.health_check_protocol.empty() && !check) {
        notes.push_back(
            fmt::format("health check protocol {}: not modelled yet", g.health_check_protocol));
    }
    if (check) h.protocol = written(*check);
    if (auto port = number_in(g.health_check_port)) h.port = written(*port);
    if (check && is_http(*check)) {
        if (!g.health_check_path.empty()) h.path = written(g.health_check_path);
        if (!g.matcher.empty()) h.matcher = written(g.matcher);
    }
    if (g.interval) h.interval = written(long{*g.interval});
    if (g.timeout) h.timeout = written(long{*g.timeout});
    if (g.healthy_threshold) h.healthy_threshold = written(long{*g.healthy_threshold});
    if (g.unhealthy_threshold) h.unhealthy_threshold = written(long{*g.unhealthy_threshold});
    if (attributes == nullptr) return notes;

    // Attributes. AWS: load-balancer-target-groups (target group attributes).
    const auto& a = attributes->values;
    auto value = [&](const char* key) -> std::string {
        auto it = a.find(key);
        return it == a.end() ? std::string() : it->second;
    };
    if (std::string v = value("preserve_client_ip.enabled"); !v.empty() && !alb_group) {
        out.preserve_client_ip = written(v == "true");
    }
    if (value("stickiness.enabled") == "true") {
        const std::string type = value("stickiness.type");
        if (type == "lb_cookie") {
            out.stickiness = written(model::StickinessKind::LbCookie);
            if (auto d = number_in(value("stickiness.lb_cookie.duration_seconds"))) {
                out.stickiness_duration = written(*d);
            }
        } else if (type == "app_cookie") {
            out.stickiness = written(model::StickinessKind::AppCookie);
            if (auto d = number_in(value("stickiness.app_cookie.duration_seconds"))) {
                out.stickiness_duration = written(*d);
            }
            if (std::string name = value("stickiness.app_cookie.cookie_name"); !name.empty()) {
                out.cookie_name = written(name);
            }
        } else if (type == "source_ip") {
            out.stickiness = written(model::StickinessKind::SourceIp);
        } else {
            notes.push_back(fmt::format("stickiness type {}: not modelled yet", type));
        }
    }
    if (auto d = number_in(value("deregistration_delay.timeout_seconds"))) {
        out.deregistration_delay = written(*d);
    }
    if (std::string algorithm = value("load_balancing.algorithm.type"); !algorithm.empty()) {
        if (algorithm == "round_robin") {
            out.algorithm = written(model::LbAlgorithm::RoundRobin);
        } else if (algorithm == "least_outstanding_requests") {
            out.algorithm = written(model::LbAlgorithm::LeastOutstandingRequests);
        } else {
            notes.push_back(fmt::format(
                "load_balancing.algorithm.type {}: not modelled yet (round_robin applies)",
                algorithm));
        }
    }
    return notes;
}

std::string certificate_name(const std::string& arn, const std::vector<Certificate>& known,
                             bool& derived) {
    derived = false;
    for (const Certificate& c : known) {
        if (c.arn == arn && !c.domain.empty()) return c.domain;
    }
    derived = true;
    // arn:aws:acm:REGION:ACCOUNT:certificate/ID, arn:aws:iam::ACCOUNT:server-certificate/NAME
    std::size_t slash = arn.rfind('/');
    std::string last = slash == std::string::npos ? arn : arn.substr(slash + 1);
    const bool acm = arn.find(":acm:") != std::string::npos;
    return acm ? "acm-" + last : last;
}

}  // namespace vpcstack::importers::aws
