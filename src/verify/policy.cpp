// Policy files: reading them with every error in place, and checking them against a Reach.
#include "vpcstack/verify/policy.hpp"

#include "vpcstack/model/yaml_node.hpp"

#include <fmt/format.h>
#include <yaml-cpp/yaml.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <sstream>

#include "vpcstack/model/yaml_reader.hpp"

namespace vpcstack::verify {
namespace {

constexpr const char* kServiceExpected =
    "expected tcp/PORT, tcp/FIRST-LAST, tcp, udp/PORT, udp/FIRST-LAST, udp, icmp echo, a "
    "protocol number or all";
const std::vector<std::string> kAssertionKeys = {"name",      "from",        "to",
                                                 "reachable", "unreachable", "only"};

// The key a mistyped one most likely meant: at most two edits ("form" for "from"), one for
// short words.
std::string suggestion(std::string_view word) {
    const std::size_t limit = word.size() < 4 ? 1 : 2;
    std::string best;
    std::size_t best_distance = limit + 1;
    for (const std::string& key : kAssertionKeys) {
        std::size_t d = model::edit_distance(word, key);
        if (d < best_distance) {
            best_distance = d;
            best = key;
        }
    }
    return best;
}

class PolicyReader {
  public:
    PolicyReader(std::string file, model::Diagnostics& diags)
        : file_(std::move(file)), diags_(diags) {}

    Policy read(const YAML::Node& root) {
        Policy policy{file_, {}};
        if (!root.IsMap()) {
            error(at(root), "",
                  fmt::format("the policy is {}; expected a map with the key "
                              "'assertions'",
                              model::yaml_kind(root)));
            return policy;
        }
        YAML::Node list;
        bool found = false;
        for (auto it = root.begin(); it != root.end(); ++it) {
            std::string key = it->first.IsScalar() ? it->first.Scalar() : "";
            if (key == "assertions") {
                list = it->second;
                found = true;
            } else {
                error(at(it->first), "",
                      fmt::format("unknown key '{}'; expected 'assertions'", key));
            }
        }
        if (!found) {
            error(at(root), "", "missing key 'assertions'; expected a list of assertions");
        } else if (!list.IsSequence() || list.size() == 0) {
            error(at(list), "",
                  fmt::format("'assertions' is {}; expected a list of at least one assertion",
                              list.IsSequence() ? "an empty list" : model::yaml_kind(list)));
        } else {
            for (std::size_t i = 0; i < list.size(); ++i) {
                if (std::optional<Assertion> a = read_assertion(list[i], i + 1)) {
                    policy.assertions.push_back(std::move(*a));
                }
            }
        }
        return policy;
    }

  private:
    model::SourceLocation at(const YAML::Node& n) const {
        YAML::Mark m = n.Mark();
        if (m.line < 0) return {file_, 0, 0};
        return {file_, m.line + 1, m.column + 1};
    }
    void error(const model::SourceLocation& loc, std::string kind, std::string message) {
        diags_.error(loc, std::move(kind), "", std::move(message));
    }

