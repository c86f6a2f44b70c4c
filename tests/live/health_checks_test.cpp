// The live lab's Route 53 health checks without a lab: a check's status flips after its
// failure threshold of results the other way (inverted flips the result), its line in `lab
// status` (golden text), its JSON, and real probes on loopback against the lab's HTTP server
// (plain and TLS), a closed port, a server answering 503 and one that never answers. Needs no
// root.
#include "vpcstack/live/health_checks.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

#include "support/run_command.hpp"
#include "vpcstack/live/certificates.hpp"
#include "vpcstack/live/http_serve.hpp"

namespace vpcstack::live {
namespace {

const net::Ipv4Address kLoopback{127, 0, 0, 1};

HealthCheckRecord record(std::uint32_t threshold, bool inverted = false) {
    HealthCheckRecord r;
    r.name = "web-1";
    r.type = "HTTP";
    r.failure_threshold = threshold;
    r.inverted = inverted;
    return r;
}

TEST(HealthCheckRecord, FlipsOnlyAfterTheFailureThresholdOfResultsTheOtherWay) {
    HealthCheckRecord r = record(3);
    const ProbeResult refused{false, "http/80 to 203.0.113.10 refused"};
    const ProbeResult ok{true, "http/80 to 203.0.113.10: 200"};
    EXPECT_FALSE(apply_probe_result(r, refused, 100));
    EXPECT_FALSE(apply_probe_result(r, refused, 110));
    EXPECT_TRUE(r.healthy) << "two failures of three needed";
    EXPECT_FALSE(apply_probe_result(r, ok, 120)) << "a success breaks the run";
    EXPECT_EQ(r.consecutive, 1u);
    EXPECT_FALSE(apply_probe_result(r, refused, 130));
    EXPECT_FALSE(apply_probe_result(r, refused, 140));
    EXPECT_TRUE(apply_probe_result(r, refused, 150)) << "the third failure in a row";
    EXPECT_FALSE(r.healthy);
    EXPECT_EQ(r.since, 150);
    EXPECT_EQ(r.consecutive, 3u);
    EXPECT_EQ(r.last_result, "http/80 to 203.0.113.10 refused");
    EXPECT_FALSE(apply_probe_result(r, refused, 160)) << "already unhealthy";
    EXPECT_EQ(r.since, 150);
    EXPECT_FALSE(apply_probe_result(r, ok, 170));
    EXPECT_FALSE(apply_probe_result(r, ok, 180));
    EXPECT_TRUE(apply_probe_result(r, ok, 190)) << "healthy again after three successes";
    EXPECT_TRUE(r.healthy);
}

TEST(HealthCheckRecord, InvertedIsHealthyWhileTheEndpointFails) {
    HealthCheckRecord r = record(1, /*inverted=*/true);
    EXPECT_TRUE(apply_probe_result(r, {true, "tcp/22 to 10.0.1.10 connected"}, 5));
    EXPECT_FALSE(r.healthy) << "an inverted check is unhealthy when the endpoint answers";
    EXPECT_TRUE(apply_probe_result(r, {false, "tcp/22 to 10.0.1.10 refused"}, 6));
    EXPECT_TRUE(r.healthy);
}

TEST(HealthCheckRecord, ItsStatusLineAndItsJsonSayEverything) {
    HealthCheckRecord r = record(2);
    r.since = 3723;  // 01:02:03 UTC
    apply_probe_result(r, {false, "http/80 to 203.0.113.10 refused"}, 3700);
    EXPECT_EQ(health_check_line(r),
              "web-1            HTTP       healthy   since 01:02:03, 1 failed in a row: "
              "http/80 to 203.0.113.10 refused");
    apply_probe_result(r, {false, "http/80 to 203.0.113.10 refused"}, 3723);
    EXPECT_EQ(health_check_line(r),
              "web-1            HTTP       unhealthy since 01:02:03, 2 failed in a row: "
              "http/80 to 203.0.113.10 refused");
    const auto back = health_records_from_json(health_records_json({r}));
    ASSERT_EQ(back.size(), 1u);
    EXPECT_EQ(back[0].name, "web-1");
    EXPECT_FALSE(back[0].healthy);
    EXPECT_EQ(back[0].since, 3723);
    EXPECT_EQ(back[0].consecutive, 2u);
    EXPECT_EQ(back[0].last_result, r.last_result);
    EXPECT_EQ(back[0].failure_threshold, 2u);
}

TEST(HealthCheckFile, IsReplacedWholeAndReadBackAsStatuses) {
    test_support::TempDir dir;
    const std::string path = (dir.path() / "health-checks.json").string();
    EXPECT_FALSE(read_health_statuses(path).has_value()) << "no file yet";
    HealthCheckRecord a = record(1);
    HealthCheckRecord b = record(1);
    b.name = "web-2";
    b.healthy = false;
    write_health_records(path, {a, b});
    auto statuses = read_health_statuses(path);
    ASSERT_TRUE(statuses.has_value());
    EXPECT_EQ(*statuses, (std::map<std::string, bool>{{"web-1", true}, {"web-2", false}}));
}

// A loopback server that accepts one connection and answers `answer` (nothing: stays silent).
class OneShotServer {
  public:
    explicit OneShotServer(std::string answer) : answer_(std::move(answer)) {
        listener_ = ::socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in a{};
        a.sin_family = AF_INET;
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
        EXPECT_EQ(::bind(listener_, reinterpret_cast<sockaddr*>(&a), sizeof(a)), 0);
        socklen_t length = sizeof(a);
        ::getsockname(listener_, reinterpret_cast<sockaddr*>(&a), &length);
        port_ = ntohs(a.sin_port);
        EXPECT_EQ(::listen(listener_, 4), 0);
        thread_ = std::thread([this] {
            const int c = ::accept(listener_, nullptr, nullptr);
            if (c < 0) return;
            char buffer[1024];
            [[maybe_unused]] ssize_t n = ::recv(c, buffer, sizeof(buffer), 0);
            if (!answer_.empty()) {
                [[maybe_unused]] ssize_t m = ::send(c, answer_.data(), answer_.size(), 0);
            } else {
                std::this_thread::sleep_for(std::chrono::milliseconds(2500));
            }
            ::close(c);
        });
    }
    ~OneShotServer() {
        ::shutdown(listener_, SHUT_RDWR);
        thread_.join();
        ::close(listener_);
    }
    std::uint16_t port() const { return port_; }

