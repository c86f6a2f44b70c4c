// The headers an Application Load Balancer sets on a request on its way to a target.
// AWS: x-forwarded-headers —
// - X-Forwarded-For: the client's address (the connection's peer), appended to the value the
//   client sent, if any ("203.0.113.7, 198.51.100.7"); several such headers become one;
// - X-Forwarded-Proto: the listener's protocol, "http" or "https";
// - X-Forwarded-Port: the listener's port.
// The client's own X-Forwarded-Proto and X-Forwarded-Port are replaced.
#pragma once

#include "vpcstack/lb/http_request.hpp"

namespace vpcstack::lb {

inline constexpr std::string_view kForwardedFor = "X-Forwarded-For";
inline constexpr std::string_view kForwardedProto = "X-Forwarded-Proto";
inline constexpr std::string_view kForwardedPort = "X-Forwarded-Port";

// The request as the target receives it.
HttpRequest toward_target(const HttpRequest& request);

}  // namespace vpcstack::lb
