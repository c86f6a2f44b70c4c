// The building blocks of reconfiguring a running node: the server names a reload keeps, the
// hard-stop-after that bounds a replaced process by the deregistration delay, and the reading of
// HAProxy's statistics (a `show stat` answer captured from HAProxy 2.6.12).
#include <gtest/gtest.h>

#include <algorithm>
#include <sstream>

#include "alb_topology.hpp"
#include "vpcstack/lb/haproxy.hpp"

namespace vpcstack::lb {
namespace {

using testing::load_alb;

const HaproxyPaths kPaths{"/run/vpcstack/lab", "/run/vpcstack/lab/alb-log.sock",
                          "/run/vpcstack/lab/certs"};

const std::string kListener = R"(          - protocol: HTTP
            port: 80
            default_action: {forward: web-tg}
)";

std::vector<std::string> lines_starting(const std::string& text, std::string_view prefix) {
    std::vector<std::string> out;
    std::istringstream in(text);
    std::string line;
    while (std::getline(in, line)) {
        const std::size_t start = line.find_first_not_of(' ');
        if (start != std::string::npos && line.compare(start, prefix.size(), prefix) == 0) {
            out.push_back(line.substr(start));
        }
    }
    return out;
}

// `show stat` of HAProxy 2.6.12: a frontend that took one keep-alive connection with four
// requests, a backend with a healthy server, one whose checks are refused, a fail-open backup
// and one put in maintenance (`disable server`).
const std::string kShowStat26 =
    R"(# pxname,svname,qcur,qmax,scur,smax,slim,stot,bin,bout,dreq,dresp,ereq,econ,eresp,wretr,wredis,status,weight,act,bck,chkfail,chkdown,lastchg,downtime,qlimit,pid,iid,sid,throttle,lbtot,tracked,type,rate,rate_lim,rate_max,check_status,check_code,check_duration,hrsp_1xx,hrsp_2xx,hrsp_3xx,hrsp_4xx,hrsp_5xx,hrsp_other,hanafail,req_rate,req_rate_max,req_tot,cli_abrt,srv_abrt,comp_in,comp_out,comp_byp,comp_rsp,lastsess,last_chk,last_agt,qtime,ctime,rtime,ttime,agent_status,agent_code,agent_duration,check_desc,agent_desc,check_rise,check_fall,check_health,agent_rise,agent_fall,agent_health,addr,cookie,mode,algo,conn_rate,conn_rate_max,conn_tot,intercepted,dcon,dses,wrew,connect,reuse,cache_lookups,cache_hits,srv_icur,src_ilim,qtime_max,ctime_max,rtime_max,ttime_max,eint,idle_conn_cur,safe_conn_cur,used_conn_cur,need_conn_est,uweight,agg_server_status,agg_server_check_status,agg_check_status,-,ssl_sess,ssl_reused_sess,ssl_failed_handshake,h2_headers_rcvd,h2_data_rcvd,h2_settings_rcvd,h2_rst_stream_rcvd,h2_goaway_rcvd,h2_detected_conn_protocol_errors,h2_detected_strm_protocol_errors,h2_rst_stream_resp,h2_goaway_resp,h2_open_connections,h2_backend_open_streams,h2_total_connections,h2_backend_total_streams,h1_open_connections,h1_open_streams,h1_total_connections,h1_total_streams,h1_bytes_in,h1_bytes_out,h1_spliced_bytes_in,h1_spliced_bytes_out,
listener-8080,FRONTEND,,,0,1,9984,1,332,468,0,0,0,,,,,OPEN,,,,,,,,,1,2,0,,,,0,1,0,1,,,,0,4,0,0,0,0,,1,4,4,,,0,0,0,0,,,,,,,,,,,,,,,,,,,,,http,,1,1,1,0,0,0,0,,,0,0,,,,,,,0,,,,,,,,,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,4,320,456,0,0,
group-web-tg,web-1:18081,0,0,0,1,,4,332,468,,0,,0,0,0,0,UP,1,1,0,1,1,1,3,,1,3,1,,4,,2,1,,4,L7OK,200,4,0,4,0,0,0,0,,,,4,0,0,,,,,1,,,0,0,2,36,,,,Layer7 check passed,,2,3,4,,,,127.0.0.1:18081,127.0.0.1:18081,http,,,,,,,,0,1,3,,,1,,0,0,4,51,0,0,1,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,
group-web-tg,web-2:18082,0,0,0,0,,0,0,0,,0,,0,0,0,0,DOWN,1,1,0,1,1,3,3,,1,3,2,,0,,2,0,,0,L4CON,,0,0,0,0,0,0,0,,,,0,0,0,,,,,-1,Connection refused,,0,0,0,0,,,,Layer4 connection problem,,2,3,0,,,,127.0.0.1:18082,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,
group-web-tg,web-1:18081-failopen,0,0,0,0,,0,0,0,,0,,0,0,0,0,no check,1,0,1,,,4,,,1,3,3,,0,,2,0,,0,,,,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,,,,,,,,,127.0.0.1:18081,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,0,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,
group-web-tg,web-3:18083,0,0,0,0,,0,0,0,,0,,0,0,0,0,MAINT,1,1,0,1,1,3,3,,1,3,4,,0,,2,0,,0,,,,0,0,0,0,0,0,,,,0,0,0,,,,,-1,,,0,0,0,0,,,,,,,,,,,,127.0.0.1:18083,,http,,,,,,,,0,0,0,,,0,,0,0,0,0,0,0,0,0,1,1,,,,-,0,0,0,,,,,,,,,,,,,,,,,,,,,,
group-web-tg,BACKEND,0,0,0,1,999,4,332,468,0,0,,0,0,0,0,UP,1,1,1,,0,4,0,,1,3,0,,4,,1,1,,4,,,,0,4,0,0,0,0,,,,4,0,0,0,0,0,0,1,,,0,0,2,36,,,,,,,,,,,,,,http,roundrobin,,,,,,,0,1,3,0,0,,,0,0,4,51,0,,,,,1,0,0,0,-,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,0,1,0,13,16,795,374,0,0,
)";

