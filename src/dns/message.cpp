#include "vpcstack/dns/message.hpp"

#include <ldns/ldns.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <memory>

#include <fmt/format.h>

namespace vpcstack::dns {

namespace {

struct PktFree {
    void operator()(ldns_pkt* p) const { ldns_pkt_free(p); }
};
struct RrFree {
    void operator()(ldns_rr* r) const { ldns_rr_free(r); }
};
struct RdfFree {
    void operator()(ldns_rdf* r) const { ldns_rdf_deep_free(r); }
};
struct MallocFree {
    void operator()(void* p) const { std::free(p); }  // ldns allocates with malloc (LDNS_MALLOC)
};
using PktPtr = std::unique_ptr<ldns_pkt, PktFree>;
using RrPtr = std::unique_ptr<ldns_rr, RrFree>;
using RdfPtr = std::unique_ptr<ldns_rdf, RdfFree>;
using CharPtr = std::unique_ptr<char, MallocFree>;

std::string take_string(char* s) {
    CharPtr owned(s);
    return owned ? std::string(owned.get()) : std::string();
}

// A name as ldns reads it: absolute, with the trailing dot.
std::string absolute(std::string_view name) {
    std::string n = normalize_name(name);
    return n.empty() ? std::string(".") : n + ".";
}

RdfPtr make_dname(std::string_view name) {
    return RdfPtr(ldns_dname_new_frm_str(absolute(name).c_str()));
}

std::string rdf_text(const ldns_rdf* rdf) {
    std::string text = take_string(ldns_rdf2str(rdf));
    if (ldns_rdf_get_type(rdf) == LDNS_RDF_TYPE_DNAME) text = normalize_name(text);
    return text;
}

Question question_of(const ldns_rr* rr) {
    Question q;
    q.name = rdf_text(ldns_rr_owner(rr));
    q.type = static_cast<RrType>(ldns_rr_get_type(rr));
    q.qclass = static_cast<std::uint16_t>(ldns_rr_get_class(rr));
    return q;
}

Record record_of(const ldns_rr* rr) {
    Record r;
    r.name = rdf_text(ldns_rr_owner(rr));
    r.type = static_cast<RrType>(ldns_rr_get_type(rr));
    r.ttl = ldns_rr_ttl(rr);
    for (std::size_t i = 0; i < ldns_rr_rd_count(rr); ++i) {
        if (i > 0) r.data += ' ';
        r.data += rdf_text(ldns_rr_rdf(rr, i));
    }
    return r;
}

std::vector<Record> records_of(const ldns_rr_list* list) {
    std::vector<Record> out;
    if (list == nullptr) return out;
    for (std::size_t i = 0; i < ldns_rr_list_rr_count(list); ++i)
        out.push_back(record_of(ldns_rr_list_rr(list, i)));
    return out;
}

bool push_question(ldns_pkt* pkt, const Question& q) {
    RrPtr rr(ldns_rr_new());
    RdfPtr owner = make_dname(q.name);
    if (!rr || !owner) return false;
    ldns_rr_set_owner(rr.get(), owner.release());
    ldns_rr_set_type(rr.get(), static_cast<ldns_rr_type>(q.type));
    ldns_rr_set_class(rr.get(), static_cast<ldns_rr_class>(q.qclass));
    ldns_rr_set_question(rr.get(), true);
    return ldns_pkt_push_rr(pkt, LDNS_SECTION_QUESTION, rr.release());
}

// Adds one record, read from its presentation form; false (and *error) when ldns rejects it.
bool push_record(ldns_pkt* pkt, ldns_pkt_section section, const Record& r, std::string* error) {
    std::string line =
        fmt::format("{} {} IN {} {}", absolute(r.name), r.ttl, to_string(r.type), r.data);
    // Relative names in the data (we write them without the trailing dot) are taken as absolute.
    RdfPtr origin(ldns_dname_new_frm_str("."));
    ldns_rr* raw = nullptr;
    ldns_status status = ldns_rr_new_frm_str(&raw, line.c_str(), 0, origin.get(), nullptr);
    RrPtr rr(raw);
    if (status != LDNS_STATUS_OK || !rr) {
        *error = fmt::format("record '{}': {}", line, ldns_get_errorstr_by_id(status));
        return false;
    }
    return ldns_pkt_push_rr(pkt, section, rr.release());
}

std::vector<std::uint8_t> to_wire(const ldns_pkt* pkt) {
    std::uint8_t* buf = nullptr;
    std::size_t size = 0;
    if (ldns_pkt2wire(&buf, pkt, &size) != LDNS_STATUS_OK || buf == nullptr) {
        std::free(buf);
        return {};
    }
    std::vector<std::uint8_t> out(buf, buf + size);
    std::free(buf);
    return out;
}

// The response header and question; records are added by the caller.
PktPtr response_skeleton(const Query& query, Rcode rcode, bool aa, bool ra) {
    PktPtr pkt(ldns_pkt_new());
    if (!pkt) return pkt;
    ldns_pkt_set_id(pkt.get(), query.id);
    ldns_pkt_set_qr(pkt.get(), true);
    ldns_pkt_set_opcode(pkt.get(), LDNS_PACKET_QUERY);
    ldns_pkt_set_aa(pkt.get(), aa);
    ldns_pkt_set_rd(pkt.get(), query.rd);
    ldns_pkt_set_cd(pkt.get(), query.cd);
    ldns_pkt_set_ra(pkt.get(), ra);
    ldns_pkt_set_rcode(pkt.get(), static_cast<std::uint8_t>(rcode));
    if (!push_question(pkt.get(), query.question)) return nullptr;
    // RFC 6891 6.1.1: a responder that understands EDNS0 answers an OPT query with an OPT.
    if (query.edns_udp_size > 0)
        ldns_pkt_set_edns_udp_size(pkt.get(), static_cast<std::uint16_t>(kMaxEdnsUdpSize));
    return pkt;
}

}  // namespace

std::string to_string(RrType type) {
    return take_string(ldns_rr_type2str(static_cast<ldns_rr_type>(type)));
}

std::optional<RrType> parse_rr_type(std::string_view text) {
    std::string name(text);
    ldns_rr_type t = ldns_get_rr_type_by_name(name.c_str());
    if (t == 0) return std::nullopt;
    return static_cast<RrType>(t);
}

std::string_view to_string(Rcode rcode) {
    switch (rcode) {
        case Rcode::NoError:
            return "NOERROR";
        case Rcode::FormErr:
            return "FORMERR";
        case Rcode::ServFail:
            return "SERVFAIL";
        case Rcode::NxDomain:
            return "NXDOMAIN";
        case Rcode::NotImp:
            return "NOTIMP";
        case Rcode::Refused:
            return "REFUSED";
    }
    return "RCODE?";
}

std::string_view to_string(QueryError error) {
    switch (error) {
        case QueryError::TooShort:
            return "too-short";
        case QueryError::Malformed:
            return "malformed";
        case QueryError::IsResponse:
            return "is-response";
        case QueryError::NotQuery:
            return "not-query";
        case QueryError::QuestionCount:
            return "question-count";
        case QueryError::UnsupportedClass:
            return "unsupported-class";
    }
    return "?";
}

std::string normalize_name(std::string_view name) {
    std::string out(name);
    while (!out.empty() && out.back() == '.') out.pop_back();
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    return out;
}

std::optional<Query> parse_query(std::span<const std::uint8_t> wire, ParseFailure* failure) {
    ParseFailure local;
    ParseFailure& f = failure != nullptr ? *failure : local;
    f = ParseFailure{};
    if (wire.size() < LDNS_HEADER_SIZE) {
        f.kind = QueryError::TooShort;
        f.reason = fmt::format("{} bytes, shorter than a DNS header", wire.size());
        return std::nullopt;
    }
    // The header is read by hand so that even a packet ldns rejects can be answered.
    f.id = static_cast<std::uint16_t>((wire[0] << 8) | wire[1]);
    const bool qr = (wire[2] & 0x80) != 0;
    f.opcode = static_cast<std::uint8_t>((wire[2] >> 3) & 0x0f);
    f.rd = (wire[2] & 0x01) != 0;
    const unsigned qdcount = static_cast<unsigned>((wire[4] << 8) | wire[5]);
    if (qr) {
        f.kind = QueryError::IsResponse;
        f.reason = "QR is set: a response, not a query";
        return std::nullopt;  // no reply: answering responses can loop between two servers
    }

    ldns_pkt* raw = nullptr;
    ldns_status status = ldns_wire2pkt(&raw, wire.data(), wire.size());
    PktPtr pkt(raw);
    if (status == LDNS_STATUS_OK && pkt && ldns_pkt_qdcount(pkt.get()) == 1 &&
        ldns_pkt_question(pkt.get()) != nullptr &&
        ldns_rr_list_rr_count(ldns_pkt_question(pkt.get())) == 1)
        f.question = question_of(ldns_rr_list_rr(ldns_pkt_question(pkt.get()), 0));

    if (f.opcode != LDNS_PACKET_QUERY) {
        f.kind = QueryError::NotQuery;
        f.reason = fmt::format("opcode {} is not QUERY", f.opcode);
        f.reply_rcode = Rcode::NotImp;
        return std::nullopt;
    }
    if (status != LDNS_STATUS_OK || !pkt) {
        f.kind = QueryError::Malformed;
        f.reason = ldns_get_errorstr_by_id(status);
        f.reply_rcode = Rcode::FormErr;
        return std::nullopt;
    }
    if (qdcount != 1 || !f.question) {
        f.kind = QueryError::QuestionCount;
        f.reason = fmt::format("{} questions, a query has exactly one", qdcount);
        f.reply_rcode = Rcode::FormErr;
        f.question.reset();
        return std::nullopt;
    }
    if (f.question->qclass != LDNS_RR_CLASS_IN) {
        f.kind = QueryError::UnsupportedClass;
        f.reason = fmt::format("class {} is not IN", f.question->qclass);
        f.reply_rcode = Rcode::NotImp;
        return std::nullopt;
    }

    Query q;
    q.id = f.id;
    q.rd = f.rd;
    q.cd = ldns_pkt_cd(pkt.get());
    q.question = *f.question;
    if (ldns_pkt_edns(pkt.get())) {
        // RFC 6891 6.2.3: a size below 512 is taken as 512.
        q.edns_udp_size = std::max<std::uint16_t>(ldns_pkt_edns_udp_size(pkt.get()),
                                                  static_cast<std::uint16_t>(kClassicUdpSize));
    }
    return q;
}

std::vector<std::uint8_t> build_error_response(const ParseFailure& failure) {
    if (!failure.reply_rcode) return {};
    PktPtr pkt(ldns_pkt_new());
    if (!pkt) return {};
    ldns_pkt_set_id(pkt.get(), failure.id);
    ldns_pkt_set_qr(pkt.get(), true);
    ldns_pkt_set_opcode(pkt.get(), static_cast<ldns_pkt_opcode>(failure.opcode));
    ldns_pkt_set_rd(pkt.get(), failure.rd);
    ldns_pkt_set_ra(pkt.get(), true);
    ldns_pkt_set_rcode(pkt.get(), static_cast<std::uint8_t>(*failure.reply_rcode));
    if (failure.question) push_question(pkt.get(), *failure.question);
    return to_wire(pkt.get());
}

std::size_t udp_limit(const Query& query) {
    if (query.edns_udp_size == 0) return kClassicUdpSize;
    return std::clamp<std::size_t>(query.edns_udp_size, kClassicUdpSize, kMaxEdnsUdpSize);
}

BuildResult build_response_ex(const Query& query, const Answer& answer, bool tcp) {
    BuildResult result;
    PktPtr pkt =
        response_skeleton(query, answer.rcode, answer.authoritative, answer.recursion_available);
    if (!pkt) {
        result.error = fmt::format("question name '{}' cannot be encoded", query.question.name);
        return result;
    }
    bool ok = true;
    for (const Record& r : answer.answers)
        ok = ok && push_record(pkt.get(), LDNS_SECTION_ANSWER, r, &result.error);
    for (const Record& r : answer.authority)
        ok = ok && push_record(pkt.get(), LDNS_SECTION_AUTHORITY, r, &result.error);
    for (const Record& r : answer.additional)
        ok = ok && push_record(pkt.get(), LDNS_SECTION_ADDITIONAL, r, &result.error);
    if (!ok) {
        pkt = response_skeleton(query, Rcode::ServFail, false, answer.recursion_available);
        result.wire = pkt ? to_wire(pkt.get()) : std::vector<std::uint8_t>{};
        return result;
    }
    result.wire = to_wire(pkt.get());
    if (!tcp && result.wire.size() > udp_limit(query)) {
        // RFC 2181 9: a truncated answer is not to be used, so send none of it, only TC.
        pkt = response_skeleton(query, answer.rcode, answer.authoritative,
                                answer.recursion_available);
        ldns_pkt_set_tc(pkt.get(), true);
        result.wire = to_wire(pkt.get());
        result.truncated = true;
    }
    return result;
}

std::vector<std::uint8_t> build_response(const Query& query, const Answer& answer, bool tcp) {
    return build_response_ex(query, answer, tcp).wire;
}

std::vector<std::uint8_t> build_query(std::string_view name, RrType type, std::uint16_t id, bool rd,
                                      std::uint16_t edns_udp_size) {
    RdfPtr owner = make_dname(name);
    if (!owner) return {};
    PktPtr pkt(ldns_pkt_query_new(owner.release(), static_cast<ldns_rr_type>(type),
                                  LDNS_RR_CLASS_IN, rd ? LDNS_RD : 0));
    if (!pkt) return {};
    ldns_pkt_set_id(pkt.get(), id);
    if (edns_udp_size > 0) ldns_pkt_set_edns_udp_size(pkt.get(), edns_udp_size);
    return to_wire(pkt.get());
}

std::optional<Response> parse_response(std::span<const std::uint8_t> wire, std::string* error) {
    ldns_pkt* raw = nullptr;
    ldns_status status = ldns_wire2pkt(&raw, wire.data(), wire.size());
    PktPtr pkt(raw);
    if (status != LDNS_STATUS_OK || !pkt) {
        if (error) *error = ldns_get_errorstr_by_id(status);
        return std::nullopt;
    }
    if (!ldns_pkt_qr(pkt.get())) {
        if (error) *error = "QR is clear: a query, not a response";
        return std::nullopt;
    }
    Response r;
    r.id = ldns_pkt_id(pkt.get());
    r.rcode = static_cast<Rcode>(ldns_pkt_get_rcode(pkt.get()));
    r.authoritative = ldns_pkt_aa(pkt.get());
    r.truncated = ldns_pkt_tc(pkt.get());
    r.recursion_desired = ldns_pkt_rd(pkt.get());
    r.recursion_available = ldns_pkt_ra(pkt.get());
    const ldns_rr_list* q = ldns_pkt_question(pkt.get());
    if (q != nullptr && ldns_rr_list_rr_count(q) > 0)
        r.question = question_of(ldns_rr_list_rr(q, 0));
    if (ldns_pkt_edns(pkt.get())) r.edns_udp_size = ldns_pkt_edns_udp_size(pkt.get());
    r.answers = records_of(ldns_pkt_answer(pkt.get()));
    r.authority = records_of(ldns_pkt_authority(pkt.get()));
    r.additional = records_of(ldns_pkt_additional(pkt.get()));
    return r;
}

std::vector<std::uint8_t> frame_tcp(std::span<const std::uint8_t> message) {
    std::vector<std::uint8_t> out;
    if (message.size() > 0xffff) return out;  // cannot be framed; DNS messages never are
    out.reserve(message.size() + 2);
    out.push_back(static_cast<std::uint8_t>(message.size() >> 8));
    out.push_back(static_cast<std::uint8_t>(message.size() & 0xff));
    out.insert(out.end(), message.begin(), message.end());
    return out;
}

std::optional<std::vector<std::uint8_t>> unframe_tcp(std::span<const std::uint8_t> stream,
                                                     std::size_t* consumed) {
    if (consumed) *consumed = 0;
    if (stream.size() < 2) return std::nullopt;
    const std::size_t length = (std::size_t{stream[0]} << 8) | stream[1];
    if (stream.size() < 2 + length) return std::nullopt;
    if (consumed) *consumed = 2 + length;
    return std::vector<std::uint8_t>(stream.begin() + 2, stream.begin() + 2 + length);
}

}  // namespace vpcstack::dns
