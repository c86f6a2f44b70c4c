#include "vpcstack/live/lab.hpp"

#include <sched.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <mutex>
#include <set>
#include <thread>

#include "vpcstack/live/device.hpp"
#include "vpcstack/live/lab_state.hpp"
#include "vpcstack/live/lb_nodes.hpp"
#include "vpcstack/live/rtnetlink.hpp"
#include "vpcstack/live/user_data.hpp"

namespace vpcstack::live {

std::optional<Attach> parse_attach(std::string_view text) {
    if (text == "tap") {
        return Attach::Tap;
    }
    if (text == "veth") {
        return Attach::Veth;
    }
    return std::nullopt;
}

std::string_view to_string(Attach attach) {
    return attach == Attach::Tap ? "tap" : "veth";
}

namespace {

// A new namespace for the calling thread, published under its name, with IPv6 off: the lab is
// IPv4 and autoconfiguration would only add noise frames. Returns its fd; the thread stays in it.
Fd enter_new_namespace(const std::string& name) {
    Fd fd = unshare_netns();
    write_sysctl("net/ipv6/conf/all/disable_ipv6", "1");
    write_sysctl("net/ipv6/conf/default/disable_ipv6", "1");
    publish_current_netns(name);
    return fd;
}

// Addresses, default route and policy routing of one interface, queued on the namespace's
// socket.
void queue_addressing(RtNetlink& netlink, const InterfacePlan& itf, int ifindex) {
    const net::Cidr any(net::Ipv4Address(0), 0);
    for (const auto& address : itf.addresses) {
        netlink.add_address(ifindex, address.address, address.prefix_length);
    }
    if (itf.gateway) {
        netlink.add_route({.ifindex = ifindex,
                           .destination = any,
                           .gateway = itf.gateway,
                           .onlink = itf.gateway_onlink,
                           .preferred_source = itf.source});
    }
    if (itf.policy && !itf.addresses.empty()) {
        // ip route add <subnet> dev ethN src <primary> table T; ip route add default via
        // <router> dev ethN table T; ip rule add from <ip> lookup T priority P.
        const auto& policy = *itf.policy;
        RouteSpec subnet_route;
        subnet_route.ifindex = ifindex;
        subnet_route.destination = policy.subnet;
        subnet_route.preferred_source = itf.addresses.front().address;
        subnet_route.table = policy.table;
        netlink.add_route(subnet_route);
        RouteSpec default_route;
        default_route.ifindex = ifindex;
        default_route.destination = any;
        default_route.gateway = policy.router;
        default_route.table = policy.table;
        netlink.add_route(default_route);
        for (const auto& source : policy.sources) {
            netlink.add_rule({.priority = policy.priority,
                              .table = policy.table,
                              .source = net::Cidr(source, 32)});
        }
    }
}

}  // namespace

namespace {

// /etc/netns/<name>/resolv.conf, which `ip netns exec` and `lab exec` show as /etc/resolv.conf.
void write_resolv_conf(const NamespacePlan& ns) {
    if (ns.resolv_conf.empty()) return;
    const std::string dir = std::string(kNetnsEtcDir) + "/" + ns.name;
    ::mkdir(std::string(kNetnsEtcDir).c_str(), 0755);
    if (::mkdir(dir.c_str(), 0755) != 0 && errno != EEXIST) {
        throw SystemError("mkdir " + dir, errno);
    }
    std::ofstream out(dir + "/resolv.conf");
    out << ns.resolv_conf;
    if (!out) throw SystemError("write " + dir + "/resolv.conf", errno);
}

// One namespace of the plan, made on the calling thread (which is left inside it).
std::vector<LivePort> make_namespace(const NamespacePlan& ns, const BringUpOptions& options,
                                     int engine_ns) {
    std::vector<LivePort> ports;
    Fd ns_fd = enter_new_namespace(ns.name);
    write_resolv_conf(ns);
    if (ns.forwarding) write_sysctl("net/ipv4/ip_forward", "1");
    RtNetlink netlink;
    netlink.set_link({.ifindex = 1, .mac = {}, .mtu = {}, .up = true});  // lo
    for (const auto& itf : ns.interfaces) {
        LivePort port;
        port.port = itf.port;
        port.netns = ns.name;
        port.device = itf.name;
        port.owner = ns.display;
        if (options.attach == Attach::Tap) {
            OpenedDevice tap = open_tap(itf.name, {.vnet_hdr = options.offload, .persist = true});
            netlink.set_link({.ifindex = tap.ifindex, .mac = itf.mac, .mtu = itf.mtu, .up = true});
            queue_addressing(netlink, itf, tap.ifindex);
            port.fd = std::move(tap.fd);
        } else {
            VethSpec veth;
            veth.name = itf.name;
            veth.ifindex = itf.ifindex;
            veth.mac = itf.mac;
            veth.mtu = itf.mtu;
            veth.peer_name = itf.host_end;
            veth.peer_ifindex = itf.host_ifindex;
            veth.peer_netns_fd = engine_ns;
            veth.peer_mtu = itf.mtu;
            netlink.add_veth(veth);
            netlink.set_link({.ifindex = itf.ifindex, .mac = {}, .mtu = {}, .up = true});
            queue_addressing(netlink, itf, itf.ifindex);
        }
        ports.push_back(std::move(port));
    }
    netlink.commit();
    return ports;
}

}  // namespace

std::vector<LivePort> bring_up(const LabPlan& plan, const BringUpOptions& options) {
    Fd home = open_current_netns();
    Fd engine_ns;
    if (options.attach == Attach::Veth && options.engine_namespace_exists) {
        engine_ns = open_named_netns(plan.engine_namespace);
    } else if (options.attach == Attach::Veth) {
        try {
            engine_ns = enter_new_namespace(plan.engine_namespace);
        } catch (...) {
            ::setns(home.get(), CLONE_NEWNET);
            throw;
        }
        ::setns(home.get(), CLONE_NEWNET);
    }

    // Namespaces may be made by several threads (options.threads); each thread unshares its own
    // namespace, so they never see each other's.
    const std::size_t count = plan.namespaces.size();
    std::vector<std::vector<LivePort>> made(count);
    std::atomic<std::size_t> next{0};
    std::mutex failure_lock;
    std::exception_ptr failure;
    auto worker = [&] {
        Fd thread_home;
        try {
            thread_home = open_current_netns();
        } catch (...) {
            std::lock_guard lock(failure_lock);
            failure = failure ? failure : std::current_exception();
            return;
        }
        for (std::size_t i = next++; i < count; i = next++) {
            try {
                made[i] = make_namespace(plan.namespaces[i], options, engine_ns.get());
            } catch (...) {
                std::lock_guard lock(failure_lock);
                failure = failure ? failure : std::current_exception();
                next = count;
            }
            ::setns(thread_home.get(), CLONE_NEWNET);
        }
    };
    const std::size_t threads =
        std::clamp<std::size_t>(options.threads, 1, std::max<std::size_t>(count, 1));
    std::vector<std::thread> pool;
    for (std::size_t t = 1; t < threads; ++t) {
        pool.emplace_back(worker);
    }
    worker();
    for (auto& thread : pool) {
        thread.join();
    }
    if (failure) {
        std::rethrow_exception(failure);
    }
    std::vector<LivePort> ports;
    for (auto& group : made) {
        for (auto& port : group) {
            ports.push_back(std::move(port));
        }
    }

    if (options.attach == Attach::Veth) {
        NetnsGuard inside(engine_ns.get());
        RtNetlink netlink;
        for (const auto& ns : plan.namespaces) {
            for (const auto& itf : ns.interfaces) {
                netlink.set_link({.ifindex = itf.host_ifindex, .mac = {}, .mtu = {}, .up = true});
            }
        }
        netlink.commit();
        for (auto& port : ports) {
            for (const auto& ns : plan.namespaces) {
                if (ns.name != port.netns) {
                    continue;
                }
                for (const auto& itf : ns.interfaces) {
                    if (itf.port == port.port) {
                        port.fd = open_packet_socket(itf.host_ifindex, options.offload);
                        port.device = itf.host_end;
                    }
                }
            }
            port.netns = plan.engine_namespace;
        }
    }
    return ports;
}

void close_ports(std::vector<LivePort>& ports) {
    // Closing a packet socket or a non-persistent TAP waits for an RCU grace period (~10-20 ms);
    // closing them all at once lets the waits overlap.
    std::vector<std::thread> closers;
    const std::size_t threads = std::min<std::size_t>(ports.size(), 64);
    for (std::size_t t = 0; t < threads; ++t) {
        closers.emplace_back([&ports, t, threads] {
            for (std::size_t i = t; i < ports.size(); i += threads) {
                ports[i].fd.reset();
            }
        });
    }
    for (auto& thread : closers) {
        thread.join();
    }
    ports.clear();
}

namespace {

// Stops the engine: SIGTERM, then SIGKILL after a grace period. True when it had to be killed.
bool stop_engine(int pid, std::string_view lab) {
    if (!engine_alive(pid, lab)) {
        return false;
    }
    ::kill(pid, SIGTERM);
    for (int i = 0; i < 200 && engine_alive(pid, lab); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    if (!engine_alive(pid, lab)) {
        return false;
    }
    ::kill(pid, SIGKILL);
    for (int i = 0; i < 400 && engine_alive(pid, lab); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
    return true;
}

}  // namespace

TearDownReport tear_down(std::string_view lab) {
    const auto start = std::chrono::steady_clock::now();
    TearDownReport report;
    std::set<std::string> names;
    std::string error;
    if (auto state = read_state(lab, &error)) {
        // Before the engine: a script may want to say goodbye over the network.
        report.lb_nodes_stopped = stop_lb_nodes(state->lb_nodes);
        report.user_data_stopped = stop_user_data(state->user_data);
        if (engine_alive(state->engine_pid, lab)) {
            report.engine_pid = state->engine_pid;
            report.engine_killed = stop_engine(state->engine_pid, lab);
        }
        names.insert(state->namespaces.begin(), state->namespaces.end());
    }
    // Namespaces with this lab's prefix that no state lists (a crash mid bring-up), except
    // those of another lab whose name extends this one ("demo" vs "demo-2").
    std::set<std::string> others;
    for (const auto& other : list_labs()) {
        if (other == lab) {
            continue;
        }
        if (auto other_state = read_state(other)) {
            others.insert(other_state->namespaces.begin(), other_state->namespaces.end());
        }
    }
    for (const auto& name : list_named_netns(namespace_prefix(lab))) {
        if (others.count(name) == 0) {
            names.insert(name);
        }
    }
    // Only names that exist now are reported as removed.
    std::vector<std::string> existing;
    for (const auto& name : names) {
        struct stat st {};
        if (::stat((std::string(kNetnsDir) + "/" + name).c_str(), &st) == 0) {
            existing.push_back(name);
        }
    }
    NetnsRemoval removal = remove_named_netns(existing);
    report.namespaces = std::move(removal.removed);
    // /etc/netns files of namespaces already gone (a crash between making them).
    std::error_code etc_error;
    for (const auto& entry :
         std::filesystem::directory_iterator(std::string(kNetnsEtcDir), etc_error)) {
        const std::string name = entry.path().filename().string();
        if (!name.starts_with(namespace_prefix(lab)) || others.count(name) != 0) continue;
        std::error_code ignored;
        std::filesystem::remove(entry.path() / "resolv.conf", ignored);
        std::filesystem::remove(entry.path(), ignored);
    }
    report.killed_pids = std::move(removal.killed_pids);
    report.errors = std::move(removal.errors);

    std::error_code ec;
    const std::string dir = lab_dir(lab);
    if (std::filesystem::exists(dir, ec)) {
        std::filesystem::remove_all(dir, ec);
        if (ec) {
            report.errors.push_back("remove " + dir + ": " + ec.message());
        } else {
            report.state_removed = true;
        }
    }
    report.milliseconds =
        std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
    return report;
}

}  // namespace vpcstack::live
