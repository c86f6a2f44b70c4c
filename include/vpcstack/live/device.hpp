// The two ways an engine port meets the kernel in a live lab:
//  - a TAP device, created inside the instance's namespace as the instance's own interface; the
//    engine holds its fd, so what the instance sends is read from the fd and what the engine
//    writes arrives at the instance;
//  - the host end of a veth pair (the other end is the instance's interface), read and written
//    with an AF_PACKET socket.
// Both carry a virtio_net_hdr before each frame when offloads are on (see vnet.hpp), so large
// TCP segments (TSO/GSO) and partial checksums cross the engine whole.
#pragma once

#include <string>

#include "vpcstack/live/netns.hpp"

namespace vpcstack::live {

struct TapOptions {
    bool vnet_hdr = true;  // IFF_VNET_HDR + TUNSETOFFLOAD(csum, TSO4, TSO6)
    // A persistent TAP outlives its fd: closing the fd is then cheap, and the device goes away
    // with its namespace in the kernel's batch (measured: ~20 ms per non-persistent close).
    bool persist = true;
};

struct OpenedDevice {
    Fd fd;
    int ifindex = 0;
};

// Creates (or attaches to) the TAP `name` in the calling thread's namespace. Non-blocking fd.
OpenedDevice open_tap(const std::string& name, const TapOptions& options);

// An AF_PACKET socket bound to ifindex in the calling thread's namespace, with PACKET_VNET_HDR
// when vnet_hdr is set. Non-blocking.
Fd open_packet_socket(int ifindex, bool vnet_hdr);

}  // namespace vpcstack::live
