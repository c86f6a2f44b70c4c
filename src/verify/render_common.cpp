#include "render_common.hpp"

#include <fmt/format.h>

#include <cstdint>

#include "vpcstack/render/table.hpp"

namespace vpcstack::verify::detail {
namespace {

// Ports of one protocol, "22,443,8000-8080" or "all".
std::string port_list(const ServiceSet& services, net::Protocol protocol) {
    std::string out;
    for (const ServiceRange& r : services.ranges()) {
        if (r.protocol != protocol) continue;
        if (!out.empty()) out += ',';
        if (r.first == 0 && r.last == 65535) {
            out += "all";
        } else if (r.first == r.last) {
            out += fmt::format("{}", r.first);
        } else {
            out += fmt::format("{}-{}", r.first, r.last);
        }
    }
    return out;
}

std::uint64_t size_of(const ServiceSet& services) {
    std::uint64_t n = 0;
    for (const ServiceRange& r : services.ranges()) {
        n += r.protocol.has_ports() ? std::uint64_t{r.last} - r.first + 1 : 1;
    }
    return n;
}

}  // namespace

std::string cell_summary(const ServiceSet& open) {
    if (open.empty()) return "—";
    if (open == all_services()) return "all";
    // tcp and udp first, as people read them; then ICMP echo and other protocols.
    std::string out;
    auto word = [&](const std::string& w) {
        if (!out.empty()) out += ' ';
        out += w;
    };
    for (net::Protocol p : {net::Protocol::tcp(), net::Protocol::udp()}) {
        std::string ports = port_list(open, p);
        if (!ports.empty()) word(p.to_string() + "/" + ports);
    }
    for (const ServiceRange& r : open.ranges()) {
        if (r.protocol.has_ports()) continue;
        word(r.protocol.number() == net::Protocol::kIcmp
                 ? std::string("icmp")
                 : fmt::format("proto {}", r.protocol.number()));
    }
    if (render::display_width(out) > kCellWidth) return fmt::format("{} svc", open.ranges().size());
    return out;
}

Coverage coverage(const ServiceSet& open) {
    if (open.empty()) return Coverage::None;
    std::uint64_t all = size_of(all_services());
    return size_of(open.intersect(all_services())) * 10 >= all * 9 ? Coverage::Most
                                                                   : Coverage::Partial;
}

std::string_view coverage_name(Coverage c) {
    switch (c) {
        case Coverage::None:
            return "none";
        case Coverage::Partial:
            return "partial";
        case Coverage::Most:
            return "most";
    }
    return "none";
}

std::string abbreviate(std::string_view text, std::size_t width) {
    if (render::display_width(text) <= width || width < 3) return std::string(text);
    // Split at code points, never inside a UTF-8 sequence.
    std::vector<std::string_view> points;
    for (std::size_t i = 0; i < text.size();) {
        std::size_t n = 1;
        while (i + n < text.size() && (static_cast<unsigned char>(text[i + n]) & 0xC0) == 0x80) ++n;
        points.push_back(text.substr(i, n));
        i += n;
    }
    std::size_t head = (width - 1) / 2 + (width - 1) % 2;
    std::size_t tail = width - 1 - head;
    std::string out;
    for (std::size_t i = 0; i < head; ++i) out += points[i];
    out += "…";
    for (std::size_t i = points.size() - tail; i < points.size(); ++i) out += points[i];
    return out;
}

std::string pair_title(const Reach& reach, const PairResult& pair) {
    const Place& from = reach.places[pair.from];
    const Place& to = reach.places[pair.to];
    std::string title = fmt::format("{} -> {}", from.name, to.name);
    if (!from.address.empty() || !to.address.empty()) {
        title += fmt::format(" ({} -> {})", from.address.empty() ? from.name : from.address,
                             to.address.empty() ? to.name : to.address);
    }
    return title;
}

Json ranges_json(const ServiceSet& services) {
    Json out = Json::array();
    for (const ServiceRange& r : services.ranges()) {
        out.push_back({{"protocol", r.protocol.to_string()},
                       {"first", r.first},
                       {"last", r.last},
                       {"text", r.to_string()}});
    }
    return out;
}

Json services_json(const ServiceSet& services) {
    Json out = Json::array();
    for (const ServiceRange& r : services.ranges()) out.push_back(r.to_string());
    return out;
}

Json witness_json(const Witness& w, std::string_view topology) {
    Json j = {{"from", w.from}, {"to", w.to}, {"protocol", w.protocol.to_string()}};
    j["dport"] = w.protocol.has_ports() ? Json(w.dport) : Json(nullptr);
    j["sport"] = w.protocol.has_ports() ? Json(w.sport) : Json(nullptr);
    j["command"] = w.command(topology);
    return j;
}

Json blocker_json(const Blocker& b) {
    // A blocker without a drop reason did not drop the packet: it sent it elsewhere.
    Json reason = b.reason ? Json(std::string(engine::name(*b.reason))) : Json(nullptr);
    Json reason_text =
        b.reason ? Json(std::string(engine::info(*b.reason).explanation)) : Json("not delivered");
    return {{"component", b.component},
            {"reason", std::move(reason)},
            {"reason_text", std::move(reason_text)},
            {"rule", b.rule},
            {"detail", b.detail},
            {"explanation", b.explanation},
            {"reply", b.reply},
            {"text", b.to_string()}};
}

Json blockers_json(const std::vector<Blocker>& blockers) {
    Json out = Json::array();
    for (const Blocker& b : blockers) out.push_back(blocker_json(b));
    return out;
}

Json place_json(const Place& p) {
    return {{"name", p.name},
            {"kind", p.kind == Place::Kind::Internet       ? "internet"
                     : p.kind == Place::Kind::LoadBalancer ? "load_balancer"
                                                           : "eni"},
            {"address", p.address},
            {"trace_name", p.trace_name}};
}

Json pair_json(const Reach& reach, const PairResult& pair) {
    Json witnesses = Json::array();
    for (const Witness& w : pair.open_witnesses)
        witnesses.push_back(witness_json(w, reach.topology));
    Json closed = Json::array();
    for (const Closed& c : pair.closed) {
        closed.push_back({{"services", services_json(c.services)},
                          {"ranges", ranges_json(c.services)},
                          {"blockers", blockers_json(c.blockers)},
                          {"witness", witness_json(c.witness, reach.topology)}});
    }
    return {{"from", reach.places[pair.from].name},
            {"to", reach.places[pair.to].name},
            {"summary", cell_summary(pair.open)},
            {"coverage", std::string(coverage_name(coverage(pair.open)))},
            {"open", services_json(pair.open)},
            {"open_ranges", ranges_json(pair.open)},
            {"open_witnesses", std::move(witnesses)},
            {"closed", std::move(closed)}};
}

}  // namespace vpcstack::verify::detail
