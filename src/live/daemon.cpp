#include "vpcstack/live/daemon.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <fmt/format.h>
#include <fmt/ranges.h>
#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <deque>
#include <fstream>
#include <map>
#include <memory>
#include <set>
#include <sstream>

#include <nlohmann/json.hpp>
#include <stdexcept>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "vpcstack/engine/engine.hpp"
#include "vpcstack/live/capture_stream.hpp"
#include "vpcstack/live/control.hpp"
#include "vpcstack/live/health_checks.hpp"
#include "vpcstack/live/instance_env.hpp"
#include "vpcstack/live/lab.hpp"
#include "vpcstack/live/lab_plan.hpp"
#include "vpcstack/live/lab_scaling.hpp"
#include "vpcstack/live/lab_state.hpp"
#include "vpcstack/live/lb_nodes.hpp"
#include "vpcstack/live/user_data.hpp"
#include "vpcstack/live/vnet.hpp"
#include "vpcstack/model/dns_views.hpp"
#include "vpcstack/model/loader.hpp"
#include "vpcstack/model/resource_ids.hpp"
#include "vpcstack/model/scaling.hpp"
#include "vpcstack/net/bytes.hpp"
#include "vpcstack/net/checksum.hpp"
#include "vpcstack/net/ethernet.hpp"
#include "vpcstack/net/ipv4_header.hpp"
#include "vpcstack/net/protocol.hpp"
#include "vpcstack/net/tcp.hpp"
#include "vpcstack/observe/counters.hpp"
#include "vpcstack/observe/flow_log.hpp"
#include "vpcstack/sim/health_checks.hpp"
#include "vpcstack/sim/load_balancer_health.hpp"

namespace vpcstack::live {

using nlohmann::json;

namespace {

constexpr std::size_t kTraceRing = 4096;  // recent packet traces kept for `lab trace`
constexpr int kBurst = 64;                // frames read from one fd before the next fd
constexpr std::size_t kFrameBuffer = sizeof(VirtioNetHdr) + 65536 + 64;
namespace ethernet = net::ethernet;
namespace ipv4 = net::ipv4;
namespace tcp = net::tcp;

engine::TimeNs monotonic_now() {
    timespec ts{};
    ::clock_gettime(CLOCK_MONOTONIC, &ts);
    return static_cast<engine::TimeNs>(ts.tv_sec) * 1'000'000'000ull +
           static_cast<engine::TimeNs>(ts.tv_nsec);
}

void log(const std::string& line) {
    std::time_t now = std::time(nullptr);
    char stamp[32];
    std::strftime(stamp, sizeof(stamp), "%Y-%m-%dT%H:%M:%S", std::gmtime(&now));
    std::fprintf(stderr, "%s %s\n", stamp, line.c_str());
    std::fflush(stderr);
}

struct PortCounters {
    std::uint64_t rx_frames = 0;
    std::uint64_t rx_bytes = 0;
    std::uint64_t tx_frames = 0;
    std::uint64_t tx_bytes = 0;
};

// The frame being handed to the engine, so that transmit() recognises it on the way out and
// gives it back its virtio header and, for a large segment, the payload beyond the first MSS.
struct InFlight {
    FrameKey key;  // of what the engine was given
    VirtioNetHdr header;
    bool partial = false;  // checksum field inverted (see daemon.hpp)
    bool gso = false;
    std::size_t headers = 0;             // Ethernet + IP + TCP bytes
    std::span<const std::uint8_t> tail;  // payload the engine was not shown
    std::uint16_t total_length = 0;      // the whole frame's IPv4 total length
};

// Sets an IPv4 header's total length and recomputes its checksum.
void set_total_length(std::uint8_t* ip, std::uint16_t total) {
    net::store16(ip + ipv4::kTotalLength, total);
    net::store16(ip + ipv4::kChecksum, 0);
    net::store16(ip + ipv4::kChecksum, net::checksum(net::ones_sum({ip, ipv4::header_size(ip)})));
}

// Unix time of the daemon's monotonic clock's zero, in ns: the engine is given monotonic times,
// flow logs and captures show Unix times.
std::int64_t unix_epoch_of_monotonic() {
    timespec real{};
    ::clock_gettime(CLOCK_REALTIME, &real);
    return static_cast<std::int64_t>(real.tv_sec) * 1'000'000'000 + real.tv_nsec -
           static_cast<std::int64_t>(monotonic_now());
}

engine::EngineConfig engine_config(const LabState& state) {
    engine::EngineConfig config;
    // Flow logs are built from trace records: tracing is on when they are asked for.
    config.trace = state.trace || !state.flow_logs.dir.empty();
    // Time sync answers the host's wall clock.
    config.wall_clock_at_zero = unix_epoch_of_monotonic();
    return config;
}

// The flow log of a lab, its windows on the daemon's monotonic clock mapped to Unix time.
std::unique_ptr<observe::FlowLogCollector> make_flow_log(const LabState& state,
                                                         const model::Topology& topology) {
    if (state.flow_logs.dir.empty()) return nullptr;
    std::string error;
    std::optional<observe::FlowLogOptions> options = state.flow_logs.options(error);
    if (!options) throw std::runtime_error("flow logs: " + error);
    observe::FlowLogOptions& o = *options;
    o.epoch_ns = unix_epoch_of_monotonic();
    o.start_ns = monotonic_now();
    o.flow_log_id = model::derived_id("fl-", state.lab);
    return std::make_unique<observe::FlowLogCollector>(topology, std::move(o));
}

// Bytes of IP and TCP header of a TCP/IPv4 frame; 0 when it is not one.
std::size_t ip_tcp_header_bytes(std::span<const std::uint8_t> frame) {
    if (frame.size() < ethernet::kHeaderSize + ipv4::kMinHeaderSize) {
        return 0;
    }
    const std::uint8_t* ip = frame.data() + ethernet::kHeaderSize;
    const std::size_t ihl = ipv4::header_size(ip);
    if (ip[ipv4::kProtocol] != net::Protocol::kTcp ||
        frame.size() < ethernet::kHeaderSize + ihl + tcp::kMinHeaderSize) {
        return 0;
    }
    return ihl + tcp::header_size(ip + ihl);
}

class Daemon final : public engine::FrameSink {
  public:
    Daemon(LabState state, model::Topology topology, LabPlan plan, std::vector<LivePort> ports)
        : state_(std::move(state)),
          topology_(std::make_unique<model::Topology>(std::move(topology))),
          plan_(std::move(plan)),
          ports_(std::move(ports)),
          counters_(ports_.size()),
          engine_(std::make_unique<engine::Engine>(*topology_, *this, engine_config(state_))),
          buffer_(kFrameBuffer) {
        index_ports();
        init_health_checks();
        flow_log_ = make_flow_log(state_, *topology_);
        attach_trace_callback();
        started_ = std::chrono::steady_clock::now();
        const engine::TimeNs now = monotonic_now();
        for (const model::Instance& instance : topology_->instances) {
            launched_at_[instance.meta.name] = now;
        }
        for (const model::AutoScalingGroup& asg : topology_->auto_scaling_groups) {
            if (asg.target_tracking) trackers_.emplace(asg.meta.name, *asg.target_tracking);
        }
    }

    int run();

    void transmit(engine::PortId port, std::span<const std::uint8_t> frame) override;

