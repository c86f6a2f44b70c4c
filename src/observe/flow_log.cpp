// Flow log records from trace records: where a packet met an interface, and what the cloud's
// record says about it. The file writer is in flow_log_files.cpp.
#include "vpcstack/observe/flow_log.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>

#include "vpcstack/model/cloud_rules.hpp"
#include "vpcstack/model/resource_ids.hpp"
#include "vpcstack/net/tcp.hpp"

namespace vpcstack::observe {

namespace {

struct FieldInfo {
    FlowLogField field;
    std::string_view name;
    int version;
};

// AWS: flow-logs "Available fields", in the table's order (the default format is its version-2
// part, in this order).
constexpr std::array<FieldInfo, 40> kFields{{
    {FlowLogField::Version, "version", 2},
    {FlowLogField::AccountId, "account-id", 2},
    {FlowLogField::InterfaceId, "interface-id", 2},
    {FlowLogField::Srcaddr, "srcaddr", 2},
    {FlowLogField::Dstaddr, "dstaddr", 2},
    {FlowLogField::Srcport, "srcport", 2},
    {FlowLogField::Dstport, "dstport", 2},
    {FlowLogField::Protocol, "protocol", 2},
    {FlowLogField::Packets, "packets", 2},
    {FlowLogField::Bytes, "bytes", 2},
    {FlowLogField::Start, "start", 2},
    {FlowLogField::End, "end", 2},
    {FlowLogField::Action, "action", 2},
    {FlowLogField::LogStatus, "log-status", 2},
    {FlowLogField::VpcId, "vpc-id", 3},
    {FlowLogField::SubnetId, "subnet-id", 3},
    {FlowLogField::InstanceId, "instance-id", 3},
    {FlowLogField::TcpFlags, "tcp-flags", 3},
    {FlowLogField::Type, "type", 3},
    {FlowLogField::PktSrcaddr, "pkt-srcaddr", 3},
    {FlowLogField::PktDstaddr, "pkt-dstaddr", 3},
    {FlowLogField::Region, "region", 4},
    {FlowLogField::AzId, "az-id", 4},
    {FlowLogField::SublocationType, "sublocation-type", 4},
    {FlowLogField::SublocationId, "sublocation-id", 4},
    {FlowLogField::PktSrcAwsService, "pkt-src-aws-service", 5},
    {FlowLogField::PktDstAwsService, "pkt-dst-aws-service", 5},
    {FlowLogField::FlowDirection, "flow-direction", 5},
    {FlowLogField::TrafficPath, "traffic-path", 5},
    {FlowLogField::EcsClusterArn, "ecs-cluster-arn", 7},
    {FlowLogField::EcsClusterName, "ecs-cluster-name", 7},
    {FlowLogField::EcsContainerInstanceArn, "ecs-container-instance-arn", 7},
    {FlowLogField::EcsContainerInstanceId, "ecs-container-instance-id", 7},
    {FlowLogField::EcsContainerId, "ecs-container-id", 7},
    {FlowLogField::EcsSecondContainerId, "ecs-second-container-id", 7},
    {FlowLogField::EcsServiceName, "ecs-service-name", 7},
    {FlowLogField::EcsTaskDefinitionArn, "ecs-task-definition-arn", 7},
    {FlowLogField::EcsTaskArn, "ecs-task-arn", 7},
    {FlowLogField::EcsTaskId, "ecs-task-id", 7},
    {FlowLogField::RejectReason, "reject-reason", 8},
}};

const FieldInfo& info(FlowLogField f) {
    return kFields[static_cast<std::size_t>(f)];
}

// AWS: flow-logs "tcp-flags" — FIN 1, SYN 2, RST 4, and SYN-ACK 18: ACK is reported only with
// SYN (the examples' established data segments show 0, their FIN segments 1).
std::uint8_t cloud_tcp_flags(std::uint8_t flags) noexcept {
    std::uint8_t out = flags & (net::tcp::kFin | net::tcp::kSyn | net::tcp::kRst);
    if ((flags & net::tcp::kSyn) != 0 && (flags & net::tcp::kAck) != 0) out |= net::tcp::kAck;
    return out;
}

// AWS: flow-logs "traffic-path" — the path egress traffic takes.
constexpr std::uint8_t kPathSameVpc = 1;
constexpr std::uint8_t kPathIntraRegionPeering = 4;
constexpr std::uint8_t kPathInterRegionPeering = 5;
constexpr std::uint8_t kPathInternetGateway = 8;  // as Nitro instances report it

// "us-east-1" -> "use1", "ap-southeast-2" -> "apse2": the prefix of the cloud's zone ids.
std::string region_code(std::string_view region) {
    std::string out;
    std::size_t pos = 0;
    bool first = true;
    while (pos <= region.size()) {
        std::size_t dash = region.find('-', pos);
        std::string_view part =
            region.substr(pos, dash == std::string_view::npos ? dash : dash - pos);
        if (first) {
            out += part;
        } else if (!part.empty() && (part[0] >= '0' && part[0] <= '9')) {
            out += part;
        } else {
            for (std::string_view dir : {"north", "south", "east", "west", "central"}) {
                if (part.starts_with(dir)) {
                    out += dir[0];
                    part.remove_prefix(dir.size());
                }
            }
            if (!part.empty()) out += part[0];
        }
        first = false;
        if (dash == std::string_view::npos) break;
        pos = dash + 1;
    }
    return out;
}

// The zone id of a zone name: the cloud maps names to ids per account; here the zone's letter
// gives its number ("us-east-1a" -> "use1-az1").
std::string az_id_of(std::string_view zone, std::string_view region) {
    if (zone.empty() || zone.size() <= region.size() || !zone.starts_with(region)) return "-";
    char letter = zone.back();
    if (letter < 'a' || letter > 'z') return "-";
    return fmt::format("{}-az{}", region_code(region), letter - 'a' + 1);
}

// Windows licence activation (AWS: EC2 Windows activation, the KMS addresses).
constexpr net::Ipv4Address kWindowsActivation1{169, 254, 169, 250};
constexpr net::Ipv4Address kWindowsActivation2{169, 254, 169, 251};
constexpr std::uint16_t kDhcpServer = 67;
constexpr std::uint16_t kDhcpClient = 68;

}  // namespace

std::string_view field_name(FlowLogField field) noexcept {
    return info(field).name;
}

int field_version(FlowLogField field) noexcept {
    return info(field).version;
}

FlowLogFormat::FlowLogFormat() {
    for (const FieldInfo& f : kFields) {
        if (f.version == 2) fields_.push_back(f.field);
    }
}

std::optional<FlowLogFormat> FlowLogFormat::parse(std::string_view text, std::string& error) {
    FlowLogFormat format;
    format.fields_.clear();
    format.version_ = 0;
    std::size_t pos = 0;
    int position = 0;
    while (pos < text.size()) {
        if (text[pos] == ' ') {
            ++pos;
            continue;
        }
        std::size_t end = text.find(' ', pos);
        std::string_view token = text.substr(pos, end == std::string_view::npos ? end : end - pos);
        ++position;
        if (!token.starts_with("${") || !token.ends_with("}") || token.size() < 4) {
            error = fmt::format("field {} '{}' is not of the form ${{field}} (e.g. ${{srcaddr}})",
                                position, token);
            return std::nullopt;
        }
        std::string_view name = token.substr(2, token.size() - 3);
        auto it = std::find_if(kFields.begin(), kFields.end(),
                               [&](const FieldInfo& f) { return f.name == name; });
        if (it == kFields.end()) {
            error = fmt::format(
                "field {} '${{{}}}' is not a flow log field; expected one of version, account-id, "
                "interface-id, srcaddr, dstaddr, srcport, dstport, protocol, packets, bytes, "
                "start, "
                "end, action, log-status, vpc-id, subnet-id, instance-id, tcp-flags, type, "
                "pkt-srcaddr, pkt-dstaddr, region, az-id, sublocation-type, sublocation-id, "
                "pkt-src-aws-service, pkt-dst-aws-service, flow-direction, traffic-path, ecs-*, "
                "reject-reason",
                position, name);
            return std::nullopt;
        }
        format.fields_.push_back(it->field);
        format.version_ = std::max(format.version_, it->version);
        if (end == std::string_view::npos) break;
        pos = end + 1;
    }
    if (format.fields_.empty()) {
        error = "the format names no field; expected at least one, e.g. '${srcaddr} ${dstaddr}'";
        return std::nullopt;
    }
    return format;
}

std::string FlowLogFormat::header() const {
    std::string out;
    for (FlowLogField f : fields_) {
        if (!out.empty()) out += ' ';
        out += field_name(f);
    }
    return out;
}

std::optional<FlowLogOptions> FlowLogSettings::options(std::string& error) const {
    FlowLogOptions o;
    o.account = account;
    o.region = region;
    o.interval_seconds = static_cast<std::uint32_t>(interval);
    if (!format.empty()) {
        std::string why;
        std::optional<FlowLogFormat> parsed = FlowLogFormat::parse(format, why);
        if (!parsed) {
            error = "--flow-log-format: " + why;
            return std::nullopt;
        }
        o.format = *parsed;
    }
    if (error = o.check(); !error.empty()) return std::nullopt;
    return o;
}

std::string FlowLogOptions::check() const {
    if (interval_seconds != 60 && interval_seconds != 600) {
        return fmt::format("--flow-log-interval: {} s; expected 60 or 600", interval_seconds);
    }
    if (account.size() != 12 ||
        !std::all_of(account.begin(), account.end(), [](char c) { return c >= '0' && c <= '9'; })) {
        return fmt::format("--flow-log-account: '{}'; expected 12 digits", account);
    }
    if (region.empty()) return "--flow-log-region: empty; expected a region such as us-east-1";
    return "";
}

// One packet at one interface, as its record sees it.
struct FlowLogCollector::Seen {
    std::uint32_t interface = 0;
    FlowDirection direction = FlowDirection::Ingress;
    net::FiveTuple tuple;  // the packet as it was at the interface
    bool accept = true;
    std::optional<std::uint8_t> traffic_path;
};

std::size_t FlowLogCollector::FlowHash::operator()(const FlowLogFlow& k) const noexcept {
    std::uint64_t h = k.interface;
    h = h * 31 + static_cast<std::uint64_t>(k.direction);
    h = h * 1000003 + k.srcaddr.value();
    h = h * 1000003 + k.dstaddr.value();
    h = h * 1000003 + k.pkt_srcaddr.value();
    h = h * 1000003 + k.pkt_dstaddr.value();
    h = h * 65537 + k.srcport;
    h = h * 65537 + k.dstport;
    h = h * 257 + k.protocol;
    return static_cast<std::size_t>(h * 2 + (k.accept ? 1 : 0));
}

FlowLogCollector::FlowLogCollector(const model::Topology& topology, FlowLogOptions options)
    : topology_(topology), components_(topology), options_(std::move(options)) {
    account_ = options_.account;
    region_ = topology.region.empty() ? options_.region : topology.region;
    if (!topology.vpcs.empty() && !topology.vpcs.front().account.empty()) {
        account_ = topology.vpcs.front().account;
    }
    if (options_.flow_log_id.empty()) {
        options_.flow_log_id =
            model::derived_id("fl-", topology.file.empty() ? "vpcstack" : topology.file);
    }
    for (net::Ipv4Address a :
         {model::cloud::kMetadataAddress, model::cloud::kTimeSyncAddress,
          model::cloud::kLinkLocalDnsAddress, kWindowsActivation1, kWindowsActivation2}) {
        unlogged_addresses_.insert(a.value());
    }
    for (const model::Vpc& v : topology.vpcs) {
        if (!v.cidrs.empty()) {
            unlogged_addresses_.insert(model::cloud::resolver_address(v.cidrs.front()).value());
        }
    }
    for (const model::Subnet& s : topology.subnets) {
        unlogged_addresses_.insert((s.cidr.network() + 1).value());  // the subnet's router
        unlogged_addresses_.insert(model::cloud::resolver_address(s.cidr).value());
    }
    auto vpc_fields = [&](FlowLogInterface& i, model::Index vpc_index, model::Index subnet) {
        const model::Vpc& vpc = topology.vpcs[vpc_index];
        i.account = vpc.account.empty() ? options_.account : vpc.account;
        i.vpc_id = model::vpc_id(topology, vpc_index);
        const model::Subnet& s = topology.subnets[subnet];
        i.subnet_id = model::subnet_id(topology, subnet);
        i.region = vpc.region.empty() ? region_ : vpc.region;
        i.az_id = az_id_of(s.availability_zone, i.region);
        i.subnet = subnet;
    };
    for (model::Index e = 0; e < topology.enis.size(); ++e) {
        const model::Eni& eni = topology.enis[e];
        FlowLogInterface i;
        i.kind = FlowLogInterface::Kind::Eni;
        i.index = e;
        i.name = components_[components_.eni(e)].name;
        i.id = model::eni_id(topology, e);
        vpc_fields(i, eni.vpc, eni.subnet);
        i.instance_id = "-";
        if (eni.instance != model::kNone) {
            const model::Instance& inst = topology.instances[eni.instance];
            i.instance_id = model::instance_id(topology, eni.instance);
            i.logged = inst.running;
        }
        i.primary_ip = eni.primary_ip();
        if (auto it = options_.interface_ids.find(i.name); it != options_.interface_ids.end()) {
            i.id = it->second;
        }
        interfaces_.push_back(std::move(i));
    }
    for (model::Index n = 0; n < topology.nat_gateways.size(); ++n) {
        const model::NatGateway& nat = topology.nat_gateways[n];
        FlowLogInterface i;
        i.kind = FlowLogInterface::Kind::NatGateway;
        i.index = n;
        i.name = components_[components_.nat_gateway(n)].name;
        i.id = model::derived_id("eni-", nat.meta.id.empty() ? i.name : nat.meta.id);
        if (auto it = options_.interface_ids.find(i.name); it != options_.interface_ids.end()) {
            i.id = it->second;
        }
        vpc_fields(i, nat.vpc, nat.subnet);
        i.instance_id = "-";  // AWS: a requester-managed interface has no instance
        i.primary_ip = nat.private_ip;
        interfaces_.push_back(std::move(i));
    }
    window_ = unix_seconds(options_.start_ns) / options_.interval_seconds;
}

std::int64_t FlowLogCollector::unix_seconds(engine::TimeNs t) const noexcept {
    std::int64_t ns = options_.epoch_ns + static_cast<std::int64_t>(t);
    return ns >= 0 ? ns / 1'000'000'000 : -((-ns + 999'999'999) / 1'000'000'000);
}

