// Live captures without a lab: the daemon's CaptureStreams on an engine fed by hand, over a
// socket pair, and the client's copy into pipes and files. The stream opens with the reply
// line, stays valid pcapng when a slow client makes it drop packets (counted), ends when the
// client goes away, and the copy stops at a block boundary. capture_lab_test.cpp runs the same
// through a real lab and tshark.
#include "vpcstack/live/capture_stream.hpp"

#include <fcntl.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstring>
#include <stdexcept>
#include <string>
#include <vector>

#include "vpcstack/model/loader.hpp"

namespace vpcstack::live {
namespace {

using nlohmann::json;

constexpr std::uint64_t kTagBit = std::uint64_t{1} << 62;

model::Topology two_tier() {
    model::LoadResult r = model::load_topology_file(std::string(VPCSTACK_SOURCE_DIR) +
                                                    "/topologies/two-tier-nat.yaml");
    if (!r.ok()) throw std::runtime_error("cannot load two-tier-nat.yaml");
    return std::move(*r.topology);
}

struct NoWire final : engine::FrameSink {
    void transmit(engine::PortId, std::span<const std::uint8_t>) override {}
};

// A frame from web (ENI 0): every frame an instance sends is shown at its ENI, whatever it is.
std::vector<std::uint8_t> frame_from_web(std::size_t size = 60) {
    std::vector<std::uint8_t> f(size, 0);
    f[12] = 0x08;  // IPv4, but not well formed: the engine drops it after the ENI point
    return f;
}

// What the client end of a capture connection reads: the reply line, then pcapng.
struct Client {
    Fd fd;
    std::string reply;
    std::vector<std::uint8_t> stream;

    // Reads what is there now (the socket is non-blocking).
    void drain() {
        std::uint8_t buffer[65536];
        for (;;) {
            const ssize_t n = ::recv(fd.get(), buffer, sizeof(buffer), MSG_DONTWAIT);
            if (n <= 0) break;
            stream.insert(stream.end(), buffer, buffer + n);
        }
        if (reply.empty()) {
            auto line = std::find(stream.begin(), stream.end(), '\n');
            if (line != stream.end()) {
                reply.assign(stream.begin(), line);
                stream.erase(stream.begin(), line + 1);
            }
        }
    }
};

struct Blocks {
    std::size_t packets = 0;
    std::size_t interfaces = 0;
    std::vector<std::uint64_t> times;
    std::string error;
};

Blocks blocks_of(const std::vector<std::uint8_t>& stream) {
    observe::PcapngBlockSplitter splitter;
    splitter.append(stream);
    Blocks b;
    while (auto block = splitter.next()) {
        if (block->type == observe::PcapngBlockSplitter::Type::EnhancedPacket) {
            ++b.packets;
            std::uint32_t high = 0, low = 0;
            std::memcpy(&high, block->bytes.data() + 12, 4);
            std::memcpy(&low, block->bytes.data() + 16, 4);
            b.times.push_back(std::uint64_t{high} << 32 | low);
        }
        if (block->type == observe::PcapngBlockSplitter::Type::InterfaceDescription) {
            ++b.interfaces;
        }
    }
    b.error = splitter.error();
    if (b.error.empty() && splitter.pending() != 0) b.error = "a block is cut short";
    return b;
}

class CaptureStreamsTest : public testing::Test {
  protected:
    CaptureStreamsTest()
        : topology_(two_tier()),
          engine_(topology_, wire_),
          epoll_(::epoll_create1(EPOLL_CLOEXEC)),
          streams_(engine_, topology_, epoll_.get(), kTagBit,
                   [this](const std::string& line) { log_.push_back(line); }) {}

    // Opens a capture and returns the client's end.
    Client open(const json& request, bool* opened = nullptr) {
        int pair[2];
        EXPECT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
        Client client{Fd(pair[0]), "", {}};
        const bool ok = streams_.open(Fd(pair[1]), request, 1'000'000'000'000'000'000ull);
        if (opened != nullptr) *opened = ok;
        client.drain();
        return client;
    }

    // Waits for epoll events of the captures and hands them over.
    void poll_events(int timeout_ms = 100) {
        std::array<epoll_event, 16> events{};
        const int n = ::epoll_wait(epoll_.get(), events.data(), events.size(), timeout_ms);
        for (int i = 0; i < n; ++i) {
            ASSERT_TRUE(streams_.owns(events[i].data.u64));
            streams_.handle(events[i].data.u64, events[i].events);
        }
    }

