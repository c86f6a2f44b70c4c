// A small VPC with an Application Load Balancer whose listeners and target groups each test
// writes, loaded through the topology loader so that the model holds what the cloud's defaults
// and validation make of them.
#pragma once

#include <gtest/gtest.h>

#include <string>

#include "vpcstack/lb/http_request.hpp"
#include "vpcstack/model/loader.hpp"

namespace vpcstack::lb::testing {

// Three web servers in one private subnet; the load balancer spans two public ones.
inline const std::string kAlbVpc = R"(region: us-east-1
vpcs:
  - name: prod
    cidr: 10.0.0.0/16
    subnets:
      - {name: pub-a, cidr: 10.0.0.0/24, az: us-east-1a}
      - {name: pub-b, cidr: 10.0.1.0/24, az: us-east-1b}
      - {name: priv-a, cidr: 10.0.10.0/24, az: us-east-1a}
    security_groups:
      - name: lb-sg
        ingress: [tcp/80 from 0.0.0.0/0, tcp/443 from 0.0.0.0/0]
    instances:
      - {name: web-1, subnet: priv-a, private_ip: 10.0.10.11}
      - {name: web-2, subnet: priv-a, private_ip: 10.0.10.12}
      - {name: web-3, subnet: priv-a, private_ip: 10.0.10.13}
    load_balancers:
      - name: alb
        type: application
        subnets: [pub-a, pub-b]
        security_groups: [lb-sg]
        listeners:
)";

inline const std::string kWebGroup = R"(
      - {name: web-tg, protocol: HTTP, port: 80, targets: [web-1, web-2, web-3]}
)";

// `listeners`: entries of the load balancer's 'listeners' list, indented by 10 spaces;
// `groups`: entries of 'target_groups', indented by 6.
inline model::Topology load_alb(const std::string& listeners,
                                const std::string& groups = kWebGroup) {
    model::LoadResult r = model::load_topology_text(
        kAlbVpc + listeners + "    target_groups:\n" + groups, "alb.yaml");
    std::string problems;
    for (const model::Diagnostic& d : r.diagnostics.sorted()) {
        if (d.severity == model::Severity::Error) problems += d.to_string() + "\n";
    }
    EXPECT_TRUE(r.ok()) << problems;
    return r.ok() ? std::move(*r.topology) : model::Topology{};
}

inline HttpRequest request(std::string path, std::string host = "shop.example.com") {
    HttpRequest r;
    const std::size_t q = path.find('?');
    r.path = path.substr(0, q);
    if (q != std::string::npos) r.query = path.substr(q + 1);
    r.host = std::move(host);
    r.source = net::Ipv4Address(198, 51, 100, 7);
    return r;
}

}  // namespace vpcstack::lb::testing
