// The link-local services the engine answers on the instance's host (stages/service_tcp.cpp,
// stages/time_sync.cpp, metadata.cpp): DNS over TCP after a truncated UDP answer, the instance
// metadata service (IMDSv1 and IMDSv2: the PUT token, its TTL and hop limit, http_tokens
// required, http_endpoint disabled, 404, 405, user data, the identity document), NTP from the
// engine's clock, and no security group or ACL in their way.
#include <gtest/gtest.h>
#include <tins/tins.h>

#include <functional>
#include <string>

#include "../engine_fixture.hpp"
#include "vpcstack/dns/message.hpp"
#include "vpcstack/engine/trace_format.hpp"
#include "vpcstack/model/resource_ids.hpp"

namespace vpcstack::engine::testing {
namespace {

// A client's TCP connection driven by hand: every segment it sends, the engine's answers read
// back in order.
class Client {
  public:
    using Send =
        std::function<std::vector<SentFrame>(Index, const std::vector<std::uint8_t>&, TimeNs)>;
    Client(Send send, net::MacAddress mac, Index eni, const char* src, const char* dst,
           std::uint16_t dport)
        : send_(std::move(send)), mac_(mac), eni_(eni), src_(src), dst_(dst), dport_(dport) {}

    bool connect() {
        Tins::TCP syn(dport_, sport_);
        syn.flags(Tins::TCP::SYN);
        syn.seq(seq_);
        syn.mss(1200);
        std::vector<SentFrame> out = send(syn);
        if (out.size() != 1) return false;
        Tins::EthernetII eth = parse(out[0].bytes);
        const auto& tcp = eth.rfind_pdu<Tins::TCP>();
        if (tcp.flags() != (Tins::TCP::SYN | Tins::TCP::ACK) || tcp.ack_seq() != seq_ + 1) {
            return false;
        }
        mss_ = tcp.mss();
        ++seq_;
        ack_ = tcp.seq() + 1;
        Tins::TCP last(dport_, sport_);
        last.flags(Tins::TCP::ACK);
        last.seq(seq_);
        last.ack_seq(ack_);
        return send(last).empty();  // the handshake's last ACK is taken, not answered
    }

    // Sends `bytes` as one segment; what came back is appended to received().
    std::vector<SentFrame> write(const std::string& bytes, std::uint16_t flags = 0) {
        Tins::TCP seg(dport_, sport_);
        seg.flags(static_cast<std::uint16_t>(Tins::TCP::ACK | Tins::TCP::PSH | flags));
        seg.seq(seq_);
        seg.ack_seq(ack_);
        seq_ += static_cast<std::uint32_t>(bytes.size()) + ((flags & Tins::TCP::FIN) ? 1 : 0);
        if (bytes.empty()) return send(seg);
        return send(seg / Tins::RawPDU(std::vector<std::uint8_t>(bytes.begin(), bytes.end())));
    }

    std::vector<SentFrame> close() { return write("", Tins::TCP::FIN); }

    const std::string& received() const { return received_; }
    std::uint8_t last_ttl() const { return ttl_; }
    bool fin_received() const { return fin_; }
    std::uint16_t mss() const { return mss_; }
    std::size_t largest_segment() const { return largest_; }

  private:
    template <typename L4>
    std::vector<SentFrame> send(L4 l4) {
        std::vector<SentFrame> out = send_(eni_, frame_from(mac_, src_, dst_, l4), now_);
        now_ += kSec / 1000;
        for (const SentFrame& f : out) {
            EXPECT_EQ(f.port, eni_) << "the service answers the asking interface";
            expect_checksums_valid(f.bytes);
            Tins::EthernetII eth = parse(f.bytes);
            const auto& ip = eth.rfind_pdu<Tins::IP>();
            EXPECT_EQ(ip.src_addr().to_string(), dst_);
            ttl_ = ip.ttl();
            const auto& tcp = eth.rfind_pdu<Tins::TCP>();
            if (const auto* raw = tcp.find_pdu<Tins::RawPDU>()) {
                EXPECT_EQ(tcp.seq(), ack_) << "the service's data arrives in order";
                const auto& p = raw->payload();
                largest_ = std::max(largest_, p.size());
                received_.append(p.begin(), p.end());
                ack_ += static_cast<std::uint32_t>(p.size());
            }
            if (tcp.flags() & Tins::TCP::FIN) {
                fin_ = true;
                ++ack_;
            }
        }
        return out;
    }

