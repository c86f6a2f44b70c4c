// How reach, verify and diff results are shown: a terminal matrix, JSON (docs/verify.md), and a
// self-contained HTML report. The one place that turns verification results into text.
#pragma once

#include <functional>
#include <string>

#include "vpcstack/verify/reach.hpp"

namespace vpcstack::verify {

// The witness trace of a cell, as `vpcctl trace` prints it (text); the caller runs it.
using TraceText = std::function<std::string(const Witness&)>;

// A matrix of sources (rows) by destinations (columns), a short service summary per cell, then
// for every pair its open services and, for the rest, every blocking component with its rule.
std::string render_reach_text(const Reach& reach, bool color);
std::string render_reach_json(const Reach& reach);
// One HTML file, no external resources: a colour-coded matrix; a click on a cell shows its
// services, its blockers and its witness traces (`trace` may be empty: the command lines only).
std::string render_reach_html(const Reach& reach, const TraceText& trace);

// The query form (`vpcctl reach --proto`): a top-level "reachable" boolean in JSON.
std::string render_query_text(const QueryResult& result, const sim::TraceQuery& query);
std::string render_query_json(const QueryResult& result, const sim::TraceQuery& query);

}  // namespace vpcstack::verify
