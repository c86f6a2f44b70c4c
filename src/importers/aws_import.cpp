#include "vpcstack/importers/aws_import.hpp"

#include <fmt/format.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>

#include "vpcstack/importers/aws_reader.hpp"

namespace vpcstack::importers::aws {

namespace fs = std::filesystem;

ImportOutcome import_aws(const std::string& dir, const std::string& region) {
    ImportOutcome outcome;
    ReadResult read = read_aws_dir(dir, region);
    outcome.files_read = read.inventory.files_read;
    if (!read.ok()) {
        outcome.errors = std::move(read.errors);
        return outcome;
    }
    WriteResult written = write_topology_yaml(read.inventory, WriteOptions{region});
    outcome.errors = std::move(written.errors);
    outcome.yaml = std::move(written.yaml);
    outcome.report = std::move(written.report);
    return outcome;
}

std::string format_report(const ImportOutcome& outcome) {
    std::string out = fmt::format("read {} file{}; imported", outcome.files_read,
                                  outcome.files_read == 1 ? "" : "s");
    bool first = true;
    for (const auto& [what, count] : outcome.report.imported) {
        if (count == 0) continue;
        // Every label is a plural in -s: "1 VPC", "2 VPCs".
        std::string label = count == 1 ? what.substr(0, what.size() - 1) : what;
        out += fmt::format("{} {} {}", first ? "" : ",", count, label);
        first = false;
    }
    out += '\n';
    if (!outcome.report.not_modelled.empty()) {
        out += "not modelled yet (listed here, not in the topology):\n";
        for (const auto& [what, count] : outcome.report.not_modelled) {
            out += fmt::format("  {:>4}  {}\n", count, what);
        }
    }
    for (const auto& w : outcome.report.warnings) out += "warning: " + w + '\n';
    return out;
}

std::string write_file_atomically(const std::string& path, const std::string& text) {
    fs::path target(path);
    fs::path dir = target.has_parent_path() ? target.parent_path() : fs::path(".");
    std::string tmpl = (dir / ("." + target.filename().string() + ".XXXXXX")).string();
    std::vector<char> name(tmpl.begin(), tmpl.end());
    name.push_back('\0');
    int fd = ::mkstemp(name.data());
    if (fd < 0) {
        return fmt::format("{}: cannot create a temporary file in {}: {}", path, dir.string(),
                           std::strerror(errno));
    }
    std::string tmp(name.data());
    const char* data = text.data();
    std::size_t left = text.size();
    while (left > 0) {
        ssize_t n = ::write(fd, data, left);
        if (n < 0 && errno == EINTR) continue;
        if (n <= 0) {
            std::string err = std::strerror(errno);
            ::close(fd);
            ::unlink(tmp.c_str());
            return fmt::format("{}: cannot write: {}", path, err);
        }
        data += n;
        left -= static_cast<std::size_t>(n);
    }
    // mkstemp makes the file 0600; a topology is an ordinary file.
    ::fchmod(fd, 0644);
    if (::fsync(fd) != 0 || ::close(fd) != 0) {
        std::string err = std::strerror(errno);
        ::unlink(tmp.c_str());
        return fmt::format("{}: cannot write: {}", path, err);
    }
    if (std::rename(tmp.c_str(), path.c_str()) != 0) {
        std::string err = std::strerror(errno);
        ::unlink(tmp.c_str());
        return fmt::format("{}: cannot replace: {}", path, err);
    }
    return {};
}

}  // namespace vpcstack::importers::aws
