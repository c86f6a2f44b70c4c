#include "vpcstack/lb/responses.hpp"

#include <array>
#include <cctype>
#include <utility>

#include "vpcstack/model/invariant.hpp"

namespace vpcstack::lb {
namespace {

// Replaces every #{name} of the request's parts in one pass, so a value that happens to contain
// "#{...}" is not expanded again.
std::string expand(std::string_view part,
                   const std::array<std::pair<std::string_view, std::string>, 5>& keywords) {
    std::string out;
    std::size_t i = 0;
    while (i < part.size()) {
        bool replaced = false;
        if (part[i] == '#') {
            for (const auto& [keyword, value] : keywords) {
                if (part.substr(i, keyword.size()) == keyword) {
                    out += value;
                    i += keyword.size();
                    replaced = true;
                    break;
                }
            }
        }
        if (!replaced) out.push_back(part[i++]);
    }
    return out;
}

std::string_view or_default(const std::string& set, std::string_view unset) {
    return set.empty() ? unset : std::string_view(set);
}

}  // namespace

RedirectResponse render_redirect(const model::ListenerAction& action, const HttpRequest& request) {
    VPCSTACK_ASSERT(action.kind == model::ActionKind::Redirect,
                    "a redirect is rendered from a redirect action");
    std::string_view path = request.path;
    if (!path.empty() && path.front() == '/') path.remove_prefix(1);
    const std::array<std::pair<std::string_view, std::string>, 5> keywords{{
        {"#{protocol}", std::string(scheme_of(request.listener_protocol))},
        {"#{host}", std::string(request.host_name())},
        {"#{port}", std::to_string(request.listener_port)},
        {"#{path}", std::string(path)},
        {"#{query}", request.query},
    }};
    std::string protocol = expand(or_default(action.redirect_protocol, "#{protocol}"), keywords);
    for (char& c : protocol) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    const std::string host = expand(or_default(action.redirect_host, "#{host}"), keywords);
    const std::string port = expand(or_default(action.redirect_port, "#{port}"), keywords);
    const std::string new_path = expand(or_default(action.redirect_path, "/#{path}"), keywords);
    const std::string query = expand(or_default(action.redirect_query, "#{query}"), keywords);

    RedirectResponse r;
    r.status = action.status_code == 302 ? 302 : 301;
    // The port is always written, a default one too, as the load balancer's Location does.
    r.location = protocol + "://" + host + ":" + port + new_path;
    if (!query.empty()) r.location += "?" + query;
    return r;
}

FixedResponse render_fixed_response(const model::ListenerAction& action) {
    VPCSTACK_ASSERT(action.kind == model::ActionKind::FixedResponse,
                    "a fixed response is rendered from a fixed-response action");
    FixedResponse r;
    r.status = action.status_code;
    r.content_type = action.content_type.empty() ? "text/plain" : action.content_type;
    r.body = action.message_body;
    return r;
}

}  // namespace vpcstack::lb
