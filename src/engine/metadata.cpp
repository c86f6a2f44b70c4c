#include "metadata.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <map>

#include "vpcstack/model/dns_views.hpp"
#include "vpcstack/model/resource_ids.hpp"

namespace vpcstack::engine {

namespace {

constexpr std::size_t kMaxHead = 16 * 1024;  // a larger head is refused (400)
constexpr std::size_t kMaxBody = 16 * 1024;
// AWS: configuring-instance-metadata-service — a token lives 1 s to 6 hours.
constexpr long kMaxTokenTtl = 21600;
constexpr std::size_t kMaxTokens = 65536;

bool iequals(std::string_view a, std::string_view b) {
    return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
               return std::tolower(static_cast<unsigned char>(x)) ==
                      std::tolower(static_cast<unsigned char>(y));
           });
}

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

std::string_view reason_phrase(std::uint16_t status) {
    switch (status) {
        case 200:
            return "OK";
        case 400:
            return "Bad Request";
        case 401:
            return "Unauthorized";
        case 403:
            return "Forbidden";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        default:
            return "Error";
    }
}

// The service's error pages are small HTML documents titled with the status.
std::string error_page(std::uint16_t status) {
    return fmt::format(
        "<?xml version=\"1.0\" encoding=\"iso-8859-1\"?>\n"
        "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n"
        "\t\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n"
        "<html xmlns=\"http://www.w3.org/1999/xhtml\" xml:lang=\"en\" lang=\"en\">\n"
        " <head>\n  <title>{0} - {1}</title>\n </head>\n <body>\n  <h1>{0} - {1}</h1>\n"
        " </body>\n</html>\n",
        status, reason_phrase(status));
}

std::string response(std::uint16_t status, std::string_view content_type, std::string_view body,
                     bool head_only, const std::vector<std::string>& extra_headers = {}) {
    std::string out = fmt::format("HTTP/1.1 {} {}\r\n", status, reason_phrase(status));
    for (const std::string& h : extra_headers) out += h + "\r\n";
    out += fmt::format(
        "Content-Type: {}\r\nAccept-Ranges: none\r\nContent-Length: {}\r\nServer: EC2ws\r\n\r\n",
        content_type, body.size());
    if (!head_only) out += body;
    return out;
}

std::string json_string(std::string_view s) {
    std::string out = "\"";
    for (char c : s) {
        if (c == '"' || c == '\\') {
            out += '\\';
            out += c;
        } else if (static_cast<unsigned char>(c) < 0x20) {
            out += fmt::format("\\u{:04x}", static_cast<unsigned>(c));
        } else {
            out += c;
        }
    }
    return out + "\"";
}

