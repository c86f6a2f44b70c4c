#include "vpcstack/lb/http_request.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>

namespace vpcstack::lb {
namespace {

constexpr std::string_view kForms =
    "expected METHOD TARGET or TARGET alone (GET), where TARGET is a path such as /api?x=1 or "
    "an absolute URL such as https://shop.example.com/api";

constexpr char lower(char c) noexcept {
    return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string_view trim(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) noexcept {
    return text.size() >= prefix.size() &&
           equals_ignoring_case(text.substr(0, prefix.size()), prefix);
}

// RFC 9110, section 5.6.2: a method is a token.
bool is_token(std::string_view s) noexcept {
    constexpr std::string_view kSpecials = "!#$%&'*+-.^_`|~";
    return !s.empty() && std::all_of(s.begin(), s.end(), [&](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) != 0 ||
               kSpecials.find(c) != std::string_view::npos;
    });
}

int hex_digit(char c) noexcept {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

std::vector<std::string_view> words(std::string_view text) {
    std::vector<std::string_view> out;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ' ' || text[i] == '\t')) ++i;
        std::size_t start = i;
        while (i < text.size() && text[i] != ' ' && text[i] != '\t') ++i;
        if (i > start) out.push_back(text.substr(start, i - start));
    }
    return out;
}

// Fills the host, path and query of `line` from an origin-form or absolute-form target
// (RFC 9112, section 3.2); returns the problem, or an empty string.
std::string read_target(std::string_view target, RequestLine& line) {
    target = target.substr(0, target.find('#'));  // a fragment never reaches the server
    if (starts_with_ignoring_case(target, "http://") ||
        starts_with_ignoring_case(target, "https://")) {
        target.remove_prefix(target.find("://") + 3);
        const std::size_t end = std::min(target.find('/'), target.find('?'));
        line.host = std::string(target.substr(0, end));
        if (line.host.empty()) {
            return "the URL has no host; expected one such as https://shop.example.com/api";
        }
        target = end == std::string_view::npos ? std::string_view() : target.substr(end);
    } else if (target.empty() || target.front() != '/') {
        return fmt::format("the request target '{}' is not a path or an absolute URL; {}", target,
                           kForms);
    }
    const std::size_t q = target.find('?');
    const std::string_view path = target.substr(0, q);
    line.path = path.empty() ? "/" : std::string(path);
    line.query = q == std::string_view::npos ? std::string() : std::string(target.substr(q + 1));
    return {};
}

bool looks_like_target(std::string_view word) noexcept {
    return (!word.empty() && word.front() == '/') || word.find("://") != std::string_view::npos;
}

}  // namespace

bool equals_ignoring_case(std::string_view a, std::string_view b) noexcept {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(),
                                              [](char x, char y) { return lower(x) == lower(y); });
}

std::vector<std::string_view> HttpRequest::header_values(std::string_view name) const {
    std::vector<std::string_view> out;
    if (equals_ignoring_case(name, "host")) {
        if (!host.empty()) out.push_back(host);
        return out;
    }
    for (const HttpHeader& h : headers) {
        if (equals_ignoring_case(h.name, name)) out.push_back(h.value);
    }
    return out;
}

std::string_view HttpRequest::host_name() const {
    std::string_view h = trim(host);
    if (!h.empty() && h.front() == '[') return h.substr(0, h.find(']') + 1);  // an IPv6 literal
    const std::size_t colon = h.rfind(':');
    if (colon == std::string_view::npos) return h;
    const std::string_view port = h.substr(colon + 1);
    const bool digits =
        std::all_of(port.begin(), port.end(), [](char c) { return c >= '0' && c <= '9'; });
    return digits ? h.substr(0, colon) : h;
}

std::optional<std::string_view> HttpRequest::cookie(std::string_view name) const {
    for (std::string_view header : header_values("Cookie")) {
        while (!header.empty()) {
            const std::size_t semi = header.find(';');
            std::string_view pair = trim(header.substr(0, semi));
            header = semi == std::string_view::npos ? std::string_view() : header.substr(semi + 1);
            const std::size_t eq = pair.find('=');
            if (eq == std::string_view::npos) continue;
            // Cookie names are compared exactly (RFC 6265, section 5.3).
            if (trim(pair.substr(0, eq)) == name) return trim(pair.substr(eq + 1));
        }
    }
    return std::nullopt;
}

RequestLineResult parse_request_line(std::string_view text) {
    RequestLineResult result;
    std::vector<std::string_view> parts = words(text);
    if (!parts.empty() && starts_with_ignoring_case(parts.back(), "HTTP/") && parts.size() > 1) {
        parts.pop_back();  // the protocol version: only HTTP/1.1 semantics are modelled
    }
    if (parts.empty()) {
        result.error = fmt::format("the request is empty; {}", kForms);
        return result;
    }
    if (parts.size() > 2) {
        result.error =
            fmt::format("the request '{}' has {} words; {}", trim(text), parts.size(), kForms);
        return result;
    }
    RequestLine line;
    std::string_view target = parts.back();
    if (parts.size() == 2) {
        if (!is_token(parts[0])) {
            result.error = fmt::format(
                "the method '{}' is not an HTTP token; expected a method "
                "such as GET, POST or DELETE",
                parts[0]);
            return result;
        }
        line.method = std::string(parts[0]);
    } else if (!looks_like_target(target)) {
        result.error = fmt::format("the request '{}' has no target; {}", target, kForms);
        return result;
    }
    if (std::string problem = read_target(target, line); !problem.empty()) {
        result.error = std::move(problem);
        return result;
    }
    result.line = std::move(line);
    return result;
}

std::string percent_decode(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '%' && i + 2 < text.size()) {
            const int hi = hex_digit(text[i + 1]);
            const int lo = hex_digit(text[i + 2]);
            if (hi >= 0 && lo >= 0) {
                out.push_back(static_cast<char>(hi * 16 + lo));
                i += 2;
                continue;
            }
        }
        out.push_back(text[i]);
    }
    return out;
}

std::vector<QueryParameter> parse_query(std::string_view raw) {
    std::vector<QueryParameter> out;
    while (!raw.empty()) {
        const std::size_t amp = raw.find('&');
        const std::string_view pair = raw.substr(0, amp);
        raw = amp == std::string_view::npos ? std::string_view() : raw.substr(amp + 1);
        if (pair.empty()) continue;
        const std::size_t eq = pair.find('=');
        out.push_back(
            {percent_decode(pair.substr(0, eq)),
             eq == std::string_view::npos ? std::string() : percent_decode(pair.substr(eq + 1))});
    }
    return out;
}

std::string_view scheme_of(model::LbProtocol protocol) noexcept {
    return protocol == model::LbProtocol::Https || protocol == model::LbProtocol::Tls ? "HTTPS"
                                                                                      : "HTTP";
}

}  // namespace vpcstack::lb
