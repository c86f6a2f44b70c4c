// The Amazon Time Sync Service at 169.254.169.123: NTP (RFC 5905) on UDP 123, answered by the
// engine from its own clock (EngineConfig::wall_clock_at_zero plus the engine's time), on the
// instance's host, before security groups and ACLs.
//
// AWS: set-time — instances reach the service at 169.254.169.123 without internet access; it
// answers as a stratum-1-backed server (the answer's stratum is 3 here, as chrony shows the
// service's). A client-mode request (mode 3) gets a server-mode answer (mode 4) carrying the
// client's transmit timestamp as origin; anything else is not a request it answers (dropped:
// Malformed).
//
// Outcomes: Done (answered, or dropped: Malformed).
#include "../dataplane.hpp"
#include "vpcstack/engine/replies.hpp"
#include "vpcstack/model/cloud_rules.hpp"
#include "vpcstack/net/bytes.hpp"
#include "vpcstack/net/udp.hpp"

namespace vpcstack::engine::stages {

namespace {

constexpr std::size_t kNtpSize = 48;
constexpr std::uint8_t kModeClient = 3;
constexpr std::uint8_t kModeServer = 4;
constexpr std::uint8_t kStratum = 3;
// Seconds from the NTP era (1900-01-01) to the Unix epoch (RFC 5905, figure 4).
constexpr std::uint64_t kNtpToUnix = 2208988800ULL;

// A 64-bit NTP timestamp: seconds since 1900, then the fraction of a second in 1/2^32.
std::uint64_t ntp_timestamp(std::int64_t unix_ns) {
    const auto ns = static_cast<std::uint64_t>(std::max<std::int64_t>(unix_ns, 0));
    const std::uint64_t seconds = ns / kNsPerSecond + kNtpToUnix;
    const std::uint64_t fraction = ((ns % kNsPerSecond) << 32) / kNsPerSecond;
    return (seconds << 32) | fraction;
}

void store64(std::uint8_t* p, std::uint64_t v) {
    net::store32(p, static_cast<std::uint32_t>(v >> 32));
    net::store32(p + 4, static_cast<std::uint32_t>(v));
}

}  // namespace

Next time_sync(Dataplane& dp, Context& ctx) {
    const EniState& eni = dp.enis[ctx.ingress];
    const ComponentId component = dp.components->vpc_router(eni.vpc);
    dp.touch(component);
    const ParsedFrame& pf = ctx.pf;
    const std::size_t udp_payload = pf.ip_total_length - pf.ip_header_size - net::udp::kHeaderSize;
    const std::size_t at = pf.l4 + net::udp::kHeaderSize;
    if (udp_payload < kNtpSize || at + kNtpSize > ctx.frame.size() ||
        (ctx.frame[at] & 0x07) != kModeClient) {
        dp.drop(ctx, DropReason::Malformed, component);
        return Next::Done;
    }
    const std::uint8_t* request = ctx.frame.data() + at;
    const std::uint8_t version = (request[0] >> 3) & 0x07;
    std::array<std::uint8_t, kNtpSize> answer{};
    const std::uint64_t now =
        ntp_timestamp(dp.config.wall_clock_at_zero + static_cast<std::int64_t>(ctx.now));
    answer[0] = static_cast<std::uint8_t>((version << 3) | kModeServer);  // LI 0: no warning
    answer[1] = kStratum;
    answer[2] = request[2];                       // poll: the client's
    answer[3] = static_cast<std::uint8_t>(-20);   // precision: about a microsecond
    net::store32(answer.data() + 4, 0x00000010);  // root delay: 1/4096 s
    net::store32(answer.data() + 8, 0x00000010);  // root dispersion
    net::store32(answer.data() + 12, model::cloud::kTimeSyncAddress.value());  // reference id
    store64(answer.data() + 16, now);                                          // reference
    std::copy(request + 40, request + 48, answer.data() + 24);  // origin: the client's transmit
    store64(answer.data() + 32, now);                           // receive
    store64(answer.data() + 40, now);                           // transmit
    const std::size_t n = build_udp_reply(dp.dns_buffer, pf, answer, pf.src_mac, kRouterMac);
    if (n == 0) {
        dp.drop(ctx, DropReason::Malformed, component);
        return Next::Done;
    }
    if (TraceStep* s = dp.step(ctx, component, Action::Reply)) {
        s->note = Note::TimeSyncAnswered;
        s->args.address = pf.key.dst;
    }
    dp.reply(ctx, std::span<const std::uint8_t>(dp.dns_buffer.data(), n));
    return Next::Done;
}

}  // namespace vpcstack::engine::stages
