// The engine daemon behind a lab (`vpcctl lab engine LAB`, started by `lab up`): brings the lab
// up, then runs one epoll loop that moves frames between the ports' fds and the Engine, serves
// the control socket (control.hpp) and expires connection state once a second.
//
// Offloads (virtio_net_hdr on every port, see vnet.hpp):
//  - a TCP frame with a partial checksum passes through the engine partial: the checksum field
//    is inverted before the engine and back after it, so the engine's RFC 1624 updates keep it
//    exact, and it leaves with the same header; other partial checksums are completed first;
//  - a TCPv4 GSO frame passes whole, but the engine is shown only its headers and the first
//    segment's payload: what it decides for that segment (rules, translations, the path MTU:
//    the 1500-byte internet gateway refuses a segment that does not fit, not the whole frame)
//    holds for every segment. The rest of the payload is put back behind the engine's headers on
//    the way out, and the receiving kernel cuts the frame where it must;
//  - any other GSO frame is cut in software first.
//
// Frames the daemon itself cannot carry are counted by LiveDrop, beside the engine's reasons.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

namespace vpcstack::live {

enum class LiveDrop : std::uint8_t {
    RxShort,            // shorter than its virtio header and an Ethernet header
    BadGso,             // a GSO frame that is not well-formed TCP/IPv4 and cannot be cut
    TxBusy,             // the device's queue is full (EAGAIN/ENOBUFS): dropped as a full NIC would
    TxError,            // the kernel refused the frame
    UnknownPort,        // the engine sent to a port the lab does not have
    BadChecksumOffset,  // a partial checksum whose offsets lie outside the frame
    RxError,            // the device read failed (not EAGAIN)
    kCount,
};

struct LiveDropInfo {
    LiveDrop reason;
    std::string_view name;
    std::string_view explanation;
};

inline constexpr std::array<LiveDropInfo, static_cast<std::size_t>(LiveDrop::kCount)> kLiveDrops{{
    {LiveDrop::RxShort, "RxShort", "frame shorter than its headers"},
    {LiveDrop::BadGso, "BadGso", "large segment that is not well-formed TCP/IPv4"},
    {LiveDrop::TxBusy, "TxBusy", "the device's transmit queue was full"},
    {LiveDrop::TxError, "TxError", "the kernel refused the frame"},
    {LiveDrop::UnknownPort, "UnknownPort", "the engine sent to a port the lab does not have"},
    {LiveDrop::BadChecksumOffset, "BadChecksumOffset",
     "a partial checksum whose offsets lie outside the frame"},
    {LiveDrop::RxError, "RxError", "reading from the device failed"},
}};

// What the daemon did to frames with offloads, as its status reply reports it.
struct OffloadCounts {
    std::uint64_t partial_passed = 0;  // TCP partial checksums carried through whole
    std::uint64_t csum_completed = 0;  // partial checksums completed in software
    std::uint64_t gso_passed = 0;      // large TCP segments carried through whole
    std::uint64_t gso_segmented = 0;   // large segments cut in software before the engine
};

// Runs the daemon of `lab` until SIGTERM or SIGINT. Reads /run/vpcstack/<lab>/state.json
// (written by `lab up`), logs to stderr. Returns a process exit code.
int run_engine_daemon(std::string_view lab);

}  // namespace vpcstack::live
