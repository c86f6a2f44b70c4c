#include "vpcstack/lb/haproxy.hpp"

#include "vpcstack/lb/rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <optional>
#include <set>
#include <stdexcept>

#include "vpcstack/lb/forward.hpp"
#include "vpcstack/lb/forwarded_headers.hpp"
#include "vpcstack/lb/http_request.hpp"
#include "vpcstack/lb/responses.hpp"
#include "vpcstack/lb/wildcard.hpp"
#include "vpcstack/model/invariant.hpp"

namespace vpcstack::lb {
namespace {

using model::ActionKind;
using model::ConditionField;
using model::Index;

constexpr std::string_view kRegexSpecials = "\\^$.|?*+()[]{}";

bool has_wildcard(std::string_view pattern) noexcept {
    return pattern.find_first_of("*?") != std::string_view::npos;
}

// Names of proxies, servers and ACLs may hold letters, digits, '-', '_', '.' and ':'.
std::string identifier(std::string_view name) {
    std::string out;
    for (char c : name) {
        const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                        (c >= '0' && c <= '9') || c == '-' || c == '_' || c == '.' || c == ':';
        out.push_back(ok ? c : '_');
    }
    return out.empty() ? "_" : out;
}

// Text for a comment line: no line breaks.
std::string comment_text(std::string_view text) {
    std::string out(text);
    for (char& c : out) {
        if (static_cast<unsigned char>(c) < 0x20) c = '?';
    }
    return out;
}

std::string joined(const std::vector<std::string>& values, std::string_view separator) {
    std::string out;
    for (const std::string& v : values) {
        if (!out.empty()) out += separator;
        out += v;
    }
    return out;
}

// A log-format string's literal text: '%' starts a variable there.
std::string log_format_literal(std::string_view text) {
    std::string out;
    for (char c : text) {
        out.push_back(c);
        if (c == '%') out.push_back('%');
    }
    return out;
}

// ---- The configuration being written ---------------------------------------------------------

// The names HAProxy knows a target group by.
struct GroupNames {
    std::string backend;  // "group-web-tg"
    std::string token;    // "web-tg": the group in the AWSALBTG cookie and txn.group
};

class Writer {
  public:
    Writer(const model::Topology& t, const model::LoadBalancer& lb, Index node,
           const HaproxyPaths& paths, HaproxyConfig& out)
        : t_(t), lb_(lb), node_(node), paths_(paths), out_(out) {}

    void write();

  private:
    void line(std::string_view text) {
        text_ += "    ";
        text_ += text;
        text_ += '\n';
    }
    void section(std::string_view text) {
        if (!text_.empty()) text_ += '\n';
        text_ += text;
        text_ += '\n';
    }
    void note(HaproxyGap gap, std::string message) {
        for (const HaproxyNote& n : out_.notes) {
            if (n.gap == gap) return;
        }
        out_.notes.push_back({gap, std::move(message)});
    }

    void name_groups();
    void global_and_defaults();
    void frontend(const model::Listener& listener);
    void condition_acl(const model::RuleCondition& c, const std::string& name);
    void action_lines(const model::ListenerAction& a, const std::string& when,
                      const model::Listener& listener);
    void redirect_lines(const model::ListenerAction& a, const std::string& when,
                        const model::Listener& listener);
    void forward_lines(const model::ListenerAction& a, const std::string& when);
    void backend(Index g);
    std::string certificate_path(const std::string& name);