  private:
    void index_ports() {
        by_port_.clear();
        for (std::size_t i = 0; i < ports_.size(); ++i) {
            by_port_[ports_[i].port] = i;
        }
    }
    void attach_trace_callback() {
        if (!state_.trace && !flow_log_) return;
        engine_->set_trace_callback([this](engine::PacketTrace&& trace) {
            if (flow_log_) flow_log_->observe(trace);
            if (!state_.trace) return;
            if (traces_.size() >= kTraceRing) {
                traces_.pop_front();
            }
            traces_.push_back(std::move(trace));
        });
    }
    // --- Route 53 health checks (health_checks.hpp) ---
    // The records as the simulation predicts them, given to the engine, until probes say more.
    void init_health_checks();
    // The prober threads in the internet namespace; none when no check needs probing.
    void start_health_prober();
    // Applies the results the prober queued: flips, calculated checks, the engine, the file.
    void take_health_results();
    // Sets a record's status in the engine and logs the change.
    void health_changed(const HealthCheckRecord& record, const std::string& after);
    void publish_health() const;
    // --- Auto Scaling (model/scaling.hpp, lab_scaling.hpp) ---
    json scale(const json& request);
    // Rebuilds the lab with group `g` running `launched`: makes and removes namespaces, moves
    // the engine's state to one built on the new topology, starts the new instances' user data,
    // reconfigures the load balancer nodes, records it all. Returns the reply.
    json apply_group(model::Index g, std::vector<model::LaunchedInstance> launched,
                     const std::string& cause);
    // Once a second: drained instances go, target tracking and ELB health checks act.
    void run_scaling(engine::TimeNs now);
    void record_activity(const std::string& group, const std::string& description,
                         const std::string& cause);
    // Requests per target group and servers' health, from every ALB node's HAProxy.
    struct LbObservation {
        std::map<std::string, std::uint64_t> requests;  // target group -> requests so far
        std::map<std::string, std::size_t> healthy;     // target group -> healthy targets
        std::map<std::string, bool> instance_up;        // instance -> healthy in some node
        bool ok = false;
    };
    LbObservation observe_lb_nodes() const;
    // Gives every ALB node whose configuration changed (its targets) a new HAProxy, the old one
    // finishing its requests (lb_nodes.hpp).
    void reload_lb_nodes(const std::string& program_dir);
    void receive_from(std::size_t index);
    void handle_frame(std::size_t index, std::span<std::uint8_t> bytes);
    void feed(engine::PortId port, std::span<const std::uint8_t> frame);
    void drop(LiveDrop reason) { ++live_drops_[static_cast<std::size_t>(reason)]; }
    void serve_control(int listener);
    json handle_request(const json& request);
    json status() const;
    json trace(const json& request) const;
    json replace_security_group(const json& request);
    // Writes the records of the windows closed by `now` (all of them when stopping).
    void flush_flow_logs(engine::TimeNs now, bool stopping);