TEST(HaproxyReload, ServersAreNamedAfterTheirTargetSoARemovalKeepsTheOthersNames) {
    const HaproxyConfig all = haproxy_config(load_alb(kListener), 0, 0, kPaths);
    const HaproxyConfig fewer = haproxy_config(
        load_alb(kListener,
                 "      - {name: web-tg, protocol: HTTP, port: 80, targets: [web-2, web-3]}\n"),
        0, 0, kPaths);
    const auto before = lines_starting(all.text, "server ");
    const auto after = lines_starting(fewer.text, "server ");
    ASSERT_EQ(before.size(), 6u) << all.text;
    ASSERT_EQ(after.size(), 4u) << fewer.text;
    EXPECT_EQ(before[1], "server web-2:80 10.0.10.12:80 check inter 30s rise 5 fall 2") << all.text;
    // web-2 was second and is now first: the same line, name and all.
    for (const std::string& line : after) {
        EXPECT_NE(std::find(before.begin(), before.end(), line), before.end())
            << line << " is not as it was before web-1 left";
    }
    EXPECT_EQ(haproxy_server_name("web-2", 80), "web-2:80");
    EXPECT_EQ(haproxy_server_name("10.0.10.12", 8080), "10.0.10.12:8080");
}

TEST(HaproxyReload, StickinessCookiesCarryTheEndpointWhateverTheOtherTargets) {
    const std::string sticky =
        "      - name: web-tg\n"
        "        protocol: HTTP\n"
        "        port: 80\n"
        "        stickiness: {type: lb_cookie}\n"
        "        targets: [__TARGETS__]\n";
    auto group = [&](const std::string& targets) {
        std::string g = sticky;
        g.replace(g.find("__TARGETS__"), 11, targets);
        return g;
    };
    const HaproxyConfig all =
        haproxy_config(load_alb(kListener, group("web-1, web-2, web-3")), 0, 0, kPaths);
    const HaproxyConfig fewer =
        haproxy_config(load_alb(kListener, group("web-3, web-2")), 0, 0, kPaths);
    for (const std::string& line : lines_starting(fewer.text, "server web-")) {
        if (line.find("failopen") != std::string::npos) continue;
        EXPECT_NE(line.find(" cookie 10.0.10.1"), std::string::npos) << line;
        const auto before = lines_starting(all.text, line.substr(0, line.find(' ', 7)) + " ");
        ASSERT_EQ(before.size(), 1u) << line;
        EXPECT_EQ(before[0], line);
    }
}

