#include "vpcstack/net/tcp.hpp"

namespace vpcstack::net::tcp {

std::string flags_text(std::uint8_t flags) {
    static constexpr std::pair<std::uint8_t, const char*> kNames[] = {
        {kSyn, "SYN"}, {kAck, "ACK"}, {kFin, "FIN"}, {kRst, "RST"}, {kPsh, "PSH"}};
    std::string text;
    for (auto [bit, name] : kNames) {
        if ((flags & bit) == 0) continue;
        if (!text.empty()) text += ',';
        text += name;
    }
    return text;
}

}  // namespace vpcstack::net::tcp
