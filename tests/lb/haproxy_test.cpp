// The HAProxy configuration of an Application Load Balancer node, checked against the cloud's
// rules as src/lb reads them: one frontend per listener with the rules in priority order, the
// actions, the X-Forwarded headers, one backend per target group with its targets, checks,
// algorithm, stickiness and failing open; and, where HAProxy is installed, accepted by
// `haproxy -c`. (AWS: load-balancer-listeners, load-balancer-target-groups,
// target-group-health-checks, sticky-sessions, x-forwarded-headers.)
#include "vpcstack/lb/haproxy.hpp"

#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <regex>
#include <sstream>

#include "alb_topology.hpp"
#include "vpcstack/lb/forward.hpp"
#include "vpcstack/lb/responses.hpp"
#include "vpcstack/lb/rules.hpp"
#include "vpcstack/lb/wildcard.hpp"

namespace vpcstack::lb {
namespace {

namespace fs = std::filesystem;
using testing::load_alb;
using testing::request;

const HaproxyPaths kPaths{"/run/vpcstack/lab", "/run/vpcstack/lab/alb-log.sock",
                          "/run/vpcstack/lab/certs"};

// The lines of one section ("frontend listener-80"), trimmed, comments left out.
std::vector<std::string> section(const std::string& text, std::string_view header) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    bool inside = false;
    while (std::getline(in, line)) {
        if (line.empty()) {
            inside = false;
            continue;
        }
        if (line[0] != ' ') {
            inside = line == header;
            continue;
        }
        const std::size_t start = line.find_first_not_of(' ');
        if (!inside || line[start] == '#') continue;
        out.push_back(line.substr(start));
    }
    return out;
}

std::vector<std::string> starting(const std::vector<std::string>& lines, std::string_view prefix) {
    std::vector<std::string> out;
    for (const std::string& l : lines) {
        if (l.starts_with(prefix)) out.push_back(l);
    }
    return out;
}

std::ptrdiff_t position(const std::vector<std::string>& lines, std::string_view line) {
    const auto it = std::find(lines.begin(), lines.end(), line);
    return it == lines.end() ? -1 : it - lines.begin();
}

bool contains(const std::vector<std::string>& lines, std::string_view line) {
    return position(lines, line) >= 0;
}

std::vector<std::string> section_headers(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        if (!line.empty() && line[0] != ' ' && line[0] != '#') out.push_back(line);
    }
    return out;
}

model::Topology web_stack() {
    model::LoadResult r =
        model::load_topology_file(VPCSTACK_SOURCE_DIR "/topologies/web-stack.yaml");
    EXPECT_TRUE(r.ok());
    return r.ok() ? std::move(*r.topology) : model::Topology{};
}

// Every feature at once: rules written out of order, each condition type, each action.
const std::string kListeners = R"(
          - protocol: HTTP
            port: 80
            default_action: {fixed-response: {status: 404, body: "no \"route\" for 100% of $HOME #1"}}
            rules:
              - priority: 30
                conditions: [{path-pattern: ["/api/*"]}]
                action: {forward: lor-tg}
              - priority: 10
                conditions: [{host-header: ["*.Example.com", "shop.example.org"]}, {path-pattern: ["/admin", "/adm?n/*"]}]
                action: {redirect: {host: "new.#{host}", path: "/v2/#{path}", query: "#{query}&from=#{port}", status: 302}}
              - priority: 20
                conditions: [{http-header: {name: User-Agent, values: ["*Mobile*"]}}, {http-request-method: [GET, HEAD]}]
                action: {forward: {target_groups: [{name: web-tg, weight: 1}, {name: lor-tg, weight: 3}, {name: ip-tg, weight: 0}], stickiness: 600}}
              - priority: 40
                conditions: [{query-string: ["version=v1", "*=on"]}, {source-ip: [10.0.0.0/8, 203.0.113.0/24]}]
                action: {fixed-response: {status: 503, content_type: application/json, body: "{}"}}
          - protocol: HTTPS
            port: 443
            certificate: "*.example.com"
            default_action: {forward: {target_groups: [{name: web-tg, weight: 0}, {name: ip-tg, weight: 0}]}}
            rules:
              - priority: 5
                conditions: [{path-pattern: ["/app/*"]}]
                action: {forward: app-tg}
              - priority: 6
                conditions: [{path-pattern: ["/secure/*"]}]
                action: {forward: tls-tg}
              - priority: 7
                conditions: [{path-pattern: ["/empty"]}]
                action: {forward: empty-tg}
              - priority: 8
                conditions: [{path-pattern: ["/old"]}]
                action: {redirect: {protocol: HTTP, port: "8080", path: "/", query: "moved=1"}}
)";

