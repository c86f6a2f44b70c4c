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

namespace {

std::optional<json> failed(std::string* error, std::string text) {
    if (error) *error = std::move(text);
    return std::nullopt;
}

// Connects to the lab's control socket and sends the request's line.
Fd send_request(std::string_view lab, const json& request, std::string* error) {
    const std::string path = control_socket_path(lab);
    Fd fd(::socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0));
    if (!fd.valid()) {
        failed(error, std::string("socket: ") + std::strerror(errno));
        return Fd();
    }
    sockaddr_un address{};
    address.sun_family = AF_UNIX;
    if (path.size() >= sizeof(address.sun_path)) {
        failed(error, path + ": path too long for a unix socket");
        return Fd();
    }
    std::memcpy(address.sun_path, path.c_str(), path.size() + 1);
    if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0) {
        failed(error, "cannot reach the engine of lab '" + std::string(lab) + "' at " + path +
                          ": " + std::strerror(errno));
        return Fd();
    }
    const std::string text = request.dump() + "\n";
    std::size_t sent = 0;
    while (sent < text.size()) {
        ssize_t n = ::send(fd.get(), text.data() + sent, text.size() - sent, MSG_NOSIGNAL);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            failed(error, std::string("send to engine: ") + std::strerror(errno));
            return Fd();
        }
        sent += static_cast<std::size_t>(n);
    }
    return fd;
}

// Reads until `done` says the reply is whole, the daemon closes, or the time is up.
bool receive_reply(std::string_view lab, int fd, std::string& reply,
                   std::chrono::milliseconds timeout, std::string* error,
                   bool (*done)(const std::string&)) {
    const auto deadline = std::chrono::steady_clock::now() + timeout;
    char buffer[65536];
    while (!done(reply)) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
            deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            failed(error, "the engine of lab '" + std::string(lab) + "' did not answer in time");
            return false;
        }
        pollfd p{fd, POLLIN, 0};
        int ready = ::poll(&p, 1, static_cast<int>(left.count()));
        if (ready <= 0) {
            continue;
        }
        ssize_t n = ::recv(fd, buffer, sizeof(buffer), 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            failed(error, std::string("receive from engine: ") + std::strerror(errno));
            return false;
        }
        if (n == 0) {
            break;
        }
        reply.append(buffer, static_cast<std::size_t>(n));
    }
    return true;
}

std::optional<json> parse_reply(const std::string& text, std::string* error) {
    try {
        return json::parse(text);
    } catch (const json::exception& e) {
        return failed(error, std::string("the engine's reply is not JSON: ") + e.what());
    }
}

}  // namespace

std::optional<json> control_request(std::string_view lab, const json& request, std::string* error,
                                    std::chrono::milliseconds timeout) {
    Fd fd = send_request(lab, request, error);
    if (!fd.valid()) return std::nullopt;
    ::shutdown(fd.get(), SHUT_WR);
    std::string reply;
    if (!receive_reply(lab, fd.get(), reply, timeout, error,
                       [](const std::string&) { return false; })) {
        return std::nullopt;
    }
    return parse_reply(reply, error);
}

std::optional<json> control_stream_request(std::string_view lab, const json& request, Fd& socket,
                                           std::vector<std::uint8_t>& rest, std::string* error,
                                           std::chrono::milliseconds timeout) {
    // The connection stays open both ways: the daemon ends the stream when it closes.
    Fd fd = send_request(lab, request, error);
    if (!fd.valid()) return std::nullopt;
    std::string reply;
    if (!receive_reply(lab, fd.get(), reply, timeout, error, [](const std::string& text) {
            return text.find('\n') != std::string::npos;
        })) {
        return std::nullopt;
    }
    const std::size_t line = reply.find('\n');
    auto parsed = parse_reply(reply.substr(0, line), error);
    if (!parsed) return std::nullopt;
    rest.clear();
    if (line != std::string::npos)
        rest.assign(reply.begin() + static_cast<std::ptrdiff_t>(line) + 1, reply.end());
    socket = std::move(fd);
    return parsed;
}