// The instance's metadata as a tree of paths under /latest/: leaves and their values.
std::map<std::string, std::string> metadata_tree(const Dataplane& dp, model::Index eni_index) {
    const model::Topology& t = dp.topo;
    const model::Eni& eni = t.enis[eni_index];
    std::map<std::string, std::string> leaves;
    const model::Index instance = eni.instance;
    const model::Index primary =
        instance != model::kNone ? t.instances[instance].enis.front() : eni_index;
    const model::Eni& first = t.enis[primary];
    const model::Subnet& subnet = t.subnets[first.subnet];
    const std::string region = model::dns_region(t, first.vpc);
    const std::string az =
        subnet.availability_zone.empty() ? region + "a" : subnet.availability_zone;
    const std::string iid =
        instance != model::kNone ? model::instance_id(t, instance) : model::eni_id(t, eni_index);
    const std::string ami = model::derived_id("ami-", "image/" + region);
    const std::string hostname = model::private_dns_name(t, first.vpc, first.primary_ip());
    std::vector<std::string> group_names;
    std::vector<std::string> group_ids;
    for (model::Index g : first.security_groups) {
        group_names.push_back(t.security_groups[g].meta.name);
        group_ids.push_back(model::security_group_id(t, g));
    }
    const std::string m = "meta-data/";
    leaves[m + "ami-id"] = ami;
    leaves[m + "instance-id"] = iid;
    leaves[m + "hostname"] = hostname;
    leaves[m + "local-hostname"] = hostname;
    leaves[m + "local-ipv4"] = first.primary_ip().to_string();
    leaves[m + "mac"] = first.mac.to_string();
    leaves[m + "placement/availability-zone"] = az;
    leaves[m + "placement/region"] = region;
    leaves[m + "security-groups"] = fmt::format("{}", fmt::join(group_names, "\n"));
    leaves[m + "services/domain"] = "amazonaws.com";
    leaves[m + "services/partition"] = "aws";
    const bool dns_hostnames = t.vpcs[first.vpc].enable_dns_hostnames;
    if (auto pub = t.public_address_of_eni(primary)) {
        leaves[m + "public-ipv4"] = pub->to_string();
        if (dns_hostnames)
            leaves[m + "public-hostname"] = model::public_dns_name(t, first.vpc, *pub);
    }
    const std::vector<model::Index> enis = instance != model::kNone
                                               ? t.instances[instance].enis
                                               : std::vector<model::Index>{eni_index};
    for (model::Index e : enis) {
        const model::Eni& x = t.enis[e];
        const model::Subnet& s = t.subnets[x.subnet];
        const model::Vpc& v = t.vpcs[x.vpc];
        const std::string d = m + "network/interfaces/macs/" + x.mac.to_string() + "/";
        std::vector<std::string> ips;
        for (net::Ipv4Address ip : x.private_ips) ips.push_back(ip.to_string());
        std::vector<std::string> names;
        std::vector<std::string> ids;
        for (model::Index g : x.security_groups) {
            names.push_back(t.security_groups[g].meta.name);
            ids.push_back(model::security_group_id(t, g));
        }
        std::vector<std::string> blocks;
        for (const net::Cidr& c : v.cidrs) blocks.push_back(c.to_string());
        leaves[d + "device-number"] = std::to_string(x.device_index);
        leaves[d + "interface-id"] = model::eni_id(t, e);
        leaves[d + "local-hostname"] = model::private_dns_name(t, x.vpc, x.primary_ip());
        leaves[d + "local-ipv4s"] = fmt::format("{}", fmt::join(ips, "\n"));
        leaves[d + "mac"] = x.mac.to_string();
        if (!v.account.empty()) leaves[d + "owner-id"] = v.account;
        leaves[d + "security-group-ids"] = fmt::format("{}", fmt::join(ids, "\n"));
        leaves[d + "security-groups"] = fmt::format("{}", fmt::join(names, "\n"));
        leaves[d + "subnet-id"] = model::subnet_id(t, x.subnet);
        leaves[d + "subnet-ipv4-cidr-block"] = s.cidr.to_string();
        leaves[d + "vpc-id"] = model::vpc_id(t, x.vpc);
        leaves[d + "vpc-ipv4-cidr-block"] = v.cidrs.empty() ? "" : v.cidrs.front().to_string();
        leaves[d + "vpc-ipv4-cidr-blocks"] = fmt::format("{}", fmt::join(blocks, "\n"));
        if (auto pub = t.public_address_of_eni(e)) {
            leaves[d + "public-ipv4s"] = pub->to_string();
            if (dns_hostnames) {
                leaves[d + "public-hostname"] = model::public_dns_name(t, x.vpc, *pub);
            }
        }
    }
    if (instance != model::kNone && !t.instances[instance].user_data.empty()) {
        leaves["user-data"] = t.instances[instance].user_data;
    }
    const model::Vpc& vpc = t.vpcs[first.vpc];
    leaves["dynamic/instance-identity/document"] = fmt::format(
        "{{\n  \"accountId\" : {},\n  \"architecture\" : \"x86_64\",\n"
        "  \"availabilityZone\" : {},\n  \"imageId\" : {},\n  \"instanceId\" : {},\n"
        "  \"privateIp\" : {},\n  \"region\" : {},\n"
        "  \"version\" : \"2017-09-30\"\n}}",
        json_string(vpc.account.empty() ? "123456789012" : vpc.account), json_string(az),
        json_string(ami), json_string(iid), json_string(first.primary_ip().to_string()),
        json_string(region));
    return leaves;
}

