#include "vpcstack/model/yaml_reader.hpp"
#include "vpcstack/model/yaml_node.hpp"

#include "vpcstack/model/cloud_rules.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <charconv>
#include <cstdlib>
#include <initializer_list>
#include <utility>

#include "vpcstack/model/rule_text.hpp"

namespace vpcstack::model {

std::size_t edit_distance(std::string_view a, std::string_view b) {
    std::vector<std::size_t> row(b.size() + 1);
    for (std::size_t j = 0; j <= b.size(); ++j) row[j] = j;
    for (std::size_t i = 1; i <= a.size(); ++i) {
        std::size_t diagonal = row[0];
        row[0] = i;
        for (std::size_t j = 1; j <= b.size(); ++j) {
            std::size_t above = row[j];
            std::size_t substitute = diagonal + (a[i - 1] == b[j - 1] ? 0 : 1);
            row[j] = std::min({above + 1, row[j - 1] + 1, substitute});
            diagonal = above;
        }
    }
    return row[b.size()];
}

std::string closest_match(std::string_view word, const std::vector<std::string>& candidates) {
    // A likely typo: at most one edit for short words, two for longer ones.
    const std::size_t limit = word.size() <= 4 ? 1 : 2;
    std::string best;
    std::size_t best_distance = limit + 1;
    for (const std::string& c : candidates) {
        std::size_t d = edit_distance(word, c);
        if (d < best_distance) {
            best_distance = d;
            best = c;
        }
    }
    return best;
}

namespace {

// Names the resource a message is about: "subnet 'public'".
struct Ctx {
    std::string kind;
    std::string name;
};

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
    return s;
}

std::vector<std::string_view> split_words(std::string_view s) {
    std::vector<std::string_view> words;
    s = trim(s);
    while (!s.empty()) {
        std::size_t end = s.find_first_of(" \t");
        words.push_back(s.substr(0, end));
        if (end == std::string_view::npos) break;
        s = trim(s.substr(end));
    }
    return words;
}

std::optional<long> parse_integer(std::string_view text) {
    long value = 0;
    if (text.empty() || text.size() > 12) return std::nullopt;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc{} || end != text.data() + text.size()) return std::nullopt;
    return value;
}

// Protocol, ports and ICMP type of one rule.
struct Traffic {
    net::Protocol protocol;
    net::PortRange ports;
    net::IcmpMatch icmp;
};

constexpr const char* kProtocolExpected = "expected all, tcp, udp, icmp or a protocol number 0-255";
constexpr const char* kCidrExpected = "expected A.B.C.D/N with N from 0 to 32";
constexpr const char* kAddressExpected = "expected an IPv4 address A.B.C.D with numbers 0-255";
constexpr const char* kPortsExpected =
    "expected a port 0-65535 or a range A-B with A <= B (only for tcp and udp)";

class Reader {
  public:
    Reader(const std::string& file, Diagnostics& diags) : file_(file), diags_(diags) {}

    RawTopology read(const YAML::Node& root);

  private:
    // ---- diagnostics and locations ----
    SourceLocation at(const YAML::Node& n) const {
        YAML::Mark m = n.Mark();
        if (m.line < 0) return {file_, 0, 0};
        return {file_, m.line + 1, m.column + 1};
    }
    void error(const SourceLocation& loc, const Ctx& ctx, std::string message) {
        diags_.error(loc, ctx.kind, ctx.name, std::move(message));
    }

    // A key's value and the place to report it: null values have no useful mark of their own.
    struct Entry {
        YAML::Node key;
        YAML::Node value;
        SourceLocation loc;
        bool found = false;
    };
    Entry find(const YAML::Node& map, std::string_view key) const {
        for (auto it = map.begin(); it != map.end(); ++it) {
            if (it->first.IsScalar() && it->first.Scalar() == key) {
                SourceLocation loc = it->second.IsNull() ? at(it->first) : at(it->second);
                return {it->first, it->second, loc, true};
            }
        }
        return {};
    }

    bool expect_map(const YAML::Node& n, const SourceLocation& loc, const Ctx& ctx,
                    std::string_view what) {
        if (n.IsMap()) return true;
        error(loc, ctx, fmt::format("{} is {}; expected a map", what, yaml_kind(n)));
        return false;
    }

    void check_keys(const YAML::Node& map, std::initializer_list<const char*> allowed,
                    const Ctx& ctx);
    Field<std::string> string_field(const YAML::Node& map, std::string_view key, const Ctx& ctx,
                                    const SourceLocation& item);
    Field<bool> bool_field(const YAML::Node& map, std::string_view key, const Ctx& ctx,
                           const SourceLocation& item);
    Field<long> integer_field(const YAML::Node& map, std::string_view key, const Ctx& ctx,
                              const SourceLocation& item);
    Field<net::Cidr> cidr_field(const YAML::Node& map, std::string_view key, const Ctx& ctx,
                                const SourceLocation& item);
    Field<net::Ipv4Address> address_field(const YAML::Node& map, std::string_view key,
                                          const Ctx& ctx, const SourceLocation& item);
    // Calls `each` for every element of the list under `key`, when there is one.
    template <class F>
    void for_each_in_list(const YAML::Node& map, std::string_view key, const Ctx& ctx, F&& each);
    std::vector<Field<std::string>> string_list(const YAML::Node& map, std::string_view key,
                                                const Ctx& ctx);

    // ---- value syntax ----
    std::optional<net::Cidr> parse_cidr(std::string_view text, const SourceLocation& loc,
                                        const Ctx& ctx, std::string_view what);
    std::optional<net::Ipv4Address> parse_address(std::string_view text, const SourceLocation& loc,
                                                  const Ctx& ctx, std::string_view what);
    std::optional<net::Protocol> parse_protocol(std::string_view text, const SourceLocation& loc,
                                                const Ctx& ctx, std::string_view what);
    std::optional<net::PortRange> parse_ports(std::string_view text, const SourceLocation& loc,
                                              const Ctx& ctx, std::string_view what);
    std::optional<Traffic> parse_traffic(std::string_view text, const SourceLocation& loc,
                                         const Ctx& ctx, std::string_view what);
    std::optional<Traffic> read_traffic_keys(const YAML::Node& map, const SourceLocation& loc,
                                             const Ctx& ctx, std::string_view what);
    std::optional<std::vector<ListenPort>> read_listen(const YAML::Node& map, const Ctx& ctx);
    std::optional<RawMetadataOptions> read_metadata_options(const YAML::Node& map, const Ctx& ctx);

    // ---- resources ----
    RawMeta read_meta(const YAML::Node& map, const Ctx& ctx, bool name_required = true);
    void read_vpc(const YAML::Node& n, RawTopology& out);
    void read_internet_gateways(const YAML::Node& map, const Ctx& vpc_ctx, RawVpc& vpc);
    void read_subnet(const YAML::Node& n, RawVpc& vpc);
    void read_route_table(const YAML::Node& n, RawVpc& vpc);
    std::optional<RawRoute> read_route(const YAML::Node& n, const Ctx& ctx);
    void read_network_acl(const YAML::Node& n, RawVpc& vpc);
    std::optional<RawAclRule> read_acl_rule(const YAML::Node& n, bool inbound, const Ctx& ctx);
    void read_security_group(const YAML::Node& n, RawVpc& vpc);
    std::optional<RawSgRule> read_sg_rule(const YAML::Node& n, bool ingress, const Ctx& ctx);
    bool parse_sg_peer(std::string_view text, RawSgRule& rule, const SourceLocation& loc,
                       const Ctx& ctx, std::string_view what);
    void read_nat_gateway(const YAML::Node& n, RawVpc& vpc);
    void read_instance(const YAML::Node& n, RawVpc& vpc);
    void read_eni_fields(const YAML::Node& map, const Ctx& ctx, const SourceLocation& item,
                         RawEni& eni);
    void read_elastic_ip(const YAML::Node& n, RawTopology& out);
    void read_peering(const YAML::Node& n, RawTopology& out);
    void read_prefix_list(const YAML::Node& n, RawTopology& out);
    void read_internet_host(const YAML::Node& n, RawTopology& out);

    // ---- Route 53 ----
    void read_hosted_zone(const YAML::Node& n, RawTopology& out);
    std::optional<RawRecord> read_record(const YAML::Node& n, const Ctx& ctx);
    void read_route53_health_check(const YAML::Node& n, RawTopology& out);

    // ---- load balancing (per VPC) ----
    template <class E, std::size_t N>
    Field<E> choice_field(const YAML::Node& map, std::string_view key, const Ctx& ctx,
                          const SourceLocation& item,
                          const std::pair<const char*, E> (&choices)[N]);
    void read_load_balancer(const YAML::Node& n, RawVpc& vpc);
    std::optional<RawListener> read_listener(const YAML::Node& n, const Ctx& ctx);
    std::optional<RawListenerRule> read_listener_rule(const YAML::Node& n, const Ctx& ctx);
    std::optional<RawCondition> read_condition(const YAML::Node& n, const Ctx& ctx);
    std::optional<RawAction> read_action(const YAML::Node& n, const SourceLocation& loc,
                                         const Ctx& ctx, std::string_view what);
    void read_target_group(const YAML::Node& n, RawVpc& vpc);
    void read_launch_template(const YAML::Node& n, RawVpc& vpc);
    void read_auto_scaling_group(const YAML::Node& n, RawVpc& vpc);

    const std::string& file_;
    Diagnostics& diags_;
};

// ---------------------------------------------------------------------------------------------
// Generic field access

void Reader::check_keys(const YAML::Node& map, std::initializer_list<const char*> allowed,
                        const Ctx& ctx) {
    std::vector<std::string> names(allowed.begin(), allowed.end());
    std::vector<std::string> seen;
    for (auto it = map.begin(); it != map.end(); ++it) {
        const YAML::Node key = it->first;
        if (!key.IsScalar()) {
            error(at(key), ctx, fmt::format("a key is {}; expected a key name", yaml_kind(key)));
            continue;
        }
        const std::string& k = key.Scalar();
        if (std::find(names.begin(), names.end(), k) == names.end()) {
            std::string guess = closest_match(k, names);
            if (!guess.empty()) {
                error(at(key), ctx, fmt::format("unknown key '{}'; did you mean '{}'?", k, guess));
            } else {
                error(
                    at(key), ctx,
                    fmt::format("unknown key '{}'; expected one of {}", k, fmt::join(names, ", ")));
            }
            continue;
        }
        if (std::find(seen.begin(), seen.end(), k) != seen.end()) {
            error(at(key), ctx, fmt::format("key '{}' is written twice; expected it once", k));
        }
        seen.push_back(k);
    }
}

Field<std::string> Reader::string_field(const YAML::Node& map, std::string_view key, const Ctx& ctx,
                                        const SourceLocation& item) {
    Field<std::string> f;
    f.loc = item;
    Entry e = find(map, key);
    if (!e.found) return f;
    f.present = true;
    f.loc = e.loc;
    if (!e.value.IsScalar()) {
        error(e.loc, ctx, fmt::format("'{}' is {}; expected a string", key, yaml_kind(e.value)));
        return f;
    }
    f.value = e.value.Scalar();
    return f;
}

