// vpcctl trace: send one flow through a simulated topology and explain both directions.
// The work is done by sim::run_trace; this file loads the topology and prints the report, and
// with --counters, --flow-logs or --pcap hands what the engine saw to observe/.
#include <fmt/format.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "commands.hpp"
#include "vpcstack/lb/http_request.hpp"
#include "vpcstack/model/loader.hpp"
#include "vpcstack/observe/capture.hpp"
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

// An output writing to a file of its own; null when it cannot be opened (printed).
observe::CaptureOutput file_output(const std::string& path) {
    std::shared_ptr<std::FILE> file(std::fopen(path.c_str(), "wb"), [](std::FILE* f) {
        if (f != nullptr) std::fclose(f);
    });
    if (!file) {
        std::fprintf(stderr, "vpcctl trace: cannot write %s: %s\n", path.c_str(),
                     std::strerror(errno));
        return {};
    }
    std::fprintf(stderr, "vpcctl trace: capture %s\n", path.c_str());
    return [file](std::span<const std::uint8_t> bytes) {
        return std::fwrite(bytes.data(), 1, bytes.size(), file.get()) == bytes.size();
    };
}

// The recorder of --pcap: one file (a name ending in .pcapng or .pcap), or a directory with a
// file per capture point. Null on an error (printed).
std::unique_ptr<observe::CaptureRecorder> capture_recorder(const model::Topology& topology,
                                                           const CaptureCliOptions& cli,
                                                           std::uint64_t epoch_ns) {
    observe::CaptureOptions options;
    options.drops_only = cli.drops_only;
    options.filter = cli.filter;
    options.epoch_ns = epoch_ns;
    for (const std::string& name : cli.points) {
        std::string error;
        std::vector<engine::CapturePoint> points =
            observe::parse_capture_point(topology, name, error);
        if (points.empty()) {
            std::fprintf(stderr, "vpcctl trace: --point: %s\n", error.c_str());
            return nullptr;
        }
        options.points.insert(options.points.end(), points.begin(), points.end());
    }
    if (!cli.filter.empty()) {  // before any file is made
        try {
            observe::PacketFilter check(cli.filter);
        } catch (const std::invalid_argument& e) {
            std::fprintf(stderr, "vpcctl trace: --filter: %s\n", e.what());
            return nullptr;
        }
    }
    const std::filesystem::path out(cli.output);
    const bool one_file = out.extension() == ".pcapng" || out.extension() == ".pcap";
    try {
        if (one_file) {
            observe::CaptureOutput file = file_output(cli.output);
            if (!file) return nullptr;
            return std::make_unique<observe::CaptureRecorder>(topology, std::move(options),
                                                              std::move(file));
        }
        std::error_code ec;
        std::filesystem::create_directories(out, ec);
        if (ec) {
            std::fprintf(stderr, "vpcctl trace: cannot make %s: %s\n", cli.output.c_str(),
                         ec.message().c_str());
            return nullptr;
        }
        return std::make_unique<observe::CaptureRecorder>(
            topology, std::move(options), [out](const std::string& point) {
                return file_output((out / observe::capture_file_name(point)).string());
            });
    } catch (const std::invalid_argument& e) {
        std::fprintf(stderr, "vpcctl trace: --filter: %s\n", e.what());
        return nullptr;
    }
}

}  // namespace

namespace {

// The request of --http, --host and --header; nothing and `error` when one of them is malformed.
std::optional<lb::HttpRequest> http_request(const TraceOptions& o, std::string& error) {
    lb::RequestLineResult line = lb::parse_request_line(o.http);
    if (!line.line) {
        error = fmt::format("--http '{}': {}", o.http, line.error);
        return std::nullopt;
    }
    lb::HttpRequest r;
    r.method = line.line->method;
    r.path = line.line->path;
    r.query = line.line->query;
    r.host = o.host.empty() ? line.line->host : o.host;
    for (const std::string& h : o.headers) {
        const std::size_t colon = h.find(':');
        if (colon == std::string::npos || colon == 0) {
            error = fmt::format("--header '{}': expected 'Name: value'", h);
            return std::nullopt;
        }
        std::string value = h.substr(colon + 1);
        value.erase(0, value.find_first_not_of(" \t"));
        r.headers.push_back({h.substr(0, colon), value});
    }
    return r;
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
    if (!options.http.empty()) {
        std::string error;
        query.http = http_request(options, error);
        if (!query.http) {
            std::fprintf(stderr, "vpcctl trace: %s\n", error.c_str());
            return kExitError;
        }
        if (query.protocol.empty()) query.protocol = "tcp";
        if (query.dport < 0) query.dport = options.http.find("https://") == 0 ? 443 : 80;
    } else if (!options.host.empty() || !options.headers.empty()) {
        std::fprintf(stderr, "vpcctl trace: --host and --header describe an --http request\n");
        return kExitError;
    }
    std::unique_ptr<observe::CaptureRecorder> capture;
    if (!options.capture.output.empty()) {
        // The simulation's time 0 is --flow-log-epoch when given, else now.
        const long long epoch = options.flow_logs.epoch >= 0
                                    ? options.flow_logs.epoch
                                    : std::chrono::duration_cast<std::chrono::seconds>(
                                          std::chrono::system_clock::now().time_since_epoch())
                                          .count();
        capture = capture_recorder(*loaded.topology, options.capture,
                                   static_cast<std::uint64_t>(epoch) * 1'000'000'000ULL);
        if (!capture) return kExitError;
        query.capture = capture.get();
    } else if (!options.capture.points.empty() || options.capture.drops_only ||
               !options.capture.filter.empty()) {
        std::fprintf(stderr, "vpcctl trace: --point, --drops-only and --filter need --pcap\n");
        return kExitError;
    }
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
    if (capture && !capture->ok()) {
        std::fprintf(stderr, "vpcctl trace: writing the capture failed\n");
        return kExitError;
    }
    if (flow_logs && !write_flow_logs(*loaded.topology, report, *flow_logs, options.flow_logs)) {
        return kExitError;
    }
    return report.reachable ? kExitOk : kExitNegative;
}

}  // namespace vpcstack::cli