// The interface a packet entering `subnet` for `dst` meets: the ENI there holding the address,
// else a NAT gateway there (its own address, or traffic routed through it).
std::optional<std::uint32_t> FlowLogCollector::interface_in(model::Index subnet,
                                                            net::Ipv4Address dst) const {
    if (subnet == model::kNone) return std::nullopt;
    for (model::Index e : topology_.subnets[subnet].enis) {
        for (net::Ipv4Address ip : topology_.enis[e].private_ips) {
            if (ip == dst) return e;
        }
    }
    std::optional<std::uint32_t> nat;
    for (model::Index n = 0; n < topology_.nat_gateways.size(); ++n) {
        const model::NatGateway& g = topology_.nat_gateways[n];
        if (g.subnet != subnet) continue;
        auto at = static_cast<std::uint32_t>(topology_.enis.size() + n);
        if (g.private_ip == dst) return at;
        if (!nat) nat = at;
    }
    return nat;
}

bool FlowLogCollector::never_logged(const net::FiveTuple& t) const {
    if (t.protocol == net::Protocol::kUdp &&
        (t.dst_port == kDhcpServer || t.dst_port == kDhcpClient)) {
        return true;
    }
    return unlogged_addresses_.contains(t.src.value()) ||
           unlogged_addresses_.contains(t.dst.value());
}

