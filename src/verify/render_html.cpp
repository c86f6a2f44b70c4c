// The HTML report of `vpcctl reach --html`: one file, no external resources. The matrix is
// written as an HTML table (it shows without script); the data of every pair is embedded as
// JSON in a <script type="application/json"> block, and a small script builds the panel of a
// clicked cell from it with DOM calls (text nodes only, so no name is ever parsed as markup).
#include <fmt/format.h>

#include "render_common.hpp"
#include "vpcstack/verify/render.hpp"

namespace vpcstack::verify {
namespace {

using detail::Json;

std::string escape_html(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        switch (c) {
            case '&':
                out += "&amp;";
                break;
            case '<':
                out += "&lt;";
                break;
            case '>':
                out += "&gt;";
                break;
            case '"':
                out += "&quot;";
                break;
            case '\'':
                out += "&#39;";
                break;
            default:
                out += c;
        }
    }
    return out;
}

// JSON that is safe inside a <script> element: '<', '>' and '&' only occur inside JSON
// strings, where their \u escapes mean the same, so no "</script>" or "<!--" can appear.
// U+2028 and U+2029 are escaped too, for older parsers that treat them as line ends.
std::string script_safe_json(const Json& doc) {
    std::string text = doc.dump(-1, ' ', false, Json::error_handler_t::replace);
    std::string out;
    out.reserve(text.size());
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (c == '<') {
            out += "\\u003c";
        } else if (c == '>') {
            out += "\\u003e";
        } else if (c == '&') {
            out += "\\u0026";
        } else if (c == '\xE2' && i + 2 < text.size() && text[i + 1] == '\x80' &&
                   (text[i + 2] == '\xA8' || text[i + 2] == '\xA9')) {
            out += text[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
            i += 2;
        } else {
            out += c;
        }
    }
    return out;
}

void add_trace(Json& witness, const Witness& w, const TraceText& trace) {
    if (trace) witness["trace"] = trace(w);
}

// Per pair: what the panel shows, with the witnesses' traces when there are any.
Json report_data(const Reach& reach, const TraceText& trace) {
    Json places = Json::array();
    for (const Place& p : reach.places) places.push_back(detail::place_json(p));
    Json pairs = Json::array();
    for (const PairResult& p : reach.views()) {
        Json j = detail::pair_json(reach, p);
        j["title"] = detail::pair_title(reach, p);
        for (std::size_t i = 0; i < p.open_witnesses.size(); ++i) {
            add_trace(j["open_witnesses"][i], p.open_witnesses[i], trace);
        }
        for (std::size_t i = 0; i < p.closed.size(); ++i) {
            add_trace(j["closed"][i]["witness"], p.closed[i].witness, trace);
        }
        pairs.push_back(std::move(j));
    }
    return {{"topology", reach.topology},
            {"places", std::move(places)},
            {"traced", static_cast<bool>(trace)},
            {"pairs", std::move(pairs)}};
}

constexpr const char* kStyle = R"css(
:root { --most: #2e9e4f; --partial: #e0a526; --none: #c9413b; --self: #c8c8c8;
        --border: #d5d8dc; --ink: #1d2327; --muted: #5f6b73; }
* { box-sizing: border-box; }
body { margin: 0; font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif;
       color: var(--ink); display: flex; flex-direction: column; height: 100vh; }
header { padding: 8px 16px; border-bottom: 1px solid var(--border); }
header h1 { font-size: 17px; margin: 0 0 4px; }
header p { margin: 0; color: var(--muted); }
.legend span { display: inline-block; margin-right: 12px; }
.legend i { display: inline-block; width: 12px; height: 12px; margin-right: 4px;
            vertical-align: -1px; border-radius: 2px; }
.filter { padding: 2px 6px; width: 9em; }
main { flex: 1; display: flex; min-height: 0; }
#matrix-wrap { flex: 0 1 auto; max-width: 65%; overflow: auto; min-width: 0; }
#panel { flex: 1; overflow: auto; border-left: 1px solid var(--border); padding: 8px 16px;
         min-width: 320px; }
table#matrix { border-collapse: separate; border-spacing: 0; font-size: 12px; }
#matrix th, #matrix td { border-right: 1px solid var(--border);
                         border-bottom: 1px solid var(--border); padding: 2px 6px;
                         white-space: nowrap; }
#matrix thead th { position: sticky; top: 0; background: #f4f5f6; z-index: 2;
                   vertical-align: bottom; }
#matrix thead th.col span { writing-mode: vertical-rl; transform: rotate(180deg);
                            max-height: 160px; overflow: hidden; text-overflow: ellipsis; }
#matrix tbody th { position: sticky; left: 0; background: #f4f5f6; z-index: 1;
                   text-align: left; max-width: 220px; overflow: hidden;
                   text-overflow: ellipsis; }
