// What the text, JSON and HTML renderers of verify share: the short summary of a matrix cell,
// how much of the service space a cell opens, and the JSON of the common values.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "vpcstack/verify/reach.hpp"

namespace vpcstack::verify::detail {

using Json = nlohmann::ordered_json;

// A cell is at most this wide; a longer summary becomes "N svc".
inline constexpr std::size_t kCellWidth = 16;

// "tcp/22,443 icmp", "all" (every service), "—" (nothing), "5 svc" (too long to show).
std::string cell_summary(const ServiceSet& open);

// How much of all_services() a set opens: nothing, some, or most (at least 90% of the ports
// and ICMP echo, counted one each).
enum class Coverage : std::uint8_t { None, Partial, Most };
Coverage coverage(const ServiceSet& open);
std::string_view coverage_name(Coverage c);  // "none", "partial", "most"

// `text` cut to `width` code points with "…" in the middle, so "web-server-a" and
// "web-server-b" stay apart; unchanged when it fits.
std::string abbreviate(std::string_view text, std::size_t width);

// "web -> db (10.0.1.10 -> 10.0.3.10)"; the internet has no address.
std::string pair_title(const Reach& reach, const PairResult& pair);

Json ranges_json(const ServiceSet& services);    // [{"protocol", "first", "last", "text"}]
Json services_json(const ServiceSet& services);  // ["tcp/443", "icmp echo"]
Json witness_json(const Witness& witness, std::string_view topology);
Json blocker_json(const Blocker& blocker);
Json blockers_json(const std::vector<Blocker>& blockers);
Json place_json(const Place& place);
Json pair_json(const Reach& reach, const PairResult& pair);

}  // namespace vpcstack::verify::detail