    std::optional<Assertion> read_assertion(const YAML::Node& n, std::size_t number) {
        std::string kind = fmt::format("assertion {}", number);
        if (!n.IsMap()) {
            error(at(n), kind,
                  fmt::format("is {}; expected a map with from, to and one of "
                              "reachable, unreachable or only",
                              model::yaml_kind(n)));
            return std::nullopt;
        }
        // Messages name the assertion by its name when it has one, wherever the name is written.
        for (auto it = n.begin(); it != n.end(); ++it) {
            if (it->first.IsScalar() && it->first.Scalar() == "name" && it->second.IsScalar() &&
                !it->second.Scalar().empty()) {
                kind = fmt::format("assertion '{}'", it->second.Scalar());
            }
        }
        Assertion a;
        a.number = number;
        a.loc = at(n);
        bool ok = true;
        std::vector<YAML::Node> kinds;  // the keys reachable/unreachable/only, as written
        std::vector<std::string> seen;
        for (auto it = n.begin(); it != n.end(); ++it) {
            const YAML::Node key = it->first;
            const YAML::Node value = it->second;
            // A null value has no useful mark of its own: report at its key.
            model::SourceLocation value_loc = value.IsNull() ? at(key) : at(value);
            std::string k = key.IsScalar() ? key.Scalar() : "";
            if (std::find(kAssertionKeys.begin(), kAssertionKeys.end(), k) ==
                kAssertionKeys.end()) {
                std::string guess = suggestion(k);
                error(at(key), kind,
                      guess.empty()
                          ? fmt::format("unknown key '{}'; expected one of {}", k,
                                        fmt::join(kAssertionKeys, ", "))
                          : fmt::format("unknown key '{}'; did you mean '{}'?", k, guess));
                ok = false;
                continue;
            }
            if (std::find(seen.begin(), seen.end(), k) != seen.end()) {
                error(at(key), kind, fmt::format("key '{}' is written twice; expected it once", k));
                ok = false;
                continue;
            }
            seen.push_back(k);
            if (k == "name" || k == "from" || k == "to") {
                if (!value.IsScalar() || value.Scalar().empty()) {
                    error(value_loc, kind,
                          fmt::format("{} is {}; expected {}", k,
                                      value.IsScalar() ? "empty" : model::yaml_kind(value),
                                      k == "name" ? "a name"
                                                  : "a selector: an instance, ENI, subnet, VPC, "
                                                    "security group, CIDR or internet"));
                    ok = false;
                    continue;
                }
                if (k == "name") a.name = value.Scalar();
                if (k == "from") {
                    a.from = value.Scalar();
                    a.from_loc = value_loc;
                }
                if (k == "to") {
                    a.to = value.Scalar();
                    a.to_loc = value_loc;
                }
                continue;
            }
            kinds.push_back(key);
            a.kind = k == "reachable"     ? Assertion::Kind::Reachable
                     : k == "unreachable" ? Assertion::Kind::Unreachable
                                          : Assertion::Kind::Only;
            ok = read_services(value, value_loc, kind, k, a) && ok;
        }
        for (const char* end : {"from", "to"}) {
            if (std::find(seen.begin(), seen.end(), end) == seen.end()) {
                error(a.loc, kind,
                      fmt::format("missing key '{}'; expected a selector: an instance, ENI, "
                                  "subnet, VPC, security group, CIDR or internet",
                                  end));
                ok = false;
            }
        }
        if (kinds.empty()) {
            error(a.loc, kind, "says nothing; expected one of reachable, unreachable or only");
            ok = false;
        } else if (kinds.size() > 1) {
            error(at(kinds[1]), kind,
                  fmt::format("'{}' and '{}' in one assertion; expected exactly one of "
                              "reachable, unreachable or only (write two assertions)",
                              kinds[0].Scalar(), kinds[1].Scalar()));
            ok = false;
        }
        if (!ok) return std::nullopt;
        return a;
    }

    // A list of services, or one service as a plain string.
    bool read_services(const YAML::Node& value, const model::SourceLocation& loc,
                       const std::string& kind, const std::string& key, Assertion& a) {
        std::vector<YAML::Node> items;
        if (value.IsScalar()) {
            items.push_back(value);
        } else if (value.IsSequence() && value.size() > 0) {
            for (const YAML::Node& item : value) items.push_back(item);
        } else {
            error(loc, kind,
                  fmt::format("{} is {}; expected a list of services such as [tcp/443, icmp echo]",
                              key, value.IsSequence() ? "an empty list" : model::yaml_kind(value)));
            return false;
        }
        bool ok = true;
        for (const YAML::Node& item : items) {
            if (!item.IsScalar()) {
                error(at(item), kind,
                      fmt::format("a service of {} is {}; {}", key, model::yaml_kind(item),
                                  kServiceExpected));
                ok = false;
                continue;
            }
            const std::string& text = item.Scalar();
            if (text == "all") {
                a.services.add(all_services());
            } else if (std::optional<ServiceRange> r = parse_service(text)) {
                a.services.add(*r);
            } else {
                error(at(item), kind,
                      fmt::format("bad service '{}' in {}; {}", text, key, kServiceExpected));
                ok = false;
                continue;
            }
            a.service_texts.push_back(text);
        }
        return ok;
    }

