#include "vpcstack/dns/message.hpp"

#include <gtest/gtest.h>

#include <random>

namespace vpcstack::dns {
namespace {

Query parse_ok(const std::vector<std::uint8_t>& wire) {
    ParseFailure failure;
    auto q = parse_query(wire, &failure);
    EXPECT_TRUE(q.has_value()) << failure.reason;
    return q.value_or(Query{});
}

Response response_ok(const std::vector<std::uint8_t>& wire) {
    std::string error;
    auto r = parse_response(wire, &error);
    EXPECT_TRUE(r.has_value()) << error;
    return r.value_or(Response{});
}

TEST(Message, AQueryRoundTripsWithItsIdFlagsAndLowerCasedName) {
    Query q = parse_ok(build_query("WWW.Example.COM.", RrType::AAAA, 0x1234, true));
    EXPECT_EQ(q.id, 0x1234);
    EXPECT_TRUE(q.rd);
    EXPECT_EQ(q.question.name, "www.example.com");
    EXPECT_EQ(q.question.type, RrType::AAAA);
    EXPECT_EQ(q.edns_udp_size, 0) << "a query without OPT has no EDNS size";
}

TEST(Message, AnEdnsQueryReportsItsAdvertisedSize) {
    Query q = parse_ok(build_query("example.com", RrType::A, 7, false, 1232));
    EXPECT_FALSE(q.rd);
    EXPECT_EQ(q.edns_udp_size, 1232);
    EXPECT_EQ(udp_limit(q), 1232u);
    q.edns_udp_size = 65000;
    EXPECT_EQ(udp_limit(q), 4096u) << "the resolver never sends more than 4096 over UDP";
}

TEST(Message, EveryRecordTypeRoundTripsInPresentationForm) {
    Query q = parse_ok(build_query("example.com", RrType::ANY, 99, true));
    Answer a;
    a.authoritative = true;
    a.answers = {
        {"example.com", RrType::A, 300, "10.0.0.5"},
        {"example.com", RrType::AAAA, 300, "2001:db8::1"},
        {"www.example.com", RrType::CNAME, 60, "target.example.com"},
        {"example.com", RrType::TXT, 300, "\"v=spf1 -all\""},
        {"example.com", RrType::MX, 300, "10 mail.example.com"},
        {"example.com", RrType::NS, 172800, "ns-1.awsdns-01.org"},
    };
    a.authority = {{"example.com", RrType::SOA, 900,
                    "ns-1.awsdns-01.org awsdns-hostmaster.amazon.com 1 7200 900 1209600 86400"}};
    Response r = response_ok(build_response(q, a, false));
    EXPECT_EQ(r.id, 99);
    EXPECT_TRUE(r.authoritative);
    EXPECT_TRUE(r.recursion_desired) << "RD is echoed";
    EXPECT_FALSE(r.truncated);
    ASSERT_TRUE(r.question.has_value());
    EXPECT_EQ(r.question->name, "example.com");
    EXPECT_EQ(r.answers, a.answers);
    EXPECT_EQ(r.authority, a.authority);
}

TEST(Message, NamesAreCompressed) {
    Query q = parse_ok(build_query("a-rather-long-name.example.com", RrType::A, 1, true));
    Answer a;
    for (int i = 0; i < 10; ++i)
        a.answers.push_back(
            {"a-rather-long-name.example.com", RrType::A, 60, "10.0.0." + std::to_string(i + 1)});
    auto wire = build_response(q, a, false);
    // Uncompressed, each record would repeat the 32-byte owner name; compressed it is 2 bytes.
    EXPECT_LT(wire.size(), 12u + 36u + 10u * (2u + 10u + 4u) + 1u);
}

TEST(Message, ANegativeAnswerCarriesItsRcode) {
    Query q = parse_ok(build_query("nope.example.com", RrType::A, 5, true));
    Answer a;
    a.rcode = Rcode::NxDomain;
    Response r = response_ok(build_response(q, a, false));
    EXPECT_EQ(r.rcode, Rcode::NxDomain);
    EXPECT_TRUE(r.answers.empty());
}

TEST(Message, ARecordWhoseDataCannotBeEncodedTurnsTheAnswerIntoServfail) {
    Query q = parse_ok(build_query("example.com", RrType::A, 5, true));
    Answer a;
    a.answers = {{"example.com", RrType::A, 60, "not-an-address"}};
    BuildResult b = build_response_ex(q, a, false);
    EXPECT_FALSE(b.error.empty());
    Response r = response_ok(b.wire);
    EXPECT_EQ(r.rcode, Rcode::ServFail);
    EXPECT_TRUE(r.answers.empty());
}

Answer many_txt(std::size_t count) {
    Answer a;
    for (std::size_t i = 0; i < count; ++i)
        a.answers.push_back({"big.example.com", RrType::TXT, 60,
                             "\"" + std::string(100, static_cast<char>('a' + i % 26)) + "\""});
    return a;
}

TEST(Message, AUdpAnswerOver512BytesIsTruncatedToTheQuestionWithTc) {
    Query q = parse_ok(build_query("big.example.com", RrType::TXT, 42, true));
    BuildResult b = build_response_ex(q, many_txt(10), false);
    EXPECT_TRUE(b.truncated);
    EXPECT_LE(b.wire.size(), 512u);
    Response r = response_ok(b.wire);
    EXPECT_TRUE(r.truncated);
    EXPECT_EQ(r.id, 42);
    ASSERT_TRUE(r.question.has_value()) << "the question is kept";
    EXPECT_EQ(r.question->name, "big.example.com");
    EXPECT_TRUE(r.answers.empty()) << "a truncated answer carries no records";
}

TEST(Message, AnEdns4096QueryGetsTheWholeAnswerOverUdp) {
    Query q = parse_ok(build_query("big.example.com", RrType::TXT, 42, true, 4096));
    BuildResult b = build_response_ex(q, many_txt(10), false);
    EXPECT_FALSE(b.truncated);
    EXPECT_GT(b.wire.size(), 512u);
    Response r = response_ok(b.wire);
    EXPECT_FALSE(r.truncated);
    EXPECT_EQ(r.answers.size(), 10u);
    EXPECT_EQ(r.edns_udp_size, 4096) << "the response advertises the resolver's own size";
}

TEST(Message, EvenEdnsTruncatesPast4096) {
    Query q = parse_ok(build_query("big.example.com", RrType::TXT, 42, true, 4096));
    EXPECT_TRUE(build_response_ex(q, many_txt(50), false).truncated);
}

TEST(Message, TcpIsNeverTruncatedAndFramesWithATwoByteLength) {
    Query q = parse_ok(build_query("big.example.com", RrType::TXT, 42, true));
    BuildResult b = build_response_ex(q, many_txt(50), true);
    EXPECT_FALSE(b.truncated);
    EXPECT_EQ(response_ok(b.wire).answers.size(), 50u);

    auto framed = frame_tcp(b.wire);
    ASSERT_EQ(framed.size(), b.wire.size() + 2);
    EXPECT_EQ((framed[0] << 8) | framed[1], static_cast<int>(b.wire.size()));

    // Two messages back to back, delivered in pieces.
    auto second = frame_tcp(build_query("x.example.com", RrType::A, 2));
    std::vector<std::uint8_t> stream = framed;
    stream.insert(stream.end(), second.begin(), second.end());
    std::size_t used = 0;
    EXPECT_FALSE(unframe_tcp(std::span(stream).first(framed.size() - 1), &used).has_value())
        << "an incomplete message is not taken";
    EXPECT_EQ(used, 0u);
    auto first = unframe_tcp(stream, &used);
    ASSERT_TRUE(first.has_value());
    EXPECT_EQ(*first, b.wire);
    EXPECT_EQ(used, framed.size());
    auto next = unframe_tcp(std::span(stream).subspan(used), &used);
    ASSERT_TRUE(next.has_value());
    EXPECT_EQ(parse_ok(*next).question.name, "x.example.com");
}

TEST(Message, AResponseIsNeverAnswered) {
    Query q = parse_ok(build_query("example.com", RrType::A, 5, true));
    auto response = build_response(q, Answer{}, false);
    ParseFailure f;
    EXPECT_FALSE(parse_query(response, &f).has_value());
    EXPECT_EQ(f.kind, QueryError::IsResponse);
    EXPECT_FALSE(f.reply_rcode.has_value());
    EXPECT_TRUE(build_error_response(f).empty());
}

TEST(Message, AnotherOpcodeIsAnsweredWithNotimp) {
    auto wire = build_query("example.com", RrType::A, 0xbeef, true);
    wire[2] = static_cast<std::uint8_t>((wire[2] & 0x87) | (4 << 3));  // NOTIFY
    ParseFailure f;
    EXPECT_FALSE(parse_query(wire, &f).has_value());
    EXPECT_EQ(f.kind, QueryError::NotQuery);
    ASSERT_TRUE(f.reply_rcode.has_value());
    EXPECT_EQ(*f.reply_rcode, Rcode::NotImp);
    Response r = response_ok(build_error_response(f));
    EXPECT_EQ(r.id, 0xbeef);
    EXPECT_EQ(r.rcode, Rcode::NotImp);
}

TEST(Message, TwoQuestionsAreAnsweredWithFormerr) {
    // The same question twice: QDCOUNT 2, the question bytes repeated.
    auto wire = build_query("example.com", RrType::A, 9, true);
    std::vector<std::uint8_t> question(wire.begin() + 12, wire.end());
    wire.insert(wire.end(), question.begin(), question.end());
    wire[5] = 2;
    ParseFailure f;
    EXPECT_FALSE(parse_query(wire, &f).has_value());
    EXPECT_EQ(f.kind, QueryError::QuestionCount);
    ASSERT_TRUE(f.reply_rcode.has_value());
    EXPECT_EQ(*f.reply_rcode, Rcode::FormErr);
    Response r = response_ok(build_error_response(f));
    EXPECT_EQ(r.rcode, Rcode::FormErr);
    EXPECT_EQ(r.id, 9);
}

TEST(Message, ATruncatedQuestionIsFormerrAndAShortHeaderIsDropped) {
    auto wire = build_query("example.com", RrType::A, 9, true);
    ParseFailure f;
    EXPECT_FALSE(parse_query(std::span(wire).first(wire.size() - 3), &f).has_value());
    EXPECT_EQ(f.kind, QueryError::Malformed);
    EXPECT_EQ(f.reply_rcode, Rcode::FormErr);
    EXPECT_FALSE(f.reason.empty());

    EXPECT_FALSE(parse_query(std::span(wire).first(11), &f).has_value());
    EXPECT_EQ(f.kind, QueryError::TooShort);
    EXPECT_FALSE(f.reply_rcode.has_value());
}

TEST(Message, RandomBytesAndEveryTruncationNeverCrash) {
    auto real = build_query("www.example.com", RrType::A, 77, true, 4096);
    ParseFailure f;
    std::string error;
    for (std::size_t n = 0; n < real.size(); ++n) {
        EXPECT_FALSE(parse_query(std::span(real).first(n), &f).has_value()) << n;
        (void)parse_response(std::span(real).first(n), &error);
        (void)unframe_tcp(std::span(real).first(n));
    }
    std::mt19937 rng(12345);
    std::size_t parsed = 0;
    for (int i = 0; i < 20000; ++i) {
        std::vector<std::uint8_t> wire;
        if (i % 2 == 0) {
            wire.resize(rng() % 64);
            for (auto& b : wire) b = static_cast<std::uint8_t>(rng());
        } else {
            // Flip a few bytes of a real query: mostly valid headers with broken bodies.
            wire = real;
            for (int k = 0; k < 3; ++k)
                wire[rng() % wire.size()] = static_cast<std::uint8_t>(rng());
        }
        auto q = parse_query(wire, &f);
        if (q) {
            ++parsed;
            // Whatever parsed must also be answerable.
            Answer a;
            a.answers = {{q->question.name, RrType::A, 60, "10.0.0.1"}};
            (void)build_response(*q, a, false);
        } else {
            (void)build_error_response(f);
        }
        (void)parse_response(wire, &error);
    }
    EXPECT_GT(parsed, 0u) << "some mutated queries are still queries";
}

TEST(Message, RrTypeNames) {
    EXPECT_EQ(to_string(RrType::AAAA), "AAAA");
    EXPECT_EQ(to_string(static_cast<RrType>(65280)), "TYPE65280");
    EXPECT_EQ(parse_rr_type("cname"), RrType::CNAME);
    EXPECT_FALSE(parse_rr_type("BOGUS").has_value());
}

}  // namespace
}  // namespace vpcstack::dns
