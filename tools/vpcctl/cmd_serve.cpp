// vpcctl serve http: the lab's tiny web server (live/http_serve.hpp), what an instance's user
// data runs; vpcctl serve dns: the lab's internet name server (live/dns_serve.hpp). Both stop on
// SIGTERM or SIGINT.
#include <signal.h>
#include <sys/signalfd.h>

#include <fmt/format.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <exception>

#include "commands.hpp"
#include "vpcstack/live/dns_serve.hpp"
#include "vpcstack/live/health_checks.hpp"
#include "vpcstack/live/http_serve.hpp"
#include "vpcstack/live/lab_state.hpp"
#include "vpcstack/live/netns.hpp"
#include "vpcstack/model/loader.hpp"

namespace vpcstack::cli {

namespace {

// SIGTERM and SIGINT as a readable fd that stops a server's poll loop: blocked, they wait on the
// signalfd until the loop sees them. Invalid (and said on stderr) when it cannot be made.
live::Fd stop_signals_fd() {
    sigset_t stop_signals;
    sigemptyset(&stop_signals);
    sigaddset(&stop_signals, SIGTERM);
    sigaddset(&stop_signals, SIGINT);
    if (::sigprocmask(SIG_BLOCK, &stop_signals, nullptr) != 0) {
        fmt::print(stderr, "vpcctl serve: sigprocmask: {}\n", std::strerror(errno));
        return {};
    }
    live::Fd stop(::signalfd(-1, &stop_signals, SFD_CLOEXEC));
    if (!stop.valid()) fmt::print(stderr, "vpcctl serve: signalfd: {}\n", std::strerror(errno));
    return stop;
}

}  // namespace

int run_serve_http(const ServeHttpOptions& options) {
    live::Fd stop = stop_signals_fd();
    if (!stop.valid()) return kExitError;
    ::signal(SIGPIPE, SIG_IGN);  // a client that leaves mid-response is only a failed write
    try {
        live::HttpServer server({.port = static_cast<std::uint16_t>(options.port),
                                 .address = options.address,
                                 .name = options.name,
                                 .tls_certificate = options.tls_certificate,
                                 .tls_key = options.tls_key});
        fmt::print("vpcctl serve: {} on {}:{} as {}\n", server.tls() ? "https" : "http",
                   options.address, server.port(), server.name());
        std::fflush(stdout);
        const std::uint64_t answered = server.run(stop.get());
        fmt::print("vpcctl serve: stopped after {} requests\n", answered);
        return kExitOk;
    } catch (const std::exception& e) {
        fmt::print(stderr, "vpcctl serve: {}\n", e.what());
        return kExitError;
    }
}

int run_serve_dns(const ServeDnsOptions& options) {
    live::Fd stop = stop_signals_fd();
    if (!stop.valid()) return kExitError;
    model::LoadResult loaded;
    if (!options.lab.empty()) {
        std::string error;
        auto state = live::read_state(options.lab, &error);
        if (!state) {
            fmt::print(stderr, "vpcctl serve dns: no lab '{}' ({})\n", options.lab, error);
            return kExitError;
        }
        loaded = live::load_lab_topology(*state);
    } else if (!options.topology.empty()) {
        loaded = model::load_topology_file(options.topology);
    } else {
        fmt::print(stderr, "vpcctl serve dns: give --lab LAB or --topology FILE\n");
        return kExitError;
    }
    if (!loaded.ok()) {
        for (const auto& d : loaded.diagnostics.sorted()) {
            fmt::print(stderr, "{}\n", d.to_string());
        }
        return kExitError;
    }
    try {
        live::DnsServer server(
            *loaded.topology, options.address, static_cast<std::uint16_t>(options.port),
            options.lab.empty() ? std::string() : live::health_status_path(options.lab));
        fmt::print("vpcctl serve dns: on {}:{} (udp), {} public zones\n", options.address,
                   server.port(), loaded.topology->hosted_zones.size());
        std::fflush(stdout);
        const std::uint64_t answered = server.run(stop.get());
        fmt::print("vpcctl serve dns: stopped after {} queries\n", answered);
        return kExitOk;
    } catch (const std::exception& e) {
        fmt::print(stderr, "vpcctl serve dns: {}\n", e.what());
        return kExitError;
    }
}

}  // namespace vpcstack::cli
