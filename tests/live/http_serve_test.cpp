// The lab's HTTP server: the request parser and the response on their own (golden text), then
// the server on a loopback port, fetched by curl and by raw sockets, plain and over TLS with a
// certificate of the lab's CA. Needs no root.
#include "vpcstack/live/http_serve.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <thread>

#include "support/run_command.hpp"
#include "vpcstack/live/certificates.hpp"

namespace vpcstack::live {
namespace {

using test_support::run;
using test_support::TempDir;

TEST(HttpRequestParse, ReadsTheRequestLineAndLowerCasesHeaderNames) {
    auto r = parse_http_request(
        "GET /a?b=1 HTTP/1.1\r\nHost: shop\r\nX-Forwarded-For: 198.51.100.7\r\n"
        "x-forwarded-for: 10.0.1.5\r\nX-Forwarded-Proto:  https \r\n");
    ASSERT_TRUE(r.has_value());
    EXPECT_EQ(r->method, "GET");
    EXPECT_EQ(r->target, "/a?b=1");
    EXPECT_EQ(r->headers.at("host"), "shop");
    EXPECT_EQ(r->headers.at("x-forwarded-proto"), "https");
    // Repeated X-Forwarded-For headers join as one list, as proxies read them.
    EXPECT_EQ(r->headers.at("x-forwarded-for"), "198.51.100.7, 10.0.1.5");
}

TEST(HttpRequestParse, RefusesWhatIsNotARequest) {
    EXPECT_FALSE(parse_http_request("hello").has_value());
    EXPECT_FALSE(parse_http_request("GET / FTP/1.0").has_value());
    EXPECT_FALSE(parse_http_request("GET / HTTP/1.1\r\nno colon here").has_value());
}

TEST(HttpResponse, NamesTheInstanceAndEchoesOnlyTheForwardedHeadersGiven) {
    auto r = parse_http_request(
        "GET / HTTP/1.1\r\nX-Forwarded-Port: 443\r\nX-Forwarded-For: 198.51.100.7\r\n");
    ASSERT_TRUE(r.has_value());
    const std::string body =
        "instance: web1\nclient: 10.0.1.20\nrequest: GET /\nx-forwarded-for: 198.51.100.7\n"
        "x-forwarded-port: 443\n";
    EXPECT_EQ(http_response(&*r, "web1", "10.0.1.20"),
              "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: " +
                  std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body);
}

TEST(HttpResponse, HealthIsOkHeadHasNoBodyAndGarbageIs400) {
    auto health = parse_http_request("GET /health HTTP/1.1\r\n");
    EXPECT_TRUE(http_response(&*health, "web1", "x").ends_with("\r\n\r\nok\n"));
    auto head = parse_http_request("HEAD / HTTP/1.1\r\n");
    EXPECT_TRUE(http_response(&*head, "web1", "x").ends_with("Connection: close\r\n\r\n"));
    EXPECT_TRUE(http_response(nullptr, "web1", "x").starts_with("HTTP/1.1 400 Bad Request\r\n"));
}

// A server on a loopback port, run on a thread until the object goes.
class RunningServer {
  public:
    explicit RunningServer(HttpServeOptions options)
        : server_([&] {
              options.address = "127.0.0.1";
              options.port = 0;
              return options;
          }()) {
        EXPECT_EQ(::pipe(stop_), 0);
        thread_ = std::thread([this] { answered_ = server_.run(stop_[0]); });
    }
    ~RunningServer() {
        EXPECT_EQ(::write(stop_[1], "x", 1), 1);
        thread_.join();
        ::close(stop_[0]);
        ::close(stop_[1]);
    }
    RunningServer(const RunningServer&) = delete;
    RunningServer& operator=(const RunningServer&) = delete;

    std::string url(const std::string& path) const {
        return "http://127.0.0.1:" + std::to_string(server_.port()) + path;
    }
    std::uint16_t port() const { return server_.port(); }
    // How many requests were answered; valid once the server stopped (after the destructor).
    const std::uint64_t& answered() const { return answered_; }