void FlowLogCollector::observe(const engine::PacketTrace& trace) {
    if (trace.packet.kind != engine::PacketFacts::Kind::Ipv4) return;
    const std::int64_t now = unix_seconds(trace.time);
    const std::int64_t window = now / static_cast<std::int64_t>(options_.interval_seconds);
    if (window_ < 0) window_ = window;
    while (window_ < window) {  // traffic of a later window: the earlier ones are closed
        close_window(parked_);
        ++window_;
    }
    if (never_logged(trace.packet.tuple)) {
        ++not_logged_;
        return;
    }

    using engine::ComponentKind;
    const std::uint32_t eni_count = static_cast<std::uint32_t>(topology_.enis.size());
    net::FiveTuple cur = trace.packet.tuple;
    std::vector<Seen> seen;
    // The egress observation still open to its interface's verdict (security group, ACL out).
    std::optional<std::size_t> egress;
    model::Index egress_subnet = model::kNone;
    model::Index egress_eni = model::kNone;
    bool left = false;  // the open egress observation's packet was routed on
    auto ingress_at = [&](std::uint32_t iface) -> Seen& {
        for (Seen& s : seen) {
            if (s.interface == iface && s.direction == FlowDirection::Ingress) return s;
        }
        return seen.emplace_back(Seen{iface, FlowDirection::Ingress, cur, true, {}});
    };
    auto set_path = [&](std::uint8_t path) {
        if (egress && !seen[*egress].traffic_path) seen[*egress].traffic_path = path;
    };
    if (trace.ingress < eni_count) {
        seen.push_back(Seen{trace.ingress, FlowDirection::Egress, cur, true, {}});
        egress = 0;
        egress_subnet = topology_.enis[trace.ingress].subnet;
        egress_eni = trace.ingress;
    }
    for (const engine::TraceStep& step : trace.steps) {
        const bool dropped = step.action == engine::Action::Drop;
        switch (step.kind) {
            case ComponentKind::SecurityGroup:
                if (egress && !left && step.eni == egress_eni) {
                    if (dropped) seen[*egress].accept = false;
                } else if (step.eni != model::kNone) {
                    set_path(kPathSameVpc);
                    Seen& s = ingress_at(step.eni);
                    if (dropped) s.accept = false;
                }
                break;
            case ComponentKind::NetworkAcl:
                if (step.rule.direction == policy::Direction::Outbound) {
                    if (egress && step.subnet == egress_subnet && dropped) {
                        seen[*egress].accept = false;
                    }
                } else if (dropped) {
                    // Allowed, the next stage names the interface (security group, NAT gateway,
                    // delivery); denied, the subnet and the address say whose it was.
                    if (auto iface = interface_in(step.subnet, cur.dst)) {
                        set_path(kPathSameVpc);
                        ingress_at(*iface).accept = false;
                    }
                }
                break;
            case ComponentKind::RouteTable:
                left = true;
                break;
            case ComponentKind::VpcRouter:
                left = true;
                if (step.note == engine::Note::SameSubnet) set_path(kPathSameVpc);
                break;
            case ComponentKind::InternetGateway:
                set_path(kPathInternetGateway);
                if (step.translation) {
                    if (step.translation->field == engine::Translation::Field::Source) {
                        cur.src = step.translation->after.address;
                    } else {
                        cur.dst = step.translation->after.address;
                    }
                }
                break;
            case ComponentKind::Peering: {
                const model::Peering& p = topology_.peerings[components_[step.component].index];
                const std::string& a = topology_.vpcs[p.requester].region;
                const std::string& b = topology_.vpcs[p.accepter].region;
                set_path(a == b ? kPathIntraRegionPeering : kPathInterRegionPeering);
                break;
            }
            case ComponentKind::NatGateway: {
                set_path(kPathSameVpc);
                const model::Index nat = components_[step.component].index;
                const std::uint32_t iface = eni_count + nat;
                ingress_at(iface);
                if (step.translation) {
                    const engine::Translation& t = *step.translation;
                    const bool icmp = t.protocol == net::Protocol::kIcmp;
                    if (t.field == engine::Translation::Field::Source) {
                        cur.src = t.after.address;
                        if (t.after.port) cur.src_port = *t.after.port;
                    } else {
                        cur.dst = t.after.address;
                        if (t.after.port) {
                            // ICMP: the query id, which the tuple keeps in src_port.
                            (icmp ? cur.src_port : cur.dst_port) = *t.after.port;
                        }
                    }
                    seen.push_back(Seen{iface, FlowDirection::Egress, cur, true, {}});
                    egress = seen.size() - 1;
                    egress_subnet = topology_.nat_gateways[nat].subnet;
                    egress_eni = model::kNone;
                    left = false;
                }
                break;
            }
            case ComponentKind::LoadBalancer:
                // The packet goes on with the addresses the load balancer gave it.
                if (step.translation) {
                    const engine::Translation& t = *step.translation;
                    const bool source = t.field == engine::Translation::Field::Source;
                    (source ? cur.src : cur.dst) = t.after.address;
                    if (t.after.port) (source ? cur.src_port : cur.dst_port) = *t.after.port;
                }
                break;
            case ComponentKind::Eni:
                if (step.action == engine::Action::Deliver) {
                    set_path(kPathSameVpc);
                    ingress_at(components_[step.component].index);
                }
                break;
            default:
                break;
        }
    }
    for (const Seen& s : seen) add(s, trace, now);
}

