#include "vpcstack/model/yaml_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <utility>
#include <vector>

#include "vpcstack/model/invariant.hpp"
#include "vpcstack/model/rule_text.hpp"

namespace vpcstack::model {

namespace {

// Words YAML 1.1 readers take for booleans or null.
bool is_special_word(std::string_view text) {
    static const std::array<std::string_view, 11> words = {
        "true", "false", "yes", "no", "on", "off", "null", "y", "n", "~", ""};
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return std::find(words.begin(), words.end(), lower) != words.end();
}

bool looks_numeric(std::string_view text) {
    bool digit = false;
    for (char c : text) {
        if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
            digit = true;
        } else if (c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E' && c != '_' &&
                   c != 'x' && c != 'o') {
            return false;
        }
    }
    return digit;
}

std::string q(std::string_view text) {
    return yaml_scalar(text, true);
}

// "{key: value, ...}", leaving out the keys whose value is empty.
std::string flow(const std::vector<std::pair<std::string_view, std::string>>& fields) {
    std::string out = "{";
    for (const auto& [key, value] : fields) {
        if (value.empty()) continue;
        if (out.size() > 1) out += ", ";
        out += fmt::format("{}: {}", key, value);
    }
    return out + "}";
}

template <class T, class F>
std::string flow_list(const std::vector<T>& items, F&& text) {
    std::vector<std::string> parts;
    for (const T& item : items) parts.push_back(text(item));
    return fmt::format("[{}]", fmt::join(parts, ", "));
}

// The value of a field written in the file; empty when it was not (or was invalid).
std::string text_of(const Field<std::string>& f) {
    return f.has_value() ? q(*f) : std::string();
}
std::string text_of(const Field<bool>& f) {
    return f.has_value() ? std::string(*f ? "true" : "false") : std::string();
}
std::string text_of(const Field<net::Cidr>& f) {
    return f.has_value() ? f->to_string() : std::string();
}
std::string text_of(const Field<net::Ipv4Address>& f) {
    return f.has_value() ? f->to_string() : std::string();
}
std::string text_of(const Field<long>& f) {
    return f.has_value() ? std::to_string(*f) : std::string();
}
std::string metadata_options_text(const std::optional<RawMetadataOptions>& o) {
    if (!o) return "";
    return flow({{"http_endpoint", text_of(o->http_endpoint)},
                 {"http_tokens", text_of(o->http_tokens)},
                 {"http_put_response_hop_limit", text_of(o->http_put_response_hop_limit)}});
}

// An enum field in the cloud's spelling (to_string of topology.hpp).
template <class E>
std::string spelled(const Field<E>& f) {
    return f.has_value() ? q(to_string(*f)) : std::string();
}
std::string strings_of(const std::vector<Field<std::string>>& items) {
    std::vector<Field<std::string>> written;
    for (const auto& f : items) {
        if (f.has_value()) written.push_back(f);
    }
    return written.empty() ? std::string()
                           : flow_list(written, [](const auto& f) { return text_of(f); });
}

// {forward: GROUP} when that says it all, else the long forms.
std::string action_text(const RawAction& a) {
    switch (a.kind) {
        case ActionKind::Forward: {
            if (a.target_groups.size() == 1 && !a.target_groups[0].weight.present &&
                !a.stickiness.present) {
                return flow({{"forward", text_of(a.target_groups[0].name)}});
            }
            const std::string groups = flow_list(a.target_groups, [](const RawWeightedGroup& w) {
                if (!w.weight.present) return text_of(w.name);
                return flow({{"name", text_of(w.name)}, {"weight", text_of(w.weight)}});
            });
            return flow({{"forward", flow({{"target_groups", groups},
                                           {"stickiness", text_of(a.stickiness)}})}});
        }
        case ActionKind::Redirect: {
            std::string body = flow({{"protocol", text_of(a.protocol)},
                                     {"host", text_of(a.host)},
                                     {"port", text_of(a.port)},
                                     {"path", text_of(a.path)},
                                     {"query", text_of(a.query)},
                                     {"status", text_of(a.status)}});
            return flow({{"redirect", body}});
        }
        case ActionKind::FixedResponse:
            return flow({{"fixed-response", flow({{"status", text_of(a.status)},
                                                  {"content_type", text_of(a.content_type)},
                                                  {"body", text_of(a.body)}})}});
    }
    return "{}";
}

std::string condition_text(const RawCondition& c) {
    std::string values;
    if (c.field == ConditionField::SourceIp) {
        values = flow_list(c.source_ips, [](const net::Cidr& x) { return x.to_string(); });
    } else {
        values = flow_list(c.values, [](const std::string& x) { return q(x); });
    }
    if (c.field == ConditionField::HttpHeader) {
        values = flow({{"name", q(c.header_name)}, {"values", values}});
    }
    return flow({{to_string(c.field), values}});
}

std::string id_of(const RawMeta& meta) {
    return meta.id.empty() ? std::string() : q(meta.id);
}
std::string name_of(const RawMeta& meta) {
    return meta.name.empty() ? std::string() : q(meta.name);
}

std::string listen_text(const std::vector<ListenPort>& ports) {
    return flow_list(ports, [](const ListenPort& p) { return p.to_string(); });
}

class Writer {
  public:
    std::string run(const RawTopology& t) {
        for (const std::string& r : t.remarks) comment(0, r);
        if (t.region.has_value()) line(0, "region: " + q(*t.region));
        list(0, "vpcs", t.vpcs, &Writer::vpc);
        list(0, "elastic_ips", t.elastic_ips, &Writer::elastic_ip);
        list(0, "peerings", t.peerings, &Writer::peering);
        list(0, "prefix_lists", t.prefix_lists, &Writer::prefix_list);
        list(0, "internet_hosts", t.internet_hosts, &Writer::internet_host);
        list(0, "hosted_zones", t.hosted_zones, &Writer::hosted_zone);
        list(0, "health_checks", t.health_checks, &Writer::route53_health_check);
        if (t.internet_others.has_value() || !t.internet_unassigned.empty()) {
            line(0, "internet:");
            if (t.internet_others.has_value()) line(2, "others: " + q(*t.internet_others));
            if (!t.internet_unassigned.empty()) {
                line(2, "unassigned: " + flow_list(t.internet_unassigned,
                                                   [](const auto& a) { return text_of(a); }));
            }
        }
        return std::move(out_);
    }

