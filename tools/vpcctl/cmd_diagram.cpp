// Placeholder until this subcommand is built.
#include <cstdio>

#include "commands.hpp"

namespace vpcstack::cli {

int run_diagram(const DiagramOptions&) {
    std::fputs("vpcctl: 'diagram' is not built yet\n", stderr);
    return kExitError;
}

}  // namespace vpcstack::cli
