#include "vpcstack/model/diagnostics.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <tuple>

namespace vpcstack::model {

std::string Diagnostic::to_string() const {
    std::string place = loc.file;
    if (loc.line > 0) place += fmt::format(":{}:{}", loc.line, loc.column);
    const char* level = severity == Severity::Error ? "error" : "warning";
    if (kind.empty()) return fmt::format("{}: {}: {}", place, level, message);
    if (name.empty()) return fmt::format("{}: {}: {}: {}", place, level, kind, message);
    return fmt::format("{}: {}: {} '{}': {}", place, level, kind, name, message);
}

void Diagnostics::error(SourceLocation loc, std::string kind, std::string name,
                        std::string message) {
    items_.push_back(
        {Severity::Error, std::move(loc), std::move(kind), std::move(name), std::move(message)});
}

void Diagnostics::warning(SourceLocation loc, std::string kind, std::string name,
                          std::string message) {
    items_.push_back(
        {Severity::Warning, std::move(loc), std::move(kind), std::move(name), std::move(message)});
}

bool Diagnostics::has_errors() const {
    return error_count() > 0;
}

std::size_t Diagnostics::error_count() const {
    return static_cast<std::size_t>(
        std::count_if(items_.begin(), items_.end(),
                      [](const Diagnostic& d) { return d.severity == Severity::Error; }));
}

std::size_t Diagnostics::warning_count() const {
    return items_.size() - error_count();
}

std::vector<Diagnostic> Diagnostics::sorted() const {
    std::vector<Diagnostic> out = items_;
    std::stable_sort(out.begin(), out.end(), [](const Diagnostic& a, const Diagnostic& b) {
        return std::tie(a.loc.file, a.loc.line, a.loc.column) <
               std::tie(b.loc.file, b.loc.line, b.loc.column);
    });
    return out;
}

}  // namespace vpcstack::model
