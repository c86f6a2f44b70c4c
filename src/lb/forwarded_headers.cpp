#include "vpcstack/lb/forwarded_headers.hpp"

#include <algorithm>
#include <cctype>

namespace vpcstack::lb {

HttpRequest toward_target(const HttpRequest& request) {
    HttpRequest out = request;
    std::string forwarded_for;
    for (std::string_view value : request.header_values(kForwardedFor)) {
        if (!forwarded_for.empty()) forwarded_for += ", ";
        forwarded_for += value;
    }
    if (!forwarded_for.empty()) forwarded_for += ", ";
    forwarded_for += request.source.to_string();

    std::erase_if(out.headers, [](const HttpHeader& h) {
        return equals_ignoring_case(h.name, kForwardedFor) ||
               equals_ignoring_case(h.name, kForwardedProto) ||
               equals_ignoring_case(h.name, kForwardedPort);
    });
    std::string proto(scheme_of(request.listener_protocol));
    std::transform(proto.begin(), proto.end(), proto.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    out.headers.push_back({std::string(kForwardedFor), std::move(forwarded_for)});
    out.headers.push_back({std::string(kForwardedProto), std::move(proto)});
    out.headers.push_back({std::string(kForwardedPort), std::to_string(request.listener_port)});
    return out;
}

}  // namespace vpcstack::lb
