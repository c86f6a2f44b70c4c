// The flow log options of the command line, checked and turned into the library's.
#include <ctime>

#include "commands.hpp"

namespace vpcstack::cli {

std::optional<observe::FlowLogOptions> flow_log_options(const FlowLogCliOptions& cli,
                                                        std::string& error) {
    observe::FlowLogOptions o;
    o.account = cli.account;
    o.region = cli.region;
    o.interval_seconds = static_cast<std::uint32_t>(cli.interval);
    if (!cli.format.empty()) {
        std::string why;
        auto format = observe::FlowLogFormat::parse(cli.format, why);
        if (!format) {
            error = "--flow-log-format: " + why;
            return std::nullopt;
        }
        o.format = *format;
    }
    const long long epoch = cli.epoch >= 0 ? cli.epoch : static_cast<long long>(std::time(nullptr));
    o.epoch_ns = static_cast<std::int64_t>(epoch) * 1'000'000'000;
    if (std::string bad = o.check(); !bad.empty()) {
        error = bad;
        return std::nullopt;
    }
    return o;
}

}  // namespace vpcstack::cli
