#include "vpcstack/lb/rules.hpp"

#include <algorithm>
#include <numeric>

#include "vpcstack/lb/wildcard.hpp"

namespace vpcstack::lb {
namespace {

using model::ConditionField;

ConditionResult matched(std::size_t value) {
    return {true, static_cast<std::uint32_t>(value), ConditionMiss::NoValueMatched};
}
constexpr ConditionResult kNoValue{false, 0, ConditionMiss::NoValueMatched};
constexpr ConditionResult kAbsent{false, 0, ConditionMiss::Absent};

ConditionResult query_string(const model::RuleCondition& c, const HttpRequest& request) {
    const std::vector<QueryParameter> parameters = parse_query(request.query);
    if (parameters.empty()) return kAbsent;
    for (std::size_t v = 0; v < c.values.size(); ++v) {
        const KeyValuePattern kv = split_key_value(c.values[v]);
        for (const QueryParameter& p : parameters) {
            if (kv.key &&
                !wildcard_match(*kv.key, p.key, CaseRule::Insensitive, Escapes::Backslash)) {
                continue;
            }
            if (wildcard_match(kv.value, p.value, CaseRule::Insensitive, Escapes::Backslash)) {
                return matched(v);
            }
        }
    }
    return kNoValue;
}

ConditionResult http_header(const model::RuleCondition& c, const HttpRequest& request) {
    const std::vector<std::string_view> present = request.header_values(c.header_name);
    if (present.empty()) return kAbsent;
    for (std::size_t v = 0; v < c.values.size(); ++v) {
        for (std::string_view value : present) {
            if (wildcard_match(c.values[v], value, CaseRule::Insensitive)) return matched(v);
        }
    }
    return kNoValue;
}

// The first value that matches `text` under the rule's case rule.
ConditionResult any_pattern(const model::RuleCondition& c, std::string_view text, CaseRule rule) {
    for (std::size_t v = 0; v < c.values.size(); ++v) {
        if (wildcard_match(c.values[v], text, rule)) return matched(v);
    }
    return kNoValue;
}

}  // namespace

// A query-string value: "KEY=VALUE", or "=VALUE" or "VALUE" for a value under any key. The first
// '=' not escaped by '\' separates the key.
KeyValuePattern split_key_value(std::string_view pattern) noexcept {
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        if (pattern[i] == '\\') {
            ++i;
        } else if (pattern[i] == '=') {
            KeyValuePattern kv{pattern.substr(0, i), pattern.substr(i + 1)};
            if (kv.key->empty()) kv.key.reset();
            return kv;
        }
    }
    return {std::nullopt, pattern};
}

ConditionResult evaluate(const model::RuleCondition& c, const HttpRequest& request) {
    switch (c.field) {
        case ConditionField::HostHeader: {
            const std::string_view host = request.host_name();
            if (host.empty()) return kAbsent;
            return any_pattern(c, host, CaseRule::Insensitive);
        }
        case ConditionField::PathPattern:
            return any_pattern(c, request.path, CaseRule::Sensitive);
        case ConditionField::HttpHeader:
            return http_header(c, request);
        case ConditionField::HttpRequestMethod: {
            const auto it = std::find(c.values.begin(), c.values.end(), request.method);
            return it == c.values.end() ? kNoValue : matched(it - c.values.begin());
        }
        case ConditionField::QueryString:
            return query_string(c, request);
        case ConditionField::SourceIp:
            for (std::size_t i = 0; i < c.source_ips.size(); ++i) {
                if (c.source_ips[i].contains(request.source)) return matched(i);
            }
            return kNoValue;
    }
    return kNoValue;
}

RuleMatch route(const model::Listener& listener, const HttpRequest& request) {
    RuleMatch match;
    // The loader sorts rules by priority; ordering here again keeps a hand-built listener right.
    std::vector<std::uint32_t> order(listener.rules.size());
    std::iota(order.begin(), order.end(), 0u);
    std::stable_sort(order.begin(), order.end(), [&](std::uint32_t a, std::uint32_t b) {
        return listener.rules[a].priority < listener.rules[b].priority;
    });
    for (std::uint32_t r : order) {
        const model::ListenerRule& rule = listener.rules[r];
        std::vector<std::uint32_t> values;
        values.reserve(rule.conditions.size());
        bool all = true;
        for (std::size_t c = 0; c < rule.conditions.size(); ++c) {
            const ConditionResult result = evaluate(rule.conditions[c], request);
            if (!result.matched) {
                match.skipped.push_back({r, rule.priority, static_cast<std::uint32_t>(c),
                                         rule.conditions[c].field, result.miss});
                all = false;
                break;
            }
            values.push_back(result.value);
        }
        if (all) {
            match.rule = r;
            match.priority = rule.priority;
            match.action = &rule.action;
            match.matched_values = std::move(values);
            return match;
        }
    }
    match.action = &listener.default_action;
    return match;
}

}  // namespace vpcstack::lb
