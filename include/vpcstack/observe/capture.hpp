// Captures: pcapng written by vpcstack from the engine's capture points (engine/capture.hpp).
//
// One interface description block per capture point, named after the component
// ("nat/nat-a outside", "eni/web/eth0", "subnet/prod/public"); enhanced packet blocks with the
// direction in epb_flags, the packet's engine id in epb_packetid (the same at every hop, so one
// packet can be followed through the network) and, for a packet that died, the component, rule
// and reason in opt_comment ("dropped at acl/web-acl: outbound rule *: deny all [AclDenied]").
// Format: the pcapng specification (draft-ietf-opsawg-pcapng), little-endian, nanosecond
// timestamps (if_tsresol 9), link type Ethernet.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "vpcstack/engine/capture.hpp"
#include "vpcstack/engine/component.hpp"
#include "vpcstack/model/topology.hpp"

namespace vpcstack::observe {

// Where bytes go; false when the reader went away (a closed pipe or socket) or the write failed.
using CaptureOutput = std::function<bool(std::span<const std::uint8_t>)>;

class PcapngWriter {
  public:
    // Writes the section header block at once.
    explicit PcapngWriter(CaptureOutput out);
    // An interface description block; returns the interface's id (0, 1, ...).
    std::uint32_t add_interface(std::string_view name, std::string_view description);
    // An enhanced packet block. `time_ns` counts from 1970 (pcapng's epoch).
    void packet(std::uint32_t interface, std::uint64_t time_ns, std::span<const std::uint8_t> frame,
                engine::CaptureDirection direction, std::optional<std::uint64_t> packet_id,
                std::string_view comment);
    // False once a write failed; nothing more is written then.
    bool ok() const noexcept { return ok_; }

  private:
    void emit(std::span<const std::uint8_t> block);
    CaptureOutput out_;
    std::uint32_t interfaces_ = 0;
    bool ok_ = true;
    std::vector<std::uint8_t> block_;
};

// Cuts a pcapng byte stream (as PcapngWriter writes it: little-endian) into whole blocks, for a
// reader that must stop at a block boundary (`vpcctl lab capture --count`).
class PcapngBlockSplitter {
  public:
    enum class Type : std::uint8_t { SectionHeader, InterfaceDescription, EnhancedPacket, Other };
    struct Block {
        Type type = Type::Other;
        std::span<const std::uint8_t> bytes;  // valid until the next append() or take()
    };
    void append(std::span<const std::uint8_t> bytes);
    // The next whole block, or nothing until more bytes come; nothing with error() set when
    // the stream is not pcapng.
    std::optional<Block> next();
    // Forgets the blocks next() returned (call once they are used).
    void take();
    const std::string& error() const noexcept { return error_; }
    // Bytes not yet returned by next(): a block still incomplete.
    std::size_t pending() const noexcept { return buffer_.size() - read_; }

  private:
    std::vector<std::uint8_t> buffer_;
    std::size_t read_ = 0;  // bytes returned by next() since the last take()
    bool first_ = true;
    std::string error_;
};

// A BPF filter in libpcap's syntax, compiled by libpcap for Ethernet frames.
class PacketFilter {
  public:
    // Throws std::invalid_argument with libpcap's message when the expression does not compile.
    explicit PacketFilter(const std::string& expression);
    ~PacketFilter();
    PacketFilter(const PacketFilter&) = delete;
    PacketFilter& operator=(const PacketFilter&) = delete;
    bool matches(std::span<const std::uint8_t> frame) const;

  private:
    struct Program;
    std::unique_ptr<Program> program_;
};

// Capture points by name.
std::string capture_point_name(const model::Topology& topology, const engine::CapturePoint& point);
// Every point of the topology, in a stable order (ENIs, subnets, gateways, peerings, internet).
std::vector<engine::CapturePoint> all_capture_points(const model::Topology& topology);
// What a user's name means: an exact point name ("nat/nat-a outside", also "nat/nat-a:outside"),
// a component with two sides ("nat/nat-a": both), an instance ("web" or "eni/web": its ENIs).
// Empty with `error` set when nothing is called that; the error lists the kinds of names.
std::vector<engine::CapturePoint> parse_capture_point(const model::Topology& topology,
                                                      std::string_view text, std::string& error);
// A file name for a point's own capture: "nat_nat-a_outside.pcapng".
std::string capture_file_name(std::string_view point_name);

struct CaptureOptions {
    std::vector<engine::CapturePoint> points;  // empty: every point
    bool drops_only = false;                   // only packets that died
    std::string filter;                        // BPF (libpcap syntax); empty: every packet
    std::uint64_t epoch_ns = 0;                // added to the engine's times
};

// The engine's capture sink: holds a packet's frames until its walk ends, then writes those
// the options select, the drop's comment on the last frame the packet reached.
class CaptureRecorder final : public engine::CaptureSink {
  public:
    // Every point into one output. Throws std::invalid_argument on a bad filter.
    CaptureRecorder(const model::Topology& topology, CaptureOptions options, CaptureOutput out);
    // One output per point, opened (by `open`, given the point's name) when its first packet is
    // written; null from `open` is an error the recorder reports through ok().
    using OpenOutput = std::function<CaptureOutput(const std::string& point_name)>;
    CaptureRecorder(const model::Topology& topology, CaptureOptions options, OpenOutput open);
    ~CaptureRecorder() override;

    void frame(const engine::CapturedFrame& frame) override;
    void finished(const engine::PacketTrace& trace) override;

    std::uint64_t packets_written() const noexcept { return written_; }
    bool ok() const noexcept;  // false once an output failed

  private:
    struct Held {
        engine::CapturePoint point;
        engine::CaptureDirection direction;
        engine::TimeNs time;
        bool made_by_network;
        std::vector<std::uint8_t> bytes;
    };
    struct Output {
        std::unique_ptr<PcapngWriter> writer;
        std::uint32_t interface = 0;
    };
    bool selected(const engine::CapturePoint& point) const;
    Output* output_for(const engine::CapturePoint& point);
    std::string drop_comment(const engine::PacketTrace& trace) const;

    const model::Topology& topology_;
    engine::ComponentRegistry components_;
    CaptureOptions options_;
    std::unique_ptr<PacketFilter> filter_;
    std::unique_ptr<PcapngWriter> shared_;  // the one output, when there is one
    OpenOutput open_;
    std::vector<std::pair<engine::CapturePoint, Output>> outputs_;
    std::vector<Held> held_;
    std::size_t held_count_ = 0;  // held_[0, held_count_) belong to the packet being walked
    std::uint64_t written_ = 0;
    bool open_failed_ = false;
};

}  // namespace vpcstack::observe
