// The lab's HTTP server: one poll loop over the listener, the stop descriptor and every client;
// each client reads a request head (and its body, when it gives a length), gets one response and
// is closed. Plain sockets and TLS share the loop: a read or write that must wait says for
// which event.
#include "vpcstack/live/http_serve.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <fmt/format.h>
#include <openssl/err.h>
#include <openssl/ssl.h>

#include <algorithm>
#include <cctype>
#include <cerrno>
#include <chrono>
#include <climits>
#include <cstdlib>
#include <list>
#include <optional>
#include <stdexcept>
#include <vector>

namespace vpcstack::live {

namespace {

// A head larger than this is refused (400); a body is read (up to kMaxBody) before the
// response, so that closing does not reset the connection under the client's feet.
constexpr std::size_t kMaxHead = 16 * 1024;
constexpr std::size_t kMaxBody = 1024 * 1024;
constexpr std::size_t kMaxClients = 512;
constexpr auto kClientTimeout = std::chrono::seconds(10);

std::string lower(std::string_view text) {
    std::string out(text);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::string_view trim(std::string_view text) {
    while (!text.empty() && (text.front() == ' ' || text.front() == '\t')) text.remove_prefix(1);
    while (!text.empty() && (text.back() == ' ' || text.back() == '\t' || text.back() == '\r')) {
        text.remove_suffix(1);
    }
    return text;
}

// The headers a load balancer adds, echoed in the order the cloud documents them.
constexpr std::string_view kForwardedHeaders[] = {"x-forwarded-for", "x-forwarded-proto",
                                                  "x-forwarded-port"};

}  // namespace

std::optional<HttpRequest> parse_http_request(std::string_view head) {
    HttpRequest request;
    std::size_t end = head.find("\r\n");
    std::string_view line = head.substr(0, end);
    const std::size_t first = line.find(' ');
    const std::size_t last = line.rfind(' ');
    if (first == std::string_view::npos || last == first ||
        !line.substr(last + 1).starts_with("HTTP/")) {
        return std::nullopt;
    }
    request.method = std::string(line.substr(0, first));
    request.target = std::string(trim(line.substr(first + 1, last - first - 1)));
    if (request.method.empty() || request.target.empty()) {
        return std::nullopt;
    }
    while (end != std::string_view::npos) {
        head.remove_prefix(end + 2);
        end = head.find("\r\n");
        line = head.substr(0, end);
        if (line.empty()) {
            continue;
        }
        const std::size_t colon = line.find(':');
        if (colon == std::string_view::npos || colon == 0) {
            return std::nullopt;
        }
        std::string name = lower(trim(line.substr(0, colon)));
        std::string value(trim(line.substr(colon + 1)));
        auto [it, inserted] = request.headers.emplace(name, value);
        if (!inserted) {
            it->second = name == "x-forwarded-for" ? it->second + ", " + value : value;
        }
    }
    return request;
}

std::string http_response(const HttpRequest* request, std::string_view instance,
                          std::string_view client) {
    int status = 200;
    std::string body;
    if (request == nullptr) {
        status = 400;
        body = "bad request\n";
    } else if (request->target == "/health") {
        body = "ok\n";
    } else {
        body = fmt::format("instance: {}\nclient: {}\nrequest: {} {}\n", instance, client,
                           request->method, request->target);
        for (std::string_view name : kForwardedHeaders) {
            if (auto it = request->headers.find(std::string(name)); it != request->headers.end()) {
                body += fmt::format("{}: {}\n", name, it->second);
            }
        }
    }
    std::string out = fmt::format(
        "HTTP/1.1 {} {}\r\nContent-Type: text/plain\r\nContent-Length: {}\r\nConnection: "
        "close\r\n\r\n",
        status, status == 200 ? "OK" : "Bad Request", body.size());
    if (request == nullptr || request->method != "HEAD") {
        out += body;
    }
    return out;
}

struct HttpServer::Tls {
    SSL_CTX* context = nullptr;
    ~Tls() { SSL_CTX_free(context); }
};

namespace {

std::string openssl_error() {
    char text[256] = {};
    ERR_error_string_n(ERR_get_error(), text, sizeof(text));
    return text;
}

// What a read or write on a client came to.
enum class Io : std::uint8_t { Progress, WantRead, WantWrite, Closed };

struct Client {
    Fd fd;
    SSL* ssl = nullptr;
    std::string peer;
    std::string in;
    std::size_t head_end = 0;     // past the blank line, once the head is complete
    std::size_t body_length = 0;  // from Content-Length, capped
    std::string out;
    std::size_t sent = 0;
    bool responding = false;
    short events = POLLIN;
    std::chrono::steady_clock::time_point deadline;

