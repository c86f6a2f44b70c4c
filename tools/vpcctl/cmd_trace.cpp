// vpcctl trace: send one flow through a simulated topology and explain both directions.
// The work is done by sim::run_trace; this file loads the topology and prints the report, and
// with --counters or --flow-logs hands what the engine saw to observe/.
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "commands.hpp"
#include "vpcstack/model/loader.hpp"
#include "vpcstack/observe/counters.hpp"
#include "vpcstack/observe/flow_log.hpp"
#include "vpcstack/sim/trace_report.hpp"

namespace vpcstack::cli {

namespace {

// The traced flow's records, written in the cloud's layout; false on an I/O error (printed).
bool write_flow_logs(const model::Topology& topology, const sim::TraceReport& report,
                     observe::FlowLogOptions options, const FlowLogCliOptions& cli) {
    observe::FlowLogCollector collector(topology, std::move(options));
    for (const engine::PacketTrace& t : report.packets) collector.observe(t);
    std::vector<observe::FlowLogRecord> records = collector.take_all(report.end_time);
    try {
        for (const std::string& file :
             observe::write_flow_log_files(cli.dir, collector, records, cli.gzip)) {
            std::fprintf(stderr, "vpcctl trace: flow log %s\n", file.c_str());
        }
    } catch (const std::runtime_error& e) {
        std::fprintf(stderr, "vpcctl trace: %s\n", e.what());
        return false;
    }
    return true;
}

}  // namespace

int run_trace(const TraceOptions& options) {
    std::optional<observe::FlowLogOptions> flow_logs;
    if (!options.flow_logs.dir.empty()) {
        std::string error;
        flow_logs = flow_log_options(options.flow_logs, error);
        if (!flow_logs) {
            std::fprintf(stderr, "vpcctl trace: %s\n", error.c_str());
            return kExitError;
        }
    }
    model::LoadResult loaded = model::load_topology_file(options.topology);
    if (!loaded.ok()) {  // warnings are for `vpcctl check`; a trace shows their effect instead
        for (const model::Diagnostic& d : loaded.diagnostics.sorted()) {
            std::fprintf(stderr, "%s\n", d.to_string().c_str());
        }
        return kExitError;
    }

    sim::TraceQuery query{options.from, options.to, options.protocol, options.dport, options.sport};
    sim::TraceResult result = sim::run_trace(*loaded.topology, query);
    if (!result.report) {
        std::fprintf(stderr, "vpcctl trace: %s\n", result.error.c_str());
        return kExitError;
    }
    const sim::TraceReport& report = *result.report;
    bool color = isatty(STDOUT_FILENO) != 0 && std::getenv("NO_COLOR") == nullptr;
    std::string text;
    if (options.json) {
        text = sim::render_json(report);
        if (options.counters) {
            nlohmann::ordered_json j = nlohmann::ordered_json::parse(text);
            j["counters"] = observe::counters_json(*report.components, report.counters);
            text = j.dump(2) + "\n";
        }
    } else {
        text = sim::render_text(report, color);
        if (options.counters)
            text += "\n" + observe::counters_text(*report.components, report.counters);
    }
    std::fputs(text.c_str(), stdout);
    if (flow_logs && !write_flow_logs(*loaded.topology, report, *flow_logs, options.flow_logs)) {
        return kExitError;
    }
    return report.reachable ? kExitOk : kExitNegative;
}

}  // namespace vpcstack::cli
