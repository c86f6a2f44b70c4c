// A lab's own certificate authority, in the role the cloud's managed certificate service plays
// for TLS and HTTPS listeners: it issues a certificate for each name the topology serves, and
// clients that trust the lab's CA (every instance namespace, the lab's internet) verify them, so
// `curl https://shop.example.com` works as it does against the cloud.
//
// Files, in the lab's directory (kept between calls, so a CA made once stays the lab's):
//   ca.pem                 the CA's certificate (self-signed, P-256, 10 years)
//   ca-key.pem             its key (mode 0600)
//   <name>.pem             a name's certificate followed by the CA's (the chain a server sends)
//   <name>-key.pem         its key (mode 0600)
// A wildcard name "*.example.com" is stored as "_wildcard.example.com". Leaf certificates are
// P-256, valid for 397 days (the longest public CAs issue), with the name as subjectAltName
// dNSName and the serverAuth extended key usage.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "vpcstack/model/topology.hpp"

namespace vpcstack::live {

struct IssuedCertificate {
    std::string name;                   // "shop.example.com"
    std::filesystem::path certificate;  // leaf then CA, PEM
    std::filesystem::path key;
};

struct LabCertificates {
    std::filesystem::path ca_certificate;
    std::vector<IssuedCertificate> issued;  // in the order the names were given, deduplicated
};

// Whether a name can be a certificate's DNS name: labels of letters, digits and hyphens (not
// at either end), at most 63 characters each and 253 in all, at least two labels, and
// optionally "*." in front (a wildcard for one label).
bool valid_certificate_name(std::string_view name);

// The names a lab's CA issues certificates for: the certificate of every TLS and HTTPS
// listener, in the topology's order, each once. `lab up` makes the CA (certificate_dir) when
// there is at least one.
std::vector<std::string> lab_certificate_names(const model::Topology& topology);

// Makes (or reuses) the CA in `dir` and issues a certificate for each name, replacing earlier
// ones. Throws std::invalid_argument for a name that is not valid, std::runtime_error naming
// the file when a file cannot be read or written.
LabCertificates issue_lab_certificates(const std::filesystem::path& dir,
                                       const std::vector<std::string>& names);

}  // namespace vpcstack::live
