// Flow log files in the cloud's S3 layout (AWS: flow-logs-s3 "Flow log files"): records are
// grouped by the 5 minutes their end time falls in, each group one file named after the
// account, the region, the flow log id, the group's time and a hash, in a folder per day.
#include <fmt/format.h>
#include <zlib.h>

#include <ctime>
#include <filesystem>
#include <fstream>
#include <map>
#include <stdexcept>

#include "vpcstack/observe/flow_log.hpp"

namespace vpcstack::observe {

namespace {

constexpr std::int64_t kFileSeconds = 300;  // the cloud delivers a file every 5 minutes

std::uint32_t content_hash(const std::string& text) noexcept {
    std::uint32_t h = 2166136261u;
    for (char c : text) {
        h ^= static_cast<std::uint8_t>(c);
        h *= 16777619u;
    }
    return h;
}

void write_plain(const std::string& path, const std::string& text) {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out << text;
    if (!out) throw std::runtime_error(path + ": cannot write the flow log file");
}

void write_gzip(const std::string& path, const std::string& text) {
    gzFile f = gzopen(path.c_str(), "wb");
    if (f == nullptr) throw std::runtime_error(path + ": cannot create the flow log file");
    const int n = text.empty() ? 0 : gzwrite(f, text.data(), static_cast<unsigned>(text.size()));
    const int closed = gzclose(f);
    if ((!text.empty() && n <= 0) || closed != Z_OK) {
        throw std::runtime_error(path + ": cannot write the compressed flow log file");
    }
}

}  // namespace

std::vector<std::string> write_flow_log_files(const std::string& dir,
                                              const FlowLogCollector& collector,
                                              std::span<const FlowLogRecord> records, bool gzip) {
    std::map<std::int64_t, std::string> files;  // 5-minute group -> its lines
    for (const FlowLogRecord& r : records) {
        std::int64_t group = r.end / kFileSeconds * kFileSeconds;
        std::string& text = files[group];
        if (text.empty()) text = collector.options().format.header() + "\n";
        text += collector.format(r);
        text += '\n';
    }
    std::vector<std::string> written;
    const std::string& account = collector.account();
    const std::string& region = collector.region();
    for (const auto& [group, text] : files) {
        std::time_t t = static_cast<std::time_t>(group);
        std::tm tm{};
        gmtime_r(&t, &tm);
        std::filesystem::path folder =
            std::filesystem::path(dir) / "AWSLogs" / account / "vpcflowlogs" / region /
            fmt::format("{:04}", tm.tm_year + 1900) / fmt::format("{:02}", tm.tm_mon + 1) /
            fmt::format("{:02}", tm.tm_mday);
        std::error_code ec;
        std::filesystem::create_directories(folder, ec);
        if (ec) {
            throw std::runtime_error(folder.string() +
                                     ": cannot create the folder: " + ec.message());
        }
        std::string name =
            fmt::format("{}_vpcflowlogs_{}_{}_{:04}{:02}{:02}T{:02}{:02}Z_{:08x}.log{}", account,
                        region, collector.options().flow_log_id, tm.tm_year + 1900, tm.tm_mon + 1,
                        tm.tm_mday, tm.tm_hour, tm.tm_min, content_hash(text), gzip ? ".gz" : "");
        std::string path = (folder / name).string();
        if (gzip) {
            write_gzip(path, text);
        } else {
            write_plain(path, text);
        }
        written.push_back(path);
    }
    return written;
}

}  // namespace vpcstack::observe
