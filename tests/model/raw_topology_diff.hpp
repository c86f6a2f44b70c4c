// Comparing two raw topologies for the round-trip tests: what each says, not where it was
// written (source locations) and not its comments, which the reader skips. The answer is the
// first difference as a path ("vpcs[0].subnets[1].az: 'us-east-1a' vs unset"), empty when
// there is none.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <string>
#include <tuple>
#include <type_traits>
#include <vector>

#include "vpcstack/model/yaml_reader.hpp"

namespace vpcstack::model::testing {

class RawDiff {
  public:
    std::string operator()(const RawTopology& a, const RawTopology& b) {
        same("region", a.region, b.region);
        each("vpcs", a.vpcs, b.vpcs, &RawDiff::vpc);
        each("elastic_ips", a.elastic_ips, b.elastic_ips, [this](auto& p, auto& x, auto& y) {
            meta(p, x.meta, y.meta);
            same(p + ".address", x.address, y.address);
        });
        each("peerings", a.peerings, b.peerings, [this](auto& p, auto& x, auto& y) {
            meta(p, x.meta, y.meta);
            same(p + ".requester", x.requester, y.requester);
            same(p + ".accepter", x.accepter, y.accepter);
            same(p + ".status", x.status, y.status);
        });
        each("prefix_lists", a.prefix_lists, b.prefix_lists, [this](auto& p, auto& x, auto& y) {
            meta(p, x.meta, y.meta);
            same(p + ".cidrs", x.cidrs, y.cidrs);
        });
        each("internet_hosts", a.internet_hosts, b.internet_hosts,
             [this](auto& p, auto& x, auto& y) {
                 meta(p, x.meta, y.meta);
                 same(p + ".address", x.address, y.address);
                 same(p + ".listen", x.listen, y.listen);
                 same(p + ".location", x.location, y.location);
                 same(p + ".location.continent", x.continent, y.continent);
                 same(p + ".location.country", x.country, y.country);
                 same(p + ".location.subdivision", x.subdivision, y.subdivision);
                 same(p + ".location.region", x.region, y.region);
             });
        each("hosted_zones", a.hosted_zones, b.hosted_zones, &RawDiff::hosted_zone);
        each("health_checks", a.health_checks, b.health_checks, [this](auto& p, auto& x, auto& y) {
            meta(p, x.meta, y.meta);
            same(p + ".type", x.type, y.type);
            same(p + ".ip", x.ip, y.ip);
            same(p + ".domain", x.domain, y.domain);
            same(p + ".port", x.port, y.port);
            same(p + ".path", x.path, y.path);
            same(p + ".interval", x.interval, y.interval);
            same(p + ".failure_threshold", x.failure_threshold, y.failure_threshold);
            same(p + ".inverted", x.inverted, y.inverted);
            same(p + ".children_written", x.children_written, y.children_written);
            each(p + ".children", x.children, y.children,
                 [this](auto& q, auto& m, auto& n) { same(q, m, n); });
            same(p + ".healthy_threshold", x.healthy_threshold, y.healthy_threshold);
        });
        same("internet.others", a.internet_others, b.internet_others);
        each("internet.unassigned", a.internet_unassigned, b.internet_unassigned,
             [this](auto& q, auto& x, auto& y) { same(q, x, y); });
        return first_;
    }

  private:
    static std::string show(const std::string& v) { return "'" + v + "'"; }
    static std::string show(bool v) { return v ? "true" : "false"; }
    static std::string show(double v) { return fmt::format("{}", v); }
    static std::string show(long v) { return std::to_string(v); }
    static std::string show(RuleAction v) { return v == RuleAction::Allow ? "allow" : "deny"; }
    static std::string show(PeerKind v) { return std::to_string(static_cast<int>(v)); }
    static std::string show(PeeringStatus v) { return to_string(v); }
    static std::string show(const ListenPort& v) { return v.to_string(); }
    template <class E>
    requires std::is_enum_v<E>
    static std::string show(E v) { return to_string(v); }
    template <class T>
    static auto show(const T& v) -> decltype(v.to_string()) {
        return v.to_string();
    }
    template <class T>
    static std::string show(const std::optional<T>& v) {
        return v ? show(*v) : std::string("unset");
    }
    template <class T>
    static std::string show(const std::vector<T>& v) {
        std::vector<std::string> parts;
        for (const T& x : v) parts.push_back(show(x));
        return fmt::format("[{}]", fmt::join(parts, ", "));
    }

