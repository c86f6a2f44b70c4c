// Replay: a real capture (tcpdump on a cloud instance, pcap or pcapng) fed through the simulated
// network as if one ENI sent it, on the virtual clock, and what the network did with every
// packet.
//
//   CaptureFile capture = read_capture("app.pcap");          // throws CaptureInputError
//   ReplayResult r = run_replay(topology, capture, {.at = "app"});
//   std::fputs(render_replay_text(*r.report, false).c_str(), stdout);
//
// - Reading: libpcap's pcap_open_offline (pcap and pcapng). Link types: Ethernet, Linux cooked
//   (SLL, SLL2) and raw IPv4, whose frames get an Ethernet header rebuilt from what the
//   capture says (the cooked header's EtherType and source address). A packet captured shorter
//   than it was on the wire is replayed as captured and reported as truncated.
// - Which packets: those the ENI sent. Ethernet: the source MAC is the ENI's MAC in the
//   topology, or, when no frame carries it (a capture from a real instance), the MAC that sent
//   from one of the ENI's private IPs; so a spoofed source from that MAC is still the ENI's.
//   Cooked: the packets the capture marks outgoing (not on the loopback). Raw IP: a source
//   among the ENI's private IPs. Packets to the ENI are the other side's: not injected, but
//   compared with what the simulated network delivered to the ENI (`reproduced`).
// - Framing: the ENI's MAC as the source; as the destination the MAC of the ENI holding the
//   address in the same subnet (as the engine's ARP answers), else the VPC router's
//   (engine::kRouterMac); a broadcast or multicast destination stays. An ARP packet's sender
//   MAC becomes the ENI's too.
// - Timing: after the warm-up (every host resolves its gateway and neighbours, the internet
//   the account's public addresses) the capture's first packet is at virtual time `start`,
//   each other at its offset from it; replies of the simulated hosts and timeouts happen in
//   virtual time, and the ENI itself answers nothing (the capture plays it).
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "vpcstack/engine/capture.hpp"
#include "vpcstack/engine/component.hpp"
#include "vpcstack/engine/conntrack.hpp"
#include "vpcstack/engine/trace.hpp"
#include "vpcstack/model/topology.hpp"
#include "vpcstack/net/ipv4.hpp"
#include "vpcstack/sim/trace_report.hpp"