  private:
    // One map of a block list: the first key follows "- ", the others line up under it.
    class Item {
      public:
        Item(Writer& w, int indent, std::string comment)
            : w_(w), indent_(indent), comment_(std::move(comment)) {}
        // A key and its value; nothing when the value is empty.
        void key(std::string_view key, const std::string& value) {
            if (!value.empty()) open(fmt::format("{}: {}", key, value));
        }
        // A key that a list follows.
        void key(std::string_view key) { open(fmt::format("{}:", key)); }
        // The indent of what is inside the item.
        int inner() const { return indent_ + 2; }

      private:
        void open(const std::string& text) {
            if (first_) {
                w_.line(indent_, "- " + text, comment_);
                first_ = false;
            } else {
                w_.line(indent_ + 2, text);
            }
        }
        Writer& w_;
        int indent_;
        std::string comment_;
        bool first_ = true;
    };

    void line(int indent, std::string_view text, std::string_view comment = {}) {
        out_.append(static_cast<std::size_t>(indent), ' ');
        out_ += text;
        if (!comment.empty()) out_ += fmt::format("  # {}", comment);
        out_ += '\n';
    }
    void comment(int indent, std::string_view text) { line(indent, fmt::format("# {}", text)); }
    void remarks(int indent, const std::vector<std::string>& lines) {
        for (const std::string& r : lines) comment(indent, r);
    }

    // A list of resources under `key`, left out when empty.
    template <class T>
    void list(int indent, std::string_view key, const std::vector<T>& items,
              void (Writer::*each)(int, const T&)) {
        if (items.empty()) return;
        line(indent, fmt::format("{}:", key));
        for (const T& item : items) (this->*each)(indent + 2, item);
    }