    Send send_;
    net::MacAddress mac_;
    Index eni_;
    const char* src_;
    const char* dst_;
    std::uint16_t sport_ = 41000;
    std::uint16_t dport_;
    std::uint32_t seq_ = 5000;
    std::uint32_t ack_ = 0;
    std::uint16_t mss_ = 0;
    std::uint8_t ttl_ = 0;
    bool fin_ = false;
    std::size_t largest_ = 0;
    std::string received_;
    TimeNs now_ = kSec;
};

class LinkLocalTest : public EngineTest {
  protected:
    void SetUp() override {
        EngineTest::SetUp();
        // web's group allows nothing outbound: it does not stand in the services' way.
        b.t.security_groups[web_sg].egress.clear();
        model::HostedZone zone;
        zone.meta.name = "example.org";
        zone.zone.name = "example.org";
        zone.zone.id = "ZORG";
        dns::RecordSet big;
        big.name = "big.example.org";
        big.type = dns::RrType::TXT;
        for (int i = 0; i < 40; ++i) big.values.push_back("\"" + std::string(60, 'x') + "\"");
        zone.zone.record_sets.push_back(big);
        b.t.hosted_zones.push_back(zone);
        b.t.instances[b.t.enis[web].instance].user_data = "#!/bin/sh\necho hello\n";
    }
    model::Instance& web_instance() { return b.t.instances[b.t.enis[web].instance]; }
    Client client(Index eni, const char* src, const char* dst, std::uint16_t port) {
        return Client([this](Index e, const std::vector<std::uint8_t>& f,
                             TimeNs now) { return send(e, f, now); },
                      mac(eni), eni, src, dst, port);
    }

