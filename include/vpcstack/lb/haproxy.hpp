// An HAProxy configuration that makes one HAProxy process behave as one node of an Application
// Load Balancer, for live labs: the same rules, actions, target groups, health checks,
// stickiness and headers as the rest of src/lb, in HAProxy's words. AWS: load-balancer-listeners,
// load-balancer-target-groups, target-group-health-checks, sticky-sessions, x-forwarded-headers.
//
// The text has four parts:
// - global: a pid file and a stats socket in the run directory, logs to the lab's socket, no
//   daemon (the lab supervises the process), a bounded maxconn, and hard-stop-after the longest
//   deregistration delay of the node's target groups (a process a reload replaces ends then);
// - defaults: HTTP mode and the cloud's timeouts (idle timeout 60 s, connect timeout 10 s);
// - one frontend per listener, bound on the node's private address: the rules' conditions as
//   ACLs, the first matching rule in priority order named in the variable txn.rule, then its
//   redirect, fixed response or forward, and the X-Forwarded headers toward the target;
// - one backend per target group the listeners forward to: the registered targets as servers,
//   health checks, the routing algorithm, stickiness, and failing open.
//
// Where HAProxy cannot say exactly what the cloud does, the config says what it does instead and
// the result carries a note of that kind, so the lab can show it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "vpcstack/model/topology.hpp"

namespace vpcstack::lb {

// Where the process keeps its files. One process per load balancer node; the file names
// carry the load balancer's name and the node's number, so processes can share a directory.
struct HaproxyPaths {
    std::filesystem::path run_dir;          // pid file and stats socket
    std::filesystem::path log_socket;       // a Unix datagram socket that receives the logs
    std::filesystem::path certificate_dir;  // the lab CA's directory (live/certificates.hpp)
};

// The cloud's idle timeout, the default of every load balancer. AWS: application-load-balancers
// (connection idle timeout, 60 seconds).
inline constexpr std::uint32_t kIdleTimeoutSeconds = 60;
// How long the load balancer waits for a connection to a target. AWS: load-balancer-
// troubleshooting (HTTP 504: connection timeout, 10 seconds).
inline constexpr std::uint32_t kTargetConnectTimeoutSeconds = 10;

// Something of the cloud's behaviour that the configuration approximates.
enum class HaproxyGap : std::uint8_t {
    ForwardedForLines,       // several X-Forwarded-For lines: a line is added, not merged
    QueryStringDecoding,     // query-string conditions match the decoded query as one string
    ConnectFailureStatus,    // 502 or 504 for a failed connection, told apart by elapsed time
    InitialHealth,           // targets start healthy, not "initial"
    StickinessWhileFailing,  // no stickiness cookie while a group fails open
    AppCookieName,           // app_cookie: the application's cookie carries the target
    SourceIpStickiness,      // source_ip stickiness is an NLB setting: not configured
};

struct HaproxyNote {
    HaproxyGap gap = HaproxyGap::ForwardedForLines;
    std::string message;  // what the cloud does and what HAProxy does instead
};

// A certificate an HTTPS listener serves, as the lab's CA writes it, and the key file name
// HAProxy reads beside it ("<crt>.key"): the lab links the CA's key there.
struct HaproxyCertificate {
    std::string name;                     // "shop.example.com"
    std::filesystem::path certificate;    // <certificate_dir>/<file name>.pem, on the bind line
    std::filesystem::path key;            // <certificate_dir>/<file name>-key.pem, as issued
    std::filesystem::path key_for_proxy;  // <certificate>.key, which HAProxy loads
};

struct HaproxyConfig {
    std::string text;
    std::filesystem::path pid_file;
    std::filesystem::path stats_socket;
    // How long a replaced process may finish its requests (hard-stop-after): the longest
    // deregistration delay of the groups the listeners forward to, 0 without any.
    std::uint32_t hard_stop_after = 0;
    std::vector<HaproxyCertificate> certificates;  // one per distinct name, in listener order
    std::vector<HaproxyNote> notes;                // one per gap that concerns this load balancer
    // The backend of each target group the node forwards to, by its name in the file (and in
    // `show stat`): "group-web-tg" -> the group's index.
    std::map<std::string, model::Index> backends;
};

// The configuration of node `node` of load balancer `load_balancer`. Throws
// std::invalid_argument when the load balancer or node does not exist, or is not an
// Application Load Balancer's.
HaproxyConfig haproxy_config(const model::Topology& topology, model::Index load_balancer,
                             model::Index node, const HaproxyPaths& paths);

// The name of a target's server lines in its group's backend: "<instance>:<port>" for an
// instance target, "<ip>:<port>" for an ip one (HAProxy's identifier characters only), so that a
// server keeps its name while the group's other targets come and go; "-<n>" tells apart targets
// whose names differ only in characters HAProxy refuses. The fail-open backup of the same target
// is "<server>-failopen".
std::string haproxy_server_name(std::string_view target, std::uint16_t port);
inline constexpr std::string_view kFailOpenSuffix = "-failopen";

// One line of HAProxy's `show stat`: a frontend, a backend or a server.
struct HaproxyServerStats {
    std::string backend;         // pxname: "group-web-tg", "listener-80"
    std::string server;          // svname: a server's name, "FRONTEND" or "BACKEND"
    std::string status;          // as HAProxy says it: "UP", "DOWN", "UP 1/3", "MAINT", "no check"
    bool up = false;             // UP (also while going down, "UP 1/3"), "no check" or OPEN
    std::uint64_t requests = 0;  // HTTP requests (req_tot), else sessions (stot)
    std::uint64_t sessions = 0;  // stot
    std::string check_status;    // "L7OK", "L4CON", ...; empty without checks
    std::string address;         // addr: a server's "10.0.10.11:80"; empty for the others
    bool backup = false;         // bck
};

// The lines of a `show stat` answer (CSV, its header "# pxname,svname,..."), read by column
// name so that columns added by later HAProxy versions do not matter. Throws
// std::invalid_argument when there is no header or it lacks pxname, svname or status.
std::vector<HaproxyServerStats> parse_haproxy_stats(std::string_view csv);

// The file name (without ".pem") under which the lab's CA stores a name's certificate:
// "*.example.com" becomes "_wildcard.example.com". See live/certificates.hpp.
std::string certificate_file_stem(std::string_view name);

// A word of an HAProxy configuration that reads back as `text`: as it is when it needs no
// quoting, else single-quoted, else double-quoted with escapes (section 2.2 of HAProxy's
// configuration manual).
std::string haproxy_word(std::string_view text);

// The regular expression (PCRE and POSIX extended alike, not anchored) of an ALB wildcard
// pattern: '*' any run of the characters `any` matches, '?' one of them; with `escapes`, "\*"
// and "\?" are the literal characters.
std::string wildcard_regex(std::string_view pattern, std::string_view any = ".",
                           bool escapes = false);

// The regular expression of a query-string condition value ("KEY=VALUE", "=VALUE" or "VALUE",
// see rules.hpp) over a percent-decoded query string: it matches when some KEY=VALUE parameter
// between '&' does, a parameter without '=' having an empty value. Case is the ACL's (-i).
std::string query_string_regex(std::string_view pattern);

}  // namespace vpcstack::lb