    // A list of routes or rules with the remarks among them; always written, `key: []` when
    // it has no entry.
    template <class T, class F>
    void entries(Item& owner, std::string_view key, const std::vector<T>& items,
                 const std::vector<Remark>& notes, F&& entry) {
        if (items.empty()) {
            owner.key(key, "[]");
        } else {
            owner.key(key);
        }
        const int indent = owner.inner() + 2;
        for (std::size_t i = 0; i <= items.size(); ++i) {
            for (const Remark& r : notes) {
                if (r.before == i || (i == items.size() && r.before > i)) comment(indent, r.text);
            }
            if (i < items.size()) line(indent, "- " + entry(items[i]), items[i].comment);
        }
    }

    // A flow map on one line, after the remarks of its resource.
    void flow_item(int indent, const RawMeta& meta, const std::string& map) {
        remarks(indent, meta.remarks);
        line(indent, "- " + map, meta.comment);
    }

    void vpc(int indent, const RawVpc& v) {
        Item item(*this, indent, v.meta.comment);
        item.key("name", name_of(v.meta));
        item.key("id", id_of(v.meta));
        item.key("region", text_of(v.region));
        item.key("account", text_of(v.account));
        item.key("cidr", text_of(v.cidr));
        item.key("enable_dns_support", text_of(v.enable_dns_support));
        item.key("enable_dns_hostnames", text_of(v.enable_dns_hostnames));
        if (!v.secondary_cidrs.empty()) {
            std::vector<Field<net::Cidr>> written;
            for (const auto& c : v.secondary_cidrs) {
                if (c.has_value()) written.push_back(c);
            }
            item.key("secondary_cidrs",
                     flow_list(written, [](const auto& c) { return text_of(c); }));
        }
        auto igw = [](const RawInternetGateway& g) {
            return flow({{"name", name_of(g.meta)},
                         {"id", id_of(g.meta)},
                         {"route_table", text_of(g.route_table)}});
        };
        if (v.internet_gateways.size() == 1) {
            item.key("internet_gateway", igw(v.internet_gateways.front()));
        } else if (!v.internet_gateways.empty()) {
            item.key("internet_gateway", flow_list(v.internet_gateways, igw));
        }
        remarks(item.inner(), v.meta.remarks);
        list(item.inner(), "subnets", v.subnets, &Writer::subnet);
        list(item.inner(), "route_tables", v.route_tables, &Writer::route_table);
        list(item.inner(), "network_acls", v.network_acls, &Writer::network_acl);
        list(item.inner(), "security_groups", v.security_groups, &Writer::security_group);
        list(item.inner(), "nat_gateways", v.nat_gateways, &Writer::nat_gateway);
        list(item.inner(), "instances", v.instances, &Writer::instance);
        list(item.inner(), "load_balancers", v.load_balancers, &Writer::load_balancer);
        list(item.inner(), "target_groups", v.target_groups, &Writer::target_group);
        list(item.inner(), "launch_templates", v.launch_templates, &Writer::launch_template);
        list(item.inner(), "auto_scaling_groups", v.auto_scaling_groups,
             &Writer::auto_scaling_group);
    }

    void load_balancer(int indent, const RawLoadBalancer& b) {
        Item item(*this, indent, b.meta.comment);
        item.key("name", name_of(b.meta));
        item.key("id", id_of(b.meta));
        item.key("type", spelled(b.type));
        item.key("scheme", spelled(b.scheme));
        item.key("subnets", flow_list(b.subnets, [](const RawLbSubnet& s) {
                     if (!s.private_ip.present && !s.elastic_ip.present) return text_of(s.subnet);
                     return flow({{"subnet", text_of(s.subnet)},
                                  {"private_ip", text_of(s.private_ip)},
                                  {"elastic_ip", text_of(s.elastic_ip)}});
                 }));
        item.key("security_groups", strings_of(b.security_groups));
        item.key("cross_zone", text_of(b.cross_zone));
        remarks(item.inner(), b.meta.remarks);
        if (b.listeners.empty()) return;
        item.key("listeners");
        for (const RawListener& l : b.listeners) {
            Item listener(*this, item.inner() + 2, "");
            listener.key("protocol", spelled(l.protocol));
            listener.key("port", text_of(l.port));
            listener.key("certificate", text_of(l.certificate));
            if (l.default_action) listener.key("default_action", action_text(*l.default_action));
            if (l.rules.empty()) continue;
            listener.key("rules");
            for (const RawListenerRule& r : l.rules) {
                line(listener.inner() + 2,
                     "- " + flow({{"priority", text_of(r.priority)},
                                  {"conditions", flow_list(r.conditions, condition_text)},
                                  {"action", r.action ? action_text(*r.action) : std::string()}}));
            }
        }
    }

