#include "vpcstack/importers/yaml_text.hpp"

#include <fmt/format.h>

#include <cctype>

namespace vpcstack::importers {

namespace {

bool is_name_char(char c) {
    return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '.' || c == '_' || c == '-';
}

}  // namespace

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
