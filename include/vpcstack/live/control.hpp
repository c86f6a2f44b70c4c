// The engine daemon's control socket (/run/vpcstack/<lab>/control.sock): one JSON request per
// connection, one JSON reply. Requests:
//   {"op":"ping"}                      -> {"ok":true,"lab":...}           (readiness)
//   {"op":"status"}                    -> engine counters, drop reasons, ports, live counters
//   {"op":"trace","a":[ips],"b":[ips],"protocol":6,"sport":-1,"dport":80,"limit":20}
//                                      -> {"ok":true,"traces":[...]}, packets between the
//                                         address sets a and b, both directions, oldest first
//   {"op":"replace_security_group","topology":FILE,"group":NAME}
//                                      -> replaces the group's rules with those in FILE
// Every reply has "ok"; a failed request has "error" with a sentence.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>

#include "vpcstack/engine/trace.hpp"

namespace vpcstack::live {

// Sends one request; nothing (and `error` set) when the daemon cannot be reached or answers
// nothing within `timeout`.
std::optional<nlohmann::json> control_request(
    std::string_view lab, const nlohmann::json& request, std::string* error = nullptr,
    std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

// Packet traces cross the socket as JSON.
nlohmann::json trace_to_json(const engine::PacketTrace& trace);
engine::PacketTrace trace_from_json(const nlohmann::json& doc);

}  // namespace vpcstack::live