    void target_group(int indent, const RawTargetGroup& g) {
        Item item(*this, indent, g.meta.comment);
        item.key("name", name_of(g.meta));
        item.key("id", id_of(g.meta));
        item.key("target_type", spelled(g.target_type));
        item.key("protocol", spelled(g.protocol));
        item.key("port", text_of(g.port));
        const RawHealthCheck& h = g.health_check;
        std::string port = text_of(h.port);
        if (h.port.present && port.empty()) port = "traffic-port";
        const std::string check = flow({{"protocol", spelled(h.protocol)},
                                        {"port", port},
                                        {"path", text_of(h.path)},
                                        {"matcher", text_of(h.matcher)},
                                        {"interval", text_of(h.interval)},
                                        {"timeout", text_of(h.timeout)},
                                        {"healthy_threshold", text_of(h.healthy_threshold)},
                                        {"unhealthy_threshold", text_of(h.unhealthy_threshold)}});
        if (check != "{}") item.key("health_check", check);
        item.key("preserve_client_ip", text_of(g.preserve_client_ip));
        if (g.stickiness.present) {
            item.key("stickiness", flow({{"type", spelled(g.stickiness)},
                                         {"duration", text_of(g.stickiness_duration)},
                                         {"cookie_name", text_of(g.cookie_name)}}));
        }
        item.key("deregistration_delay", text_of(g.deregistration_delay));
        item.key("algorithm", spelled(g.algorithm));
        if (!g.targets.empty()) {
            item.key("targets", flow_list(g.targets, [](const RawTarget& t) {
                         if (!t.port.present) {
                             return t.ip.present ? text_of(t.ip) : text_of(t.instance);
                         }
                         return flow({{"instance", text_of(t.instance)},
                                      {"ip", text_of(t.ip)},
                                      {"port", text_of(t.port)}});
                     }));
        }
        remarks(item.inner(), g.meta.remarks);
    }

    void launch_template(int indent, const RawLaunchTemplate& t) {
        flow_item(indent, t.meta,
                  flow({{"name", name_of(t.meta)},
                        {"id", id_of(t.meta)},
                        {"security_groups", strings_of(t.security_groups)},
                        {"user_data", text_of(t.user_data)},
                        {"listen", t.listen ? listen_text(*t.listen) : std::string()},
                        {"source_dest_check", text_of(t.source_dest_check)},
                        {"metadata_options", metadata_options_text(t.metadata_options)}}));
    }

    void auto_scaling_group(int indent, const RawAutoScalingGroup& g) {
        flow_item(indent, g.meta,
                  flow({{"name", name_of(g.meta)},
                        {"id", id_of(g.meta)},
                        {"launch_template", text_of(g.launch_template)},
                        {"min_size", text_of(g.min_size)},
                        {"max_size", text_of(g.max_size)},
                        {"desired_capacity", text_of(g.desired_capacity)},
                        {"subnets", strings_of(g.subnets)},
                        {"target_groups", strings_of(g.target_groups)},
                        {"health_check_type", spelled(g.health_check_type)},
                        {"health_check_grace_period", text_of(g.health_check_grace_period)},
                        {"target_tracking",
                         g.target_tracking ? tracking_text(*g.target_tracking) : std::string()}}));
    }

    static std::string tracking_text(const RawTargetTracking& t) {
        std::string value;
        if (t.target_value.has_value()) value = fmt::format("{}", *t.target_value);
        return flow({{"metric", text_of(t.metric)},
                     {"target_group", text_of(t.target_group)},
                     {"target_value", value},
                     {"period", text_of(t.period)},
                     {"disable_scale_in", text_of(t.disable_scale_in)}});
    }

