// Plain-text output helpers: aligned columns, and ANSI colour that is applied only when asked
// (the caller decides, from isatty). Widths are measured without the colour codes, in UTF-8
// code points, so coloured and plain output align the same way.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace vpcstack::render {

enum class Style : std::uint8_t { Plain, Bold, Dim, Green, Yellow, Red, Cyan };

// The text wrapped in the style's escape codes when color is true; the text itself otherwise.
std::string styled(std::string_view text, Style style, bool color);

// Display width of UTF-8 text (code points; no escape codes expected).
std::size_t display_width(std::string_view text);

struct Cell {
    std::string text;
    Style style = Style::Plain;
    Cell(std::string t) : text(std::move(t)) {}  // NOLINT: implicit by design, for row literals
    Cell(const char* t) : text(t) {}             // NOLINT
    Cell(std::string t, Style s) : text(std::move(t)), style(s) {}
};

// Rows of cells printed in aligned columns separated by two spaces. Rows may have fewer cells
// than others; trailing spaces are never printed.
class Table {
  public:
    explicit Table(std::string indent = "") : indent_(std::move(indent)) {}

    void add_row(std::vector<Cell> cells) { rows_.push_back(std::move(cells)); }
    std::size_t size() const { return rows_.size(); }

    // One line per row, in order, without newlines.
    std::vector<std::string> lines(bool color) const;
    // All lines, each ending in a newline.
    std::string render(bool color) const;

  private:
    std::string indent_;
    std::vector<std::vector<Cell>> rows_;
};

// Joins words with ", " and wraps before `width` columns; continuation lines start with
// `indent` (the first line too).
std::string wrap_list(const std::vector<std::string>& words, std::size_t width,
                      const std::string& indent);

}  // namespace vpcstack::render