    const model::Topology& t_;
    const model::LoadBalancer& lb_;
    Index node_;
    const HaproxyPaths& paths_;
    HaproxyConfig& out_;
    std::string text_;
    std::map<Index, GroupNames> groups_;      // the groups the listeners forward to
    std::set<Index> group_sticky_;            // groups of a forward with group stickiness
    std::vector<std::string> use_backend_;    // the current frontend's, written last
    std::vector<std::string> after_forward_;  // its http-response rules
};

void Writer::name_groups() {
    std::set<std::string> taken;
    auto add = [&](const model::ListenerAction& a) {
        for (const model::WeightedTargetGroup& w : a.target_groups) {
            if (a.group_stickiness) group_sticky_.insert(w.target_group);
            if (groups_.count(w.target_group) != 0) continue;
            std::string token = identifier(t_.target_groups[w.target_group].meta.name);
            // Names that differ only in characters HAProxy refuses stay apart.
            for (int n = 2; taken.count(token) != 0; ++n) {
                token = identifier(t_.target_groups[w.target_group].meta.name) + "-" +
                        std::to_string(n);
            }
            taken.insert(token);
            groups_[w.target_group] = {"group-" + token, token};
            out_.backends["group-" + token] = w.target_group;
        }
    };
    for (const model::Listener& l : lb_.listeners) {
        if (l.default_action.kind == ActionKind::Forward) add(l.default_action);
        for (const model::ListenerRule& r : l.rules) {
            if (r.action.kind == ActionKind::Forward) add(r.action);
        }
    }
}

void Writer::global_and_defaults() {
    const std::string stem = fmt::format("haproxy-{}-{}", identifier(lb_.meta.name), node_);
    out_.pid_file = paths_.run_dir / (stem + ".pid");
    out_.stats_socket = paths_.run_dir / (stem + ".sock");
    const model::LoadBalancerNode& n = lb_.nodes[node_];
    text_ += fmt::format("# Application Load Balancer {}, node {} ({}, {}).\n",
                         comment_text(lb_.meta.name), node_ + 1,
                         comment_text(t_.subnets[n.subnet].meta.name), n.private_ip.to_string());
    text_ += "# Generated from the topology; the rules' meaning is src/lb's.\n";
    section("global");
    line("# In the foreground: the lab supervises the process (no 'daemon').");
    line("pidfile " + haproxy_word(out_.pid_file.string()));
    line("log " + haproxy_word(paths_.log_socket.string()) + " local0");
    line("stats socket " + haproxy_word(out_.stats_socket.string()) + " mode 600 level admin");
    line("maxconn 4096");
    // AWS: load-balancer-target-groups (deregistration delay) — a deregistered target gets no
    // new requests and its requests in flight have up to the group's delay to finish. A reload
    // (-sf) leaves the old process finishing its connections: it ends at the latest after the
    // longest delay of the node's groups. HAProxy reads 0 as "never", so a delay of 0 is 1 ms.
    for (const auto& [g, names] : groups_) {
        out_.hard_stop_after =
            std::max(out_.hard_stop_after, t_.target_groups[g].deregistration_delay);
    }
    if (!groups_.empty()) {
        line(out_.hard_stop_after == 0 ? std::string("hard-stop-after 1ms")
                                       : fmt::format("hard-stop-after {}s", out_.hard_stop_after));
    }

    section("defaults");
    line("mode http");
    line("log global");
    line("option httplog");
    line("option dontlognull");
    line("# The cloud does not retry a request on another target when a connection fails.");
    line("retries 0");
    line(fmt::format("# The idle timeout ({} s) bounds a client's silence and a target's answer:",
                     kIdleTimeoutSeconds));
    line("# a target that does not answer in time gets HAProxy's own 504, as the cloud's, and a");
    line("# target that resets or closes the connection before answering its own 502.");
    line(fmt::format("timeout client {}s", kIdleTimeoutSeconds));
    line(fmt::format("timeout http-request {}s", kIdleTimeoutSeconds));
    line(fmt::format("timeout http-keep-alive {}s", kIdleTimeoutSeconds));
    line(fmt::format("timeout server {}s", kIdleTimeoutSeconds));
    line(fmt::format("timeout connect {}s", kTargetConnectTimeoutSeconds));
}

std::string Writer::certificate_path(const std::string& name) {
    const std::string stem = certificate_file_stem(name);
    HaproxyCertificate c;
    c.name = name;
    c.certificate = paths_.certificate_dir / (stem + ".pem");
    c.key = paths_.certificate_dir / (stem + "-key.pem");
    c.key_for_proxy = paths_.certificate_dir / (stem + ".pem.key");
    const std::string path = c.certificate.string();
    const bool known = std::any_of(out_.certificates.begin(), out_.certificates.end(),
                                   [&](const HaproxyCertificate& x) { return x.name == name; });
    if (!known) out_.certificates.push_back(std::move(c));
    return path;
}

// One ACL per condition; its patterns are the condition's values, any of which matches.
void Writer::condition_acl(const model::RuleCondition& c, const std::string& name) {
    std::vector<std::string> patterns;
    const bool regex = std::any_of(c.values.begin(), c.values.end(),
                                   [](const std::string& v) { return has_wildcard(v); });
    auto value_patterns = [&](std::string_view any) {
        for (const std::string& v : c.values) {
            patterns.push_back(haproxy_word(regex ? "^" + wildcard_regex(v, any) + "$" : v));
        }
    };
    const std::string match = regex ? "-m reg" : "-m str";
    switch (c.field) {
        case ConditionField::HostHeader:
            line("# host-header: the Host header without its port (txn.host), not case-sensitive");
            value_patterns(".");
            line(fmt::format("acl {} var(txn.host) {} -i {}", name, match, joined(patterns, " ")));
            break;
        case ConditionField::PathPattern:
            line("# path-pattern: the path without the query string, case-sensitive");
            value_patterns(".");
            line(fmt::format("acl {} path {} {}", name, match, joined(patterns, " ")));
            break;
        case ConditionField::HttpHeader:
            line(
                "# http-header: each line of the header whole (req.fhdr does not split at "
                "commas),");
            line("# name and value not case-sensitive");
            value_patterns(".");
            line(fmt::format("acl {} {} {} -i {}", name,
                             haproxy_word("req.fhdr(" + c.header_name + ")"), match,
                             joined(patterns, " ")));
            break;
        case ConditionField::HttpRequestMethod:
            line("# http-request-method: exact and case-sensitive");
            for (const std::string& v : c.values) patterns.push_back(haproxy_word(v));
            line(fmt::format("acl {} method -m str {}", name, joined(patterns, " ")));
            break;
        case ConditionField::QueryString:
            line("# query-string: KEY=VALUE pairs between '&' of the percent-decoded query,");
            line("# not case-sensitive; a value alone matches under any key");
            for (const std::string& v : c.values) {
                patterns.push_back(haproxy_word(query_string_regex(v)));
            }
            line(fmt::format("acl {} query,url_dec -m reg -i {}", name, joined(patterns, " ")));
            note(HaproxyGap::QueryStringDecoding,
                 "query-string conditions match the decoded query as one string: a parameter whose "
                 "decoded key or value holds '&' or '=' is split there, a '+' after a '?' inside "
                 "the query reads as a space, and a query with a malformed %-sequence matches "
                 "nothing (the cloud keeps such a '+' and '%' as they are)");
            break;
        case ConditionField::SourceIp: {
            line("# source-ip: the address of the connection's peer (src), never X-Forwarded-For");
            for (const net::Cidr& cidr : c.source_ips) patterns.push_back(cidr.to_string());
            line(fmt::format("acl {} src {}", name, joined(patterns, " ")));
            break;
        }
    }
}

// A part of a redirect's Location: text, or one of the request's parts that may be empty.
enum class Piece : std::uint8_t { Text, Host, Path, Query };
struct Token {
    Piece piece = Piece::Text;
    std::string text;
};

// The placeholders of one part of a redirect, with the listener's protocol and port already
// written in (they are the listener's own, so they are known here).
std::vector<Token> tokens_of(std::string_view part, const model::Listener& listener) {
    std::vector<Token> out;
    auto text = [&](std::string_view s) {
        if (out.empty() || out.back().piece != Piece::Text) out.push_back({Piece::Text, ""});
        out.back().text += s;
    };
    const std::pair<std::string_view, Piece> dynamic[] = {
        {"#{host}", Piece::Host}, {"#{path}", Piece::Path}, {"#{query}", Piece::Query}};
    std::size_t i = 0;
    while (i < part.size()) {
        const std::string_view rest = part.substr(i);
        if (rest.starts_with("#{protocol}")) {
            text(scheme_of(listener.protocol));
            i += 11;
            continue;
        }
        if (rest.starts_with("#{port}")) {
            text(std::to_string(listener.port));
            i += 7;
            continue;
        }
        bool replaced = false;
        for (const auto& [keyword, piece] : dynamic) {
            if (rest.starts_with(keyword)) {
                out.push_back({piece, ""});
                i += keyword.size();
                replaced = true;
                break;
            }
        }
        if (!replaced) text(part.substr(i++, 1));
    }
    return out;
}

// The log-format of tokens when the request's parts in `empty` are empty.
std::string render(const std::vector<Token>& tokens, const std::set<Piece>& empty, bool lower) {
    std::string out;
    for (const Token& tok : tokens) {
        if (tok.piece == Piece::Text) {
            std::string text = tok.text;
            if (lower) {
                for (char& c : text)
                    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            }
            out += log_format_literal(text);
            continue;
        }
        if (empty.count(tok.piece) != 0) continue;
        const std::string_view conv = lower ? ",lower" : "";
        switch (tok.piece) {
            case Piece::Host:
                out += fmt::format("%[var(txn.host){}]", conv);
                break;
            case Piece::Path:
                out += fmt::format("%[var(txn.path_tail){}]", conv);
                break;
            case Piece::Query:
                out += fmt::format("%[query{}]", conv);
                break;
            case Piece::Text:
                break;
        }
    }
    return out;
}

bool renders_empty(const std::vector<Token>& tokens, const std::set<Piece>& empty) {
    return std::all_of(tokens.begin(), tokens.end(), [&](const Token& tok) {
        return tok.piece == Piece::Text ? tok.text.empty() : empty.count(tok.piece) != 0;
    });
}

// AWS: load-balancer-listeners (redirect actions) — the rendering of responses.cpp. HAProxy
// writes "-" for an empty sample in a log-format, so each combination of empty and non-empty
// request parts the Location reads gets a line of its own, with the empty parts left out.
void Writer::redirect_lines(const model::ListenerAction& a, const std::string& when,
                            const model::Listener& listener) {
    auto part = [](const std::string& set, std::string_view unset) {
        return set.empty() ? std::string(unset) : set;
    };
    const auto protocol = tokens_of(part(a.redirect_protocol, "#{protocol}"), listener);
    const auto host = tokens_of(part(a.redirect_host, "#{host}"), listener);
    const auto port = tokens_of(part(a.redirect_port, "#{port}"), listener);
    const auto path = tokens_of(part(a.redirect_path, "/#{path}"), listener);
    const auto query = tokens_of(part(a.redirect_query, "#{query}"), listener);

    std::vector<Piece> used;
    for (const auto* tokens : {&protocol, &host, &port, &path, &query}) {
        for (const Token& tok : *tokens) {
            if (tok.piece != Piece::Text &&
                std::find(used.begin(), used.end(), tok.piece) == used.end()) {
                used.push_back(tok.piece);
            }
        }
    }
    std::sort(used.begin(), used.end());
    const std::uint16_t code = a.status_code == 302 ? 302 : 301;
    // Every combination, the one with all parts present first; the last needs no condition of
    // its own but is written with one for clarity.
    const std::size_t combinations = std::size_t{1} << used.size();
    for (std::size_t mask = 0; mask < combinations; ++mask) {
        std::set<Piece> empty;
        std::string condition = when;
        for (std::size_t u = 0; u < used.size(); ++u) {
            const bool is_empty = (mask >> u & 1) != 0;
            if (is_empty) empty.insert(used[u]);
            const char* acl = used[u] == Piece::Host   ? "has_host"
                              : used[u] == Piece::Path ? "has_path_tail"
                                                       : "has_query";
            condition += is_empty ? std::string(" !") + acl : std::string(" ") + acl;
        }
        std::string location = render(protocol, empty, true) + "://" + render(host, empty, false) +
                               ":" + render(port, empty, false) + render(path, empty, false);
        if (!renders_empty(query, empty)) location += "?" + render(query, empty, false);
        line(fmt::format("http-request redirect location {} code {} if {}", haproxy_word(location),
                         code, condition));
    }
}

// AWS: load-balancer-listeners (forward actions) — weighted groups and group stickiness, as
// forward.cpp chooses them.
void Writer::forward_lines(const model::ListenerAction& a, const std::string& when) {
    std::uint64_t total = 0;
    for (const model::WeightedTargetGroup& w : a.target_groups) total += w.weight;
    if (total == 0) {
        line("# every group of this forward has weight 0: 503, as the cloud answers");
        line("http-request deny deny_status 503 if " + when);
        return;
    }
    if (a.group_stickiness) {
        // A fresh AWSALBTG cookie naming one of the action's groups keeps the client there,
        // whatever the draw and whatever that group's weight.
        for (const model::WeightedTargetGroup& w : a.target_groups) {
            const GroupNames& g = groups_.at(w.target_group);
            use_backend_.push_back(fmt::format(
                "use_backend {} if {} group_cookie_fresh {{ req.cook({}),field(1,|) -m str {} }}",
                g.backend, when, kGroupCookie, g.token));
        }
        after_forward_.push_back(fmt::format(
            "http-response add-header Set-Cookie "
            "\"{}=%[var(txn.group)]|%[date({})]; Expires=%[date({}),http_date]; Path=/\" if {}",
            kGroupCookie, *a.group_stickiness, *a.group_stickiness, when));
    }
    std::vector<const model::WeightedTargetGroup*> weighted;
    for (const model::WeightedTargetGroup& w : a.target_groups) {
        if (w.weight > 0) weighted.push_back(&w);
    }
    if (weighted.size() == 1) {
        use_backend_.push_back(fmt::format("use_backend {} if {}",
                                           groups_.at(weighted[0]->target_group).backend, when));
        return;
    }
    // Each group owns a run of [0, total) as wide as its weight; rand(total) draws in it.
    line(fmt::format("http-request set-var(txn.draw) rand({}) if {}", total, when));
    std::uint64_t start = 0;
    for (const model::WeightedTargetGroup* w : weighted) {
        use_backend_.push_back(fmt::format("use_backend {} if {} {{ var(txn.draw) -m int {}:{} }}",
                                           groups_.at(w->target_group).backend, when, start,
                                           start + w->weight - 1));
        start += w->weight;
    }
}

void Writer::action_lines(const model::ListenerAction& a, const std::string& when,
                          const model::Listener& listener) {
    switch (a.kind) {
        case ActionKind::Redirect:
            redirect_lines(a, when, listener);
            break;
        case ActionKind::FixedResponse: {
            const FixedResponse r = render_fixed_response(a);
            line(fmt::format("http-request return status {} content-type {} string {} if {}",
                             r.status, haproxy_word(r.content_type), haproxy_word(r.body), when));
            break;
        }
        case ActionKind::Forward:
            forward_lines(a, when);
            break;
    }
}

void Writer::frontend(const model::Listener& listener) {
    if (listener.protocol != model::LbProtocol::Http &&
        listener.protocol != model::LbProtocol::Https) {
        throw std::invalid_argument(fmt::format(
            "load balancer '{}': listener {} {} is not HTTP or HTTPS; an Application Load "
            "Balancer's listeners are",
            lb_.meta.name, model::to_string(listener.protocol), listener.port));
    }
    use_backend_.clear();
    after_forward_.clear();
    const bool https = listener.protocol == model::LbProtocol::Https;
    const std::string address =
        fmt::format("{}:{}", lb_.nodes[node_].private_ip.to_string(), listener.port);

    section(fmt::format("frontend listener-{}", listener.port));
    line(fmt::format("# {} {}: {} rule(s) and the default action", scheme_of(listener.protocol),
                     listener.port, listener.rules.size()));
    if (https) {
        line(fmt::format("bind {} ssl crt {} alpn h2,http/1.1", address,
                         haproxy_word(certificate_path(listener.certificate))));
    } else {
        line("bind " + address);
    }

    // The request's parts that rules and redirects read, computed once.
    line("# The Host header without its port, and the path without its leading '/'.");
    line(fmt::format("http-request set-var(txn.host) {}",
                     haproxy_word("req.hdr(host),regsub(:[0-9]*$,)")));
    line("http-request set-var(txn.path_tail) path,regsub(^/,)");
    bool forwards = listener.default_action.kind == ActionKind::Forward;
    for (const model::ListenerRule& r : listener.rules) {
        forwards |= r.action.kind == ActionKind::Forward;
    }
    if (forwards) line("http-request set-var(txn.accepted_ms) date(0,ms)");
    line("acl has_host var(txn.host) -m len gt 0");
    line("acl has_path_tail var(txn.path_tail) -m len gt 0");
    line("acl has_query query -m len gt 0");
    line("acl rule_chosen var(txn.rule) -m found");

    // AWS: load-balancer-listeners — rules in priority order, lowest first; a rule matches when
    // all its conditions do, a condition when any of its values does. The first to match names
    // itself in txn.rule before any action runs, so no later rule and no header set for the
    // target changes what matched.
    std::vector<const model::ListenerRule*> rules;
    for (const model::ListenerRule& r : listener.rules) rules.push_back(&r);
    std::stable_sort(rules.begin(), rules.end(),
                     [](const model::ListenerRule* a, const model::ListenerRule* b) {
                         return a->priority < b->priority;
                     });
    for (const model::ListenerRule* r : rules) {
        std::string condition;
        for (std::size_t c = 0; c < r->conditions.size(); ++c) {
            const model::RuleCondition& cond = r->conditions[c];
            const std::string name = fmt::format("p{}_c{}", r->priority, c + 1);
            std::vector<std::string> shown = cond.values;
            if (cond.field == ConditionField::SourceIp) {
                shown.clear();
                for (const net::Cidr& cidr : cond.source_ips) shown.push_back(cidr.to_string());
            }
            line(fmt::format("# priority {}, condition {}: {}{} {}", r->priority, c + 1,
                             model::to_string(cond.field),
                             cond.header_name.empty() ? "" : " " + comment_text(cond.header_name),
                             comment_text(joined(shown, " "))));
            condition_acl(cond, name);
            condition += " " + name;
            if (cond.field == ConditionField::HostHeader) condition += " has_host";
        }
        line(fmt::format("acl rule{} var(txn.rule) -m int {}", r->priority, r->priority));
        line(fmt::format("http-request set-var(txn.rule) int({}) if !rule_chosen{}", r->priority,
                         condition));
    }

    // The actions. Redirects and fixed responses end the request here.
    for (const model::ListenerRule* r : rules) {
        line(fmt::format("# priority {}: {}", r->priority, model::to_string(r->action.kind)));
        action_lines(r->action, fmt::format("rule{}", r->priority), listener);
    }
    line(fmt::format("# default action: {}", model::to_string(listener.default_action.kind)));
    action_lines(listener.default_action, "!rule_chosen", listener);

    bool group_stickiness = listener.default_action.group_stickiness.has_value();
    for (const model::ListenerRule* r : rules)
        group_stickiness |= r->action.group_stickiness.has_value();
    if (group_stickiness) {
        line("# AWSALBTG is GROUP|EXPIRES, fresh while EXPIRES is still ahead.");
        line("http-request set-var(txn.now) date");
        line(fmt::format(
            "http-request set-var(txn.group_cookie_left) {}",
            haproxy_word(fmt::format("req.cook({}),field(2,|),sub(txn.now)", kGroupCookie))));
        line("acl group_cookie_fresh var(txn.group_cookie_left) -m int gt 0");
    }

    if (!forwards) return;  // no request of this listener reaches a target

    // AWS: x-forwarded-headers — forwarded_headers.cpp. "option forwardfor" would add a line of
    // its own; the client's single line is appended to instead, as the cloud does.
    line("# X-Forwarded-For: the client's line with the peer's address appended, else a new line.");
    line(fmt::format("acl xff_one_line req.fhdr_cnt({}) eq 1", kForwardedFor));
    line(fmt::format("acl xff_has_value req.fhdr({}) -m len gt 0", kForwardedFor));
    line(
        fmt::format("http-request set-header {} \"%[req.fhdr({})], %[src]\" if xff_one_line "
                    "xff_has_value",
                    kForwardedFor, kForwardedFor));
    line(fmt::format("http-request set-header {} %[src] if xff_one_line !xff_has_value",
                     kForwardedFor));
    line(fmt::format("http-request add-header {} %[src] if !xff_one_line", kForwardedFor));
    note(HaproxyGap::ForwardedForLines,
         "a request with several X-Forwarded-For lines gets the client's address on a line of its "
         "own (an equivalent list, RFC 9110 section 5.3), where the cloud merges them into one");
    std::string proto(scheme_of(listener.protocol));
    std::transform(proto.begin(), proto.end(), proto.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    line(fmt::format("http-request set-header {} {}", kForwardedProto, proto));
    line(fmt::format("http-request set-header {} {}", kForwardedPort, listener.port));

    // Only a target's own responses pass http-response rules; HAProxy's do not.
    line("http-response set-var(txn.from_target) bool(true)");
    for (const std::string& s : after_forward_) line(s);

    // AWS: load-balancer-troubleshooting — a connection the target refuses is a 502, one that
    // does not complete within the connect timeout a 504. HAProxy answers 503 to both, so its
    // own 503 for a group with targets becomes one or the other by how long it took.
    line("# A failed connection to a target: 504 after the connect timeout, else 502.");
    line("acl proxy_503 status 503");
    line("acl toward_target var(txn.to_target) -m bool");
    line("acl target_answered var(txn.from_target) -m bool");
    line(
        "http-after-response set-var(txn.waited_ms) date(0,ms),sub(txn.accepted_ms) if proxy_503 "
        "toward_target !target_answered");
    line(
        fmt::format("http-after-response set-status 504 if proxy_503 toward_target "
                    "!target_answered {{ var(txn.waited_ms) -m int ge {} }}",
                    kTargetConnectTimeoutSeconds * 1000));
    line("http-after-response set-status 502 if proxy_503 toward_target !target_answered");

    for (const std::string& s : use_backend_) line(s);
}

void Writer::backend(Index g) {
    const model::TargetGroup& group = t_.target_groups[g];
    const GroupNames& names = groups_.at(g);
    const model::HealthCheck& hc = group.health_check;
    section("backend " + names.backend);
    line(fmt::format("# target group {}: {} {}, {} targets, {}", comment_text(group.meta.name),
                     model::to_string(group.protocol), group.port,
                     model::to_string(group.target_type), model::to_string(group.algorithm)));
    if (group_sticky_.count(g) != 0) {
        line(fmt::format("http-request set-var(txn.group) str({})", names.token));
    }
    if (group.targets.empty()) {
        line("# No registered target: HAProxy answers 503 (no server available), as the cloud.");
        return;
    }
    line("http-request set-var(txn.to_target) bool(true)");
    // Least outstanding requests: in HTTP mode HAProxy counts a server's requests in flight.
    line(group.algorithm == model::LbAlgorithm::RoundRobin ? "balance roundrobin"
                                                           : "balance leastconn");
    if (hc.protocol == model::LbProtocol::Http || hc.protocol == model::LbProtocol::Https) {
        line("option httpchk GET " + haproxy_word(hc.path));
        // HAProxy reads the cloud's matcher syntax as it is: codes, lists and ranges.
        line("http-check expect status " + hc.matcher);
    }
    line(fmt::format("timeout check {}s", hc.timeout));

    std::string cookie;
    switch (group.stickiness.kind) {
        case model::StickinessKind::LbCookie:
            // AWS: sticky-sessions — every response renews the cookie's duration, so it lapses
            // only after that long without a request: HAProxy's maxidle, not maxlife.
            line(fmt::format("cookie {} insert indirect nocache maxidle {}s", kLbCookie,
                             group.stickiness.duration));
            break;
        case model::StickinessKind::AppCookie:
            line(fmt::format(
                "# app_cookie: the application's {} carries the target (prefix), so stickiness",
                comment_text(group.stickiness.cookie_name)));
            line("# begins, as the cloud's, only once the target sets that cookie.");
            line("cookie " + haproxy_word(group.stickiness.cookie_name) + " prefix nocache");
            note(HaproxyGap::AppCookieName,
                 fmt::format("app_cookie stickiness: the target is written into the application's "
                             "cookie {} ('TARGET~value', removed again toward the target) instead "
                             "of an {} cookie, and it lasts as long as the application's cookie, "
                             "not {} s",
                             group.stickiness.cookie_name, kAppCookie, group.stickiness.duration));
            break;
        case model::StickinessKind::SourceIp:
            line("# source_ip stickiness is a Network Load Balancer setting: not configured.");
            note(HaproxyGap::SourceIpStickiness,
                 fmt::format("target group {} asks for source_ip stickiness, which only a Network "
                             "Load Balancer has; requests are balanced without it",
                             group.meta.name));
            break;
        case model::StickinessKind::None:
            break;
    }
    const bool sticky = group.stickiness.kind == model::StickinessKind::LbCookie ||
                        group.stickiness.kind == model::StickinessKind::AppCookie;

    // AWS: target-group-health-checks — with no healthy target, the load balancer routes to
    // all of them. Each target is also a backup server without checks: backups serve only when
    // no checked server is up, "allbackups" spreads over all of them, and an unchecked server
    // is always up, so HAProxy's 503 for a group whose targets all fail never happens.
    line("# Fail open: each target again as an unchecked backup, used only when none is healthy.");
    line("option allbackups");
    std::vector<std::string> backups;
    std::set<std::string> server_names;
    for (const model::Target& target : group.targets) {
        net::Ipv4Address ip = target.ip;
        std::string name = ip.to_string();
        if (target.instance != model::kNone) {
            const model::Instance& instance = t_.instances[target.instance];
            VPCSTACK_ASSERT(!instance.enis.empty(), "every instance has a primary ENI");
            ip = t_.enis[instance.enis.front()].primary_ip();
            name = instance.meta.name;
        }
        const std::uint16_t port = target.port.value_or(group.port);
        const std::string endpoint = fmt::format("{}:{}", ip.to_string(), port);
        // Named after the target, not its place in the group: a reload after the group's
        // targets change keeps each server's name (and its cookie value, the endpoint).
        std::string server = haproxy_server_name(name, port);
        for (int n = 2; server_names.count(server) != 0; ++n) {
            server = fmt::format("{}-{}", haproxy_server_name(name, port), n);
        }
        server_names.insert(server);
        std::string tls;
        if (group.protocol == model::LbProtocol::Https) tls = " ssl verify none";
        std::string check = fmt::format(" check inter {}s rise {} fall {}", hc.interval,
                                        hc.healthy_threshold, hc.unhealthy_threshold);
        if (hc.port) check += fmt::format(" port {}", *hc.port);
        if (hc.protocol == model::LbProtocol::Https && group.protocol != model::LbProtocol::Https) {
            check += " check-ssl verify none";
        } else if (hc.protocol != model::LbProtocol::Https &&
                   group.protocol == model::LbProtocol::Https) {
            check += " no-check-ssl";
        }
        const std::string persist = sticky ? " cookie " + endpoint : "";
        line(fmt::format("server {} {}{}{}{}", server, endpoint, tls, persist, check));
        backups.push_back(
            fmt::format("server {}{} {}{} backup", server, kFailOpenSuffix, endpoint, tls));
    }
    for (const std::string& b : backups) line(b);
    note(HaproxyGap::InitialHealth,
         "HAProxy counts a target healthy from the start until its checks fail; the cloud's "
         "targets start in the initial state and receive requests once healthy (or while the "
         "whole group fails open)");
    if (sticky) {
        note(HaproxyGap::StickinessWhileFailing,
             "while a group fails open its targets answer as backup servers, which set no "
             "stickiness cookie");
    }
}

void Writer::write() {
    name_groups();
    global_and_defaults();
    for (const model::Listener& l : lb_.listeners) frontend(l);
    for (const auto& [g, names] : groups_) backend(g);
    bool forwards = !groups_.empty();
    if (forwards) {
        note(HaproxyGap::ConnectFailureStatus,
             fmt::format("HAProxy answers 503 when a connection to a target fails; the "
                         "configuration makes it 504 when it took the connect timeout ({} s) and "
                         "502 otherwise, as the cloud answers a timeout and a refusal",
                         kTargetConnectTimeoutSeconds));
    }
    out_.text = std::move(text_);
}

}  // namespace

std::string haproxy_server_name(std::string_view target, std::uint16_t port) {
    return identifier(fmt::format("{}:{}", target, port));
}

namespace {

// The fields of one CSV line of `show stat`: HAProxy quotes none (its values hold no comma).
std::vector<std::string_view> csv_fields(std::string_view line) {
    std::vector<std::string_view> out;
    while (true) {
        const std::size_t comma = line.find(',');
        out.push_back(line.substr(0, comma));
        if (comma == std::string_view::npos) break;
        line.remove_prefix(comma + 1);
    }
    return out;
}

std::uint64_t counter(std::string_view text) {
    std::uint64_t value = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return 0;
        value = value * 10 + static_cast<std::uint64_t>(c - '0');
    }
    return value;
}

}  // namespace

std::vector<HaproxyServerStats> parse_haproxy_stats(std::string_view csv) {
    std::map<std::string, std::size_t, std::less<>> column;
    std::vector<HaproxyServerStats> out;
    bool header = false;
    while (!csv.empty()) {
        const std::size_t eol = csv.find('\n');
        std::string_view line = csv.substr(0, eol);
        csv = eol == std::string_view::npos ? std::string_view{} : csv.substr(eol + 1);
        if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
        if (line.empty()) continue;
        if (line.starts_with("# ")) {
            const std::vector<std::string_view> names = csv_fields(line.substr(2));
            column.clear();
            for (std::size_t i = 0; i < names.size(); ++i) {
                if (!names[i].empty()) column.emplace(std::string(names[i]), i);
            }
            for (const char* required : {"pxname", "svname", "status"}) {
                if (column.count(required) == 0) {
                    throw std::invalid_argument(
                        fmt::format("HAProxy's statistics have no column '{}'", required));
                }
            }
            header = true;
            continue;
        }
        if (!header) {
            throw std::invalid_argument("HAProxy's statistics do not start with their header");
        }
        const std::vector<std::string_view> fields = csv_fields(line);
        auto field = [&](std::string_view name) -> std::string_view {
            const auto at = column.find(name);
            return at == column.end() || at->second >= fields.size() ? std::string_view{}
                                                                     : fields[at->second];
        };
        HaproxyServerStats s;
        s.backend = field("pxname");
        s.server = field("svname");
        s.status = field("status");
        s.up = s.status.starts_with("UP") || s.status == "OPEN" || s.status == "no check";
        s.sessions = counter(field("stot"));
        // req_tot counts a server's HTTP requests (HAProxy 2.4 and later); older versions leave
        // it empty for servers, and sessions are the requests of connections not kept alive.
        const std::string_view requests = field("req_tot");
        s.requests = requests.empty() ? s.sessions : counter(requests);
        s.check_status = field("check_status");
        s.address = field("addr");
        s.backup = counter(field("bck")) != 0 && s.server != "BACKEND";
        out.push_back(std::move(s));
    }
    return out;
}

std::string certificate_file_stem(std::string_view name) {
    return name.starts_with("*.") ? "_wildcard" + std::string(name.substr(1)) : std::string(name);
}

std::string haproxy_word(std::string_view text) {
    if (text.empty()) return "\"\"";
    bool plain = true;
    bool single = true;
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f || c == ' ' || c == '\'' || c == '"' || c == '\\' || c == '#') {
            plain = false;
        }
        if ((u < 0x20 && c != '\t') || u == 0x7f || c == '\'') single = false;
    }
    if (plain) return std::string(text);
    if (single) return "'" + std::string(text) + "'";
    std::string out = "\"";
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (c == '"' || c == '\\' || c == '$') {
            out.push_back('\\');
            out.push_back(c);
        } else if (c == '\n') {
            out += "\\n";
        } else if (c == '\r') {
            out += "\\r";
        } else if (u < 0x20 || u == 0x7f) {
            out += fmt::format("\\x{:02x}", u);
        } else {
            out.push_back(c);
        }
    }
    return out + "\"";
}

