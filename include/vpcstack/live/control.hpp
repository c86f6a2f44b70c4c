// The engine daemon's control socket (/run/vpcstack/<lab>/control.sock): one JSON request per
// connection, one JSON reply (a capture's reply is followed by its stream). Requests:
//   {"op":"ping"}                      -> {"ok":true,"lab":...}           (readiness)
//   {"op":"status"}                    -> engine counters, drop reasons, ports, live counters
//   {"op":"trace","a":[ips],"b":[ips],"protocol":6,"sport":-1,"dport":80,"limit":20}
//                                      -> {"ok":true,"traces":[...]}, packets between the
//                                         address sets a and b, both directions, oldest first
//   {"op":"replace_security_group","topology":FILE,"group":NAME}
//                                      -> replaces the group's rules with those in FILE
//   {"op":"capture","points":[names],"filter":BPF,"drops_only":false}
//                                      -> the line {"ok":true}, then pcapng on the same
//                                         connection until the client closes it
//                                         (live/capture_stream.hpp); the status reply lists
//                                         open captures under "captures"
// Every reply has "ok"; a failed request has "error" with a sentence.
#pragma once

#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vpcstack/engine/trace.hpp"
#include "vpcstack/live/netns.hpp"

namespace vpcstack::live {

// Sends one request; nothing (and `error` set) when the daemon cannot be reached or answers
// nothing within `timeout`.
std::optional<nlohmann::json> control_request(
    std::string_view lab, const nlohmann::json& request, std::string* error = nullptr,
    std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

// Sends a request whose reply opens a stream (a capture): the reply's line, the connection
// left open in `socket` and the bytes read past the line in `rest`. Nothing (and `error` set)
// as control_request.
std::optional<nlohmann::json> control_stream_request(
    std::string_view lab, const nlohmann::json& request, Fd& socket,
    std::vector<std::uint8_t>& rest, std::string* error = nullptr,
    std::chrono::milliseconds timeout = std::chrono::milliseconds(5000));

// Packet traces cross the socket as JSON.
nlohmann::json trace_to_json(const engine::PacketTrace& trace);
engine::PacketTrace trace_from_json(const nlohmann::json& doc);

}  // namespace vpcstack::live