void FlowLogCollector::add(const Seen& s, const engine::PacketTrace& trace, std::int64_t now) {
    const FlowLogInterface& iface = interfaces_[s.interface];
    const bool egress = s.direction == FlowDirection::Egress;
    const bool ports =
        s.tuple.protocol == net::Protocol::kTcp || s.tuple.protocol == net::Protocol::kUdp;
    const FlowLogFlow flow{s.interface, s.direction, egress ? iface.primary_ip : s.tuple.src,
                           egress ? s.tuple.dst : iface.primary_ip, s.tuple.src, s.tuple.dst,
                           // AWS: ICMP records carry no ports (the examples show 0 0).
                           ports ? s.tuple.src_port : std::uint16_t{0},
                           ports ? s.tuple.dst_port : std::uint16_t{0}, s.tuple.protocol, s.accept};
    auto [it, inserted] = index_.try_emplace(flow, current_.size());
    if (inserted) {
        FlowLogRecord r;
        static_cast<FlowLogFlow&>(r) = flow;
        r.start = now;
        current_.push_back(r);
    }
    FlowLogRecord& r = current_[it->second];
    ++r.packets;
    r.bytes += trace.packet.ip_total_length;
    r.end = now;
    if (s.tuple.protocol == net::Protocol::kTcp) {
        r.tcp_flags |= cloud_tcp_flags(trace.packet.tcp_flags);
    }
    if (egress && !r.traffic_path) r.traffic_path = s.traffic_path;
}

