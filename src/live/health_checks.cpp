#include "vpcstack/live/health_checks.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <openssl/err.h>
#include <openssl/ssl.h>
#include <poll.h>
#include <sched.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>
#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>
#include <fstream>
#include <memory>
#include <sstream>

#include "vpcstack/live/lab_state.hpp"

namespace vpcstack::live {

using nlohmann::json;

namespace {

using Clock = std::chrono::steady_clock;

enum class Wait : std::uint8_t { Ready, TimedOut, Stopped };

// Waits for `events` on `fd` until `deadline`, or until `stop_fd` is readable.
Wait wait_for(int fd, short events, Clock::time_point deadline, int stop_fd) {
    for (;;) {
        const auto left =
            std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
        if (left <= 0) return Wait::TimedOut;
        pollfd fds[2] = {{fd, events, 0}, {stop_fd, POLLIN, 0}};
        const int n = ::poll(fds, stop_fd >= 0 ? 2 : 1, static_cast<int>(left));
        if (n < 0 && errno == EINTR) continue;
        if (n < 0) return Wait::TimedOut;
        if (stop_fd >= 0 && (fds[1].revents & POLLIN) != 0) return Wait::Stopped;
        if (fds[0].revents != 0) return Wait::Ready;
    }
}

std::string lower(std::string s) {
    std::transform(s.begin(), s.end(), s.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return s;
}

struct SslCtxFree {
    void operator()(SSL_CTX* c) const { SSL_CTX_free(c); }
};
struct SslFree {
    void operator()(SSL* s) const { SSL_free(s); }
};

// The HTTP exchange after the connection: the request out, the status line back, within the
// answer's deadline. Plain or over TLS.
class Channel {
  public:
    Channel(int fd, int stop_fd, Clock::time_point deadline)
        : fd_(fd), stop_fd_(stop_fd), deadline_(deadline) {}

    // TLS client without certificate validation; `server_name` for SNI when it is a name.
    // Empty when the handshake succeeded, else why not.
    std::string start_tls(const std::string& server_name) {
        ctx_.reset(SSL_CTX_new(TLS_client_method()));
        if (!ctx_) return "TLS unavailable";
        // AWS: Route 53 does not validate the endpoint's certificate.
        SSL_CTX_set_verify(ctx_.get(), SSL_VERIFY_NONE, nullptr);
        ssl_.reset(SSL_new(ctx_.get()));
        if (!ssl_) return "TLS unavailable";
        SSL_set_fd(ssl_.get(), fd_);
        in_addr ignored{};
        if (!server_name.empty() && ::inet_pton(AF_INET, server_name.c_str(), &ignored) != 1) {
            // SSL_set_tlsext_host_name, without its macro's C cast.
            SSL_ctrl(ssl_.get(), SSL_CTRL_SET_TLSEXT_HOSTNAME, TLSEXT_NAMETYPE_host_name,
                     const_cast<char*>(server_name.c_str()));
        }
        for (;;) {
            const int r = SSL_connect(ssl_.get());
            if (r == 1) return "";
            std::string why;
            if (!wait_tls(r, why)) return why.empty() ? "TLS handshake failed" : why;
        }
    }

    // Empty when all was sent, else why not.
    std::string send_all(const std::string& data) {
        std::size_t done = 0;
        while (done < data.size()) {
            if (ssl_) {
                const int r =
                    SSL_write(ssl_.get(), data.data() + done, static_cast<int>(data.size() - done));
                if (r > 0) {
                    done += static_cast<std::size_t>(r);
                    continue;
                }
                std::string why;
                if (!wait_tls(r, why)) return why.empty() ? "TLS write failed" : why;
                continue;
            }
            const ssize_t n = ::send(fd_, data.data() + done, data.size() - done, MSG_NOSIGNAL);
            if (n > 0) {
                done += static_cast<std::size_t>(n);
                continue;
            }
            if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
                if (std::string why = wait(POLLOUT); !why.empty()) return why;
                continue;
            }
            return fmt::format("send failed ({})", std::strerror(errno));
        }
        return "";
    }

    // The first line of the answer, or nothing and `why`.
    std::optional<std::string> status_line(std::string& why) {
        std::string got;
        char buffer[512];
        while (got.find("\r\n") == std::string::npos && got.size() < 1024) {
            if (ssl_) {
                const int r = SSL_read(ssl_.get(), buffer, sizeof(buffer));
                if (r > 0) {
                    got.append(buffer, static_cast<std::size_t>(r));
                    continue;
                }
                if (!wait_tls(r, why)) break;
                continue;
            }
            const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
            if (n > 0) {
                got.append(buffer, static_cast<std::size_t>(n));
                continue;
            }
            if (n == 0) {
                why = "connection closed without an answer";
                break;
            }
            if (errno == EAGAIN || errno == EINTR) {
                why = wait(POLLIN);
                if (!why.empty()) break;
                continue;
            }
            why = fmt::format("receive failed ({})", std::strerror(errno));
            break;
        }
        const std::size_t end = got.find("\r\n");
        if (end == std::string::npos) {
            if (why.empty()) why = "no HTTP status line";
            return std::nullopt;
        }
        return got.substr(0, end);
    }

  private:
    std::string wait(short events) {
        switch (wait_for(fd_, events, deadline_, stop_fd_)) {
            case Wait::Ready:
                return "";
            case Wait::TimedOut:
                return fmt::format("no answer within {} s", kHealthAnswerTimeoutMs / 1000);
            case Wait::Stopped:
                return "stopped";
        }
        return "stopped";
    }
    // After an SSL call returned `r`: waits when it wants to, true to retry.
    bool wait_tls(int r, std::string& why) {
        const int error = SSL_get_error(ssl_.get(), r);
        if (error == SSL_ERROR_WANT_READ || error == SSL_ERROR_WANT_WRITE) {
            why = wait(error == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT);
            return why.empty();
        }
        if (error == SSL_ERROR_ZERO_RETURN) {
            why = "connection closed without an answer";
        } else {
            char text[256] = {};
            const unsigned long code = ERR_get_error();
            if (code != 0) ERR_error_string_n(code, text, sizeof(text));
            why = code != 0 ? fmt::format("TLS failed ({})", text) : "TLS failed";
        }
        ERR_clear_error();
        return false;
    }

    int fd_;
    int stop_fd_;
    Clock::time_point deadline_;
    std::unique_ptr<SSL_CTX, SslCtxFree> ctx_;
    std::unique_ptr<SSL, SslFree> ssl_;
};

}  // namespace

HealthProbe make_health_probe(const model::Route53HealthCheck& hc, net::Ipv4Address address,
                              std::optional<net::Ipv4Address> source) {
    HealthProbe p;
    p.check = hc.meta.name;
    p.type = hc.type;
    p.address = address;
    p.port = hc.port;
    p.path = hc.path.empty() ? "/" : hc.path;
    p.interval = hc.interval == 0 ? 30 : hc.interval;
    p.source = source;
    // AWS: health-checks-creating-values — the Host header is the domain name when there is
    // one (with ":port" for a port other than 80 and 443), else the IP address.
    p.host = hc.domain.empty() ? address.to_string() : hc.domain;
    if (!hc.domain.empty() && hc.port != 80 && hc.port != 443) {
        p.host += ":" + std::to_string(hc.port);
    }
    return p;
}

ProbeResult probe_once(const HealthProbe& p, int stop_fd) {
    const std::string what =
        fmt::format("{}/{} to {}", lower(model::to_string(p.type)), p.port, p.address.to_string());
    auto fail = [&](const std::string& why) { return ProbeResult{false, what + " " + why}; };
    Fd s(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!s.valid()) return fail(fmt::format("not probed ({})", std::strerror(errno)));
    if (p.source) {
        sockaddr_in local{};
        local.sin_family = AF_INET;
        local.sin_addr.s_addr = htonl(p.source->value());
        if (::bind(s.get(), reinterpret_cast<sockaddr*>(&local), sizeof(local)) != 0) {
            return fail(fmt::format("not probed: bind {} ({})", p.source->to_string(),
                                    std::strerror(errno)));
        }
    }
    sockaddr_in remote{};
    remote.sin_family = AF_INET;
    remote.sin_port = htons(p.port);
    remote.sin_addr.s_addr = htonl(p.address.value());
    const int connect_ms = p.type == model::HealthCheckType::Tcp ? kHealthTcpConnectTimeoutMs
                                                                 : kHealthConnectTimeoutMs;
    if (::connect(s.get(), reinterpret_cast<sockaddr*>(&remote), sizeof(remote)) != 0 &&
        errno != EINPROGRESS) {
        return fail(fmt::format("failed ({})", std::strerror(errno)));
    }
    switch (
        wait_for(s.get(), POLLOUT, Clock::now() + std::chrono::milliseconds(connect_ms), stop_fd)) {
        case Wait::Ready:
            break;
        case Wait::TimedOut:
            return fail(fmt::format("timed out (no connection within {} s)", connect_ms / 1000));
        case Wait::Stopped:
            return fail("stopped");
    }
    int error = 0;
    socklen_t length = sizeof(error);
    ::getsockopt(s.get(), SOL_SOCKET, SO_ERROR, &error, &length);
    if (error == ECONNREFUSED) return fail("refused");
    if (error != 0) return fail(fmt::format("failed ({})", std::strerror(error)));
    if (p.type == model::HealthCheckType::Tcp) return {true, what + " connected"};

    Channel channel(s.get(), stop_fd,
                    Clock::now() + std::chrono::milliseconds(kHealthAnswerTimeoutMs));
    if (p.type == model::HealthCheckType::Https) {
        if (std::string why = channel.start_tls(p.host); !why.empty()) return fail(why);
    }
    const std::string request = fmt::format(
        "GET {} HTTP/1.1\r\nHost: {}\r\nUser-Agent: Amazon-Route53-Health-Check-Service (lab)"
        "\r\nConnection: close\r\n\r\n",
        p.path, p.host);
    if (std::string why = channel.send_all(request); !why.empty()) return fail(why);
    std::string why;
    std::optional<std::string> line = channel.status_line(why);
    if (!line) return fail(why);
    // "HTTP/1.1 200 OK"
    int code = 0;
    if (line->rfind("HTTP/", 0) == 0) {
        const std::size_t space = line->find(' ');
        if (space != std::string::npos) code = std::atoi(line->c_str() + space + 1);
    }
    if (code == 0) return fail("answered no HTTP status (\"" + line->substr(0, 40) + "\")");
    const bool ok = code >= 200 && code < 400;
    return {ok, fmt::format("{}: {}{}", what, code, ok ? "" : " (not 2xx or 3xx)")};
}

bool apply_probe_result(HealthCheckRecord& r, const ProbeResult& result, std::int64_t now) {
    r.consecutive = result.ok == r.last_ok && r.consecutive > 0 ? r.consecutive + 1 : 1;
    r.last_ok = result.ok;
    r.last_result = result.text;
    const bool status = result.ok != r.inverted;
    if (status == r.healthy || r.consecutive < std::max<std::uint32_t>(r.failure_threshold, 1)) {
        return false;
    }
    r.healthy = status;
    r.since = now;
    return true;
}

std::string health_check_line(const HealthCheckRecord& r) {
    std::time_t when = static_cast<std::time_t>(r.since);
    char stamp[32];
    std::strftime(stamp, sizeof(stamp), "%H:%M:%S", std::gmtime(&when));
    const std::string run =
        r.type == "CALCULATED" || r.consecutive == 0
            ? std::string()
            : fmt::format(", {} {} in a row", r.consecutive, r.last_ok ? "passed" : "failed");
    return fmt::format("{:<16} {:<10} {:<9} since {}{}: {}{}", r.name, r.type,
                       r.healthy ? "healthy" : "unhealthy", stamp, run, r.last_result,
                       r.inverted ? " (inverted)" : "");
}

json health_records_json(const std::vector<HealthCheckRecord>& records) {
    json out = json::array();
    for (const HealthCheckRecord& r : records) {
        out.push_back({{"name", r.name},
                       {"type", r.type},
                       {"healthy", r.healthy},
                       {"since", r.since},
                       {"last_result", r.last_result},
                       {"last_ok", r.last_ok},
                       {"consecutive", r.consecutive},
                       {"failure_threshold", r.failure_threshold},
                       {"inverted", r.inverted}});
    }
    return out;
}

std::vector<HealthCheckRecord> health_records_from_json(const json& doc) {
    std::vector<HealthCheckRecord> out;
    if (!doc.is_array()) return out;
    for (const json& j : doc) {
        HealthCheckRecord r;
        r.name = j.value("name", "");
        r.type = j.value("type", "");
        r.healthy = j.value("healthy", true);
        r.since = j.value("since", std::int64_t{0});
        r.last_result = j.value("last_result", "");
        r.last_ok = j.value("last_ok", true);
        r.consecutive = j.value("consecutive", std::uint32_t{0});
        r.failure_threshold = j.value("failure_threshold", std::uint32_t{3});
        r.inverted = j.value("inverted", false);
        out.push_back(std::move(r));
    }
    return out;
}

std::string health_status_path(std::string_view lab) {
    return lab_dir(lab) + "/health-checks.json";
}

void write_health_records(const std::string& path, const std::vector<HealthCheckRecord>& records) {
    const std::string temporary = path + ".tmp." + std::to_string(::getpid());
    {
        std::ofstream out(temporary, std::ios::trunc);
        out << health_records_json(records).dump(2) << "\n";
        if (!out) throw SystemError("write " + temporary, errno == 0 ? EIO : errno);
    }
    if (::rename(temporary.c_str(), path.c_str()) != 0) {
        const int error = errno;
        ::unlink(temporary.c_str());
        throw SystemError("rename " + temporary + " to " + path, error);
    }
}

std::optional<std::map<std::string, bool>> read_health_statuses(const std::string& path) {
    std::ifstream in(path);
    if (!in) return std::nullopt;
    std::stringstream text;
    text << in.rdbuf();
    json doc = json::parse(text.str(), nullptr, /*allow_exceptions=*/false);
    if (doc.is_discarded() || !doc.is_array()) return std::nullopt;
    std::map<std::string, bool> out;
    for (const HealthCheckRecord& r : health_records_from_json(doc)) out[r.name] = r.healthy;
    return out;
}

HealthProber::HealthProber(std::vector<HealthProbe> probes, std::string netns,
                           std::chrono::milliseconds first_delay)
    : probes_(std::move(probes)),
      netns_(std::move(netns)),
      first_delay_(first_delay),
      event_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)),
      stop_(::eventfd(0, EFD_CLOEXEC)) {
    if (!event_.valid() || !stop_.valid()) throw SystemError("eventfd", errno);
    threads_.reserve(probes_.size());
    for (std::size_t i = 0; i < probes_.size(); ++i) {
        threads_.emplace_back([this, i] { run(i); });
    }
}

