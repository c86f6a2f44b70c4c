// The JSON forms of `vpcctl reach` (docs/verify.md): the matrix and the query.
#include "render_common.hpp"
#include "vpcstack/verify/render.hpp"

namespace vpcstack::verify {
namespace {

using detail::Json;

Json names_of(const Reach& reach, const std::vector<std::size_t>& indexes) {
    Json out = Json::array();
    for (std::size_t i : indexes) out.push_back(reach.places[i].name);
    return out;
}

}  // namespace

std::string render_reach_json(const Reach& reach) {
    Json places = Json::array();
    for (const Place& p : reach.places) places.push_back(detail::place_json(p));
    Json pairs = Json::array();
    for (const PairResult& p : reach.views()) pairs.push_back(detail::pair_json(reach, p));
    const ReachStats& st = reach.stats;
    Json doc = {{"topology", reach.topology},
                {"places", std::move(places)},
                {"sources", names_of(reach, reach.sources)},
                {"destinations", names_of(reach, reach.destinations)},
                {"stats",
                 {{"places", st.places},
                  {"classes", st.classes},
                  {"class_pairs", st.class_pairs},
                  {"probes", st.probes},
                  {"seconds", st.seconds}}},
                {"pairs", std::move(pairs)}};
    return doc.dump(2) + "\n";
}

std::string render_query_json(const QueryResult& result, const sim::TraceQuery& query,
                              std::string_view topology) {
    Json doc = {{"reachable", result.reachable}};
    if (!result.error.empty()) doc["error"] = result.error;
    doc["topology"] = std::string(topology);
    doc["from"] = query.from;
    doc["to"] = query.to;
    doc["protocol"] = query.protocol.empty() ? std::string("icmp") : query.protocol;
    doc["dport"] = query.dport >= 0 ? Json(query.dport) : Json(nullptr);
    doc["sport"] = query.sport >= 0 ? Json(query.sport) : Json(nullptr);
    doc["witness"] =
        result.witness ? detail::witness_json(*result.witness, topology) : Json(nullptr);
    doc["blockers"] = detail::blockers_json(result.blockers);
    return doc.dump(2) + "\n";
}

}  // namespace vpcstack::verify