void FlowLogCollector::close_window(std::vector<FlowLogRecord>& out) {
    if (window_ < 0) return;
    const std::int64_t interval = options_.interval_seconds;
    std::vector<bool> active(interfaces_.size(), false);
    for (const FlowLogRecord& r : current_) active[r.interface] = true;
    std::stable_sort(
        current_.begin(), current_.end(),
        [](const FlowLogRecord& a, const FlowLogRecord& b) { return a.interface < b.interface; });
    std::size_t i = 0;
    for (std::uint32_t n = 0; n < interfaces_.size(); ++n) {
        if (!active[n]) {
            if (!interfaces_[n].logged) continue;
            FlowLogRecord r;
            r.interface = n;
            r.nodata = true;
            r.start = window_ * interval;
            r.end = window_ * interval + interval - 1;
            out.push_back(r);
            continue;
        }
        while (i < current_.size() && current_[i].interface == n) out.push_back(current_[i++]);
    }
    current_.clear();
    index_.clear();
}

std::vector<FlowLogRecord> FlowLogCollector::take_closed(engine::TimeNs now) {
    std::vector<FlowLogRecord> out = std::move(parked_);
    parked_.clear();
    const std::int64_t window = unix_seconds(now) / options_.interval_seconds;
    if (window_ < 0) window_ = window;
    while (window_ < window) {
        close_window(out);
        ++window_;
    }
    return out;
}

