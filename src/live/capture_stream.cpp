// Live captures over the control socket: the daemon's streams and the client's copy.
#include "vpcstack/live/capture_stream.hpp"

#include <fcntl.h>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <poll.h>
#include <signal.h>
#include <sys/epoll.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstring>
#include <deque>
#include <stdexcept>

namespace vpcstack::live {

using nlohmann::json;

namespace {

constexpr std::uint32_t kEnhancedPacketBlock = 6;

bool is_packet_block(std::span<const std::uint8_t> block) {
    std::uint32_t type = 0;
    if (block.size() >= 4) std::memcpy(&type, block.data(), 4);
    return type == kEnhancedPacketBlock;
}

bool would_block(int error) {
    return error == EAGAIN || error == EWOULDBLOCK || error == EINTR;
}

}  // namespace

std::optional<observe::CaptureOptions> capture_options(const model::Topology& topology,
                                                       const json& request, std::string& error) {
    observe::CaptureOptions options;
    if (!request.is_object()) {
        error = "a capture request is a JSON object";
        return std::nullopt;
    }
    if (request.contains("points")) {
        const json& points = request["points"];
        if (!points.is_array()) {
            error = "points: expected an array of capture point names";
            return std::nullopt;
        }
        for (const json& name : points) {
            if (!name.is_string()) {
                error = "points: expected capture point names as strings, got " + name.dump();
                return std::nullopt;
            }
            std::vector<engine::CapturePoint> found =
                observe::parse_capture_point(topology, name.get<std::string>(), error);
            if (found.empty()) return std::nullopt;
            options.points.insert(options.points.end(), found.begin(), found.end());
        }
    }
    if (request.contains("filter")) {
        if (!request["filter"].is_string()) {
            error = "filter: expected a BPF expression as a string";
            return std::nullopt;
        }
        options.filter = request["filter"].get<std::string>();
        if (!options.filter.empty()) {
            try {
                observe::PacketFilter check(options.filter);
            } catch (const std::invalid_argument& e) {
                error = e.what();
                return std::nullopt;
            }
        }
    }
    if (request.contains("drops_only")) {
        if (!request["drops_only"].is_boolean()) {
            error = "drops_only: expected true or false";
            return std::nullopt;
        }
        options.drops_only = request["drops_only"].get<bool>();
    }
    return options;
}

// One capture: its connection, what waits to be sent on it, and its recorder.
struct CaptureStreams::Stream {
    CaptureStreamStats stats;
    Fd fd;
    int epoll_fd = -1;
    std::uint64_t tag = 0;
    std::size_t limit = 0;
    std::vector<std::uint8_t> queue;
    std::size_t sent = 0;  // bytes of `queue` already sent
    bool armed = false;    // EPOLLOUT asked for
    std::string dead;      // why the connection failed; empty while it works
    std::unique_ptr<observe::CaptureRecorder> recorder;

    std::size_t queued() const { return queue.size() - sent; }

    void watch(bool out) {
        epoll_event event{};
        event.events = EPOLLRDHUP | (out ? EPOLLOUT : 0u);
        event.data.u64 = tag;
        ::epoll_ctl(epoll_fd, EPOLL_CTL_MOD, fd.get(), &event);
        armed = out;
    }