Field<bool> Reader::bool_field(const YAML::Node& map, std::string_view key, const Ctx& ctx,
                               const SourceLocation& item) {
    Field<std::string> s = string_field(map, key, ctx, item);
    Field<bool> f{std::nullopt, s.loc, s.present};
    if (!s.has_value()) return f;
    if (*s == "true") {
        f.value = true;
    } else if (*s == "false") {
        f.value = false;
    } else {
        error(s.loc, ctx, fmt::format("'{}' is '{}'; expected true or false", key, *s));
    }
    return f;
}

Field<long> Reader::integer_field(const YAML::Node& map, std::string_view key, const Ctx& ctx,
                                  const SourceLocation& item) {
    Field<std::string> s = string_field(map, key, ctx, item);
    Field<long> f{std::nullopt, s.loc, s.present};
    if (!s.has_value()) return f;
    f.value = parse_integer(*s);
    if (!f.value) error(s.loc, ctx, fmt::format("'{}' is '{}'; expected a number", key, *s));
    return f;
}

Field<net::Cidr> Reader::cidr_field(const YAML::Node& map, std::string_view key, const Ctx& ctx,
                                    const SourceLocation& item) {
    Field<std::string> s = string_field(map, key, ctx, item);
    Field<net::Cidr> f{std::nullopt, s.loc, s.present};
    if (s.has_value()) f.value = parse_cidr(*s, s.loc, ctx, fmt::format("'{}'", key));
    return f;
}

Field<net::Ipv4Address> Reader::address_field(const YAML::Node& map, std::string_view key,
                                              const Ctx& ctx, const SourceLocation& item) {
    Field<std::string> s = string_field(map, key, ctx, item);
    Field<net::Ipv4Address> f{std::nullopt, s.loc, s.present};
    if (s.has_value()) f.value = parse_address(*s, s.loc, ctx, fmt::format("'{}'", key));
    return f;
}

template <class F>
void Reader::for_each_in_list(const YAML::Node& map, std::string_view key, const Ctx& ctx,
                              F&& each) {
    Entry e = find(map, key);
    if (!e.found || e.value.IsNull()) return;
    if (!e.value.IsSequence()) {
        error(e.loc, ctx, fmt::format("'{}' is {}; expected a list", key, yaml_kind(e.value)));
        return;
    }
    for (const YAML::Node& item : e.value) each(item);
}

std::vector<Field<std::string>> Reader::string_list(const YAML::Node& map, std::string_view key,
                                                    const Ctx& ctx) {
    std::vector<Field<std::string>> out;
    for_each_in_list(map, key, ctx, [&](const YAML::Node& item) {
        if (!item.IsScalar()) {
            error(at(item), ctx,
                  fmt::format("an entry of '{}' is {}; expected a string", key, yaml_kind(item)));
            return;
        }
        out.push_back({item.Scalar(), at(item), true});
    });
    return out;
}

// ---------------------------------------------------------------------------------------------
// Value syntax

std::optional<net::Cidr> Reader::parse_cidr(std::string_view text, const SourceLocation& loc,
                                            const Ctx& ctx, std::string_view what) {
    bool host_bits = false;
    auto cidr = net::Cidr::parse_lenient(text, &host_bits);
    if (!cidr || text.find('/') == std::string_view::npos) {
        error(loc, ctx, fmt::format("invalid CIDR '{}' in {}; {}", text, what, kCidrExpected));
        return std::nullopt;
    }
    if (host_bits) {
        // AWS: the cloud rejects a CIDR block whose host bits are set.
        error(loc, ctx,
              fmt::format("CIDR '{}' in {} has host bits set; expected the network address {}",
                          text, what, cidr->to_string()));
        return std::nullopt;
    }
    return cidr;
}

std::optional<net::Ipv4Address> Reader::parse_address(std::string_view text,
                                                      const SourceLocation& loc, const Ctx& ctx,
                                                      std::string_view what) {
    auto address = net::Ipv4Address::parse(text);
    if (!address) {
        error(loc, ctx,
              fmt::format("invalid IPv4 address '{}' in {}; {}", text, what, kAddressExpected));
    }
    return address;
}

std::optional<net::Protocol> Reader::parse_protocol(std::string_view text,
                                                    const SourceLocation& loc, const Ctx& ctx,
                                                    std::string_view what) {
    auto protocol = net::Protocol::parse(text);
    if (!protocol) {
        error(loc, ctx,
              fmt::format("invalid protocol '{}' in {}; {}", text, what, kProtocolExpected));
    }
    return protocol;
}

std::optional<net::PortRange> Reader::parse_ports(std::string_view text, const SourceLocation& loc,
                                                  const Ctx& ctx, std::string_view what) {
    auto ports = net::PortRange::parse(text);
    if (!ports) {
        const char* noun = text.find('-') == std::string_view::npos ? "port" : "port range";
        error(loc, ctx, fmt::format("invalid {} '{}' in {}; {}", noun, text, what, kPortsExpected));
    }
    return ports;
}

// "tcp", "tcp/443", "udp/1024-65535", "icmp/8", "icmp/3:4", "all", "50".
std::optional<Traffic> Reader::parse_traffic(std::string_view text, const SourceLocation& loc,
                                             const Ctx& ctx, std::string_view what) {
    std::size_t slash = text.find('/');
    auto protocol = parse_protocol(text.substr(0, slash), loc, ctx, what);
    if (!protocol) return std::nullopt;
    Traffic t{*protocol, net::PortRange::all(), {}};
    if (slash == std::string_view::npos) return t;
    std::string_view rest = text.substr(slash + 1);
    if (protocol->has_ports()) {
        auto ports = parse_ports(rest, loc, ctx, what);
        if (!ports) return std::nullopt;
        t.ports = *ports;
        return t;
    }
    if (*protocol == net::Protocol::icmp()) {
        std::size_t colon = rest.find(':');
        auto type = parse_integer(rest.substr(0, colon));
        std::optional<long> code = -1;
        if (colon != std::string_view::npos) code = parse_integer(rest.substr(colon + 1));
        if (!type || !code || *type < 0 || *type > 255 || *code < -1 || *code > 255) {
            error(loc, ctx,
                  fmt::format("invalid ICMP type '{}' in {}; expected icmp/TYPE or icmp/TYPE:CODE "
                              "with numbers 0-255",
                              rest, what));
            return std::nullopt;
        }
        t.icmp = {static_cast<std::int16_t>(*type), static_cast<std::int16_t>(*code)};
        return t;
    }
    error(loc, ctx,
          fmt::format("ports '{}' given for protocol {} in {}; expected ports only with tcp or udp",
                      rest, protocol->to_string(), what));
    return std::nullopt;
}

// The long form: protocol, ports, icmp_type, icmp_code.
std::optional<Traffic> Reader::read_traffic_keys(const YAML::Node& map, const SourceLocation& loc,
                                                 const Ctx& ctx, std::string_view what) {
    Field<std::string> protocol_text = string_field(map, "protocol", ctx, loc);
    Field<std::string> ports_text = string_field(map, "ports", ctx, loc);
    Field<long> icmp_type = integer_field(map, "icmp_type", ctx, loc);
    Field<long> icmp_code = integer_field(map, "icmp_code", ctx, loc);
    if (!protocol_text.present) {
        error(loc, ctx, fmt::format("{} has no 'protocol'; {}", what, kProtocolExpected));
        return std::nullopt;
    }
    if (!protocol_text.has_value()) return std::nullopt;
    auto protocol = parse_protocol(*protocol_text, protocol_text.loc, ctx, what);
    if (!protocol) return std::nullopt;
    Traffic t{*protocol, net::PortRange::all(), {}};
    bool ok = true;
    if (ports_text.present) {
        if (!protocol->has_ports()) {
            error(ports_text.loc, ctx,
                  fmt::format("'ports' given for protocol {} in {}; expected ports only with tcp "
                              "or udp",
                              protocol->to_string(), what));
            ok = false;
        } else if (ports_text.has_value()) {
            auto ports = parse_ports(*ports_text, ports_text.loc, ctx, what);
            if (ports) t.ports = *ports;
            ok = ok && ports.has_value();
        } else {
            ok = false;
        }
    }
    for (const Field<long>* f : {&icmp_type, &icmp_code}) {
        if (!f->present) continue;
        const char* key = f == &icmp_type ? "icmp_type" : "icmp_code";
        if (*protocol != net::Protocol::icmp()) {
            error(f->loc, ctx,
                  fmt::format("'{}' given for protocol {} in {}; expected it only with icmp", key,
                              protocol->to_string(), what));
            ok = false;
        } else if (!f->has_value() || **f < 0 || **f > 255) {
            if (f->has_value()) {
                error(f->loc, ctx, fmt::format("'{}' is {}; expected a number 0-255", key, **f));
            }
            ok = false;
        }
    }
    if (icmp_type.has_value()) t.icmp.type = static_cast<std::int16_t>(*icmp_type);
    if (icmp_code.has_value()) t.icmp.code = static_cast<std::int16_t>(*icmp_code);
    if (ok && t.icmp.code >= 0 && t.icmp.type < 0) {
        error(icmp_code.loc, ctx,
              fmt::format("'icmp_code' given without 'icmp_type' in {}; expected both", what));
        ok = false;
    }
    if (!ok) return std::nullopt;
    return t;
}

// listen: [tcp/80, udp/53, icmp]
// AWS: configuring-instance-metadata-options (EC2 API InstanceMetadataOptionsRequest) — the
// values and the hop limit's range, 1 to 64.
std::optional<RawMetadataOptions> Reader::read_metadata_options(const YAML::Node& map,
                                                                const Ctx& ctx) {
    Entry e = find(map, "metadata_options");
    if (!e.found) return std::nullopt;
    const YAML::Node n = map["metadata_options"];
    if (!expect_map(n, e.loc, ctx, "'metadata_options'")) return std::nullopt;
    check_keys(n, {"http_endpoint", "http_tokens", "http_put_response_hop_limit"}, ctx);
    RawMetadataOptions o;
    o.loc = e.loc;
    auto one_of = [&](const char* key, std::initializer_list<const char*> values) {
        Field<std::string> f = string_field(n, key, ctx, e.loc);
        if (f.has_value() &&
            std::none_of(values.begin(), values.end(), [&](const char* v) { return *f == v; })) {
            error(f.loc, ctx,
                  fmt::format("'{}' is '{}'; expected {}", key, *f, fmt::join(values, " or ")));
            f.value.reset();
        }
        return f;
    };
    o.http_endpoint = one_of("http_endpoint", {"enabled", "disabled"});
    o.http_tokens = one_of("http_tokens", {"optional", "required"});
    o.http_put_response_hop_limit = integer_field(n, "http_put_response_hop_limit", ctx, e.loc);
    if (o.http_put_response_hop_limit.has_value() &&
        (*o.http_put_response_hop_limit < 1 || *o.http_put_response_hop_limit > 64)) {
        error(o.http_put_response_hop_limit.loc, ctx,
              fmt::format("'http_put_response_hop_limit' is {}; expected 1 to 64",
                          *o.http_put_response_hop_limit));
        o.http_put_response_hop_limit.value.reset();
    }
    return o;
}