    Client() = default;
    Client(const Client&) = delete;
    Client& operator=(const Client&) = delete;
    ~Client() {
        if (ssl != nullptr) {
            SSL_free(ssl);
        }
    }
};

Io tls_result(SSL* ssl, int n) {
    switch (SSL_get_error(ssl, n)) {
        case SSL_ERROR_WANT_READ:
            return Io::WantRead;
        case SSL_ERROR_WANT_WRITE:
            return Io::WantWrite;
        default:
            return Io::Closed;
    }
}

// What one read or write means for a client: go on (unset), wait for the event it needs (true)
// or close it (false).
std::optional<bool> settle(Io io, Client& c) {
    switch (io) {
        case Io::Progress:
            return std::nullopt;
        case Io::WantRead:
            c.events = POLLIN;
            return true;
        case Io::WantWrite:
            c.events = POLLOUT;
            return true;
        case Io::Closed:
            return false;
    }
    return false;
}

Io read_some(Client& c) {
    char buffer[4096];
    if (c.ssl != nullptr) {
        int n = SSL_read(c.ssl, buffer, sizeof(buffer));
        if (n <= 0) return tls_result(c.ssl, n);
        c.in.append(buffer, static_cast<std::size_t>(n));
        return Io::Progress;
    }
    ssize_t n = ::recv(c.fd.get(), buffer, sizeof(buffer), 0);
    if (n > 0) {
        c.in.append(buffer, static_cast<std::size_t>(n));
        return Io::Progress;
    }
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) return Io::WantRead;
    return Io::Closed;
}

Io write_some(Client& c) {
    const char* data = c.out.data() + c.sent;
    const std::size_t left = c.out.size() - c.sent;
    if (c.ssl != nullptr) {
        int n = SSL_write(c.ssl, data, static_cast<int>(std::min<std::size_t>(left, INT_MAX)));
        if (n <= 0) return tls_result(c.ssl, n);
        c.sent += static_cast<std::size_t>(n);
        return Io::Progress;
    }
    ssize_t n = ::send(c.fd.get(), data, left, MSG_NOSIGNAL);
    if (n >= 0) {
        c.sent += static_cast<std::size_t>(n);
        return Io::Progress;
    }
    if (errno == EAGAIN || errno == EINTR) return Io::WantWrite;
    return Io::Closed;
}

std::size_t content_length(const HttpRequest& request) {
    auto it = request.headers.find("content-length");
    if (it == request.headers.end()) return 0;
    std::size_t n = 0;
    for (char ch : it->second) {
        if (ch < '0' || ch > '9') return 0;
        n = std::min(n * 10 + static_cast<std::size_t>(ch - '0'), kMaxBody);
    }
    return n;
}

// Moves a client on as far as its socket allows. False: done with it (answered, or gone).
bool advance(Client& c, const std::string& name, std::uint64_t& answered) {
    for (;;) {
        if (!c.responding) {
            if (c.head_end == 0) {
                if (std::size_t blank = c.in.find("\r\n\r\n"); blank != std::string::npos) {
                    c.head_end = blank + 4;
                    auto request = parse_http_request(std::string_view(c.in).substr(0, blank));
                    c.out = http_response(request ? &*request : nullptr, name, c.peer);
                    c.body_length = request ? content_length(*request) : 0;
                } else if (c.in.size() > kMaxHead) {
                    c.out = http_response(nullptr, name, c.peer);
                    c.responding = true;
                    continue;
                }
            }
            if (c.head_end != 0 && c.in.size() >= c.head_end + c.body_length) {
                c.responding = true;
                continue;
            }
            if (std::optional<bool> keep = settle(read_some(c), c)) return *keep;
            continue;
        }
        if (c.sent == c.out.size()) {
            ++answered;
            if (c.ssl != nullptr) {
                SSL_shutdown(c.ssl);  // close_notify, without waiting for the client's
            }
            ::shutdown(c.fd.get(), SHUT_WR);
            return false;
        }
        if (std::optional<bool> keep = settle(write_some(c), c)) return *keep;
    }
}

std::string peer_of(const sockaddr_in& address) {
    char text[INET_ADDRSTRLEN] = {};
    ::inet_ntop(AF_INET, &address.sin_addr, text, sizeof(text));
    return text;
}

}  // namespace

HttpServer::HttpServer(const HttpServeOptions& options) : name_(options.name) {
    // In a lab the host name is the machine's (namespaces share the UTS namespace); user data
    // and lab exec name the instance in VPCSTACK_INSTANCE.
    if (const char* instance = std::getenv("VPCSTACK_INSTANCE");
        name_.empty() && instance != nullptr && *instance != '\0') {
        name_ = instance;
    }
    if (name_.empty()) {
        char host[256] = {};
        ::gethostname(host, sizeof(host) - 1);
        name_ = host;
    }
    if (!options.tls_certificate.empty() || !options.tls_key.empty()) {
        if (options.tls_certificate.empty() || options.tls_key.empty()) {
            throw std::runtime_error("TLS needs both a certificate and its key");
        }
        tls_ = std::make_unique<Tls>();
        tls_->context = SSL_CTX_new(TLS_server_method());
        if (tls_->context == nullptr) {
            throw std::runtime_error("TLS: " + openssl_error());
        }
        if (SSL_CTX_use_certificate_chain_file(tls_->context, options.tls_certificate.c_str()) !=
            1) {
            throw std::runtime_error(options.tls_certificate + ": " + openssl_error());
        }
        if (SSL_CTX_use_PrivateKey_file(tls_->context, options.tls_key.c_str(), SSL_FILETYPE_PEM) !=
                1 ||
            SSL_CTX_check_private_key(tls_->context) != 1) {
            throw std::runtime_error(options.tls_key + ": " + openssl_error());
        }
    }
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(options.port);
    if (::inet_pton(AF_INET, options.address.c_str(), &address.sin_addr) != 1) {
        throw SystemError("listen address " + options.address, EINVAL);
    }
    listener_ = Fd(::socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0));
    if (!listener_.valid()) {
        throw SystemError("socket", errno);
    }
    int one = 1;
    ::setsockopt(listener_.get(), SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    const std::string where = fmt::format("{}:{}", options.address, options.port);
    if (::bind(listener_.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
        throw SystemError("bind " + where, errno);
    }
    if (::listen(listener_.get(), 128) != 0) {
        throw SystemError("listen " + where, errno);
    }
    socklen_t length = sizeof(address);
    ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&address), &length);
    port_ = ntohs(address.sin_port);
}

