// Placeholder until this subcommand is built.
#include <cstdio>

#include "commands.hpp"

namespace vpcstack::cli {
namespace {
int not_built() {
    std::fputs("vpcctl: 'lab' is not built yet\n", stderr);
    return kExitError;
}
}  // namespace

int run_lab_up(const LabUpOptions&) { return not_built(); }
int run_lab_down(const LabNameOptions&) { return not_built(); }
int run_lab_ls() { return not_built(); }
int run_lab_status(const LabNameOptions&) { return not_built(); }
int run_lab_exec(const LabExecOptions&) { return not_built(); }
int run_lab_trace(const LabTraceOptions&) { return not_built(); }
int run_lab_engine(const LabEngineOptions&) { return not_built(); }

}  // namespace vpcstack::cli
