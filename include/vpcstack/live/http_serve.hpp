// A tiny HTTP/1.1 server for live labs: what an instance's user data starts (`vpcctl serve http
// --port 80`) so that load balancers, NAT and security groups can be tested with real requests.
//
// Every request is answered 200 with a plain-text body that names the instance, the client's
// address and the request, and echoes the X-Forwarded-For, X-Forwarded-Proto and
// X-Forwarded-Port headers a load balancer adds (AWS: x-forwarded-headers), one line each:
//
//   instance: web1
//   client: 10.0.1.20
//   request: GET /
//   x-forwarded-for: 198.51.100.7
//
// `GET /health` answers 200 "ok". One request per connection (Connection: close); clients are
// served concurrently from one poll loop. With a certificate and key it speaks TLS (OpenSSL);
// its writes may then raise SIGPIPE when a client goes away, which the caller ignores.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "vpcstack/live/netns.hpp"

namespace vpcstack::live {

// The head of a request: request line and headers (names lower-cased, the last of repeated
// names wins but X-Forwarded-For, which joins them with ", " as proxies do).
struct HttpRequest {
    std::string method;
    std::string target;
    std::map<std::string, std::string> headers;
};

// Parses a request head (the bytes before and without the blank line). Nothing when the request
// line is not "METHOD TARGET HTTP/x.y" or a header line has no colon.
std::optional<HttpRequest> parse_http_request(std::string_view head);

// The whole response to a request (status line, headers, body); `client` is the peer's address.
// A request that did not parse (nullptr) gets 400.
std::string http_response(const HttpRequest* request, std::string_view instance,
                          std::string_view client);

struct HttpServeOptions {
    std::uint16_t port = 80;  // 0: any free port (HttpServer::port says which)
    std::string address = "0.0.0.0";
    std::string name;  // the instance the body names; empty: VPCSTACK_INSTANCE, else the host name
    std::string tls_certificate;  // PEM chain; with tls_key: HTTPS
    std::string tls_key;
};

class HttpServer {
  public:
    // Binds and listens; throws SystemError (or std::runtime_error for a TLS file).
    explicit HttpServer(const HttpServeOptions& options);
    ~HttpServer();
    HttpServer(const HttpServer&) = delete;
    HttpServer& operator=(const HttpServer&) = delete;

    std::uint16_t port() const noexcept { return port_; }
    const std::string& name() const noexcept { return name_; }
    bool tls() const noexcept;

    // Serves until `stop_fd` becomes readable (a signalfd, a pipe); returns the number of
    // requests answered. Throws SystemError when polling fails.
    std::uint64_t run(int stop_fd);

  private:
    struct Tls;
    Fd listener_;
    std::uint16_t port_ = 0;
    std::string name_;
    std::unique_ptr<Tls> tls_;
};

}  // namespace vpcstack::live