// The entries of directory `dir` ("" for /latest/, "meta-data/" ...): names, sub-directories
// with a trailing '/'; nullopt when no leaf lies below it.
std::optional<std::string> listing(const std::map<std::string, std::string>& leaves,
                                   const std::string& dir) {
    std::vector<std::string> entries;
    for (auto it = leaves.lower_bound(dir); it != leaves.end(); ++it) {
        const std::string& path = it->first;
        if (path.compare(0, dir.size(), dir) != 0) break;
        const std::string rest = path.substr(dir.size());
        const std::size_t slash = rest.find('/');
        std::string entry = slash == std::string::npos ? rest : rest.substr(0, slash + 1);
        if (entries.empty() || entries.back() != entry) entries.push_back(std::move(entry));
    }
    if (entries.empty()) return std::nullopt;
    return fmt::format("{}", fmt::join(entries, "\n"));
}

std::string new_token(Dataplane& dp, model::Index instance, TimeNs now) {
    // Opaque to the instance: 56 characters, as the cloud's tokens are.
    const std::uint64_t n = ++dp.metadata_tokens_issued;
    const std::uint64_t a = std::hash<std::uint64_t>{}(n * 0x9E3779B97F4A7C15ULL ^ now);
    const std::uint64_t b = std::hash<std::uint64_t>{}(a ^ (std::uint64_t{instance} << 32) ^ n);
    return fmt::format("AQAEA{:016x}{:016x}{:016x}{:03x}", a, b, a ^ b ^ now, n & 0xfff);
}

}  // namespace

std::optional<std::string> HttpRequestHead::header(std::string_view name) const {
    for (const auto& [key, value] : headers) {
        if (iequals(key, name)) return value;
    }
    return std::nullopt;
}

bool HttpRequestHead::wants_close() const {
    const std::optional<std::string> c = header("Connection");
    if (c && iequals(*c, "close")) return true;
    return version == "HTTP/1.0" && !(c && iequals(*c, "keep-alive"));
}

HttpReadResult read_http_request(std::span<const std::uint8_t> stream) {
    HttpReadResult r;
    const std::string_view text(reinterpret_cast<const char*>(stream.data()), stream.size());
    const std::size_t end = text.find("\r\n\r\n");
    if (end == std::string_view::npos) {
        if (text.size() > kMaxHead) {
            r.status = HttpRead::Bad;
            r.error = fmt::format("a request head longer than {} bytes", kMaxHead);
        }
        return r;
    }
    auto bad = [&](std::string why) {
        r.status = HttpRead::Bad;
        r.error = std::move(why);
        return r;
    };
    std::string_view head = text.substr(0, end);
    std::size_t eol = head.find("\r\n");
    const std::string_view line = head.substr(0, eol);
    const std::size_t s1 = line.find(' ');
    const std::size_t s2 = s1 == std::string_view::npos ? s1 : line.find(' ', s1 + 1);
    if (s2 == std::string_view::npos)
        return bad("a request line that is not METHOD TARGET VERSION");
    r.request.method = std::string(line.substr(0, s1));
    r.request.target = std::string(line.substr(s1 + 1, s2 - s1 - 1));
    r.request.version = std::string(line.substr(s2 + 1));
    if (r.request.version.rfind("HTTP/1.", 0) != 0) return bad("not HTTP/1.x");
    while (eol != std::string_view::npos) {
        head.remove_prefix(eol + 2);
        eol = head.find("\r\n");
        const std::string_view field = head.substr(0, eol);
        const std::size_t colon = field.find(':');
        if (colon == std::string_view::npos || colon == 0) return bad("a header without a name");
        r.request.headers.emplace_back(std::string(field.substr(0, colon)),
                                       std::string(trim(field.substr(colon + 1))));
    }
    std::size_t body = 0;
    if (std::optional<std::string> length = r.request.header("Content-Length")) {
        if (length->empty() || length->size() > 9 ||
            !std::all_of(length->begin(), length->end(), ::isdigit)) {
            return bad("a Content-Length that is not a number");
        }
        body = std::stoul(*length);
        if (body > kMaxBody) return bad("a body larger than the service reads");
    }
    if (r.request.header("Transfer-Encoding")) return bad("a chunked body");
    const std::size_t total = end + 4 + body;
    if (text.size() < total) return r;  // the body is still on its way
    r.request.body = std::string(text.substr(end + 4, body));
    r.status = HttpRead::Request;
    r.consumed = total;
    return r;
}

