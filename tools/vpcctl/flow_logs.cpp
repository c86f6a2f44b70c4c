// The flow log options of the command line, checked and turned into the library's.
#include <ctime>

#include "commands.hpp"

namespace vpcstack::cli {

std::optional<observe::FlowLogOptions> flow_log_options(const FlowLogCliOptions& cli,
                                                        std::string& error) {
    std::optional<observe::FlowLogOptions> o = cli.options(error);
    if (!o) return std::nullopt;
    const long long epoch = cli.epoch >= 0 ? cli.epoch : static_cast<long long>(std::time(nullptr));
    o->epoch_ns = static_cast<std::int64_t>(epoch) * 1'000'000'000;
    return o;
}

}  // namespace vpcstack::cli
