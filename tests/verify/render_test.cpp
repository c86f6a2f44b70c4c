// The renderers of reach results: the terminal matrix, the JSON document, the HTML report and
// the query form, on Reach values built by hand.
#include "vpcstack/verify/render.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "sample_reach.hpp"

namespace vpcstack::verify {
namespace {

using nlohmann::json;
using test::sample_reach;
using test::services;

std::size_t count(const std::string& text, const std::string& word) {
    std::size_t n = 0;
    for (std::size_t at = text.find(word); at != std::string::npos; at = text.find(word, at + 1)) {
        ++n;
    }
    return n;
}

// The lines of the matrix: from the line after the title to the first empty line.
std::vector<std::string> matrix_lines(const std::string& text) {
    std::vector<std::string> lines;
    std::istringstream in(text);
    std::string line;
    std::getline(in, line);  // title
    std::getline(in, line);  // blank
    while (std::getline(in, line) && !line.empty()) lines.push_back(line);
    return lines;
}

// ---- text ----

TEST(ReachText, TheMatrixHasSourcesAsRowsAndDestinationsAsAlignedColumns) {
    std::string text = render_reach_text(sample_reach(), false);
    std::vector<std::string> lines = matrix_lines(text);
    std::vector<std::string> expected = {
        "FROM \\ TO  web           db        internet",
        "web        ·             tcp/5432  all",
        "db         —             ·         —",
        "internet   tcp/443 icmp  —         ·",
    };
    EXPECT_EQ(lines, expected) << text;
    EXPECT_EQ(text.rfind("reach topologies/sample.yaml: 3 sources x 3 destinations\n", 0), 0u);
}

TEST(ReachText, ColourIsUsedOnlyWhenAskedGreenForAllRedForNothingYellowForSome) {
    std::string plain = render_reach_text(sample_reach(), false);
    EXPECT_EQ(plain.find('\033'), std::string::npos) << "no escape codes without colour";
    std::string coloured = render_reach_text(sample_reach(), true);
    EXPECT_NE(coloured.find("\033[32mall\033[0m"), std::string::npos);
    EXPECT_NE(coloured.find("\033[33mtcp/5432\033[0m"), std::string::npos);
    EXPECT_NE(coloured.find("\033[31m—\033[0m"), std::string::npos);
}

TEST(ReachText, AColouredMatrixAlignsLikeAPlainOne) {
    auto strip = [](std::string s) {
        return std::regex_replace(s, std::regex("\033\\[[0-9]+m"), "");
    };
    EXPECT_EQ(strip(render_reach_text(sample_reach(), true)),
              render_reach_text(sample_reach(), false));
}

TEST(ReachText, ACellWithTooManyServicesShowsTheirCount) {
    Reach r = sample_reach();
    PairResult& p = test::pair_of(r, "web", "db");
    p = test::pair(r, p.from, p.to, services({"tcp/22", "tcp/80", "tcp/443", "tcp/8080", "udp/53"}),
                   {});
    std::vector<std::string> lines = matrix_lines(render_reach_text(r, false));
    ASSERT_EQ(lines.size(), 4u);
    EXPECT_NE(lines[1].find("5 svc"), std::string::npos) << lines[1];
}

TEST(ReachText, PortsOfOneProtocolShareOneWord) {
    Reach r = sample_reach();
    PairResult& p = test::pair_of(r, "web", "db");
    p = test::pair(r, p.from, p.to, services({"tcp/22", "tcp/80", "udp/53"}), {});
    std::vector<std::string> lines = matrix_lines(render_reach_text(r, false));
    EXPECT_NE(lines[1].find("tcp/22,80 udp/53"), std::string::npos) << lines[1];
}

TEST(ReachText, LongColumnNamesAreCutInTheMiddleSoTheyStayApart) {
    Reach r = sample_reach();
    r.places[0].name = "payments-web-server-a";
    r.places[1].name = "payments-web-server-b";
    std::vector<std::string> lines = matrix_lines(render_reach_text(r, false));
    EXPECT_NE(lines[0].find("payments…erver-a"), std::string::npos) << lines[0];
    EXPECT_NE(lines[0].find("payments…erver-b"), std::string::npos) << lines[0];
    // Row names are wider and kept whole when they fit.
    EXPECT_EQ(lines[1].rfind("payments-web-server-a ", 0), 0u) << lines[1];
}

TEST(ReachText, ColumnsThatWouldLookAlikeAreNumberedWithALegend) {
    Reach r = sample_reach();
    r.places[0].name = "payments-web-server-1-primary";
    r.places[1].name = "payments-web-server-2-primary";
    std::string text = render_reach_text(r, false);
    std::vector<std::string> lines = matrix_lines(text);
    EXPECT_EQ(lines[0].substr(0, 9), "FROM \\ TO");
    EXPECT_NE(text.find("columns:\n  1 = payments-web-server-1-primary\n"
                        "  2 = payments-web-server-2-primary\n  3 = internet\n"),
              std::string::npos)
        << text;
}

TEST(ReachText, EveryPairListsItsOpenServicesItsBlockersAndItsWitnesses) {
    Reach r = sample_reach();
    std::string text = render_reach_text(r, false);
    const PairResult& db_web = test::pair_of(r, "db", "web");
    std::string expected =
        "db -> web (10.0.3.10 -> 10.0.1.10)\n"
        "  open: none\n"
        "  closed: icmp echo, tcp/all, udp/all\n"
        "    blocked by " +
        db_web.closed[0].blockers[0].to_string() +
        "\n"
        "    blocked by " +
        db_web.closed[0].blockers[1].to_string() +
        "\n"
        "    witness: " +
        db_web.closed[0].witness.command(r.topology) + "\n";
    EXPECT_NE(text.find(expected), std::string::npos) << text;

    const PairResult& internet_web = test::pair_of(r, "internet", "web");
    EXPECT_NE(text.find("internet -> web (internet -> 10.0.1.10)\n"
                        "  open: icmp echo, tcp/443\n"
                        "    icmp echo: " +
                        internet_web.open_witnesses[0].command(r.topology) +
                        "\n"
                        "    tcp/443: " +
                        internet_web.open_witnesses[1].command(r.topology) + "\n"),
              std::string::npos)
        << text;
    EXPECT_NE(text.find("3 places in 3 classes; 6 class pairs computed with 42 probes in 0.25 s"),
              std::string::npos);
}

// ---- JSON ----

TEST(ReachJson, NamesTheTopologyThePlacesAndTheStats) {
    json doc = json::parse(render_reach_json(sample_reach()));
    EXPECT_EQ(doc["topology"], "topologies/sample.yaml");
    ASSERT_EQ(doc["places"].size(), 3u);
    EXPECT_EQ(
        doc["places"][0],
        (json{{"name", "web"}, {"kind", "eni"}, {"address", "10.0.1.10"}, {"trace_name", "web"}}));
    EXPECT_EQ(doc["places"][2]["kind"], "internet");
    EXPECT_EQ(doc["sources"], (json{"web", "db", "internet"}));
    EXPECT_EQ(doc["stats"]["probes"], 42);
    EXPECT_EQ(doc["stats"]["class_pairs"], 6);
    EXPECT_EQ(doc["pairs"].size(), 6u);
}

TEST(ReachJson, APairHasItsOpenServicesAsTextAndRangesWithOneWitnessEach) {
    Reach r = sample_reach();
    json doc = json::parse(render_reach_json(r));
    const json& p = doc["pairs"][4];  // internet -> web
    EXPECT_EQ(p["from"], "internet");
    EXPECT_EQ(p["to"], "web");
    EXPECT_EQ(p["open"], (json{"icmp echo", "tcp/443"}));
    EXPECT_EQ(p["open_ranges"][1],
              (json{{"protocol", "tcp"}, {"first", 443}, {"last", 443}, {"text", "tcp/443"}}));
    ASSERT_EQ(p["open_witnesses"].size(), 2u);
    const json& w = p["open_witnesses"][1];
    EXPECT_EQ(w["from"], "198.51.100.1");
    EXPECT_EQ(w["protocol"], "tcp");
    EXPECT_EQ(w["dport"], 443);
    EXPECT_EQ(w["sport"], 40000);
    EXPECT_EQ(w["command"],
              test::pair_of(r, "internet", "web").open_witnesses[1].command(r.topology));
    EXPECT_TRUE(p["open_witnesses"][0]["dport"].is_null()) << "ICMP has no ports";
}

TEST(ReachJson, AClosedGroupHasItsServicesEveryBlockerAndAWitness) {
    json doc = json::parse(render_reach_json(sample_reach()));
    const json& p = doc["pairs"][2];  // db -> web
    EXPECT_EQ(p["open"], json::array());
    ASSERT_EQ(p["closed"].size(), 1u);
    const json& c = p["closed"][0];
    EXPECT_EQ(c["services"], (json{"icmp echo", "tcp/all", "udp/all"}));
    ASSERT_EQ(c["blockers"].size(), 2u);
    const json& b = c["blockers"][1];
    EXPECT_EQ(b["component"], "acl/web-acl");
    EXPECT_EQ(b["reason"], "AclDenied");
    EXPECT_EQ(b["reason_text"], "denied by a network ACL rule");
    EXPECT_EQ(b["rule"], "outbound rule 100: deny all");
    EXPECT_EQ(b["explanation"], "ACL_RULE_DENIED");
    EXPECT_EQ(b["reply"], true);
    EXPECT_EQ(c["witness"]["dport"], 80);
}

// ---- HTML ----

std::string data_block(const std::string& html) {
    const std::string open = "<script type=\"application/json\" id=\"reach-data\">";
    std::size_t start = html.find(open);
    if (start == std::string::npos) return "";
    start += open.size();
    return html.substr(start, html.find("</script>", start) - start);
}

// A name that would end the script, open a tag and break out of quotes if written raw.
const std::string kNastyName = "</script><img src=x onerror=\"alert(1)\">'&amp";

Reach nasty_reach() {
    Reach r = sample_reach();
    r.places[0].name = kNastyName;
    r.topology = "topologies/<b>&\"x\".yaml";
    return r;
}

TEST(ReachHtml, IsOneFileWithNoExternalResource) {
    std::string html = render_reach_html(sample_reach(), {});
    EXPECT_EQ(html.rfind("<!DOCTYPE html>", 0), 0u);
    EXPECT_EQ(html.find("http://"), std::string::npos);
    EXPECT_EQ(html.find("https://"), std::string::npos);
    EXPECT_EQ(html.find(" src="), std::string::npos);
    EXPECT_EQ(html.find("<link"), std::string::npos);
}

TEST(ReachHtml, KeyTagsAreBalanced) {
    std::string html = render_reach_html(nasty_reach(), {});
    for (std::string tag : {"html", "head", "body", "table", "thead", "tbody", "tr", "script",
                            "style", "main", "aside", "header"}) {
        EXPECT_EQ(count(html, "<" + tag + ">") + count(html, "<" + tag + " "),
                  count(html, "</" + tag + ">"))
            << "<" << tag << "> opened and closed a different number of times";
    }
    EXPECT_EQ(count(html, "<td"), count(html, "</td>"));
    EXPECT_EQ(count(html, "<th"), count(html, "</th>") + count(html, "<thead"));
    EXPECT_EQ(count(html, "<td"), 9u) << "a 3 by 3 matrix";
    EXPECT_EQ(count(html, "<script"), 2u) << "the data block and the script, nothing else";
    EXPECT_EQ(count(html, "</script"), 2u);
}

TEST(ReachHtml, NamesAreEscapedInTheMarkupAndInTheEmbeddedData) {
    std::string html = render_reach_html(nasty_reach(), {});
    EXPECT_EQ(html.find("<img"), std::string::npos) << "a name became a tag";
    EXPECT_NE(
        html.find("&lt;/script&gt;&lt;img src=x onerror=&quot;alert(1)&quot;&gt;&#39;&amp;amp"),
        std::string::npos)
        << "the header names the place, escaped";
    EXPECT_NE(html.find("<title>reach: topologies/&lt;b&gt;&amp;&quot;x&quot;.yaml</title>"),
              std::string::npos);
    std::string data = data_block(html);
    EXPECT_EQ(data.find('<'), std::string::npos);
    EXPECT_EQ(data.find('>'), std::string::npos);
    json doc = json::parse(data);
    EXPECT_EQ(doc["places"][0]["name"], kNastyName) << "the data says the same once parsed";
    EXPECT_EQ(doc["topology"], "topologies/<b>&\"x\".yaml");
}

TEST(ReachHtml, CellsAreColouredByHowMuchConnects) {
    std::string html = render_reach_html(sample_reach(), {});
    EXPECT_NE(html.find("<td class=\"most\" data-pair=\"1\""),
              std::string::npos);  // web -> internet
    EXPECT_NE(html.find("<td class=\"partial\" data-pair=\"0\""), std::string::npos);  // web -> db
    EXPECT_NE(html.find("<td class=\"none\" data-pair=\"2\""), std::string::npos);     // db -> web
    EXPECT_EQ(count(html, "<td class=\"self\""), 3u);
}

TEST(ReachHtml, TheDataHoldsEveryWitnessCommandAndItsTraceWhenGiven) {
    Reach r = sample_reach();
    std::size_t calls = 0;
    TraceText trace = [&](const Witness& w) {
        ++calls;
        return "trace of " + w.from + " -> " + w.to + "\n<hop> & done";
    };
    json doc = json::parse(data_block(render_reach_html(r, trace)));
    EXPECT_EQ(doc["traced"], true);
    const json& p = doc["pairs"][2];  // db -> web
    EXPECT_EQ(p["title"], "db -> web (10.0.3.10 -> 10.0.1.10)");
    EXPECT_EQ(p["closed"][0]["witness"]["command"],
              test::pair_of(r, "db", "web").closed[0].witness.command(r.topology));
    EXPECT_EQ(p["closed"][0]["witness"]["trace"], "trace of db -> web\n<hop> & done");
    EXPECT_EQ(doc["pairs"][4]["open_witnesses"][1]["trace"],
              "trace of 198.51.100.1 -> web\n<hop> & done");
    std::size_t witnesses = 0;
    for (const PairResult& pr : r.results) witnesses += pr.open_witnesses.size() + pr.closed.size();
    EXPECT_EQ(calls, witnesses) << "one trace per witness";

    json untraced = json::parse(data_block(render_reach_html(r, {})));
    EXPECT_EQ(untraced["traced"], false);
    EXPECT_FALSE(untraced["pairs"][2]["closed"][0]["witness"].contains("trace"));
}

TEST(ReachHtml, AHundredByAHundredMatrixStaysScrollableWithStickyHeaders) {
    Reach r;
    r.topology = "big.yaml";
    for (int i = 0; i < 100; ++i) {
        r.places.push_back(test::eni("host-" + std::to_string(i), "10.0.0." + std::to_string(i)));
        r.sources.push_back(r.places.size() - 1);
        r.destinations.push_back(r.places.size() - 1);
    }
    for (std::size_t s = 0; s < 100; ++s) {
        for (std::size_t d = 0; d < 100; ++d) {
            if (s != d) r.add_pair(test::pair(r, s, d, services({"tcp/443"}), {}));
        }
    }
    std::string html = render_reach_html(r, {});
    EXPECT_EQ(count(html, "<td"), 10000u);
    EXPECT_NE(html.find("position: sticky"), std::string::npos);
    EXPECT_NE(html.find("overflow: auto"), std::string::npos);
    EXPECT_LT(html.size(), 8u * 1024 * 1024) << "the report stays a reasonable size";
}

// Loads the report in headless Chromium and reads the DOM after the script ran: the script
// finished without an error, and the panel of the cell named in the URL shows the pair.
TEST(ReachHtml, ChromiumRunsTheScriptAndShowsAPanelWithoutError) {
    const char* candidates[] = {"/usr/bin/chromium", "/usr/bin/chromium-browser",
                                "/usr/bin/google-chrome"};
    std::string browser;
    for (const char* c : candidates) {
        if (std::filesystem::exists(c)) browser = c;
    }
    if (browser.empty()) {
        GTEST_SKIP() << "chromium is not installed (apt-get install chromium); the HTML report's "
                        "script is not run";
    }
    std::filesystem::path dir = std::filesystem::temp_directory_path() / "vpcstack-html-test";
    std::filesystem::create_directories(dir);
    std::filesystem::path page = dir / "report.html";
    std::filesystem::path dom = dir / "dom.html";
    TraceText trace = [](const Witness& w) { return "trace " + w.to + " <done>"; };
    std::ofstream(page) << render_reach_html(nasty_reach(), trace);
    std::string command = browser +
                          " --headless --no-sandbox --disable-gpu --disable-dev-shm-usage "
                          "--user-data-dir=" +
                          (dir / "profile").string() + " --dump-dom 'file://" + page.string() +
                          "#pair=2' > " + dom.string() + " 2>/dev/null";
    ASSERT_EQ(std::system(command.c_str()), 0) << command;
    std::ifstream in(dom);
    std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    std::filesystem::remove_all(dir);
    EXPECT_NE(text.find("data-ready=\"1\""), std::string::npos) << "the script did not finish";
    std::size_t error = text.find("data-error=\"");
    EXPECT_EQ(error, std::string::npos) << text.substr(error == std::string::npos ? 0 : error, 300);
    EXPECT_NE(text.find("<aside id=\"panel\" data-pair=\"2\">"), std::string::npos);
    EXPECT_NE(text.find("outbound rule 100: deny all"), std::string::npos) << "the blocker's rule";
    EXPECT_NE(text.find("ACL_RULE_DENIED"), std::string::npos);
    EXPECT_NE(
        text.find("<h2>db -&gt; &lt;/script&gt;&lt;img src=x onerror=\"alert(1)\"&gt;'&amp;amp "
                  "(10.0.3.10 -&gt; 10.0.1.10)</h2>"),
        std::string::npos)
        << "the panel's title names the pair as text";
    EXPECT_NE(text.find("<pre>trace web &lt;done&gt;</pre>"), std::string::npos)
        << "the trace is shown as text";
    EXPECT_EQ(text.find("<img"), std::string::npos);
}

// ---- query ----

sim::TraceQuery tcp_query() {
    return {"internet", "db", "tcp", 5432, -1};
}

TEST(QueryText, AnUnreachableServiceNamesItsBlockersAndItsWitness) {
    QueryResult q;
    q.reachable = false;
    q.witness = test::tcp("198.51.100.1", "db", 5432);
    q.blockers = {test::blocker("igw/igw", engine::DropReason::NoMapping, "", "IGW_NO_MAPPING")};
    std::string text = render_query_text(q, tcp_query(), "t.yaml");
    EXPECT_EQ(text,
              "unreachable: tcp/5432 from internet to db\n"
              "  blocked by " +
                  q.blockers[0].to_string() +
                  "\n"
                  "  witness: " +
                  q.witness->command("t.yaml") + "\n");
}

TEST(QueryText, AReachableServiceShowsThePacketThatConnects) {
    QueryResult q;
    q.reachable = true;
    q.witness = test::echo("web", "db");
    std::string text = render_query_text(q, {"web", "db", "", -1, -1}, "t.yaml");
    EXPECT_EQ(text, "reachable: icmp echo from web to db\n  witness: " +
                        q.witness->command("t.yaml") + "\n");
}

TEST(QueryJson, HasATopLevelReachableAndTheQuery) {
    QueryResult q;
    q.reachable = false;
    q.witness = test::tcp("198.51.100.1", "db", 5432);
    q.blockers = {test::blocker("igw/igw", engine::DropReason::NoMapping)};
    std::string text = render_query_json(q, tcp_query(), "t.yaml");
    EXPECT_EQ(nlohmann::ordered_json::parse(text).begin().key(), "reachable") << "it comes first";
    json doc = json::parse(text);
    EXPECT_EQ(doc["reachable"], false);
    EXPECT_EQ(doc["from"], "internet");
    EXPECT_EQ(doc["to"], "db");
    EXPECT_EQ(doc["protocol"], "tcp");
    EXPECT_EQ(doc["dport"], 5432);
    EXPECT_TRUE(doc["sport"].is_null());
    EXPECT_EQ(doc["witness"]["command"], q.witness->command("t.yaml"));
    EXPECT_EQ(doc["blockers"][0]["reason"], "NoMapping");

    q.reachable = true;
    q.blockers.clear();
    EXPECT_EQ(json::parse(render_query_json(q, tcp_query(), "t.yaml"))["reachable"], true);
}

}  // namespace
}  // namespace vpcstack::verify
