// build_topology(): the builder and its rooms are described in build/builder.hpp.
#include "vpcstack/model/validation.hpp"

#include "build/builder.hpp"

namespace vpcstack::model {

// Locally administered, 02:01:XX:XX:XX:XX, clear of the engine's own 02:00:00:00:00:XX
// (the router and the internet side).
net::MacAddress eni_mac(Index index) {
    const std::uint32_t n = index + 1;
    return net::MacAddress({0x02, 0x01, 0x00, static_cast<std::uint8_t>(n >> 16),
                            static_cast<std::uint8_t>(n >> 8), static_cast<std::uint8_t>(n)});
}

std::optional<Topology> build_topology(const RawTopology& raw, Diagnostics& diags) {
    return build::Builder(raw, diags).build();
}

}  // namespace vpcstack::model