    // A GET (or any request) to the metadata service over a fresh connection.
    std::string http(const std::string& request, Client* reuse = nullptr) {
        Client local = client(web, "10.0.1.10", "169.254.169.254", 80);
        Client& c = reuse != nullptr ? *reuse : local;
        if (reuse == nullptr) EXPECT_TRUE(c.connect());
        const std::size_t before = c.received().size();
        c.write(request);
        return c.received().substr(before);
    }
    static std::string body(const std::string& response) {
        const std::size_t at = response.find("\r\n\r\n");
        return at == std::string::npos ? "" : response.substr(at + 4);
    }
    static std::string status(const std::string& response) {
        return response.substr(0, response.find("\r\n"));
    }
};

TEST_F(LinkLocalTest, ATruncatedUdpAnswerIsAskedAgainOverTcpAndArrivesWhole) {
    start(traced());
    const std::vector<std::uint8_t> query =
        dns::build_query("big.example.org", dns::RrType::TXT, 77, true, 0);
    Tins::UDP udp(53, 40053);
    std::vector<SentFrame> out =
        send(web, from_eni(web, "10.0.1.10", "10.0.0.2", udp / Tins::RawPDU(query)));
    ASSERT_EQ(out.size(), 1u);
    const Tins::EthernetII eth = parse(out[0].bytes);
    auto udp_answer = dns::parse_response(eth.rfind_pdu<Tins::RawPDU>().payload());
    ASSERT_TRUE(udp_answer);
    EXPECT_TRUE(udp_answer->truncated) << "2400 bytes of TXT do not fit 512";
    EXPECT_TRUE(udp_answer->answers.empty());

    Client c = client(web, "10.0.1.10", "10.0.0.2", 53);
    ASSERT_TRUE(c.connect());
    EXPECT_EQ(c.mss(), 1460);
    const std::vector<std::uint8_t> framed = dns::frame_tcp(query);
    c.write(std::string(framed.begin(), framed.end()));
    std::size_t used = 0;
    const std::vector<std::uint8_t> stream(c.received().begin(), c.received().end());
    auto message = dns::unframe_tcp(stream, &used);
    ASSERT_TRUE(message) << "a whole length-prefixed answer";
    EXPECT_EQ(used, stream.size());
    EXPECT_LE(c.largest_segment(), 1200u) << "cut to the client's MSS";
    EXPECT_GT(stream.size(), 1200u) << "so it took more than one segment";
    auto answer = dns::parse_response(*message);
    ASSERT_TRUE(answer);
    EXPECT_FALSE(answer->truncated);
    EXPECT_EQ(answer->id, 77);
    EXPECT_EQ(answer->answers.size(), 40u);
    const TraceStep& step = traces.back().steps.back();
    ASSERT_TRUE(step.dns);
    EXPECT_TRUE(step.dns->tcp);
    EXPECT_NE(words(step).detail.find("TXT big.example.org? NOERROR over TCP"), std::string::npos)
        << words(step).detail;

    // A second query on the same connection, then the client closes and the resolver too.
    const std::vector<std::uint8_t> again =
        dns::frame_tcp(dns::build_query("nothing.example.org", dns::RrType::A, 78, true, 0));
    const std::size_t before = c.received().size();
    c.write(std::string(again.begin(), again.end()));
    const std::vector<std::uint8_t> second(c.received().begin() + static_cast<long>(before),
                                           c.received().end());
    auto nx = dns::unframe_tcp(second);
    ASSERT_TRUE(nx);
    EXPECT_EQ(dns::parse_response(*nx)->rcode, dns::Rcode::NxDomain);
    c.close();
    EXPECT_TRUE(c.fin_received()) << "the client's FIN is answered with FIN";
    EXPECT_EQ(drops(DropReason::SecurityGroupNoMatch), 0u)
        << "web's group allows nothing outbound, and does not apply to the resolver";
}

TEST_F(LinkLocalTest, ASegmentOfNoConnectionIsReset) {
    start();
    std::vector<SentFrame> out =
        send(web, from_eni(web, "10.0.1.10", "169.254.169.254", tcp(40000, 80, Tins::TCP::ACK)));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_TRUE(parse(out[0].bytes).rfind_pdu<Tins::TCP>().flags() & Tins::TCP::RST);
}

TEST_F(LinkLocalTest, ImdsV1AnswersWhatTheInstanceIs) {
    start();
    const std::string listing =
        http("GET /latest/meta-data/ HTTP/1.1\r\nHost: 169.254.169.254\r\n\r\n");
    EXPECT_EQ(status(listing), "HTTP/1.1 200 OK");
    EXPECT_NE(body(listing).find("local-ipv4\n"), std::string::npos) << body(listing);
    EXPECT_NE(body(listing).find("network/\n"), std::string::npos);
    EXPECT_NE(body(listing).find("placement/\n"), std::string::npos);
    EXPECT_EQ(body(http("GET /latest/meta-data/local-ipv4 HTTP/1.1\r\n\r\n")), "10.0.1.10");
    EXPECT_EQ(body(http("GET /latest/meta-data/public-ipv4 HTTP/1.1\r\n\r\n")), "203.0.113.10");
    EXPECT_EQ(body(http("GET /latest/meta-data/local-hostname HTTP/1.1\r\n\r\n")),
              "ip-10-0-1-10.ec2.internal");
    EXPECT_EQ(body(http("GET /latest/meta-data/instance-id HTTP/1.1\r\n\r\n")),
              model::instance_id(b.t, b.t.enis[web].instance));
    EXPECT_EQ(body(http("GET /latest/meta-data/security-groups HTTP/1.1\r\n\r\n")), "web-sg");
    const std::string mac = b.t.enis[web].mac.to_string();
    EXPECT_EQ(body(http("GET /latest/meta-data/network/interfaces/macs/" + mac +
                        "/subnet-ipv4-cidr-block HTTP/1.1\r\n\r\n")),
              "10.0.1.0/24");
    EXPECT_EQ(body(http("GET /latest/user-data HTTP/1.1\r\n\r\n")), "#!/bin/sh\necho hello\n");
    EXPECT_NE(body(http("GET /latest/dynamic/instance-identity/document HTTP/1.1\r\n\r\n"))
                  .find("\"privateIp\" : \"10.0.1.10\""),
              std::string::npos);
    EXPECT_EQ(status(http("GET /latest/meta-data/no-such-thing HTTP/1.1\r\n\r\n")),
              "HTTP/1.1 404 Not Found");
    EXPECT_EQ(status(http("POST /latest/meta-data/ HTTP/1.1\r\nContent-Length: 0\r\n\r\n")),
              "HTTP/1.1 405 Method Not Allowed");
    // app has no user data and no public address.
    Client c = client(app, "10.0.2.10", "169.254.169.254", 80);
    ASSERT_TRUE(c.connect());
    EXPECT_EQ(status(http("GET /latest/user-data HTTP/1.1\r\n\r\n", &c)), "HTTP/1.1 404 Not Found");
    EXPECT_EQ(status(http("GET /latest/meta-data/public-ipv4 HTTP/1.1\r\n\r\n", &c)),
              "HTTP/1.1 404 Not Found");
}

TEST_F(LinkLocalTest, ImdsV2TokensAreBoundToTheInstanceAndTheirTtlAndTheHopLimitHolds) {
    web_instance().metadata_options.tokens_required = true;
    web_instance().metadata_options.put_response_hop_limit = 2;
    start(traced());
    EXPECT_EQ(status(http("GET /latest/meta-data/local-ipv4 HTTP/1.1\r\n\r\n")),
              "HTTP/1.1 401 Unauthorized")
        << "http_tokens required refuses IMDSv1";
    EXPECT_EQ(status(http("PUT /latest/api/token HTTP/1.1\r\n\r\n")), "HTTP/1.1 400 Bad Request")
        << "no TTL header";
    EXPECT_EQ(status(http("PUT /latest/api/token HTTP/1.1\r\nX-aws-ec2-metadata-token-ttl-seconds: "
                          "60\r\nX-Forwarded-For: 10.9.9.9\r\n\r\n")),
              "HTTP/1.1 403 Forbidden");

    Client c = client(web, "10.0.1.10", "169.254.169.254", 80);
    ASSERT_TRUE(c.connect());
    const std::string put = http(
        "PUT /latest/api/token HTTP/1.1\r\nX-aws-ec2-metadata-token-ttl-seconds: 2\r\n\r\n", &c);
    EXPECT_EQ(status(put), "HTTP/1.1 200 OK");
    EXPECT_NE(put.find("X-Aws-Ec2-Metadata-Token-Ttl-Seconds: 2"), std::string::npos);
    EXPECT_EQ(c.last_ttl(), 2) << "the token's answer leaves with the PUT hop limit as its TTL";
    const std::string token = body(put);
    EXPECT_EQ(token.size(), 56u);
    EXPECT_EQ(body(http("GET /latest/meta-data/local-ipv4 HTTP/1.1\r\nX-aws-ec2-metadata-token: " +
                            token + "\r\n\r\n",
                        &c)),
              "10.0.1.10");
    EXPECT_EQ(c.last_ttl(), 64) << "other answers leave with an ordinary TTL";
    const StepText w = words(traces.back().steps.back());
    EXPECT_NE(w.detail.find("GET /latest/meta-data/local-ipv4 with a session token (IMDSv2): 200"),
              std::string::npos)
        << w.detail;

    // Another instance cannot use it.
    Client other = client(web2, "10.0.1.11", "169.254.169.254", 80);
    ASSERT_TRUE(other.connect());
    EXPECT_EQ(status(http("GET /latest/meta-data/ HTTP/1.1\r\nX-aws-ec2-metadata-token: " + token +
                              "\r\n\r\n",
                          &other)),
              "HTTP/1.1 401 Unauthorized");
    // Two seconds later it has expired (the client's clock runs a millisecond per segment, so a
    // connection opened at 3 s is past it).
    Client late = client(web, "10.0.1.10", "169.254.169.254", 80);
    for (int i = 0; i < 2100; ++i) {
        late.write("");  // advances the client's clock; a pure ACK of no connection is reset
    }
    ASSERT_TRUE(late.connect());
    EXPECT_EQ(status(http("GET /latest/meta-data/ HTTP/1.1\r\nX-aws-ec2-metadata-token: " + token +
                              "\r\n\r\n",
                          &late)),
              "HTTP/1.1 401 Unauthorized");
}

TEST_F(LinkLocalTest, ADisabledEndpointAnswersNothingAndOtherPortsAreNamedDrops) {
    web_instance().metadata_options.endpoint_enabled = false;
    start();
    EXPECT_TRUE(send(web, from_eni(web, "10.0.1.10", "169.254.169.254", tcp(40000, 80))).empty());
    EXPECT_EQ(drops(DropReason::MetadataDisabled), 1u);
    EXPECT_TRUE(
        send(web2, from_eni(web2, "10.0.1.11", "169.254.169.254", tcp(40000, 443))).empty());
    EXPECT_TRUE(send(web2, from_eni(web2, "10.0.1.11", "10.0.0.2", tcp(40000, 80))).empty());
    EXPECT_TRUE(
        send(web2, from_eni(web2, "10.0.1.11", "169.254.169.123", tcp(40000, 123))).empty());
    EXPECT_EQ(drops(DropReason::ServicePortClosed), 3u);
}

TEST_F(LinkLocalTest, TimeSyncAnswersNtpFromTheEnginesClock) {
    EngineConfig config = traced();
    config.wall_clock_at_zero = std::int64_t{1767225600} * 1'000'000'000;  // 2026-01-01
    start(config);
    std::vector<std::uint8_t> ntp(48, 0);
    ntp[0] = (4 << 3) | 3;                                                // version 4, client
    for (int i = 40; i < 48; ++i) ntp[i] = static_cast<std::uint8_t>(i);  // transmit timestamp
    Tins::UDP udp(123, 40123);
    std::vector<SentFrame> out = send(
        web, from_eni(web, "10.0.1.10", "169.254.169.123", udp / Tins::RawPDU(ntp)), 90 * kSec);
    ASSERT_EQ(out.size(), 1u);
    expect_checksums_valid(out[0].bytes);
    const Tins::EthernetII eth = parse(out[0].bytes);
    const auto& answer = eth.rfind_pdu<Tins::RawPDU>().payload();
    ASSERT_EQ(answer.size(), 48u);
    EXPECT_EQ(answer[0] & 0x07, 4) << "server mode";
    EXPECT_EQ((answer[0] >> 3) & 0x07, 4) << "the client's version";
    EXPECT_EQ(answer[1], 3) << "stratum";
    for (int i = 0; i < 8; ++i) EXPECT_EQ(answer[24 + i], 40 + i) << "origin = client's transmit";
    const std::uint32_t seconds =
        (std::uint32_t{answer[40]} << 24) | (answer[41] << 16) | (answer[42] << 8) | answer[43];
    EXPECT_EQ(seconds, 1767225600u + 2208988800u + 90u) << "2026-01-01 plus 90 s, NTP era";
    std::vector<std::uint8_t> server_mode = ntp;
    server_mode[0] = (4 << 3) | 4;
    EXPECT_TRUE(
        send(web, from_eni(web, "10.0.1.10", "169.254.169.123", udp / Tins::RawPDU(server_mode)))
            .empty());
    EXPECT_EQ(drops(DropReason::Malformed), 1u);
}

}  // namespace
}  // namespace vpcstack::engine::testing