    std::string file_;
    model::Diagnostics& diags_;
};

// The first port (or the protocol) of `services` a packet like `w` can be sent to.
const ServiceRange* pick_range(const Witness& w, const ServiceSet& services) {
    for (const ServiceRange& r : services.ranges()) {
        if (r.protocol == w.protocol) return &r;
    }
    return services.ranges().empty() ? nullptr : &services.ranges().front();
}

bool witness_is_in(const Witness& w, const ServiceSet& services) {
    if (!w.protocol.has_ports()) {
        return services.contains(ServiceRange{w.protocol, 0, 0}) ||
               services.contains(ServiceRange{w.protocol, 8, 8});
    }
    return services.contains(w.protocol, w.dport);
}

// The Closed group of the first service of `missing`, and its witness sent to that group's
// part of `missing`.
void blocked_witness(const PairResult& pair, const ServiceSet& missing, Violation& v) {
    for (const Closed& c : pair.closed) {
        ServiceSet part = c.services.intersect(missing);
        if (part.empty()) continue;
        v.witness = witness_in(c.witness, part);
        v.blockers = c.blockers;
        return;
    }
}

}  // namespace

std::string_view kind_name(Assertion::Kind kind) {
    switch (kind) {
        case Assertion::Kind::Reachable:
            return "reachable";
        case Assertion::Kind::Unreachable:
            return "unreachable";
        case Assertion::Kind::Only:
            return "only";
    }
    return "reachable";
}

std::string Assertion::label() const {
    if (!name.empty()) return name;
    return fmt::format("{} -> {} {} [{}]", from, to, kind_name(kind),
                       fmt::join(service_texts, ", "));
}

PolicyLoad load_policy_text(std::string_view yaml, const std::string& file) {
    PolicyLoad result;
    YAML::Node root;
    try {
        std::vector<YAML::Node> documents = YAML::LoadAll(std::string(yaml));
        if (documents.size() > 1) {
            YAML::Mark m = documents[1].Mark();
            result.diagnostics.error({file, m.line + 1, m.column + 1}, "", "",
                                     "a second YAML document; expected one policy per file");
            return result;
        }
        if (!documents.empty()) root = documents.front();
    } catch (const YAML::ParserException& e) {
        result.diagnostics.error({file, e.mark.line + 1, e.mark.column + 1}, "", "",
                                 fmt::format("malformed YAML: {}; expected well-formed YAML "
                                             "(check indentation, brackets and quotes)",
                                             e.msg));
        return result;
    } catch (const YAML::Exception& e) {
        result.diagnostics.error({file, 0, 0}, "", "", fmt::format("malformed YAML: {}", e.what()));
        return result;
    }
    Policy policy = PolicyReader(file, result.diagnostics).read(root);
    if (!result.diagnostics.has_errors()) result.policy = std::move(policy);
    return result;
}

PolicyLoad load_policy_file(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        PolicyLoad result;
        result.diagnostics.error(
            {path, 0, 0}, "", "",
            fmt::format("cannot read the file: {}; expected a readable policy file",
                        std::strerror(errno)));
        return result;
    }
    std::ostringstream text;
    text << in.rdbuf();
    return load_policy_text(text.str(), path);
}

Witness witness_in(const Witness& witness, const ServiceSet& services) {
    if (witness_is_in(witness, services)) return witness;
    const ServiceRange* r = pick_range(witness, services);
    if (r == nullptr) return witness;
    Witness w = witness;
    if (r->protocol.has_ports() && !w.protocol.has_ports()) {
        w.sport = 32768;  // the first port of Linux's ephemeral range, as trace uses
    }
    w.protocol = r->protocol;
    w.dport = r->protocol.has_ports() ? r->first : 0;
    if (!r->protocol.has_ports()) w.sport = 0;
    return w;
}