MetadataReply metadata_bad_request(const std::string& why) {
    MetadataReply reply;
    reply.exchange = std::make_shared<MetadataExchange>();
    reply.exchange->status = 400;
    reply.exchange->why = why;
    reply.http = response(400, "text/html", error_page(400), false, {"Connection: close"});
    return reply;
}

MetadataReply answer_metadata(Dataplane& dp, model::Index eni, const HttpRequestHead& request,
                              TimeNs now) {
    MetadataReply reply;
    auto x = std::make_shared<MetadataExchange>();
    reply.exchange = x;
    x->method = request.method;
    x->path = request.target;
    const model::Index instance = dp.topo.enis[eni].instance;
    const model::MetadataOptions options = instance != model::kNone
                                               ? dp.topo.instances[instance].metadata_options
                                               : model::MetadataOptions{};
    const bool head_only = request.method == "HEAD";
    auto refuse = [&](std::uint16_t status, std::string why) {
        x->status = status;
        x->why = std::move(why);
        reply.http = response(status, "text/html", error_page(status), head_only);
        return reply;
    };
    std::string path = request.target;
    if (const std::size_t q = path.find('?'); q != std::string::npos) path.resize(q);
    if (path == "/latest/api/token") {
        if (request.method != "PUT") return refuse(405, "a token is asked for with PUT");
        if (request.header("X-Forwarded-For")) {
            return refuse(403, "a PUT carrying X-Forwarded-For: tokens are not given to proxies");
        }
        const std::optional<std::string> ttl_text =
            request.header("X-aws-ec2-metadata-token-ttl-seconds");
        long ttl = 0;
        if (ttl_text && !ttl_text->empty() && ttl_text->size() < 7 &&
            std::all_of(ttl_text->begin(), ttl_text->end(), ::isdigit)) {
            ttl = std::stol(*ttl_text);
        }
        if (ttl < 1 || ttl > kMaxTokenTtl) {
            return refuse(400, fmt::format("X-aws-ec2-metadata-token-ttl-seconds must be 1 to {}",
                                           kMaxTokenTtl));
        }
        if (dp.metadata_tokens.size() >= kMaxTokens) {
            std::erase_if(dp.metadata_tokens,
                          [&](const auto& kv) { return kv.second.expires <= now; });
        }
        std::string token = new_token(dp, instance, now);
        dp.metadata_tokens[token] = {instance, now + static_cast<TimeNs>(ttl) * kNsPerSecond};
        x->status = 200;
        x->ttl = options.put_response_hop_limit;
        reply.ttl = options.put_response_hop_limit;
        reply.http = response(200, "text/plain", token, false,
                              {fmt::format("X-Aws-Ec2-Metadata-Token-Ttl-Seconds: {}", ttl)});
        return reply;
    }
    if (request.method != "GET" && request.method != "HEAD") {
        return refuse(
            405, fmt::format("{} is not served (GET, HEAD, or PUT for a token)", request.method));
    }
    if (std::optional<std::string> token = request.header("X-aws-ec2-metadata-token")) {
        x->token = true;
        auto it = dp.metadata_tokens.find(*token);
        if (it == dp.metadata_tokens.end() || it->second.instance != instance) {
            return refuse(401, "a token this instance was not given");
        }
        if (it->second.expires <= now) {
            dp.metadata_tokens.erase(it);
            return refuse(401, "an expired token");
        }
    } else if (options.tokens_required) {
        return refuse(401, "http_tokens is required: IMDSv1 (no token) is refused");
    }
    const std::map<std::string, std::string> leaves = metadata_tree(dp, eni);
    std::optional<std::string> body;
    if (path == "/") {
        body = "latest";
    } else if (path == "/latest" || path == "/latest/") {
        body = listing(leaves, "");
    } else if (path.rfind("/latest/", 0) == 0) {
        std::string rest = path.substr(std::string("/latest/").size());
        if (auto leaf = leaves.find(rest); leaf != leaves.end()) {
            body = leaf->second;
        } else {
            if (!rest.empty() && rest.back() != '/') rest += '/';
            body = listing(leaves, rest);
        }
    }
    if (!body) return refuse(404, "no such metadata");
    x->status = 200;
    const bool document = path.find("/dynamic/instance-identity/document") != std::string::npos;
    reply.http = response(200, document ? "application/json" : "text/plain", *body, head_only);
    return reply;
}

}  // namespace vpcstack::engine