    void subnet(int indent, const RawSubnet& s) {
        flow_item(indent, s.meta,
                  flow({{"name", name_of(s.meta)},
                        {"id", id_of(s.meta)},
                        {"cidr", text_of(s.cidr)},
                        {"az", text_of(s.az)},
                        {"route_table", text_of(s.route_table)},
                        {"network_acl", text_of(s.network_acl)}}));
    }

    void route_table(int indent, const RawRouteTable& t) {
        Item item(*this, indent, t.meta.comment);
        item.key("name", name_of(t.meta));
        item.key("id", id_of(t.meta));
        item.key("main", text_of(t.main));
        remarks(item.inner(), t.meta.remarks);
        entries(item, "routes", t.routes, t.route_remarks, [](const RawRoute& r) {
            VPCSTACK_ASSERT(!r.text.empty(), "a raw route carries its text (route_text())");
            if (r.id.empty() && r.was.empty()) return yaml_scalar(r.text);
            return flow({{"destination", r.prefix_list.empty() ? r.destination.to_string()
                                                               : q("pl:" + r.prefix_list)},
                         {"target", q(r.target)},
                         {"was", r.was.empty() ? std::string() : q(r.was)},
                         {"id", r.id.empty() ? std::string() : q(r.id)}});
        });
    }

    void network_acl(int indent, const RawAcl& a) {
        Item item(*this, indent, a.meta.comment);
        item.key("name", name_of(a.meta));
        item.key("id", id_of(a.meta));
        item.key("default", text_of(a.is_default));
        remarks(item.inner(), a.meta.remarks);
        auto rule = [](const RawAclRule& r) {
            VPCSTACK_ASSERT(!r.text.empty(), "a raw ACL rule carries its text (acl_rule_text())");
            return yaml_scalar(r.text);
        };
        entries(item, "inbound", a.inbound, a.inbound_remarks, rule);
        entries(item, "outbound", a.outbound, a.outbound_remarks, rule);
    }

    void security_group(int indent, const RawSecurityGroup& g) {
        Item item(*this, indent, g.meta.comment);
        item.key("name", name_of(g.meta));
        item.key("id", id_of(g.meta));
        item.key("default", text_of(g.is_default));
        remarks(item.inner(), g.meta.remarks);
        entries(item, "ingress", g.ingress, g.ingress_remarks,
                [](const RawSgRule& r) { return sg_rule(r, true); });
        if (g.egress) {
            entries(item, "egress", *g.egress, g.egress_remarks,
                    [](const RawSgRule& r) { return sg_rule(r, false); });
        }
    }

    // The short form, or the long one when the rule has a description.
    static std::string sg_rule(const RawSgRule& r, bool ingress) {
        VPCSTACK_ASSERT(!r.text.empty(), "a raw security group rule carries its text");
        if (r.description.empty()) return yaml_scalar(r.text);
        const bool icmp = r.protocol == net::Protocol::icmp();
        return flow({{"protocol", r.protocol.to_string()},
                     {"ports", r.protocol.has_ports() && !r.ports.is_all() ? q(r.ports.to_string())
                                                                           : std::string()},
                     {"icmp_type", icmp && r.icmp.type >= 0 ? std::to_string(r.icmp.type) : ""},
                     {"icmp_code", icmp && r.icmp.code >= 0 ? std::to_string(r.icmp.code) : ""},
                     {ingress ? "from" : "to", q(sg_peer_text(r))},
                     {"description", q(r.description)}});
    }

    void nat_gateway(int indent, const RawNatGateway& n) {
        std::string type;
        if (n.is_public.present && n.is_public.has_value()) {
            type = *n.is_public ? "public" : "private";
        }
        flow_item(indent, n.meta,
                  flow({{"name", name_of(n.meta)},
                        {"id", id_of(n.meta)},
                        {"subnet", text_of(n.subnet)},
                        {"private_ip", text_of(n.private_ip)},
                        {"elastic_ip", text_of(n.elastic_ip)},
                        {"type", type}}));
    }