    template <class T>
    void same(const std::string& path, const T& a, const T& b) {
        if (first_.empty() && !(a == b)) {
            first_ = fmt::format("{}: {} vs {}", path, show(a), show(b));
        }
    }
    template <class T>
    void same(const std::string& path, const Field<T>& a, const Field<T>& b) {
        same(path + " (written)", a.present, b.present);
        same(path, a.value, b.value);
    }
    template <class T, class F>
    void each(const std::string& path, const std::vector<T>& a, const std::vector<T>& b, F&& f) {
        same(path + ".size()", a.size(), b.size());
        for (std::size_t i = 0; i < a.size() && i < b.size(); ++i) {
            std::string p = fmt::format("{}[{}]", path, i);
            if constexpr (std::is_member_function_pointer_v<std::decay_t<F>>) {
                (this->*f)(p, a[i], b[i]);
            } else {
                f(p, a[i], b[i]);
            }
        }
    }
    static std::string show(std::size_t v) { return std::to_string(v); }

    void meta(const std::string& p, const RawMeta& a, const RawMeta& b) {
        same(p + ".name", a.name, b.name);
        same(p + ".id", a.id, b.id);
    }

    void hosted_zone(const std::string& p, const RawHostedZone& a, const RawHostedZone& b) {
        meta(p, a.meta, b.meta);
        same(p + ".private", a.is_private, b.is_private);
        same(p + ".vpcs_written", a.vpcs_written, b.vpcs_written);
        each(p + ".vpcs", a.vpcs, b.vpcs, [this](auto& q, auto& x, auto& y) { same(q, x, y); });
        each(p + ".records", a.records, b.records, [this](auto& q, auto& x, auto& y) {
            same(q + ".name", x.name, y.name);
            same(q + ".type", x.type, y.type);
            same(q + ".ttl", x.ttl, y.ttl);
            same(q + ".values_written", x.values_written, y.values_written);
            each(q + ".values", x.values, y.values,
                 [this](auto& r, auto& m, auto& n) { same(r, m, n); });
            same(q + ".alias", x.alias.has_value(), y.alias.has_value());
            if (x.alias && y.alias) {
                same(q + ".alias.target", x.alias->target, y.alias->target);
                same(q + ".alias.evaluate_target_health", x.alias->evaluate_target_health,
                     y.alias->evaluate_target_health);
            }
            same(q + ".set_identifier", x.set_identifier, y.set_identifier);
            same(q + ".health_check", x.health_check, y.health_check);
            same(q + ".weight", x.weight, y.weight);
            same(q + ".failover", x.failover, y.failover);
            same(q + ".multivalue", x.multivalue, y.multivalue);
            same(q + ".latency", x.latency, y.latency);
            same(q + ".latency.region", x.latency_region, y.latency_region);
            same(q + ".geolocation", x.geolocation, y.geolocation);
            same(q + ".geolocation.continent", x.continent, y.continent);
            same(q + ".geolocation.country", x.country, y.country);
            same(q + ".geolocation.subdivision", x.subdivision, y.subdivision);
        });
    }

