#include "vpcstack/live/control.hpp"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "vpcstack/live/lab_state.hpp"
#include "vpcstack/live/netns.hpp"

namespace vpcstack::live {

using nlohmann::json;

std::optional<json> control_request(std::string_view lab, const json& request, std::string* error,
                                    std::chrono::milliseconds timeout) {
    auto fail = [&](std::string text) -> std::optional<json> {
        if (error) {
            *error = std::move(text);
        }
        return std::nullopt;
    };
    const std::string path = control_socket_path(lab);
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.valid()) {
        return fail(std::string("socket: ") + std::strerror(errno));
    }
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof(address.sun_path)) {
        return fail(path + ": path too long for a unix socket");
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
        return fail("cannot reach the engine of lab '" + std::string(lab) + "' at " + path + ": " +
                    std::strerror(errno));
    }
    const std::string text = request.dump() + "\n";
    std::size_t sent = 0;
    while (sent < text.size()) {
        ssize_t n = ::send(fd.get(), text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return fail(std::string("send to engine: ") + std::strerror(errno));
        }
        sent += static_cast<std::size_t>(n);
    }
    ::shutdown(fd.get(), SHUT_WR);
    std::string reply;
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[65536];
    for (;;) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            return fail("the engine of lab '" + std::string(lab) + "' did not answer in time");
        }
        pollfd p{fd.get(), POLLIN, 0};
        int ready = ::poll(&p, 1, static_cast<int>(left.count()));
        if (ready < 0 && errno == EINTR) {
            continue;
        }
        if (ready <= 0) {
            continue;
        }
        ssize_t n = ::recv(fd.get(), buffer, sizeof(buffer), 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            return fail(std::string("receive from engine: ") + std::strerror(errno));
        }
        if (n == 0) {
            break;
        }
        reply.append(buffer, static_cast<std::size_t>(n));
    }
    try {
        return json::parse(reply);
    } catch (const json::exception& e) {
        return fail(std::string("the engine's reply is not JSON: ") + e.what());
    }
}

namespace {

std::optional<engine::DropReason> drop_from_name(const std::string& name) {
    for (const auto& info : engine::kDropReasons) {
        if (info.name == name) {
            return info.reason;
        }
    }
    return std::nullopt;
}

std::string_view fate_name(engine::Fate fate) {
    switch (fate) {
        case engine::Fate::Delivered:
            return "delivered";
        case engine::Fate::Dropped:
            return "dropped";
        case engine::Fate::Replied:
            return "replied";
    }
    return "dropped";
}

}  // namespace

json trace_to_json(const engine::PacketTrace& trace) {
    json steps = json::array();
    for (const auto& step : trace.steps) {
        json s = {{"component", step.component},
                  {"kind", step.kind},
                  {"action", step.action},
                  {"rule", step.rule},
                  {"detail", step.detail}};
        if (step.drop) {
            s["drop"] = std::string(engine::name(*step.drop));
        }
        steps.push_back(std::move(s));
    }
    json doc = {{"id", trace.id},
                {"time", trace.time},
                {"ingress", trace.ingress},
                {"src", trace.tuple.src.to_string()},
                {"dst", trace.tuple.dst.to_string()},
                {"sport", trace.tuple.src_port},
                {"dport", trace.tuple.dst_port},
                {"protocol", trace.tuple.protocol},
                {"summary", trace.summary},
                {"steps", std::move(steps)},
                {"fate", fate_name(trace.fate)}};
    if (trace.drop) {
        doc["drop"] = std::string(engine::name(*trace.drop));
    }
    if (trace.egress) {
        doc["egress"] = *trace.egress;
    }
    return doc;
}

engine::PacketTrace trace_from_json(const json& doc) {
    engine::PacketTrace trace;
    trace.id = doc.value("id", std::uint64_t{0});
    trace.time = doc.value("time", std::uint64_t{0});
    trace.ingress = doc.value("ingress", engine::PortId{0});
    trace.tuple.src = net::Ipv4Address::parse(doc.value("src", "")).value_or(net::Ipv4Address());
    trace.tuple.dst = net::Ipv4Address::parse(doc.value("dst", "")).value_or(net::Ipv4Address());
    trace.tuple.src_port = doc.value("sport", std::uint16_t{0});
    trace.tuple.dst_port = doc.value("dport", std::uint16_t{0});
    trace.tuple.protocol = doc.value("protocol", std::uint8_t{0});
    trace.summary = doc.value("summary", "");
    for (const auto& s : doc.value("steps", json::array())) {
        engine::TraceStep step;
        step.component = s.value("component", "");
        step.kind = s.value("kind", "");
        step.action = s.value("action", "");
        step.rule = s.value("rule", "");
        step.detail = s.value("detail", "");
        if (s.contains("drop")) {
            step.drop = drop_from_name(s.value("drop", ""));
        }
        trace.steps.push_back(std::move(step));
    }
    const std::string fate = doc.value("fate", "dropped");
    trace.fate = fate == "delivered" ? engine::Fate::Delivered
                 : fate == "replied" ? engine::Fate::Replied
                                     : engine::Fate::Dropped;
    if (doc.contains("drop")) {
        trace.drop = drop_from_name(doc.value("drop", ""));
    }
    if (doc.contains("egress")) {
        trace.egress = doc.value("egress", engine::PortId{0});
    }
    return trace;
}

}  // namespace vpcstack::live
