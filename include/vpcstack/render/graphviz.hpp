// Turning dot text into a picture with Graphviz's `dot` program, when it is installed.
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace vpcstack::render {

enum class ImageFormat { Dot, Svg, Png };

// The format named by a file's extension: .dot or .gv, .svg, .png; nullopt for anything else.
std::optional<ImageFormat> format_for_path(std::string_view path);

// The full path of an executable found in the directories of `path_env` (a PATH value).
std::optional<std::string> find_program(std::string_view name, std::string_view path_env);

struct DotRun {
    bool ok = false;
    std::string error;  // what went wrong, for the user, when !ok
};

// Runs `dot_program -T<svg|png> -o output` on the dot text (passed through a temporary file).
// Dot's own messages go to this process's stderr.
DotRun run_dot(const std::string& dot_program, const std::string& dot_text, ImageFormat format,
               const std::string& output);

}  // namespace vpcstack::render
