// An HTTP request as an Application Load Balancer's listener sees it: the request line, the
// headers, the client's address and the listener it arrived on. Rules, redirects, stickiness and
// the headers toward the target all read this one type.
//
// parse_request_line reads the short form a user writes on the command line ("GET /api?x=1",
// "/api", "POST https://shop.example.com/cart"); the method defaults to GET.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vpcstack/model/topology.hpp"
#include "vpcstack/net/ipv4.hpp"

namespace vpcstack::lb {

struct HttpHeader {
    std::string name;  // compared without regard to case (RFC 9110, section 5.1)
    std::string value;
};

struct HttpRequest {
    std::string method = "GET";
    std::string host;  // the Host header as sent, possibly with ":port"; empty when absent
    std::string path = "/";
    std::string query;                // raw (still percent-encoded), without the leading '?'
    std::vector<HttpHeader> headers;  // every header but Host, in the order sent
    // The address of the connection's peer. AWS: a source-ip condition and X-Forwarded-For use
    // this, never an X-Forwarded-For the client sent.
    net::Ipv4Address source;
    model::LbProtocol listener_protocol = model::LbProtocol::Http;
    std::uint16_t listener_port = 80;

    // The values of every header of that name, in order; "Host" gives the host field.
    std::vector<std::string_view> header_values(std::string_view name) const;
    // The Host header without its port, as sent; empty when absent.
    std::string_view host_name() const;
    // The value of a cookie of the Cookie headers (RFC 6265, section 5.4), if sent.
    std::optional<std::string_view> cookie(std::string_view name) const;
};

// The request line of a command-line request: METHOD TARGET, or TARGET alone for GET. The
// target is a path with an optional query ("/api?x=1") or an absolute URL whose host becomes
// the request's Host ("https://shop.example.com/cart"). A trailing "HTTP/1.1" is accepted.
struct RequestLine {
    std::string method = "GET";
    std::string host;  // from an absolute URL; empty otherwise
    std::string path = "/";
    std::string query;
};

struct RequestLineResult {
    std::optional<RequestLine> line;
    std::string error;  // what is wrong and what was expected, when line is unset
};
RequestLineResult parse_request_line(std::string_view text);

// One parameter of a query string, percent-decoded (RFC 3986, section 2.1). "flag" alone has
// an empty value.
struct QueryParameter {
    std::string key;
    std::string value;
};
std::vector<QueryParameter> parse_query(std::string_view raw);
// %XX sequences decoded; a '%' not followed by two hex digits stays as it is.
std::string percent_decode(std::string_view text);

// "HTTP" or "HTTPS": the listener's scheme as the cloud spells it (#{protocol}).
std::string_view scheme_of(model::LbProtocol protocol) noexcept;

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept;

}  // namespace vpcstack::lb
