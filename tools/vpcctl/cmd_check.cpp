// Placeholder until this subcommand is built.
#include <cstdio>

#include "commands.hpp"

namespace vpcstack::cli {

int run_check(const CheckOptions&) {
    std::fputs("vpcctl: 'check' is not built yet\n", stderr);
    return kExitError;
}

}  // namespace vpcstack::cli
