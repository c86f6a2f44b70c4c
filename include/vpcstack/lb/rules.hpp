// The request routing of an Application Load Balancer listener: which rule a request matches
// and so which action it gets. The one definition of ALB rule semantics, read by the simulation,
// `vpcctl trace --http` and the live configuration alike.
//
// AWS: load-balancer-listeners (listener rules, rule condition types) —
// - rules are evaluated in priority order, lowest first; the first rule that matches decides,
//   and a request no rule matches gets the listener's default action;
// - a rule matches when every one of its conditions does; a condition matches when any one of
//   its values does;
// - host-header: the Host header without its port, not case-sensitive, '*' and '?' wildcards;
// - path-pattern: the path only (not the query string), case-sensitive, '*' and '?';
// - http-header: the header's name and values are not case-sensitive, values have wildcards;
// - http-request-method: case-sensitive, an exact match;
// - query-string: KEY=VALUE, or a VALUE for any key; not case-sensitive, wildcards ('\' escapes
//   a literal '*' or '?'), compared with the request's percent-decoded parameters;
// - source-ip: the address of the connection's peer in one of the CIDR blocks (a client behind
//   a proxy is the proxy's address: X-Forwarded-For is not read).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "vpcstack/lb/http_request.hpp"
#include "vpcstack/model/topology.hpp"

namespace vpcstack::lb {

// Why a condition did not match.
enum class ConditionMiss : std::uint8_t {
    NoValueMatched,  // what the condition reads is in the request; no value of it matched
    Absent,          // the request has nothing it reads: no Host, no such header, no query string
};

// One condition judged against one request.
struct ConditionResult {
    bool matched = false;
    std::uint32_t value = 0;  // matched: the value (or source-ip CIDR) that matched
    ConditionMiss miss = ConditionMiss::NoValueMatched;  // not matched: why
};

ConditionResult evaluate(const model::RuleCondition& condition, const HttpRequest& request);

// A rule passed over: the first of its conditions, in the order written, that did not match.
struct SkippedRule {
    std::uint32_t rule = 0;  // index into Listener::rules
    std::uint32_t priority = 0;
    std::uint32_t condition = 0;  // index into the rule's conditions
    model::ConditionField field = model::ConditionField::PathPattern;
    ConditionMiss miss = ConditionMiss::NoValueMatched;
};

struct RuleMatch {
    std::optional<std::uint32_t> rule;      // index into Listener::rules; unset: the default action
    std::optional<std::uint32_t> priority;  // the matched rule's priority; unset for the default
    const model::ListenerAction* action = nullptr;  // into the listener, which must outlive this
    // For the matched rule: per condition, the index of the value that matched.
    std::vector<std::uint32_t> matched_values;
    std::vector<SkippedRule> skipped;  // every rule evaluated before, in priority order

    bool is_default() const noexcept { return !rule.has_value(); }
};

RuleMatch route(const model::Listener& listener, const HttpRequest& request);

// A query-string condition value: "KEY=VALUE", or "=VALUE" or "VALUE" for a value under any
// key. The first '=' not escaped by '\' separates the key.
struct KeyValuePattern {
    std::optional<std::string_view> key;
    std::string_view value;
};
KeyValuePattern split_key_value(std::string_view pattern) noexcept;

}  // namespace vpcstack::lb