// The trace record crosses the control socket field by field, enums as their numbers: the
// daemon and the client are the same build. Nothing here is text for people.
namespace {

template <typename E>
std::underlying_type_t<E> num(E e) {
    return static_cast<std::underlying_type_t<E>>(e);
}

template <typename E>
E enum_from(const json& doc, const char* key, E fallback) {
    if (!doc.contains(key) || !doc[key].is_number_unsigned()) return fallback;
    return static_cast<E>(doc[key].get<std::underlying_type_t<E>>());
}

net::Ipv4Address address_from(const json& doc, const char* key) {
    return net::Ipv4Address(doc.value(key, std::uint32_t{0}));
}

net::MacAddress mac_from(const json& doc, const char* key) {
    return net::MacAddress::parse(doc.value(key, "")).value_or(net::MacAddress());
}

json endpoint_json(const engine::Endpoint& e) {
    json j = {{"address", e.address.value()}};
    if (e.port) j["port"] = *e.port;
    return j;
}

engine::Endpoint endpoint_from(const json& j) {
    engine::Endpoint e{address_from(j, "address"), std::nullopt};
    if (j.contains("port")) e.port = j.value("port", std::uint16_t{0});
    return e;
}

json tuple_json(const net::FiveTuple& t) {
    return {{"src", t.src.value()},
            {"dst", t.dst.value()},
            {"sport", t.src_port},
            {"dport", t.dst_port},
            {"protocol", t.protocol}};
}

net::FiveTuple tuple_from(const json& j) {
    return {address_from(j, "src"), address_from(j, "dst"), j.value("sport", std::uint16_t{0}),
            j.value("dport", std::uint16_t{0}), j.value("protocol", std::uint8_t{0})};
}

json optional_text(const std::optional<std::string>& text) {
    return text ? json(*text) : json(nullptr);
}

std::optional<std::string> optional_text_from(const json& doc, const char* key) {
    if (!doc.contains(key) || !doc[key].is_string()) return std::nullopt;
    return doc[key].get<std::string>();
}

// Why the resolver chose what it chose (dns::Explanation), step by step.
json explanation_json(const dns::Explanation& e) {
    json steps = json::array();
    for (const dns::Step& st : e.steps) {
        json skipped = json::array();
        for (const dns::SkippedRecordSet& k : st.skipped) {
            skipped.push_back({{"set_identifier", k.set_identifier},
                               {"reason", num(k.reason)},
                               {"health_check", optional_text(k.health_check)}});
        }
        json step{{"name", st.name},
                  {"type", num(st.type)},
                  {"zone", st.zone},
                  {"zone_id", st.zone_id},
                  {"zone_private", st.zone_private},
                  {"outcome", num(st.outcome)},
                  {"cname", st.cname},
                  {"policy", num(st.policy)},
                  {"chosen", st.chosen},
                  {"all_unhealthy", st.all_unhealthy},
                  {"skipped", skipped},
                  {"alias_target", optional_text(st.alias_target)},
                  {"wildcard", optional_text(st.wildcard)}};
        if (st.reason) step["reason"] = num(*st.reason);
        steps.push_back(std::move(step));
    }
    return {{"outcome", num(e.outcome)}, {"steps", steps}, {"left_view_name", e.left_view_name}};
}

dns::Explanation explanation_from(const json& j) {
    dns::Explanation e;
    e.outcome = enum_from(j, "outcome", dns::Outcome::Answered);
    e.left_view_name = j.value("left_view_name", "");
    for (const json& sj : j.value("steps", json::array())) {
        dns::Step st;
        st.name = sj.value("name", "");
        st.type = enum_from(sj, "type", dns::RrType::A);
        st.zone = sj.value("zone", "");
        st.zone_id = sj.value("zone_id", "");
        st.zone_private = sj.value("zone_private", false);
        st.outcome = enum_from(sj, "outcome", dns::Outcome::Answered);
        st.cname = sj.value("cname", false);
        st.policy = enum_from(sj, "policy", dns::PolicyKind::Simple);
        st.chosen = sj.value("chosen", std::vector<std::string>{});
        if (sj.contains("reason")) st.reason = enum_from(sj, "reason", dns::ChoiceReason::Only);
        st.all_unhealthy = sj.value("all_unhealthy", false);
        for (const json& k : sj.value("skipped", json::array())) {
            st.skipped.push_back({k.value("set_identifier", ""),
                                  enum_from(k, "reason", dns::SkipReason::Unhealthy),
                                  optional_text_from(k, "health_check")});
        }
        st.alias_target = optional_text_from(sj, "alias_target");
        st.wildcard = optional_text_from(sj, "wildcard");
        e.steps.push_back(std::move(st));
    }
    return e;
}

json step_json(const engine::TraceStep& s) {
    json j = {{"component", s.component},
              {"kind", num(s.kind)},
              {"action", num(s.action)},
              {"rule",
               {{"kind", num(s.rule.kind)},
                {"direction", num(s.rule.direction)},
                {"number", s.rule.number},
                {"text", s.rule.text}}},
              {"note", num(s.note)},
              {"args",
               {{"address", s.args.address.value()},
                {"mac", s.args.mac.to_string()},
                {"n", s.args.n},
                {"m", s.args.m},
                {"vpc", s.args.vpc},
                {"endpoint", endpoint_json(s.args.endpoint)},
                {"text", s.args.text}}}};
    if (s.translation) {
        const engine::Translation& t = *s.translation;
        j["translation"] = {{"field", num(t.field)},
                            {"protocol", t.protocol},
                            {"before", endpoint_json(t.before)},
                            {"after", endpoint_json(t.after)},
                            {"note", num(t.note)}};
    }
    if (s.conn) j["conn"] = num(*s.conn);
    if (s.drop) j["drop"] = num(*s.drop);
    if (s.dns) {
        // The question, the answer and why the resolver chose it.
        const engine::DnsExchange& x = *s.dns;
        json answers = json::array();
        for (const dns::Record& r : x.answers) {
            answers.push_back(
                {{"name", r.name}, {"type", num(r.type)}, {"ttl", r.ttl}, {"data", r.data}});
        }
        j["dns"] = {{"resolver", x.resolver.value()},
                    {"name", x.name},
                    {"type", num(x.type)},
                    {"rcode", num(x.rcode)},
                    {"truncated", x.truncated},
                    {"answers", answers},
                    {"explanation", explanation_json(x.explanation)},
                    {"error", x.error}};
    }
    return j;
}

engine::TraceStep step_from(const json& j) {
    engine::TraceStep s;
    s.component = j.value("component", engine::ComponentId{0});
    s.kind = enum_from(j, "kind", engine::ComponentKind::Internet);
    s.action = enum_from(j, "action", engine::Action::Drop);
    const json rule = j.value("rule", json::object());
    s.rule.kind = enum_from(rule, "kind", engine::RuleRef::Kind::None);
    s.rule.direction = enum_from(rule, "direction", policy::Direction::Inbound);
    s.rule.number = rule.value("number", std::uint16_t{0});
    s.rule.text = rule.value("text", "");
    s.note = enum_from(j, "note", engine::Note::None);
    const json args = j.value("args", json::object());
    s.args.address = address_from(args, "address");
    s.args.mac = mac_from(args, "mac");
    s.args.n = args.value("n", std::uint32_t{0});
    s.args.m = args.value("m", std::uint32_t{0});
    s.args.vpc = args.value("vpc", model::kNone);
    s.args.endpoint = endpoint_from(args.value("endpoint", json::object()));
    s.args.text = args.value("text", "");
    if (j.contains("translation")) {
        const json& t = j["translation"];
        s.translation = engine::Translation{
            enum_from(t, "field", engine::Translation::Field::Source),
            t.value("protocol", std::uint8_t{0}), endpoint_from(t.value("before", json::object())),
            endpoint_from(t.value("after", json::object())),
            enum_from(t, "note", engine::Translation::Note::None)};
    }
    if (j.contains("conn")) s.conn = enum_from(j, "conn", engine::ConnState::NewTracked);
    if (j.contains("drop")) s.drop = enum_from(j, "drop", engine::DropReason::Malformed);
    if (j.contains("dns")) {
        const json& d = j["dns"];
        auto x = std::make_shared<engine::DnsExchange>();
        x->resolver = address_from(d, "resolver");
        x->name = d.value("name", "");
        x->type = enum_from(d, "type", dns::RrType::A);
        x->rcode = enum_from(d, "rcode", dns::Rcode::NoError);
        x->truncated = d.value("truncated", false);
        for (const auto& a : d.value("answers", json::array())) {
            x->answers.push_back({a.value("name", ""), enum_from(a, "type", dns::RrType::A),
                                  a.value("ttl", std::uint32_t{0}), a.value("data", "")});
        }
        x->explanation = explanation_from(d.value("explanation", json::object()));
        x->error = d.value("error", "");
        s.dns = std::move(x);
    }
    return s;
}

json packet_json(const engine::PacketFacts& p) {
    return {{"kind", num(p.kind)},
            {"ether_type", p.ether_type},
            {"arp_op", p.arp_op},
            {"arp_sender_ip", p.arp_sender_ip.value()},
            {"arp_target_ip", p.arp_target_ip.value()},
            {"arp_sender_mac", p.arp_sender_mac.to_string()},
            {"tuple", tuple_json(p.tuple)},
            {"has_l4", p.has_l4},
            {"fragment", p.fragment},
            {"first_fragment", p.first_fragment},
            {"tcp_flags", p.tcp_flags},
            {"icmp_type", p.icmp_type},
            {"icmp_code", p.icmp_code},
            {"ip_total_length", p.ip_total_length}};
}

engine::PacketFacts packet_from(const json& j) {
    engine::PacketFacts p;
    p.kind = enum_from(j, "kind", engine::PacketFacts::Kind::Malformed);
    p.ether_type = j.value("ether_type", std::uint16_t{0});
    p.arp_op = j.value("arp_op", std::uint16_t{0});
    p.arp_sender_ip = address_from(j, "arp_sender_ip");
    p.arp_target_ip = address_from(j, "arp_target_ip");
    p.arp_sender_mac = mac_from(j, "arp_sender_mac");
    p.tuple = tuple_from(j.value("tuple", json::object()));
    p.has_l4 = j.value("has_l4", false);
    p.fragment = j.value("fragment", false);
    p.first_fragment = j.value("first_fragment", true);
    p.tcp_flags = j.value("tcp_flags", std::uint8_t{0});
    p.icmp_type = j.value("icmp_type", std::uint8_t{0});
    p.icmp_code = j.value("icmp_code", std::uint8_t{0});
    p.ip_total_length = j.value("ip_total_length", std::uint16_t{0});
    return p;
}

}  // namespace