Witness connecting_witness(const PairResult& pair, const ServiceSet& bad) {
    const std::vector<ServiceRange>& open = pair.open.ranges();
    for (std::size_t i = 0; i < open.size() && i < pair.open_witnesses.size(); ++i) {
        ServiceSet range;
        range.add(open[i]);
        ServiceSet part = range.intersect(bad);
        if (!part.empty()) return witness_in(pair.open_witnesses[i], part);
    }
    return pair.open_witnesses.empty() ? Witness{} : witness_in(pair.open_witnesses.front(), bad);
}

bool PolicyCheck::holds() const {
    return !diagnostics.has_errors() &&
           std::all_of(results.begin(), results.end(),
                       [](const AssertionResult& r) { return r.evaluated && r.holds; });
}

PolicyCheck check_policy(const Reach& reach, const Policy& policy, const PlaceResolver& resolve) {
    PolicyCheck check;
    for (const Assertion& a : policy.assertions) {
        AssertionResult result;
        result.assertion = &a;
        std::string kind = a.name.empty() ? fmt::format("assertion {}", a.number)
                                          : fmt::format("assertion '{}'", a.name);
        Selection from = resolve(a.from);
        Selection to = resolve(a.to);
        if (!from.error.empty())
            check.diagnostics.error(a.from_loc, kind, "", "from: " + from.error);
        if (!to.error.empty()) check.diagnostics.error(a.to_loc, kind, "", "to: " + to.error);
        if (!from.error.empty() || !to.error.empty()) {
            check.results.push_back(std::move(result));
            continue;
        }
        // A Network Load Balancer opens no connections: as a source it is passed over, and a
        // selection of nothing else is an error.
        const bool any_source =
            from.places.empty() ||
            std::any_of(from.places.begin(), from.places.end(),
                        [&](std::size_t i) { return reach.places[i].source(); });
        if (!any_source) {
            check.diagnostics.error(a.from_loc, kind, "",
                                    fmt::format("from: '{}' selects only Network Load Balancers, "
                                                "which open no connections (destinations only)",
                                                a.from));
            check.results.push_back(std::move(result));
            continue;
        }
        std::erase_if(from.places, [&](std::size_t i) { return !reach.places[i].source(); });
        result.evaluated = true;
        bool missing_pair = false;
        for (std::size_t s : from.places) {
            for (std::size_t d : to.places) {
                if (s == d) continue;
                const std::optional<PairResult> pair = reach.view(s, d);
                if (!pair) {
                    missing_pair = true;
                    continue;
                }
                ++result.pairs;
                Violation v{s, d, reach.places[s].name, reach.places[d].name, {}, {}, false, {}};
                switch (a.kind) {
                    case Assertion::Kind::Reachable:
                        v.services = a.services.minus(pair->open);
                        if (!v.services.empty()) blocked_witness(*pair, v.services, v);
                        break;
                    case Assertion::Kind::Unreachable:
                        v.services = pair->open.intersect(a.services);
                        v.connects = true;
                        break;
                    case Assertion::Kind::Only:
                        v.services = pair->open.minus(a.services);
                        v.connects = true;
                        break;
                }
                if (v.services.empty()) continue;
                if (v.connects) v.witness = connecting_witness(*pair, v.services);
                result.violations.push_back(std::move(v));
            }
        }
        if (missing_pair) {
            check.diagnostics.error(a.loc, kind, "",
                                    "some pairs of its places were not computed; expected a "
                                    "reach over every place");
            result.evaluated = false;
        } else if (result.pairs == 0) {
            check.diagnostics.warning(
                a.loc, kind, "",
                fmt::format("from '{}' to '{}' selects no pair of distinct places; it holds "
                            "trivially",
                            a.from, a.to));
        }
        result.holds = result.evaluated && result.violations.empty();
        check.results.push_back(std::move(result));
    }
    return check;
}

}  // namespace vpcstack::verify
