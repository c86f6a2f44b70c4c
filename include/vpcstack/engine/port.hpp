// The boundary between the engine and whatever feeds it frames: the simulation (sim/) or the
// live lab's TAP and veth devices (live/). Both speak whole Ethernet frames, as bytes.
//
// Every ENI of the topology is one port, numbered by its index in Topology::enis. The internet
// (every address outside all VPCs: the topology's internet hosts and anything else) is one more
// port, kInternetPort, as if all of it sat behind one cable plugged into the internet gateways.
#pragma once

#include <cstdint>
#include <span>

namespace vpcstack::engine {

using PortId = std::uint32_t;
inline constexpr PortId kInternetPort = 0xFFFFFFFEu;

// Time in nanoseconds: virtual in the simulation, CLOCK_MONOTONIC in a live lab.
using TimeNs = std::uint64_t;

// Receives the frames the engine sends out of a port. The frame is valid only during the call.
class FrameSink {
  public:
    virtual ~FrameSink() = default;
    virtual void transmit(PortId port, std::span<const std::uint8_t> frame) = 0;
};

}  // namespace vpcstack::engine