json trace_to_json(const engine::PacketTrace& trace) {
    json steps = json::array();
    for (const auto& step : trace.steps) steps.push_back(step_json(step));
    json doc = {{"id", trace.id},
                {"time", trace.time},
                {"ingress", trace.ingress},
                {"packet", packet_json(trace.packet)},
                {"steps", std::move(steps)},
                {"fate", num(trace.fate)}};
    if (trace.drop) doc["drop"] = num(*trace.drop);
    if (trace.egress) doc["egress"] = *trace.egress;
    return doc;
}

engine::PacketTrace trace_from_json(const json& doc) {
    engine::PacketTrace trace;
    trace.id = doc.value("id", std::uint64_t{0});
    trace.time = doc.value("time", std::uint64_t{0});
    trace.ingress = doc.value("ingress", engine::PortId{0});
    trace.packet = packet_from(doc.value("packet", json::object()));
    for (const auto& s : doc.value("steps", json::array())) trace.steps.push_back(step_from(s));
    trace.fate = enum_from(doc, "fate", engine::Fate::Dropped);
    if (doc.contains("drop")) trace.drop = enum_from(doc, "drop", engine::DropReason::Malformed);
    if (doc.contains("egress")) trace.egress = doc.value("egress", engine::PortId{0});
    return trace;
}

}  // namespace vpcstack::live
