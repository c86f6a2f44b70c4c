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

#include <algorithm>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstring>
#include <deque>
#include <memory>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "vpcstack/engine/engine.hpp"
#include "vpcstack/live/capture_stream.hpp"
#include "vpcstack/live/control.hpp"
#include "vpcstack/live/lab.hpp"
#include "vpcstack/live/lab_plan.hpp"
#include "vpcstack/live/lab_state.hpp"
#include "vpcstack/live/vnet.hpp"
#include "vpcstack/model/loader.hpp"
#include "vpcstack/net/bytes.hpp"
#include "vpcstack/net/checksum.hpp"
#include "vpcstack/net/ethernet.hpp"
#include "vpcstack/net/ipv4_header.hpp"
#include "vpcstack/net/protocol.hpp"
#include "vpcstack/net/tcp.hpp"
#include "vpcstack/observe/counters.hpp"
#include "vpcstack/observe/flow_log.hpp"

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

engine::EngineConfig engine_config(const LabState& state) {
    engine::EngineConfig config;
    // Flow logs are built from trace records: tracing is on when they are asked for.
    config.trace = state.trace || !state.flow_logs.dir.empty();
    return config;
}

// Unix time of the daemon's monotonic clock's zero, in ns: the engine is given monotonic times,
// flow logs and captures show Unix times.
std::int64_t unix_epoch_of_monotonic() {
    timespec real{};
    ::clock_gettime(CLOCK_REALTIME, &real);
    return static_cast<std::int64_t>(real.tv_sec) * 1'000'000'000 + real.tv_nsec -
           static_cast<std::int64_t>(monotonic_now());
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
    o.flow_log_id = observe::derived_id("fl-", state.lab);
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
          topology_(std::move(topology)),
          plan_(std::move(plan)),
          ports_(std::move(ports)),
          counters_(ports_.size()),
          engine_(topology_, *this, engine_config(state_)),
          buffer_(kFrameBuffer) {
        for (std::size_t i = 0; i < ports_.size(); ++i) {
            by_port_[ports_[i].port] = i;
        }
        flow_log_ = make_flow_log(state_, topology_);
        if (state_.trace || flow_log_) {
            engine_.set_trace_callback([this](engine::PacketTrace&& trace) {
                if (flow_log_) flow_log_->observe(trace);
                if (!state_.trace) return;
                if (traces_.size() >= kTraceRing) {
                    traces_.pop_front();
                }
                traces_.push_back(std::move(trace));
            });
        }
        started_ = std::chrono::steady_clock::now();
    }

    int run();

    void transmit(engine::PortId port, std::span<const std::uint8_t> frame) override;

  private:
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
    model::Topology topology_;
    LabPlan plan_;
    std::vector<LivePort> ports_;
    std::vector<PortCounters> counters_;
    std::unordered_map<engine::PortId, std::size_t> by_port_;
    engine::Engine engine_;
    std::vector<std::uint8_t> buffer_;
    InFlight* in_flight_ = nullptr;
    std::array<std::uint64_t, static_cast<std::size_t>(LiveDrop::kCount)> live_drops_{};
    OffloadCounts offload_;
    std::deque<engine::PacketTrace> traces_;
    std::unique_ptr<observe::FlowLogCollector> flow_log_;
    // Live captures (made in run(), with the epoll set); after engine_, so gone before it.
    std::unique_ptr<CaptureStreams> captures_;
    std::chrono::steady_clock::time_point started_;
};

void Daemon::feed(engine::PortId port, std::span<const std::uint8_t> frame) {
    engine_.receive(port, frame, monotonic_now());
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
    engine::Counters counters = engine_.snapshot();
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
            {"cloud_counters", observe::counters_json(*engine_.components(), counters)},
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
    model::LoadResult loaded = model::load_topology_file(file);
    if (!loaded.ok()) {
        return {{"ok", false}, {"error", file + ": the topology does not load"}};
    }
    const auto& fresh = *loaded.topology;
    if (fresh.security_groups.size() != topology_.security_groups.size()) {
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
    const model::Index running = find(topology_);
    const model::Index replacement = find(fresh);
    if (running == model::kNone || replacement != running) {
        return {{"ok", false}, {"error", "no security group '" + group + "' in the running lab"}};
    }
    const auto& sg = fresh.security_groups[replacement];
    engine_.replace_security_group_rules(running, sg.ingress, sg.egress);
    log("security group " + group + " replaced from " + file + " (" +
        std::to_string(sg.ingress.size()) + " ingress, " + std::to_string(sg.egress.size()) +
        " egress rules)");
    return {{"ok", true}, {"group", group}};
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
    // Tags: port index, then two special values.
    const std::uint64_t kSignalTag = ~std::uint64_t{0};
    const std::uint64_t kControlTag = kSignalTag - 1;
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
    // Capture sockets: this bit and the capture's number (the two tags above have it too and
    // are told apart first).
    const std::uint64_t kCaptureBit = std::uint64_t{1} << 62;
    captures_ = std::make_unique<CaptureStreams>(engine_, topology_, epoll.get(), kCaptureBit,
                                                 [](const std::string& line) { log(line); });

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
            if (captures_->owns(tag)) {
                captures_->handle(tag, events[static_cast<std::size_t>(i)].events);
                continue;
            }
            receive_from(static_cast<std::size_t>(tag));
        }
        const engine::TimeNs now = monotonic_now();
        if (now - last_expire >= 1'000'000'000ull) {
            engine_.expire(now);
            flush_flow_logs(now, false);
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
    model::LoadResult loaded = model::load_topology_file(state->topology);
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
