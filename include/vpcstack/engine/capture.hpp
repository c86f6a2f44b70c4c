// Capture points: where the engine shows a packet to a capture (observe/capture.hpp writes
// pcapng from them). A packet is shown as it is at that point: before a gateway translates it
// on the gateway's receiving side, after on its sending side. Each receive() is one packet id,
// the same at every point it passes; when its walk ends, the sink gets its trace (the verdict,
// and for a drop the component, rule and reason).
//
// The points, and where in the stage graph they are:
//   Eni              every frame the instance sends (outbound, before any check) and every
//                    frame sent to it (inbound: delivered packets, ARP replies, ICMP errors)
//   Subnet           the subnet boundary: before its outbound ACL (leaving) and before its
//                    inbound ACL (entering); traffic within one subnet does not cross it
//   InternetGateway  inside: from the VPC, before translation (inbound) and towards it, after
//                    (outbound); outside: towards the internet, translated (outbound), and from
//                    it, before translation (inbound)
//   NatGateway       inside: from the subnets, past the gateway subnet's inbound ACL (inbound),
//                    and replies translated back (outbound); outside: translated (outbound) and
//                    replies before translation (inbound)
//   Peering          as the packet crosses the peering connection
//   Internet         every frame on the internet port (inbound: from the internet)
#pragma once

#include <cstdint>
#include <span>

#include "vpcstack/engine/port.hpp"
#include "vpcstack/engine/trace.hpp"
#include "vpcstack/model/topology.hpp"

namespace vpcstack::engine {

enum class CaptureKind : std::uint8_t {
    Eni,
    Subnet,
    InternetGateway,
    NatGateway,
    Peering,
    Internet
};
enum class CaptureSide : std::uint8_t { Whole, Inside, Outside };
// As the point's own interface sees the packet (received: inbound); the values are pcapng's
// epb_flags direction bits.
enum class CaptureDirection : std::uint8_t { Unknown = 0, Inbound = 1, Outbound = 2 };

struct CapturePoint {
    CaptureKind kind = CaptureKind::Internet;
    model::Index index = model::kNone;  // into the topology's vector of that kind
    CaptureSide side = CaptureSide::Whole;
    friend bool operator==(const CapturePoint&, const CapturePoint&) = default;
};

struct CapturedFrame {
    CapturePoint point;
    CaptureDirection direction = CaptureDirection::Unknown;
    std::uint64_t packet_id = 0;  // PacketTrace::id of the packet being walked
    TimeNs time = 0;
    std::span<const std::uint8_t> frame;  // valid during the call only
    // A frame the network made in answer (an ARP reply, an ICMP error, a NAT gateway's RST).
    bool made_by_network = false;
};

class CaptureSink {
  public:
    virtual ~CaptureSink() = default;
    virtual void frame(const CapturedFrame& frame) = 0;
    // The packet's walk ended; its frames were all shown before this.
    virtual void finished(const PacketTrace& trace) = 0;
};

}  // namespace vpcstack::engine
