// DNS messages on our own types: parse a query, build a response, and the client side (build a
// query, parse a response) for tests and traces.
//
// The wire format is done by ldns (NLnet Labs' libldns, the library under drill and ldns-tools,
// packaged in Debian). It is well kept, it handles name compression in both directions, EDNS0
// (the OPT pseudo-record) and the presentation form of every RR type, and it rejects malformed
// packets with a status rather than crashing. No ldns type appears in this header: callers see
// only the structs below, so the library can be replaced without touching them.
//
// Names are lower-case and carry no trailing dot ("www.example.com"; the root is ""). Record
// data is in presentation form: "10.0.0.5", "target.example.com", "10 mail.example.com",
// "\"some text\"", "ns1.example.com hostmaster.example.com 1 7200 900 1209600 86400".
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace vpcstack::dns {

// An RR type code. Any 16-bit value can arrive in a query, so this is an open enum: the named
// values are those the resolver answers or the tests use.
enum class RrType : std::uint16_t {
    A = 1,
    NS = 2,
    CNAME = 5,
    SOA = 6,
    PTR = 12,
    MX = 15,
    TXT = 16,
    AAAA = 28,
    SRV = 33,
    OPT = 41,
    ANY = 255,
    CAA = 257,
};

// "A", "AAAA", ...; an unnamed type prints as "TYPE65280" (RFC 3597).
std::string to_string(RrType type);
// Accepts the names to_string() prints, in any case.
std::optional<RrType> parse_rr_type(std::string_view text);

// Response codes (RFC 1035 4.1.1).
enum class Rcode : std::uint8_t {
    NoError = 0,
    FormErr = 1,
    ServFail = 2,
    NxDomain = 3,
    NotImp = 4,
    Refused = 5,
};
std::string_view to_string(Rcode rcode);

// "WWW.Example.COM." -> "www.example.com".
std::string normalize_name(std::string_view name);

struct Question {
    std::string name;  // lower-case, no trailing dot
    RrType type = RrType::A;
    std::uint16_t qclass = 1;  // IN
    bool operator==(const Question&) const = default;
};

struct Query {
    std::uint16_t id = 0;
    bool rd = false;  // recursion desired, echoed in the response
    bool cd = false;  // checking disabled, echoed in the response
    Question question;
    std::uint16_t edns_udp_size = 0;  // 0: the query had no OPT record
    bool tcp = false;                 // set by the caller from the transport it arrived on
};

// Why a datagram is not a query we answer.
enum class QueryError : std::uint8_t {
    TooShort,          // fewer than 12 bytes: no header to answer
    Malformed,         // the header is readable, the rest is not (FORMERR)
    IsResponse,        // QR set: a response is never answered, to avoid loops
    NotQuery,          // an opcode other than QUERY (NOTIMP)
    QuestionCount,     // not exactly one question (FORMERR)
    UnsupportedClass,  // a class other than IN (NOTIMP)
};
std::string_view to_string(QueryError error);

// What parse_query() reports when it returns nullopt.
struct ParseFailure {
    QueryError kind = QueryError::Malformed;
    std::string reason;  // for traces: what was wrong, in words
    // Set when the header was readable and an answer is due: the response to send back.
    std::optional<Rcode> reply_rcode;
    std::uint16_t id = 0;
    std::uint8_t opcode = 0;
    bool rd = false;
    std::optional<Question> question;  // when the question itself could be read
};

// Never throws and never reads past `wire`; on failure returns nullopt and fills *failure.
std::optional<Query> parse_query(std::span<const std::uint8_t> wire, ParseFailure* failure);

// The error response (FORMERR, NOTIMP) to a query parse_query() rejected with a reply_rcode:
// same id, opcode and RD, QR set, the question echoed when it could be read. Empty when no
// reply is due.
std::vector<std::uint8_t> build_error_response(const ParseFailure& failure);

struct Record {
    std::string name;  // owner, lower-case, no trailing dot
    RrType type = RrType::A;
    std::uint32_t ttl = 0;
    std::string data;  // presentation form, names without trailing dot
    bool operator==(const Record&) const = default;
};

struct Answer {
    Rcode rcode = Rcode::NoError;
    bool authoritative = false;
    bool recursion_available = true;  // the VPC resolver is a recursive resolver
    std::vector<Record> answers;
    std::vector<Record> authority;
    std::vector<Record> additional;
};

// The largest UDP response the resolver sends to an EDNS0 client, whatever it advertises.
inline constexpr std::size_t kMaxEdnsUdpSize = 4096;
// Without EDNS0 (RFC 1035 4.2.1).
inline constexpr std::size_t kClassicUdpSize = 512;

// The UDP payload limit for a query: 512 without EDNS0, else its advertised size within
// [512, 4096].
std::size_t udp_limit(const Query& query);

struct BuildResult {
    std::vector<std::uint8_t> wire;
    bool truncated = false;  // TC was set and the records dropped
    std::string error;       // a record whose data ldns could not read (then SERVFAIL is sent)
};

// The response to `query`. Over UDP a response larger than udp_limit() is sent with TC set, the
// question kept and every record dropped, so that the client retries over TCP; over TCP nothing
// is truncated (frame it with frame_tcp()). A record whose data cannot be encoded turns the
// whole response into SERVFAIL, never into a partial answer.
BuildResult build_response_ex(const Query& query, const Answer& answer, bool tcp);
std::vector<std::uint8_t> build_response(const Query& query, const Answer& answer, bool tcp);

// A query as a stub resolver sends it; edns_udp_size 0 sends no OPT record.
std::vector<std::uint8_t> build_query(std::string_view name, RrType type, std::uint16_t id,
                                      bool rd = true, std::uint16_t edns_udp_size = 0);

struct Response {
    std::uint16_t id = 0;
    Rcode rcode = Rcode::NoError;
    bool authoritative = false;
    bool truncated = false;
    bool recursion_desired = false;
    bool recursion_available = false;
    std::optional<Question> question;
    std::uint16_t edns_udp_size = 0;  // 0: no OPT record
    std::vector<Record> answers;
    std::vector<Record> authority;
    std::vector<Record> additional;  // without the OPT pseudo-record
};

// Parses any DNS response; nullopt (and *error) for bytes that are not one.
std::optional<Response> parse_response(std::span<const std::uint8_t> wire,
                                       std::string* error = nullptr);

// DNS over TCP: each message is preceded by its length, 2 bytes big-endian (RFC 1035 4.2.2).
std::vector<std::uint8_t> frame_tcp(std::span<const std::uint8_t> message);

// Takes the first whole message off the front of a TCP byte stream. Returns nullopt while the
// stream holds less than one whole message; *consumed is the bytes used (length + message).
std::optional<std::vector<std::uint8_t>> unframe_tcp(std::span<const std::uint8_t> stream,
                                                     std::size_t* consumed = nullptr);

}  // namespace vpcstack::dns
