// Policy files for `vpcctl verify`: assertions about which services connect between places,
// checked against a computed Reach. docs/verify.md describes the format:
//
//   assertions:
//     - name: internet reaches web on https only   # optional
//       from: internet                           # a selector (see select_places)
//       to: web
//       only: [tcp/443, icmp echo]               # or reachable: [...], or unreachable: [...]
//
// What each kind claims, over every (source, destination) pair of the two selections except a
// place to itself:
//   reachable    every pair connects on every listed service
//   unreachable  no pair connects on any listed service
//   only         no pair connects on anything outside the listed services
// A violation names one pair, the services that break the claim and one concrete packet that
// shows it (a Witness `vpcctl trace` replays).
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vpcstack/model/diagnostics.hpp"
#include "vpcstack/verify/reach.hpp"

namespace vpcstack::verify {

struct Assertion {
    enum class Kind : std::uint8_t { Reachable, Unreachable, Only };
    std::string name;        // as written; empty when the file gives none (label() makes one)
    std::size_t number = 0;  // 1-based position in the file
    std::string from;
    std::string to;
    Kind kind = Kind::Reachable;
    ServiceSet services;
    std::vector<std::string> service_texts;  // as written, for messages
    model::SourceLocation loc;               // the item
    model::SourceLocation from_loc;
    model::SourceLocation to_loc;

    // The name, or "FROM -> TO KIND [services]" for an unnamed assertion.
    std::string label() const;
};

// "reachable", "unreachable", "only".
std::string_view kind_name(Assertion::Kind kind);

struct Policy {
    std::string file;
    std::vector<Assertion> assertions;
};

struct PolicyLoad {
    std::optional<Policy> policy;  // set only when diagnostics has no error
    model::Diagnostics diagnostics;
    bool ok() const { return policy.has_value(); }
};

// Reads a policy file; a file that cannot be read is an error diagnostic, not an exception.
PolicyLoad load_policy_file(const std::string& path);
// Reads policy YAML; `file` names it in diagnostics.
PolicyLoad load_policy_text(std::string_view yaml, const std::string& file);

// One pair that breaks an assertion.
struct Violation {
    std::size_t from = 0;  // indexes into Reach::places
    std::size_t to = 0;
    std::string from_name;
    std::string to_name;
    // reachable: the listed services that do not connect; unreachable and only: the services
    // that connect but should not.
    ServiceSet services;
    Witness witness;  // a packet of `services`: it connects (unreachable, only) or not
    bool connects = false;
    std::vector<Blocker> blockers;  // reachable: what stops the witness, in path order
};

struct AssertionResult {
    const Assertion* assertion = nullptr;  // into the checked Policy
    bool evaluated = false;                // false when a selector was bad (see diagnostics)
    bool holds = false;
    std::size_t pairs = 0;              // pairs checked
    std::vector<Violation> violations;  // every pair that breaks it, source-major
};

struct PolicyCheck {
    std::vector<AssertionResult> results;  // one per assertion, in file order
    model::Diagnostics diagnostics;        // bad selectors (errors), empty selections (warnings)
    bool holds() const;                    // every assertion evaluated and holding
};

// Resolves a selector to places of the Reach; select_places() in the CLI, a table in tests.
using PlaceResolver = std::function<Selection(std::string_view selector)>;

// Checks every assertion against `reach`. Pure: no packet is sent; witnesses come from the
// Reach. A pair the Reach did not compute is an error diagnostic.
PolicyCheck check_policy(const Reach& reach, const Policy& policy, const PlaceResolver& resolve);

// The same, with selectors resolved against the topology the Reach was computed from.
inline PolicyCheck check_policy(const model::Topology& topology, const Reach& reach,
                                const Policy& policy) {
    return check_policy(reach, policy, [&](std::string_view selector) {
        return select_places(topology, reach.places, selector);
    });
}

// A copy of `witness` sent to a service of `services` (the first one, unless the witness is
// already one of them). Every packet of an open or closed range meets the same fate, so the
// copy shows the same as the original.
Witness witness_in(const Witness& witness, const ServiceSet& services);
// A packet of `services` that connects: the open witness of the first open range of `pair`
// that holds one of them, sent there. `services` must meet `pair.open`.
Witness connecting_witness(const PairResult& pair, const ServiceSet& services);

}  // namespace vpcstack::verify
