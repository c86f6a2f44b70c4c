#include "vpcstack/importers/yaml_text.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <array>
#include <cctype>

namespace vpcstack::importers {

namespace {

bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
}

// Words YAML 1.1 readers take for booleans or null.
bool is_special_word(std::string_view text) {
    static const std::array<std::string_view, 11> words = {
        "true", "false", "yes", "no", "on", "off", "null", "y", "n", "~", ""};
    std::string lower(text);
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return std::find(words.begin(), words.end(), lower) != words.end();
}

bool looks_numeric(std::string_view text) {
    bool digit = false;
    for (char c : text) {
        if (std::isdigit(static_cast<unsigned char>(c)) != 0) {
            digit = true;
        } else if (c != '.' && c != '-' && c != '+' && c != 'e' && c != 'E' && c != '_' &&
                   c != 'x' && c != 'o') {
            return false;
        }
    }
    return digit;
}

}  // namespace

std::string yaml_scalar(std::string_view text, bool in_flow) {
    bool plain = !is_special_word(text) && !looks_numeric(text);
    if (plain) {
        const char first = text.front();
        if (std::string_view("-?:,[]{}#&*!|>'\"%@` ").find(first) != std::string_view::npos) {
            plain = false;
        }
        if (text.back() == ' ' || text.back() == ':') plain = false;
        if (text.find(": ") != std::string_view::npos ||
            text.find(" #") != std::string_view::npos) {
            plain = false;
        }
        for (char c : text) {
            auto u = static_cast<unsigned char>(c);
            if (u < 0x20 || u >= 0x7f || c == '"' || c == '\\' || c == '\'') plain = false;
            if (in_flow && std::string_view(",[]{}").find(c) != std::string_view::npos) {
                plain = false;
            }
        }
    }
    if (plain) return std::string(text);
    std::string out = "\"";
    for (char c : text) {
        auto u = static_cast<unsigned char>(c);
        switch (c) {
            case '"':
                out += "\\\"";
                break;
            case '\\':
                out += "\\\\";
                break;
            case '\n':
                out += "\\n";
                break;
            case '\t':
                out += "\\t";
                break;
            case '\r':
                out += "\\r";
                break;
            default:
                if (u < 0x20 || u == 0x7f) {
                    out += fmt::format("\\x{:02x}", u);
                } else {
                    out += c;  // UTF-8 bytes pass through: YAML files are UTF-8
                }
        }
    }
    out += '"';
    return out;
}

std::string sanitize_name(std::string_view text) {
    std::string out;
    bool pending_dash = false;
    for (char c : text) {
        if (is_name_char(c)) {
            if (pending_dash && !out.empty()) out += '-';
            pending_dash = false;
            out += c;
        } else {
            pending_dash = true;
        }
    }
    while (!out.empty() && out.back() == '-') out.pop_back();
    std::size_t start = out.find_first_not_of('-');
    return start == std::string::npos ? std::string() : out.substr(start);
}

std::string NameScope::unique(const std::string& wanted) {
    std::string name = wanted;
    // Start from the last number handed out for this name: thousands of instances tagged
    // alike must not cost a scan each.
    int& n = next_[wanted];
    if (n < 2) n = 2;
    while (taken_.count(name) != 0) name = fmt::format("{}-{}", wanted, n++);
    taken_.insert(name);
    return name;
}

}  // namespace vpcstack::importers