    LabState state_;
    std::unique_ptr<model::Topology> topology_;  // the engine and captures refer to it
    LabPlan plan_;
    std::vector<LivePort> ports_;
    std::vector<PortCounters> counters_;
    std::unordered_map<engine::PortId, std::size_t> by_port_;
    std::unique_ptr<engine::Engine> engine_;
    int epoll_fd_ = -1;
    static constexpr std::uint64_t kCaptureBit = std::uint64_t{1} << 62;
    // Auto Scaling: when each instance was launched (the health check grace period), the
    // instances draining until a time, the groups' target trackers and what they last read.
    std::unordered_map<std::string, engine::TimeNs> launched_at_;
    struct Draining {
        std::string group;
        std::string instance;
        engine::TimeNs until = 0;
    };
    std::vector<Draining> draining_;
    std::map<std::string, model::TargetTracker> trackers_;
    std::map<std::string, std::uint32_t> last_launched_;  // group -> highest N of GROUP-N
    std::map<std::string, std::uint64_t> last_requests_;  // target group -> requests then
    engine::TimeNs next_tracking_ = 0;
    engine::TimeNs next_health_ = 0;
    std::vector<std::uint8_t> buffer_;
    InFlight* in_flight_ = nullptr;
    std::array<std::uint64_t, static_cast<std::size_t>(LiveDrop::kCount)> live_drops_{};
    OffloadCounts offload_;
    std::deque<engine::PacketTrace> traces_;
    std::unique_ptr<observe::FlowLogCollector> flow_log_;
    // Live captures (made in run(), with the epoll set); after engine_, so gone before it.
    std::unique_ptr<CaptureStreams> captures_;
    std::chrono::steady_clock::time_point started_;
    // Route 53 health checks: a record per check of the topology, in its order; the prober's
    // probes and, for each, its record.
    std::vector<HealthCheckRecord> health_;
    std::vector<HealthProbe> probes_;
    std::vector<std::size_t> probe_record_;
    std::unique_ptr<HealthProber> prober_;
};

void Daemon::feed(engine::PortId port, std::span<const std::uint8_t> frame) {
    engine_->receive(port, frame, monotonic_now());
}

void Daemon::handle_frame(std::size_t index, std::span<std::uint8_t> bytes) {
    const engine::PortId port = ports_[index].port;
    if (!state_.offload) {
        if (bytes.size() < ethernet::kHeaderSize) {
            drop(LiveDrop::RxShort);
            return;
        }
        feed(port, bytes);
        return;
    }
    if (bytes.size() < sizeof(VirtioNetHdr) + ethernet::kHeaderSize) {
        drop(LiveDrop::RxShort);
        return;
    }
    InFlight flight;
    std::memcpy(&flight.header, bytes.data(), sizeof(VirtioNetHdr));
    std::span<std::uint8_t> frame = bytes.subspan(sizeof(VirtioNetHdr));
    const std::uint8_t gso_type = flight.header.gso_type & static_cast<std::uint8_t>(~kVnetGsoEcn);
    flight.gso = gso_type != kVnetGsoNone;
    flight.key = frame_key(frame);

    auto cut_and_feed = [&](std::span<const std::uint8_t> whole) {
        if (!segment_tcp4(whole, flight.header.gso_size,
                          [&](std::span<const std::uint8_t> segment) { feed(port, segment); })) {
            drop(LiveDrop::BadGso);
        }
    };
    if (flight.gso && gso_type != kVnetGsoTcpv4) {
        ++offload_.gso_segmented;
        cut_and_feed(frame);
        return;
    }
    const bool is_tcp = flight.key.valid && flight.key.protocol == net::Protocol::kTcp;
    if ((flight.header.flags & kVnetNeedsCsum) != 0) {
        if (is_tcp && flight.header.csum_offset == tcp::kChecksum &&
            invert_partial_checksum(frame, flight.header)) {
            flight.partial = true;
            ++offload_.partial_passed;
        } else {
            if (!complete_checksum(frame, flight.header)) {
                drop(LiveDrop::BadChecksumOffset);
                return;
            }
            flight.header.flags = 0;
            ++offload_.csum_completed;
        }
    }
    std::span<const std::uint8_t> view = frame;
    if (flight.gso) {
        // The engine is shown the headers and the first segment's payload only: what it decides
        // for that segment (rules, translations, the MTU of the path) holds for every segment,
        // and it never copies the rest. transmit() puts the rest back behind its headers.
        const std::size_t ip_tcp = ip_tcp_header_bytes(frame);
        const std::size_t segment = ethernet::kHeaderSize + ip_tcp + flight.header.gso_size;
        if (ip_tcp == 0 || flight.header.gso_size == 0) {
            drop(LiveDrop::BadGso);
            return;
        }
        ++offload_.gso_passed;
        flight.headers = ethernet::kHeaderSize + ip_tcp;
        if (segment < frame.size()) {
            flight.total_length = static_cast<std::uint16_t>(frame.size() - ethernet::kHeaderSize);
            flight.tail = frame.subspan(segment);
            view = frame.first(segment);
            set_total_length(frame.data() + ethernet::kHeaderSize,
                             static_cast<std::uint16_t>(segment - ethernet::kHeaderSize));
        }
    } else if (flight.partial) {
        flight.headers = ethernet::kHeaderSize + ip_tcp_header_bytes(frame);
    }
    flight.key = frame_key(view);
    in_flight_ = &flight;
    feed(port, view);
    in_flight_ = nullptr;
}

void Daemon::transmit(engine::PortId port, std::span<const std::uint8_t> frame) {
    auto found = by_port_.find(port);
    if (found == by_port_.end()) {
        drop(LiveDrop::UnknownPort);
        return;
    }
    const std::size_t index = found->second;
    VirtioNetHdr header{};
    std::array<iovec, 4> parts{};
    int count = 0;
    std::array<std::uint8_t, ethernet::kHeaderSize + ipv4::kMaxHeaderSize + tcp::kMaxHeaderSize>
        headers{};
    if (state_.offload) {
        const InFlight* flight = in_flight_;
        const bool same = flight != nullptr && flight->key.valid && frame_key(frame) == flight->key;
        parts[count++] = {&header, sizeof(header)};
        if (same) {
            header = flight->header;
        }
        if (same && (flight->partial || !flight->tail.empty()) && flight->headers <= frame.size() &&
            flight->headers <= headers.size()) {
            // The engine's headers, with the partial checksum field inverted back and the whole
            // frame's length restored, then its payload, then the payload it was not shown.
            std::memcpy(headers.data(), frame.data(), flight->headers);
            const std::size_t field = std::size_t{header.csum_start} + header.csum_offset;
            if (flight->partial && field + 2 <= flight->headers) {
                headers[field] = static_cast<std::uint8_t>(~headers[field]);
                headers[field + 1] = static_cast<std::uint8_t>(~headers[field + 1]);
            }
            if (!flight->tail.empty()) {
                set_total_length(headers.data() + ethernet::kHeaderSize, flight->total_length);
            }
            parts[count++] = {headers.data(), flight->headers};
            parts[count++] = {const_cast<std::uint8_t*>(frame.data() + flight->headers),
                              frame.size() - flight->headers};
            if (!flight->tail.empty()) {
                parts[count++] = {const_cast<std::uint8_t*>(flight->tail.data()),
                                  flight->tail.size()};
            }
        } else {
            parts[count++] = {const_cast<std::uint8_t*>(frame.data()), frame.size()};
        }
    } else {
        parts[count++] = {const_cast<std::uint8_t*>(frame.data()), frame.size()};
    }
    ssize_t written = ::writev(ports_[index].fd.get(), parts.data(), count);
    if (written < 0) {
        drop(errno == EAGAIN || errno == ENOBUFS ? LiveDrop::TxBusy : LiveDrop::TxError);
        return;
    }
    counters_[index].tx_frames++;
    counters_[index].tx_bytes += frame.size();
}

void Daemon::receive_from(std::size_t index) {
    const int fd = ports_[index].fd.get();
    for (int i = 0; i < kBurst; ++i) {
        ssize_t n = ::read(fd, buffer_.data(), buffer_.size());
        if (n < 0) {
            // EAGAIN: drained. Another error is counted and the read retried on the next wake-up.
            if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) drop(LiveDrop::RxError);
            return;
        }
        counters_[index].rx_frames++;
        counters_[index].rx_bytes += static_cast<std::uint64_t>(n);
        handle_frame(index, {buffer_.data(), static_cast<std::size_t>(n)});
    }
}

void Daemon::flush_flow_logs(engine::TimeNs now, bool stopping) {
    if (!flow_log_) return;
    std::vector<observe::FlowLogRecord> records =
        stopping ? flow_log_->take_all(now) : flow_log_->take_closed(now);
    if (records.empty()) return;
    try {
        for (const std::string& file : observe::write_flow_log_files(
                 state_.flow_logs.dir, *flow_log_, records, state_.flow_logs.gzip)) {
            log("flow log " + file + ": " + std::to_string(records.size()) + " records");
        }
    } catch (const std::exception& e) {
        log(std::string("flow log: ") + e.what());
    }
}

json Daemon::status() const {
    engine::Counters counters = engine_->snapshot();
    json drops = json::object();
    for (std::size_t i = 0; i < engine::kDropReasonCount; ++i) {
        drops[std::string(engine::kDropReasons[i].name)] = counters.drops[i];
    }
    json components = json::array();
    for (const auto& [name, component] : counters.components) {
        components.push_back(
            {{"name", name}, {"packets", component.packets}, {"drops", component.drops}});
    }
    json live_drops = json::object();
    for (const auto& info : kLiveDrops) {
        live_drops[std::string(info.name)] = live_drops_[static_cast<std::size_t>(info.reason)];
    }
    json ports = json::array();
    for (std::size_t i = 0; i < ports_.size(); ++i) {
        ports.push_back({{"port", ports_[i].port},
                         {"owner", ports_[i].owner},
                         {"netns", ports_[i].netns},
                         {"device", ports_[i].device},
                         {"rx_frames", counters_[i].rx_frames},
                         {"rx_bytes", counters_[i].rx_bytes},
                         {"tx_frames", counters_[i].tx_frames},
                         {"tx_bytes", counters_[i].tx_bytes}});
    }
    const double uptime =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
    return {{"ok", true},
            {"lab", state_.lab},
            {"uptime_s", uptime},
            {"engine",
             {{"received", counters.received},
              {"transmitted", counters.transmitted},
              {"drops", drops},
              {"components", components}}},
            {"live",
             {{"drops", live_drops},
              {"offload",
               {{"partial_passed", offload_.partial_passed},
                {"csum_completed", offload_.csum_completed},
                {"gso_passed", offload_.gso_passed},
                {"gso_segmented", offload_.gso_segmented}}}}},
            {"traces_kept", traces_.size()},
            {"captures", captures_ ? capture_stats_json(captures_->stats()) : json::array()},
            {"cloud_counters", observe::counters_json(*engine_->components(), counters)},
            {"health_checks", health_records_json(health_)},
            {"ports", ports}};
}

json Daemon::trace(const json& request) const {
    if (!state_.trace) {
        return {{"ok", false},
                {"error", "tracing is off in this lab (VPCSTACK_LAB_TRACE=0 at up)"}};
    }
    std::unordered_set<std::uint32_t> a;
    std::unordered_set<std::uint32_t> b;
    for (const auto& text : request.value("a", std::vector<std::string>{})) {
        if (auto ip = net::Ipv4Address::parse(text)) {
            a.insert(ip->value());
        }
    }
    for (const auto& text : request.value("b", std::vector<std::string>{})) {
        if (auto ip = net::Ipv4Address::parse(text)) {
            b.insert(ip->value());
        }
    }
    const int protocol = request.value("protocol", -1);
    const int sport = request.value("sport", -1);
    const int dport = request.value("dport", -1);
    const std::size_t limit = request.value("limit", std::size_t{20});
    std::vector<const engine::PacketTrace*> matches;
    for (const auto& trace : traces_) {
        const auto& t = trace.tuple();
        const bool forward = a.count(t.src.value()) != 0 && b.count(t.dst.value()) != 0;
        const bool reverse = b.count(t.src.value()) != 0 && a.count(t.dst.value()) != 0;
        if (!forward && !reverse) {
            continue;
        }
        if (protocol >= 0 && t.protocol != protocol) {
            continue;
        }
        // Ports name the request's direction; a reply carries them swapped.
        const int request_sport = forward ? t.src_port : t.dst_port;
        const int request_dport = forward ? t.dst_port : t.src_port;
        if ((sport >= 0 && request_sport != sport) || (dport >= 0 && request_dport != dport)) {
            continue;
        }
        matches.push_back(&trace);
    }
    json traces = json::array();
    const std::size_t first = matches.size() > limit ? matches.size() - limit : 0;
    for (std::size_t i = first; i < matches.size(); ++i) {
        traces.push_back(trace_to_json(*matches[i]));
    }
    return {{"ok", true}, {"traces", traces}, {"matched", matches.size()}};
}

json Daemon::replace_security_group(const json& request) {
    const std::string file = request.value("topology", "");
    const std::string group = request.value("group", "");
    model::LoadResult loaded = model::load_topology_file(file, state_.overrides);
    if (!loaded.ok()) {
        return {{"ok", false}, {"error", file + ": the topology does not load"}};
    }
    const auto& fresh = *loaded.topology;
    if (fresh.security_groups.size() != topology_->security_groups.size()) {
        return {{"ok", false},
                {"error", file + ": has a different set of security groups than the running lab"}};
    }
    auto find = [&](const model::Topology& t) -> model::Index {
        for (model::Index i = 0; i < t.security_groups.size(); ++i) {
            const auto& sg = t.security_groups[i];
            if (sg.meta.name == group || t.qualified_name(sg.meta, sg.vpc) == group) {
                return i;
            }
        }
        return model::kNone;
    };
    const model::Index running = find(*topology_);
    const model::Index replacement = find(fresh);
    if (running == model::kNone || replacement != running) {
        return {{"ok", false}, {"error", "no security group '" + group + "' in the running lab"}};
    }
    const auto& sg = fresh.security_groups[replacement];
    engine_->replace_security_group_rules(running, sg.ingress, sg.egress);
    log("security group " + group + " replaced from " + file + " (" +
        std::to_string(sg.ingress.size()) + " ingress, " + std::to_string(sg.egress.size()) +
        " egress rules)");
    return {{"ok", true}, {"group", group}};
}

// --- Auto Scaling ---

void Daemon::record_activity(const std::string& group, const std::string& description,
                             const std::string& cause) {
    log("auto scaling " + group + ": " + description + " (" + cause + ")");
    state_.activities.push_back(
        {static_cast<std::int64_t>(std::time(nullptr)), group, description, cause});
    if (state_.activities.size() > kActivitiesKept) {
        state_.activities.erase(state_.activities.begin());
    }
}

namespace {

// AWS: load-balancer-target-groups (deregistration delay) — the longest delay of the group's
// target groups: how long an instance leaving service drains before it is terminated.
std::uint32_t deregistration_delay(const model::Topology& t, const model::AutoScalingGroup& g) {
    std::uint32_t delay = 0;
    for (model::Index tg : g.target_groups) {
        delay = std::max(delay, t.target_groups[tg].deregistration_delay);
    }
    return delay;
}

std::vector<std::string> group_names(const model::Topology& t) {
    std::vector<std::string> names;
    for (const auto& g : t.auto_scaling_groups) names.push_back(g.meta.name);
    return names;
}

json names_json(const std::vector<std::string>& names) {
    return json(names);
}

}  // namespace

json Daemon::scale(const json& request) {
    const std::string group = request.value("group", "");
    const long desired = request.value("desired", -1L);
    const model::Index g = model::find_auto_scaling_group(*topology_, group);
    if (g == model::kNone) {
        const auto names = group_names(*topology_);
        return {{"ok", false},
                {"error",
                 fmt::format(
                     "no Auto Scaling group '{}' in lab {}; expected one of: {}", group, state_.lab,
                     names.empty() ? "(none)" : fmt::format("{}", fmt::join(names, ", ")))}};
    }
    if (desired < 0) {
        return {{"ok", false}, {"error", "the desired capacity must be a number, 0 or more"}};
    }
    const model::AutoScalingGroup& asg = topology_->auto_scaling_groups[g];
    std::vector<model::LaunchedInstance> in_service;
    try {
        in_service = model::scaled_instances(*topology_, g, static_cast<std::uint32_t>(desired),
                                             last_launched_[asg.meta.name]);
    } catch (const std::invalid_argument& e) {
        return {{"ok", false}, {"error", fmt::format("{}: {}", asg.meta.name, e.what())}};
    }
    if (static_cast<std::uint32_t>(desired) == asg.desired_capacity) {
        return {{"ok", true},
                {"group", asg.meta.name},
                {"desired", desired},
                {"launched", json::array()},
                {"draining", json::array()},
                {"terminated", json::array()},
                {"unchanged", true}};
    }
    const std::string cause = fmt::format("a user request set the desired capacity from {} to {}",
                                          asg.desired_capacity, desired);
    const bool drain = deregistration_delay(*topology_, asg) > 0;
    return apply_group(g, model::leaving_service(*topology_, g, in_service, drain), cause);
}

json Daemon::apply_group(model::Index g, std::vector<model::LaunchedInstance> launched,
                         const std::string& cause) {
    const auto start = std::chrono::steady_clock::now();
    const engine::TimeNs now = monotonic_now();
    const std::string group = topology_->auto_scaling_groups[g].meta.name;
    auto refuse = [&](const std::string& why) {
        log("auto scaling " + group + ": refused: " + why);
        return json{{"ok", false}, {"error", why}};
    };
    model::LoadOverrides overrides = model::overrides_for(*topology_, g, launched);
    model::LoadResult loaded = model::load_topology_file(state_.topology, overrides);
    if (!loaded.ok()) {
        std::string lines;
        for (const auto& d : loaded.diagnostics.sorted()) lines += "\n  " + d.to_string();
        return refuse(
            fmt::format("{}: the topology does not load with the group's new "
                        "instances:{}",
                        state_.topology, lines));
    }
    auto fresh = std::make_unique<model::Topology>(std::move(*loaded.topology));
    LabPlan plan = make_lab_plan(state_.lab, *fresh);
    LabChange change = diff_lab_plans(plan_, *topology_, plan, *fresh);
    if (change.problem)
        return refuse("the running lab cannot keep its devices: " + *change.problem);

    // The new namespaces, recorded before they are made so that `lab down` finds them whatever
    // happens next.
    const Attach attach = parse_attach(state_.attach).value_or(Attach::Tap);
    LabPlan more;
    more.lab = plan.lab;
    more.engine_namespace = plan.engine_namespace;
    for (std::size_t k : change.added) {
        more.namespaces.push_back(plan.namespaces[k]);
        state_.namespaces.push_back(plan.namespaces[k].name);
        for (const auto& itf : plan.namespaces[k].interfaces) {
            state_.devices.push_back({plan.namespaces[k].name, itf.name, state_.attach});
            if (attach == Attach::Veth) {
                state_.devices.push_back({plan.engine_namespace, itf.host_end, "veth"});
            }
        }
    }
    if (std::optional<LabState> disk = read_state(state_.lab)) {
        // `lab up` recorded the user data and the nodes' HAProxy after the engine started.
        state_.user_data = disk->user_data;
        state_.lb_nodes = disk->lb_nodes;
    }
    write_state(state_);
    std::vector<LivePort> made;
    try {
        made = bring_up(
            more, {.attach = attach, .offload = state_.offload, .engine_namespace_exists = true});
    } catch (const std::exception& e) {
        std::vector<std::string> names;
        for (const auto& ns : more.namespaces) names.push_back(ns.name);
        remove_named_netns(names);
        return refuse(std::string("making the new instances' namespaces: ") + e.what());
    }
    // The engine of the new topology takes over the running one's flows.
    auto engine = std::make_unique<engine::Engine>(*fresh, *this, engine_config(state_));
    try {
        engine->adopt_state(*engine_, change.eni_map);
    } catch (const std::exception& e) {
        close_ports(made);
        std::vector<std::string> names;
        for (const auto& ns : more.namespaces) names.push_back(ns.name);
        remove_named_netns(names);
        return refuse(std::string("the engine cannot take over the running flows: ") + e.what());
    }

    // Ports: those that stay move to their ENI's new number, the removed ones close.
    std::map<std::string, engine::PortId> port_of;  // TAP: netns/device; veth: host end
    for (const auto& ns : plan.namespaces) {
        for (const auto& itf : ns.interfaces) {
            port_of[attach == Attach::Veth ? itf.host_end : ns.name + "/" + itf.name] = itf.port;
        }
    }
    std::vector<LivePort> ports;
    std::vector<PortCounters> counters;
    std::vector<LivePort> closing;
    for (std::size_t i = 0; i < ports_.size(); ++i) {
        LivePort& port = ports_[i];
        auto it =
            port_of.find(attach == Attach::Veth ? port.device : port.netns + "/" + port.device);
        if (it == port_of.end()) {
            closing.push_back(std::move(port));
            continue;
        }
        port.port = it->second;
        ports.push_back(std::move(port));
        counters.push_back(counters_[i]);
    }
    for (LivePort& port : made) {
        ports.push_back(std::move(port));
        counters.emplace_back();
    }
    // Captures and flow logs refer to the topology and the engine: they end here.
    flush_flow_logs(now, true);
    if (captures_ && captures_->size() > 0) {
        log("auto scaling " + group + ": open captures end, the lab changed shape");
    }
    captures_.reset();
    std::unique_ptr<engine::Engine> old_engine = std::move(engine_);
    engine_ = std::move(engine);
    std::unique_ptr<model::Topology> old_topology = std::move(topology_);
    topology_ = std::move(fresh);
    old_engine.reset();
    captures_ = std::make_unique<CaptureStreams>(*engine_, *topology_, epoll_fd_, kCaptureBit,
                                                 [](const std::string& line) { log(line); });
    flow_log_ = make_flow_log(state_, *topology_);
    attach_trace_callback();
    close_ports(closing);
    ports_ = std::move(ports);
    counters_ = std::move(counters);
    index_ports();
    for (std::size_t i = 0; i < ports_.size(); ++i) {
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.u64 = i;
        if (::epoll_ctl(epoll_fd_, EPOLL_CTL_MOD, ports_[i].fd.get(), &event) != 0) {
            ::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, ports_[i].fd.get(), &event);
        }
    }
    plan_ = std::move(plan);