    void vpc(const std::string& p, const RawVpc& a, const RawVpc& b) {
        meta(p, a.meta, b.meta);
        same(p + ".region", a.region, b.region);
        same(p + ".enable_dns_support", a.enable_dns_support, b.enable_dns_support);
        same(p + ".enable_dns_hostnames", a.enable_dns_hostnames, b.enable_dns_hostnames);
        same(p + ".account", a.account, b.account);
        same(p + ".cidr", a.cidr, b.cidr);
        each(p + ".secondary_cidrs", a.secondary_cidrs, b.secondary_cidrs,
             [this](auto& q, auto& x, auto& y) { same(q, x, y); });
        each(p + ".internet_gateways", a.internet_gateways, b.internet_gateways,
             [this](auto& q, auto& x, auto& y) {
                 meta(q, x.meta, y.meta);
                 same(q + ".route_table", x.route_table, y.route_table);
             });
        each(p + ".subnets", a.subnets, b.subnets, [this](auto& q, auto& x, auto& y) {
            meta(q, x.meta, y.meta);
            same(q + ".cidr", x.cidr, y.cidr);
            same(q + ".az", x.az, y.az);
            same(q + ".route_table", x.route_table, y.route_table);
            same(q + ".network_acl", x.network_acl, y.network_acl);
        });
        each(p + ".route_tables", a.route_tables, b.route_tables,
             [this](auto& q, auto& x, auto& y) {
                 meta(q, x.meta, y.meta);
                 same(q + ".main", x.main, y.main);
                 each(q + ".routes", x.routes, y.routes, [this](auto& r, auto& m, auto& n) {
                     same(r + ".destination", m.destination, n.destination);
                     same(r + ".prefix_list", m.prefix_list, n.prefix_list);
                     same(r + ".target", m.target, n.target);
                     same(r + ".was", m.was, n.was);
                     same(r + ".id", m.id, n.id);
                     same(r + ".text", m.text, n.text);
                 });
             });
        each(p + ".network_acls", a.network_acls, b.network_acls,
             [this](auto& q, auto& x, auto& y) {
                 meta(q, x.meta, y.meta);
                 same(q + ".default", x.is_default, y.is_default);
                 each(q + ".inbound", x.inbound, y.inbound, &RawDiff::acl_rule);
                 each(q + ".outbound", x.outbound, y.outbound, &RawDiff::acl_rule);
             });
        each(p + ".security_groups", a.security_groups, b.security_groups,
             [this](auto& q, auto& x, auto& y) {
                 meta(q, x.meta, y.meta);
                 same(q + ".default", x.is_default, y.is_default);
                 each(q + ".ingress", x.ingress, y.ingress, &RawDiff::sg_rule);
                 same(q + ".egress (written)", x.egress.has_value(), y.egress.has_value());
                 if (x.egress && y.egress)
                     each(q + ".egress", *x.egress, *y.egress, &RawDiff::sg_rule);
             });
        each(p + ".nat_gateways", a.nat_gateways, b.nat_gateways,
             [this](auto& q, auto& x, auto& y) {
                 meta(q, x.meta, y.meta);
                 same(q + ".subnet", x.subnet, y.subnet);
                 same(q + ".private_ip", x.private_ip, y.private_ip);
                 same(q + ".elastic_ip", x.elastic_ip, y.elastic_ip);
                 same(q + ".type", x.is_public, y.is_public);
             });
        each(p + ".instances", a.instances, b.instances, [this](auto& q, auto& x, auto& y) {
            meta(q, x.meta, y.meta);
            same(q + ".state", x.state, y.state);
            same(q + ".running", x.running, y.running);
            same(q + ".listen", x.listen, y.listen);
            same(q + ".user_data", x.user_data, y.user_data);
            each(q + ".enis", x.enis, y.enis, &RawDiff::eni);
        });
        each(p + ".load_balancers", a.load_balancers, b.load_balancers, &RawDiff::load_balancer);
        each(p + ".target_groups", a.target_groups, b.target_groups, &RawDiff::target_group);
        each(p + ".launch_templates", a.launch_templates, b.launch_templates,
             [this](auto& q, auto& x, auto& y) {
                 meta(q, x.meta, y.meta);
                 strings(q + ".security_groups", x.security_groups, y.security_groups);
                 same(q + ".user_data", x.user_data, y.user_data);
                 same(q + ".listen", x.listen, y.listen);
                 same(q + ".source_dest_check", x.source_dest_check, y.source_dest_check);
             });
        each(p + ".auto_scaling_groups", a.auto_scaling_groups, b.auto_scaling_groups,
             [this](auto& q, auto& x, auto& y) {
                 meta(q, x.meta, y.meta);
                 same(q + ".launch_template", x.launch_template, y.launch_template);
                 same(q + ".min_size", x.min_size, y.min_size);
                 same(q + ".max_size", x.max_size, y.max_size);
                 same(q + ".desired_capacity", x.desired_capacity, y.desired_capacity);
                 strings(q + ".subnets", x.subnets, y.subnets);
                 strings(q + ".target_groups", x.target_groups, y.target_groups);
                 same(q + ".health_check_type", x.health_check_type, y.health_check_type);
                 same(q + ".health_check_grace_period", x.health_check_grace_period,
                      y.health_check_grace_period);
                 same(q + ".target_tracking (written)", x.target_tracking.has_value(),
                      y.target_tracking.has_value());
                 if (x.target_tracking && y.target_tracking) {
                     const auto& tx = *x.target_tracking;
                     const auto& ty = *y.target_tracking;
                     same(q + ".target_tracking.metric", tx.metric, ty.metric);
                     same(q + ".target_tracking.target_group", tx.target_group, ty.target_group);
                     same(q + ".target_tracking.target_value", tx.target_value, ty.target_value);
                     same(q + ".target_tracking.period", tx.period, ty.period);
                     same(q + ".target_tracking.disable_scale_in", tx.disable_scale_in,
                          ty.disable_scale_in);
                 }
             });
    }

