// The lab's certificate authority with OpenSSL 3: P-256 keys, X.509 v3 certificates.
#include "vpcstack/live/certificates.hpp"

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>
#include <sys/stat.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <stdexcept>

namespace vpcstack::live {

namespace {

namespace fs = std::filesystem;

constexpr long kCaDays = 3650;
constexpr long kLeafDays = 397;

struct KeyFree {
    void operator()(EVP_PKEY* k) const { EVP_PKEY_free(k); }
};
struct CertFree {
    void operator()(X509* c) const { X509_free(c); }
};
struct FileClose {
    void operator()(std::FILE* f) const { std::fclose(f); }
};
using Key = std::unique_ptr<EVP_PKEY, KeyFree>;
using Cert = std::unique_ptr<X509, CertFree>;
using File = std::unique_ptr<std::FILE, FileClose>;

[[noreturn]] void fail(const std::string& what) {
    throw std::runtime_error("lab certificates: " + what);
}

Key new_key() {
    Key key(EVP_EC_gen("P-256"));
    if (!key) fail("OpenSSL could not make a P-256 key");
    return key;
}

File open_file(const fs::path& path, const char* mode, bool secret) {
    if (secret && mode[0] == 'w') {
        // Created private: the key is never readable by others, not even for a moment.
        std::FILE* f = nullptr;
        const mode_t old = ::umask(077);
        f = std::fopen(path.c_str(), mode);
        ::umask(old);
        if (f != nullptr) ::chmod(path.c_str(), 0600);
        if (f == nullptr) fail("cannot write " + path.string());
        return File(f);
    }
    File f(std::fopen(path.c_str(), mode));
    if (!f) fail(std::string("cannot ") + (mode[0] == 'w' ? "write " : "read ") + path.string());
    return f;
}

void write_key(const fs::path& path, EVP_PKEY* key) {
    File f = open_file(path, "w", true);
    if (PEM_write_PrivateKey(f.get(), key, nullptr, nullptr, 0, nullptr, nullptr) != 1) {
        fail("cannot write the key " + path.string());
    }
}

void write_certs(const fs::path& path, std::initializer_list<X509*> certs) {
    File f = open_file(path, "w", false);
    for (X509* c : certs) {
        if (PEM_write_X509(f.get(), c) != 1) fail("cannot write " + path.string());
    }
}

void add_extension(X509* cert, X509* issuer, int nid, const char* value) {
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
    X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
    if (ext == nullptr) fail(std::string("OpenSSL refused the extension ") + value);
    X509_add_ext(cert, ext, -1);
    X509_EXTENSION_free(ext);
}

// A certificate for `subject_cn` with `key`, signed by `issuer_key` (self-signed when `issuer`
// is null).
Cert make_certificate(const std::string& subject_cn, EVP_PKEY* key, X509* issuer,
                      EVP_PKEY* issuer_key, long days) {
    Cert cert(X509_new());
    if (!cert) fail("OpenSSL could not make a certificate");
    X509_set_version(cert.get(), 2);  // v3
    unsigned char serial[16];
    RAND_bytes(serial, sizeof serial);
    serial[0] &= 0x7f;  // a positive serial number (RFC 5280 4.1.2.2)
    BIGNUM* bn = BN_bin2bn(serial, sizeof serial, nullptr);
    BN_to_ASN1_INTEGER(bn, X509_get_serialNumber(cert.get()));
    BN_free(bn);
    X509_gmtime_adj(X509_getm_notBefore(cert.get()), -3600);  // an hour of clock skew
    X509_gmtime_adj(X509_getm_notAfter(cert.get()), days * 24 * 3600);
    X509_set_pubkey(cert.get(), key);
    X509_NAME* name = X509_get_subject_name(cert.get());
    X509_NAME_add_entry_by_txt(name, "O", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>("vpcstack lab"), -1, -1, 0);
    X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_UTF8,
                               reinterpret_cast<const unsigned char*>(subject_cn.c_str()), -1, -1,
                               0);
    X509* signer = issuer != nullptr ? issuer : cert.get();
    X509_set_issuer_name(cert.get(), X509_get_subject_name(signer));
    if (issuer == nullptr) {
        add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:TRUE,pathlen:0");
        add_extension(cert.get(), signer, NID_key_usage, "critical,keyCertSign,cRLSign");
        add_extension(cert.get(), signer, NID_subject_key_identifier, "hash");
    } else {
        add_extension(cert.get(), signer, NID_basic_constraints, "critical,CA:FALSE");
        add_extension(cert.get(), signer, NID_key_usage, "critical,digitalSignature");
        add_extension(cert.get(), signer, NID_ext_key_usage, "serverAuth");
        add_extension(cert.get(), signer, NID_subject_alt_name, ("DNS:" + subject_cn).c_str());
        add_extension(cert.get(), signer, NID_authority_key_identifier, "keyid");
    }
    if (X509_sign(cert.get(), issuer_key, EVP_sha256()) == 0) fail("signing failed");
    return cert;
}

struct Ca {
    Key key;
    Cert cert;
};

// The CA of the directory, made when it has none.
Ca ca_of(const fs::path& dir) {
    const fs::path cert_path = dir / "ca.pem";
    const fs::path key_path = dir / "ca-key.pem";
    if (fs::exists(cert_path) && fs::exists(key_path)) {
        File kf = open_file(key_path, "r", true);
        Key key(PEM_read_PrivateKey(kf.get(), nullptr, nullptr, nullptr));
        File cf = open_file(cert_path, "r", false);
        Cert cert(PEM_read_X509(cf.get(), nullptr, nullptr, nullptr));
        if (!key || !cert) fail(cert_path.string() + " or its key is not PEM");
        if (X509_check_private_key(cert.get(), key.get()) != 1) {
            fail(key_path.string() + " is not the key of " + cert_path.string());
        }
        return {std::move(key), std::move(cert)};
    }
    Key key = new_key();
    Cert cert = make_certificate("vpcstack lab CA", key.get(), nullptr, key.get(), kCaDays);
    write_key(key_path, key.get());
    write_certs(cert_path, {cert.get()});
    return {std::move(key), std::move(cert)};
}

std::string file_stem(const std::string& name) {
    return name.starts_with("*.") ? "_wildcard" + name.substr(1) : name;
}

}  // namespace

