// Placeholder until this subcommand is built.
#include <cstdio>

#include "commands.hpp"

namespace vpcstack::cli {

int run_import_aws(const ImportAwsOptions&) {
    std::fputs("vpcctl: 'import aws' is not built yet\n", stderr);
    return kExitError;
}

}  // namespace vpcstack::cli
