// Comparing two raw topologies for the round-trip tests: what each says, not where it was
// written (source locations) and not its comments, which the reader skips. The answer is the
// first difference as a path ("vpcs[0].subnets[1].az: 'us-east-1a' vs unset"), empty when
// there is none.
#pragma once

#include <fmt/format.h>

#include <optional>
#include <string>
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
             });
        same("internet.others", a.internet_others, b.internet_others);
        each("internet.unassigned", a.internet_unassigned, b.internet_unassigned,
             [this](auto& q, auto& x, auto& y) { same(q, x, y); });
        return first_;
    }

  private:
    static std::string show(const std::string& v) { return "'" + v + "'"; }
    static std::string show(bool v) { return v ? "true" : "false"; }
    static std::string show(long v) { return std::to_string(v); }
    static std::string show(RuleAction v) { return v == RuleAction::Allow ? "allow" : "deny"; }
    static std::string show(PeerKind v) { return std::to_string(static_cast<int>(v)); }
    static std::string show(PeeringStatus v) { return to_string(v); }
    static std::string show(const ListenPort& v) { return v.to_string(); }
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

    void vpc(const std::string& p, const RawVpc& a, const RawVpc& b) {
        meta(p, a.meta, b.meta);
        same(p + ".region", a.region, b.region);
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
            each(q + ".enis", x.enis, y.enis, &RawDiff::eni);
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