    model::Topology topology_;
    NoWire wire_;
    engine::Engine engine_;
    Fd epoll_;
    std::vector<std::string> log_;
    CaptureStreams streams_;
};

TEST_F(CaptureStreamsTest, TheReplyLineComesFirstThenPcapngWithUnixTimes) {
    Client client = open({{"op", "capture"}, {"points", {"web"}}});
    EXPECT_EQ(client.reply, R"({"ok":true})");
    ASSERT_EQ(streams_.size(), 1u);
    engine_.receive(0, frame_from_web(), 5'000);
    client.drain();
    const Blocks b = blocks_of(client.stream);
    EXPECT_EQ(b.error, "");
    EXPECT_EQ(b.interfaces, 1u) << "eni/web/eth0 only";
    ASSERT_EQ(b.packets, 1u);
    EXPECT_EQ(b.times[0], 1'000'000'000'000'005'000ull) << "the epoch plus the engine's time";
    EXPECT_EQ(streams_.stats()[0].packets, 1u);
}

TEST_F(CaptureStreamsTest, BadPointsAndFiltersAreRefusedWithWhatWasExpected) {
    bool opened = true;
    Client point = open({{"op", "capture"}, {"points", {"nat/b"}}}, &opened);
    EXPECT_FALSE(opened);
    EXPECT_FALSE(json::parse(point.reply).value("ok", true));
    EXPECT_NE(point.reply.find(R"(no capture point \"nat/b\": name an instance)"),
              std::string::npos)
        << point.reply;
    Client filter = open({{"op", "capture"}, {"filter", "port ninety"}}, &opened);
    EXPECT_FALSE(opened);
    EXPECT_NE(filter.reply.find(R"(filter \"port ninety\")"), std::string::npos) << filter.reply;
    Client type = open({{"op", "capture"}, {"points", "web"}}, &opened);
    EXPECT_NE(type.reply.find("points: expected an array of capture point names"),
              std::string::npos)
        << type.reply;
    EXPECT_EQ(streams_.size(), 0u) << "nothing was attached to the engine";
}

TEST_F(CaptureStreamsTest, ASlowClientLosesWholePacketBlocksCountedAndTheStreamStaysValid) {
    // A small socket buffer and a 16 KB queue: the client reads nothing while 2000 packets pass.
    CaptureStreams small(engine_, topology_, epoll_.get(), kTagBit, {}, 16 * 1024);
    int pair[2];
    ASSERT_EQ(::socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, pair), 0);
    int size = 4096;
    ::setsockopt(pair[1], SOL_SOCKET, SO_SNDBUF, &size, sizeof(size));
    Client client{Fd(pair[0]), "", {}};
    ASSERT_TRUE(small.open(Fd(pair[1]), {{"op", "capture"}}, 0));
    const std::size_t sent = 2000;
    for (std::size_t i = 0; i < sent; ++i) engine_.receive(0, frame_from_web(200), i);
    const CaptureStreamStats stats = small.stats().at(0);
    EXPECT_GT(stats.dropped, 0u) << "the dataplane did not wait for the client";
    EXPECT_EQ(stats.packets + stats.dropped, sent);
    EXPECT_LE(stats.queued, 16u * 1024);
    // The client catches up: what was queued arrives, as whole blocks.
    for (int i = 0; i < 200 && small.stats().at(0).queued > 0; ++i) {
        client.drain();
        std::array<epoll_event, 4> events{};
        const int n = ::epoll_wait(epoll_.get(), events.data(), events.size(), 10);
        for (int e = 0; e < n; ++e) small.handle(events[e].data.u64, events[e].events);
    }
    client.drain();
    EXPECT_EQ(small.stats().at(0).queued, 0u);
    const Blocks b = blocks_of(client.stream);
    EXPECT_EQ(b.error, "");
    EXPECT_EQ(b.packets, stats.packets);
}

TEST_F(CaptureStreamsTest, TwoCapturesAtOnceEachGetTheirPointsAndACloseDetachesOnlyOne) {
    Client web = open({{"op", "capture"}, {"points", {"web"}}});
    Client nat = open({{"op", "capture"}, {"points", {"nat/nat-a"}}});
    ASSERT_EQ(streams_.size(), 2u);
    engine_.receive(0, frame_from_web(), 1);
    web.drain();
    nat.drain();
    EXPECT_EQ(blocks_of(web.stream).packets, 1u);
    EXPECT_EQ(blocks_of(nat.stream).packets, 0u) << "the frame never reached the NAT gateway";
    web.fd.reset();  // the client goes away
    poll_events();
    ASSERT_EQ(streams_.size(), 1u);
    EXPECT_EQ(streams_.stats()[0].points, std::vector<std::string>{"nat/nat-a"});
    ASSERT_FALSE(log_.empty());
    EXPECT_NE(log_.back().find("capture 1 ended (the client went away): 1 packets sent, 0 dropped"),
              std::string::npos)
        << log_.back();
    nat.fd.reset();
    poll_events();
    EXPECT_EQ(streams_.size(), 0u);
}

// A pipe whose write end the copy writes to; the test reads the other end.
struct Pipe {
    Fd read;
    Fd write;
    Pipe() {
        int fds[2];
        EXPECT_EQ(::pipe2(fds, O_CLOEXEC), 0);
        read = Fd(fds[0]);
        write = Fd(fds[1]);
    }
    std::vector<std::uint8_t> read_all() {
        std::vector<std::uint8_t> out;
        std::uint8_t buffer[65536];
        ::fcntl(read.get(), F_SETFL, O_NONBLOCK);
        for (;;) {
            const ssize_t n = ::read(read.get(), buffer, sizeof(buffer));
            if (n <= 0) break;
            out.insert(out.end(), buffer, buffer + n);
        }
        return out;
    }
};

TEST_F(CaptureStreamsTest, TheCopyStopsAfterCountPacketsAtABlockBoundary) {
    Client client = open({{"op", "capture"}, {"points", {"web"}}});
    for (int i = 0; i < 5; ++i) engine_.receive(0, frame_from_web(), i);
    Pipe out;
    CaptureCopyLimits limits;
    limits.count = 3;
    limits.stop_on_signals = false;
    const CaptureCopyResult copy =
        copy_capture(client.fd.get(), out.write.get(), client.stream, limits);
    EXPECT_EQ(copy.end, CaptureEnd::Count) << copy.error;
    EXPECT_EQ(copy.packets, 3u);
    const std::vector<std::uint8_t> written = out.read_all();
    EXPECT_EQ(written.size(), copy.bytes);
    const Blocks b = blocks_of(written);
    EXPECT_EQ(b.error, "");
    EXPECT_EQ(b.packets, 3u);
}

TEST_F(CaptureStreamsTest, TheCopyEndsCleanlyWhenItsReaderGoesOrTheEngineCloses) {
    Client gone = open({{"op", "capture"}});
    engine_.receive(0, frame_from_web(), 1);
    Pipe out;
    out.read.reset();  // `| head` that has exited
    CaptureCopyLimits limits;
    limits.stop_on_signals = false;
    limits.duration = std::chrono::milliseconds(2000);
    const CaptureCopyResult copy =
        copy_capture(gone.fd.get(), out.write.get(), gone.stream, limits);
    EXPECT_EQ(copy.end, CaptureEnd::ReaderGone) << copy.error;

    Client closed = open({{"op", "capture"}});
    engine_.receive(0, frame_from_web(), 2);
    streams_.close_all();  // the lab goes down
    Pipe out2;
    const CaptureCopyResult copy2 =
        copy_capture(closed.fd.get(), out2.write.get(), closed.stream, limits);
    EXPECT_EQ(copy2.end, CaptureEnd::EngineClosed) << copy2.error;
    EXPECT_EQ(blocks_of(out2.read_all()).packets, 1u) << "what was sent before the end is kept";

    Client quiet = open({{"op", "capture"}});
    Pipe out3;
    limits.duration = std::chrono::milliseconds(100);
    const auto start = std::chrono::steady_clock::now();
    const CaptureCopyResult copy3 =
        copy_capture(quiet.fd.get(), out3.write.get(), quiet.stream, limits);
    EXPECT_EQ(copy3.end, CaptureEnd::Duration) << copy3.error;
    EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
    EXPECT_EQ(blocks_of(out3.read_all()).error, "") << "the section header alone is valid";
}

}  // namespace
}  // namespace vpcstack::live
