// The output of `vpcctl verify`: every assertion, and every pair that breaks one with the packet
// that shows it (docs/verify.md).
#include <fmt/format.h>

#include "render_common.hpp"
#include "vpcstack/render/table.hpp"
#include "vpcstack/verify/render.hpp"

namespace vpcstack::verify {
namespace {

using detail::Json;
using render::Style;
using render::styled;

std::string location(const model::SourceLocation& loc) {
    if (loc.line <= 0) return loc.file;
    return fmt::format("{}:{}:{}", loc.file, loc.line, loc.column);
}

std::string policy_file(const PolicyCheck& check) {
    return check.results.empty() ? std::string() : check.results.front().assertion->loc.file;
}

// "tcp/5432 does not connect", "tcp/22, icmp echo connect".
std::string claim(const Violation& v) {
    if (v.connects) return fmt::format("{} connects, and should not", v.services.to_string());
    return fmt::format("{} does not connect", v.services.to_string());
}

std::string pairs(std::size_t n) {
    return fmt::format("{} pair{}", n, n == 1 ? "" : "s");
}

std::string indented(const std::string& text, std::string_view indent) {
    std::string out;
    std::size_t start = 0;
    while (start < text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string::npos) end = text.size();
        std::string_view line(text.data() + start, end - start);
        out += line.empty() ? std::string() : std::string(indent) + std::string(line);
        out += '\n';
        start = end + 1;
    }
    return out;
}

}  // namespace

std::string render_policy_text(const PolicyCheck& check, const Reach& reach, const TraceText& trace,
                               bool color) {
    std::size_t held = 0;
    for (const AssertionResult& r : check.results) held += r.holds ? 1 : 0;
    std::string out =
        fmt::format("verify {} against {}: {} assertions, {} hold, {} violated\n", reach.topology,
                    policy_file(check), check.results.size(), held, check.results.size() - held);
    out += '\n';
    bool after_violation = false;
    for (const AssertionResult& r : check.results) {
        const Assertion& a = *r.assertion;
        // A violation is a block of lines; a blank line sets it apart from what follows.
        if (after_violation) out += '\n';
        after_violation = r.evaluated && !r.holds;
        if (!r.evaluated) {
            out += fmt::format("{}  {} ({})\n", styled("NOT CHECKED", Style::Yellow, color),
                               a.label(), location(a.loc));
            continue;
        }
        if (r.holds) {
            out += fmt::format("{}     {} ({})\n", styled("holds", Style::Green, color), a.label(),
                               pairs(r.pairs));
            continue;
        }
        if (!out.ends_with("\n\n")) out += '\n';
        out += fmt::format("{}  {} ({} of {}; {})\n", styled("VIOLATED", Style::Red, color),
                           a.label(), r.violations.size(), pairs(r.pairs), location(a.loc));
        for (std::size_t i = 0; i < r.violations.size(); ++i) {
            const Violation& v = r.violations[i];
            out += fmt::format("  {} -> {}: {}\n", v.from_name, v.to_name, claim(v));
            for (const Blocker& b : v.blockers) {
                out += fmt::format("    blocked by {}", b.to_string());
                out += '\n';
            }
            out += fmt::format("    witness: {}\n", v.witness.command(reach.topology));
            if (trace && i < kTracedViolations) out += "\n" + indented(trace(v.witness), "    ");
        }
        if (r.violations.size() > kTracedViolations && trace) {
            out += fmt::format("  (traces shown for the first {} pairs)\n", kTracedViolations);
        }
    }
    return out;
}

std::string render_policy_json(const PolicyCheck& check, const Reach& reach,
                               const TraceJson& trace) {
    Json assertions = Json::array();
    for (const AssertionResult& r : check.results) {
        const Assertion& a = *r.assertion;
        Json violations = Json::array();
        for (std::size_t i = 0; i < r.violations.size(); ++i) {
            const Violation& v = r.violations[i];
            Json j = {{"from", v.from_name},
                      {"to", v.to_name},
                      {"services", detail::services_json(v.services)},
                      {"ranges", detail::ranges_json(v.services)},
                      {"connects", v.connects},
                      {"witness", detail::witness_json(v.witness, reach.topology)},
                      {"blockers", detail::blockers_json(v.blockers)}};
            if (trace && i < kTracedViolations) {
                std::string text = trace(v.witness);
                Json parsed = Json::parse(text, nullptr, false);
                j["trace"] = parsed.is_discarded() ? Json(text) : std::move(parsed);
            }
            violations.push_back(std::move(j));
        }
        assertions.push_back({{"name", a.name},
                              {"label", a.label()},
                              {"location", location(a.loc)},
                              {"from", a.from},
                              {"to", a.to},
                              {"kind", std::string(kind_name(a.kind))},
                              {"services", a.service_texts},
                              {"evaluated", r.evaluated},
                              {"holds", r.holds},
                              {"pairs", r.pairs},
                              {"violations", std::move(violations)}});
    }
    Json diagnostics = Json::array();
    for (const model::Diagnostic& d : check.diagnostics.sorted())
        diagnostics.push_back(d.to_string());
    Json doc = {{"holds", check.holds()},
                {"topology", reach.topology},
                {"policy", policy_file(check)},
                {"assertions", std::move(assertions)},
                {"diagnostics", std::move(diagnostics)}};
    return doc.dump(2) + "\n";
}

}  // namespace vpcstack::verify