    // Instances that went: their user data ends, their namespaces go.
    std::vector<std::string> terminated;
    std::vector<UserDataRecord> ending;
    for (const std::string& name : change.removed) {
        std::erase(state_.namespaces, name);
        std::erase_if(state_.devices, [&](const DeviceRecord& d) { return d.netns == name; });
    }
    for (const model::Instance& instance : old_topology->instances) {
        const std::string& name = instance.meta.name;
        if (plan_.find(name) != nullptr) continue;
        terminated.push_back(name);
        launched_at_.erase(name);
        std::erase_if(draining_, [&](const Draining& d) { return d.instance == name; });
        for (auto it = state_.user_data.begin(); it != state_.user_data.end();) {
            if (it->instance == name) {
                ending.push_back(*it);
                it = state_.user_data.erase(it);
            } else {
                ++it;
            }
        }
    }
    if (attach == Attach::Veth) {
        // The engine's ends of removed veths: with their port gone, the device goes with its
        // peer's namespace.
        std::set<std::string> ends;
        for (const auto& ns : plan_.namespaces) {
            for (const auto& itf : ns.interfaces) ends.insert(itf.host_end);
        }
        std::erase_if(state_.devices, [&](const DeviceRecord& d) {
            return d.netns == plan_.engine_namespace && !ends.contains(d.name);
        });
    }
    stop_user_data(ending, 1000);
    NetnsRemoval removal = remove_named_netns(change.removed);
    for (const auto& error : removal.errors) log("auto scaling " + group + ": " + error);