HttpServer::~HttpServer() = default;

bool HttpServer::tls() const noexcept {
    return tls_ != nullptr;
}

std::uint64_t HttpServer::run(int stop_fd) {
    std::list<Client> clients;
    std::uint64_t answered = 0;
    std::vector<pollfd> polled;
    std::vector<std::list<Client>::iterator> order;
    for (;;) {
        const auto now = std::chrono::steady_clock::now();
        polled.assign({{stop_fd, POLLIN, 0}, {listener_.get(), POLLIN, 0}});
        order.clear();
        auto next_deadline = now + kClientTimeout;
        for (auto it = clients.begin(); it != clients.end();) {
            if (it->deadline <= now) {
                it = clients.erase(it);  // a client that stalls is dropped
                continue;
            }
            next_deadline = std::min(next_deadline, it->deadline);
            polled.push_back({it->fd.get(), it->events, 0});
            order.push_back(it);
            ++it;
        }
        const auto wait =
            std::chrono::duration_cast<std::chrono::milliseconds>(next_deadline - now).count() + 1;
        if (::poll(polled.data(), polled.size(), static_cast<int>(wait)) < 0) {
            if (errno == EINTR) continue;
            throw SystemError("poll", errno);
        }
        if (polled[0].revents != 0) {
            return answered;
        }
        for (std::size_t i = 0; i < order.size(); ++i) {
            if (polled[i + 2].revents != 0 && !advance(*order[i], name_, answered)) {
                clients.erase(order[i]);
            }
        }
        if ((polled[1].revents & POLLIN) == 0) {
            continue;
        }
        for (;;) {
            sockaddr_in peer{};
            socklen_t length = sizeof(peer);
            Fd fd(::accept4(listener_.get(), reinterpret_cast<sockaddr*>(&peer), &length,
                            SOCK_NONBLOCK | SOCK_CLOEXEC));
            if (!fd.valid()) {
                break;  // EAGAIN: no more for now; anything else: the client is gone
            }
            if (clients.size() >= kMaxClients) {
                continue;  // closed at once: the client retries
            }
            Client& c = clients.emplace_back();
            c.fd = std::move(fd);
            c.peer = peer_of(peer);
            c.deadline = std::chrono::steady_clock::now() + kClientTimeout;
            if (tls_ != nullptr) {
                c.ssl = SSL_new(tls_->context);
                if (c.ssl == nullptr || SSL_set_fd(c.ssl, c.fd.get()) != 1) {
                    clients.pop_back();
                    continue;
                }
                SSL_set_accept_state(c.ssl);
            }
            if (!advance(c, name_, answered)) {
                clients.pop_back();
            }
        }
    }
}

}  // namespace vpcstack::live