    // One block (or the reply line): sent at once when nothing waits and the socket takes it,
    // else queued. A packet block that does not fit in the queue is dropped whole; the others
    // are always kept, so that the stream stays valid.
    bool write(std::span<const std::uint8_t> bytes, bool packet) {
        if (!dead.empty()) return false;
        if (packet && queued() + bytes.size() > limit) {
            ++stats.dropped;
            return true;
        }
        if (packet) ++stats.packets;
        if (queued() == 0) {
            const ssize_t n =
                ::send(fd.get(), bytes.data(), bytes.size(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0 && !would_block(errno)) {
                dead = std::strerror(errno);
                return false;
            }
            if (n > 0) bytes = bytes.subspan(static_cast<std::size_t>(n));
            if (bytes.empty()) return true;
        }
        queue.insert(queue.end(), bytes.begin(), bytes.end());
        if (!armed && epoll_fd >= 0) watch(true);
        return true;
    }

    // Sends what waits, as far as the socket takes it.
    void flush() {
        while (queued() > 0 && dead.empty()) {
            const ssize_t n =
                ::send(fd.get(), queue.data() + sent, queued(), MSG_NOSIGNAL | MSG_DONTWAIT);
            if (n < 0) {
                if (!would_block(errno)) dead = std::strerror(errno);
                break;
            }
            sent += static_cast<std::size_t>(n);
        }
        if (queued() == 0) {
            queue.clear();
            sent = 0;
            if (armed) watch(false);
        } else if (sent > queue.size() / 2) {
            queue.erase(queue.begin(), queue.begin() + static_cast<std::ptrdiff_t>(sent));
            sent = 0;
        }
    }
};

CaptureStreams::CaptureStreams(engine::Engine& engine, const model::Topology& topology,
                               int epoll_fd, std::uint64_t tag_bit, Log log,
                               std::size_t queue_limit)
    : engine_(engine),
      topology_(topology),
      epoll_fd_(epoll_fd),
      tag_bit_(tag_bit),
      log_(std::move(log)),
      queue_limit_(queue_limit) {}

CaptureStreams::~CaptureStreams() {
    engine_.set_capture_sink(nullptr);
}

bool CaptureStreams::open(Fd socket, const json& request, std::uint64_t epoch_ns) {
    std::string error;
    std::optional<observe::CaptureOptions> options = capture_options(topology_, request, error);
    if (!options) {
        const std::string reply = json{{"ok", false}, {"error", error}}.dump() + "\n";
        [[maybe_unused]] ssize_t n = ::send(socket.get(), reply.data(), reply.size(), MSG_NOSIGNAL);
        if (log_) log_("capture refused: " + error);
        return false;
    }
    options->epoch_ns = epoch_ns;
    auto stream = std::make_unique<Stream>();
    Stream& s = *stream;
    s.stats.id = ++next_id_;
    for (const json& p : request.value("points", json::array())) {
        s.stats.points.push_back(p.get<std::string>());
    }
    s.stats.filter = options->filter;
    s.stats.drops_only = options->drops_only;
    s.fd = std::move(socket);
    s.tag = tag_bit_ | s.stats.id;
    s.limit = queue_limit_;
    const int flags = ::fcntl(s.fd.get(), F_GETFL);
    ::fcntl(s.fd.get(), F_SETFL, flags | O_NONBLOCK);
    timeval none{0, 0};  // the accepting code's receive timeout no longer applies
    ::setsockopt(s.fd.get(), SOL_SOCKET, SO_RCVTIMEO, &none, sizeof(none));
    // The reply is the stream's first line, then the section header block.
    const std::string reply = json{{"ok", true}}.dump() + "\n";
    s.write({reinterpret_cast<const std::uint8_t*>(reply.data()), reply.size()}, false);
    try {
        s.recorder = std::make_unique<observe::CaptureRecorder>(
            topology_, std::move(*options), [&s](std::span<const std::uint8_t> block) {
                return s.write(block, is_packet_block(block));
            });
    } catch (const std::exception& e) {  // the filter was checked above; a failure is libpcap's
        if (log_) log_(std::string("capture refused: ") + e.what());
        return false;
    }
    epoll_event event{};
    event.events = EPOLLRDHUP | (s.queued() > 0 ? EPOLLOUT : 0u);
    event.data.u64 = s.tag;
    if (::epoll_ctl(epoll_fd_, EPOLL_CTL_ADD, s.fd.get(), &event) != 0) {
        if (log_) log_(std::string("capture refused: epoll: ") + std::strerror(errno));
        return false;
    }
    s.epoll_fd = epoll_fd_;
    s.armed = s.queued() > 0;
    if (log_) {
        log_(fmt::format("capture {} opened: {}{}{}", s.stats.id,
                         s.stats.points.empty()
                             ? "every point"
                             : fmt::format("{}", fmt::join(s.stats.points, ", ")),
                         s.stats.filter.empty() ? "" : ", filter " + s.stats.filter,
                         s.stats.drops_only ? ", drops only" : ""));
    }
    streams_.push_back(std::move(stream));
    engine_.set_capture_sink(this);
    return true;
}

void CaptureStreams::close(std::size_t index, const std::string& why) {
    Stream& s = *streams_[index];
    ::epoll_ctl(epoll_fd_, EPOLL_CTL_DEL, s.fd.get(), nullptr);
    if (log_) {
        log_(
            fmt::format("capture {} ended ({}): {} packets sent, {} dropped because the client "
                        "did not keep up",
                        s.stats.id, why, s.stats.packets, s.stats.dropped));
    }
    streams_.erase(streams_.begin() + static_cast<std::ptrdiff_t>(index));
    if (streams_.empty()) engine_.set_capture_sink(nullptr);
}

void CaptureStreams::handle(std::uint64_t tag, std::uint32_t events) {
    for (std::size_t i = 0; i < streams_.size(); ++i) {
        Stream& s = *streams_[i];
        if (s.tag != tag) continue;
        if ((events & (EPOLLRDHUP | EPOLLHUP | EPOLLERR)) != 0) {
            close(i, "the client went away");
            break;
        }
        if ((events & EPOLLOUT) != 0) s.flush();
        break;
    }
    // A connection that failed while the engine wrote to it.
    for (std::size_t i = streams_.size(); i-- > 0;) {
        if (!streams_[i]->dead.empty()) close(i, streams_[i]->dead);
    }
}

void CaptureStreams::close_all() {
    while (!streams_.empty()) {
        streams_.back()->flush();
        close(streams_.size() - 1, "the lab stops");
    }
}

std::vector<CaptureStreamStats> CaptureStreams::stats() const {
    std::vector<CaptureStreamStats> out;
    for (const auto& s : streams_) {
        out.push_back(s->stats);
        out.back().queued = s->queued();
    }
    return out;
}

void CaptureStreams::frame(const engine::CapturedFrame& frame) {
    for (const auto& s : streams_) {
        if (s->dead.empty()) s->recorder->frame(frame);
    }
}

void CaptureStreams::finished(const engine::PacketTrace& trace) {
    for (const auto& s : streams_) {
        if (s->dead.empty()) s->recorder->finished(trace);
    }
}

json capture_stats_json(const std::vector<CaptureStreamStats>& stats) {
    json out = json::array();
    for (const CaptureStreamStats& s : stats) {
        out.push_back({{"id", s.id},
                       {"points", s.points},
                       {"filter", s.filter},
                       {"drops_only", s.drops_only},
                       {"packets", s.packets},
                       {"dropped", s.dropped},
                       {"queued_bytes", s.queued}});
    }
    return out;
}

// ---- the client's side -------------------------------------------------------------------------

namespace {

// SIGPIPE ignored and, when asked, SIGINT and SIGTERM blocked and read from a signalfd, for
// the time of one copy; the process's own settings come back afterwards.
class SignalScope {
  public:
    explicit SignalScope(bool stop_on_signals) {
        struct sigaction ignore {};
        ignore.sa_handler = SIG_IGN;
        ::sigemptyset(&ignore.sa_mask);
        ::sigaction(SIGPIPE, &ignore, &old_pipe_);
        if (!stop_on_signals) return;
        sigset_t stop;
        ::sigemptyset(&stop);
        ::sigaddset(&stop, SIGINT);
        ::sigaddset(&stop, SIGTERM);
        ::pthread_sigmask(SIG_BLOCK, &stop, &old_mask_);
        blocked_ = true;
        fd_ = Fd(::signalfd(-1, &stop, SFD_CLOEXEC | SFD_NONBLOCK));
    }
    ~SignalScope() {
        fd_.reset();
        if (blocked_) ::pthread_sigmask(SIG_SETMASK, &old_mask_, nullptr);
        ::sigaction(SIGPIPE, &old_pipe_, nullptr);
    }
    SignalScope(const SignalScope&) = delete;
    SignalScope& operator=(const SignalScope&) = delete;
    int fd() const { return fd_.get(); }