#matrix thead th.corner { left: 0; z-index: 3; text-align: left; }
#matrix td { cursor: pointer; text-align: center; color: #fff; min-width: 48px; }
#matrix td.most { background: var(--most); }
#matrix td.partial { background: var(--partial); color: var(--ink); }
#matrix td.none { background: var(--none); }
#matrix td.self { background: var(--self); cursor: default; color: var(--muted); }
#matrix td.missing { background: #fff; color: var(--muted); cursor: default; }
#matrix td.selected { outline: 3px solid var(--ink); outline-offset: -3px; }
#panel h2 { font-size: 16px; margin: 4px 0 8px; }
#panel h3 { font-size: 14px; margin: 14px 0 4px; }
#panel .services { font-family: ui-monospace, monospace; }
#panel table { border-collapse: collapse; margin: 4px 0; }
#panel table td, #panel table th { border: 1px solid var(--border); padding: 2px 6px;
                                   text-align: left; vertical-align: top; }
#panel code { user-select: all; font-size: 12px; background: #f4f5f6; padding: 1px 3px;
              word-break: break-all; }
#panel pre { background: #f4f5f6; padding: 6px; font-size: 12px; overflow: auto; }
#panel .group { border-left: 4px solid var(--none); padding-left: 8px; margin: 8px 0; }
#panel .group.open { border-left-color: var(--most); }
.muted { color: var(--muted); }
)css";

constexpr const char* kScript = R"js(
(function () {
  "use strict";
  window.addEventListener("error", function (e) {
    document.documentElement.setAttribute("data-error", String(e.message));
  });
  var data = JSON.parse(document.getElementById("reach-data").textContent);
  var panel = document.getElementById("panel");
  var selected = null;

  function el(tag, attrs, children) {
    var n = document.createElement(tag);
    if (attrs) for (var k in attrs) n.setAttribute(k, attrs[k]);
    (children || []).forEach(function (c) {
      n.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return n;
  }

  function witness(w) {
    var parts = [el("div", null, ["witness: ", el("code", null, [w.command])])];
    if (w.trace !== undefined) parts.push(el("pre", null, [w.trace]));
    return el("div", {"class": "witness"}, parts);
  }

  function blockers(list) {
    var head = el("tr", null, ["component", "reason", "rule", "detail", "analyzer code", "on"].map(
        function (h) { return el("th", null, [h]); }));
    var rows = list.map(function (b) {
      return el("tr", null, [
        el("td", null, [b.component]),
        el("td", {"title": b.reason_text}, [b.reason || b.reason_text]),
        el("td", null, [b.rule || "\u2014"]),
        el("td", null, [b.detail || "\u2014"]),
        el("td", null, [b.explanation || "\u2014"]),
        el("td", null, [b.reply ? "reply" : "request"])]);
    });
    return el("table", null, [el("thead", null, [head]), el("tbody", null, rows)]);
  }

  function show(index) {
    var p = data.pairs[index];
    if (!p) return;
    panel.textContent = "";
    panel.appendChild(el("h2", null, [p.title]));
    panel.appendChild(el("h3", null, ["Open"]));
    panel.appendChild(el("p", {"class": "services"},
        [p.open.length ? p.open.join(", ") : "nothing connects"]));
    p.open_witnesses.forEach(function (w, i) {
      panel.appendChild(el("div", {"class": "group open"},
          [el("div", {"class": "services"}, [p.open[i] || ""]), witness(w)]));
    });
    if (p.closed.length) panel.appendChild(el("h3", null, ["Closed"]));
    p.closed.forEach(function (c) {
      var parts = [el("div", {"class": "services"}, [c.services.join(", ")])];
      parts.push(c.blockers.length ? blockers(c.blockers)
                                   : el("p", {"class": "muted"}, ["no blocking component"]));
      parts.push(witness(c.witness));
      panel.appendChild(el("div", {"class": "group"}, parts));
    });
    if (!data.traced) {
      panel.appendChild(el("p", {"class": "muted"},
          ["Traces were not included; run a witness command to see one."]));
    }
    if (selected) selected.classList.remove("selected");
    selected = document.querySelector('#matrix td[data-pair="' + index + '"]');
    if (selected) selected.classList.add("selected");
    panel.setAttribute("data-pair", String(index));
  }

  document.getElementById("matrix").addEventListener("click", function (e) {
    var td = e.target.closest("td[data-pair]");
    if (!td) return;
    var index = Number(td.getAttribute("data-pair"));
    show(index);
    if (history.replaceState) history.replaceState(null, "", "#pair=" + index);
  });

  // Two filters: sources hide rows, destinations hide columns, by a part of the name.
  function filter() {
    var rowWord = document.getElementById("filter-from").value.toLowerCase();
    var colWord = document.getElementById("filter-to").value.toLowerCase();
    var table = document.getElementById("matrix");
    var cols = Array.prototype.map.call(table.tHead.rows[0].cells, function (th, i) {
      return i === 0 || th.getAttribute("title").toLowerCase().indexOf(colWord) >= 0;
    });
    Array.prototype.forEach.call(table.rows, function (tr, r) {
      var shown = r === 0 || tr.cells[0].getAttribute("title").toLowerCase().indexOf(rowWord) >= 0;
      tr.style.display = shown ? "" : "none";
      Array.prototype.forEach.call(tr.cells, function (cell, c) {
        cell.style.display = cols[c] ? "" : "none";
      });
    });
  }
  document.getElementById("filter-from").addEventListener("input", filter);
  document.getElementById("filter-to").addEventListener("input", filter);

  var m = /^#pair=(\d+)$/.exec(location.hash);
  if (m) show(Number(m[1]));
  document.documentElement.setAttribute("data-ready", "1");
})();
)js";

std::string matrix_html(const Reach& reach) {
    std::string out = "<table id=\"matrix\">\n<thead><tr><th class=\"corner\">from \\ to</th>";
    for (std::size_t d : reach.destinations) {
        std::string name = escape_html(reach.places[d].name);
        out += fmt::format("<th class=\"col\" title=\"{0}\"><span>{0}</span></th>", name);
    }
    out += "</tr></thead>\n<tbody>\n";
    std::size_t next_pair = 0;
    for (std::size_t s : reach.sources) {
        std::string name = escape_html(reach.places[s].name);
        out += fmt::format("<tr><th title=\"{0}\">{0}</th>", name);
        for (std::size_t d : reach.destinations) {
            const std::optional<PairResult> p = s == d ? std::nullopt : reach.view(s, d);
            if (s == d) {
                out += "<td class=\"self\" title=\"itself\">·</td>";
            } else if (!p) {
                out += "<td class=\"missing\" title=\"not computed\">?</td>";
            } else {
                const std::size_t index = next_pair++;  // the order of Reach::views()
                out +=
                    fmt::format("<td class=\"{}\" data-pair=\"{}\" title=\"{}\">{}</td>",
                                detail::coverage_name(detail::coverage(p->open)), index,
                                escape_html(fmt::format("{} → {}: {}", reach.places[s].name,
                                                        reach.places[d].name, p->open.to_string())),
                                escape_html(detail::cell_summary(p->open)));
            }
        }
        out += "</tr>\n";
    }
    out += "</tbody>\n</table>\n";
    return out;
}

}  // namespace