TEST(HaproxyReload, AReplacedProcessStopsAfterTheLongestDeregistrationDelay) {
    const std::string two_groups = R"(          - protocol: HTTP
            port: 80
            default_action: {forward: web-tg}
            rules:
              - priority: 1
                conditions: [{path-pattern: ["/api/*"]}]
                action: {forward: api-tg}
)";
    const std::string groups =
        "      - {name: web-tg, protocol: HTTP, port: 80, deregistration_delay: 30, targets: "
        "[web-1]}\n"
        "      - {name: api-tg, protocol: HTTP, port: 80, deregistration_delay: 120, targets: "
        "[web-2]}\n"
        "      - {name: unused-tg, protocol: HTTP, port: 80, deregistration_delay: 900, targets: "
        "[web-3]}\n";
    const HaproxyConfig c = haproxy_config(load_alb(two_groups, groups), 0, 0, kPaths);
    EXPECT_EQ(c.hard_stop_after, 120u) << "the groups the node forwards to, not every group";
    const auto lines = lines_starting(c.text, "hard-stop-after");
    ASSERT_EQ(lines.size(), 1u) << c.text;
    EXPECT_EQ(lines[0], "hard-stop-after 120s");
    EXPECT_LT(c.text.find("hard-stop-after"), c.text.find("defaults")) << "a global setting";

    const HaproxyConfig defaults = haproxy_config(load_alb(kListener), 0, 0, kPaths);
    EXPECT_EQ(defaults.hard_stop_after, 300u) << "the cloud's default delay, 300 s";

    const HaproxyConfig zero = haproxy_config(
        load_alb(kListener,
                 "      - {name: web-tg, protocol: HTTP, port: 80, deregistration_delay: 0, "
                 "targets: [web-1]}\n"),
        0, 0, kPaths);
    EXPECT_EQ(lines_starting(zero.text, "hard-stop-after"),
              std::vector<std::string>{"hard-stop-after 1ms"})
        << "0 would mean no limit to HAProxy";
}

TEST(HaproxyStats, ShowStatIsReadByColumnName) {
    const std::vector<HaproxyServerStats> stats = parse_haproxy_stats(kShowStat26);
    ASSERT_EQ(stats.size(), 6u);
    const HaproxyServerStats& frontend = stats[0];
    EXPECT_EQ(frontend.backend, "listener-8080");
    EXPECT_EQ(frontend.server, "FRONTEND");
    EXPECT_EQ(frontend.status, "OPEN");
    EXPECT_TRUE(frontend.up);
    EXPECT_EQ(frontend.sessions, 1u);
    EXPECT_EQ(frontend.requests, 4u) << "four requests on one connection";

    const HaproxyServerStats& healthy = stats[1];
    EXPECT_EQ(healthy.backend, "group-web-tg");
    EXPECT_EQ(healthy.server, "web-1:18081");
    EXPECT_EQ(healthy.status, "UP");
    EXPECT_TRUE(healthy.up);
    EXPECT_EQ(healthy.requests, 4u);
    EXPECT_EQ(healthy.check_status, "L7OK");
    EXPECT_EQ(healthy.address, "127.0.0.1:18081");
    EXPECT_FALSE(healthy.backup);

    const HaproxyServerStats& refused = stats[2];
    EXPECT_EQ(refused.status, "DOWN");
    EXPECT_FALSE(refused.up);
    EXPECT_EQ(refused.check_status, "L4CON");
    EXPECT_EQ(refused.requests, 0u);

    const HaproxyServerStats& backup = stats[3];
    EXPECT_EQ(backup.server, "web-1:18081-failopen");
    EXPECT_EQ(backup.status, "no check");
    EXPECT_TRUE(backup.up);
    EXPECT_TRUE(backup.backup);
    EXPECT_EQ(backup.check_status, "");

    EXPECT_EQ(stats[4].status, "MAINT");
    EXPECT_FALSE(stats[4].up);
    EXPECT_EQ(stats[5].server, "BACKEND");
    EXPECT_FALSE(stats[5].backup) << "a backend's bck counts its backup servers";
}

TEST(HaproxyStats, ColumnsAreFoundWhereverTheyAreAndRequestsFallBackToSessions) {
    const std::string csv =
        "# svname,status,pxname,stot,check_status,addr,extra\n"
        "web-1:80,UP 1/3,group-web-tg,7,L7STS,10.0.10.11:80,x\n"
        "web-2:80,DOWN 1/2,group-web-tg,2,L4TOUT,10.0.10.12:80\n";
    const auto stats = parse_haproxy_stats(csv);
    ASSERT_EQ(stats.size(), 2u);
    EXPECT_EQ(stats[0].backend, "group-web-tg");
    EXPECT_EQ(stats[0].status, "UP 1/3");
    EXPECT_TRUE(stats[0].up) << "up while going down";
    EXPECT_EQ(stats[0].requests, 7u) << "without req_tot, the sessions";
    EXPECT_EQ(stats[0].address, "10.0.10.11:80");
    EXPECT_FALSE(stats[1].up) << "down while going up";
    EXPECT_EQ(stats[1].check_status, "L4TOUT");

    EXPECT_THROW(parse_haproxy_stats("Unknown command\n"), std::invalid_argument);
    EXPECT_THROW(parse_haproxy_stats("# svname,status\n"), std::invalid_argument);
    EXPECT_TRUE(parse_haproxy_stats("").empty());
}

}  // namespace
}  // namespace vpcstack::lb