bool valid_certificate_name(std::string_view name) {
    if (name.starts_with("*.")) name.remove_prefix(2);
    if (name.empty() || name.size() > 253) return false;
    int labels = 0;
    std::size_t start = 0;
    while (start <= name.size()) {
        std::size_t end = name.find('.', start);
        if (end == std::string_view::npos) end = name.size();
        std::string_view label = name.substr(start, end - start);
        if (label.empty() || label.size() > 63 || label.front() == '-' || label.back() == '-')
            return false;
        for (char c : label) {
            const bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
                            (c >= '0' && c <= '9') || c == '-';
            if (!ok) return false;
        }
        ++labels;
        start = end + 1;
    }
    return labels >= 2;
}

std::vector<std::string> lab_certificate_names(const model::Topology& topology) {
    std::vector<std::string> names;
    for (const auto& lb : topology.load_balancers) {
        for (const auto& listener : lb.listeners) {
            const bool secure = listener.protocol == model::LbProtocol::Tls ||
                                listener.protocol == model::LbProtocol::Https;
            if (secure && !listener.certificate.empty() &&
                std::find(names.begin(), names.end(), listener.certificate) == names.end()) {
                names.push_back(listener.certificate);
            }
        }
    }
    return names;
}

LabCertificates issue_lab_certificates(const fs::path& dir, const std::vector<std::string>& names) {
    for (const std::string& n : names) {
        if (!valid_certificate_name(n)) {
            throw std::invalid_argument("certificate name \"" + n +
                                        "\": expected a DNS name such as shop.example.com or "
                                        "*.example.com");
        }
    }
    std::error_code ec;
    fs::create_directories(dir, ec);
    if (ec) fail("cannot make " + dir.string() + ": " + ec.message());
    Ca ca = ca_of(dir);
    LabCertificates out;
    out.ca_certificate = dir / "ca.pem";
    for (const std::string& name : names) {
        if (std::any_of(out.issued.begin(), out.issued.end(),
                        [&](const IssuedCertificate& c) { return c.name == name; })) {
            continue;
        }
        Key key = new_key();
        Cert cert = make_certificate(name, key.get(), ca.cert.get(), ca.key.get(), kLeafDays);
        IssuedCertificate issued{name, dir / (file_stem(name) + ".pem"),
                                 dir / (file_stem(name) + "-key.pem")};
        write_key(issued.key, key.get());
        write_certs(issued.certificate, {cert.get(), ca.cert.get()});
        out.issued.push_back(std::move(issued));
    }
    return out;
}

}  // namespace vpcstack::live
