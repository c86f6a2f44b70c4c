// VPCSTACK_ASSERT(condition, "message"): the third error channel. Bad packets become drops and
// bad configuration becomes diagnostics; a state that validation or a caller has already
// excluded, and that would make the code after it wrong, is a broken invariant: the program
// prints where and why, then aborts.
//
//   VPCSTACK_ASSERT(subnet.route_table != kNone, "validation gives every subnet a route table");
//   -> src/engine/x.cpp:42: invariant broken: subnet.route_table != kNone
//      (validation gives every subnet a route table)
//
// Always on: it does not depend on NDEBUG, so release builds check it too. Use it for what
// cannot happen, never for input that can be wrong. Self-contained (standard library only), so
// any module may include it.
#pragma once

#include <cstdio>
#include <cstdlib>

namespace vpcstack::detail {

[[noreturn]] inline void invariant_broken(const char* file, int line, const char* condition,
                                          const char* message) noexcept {
    std::fprintf(stderr, "%s:%d: invariant broken: %s (%s)\n", file, line, condition, message);
    std::fflush(stderr);
    std::abort();
}

}  // namespace vpcstack::detail

#define VPCSTACK_ASSERT(condition, message)                                                \
    do {                                                                                   \
        if (!(condition)) {                                                                \
            ::vpcstack::detail::invariant_broken(__FILE__, __LINE__, #condition, message); \
        }                                                                                  \
    } while (false)
