// Live captures (`vpcctl lab capture`, docs/observe.md): pcapng from a running lab's engine,
// streamed over the control socket.
//
// The daemon's side, CaptureStreams: a client asks for a capture on a control connection
// ({"op":"capture","points":[...],"filter":"...","drops_only":bool}); the request is checked,
// the reply {"ok":true} is the first line on the connection and pcapng follows on it, one
// observe::CaptureRecorder per connection. CaptureStreams is the engine's capture sink while at
// least one capture is open (the engine's one sink slot, fanned out to every recorder) and no
// sink at all otherwise, so a lab without captures does no per-packet work for them.
// Sockets are non-blocking and never stall the dataplane: what the kernel does not take waits
// in a queue of up to `queue_limit` bytes per capture; a packet block that does not fit is
// dropped whole and counted (header and interface blocks are always kept, the stream stays
// valid pcapng). A capture ends when its client goes away.
//
// The client's side, copy_capture: copies the stream to a file or a pipe block by block, until
// a packet count, a time, a signal, the reader of the output going away or the engine closing.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "vpcstack/engine/capture.hpp"
#include "vpcstack/engine/engine.hpp"
#include "vpcstack/live/netns.hpp"
#include "vpcstack/model/topology.hpp"
#include "vpcstack/observe/capture.hpp"

namespace vpcstack::live {

// The recorder's options of a capture request, checked against the topology: nothing and
// `error` (a sentence naming what was expected) when a point is unknown, the filter does not
// compile or a field has the wrong type. The client checks with it before asking, the daemon
// again when asked.
std::optional<observe::CaptureOptions> capture_options(const model::Topology& topology,
                                                       const nlohmann::json& request,
                                                       std::string& error);

// What an open capture has done, for the status reply and the daemon's log.
struct CaptureStreamStats {
    std::uint64_t id = 0;
    std::vector<std::string> points;  // as asked; empty: every point
    std::string filter;
    bool drops_only = false;
    std::uint64_t packets = 0;  // packet blocks sent or queued
    std::uint64_t dropped = 0;  // packet blocks dropped: the client did not keep up
    std::size_t queued = 0;     // bytes waiting for the socket
};

class CaptureStreams final : public engine::CaptureSink {
  public:
    static constexpr std::size_t kQueueLimit = std::size_t{4} << 20;  // bytes per capture
    using Log = std::function<void(const std::string&)>;

    // Registers its sockets with `epoll_fd` under the tags `tag_bit | id` (see handle()).
    CaptureStreams(engine::Engine& engine, const model::Topology& topology, int epoll_fd,
                   std::uint64_t tag_bit, Log log, std::size_t queue_limit = kQueueLimit);
    ~CaptureStreams() override;
    CaptureStreams(const CaptureStreams&) = delete;
    CaptureStreams& operator=(const CaptureStreams&) = delete;

    // Takes the connection a capture request came on. On bad input replies the error and
    // closes it (returns false); else replies {"ok":true}, starts the stream and attaches to
    // the engine. `epoch_ns` is added to the engine's times (Unix time of its clock's zero).
    bool open(Fd socket, const nlohmann::json& request, std::uint64_t epoch_ns);
    // An epoll event on a tag of this set: writes what waits, or ends a capture whose client
    // went away.
    void handle(std::uint64_t tag, std::uint32_t events);
    // Ends every capture (the daemon stops), sending what waits when the socket takes it.
    void close_all();

    bool owns(std::uint64_t tag) const noexcept { return (tag & tag_bit_) != 0; }
    std::size_t size() const noexcept { return streams_.size(); }
    std::vector<CaptureStreamStats> stats() const;

    // engine::CaptureSink: forwards to every open capture's recorder.
    void frame(const engine::CapturedFrame& frame) override;
    void finished(const engine::PacketTrace& trace) override;

  private:
    struct Stream;
    void close(std::size_t index, const std::string& why);

    engine::Engine& engine_;
    const model::Topology& topology_;
    int epoll_fd_;
    std::uint64_t tag_bit_;
    Log log_;
    std::size_t queue_limit_;
    std::uint64_t next_id_ = 0;
    // Streams are removed from the epoll loop only, never while the engine walks a packet.
    std::vector<std::unique_ptr<Stream>> streams_;
};

nlohmann::json capture_stats_json(const std::vector<CaptureStreamStats>& stats);

// ---- the client's side -------------------------------------------------------------------------

struct CaptureCopyLimits {
    std::optional<std::uint64_t> count;                 // packet blocks to write, then stop
    std::optional<std::chrono::milliseconds> duration;  // then stop
    bool stop_on_signals = true;  // SIGINT and SIGTERM end the copy (blocked while it runs)
};

enum class CaptureEnd : std::uint8_t {
    Count,         // --count packets written
    Duration,      // --duration passed
    Signal,        // SIGINT or SIGTERM
    ReaderGone,    // the output's reader went away (EPIPE)
    EngineClosed,  // the engine ended the stream (the lab went down)
    Failed,        // the stream is not pcapng, or reading or writing failed: see error
};

struct CaptureCopyResult {
    CaptureEnd end = CaptureEnd::Failed;
    std::uint64_t packets = 0;  // packet blocks written to the output
    std::uint64_t bytes = 0;
    std::string error;
};

// Copies whole pcapng blocks from `socket` (after `already`, bytes read with the reply) to
// `output`, each as soon as it is whole, so that a pipe's reader sees every packet at once.
// Never writes half a block: the output is valid pcapng however the copy ends. SIGPIPE is
// ignored while it runs.
CaptureCopyResult copy_capture(int socket, int output, std::span<const std::uint8_t> already,
                               const CaptureCopyLimits& limits);

}  // namespace vpcstack::live
