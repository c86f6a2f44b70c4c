// A one-frame check that a lab forwards: from inside a namespace, ask for a MAC by ARP on one of
// its interfaces and wait for the engine's answer. `lab up` uses it to say the lab is ready.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "vpcstack/net/ipv4.hpp"

namespace vpcstack::live {

struct ArpAnswer {
    net::MacAddress mac;
    double milliseconds = 0;
};

// Sends "who has `target`, tell `source`" out of `device` in namespace `netns` and waits up to
// `timeout` for the reply. Nothing when none came; throws SystemError when it cannot ask.
std::optional<ArpAnswer> probe_arp(const std::string& netns, const std::string& device,
                                   net::MacAddress source_mac, net::Ipv4Address source,
                                   net::Ipv4Address target, std::chrono::milliseconds timeout);

}  // namespace vpcstack::live
