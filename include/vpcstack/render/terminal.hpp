// Whether output to a file descriptor should be coloured: only a terminal gets colour, and
// never when NO_COLOR is set (https://no-color.org) or TERM is "dumb".
#pragma once

namespace vpcstack::render {

bool color_wanted(int fd);

}  // namespace vpcstack::render
