// The wildcard patterns of ALB rule conditions: '*' matches any run of characters, including
// none, and '?' exactly one. AWS: load-balancer-listeners (rule condition types) — host-header,
// path-pattern, http-header and query-string values may hold them; a query-string value escapes a
// literal '*' or '?' with '\'.
#pragma once

#include <cstdint>
#include <string_view>

namespace vpcstack::lb {

enum class CaseRule : std::uint8_t { Sensitive, Insensitive };
enum class Escapes : std::uint8_t { None, Backslash };

bool wildcard_match(std::string_view pattern, std::string_view text, CaseRule case_rule,
                    Escapes escapes = Escapes::None) noexcept;

}  // namespace vpcstack::lb