HealthProber::~HealthProber() {
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(stop_.get(), &one, sizeof(one));
    for (std::thread& t : threads_) t.join();
}

void HealthProber::push(std::size_t index, ProbeResult result) {
    {
        std::lock_guard lock(mutex_);
        queue_.push_back({index, std::move(result)});
    }
    const std::uint64_t one = 1;
    [[maybe_unused]] ssize_t n = ::write(event_.get(), &one, sizeof(one));
}

std::vector<HealthProber::Outcome> HealthProber::take() {
    std::uint64_t count = 0;
    [[maybe_unused]] ssize_t n = ::read(event_.get(), &count, sizeof(count));
    std::lock_guard lock(mutex_);
    std::vector<Outcome> out(std::make_move_iterator(queue_.begin()),
                             std::make_move_iterator(queue_.end()));
    queue_.clear();
    return out;
}

void HealthProber::run(std::size_t index) {
    const HealthProbe& probe = probes_[index];
    if (!netns_.empty()) {
        // setns() moves this thread alone; its sockets belong to the internet namespace.
        Fd ns = open_named_netns(netns_);
        if (!ns.valid() || ::setns(ns.get(), CLONE_NEWNET) != 0) {
            push(index, {false, fmt::format("not probed: cannot enter namespace {} ({})", netns_,
                                            std::strerror(errno))});
            return;
        }
    }
    // Sleeps until `next`; false when stopping.
    auto sleep_until = [this](Clock::time_point next) {
        pollfd stop{stop_.get(), POLLIN, 0};
        for (;;) {
            const auto left =
                std::chrono::duration_cast<std::chrono::milliseconds>(next - Clock::now()).count();
            if (left <= 0) return true;
            const int r = ::poll(&stop, 1, static_cast<int>(left));
            if (r > 0) return false;
            if (r < 0 && errno != EINTR) return false;
        }
    };
    if (!sleep_until(Clock::now() + first_delay_)) return;
    for (;;) {
        const auto started = Clock::now();
        ProbeResult result = probe_once(probe, stop_.get());
        pollfd stop{stop_.get(), POLLIN, 0};
        if (::poll(&stop, 1, 0) > 0) return;  // the probe was cut short
        push(index, std::move(result));
        if (!sleep_until(started + std::chrono::seconds(probe.interval))) return;
    }
}

}  // namespace vpcstack::live