std::string render_reach_html(const Reach& reach, const TraceText& trace) {
    const ReachStats& st = reach.stats;
    std::string out = "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n";
    out += fmt::format("<title>reach: {}</title>\n", escape_html(reach.topology));
    out += fmt::format("<style>{}</style>\n</head>\n<body>\n<header>\n", kStyle);
    out += fmt::format("<h1>reach <code>{}</code></h1>\n", escape_html(reach.topology));
    out += fmt::format(
        "<p>{} sources × {} destinations; {} places in {} classes, {} class pairs computed "
        "with {} probes in {:.2f} s. A cell lists the services that connect (the request "
        "reaches the destination and its answer gets back); click it for the blockers and "
        "witnesses.</p>\n",
        reach.sources.size(), reach.destinations.size(), st.places, st.classes, st.class_pairs,
        st.probes, st.seconds);
    out +=
        "<p class=\"legend\"><span><i style=\"background:var(--most)\"></i>all or most "
        "open</span><span><i style=\"background:var(--partial)\"></i>some "
        "open</span><span><i style=\"background:var(--none)\"></i>nothing "
        "open</span><span><i style=\"background:var(--self)\"></i>itself</span>"
        "<label>sources <input id=\"filter-from\" class=\"filter\" type=\"search\" "
        "placeholder=\"filter\"></label> <label>destinations <input id=\"filter-to\" "
        "class=\"filter\" type=\"search\" placeholder=\"filter\"></label>"
        "</p>\n</header>\n<main>\n<div id=\"matrix-wrap\">\n";
    out += matrix_html(reach);
    out +=
        "</div>\n<aside id=\"panel\"><p class=\"muted\">Click a cell to see its open "
        "services, what blocks the rest and the witness packets.</p></aside>\n</main>\n";
    out += "<script type=\"application/json\" id=\"reach-data\">";
    out += script_safe_json(report_data(reach, trace));
    out += "</script>\n";
    out += fmt::format("<script>{}</script>\n</body>\n</html>\n", kScript);
    return out;
}

}  // namespace vpcstack::verify