std::string wildcard_regex(std::string_view pattern, std::string_view any, bool escapes) {
    std::string out;
    for (std::size_t i = 0; i < pattern.size(); ++i) {
        char c = pattern[i];
        bool literal = false;
        if (escapes && c == '\\' && i + 1 < pattern.size()) {
            c = pattern[++i];
            literal = true;
        }
        if (!literal && c == '*') {
            out += std::string(any) + "*";
        } else if (!literal && c == '?') {
            out += any;
        } else {
            if (kRegexSpecials.find(c) != std::string_view::npos) out.push_back('\\');
            out.push_back(c);
        }
    }
    return out;
}

std::string query_string_regex(std::string_view pattern) {
    const KeyValuePattern kv = split_key_value(pattern);
    // A key has no '=' and no '&'; a value no '&'. Without a key, any key matches.
    const std::string key = kv.key ? wildcard_regex(*kv.key, "[^&=]", true) : "[^&=]*";
    const std::string value = wildcard_regex(kv.value, "[^&]", true);
    std::string out = "(^|&)" + key + "=" + value + "(&|$)";
    // A parameter written without '=' has an empty value; its key is never empty.
    if (wildcard_match(kv.value, "", CaseRule::Insensitive, Escapes::Backslash)) {
        const bool any_key =
            !kv.key || std::all_of(kv.key->begin(), kv.key->end(), [](char c) { return c == '*'; });
        out += "|(^|&)" + (any_key ? std::string("[^&=]+") : key) + "(&|$)";
    }
    return out;
}

HaproxyConfig haproxy_config(const model::Topology& topology, model::Index load_balancer,
                             model::Index node, const HaproxyPaths& paths) {
    if (load_balancer >= topology.load_balancers.size()) {
        throw std::invalid_argument(
            fmt::format("load balancer {} does not exist; the topology has {}", load_balancer,
                        topology.load_balancers.size()));
    }
    const model::LoadBalancer& lb = topology.load_balancers[load_balancer];
    if (lb.type != model::LoadBalancerType::Application) {
        throw std::invalid_argument(fmt::format(
            "load balancer '{}' is a {} load balancer; HAProxy plays only an application one",
            lb.meta.name, model::to_string(lb.type)));
    }
    if (node >= lb.nodes.size()) {
        throw std::invalid_argument(fmt::format("load balancer '{}' has no node {}; it has {}",
                                                lb.meta.name, node, lb.nodes.size()));
    }
    HaproxyConfig config;
    Writer(topology, lb, node, paths, config).write();
    return config;
}

}  // namespace vpcstack::lb