    void strings(const std::string& p, const std::vector<Field<std::string>>& a,
                 const std::vector<Field<std::string>>& b) {
        each(p, a, b, [this](auto& q, auto& x, auto& y) { same(q, x, y); });
    }

    void action(const std::string& p, const RawAction& a, const RawAction& b) {
        same(p + ".kind", a.kind, b.kind);
        each(p + ".target_groups", a.target_groups, b.target_groups,
             [this](auto& q, auto& x, auto& y) {
                 same(q + ".name", x.name, y.name);
                 same(q + ".weight", x.weight, y.weight);
             });
        same(p + ".stickiness", a.stickiness, b.stickiness);
        for (auto [key, x, y] :
             {std::tuple{".protocol", &a.protocol, &b.protocol},
              std::tuple{".host", &a.host, &b.host}, std::tuple{".port", &a.port, &b.port},
              std::tuple{".path", &a.path, &b.path}, std::tuple{".query", &a.query, &b.query},
              std::tuple{".content_type", &a.content_type, &b.content_type},
              std::tuple{".body", &a.body, &b.body}}) {
            same(p + key, *x, *y);
        }
        same(p + ".status", a.status, b.status);
    }

    void load_balancer(const std::string& p, const RawLoadBalancer& a, const RawLoadBalancer& b) {
        meta(p, a.meta, b.meta);
        same(p + ".type", a.type, b.type);
        same(p + ".scheme", a.scheme, b.scheme);
        each(p + ".subnets", a.subnets, b.subnets, [this](auto& q, auto& x, auto& y) {
            same(q + ".subnet", x.subnet, y.subnet);
            same(q + ".private_ip", x.private_ip, y.private_ip);
            same(q + ".elastic_ip", x.elastic_ip, y.elastic_ip);
        });
        strings(p + ".security_groups", a.security_groups, b.security_groups);
        same(p + ".cross_zone", a.cross_zone, b.cross_zone);
        each(p + ".listeners", a.listeners, b.listeners, [this](auto& q, auto& x, auto& y) {
            same(q + ".protocol", x.protocol, y.protocol);
            same(q + ".port", x.port, y.port);
            same(q + ".certificate", x.certificate, y.certificate);
            same(q + ".default_action (written)", x.default_action.has_value(),
                 y.default_action.has_value());
            if (x.default_action && y.default_action) {
                action(q + ".default_action", *x.default_action, *y.default_action);
            }
            each(q + ".rules", x.rules, y.rules, [this](auto& r, auto& m, auto& n) {
                same(r + ".priority", m.priority, n.priority);
                each(r + ".conditions", m.conditions, n.conditions,
                     [this](auto& c, auto& u, auto& w) {
                         same(c + ".field", u.field, w.field);
                         same(c + ".header_name", u.header_name, w.header_name);
                         same(c + ".values", u.values, w.values);
                         same(c + ".source_ips", u.source_ips, w.source_ips);
                     });
                same(r + ".action (written)", m.action.has_value(), n.action.has_value());
                if (m.action && n.action) action(r + ".action", *m.action, *n.action);
            });
        });
    }