const std::string kGroups = R"(
      - name: web-tg
        protocol: HTTP
        port: 80
        health_check: {path: /health, matcher: "200-299,302", interval: 10, timeout: 4, healthy_threshold: 3, unhealthy_threshold: 4, port: "8081"}
        stickiness: {type: lb_cookie, duration: 3600}
        targets: [web-1, web-2, {instance: web-3, port: 8080}]
      - {name: lor-tg, protocol: HTTP, port: 80, algorithm: least_outstanding_requests, targets: [web-1, web-2]}
      - {name: app-tg, protocol: HTTP, port: 80, stickiness: {type: app_cookie, cookie_name: SESSION, duration: 60}, targets: [web-1]}
      - {name: ip-tg, target_type: ip, protocol: HTTP, port: 8080, targets: [10.0.10.200, {ip: 10.0.10.201, port: 9090}]}
      - {name: tls-tg, protocol: HTTPS, port: 443, health_check: {protocol: HTTP, port: "80"}, targets: [web-3]}
      - {name: empty-tg, protocol: HTTP, port: 80}
)";

class Features : public ::testing::Test {
  protected:
    model::Topology t = load_alb(kListeners, kGroups);
    HaproxyConfig config;
    std::vector<std::string> http, https;

    void SetUp() override {
        ASSERT_FALSE(t.load_balancers.empty());
        config = haproxy_config(t, 0, 1, kPaths);
        http = section(config.text, "frontend listener-80");
        https = section(config.text, "frontend listener-443");
    }
    bool noted(HaproxyGap gap) const {
        return std::any_of(config.notes.begin(), config.notes.end(), [&](const HaproxyNote& n) {
            return n.gap == gap && !n.message.empty();
        });
    }
};

// ---- The global and defaults sections ---------------------------------------------------------

TEST(HaproxyGlobal, RunsInTheForegroundWithItsFilesInTheRunDirectoryAndTheCloudsTimeouts) {
    const model::Topology t = web_stack();
    ASSERT_FALSE(t.load_balancers.empty());
    const HaproxyConfig c = haproxy_config(t, 0, 0, kPaths);
    const auto global = section(c.text, "global");
    EXPECT_EQ(c.pid_file, fs::path("/run/vpcstack/lab/haproxy-shop-alb-0.pid"));
    EXPECT_EQ(c.stats_socket, fs::path("/run/vpcstack/lab/haproxy-shop-alb-0.sock"));
    EXPECT_TRUE(contains(global, "pidfile /run/vpcstack/lab/haproxy-shop-alb-0.pid"));
    EXPECT_TRUE(contains(global, "log /run/vpcstack/lab/alb-log.sock local0"));
    EXPECT_TRUE(contains(
        global, "stats socket /run/vpcstack/lab/haproxy-shop-alb-0.sock mode 600 level admin"));
    EXPECT_EQ(starting(global, "maxconn ").size(), 1u);
    EXPECT_FALSE(contains(global, "daemon")) << "the lab supervises the process";

    const auto defaults = section(c.text, "defaults");
    EXPECT_TRUE(contains(defaults, "mode http"));
    EXPECT_TRUE(contains(defaults, "timeout client 60s")) << "the idle timeout, 60 s";
    EXPECT_TRUE(contains(defaults, "timeout http-keep-alive 60s"));
    EXPECT_TRUE(contains(defaults, "timeout server 60s")) << "a silent target: 504 after 60 s";
    EXPECT_TRUE(contains(defaults, "timeout connect 10s"));
    EXPECT_TRUE(contains(defaults, "retries 0"));

    const HaproxyConfig other = haproxy_config(t, 0, 1, kPaths);
    EXPECT_NE(other.pid_file, c.pid_file) << "each node's process has files of its own";
}

TEST(HaproxyGlobal, RefusesWhatIsNotAnApplicationLoadBalancersNode) {
    const model::Topology t = web_stack();
    ASSERT_FALSE(t.load_balancers.empty());
    EXPECT_THROW(haproxy_config(t, 1, 0, kPaths), std::invalid_argument);
    EXPECT_THROW(haproxy_config(t, 0, 2, kPaths), std::invalid_argument) << "two nodes: 0 and 1";
    model::Topology nlb = t;
    nlb.load_balancers[0].type = model::LoadBalancerType::Network;
    try {
        haproxy_config(nlb, 0, 0, kPaths);
        ADD_FAILURE() << "a network load balancer was accepted";
    } catch (const std::invalid_argument& e) {
        EXPECT_NE(std::string(e.what()).find("shop-alb"), std::string::npos) << e.what();
    }
}

// ---- The web-stack example -----------------------------------------------------------------

