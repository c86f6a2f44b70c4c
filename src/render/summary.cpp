#include "vpcstack/render/summary.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <vector>

#include "vpcstack/render/facts.hpp"
#include "vpcstack/render/table.hpp"

namespace vpcstack::render {

using model::Index;
using model::kNone;
using model::Topology;

namespace {

constexpr std::size_t kWidth = 96;

std::string count(std::size_t n, const char* singular, const char* plural) {
    return fmt::format("{} {}", n, n == 1 ? singular : plural);
}

std::string join(const std::vector<std::string>& parts, const char* separator) {
    std::string out;
    for (const std::string& p : parts) {
        if (!out.empty()) out += separator;
        out += p;
    }
    return out;
}

std::string resource_counts(const Topology& t) {
    std::vector<std::string> words = {
        count(t.vpcs.size(), "VPC", "VPCs"),
        count(t.subnets.size(), "subnet", "subnets"),
        count(t.route_tables.size(), "route table", "route tables"),
        count(t.network_acls.size(), "network ACL", "network ACLs"),
        count(t.security_groups.size(), "security group", "security groups"),
        count(t.instances.size(), "instance", "instances"),
        count(t.enis.size(), "ENI", "ENIs"),
        count(t.nat_gateways.size(), "NAT gateway", "NAT gateways"),
        count(t.internet_gateways.size(), "internet gateway", "internet gateways"),
        count(t.peerings.size(), "peering", "peerings"),
        count(t.elastic_ips.size(), "Elastic IP", "Elastic IPs"),
        count(t.prefix_lists.size(), "prefix list", "prefix lists"),
        count(t.internet_hosts.size(), "internet host", "internet hosts"),
    };
    // Load balancing is counted where a topology has it.
    if (!t.load_balancers.empty()) {
        words.push_back(count(t.load_balancers.size(), "load balancer", "load balancers"));
    }
    if (!t.target_groups.empty()) {
        words.push_back(count(t.target_groups.size(), "target group", "target groups"));
    }
    if (!t.auto_scaling_groups.empty()) {
        words.push_back(
            count(t.auto_scaling_groups.size(), "Auto Scaling group", "Auto Scaling groups"));
    }
    return wrap_list(words, kWidth, "  ") + "\n";
}

std::string vpc_heading(const Topology& t, const model::Vpc& vpc, bool color) {
    std::vector<std::string> cidrs;
    for (const net::Cidr& c : vpc.cidrs) cidrs.push_back(c.to_string());
    std::string line = styled("VPC " + vpc.meta.name, Style::Bold, color);
    if (!vpc.meta.id.empty()) line += " (" + vpc.meta.id + ")";
    line += "  " + join(cidrs, " + ") + "  region " + vpc.region;
    if (!vpc.account.empty()) line += "  account " + vpc.account;
    if (vpc.internet_gateway != kNone) {
        line += "  internet gateway " + t.internet_gateways.at(vpc.internet_gateway).meta.name;
    } else {
        line += "  no internet gateway";
    }
    return line + "\n";
}

// Public when the subnet's route table has a route to an internet gateway.
// AWS: VPC_Internet_Gateway — that route, and nothing else, makes a subnet public.
Cell access_cell(const Topology& t, Index subnet) {
    if (internet_route(t, subnet) != nullptr) return Cell("public", Style::Green);
    return Cell("private", Style::Yellow);
}

// The route that says most about the subnet (the internet gateway route of a public subnet,
// else the default route, else the first route that is not local), with how many other
// non-local routes the table has.
Cell routes_cell(const Topology& t, Index subnet) {
    const Index rt = t.subnets.at(subnet).route_table;
    if (rt == kNone) return Cell("-");
    std::size_t others = 0;
    const model::Route* first = nullptr;
    for (const model::Route& route : t.route_tables.at(rt).routes) {
        if (route.target.kind == model::RouteTargetKind::Local) continue;
        ++others;
        if (first == nullptr) first = &route;
    }
    const model::Route* key = internet_route(t, subnet);
    if (key == nullptr) key = default_route(t, subnet);
    if (key == nullptr) key = first;
    if (key == nullptr) return Cell("local only");
    std::string text = route_text(t, *key);
    Style style = Style::Plain;
    if (!blackhole_reason(t, *key).empty()) {
        text += " (blackhole)";
        style = Style::Red;
    }
    if (others > 1) text += fmt::format(" (+{} more)", others - 1);
    return Cell(text, style);
}

std::string public_text(const Topology& t, Index eni) {
    const model::Eni& e = t.enis.at(eni);
    if (e.elastic_ip != kNone) {
        const model::ElasticIp& eip = t.elastic_ips.at(e.elastic_ip);
        return eip.address.to_string() + " (eip " + eip.meta.name + ")";
    }
    if (e.public_ip) return e.public_ip->to_string() + " (public IP)";
    return "-";
}

std::vector<Cell> eni_row(const Topology& t, Index eni) {
    const model::Eni& e = t.enis.at(eni);
    std::vector<std::string> ips;
    for (const net::Ipv4Address& ip : e.private_ips) ips.push_back(ip.to_string());
    std::vector<std::string> groups;
    for (Index g : e.security_groups) groups.push_back(t.security_groups.at(g).meta.name);

    std::vector<std::string> notes;
    notes.push_back("sg " + join(groups, ","));
    if (!e.source_dest_check) notes.push_back("src/dst check off");
    if (e.instance != kNone && t.instances.at(e.instance).auto_scaling_group != kNone) {
        notes.push_back(
            "asg " +
            t.auto_scaling_groups.at(t.instances.at(e.instance).auto_scaling_group).meta.name);
    }
    Style style = Style::Plain;
    if (e.instance != kNone && !t.instances.at(e.instance).running) {
        notes.push_back("not running");
        style = Style::Dim;
    }
    return {Cell(eni_display_name(t, eni), style), Cell("instance"), Cell(join(ips, ",")),
            Cell(public_text(t, eni)), Cell(join(notes, "  "))};
}

std::vector<Cell> nat_row(const Topology& t, Index nat) {
    const model::NatGateway& n = t.nat_gateways.at(nat);
    std::string public_side = "- (private NAT)";
    if (n.is_public && n.elastic_ip != kNone) {
        const model::ElasticIp& eip = t.elastic_ips.at(n.elastic_ip);
        public_side = eip.address.to_string() + " (eip " + eip.meta.name + ")";
    }
    return {Cell(n.meta.name), Cell("NAT gateway"), Cell(n.private_ip.to_string()),
            Cell(public_side)};
}

std::vector<Cell> lb_node_row(const Topology& t, const model::LoadBalancer& lb,
                              const model::LoadBalancerNode& node) {
    std::string public_side = "- (internal)";
    if (node.elastic_ip != kNone) {
        const model::ElasticIp& eip = t.elastic_ips.at(node.elastic_ip);
        public_side = eip.address.to_string() + " (eip " + eip.meta.name + ")";
    } else if (node.public_ip) {
        public_side = node.public_ip->to_string() + " (public IP)";
    }
    std::vector<std::string> groups;
    for (Index g : lb.security_groups) groups.push_back(t.security_groups.at(g).meta.name);
    return {Cell(lb.meta.name),
            Cell(lb.type == model::LoadBalancerType::Application ? "ALB node" : "NLB node"),
            Cell(node.private_ip.to_string()), Cell(public_side),
            Cell(groups.empty() ? std::string() : "sg " + join(groups, ","))};
}

std::string vpc_body(const Topology& t, Index vpc_index, bool color) {
    const model::Vpc& vpc = t.vpcs.at(vpc_index);
    if (vpc.subnets.empty()) return "  (no subnets)\n";

    // Subnet rows and member rows are aligned separately, then interleaved.
    Table subnets("  ");
    subnets.add_row({Cell("SUBNET", Style::Bold), Cell("CIDR", Style::Bold),
                     Cell("AZ", Style::Bold), Cell("ACCESS", Style::Bold),
                     Cell("ROUTE TABLE", Style::Bold), Cell("NETWORK ACL", Style::Bold),
                     Cell("ROUTES", Style::Bold)});
    Table members("    ");
    std::vector<std::size_t> members_per_subnet;
    for (Index s : vpc.subnets) {
        const model::Subnet& subnet = t.subnets.at(s);
        std::vector<Cell> row = {
            Cell(subnet.meta.name), Cell(subnet.cidr.to_string()),
            Cell(subnet.availability_zone.empty() ? "-" : subnet.availability_zone)};
        row.push_back(access_cell(t, s));
        row.emplace_back(subnet.route_table == kNone
                             ? std::string("-")
                             : t.route_tables.at(subnet.route_table).meta.name);
        row.emplace_back(subnet.network_acl == kNone
                             ? std::string("-")
                             : t.network_acls.at(subnet.network_acl).meta.name);
        row.push_back(routes_cell(t, s));
        subnets.add_row(std::move(row));

        std::size_t before = members.size();
        for (Index e : subnet.enis) {
            if (t.enis[e].load_balancer != kNone) continue;  // its ALB node row below
            members.add_row(eni_row(t, e));
        }
        for (Index n = 0; n < t.nat_gateways.size(); ++n) {
            if (t.nat_gateways[n].subnet == s) members.add_row(nat_row(t, n));
        }
        for (const model::LoadBalancer& lb : t.load_balancers) {
            for (const model::LoadBalancerNode& node : lb.nodes) {
                if (node.subnet == s) members.add_row(lb_node_row(t, lb, node));
            }
        }
        members_per_subnet.push_back(members.size() - before);
    }

    std::vector<std::string> subnet_lines = subnets.lines(color);
    std::vector<std::string> member_lines = members.lines(color);
    std::string out = subnet_lines.front() + "\n";
    std::size_t next_member = 0;
    for (std::size_t i = 0; i < members_per_subnet.size(); ++i) {
        out += subnet_lines[i + 1] + "\n";
        for (std::size_t m = 0; m < members_per_subnet[i]; ++m) {
            out += member_lines[next_member++] + "\n";
        }
    }
    return out;
}

std::string peerings_section(const Topology& t, bool color) {
    Table table("  ");
    for (const model::Peering& p : t.peerings) {
        const model::Vpc& a = t.vpcs.at(p.requester);
        const model::Vpc& b = t.vpcs.at(p.accepter);
        std::string link = a.meta.name + " <-> " + b.meta.name;
        if (a.region != b.region) link += " (" + a.region + " <-> " + b.region + ")";
        const bool active = p.status == model::PeeringStatus::Active;
        table.add_row({Cell(p.meta.name), Cell(link),
                       Cell(model::to_string(p.status), active ? Style::Green : Style::Red)});
    }
    return styled("Peerings", Style::Bold, color) + "\n" + table.render(color);
}

std::string prefix_lists_section(const Topology& t, bool color) {
    Table table("  ");
    for (const model::PrefixList& pl : t.prefix_lists) {
        std::vector<std::string> cidrs;
        for (const net::Cidr& c : pl.cidrs) cidrs.push_back(c.to_string());
        table.add_row({Cell(pl.meta.name), Cell(join(cidrs, ", "))});
    }
    return styled("Prefix lists", Style::Bold, color) + "\n" + table.render(color);
}

std::string listen_text(const std::vector<model::ListenPort>& ports) {
    std::vector<std::string> parts;
    for (const model::ListenPort& p : ports) {
        parts.push_back(p.to_string() + (p.protocol == net::Protocol::kIcmp ? " (ping)" : ""));
    }
    return parts.empty() ? "listens on nothing" : "listens on " + join(parts, ", ");
}

std::string internet_hosts_section(const Topology& t, bool color) {
    Table table("  ");
    for (const model::InternetHost& h : t.internet_hosts) {
        table.add_row({Cell(h.meta.name), Cell(h.address.to_string()),
                       Cell(h.listen ? listen_text(*h.listen) : "accepts everything")});
    }
    return styled("Internet hosts", Style::Bold, color) + "\n" + table.render(color);
}

std::string action_text(const Topology& t, const model::ListenerAction& a) {
    if (a.kind == model::ActionKind::Forward) {
        std::vector<std::string> groups;
        for (const model::WeightedTargetGroup& w : a.target_groups) {
            std::string name = t.target_groups.at(w.target_group).meta.name;
            if (a.target_groups.size() > 1) name += fmt::format(" ({})", w.weight);
            groups.push_back(name);
        }
        return "forward " + join(groups, ", ");
    }
    return fmt::format("{} {}", model::to_string(a.kind), a.status_code);
}

// AWS: elasticloadbalancing — each load balancer with its listeners; each target group with
// its targets and health check; each Auto Scaling group with its size.
std::string load_balancing_section(const Topology& t, bool color) {
    Table table("  ");
    for (const model::LoadBalancer& lb : t.load_balancers) {
        std::vector<std::string> zones;
        for (const model::LoadBalancerNode& n : lb.nodes) {
            zones.push_back(t.subnets.at(n.subnet).availability_zone);
        }
        table.add_row({Cell(lb.meta.name),
                       Cell(model::to_string(lb.type) + " " + model::to_string(lb.scheme)),
                       Cell(join(zones, ",")), Cell(lb.cross_zone ? "cross-zone" : "zonal")});
        for (const model::Listener& l : lb.listeners) {
            std::string text = action_text(t, l.default_action);
            if (!l.rules.empty()) {
                text += fmt::format(" (+{})", count(l.rules.size(), "rule", "rules"));
            }
            table.add_row(
                {Cell(""), Cell(fmt::format("{} {}", model::to_string(l.protocol), l.port)),
                 Cell(l.certificate.empty() ? "-" : "cert " + l.certificate), Cell(text)});
        }
    }
    for (const model::TargetGroup& g : t.target_groups) {
        const model::HealthCheck& h = g.health_check;
        std::string check = model::to_string(h.protocol);
        if (!h.path.empty()) check += " " + h.path;
        check += fmt::format(" every {}s", h.interval);
        table.add_row({Cell(g.meta.name),
                       Cell(fmt::format("target group {} {} {}", model::to_string(g.protocol),
                                        g.port, model::to_string(g.target_type))),
                       Cell(count(g.targets.size(), "target", "targets")), Cell(check)});
    }
    for (const model::AutoScalingGroup& a : t.auto_scaling_groups) {
        table.add_row({Cell(a.meta.name),
                       Cell(fmt::format("Auto Scaling group {}..{}, desired {}", a.min_size,
                                        a.max_size, a.desired_capacity)),
                       Cell(count(a.instances.size(), "instance", "instances")),
                       Cell("template " + t.launch_templates.at(a.launch_template).meta.name +
                            ", " + model::to_string(a.health_check_type) + " health checks")});
    }
    return styled("Load balancing", Style::Bold, color) + "\n" + table.render(color);
}

}  // namespace

std::string render_summary(const Topology& t, bool color) {
    std::string out =
        styled(t.file.empty() ? std::string("topology") : t.file, Style::Bold, color) + ": " +
        styled("valid", Style::Green, color) + "\n";
    out += resource_counts(t);
    for (Index v = 0; v < t.vpcs.size(); ++v) {
        out += "\n" + vpc_heading(t, t.vpcs[v], color);
        out += vpc_body(t, v, color);
    }
    if (!t.load_balancers.empty() || !t.target_groups.empty() || !t.auto_scaling_groups.empty()) {
        out += "\n" + load_balancing_section(t, color);
    }
    if (!t.peerings.empty()) out += "\n" + peerings_section(t, color);
    if (!t.prefix_lists.empty()) out += "\n" + prefix_lists_section(t, color);
    if (!t.internet_hosts.empty()) out += "\n" + internet_hosts_section(t, color);
    return out;
}

std::string render_diagnostics(const model::Diagnostics& diagnostics, bool color) {
    std::string out;
    for (const model::Diagnostic& d : diagnostics.sorted()) {
        std::string line = d.to_string();
        if (color) {
            // Colour the severity word only; the rest stays as the loader wrote it.
            const bool error = d.severity == model::Severity::Error;
            const std::string word = error ? ": error: " : ": warning: ";
            if (auto at = line.find(word); at != std::string::npos) {
                line =
                    line.substr(0, at) + ": " +
                    styled(error ? "error" : "warning", error ? Style::Red : Style::Yellow, true) +
                    ": " + line.substr(at + word.size());
            }
        }
        out += line + "\n";
    }
    const std::size_t errors = diagnostics.error_count();
    const std::size_t warnings = diagnostics.warning_count();
    if (errors == 0 && warnings == 0) return out;
    std::vector<std::string> parts;
    if (errors > 0) parts.push_back(count(errors, "error", "errors"));
    if (warnings > 0) parts.push_back(count(warnings, "warning", "warnings"));
    out += join(parts, ", ") + "\n";
    return out;
}

}  // namespace vpcstack::render