    // Instances that came: their user data starts, as the cloud runs it at launch.
    std::vector<std::string> new_instances;
    const std::string program_dir = program_directory();
    for (std::size_t k : change.added) {
        const NamespacePlan& ns = plan_.namespaces[k];
        if (ns.kind != NamespaceKind::Instance || ns.instance == model::kNone) continue;
        new_instances.push_back(ns.display);
        launched_at_[ns.display] = now;
        const model::Instance& instance = topology_->instances[ns.instance];
        if (instance.user_data.empty() || !instance.running) continue;
        try {
            const int pid =
                start_user_data(state_.lab, ns.display, ns.name, instance.user_data, program_dir);
            state_.user_data.push_back(
                {ns.display, pid, user_data_log_path(state_.lab, ns.display)});
        } catch (const std::exception& e) {
            log("auto scaling " + group + ": user data of " + ns.display + ": " + e.what());
        }
    }
    // The load balancer nodes send to the targets registered now.
    reload_lb_nodes(program_dir);

    // Draining instances: terminated once the deregistration delay has passed.
    const model::AutoScalingGroup& asg = topology_->auto_scaling_groups[g];
    std::uint32_t& highest = last_launched_[group];
    highest = std::max(highest, model::highest_launch_number(*topology_, g));
    const std::uint32_t delay = deregistration_delay(*topology_, asg);
    std::vector<std::string> now_draining;
    for (model::Index i : asg.draining) {
        const std::string& name = topology_->instances[i].meta.name;
        const bool known = std::any_of(draining_.begin(), draining_.end(),
                                       [&](const Draining& d) { return d.instance == name; });
        if (known) continue;
        now_draining.push_back(name);
        draining_.push_back({group, name, now + std::uint64_t{delay} * 1'000'000'000ull});
    }
    for (const auto& name : new_instances) {
        record_activity(group, "Launching a new EC2 instance: " + name, cause);
    }
    for (const auto& name : now_draining) {
        record_activity(group,
                        fmt::format("Terminating EC2 instance: {} (deregistered, draining for {} "
                                    "s)",
                                    name, delay),
                        cause);
    }
    for (const auto& name : terminated) {
        record_activity(group, "Terminated EC2 instance: " + name, cause);
    }
    state_.overrides = std::move(overrides);
    write_state(state_);
    const double ms =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    log(
        fmt::format("auto scaling {}: desired {}, {} launched, {} draining, {} terminated in "
                    "{:.1f} ms",
                    group, asg.desired_capacity, new_instances.size(), now_draining.size(),
                    terminated.size(), ms));
    return {{"ok", true},
            {"group", group},
            {"desired", asg.desired_capacity},
            {"launched", names_json(new_instances)},
            {"draining", names_json(now_draining)},
            {"terminated", names_json(terminated)},
            {"deregistration_delay", delay},
            {"milliseconds", ms}};
}

Daemon::LbObservation Daemon::observe_lb_nodes() const {
    LbObservation seen;
    std::vector<LbNodeSetup> nodes;
    try {
        nodes = plan_lb_nodes(state_.lab, plan_, *topology_);
    } catch (const std::exception& e) {
        log(std::string("load balancer nodes: ") + e.what());
        return seen;
    }
    // A server line is a target by its address; its backend is its target group's.
    std::map<std::string, std::string> instance_at;  // "ip" -> instance
    for (const model::Instance& instance : topology_->instances) {
        if (instance.enis.empty()) continue;
        instance_at[topology_->enis[instance.enis.front()].primary_ip().to_string()] =
            instance.meta.name;
    }
    std::map<std::string, std::set<std::string>> healthy;  // target group -> instances up
    bool any = false;
    for (const LbNodeSetup& node : nodes) {
        std::string error;
        std::vector<LbServerStats> rows =
            read_lb_node_stats(node.config.stats_socket.string(), &error);
        if (rows.empty()) {
            log("load balancer node " + node.node + ": no statistics: " + error);
            continue;
        }
        any = true;
        for (const LbServerStats& row : rows) {
            if (row.server == "FRONTEND" || row.server == "BACKEND") continue;
            auto backend = node.config.backends.find(row.backend);
            if (backend == node.config.backends.end()) continue;
            const model::TargetGroup* group = &topology_->target_groups[backend->second];
            seen.requests[group->meta.name] += row.requests;
            if (row.backup) continue;
            const std::string ip = row.address.substr(0, row.address.find(':'));
            auto instance = instance_at.find(ip);
            if (instance == instance_at.end()) continue;
            bool& up = seen.instance_up[instance->second];
            up = up || row.up;
            if (row.up) healthy[group->meta.name].insert(instance->second);
        }
    }
    for (const auto& [group, instances] : healthy) seen.healthy[group] = instances.size();
    seen.ok = any;
    return seen;
}

void Daemon::reload_lb_nodes(const std::string& program_dir) {
    if (state_.lb_nodes.empty()) return;
    std::vector<LbNodeSetup> nodes;
    try {
        nodes = plan_lb_nodes(state_.lab, plan_, *topology_);
    } catch (const std::exception& e) {
        log(std::string("load balancer nodes: ") + e.what());
        return;
    }
    const std::string haproxy = find_haproxy();
    struct Started {
        LbNodeRecord* record;
        const LbNodeSetup* node;
        int pid;
    };
    std::vector<Started> started;
    for (const LbNodeSetup& node : nodes) {
        auto record = std::find_if(state_.lb_nodes.begin(), state_.lb_nodes.end(),
                                   [&](const LbNodeRecord& r) { return r.node == node.node; });
        if (record == state_.lb_nodes.end()) continue;
        std::ifstream in(node.config_file);
        std::stringstream written;
        written << in.rdbuf();
        if (written.str() == node.config.text) continue;
        try {
            started.push_back(
                {&*record, &node,
                 reload_lb_node(state_.lab, haproxy, node, record->pid, program_dir)});
        } catch (const std::exception& e) {
            log("load balancer node " + node.node + ": reload failed: " + e.what());
        }
    }
    if (started.empty()) return;
    // A new HAProxy that cannot start (bind) exits at once; the old one then serves on. One
    // wait for all of them: the engine forwards nothing meanwhile.
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    for (const Started& s : started) {
        if (!process_group_alive(s.pid)) {
            log("load balancer node " + s.node->node + ": the new HAProxy exited at once (see " +
                s.node->log.string() + "); the old one serves the previous targets");
            continue;
        }
        s.record->pid = s.pid;
        log("load balancer node " + s.node->node + ": new targets, HAProxy pid " +
            std::to_string(s.pid));
    }
}

void Daemon::run_scaling(engine::TimeNs now) {
    // Drained instances are terminated, a group at a time.
    for (model::Index g = 0; g < topology_->auto_scaling_groups.size(); ++g) {
        const std::string group = topology_->auto_scaling_groups[g].meta.name;
        std::vector<std::string> done;
        for (const Draining& d : draining_) {
            if (d.group == group && d.until <= now) done.push_back(d.instance);
        }
        if (done.empty()) continue;
        std::vector<model::LaunchedInstance> keep = model::launched_instances(*topology_, g);
        for (model::LaunchedInstance& li : model::draining_instances(*topology_, g)) {
            if (std::find(done.begin(), done.end(), li.name) == done.end()) keep.push_back(li);
        }
        apply_group(g, std::move(keep), "the instance's deregistration delay passed");
    }
    const bool tracking = !trackers_.empty() && now >= next_tracking_;
    bool elb_checks = false;
    for (const auto& asg : topology_->auto_scaling_groups) {
        elb_checks = elb_checks || asg.health_check_type == model::AsgHealthCheckType::Elb;
    }
    bool alias_health = false;
    for (model::Index l = 0; l < topology_->load_balancers.size(); ++l) {
        alias_health = alias_health || model::health_evaluated(*topology_, l);
    }
    const bool health_due = now >= next_health_;
    elb_checks = elb_checks && health_due;
    alias_health = alias_health && health_due;
    if (!tracking && !elb_checks && !alias_health) return;
    if (health_due) next_health_ = now + 5'000'000'000ull;
    const LbObservation seen = observe_lb_nodes();
    if (!seen.ok) return;

    // AWS: resource-record-sets-values-alias — an alias with evaluate target health follows
    // the load balancer's health: the ALB nodes' checks (HAProxy's) say which targets are up.
    if (alias_health) {
        for (model::Index l = 0; l < topology_->load_balancers.size(); ++l) {
            if (!model::health_evaluated(*topology_, l)) continue;
            const bool healthy =
                model::load_balancer_healthy(*topology_, l, [&](model::Index g, std::size_t) {
                    auto it = seen.healthy.find(topology_->target_groups[g].meta.name);
                    return it != seen.healthy.end() && it->second > 0;
                });
            engine_->set_load_balancer_health(topology_->load_balancers[l].meta.name, healthy);
        }
    }

    // AWS: as-maintain-instance-levels — a group whose health check type is ELB replaces an
    // instance the load balancer finds unhealthy once its grace period has passed.
    if (elb_checks) {
        for (model::Index g = 0; g < topology_->auto_scaling_groups.size(); ++g) {
            const model::AutoScalingGroup& asg = topology_->auto_scaling_groups[g];
            if (asg.health_check_type != model::AsgHealthCheckType::Elb) continue;
            for (model::Index i : asg.instances) {
                const std::string& name = topology_->instances[i].meta.name;
                auto up = seen.instance_up.find(name);
                auto launched = launched_at_.find(name);
                const engine::TimeNs grace =
                    std::uint64_t{asg.health_check_grace_period} * 1'000'000'000ull;
                if (up == seen.instance_up.end() || up->second || launched == launched_at_.end() ||
                    now < launched->second + grace) {
                    continue;
                }
                const bool drain = deregistration_delay(*topology_, asg) > 0;
                apply_group(
                    g,
                    model::leaving_service(
                        *topology_, g,
                        model::replaced_instances(*topology_, g, i, last_launched_[asg.meta.name]),
                        drain),
                    fmt::format("an ELB health check found instance {} unhealthy", name));
                break;  // the group changed: the rest is judged next time
            }
        }
    }
    // AWS: as-scaling-target-tracking — one datapoint of RequestCountPerTarget per period.
    if (!tracking) return;
    std::uint32_t period = 60;
    for (auto& [group, tracker] : trackers_) period = std::min(period, tracker.policy().period);
    next_tracking_ = now + std::uint64_t{period} * 1'000'000'000ull;
    for (auto& [group, tracker] : trackers_) {
        const model::Index g = model::find_auto_scaling_group(*topology_, group);
        if (g == model::kNone) continue;
        const model::AutoScalingGroup& asg = topology_->auto_scaling_groups[g];
        const model::TargetGroup& tg = topology_->target_groups[tracker.policy().target_group];
        const std::uint64_t total =
            seen.requests.count(tg.meta.name) ? seen.requests.at(tg.meta.name) : 0;
        const std::uint64_t before =
            last_requests_.count(tg.meta.name) ? last_requests_.at(tg.meta.name) : total;
        last_requests_[tg.meta.name] = total;
        const std::uint64_t requests = total >= before ? total - before : total;
        const std::size_t healthy =
            seen.healthy.count(tg.meta.name) ? seen.healthy.at(tg.meta.name) : 0;
        const double metric = model::request_count_per_target(requests, healthy, tg.targets.size());
        tracker.observe(metric);
        const auto desired = tracker.decide(asg.desired_capacity, asg.min_size, asg.max_size);
        if (!desired) continue;
        const std::string cause = fmt::format(
            "target tracking: RequestCountPerTarget of {} was {:.1f}, target {:.1f}; desired "
            "capacity from {} to {}",
            tg.meta.name, metric, tracker.policy().target_value, asg.desired_capacity, *desired);
        const bool drain = deregistration_delay(*topology_, asg) > 0;
        apply_group(g,
                    model::leaving_service(*topology_, g,
                                           model::scaled_instances(*topology_, g, *desired,
                                                                   last_launched_[asg.meta.name]),
                                           drain),
                    cause);
    }
}

json Daemon::handle_request(const json& request) {
    const std::string op = request.value("op", "");
    if (op == "ping") {
        return {{"ok", true}, {"lab", state_.lab}};
    }
    if (op == "status") {
        return status();
    }
    if (op == "trace") {
        return trace(request);
    }
    if (op == "replace_security_group") {
        return replace_security_group(request);
    }
    if (op == "scale") {
        return scale(request);
    }
    return {{"ok", false}, {"error", "unknown request '" + op + "'"}};
}

void Daemon::serve_control(int listener) {
    for (;;) {
        Fd client(::accept4(listener, nullptr, nullptr, SOCK_CLOEXEC));
        if (!client.valid()) {
            return;
        }
        // A request is one short line; a client that stalls is cut off after a second.
        timeval timeout{1, 0};
        ::setsockopt(client.get(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof(timeout));
        std::string text;
        char chunk[4096];
        for (;;) {
            ssize_t n = ::recv(client.get(), chunk, sizeof(chunk), 0);
            if (n <= 0) {
                break;
            }
            text.append(chunk, static_cast<std::size_t>(n));
            if (text.find('\n') != std::string::npos) {
                break;
            }
        }
        json reply;
        try {
            json request = json::parse(text);
            if (request.is_object() && request.value("op", "") == "capture" && captures_) {
                // The connection becomes the capture's stream; the capture replies itself.
                captures_->open(std::move(client), request,
                                static_cast<std::uint64_t>(unix_epoch_of_monotonic()));
                continue;
            }
            reply = handle_request(request);
        } catch (const std::exception& e) {
            reply = {{"ok", false}, {"error", std::string("bad request: ") + e.what()}};
        }
        const std::string out = reply.dump();
        std::size_t sent = 0;
        while (sent < out.size()) {
            ssize_t n = ::send(client.get(), out.data() + sent, out.size() - sent, MSG_NOSIGNAL);
            if (n <= 0) {
                break;
            }
            sent += static_cast<std::size_t>(n);
        }
    }
}

Fd listen_control(std::string_view lab) {
    const std::string path = control_socket_path(lab);
    ::unlink(path.c_str());
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!fd.valid()) {
        throw SystemError("control socket", errno);
    }
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    std::memcpy(address.sun_path, path.c_str(),
                std::min(path.size() + 1, sizeof(address.sun_path) - 1));
    if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
        throw SystemError("bind " + path, errno);
    }
    if (::listen(fd.get(), 16) != 0) {
        throw SystemError("listen on " + path, errno);
    }
    return fd;
}

void Daemon::init_health_checks() {
    // Load balancers whose health an alias with evaluate target health follows: first as the
    // simulation predicts it, then from their nodes' own checks (run_scaling).
    for (const auto& [name, health] : sim::probe_load_balancers(*topology_)) {
        engine_->set_load_balancer_health(name, health.healthy);
    }
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    const std::map<std::string, sim::HealthCheckStatus> predicted =
        sim::probe_health_checks(*topology_);
    model::DnsViews views(*topology_);
    for (const model::Route53HealthCheck& hc : topology_->health_checks) {
        HealthCheckRecord r;
        r.name = hc.meta.name;
        r.type = model::to_string(hc.type);
        r.since = now;
        r.failure_threshold = hc.failure_threshold;
        r.inverted = hc.inverted;
        if (auto it = predicted.find(hc.meta.name); it != predicted.end()) {
            r.healthy = it->second.healthy;
            r.last_result = "not probed yet; the simulation predicts " +
                            std::string(r.healthy ? "healthy" : "unhealthy") + ": " +
                            it->second.why;
        }
        if (hc.type != model::HealthCheckType::Calculated) {
            std::string why;
            if (std::optional<net::Ipv4Address> address =
                    sim::health_check_address(hc, views, why)) {
                probes_.push_back(make_health_probe(hc, *address, sim::kRoute53CheckerAddress));
                probe_record_.push_back(health_.size());
            } else {
                r.last_result = why;  // the lab's internet never answers otherwise
            }
        }
        engine_->set_health_check_status(r.name, r.healthy);
        health_.push_back(std::move(r));
    }
}

void Daemon::start_health_prober() {
    if (probes_.empty()) return;
    const NamespacePlan* internet = plan_.find("internet");
    if (internet == nullptr) return;
    // `lab up` starts the instances' user data once the engine runs: the checkers begin a moment
    // later, so that a lab's servers are not found down by a probe that came before them.
    prober_ = std::make_unique<HealthProber>(probes_, internet->name, std::chrono::seconds(3));
    log(fmt::format("route 53 health checks: {} probed from {} in namespace {}", probes_.size(),
                    sim::kRoute53CheckerAddress.to_string(), internet->name));
}

void Daemon::health_changed(const HealthCheckRecord& r, const std::string& after) {
    engine_->set_health_check_status(r.name, r.healthy);
    log(fmt::format("health check {}: {} ({}){}", r.name, r.healthy ? "healthy" : "unhealthy",
                    r.last_result, after));
}

void Daemon::take_health_results() {
    if (!prober_) return;
    const std::int64_t now = static_cast<std::int64_t>(std::time(nullptr));
    bool changed_any = false;
    for (HealthProber::Outcome& outcome : prober_->take()) {
        if (outcome.probe >= probe_record_.size()) continue;
        HealthCheckRecord& r = health_[probe_record_[outcome.probe]];
        const bool changed = apply_probe_result(r, outcome.result, now);
        changed_any = true;  // the last result and the count are published too
        if (changed) {
            health_changed(r,
                           fmt::format(" after {} {}", r.consecutive,
                                       r.last_ok ? (r.consecutive == 1 ? "success" : "successes")
                                                 : (r.consecutive == 1 ? "failure" : "failures")));
        }
    }
    if (!changed_any) return;
    // Calculated checks follow their children.
    std::map<std::string, sim::HealthCheckStatus> statuses;
    for (std::size_t c = 0; c < health_.size(); ++c) {
        if (topology_->health_checks[c].type == model::HealthCheckType::Calculated) continue;
        statuses[health_[c].name] = {health_[c].healthy, health_[c].last_result};
    }
    sim::settle_calculated_health_checks(*topology_, statuses);
    for (std::size_t c = 0; c < health_.size(); ++c) {
        if (topology_->health_checks[c].type != model::HealthCheckType::Calculated) continue;
        HealthCheckRecord& r = health_[c];
        auto it = statuses.find(r.name);
        if (it == statuses.end()) continue;
        r.last_result = it->second.why;
        if (it->second.healthy != r.healthy) {
            r.healthy = it->second.healthy;
            r.since = now;
            health_changed(r, "");
        }
    }
    publish_health();
}

void Daemon::publish_health() const {
    try {
        write_health_records(health_status_path(state_.lab), health_);
    } catch (const std::exception& e) {
        log(std::string("health checks: ") + e.what());
    }
}

int Daemon::run() {
    sigset_t signals;
    sigemptyset(&signals);
    sigaddset(&signals, SIGTERM);
    sigaddset(&signals, SIGINT);
    sigaddset(&signals, SIGHUP);
    ::sigprocmask(SIG_BLOCK, &signals, nullptr);
    ::signal(SIGPIPE, SIG_IGN);
    Fd signal_fd(::signalfd(-1, &signals, SFD_CLOEXEC | SFD_NONBLOCK));
    Fd listener = listen_control(state_.lab);
    Fd epoll(::epoll_create1(EPOLL_CLOEXEC));
    if (!epoll.valid() || !signal_fd.valid()) {
        throw SystemError("epoll/signalfd", errno);
    }
    epoll_fd_ = epoll.get();
    // Tags: port index, then two special values.
    const std::uint64_t kSignalTag = ~std::uint64_t{0};
    const std::uint64_t kControlTag = kSignalTag - 1;
    const std::uint64_t kHealthTag = kSignalTag - 2;
    auto add = [&](int fd, std::uint64_t tag) {
        epoll_event event{};
        event.events = EPOLLIN;
        event.data.u64 = tag;
        if (::epoll_ctl(epoll.get(), EPOLL_CTL_ADD, fd, &event) != 0) {
            throw SystemError("epoll_ctl", errno);
        }
    };
    for (std::size_t i = 0; i < ports_.size(); ++i) {
        add(ports_[i].fd.get(), i);
    }
    add(signal_fd.get(), kSignalTag);
    add(listener.get(), kControlTag);
    // After sigprocmask: the prober's threads inherit the blocked signals.
    start_health_prober();
    if (prober_) add(prober_->event_fd(), kHealthTag);
    // Capture sockets: kCaptureBit and the capture's number (the two tags above have it too
    // and are told apart first).
    captures_ = std::make_unique<CaptureStreams>(*engine_, *topology_, epoll.get(), kCaptureBit,
                                                 [](const std::string& line) { log(line); });

    if (!health_.empty()) publish_health();
    state_.status = "running";
    write_state(state_);
    log("lab " + state_.lab + " running: " + std::to_string(ports_.size()) + " ports, attach " +
        state_.attach + (state_.offload ? ", offloads on" : ", offloads off") +
        (state_.trace ? ", tracing on" : ", tracing off") +
        (flow_log_ ? ", flow logs to " + state_.flow_logs.dir : ""));

    std::array<epoll_event, 64> events{};
    engine::TimeNs last_expire = monotonic_now();
    for (;;) {
        int n = ::epoll_wait(epoll.get(), events.data(), static_cast<int>(events.size()), 1000);
        if (n < 0 && errno != EINTR) {
            throw SystemError("epoll_wait", errno);
        }
        for (int i = 0; i < n; ++i) {
            const std::uint64_t tag = events[static_cast<std::size_t>(i)].data.u64;
            if (tag == kSignalTag) {
                signalfd_siginfo info{};
                [[maybe_unused]] ssize_t r = ::read(signal_fd.get(), &info, sizeof(info));
                log("signal " + std::to_string(info.ssi_signo) + ": stopping");
                prober_.reset();
                flush_flow_logs(monotonic_now(), true);
                captures_->close_all();
                ::unlink(control_socket_path(state_.lab).c_str());
                close_ports(ports_);
                return 0;
            }
            if (tag == kControlTag) {
                serve_control(listener.get());
                continue;
            }
            if (tag == kHealthTag) {
                take_health_results();
                continue;
            }
            if (captures_->owns(tag)) {
                captures_->handle(tag, events[static_cast<std::size_t>(i)].events);
                continue;
            }
            receive_from(static_cast<std::size_t>(tag));
        }
        const engine::TimeNs now = monotonic_now();
        if (now - last_expire >= 1'000'000'000ull) {
            engine_->expire(now);
            flush_flow_logs(now, false);
            run_scaling(now);
            last_expire = now;
        }
    }
}

}  // namespace