  private:
    std::string answer_;
    int listener_ = -1;
    std::uint16_t port_ = 0;
    std::thread thread_;
};

HealthProbe probe(model::HealthCheckType type, std::uint16_t port) {
    model::Route53HealthCheck hc;
    hc.meta.name = "web-1";
    hc.type = type;
    hc.port = port;
    hc.path = "/health";
    return make_health_probe(hc, kLoopback, kLoopback);
}

// A loopback port nothing listens on.
std::uint16_t closed_port() {
    const int s = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    ::bind(s, reinterpret_cast<sockaddr*>(&a), sizeof(a));
    socklen_t length = sizeof(a);
    ::getsockname(s, reinterpret_cast<sockaddr*>(&a), &length);
    ::close(s);
    return ntohs(a.sin_port);
}

TEST(HealthProbe, HttpNeedsA2xxOr3xxAnswerAfterTheConnection) {
    {
        OneShotServer server("HTTP/1.1 200 OK\r\nContent-Length: 0\r\n\r\n");
        const ProbeResult r = probe_once(probe(model::HealthCheckType::Http, server.port()));
        EXPECT_TRUE(r.ok) << r.text;
        EXPECT_EQ(r.text, "http/" + std::to_string(server.port()) + " to 127.0.0.1: 200");
    }
    {
        OneShotServer server("HTTP/1.1 302 Found\r\nLocation: /x\r\n\r\n");
        EXPECT_TRUE(probe_once(probe(model::HealthCheckType::Http, server.port())).ok);
    }
    {
        OneShotServer server("HTTP/1.1 503 Service Unavailable\r\n\r\n");
        const ProbeResult r = probe_once(probe(model::HealthCheckType::Http, server.port()));
        EXPECT_FALSE(r.ok);
        EXPECT_NE(r.text.find(": 503 (not 2xx or 3xx)"), std::string::npos) << r.text;
    }
    {
        OneShotServer server("");  // accepts and never answers
        const auto start = std::chrono::steady_clock::now();
        const ProbeResult r = probe_once(probe(model::HealthCheckType::Http, server.port()));
        const auto took = std::chrono::steady_clock::now() - start;
        EXPECT_FALSE(r.ok);
        EXPECT_NE(r.text.find("no answer within 2 s"), std::string::npos) << r.text;
        EXPECT_LT(took, std::chrono::milliseconds(2400)) << "the answer's deadline is 2 s";
    }
    const std::uint16_t port = closed_port();
    const ProbeResult refused = probe_once(probe(model::HealthCheckType::Tcp, port));
    EXPECT_FALSE(refused.ok);
    EXPECT_EQ(refused.text, "tcp/" + std::to_string(port) + " to 127.0.0.1 refused");
}

TEST(HealthProbe, HttpsSpeaksTlsWithoutValidatingTheCertificateAndTcpOnlyConnects) {
    ::signal(SIGPIPE, SIG_IGN);
    test_support::TempDir dir;
    const auto certs = issue_lab_certificates(dir.path(), {"web.lab.example"});
    HttpServer server({.port = 0,
                       .address = "127.0.0.1",
                       .name = "web",
                       .tls_certificate = certs.issued[0].certificate.string(),
                       .tls_key = certs.issued[0].key.string()});
    int stop[2];
    ASSERT_EQ(::pipe(stop), 0);
    std::thread thread([&] { server.run(stop[0]); });
    const ProbeResult https = probe_once(probe(model::HealthCheckType::Https, server.port()));
    EXPECT_TRUE(https.ok) << https.text << ": the lab's CA is not trusted, and need not be";
    const ProbeResult plain = probe_once(probe(model::HealthCheckType::Http, server.port()));
    EXPECT_FALSE(plain.ok) << "plain HTTP to a TLS port gets no HTTP status: " << plain.text;
    const ProbeResult tcp = probe_once(probe(model::HealthCheckType::Tcp, server.port()));
    EXPECT_TRUE(tcp.ok) << tcp.text;
    EXPECT_EQ(::write(stop[1], "x", 1), 1);
    thread.join();
    ::close(stop[0]);
    ::close(stop[1]);
}

TEST(HealthProber, ProbesAtOnceAndHandsTheResultsOverThroughItsEventFd) {
    OneShotServer server("HTTP/1.1 200 OK\r\n\r\n");
    std::vector<HealthProbe> probes{probe(model::HealthCheckType::Http, server.port()),
                                    probe(model::HealthCheckType::Tcp, closed_port())};
    HealthProber prober(probes, "");
    std::vector<HealthProber::Outcome> got;
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(5);
    while (got.size() < 2 && std::chrono::steady_clock::now() < deadline) {
        pollfd p{prober.event_fd(), POLLIN, 0};
        if (::poll(&p, 1, 100) > 0) {
            for (auto& o : prober.take()) got.push_back(std::move(o));
        }
    }
    ASSERT_EQ(got.size(), 2u);
    for (const auto& o : got) {
        EXPECT_EQ(o.result.ok, o.probe == 0) << o.result.text;
    }
    // The destructor stops both threads, though their next probe is 30 s away.
}

}  // namespace
}  // namespace vpcstack::live