std::vector<FlowLogRecord> FlowLogCollector::take_all(engine::TimeNs now) {
    std::vector<FlowLogRecord> out = take_closed(now);
    close_window(out);
    ++window_;
    return out;
}

std::string FlowLogCollector::format(const FlowLogRecord& r) const {
    const FlowLogInterface& iface = interfaces_[r.interface];
    const int version = options_.format.version();
    std::string out;
    auto put = [&](const std::string& v) {
        if (!out.empty()) out += ' ';
        out += v;
    };
    const std::string dash = "-";
    const bool egress = r.direction == FlowDirection::Egress;
    for (FlowLogField f : options_.format.fields()) {
        using F = FlowLogField;
        // NODATA and SKIPDATA records carry only the interface and the window (AWS example:
        // "2 123456789010 eni-... - - - - - - - 1431280876 1431280934 - NODATA").
        const bool flow_field = f != F::Version && f != F::AccountId && f != F::InterfaceId &&
                                f != F::Start && f != F::End && f != F::LogStatus &&
                                f != F::VpcId && f != F::SubnetId && f != F::InstanceId &&
                                f != F::Region && f != F::AzId;
        if (r.nodata && flow_field) {
            put(dash);
            continue;
        }
        switch (f) {
            case F::Version:
                put(std::to_string(version));
                break;
            case F::AccountId:
                put(iface.account);
                break;
            case F::InterfaceId:
                put(iface.id);
                break;
            case F::Srcaddr:
                put(r.srcaddr.to_string());
                break;
            case F::Dstaddr:
                put(r.dstaddr.to_string());
                break;
            case F::Srcport:
                put(std::to_string(r.srcport));
                break;
            case F::Dstport:
                put(std::to_string(r.dstport));
                break;
            case F::Protocol:
                put(std::to_string(r.protocol));
                break;
            case F::Packets:
                put(std::to_string(r.packets));
                break;
            case F::Bytes:
                put(std::to_string(r.bytes));
                break;
            case F::Start:
                put(std::to_string(r.start));
                break;
            case F::End:
                put(std::to_string(r.end));
                break;
            case F::Action:
                put(r.accept ? "ACCEPT" : "REJECT");
                break;
            case F::LogStatus:
                put(r.nodata ? "NODATA" : "OK");
                break;
            case F::VpcId:
                put(iface.vpc_id);
                break;
            case F::SubnetId:
                put(iface.subnet_id);
                break;
            case F::InstanceId:
                put(iface.instance_id);
                break;
            case F::TcpFlags:
                put(std::to_string(r.tcp_flags));
                break;
            case F::Type:
                put("IPv4");
                break;
            case F::PktSrcaddr:
                put(r.pkt_srcaddr.to_string());
                break;
            case F::PktDstaddr:
                put(r.pkt_dstaddr.to_string());
                break;
            case F::Region:
                put(iface.region);
                break;
            case F::AzId:
                put(iface.az_id);
                break;
            case F::FlowDirection:
                put(egress ? "egress" : "ingress");
                break;
            case F::TrafficPath:
                // AWS: not given for ingress traffic.
                put(egress && r.traffic_path ? std::to_string(*r.traffic_path) : dash);
                break;
            default:  // sublocations, AWS service names, ECS, reject-reason: not modelled
                put(dash);
                break;
        }
    }
    return out;
}

}  // namespace vpcstack::observe
