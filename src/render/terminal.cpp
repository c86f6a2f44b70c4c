#include "vpcstack/render/terminal.hpp"

#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace vpcstack::render {

bool color_wanted(int fd) {
    if (::isatty(fd) == 0) return false;
    const char* no_color = std::getenv("NO_COLOR");
    if (no_color != nullptr && *no_color != '\0') return false;
    const char* term = std::getenv("TERM");
    return term == nullptr || std::strcmp(term, "dumb") != 0;
}

}  // namespace vpcstack::render