    void instance(int indent, const RawInstance& i) {
        Item item(*this, indent, i.meta.comment);
        item.key("name", name_of(i.meta));
        item.key("id", id_of(i.meta));
        item.key("state", text_of(i.state));
        if (i.listen) item.key("listen", listen_text(*i.listen));
        item.key("user_data", text_of(i.user_data));
        item.key("metadata_options", metadata_options_text(i.metadata_options));
        remarks(item.inner(), i.meta.remarks);
        // One interface without a name of its own is written inside the instance.
        if (i.enis.size() == 1 && i.enis.front().meta.name.empty() &&
            i.enis.front().meta.id.empty() && i.enis.front().meta.remarks.empty() &&
            i.enis.front().meta.comment.empty()) {
            eni_fields(item, i.enis.front());
            return;
        }
        item.key("enis");
        for (const RawEni& e : i.enis) {
            Item eni(*this, item.inner() + 2, e.meta.comment);
            eni.key("name", name_of(e.meta));
            eni.key("id", id_of(e.meta));
            eni_fields(eni, e);
            remarks(eni.inner(), e.meta.remarks);
        }
    }

    static void eni_fields(Item& item, const RawEni& e) {
        item.key("subnet", text_of(e.subnet));
        std::vector<Field<net::Ipv4Address>> ips;
        for (const auto& ip : e.private_ips) {
            if (ip.has_value()) ips.push_back(ip);
        }
        if (ips.size() == 1) {
            item.key("private_ip", text_of(ips.front()));
        } else if (!ips.empty()) {
            item.key("private_ips", flow_list(ips, [](const auto& ip) { return text_of(ip); }));
        }
        item.key("elastic_ip", text_of(e.elastic_ip));
        item.key("public_ip", text_of(e.public_ip));
        if (!e.secondary_elastic_ips.empty()) {
            item.key("secondary_elastic_ips",
                     flow_list(e.secondary_elastic_ips, [](const RawSecondaryElasticIp& s) {
                         return flow({{"private_ip", text_of(s.private_ip)},
                                      {"elastic_ip", text_of(s.elastic_ip)}});
                     }));
        }
        if (!e.security_groups.empty()) {
            std::vector<Field<std::string>> groups;
            for (const auto& g : e.security_groups) {
                if (g.has_value()) groups.push_back(g);
            }
            item.key("security_groups",
                     flow_list(groups, [](const auto& g) { return text_of(g); }));
        }
        item.key("source_dest_check", text_of(e.source_dest_check));
        if (e.tcp_established_timeout.has_value() || e.udp_stream_timeout.has_value() ||
            e.udp_timeout.has_value()) {
            auto number = [](const Field<long>& f) {
                return f.has_value() ? std::to_string(*f) : std::string();
            };
            item.key("connection_tracking",
                     flow({{"tcp_established_timeout", number(e.tcp_established_timeout)},
                           {"udp_stream_timeout", number(e.udp_stream_timeout)},
                           {"udp_timeout", number(e.udp_timeout)}}));
        }
    }

    void elastic_ip(int indent, const RawElasticIp& e) {
        flow_item(indent, e.meta,
                  flow({{"name", name_of(e.meta)},
                        {"id", id_of(e.meta)},
                        {"address", text_of(e.address)}}));
    }

    void peering(int indent, const RawPeering& p) {
        flow_item(indent, p.meta,
                  flow({{"name", name_of(p.meta)},
                        {"id", id_of(p.meta)},
                        {"requester", text_of(p.requester)},
                        {"accepter", text_of(p.accepter)},
                        {"status", p.status.present && p.status.has_value() ? to_string(*p.status)
                                                                            : std::string()}}));
    }

    void prefix_list(int indent, const RawPrefixList& pl) {
        flow_item(indent, pl.meta,
                  flow({{"name", name_of(pl.meta)},
                        {"id", id_of(pl.meta)},
                        {"cidrs",
                         flow_list(pl.cidrs, [](const net::Cidr& c) { return c.to_string(); })}}));
    }

    void internet_host(int indent, const RawInternetHost& h) {
        flow_item(indent, h.meta,
                  flow({{"name", name_of(h.meta)},
                        {"id", id_of(h.meta)},
                        {"address", text_of(h.address)},
                        {"listen", h.listen ? listen_text(*h.listen) : std::string()},
                        {"location", h.location ? flow({{"continent", text_of(h.continent)},
                                                        {"country", text_of(h.country)},
                                                        {"subdivision", text_of(h.subdivision)},
                                                        {"region", text_of(h.region)}})
                                                : std::string()}}));
    }

