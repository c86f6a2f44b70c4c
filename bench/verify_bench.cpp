// How long the verifier takes, and how much memory, on a generated account of 100, 1,000 or
// 10,000 instances (tests/support/topology_gen.hpp: 5 peered VPCs, 50 subnets, 200 security
// groups and 20 network ACLs per 1,000 instances): the full reachability matrix, and one query
// (internet to a database instance, tcp/5432). A table, not a pass/fail test.
//
//   verify_bench [--seed N] [--no-matrix] [--from SEL] [--to SEL] [SIZE...]
//                                      sizes default to 100 1000; SEL as `vpcctl reach` takes
//   verify_bench --from vpc00 10000    a slice of the large case: the whole matrix of 10,000
//                                      instances has 10^8 pairs and does not fit in memory
//
// Each size runs in a child process, so the peak resident size it reports (getrusage
// ru_maxrss, after the topology is loaded and after the matrix) is its own.
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "support/topology_gen.hpp"
#include "vpcstack/verify/reach.hpp"

namespace {

using Clock = std::chrono::steady_clock;
using vpcstack::test_support::GeneratedTopology;

double seconds_since(Clock::time_point start) {
    return std::chrono::duration<double>(Clock::now() - start).count();
}

long peak_kib() {
    rusage usage{};
    getrusage(RUSAGE_SELF, &usage);
    return usage.ru_maxrss;  // KiB on Linux
}

struct Options {
    std::uint64_t seed = 1;
    bool matrix = true;
    vpcstack::verify::ReachOptions reach;
};

void run(std::size_t instances, const Options& options) {
    const std::uint64_t seed = options.seed;
    const auto t0 = Clock::now();
    const GeneratedTopology g = vpcstack::test_support::scale_topology(instances, seed);
    const vpcstack::model::Topology topology = vpcstack::test_support::load_or_throw(g);
    const double load_s = seconds_since(t0);
    const long loaded_kib = peak_kib();

    const auto t1 = Clock::now();
    const vpcstack::verify::QueryResult q =
        vpcstack::verify::query(topology, {"internet", g.db_instance, "tcp", 5432, -1});
    const double query_s = seconds_since(t1);
    std::printf(
        "%8zu instances: generate+load %.2f s, %zu KiB of YAML; query internet -> %s "
        "tcp/5432: %s in %.3f s%s%s\n",
        instances, load_s, g.yaml.size() / 1024, g.db_instance.c_str(),
        q.reachable ? "reachable" : "unreachable", query_s, q.error.empty() ? "" : ": ",
        q.error.c_str());
    std::fflush(stdout);
    if (!options.matrix) return;

    const auto t2 = Clock::now();
    vpcstack::verify::ReachResult r = vpcstack::verify::compute_reach(topology, options.reach);
    const double reach_s = seconds_since(t2);
    const long after_kib = peak_kib();
    if (!r.reach) {
        std::printf("%8zu instances: compute_reach failed: %s\n", instances, r.error.c_str());
        return;
    }
    const vpcstack::verify::ReachStats& s = r.reach->stats;
    std::size_t open = 0;
    std::size_t pairs = 0;
    r.reach->for_each_pair([&](const vpcstack::verify::PairReach& p) {
        ++pairs;
        open += !p.result->open.empty();
    });
    std::printf(
        "%8zu instances: matrix%s %.2f s wall; places %zu, pairs %zu (%zu with something "
        "open), classes %zu, class pairs %zu, probes %zu (%.1f us each); peak RSS %ld "
        "MiB loaded, %ld MiB after the matrix (+%ld MiB)\n",
        instances, options.reach.from.empty() && options.reach.to.empty() ? "" : " (a slice)",
        reach_s, s.places, pairs, open, s.classes, s.class_pairs, s.probes,
        s.probes ? reach_s * 1e6 / static_cast<double>(s.probes) : 0.0, loaded_kib / 1024,
        after_kib / 1024, (after_kib - loaded_kib) / 1024);
    std::fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    Options options;
    std::vector<std::size_t> sizes;
    for (int i = 1; i < argc; ++i) {
        const std::string arg = argv[i];
        if (arg == "--seed" && i + 1 < argc) {
            options.seed = std::strtoull(argv[++i], nullptr, 10);
        } else if (arg == "--no-matrix") {
            options.matrix = false;
        } else if (arg == "--from" && i + 1 < argc) {
            options.reach.from = argv[++i];
        } else if (arg == "--to" && i + 1 < argc) {
            options.reach.to = argv[++i];
        } else if (!arg.empty() && arg[0] != '-') {
            sizes.push_back(std::strtoull(arg.c_str(), nullptr, 10));
        } else {
            std::fprintf(stderr,
                         "usage: %s [--seed N] [--no-matrix] [--from SEL] [--to SEL] [SIZE...]\n",
                         argv[0]);
            return 2;
        }
    }
    if (sizes.empty()) sizes = {100, 1000};
    for (std::size_t n : sizes) {
        const pid_t child = fork();
        if (child < 0) return 1;
        if (child == 0) {
            run(n, options);
            std::fflush(stdout);
            _exit(0);
        }
        int status = 0;
        waitpid(child, &status, 0);
        if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
            std::printf("%8zu instances: the run ended abnormally (status %d)\n", n, status);
    }
    return 0;
}
