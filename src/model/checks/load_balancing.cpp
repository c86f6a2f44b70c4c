// Load balancers, target groups, launch templates and Auto Scaling groups. AWS:
// elasticloadbalancing (application-load-balancers, network-load-balancers: subnets, listeners,
// listener rules, target groups, health checks, target group attributes) and autoscaling
// (launch templates, group sizes, vpc_zone_identifier, target group attachments).
//
// An Auto Scaling group's instances are launched here, at registration, as ordinary instances
// named GROUP-1, GROUP-2, ..., so that everything after the loader sees instances.
#include <algorithm>
#include <cctype>
#include <set>

#include "../build/builder.hpp"
#include "vpcstack/model/cloud_rules.hpp"
#include "vpcstack/model/validation.hpp"

namespace vpcstack::model::build {
namespace {

bool is_alb_protocol(LbProtocol p) {
    return p == LbProtocol::Http || p == LbProtocol::Https;
}

// AWS: load-balancer-listeners — which target group protocol a listener may forward to.
bool listener_may_forward(LbProtocol listener, LbProtocol group) {
    switch (listener) {
        case LbProtocol::Http:
        case LbProtocol::Https:
            return is_alb_protocol(group);
        case LbProtocol::Tcp:
            return group == LbProtocol::Tcp || group == LbProtocol::TcpUdp;
        case LbProtocol::Tls:
            return group == LbProtocol::Tcp || group == LbProtocol::Tls;
        case LbProtocol::Udp:
            return group == LbProtocol::Udp || group == LbProtocol::TcpUdp;
        case LbProtocol::TcpUdp:
            return group == LbProtocol::TcpUdp;
    }
    return false;
}

// AWS: target-group-register-targets — ip targets come from the VPC's CIDRs or from the
// private ranges (RFC 1918, and RFC 6598 shared address space); never a public address.
bool private_range(net::Ipv4Address a) {
    static const net::Cidr kRanges[] = {
        *net::Cidr::parse("10.0.0.0/8"), *net::Cidr::parse("172.16.0.0/12"),
        *net::Cidr::parse("192.168.0.0/16"), *net::Cidr::parse("100.64.0.0/10")};
    return std::any_of(std::begin(kRanges), std::end(kRanges),
                       [&](const net::Cidr& c) { return c.contains(a); });
}

// A health check matcher: HTTP codes, lists ("200,302") or ranges ("200-299") within
// [lo, hi]. AWS: ALB codes 200-499, NLB 200-599.
bool valid_matcher(const std::string& text, long lo, long hi) {
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t comma = text.find(',', start);
        std::string part =
            text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        std::size_t dash = part.find('-');
        auto number = [&](const std::string& x) -> long {
            if (x.size() != 3 || !std::all_of(x.begin(), x.end(), ::isdigit)) return -1;
            return std::stol(x);
        };
        long a = number(part.substr(0, dash));
        long b = dash == std::string::npos ? a : number(part.substr(dash + 1));
        if (a < lo || b > hi || a > b) return false;
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    return true;
}

// Whether a list key was written: its place differs from its resource's.
bool written_apart(const SourceLocation& key, const SourceLocation& item) {
    return key.line != item.line || key.column != item.column;
}

template <class T>
T value_or(const Field<long>& f, T fallback) {
    return f.has_value() ? static_cast<T>(*f) : fallback;
}

}  // namespace

void Builder::register_load_balancing(Index v, const RawVpc& raw) {
    const std::string in_vpc = fmt::format("within VPC '{}'", vpc_name(v));
    // Each resource gets its index, its VPC and its name in the VPC's table; its raw form is
    // kept for the passes that resolve its references.
    auto add = [&](const auto& raws, auto& resources, auto& kept, NameTable& names,
                   const char* noun) {
        for (const auto& r : raws) {
            const auto i = static_cast<Index>(resources.size());
            resources.emplace_back();
            resources.back().meta = meta_of(r.meta);
            resources.back().vpc = v;
            kept.push_back(&r);
            add_name(names, resources[i].meta, i, noun, in_vpc);
        }
    };
    add(raw.target_groups, t_.target_groups, raw_tgs_, scopes_[v].target_groups, "target group");
    add(raw.load_balancers, t_.load_balancers, raw_lbs_, scopes_[v].load_balancers,
        "load balancer");
    add(raw.launch_templates, t_.launch_templates, raw_lts_, scopes_[v].launch_templates,
        "launch template");
}

// After every VPC's resources have their names, so that VPC/NAME references resolve.
void Builder::launch_auto_scaling_groups() {
    for (Index i = 0; i < t_.launch_templates.size(); ++i) {
        LaunchTemplate& lt = t_.launch_templates[i];
        const RawLaunchTemplate& rt = *raw_lts_[i];
        const Subject s{"launch template", rt.meta.name, rt.meta.loc};
        for (const Field<std::string>& g : rt.security_groups) {
            Index group = resolve_in_vpc(&VpcScope::security_groups, "security group", *g, lt.vpc,
                                         g.loc, s, "'security_groups'");
            if (group != kNone && std::find(lt.security_groups.begin(), lt.security_groups.end(),
                                            group) == lt.security_groups.end()) {
                lt.security_groups.push_back(group);
            }
        }
        // AWS: using-eni, amazon-vpc-limits — 1 to 5 groups; the default group when none.
        if (rt.security_groups.size() > cloud::kMaxSecurityGroupsPerEni) {
            error(rt.security_groups_loc, s,
                  fmt::format("{} security groups; expected 1 to {} per network interface",
                              rt.security_groups.size(), cloud::kMaxSecurityGroupsPerEni));
        }
        if (rt.security_groups.empty()) {
            lt.security_groups.push_back(t_.vpcs[lt.vpc].default_security_group);
        }
        if (rt.user_data.has_value()) lt.user_data = *rt.user_data;
        lt.listen = rt.listen;
        lt.source_dest_check = rt.source_dest_check.value.value_or(true);
        if (rt.metadata_options) lt.metadata_options = metadata_options_of(*rt.metadata_options);
    }
    for (Index v = 0; v < raw_.vpcs.size(); ++v) {
        for (const RawAutoScalingGroup& ra : raw_.vpcs[v].auto_scaling_groups) {
            register_auto_scaling_group(v, ra);
        }
    }
}

// AWS: auto-scaling-groups, auto-scaling-benefits (instance distribution) — min <= desired <=
// max, desired defaulting to min; the group launches its desired capacity spread evenly over
// the availability zones of its subnets.
void Builder::register_auto_scaling_group(Index v, const RawAutoScalingGroup& ra) {
    const Index g = static_cast<Index>(t_.auto_scaling_groups.size());
    const Subject s{"Auto Scaling group", ra.meta.name, ra.meta.loc};
    AutoScalingGroup asg;
    asg.meta = meta_of(ra.meta);
    asg.vpc = v;
    bool ok = true;
    if (ra.launch_template.has_value()) {
        asg.launch_template =
            resolve_in_vpc(&VpcScope::launch_templates, "launch template", *ra.launch_template, v,
                           ra.launch_template.loc, s, "'launch_template'");
    }
    ok = ok && asg.launch_template != kNone;
    for (const Field<long>* f : {&ra.min_size, &ra.max_size, &ra.desired_capacity}) {
        if (f->has_value() && **f < 0) {
            error(f->loc, s, fmt::format("size {} is negative; expected 0 or more", **f));
            ok = false;
        }
    }
    ok = ok && ra.min_size.has_value() && ra.max_size.has_value() &&
         (!ra.desired_capacity.present || ra.desired_capacity.has_value());
    if (ok) {
        asg.min_size = static_cast<std::uint32_t>(*ra.min_size);
        asg.max_size = static_cast<std::uint32_t>(*ra.max_size);
        // A running lab's list: the instances in service count, draining ones do not.
        asg.desired_capacity = ra.launched
                                   ? static_cast<std::uint32_t>(std::count_if(
                                         ra.launched->begin(), ra.launched->end(),
                                         [](const LaunchedInstance& li) { return !li.draining; }))
                                   : value_or(ra.desired_capacity, asg.min_size);
        if (asg.min_size > asg.max_size) {
            error(ra.max_size.loc, s,
                  fmt::format("min_size {} is larger than max_size {}; expected min_size <= "
                              "max_size",
                              asg.min_size, asg.max_size));
            ok = false;
        } else if (asg.desired_capacity < asg.min_size || asg.desired_capacity > asg.max_size) {
            error(ra.desired_capacity.present ? ra.desired_capacity.loc : ra.meta.loc, s,
                  fmt::format("desired_capacity {} is outside min_size {} to max_size {}; "
                              "expected min_size <= desired_capacity <= max_size",
                              asg.desired_capacity, asg.min_size, asg.max_size));
            ok = false;
        }
    }
    std::vector<const Field<std::string>*> subnet_refs;
    for (const Field<std::string>& sn : ra.subnets) {
        Index subnet = resolve_in_vpc(&VpcScope::subnets, "subnet", *sn, v, sn.loc, s, "'subnets'");
        if (subnet == kNone) {
            ok = false;
        } else if (std::find(asg.subnets.begin(), asg.subnets.end(), subnet) == asg.subnets.end()) {
            asg.subnets.push_back(subnet);
            subnet_refs.push_back(&sn);
        }
    }
    if (ra.subnets.empty() && written_apart(ra.subnets_loc, ra.meta.loc)) {
        error(ra.subnets_loc, s, "'subnets' is empty; expected at least one subnet");
        ok = false;
    }
    std::vector<SourceLocation> group_refs;
    for (const Field<std::string>& tg : ra.target_groups) {
        Index group = resolve_in_vpc(&VpcScope::target_groups, "target group", *tg, v, tg.loc, s,
                                     "'target_groups'");
        if (group == kNone) continue;
        asg.target_groups.push_back(group);
        group_refs.push_back(tg.loc);
    }
    asg_group_refs_.push_back(std::move(group_refs));
    asg.health_check_type = ra.health_check_type.value.value_or(AsgHealthCheckType::Ec2);
    if (ra.health_check_grace_period.has_value() && *ra.health_check_grace_period < 0) {
        error(ra.health_check_grace_period.loc, s,
              fmt::format("'health_check_grace_period' is {}; expected 0 or more seconds",
                          *ra.health_check_grace_period));
    }
    // The console's default; a group made through the API without it has 0.
    asg.health_check_grace_period = value_or(ra.health_check_grace_period, 300u);
    t_.auto_scaling_groups.push_back(std::move(asg));
    raw_asgs_.push_back(&ra);
    add_name(scopes_[v].auto_scaling_groups, t_.auto_scaling_groups[g].meta, g,
             "Auto Scaling group", fmt::format("within VPC '{}'", vpc_name(v)));
    if (!ok || t_.auto_scaling_groups[g].subnets.empty()) return;

    // Zones in the order the group names them; instance k goes to zone k mod zones, and
    // through the zone's subnets in turn.
    const AutoScalingGroup& built = t_.auto_scaling_groups[g];
    std::vector<std::string> zones;
    std::vector<std::vector<std::size_t>> subnets_of_zone;
    for (std::size_t k = 0; k < built.subnets.size(); ++k) {
        const std::string& az = t_.subnets[built.subnets[k]].availability_zone;
        auto it = std::find(zones.begin(), zones.end(), az);
        if (it == zones.end()) {
            zones.push_back(az);
            subnets_of_zone.emplace_back();
            it = zones.end() - 1;
        }
        subnets_of_zone[static_cast<std::size_t>(it - zones.begin())].push_back(k);
    }
    // A running lab's own list (LoadOverrides::launched) says which instances the group runs and
    // where; the desired capacity is their number.
    struct Launch {
        std::string name;
        std::size_t subnet = 0;  // index into built.subnets
        bool draining = false;
    };
    std::vector<Launch> launches;
    if (ra.launched) {
        for (const LaunchedInstance& li : *ra.launched) {
            const auto it = std::find_if(built.subnets.begin(), built.subnets.end(), [&](Index sn) {
                return t_.subnets[sn].meta.name == li.subnet;
            });
            if (it == built.subnets.end()) {
                error(ra.meta.loc, s,
                      fmt::format("instance '{}' is launched in subnet '{}', which is not one of "
                                  "the group's; expected one of its subnets",
                                  li.name, li.subnet));
                continue;
            }
            launches.push_back(
                {li.name, static_cast<std::size_t>(it - built.subnets.begin()), li.draining});
        }
    } else {
        for (std::uint32_t n = 0; n < built.desired_capacity; ++n) {
            const std::vector<std::size_t>& in_zone = subnets_of_zone[n % zones.size()];
            launches.push_back({fmt::format("{}-{}", ra.meta.name, n + 1),
                                in_zone[(n / zones.size()) % in_zone.size()], false});
        }
    }
    const LaunchTemplate& lt = t_.launch_templates[built.launch_template];
    for (const Launch& launch : launches) {
        const std::size_t pick = launch.subnet;
        RawInstance& ri = launched_.emplace_back();
        ri.meta.name = launch.name;
        ri.meta.loc = ra.meta.loc;
        ri.listen = lt.listen;
        RawEni& eni = ri.enis.emplace_back();
        eni.meta.loc = ra.meta.loc;
        eni.subnet = {t_.subnets[built.subnets[pick]].meta.name, subnet_refs[pick]->loc, true};
        eni.source_dest_check = {lt.source_dest_check, ra.meta.loc, true};
        const Index i = register_instance(v, ri);
        t_.instances[i].auto_scaling_group = g;
        t_.instances[i].user_data = lt.user_data;
        t_.instances[i].metadata_options = lt.metadata_options;
        AutoScalingGroup& group = t_.auto_scaling_groups[g];
        (launch.draining ? group.draining : group.instances).push_back(i);
    }
}

void Builder::resolve_target_group(Index i) {
    TargetGroup& g = t_.target_groups[i];
    const RawTargetGroup& raw = *raw_tgs_[i];
    const Subject s{"target group", raw.meta.name, raw.meta.loc};
    g.target_type = raw.target_type.value.value_or(TargetType::Instance);
    g.protocol = raw.protocol.value.value_or(LbProtocol::Http);
    const bool alb = is_alb_protocol(g.protocol);
    if (raw.port.has_value()) {
        if (*raw.port < 1 || *raw.port > 65535) {
            error(raw.port.loc, s, fmt::format("'port' is {}; expected a port 1-65535", *raw.port));
        } else {
            g.port = static_cast<std::uint16_t>(*raw.port);
        }
    }
    // Health check. AWS: target-group-health-checks (ALB and NLB) — the defaults and ranges.
    const RawHealthCheck& rh = raw.health_check;
    HealthCheck& h = g.health_check;
    const LbProtocol default_check = alb ? g.protocol : LbProtocol::Tcp;
    h.protocol = rh.protocol.value.value_or(default_check);
    if (rh.protocol.has_value()) {
        const bool http = is_alb_protocol(h.protocol);
        // A refused protocol leaves the default, so that the rest is judged once.
        if (alb && !http) {
            error(rh.protocol.loc, s,
                  fmt::format("health check protocol {} for a {} target group; expected HTTP or "
                              "HTTPS",
                              to_string(h.protocol), to_string(g.protocol)));
            h.protocol = default_check;
        } else if (!alb && h.protocol != LbProtocol::Tcp && !http) {
            error(rh.protocol.loc, s,
                  fmt::format("health check protocol {}; expected TCP, HTTP or HTTPS",
                              to_string(h.protocol)));
            h.protocol = default_check;
        }
    }
    const bool http_check = is_alb_protocol(h.protocol);
    if (rh.port.has_value()) {
        if (*rh.port < 1 || *rh.port > 65535) {
            error(rh.port.loc, s,
                  fmt::format("health check 'port' is {}; expected traffic-port or a port "
                              "1-65535",
                              *rh.port));
        } else {
            h.port = static_cast<std::uint16_t>(*rh.port);
        }
    }
    if (http_check) {
        h.path = rh.path.has_value() ? *rh.path : "/";
        h.matcher = rh.matcher.has_value() ? *rh.matcher : (alb ? "200" : "200-399");
        if (!h.path.starts_with("/")) {
            error(rh.path.loc, s,
                  fmt::format("health check 'path' is '{}'; expected a path starting with /",
                              h.path));
        }
        const long top = alb ? 499 : 599;
        if (rh.matcher.has_value() && !valid_matcher(h.matcher, 200, top)) {
            error(rh.matcher.loc, s,
                  fmt::format("health check 'matcher' is '{}'; expected HTTP codes 200-{} as "
                              "CODE, CODE,CODE or FIRST-LAST",
                              h.matcher, top));
        }
    } else {
        for (const Field<std::string>* f : {&rh.path, &rh.matcher}) {
            if (f->present) {
                error(f->loc, s,
                      fmt::format("health check '{}' given for a {} check; expected it only "
                                  "with HTTP or HTTPS checks",
                                  f == &rh.path ? "path" : "matcher", to_string(h.protocol)));
            }
        }
    }
    h.timeout = alb ? 5 : (h.protocol == LbProtocol::Http ? 6 : 10);
    struct Range {
        const Field<long>* field;
        const char* key;
        long lo, hi;
        std::uint32_t* out;
    };
    bool ranges_ok = true;
    for (const Range& r :
         {Range{&rh.interval, "interval", 5, 300, &h.interval},
          Range{&rh.timeout, "timeout", 2, 120, &h.timeout},
          Range{&rh.healthy_threshold, "healthy_threshold", 2, 10, &h.healthy_threshold},
          Range{&rh.unhealthy_threshold, "unhealthy_threshold", 2, 10, &h.unhealthy_threshold}}) {
        if (!r.field->has_value()) continue;
        if (**r.field < r.lo || **r.field > r.hi) {
            error(r.field->loc, s,
                  fmt::format("health check '{}' is {}; expected {} to {}", r.key, **r.field, r.lo,
                              r.hi));
            ranges_ok = false;
            continue;
        }
        *r.out = static_cast<std::uint32_t>(**r.field);
    }
    if (ranges_ok && h.timeout >= h.interval) {
        error(rh.timeout.present ? rh.timeout.loc : rh.interval.loc, s,
              fmt::format("health check timeout {} s is not less than its interval {} s; "
                          "expected a timeout shorter than the interval",
                          h.timeout, h.interval));
    }
    // Attributes. AWS: load-balancer-target-groups (target group attributes).
    const bool udp = g.protocol == LbProtocol::Udp || g.protocol == LbProtocol::TcpUdp;
    g.preserve_client_ip = !alb && (g.target_type == TargetType::Instance || udp);
    if (raw.preserve_client_ip.has_value()) {
        if (alb) {
            error(raw.preserve_client_ip.loc, s,
                  fmt::format("'preserve_client_ip' on a {} target group; expected it only on "
                              "a Network Load Balancer's groups (an ALB connects to its targets "
                              "from its own nodes)",
                              to_string(g.protocol)));
        } else if (udp && !*raw.preserve_client_ip) {
            error(raw.preserve_client_ip.loc, s,
                  fmt::format("'preserve_client_ip' is false on a {} target group; expected "
                              "true (the cloud cannot turn it off for UDP and TCP_UDP)",
                              to_string(g.protocol)));
        } else {
            g.preserve_client_ip = *raw.preserve_client_ip;
        }
    }
    if (raw.stickiness.has_value()) {
        const StickinessKind kind = *raw.stickiness;
        const bool cookie = kind != StickinessKind::SourceIp;
        if (cookie != alb) {
            error(
                raw.stickiness.loc, s,
                fmt::format("stickiness type {} on a {} target group; expected {}", to_string(kind),
                            to_string(g.protocol), alb ? "lb_cookie or app_cookie" : "source_ip"));
        }
        g.stickiness.kind = kind;
        if (raw.stickiness_duration.has_value()) {
            if (!cookie) {
                error(raw.stickiness_duration.loc, s,
                      "stickiness 'duration' given with source_ip; expected it only with "
                      "lb_cookie or app_cookie");
            } else if (*raw.stickiness_duration < 1 || *raw.stickiness_duration > 604800) {
                error(raw.stickiness_duration.loc, s,
                      fmt::format("stickiness 'duration' is {}; expected 1 to 604800 seconds "
                                  "(7 days)",
                                  *raw.stickiness_duration));
            } else {
                g.stickiness.duration = static_cast<std::uint32_t>(*raw.stickiness_duration);
            }
        }
        if (kind == StickinessKind::AppCookie) {
            if (!raw.cookie_name.has_value() || raw.cookie_name->empty()) {
                error(raw.stickiness.loc, s,
                      "app_cookie stickiness without 'cookie_name'; expected the name of the "
                      "application's cookie");
            } else if (raw.cookie_name->starts_with("AWSALB")) {
                error(raw.cookie_name.loc, s,
                      fmt::format("'cookie_name' is '{}'; expected a name not starting with "
                                  "AWSALB (the load balancer's own cookies)",
                                  *raw.cookie_name));
            } else {
                g.stickiness.cookie_name = *raw.cookie_name;
            }
        } else if (raw.cookie_name.present) {
            error(raw.cookie_name.loc, s,
                  fmt::format("'cookie_name' given with stickiness type {}; expected it only "
                              "with app_cookie",
                              to_string(kind)));
        }
    }
    if (raw.deregistration_delay.has_value()) {
        if (*raw.deregistration_delay < 0 || *raw.deregistration_delay > 3600) {
            error(raw.deregistration_delay.loc, s,
                  fmt::format("'deregistration_delay' is {}; expected 0 to 3600 seconds",
                              *raw.deregistration_delay));
        } else {
            g.deregistration_delay = static_cast<std::uint32_t>(*raw.deregistration_delay);
        }
    }
    g.algorithm = raw.algorithm.value.value_or(LbAlgorithm::RoundRobin);
    if (g.algorithm == LbAlgorithm::LeastOutstandingRequests && !alb) {
        error(raw.algorithm.loc, s,
              fmt::format("algorithm least_outstanding_requests on a {} target group; expected "
                          "round_robin (only an ALB's groups choose their algorithm)",
                          to_string(g.protocol)));
    }
    // Targets.
    std::set<std::pair<std::uint64_t, std::uint16_t>> seen;
    for (const RawTarget& rt : raw.targets) {
        Target t;
        t.loc = rt.loc;
        if (rt.port.has_value()) {
            if (*rt.port < 1 || *rt.port > 65535) {
                error(rt.port.loc, s,
                      fmt::format("target 'port' is {}; expected a port 1-65535", *rt.port));
                continue;
            }
            t.port = static_cast<std::uint16_t>(*rt.port);
        }
        std::uint64_t key = 0;
        std::string shown;
        if (g.target_type == TargetType::Instance) {
            if (!rt.instance.has_value()) {
                error(rt.loc, s,
                      fmt::format("target {} is an address, but the group's target_type is "
                                  "instance; expected an instance name (or target_type: ip)",
                                  rt.ip.has_value() ? rt.ip->to_string() : "?"));
                continue;
            }
            t.instance = resolve_global(instance_names_, "instance", *rt.instance, rt.instance.loc,
                                        s, "'targets'");
            if (t.instance == kNone) continue;
            if (instance_vpc_[t.instance] != g.vpc) {
                error(rt.instance.loc, s,
                      fmt::format("target instance '{}' is in VPC '{}'; expected an instance of "
                                  "the target group's VPC '{}'",
                                  *rt.instance, vpc_name(instance_vpc_[t.instance]),
                                  vpc_name(g.vpc)));
                continue;
            }
            key = t.instance;
            shown = *rt.instance;
        } else {
            if (!rt.ip.has_value()) {
                error(rt.loc, s,
                      fmt::format("target '{}' is not an address, but the group's target_type "
                                  "is ip; expected an IPv4 address",
                                  rt.instance.has_value() ? *rt.instance : "?"));
                continue;
            }
            t.ip = *rt.ip;
            const auto& cidrs = t_.vpcs[g.vpc].cidrs;
            const bool in_vpc = std::any_of(cidrs.begin(), cidrs.end(),
                                            [&](const net::Cidr& c) { return c.contains(t.ip); });
            if (!in_vpc && !private_range(t.ip)) {
                error(rt.ip.loc, s,
                      fmt::format("ip target {} is a public address; expected an address of VPC "
                                  "'{}' ({}) or of the private ranges 10.0.0.0/8, "
                                  "172.16.0.0/12, 192.168.0.0/16, 100.64.0.0/10",
                                  t.ip.to_string(), vpc_name(g.vpc), join_cidrs(cidrs)));
                continue;
            }
            key = (std::uint64_t{1} << 32) | t.ip.value();
            shown = t.ip.to_string();
        }
        if (!seen.emplace(key, t.port.value_or(g.port)).second) {
            error(rt.loc, s,
                  fmt::format("target {} on port {} is registered twice; expected each target "
                              "and port once",
                              shown, t.port.value_or(g.port)));
            continue;
        }
        g.targets.push_back(t);
    }
}

std::optional<ListenerAction> Builder::resolve_action(const RawAction& raw, const LoadBalancer& lb,
                                                      const Subject& s, const std::string& what) {
    ListenerAction a;
    a.kind = raw.kind;
    a.loc = raw.loc;
    const bool alb = lb.type == LoadBalancerType::Application;
    bool ok = true;
    if (!alb && raw.kind != ActionKind::Forward) {
        error(raw.loc, s,
              fmt::format("{} is {}; expected forward (a Network Load Balancer only forwards)",
                          what, to_string(raw.kind)));
        return std::nullopt;
    }
    if (raw.kind == ActionKind::Forward) {
        if (!alb && raw.target_groups.size() > 1) {
            error(raw.loc, s,
                  fmt::format("{} forwards to {} target groups; expected one (weighted target "
                              "groups are an ALB's)",
                              what, raw.target_groups.size()));
            ok = false;
        }
        for (const RawWeightedGroup& w : raw.target_groups) {
            if (!w.name.has_value()) {
                ok = false;
                continue;
            }
            Index g = resolve_in_vpc(&VpcScope::target_groups, "target group", *w.name, lb.vpc,
                                     w.name.loc, s, what);
            if (g == kNone) {
                ok = false;
                continue;
            }
            std::uint32_t weight = 1;
            if (w.weight.has_value()) {
                if (*w.weight < 0 || *w.weight > 999) {
                    error(w.weight.loc, s,
                          fmt::format("weight {} of target group '{}'; expected 0 to 999",
                                      *w.weight, *w.name));
                    ok = false;
                } else {
                    weight = static_cast<std::uint32_t>(*w.weight);
                }
            }
            a.target_groups.push_back({g, weight});
        }
        if (raw.stickiness.has_value()) {
            if (*raw.stickiness < 1 || *raw.stickiness > 604800) {
                error(raw.stickiness.loc, s,
                      fmt::format("'stickiness' of {} is {}; expected 1 to 604800 seconds", what,
                                  *raw.stickiness));
                ok = false;
            } else {
                a.group_stickiness = static_cast<std::uint32_t>(*raw.stickiness);
            }
        }
    } else if (raw.kind == ActionKind::Redirect) {
        // AWS: load-balancer-listeners (redirect actions) — HTTP_301 or HTTP_302.
        a.status_code = value_or(raw.status, std::uint16_t{301});
        if (raw.status.has_value() && *raw.status != 301 && *raw.status != 302) {
            error(raw.status.loc, s,
                  fmt::format("redirect 'status' is {}; expected 301 or 302", *raw.status));
            ok = false;
        }
        if (raw.protocol.has_value() && *raw.protocol != "HTTP" && *raw.protocol != "HTTPS" &&
            *raw.protocol != "#{protocol}") {
            error(raw.protocol.loc, s,
                  fmt::format("redirect 'protocol' is '{}'; expected HTTP, HTTPS or #{{protocol}}",
                              *raw.protocol));
            ok = false;
        }
        auto text = [](const Field<std::string>& f) { return f.has_value() ? *f : std::string(); };
        a.redirect_protocol = text(raw.protocol);
        a.redirect_host = text(raw.host);
        a.redirect_port = text(raw.port);
        a.redirect_path = text(raw.path);
        a.redirect_query = text(raw.query);
    } else {
        // AWS: load-balancer-listeners (fixed-response actions) — 2XX, 4XX or 5XX.
        const long code = raw.status.has_value() ? *raw.status : 0;
        const long hundred = code / 100;
        if (code < 200 || code > 599 || hundred == 3) {
            if (raw.status.has_value()) {
                error(raw.status.loc, s,
                      fmt::format("fixed-response 'status' is {}; expected a code 2XX, 4XX or "
                                  "5XX",
                                  code));
            }
            ok = false;
        }
        a.status_code = static_cast<std::uint16_t>(code);
        a.content_type = raw.content_type.has_value() ? *raw.content_type : "text/plain";
        if (raw.body.has_value()) a.message_body = *raw.body;
    }
    if (!ok) return std::nullopt;
    return a;
}

void Builder::resolve_load_balancer(Index b) {
    LoadBalancer& lb = t_.load_balancers[b];
    const RawLoadBalancer& raw = *raw_lbs_[b];
    const Subject s{"load balancer", raw.meta.name, raw.meta.loc};
    lb.type = raw.type.value.value_or(LoadBalancerType::Application);
    lb.scheme = raw.scheme.value.value_or(LoadBalancerScheme::InternetFacing);
    const bool alb = lb.type == LoadBalancerType::Application;
    const bool public_facing = lb.scheme == LoadBalancerScheme::InternetFacing;
    if (!raw.type.has_value()) return;  // reported by the reader; nothing else is judged
    const std::string owner = fmt::format("load balancer '{}'", raw.meta.name);

    // Subnets. AWS: application-load-balancers, network-load-balancers (availability zones) —
    // one subnet per zone; an ALB spans at least two zones.
    std::map<std::string, std::string> subnet_of_zone;
    for (const RawLbSubnet& rs : raw.subnets) {
        if (!rs.subnet.has_value()) continue;
        LoadBalancerNode node;
        node.loc = rs.loc;
        node.subnet = resolve_in_vpc(&VpcScope::subnets, "subnet", *rs.subnet, lb.vpc,
                                     rs.subnet.loc, s, "'subnets'");
        if (node.subnet == kNone) continue;
        const Subnet& sn = t_.subnets[node.subnet];
        auto [it, fresh] = subnet_of_zone.emplace(sn.availability_zone, sn.meta.name);
        if (!fresh) {
            error(rs.subnet.loc, s,
                  fmt::format("subnet '{}' is in {}, as subnet '{}' is; expected one subnet per "
                              "availability zone",
                              sn.meta.name,
                              sn.availability_zone.empty() ? "the same zone" : sn.availability_zone,
                              it->second));
            continue;
        }
        if (rs.private_ip.has_value()) {
            node.private_ip = *rs.private_ip;
            if (subnet_ok_[node.subnet] &&
                check_address_in_subnet(*rs.private_ip, node.subnet, rs.private_ip.loc, s)) {
                claim_private_address(lb.vpc, *rs.private_ip, owner, rs.private_ip.loc, s);
            }
        }
        if (rs.elastic_ip.has_value()) {
            if (alb) {
                error(rs.elastic_ip.loc, s,
                      "'elastic_ip' on an Application Load Balancer; expected none (the cloud "
                      "assigns an ALB's public addresses; only an NLB takes Elastic IPs)");
            } else if (!public_facing) {
                error(rs.elastic_ip.loc, s,
                      "'elastic_ip' on an internal load balancer; expected Elastic IPs only on "
                      "an internet-facing one");
            } else {
                node.elastic_ip = resolve_global(eip_names_, "Elastic IP", *rs.elastic_ip,
                                                 rs.elastic_ip.loc, s, "'subnets'");
                if (node.elastic_ip != kNone) {
                    associate_elastic_ip(node.elastic_ip, owner, rs.elastic_ip.loc, s);
                    t_.elastic_ips[node.elastic_ip].target_kind = EipTargetKind::LoadBalancer;
                    t_.elastic_ips[node.elastic_ip].target = b;
                }
            }
        }
        lb.nodes.push_back(node);
    }
    if (alb && raw.subnets.size() < 2 && written_apart(raw.subnets_loc, raw.meta.loc)) {
        error(raw.subnets_loc, s,
              fmt::format("an Application Load Balancer with {} subnet; expected subnets in at "
                          "least two availability zones",
                          raw.subnets.size()));
    } else if (raw.subnets.empty() && written_apart(raw.subnets_loc, raw.meta.loc)) {
        error(raw.subnets_loc, s, "'subnets' is empty; expected at least one subnet");
    }

    // Security groups: required for an ALB, optional for an NLB.
    for (const Field<std::string>& g : raw.security_groups) {
        Index group = resolve_in_vpc(&VpcScope::security_groups, "security group", *g, lb.vpc,
                                     g.loc, s, "'security_groups'");
        if (group != kNone && std::find(lb.security_groups.begin(), lb.security_groups.end(),
                                        group) == lb.security_groups.end()) {
            lb.security_groups.push_back(group);
        }
    }
    if (alb && raw.security_groups.empty()) {
        error(raw.security_groups_loc, s,
              "an Application Load Balancer without security groups; expected 'security_groups' "
              "with 1 to 5 groups");
    }
    if (raw.security_groups.size() > cloud::kMaxSecurityGroupsPerEni) {
        error(raw.security_groups_loc, s,
              fmt::format("{} security groups; expected 1 to {}", raw.security_groups.size(),
                          cloud::kMaxSecurityGroupsPerEni));
    }
    // AWS: cross-zone load balancing is always on for an ALB and off by default for an NLB.
    lb.cross_zone = alb || raw.cross_zone.value.value_or(false);
    if (alb && raw.cross_zone.has_value() && !*raw.cross_zone) {
        error(raw.cross_zone.loc, s,
              "'cross_zone' is false on an Application Load Balancer; expected true or nothing "
              "(an ALB always balances across zones)");
    }

    // Listeners. AWS: load-balancer-listeners — ports 1-65535, one listener per port.
    std::map<long, int> port_line;
    for (const RawListener& rl : raw.listeners) {
        if (!rl.protocol.has_value() || !rl.port.has_value()) continue;
        Listener l;
        l.loc = rl.loc;
        l.protocol = *rl.protocol;
        const std::string what = fmt::format("listener {} {}", to_string(l.protocol), *rl.port);
        if (is_alb_protocol(l.protocol) != alb) {
            error(rl.protocol.loc, s,
                  fmt::format("{} on {} Load Balancer; expected {}", what,
                              alb ? "an Application" : "a Network",
                              alb ? "HTTP or HTTPS" : "TCP, UDP, TCP_UDP or TLS"));
            continue;
        }
        if (*rl.port < 1 || *rl.port > 65535) {
            error(rl.port.loc, s, fmt::format("{} has port {}; expected 1-65535", what, *rl.port));
            continue;
        }
        l.port = static_cast<std::uint16_t>(*rl.port);
        if (auto [it, fresh] = port_line.emplace(*rl.port, rl.loc.line); !fresh) {
            error(rl.port.loc, s,
                  fmt::format("{}: port {} already has a listener (line {}); expected one "
                              "listener per port",
                              what, *rl.port, it->second));
            continue;
        }
        const bool tls = l.protocol == LbProtocol::Tls || l.protocol == LbProtocol::Https;
        if (tls && (!rl.certificate.has_value() || rl.certificate->empty())) {
            error(rl.loc, s,
                  fmt::format("{} has no 'certificate'; expected the name of its certificate "
                              "(TLS and HTTPS listeners terminate TLS)",
                              what));
        } else if (!tls && rl.certificate.present) {
            error(rl.certificate.loc, s,
                  fmt::format("{} has a 'certificate'; expected one only on TLS and HTTPS "
                              "listeners",
                              what));
        } else if (tls) {
            l.certificate = *rl.certificate;
        }
        bool ok = true;
        auto check_protocols = [&](const ListenerAction& a, const std::string& where) {
            for (const WeightedTargetGroup& w : a.target_groups) {
                const TargetGroup& g = t_.target_groups[w.target_group];
                if (!listener_may_forward(l.protocol, g.protocol)) {
                    error(a.loc, s,
                          fmt::format("{} forwards to target group '{}' of protocol {}; expected "
                                      "a group a {} listener may forward to",
                                      where, g.meta.name, to_string(g.protocol),
                                      to_string(l.protocol)));
                    ok = false;
                }
            }
        };
        if (rl.default_action) {
            auto a = resolve_action(*rl.default_action, lb, s, what + " default action");
            if (a) {
                check_protocols(*a, what + " default action");
                l.default_action = std::move(*a);
            } else {
                ok = false;
            }
        } else {
            ok = false;
        }
        if (!alb && !rl.rules.empty()) {
            error(rl.rules.front().loc, s,
                  fmt::format("{} has rules; expected rules only on an Application Load "
                              "Balancer's listeners",
                              what));
            ok = false;
        }
        // AWS: listener-update-rules — priorities 1-50000, unique per listener.
        std::map<long, int> priority_line;
        for (const RawListenerRule& rr : alb ? rl.rules : std::vector<RawListenerRule>{}) {
            if (!rr.priority.has_value()) continue;
            const std::string rule_what = fmt::format("{} rule {}", what, *rr.priority);
            if (*rr.priority < 1 || *rr.priority > 50000) {
                error(rr.priority.loc, s,
                      fmt::format("{} has priority {}; expected 1 to 50000", rule_what,
                                  *rr.priority));
                ok = false;
                continue;
            }
            if (auto [it, fresh] = priority_line.emplace(*rr.priority, rr.loc.line); !fresh) {
                error(rr.priority.loc, s,
                      fmt::format("{}: priority {} is already a rule's (line {}); expected "
                                  "unique priorities in a listener",
                                  rule_what, *rr.priority, it->second));
                ok = false;
                continue;
            }
            if (rr.conditions.empty()) {
                error(rr.loc, s,
                      fmt::format("{} has no conditions; expected at least one (the default "
                                  "action is the listener's)",
                                  rule_what));
                ok = false;
                continue;
            }
            if (!rr.action) {
                ok = false;
                continue;
            }
            ListenerRule rule;
            rule.priority = static_cast<std::uint32_t>(*rr.priority);
            rule.loc = rr.loc;
            for (const RawCondition& c : rr.conditions) {
                rule.conditions.push_back({c.field, c.header_name, c.values, c.source_ips, c.loc});
            }
            auto a = resolve_action(*rr.action, lb, s, rule_what + " action");
            if (!a) {
                ok = false;
                continue;
            }
            check_protocols(*a, rule_what);
            rule.action = std::move(*a);
            l.rules.push_back(std::move(rule));
        }
        std::sort(l.rules.begin(), l.rules.end(), [](const ListenerRule& x, const ListenerRule& y) {
            return x.priority < y.priority;
        });
        if (ok) lb.listeners.push_back(std::move(l));
    }
}

// AWS: autoscaling attach-load-balancer-target-group — the group registers each instance it
// launches in each of its target groups, which take instance targets only.
void Builder::register_group_targets(Index a) {
    const AutoScalingGroup& asg = t_.auto_scaling_groups[a];
    const RawAutoScalingGroup& raw = *raw_asgs_[a];
    const Subject s{"Auto Scaling group", raw.meta.name, raw.meta.loc};
    for (std::size_t k = 0; k < asg.target_groups.size(); ++k) {
        TargetGroup& tg = t_.target_groups[asg.target_groups[k]];
        if (tg.target_type != TargetType::Instance) {
            error(asg_group_refs_[a][k], s,
                  fmt::format("target group '{}' has target_type ip; expected groups of "
                              "target_type instance (an Auto Scaling group registers instances)",
                              tg.meta.name));
            continue;
        }
        for (Index i : asg.instances) {
            Target t;
            t.instance = i;
            t.registered_by = a;
            t.loc = raw.meta.loc;
            tg.targets.push_back(t);
        }
    }
    if (raw.target_tracking) resolve_target_tracking(a);
    // The launched instances carry the template's security groups.
    if (asg.launch_template == kNone) return;
    for (const std::vector<Index>* list : {&asg.instances, &asg.draining}) {
        for (Index i : *list) {
            t_.enis[t_.instances[i].enis.front()].security_groups =
                t_.launch_templates[asg.launch_template].security_groups;
        }
    }
}

// AWS: as-scaling-target-tracking — the predefined metric ALBRequestCountPerTarget names one
// target group of the group (its ResourceLabel) behind an Application Load Balancer; the
// target value is positive; metrics come every 60 s, or 10, 20 or 30 s at high resolution.
void Builder::resolve_target_tracking(Index a) {
    AutoScalingGroup& asg = t_.auto_scaling_groups[a];
    const RawTargetTracking& raw = *raw_asgs_[a]->target_tracking;
    const Subject s{"Auto Scaling group", asg.meta.name, raw.loc};
    TargetTrackingPolicy policy;
    bool ok = true;
    if (raw.metric.has_value() && *raw.metric != "ALBRequestCountPerTarget") {
        error(raw.metric.loc, s,
              fmt::format("target tracking metric '{}'; expected ALBRequestCountPerTarget",
                          *raw.metric));
        ok = false;
    }
    if (raw.target_group.has_value()) {
        for (Index g : asg.target_groups) {
            if (t_.target_groups[g].meta.name == *raw.target_group) policy.target_group = g;
        }
        if (policy.target_group == kNone) {
            error(raw.target_group.loc, s,
                  fmt::format("target tracking names target group '{}', which is not one of the "
                              "group's; expected one of its target_groups",
                              *raw.target_group));
            ok = false;
        } else if (!is_alb_protocol(t_.target_groups[policy.target_group].protocol)) {
            error(raw.target_group.loc, s,
                  fmt::format("target group '{}' is not an Application Load Balancer's (HTTP or "
                              "HTTPS); ALBRequestCountPerTarget counts an ALB's requests",
                              *raw.target_group));
            ok = false;
        }
    } else if (asg.target_groups.size() == 1) {
        policy.target_group = asg.target_groups.front();
    } else if (!raw.target_group.present) {
        error(raw.loc, s,
              "target tracking without 'target_group'; expected the target group whose requests "
              "per target it tracks");
        ok = false;
    }
    if (!raw.target_value.has_value() || !(*raw.target_value > 0)) {
        if (!raw.target_value.present || raw.target_value.has_value()) {
            error(raw.target_value.present ? raw.target_value.loc : raw.loc, s,
                  "target tracking 'target_value' must be a number above 0 (requests per target "
                  "per period)");
        }
        ok = false;
    } else {
        policy.target_value = *raw.target_value;
    }
    if (raw.period.has_value()) {
        if (*raw.period != 10 && *raw.period != 20 && *raw.period != 30 && *raw.period != 60) {
            error(raw.period.loc, s,
                  fmt::format("target tracking 'period' is {}; expected 60, or 10, 20 or 30 "
                              "(high-resolution metrics)",
                              *raw.period));
            ok = false;
        } else {
            policy.period = static_cast<std::uint32_t>(*raw.period);
        }
    }
    policy.disable_scale_in = raw.disable_scale_in.value.value_or(false);
    if (ok) asg.target_tracking = policy;
}

// A node's private address, when not written, is the first free one of its subnet; an
// internet-facing node without an Elastic IP gets a public address the cloud would assign,
// here the first free one of the documentation range 192.0.2.0/24 (RFC 5737).
void Builder::assign_load_balancer_addresses() {
    static const net::Cidr kPublicPool = *net::Cidr::parse("192.0.2.0/24");
    std::uint32_t next_public = kPublicPool.network().value() + 1;
    for (Index b = 0; b < t_.load_balancers.size(); ++b) {
        LoadBalancer& lb = t_.load_balancers[b];
        const Subject s{"load balancer", lb.meta.name, lb.meta.loc};
        for (LoadBalancerNode& node : lb.nodes) {
            // A written address is never 0.0.0.0, which no subnet lets a node have.
            const bool written = node.private_ip.value() != 0;
            const PinnedEni* pin = pinned(
                fmt::format("{}-{}", lb.meta.name, t_.subnets[node.subnet].availability_zone));
            if (!written && pin != nullptr && !pin->private_ips.empty()) {
                node.private_ip = pin->private_ips.front();
                claim_private_address(lb.vpc, node.private_ip,
                                      fmt::format("load balancer '{}'", lb.meta.name), node.loc, s);
            } else if (!written && subnet_ok_[node.subnet]) {
                if (auto a = first_free_address(node.subnet)) {
                    node.private_ip = *a;
                    claim_private_address(
                        lb.vpc, *a, fmt::format("load balancer '{}'", lb.meta.name), node.loc, s);
                } else {
                    error(node.loc, s,
                          fmt::format("subnet '{}' has no free address left; expected a larger "
                                      "subnet",
                                      t_.subnets[node.subnet].meta.name));
                }
            }
            if (lb.scheme != LoadBalancerScheme::InternetFacing || node.elastic_ip != kNone) {
                continue;
            }
            const std::uint32_t last = kPublicPool.last().value() - 1;
            while (next_public <= last &&
                   (public_owner_.contains(net::Ipv4Address(next_public)) ||
                    std::find(t_.internet_unassigned.begin(), t_.internet_unassigned.end(),
                              net::Ipv4Address(next_public)) != t_.internet_unassigned.end())) {
                ++next_public;
            }
            if (next_public > last) {
                error(node.loc, s,
                      "no free public address is left in 192.0.2.0/24 for the node; expected "
                      "Elastic IPs on the nodes");
                continue;
            }
            node.public_ip = net::Ipv4Address(next_public);
            public_owner_.emplace(*node.public_ip, fmt::format("load balancer '{}'", lb.meta.name));
        }
    }
}

// AWS: application-load-balancers — each node of an ALB is a requester-managed network
// interface in its subnet ("ELB app/NAME/..."), holding the node's private address (and its
// public one when internet-facing) and the load balancer's security groups. The engine carries
// its traffic as any ENI's; what answers behind it is the load balancer's proxy. An ENI is
// called LB-AZ, after the load balancer and its node's zone.
void Builder::add_load_balancer_enis() {
    for (Index b = 0; b < t_.load_balancers.size(); ++b) {
        LoadBalancer& lb = t_.load_balancers[b];
        if (lb.type != LoadBalancerType::Application) continue;
        for (LoadBalancerNode& node : lb.nodes) {
            if (node.subnet == kNone || node.private_ip.value() == 0) continue;
            const Subnet& sn = t_.subnets[node.subnet];
            const Index e = static_cast<Index>(t_.enis.size());
            Eni eni;
            eni.meta.name = fmt::format("{}-{}", lb.meta.name, sn.availability_zone);
            eni.meta.loc = node.loc;
            eni.load_balancer = b;
            eni.subnet = node.subnet;
            eni.vpc = lb.vpc;
            eni.private_ips = {node.private_ip};
            if (lb.scheme == LoadBalancerScheme::InternetFacing) eni.public_ip = node.public_ip;
            eni.security_groups = lb.security_groups;
            if (eni.security_groups.empty()) {
                eni.security_groups.push_back(t_.vpcs[lb.vpc].default_security_group);
            }
            eni.mac = eni_mac(e);
            if (const PinnedEni* pin = pinned(eni.meta.name)) eni.mac = pin->mac;
            t_.enis.push_back(std::move(eni));
            node.eni = e;
            add_name(eni_names_, t_.enis[e].meta, e, "ENI", "in the file");
        }
    }
}

}  // namespace vpcstack::model::build