  private:
    struct sigaction old_pipe_ {};
    sigset_t old_mask_{};
    bool blocked_ = false;
    Fd fd_;
};

constexpr std::size_t kReadChunk = 65536;
constexpr std::size_t kOutputHighWater = std::size_t{1} << 20;  // stop reading above this

}  // namespace

CaptureCopyResult copy_capture(int socket, int output, std::span<const std::uint8_t> already,
                               const CaptureCopyLimits& limits) {
    using Clock = std::chrono::steady_clock;
    CaptureCopyResult result;
    SignalScope signals(limits.stop_on_signals);
    struct stat st {};
    // A regular file takes any write at once; a pipe or socket is written PIPE_BUF at a time
    // after poll says it has room, so that a stalled reader never blocks a signal.
    const bool regular = ::fstat(output, &st) == 0 && S_ISREG(st.st_mode);
    const std::optional<Clock::time_point> deadline =
        limits.duration ? std::optional(Clock::now() + *limits.duration) : std::nullopt;

    observe::PcapngBlockSplitter splitter;
    std::vector<std::uint8_t> out;  // whole blocks not yet written
    std::size_t out_sent = 0;
    std::deque<std::size_t> packet_ends;  // where packet blocks end in `out`
    std::uint64_t taken = 0;              // packet blocks taken from the stream
    std::optional<CaptureEnd> end;
    bool failed = false;
    auto fail = [&](std::string why) {
        result.error = std::move(why);
        failed = true;
    };
    auto take_blocks = [&] {
        while (!end) {
            std::optional<observe::PcapngBlockSplitter::Block> block = splitter.next();
            if (!block) break;
            out.insert(out.end(), block->bytes.begin(), block->bytes.end());
            if (block->type == observe::PcapngBlockSplitter::Type::EnhancedPacket) {
                packet_ends.push_back(out.size());
                ++taken;
                if (limits.count && taken >= *limits.count) end = CaptureEnd::Count;
            }
        }
        splitter.take();
        if (!splitter.error().empty()) fail("the engine's stream: " + splitter.error());
    };
    splitter.append(already);
    take_blocks();

    std::vector<std::uint8_t> buffer(kReadChunk);
    while (!failed) {
        const std::size_t waiting = out.size() - out_sent;
        if (end && waiting == 0) break;
        std::array<pollfd, 3> fds{};
        nfds_t n = 0;
        int socket_at = -1, output_at = -1, signal_at = -1;
        if (!end && waiting < kOutputHighWater) {
            socket_at = static_cast<int>(n);
            fds[n++] = {socket, POLLIN, 0};
        }
        if (waiting > 0) {
            output_at = static_cast<int>(n);
            fds[n++] = {output, POLLOUT, 0};
        }
        if (signals.fd() >= 0) {
            signal_at = static_cast<int>(n);
            fds[n++] = {signals.fd(), POLLIN, 0};
        }
        int timeout = -1;
        if (deadline && !end) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(*deadline - Clock::now());
            timeout = static_cast<int>(std::max<std::int64_t>(0, left.count() + 1));
        }
        const int ready = ::poll(fds.data(), n, timeout);
        if (ready < 0) {
            if (errno == EINTR) continue;
            fail(std::string("poll: ") + std::strerror(errno));
            break;
        }
        if (deadline && !end && Clock::now() >= *deadline) end = CaptureEnd::Duration;
        if (signal_at >= 0 && (fds[signal_at].revents & POLLIN) != 0) {
            signalfd_siginfo info{};
            [[maybe_unused]] ssize_t r = ::read(signals.fd(), &info, sizeof(info));
            if (end) break;  // a second signal: stop without waiting for the output
            end = CaptureEnd::Signal;
        }
        if (socket_at >= 0 && !end && (fds[socket_at].revents & (POLLIN | POLLHUP | POLLERR))) {
            const ssize_t got = ::recv(socket, buffer.data(), buffer.size(), MSG_DONTWAIT);
            if (got == 0 || (got < 0 && errno == ECONNRESET)) {
                end = CaptureEnd::EngineClosed;
            } else if (got < 0) {
                if (!would_block(errno)) fail(std::string("receive: ") + std::strerror(errno));
            } else {
                splitter.append({buffer.data(), static_cast<std::size_t>(got)});
                take_blocks();
            }
        }
        if (output_at >= 0 && (fds[output_at].revents & (POLLOUT | POLLERR | POLLHUP))) {
            const std::size_t chunk = regular ? waiting : std::min<std::size_t>(waiting, PIPE_BUF);
            const ssize_t wrote = ::write(output, out.data() + out_sent, chunk);
            if (wrote < 0) {
                if (errno == EPIPE) {
                    end = CaptureEnd::ReaderGone;
                    break;
                }
                if (!would_block(errno)) fail(std::string("write: ") + std::strerror(errno));
            } else {
                out_sent += static_cast<std::size_t>(wrote);
                result.bytes += static_cast<std::uint64_t>(wrote);
                while (!packet_ends.empty() && packet_ends.front() <= out_sent) {
                    ++result.packets;
                    packet_ends.pop_front();
                }
                if (out_sent == out.size()) {
                    out.clear();
                    out_sent = 0;
                }
            }
        }
    }
    result.end = failed ? CaptureEnd::Failed : end.value_or(CaptureEnd::Failed);
    return result;
}

}  // namespace vpcstack::live
