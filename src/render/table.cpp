#include "vpcstack/render/table.hpp"

#include <algorithm>

namespace vpcstack::render {

namespace {

const char* escape_code(Style style) {
    switch (style) {
        case Style::Plain:
            return "";
        case Style::Bold:
            return "\033[1m";
        case Style::Dim:
            return "\033[2m";
        case Style::Green:
            return "\033[32m";
        case Style::Yellow:
            return "\033[33m";
        case Style::Red:
            return "\033[31m";
        case Style::Cyan:
            return "\033[36m";
    }
    return "";
}

}  // namespace

std::string styled(std::string_view text, Style style, bool color) {
    if (!color || style == Style::Plain || text.empty()) return std::string(text);
    std::string out = escape_code(style);
    out += text;
    out += "\033[0m";
    return out;
}

std::size_t display_width(std::string_view text) {
    // Count every byte that is not a UTF-8 continuation byte (10xxxxxx).
    return static_cast<std::size_t>(std::count_if(text.begin(), text.end(), [](char c) {
        return (static_cast<unsigned char>(c) & 0xC0) != 0x80;
    }));
}

std::vector<std::string> Table::lines(bool color) const {
    std::vector<std::size_t> widths;
    for (const auto& row : rows_) {
        if (widths.size() < row.size()) widths.resize(row.size(), 0);
        for (std::size_t c = 0; c < row.size(); ++c) {
            widths[c] = std::max(widths[c], display_width(row[c].text));
        }
    }
    std::vector<std::string> out;
    out.reserve(rows_.size());
    for (const auto& row : rows_) {
        // The last non-empty cell ends the line, so no trailing spaces are printed.
        std::size_t used = row.size();
        while (used > 0 && row[used - 1].text.empty()) --used;
        std::string line = indent_;
        for (std::size_t c = 0; c < used; ++c) {
            line += styled(row[c].text, row[c].style, color);
            if (c + 1 < used) {
                line.append(widths[c] - display_width(row[c].text) + 2, ' ');
            }
        }
        out.push_back(std::move(line));
    }
    return out;
}

std::string Table::render(bool color) const {
    std::string out;
    for (const std::string& line : lines(color)) {
        out += line;
        out += '\n';
    }
    return out;
}

std::string wrap_list(const std::vector<std::string>& words, std::size_t width,
                      const std::string& indent) {
    std::string out = indent;
    std::size_t column = display_width(indent);
    const std::size_t start = column;
    for (std::size_t i = 0; i < words.size(); ++i) {
        std::string piece = words[i] + (i + 1 < words.size() ? "," : "");
        const std::size_t w = display_width(piece);
        if (column > start) {
            if (column + 1 + w > width) {
                out += "\n" + indent;
                column = start;
            } else {
                out += ' ';
                ++column;
            }
        }
        out += piece;
        column += w;
    }
    return out;
}

}  // namespace vpcstack::render
