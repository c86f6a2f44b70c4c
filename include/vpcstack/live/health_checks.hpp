// Route 53 health checks of a live lab, probed for real: the engine daemon runs one prober
// thread per HTTP, HTTPS or TCP check inside the lab's internet namespace, connecting from the
// checkers' address (sim::kRoute53CheckerAddress), so the endpoint's security groups and ACLs
// judge the probes as they judge them in the simulation. The daemon keeps each check's record,
// flips it after `failure_threshold` results the other way, gives the engine's VPC resolver the
// status and writes every status to /run/vpcstack/<lab>/health-checks.json, which the internet's
// name server (dns_serve.hpp) reads again whenever it changes.
//
// AWS: dns-failover-determining-health-of-endpoints — checkers probe every RequestInterval (10
// or 30 s). HTTP and HTTPS: a TCP connection within four seconds, then an HTTP status 2xx or 3xx
// within two seconds after connecting (HTTPS: the certificate is not validated). TCP: a
// connection within ten seconds. The status changes after FailureThreshold consecutive results
// the other way; Inverted flips the result; CALCULATED: healthy when at least HealthThreshold
// children are. Route 53 runs checkers in several regions and judges by the share of them that
// agree; a lab has one checker, so one result is the checkers' result.
#pragma once

#include <chrono>
#include <cstdint>
#include <deque>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "vpcstack/live/netns.hpp"
#include "vpcstack/model/topology.hpp"
#include "vpcstack/net/ipv4.hpp"

namespace vpcstack::live {

inline constexpr int kHealthConnectTimeoutMs = 4000;      // HTTP, HTTPS: the TCP connection
inline constexpr int kHealthTcpConnectTimeoutMs = 10000;  // TCP checks
inline constexpr int kHealthAnswerTimeoutMs = 2000;       // HTTP(S): the status after connecting

// What one check's probes connect to.
struct HealthProbe {
    std::string check;  // the check's name
    model::HealthCheckType type = model::HealthCheckType::Http;
    net::Ipv4Address address;
    std::uint16_t port = 80;
    std::string host;  // Host header (and TLS server name): domain[:port], else the address
    std::string path = "/";
    std::uint32_t interval = 30;             // seconds between probes
    std::optional<net::Ipv4Address> source;  // bound before connecting (the checkers' address)
};

// The probe of check `c` of the topology to `address` (health_check_address), from `source`.
HealthProbe make_health_probe(const model::Route53HealthCheck& check, net::Ipv4Address address,
                              std::optional<net::Ipv4Address> source);

struct ProbeResult {
    bool ok = false;
    // "http/80 to 203.0.113.10: 200", "tcp/80 to 203.0.113.10 refused", "https/443 to
    // 203.0.113.10: no connection within 4 s"
    std::string text;
};

// Probes once in the calling thread's network namespace, within the timeouts above; returns
// early (not ok, "stopped") when `stop_fd` becomes readable. Never throws.
ProbeResult probe_once(const HealthProbe& probe, int stop_fd = -1);

// A check's status as the lab's checkers see it.
struct HealthCheckRecord {
    std::string name;
    std::string type;  // HTTP, HTTPS, TCP, CALCULATED
    bool healthy = true;
    std::int64_t since = 0;  // unix seconds: the last change of status, or the lab's start
    std::string last_result;
    bool last_ok = true;            // the last probe's own result (before `inverted`)
    std::uint32_t consecutive = 0;  // results in a row like the last one
    std::uint32_t failure_threshold = 3;
    bool inverted = false;
};

// Applies one probe result at `now` (unix seconds). True when the status changed: after
// `failure_threshold` consecutive results whose status (the result, flipped when `inverted`)
// differs from the current one.
bool apply_probe_result(HealthCheckRecord& record, const ProbeResult& result, std::int64_t now);

// "web-1  HTTP  unhealthy since 04:21:03, 3 in a row: http/80 to 203.0.113.10 refused"
std::string health_check_line(const HealthCheckRecord& record);

nlohmann::json health_records_json(const std::vector<HealthCheckRecord>& records);
std::vector<HealthCheckRecord> health_records_from_json(const nlohmann::json& doc);

// /run/vpcstack/<lab>/health-checks.json
std::string health_status_path(std::string_view lab);
// Writes the records atomically (a temporary file renamed over the path). Throws SystemError.
void write_health_records(const std::string& path, const std::vector<HealthCheckRecord>& records);
// The status of every check the file names; nothing when it is missing or unreadable.
std::optional<std::map<std::string, bool>> read_health_statuses(const std::string& path);

// One thread per probe, each in network namespace `netns` (a /run/netns name; empty: the
// caller's), probing after `first_delay` and then every interval. Results queue up until take();
// the event fd is readable while some wait. The destructor stops and joins the threads; a probe in
// progress ends at once.
class HealthProber {
  public:
    struct Outcome {
        std::size_t probe = 0;  // index into the probes given
        ProbeResult result;
    };

    // Throws SystemError.
    HealthProber(std::vector<HealthProbe> probes, std::string netns,
                 std::chrono::milliseconds first_delay = std::chrono::milliseconds(0));
    ~HealthProber();
    HealthProber(const HealthProber&) = delete;
    HealthProber& operator=(const HealthProber&) = delete;

    int event_fd() const noexcept { return event_.get(); }
    std::vector<Outcome> take();

  private:
    void run(std::size_t index);
    void push(std::size_t index, ProbeResult result);

    std::vector<HealthProbe> probes_;
    std::string netns_;
    std::chrono::milliseconds first_delay_;
    Fd event_;  // counts queued results
    Fd stop_;   // readable once stopping
    std::mutex mutex_;
    std::deque<Outcome> queue_;
    std::vector<std::thread> threads_;
};

}  // namespace vpcstack::live
