// vpcctl replay: a capture through the simulated network as if one ENI sent it. The work is
// done by observe::run_replay; this file reads the files, prints the report and, with --out,
// writes the verdicts and what arrived at every capture point.
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <memory>

#include "commands.hpp"
#include "vpcstack/observe/capture.hpp"
#include "vpcstack/observe/replay.hpp"

namespace vpcstack::cli {

namespace {

// A file of the output directory; null when it cannot be opened (printed).
std::shared_ptr<std::FILE> open_file(const std::filesystem::path& path) {
    std::shared_ptr<std::FILE> file(std::fopen(path.c_str(), "wb"), [](std::FILE* f) {
        if (f != nullptr) std::fclose(f);
    });
    if (!file) {
        std::fprintf(stderr, "vpcctl replay: cannot write %s: %s\n", path.c_str(),
                     std::strerror(errno));
    }
    return file;
}

observe::CaptureOutput file_output(const std::filesystem::path& path) {
    std::shared_ptr<std::FILE> file = open_file(path);
    if (!file) return {};
    return [file](std::span<const std::uint8_t> bytes) {
        return std::fwrite(bytes.data(), 1, bytes.size(), file.get()) == bytes.size();
    };
}

}  // namespace

int run_replay(const ReplayOptions& options) {
    std::optional<model::Topology> topology = load_topology_or_report(options.topology);
    if (!topology) return kExitError;
    observe::CaptureFile capture;
    try {
        capture = observe::read_capture(options.pcap);
    } catch (const observe::CaptureInputError& e) {
        std::fprintf(stderr, "vpcctl replay: --pcap %s\n", e.what());
        return kExitError;
    }

    const std::filesystem::path out(options.out);
    std::unique_ptr<observe::CaptureRecorder> recorder;
    if (!options.out.empty()) {
        std::error_code ec;
        std::filesystem::create_directories(out, ec);
        if (ec) {
            std::fprintf(stderr, "vpcctl replay: cannot make %s: %s\n", options.out.c_str(),
                         ec.message().c_str());
            return kExitError;
        }
        observe::CaptureOptions capture_options;
        // The far side's captures carry the original capture's times.
        capture_options.epoch_ns = observe::replay_epoch_ns(capture);
        recorder = std::make_unique<observe::CaptureRecorder>(
            *topology, std::move(capture_options), [out](const std::string& point) {
                return file_output(out / observe::capture_file_name(point));
            });
    }

    observe::ReplayResult result =
        observe::run_replay(*topology, capture, {options.at, recorder.get()});
    if (!result.report) {
        std::fprintf(stderr, "vpcctl replay: %s\n", result.error.c_str());
        return kExitError;
    }
    const observe::ReplayReport& report = *result.report;
    const bool color = isatty(STDOUT_FILENO) != 0 && std::getenv("NO_COLOR") == nullptr;
    const std::string json = observe::render_replay_json(report);
    const std::string text = options.json ? json : observe::render_replay_text(report, color);
    std::fputs(text.c_str(), stdout);

    if (recorder) {
        const std::filesystem::path verdicts = out / "replay.json";
        std::shared_ptr<std::FILE> file = open_file(verdicts);
        if (!file || std::fwrite(json.data(), 1, json.size(), file.get()) != json.size()) {
            return kExitError;
        }
        std::fprintf(stderr, "vpcctl replay: verdicts %s, %llu packets captured at the points\n",
                     verdicts.c_str(),
                     static_cast<unsigned long long>(recorder->packets_written()));
        if (!recorder->ok()) {
            std::fprintf(stderr, "vpcctl replay: writing the captures failed\n");
            return kExitError;
        }
    }
    return report.all_passed() ? kExitOk : kExitNegative;
}

}  // namespace vpcstack::cli