TEST(HaproxyWebStack, EachListenerIsAFrontendOnTheNodesAddressAndEachGroupABackend) {
    const model::Topology t = web_stack();
    ASSERT_FALSE(t.load_balancers.empty());
    const model::LoadBalancer& alb = t.load_balancers[0];
    const HaproxyConfig c = haproxy_config(t, 0, 1, kPaths);
    EXPECT_EQ(section_headers(c.text),
              (std::vector<std::string>{"global", "defaults", "frontend listener-80",
                                        "frontend listener-443", "backend group-web-tg",
                                        "backend group-app-tg"}));
    // The backends by name, as `show stat` reports them, back to their target groups.
    ASSERT_EQ(c.backends.size(), 2u);
    EXPECT_EQ(t.target_groups[c.backends.at("group-web-tg")].meta.name, "web-tg");
    EXPECT_EQ(t.target_groups[c.backends.at("group-app-tg")].meta.name, "app-tg");
    const std::string ip = alb.nodes[1].private_ip.to_string();
    const auto http = section(c.text, "frontend listener-80");
    const auto https = section(c.text, "frontend listener-443");
    EXPECT_TRUE(contains(http, "bind " + ip + ":80"));
    EXPECT_TRUE(contains(https, "bind " + ip +
                                    ":443 ssl crt /run/vpcstack/lab/certs/shop.example.com.pem "
                                    "alpn h2,http/1.1"));
    ASSERT_EQ(c.certificates.size(), 1u);
    EXPECT_EQ(c.certificates[0].key, fs::path("/run/vpcstack/lab/certs/shop.example.com-key.pem"))
        << "the name the lab's CA writes the key under";
    EXPECT_EQ(c.certificates[0].key_for_proxy,
              fs::path("/run/vpcstack/lab/certs/shop.example.com.pem.key"));

    // HTTP 80 redirects to HTTPS; nothing of it reaches a target.
    EXPECT_EQ(starting(http, "http-request redirect location https://").size(), 8u)
        << "one line per combination of empty host, path and query";
    EXPECT_TRUE(starting(http, "use_backend").empty());
    EXPECT_TRUE(starting(http, "http-request set-header X-Forwarded").empty());

    // HTTPS 443: /api/* to the app tier, the rest to the web servers.
    EXPECT_TRUE(contains(https, "acl p10_c1 path -m reg ^/api/.*$"));
    EXPECT_TRUE(contains(https, "http-request set-var(txn.rule) int(10) if !rule_chosen p10_c1"));
    EXPECT_EQ(starting(https, "use_backend"),
              (std::vector<std::string>{"use_backend group-app-tg if rule10",
                                        "use_backend group-web-tg if !rule_chosen"}));

    // web-tg: the three servers web-asg launched, sticky by AWSALB, checked on GET /health.
    const auto web = section(c.text, "backend group-web-tg");
    const auto servers = starting(web, "server ");
    ASSERT_EQ(servers.size(), 6u) << "three targets, each also a fail-open backup";
    std::size_t checked = 0;
    for (const model::Target& target : t.target_groups[0].targets) {
        const model::Instance& instance = t.instances.at(target.instance);
        const std::string address = t.enis[instance.enis[0]].primary_ip().to_string() + ":80";
        const std::string expected = "server " + instance.meta.name + ":80 " + address +
                                     " cookie " + address + " check inter 10s rise 3 fall 2";
        EXPECT_TRUE(contains(web, expected)) << expected;
        EXPECT_TRUE(
            contains(web, "server " + instance.meta.name + ":80-failopen " + address + " backup"));
        ++checked;
    }
    EXPECT_EQ(checked, 3u);
    EXPECT_TRUE(contains(web, "option httpchk GET /health"));
    EXPECT_TRUE(contains(web, "http-check expect status 200"));
    EXPECT_TRUE(contains(web, "cookie AWSALB insert indirect nocache maxidle 3600s"));
    EXPECT_TRUE(contains(web, "balance roundrobin"));

    const auto app = section(c.text, "backend group-app-tg");
    EXPECT_EQ(starting(app, "server app-1:8080 "),
              (std::vector<std::string>{"server app-1:8080 10.20.20.4:8080 check inter 30s rise 5 "
                                        "fall 2"}))
        << "the default check: every 30 s, 5 to be healthy, 2 to be unhealthy";
    EXPECT_TRUE(starting(app, "cookie").empty()) << "app-tg is not sticky";

    // Notes only of what this load balancer uses.
    std::vector<HaproxyGap> gaps;
    for (const HaproxyNote& n : c.notes) gaps.push_back(n.gap);
    std::sort(gaps.begin(), gaps.end());
    EXPECT_EQ(gaps, (std::vector<HaproxyGap>{
                        HaproxyGap::ForwardedForLines, HaproxyGap::ConnectFailureStatus,
                        HaproxyGap::InitialHealth, HaproxyGap::StickinessWhileFailing}));
}

// ---- Frontends: rules -------------------------------------------------------------------------

