// The answers an Application Load Balancer gives by itself, without a target: a redirect and a
// fixed response. AWS: load-balancer-listeners (redirect actions, fixed-response actions).
//
// A redirect URL is protocol://host:port/path?query. Each part the action leaves unset keeps the
// request's, and each may reuse the request's parts through #{protocol}, #{host}, #{port},
// #{path} (without its leading '/') and #{query}: the unset parts are #{protocol}, #{host},
// #{port}, /#{path} and #{query}. The parts are not percent-encoded again.
#pragma once

#include <cstdint>
#include <string>

#include "vpcstack/lb/http_request.hpp"
#include "vpcstack/model/topology.hpp"

namespace vpcstack::lb {

struct RedirectResponse {
    std::uint16_t status = 301;  // 301 (permanent) or 302 (temporary)
    std::string location;        // the Location header
};

// `action` must be a redirect.
RedirectResponse render_redirect(const model::ListenerAction& action, const HttpRequest& request);

struct FixedResponse {
    std::uint16_t status = 200;  // 2XX, 4XX or 5XX
    std::string content_type;    // text/plain unless the action names another
    std::string body;
};

// `action` must be a fixed response.
FixedResponse render_fixed_response(const model::ListenerAction& action);

}  // namespace vpcstack::lb