int run_engine_daemon(std::string_view lab) {
    std::string error;
    auto state = read_state(lab, &error);
    if (!state) {
        log("cannot start: " + error);
        return 2;
    }
    auto fail = [&](const std::string& why) {
        log(why);
        state->status = "failed";
        try {
            write_state(*state);
        } catch (const std::exception&) {
        }
        return 2;
    };
    state->engine_pid = ::getpid();
    model::LoadResult loaded = load_lab_topology(*state);
    if (!loaded.ok()) {
        return fail(state->topology + ": the topology does not load");
    }
    try {
        LabPlan plan = make_lab_plan(lab, *loaded.topology);
        auto attach = parse_attach(state->attach).value_or(Attach::Tap);
        const auto start = std::chrono::steady_clock::now();
        std::vector<LivePort> ports = bring_up(plan, {.attach = attach, .offload = state->offload});
        state->bringup_ms =
            std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
                .count();
        log("bring-up: " + std::to_string(plan.namespaces.size()) + " namespaces, " +
            std::to_string(ports.size()) + " ports in " + std::to_string(state->bringup_ms) +
            " ms");
        Daemon daemon(*state, std::move(*loaded.topology), std::move(plan), std::move(ports));
        return daemon.run();
    } catch (const std::exception& e) {
        return fail(std::string("failed: ") + e.what());
    }
}

}  // namespace vpcstack::live