namespace vpcstack::observe {

// A file that is not a capture, or one of a link type replay cannot frame; the message names
// the file and what was expected.
class CaptureInputError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

enum class CaptureLinkType : std::uint8_t { Ethernet, LinuxCooked, LinuxCooked2, RawIp };
std::string_view link_type_name(CaptureLinkType type) noexcept;  // "ethernet", "linux-sll", ...

// Who sent a packet, as the capture tells it (cooked captures record it; others: Unknown).
enum class CapturedDirection : std::uint8_t { Unknown, Outgoing, Incoming };

struct CapturedPacket {
    std::uint64_t time_ns = 0;        // the capture's timestamp, nanoseconds since 1970
    std::uint32_t wire_length = 0;    // on the wire (the link header replay rebuilt counted)
    std::vector<std::uint8_t> frame;  // Ethernet, as captured (possibly truncated)
    bool truncated = false;           // captured shorter than it was on the wire
    CapturedDirection direction = CapturedDirection::Unknown;
    bool loopback = false;  // a cooked capture's loopback interface
};

struct CaptureFile {
    std::string path;
    CaptureLinkType link_type = CaptureLinkType::Ethernet;
    std::vector<CapturedPacket> packets;
    std::vector<std::string> notes;  // what was odd about the file (cut short)
};

// Reads a pcap or pcapng file; throws CaptureInputError.
CaptureFile read_capture(const std::string& path);

// The virtual time of a capture's first packet: the warm-up has ended by then.
inline constexpr engine::TimeNs kReplayStart = engine::kNsPerSecond;

struct ReplayQuery {
    std::string at;  // the ENI playing the capture: an instance (its primary ENI), ENI name or id
    // Shown every packet after the warm-up at the capture points (engine/capture.hpp).
    engine::CaptureSink* capture = nullptr;
};

// Whose a captured packet is.
enum class PacketRole : std::uint8_t {
    Sent,      // by the ENI: replayed
    Received,  // to the ENI: the other side's, compared with the simulation
    Other,     // neither (another host's broadcast, the loopback)
};

enum class ReplayVerdict : std::uint8_t {
    Delivered,    // the engine delivered it (to an ENI or the internet)
    Answered,     // the network answered it itself (ARP, an ICMP error)
    Dropped,      // a component dropped it, with a reason
    NotReplayed,  // not the ENI's
};
std::string_view verdict_name(ReplayVerdict verdict) noexcept;  // "delivered", ...

struct ReplayPacket {
    std::size_t number = 0;  // 1-based, in the capture's order
    std::uint64_t capture_time_ns = 0;
    engine::TimeNs offset = 0;  // from the capture's first packet
    std::uint32_t wire_length = 0;
    std::uint32_t captured_length = 0;
    bool truncated = false;
    PacketRole role = PacketRole::Other;
    std::string packet;  // the packet in words, as it was captured
    ReplayVerdict verdict = ReplayVerdict::NotReplayed;
    // Sent packets: the engine's record of its walk (time is the virtual time it entered).
    std::optional<engine::PacketTrace> trace;
    std::string delivered_to;  // "eni/web/eth0 (web)", "internet 198.51.100.7 (client)"
    std::string answered_by;   // the component that answered
    // Dropped: the component, the rule (or why, when no rule decided) and the reason.
    std::string dropped_at;
    std::string rule;
    std::optional<engine::DropReason> drop;
    // Received packets: whether the simulated network delivered the same packet (addresses,
    // ports, TCP flags or ICMP type) to the ENI; none for what is not IPv4.
    std::optional<bool> reproduced;
};

// Every dropped flow (5-tuple as sent), with the hop-by-hop path of its first dropped packet.
struct DroppedFlow {
    std::string flow;              // the first dropped packet, in words
    std::size_t first_packet = 0;  // its number
    std::size_t packets = 0;       // dropped packets of the flow
    sim::TracePath path;
};

struct ReplaySummary {
    std::size_t packets = 0;  // in the capture
    std::size_t replayed = 0;
    std::size_t delivered = 0;
    std::size_t answered = 0;
    std::size_t dropped = 0;
    std::size_t received = 0;    // to the ENI in the capture
    std::size_t reproduced = 0;  // ... that the simulated network delivered too
    std::size_t other = 0;
    std::size_t truncated = 0;
    std::map<std::string, std::size_t> drops;  // by reason name
};

struct ReplayReport {
    std::string capture;   // the file
    std::string topology;  // the topology's file
    CaptureLinkType link_type = CaptureLinkType::Ethernet;
    std::string eni;                             // "eni/app/eth0"
    std::string instance;                        // its instance
    net::MacAddress mac;                         // the ENI's in the topology
    std::optional<net::MacAddress> capture_mac;  // the MAC that sent the ENI's frames
    std::vector<net::Ipv4Address> addresses;     // the ENI's private IPs
    engine::TimeNs start = kReplayStart;         // virtual time of the capture's first packet
    std::uint64_t epoch_ns = 0;                  // capture time of virtual time 0
    std::shared_ptr<const engine::ComponentRegistry> components;
    std::vector<ReplayPacket> packets;
    std::vector<DroppedFlow> dropped_flows;
    std::size_t delivered_to_eni = 0;  // frames the simulated network sent the ENI
    ReplaySummary summary;
    std::vector<std::string> notes;
    bool all_passed() const noexcept { return summary.dropped == 0; }
};

struct ReplayResult {
    std::optional<ReplayReport> report;
    std::string error;  // a usage or input error (unknown --at, nothing sent by the ENI)
};

// The capture time of virtual time 0, so that a far-side capture (CaptureOptions::epoch_ns)
// carries the original capture's times; 0 when the capture's clock starts before kReplayStart.
std::uint64_t replay_epoch_ns(const CaptureFile& capture) noexcept;

ReplayResult run_replay(const model::Topology& topology, const CaptureFile& capture,
                        const ReplayQuery& query);

// One aligned line per packet, a summary, then each dropped flow's path.
std::string render_replay_text(const ReplayReport& report, bool color);
// The same as JSON (docs/observe.md).
std::string render_replay_json(const ReplayReport& report);

}  // namespace vpcstack::observe