TEST_F(Features, RulesAreTriedInPriorityOrderAndTheFirstMatchNamesItselfBeforeAnyAction) {
    const auto choices = starting(http, "http-request set-var(txn.rule)");
    ASSERT_EQ(choices.size(), 4u);
    const char* order[] = {"int(10)", "int(20)", "int(30)", "int(40)"};
    for (std::size_t i = 0; i < 4; ++i) {
        EXPECT_NE(choices[i].find(order[i]), std::string::npos)
            << "written 30, 10, 20, 40; tried lowest first: " << choices[i];
        EXPECT_NE(choices[i].find("if !rule_chosen "), std::string::npos)
            << "a later rule never overrides an earlier match";
    }
    EXPECT_EQ(choices[0],
              "http-request set-var(txn.rule) int(10) if !rule_chosen p10_c1 has_host "
              "p10_c2")
        << "every condition of the rule, and the Host header must be there";
    // The choice is made on the client's request, before the headers toward a target change it.
    const std::ptrdiff_t last_choice = position(http, choices.back());
    const std::ptrdiff_t first_header =
        position(http, starting(http, "http-request set-header X-Forwarded-For").at(0));
    const std::ptrdiff_t first_action =
        position(http, starting(http, "http-request redirect").at(0));
    EXPECT_LT(last_choice, first_action);
    EXPECT_LT(first_action, first_header);
}

TEST_F(Features, EachConditionTypeBecomesAnAclWithTheCloudsMatching) {
    // host-header: without the port, any case, wildcards as a regular expression.
    EXPECT_TRUE(contains(http, "http-request set-var(txn.host) req.hdr(host),regsub(:[0-9]*$,)"));
    EXPECT_TRUE(contains(http,
                         "acl p10_c1 var(txn.host) -m reg -i '^.*\\.Example\\.com$' "
                         "'^shop\\.example\\.org$'"));
    // path-pattern: case-sensitive (no -i), literal values matched whole.
    EXPECT_TRUE(contains(http, "acl p10_c2 path -m reg ^/admin$ ^/adm.n/.*$"));
    EXPECT_TRUE(contains(http, "acl p30_c1 path -m reg ^/api/.*$"));
    EXPECT_TRUE(contains(https, "acl p7_c1 path -m str /empty")) << "no wildcard: an exact match";
    // http-header: every line, whole, any case.
    EXPECT_TRUE(contains(http, "acl p20_c1 req.fhdr(User-Agent) -m reg -i ^.*Mobile.*$"));
    // http-request-method: exact, case-sensitive.
    EXPECT_TRUE(contains(http, "acl p20_c2 method -m str GET HEAD"));
    // query-string: over the decoded query, any case.
    EXPECT_TRUE(contains(http, "acl p40_c1 query,url_dec -m reg -i " +
                                   query_string_regex("version=v1") + " " +
                                   query_string_regex("*=on")));
    // source-ip: the TCP peer.
    EXPECT_TRUE(contains(http, "acl p40_c2 src 10.0.0.0/8 203.0.113.0/24"));
    EXPECT_TRUE(noted(HaproxyGap::QueryStringDecoding));
}

TEST(HaproxyMatching, WildcardRegexesMatchWhatTheRulesMatch) {
    const std::vector<std::string> patterns = {"*.example.com",  "a?c",      "*", "a*b*c", "x.y",
                                               "(a)+[b]{c}|d^$", "api/*/v?", "",  "**"};
    const std::vector<std::string> texts = {"shop.example.com",
                                            "example.com",
                                            "abc",
                                            "aXc",
                                            "ac",
                                            "x.y",
                                            "xzy",
                                            "aXbYc",
                                            "(a)+[b]{c}|d^$",
                                            "api/users/v2",
                                            "api//v",
                                            "",
                                            "SHOP.EXAMPLE.COM"};
    for (const std::string& p : patterns) {
        const std::regex sensitive("^" + wildcard_regex(p) + "$");
        const std::regex insensitive("^" + wildcard_regex(p) + "$", std::regex::icase);
        for (const std::string& text : texts) {
            EXPECT_EQ(std::regex_match(text, sensitive),
                      wildcard_match(p, text, CaseRule::Sensitive))
                << "pattern '" << p << "', text '" << text << "'";
            EXPECT_EQ(std::regex_match(text, insensitive),
                      wildcard_match(p, text, CaseRule::Insensitive))
                << "pattern '" << p << "', text '" << text << "' without regard to case";
        }
    }
}

