// Reach values built by hand for the renderer, policy and diff tests: what compute_reach would
// find for a small network of a web server, a database and the internet.
#pragma once

#include <gtest/gtest.h>

#include <initializer_list>
#include <string>

#include "vpcstack/verify/reach.hpp"

namespace vpcstack::verify::test {

// A set of services from their texts ("tcp/443", "icmp echo", "all").
inline ServiceSet services(std::initializer_list<const char*> texts) {
    ServiceSet s;
    for (const char* t : texts) {
        if (std::string(t) == "all") {
            s.add(all_services());
            continue;
        }
        std::optional<ServiceRange> r = parse_service(t);
        EXPECT_TRUE(r.has_value()) << "bad service in a test: " << t;
        if (r) s.add(*r);
    }
    return s;
}

inline Witness tcp(std::string from, std::string to, std::uint16_t dport) {
    return {std::move(from), std::move(to), net::Protocol::tcp(), dport, 40000};
}
inline Witness echo(std::string from, std::string to) {
    return {std::move(from), std::move(to), net::Protocol::icmp(), 0, 0};
}

inline Blocker blocker(std::string component, engine::DropReason reason, std::string rule = "",
                       std::string explanation = "", bool reply = false) {
    Blocker b;
    b.component = std::move(component);
    b.reason = reason;
    b.rule = std::move(rule);
    b.explanation = std::move(explanation);
    b.reply = reply;
    return b;
}

inline Place eni(std::string name, std::string address) {
    return {Place::Kind::Eni, 0, name, std::move(address), name};
}
inline Place internet() {
    return {Place::Kind::Internet, model::kNone, "internet", "", "198.51.100.1"};
}

// A pair whose open services each get a witness to their first port.
inline PairResult pair(const Reach& reach, std::size_t from, std::size_t to, ServiceSet open,
                       std::vector<Closed> closed) {
    PairResult p{from, to, std::move(open), {}, std::move(closed)};
    for (const ServiceRange& r : p.open.ranges()) {
        bool ports = r.protocol.has_ports();
        p.open_witnesses.push_back({reach.places[from].trace_name, reach.places[to].trace_name,
                                    r.protocol, static_cast<std::uint16_t>(ports ? r.first : 0),
                                    static_cast<std::uint16_t>(ports ? 40000 : 0)});
    }
    return p;
}

// Places 0 web (10.0.1.10), 1 db (10.0.3.10), 2 internet; every one a source and a destination.
//   internet -> web  tcp/443 and icmp echo; the rest stopped by web-sg
//   internet -> db   nothing: db has no public address
//   web -> db        tcp/5432; the rest stopped by db-sg
//   web -> internet  everything
//   db -> web        nothing: db-acl denies the request, web-acl the reply
//   db -> internet   nothing: no route
inline Reach sample_reach() {
    using engine::DropReason;
    Reach r;
    r.topology = "topologies/sample.yaml";
    r.places = {eni("web", "10.0.1.10"), eni("db", "10.0.3.10"), internet()};
    r.sources = {0, 1, 2};
    r.destinations = {0, 1, 2};
    ServiceSet all = all_services();
    auto closed = [&](ServiceSet open, std::vector<Blocker> blockers, Witness w) {
        return Closed{all.minus(open), std::move(blockers), std::move(w)};
    };
    ServiceSet web_open = services({"tcp/443", "icmp echo"});
    ServiceSet db_open = services({"tcp/5432"});
    r.add_pair(pair(
        r, 0, 1, db_open,
        {closed(db_open, {blocker("sg/db-sg", DropReason::SecurityGroupNoMatch, "", "SGNoMatch")},
                tcp("web", "db", 22))}));
    r.add_pair(pair(r, 0, 2, all, {}));
    r.add_pair(pair(r, 1, 0, {},
                    {closed({},
                            {blocker("acl/db-acl", DropReason::AclDenied,
                                     "outbound rule *: deny all", "ACL_RULE_DENIED"),
                             blocker("acl/web-acl", DropReason::AclDenied,
                                     "outbound rule 100: deny all", "ACL_RULE_DENIED", true)},
                            tcp("db", "web", 80))}));
    r.add_pair(pair(r, 1, 2, {},
                    {closed({}, {blocker("rtb/main", DropReason::NoRoute, "", "NO_ROUTE")},
                            echo("db", "198.51.100.1"))}));
    r.add_pair(
        pair(r, 2, 0, web_open,
             {closed(web_open,
                     {blocker("sg/web-sg", DropReason::SecurityGroupNoMatch, "", "SG_NO_MATCH")},
                     tcp("198.51.100.1", "web", 80))}));
    r.add_pair(pair(r, 2, 1, {},
                    {closed({}, {blocker("igw/igw", DropReason::NoMapping, "", "")},
                            echo("198.51.100.1", "10.0.3.10"))}));
    r.stats.places = 3;
    r.stats.classes = 3;
    r.stats.class_pairs = 6;
    r.stats.probes = 42;
    r.stats.seconds = 0.25;
    return r;
}

// Witness has no operator==: the same packet between the same endpoints.
inline bool same_packet(const Witness& a, const Witness& b) {
    return a.from == b.from && a.to == b.to && a.protocol == b.protocol && a.dport == b.dport &&
           a.sport == b.sport;
}

// Index of a place by name; fails the test when there is none.
inline std::size_t place(const Reach& reach, const std::string& name) {
    for (std::size_t i = 0; i < reach.places.size(); ++i) {
        if (reach.places[i].name == name) return i;
    }
    ADD_FAILURE() << "no place " << name;
    return 0;
}

inline PairResult& pair_of(Reach& reach, const std::string& from, const std::string& to) {
    std::size_t f = place(reach, from);
    std::size_t t = place(reach, to);
    for (PairResult& p : reach.results) {
        if (p.from == f && p.to == t) return p;
    }
    ADD_FAILURE() << "no pair " << from << " -> " << to;
    return reach.results.front();
}

}  // namespace vpcstack::verify::test