    void hosted_zone(int indent, const RawHostedZone& z) {
        Item item(*this, indent, z.meta.comment);
        item.key("name", name_of(z.meta));
        item.key("id", id_of(z.meta));
        item.key("private", text_of(z.is_private));
        if (z.vpcs_written) {
            const std::string vpcs = strings_of(z.vpcs);
            item.key("vpcs", vpcs.empty() ? std::string("[]") : vpcs);
        }
        remarks(item.inner(), z.meta.remarks);
        if (z.records.empty()) return;
        item.key("records");
        for (const RawRecord& r : z.records) {
            std::string values;
            if (r.values_written) {
                values = strings_of(r.values);
                if (values.empty()) values = "[]";
            }
            std::string alias;
            if (r.alias) {
                alias =
                    flow({{"target", text_of(r.alias->target)},
                          {"evaluate_target_health", text_of(r.alias->evaluate_target_health)}});
            }
            std::string latency;
            if (r.latency) latency = flow({{"region", text_of(r.latency_region)}});
            std::string geo;
            if (r.geolocation) {
                geo = flow({{"continent", text_of(r.continent)},
                            {"country", text_of(r.country)},
                            {"subdivision", text_of(r.subdivision)}});
            }
            line(item.inner() + 2,
                 "- " + flow({{"name", text_of(r.name)},
                              {"type",
                               r.type.has_value() ? q(dns::to_string(*r.type)) : std::string()},
                              {"ttl", text_of(r.ttl)},
                              {"values", values},
                              {"alias", alias},
                              {"set_identifier", text_of(r.set_identifier)},
                              {"weight", text_of(r.weight)},
                              {"failover", text_of(r.failover)},
                              {"multivalue", text_of(r.multivalue)},
                              {"latency", latency},
                              {"geolocation", geo},
                              {"health_check", text_of(r.health_check)}}),
                 r.comment);
        }
    }

    void route53_health_check(int indent, const RawRoute53HealthCheck& h) {
        std::string children;
        if (h.children_written) {
            children = strings_of(h.children);
            if (children.empty()) children = "[]";
        }
        flow_item(indent, h.meta,
                  flow({{"name", name_of(h.meta)},
                        {"id", id_of(h.meta)},
                        {"type", spelled(h.type)},
                        {"ip", text_of(h.ip)},
                        {"domain", text_of(h.domain)},
                        {"port", text_of(h.port)},
                        {"path", text_of(h.path)},
                        {"interval", text_of(h.interval)},
                        {"failure_threshold", text_of(h.failure_threshold)},
                        {"inverted", text_of(h.inverted)},
                        {"children", children},
                        {"healthy_threshold", text_of(h.healthy_threshold)}}));
    }

    std::string out_;
};

}  // namespace

std::string yaml_scalar(std::string_view text, bool in_flow) {
    bool plain = !is_special_word(text) && !looks_numeric(text);
    if (plain) {
        const char first = text.front();
        if (std::string_view("-?:,[]{}#&*!|>'\"%@` ").find(first) != std::string_view::npos) {
            plain = false;
        }
        if (text.back() == ' ' || text.back() == ':') plain = false;
        if (text.find(": ") != std::string_view::npos ||
            text.find(" #") != std::string_view::npos) {
            plain = false;
        }
        for (char c : text) {
            auto u = static_cast<unsigned char>(c);
            if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\' || c == '\'') plain = false;
            if (in_flow && std::string_view(",[]{}").find(c) != std::string_view::npos) {
                plain = false;
            }
        }
    }
    if (plain) return std::string(text);
    std::string out = "\"";
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                if (u < 0x20 || u == 0x7f) {
                    out += fmt::format("\\x{:02x}", u);
                } else {
                    out += c;  // UTF-8 bytes pass through: YAML files are UTF-8
                }
        }
    }
    out += '"';
    return out;
}

std::string write_topology_yaml(const RawTopology& topology) {
    return Writer().run(topology);
}

}  // namespace vpcstack::model