    void target_group(const std::string& p, const RawTargetGroup& a, const RawTargetGroup& b) {
        meta(p, a.meta, b.meta);
        same(p + ".target_type", a.target_type, b.target_type);
        same(p + ".protocol", a.protocol, b.protocol);
        same(p + ".port", a.port, b.port);
        const RawHealthCheck& x = a.health_check;
        const RawHealthCheck& y = b.health_check;
        same(p + ".health_check.protocol", x.protocol, y.protocol);
        same(p + ".health_check.port", x.port, y.port);
        same(p + ".health_check.path", x.path, y.path);
        same(p + ".health_check.matcher", x.matcher, y.matcher);
        same(p + ".health_check.interval", x.interval, y.interval);
        same(p + ".health_check.timeout", x.timeout, y.timeout);
        same(p + ".health_check.healthy_threshold", x.healthy_threshold, y.healthy_threshold);
        same(p + ".health_check.unhealthy_threshold", x.unhealthy_threshold, y.unhealthy_threshold);
        same(p + ".preserve_client_ip", a.preserve_client_ip, b.preserve_client_ip);
        same(p + ".stickiness", a.stickiness, b.stickiness);
        same(p + ".stickiness.duration", a.stickiness_duration, b.stickiness_duration);
        same(p + ".stickiness.cookie_name", a.cookie_name, b.cookie_name);
        same(p + ".deregistration_delay", a.deregistration_delay, b.deregistration_delay);
        same(p + ".algorithm", a.algorithm, b.algorithm);
        each(p + ".targets", a.targets, b.targets, [this](auto& q, auto& m, auto& n) {
            same(q + ".instance", m.instance, n.instance);
            same(q + ".ip", m.ip, n.ip);
            same(q + ".port", m.port, n.port);
        });
    }

    void acl_rule(const std::string& p, const RawAclRule& a, const RawAclRule& b) {
        same(p + ".text", a.text, b.text);
        same(p + ".number", a.number, b.number);
        same(p + ".action", a.action, b.action);
        same(p + ".protocol", a.protocol, b.protocol);
        same(p + ".ports", a.ports, b.ports);
        same(p + ".icmp", a.icmp, b.icmp);
        same(p + ".cidr", a.cidr, b.cidr);
    }

    void sg_rule(const std::string& p, const RawSgRule& a, const RawSgRule& b) {
        same(p + ".text", a.text, b.text);
        same(p + ".protocol", a.protocol, b.protocol);
        same(p + ".ports", a.ports, b.ports);
        same(p + ".icmp", a.icmp, b.icmp);
        same(p + ".peer_kind", a.peer_kind, b.peer_kind);
        same(p + ".cidr", a.cidr, b.cidr);
        same(p + ".reference", a.reference, b.reference);
        same(p + ".description", a.description, b.description);
    }

    void eni(const std::string& p, const RawEni& a, const RawEni& b) {
        meta(p, a.meta, b.meta);
        same(p + ".subnet", a.subnet, b.subnet);
        each(p + ".private_ips", a.private_ips, b.private_ips,
             [this](auto& q, auto& x, auto& y) { same(q, x, y); });
        same(p + ".public_ip", a.public_ip, b.public_ip);
        same(p + ".elastic_ip", a.elastic_ip, b.elastic_ip);
        each(p + ".secondary_elastic_ips", a.secondary_elastic_ips, b.secondary_elastic_ips,
             [this](auto& q, auto& x, auto& y) {
                 same(q + ".private_ip", x.private_ip, y.private_ip);
                 same(q + ".elastic_ip", x.elastic_ip, y.elastic_ip);
             });
        each(p + ".security_groups", a.security_groups, b.security_groups,
             [this](auto& q, auto& x, auto& y) { same(q, x, y); });
        same(p + ".source_dest_check", a.source_dest_check, b.source_dest_check);
        same(p + ".tcp_established_timeout", a.tcp_established_timeout, b.tcp_established_timeout);
        same(p + ".udp_stream_timeout", a.udp_stream_timeout, b.udp_stream_timeout);
        same(p + ".udp_timeout", a.udp_timeout, b.udp_timeout);
    }

    std::string first_;
};

// The first difference between two raw topologies, empty when they say the same.
inline std::string raw_difference(const RawTopology& a, const RawTopology& b) {
    return RawDiff()(a, b);
}

}  // namespace vpcstack::model::testing
