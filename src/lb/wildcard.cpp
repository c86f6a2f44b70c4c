#include "vpcstack/lb/wildcard.hpp"

namespace vpcstack::lb {
namespace {

constexpr char fold(char c, CaseRule rule) noexcept {
    return rule == CaseRule::Insensitive && c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a')
                                                                 : c;
}

}  // namespace

// Greedy matching that returns to the last '*' on a mismatch: linear in practice, and at worst
// pattern length times text length, with no recursion (values are at most 128 characters).
bool wildcard_match(std::string_view pattern, std::string_view text, CaseRule case_rule,
                    Escapes escapes) noexcept {
    constexpr std::size_t kNoStar = std::string_view::npos;
    std::size_t p = 0;
    std::size_t t = 0;
    std::size_t after_star = kNoStar;  // pattern position just after the last '*'
    std::size_t star_text = 0;         // where in the text that '*' currently stops
    while (t < text.size()) {
        if (p < pattern.size()) {
            char pc = pattern[p];
            std::size_t width = 1;
            bool literal = false;
            if (escapes == Escapes::Backslash && pc == '\\' && p + 1 < pattern.size()) {
                pc = pattern[p + 1];
                width = 2;
                literal = true;
            }
            if (!literal && pc == '*') {
                after_star = ++p;
                star_text = t;
                continue;
            }
            if ((!literal && pc == '?') || fold(pc, case_rule) == fold(text[t], case_rule)) {
                p += width;
                ++t;
                continue;
            }
        }
        if (after_star == kNoStar) return false;
        p = after_star;  // let the last '*' take one more character
        t = ++star_text;
    }
    while (p < pattern.size() && pattern[p] == '*') ++p;
    return p == pattern.size();
}

}  // namespace vpcstack::lb
