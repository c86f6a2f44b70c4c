// How reach, verify and diff results are shown: a terminal matrix, JSON (docs/verify.md), and a
// self-contained HTML report. The one place that turns verification results into text.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "vpcstack/verify/diff.hpp"
#include "vpcstack/verify/policy.hpp"
#include "vpcstack/verify/reach.hpp"

namespace vpcstack::verify {

// The witness trace of a cell, as `vpcctl trace` prints it (text); the caller runs it.
using TraceText = std::function<std::string(const Witness&)>;
// The same as `vpcctl trace --json` prints it, to embed in a JSON document.
using TraceJson = std::function<std::string(const Witness&)>;

// A matrix of sources (rows) by destinations (columns), a short service summary per cell, then
// for every pair its open services and, for the rest, every blocking component with its rule.
std::string render_reach_text(const Reach& reach, bool color);
std::string render_reach_json(const Reach& reach);
// One HTML file, no external resources: a colour-coded matrix; a click on a cell shows its
// services, its blockers and its witness traces (`trace` may be empty: the command lines only).
std::string render_reach_html(const Reach& reach, const TraceText& trace);

// The query form (`vpcctl reach --proto`): a top-level "reachable" boolean in JSON. `topology`
// is the file, for the witness's command line.
std::string render_query_text(const QueryResult& result, const sim::TraceQuery& query,
                              std::string_view topology);
std::string render_query_json(const QueryResult& result, const sim::TraceQuery& query,
                              std::string_view topology);

// `vpcctl verify`: every assertion, holds or VIOLATED, and per violating pair its services and
// witness; the first kTracedViolations violations of an assertion also get the witness's trace
// (when `trace` is non-empty), the others their command line only.
inline constexpr std::size_t kTracedViolations = 5;
std::string render_policy_text(const PolicyCheck& check, const Reach& reach, const TraceText& trace,
                               bool color);
std::string render_policy_json(const PolicyCheck& check, const Reach& reach,
                               const TraceJson& trace);

// `vpcctl diff`: added and removed places, then per changed pair the opened and closed flows.
std::string render_diff_text(const ReachDiff& diff, bool color);
std::string render_diff_json(const ReachDiff& diff);

}  // namespace vpcstack::verify