TEST(HaproxyMatching, QueryStringRegexesMatchWhatTheRulesMatchOnTheDecodedQuery) {
    const std::vector<std::string> patterns = {
        "version=v1", "*=on", "on", "=on", "flag=", "k*=a\\*b", "Ver?ion=*", "*=", "key=a=b"};
    const std::vector<std::string> queries = {
        "version=v1", "a=1&VERSION=V1", "version=v1x", "x=on&y=2", "x=%6Fn", "=on",
        "flag",       "flag=",          "flag=1",      "key=a*b",  "kx=a*b", "kx=aXb",
        "version",    "a&&b",           "key=a=b",     "p=a%3Db"};
    for (const std::string& p : patterns) {
        model::RuleCondition c;
        c.field = model::ConditionField::QueryString;
        c.values = {p};
        const std::regex re(query_string_regex(p), std::regex::icase);
        for (const std::string& q : queries) {
            HttpRequest r = request("/?" + q);
            EXPECT_EQ(std::regex_search(percent_decode(q), re), evaluate(c, r).matched)
                << "pattern '" << p << "', query '" << q << "'";
        }
    }
}

TEST(HaproxyWords, AWordIsQuotedOnlyWhenItMustBeAndReadsBackAsItsText) {
    EXPECT_EQ(haproxy_word("/health"), "/health");
    EXPECT_EQ(haproxy_word("a b#c"), "'a b#c'") << "strong quotes: nothing inside is read";
    EXPECT_EQ(haproxy_word(R"(^a\.b$)"), R"('^a\.b$')") << "a backslash is kept";
    EXPECT_EQ(haproxy_word("it's $5\n"), R"("it's \$5\n")")
        << "a single quote forces weak quotes, where '$' and line breaks are escaped";
    EXPECT_EQ(haproxy_word(""), R"("")");
    EXPECT_EQ(certificate_file_stem("*.example.com"), "_wildcard.example.com");
    EXPECT_EQ(certificate_file_stem("shop.example.com"), "shop.example.com");
}

// ---- Frontends: actions -----------------------------------------------------------------------

// The Location HAProxy writes for a request, reading the config's redirect lines as HAProxy
// does: the first line whose has_* conditions hold, its %[...] samples replaced.
std::optional<std::string> haproxy_location(const std::vector<std::string>& lines,
                                            std::string_view rule, const HttpRequest& r) {
    std::string path_tail = r.path.substr(r.path.starts_with('/') ? 1 : 0);
    const std::string host(r.host_name());
    for (const std::string& l : starting(lines, "http-request redirect location ")) {
        const std::size_t at = std::string_view("http-request redirect location ").size();
        std::string location = l.substr(at, l.find(' ', at) - at);
        const std::string condition = l.substr(l.find(" if ") + 4);
        std::istringstream words(condition);
        std::string word;
        bool holds = true;
        while (words >> word) {
            const bool negated = word.starts_with('!');
            const std::string acl = word.substr(negated ? 1 : 0);
            bool value = true;
            if (acl == "has_host")
                value = !host.empty();
            else if (acl == "has_path_tail")
                value = !path_tail.empty();
            else if (acl == "has_query")
                value = !r.query.empty();
            else if (acl != rule)
                value = false;
            holds = holds && (value != negated);
        }
        if (!holds) continue;
        if (location.starts_with('\'')) location = location.substr(1, location.size() - 2);
        std::string out;
        for (std::size_t i = 0; i < location.size();) {
            auto sample = [&](std::string_view s, const std::string& v) {
                if (std::string_view(location).substr(i).starts_with(s)) {
                    out += v;
                    i += s.size();
                    return true;
                }
                return false;
            };
            if (sample("%%", "%") || sample("%[var(txn.host)]", host) ||
                sample("%[var(txn.path_tail)]", path_tail) || sample("%[query]", r.query)) {
                continue;
            }
            out.push_back(location[i++]);
        }
        return out;
    }
    return std::nullopt;
}

TEST_F(Features, RedirectsWriteTheLocationResponsesRenders) {
    const model::Listener& plain = t.load_balancers[0].listeners[0];
    const model::ListenerAction& to_v2 = plain.rules[0].action;  // priority 10, sorted first
    ASSERT_EQ(to_v2.kind, model::ActionKind::Redirect);
    for (const std::string target : {"/admin?x=1", "/", "/admin", "/a%20b?q=100%25"}) {
        for (const std::string host : {"shop.Example.com:8080", "shop.example.com", ""}) {
            HttpRequest r = request(target, host);
            const auto location = haproxy_location(http, "rule10", r);
            ASSERT_TRUE(location.has_value()) << target << " " << host;
            EXPECT_EQ(*location, render_redirect(to_v2, r).location) << target << " " << host;
        }
    }
    EXPECT_EQ(starting(http, "http-request redirect location http://new.").size(), 8u)
        << "host, path tail and query vary";
    EXPECT_NE(
        http[position(http, starting(http, "http-request redirect").at(0))].find(" code 302 "),
        std::string::npos);

    // A redirect whose parts are all set needs one line.
    const model::ListenerAction& old = t.load_balancers[0].listeners[1].rules[3].action;
    const auto lines = starting(https, "http-request redirect");
    ASSERT_EQ(lines.size(), 2u) << "only the host varies: path and query are the action's own";
    HttpRequest r = request("/old?ignored=1");
    r.listener_protocol = model::LbProtocol::Https;
    r.listener_port = 443;
    EXPECT_EQ(haproxy_location(https, "rule8", r), render_redirect(old, r).location);
}

TEST_F(Features, FixedResponsesAreReturnedWithTheirStatusTypeAndQuotedBody) {
    EXPECT_TRUE(contains(http,
                         "http-request return status 404 content-type text/plain string "
                         "'no \"route\" for 100% of $HOME #1' if !rule_chosen"))
        << "strong quotes keep '\"', '$' and '#' as they are";
    EXPECT_TRUE(contains(http,
                         "http-request return status 503 content-type application/json "
                         "string {} if rule40"));
}

TEST_F(Features, WeightedForwardsDrawAsTheForwarderDoes) {
    const model::ListenerAction& weighted = t.load_balancers[0].listeners[0].rules[1].action;
    ASSERT_EQ(weighted.target_groups.size(), 3u);
    EXPECT_TRUE(contains(http, "http-request set-var(txn.draw) rand(4) if rule20"));
    // Each draw goes where choose_weighted sends it.
    const std::regex range(
        "use_backend (\\S+) if rule20 \\{ var\\(txn.draw\\) -m int (\\d+):(\\d+) \\}");
    std::vector<std::string> by_draw(4);
    for (const std::string& l : starting(http, "use_backend")) {
        std::smatch m;
        if (!std::regex_match(l, m, range)) continue;
        for (int d = std::stoi(m[2]); d <= std::stoi(m[3]); ++d) by_draw.at(d) = m[1];
    }
    for (std::uint64_t d = 0; d < 4; ++d) {
        const auto chosen = choose_weighted(weighted.target_groups, d);
        ASSERT_TRUE(chosen.has_value());
        const std::string group =
            t.target_groups[weighted.target_groups[*chosen].target_group].meta.name;
        EXPECT_EQ(by_draw[d], "group-" + group) << "draw " << d;
    }
    EXPECT_TRUE(std::none_of(by_draw.begin(), by_draw.end(), [](const std::string& b) {
        return b == "group-ip-tg";
    })) << "a group of weight 0 is never drawn";
}

TEST_F(Features, GroupStickinessKeepsTheGroupOfAFreshCookieEvenOfWeightZero) {
    const auto uses = starting(http, "use_backend");
    const std::string sticky_ip =
        "use_backend group-ip-tg if rule20 group_cookie_fresh { req.cook(AWSALBTG),field(1,|) "
        "-m str ip-tg }";
    EXPECT_LT(position(uses, sticky_ip), position(uses, starting(uses,
                                                                 "use_backend group-web-tg "
                                                                 "if rule20 { var")
                                                            .at(0)))
        << "the cookie is read before the draw";
    EXPECT_GE(position(uses, sticky_ip), 0);
    EXPECT_TRUE(contains(http,
                         "http-request set-var(txn.group_cookie_left) "
                         "req.cook(AWSALBTG),field(2,|),sub(txn.now)"));
    EXPECT_LT(position(http, "http-request set-var(txn.now) date"),
              position(http,
                       "http-request set-var(txn.group_cookie_left) "
                       "req.cook(AWSALBTG),field(2,|),sub(txn.now)"));
    EXPECT_TRUE(contains(http,
                         "http-response add-header Set-Cookie "
                         "\"AWSALBTG=%[var(txn.group)]|%[date(600)]; "
                         "Expires=%[date(600),http_date]; Path=/\" if rule20"))
        << "GROUP|EXPIRES, as forward.cpp writes it";
    for (const char* group : {"web-tg", "lor-tg", "ip-tg"}) {
        EXPECT_TRUE(contains(section(config.text, std::string("backend group-") + group),
                             std::string("http-request set-var(txn.group) str(") + group + ")"))
            << group;
    }
    EXPECT_TRUE(
        starting(section(config.text, "backend group-app-tg"), "http-request set-var(txn.group)")
            .empty())
        << "app-tg is not in a forward with group stickiness";
    EXPECT_TRUE(starting(https, "http-response add-header Set-Cookie").empty());
}

TEST_F(Features, AForwardWhoseWeightsAreAllZeroAnswers503) {
    EXPECT_TRUE(contains(https, "http-request deny deny_status 503 if !rule_chosen"));
    EXPECT_TRUE(starting(https, "use_backend group-web-tg").empty());
}

TEST_F(Features, RequestsTowardATargetCarryTheXForwardedHeadersOfTheListener) {
    for (const auto* lines : {&http, &https}) {
        EXPECT_TRUE(contains(*lines,
                             "http-request set-header X-Forwarded-For "
                             "\"%[req.fhdr(X-Forwarded-For)], %[src]\" if xff_one_line "
                             "xff_has_value"))
            << "the client's line, then the peer's address";
        EXPECT_TRUE(contains(*lines,
                             "http-request add-header X-Forwarded-For %[src] if "
                             "!xff_one_line"));
        EXPECT_TRUE(starting(*lines, "option forwardfor").empty());
    }
    EXPECT_TRUE(contains(http, "http-request set-header X-Forwarded-Proto http"));
    EXPECT_TRUE(contains(http, "http-request set-header X-Forwarded-Port 80"));
    EXPECT_TRUE(contains(https, "http-request set-header X-Forwarded-Proto https"));
    EXPECT_TRUE(contains(https, "http-request set-header X-Forwarded-Port 443"));
    EXPECT_TRUE(noted(HaproxyGap::ForwardedForLines));
}

TEST_F(Features, AFailedConnectionIs504AfterTheConnectTimeoutAndOtherwise502) {
    const std::string waited =
        "http-after-response set-var(txn.waited_ms) date(0,ms),sub(txn.accepted_ms) if proxy_503 "
        "toward_target !target_answered";
    const std::string timeout =
        "http-after-response set-status 504 if proxy_503 toward_target !target_answered "
        "{ var(txn.waited_ms) -m int ge 10000 }";
    const std::string refused =
        "http-after-response set-status 502 if proxy_503 toward_target !target_answered";
    EXPECT_LT(position(http, waited), position(http, timeout));
    EXPECT_LT(position(http, timeout), position(http, refused));
    EXPECT_GE(position(http, waited), 0);
    EXPECT_TRUE(contains(http, "http-response set-var(txn.from_target) bool(true)"))
        << "a target's own 503 is passed on as it is";
    EXPECT_TRUE(contains(section(config.text, "backend group-web-tg"),
                         "http-request set-var(txn.to_target) bool(true)"));
    EXPECT_TRUE(starting(section(config.text, "backend group-empty-tg"),
                         "http-request set-var(txn.to_target)")
                    .empty())
        << "a group without targets keeps its 503";
    EXPECT_TRUE(noted(HaproxyGap::ConnectFailureStatus));
}

TEST_F(Features, HttpsListenersServeTheLabCertificateOfTheirName) {
    EXPECT_TRUE(
        contains(https, "bind " + t.load_balancers[0].nodes[1].private_ip.to_string() +
                            ":443 ssl crt /run/vpcstack/lab/certs/_wildcard.example.com.pem "
                            "alpn h2,http/1.1"))
        << "the CA stores *.example.com as _wildcard.example.com";
    ASSERT_EQ(config.certificates.size(), 1u);
    EXPECT_EQ(config.certificates[0].name, "*.example.com");
}

// ---- Backends ---------------------------------------------------------------------------------

TEST_F(Features, OneBackendPerForwardedGroupInTopologyOrder) {
    const auto headers = section_headers(config.text);
    const std::vector<std::string> backends(headers.begin() + 4, headers.end());
    EXPECT_EQ(backends,
              (std::vector<std::string>{"backend group-web-tg", "backend group-lor-tg",
                                        "backend group-app-tg", "backend group-ip-tg",
                                        "backend group-tls-tg", "backend group-empty-tg"}));
}

TEST_F(Features, HealthChecksCarryTheGroupsPathMatcherTimingAndPort) {
    const auto web = section(config.text, "backend group-web-tg");
    EXPECT_TRUE(contains(web, "http-check expect status 200-299,302"))
        << "HAProxy reads the cloud's list and range syntax as it is";
    EXPECT_TRUE(contains(web, "timeout check 4s"));
    const std::string web3 = t.enis[t.instances[2].enis[0]].primary_ip().to_string();
    EXPECT_TRUE(contains(web, "server web-3:8080 " + web3 + ":8080 cookie " + web3 +
                                  ":8080 check inter 10s rise 3 fall 4 port 8081"))
        << "the target's own port, the check's port override";
    const auto tls = section(config.text, "backend group-tls-tg");
    EXPECT_TRUE(contains(tls, "server web-3:443 " + web3 +
                                  ":443 ssl verify none check inter 30s rise 5 fall 2 port 80 "
                                  "no-check-ssl"))
        << "HTTPS toward the target, HTTP checks on port 80";
    EXPECT_TRUE(contains(tls, "server web-3:443-failopen " + web3 + ":443 ssl verify none backup"));
}

TEST_F(Features, TheRoutingAlgorithmIsRoundRobinOrLeastOutstandingRequests) {
    EXPECT_TRUE(contains(section(config.text, "backend group-web-tg"), "balance roundrobin"));
    EXPECT_TRUE(contains(section(config.text, "backend group-lor-tg"), "balance leastconn"));
}

TEST_F(Features, IpTargetsAreServedOnTheirAddressAndTheirOrTheGroupsPort) {
    const auto ip = starting(section(config.text, "backend group-ip-tg"), "server ");
    EXPECT_EQ(ip, (std::vector<std::string>{
                      "server 10.0.10.200:8080 10.0.10.200:8080 check inter 30s rise 5 fall 2",
                      "server 10.0.10.201:9090 10.0.10.201:9090 check inter 30s rise 5 fall 2",
                      "server 10.0.10.200:8080-failopen 10.0.10.200:8080 backup",
                      "server 10.0.10.201:9090-failopen 10.0.10.201:9090 backup"}));
}

TEST_F(Features, EveryTargetIsAlsoAnUncheckedBackupSoAGroupFailsOpen) {
    for (const char* group : {"web-tg", "lor-tg", "app-tg", "ip-tg", "tls-tg"}) {
        const auto lines = section(config.text, std::string("backend group-") + group);
        EXPECT_TRUE(contains(lines, "option allbackups")) << group;
        const auto servers = starting(lines, "server ");
        const auto backups =
            std::count_if(servers.begin(), servers.end(), [](const std::string& s) {
                return s.ends_with(" backup") && s.find(" check") == std::string::npos;
            });
        EXPECT_EQ(static_cast<std::size_t>(backups) * 2, servers.size()) << group;
    }
    const auto empty = section(config.text, "backend group-empty-tg");
    EXPECT_TRUE(starting(empty, "server ").empty()) << "no target: HAProxy's 503";
    EXPECT_TRUE(noted(HaproxyGap::InitialHealth));
}

TEST_F(Features, AppCookieStickinessTravelsInTheApplicationsCookie) {
    const auto app = section(config.text, "backend group-app-tg");
    EXPECT_TRUE(contains(app, "cookie SESSION prefix nocache"));
    const std::string web1 = t.enis[t.instances[0].enis[0]].primary_ip().to_string() + ":80";
    EXPECT_TRUE(contains(
        app, "server web-1:80 " + web1 + " cookie " + web1 + " check inter 30s rise 5 fall 2"));
    EXPECT_TRUE(noted(HaproxyGap::AppCookieName));
    EXPECT_TRUE(noted(HaproxyGap::StickinessWhileFailing));
}

// ---- HAProxy itself -------------------------------------------------------------------------

// Writes the configuration into a fresh directory, with the certificates the lab's CA would
// issue there, and runs `haproxy -c`. Never starts HAProxy as a server.
void expect_haproxy_accepts(const model::Topology& t) {
    const fs::path haproxy = "/usr/sbin/haproxy";
    if (!fs::exists(haproxy)) GTEST_SKIP() << "haproxy is not installed: `haproxy -c` not run";
    std::string dir_template = (fs::temp_directory_path() / "vpcstack-haproxy-XXXXXX").string();
    ASSERT_NE(mkdtemp(dir_template.data()), nullptr);
    const fs::path dir = dir_template;
    const HaproxyPaths paths{dir, dir / "log.sock", dir / "certs"};
    fs::create_directories(paths.certificate_dir);
    for (std::size_t node = 0; node < t.load_balancers.at(0).nodes.size(); ++node) {
        const HaproxyConfig c = haproxy_config(t, 0, static_cast<model::Index>(node), paths);
        for (const HaproxyCertificate& cert : c.certificates) {
            if (fs::exists(cert.certificate)) continue;
            if (std::system("command -v openssl >/dev/null") != 0) {
                GTEST_SKIP() << "openssl is not installed: no certificate for " << cert.name;
            }
            const std::string make =
                "openssl req -x509 -newkey rsa:2048 -nodes -subj /CN=test "
                "-days 1 -keyout '" +
                cert.key.string() + "' -out '" + cert.certificate.string() + "' >/dev/null 2>&1";
            ASSERT_EQ(std::system(make.c_str()), 0) << make;
            fs::create_symlink(cert.key, cert.key_for_proxy);
        }
        const fs::path file = dir / ("node" + std::to_string(node) + ".cfg");
        std::ofstream(file) << c.text;
        const fs::path output = dir / "check.out";
        const std::string check =
            haproxy.string() + " -c -f '" + file.string() + "' >'" + output.string() + "' 2>&1";
        const int status = std::system(check.c_str());
        std::ifstream in(output);
        const std::string said((std::istreambuf_iterator<char>(in)), {});
        EXPECT_EQ(status, 0) << said << "\n" << c.text;
        EXPECT_EQ(said.find("[WARNING]"), std::string::npos) << said;
        EXPECT_EQ(said.find("[ALERT]"), std::string::npos) << said;
    }
    fs::remove_all(dir);
}

TEST(HaproxyCheck, TheWebStackConfigurationIsValid) {
    expect_haproxy_accepts(web_stack());
}

TEST(HaproxyCheck, AConfigurationWithEveryFeatureIsValid) {
    expect_haproxy_accepts(load_alb(kListeners, kGroups));
}

}  // namespace
}  // namespace vpcstack::lb