  private:
    HttpServer server_;
    int stop_[2] = {-1, -1};
    std::thread thread_;
    std::uint64_t answered_ = 0;
};

TEST(HttpServer, AnswersManySequentialClientsWithTheInstanceAndTheirHeaders) {
    RunningServer server({.name = "web1"});
    for (int i = 0; i < 20; ++i) {
        auto r = run({"curl", "-s", "--max-time", "5", "-H",
                      "X-Forwarded-For: 198.51.100." + std::to_string(i), "-H",
                      "X-Forwarded-Proto: http", server.url("/x")});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_NE(r.out.find("instance: web1\n"), std::string::npos) << r.out;
        EXPECT_NE(r.out.find("client: 127.0.0.1\n"), std::string::npos) << r.out;
        EXPECT_NE(r.out.find("request: GET /x\n"), std::string::npos) << r.out;
        EXPECT_NE(r.out.find("x-forwarded-for: 198.51.100." + std::to_string(i) + "\n"),
                  std::string::npos)
            << r.out;
        EXPECT_NE(r.out.find("x-forwarded-proto: http\n"), std::string::npos) << r.out;
        EXPECT_EQ(r.out.find("x-forwarded-port"), std::string::npos) << "not sent, not echoed";
    }
    auto health = run({"curl", "-s", "-o", "/dev/null", "-w", "%{http_code}", "--max-time", "5",
                       server.url("/health")});
    EXPECT_EQ(health.out, "200");
    // A POST's body is read before the answer, and the answer still comes whole.
    auto post = run({"curl", "-s", "--max-time", "5", "--data-binary", std::string(100000, 'a'),
                     server.url("/upload")});
    EXPECT_NE(post.out.find("request: POST /upload\n"), std::string::npos) << post.out;
}

TEST(HttpServer, ServesClientsThatOverlapAndDropsOneThatNeverFinishesItsRequest) {
    RunningServer server({.name = "web2"});
    // A client that sends half a request and waits must not hold the others up.
    int slow = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in to{};
    to.sin_family = AF_INET;
    to.sin_port = htons(server.port());
    ::inet_pton(AF_INET, "127.0.0.1", &to.sin_addr);
    ASSERT_EQ(::connect(slow, reinterpret_cast<sockaddr*>(&to), sizeof(to)), 0);
    ASSERT_EQ(::send(slow, "GET / HT", 8, 0), 8);
    auto r = run({"curl", "-s", "--max-time", "5", server.url("/")});
    EXPECT_NE(r.out.find("instance: web2\n"), std::string::npos) << r.out;
    // The slow one finishes its request and gets its answer too.
    const std::string rest = "TP/1.1\r\nHost: x\r\n\r\n";
    ASSERT_EQ(::send(slow, rest.data(), rest.size(), 0), static_cast<ssize_t>(rest.size()));
    std::string answer;
    char buffer[1024];
    for (ssize_t n; (n = ::recv(slow, buffer, sizeof(buffer), 0)) > 0;) {
        answer.append(buffer, static_cast<std::size_t>(n));
    }
    ::close(slow);
    EXPECT_TRUE(answer.starts_with("HTTP/1.1 200 OK\r\n")) << answer;
    EXPECT_NE(answer.find("instance: web2\n"), std::string::npos) << answer;
}

TEST(HttpServer, SpeaksTlsWithACertificateOfTheLabsCa) {
    ::signal(SIGPIPE, SIG_IGN);  // as `vpcctl serve` does: a TLS write to a gone client
    TempDir dir;
    const auto certs = issue_lab_certificates(dir.path(), {"web.lab.example"});
    RunningServer server({.name = "web3",
                          .tls_certificate = certs.issued[0].certificate.string(),
                          .tls_key = certs.issued[0].key.string()});
    const std::string port = std::to_string(server.port());
    auto r = run({"curl", "-s", "-S", "--max-time", "5", "--cacert", certs.ca_certificate.string(),
                  "--resolve", "web.lab.example:" + port + ":127.0.0.1",
                  "https://web.lab.example:" + port + "/"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("instance: web3\n"), std::string::npos) << r.out;
    // Without the lab's CA the certificate is not trusted.
    auto untrusted =
        run({"curl", "-s", "--max-time", "5", "--cacert", "/dev/null", "--resolve",
             "web.lab.example:" + port + ":127.0.0.1", "https://web.lab.example:" + port + "/"});
    EXPECT_NE(untrusted.exit_code, 0);
    // Plain HTTP to the TLS port is not answered as HTTP.
    auto plain = run({"curl", "-s", "--max-time", "5", server.url("/")});
    EXPECT_EQ(plain.out.find("instance:"), std::string::npos) << plain.out;
}

TEST(HttpServer, ABusyPortOrAMissingKeyIsAnErrorThatSaysWhich) {
    RunningServer server({.name = "web4"});
    try {
        HttpServer second({.port = server.port(), .address = "127.0.0.1"});
        ADD_FAILURE() << "a second server bound a port in use";
    } catch (const SystemError& e) {
        EXPECT_NE(std::string(e.what()).find("bind 127.0.0.1:" + std::to_string(server.port())),
                  std::string::npos)
            << e.what();
    }
    EXPECT_THROW(HttpServer({.port = 0, .tls_certificate = "/nonexistent.pem"}),
                 std::runtime_error);
}

TEST(HttpServer, WithoutANameItNamesTheInstanceOfUserDataElseTheHost) {
    const char* before = std::getenv("VPCSTACK_INSTANCE");
    const std::string saved = before != nullptr ? before : "";
    ::setenv("VPCSTACK_INSTANCE", "web-asg-2", 1);
    EXPECT_EQ(HttpServer({.port = 0, .address = "127.0.0.1"}).name(), "web-asg-2");
    EXPECT_EQ(HttpServer({.port = 0, .address = "127.0.0.1", .name = "app-1"}).name(), "app-1")
        << "--name wins";
    ::unsetenv("VPCSTACK_INSTANCE");
    char host[256] = {};
    ::gethostname(host, sizeof(host) - 1);
    EXPECT_EQ(HttpServer({.port = 0, .address = "127.0.0.1"}).name(), host);
    if (before != nullptr) ::setenv("VPCSTACK_INSTANCE", saved.c_str(), 1);
}

}  // namespace
}  // namespace vpcstack::live
