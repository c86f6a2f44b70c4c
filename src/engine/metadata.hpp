// The instance metadata service (IMDS) at http://169.254.169.254: what an instance learns about
// itself, answered by the engine to HTTP requests that stages/service_tcp.cpp gathers.
//
// AWS: instancedata-data-retrieval, configuring-instance-metadata-service,
// instancedata-data-categories —
// - IMDSv2: PUT /latest/api/token with X-aws-ec2-metadata-token-ttl-seconds (1 to 21600)
//   returns a session token, sent back in X-aws-ec2-metadata-token; the token is valid only on
//   the instance it was issued to, until its TTL ends (then 401). A PUT without the TTL header is
//   400; a PUT carrying X-Forwarded-For is 403 (the service refuses tokens to proxies). The
//   token's response leaves with the IP TTL of http_put_response_hop_limit, so it does not
//   travel further (a container behind a bridge on the instance is one hop more).
// - IMDSv1 (no token) is answered when http_tokens is optional and refused with 401 when it is
//   required; an invalid or expired token is 401 either way.
// - Only GET, HEAD and PUT (for the token) are served: other methods are 405.
// - A directory lists its entries one per line, sub-directories with a trailing '/'; a path
//   that does not exist is 404.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "dataplane.hpp"

namespace vpcstack::engine {

// The head of an HTTP/1.x request (RFC 9112) and its body, as read off a byte stream.
struct HttpRequestHead {
    std::string method;
    std::string target;  // origin-form: /latest/meta-data/
    std::string version;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
    // The value of a header (name compared without case); nullopt when absent.
    std::optional<std::string> header(std::string_view name) const;
    bool wants_close() const;  // Connection: close, or HTTP/1.0 without keep-alive
};

enum class HttpRead : std::uint8_t { Incomplete, Bad, Request };
struct HttpReadResult {
    HttpRead status = HttpRead::Incomplete;
    HttpRequestHead request;
    std::size_t consumed = 0;  // bytes of the stream the request used
    std::string error;         // what is wrong with a Bad one
};
// Takes the first request off the front of `stream`.
HttpReadResult read_http_request(std::span<const std::uint8_t> stream);

struct MetadataReply {
    std::string http;  // the whole response, status line to body
    std::uint8_t ttl = kReplyTtl;
    std::shared_ptr<MetadataExchange> exchange;
};
// The service's answer to a request from ENI `eni` at time `now`.
MetadataReply answer_metadata(Dataplane& dp, model::Index eni, const HttpRequestHead& request,
                              TimeNs now);
// The 400 answer to bytes that are no HTTP request.
MetadataReply metadata_bad_request(const std::string& why);

}  // namespace vpcstack::engine