std::optional<std::vector<ListenPort>> Reader::read_listen(const YAML::Node& map, const Ctx& ctx) {
    if (!find(map, "listen").found) return std::nullopt;
    std::vector<ListenPort> out;
    for (const Field<std::string>& f : string_list(map, "listen", ctx)) {
        if (*f == "icmp") {  // answers ICMP echo (ping)
            out.push_back({net::Protocol::kIcmp, 0});
            continue;
        }
        std::size_t slash = f->find('/');
        std::string_view proto = std::string_view(*f).substr(0, slash);
        std::optional<long> port;
        if (slash != std::string::npos)
            port = parse_integer(std::string_view(*f).substr(slash + 1));
        if ((proto != "tcp" && proto != "udp") || !port || *port < 0 || *port > 65535) {
            error(f.loc, ctx,
                  fmt::format("invalid listen port '{}'; expected tcp/PORT or udp/PORT with a port "
                              "0-65535, or icmp",
                              *f));
            continue;
        }
        out.push_back({proto == "tcp" ? net::Protocol::kTcp : net::Protocol::kUdp,
                       static_cast<std::uint16_t>(*port)});
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    return out;
}

// ---------------------------------------------------------------------------------------------
// Resources

RawMeta Reader::read_meta(const YAML::Node& map, const Ctx& ctx, bool name_required) {
    RawMeta meta;
    meta.loc = at(map);
    Field<std::string> name = string_field(map, "name", ctx, meta.loc);
    Field<std::string> id = string_field(map, "id", ctx, meta.loc);
    if (name.has_value() && name->empty()) {
        error(name.loc, ctx,
              fmt::format("'name' is empty; expected a name for every {}", ctx.kind));
    } else if (name.has_value()) {
        meta.name = *name;
    } else if (!name.present && name_required) {
        error(meta.loc, ctx,
              fmt::format("missing key 'name'; expected a name for every {}", ctx.kind));
    }
    if (id.has_value()) meta.id = *id;
    return meta;
}

RawTopology Reader::read(const YAML::Node& root) {
    RawTopology out;
    out.file = file_;
    const Ctx file_ctx{"", ""};
    if (!root.IsMap()) {
        error(at(root).line > 0 ? at(root) : SourceLocation{file_, 1, 1}, file_ctx,
              fmt::format("the file is {}; expected a map with 'region' and 'vpcs'",
                          yaml_kind(root)));
        return out;
    }
    check_keys(root,
               {"region", "vpcs", "elastic_ips", "peerings", "prefix_lists", "internet_hosts",
                "internet", "hosted_zones", "health_checks"},
               file_ctx);
    if (find(root, "internet").found) {
        const YAML::Node internet = root["internet"];
        const Ctx ctx{"internet", ""};
        if (expect_map(internet, at(internet), ctx, "'internet'")) {
            check_keys(internet, {"others", "unassigned"}, ctx);
            for (const Field<std::string>& a : string_list(internet, "unassigned", ctx)) {
                out.internet_unassigned.push_back(
                    {parse_address(*a, a.loc, ctx, "'unassigned'"), a.loc, true});
            }
            out.internet_others = string_field(internet, "others", ctx, at(internet));
            if (out.internet_others.present && *out.internet_others != "answer" &&
                *out.internet_others != "silent") {
                error(out.internet_others.loc, ctx,
                      fmt::format("'others' is '{}'; expected answer (any other internet address "
                                  "answers, the default) or silent (nothing answers)",
                                  *out.internet_others));
            }
        }
    }
    out.region = string_field(root, "region", file_ctx, at(root));
    if (!out.region.present) {
        error(at(root), file_ctx, "missing key 'region'; expected the default region of the VPCs");
    }
    for_each_in_list(root, "vpcs", file_ctx, [&](const YAML::Node& n) { read_vpc(n, out); });
    for_each_in_list(root, "elastic_ips", file_ctx,
                     [&](const YAML::Node& n) { read_elastic_ip(n, out); });
    for_each_in_list(root, "peerings", file_ctx,
                     [&](const YAML::Node& n) { read_peering(n, out); });
    for_each_in_list(root, "prefix_lists", file_ctx,
                     [&](const YAML::Node& n) { read_prefix_list(n, out); });
    for_each_in_list(root, "internet_hosts", file_ctx,
                     [&](const YAML::Node& n) { read_internet_host(n, out); });
    for_each_in_list(root, "hosted_zones", file_ctx,
                     [&](const YAML::Node& n) { read_hosted_zone(n, out); });
    for_each_in_list(root, "health_checks", file_ctx,
                     [&](const YAML::Node& n) { read_route53_health_check(n, out); });
    return out;
}

void Reader::read_vpc(const YAML::Node& n, RawTopology& out) {
    Ctx ctx{"VPC", ""};
    if (!expect_map(n, at(n), ctx, "an entry of 'vpcs'")) return;
    RawVpc vpc;
    vpc.meta = read_meta(n, ctx);
    ctx.name = vpc.meta.name;
    check_keys(n,
               {"name", "id", "region", "account", "cidr", "secondary_cidrs", "enable_dns_support",
                "enable_dns_hostnames", "internet_gateway", "subnets", "route_tables",
                "network_acls", "security_groups", "nat_gateways", "instances", "load_balancers",
                "target_groups", "launch_templates", "auto_scaling_groups"},
               ctx);
    vpc.region = string_field(n, "region", ctx, vpc.meta.loc);
    vpc.enable_dns_support = bool_field(n, "enable_dns_support", ctx, vpc.meta.loc);
    vpc.enable_dns_hostnames = bool_field(n, "enable_dns_hostnames", ctx, vpc.meta.loc);
    vpc.account = string_field(n, "account", ctx, vpc.meta.loc);
    vpc.cidr = cidr_field(n, "cidr", ctx, vpc.meta.loc);
    if (!vpc.cidr.present) {
        error(vpc.meta.loc, ctx, "missing key 'cidr'; expected the primary CIDR of the VPC");
    }
    vpc.secondary_cidrs_loc = vpc.meta.loc;
    if (Entry e = find(n, "secondary_cidrs"); e.found) vpc.secondary_cidrs_loc = e.loc;
    for (const Field<std::string>& s : string_list(n, "secondary_cidrs", ctx)) {
        vpc.secondary_cidrs.push_back(
            {parse_cidr(*s, s.loc, ctx, "'secondary_cidrs'"), s.loc, true});
    }
    read_internet_gateways(n, ctx, vpc);
    for_each_in_list(n, "subnets", ctx, [&](const YAML::Node& i) { read_subnet(i, vpc); });
    for_each_in_list(n, "route_tables", ctx,
                     [&](const YAML::Node& i) { read_route_table(i, vpc); });
    for_each_in_list(n, "network_acls", ctx,
                     [&](const YAML::Node& i) { read_network_acl(i, vpc); });
    for_each_in_list(n, "security_groups", ctx,
                     [&](const YAML::Node& i) { read_security_group(i, vpc); });
    for_each_in_list(n, "nat_gateways", ctx,
                     [&](const YAML::Node& i) { read_nat_gateway(i, vpc); });
    for_each_in_list(n, "instances", ctx, [&](const YAML::Node& i) { read_instance(i, vpc); });
    for_each_in_list(n, "load_balancers", ctx,
                     [&](const YAML::Node& i) { read_load_balancer(i, vpc); });
    for_each_in_list(n, "target_groups", ctx,
                     [&](const YAML::Node& i) { read_target_group(i, vpc); });
    for_each_in_list(n, "launch_templates", ctx,
                     [&](const YAML::Node& i) { read_launch_template(i, vpc); });
    for_each_in_list(n, "auto_scaling_groups", ctx,
                     [&](const YAML::Node& i) { read_auto_scaling_group(i, vpc); });
    out.vpcs.push_back(std::move(vpc));
}

// internet_gateway: NAME, {name, id}, or a list of those (more than one is reported later).
void Reader::read_internet_gateways(const YAML::Node& map, const Ctx& vpc_ctx, RawVpc& vpc) {
    Entry e = find(map, "internet_gateway");
    if (!e.found || e.value.IsNull()) return;
    auto read_one = [&](const YAML::Node& n) {
        Ctx ctx{"internet gateway", ""};
        RawInternetGateway igw;
        if (n.IsScalar()) {
            igw.meta.name = n.Scalar();
            igw.meta.loc = at(n);
        } else if (n.IsMap()) {
            igw.meta = read_meta(n, ctx);
            ctx.name = igw.meta.name;
            check_keys(n, {"name", "id", "route_table"}, ctx);
            igw.route_table = string_field(n, "route_table", ctx, igw.meta.loc);
        } else {
            error(at(n), vpc_ctx,
                  fmt::format("'internet_gateway' is {}; expected a name or a map with 'name'",
                              yaml_kind(n)));
            return;
        }
        if (!igw.meta.name.empty()) vpc.internet_gateways.push_back(std::move(igw));
    };
    if (e.value.IsSequence()) {
        for (const YAML::Node& n : e.value) read_one(n);
    } else {
        read_one(e.value);
    }
}

void Reader::read_subnet(const YAML::Node& n, RawVpc& vpc) {
    Ctx ctx{"subnet", ""};
    if (!expect_map(n, at(n), ctx, "an entry of 'subnets'")) return;
    RawSubnet s;
    s.meta = read_meta(n, ctx);
    ctx.name = s.meta.name;
    check_keys(n, {"name", "id", "cidr", "az", "route_table", "network_acl"}, ctx);
    s.cidr = cidr_field(n, "cidr", ctx, s.meta.loc);
    if (!s.cidr.present) error(s.meta.loc, ctx, "missing key 'cidr'; expected the subnet's CIDR");
    s.az = string_field(n, "az", ctx, s.meta.loc);
    s.route_table = string_field(n, "route_table", ctx, s.meta.loc);
    s.network_acl = string_field(n, "network_acl", ctx, s.meta.loc);
    vpc.subnets.push_back(std::move(s));
}

void Reader::read_route_table(const YAML::Node& n, RawVpc& vpc) {
    Ctx ctx{"route table", ""};
    if (!expect_map(n, at(n), ctx, "an entry of 'route_tables'")) return;
    RawRouteTable t;
    t.meta = read_meta(n, ctx);
    ctx.name = t.meta.name;
    check_keys(n, {"name", "id", "main", "routes"}, ctx);
    t.main = bool_field(n, "main", ctx, t.meta.loc);
    for_each_in_list(n, "routes", ctx, [&](const YAML::Node& r) {
        if (auto route = read_route(r, ctx)) t.routes.push_back(std::move(*route));
    });
    vpc.route_tables.push_back(std::move(t));
}

// "DESTINATION -> TARGET" or {destination, target, was, id}; DESTINATION is a CIDR or
// pl:PREFIX_LIST.
std::optional<RawRoute> Reader::read_route(const YAML::Node& n, const Ctx& ctx) {
    RawRoute r;
    r.loc = at(n);
    std::string destination;
    SourceLocation destination_loc = r.loc;
    if (n.IsScalar()) {
        r.text = n.Scalar();
        std::size_t arrow = r.text.find("->");
        if (arrow == std::string::npos) {
            error(r.loc, ctx,
                  fmt::format("route '{}' has no '->'; expected DESTINATION -> TARGET", r.text));
            return std::nullopt;
        }
        destination = trim(std::string_view(r.text).substr(0, arrow));
        r.target = trim(std::string_view(r.text).substr(arrow + 2));
    } else if (n.IsMap()) {
        check_keys(n, {"destination", "target", "was", "id"}, ctx);
        Field<std::string> d = string_field(n, "destination", ctx, r.loc);
        Field<std::string> t = string_field(n, "target", ctx, r.loc);
        Field<std::string> was = string_field(n, "was", ctx, r.loc);
        Field<std::string> id = string_field(n, "id", ctx, r.loc);
        if (!d.present || !t.present) {
            error(r.loc, ctx,
                  fmt::format("route is missing '{}'; expected 'destination' and 'target'",
                              d.present ? "target" : "destination"));
            return std::nullopt;
        }
        if (!d.has_value() || !t.has_value()) return std::nullopt;
        destination = *d;
        destination_loc = d.loc;
        r.target = *t;
        if (id.has_value()) r.id = *id;
        r.text = route_text(destination, r.target);
        if (was.has_value()) {
            r.was = *was;
            r.was_loc = was.loc;
            // AWS: VPC_Route_Tables — a route whose target was deleted is in state blackhole
            // and still names that target; only such a route says what its target was.
            if (r.target != "blackhole") {
                error(was.loc, ctx,
                      fmt::format("route '{}' has 'was' but its target is '{}'; expected 'was' "
                                  "only with target blackhole (naming the deleted target)",
                                  r.text, r.target));
            } else if (r.was.empty()) {
                error(was.loc, ctx,
                      fmt::format("route '{}' has an empty 'was'; expected the deleted target "
                                  "(its cloud id, such as eni-0abc, or nat/NAME, eni/NAME...)",
                                  r.text));
            }
        }
    } else {
        error(
            r.loc, ctx,
            fmt::format("a route is {}; expected 'DESTINATION -> TARGET' or a map", yaml_kind(n)));
        return std::nullopt;
    }
    if (r.target.empty()) {
        error(r.loc, ctx,
              fmt::format("route '{}' has no target; expected DESTINATION -> TARGET", r.text));
        return std::nullopt;
    }
    if (destination.starts_with("pl:")) {
        r.prefix_list = destination.substr(3);
        if (r.prefix_list.empty()) {
            error(destination_loc, ctx,
                  fmt::format("route '{}' has destination 'pl:' without a name; expected a "
                              "CIDR or pl:PREFIX_LIST",
                              r.text));
            return std::nullopt;
        }
        return r;
    }
    auto cidr = parse_cidr(destination, destination_loc, ctx, fmt::format("route '{}'", r.text));
    if (!cidr) return std::nullopt;
    r.destination = *cidr;
    return r;
}

void Reader::read_network_acl(const YAML::Node& n, RawVpc& vpc) {
    Ctx ctx{"network ACL", ""};
    if (!expect_map(n, at(n), ctx, "an entry of 'network_acls'")) return;
    RawAcl acl;
    acl.meta = read_meta(n, ctx);
    ctx.name = acl.meta.name;
    check_keys(n, {"name", "id", "default", "inbound", "outbound"}, ctx);
    acl.is_default = bool_field(n, "default", ctx, acl.meta.loc);
    for_each_in_list(n, "inbound", ctx, [&](const YAML::Node& r) {
        if (auto rule = read_acl_rule(r, true, ctx)) acl.inbound.push_back(std::move(*rule));
    });
    for_each_in_list(n, "outbound", ctx, [&](const YAML::Node& r) {
        if (auto rule = read_acl_rule(r, false, ctx)) acl.outbound.push_back(std::move(*rule));
    });
    vpc.network_acls.push_back(std::move(acl));
}

// "NUMBER allow|deny PROTOCOL[/PORTS] from|to CIDR" or
// {rule, action, protocol, ports, icmp_type, icmp_code, cidr}.
std::optional<RawAclRule> Reader::read_acl_rule(const YAML::Node& n, bool inbound, const Ctx& ctx) {
    RawAclRule r;
    r.loc = at(n);
    const char* direction = inbound ? "inbound" : "outbound";
    const char* preposition = inbound ? "from" : "to";
    std::string action;
    std::string cidr_text;
    SourceLocation action_loc = r.loc;
    SourceLocation cidr_loc = r.loc;
    if (n.IsScalar()) {
        r.text = n.Scalar();
        std::string what = fmt::format("{} rule '{}'", direction, r.text);
        std::vector<std::string_view> words = split_words(r.text);
        if (words.size() != 5 || (words[3] != "from" && words[3] != "to")) {
            error(r.loc, ctx,
                  fmt::format("{} is not a rule; expected 'NUMBER allow|deny PROTOCOL[/PORTS] {} "
                              "CIDR'",
                              what, preposition));
            return std::nullopt;
        }
        bool ok = true;
        if (words[3] != preposition) {
            error(r.loc, ctx,
                  fmt::format("{} says '{}'; expected '{}' in {} rules", what, words[3],
                              preposition, direction));
            ok = false;
        }
        auto number = parse_integer(words[0]);
        if (!number) {
            error(
                r.loc, ctx,
                fmt::format("{} has rule number '{}'; expected a number 1-32766", what, words[0]));
            ok = false;
        } else {
            r.number = *number;
        }
        auto traffic = parse_traffic(words[2], r.loc, ctx, what);
        if (traffic) {
            r.protocol = traffic->protocol;
            r.ports = traffic->ports;
            r.icmp = traffic->icmp;
        }
        action = words[1];
        cidr_text = words[4];
        if (!ok || !traffic) return std::nullopt;
    } else if (n.IsMap()) {
        check_keys(n, {"rule", "action", "protocol", "ports", "icmp_type", "icmp_code", "cidr"},
                   ctx);
        Field<long> number = integer_field(n, "rule", ctx, r.loc);
        Field<std::string> a = string_field(n, "action", ctx, r.loc);
        Field<std::string> c = string_field(n, "cidr", ctx, r.loc);
        std::string what = fmt::format("{} rule {}", direction,
                                       number.has_value() ? std::to_string(*number) : "?");
        auto traffic = read_traffic_keys(n, r.loc, ctx, what);
        for (auto [key, present] : {std::pair{"rule", number.present},
                                    std::pair{"action", a.present}, std::pair{"cidr", c.present}}) {
            if (!present) {
                error(r.loc, ctx,
                      fmt::format("{} is missing '{}'; expected rule, action, protocol and cidr",
                                  what, key));
            }
        }
        if (!number.has_value() || !a.has_value() || !c.has_value() || !traffic) {
            return std::nullopt;
        }
        r.number = *number;
        r.protocol = traffic->protocol;
        r.ports = traffic->ports;
        r.icmp = traffic->icmp;
        action = *a;
        action_loc = a.loc;
        cidr_text = *c;
        cidr_loc = c.loc;
        r.text = acl_rule_text(r.number, action, traffic_text(r.protocol, r.ports, r.icmp), inbound,
                               cidr_text);
    } else {
        error(r.loc, ctx,
              fmt::format("an {} rule is {}; expected 'NUMBER allow|deny PROTOCOL[/PORTS] {} "
                          "CIDR' or a map",
                          direction, yaml_kind(n), preposition));
        return std::nullopt;
    }
    bool ok = true;
    if (action == "allow") {
        r.action = RuleAction::Allow;
    } else if (action == "deny") {
        r.action = RuleAction::Deny;
    } else {
        error(action_loc, ctx,
              fmt::format("{} rule '{}' has action '{}'; expected allow or deny", direction, r.text,
                          action));
        ok = false;
    }
    auto cidr =
        parse_cidr(cidr_text, cidr_loc, ctx, fmt::format("{} rule '{}'", direction, r.text));
    if (cidr) r.cidr = *cidr;
    if (!ok || !cidr) return std::nullopt;
    return r;
}

void Reader::read_security_group(const YAML::Node& n, RawVpc& vpc) {
    Ctx ctx{"security group", ""};
    if (!expect_map(n, at(n), ctx, "an entry of 'security_groups'")) return;
    RawSecurityGroup sg;
    sg.meta = read_meta(n, ctx);
    ctx.name = sg.meta.name;
    check_keys(n, {"name", "id", "default", "ingress", "egress"}, ctx);
    sg.is_default = bool_field(n, "default", ctx, sg.meta.loc);
    for_each_in_list(n, "ingress", ctx, [&](const YAML::Node& r) {
        if (auto rule = read_sg_rule(r, true, ctx)) sg.ingress.push_back(std::move(*rule));
    });
    if (find(n, "egress").found) {
        sg.egress.emplace();
        for_each_in_list(n, "egress", ctx, [&](const YAML::Node& r) {
            if (auto rule = read_sg_rule(r, false, ctx)) sg.egress->push_back(std::move(*rule));
        });
    }
    vpc.security_groups.push_back(std::move(sg));
}

// A rule's peer: a CIDR, sg:NAME, sg:VPC/NAME or pl:NAME.
bool Reader::parse_sg_peer(std::string_view text, RawSgRule& rule, const SourceLocation& loc,
                           const Ctx& ctx, std::string_view what) {
    auto named = [&](std::string_view prefix, PeerKind kind) {
        rule.peer_kind = kind;
        rule.reference = std::string(text.substr(prefix.size()));
        if (rule.reference.empty()) {
            error(loc, ctx,
                  fmt::format("{} names no {}; expected {}NAME", what,
                              kind == PeerKind::SecurityGroup ? "group" : "prefix list", prefix));
            return false;
        }
        return true;
    };
    if (text.starts_with("sg:")) return named("sg:", PeerKind::SecurityGroup);
    if (text.starts_with("pl:")) return named("pl:", PeerKind::PrefixList);
    auto cidr = parse_cidr(text, loc, ctx, what);
    if (!cidr) return false;
    rule.peer_kind = PeerKind::Cidr;
    rule.cidr = *cidr;
    return true;
}

// "PROTOCOL[/PORTS] from|to PEER" or {protocol, ports, icmp_type, icmp_code, from|to,
// description}.
std::optional<RawSgRule> Reader::read_sg_rule(const YAML::Node& n, bool ingress, const Ctx& ctx) {
    RawSgRule r;
    r.loc = at(n);
    const char* direction = ingress ? "ingress" : "egress";
    const char* preposition = ingress ? "from" : "to";
    if (n.IsScalar()) {
        r.text = n.Scalar();
        std::string what = fmt::format("{} rule '{}'", direction, r.text);
        std::vector<std::string_view> words = split_words(r.text);
        if (words.size() != 3 || (words[1] != "from" && words[1] != "to")) {
            error(r.loc, ctx,
                  fmt::format("{} is not a rule; expected 'PROTOCOL[/PORTS] {} CIDR|sg:GROUP|"
                              "pl:PREFIX_LIST'",
                              what, preposition));
            return std::nullopt;
        }
        bool ok = true;
        if (words[1] != preposition) {
            error(r.loc, ctx,
                  fmt::format("{} says '{}'; expected '{}' in {} rules", what, words[1],
                              preposition, direction));
            ok = false;
        }
        auto traffic = parse_traffic(words[0], r.loc, ctx, what);
        ok = parse_sg_peer(words[2], r, r.loc, ctx, what) && ok;
        if (!traffic || !ok) return std::nullopt;
        r.protocol = traffic->protocol;
        r.ports = traffic->ports;
        r.icmp = traffic->icmp;
        return r;
    }
    if (!n.IsMap()) {
        error(r.loc, ctx,
              fmt::format("an {} rule is {}; expected 'PROTOCOL[/PORTS] {} PEER' or a map",
                          direction, yaml_kind(n), preposition));
        return std::nullopt;
    }
    if (n.size() == 1 && n.begin()->first.IsScalar() &&
        n.begin()->first.Scalar().find(' ') != std::string::npos) {
        // "tcp/22 from sg: web" is a map to YAML, because of ": ".
        std::string key = n.begin()->first.Scalar();
        error(r.loc, ctx,
              fmt::format("{} rule '{}: ...' was read as a map because of ': '; expected "
                          "sg:NAME or pl:NAME without a space (or the rule in quotes)",
                          direction, key));
        return std::nullopt;
    }
    check_keys(n, {"protocol", "ports", "icmp_type", "icmp_code", preposition, "description"}, ctx);
    std::string what = fmt::format("{} rule at line {}", direction, r.loc.line);
    auto traffic = read_traffic_keys(n, r.loc, ctx, what);
    Field<std::string> peer = string_field(n, preposition, ctx, r.loc);
    Field<std::string> description = string_field(n, "description", ctx, r.loc);
    if (!peer.present) {
        error(r.loc, ctx,
              fmt::format("{} is missing '{}'; expected a CIDR, sg:GROUP or pl:PREFIX_LIST", what,
                          preposition));
    }
    if (!traffic || !peer.has_value()) return std::nullopt;
    if (!parse_sg_peer(*peer, r, peer.loc, ctx, what)) return std::nullopt;
    r.protocol = traffic->protocol;
    r.ports = traffic->ports;
    r.icmp = traffic->icmp;
    if (description.has_value()) r.description = *description;
    r.text = sg_rule_text(traffic_text(r.protocol, r.ports, r.icmp), ingress, *peer);
    return r;
}

void Reader::read_nat_gateway(const YAML::Node& n, RawVpc& vpc) {
    Ctx ctx{"NAT gateway", ""};
    if (!expect_map(n, at(n), ctx, "an entry of 'nat_gateways'")) return;
    RawNatGateway nat;
    nat.meta = read_meta(n, ctx);
    ctx.name = nat.meta.name;
    check_keys(n, {"name", "id", "subnet", "private_ip", "elastic_ip", "type"}, ctx);
    nat.subnet = string_field(n, "subnet", ctx, nat.meta.loc);
    if (!nat.subnet.present) {
        error(nat.meta.loc, ctx, "missing key 'subnet'; expected the subnet of the NAT gateway");
    }
    nat.private_ip = address_field(n, "private_ip", ctx, nat.meta.loc);
    nat.elastic_ip = string_field(n, "elastic_ip", ctx, nat.meta.loc);
    Field<std::string> type = string_field(n, "type", ctx, nat.meta.loc);
    nat.is_public = {true, type.loc, type.present};
    if (type.has_value()) {
        if (*type == "public" || *type == "private") {
            nat.is_public.value = *type == "public";
        } else {
            nat.is_public.value.reset();
            error(type.loc, ctx, fmt::format("'type' is '{}'; expected public or private", *type));
        }
    }
    vpc.nat_gateways.push_back(std::move(nat));
}

void Reader::read_eni_fields(const YAML::Node& map, const Ctx& ctx, const SourceLocation& item,
                             RawEni& eni) {
    eni.subnet = string_field(map, "subnet", ctx, item);
    if (!eni.subnet.present && ctx.kind == "instance") {
        error(item, ctx,
              "missing key 'subnet'; expected 'subnet' for a single network interface, or "
              "'enis'");
    } else if (!eni.subnet.present) {
        error(item, ctx, "missing key 'subnet'; expected the subnet of the network interface");
    }
    Field<net::Ipv4Address> ip = address_field(map, "private_ip", ctx, item);
    if (ip.present) eni.private_ips.push_back(ip);
    if (Entry e = find(map, "private_ips"); e.found && ip.present) {
        error(e.loc, ctx, "both 'private_ip' and 'private_ips' are given; expected one of them");
    }
    for (const Field<std::string>& s : string_list(map, "private_ips", ctx)) {
        eni.private_ips.push_back({parse_address(*s, s.loc, ctx, "'private_ips'"), s.loc, true});
    }
    eni.public_ip = address_field(map, "public_ip", ctx, item);
    eni.elastic_ip = string_field(map, "elastic_ip", ctx, item);
    for_each_in_list(map, "secondary_elastic_ips", ctx, [&](const YAML::Node& n) {
        if (!expect_map(n, at(n), ctx, "an entry of 'secondary_elastic_ips'")) return;
        RawSecondaryElasticIp s;
        s.loc = at(n);
        check_keys(n, {"private_ip", "elastic_ip"}, ctx);
        s.private_ip = address_field(n, "private_ip", ctx, s.loc);
        s.elastic_ip = string_field(n, "elastic_ip", ctx, s.loc);
        if (!s.private_ip.present || !s.elastic_ip.present) {
            error(s.loc, ctx,
                  fmt::format("an entry of 'secondary_elastic_ips' is missing '{}'; expected "
                              "'private_ip' (a secondary address of the ENI) and 'elastic_ip'",
                              s.private_ip.present ? "elastic_ip" : "private_ip"));
            return;
        }
        eni.secondary_elastic_ips.push_back(std::move(s));
    });
    eni.security_groups_loc = item;
    if (Entry e = find(map, "security_groups"); e.found) eni.security_groups_loc = e.loc;
    eni.security_groups = string_list(map, "security_groups", ctx);
    eni.source_dest_check = bool_field(map, "source_dest_check", ctx, item);
    if (Entry e = find(map, "connection_tracking"); e.found) {
        const YAML::Node ct = map["connection_tracking"];
        if (!expect_map(ct, e.loc, ctx, "'connection_tracking'")) return;
        check_keys(ct, {"tcp_established_timeout", "udp_stream_timeout", "udp_timeout"}, ctx);
        // AWS: EC2 API ConnectionTrackingConfiguration — the cloud's ranges, in seconds.
        auto timeout = [&](const char* key, cloud::TimeoutRange range) {
            Field<long> f = integer_field(ct, key, ctx, e.loc);
            if (f.has_value() && (*f < range.min || *f > range.max)) {
                error(f.loc, ctx,
                      fmt::format("'{}' is {}; expected {} to {} seconds", key, *f, range.min,
                                  range.max));
                f.value.reset();
            }
            return f;
        };
        eni.tcp_established_timeout =
            timeout("tcp_established_timeout", cloud::kTcpEstablishedTimeout);
        eni.udp_stream_timeout = timeout("udp_stream_timeout", cloud::kUdpStreamTimeout);
        eni.udp_timeout = timeout("udp_timeout", cloud::kUdpTimeout);
    }
}

void Reader::read_instance(const YAML::Node& n, RawVpc& vpc) {
    Ctx ctx{"instance", ""};
    if (!expect_map(n, at(n), ctx, "an entry of 'instances'")) return;
    RawInstance inst;
    inst.meta = read_meta(n, ctx);
    ctx.name = inst.meta.name;
    check_keys(n,
               {"name", "id", "subnet", "private_ip", "private_ips", "public_ip", "elastic_ip",
                "secondary_elastic_ips", "security_groups", "source_dest_check",
                "connection_tracking", "state", "listen", "user_data", "metadata_options", "enis"},
               ctx);
    Field<std::string> state = string_field(n, "state", ctx, inst.meta.loc);
    if (state.has_value()) {
        static const std::vector<std::string> kStates = {"pending", "running",       "stopping",
                                                         "stopped", "shutting-down", "terminated"};
        if (std::find(kStates.begin(), kStates.end(), *state) == kStates.end()) {
            error(state.loc, ctx,
                  fmt::format("'state' is '{}'; expected one of {}", *state,
                              fmt::join(kStates, ", ")));
        }
        inst.running = *state == "running";
    }
    inst.state = state;
    inst.listen = read_listen(n, ctx);
    inst.user_data = string_field(n, "user_data", ctx, inst.meta.loc);
    inst.metadata_options = read_metadata_options(n, ctx);
    Entry enis = find(n, "enis");
    if (!enis.found) {
        RawEni eni;
        eni.meta.loc = inst.meta.loc;
        read_eni_fields(n, ctx, inst.meta.loc, eni);
        inst.enis.push_back(std::move(eni));
        vpc.instances.push_back(std::move(inst));
        return;
    }
    for (const char* key :
         {"subnet", "private_ip", "private_ips", "public_ip", "elastic_ip", "secondary_elastic_ips",
          "security_groups", "source_dest_check", "connection_tracking"}) {
        if (Entry e = find(n, key); e.found) {
            error(at(e.key), ctx,
                  fmt::format("'{}' is given with 'enis'; expected it inside each entry of 'enis'",
                              key));
        }
    }
    for_each_in_list(n, "enis", ctx, [&](const YAML::Node& e) {
        Ctx eni_ctx{"ENI", ""};
        if (!expect_map(e, at(e), ctx, "an entry of 'enis'")) return;
        RawEni eni;
        eni.meta = read_meta(e, eni_ctx, false);
        eni_ctx.name = eni.meta.name.empty()
                           ? fmt::format("{}/eth{}", inst.meta.name, inst.enis.size())
                           : eni.meta.name;
        check_keys(e,
                   {"name", "id", "subnet", "private_ip", "private_ips", "public_ip", "elastic_ip",
                    "secondary_elastic_ips", "security_groups", "source_dest_check",
                    "connection_tracking"},
                   eni_ctx);
        read_eni_fields(e, eni_ctx, eni.meta.loc, eni);
        inst.enis.push_back(std::move(eni));
    });
    if (inst.enis.empty() && (enis.value.IsSequence() || enis.value.IsNull())) {
        error(enis.loc, ctx, "'enis' is empty; expected at least one network interface");
    }
    vpc.instances.push_back(std::move(inst));
}

void Reader::read_elastic_ip(const YAML::Node& n, RawTopology& out) {
    Ctx ctx{"Elastic IP", ""};
    if (!expect_map(n, at(n), ctx, "an entry of 'elastic_ips'")) return;
    RawElasticIp eip;
    eip.meta = read_meta(n, ctx);
    ctx.name = eip.meta.name;
    check_keys(n, {"name", "id", "address"}, ctx);
    eip.address = address_field(n, "address", ctx, eip.meta.loc);
    if (!eip.address.present) {
        error(eip.meta.loc, ctx, "missing key 'address'; expected the public IPv4 address");
    }
    out.elastic_ips.push_back(std::move(eip));
}

void Reader::read_peering(const YAML::Node& n, RawTopology& out) {
    Ctx ctx{"peering", ""};
    if (!expect_map(n, at(n), ctx, "an entry of 'peerings'")) return;
    RawPeering p;
    p.meta = read_meta(n, ctx);
    ctx.name = p.meta.name;
    check_keys(n, {"name", "id", "requester", "accepter", "status"}, ctx);
    p.requester = string_field(n, "requester", ctx, p.meta.loc);
    p.accepter = string_field(n, "accepter", ctx, p.meta.loc);
    for (auto* f : {&p.requester, &p.accepter}) {
        if (!f->present) {
            error(p.meta.loc, ctx,
                  fmt::format("missing key '{}'; expected the names of both VPCs",
                              f == &p.requester ? "requester" : "accepter"));
        }
    }
    Field<std::string> status = string_field(n, "status", ctx, p.meta.loc);
    p.status = {PeeringStatus::Active, status.loc, status.present};
    if (status.has_value()) {
        p.status.value = parse_peering_status(*status);
        if (!p.status.has_value()) {
            error(status.loc, ctx,
                  fmt::format("'status' is '{}'; expected active, pending-acceptance, rejected, "
                              "deleted or failed",
                              *status));
        }
    }
    out.peerings.push_back(std::move(p));
}

void Reader::read_prefix_list(const YAML::Node& n, RawTopology& out) {
    Ctx ctx{"prefix list", ""};
    if (!expect_map(n, at(n), ctx, "an entry of 'prefix_lists'")) return;
    RawPrefixList pl;
    pl.meta = read_meta(n, ctx);
    ctx.name = pl.meta.name;
    check_keys(n, {"name", "id", "cidrs"}, ctx);
    for (const Field<std::string>& s : string_list(n, "cidrs", ctx)) {
        if (auto c = parse_cidr(*s, s.loc, ctx, "'cidrs'")) pl.cidrs.push_back(*c);
    }
    out.prefix_lists.push_back(std::move(pl));
}

void Reader::read_internet_host(const YAML::Node& n, RawTopology& out) {
    Ctx ctx{"internet host", ""};
    if (!expect_map(n, at(n), ctx, "an entry of 'internet_hosts'")) return;
    RawInternetHost h;
    h.meta = read_meta(n, ctx);
    ctx.name = h.meta.name;
    check_keys(n, {"name", "id", "address", "listen", "location"}, ctx);
    h.address = address_field(n, "address", ctx, h.meta.loc);
    if (!h.address.present) {
        error(h.meta.loc, ctx, "missing key 'address'; expected the host's public IPv4 address");
    }
    h.listen = read_listen(n, ctx);
    if (Entry e = find(n, "location"); e.found) {
        if (expect_map(e.value, e.loc, ctx, "'location'")) {
            h.location = true;
            h.location_loc = e.loc;
            if (e.value.size() == 0) {
                error(e.loc, ctx,
                      "'location' names no place; expected {country: DE}, {country: US, "
                      "subdivision: WA}, {continent: EU} and/or {region: eu-central-1}");
            }
            check_keys(e.value, {"continent", "country", "subdivision", "region"}, ctx);
            h.continent = string_field(e.value, "continent", ctx, e.loc);
            h.country = string_field(e.value, "country", ctx, e.loc);
            h.subdivision = string_field(e.value, "subdivision", ctx, e.loc);
            h.region = string_field(e.value, "region", ctx, e.loc);
        }
    }
    out.internet_hosts.push_back(std::move(h));
}

// ---------------------------------------------------------------------------------------------
// Load balancing: load balancers, target groups, launch templates, Auto Scaling groups. The
// spellings are the cloud's (docs/topology.md).

namespace {
constexpr std::pair<const char*, LoadBalancerType> kLbTypes[] = {
    {"network", LoadBalancerType::Network}, {"application", LoadBalancerType::Application}};
constexpr std::pair<const char*, LoadBalancerScheme> kLbSchemes[] = {
    {"internet-facing", LoadBalancerScheme::InternetFacing},
    {"internal", LoadBalancerScheme::Internal}};
constexpr std::pair<const char*, LbProtocol> kLbProtocolChoices[] = {
    {"TCP", LbProtocol::Tcp}, {"UDP", LbProtocol::Udp},   {"TCP_UDP", LbProtocol::TcpUdp},
    {"TLS", LbProtocol::Tls}, {"HTTP", LbProtocol::Http}, {"HTTPS", LbProtocol::Https}};
constexpr std::pair<const char*, TargetType> kTargetTypes[] = {{"instance", TargetType::Instance},
                                                               {"ip", TargetType::Ip}};
constexpr std::pair<const char*, LbAlgorithm> kAlgorithms[] = {
    {"round_robin", LbAlgorithm::RoundRobin},
    {"least_outstanding_requests", LbAlgorithm::LeastOutstandingRequests}};
constexpr std::pair<const char*, StickinessKind> kStickiness[] = {
    {"lb_cookie", StickinessKind::LbCookie},
    {"app_cookie", StickinessKind::AppCookie},
    {"source_ip", StickinessKind::SourceIp}};
constexpr std::pair<const char*, AsgHealthCheckType> kAsgHealthChecks[] = {
    {"EC2", AsgHealthCheckType::Ec2}, {"ELB", AsgHealthCheckType::Elb}};
}  // namespace

template <class E, std::size_t N>
Field<E> Reader::choice_field(const YAML::Node& map, std::string_view key, const Ctx& ctx,
                              const SourceLocation& item,
                              const std::pair<const char*, E> (&choices)[N]) {
    Field<std::string> s = string_field(map, key, ctx, item);
    Field<E> f{std::nullopt, s.loc, s.present};
    if (!s.has_value()) return f;
    std::vector<std::string> names;
    for (const auto& [text, value] : choices) {
        if (*s == text) f.value = value;
        names.push_back(text);
    }
    if (!f.has_value()) {
        const std::string last = names.back();
        names.pop_back();
        error(
            s.loc, ctx,
            fmt::format("'{}' is '{}'; expected {} or {}", key, *s, fmt::join(names, ", "), last));
    }
    return f;
}

void Reader::read_load_balancer(const YAML::Node& n, RawVpc& vpc) {
    Ctx ctx{"load balancer", ""};
    if (!expect_map(n, at(n), ctx, "an entry of 'load_balancers'")) return;
    RawLoadBalancer lb;
    lb.meta = read_meta(n, ctx);
    ctx.name = lb.meta.name;
    check_keys(
        n,
        {"name", "id", "type", "scheme", "subnets", "security_groups", "cross_zone", "listeners"},
        ctx);
    lb.type = choice_field(n, "type", ctx, lb.meta.loc, kLbTypes);
    if (!lb.type.present) {
        error(lb.meta.loc, ctx, "missing key 'type'; expected network or application");
    }
    lb.scheme = choice_field(n, "scheme", ctx, lb.meta.loc, kLbSchemes);
    lb.subnets_loc = lb.meta.loc;
    if (Entry e = find(n, "subnets"); e.found) lb.subnets_loc = e.loc;
    for_each_in_list(n, "subnets", ctx, [&](const YAML::Node& s) {
        RawLbSubnet m;
        m.loc = at(s);
        if (s.IsScalar()) {
            m.subnet = {s.Scalar(), m.loc, true};
        } else if (s.IsMap()) {
            check_keys(s, {"subnet", "private_ip", "elastic_ip"}, ctx);
            m.subnet = string_field(s, "subnet", ctx, m.loc);
            m.private_ip = address_field(s, "private_ip", ctx, m.loc);
            m.elastic_ip = string_field(s, "elastic_ip", ctx, m.loc);
            if (!m.subnet.present) {
                error(m.loc, ctx,
                      "an entry of 'subnets' is missing 'subnet'; expected the subnet of the "
                      "node in one availability zone");
                return;
            }
        } else {
            error(m.loc, ctx,
                  fmt::format("an entry of 'subnets' is {}; expected a subnet name or a map "
                              "with 'subnet', 'private_ip', 'elastic_ip'",
                              yaml_kind(s)));
            return;
        }
        lb.subnets.push_back(std::move(m));
    });
    if (!find(n, "subnets").found) {
        error(lb.meta.loc, ctx,
              "missing key 'subnets'; expected the subnets of the load balancer, one per "
              "availability zone");
    }
    lb.security_groups_loc = lb.meta.loc;
    if (Entry e = find(n, "security_groups"); e.found) lb.security_groups_loc = e.loc;
    lb.security_groups = string_list(n, "security_groups", ctx);
    lb.cross_zone = bool_field(n, "cross_zone", ctx, lb.meta.loc);
    for_each_in_list(n, "listeners", ctx, [&](const YAML::Node& l) {
        if (auto listener = read_listener(l, ctx)) lb.listeners.push_back(std::move(*listener));
    });
    vpc.load_balancers.push_back(std::move(lb));
}

std::optional<RawListener> Reader::read_listener(const YAML::Node& n, const Ctx& ctx) {
    if (!expect_map(n, at(n), ctx, "an entry of 'listeners'")) return std::nullopt;
    RawListener l;
    l.loc = at(n);
    check_keys(n, {"protocol", "port", "certificate", "default_action", "rules"}, ctx);
    l.protocol = choice_field(n, "protocol", ctx, l.loc, kLbProtocolChoices);
    l.port = integer_field(n, "port", ctx, l.loc);
    l.certificate = string_field(n, "certificate", ctx, l.loc);
    for (const char* key : {"protocol", "port", "default_action"}) {
        if (!find(n, key).found) {
            error(l.loc, ctx,
                  fmt::format("a listener is missing '{}'; expected protocol, port and "
                              "default_action",
                              key));
        }
    }
    if (Entry e = find(n, "default_action"); e.found) {
        l.default_action = read_action(e.value, e.loc, ctx, "'default_action'");
    }
    for_each_in_list(n, "rules", ctx, [&](const YAML::Node& r) {
        if (auto rule = read_listener_rule(r, ctx)) l.rules.push_back(std::move(*rule));
    });
    return l;
}

std::optional<RawListenerRule> Reader::read_listener_rule(const YAML::Node& n, const Ctx& ctx) {
    if (!expect_map(n, at(n), ctx, "an entry of 'rules'")) return std::nullopt;
    RawListenerRule r;
    r.loc = at(n);
    check_keys(n, {"priority", "conditions", "action"}, ctx);
    r.priority = integer_field(n, "priority", ctx, r.loc);
    for (const char* key : {"priority", "conditions", "action"}) {
        if (!find(n, key).found) {
            error(r.loc, ctx,
                  fmt::format("a rule is missing '{}'; expected priority, conditions and action",
                              key));
        }
    }
    for_each_in_list(n, "conditions", ctx, [&](const YAML::Node& c) {
        if (auto condition = read_condition(c, ctx)) r.conditions.push_back(std::move(*condition));
    });
    if (Entry e = find(n, "action"); e.found)
        r.action = read_action(e.value, e.loc, ctx, "'action'");
    return r;
}

// {FIELD: VALUE or [VALUES]}, or {http-header: {name, values}}.
std::optional<RawCondition> Reader::read_condition(const YAML::Node& n, const Ctx& ctx) {
    RawCondition c;
    c.loc = at(n);
    constexpr const char* kFields =
        "host-header, path-pattern, http-header, http-request-method, query-string or source-ip";
    if (!n.IsMap() || n.size() != 1 || !n.begin()->first.IsScalar()) {
        error(c.loc, ctx,
              fmt::format("a condition is {}; expected a map with one key of {}",
                          n.IsMap() ? "a map with more than one key" : yaml_kind(n), kFields));
        return std::nullopt;
    }
    const std::string key = n.begin()->first.Scalar();
    const YAML::Node value = n.begin()->second;
    auto field = parse_condition_field(key);
    if (!field) {
        error(at(n.begin()->first), ctx,
              fmt::format("unknown condition '{}'; expected {}", key, kFields));
        return std::nullopt;
    }
    c.field = *field;
    YAML::Node values = value;
    if (c.field == ConditionField::HttpHeader) {
        if (!expect_map(value, at(value), ctx, "condition 'http-header'")) return std::nullopt;
        check_keys(value, {"name", "values"}, ctx);
        Field<std::string> name = string_field(value, "name", ctx, at(value));
        if (!name.present || !find(value, "values").found) {
            error(at(value), ctx,
                  "condition 'http-header' needs 'name' and 'values'; expected the header's "
                  "name and the values it may have");
            return std::nullopt;
        }
        if (!name.has_value()) return std::nullopt;
        c.header_name = *name;
        values = value["values"];
    }
    std::vector<YAML::Node> items;
    if (values.IsScalar()) {
        items.push_back(values);
    } else if (values.IsSequence() && values.size() > 0) {
        for (const YAML::Node& v : values) items.push_back(v);
    } else {
        error(at(values).line > 0 ? at(values) : c.loc, ctx,
              fmt::format("condition '{}' is {}; expected a value or a list of values", key,
                          values.IsSequence() ? "an empty list" : yaml_kind(values)));
        return std::nullopt;
    }
    bool ok = true;
    for (const YAML::Node& v : items) {
        if (!v.IsScalar()) {
            error(at(v), ctx,
                  fmt::format("a value of condition '{}' is {}; expected a string", key,
                              yaml_kind(v)));
            ok = false;
            continue;
        }
        if (c.field == ConditionField::SourceIp) {
            auto cidr = parse_cidr(v.Scalar(), at(v), ctx, "condition 'source-ip'");
            if (cidr) c.source_ips.push_back(*cidr);
            ok = ok && cidr.has_value();
        } else {
            c.values.push_back(v.Scalar());
        }
    }
    if (!ok) return std::nullopt;
    return c;
}

std::optional<RawAction> Reader::read_action(const YAML::Node& n, const SourceLocation& loc,
                                             const Ctx& ctx, std::string_view what) {
    constexpr const char* kForms =
        "a map with one of forward (a target group, or {target_groups, stickiness}), redirect "
        "or fixed-response";
    RawAction a;
    a.loc = loc;
    if (!n.IsMap() || n.size() != 1 || !n.begin()->first.IsScalar()) {
        error(loc, ctx, fmt::format("{} is {}; expected {}", what, yaml_kind(n), kForms));
        return std::nullopt;
    }
    const std::string kind = n.begin()->first.Scalar();
    const YAML::Node body = n.begin()->second;
    const SourceLocation body_loc = body.IsNull() ? at(n.begin()->first) : at(body);
    if (kind == "forward") {
        a.kind = ActionKind::Forward;
        if (body.IsScalar()) {
            a.target_groups.push_back({{body.Scalar(), body_loc, true}, {}, body_loc});
            return a;
        }
        if (!expect_map(body, body_loc, ctx, fmt::format("'forward' of {}", what))) {
            return std::nullopt;
        }
        check_keys(body, {"target_groups", "stickiness"}, ctx);
        a.stickiness = integer_field(body, "stickiness", ctx, body_loc);
        for_each_in_list(body, "target_groups", ctx, [&](const YAML::Node& g) {
            RawWeightedGroup w;
            w.loc = at(g);
            if (g.IsScalar()) {
                w.name = {g.Scalar(), w.loc, true};
            } else if (g.IsMap()) {
                check_keys(g, {"name", "weight"}, ctx);
                w.name = string_field(g, "name", ctx, w.loc);
                w.weight = integer_field(g, "weight", ctx, w.loc);
                if (!w.name.present) {
                    error(w.loc, ctx,
                          "an entry of 'target_groups' is missing 'name'; expected a target "
                          "group and its weight");
                    return;
                }
            } else {
                error(w.loc, ctx,
                      fmt::format("an entry of 'target_groups' is {}; expected a name or "
                                  "{{name, weight}}",
                                  yaml_kind(g)));
                return;
            }
            a.target_groups.push_back(std::move(w));
        });
        if (a.target_groups.empty()) {
            error(body_loc, ctx,
                  fmt::format("'forward' of {} names no target group; expected 'target_groups' "
                              "with at least one",
                              what));
            return std::nullopt;
        }
        return a;
    }
    if (kind == "redirect") {
        a.kind = ActionKind::Redirect;
        if (!expect_map(body, body_loc, ctx, fmt::format("'redirect' of {}", what))) {
            return std::nullopt;
        }
        check_keys(body, {"protocol", "host", "port", "path", "query", "status"}, ctx);
        a.protocol = string_field(body, "protocol", ctx, body_loc);
        a.host = string_field(body, "host", ctx, body_loc);
        a.port = string_field(body, "port", ctx, body_loc);
        a.path = string_field(body, "path", ctx, body_loc);
        a.query = string_field(body, "query", ctx, body_loc);
        a.status = integer_field(body, "status", ctx, body_loc);
        return a;
    }
    if (kind == "fixed-response") {
        a.kind = ActionKind::FixedResponse;
        if (!expect_map(body, body_loc, ctx, fmt::format("'fixed-response' of {}", what))) {
            return std::nullopt;
        }
        check_keys(body, {"status", "content_type", "body"}, ctx);
        a.status = integer_field(body, "status", ctx, body_loc);
        a.content_type = string_field(body, "content_type", ctx, body_loc);
        a.body = string_field(body, "body", ctx, body_loc);
        if (!a.status.present) {
            error(body_loc, ctx,
                  fmt::format("'fixed-response' of {} is missing 'status'; expected an HTTP "
                              "status code 200-599",
                              what));
            return std::nullopt;
        }
        return a;
    }
    error(at(n.begin()->first), ctx,
          fmt::format("{} has action type '{}'; expected {}", what, kind, kForms));
    return std::nullopt;
}

void Reader::read_target_group(const YAML::Node& n, RawVpc& vpc) {
    Ctx ctx{"target group", ""};
    if (!expect_map(n, at(n), ctx, "an entry of 'target_groups'")) return;
    RawTargetGroup g;
    g.meta = read_meta(n, ctx);
    ctx.name = g.meta.name;
    check_keys(n,
               {"name", "id", "target_type", "protocol", "port", "health_check",
                "preserve_client_ip", "stickiness", "deregistration_delay", "algorithm", "targets"},
               ctx);
    g.target_type = choice_field(n, "target_type", ctx, g.meta.loc, kTargetTypes);
    g.protocol = choice_field(n, "protocol", ctx, g.meta.loc, kLbProtocolChoices);
    g.port = integer_field(n, "port", ctx, g.meta.loc);
    for (const char* key : {"protocol", "port"}) {
        if (!find(n, key).found) {
            error(g.meta.loc, ctx,
                  fmt::format("missing key '{}'; expected the protocol and port the targets "
                              "receive traffic on",
                              key));
        }
    }
    if (Entry e = find(n, "health_check"); e.found) {
        const YAML::Node hc = n["health_check"];
        if (expect_map(hc, e.loc, ctx, "'health_check'")) {
            check_keys(hc,
                       {"protocol", "port", "path", "matcher", "interval", "timeout",
                        "healthy_threshold", "unhealthy_threshold"},
                       ctx);
            RawHealthCheck& h = g.health_check;
            h.protocol = choice_field(hc, "protocol", ctx, e.loc, kLbProtocolChoices);
            Field<std::string> port = string_field(hc, "port", ctx, e.loc);
            h.port = {std::nullopt, port.loc, port.present};
            if (port.has_value() && *port != "traffic-port") {
                h.port.value = parse_integer(*port);
                if (!h.port.has_value()) {
                    error(port.loc, ctx,
                          fmt::format("'port' is '{}'; expected traffic-port or a port 1-65535",
                                      *port));
                }
            }
            h.path = string_field(hc, "path", ctx, e.loc);
            h.matcher = string_field(hc, "matcher", ctx, e.loc);
            h.interval = integer_field(hc, "interval", ctx, e.loc);
            h.timeout = integer_field(hc, "timeout", ctx, e.loc);
            h.healthy_threshold = integer_field(hc, "healthy_threshold", ctx, e.loc);
            h.unhealthy_threshold = integer_field(hc, "unhealthy_threshold", ctx, e.loc);
        }
    }
    g.preserve_client_ip = bool_field(n, "preserve_client_ip", ctx, g.meta.loc);
    if (Entry e = find(n, "stickiness"); e.found) {
        const YAML::Node st = n["stickiness"];
        if (expect_map(st, e.loc, ctx, "'stickiness'")) {
            check_keys(st, {"type", "duration", "cookie_name"}, ctx);
            g.stickiness = choice_field(st, "type", ctx, e.loc, kStickiness);
            if (!g.stickiness.present) {
                error(e.loc, ctx,
                      "'stickiness' is missing 'type'; expected lb_cookie, app_cookie or "
                      "source_ip");
            }
            g.stickiness_duration = integer_field(st, "duration", ctx, e.loc);
            g.cookie_name = string_field(st, "cookie_name", ctx, e.loc);
        }
    }
    g.deregistration_delay = integer_field(n, "deregistration_delay", ctx, g.meta.loc);
    g.algorithm = choice_field(n, "algorithm", ctx, g.meta.loc, kAlgorithms);
    for_each_in_list(n, "targets", ctx, [&](const YAML::Node& t) {
        RawTarget target;
        target.loc = at(t);
        if (t.IsScalar()) {
            // An address is an ip target, anything else names an instance.
            if (auto a = net::Ipv4Address::parse(t.Scalar())) {
                target.ip = {a, target.loc, true};
            } else {
                target.instance = {t.Scalar(), target.loc, true};
            }
        } else if (t.IsMap()) {
            check_keys(t, {"instance", "ip", "port"}, ctx);
            target.instance = string_field(t, "instance", ctx, target.loc);
            target.ip = address_field(t, "ip", ctx, target.loc);
            target.port = integer_field(t, "port", ctx, target.loc);
            if (target.instance.present == target.ip.present) {
                error(target.loc, ctx,
                      "a target needs one of 'instance' and 'ip'; expected {instance: NAME} or "
                      "{ip: ADDRESS}, with an optional 'port'");
                return;
            }
        } else {
            error(target.loc, ctx,
                  fmt::format("an entry of 'targets' is {}; expected an instance name, an "
                              "address, or a map with 'instance' or 'ip' and 'port'",
                              yaml_kind(t)));
            return;
        }
        g.targets.push_back(std::move(target));
    });
    vpc.target_groups.push_back(std::move(g));
}

void Reader::read_launch_template(const YAML::Node& n, RawVpc& vpc) {
    Ctx ctx{"launch template", ""};
    if (!expect_map(n, at(n), ctx, "an entry of 'launch_templates'")) return;
    RawLaunchTemplate lt;
    lt.meta = read_meta(n, ctx);
    ctx.name = lt.meta.name;
    check_keys(n,
               {"name", "id", "security_groups", "user_data", "listen", "source_dest_check",
                "metadata_options"},
               ctx);
    lt.security_groups_loc = lt.meta.loc;
    if (Entry e = find(n, "security_groups"); e.found) lt.security_groups_loc = e.loc;
    lt.security_groups = string_list(n, "security_groups", ctx);
    lt.user_data = string_field(n, "user_data", ctx, lt.meta.loc);
    lt.listen = read_listen(n, ctx);
    lt.source_dest_check = bool_field(n, "source_dest_check", ctx, lt.meta.loc);
    lt.metadata_options = read_metadata_options(n, ctx);
    vpc.launch_templates.push_back(std::move(lt));
}

void Reader::read_auto_scaling_group(const YAML::Node& n, RawVpc& vpc) {
    Ctx ctx{"Auto Scaling group", ""};
    if (!expect_map(n, at(n), ctx, "an entry of 'auto_scaling_groups'")) return;
    RawAutoScalingGroup g;
    g.meta = read_meta(n, ctx);
    ctx.name = g.meta.name;
    check_keys(
        n,
        {"name", "id", "launch_template", "min_size", "max_size", "desired_capacity", "subnets",
         "target_groups", "health_check_type", "health_check_grace_period", "target_tracking"},
        ctx);
    g.launch_template = string_field(n, "launch_template", ctx, g.meta.loc);
    g.min_size = integer_field(n, "min_size", ctx, g.meta.loc);
    g.max_size = integer_field(n, "max_size", ctx, g.meta.loc);
    g.desired_capacity = integer_field(n, "desired_capacity", ctx, g.meta.loc);
    for (const char* key : {"launch_template", "min_size", "max_size", "subnets"}) {
        if (!find(n, key).found) {
            error(g.meta.loc, ctx,
                  fmt::format("missing key '{}'; expected launch_template, min_size, max_size "
                              "and subnets",
                              key));
        }
    }
    g.subnets_loc = g.meta.loc;
    if (Entry e = find(n, "subnets"); e.found) g.subnets_loc = e.loc;
    g.subnets = string_list(n, "subnets", ctx);
    g.target_groups = string_list(n, "target_groups", ctx);
    g.health_check_type = choice_field(n, "health_check_type", ctx, g.meta.loc, kAsgHealthChecks);
    g.health_check_grace_period = integer_field(n, "health_check_grace_period", ctx, g.meta.loc);
    if (Entry e = find(n, "target_tracking"); e.found) {
        const YAML::Node tt = n["target_tracking"];
        if (expect_map(tt, e.loc, ctx, "'target_tracking'")) {
            check_keys(tt, {"metric", "target_group", "target_value", "period", "disable_scale_in"},
                       ctx);
            RawTargetTracking& t = g.target_tracking.emplace();
            t.loc = e.loc;
            t.metric = string_field(tt, "metric", ctx, e.loc);
            t.target_group = string_field(tt, "target_group", ctx, e.loc);
            Field<std::string> value = string_field(tt, "target_value", ctx, e.loc);
            t.target_value = {std::nullopt, value.loc, value.present};
            if (value.has_value()) {
                char* end = nullptr;
                const double v = std::strtod(value->c_str(), &end);
                if (end != value->c_str() && *end == '\0') {
                    t.target_value.value = v;
                } else {
                    error(value.loc, ctx,
                          fmt::format("'target_value' is '{}'; expected a number", *value));
                }
            }
            t.period = integer_field(tt, "period", ctx, e.loc);
            t.disable_scale_in = bool_field(tt, "disable_scale_in", ctx, e.loc);
        }
    }
    vpc.auto_scaling_groups.push_back(std::move(g));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// Route 53: hosted zones with their records, and health checks (docs/topology.md).

namespace {
constexpr std::pair<const char*, HealthCheckType> kHealthCheckTypes[] = {
    {"HTTP", HealthCheckType::Http},
    {"HTTPS", HealthCheckType::Https},
    {"TCP", HealthCheckType::Tcp},
    {"CALCULATED", HealthCheckType::Calculated}};
// The record types the lab's zones hold (AWS: ResourceRecordTypes, less SOA which Route 53
// makes itself, and the types this lab does not answer).
constexpr dns::RrType kRecordTypes[] = {dns::RrType::A,   dns::RrType::AAAA, dns::RrType::CNAME,
                                        dns::RrType::TXT, dns::RrType::MX,   dns::RrType::NS,
                                        dns::RrType::SRV, dns::RrType::PTR,  dns::RrType::CAA};
constexpr const char* kRecordTypesText = "A, AAAA, CNAME, TXT, MX, NS, SRV, PTR or CAA";
}  // namespace

void Reader::read_hosted_zone(const YAML::Node& n, RawTopology& out) {
    Ctx ctx{"hosted zone", ""};
    if (!expect_map(n, at(n), ctx, "an entry of 'hosted_zones'")) return;
    RawHostedZone z;
    z.meta = read_meta(n, ctx);
    ctx.name = z.meta.name;
    check_keys(n, {"name", "id", "private", "vpcs", "records"}, ctx);
    z.is_private = bool_field(n, "private", ctx, z.meta.loc);
    z.vpcs_loc = z.meta.loc;
    if (Entry e = find(n, "vpcs"); e.found) {
        z.vpcs_written = true;
        z.vpcs_loc = e.loc;
    }
    z.vpcs = string_list(n, "vpcs", ctx);
    for_each_in_list(n, "records", ctx, [&](const YAML::Node& r) {
        if (auto record = read_record(r, ctx)) z.records.push_back(std::move(*record));
    });
    out.hosted_zones.push_back(std::move(z));
}

std::optional<RawRecord> Reader::read_record(const YAML::Node& n, const Ctx& ctx) {
    if (!expect_map(n, at(n), ctx, "an entry of 'records'")) return std::nullopt;
    RawRecord r;
    r.loc = at(n);
    check_keys(n,
               {"name", "type", "ttl", "values", "alias", "set_identifier", "health_check",
                "weight", "failover", "multivalue", "latency", "geolocation"},
               ctx);
    r.name = string_field(n, "name", ctx, r.loc);
    if (!r.name.present) {
        error(r.loc, ctx,
              "a record without 'name'; expected a name relative to the zone, '@' for the apex, "
              "or an absolute name ending with '.'");
    }
    Field<std::string> type = string_field(n, "type", ctx, r.loc);
    r.type = {std::nullopt, type.loc, type.present};
    if (!type.present) {
        error(r.loc, ctx, fmt::format("a record without 'type'; expected {}", kRecordTypesText));
    } else if (type.has_value()) {
        auto parsed = dns::parse_rr_type(*type);
        if (parsed && std::find(std::begin(kRecordTypes), std::end(kRecordTypes), *parsed) !=
                          std::end(kRecordTypes)) {
            r.type.value = parsed;
        } else {
            error(type.loc, ctx,
                  fmt::format("record type '{}' is not supported; expected {}", *type,
                              kRecordTypesText));
        }
    }
    r.ttl = integer_field(n, "ttl", ctx, r.loc);
    r.values_loc = r.loc;
    if (Entry e = find(n, "values"); e.found) {
        r.values_written = true;
        r.values_loc = e.loc;
    }
    r.values = string_list(n, "values", ctx);
    if (Entry e = find(n, "alias"); e.found) {
        RawAlias a;
        a.loc = e.loc;
        if (expect_map(e.value, e.loc, ctx, "'alias'")) {
            check_keys(e.value, {"target", "evaluate_target_health"}, ctx);
            a.target = string_field(e.value, "target", ctx, a.loc);
            if (!a.target.present) {
                error(a.loc, ctx,
                      "'alias' without 'target'; expected a load balancer of the topology or a "
                      "record of the zone");
            }
            a.evaluate_target_health = bool_field(e.value, "evaluate_target_health", ctx, a.loc);
        }
        r.alias = std::move(a);
    }
    r.set_identifier = string_field(n, "set_identifier", ctx, r.loc);
    r.health_check = string_field(n, "health_check", ctx, r.loc);
    r.weight = integer_field(n, "weight", ctx, r.loc);
    r.failover = string_field(n, "failover", ctx, r.loc);
    if (r.failover.has_value() && *r.failover != "primary" && *r.failover != "secondary") {
        error(r.failover.loc, ctx,
              fmt::format("'failover' is '{}'; expected primary or secondary", *r.failover));
        r.failover.value.reset();
    }
    r.multivalue = bool_field(n, "multivalue", ctx, r.loc);
    if (Entry e = find(n, "latency"); e.found) {
        r.latency = true;
        r.latency_loc = e.loc;
        if (expect_map(e.value, e.loc, ctx, "'latency'")) {
            check_keys(e.value, {"region"}, ctx);
            r.latency_region = string_field(e.value, "region", ctx, e.loc);
            if (!r.latency_region.present) {
                error(e.loc, ctx, "'latency' without 'region'; expected {region: REGION}");
            }
        }
    }
    if (Entry e = find(n, "geolocation"); e.found) {
        r.geolocation = true;
        r.geolocation_loc = e.loc;
        if (expect_map(e.value, e.loc, ctx, "'geolocation'")) {
            check_keys(e.value, {"continent", "country", "subdivision"}, ctx);
            r.continent = string_field(e.value, "continent", ctx, e.loc);
            r.country = string_field(e.value, "country", ctx, e.loc);
            r.subdivision = string_field(e.value, "subdivision", ctx, e.loc);
        }
    }
    return r;
}

void Reader::read_route53_health_check(const YAML::Node& n, RawTopology& out) {
    Ctx ctx{"health check", ""};
    if (!expect_map(n, at(n), ctx, "an entry of 'health_checks'")) return;
    RawRoute53HealthCheck h;
    h.meta = read_meta(n, ctx);
    ctx.name = h.meta.name;
    check_keys(n,
               {"name", "id", "type", "ip", "domain", "port", "path", "interval",
                "failure_threshold", "inverted", "children", "healthy_threshold"},
               ctx);
    h.type = choice_field(n, "type", ctx, h.meta.loc, kHealthCheckTypes);
    if (!h.type.present) {
        error(h.meta.loc, ctx, "missing key 'type'; expected HTTP, HTTPS, TCP or CALCULATED");
    }
    h.ip = address_field(n, "ip", ctx, h.meta.loc);
    h.domain = string_field(n, "domain", ctx, h.meta.loc);
    h.port = integer_field(n, "port", ctx, h.meta.loc);
    h.path = string_field(n, "path", ctx, h.meta.loc);
    h.interval = integer_field(n, "interval", ctx, h.meta.loc);
    h.failure_threshold = integer_field(n, "failure_threshold", ctx, h.meta.loc);
    h.inverted = bool_field(n, "inverted", ctx, h.meta.loc);
    h.children_loc = h.meta.loc;
    if (Entry e = find(n, "children"); e.found) {
        h.children_written = true;
        h.children_loc = e.loc;
    }
    h.children = string_list(n, "children", ctx);
    h.healthy_threshold = integer_field(n, "healthy_threshold", ctx, h.meta.loc);
    out.health_checks.push_back(std::move(h));
}

std::optional<RawTopology> read_topology_yaml(std::string_view text, const std::string& file,
                                              Diagnostics& diags) {
    YAML::Node root;
    try {
        std::vector<YAML::Node> documents = YAML::LoadAll(std::string(text));
        if (documents.size() > 1) {
            YAML::Mark m = documents[1].Mark();
            diags.error({file, m.line >= 0 ? m.line + 1 : 0, m.line >= 0 ? m.column + 1 : 0}, "",
                        "", "a second YAML document; expected one topology per file");
            return std::nullopt;
        }
        if (!documents.empty()) root = documents.front();
    } catch (const YAML::ParserException& e) {
        diags.error({file, e.mark.line + 1, e.mark.column + 1}, "", "",
                    fmt::format("malformed YAML: {}; expected well-formed YAML (check indentation, "
                                "brackets and quotes)",
                                e.msg));
        return std::nullopt;
    } catch (const YAML::Exception& e) {
        diags.error({file, 0, 0}, "", "", fmt::format("malformed YAML: {}", e.what()));
        return std::nullopt;
    }
    Reader reader(file, diags);
    try {
        return reader.read(root);
    } catch (const YAML::Exception& e) {
        // Defensive: every access above checks node types first.
        diags.error(
            {file, e.mark.line + 1, e.mark.column + 1}, "", "",
            fmt::format("unreadable YAML: {}; expected the layout of docs/topology.md", e.msg));
        return std::nullopt;
    }
}

const char* yaml_kind(const YAML::Node& n) {
    switch (n.Type()) {
        case YAML::NodeType::Map:
            return "a map";
        case YAML::NodeType::Sequence:
            return "a list";
        case YAML::NodeType::Scalar:
            return "a string";
        default:
            return "empty";
    }
}

}  // namespace vpcstack::model
