// Capture points by name, and the recorder that turns the engine's capture frames into pcapng.
#include <fmt/format.h>

#include <algorithm>
#include <stdexcept>

#include "vpcstack/engine/trace_format.hpp"
#include "vpcstack/observe/capture.hpp"

namespace vpcstack::observe {

using engine::CaptureKind;
using engine::CapturePoint;
using engine::CaptureSide;

namespace {

std::string_view side_name(CaptureSide side) {
    switch (side) {
        case CaptureSide::Inside:
            return "inside";
        case CaptureSide::Outside:
            return "outside";
        case CaptureSide::Whole:
            break;
    }
    return "";
}

// The component a point belongs to, as traces name it ("nat/nat-a"); subnets are not
// components of their own (their ACL is), so they are named here.
std::string component_name(const model::Topology& t, const engine::ComponentRegistry& components,
                           const CapturePoint& p) {
    switch (p.kind) {
        case CaptureKind::Eni:
            return components[components.eni(p.index)].name;
        case CaptureKind::Subnet:
            return "subnet/" + t.qualified_name(t.subnets[p.index].meta, t.subnets[p.index].vpc);
        case CaptureKind::InternetGateway:
            return components[components.internet_gateway(p.index)].name;
        case CaptureKind::NatGateway:
            return components[components.nat_gateway(p.index)].name;
        case CaptureKind::Peering:
            return components[components.peering(p.index)].name;
        case CaptureKind::Internet:
            break;
    }
    return "internet";
}

std::string point_name(const model::Topology& t, const engine::ComponentRegistry& components,
                       const CapturePoint& p) {
    std::string name = component_name(t, components, p);
    if (p.side != CaptureSide::Whole) name += fmt::format(" {}", side_name(p.side));
    return name;
}

std::string point_description(const model::Topology& t, const CapturePoint& p) {
    switch (p.kind) {
        case CaptureKind::Eni: {
            const model::Eni& e = t.enis[p.index];
            return fmt::format("ENI {} ({}), as its instance sees it", e.meta.name,
                               e.primary_ip().to_string());
        }
        case CaptureKind::Subnet:
            return fmt::format("boundary of subnet {} ({}): before its network ACL",
                               t.subnets[p.index].meta.name, t.subnets[p.index].cidr.to_string());
        case CaptureKind::InternetGateway:
            return p.side == CaptureSide::Inside
                       ? "internet gateway, VPC side (private addresses)"
                       : "internet gateway, internet side (public addresses)";
        case CaptureKind::NatGateway:
            return p.side == CaptureSide::Inside ? "NAT gateway, subnet side (before translation)"
                                                 : "NAT gateway, internet side (translated)";
        case CaptureKind::Peering:
            return "VPC peering connection";
        case CaptureKind::Internet:
            break;
    }
    return "the internet port";
}

bool has_sides(CaptureKind kind) {
    return kind == CaptureKind::InternetGateway || kind == CaptureKind::NatGateway;
}

}  // namespace

std::string capture_point_name(const model::Topology& topology, const CapturePoint& point) {
    const engine::ComponentRegistry components(topology);
    return point_name(topology, components, point);
}

std::vector<CapturePoint> all_capture_points(const model::Topology& t) {
    std::vector<CapturePoint> points;
    auto add = [&](CaptureKind kind, std::size_t n) {
        for (std::size_t i = 0; i < n; ++i) {
            const auto index = static_cast<model::Index>(i);
            if (has_sides(kind)) {
                points.push_back({kind, index, CaptureSide::Inside});
                points.push_back({kind, index, CaptureSide::Outside});
            } else {
                points.push_back({kind, index, CaptureSide::Whole});
            }
        }
    };
    add(CaptureKind::Eni, t.enis.size());
    add(CaptureKind::Subnet, t.subnets.size());
    add(CaptureKind::InternetGateway, t.internet_gateways.size());
    add(CaptureKind::NatGateway, t.nat_gateways.size());
    add(CaptureKind::Peering, t.peerings.size());
    points.push_back({CaptureKind::Internet, model::kNone, CaptureSide::Whole});
    return points;
}

std::vector<CapturePoint> parse_capture_point(const model::Topology& t, std::string_view text,
                                              std::string& error) {
    std::string wanted(text);
    // "nat/nat-a:outside" is "nat/nat-a outside".
    if (auto colon = wanted.rfind(':'); colon != std::string::npos) wanted[colon] = ' ';
    const engine::ComponentRegistry components(t);
    std::vector<CapturePoint> found;
    for (const CapturePoint& p : all_capture_points(t)) {
        if (point_name(t, components, p) == wanted || component_name(t, components, p) == wanted) {
            found.push_back(p);
        }
    }
    if (found.empty()) {  // an instance: its ENIs ("web", "eni/web")
        std::string_view instance = wanted;
        if (instance.starts_with("eni/")) instance.remove_prefix(4);
        for (const model::Instance& inst : t.instances) {
            if (inst.meta.name != instance) continue;
            for (model::Index e : inst.enis)
                found.push_back({CaptureKind::Eni, e, CaptureSide::Whole});
        }
    }
    if (found.empty()) {
        error = fmt::format(
            "no capture point \"{}\": name an instance (web), an ENI (eni/web/eth0), a subnet "
            "(subnet/public), a gateway and optionally its side (nat/nat-a, igw/main outside), a "
            "peering (peering/a-b) or the internet",
            text);
    }
    return found;
}

std::string capture_file_name(std::string_view point_name) {
    std::string file;
    for (char c : point_name) {
        const bool plain = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                           (c >= '0' && c <= '9') || c == '-' || c == '.';
        file += plain ? c : '_';
    }
    return file + ".pcapng";
}

CaptureRecorder::CaptureRecorder(const model::Topology& topology, CaptureOptions options,
                                 CaptureOutput out)
    : CaptureRecorder(topology, std::move(options), OpenOutput{}) {
    shared_ = std::make_unique<PcapngWriter>(std::move(out));
}

CaptureRecorder::CaptureRecorder(const model::Topology& topology, CaptureOptions options,
                                 OpenOutput open)
    : topology_(topology),
      components_(topology),
      options_(std::move(options)),
      open_(std::move(open)) {
    if (!options_.filter.empty()) filter_ = std::make_unique<PacketFilter>(options_.filter);
}

CaptureRecorder::~CaptureRecorder() = default;

bool CaptureRecorder::selected(const CapturePoint& point) const {
    if (options_.points.empty()) return true;
    return std::find(options_.points.begin(), options_.points.end(), point) !=
           options_.points.end();
}

CaptureRecorder::Output* CaptureRecorder::output_for(const CapturePoint& point) {
    for (auto& [p, out] : outputs_) {
        if (p == point) return &out;
    }
    const std::string name = point_name(topology_, components_, point);
    const std::string description = point_description(topology_, point);
    Output out;
    if (shared_) {
        out.interface = shared_->add_interface(name, description);
    } else {
        CaptureOutput sink = open_ ? open_(name) : CaptureOutput{};
        if (!sink) {
            open_failed_ = true;
            return nullptr;
        }
        out.writer = std::make_unique<PcapngWriter>(std::move(sink));
        out.interface = out.writer->add_interface(name, description);
    }
    outputs_.emplace_back(point, std::move(out));
    return &outputs_.back().second;
}

void CaptureRecorder::frame(const engine::CapturedFrame& f) {
    if (!selected(f.point)) return;
    if (filter_ && !filter_->matches(f.frame)) return;
    if (held_count_ == held_.size()) held_.emplace_back();
    Held& h = held_[held_count_++];  // reuses the buffers of earlier packets
    h.point = f.point;
    h.direction = f.direction;
    h.time = f.time;
    h.made_by_network = f.made_by_network;
    h.bytes.assign(f.frame.begin(), f.frame.end());
}

std::string CaptureRecorder::drop_comment(const engine::PacketTrace& trace) const {
    const engine::TraceStep* step = trace.drop_step();
    if (step == nullptr) {
        return trace.drop ? fmt::format("dropped [{}]", engine::name(*trace.drop)) : "dropped";
    }
    const engine::StepText text = engine::describe(*step, components_);
    std::string why = !text.rule.empty() ? text.rule : text.detail;
    const engine::DropReason reason = step->drop ? *step->drop : *trace.drop;
    if (why.empty()) return fmt::format("dropped at {} [{}]", text.component, engine::name(reason));
    return fmt::format("dropped at {}: {} [{}]", text.component, why, engine::name(reason));
}

void CaptureRecorder::finished(const engine::PacketTrace& trace) {
    const std::size_t n = held_count_;
    held_count_ = 0;
    const bool dropped = trace.fate == engine::Fate::Dropped;
    if (n == 0 || (options_.drops_only && !dropped)) return;
    // The drop's words go on the last frame of the packet itself (not on an answer the network
    // sent back for it).
    std::size_t last = n;
    if (dropped) {
        for (std::size_t i = n; i-- > 0;) {
            if (!held_[i].made_by_network) {
                last = i;
                break;
            }
        }
    }
    const std::string drop = dropped ? drop_comment(trace) : std::string();
    for (std::size_t i = 0; i < n; ++i) {
        const Held& h = held_[i];
        Output* out = output_for(h.point);
        if (out == nullptr) continue;
        PcapngWriter& writer = shared_ ? *shared_ : *out->writer;
        std::string comment;
        if (i == last) {
            comment = drop;
        } else if (h.made_by_network) {
            comment = fmt::format("sent by the network in answer to packet {}", trace.id);
        }
        // An answer is a packet of its own: it does not carry the id of the one it answers.
        const auto id = h.made_by_network ? std::nullopt : std::optional<std::uint64_t>(trace.id);
        writer.packet(out->interface, options_.epoch_ns + h.time, h.bytes, h.direction, id,
                      comment);
        ++written_;
    }
}

bool CaptureRecorder::ok() const noexcept {
    if (open_failed_) return false;
    if (shared_) return shared_->ok();
    return std::all_of(outputs_.begin(), outputs_.end(),
                       [](const auto& o) { return o.second.writer->ok(); });
}

}  // namespace vpcstack::observe
