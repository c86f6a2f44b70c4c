// Placeholder until this subcommand is built.
#include <cstdio>

#include "commands.hpp"

namespace vpcstack::cli {

int run_trace(const TraceOptions&) {
    std::fputs("vpcctl: 'trace' is not built yet\n", stderr);
    return kExitError;
}

}  // namespace vpcstack::cli
