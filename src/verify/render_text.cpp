// The terminal forms of `vpcctl reach`: the matrix with its per-pair details, and the query.
#include <fmt/format.h>

#include <set>

#include "render_common.hpp"
#include "vpcstack/render/table.hpp"
#include "vpcstack/verify/render.hpp"

namespace vpcstack::verify {
namespace {

using render::Cell;
using render::Style;
using render::styled;

constexpr std::size_t kRowNameWidth = 24;

Style coverage_style(detail::Coverage c) {
    switch (c) {
        case detail::Coverage::None:
            return Style::Red;
        case detail::Coverage::Partial:
            return Style::Yellow;
        case detail::Coverage::Most:
            return Style::Green;
    }
    return Style::Plain;
}

// Column headers: the names cut to a cell's width; numbers with a legend when two cut names
// would look the same.
std::vector<std::string> column_headers(const Reach& reach, std::string& legend) {
    std::vector<std::string> headers;
    std::set<std::string> seen;
    bool clash = false;
    for (std::size_t d : reach.destinations) {
        const std::string& name = reach.places[d].name;
        std::string h = detail::abbreviate(name, detail::kCellWidth);
        clash = clash || !seen.insert(h).second;
        headers.push_back(std::move(h));
    }
    if (!clash) return headers;
    for (std::size_t i = 0; i < headers.size(); ++i) {
        headers[i] = fmt::format("{}", i + 1);
        legend += fmt::format("  {} = {}\n", i + 1, reach.places[reach.destinations[i]].name);
    }
    return headers;
}

std::string matrix(const Reach& reach, bool color) {
    std::string legend;
    render::Table table;
    std::vector<Cell> header{Cell("FROM \\ TO", Style::Bold)};
    for (std::string& h : column_headers(reach, legend))
        header.emplace_back(std::move(h), Style::Bold);
    table.add_row(std::move(header));
    for (std::size_t s : reach.sources) {
        std::vector<Cell> row{Cell(detail::abbreviate(reach.places[s].name, kRowNameWidth))};
        for (std::size_t d : reach.destinations) {
            if (s == d) {
                row.emplace_back("·", Style::Dim);
            } else if (const std::optional<PairResult> p = reach.view(s, d)) {
                row.emplace_back(detail::cell_summary(p->open),
                                 coverage_style(detail::coverage(p->open)));
            } else {
                row.emplace_back("?", Style::Dim);  // not computed
            }
        }
        table.add_row(std::move(row));
    }
    std::string out = table.render(color);
    if (!legend.empty()) out += "columns:\n" + legend;
    return out;
}

std::string pair_details(const Reach& reach, const PairResult& pair, bool color) {
    std::string out = styled(detail::pair_title(reach, pair), Style::Bold, color) + "\n";
    out += fmt::format("  open: {}\n", styled(pair.open.to_string(),
                                              coverage_style(detail::coverage(pair.open)), color));
    for (std::size_t i = 0; i < pair.open.ranges().size() && i < pair.open_witnesses.size(); ++i) {
        out += fmt::format("    {}: {}\n", pair.open.ranges()[i].to_string(),
                           pair.open_witnesses[i].command(reach.topology));
    }
    for (const Closed& c : pair.closed) {
        out += fmt::format("  closed: {}\n", c.services.to_string());
        for (const Blocker& b : c.blockers) {
            out += fmt::format("    blocked by {}", styled(b.to_string(), Style::Red, color));
            out += '\n';
        }
        out += fmt::format("    witness: {}\n", c.witness.command(reach.topology));
    }
    return out;
}

// "tcp/443", "udp/53 from port 5353", "icmp echo", "proto 47".
std::string query_service(const sim::TraceQuery& q) {
    if (q.protocol.empty() || q.protocol == "icmp") return "icmp echo";
    std::string out = q.protocol;
    if (q.dport >= 0) out += fmt::format("/{}", q.dport);
    if (q.sport >= 0) out += fmt::format(" from port {}", q.sport);
    return out;
}

}  // namespace

std::string render_reach_text(const Reach& reach, bool color) {
    std::string out = fmt::format("reach {}: {} sources x {} destinations\n\n", reach.topology,
                                  reach.sources.size(), reach.destinations.size());
    out += matrix(reach, color);
    for (const PairResult& p : reach.views()) out += "\n" + pair_details(reach, p, color);
    const ReachStats& st = reach.stats;
    out += fmt::format(
        "\n{} places in {} classes; {} class pairs computed with {} probes in {:.2f} s\n",
        st.places, st.classes, st.class_pairs, st.probes, st.seconds);
    return out;
}

std::string render_query_text(const QueryResult& result, const sim::TraceQuery& query,
                              std::string_view topology) {
    if (!result.error.empty()) return fmt::format("error: {}\n", result.error);
    std::string out =
        fmt::format("{}: {} from {} to {}\n", result.reachable ? "reachable" : "unreachable",
                    query_service(query), query.from, query.to);
    for (const Blocker& b : result.blockers) {
        out += fmt::format("  blocked by {}", b.to_string());
        out += '\n';
    }
    if (result.witness) out += fmt::format("  witness: {}\n", result.witness->command(topology));
    return out;
}

}  // namespace vpcstack::verify
