// Broken invariants: a state that validation or construction rules out. Not a bad packet (that
// is a drop with a reason) and not bad input (that is a diagnostic): a bug. VPCSTACK_ASSERT
// stays on in every build type, including -DNDEBUG, prints where and why, and aborts.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace vpcstack::detail {
[[noreturn]] inline void invariant_failed(const char* file, int line, const char* condition,
                                          const char* message) noexcept {
    std::fprintf(stderr, "%s:%d: invariant broken: %s (%s)\n", file, line, message, condition);
    std::abort();
}
}  // namespace vpcstack::detail

#define VPCSTACK_ASSERT(condition, message)                                                \
    do {                                                                                   \
        if (!(condition)) [[unlikely]]                                                     \
            ::vpcstack::detail::invariant_failed(__FILE__, __LINE__, #condition, message); \
    } while (false)
