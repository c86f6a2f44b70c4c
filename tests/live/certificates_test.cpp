// The lab's certificate authority: what it issues is checked by the openssl command, as a TLS
// client would check it (chain to the lab's CA, the name, the server purpose).
#include "vpcstack/live/certificates.hpp"

#include <gtest/gtest.h>
#include <sys/stat.h>

#include "support/run_command.hpp"
#include "vpcstack/model/loader.hpp"

namespace {

using vpcstack::live::issue_lab_certificates;
using vpcstack::live::valid_certificate_name;
using vpcstack::test_support::read_file;
using vpcstack::test_support::run;
using vpcstack::test_support::TempDir;

vpcstack::test_support::Result verify(const std::string& ca, const std::string& cert,
                                      const std::string& host) {
    return run({"openssl", "verify", "-CAfile", ca, "-purpose", "sslserver", "-verify_hostname",
                host, cert});
}

TEST(LabCertificates, IssuedCertificatesVerifyAgainstTheLabsCaForTheirNameOnly) {
    TempDir dir;
    const auto certs = issue_lab_certificates(
        dir.path(), {"shop.example.com", "*.api.example.com", "shop.example.com"});
    ASSERT_EQ(certs.issued.size(), 2u);  // the repeated name once
    const std::string ca = certs.ca_certificate.string();
    auto ok = verify(ca, certs.issued[0].certificate.string(), "shop.example.com");
    EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;
    auto wild = verify(ca, certs.issued[1].certificate.string(), "v1.api.example.com");
    EXPECT_EQ(wild.exit_code, 0) << wild.out << wild.err;
    EXPECT_EQ(certs.issued[1].certificate.filename(), "_wildcard.api.example.com.pem");
    auto other = verify(ca, certs.issued[0].certificate.string(), "evil.example.com");
    EXPECT_NE(other.exit_code, 0) << "a certificate verified for a name it was not issued for";
    // The chain file holds the leaf then the CA; keys are private to their owner.
    const std::string chain = read_file(certs.issued[0].certificate);
    std::size_t first = chain.find("BEGIN CERTIFICATE");
    ASSERT_NE(first, std::string::npos);
    EXPECT_NE(chain.find("BEGIN CERTIFICATE", first + 1), std::string::npos);
    struct stat st {};
    ASSERT_EQ(::stat(certs.issued[0].key.c_str(), &st), 0);
    EXPECT_EQ(st.st_mode & 0777, 0600u);
    auto match = run({"openssl", "pkey", "-in", certs.issued[0].key.string(), "-pubout"});
    auto pub =
        run({"openssl", "x509", "-in", certs.issued[0].certificate.string(), "-noout", "-pubkey"});
    EXPECT_EQ(match.out, pub.out) << "the key is not the certificate's";
}

TEST(LabCertificates, TheCaIsKeptAndAnotherCaDoesNotVerify) {
    TempDir dir;
    issue_lab_certificates(dir.path(), {"a.example.com"});
    const std::string ca_before = read_file(dir.path() / "ca.pem");
    const auto again = issue_lab_certificates(dir.path(), {"b.example.com"});
    EXPECT_EQ(read_file(dir.path() / "ca.pem"), ca_before);
    auto ok = verify(again.ca_certificate.string(), (dir.path() / "a.example.com.pem").string(),
                     "a.example.com");
    EXPECT_EQ(ok.exit_code, 0) << ok.out << ok.err;

    TempDir other;
    const auto foreign = issue_lab_certificates(other.path(), {"a.example.com"});
    auto no = verify(foreign.ca_certificate.string(), (dir.path() / "a.example.com.pem").string(),
                     "a.example.com");
    EXPECT_NE(no.exit_code, 0) << "another lab's CA verified this lab's certificate";
}

TEST(LabCertificates, NamesAreDnsNames) {
    EXPECT_TRUE(valid_certificate_name("shop.example.com"));
    EXPECT_TRUE(valid_certificate_name("*.example.com"));
    for (const char* bad : {"localhost", "-a.example.com", "a..example.com", "a b.example.com",
                            "*.*.example.com", ""}) {
        EXPECT_FALSE(valid_certificate_name(bad)) << bad;
    }
    TempDir dir;
    EXPECT_THROW(issue_lab_certificates(dir.path(), {"bad name.example.com"}),
                 std::invalid_argument);
    EXPECT_FALSE(std::filesystem::exists(dir.path() / "ca.pem")) << "nothing is made on bad input";
}

// lab up makes the CA only for a topology that serves TLS: the certificates of its TLS and
// HTTPS listeners, each name once.
TEST(LabCertificates, TheLabIssuesTheCertificatesOfItsTlsAndHttpsListeners) {
    const std::string dir = VPCSTACK_SOURCE_DIR "/topologies/";
    auto stack = vpcstack::model::load_topology_file(dir + "web-stack.yaml");
    ASSERT_TRUE(stack.ok());
    EXPECT_EQ(vpcstack::live::lab_certificate_names(*stack.topology),
              std::vector<std::string>{"shop.example.com"});
    auto plain = vpcstack::model::load_topology_file(dir + "single-public-web.yaml");
    ASSERT_TRUE(plain.ok());
    EXPECT_TRUE(vpcstack::live::lab_certificate_names(*plain.topology).empty());
}

}  // namespace
