// vpcctl import aws DIR -o TOPO.yaml [--region R]: write a topology from describe-* JSON, then
// load it back and show the check result, as `vpcctl check` would.
#include <fmt/format.h>

#include <cstdio>

#include "commands.hpp"
#include "vpcstack/importers/aws_import.hpp"
#include "vpcstack/model/loader.hpp"

namespace vpcstack::cli {

namespace {

std::string count(std::size_t n, const char* noun) {
    return fmt::format("{} {}{}", n, noun, n == 1 ? "" : "s");
}

// "check: out.yaml is valid: 2 VPCs, 4 subnets, 3 instances, 1 NAT gateway, 0 peerings"
std::string check_line(const std::string& path, const model::LoadResult& loaded) {
    std::size_t warnings = loaded.diagnostics.warning_count();
    std::string tail =
        warnings == 0 ? "" : fmt::format(" ({} warning{})", warnings, warnings == 1 ? "" : "s");
    if (!loaded.ok()) {
        return fmt::format("check: {} is invalid: {} error{}{}", path,
                           loaded.diagnostics.error_count(),
                           loaded.diagnostics.error_count() == 1 ? "" : "s", tail);
    }
    const model::Topology& t = *loaded.topology;
    return fmt::format(
        "check: {} is valid: {}, {}, {}, {}, {}{}", path, count(t.vpcs.size(), "VPC"),
        count(t.subnets.size(), "subnet"), count(t.instances.size(), "instance"),
        count(t.nat_gateways.size(), "NAT gateway"), count(t.peerings.size(), "peering"), tail);
}

}  // namespace

int run_import_aws(const ImportAwsOptions& options) {
    importers::aws::ImportOutcome outcome =
        importers::aws::import_aws(options.input_dir, options.region);
    if (!outcome.ok()) {
        for (const auto& e : outcome.errors) std::fprintf(stderr, "error: %s\n", e.c_str());
        std::fprintf(stderr, "vpcctl: import failed with %zu error%s; nothing written\n",
                     outcome.errors.size(), outcome.errors.size() == 1 ? "" : "s");
        return kExitError;
    }
    std::string error = importers::aws::write_file_atomically(options.output, outcome.yaml);
    if (!error.empty()) {
        std::fprintf(stderr, "error: %s\n", error.c_str());
        return kExitError;
    }
    std::fputs(importers::aws::format_report(outcome).c_str(), stdout);
    std::printf("wrote %s\n", options.output.c_str());

    model::LoadResult loaded = model::load_topology_file(options.output);
    for (const auto& d : loaded.diagnostics.sorted()) {
        std::fprintf(stderr, "%s\n", d.to_string().c_str());
    }
    std::printf("%s\n", check_line(options.output, loaded).c_str());
    // The importer must only write topologies the loader accepts.
    return loaded.ok() ? kExitOk : kExitNegative;
}

}  // namespace vpcstack::cli
