// vpcctl serve http, run as user data runs it: in the background, fetched by curl, stopped by
// SIGTERM with exit 0.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "support/run_command.hpp"

namespace {

using vpcstack::test_support::run;
using vpcstack::test_support::vpcctl;
using vpcstack::test_support::vpcctl_path;

// `vpcctl serve http` started in the background, its stdout read through a pipe.
class Server {
  public:
    explicit Server(std::vector<std::string> args) {
        int out[2];
        EXPECT_EQ(::pipe2(out, O_CLOEXEC), 0);
        args.insert(args.begin(), {vpcctl_path(), "serve", "http"});
        pid_ = ::fork();
        if (pid_ == 0) {
            ::dup2(out[1], STDOUT_FILENO);
            std::vector<char*> argv;
            for (auto& a : args) argv.push_back(a.data());
            argv.push_back(nullptr);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        ::close(out[1]);
        out_ = out[0];
    }
    ~Server() {
        if (pid_ > 0) {
            ::kill(pid_, SIGKILL);
            ::waitpid(pid_, nullptr, 0);
        }
        ::close(out_);
    }
    Server(const Server&) = delete;
    Server& operator=(const Server&) = delete;

    // What it printed up to the next newline, waiting at most 5 s.
    std::string line() {
        std::string text;
        char c = 0;
        pollfd p{out_, POLLIN, 0};
        while (::poll(&p, 1, 5000) > 0 && ::read(out_, &c, 1) == 1 && c != '\n') text += c;
        return text;
    }
    // Sends SIGTERM and returns the exit code (-1 when it did not exit by itself).
    int stop() {
        ::kill(pid_, SIGTERM);
        int status = 0;
        ::waitpid(pid_, &status, 0);
        pid_ = 0;
        return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    }

  private:
    pid_t pid_ = 0;
    int out_ = -1;
};

TEST(ServeHttpCommand, AnswersWithItsNameAndStopsCleanlyOnSigterm) {
    Server server({"--port", "0", "--address", "127.0.0.1", "--name", "web1"});
    const std::string first = server.line();
    const std::string prefix = "vpcctl serve: http on 127.0.0.1:";
    ASSERT_TRUE(first.starts_with(prefix)) << first;
    const std::string port =
        first.substr(prefix.size(), first.find(' ', prefix.size()) - prefix.size());
    EXPECT_EQ(first, prefix + port + " as web1");
    for (int i = 0; i < 3; ++i) {
        auto r = run({"curl", "-s", "--max-time", "5", "-H", "X-Forwarded-Port: 80",
                      "http://127.0.0.1:" + port + "/"});
        EXPECT_NE(r.out.find("instance: web1\n"), std::string::npos) << r.out << r.err;
        EXPECT_NE(r.out.find("x-forwarded-port: 80\n"), std::string::npos) << r.out;
    }
    auto health = run({"curl", "-s", "--max-time", "5", "http://127.0.0.1:" + port + "/health"});
    EXPECT_EQ(health.out, "ok\n");
    EXPECT_EQ(server.stop(), 0) << "SIGTERM is a clean stop";
    EXPECT_EQ(server.line(), "vpcctl serve: stopped after 4 requests");
}

TEST(ServeHttpCommand, ACertificateWithoutKeyIsAUsageError) {
    auto r = vpcctl({"serve", "http", "--tls-cert", "/tmp/x.pem"});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("--tls-key"), std::string::npos) << r.err;
}

}  // namespace
