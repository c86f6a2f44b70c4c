// Instances' user data and the lab's CA in a live lab: `lab up` runs an instance's user data in
// its namespace (a web server, `vpcctl serve http`), the internet reaches it through the
// internet gateway, and `lab down` ends it; `lab exec` and user data trust the lab's CA, so
// curl and openssl verify the lab's certificates with no option. Needs root.
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <string>
#include <thread>

#include "live_lab.hpp"
#include "support/run_command.hpp"
#include "vpcstack/live/certificates.hpp"
#include "vpcstack/live/instance_env.hpp"
#include "vpcstack/live/lab_state.hpp"
#include "vpcstack/live/user_data.hpp"

namespace vpcstack::live {
namespace {

using namespace lab_testing;
using namespace std::chrono_literals;
using test_support::read_file;
using test_support::TempDir;

// One public subnet behind an internet gateway; web1 (public 203.0.113.10) runs a web server
// from its user data, its group open on 8080 and 8443 to the world.
const std::string kTopology = R"(region: us-east-1
vpcs:
  - name: ud-vpc
    cidr: 10.0.0.0/16
    internet_gateway: ud-igw
    subnets:
      - name: public
        cidr: 10.0.1.0/24
        az: us-east-1a
        route_table: public-rt
    route_tables:
      - name: public-rt
        routes:
          - 0.0.0.0/0 -> igw
    security_groups:
      - name: web-sg
        ingress:
          - tcp/8080 from 0.0.0.0/0
          - tcp/8443 from 0.0.0.0/0
    instances:
      - name: web1
        subnet: public
        private_ip: 10.0.1.10
        public_ip: 203.0.113.10
        security_groups: [web-sg]
        user_data: vpcctl serve http --port 8080 --name web1
internet_hosts:
  - name: client
    address: 198.51.100.7
)";

TEST(LiveUserData, AnInstancesWebServerFromUserDataAnswersTheInternetAndEndsAtLabDown) {
    SKIP_UNLESS_LIVE();
    TempDir dir;
    const std::string topology = dir.write("user-data.yaml", kTopology).string();
    int pid = 0;
    {
        Lab lab(topology, "ud");
        ASSERT_EQ(lab.up().code, 0) << lab.up().output;
        EXPECT_NE(lab.up().output.find("user data: 1 script started"), std::string::npos)
            << lab.up().output;
        auto state = read_state(lab.name());
        ASSERT_TRUE(state.has_value());
        ASSERT_EQ(state->user_data.size(), 1u);
        EXPECT_EQ(state->user_data[0].instance, "web1");
        pid = state->user_data[0].pid;
        EXPECT_TRUE(process_group_alive(pid)) << "the script is running";
        // It runs inside web1's namespace, not here.
        struct stat mine {};
        struct stat its {};
        ASSERT_EQ(::stat("/proc/self/ns/net", &mine), 0);
        ASSERT_EQ(::stat(("/proc/" + std::to_string(pid) + "/ns/net").c_str(), &its), 0);
        EXPECT_NE(mine.st_ino, its.st_ino);

        Result got;
        EXPECT_TRUE(eventually([&] {
            got = lab.exec("client", {"curl", "-s", "--max-time", "2", "-H",
                                      "X-Forwarded-Proto: http", "http://203.0.113.10:8080/"});
            return got.code == 0;
        })) << got.output
            << "\nuser data log:\n"
            << read_file(user_data_log_path(lab.name(), "web1"));
        EXPECT_NE(got.output.find("instance: web1\n"), std::string::npos) << got.output;
        // The internet gateway translates the public address, not the client's: the server
        // sees the internet host as it is.
        EXPECT_NE(got.output.find("client: 198.51.100.7\n"), std::string::npos) << got.output;
        EXPECT_NE(got.output.find("x-forwarded-proto: http\n"), std::string::npos) << got.output;
        // The script's output is its log.
        EXPECT_NE(read_file(user_data_log_path(lab.name(), "web1"))
                      .find("vpcctl serve: http on 0.0.0.0:8080 as web1"),
                  std::string::npos);
    }  // lab down
    EXPECT_FALSE(process_group_alive(pid))
        << "user data process group " << pid << " outlived the lab";
    // Its exit is collected by init (the script is nobody's child here), a moment later.
    EXPECT_TRUE(eventually([&] { return ::kill(pid, 0) != 0; }, 2000ms))
        << "pid " << pid << " is still there";
}

TEST(LiveUserData, AUserDataScriptThatNeverEndsIsEndedByLabDownWithItsChildren) {
    SKIP_UNLESS_LIVE();
    TempDir dir;
    std::string text = kTopology;
    const std::string old_line = "user_data: vpcctl serve http --port 8080 --name web1";
    // A shell that ignores SIGTERM and a child of it: the group is killed all the same.
    text.replace(text.find(old_line), old_line.size(),
                 "user_data: \"trap '' TERM; sleep 1000 & sleep 1000\"");
    const std::string topology = dir.write("stubborn.yaml", text).string();
    int pid = 0;
    {
        Lab lab(topology, "ud2");
        ASSERT_EQ(lab.up().code, 0) << lab.up().output;
        auto state = read_state(lab.name());
        ASSERT_TRUE(state.has_value());
        ASSERT_EQ(state->user_data.size(), 1u);
        pid = state->user_data[0].pid;
        EXPECT_TRUE(process_group_alive(pid));
    }
    EXPECT_FALSE(process_group_alive(pid)) << "a process of group " << pid << " outlived the lab";
}

TEST(LiveLabCa, LabExecTrustsTheLabsCaForCurlAndOpensslAndTheHostDoesNot) {
    SKIP_UNLESS_LIVE();
    TempDir dir;
    const std::string topology = dir.write("user-data.yaml", kTopology).string();
    Lab lab(topology, "ca");
    ASSERT_EQ(lab.up().code, 0) << lab.up().output;
    // No TLS listener in this topology: no CA yet, and lab exec leaves the variable as it is.
    EXPECT_FALSE(lab_ca_file(lab.name()).has_value());
    const char* here = std::getenv("SSL_CERT_FILE");
    auto plain = lab.exec("web1", {"sh", "-c", "echo \"[$SSL_CERT_FILE]\""});
    EXPECT_EQ(plain.output, "[" + std::string(here != nullptr ? here : "") + "]\n");

    // A certificate of the lab's CA, as lab up issues one for a TLS listener.
    const auto certs = issue_lab_certificates(certificate_dir(lab.name()), {"web1.lab.example"});
    const std::string cert = certs.issued[0].certificate.string();
    const std::string key = certs.issued[0].key.string();
    // The system's store (the file the mount covers, without the variables) verifies it inside.
    auto inside =
        lab.exec("web1", {"env", "-u", "SSL_CERT_FILE", "-u", "CURL_CA_BUNDLE", "openssl", "verify",
                          "-purpose", "sslserver", "-verify_hostname", "web1.lab.example", cert});
    EXPECT_EQ(inside.code, 0) << inside.output;
    auto variables = lab.exec("internet", {"sh", "-c", "echo $SSL_CERT_FILE $CURL_CA_BUNDLE"});
    EXPECT_EQ(variables.output,
              certs.ca_certificate.string() + " " + certs.ca_certificate.string() + "\n");
    // Outside the lab nothing changed: the host does not trust the lab's CA.
    auto outside = run({"openssl", "verify", "-CAfile", std::string(kSystemCaBundle), cert});
    EXPECT_NE(outside.code, 0) << "the host's bundle trusts the lab's CA: " << outside.output;

    // HTTPS end to end: web1 serves the certificate (vpcctl is on lab exec's PATH), the
    // internet's curl checks it against the system bundle only.
    auto started = lab.exec("web1", {"sh", "-c",
                                     "vpcctl serve http --port 8443 --name web1 --tls-cert " +
                                         cert + " --tls-key " + key + " >/dev/null 2>&1 &"});
    ASSERT_EQ(started.code, 0) << started.output;
    Result got;
    EXPECT_TRUE(eventually([&] {
        got = lab.exec(
            "client",
            {"env", "-u", "SSL_CERT_FILE", "-u", "CURL_CA_BUNDLE", "curl", "-sS", "--max-time", "2",
             "--resolve", "web1.lab.example:8443:203.0.113.10", "https://web1.lab.example:8443/"});
        return got.code == 0;
    })) << got.output;
    EXPECT_NE(got.output.find("instance: web1\n"), std::string::npos) << got.output;
    // The name must match: the same server under another name is refused.
    auto wrong = lab.exec(
        "client", {"curl", "-s", "--max-time", "2", "--resolve",
                   "other.lab.example:8443:203.0.113.10", "https://other.lab.example:8443/"});
    EXPECT_NE(wrong.code, 0) << wrong.output;
}

TEST(LiveLabCa, LabUpMakesTheCaForATopologysHttpsListenerAndUserDataTrustsIt) {
    SKIP_UNLESS_LIVE();
    Lab lab(kTopologies + "web-stack.yaml", "ca2");
    ASSERT_EQ(lab.up().code, 0) << lab.up().output;
    auto ca = lab_ca_file(lab.name());
    ASSERT_TRUE(ca.has_value()) << "no CA for the HTTPS listener";
    EXPECT_NE(lab.up().output.find("certificates: 1 issued by the lab's CA"), std::string::npos)
        << lab.up().output;
    const std::string cert = certificate_dir(lab.name()) + "/shop.example.com.pem";
    auto verified =
        lab.exec("internet", {"env", "-u", "SSL_CERT_FILE", "openssl", "verify", "-purpose",
                              "sslserver", "-verify_hostname", "shop.example.com", cert});
    EXPECT_EQ(verified.code, 0) << verified.output;
    // The launch template's user data (a web server on each Auto Scaling instance) runs with
    // the CA named and mounted over the system bundle in its own mount namespace.
    auto state = read_state(lab.name());
    ASSERT_TRUE(state.has_value());
    ASSERT_FALSE(state->user_data.empty());
    for (const auto& script : state->user_data) {
        const std::string proc = "/proc/" + std::to_string(script.pid);
        std::string environment = read_file(proc + "/environ");
        std::replace(environment.begin(), environment.end(), '\0', '\n');
        EXPECT_NE(environment.find("\nSSL_CERT_FILE=" + *ca + "\n"), std::string::npos)
            << script.instance;
        EXPECT_NE(read_file(proc + "/mountinfo").find(" " + std::string(kSystemCaBundle) + " "),
                  std::string::npos)
            << script.instance << ": the system bundle is not covered";
    }
    EXPECT_EQ(read_file("/proc/self/mountinfo").find(" " + std::string(kSystemCaBundle) + " "),
              std::string::npos)
        << "the mount leaked out of the lab";
}

}  // namespace
}  // namespace vpcstack::live
