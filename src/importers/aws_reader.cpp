#include "vpcstack/importers/aws_reader.hpp"

#include "vpcstack/model/cloud_rules.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

namespace vpcstack::importers::aws {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// Top-level keys of describe-* output for resources not modelled yet, with the label the
// summary prints. Any other unknown key is reported under its own name.
const std::map<std::string, std::string>& unmodelled_keys() {
    static const std::map<std::string, std::string> keys = {
        {"TransitGateways", "transit gateways"},
        {"TransitGatewayAttachments", "transit gateway attachments"},
        {"TransitGatewayVpcAttachments", "transit gateway VPC attachments"},
        {"TransitGatewayRouteTables", "transit gateway route tables"},
        {"TransitGatewayPeeringAttachments", "transit gateway peering attachments"},
        {"VpcEndpoints", "VPC endpoints"},
        {"VpcEndpointServiceConfigurations", "VPC endpoint services"},
        {"LoadBalancers", "load balancers"},
        {"LoadBalancerDescriptions", "classic load balancers"},
        {"TargetGroups", "target groups"},
        {"VpnGateways", "VPN gateways"},
        {"VpnConnections", "VPN connections"},
        {"CustomerGateways", "customer gateways"},
        {"EgressOnlyInternetGateways", "egress-only internet gateways"},
        {"CarrierGateways", "carrier gateways"},
        {"LocalGateways", "local gateways"},
        {"LocalGatewayRouteTables", "local gateway route tables"},
        {"DhcpOptions", "DHCP option sets"},
        {"FlowLogs", "flow logs"},
        {"NetworkFirewalls", "network firewalls"},
        {"ClientVpnEndpoints", "client VPN endpoints"},
    };
    return keys;
}

// Keys that carry no resources (paging, metadata).
bool ignored_key(const std::string& key) {
    return key == "NextToken" || key == "ResponseMetadata" || key == "PrefixListId";
}

std::string a_type_name(const json& j) {
    switch (j.type()) {
        case json::value_t::object:
            return "an object";
        case json::value_t::array:
            return "a list";
        case json::value_t::string:
            return "a string";
        case json::value_t::boolean:
            return "a boolean";
        case json::value_t::null:
            return "null";
        case json::value_t::number_integer:
        case json::value_t::number_unsigned:
        case json::value_t::number_float:
            return "a number";
        default:
            return "an unsupported value";
    }
}

// One document being read: its name for messages, where errors go, and its layout context.
struct Doc {
    std::string file;
    std::string region;
    std::string account;
    ReadResult* out = nullptr;

    void error(const std::string& path, const std::string& what) const {
        out->errors.push_back(fmt::format("{}: {}: {}", file, path, what));
    }
    Inventory& inv() const { return out->inventory; }
};

// A JSON value with its path ($.Subnets[2]) for messages.
struct Node {
    const json* j = nullptr;
    std::string path;
    const Doc* doc = nullptr;

    // The member `key`, or nullptr when absent or null (the CLI writes null for unset fields).
    const json* member(const std::string& key) const {
        if (!j->is_object()) return nullptr;
        auto it = j->find(key);
        if (it == j->end() || it->is_null()) return nullptr;
        return &*it;
    }
    std::string sub(const std::string& key) const { return path + "." + key; }
    Node child(const std::string& key) const { return {member(key), sub(key), doc}; }

    std::string where() const { return fmt::format("{}: {}", doc->file, path); }

    // A string field. Missing and required, or of another type, is an error.
    std::string string(const std::string& key, bool required,
                       const std::string& expected = "a string") const {
        const json* v = member(key);
        if (v == nullptr) {
            if (required) doc->error(sub(key), "missing; expected " + expected);
            return {};
        }
        if (!v->is_string()) {
            doc->error(sub(key), fmt::format("expected {}, found {}", expected, a_type_name(*v)));
            return {};
        }
        return v->get<std::string>();
    }

    std::optional<net::Cidr> cidr(const std::string& key, bool required) const {
        const json* v = member(key);
        if (v == nullptr && !required) return std::nullopt;
        std::string text = string(key, required, "a CIDR string");
        if (text.empty()) return std::nullopt;
        auto parsed = net::Cidr::parse(text);
        if (!parsed) {
            doc->error(sub(key), fmt::format("\"{}\" is not a valid IPv4 CIDR; expected a CIDR "
                                             "string such as 10.0.0.0/16",
                                             text));
        }
        return parsed;
    }

    std::optional<net::Ipv4Address> ipv4(const std::string& key, bool required) const {
        const json* v = member(key);
        if (v == nullptr && !required) return std::nullopt;
        std::string text = string(key, required, "an IPv4 address string");
        if (text.empty()) return std::nullopt;
        auto parsed = net::Ipv4Address::parse(text);
        if (!parsed) {
            doc->error(sub(key), fmt::format("\"{}\" is not a valid IPv4 address; expected an "
                                             "address such as 10.0.1.10",
                                             text));
        }
        return parsed;
    }

    std::optional<int> integer(const std::string& key, bool required) const {
        const json* v = member(key);
        if (v == nullptr) {
            if (required) doc->error(sub(key), "missing; expected a number");
            return std::nullopt;
        }
        if (!v->is_number_integer()) {
            doc->error(sub(key), fmt::format("expected a whole number, found {}", a_type_name(*v)));
            return std::nullopt;
        }
        return v->get<int>();
    }

    // A whole number in [lo, hi].
    std::optional<int> integer_in(const std::string& key, bool required, long lo, long hi,
                                  const std::string& what) const {
        const json* v = member(key);
        if (v != nullptr && v->is_number_integer()) {
            long long value = v->get<long long>();
            if (value < lo || value > hi) {
                doc->error(sub(key), fmt::format("{} is out of range; expected {} from {} to {}",
                                                 value, what, lo, hi));
                return std::nullopt;
            }
            return static_cast<int>(value);
        }
        return integer(key, required);
    }

    std::optional<bool> boolean(const std::string& key, bool required) const {
        const json* v = member(key);
        if (v == nullptr) {
            if (required) doc->error(sub(key), "missing; expected true or false");
            return std::nullopt;
        }
        if (!v->is_boolean()) {
            doc->error(sub(key), fmt::format("expected true or false, found {}", a_type_name(*v)));
            return std::nullopt;
        }
        return v->get<bool>();
    }

    // The elements of a list field; empty when absent (or an error when required).
    std::vector<Node> list(const std::string& key, bool required) const {
        std::vector<Node> items;
        const json* v = member(key);
        if (v == nullptr) {
            if (required) doc->error(sub(key), "missing; expected a list");
            return items;
        }
        if (!v->is_array()) {
            doc->error(sub(key), fmt::format("expected a list, found {}", a_type_name(*v)));
            return items;
        }
        for (std::size_t i = 0; i < v->size(); ++i) {
            items.push_back({&(*v)[i], fmt::format("{}.{}[{}]", path, key, i), doc});
        }
        return items;
    }

    // An object field, or an empty node when absent.
    std::optional<Node> object(const std::string& key, bool required) const {
        const json* v = member(key);
        if (v == nullptr) {
            if (required) doc->error(sub(key), "missing; expected an object");
            return std::nullopt;
        }
        if (!v->is_object()) {
            doc->error(sub(key), fmt::format("expected an object, found {}", a_type_name(*v)));
            return std::nullopt;
        }
        return Node{v, sub(key), doc};
    }

    bool is_object() const {
        if (j->is_object()) return true;
        doc->error(path, fmt::format("expected an object, found {}", a_type_name(*j)));
        return false;
    }

    // The Name tag from Tags (most calls) or TagSet (describe-network-interfaces).
    std::string name_tag() const {
        for (const char* key : {"Tags", "TagSet"}) {
            for (const Node& tag : list(key, false)) {
                if (!tag.is_object()) continue;
                if (tag.string("Key", true) == "Name") return tag.string("Value", false);
            }
        }
        return {};
    }

    Resource resource(const std::string& id_key) const {
        Resource r;
        r.id = string(id_key, true);
        r.name_tag = name_tag();
        r.account = string("OwnerId", false);
        if (r.account.empty()) r.account = doc->account;
        r.region = doc->region;
        r.where = where();
        return r;
    }
};

void read_vpc(const Node& n) {
    Vpc vpc;
    vpc.r = n.resource("VpcId");
    auto primary = n.cidr("CidrBlock", true);
    if (primary) vpc.cidr = *primary;
    for (const Node& assoc : n.list("CidrBlockAssociationSet", false)) {
        if (!assoc.is_object()) continue;
        auto cidr = assoc.cidr("CidrBlock", true);
        std::string state;
        if (auto st = assoc.object("CidrBlockState", false)) state = st->string("State", false);
        // AWS: vpc-cidr-blocks — only associated blocks are usable.
        if (!state.empty() && state != "associated") continue;
        if (cidr && (!primary || *cidr != *primary)) vpc.secondary.push_back(*cidr);
    }
    if (!n.list("Ipv6CidrBlockAssociationSet", false).empty()) {
        n.doc->inv().not_modelled["VPC IPv6 CIDR blocks"] +=
            static_cast<int>(n.list("Ipv6CidrBlockAssociationSet", false).size());
    }
    n.doc->inv().vpcs.push_back(std::move(vpc));
}

void read_subnet(const Node& n) {
    Subnet s;
    s.r = n.resource("SubnetId");
    s.vpc_id = n.string("VpcId", true);
    if (auto c = n.cidr("CidrBlock", true)) s.cidr = *c;
    s.az = n.string("AvailabilityZone", false);
    if (!n.list("Ipv6CidrBlockAssociationSet", false).empty()) {
        n.doc->inv().not_modelled["subnet IPv6 CIDR blocks"] += 1;
    }
    n.doc->inv().subnets.push_back(std::move(s));
}

void read_internet_gateway(const Node& n) {
    InternetGateway igw;
    igw.r = n.resource("InternetGatewayId");
    for (const Node& a : n.list("Attachments", false)) {
        if (!a.is_object()) continue;
        std::string vpc = a.string("VpcId", true);
        std::string state = a.string("State", false);
        // describe-internet-gateways says "available" for an attached gateway.
        if (state.empty() || state == "available" || state == "attached") {
            igw.attached_vpcs.push_back(vpc);
        }
    }
    n.doc->inv().internet_gateways.push_back(std::move(igw));
}

Route read_route(const Node& n) {
    Route r;
    r.where = n.where();
    r.destination = n.cidr("DestinationCidrBlock", false);
    if (!r.destination) {
        std::string v6 = n.string("DestinationIpv6CidrBlock", false);
        std::string pl = n.string("DestinationPrefixListId", false);
        if (!v6.empty()) {
            r.other_destination = v6;
        } else if (!pl.empty()) {
            r.other_destination = pl;
        } else if (n.member("DestinationCidrBlock") == nullptr) {
            n.doc->error(n.sub("DestinationCidrBlock"),
                         "missing; expected a CIDR string (or DestinationIpv6CidrBlock or "
                         "DestinationPrefixListId)");
        }
    }
    r.gateway_id = n.string("GatewayId", false);
    r.nat_gateway_id = n.string("NatGatewayId", false);
    r.instance_id = n.string("InstanceId", false);
    r.network_interface_id = n.string("NetworkInterfaceId", false);
    r.peering_id = n.string("VpcPeeringConnectionId", false);
    static const std::pair<const char*, const char*> others[] = {
        {"TransitGatewayId", "transit gateway"},
        {"LocalGatewayId", "local gateway"},
        {"CarrierGatewayId", "carrier gateway"},
        {"EgressOnlyInternetGatewayId", "egress-only internet gateway"},
        {"CoreNetworkArn", "core network"},
        {"VpcEndpointId", "VPC endpoint"},
    };
    for (const auto& [key, kind] : others) {
        std::string id = n.string(key, false);
        if (!id.empty()) {
            r.other_target_kind = kind;
            r.other_target_id = id;
            break;
        }
    }
    r.state = n.string("State", false);
    r.origin = n.string("Origin", false);
    return r;
}

void read_route_table(const Node& n) {
    RouteTable t;
    t.r = n.resource("RouteTableId");
    t.vpc_id = n.string("VpcId", true);
    for (const Node& a : n.list("Associations", false)) {
        if (!a.is_object()) continue;
        std::string state;
        if (auto st = a.object("AssociationState", false)) state = st->string("State", false);
        if (!state.empty() && state != "associated" && state != "associating") continue;
        if (a.boolean("Main", false).value_or(false)) t.main = true;
        std::string subnet = a.string("SubnetId", false);
        std::string gateway = a.string("GatewayId", false);
        if (!subnet.empty()) t.subnet_ids.push_back(subnet);
        if (!gateway.empty()) t.gateway_ids.push_back(gateway);
    }
    for (const Node& r : n.list("Routes", false)) {
        if (r.is_object()) t.routes.push_back(read_route(r));
    }
    n.doc->inv().route_tables.push_back(std::move(t));
}

void read_network_acl(const Node& n) {
    NetworkAcl acl;
    acl.r = n.resource("NetworkAclId");
    acl.vpc_id = n.string("VpcId", true);
    acl.is_default = n.boolean("IsDefault", false).value_or(false);
    for (const Node& e : n.list("Entries", false)) {
        if (!e.is_object()) continue;
        AclEntry entry;
        entry.where = e.where();
        // AWS: vpc-network-acls — rules are numbered 1-32766, 32767 is the final '*' rule.
        entry.number = e.integer_in("RuleNumber", true, 1, 32767, "a rule number").value_or(0);
        entry.egress = e.boolean("Egress", true).value_or(false);
        std::string action = e.string("RuleAction", true, "allow or deny");
        if (action != "allow" && action != "deny" && !action.empty()) {
            e.doc->error(
                e.sub("RuleAction"),
                fmt::format("\"{}\" is not a rule action; expected allow or deny", action));
        }
        entry.allow = action == "allow";
        entry.protocol = e.string("Protocol", true, "a protocol number as a string, or \"-1\"");
        entry.cidr = e.cidr("CidrBlock", false);
        entry.ipv6_cidr = e.string("Ipv6CidrBlock", false);
        if (!entry.cidr && e.member("Ipv6CidrBlock") == nullptr &&
            e.member("CidrBlock") == nullptr) {
            e.doc->error(e.sub("CidrBlock"), "missing; expected a CIDR string");
        }
        if (auto pr = e.object("PortRange", false)) {
            auto from = pr->integer_in("From", true, 0, 65535, "a port");
            auto to = pr->integer_in("To", true, 0, 65535, "a port");
            if (from && to) entry.ports = std::pair{*from, *to};
        }
        if (auto ic = e.object("IcmpTypeCode", false)) {
            entry.icmp =
                std::pair{ic->integer_in("Type", false, -1, 255, "an ICMP type").value_or(-1),
                          ic->integer_in("Code", false, -1, 255, "an ICMP code").value_or(-1)};
        }
        acl.entries.push_back(std::move(entry));
    }
    for (const Node& a : n.list("Associations", false)) {
        if (!a.is_object()) continue;
        std::string subnet = a.string("SubnetId", true);
        if (!subnet.empty()) acl.subnet_ids.push_back(subnet);
    }
    n.doc->inv().network_acls.push_back(std::move(acl));
}

void read_permissions(const Node& n, const std::string& key, std::vector<SgRule>& rules) {
    for (const Node& p : n.list(key, false)) {
        if (!p.is_object()) continue;
        SgRule base;
        base.protocol = p.string("IpProtocol", true, "a protocol name or number, or \"-1\"");
        // Ports, or for ICMP the type and code; -1 means all.
        base.from_port = p.integer_in("FromPort", false, -1, 65535, "a port").value_or(-1);
        base.to_port = p.integer_in("ToPort", false, -1, 65535, "a port").value_or(-1);
        for (const Node& range : p.list("IpRanges", false)) {
            if (!range.is_object()) continue;
            SgRule rule = base;
            rule.where = range.where();
            rule.peer_kind = SgRule::PeerKind::Cidr;
            if (auto c = range.cidr("CidrIp", true)) rule.cidr = *c;
            rule.description = range.string("Description", false);
            rules.push_back(std::move(rule));
        }
        for (const Node& range : p.list("Ipv6Ranges", false)) {
            if (!range.is_object()) continue;
            SgRule rule = base;
            rule.where = range.where();
            rule.peer_kind = SgRule::PeerKind::Ipv6;
            rule.description = range.string("CidrIpv6", true, "an IPv6 CIDR string");
            rules.push_back(std::move(rule));
        }
        for (const Node& pl : p.list("PrefixListIds", false)) {
            if (!pl.is_object()) continue;
            SgRule rule = base;
            rule.where = pl.where();
            rule.peer_kind = SgRule::PeerKind::PrefixList;
            rule.prefix_list_id = pl.string("PrefixListId", true);
            rule.description = pl.string("Description", false);
            rules.push_back(std::move(rule));
        }
        for (const Node& pair : p.list("UserIdGroupPairs", false)) {
            if (!pair.is_object()) continue;
            SgRule rule = base;
            rule.where = pair.where();
            rule.peer_kind = SgRule::PeerKind::Group;
            rule.group_id = pair.string("GroupId", true);
            rule.group_account = pair.string("UserId", false);
            // The console writes a group of another account as ACCOUNT/sg-id.
            if (auto slash = rule.group_id.find('/'); slash != std::string::npos) {
                rule.group_account = rule.group_id.substr(0, slash);
                rule.group_id = rule.group_id.substr(slash + 1);
            }
            rule.description = pair.string("Description", false);
            rules.push_back(std::move(rule));
        }
    }
}

void read_security_group(const Node& n) {
    SecurityGroup sg;
    sg.r = n.resource("GroupId");
    sg.vpc_id = n.string("VpcId", true);
    sg.group_name = n.string("GroupName", false);
    read_permissions(n, "IpPermissions", sg.ingress);
    read_permissions(n, "IpPermissionsEgress", sg.egress);
    n.doc->inv().security_groups.push_back(std::move(sg));
}

void read_nat_gateway(const Node& n) {
    NatGateway nat;
    nat.r = n.resource("NatGatewayId");
    nat.vpc_id = n.string("VpcId", true);
    nat.subnet_id = n.string("SubnetId", true);
    nat.state = n.string("State", false);
    nat.connectivity_type = n.string("ConnectivityType", false);
    if (nat.connectivity_type.empty()) nat.connectivity_type = "public";
    for (const Node& a : n.list("NatGatewayAddresses", false)) {
        if (!a.is_object()) continue;
        NatAddress addr;
        addr.allocation_id = a.string("AllocationId", false);
        addr.network_interface_id = a.string("NetworkInterfaceId", false);
        addr.private_ip = a.ipv4("PrivateIp", false);
        addr.public_ip = a.ipv4("PublicIp", false);
        addr.primary = a.boolean("IsPrimary", false).value_or(nat.addresses.empty());
        nat.addresses.push_back(std::move(addr));
    }
    n.doc->inv().nat_gateways.push_back(std::move(nat));
}

// An ENI from describe-network-interfaces, or one nested in describe-instances (`instance_id`
// set, some fields absent there).
NetworkInterface read_eni(const Node& n, const std::string& instance_id) {
    NetworkInterface eni;
    eni.r = n.resource("NetworkInterfaceId");
    eni.vpc_id = n.string("VpcId", instance_id.empty());
    eni.subnet_id = n.string("SubnetId", true);
    eni.az = n.string("AvailabilityZone", false);
    eni.type = n.string("InterfaceType", false);
    if (eni.type.empty()) eni.type = "interface";
    eni.status = n.string("Status", false);
    eni.description = n.string("Description", false);
    eni.instance_id = instance_id;
    if (auto att = n.object("Attachment", false)) {
        std::string attached_to = att->string("InstanceId", false);
        if (!attached_to.empty()) eni.instance_id = attached_to;
        eni.device_index = att->integer("DeviceIndex", false).value_or(0);
    }
    auto primary = n.ipv4("PrivateIpAddress", true);
    if (primary) eni.private_ips.push_back(*primary);
    for (const Node& p : n.list("PrivateIpAddresses", false)) {
        if (!p.is_object()) continue;
        auto ip = p.ipv4("PrivateIpAddress", true);
        bool is_primary =
            p.boolean("Primary", false).value_or(false) || (ip && primary && *ip == *primary);
        if (ip && !is_primary) eni.private_ips.push_back(*ip);
        if (auto assoc = p.object("Association", false); assoc && !is_primary) {
            std::string pub = assoc->string("PublicIp", false);
            if (!pub.empty()) eni.secondary_public_ips.push_back(pub);
        }
    }
    if (auto assoc = n.object("Association", false)) {
        eni.public_ip = assoc->ipv4("PublicIp", false);
        eni.public_allocation_id = assoc->string("AllocationId", false);
        eni.public_ip_owner = assoc->string("IpOwnerId", false);
    }
    for (const Node& g : n.list("Groups", false)) {
        if (!g.is_object()) continue;
        std::string id = g.string("GroupId", true);
        if (!id.empty()) eni.group_ids.push_back(id);
    }
    eni.source_dest_check = n.boolean("SourceDestCheck", false).value_or(true);
    // AWS: EC2 API ConnectionTrackingConfiguration — the interface's idle timeouts.
    if (auto ct = n.object("ConnectionTrackingConfiguration", false)) {
        using namespace model::cloud;
        eni.tcp_established_timeout =
            ct->integer_in("TcpEstablishedTimeout", false, kTcpEstablishedTimeout.min,
                           kTcpEstablishedTimeout.max, "a TCP established timeout in seconds");
        eni.udp_stream_timeout =
            ct->integer_in("UdpStreamTimeout", false, kUdpStreamTimeout.min, kUdpStreamTimeout.max,
                           "a UDP stream timeout in seconds");
        eni.udp_timeout = ct->integer_in("UdpTimeout", false, kUdpTimeout.min, kUdpTimeout.max,
                                         "a UDP timeout in seconds");
    }
    return eni;
}

void read_reservation(const Node& n) {
    std::string owner = n.string("OwnerId", false);
    for (const Node& i : n.list("Instances", true)) {
        if (!i.is_object()) continue;
        Instance inst;
        inst.r = i.resource("InstanceId");
        if (!owner.empty()) inst.r.account = owner;
        if (auto st = i.object("State", false)) inst.state = st->string("Name", true);
        if (inst.state.empty()) inst.state = "running";
        std::vector<NetworkInterface> enis;
        for (const Node& e : i.list("NetworkInterfaces", false)) {
            if (!e.is_object()) continue;
            NetworkInterface eni = read_eni(e, inst.r.id);
            if (eni.r.account.empty() || eni.r.account == i.doc->account)
                eni.r.account = inst.r.account;
            enis.push_back(std::move(eni));
        }
        std::stable_sort(enis.begin(), enis.end(), [](const auto& a, const auto& b) {
            return a.device_index < b.device_index;
        });
        for (auto& eni : enis) {
            inst.eni_ids.push_back(eni.r.id);
            n.doc->inv().instance_network_interfaces.push_back(std::move(eni));
        }
        n.doc->inv().instances.push_back(std::move(inst));
    }
}

void read_address(const Node& n) {
    Address a;
    a.r = n.resource("AllocationId");
    if (a.r.account.empty()) a.r.account = n.string("NetworkInterfaceOwnerId", false);
    if (auto ip = n.ipv4("PublicIp", true)) a.public_ip = *ip;
    a.association_id = n.string("AssociationId", false);
    a.network_interface_id = n.string("NetworkInterfaceId", false);
    a.instance_id = n.string("InstanceId", false);
    a.private_ip = n.ipv4("PrivateIpAddress", false);
    n.doc->inv().addresses.push_back(std::move(a));
}

PeeringSide read_peering_side(const Node& n) {
    PeeringSide side;
    side.vpc_id = n.string("VpcId", true);
    side.account = n.string("OwnerId", false);
    side.region = n.string("Region", false);
    if (auto c = n.cidr("CidrBlock", false)) side.cidrs.push_back(*c);
    for (const Node& b : n.list("CidrBlockSet", false)) {
        if (!b.is_object()) continue;
        auto c = b.cidr("CidrBlock", true);
        if (c && std::find(side.cidrs.begin(), side.cidrs.end(), *c) == side.cidrs.end()) {
            side.cidrs.push_back(*c);
        }
    }
    return side;
}

void read_peering(const Node& n) {
    Peering p;
    p.r = n.resource("VpcPeeringConnectionId");
    if (auto req = n.object("RequesterVpcInfo", true)) p.requester = read_peering_side(*req);
    if (auto acc = n.object("AccepterVpcInfo", true)) p.accepter = read_peering_side(*acc);
    if (auto st = n.object("Status", true)) p.status = st->string("Code", true);
    // The side's account is the natural owner of the peering record.
    if (p.r.account.empty()) p.r.account = p.requester.account;
    n.doc->inv().peerings.push_back(std::move(p));
}

void read_prefix_list(const Node& n) {
    PrefixList pl;
    pl.r = n.resource("PrefixListId");
    pl.list_name = n.string("PrefixListName", false);
    // describe-prefix-lists (AWS-managed service lists) carries Cidrs; the managed lists of
    // describe-managed-prefix-lists need get-managed-prefix-list-entries for theirs.
    if (n.member("Cidrs") != nullptr) {
        std::vector<net::Cidr> cidrs;
        const json* v = n.member("Cidrs");
        if (!v->is_array()) {
            n.doc->error(n.sub("Cidrs"), fmt::format("expected a list, found {}", a_type_name(*v)));
        } else {
            for (std::size_t i = 0; i < v->size(); ++i) {
                const json& c = (*v)[i];
                std::string path = fmt::format("{}.Cidrs[{}]", n.path, i);
                auto parsed = c.is_string() ? net::Cidr::parse(c.get<std::string>()) : std::nullopt;
                if (!parsed) {
                    n.doc->error(path, "expected a CIDR string such as 10.0.0.0/16");
                } else {
                    cidrs.push_back(*parsed);
                }
            }
        }
        pl.cidrs = std::move(cidrs);
    }
    n.doc->inv().prefix_lists.push_back(std::move(pl));
}

// get-managed-prefix-list-entries prints only {"Entries": [...]}: the list's id must come from
// the file name (pl-0123abcd-entries.json) or a PrefixListId key beside Entries.
void read_prefix_list_entries(const Node& root, const Doc& doc) {
    std::string pl_id = root.string("PrefixListId", false);
    if (pl_id.empty()) {
        static const std::regex pattern("pl-[0-9a-fA-F]+");
        std::smatch m;
        std::string base = fs::path(doc.file).filename().string();
        if (std::regex_search(base, m, pattern)) pl_id = m.str();
    }
    if (pl_id.empty()) {
        doc.error("$.Entries",
                  "cannot tell which prefix list these entries belong to; expected the prefix "
                  "list id (pl-...) in the file name or a PrefixListId key");
        return;
    }
    auto& cidrs = doc.inv().prefix_list_entries[pl_id];
    for (const Node& e : root.list("Entries", true)) {
        if (!e.is_object()) continue;
        if (auto c = e.cidr("Cidr", true)) cidrs.push_back(*c);
    }
}

void read_list(const Node& root, const std::string& key, void (*read_one)(const Node&)) {
    for (const Node& item : root.list(key, true)) {
        if (item.is_object()) read_one(item);
    }
}

}  // namespace

bool looks_like_region(std::string_view name) {
    static const std::regex pattern("[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+");
    return std::regex_match(name.begin(), name.end(), pattern);
}

void read_aws_document(std::string_view text, const std::string& file, const std::string& region,
                       const std::string& account, ReadResult& result) {
    Doc doc{file, region, account, &result};
    json root;
    try {
        root = json::parse(text.begin(), text.end());
    } catch (const json::parse_error& e) {
        std::string what = e.what();
        // Drop the library's "[json.exception.parse_error.101] " prefix.
        if (auto pos = what.find("] "); pos != std::string::npos) what = what.substr(pos + 2);
        result.errors.push_back(fmt::format("{}: malformed JSON: {}", file, what));
        return;
    }
    Node node{&root, "$", &doc};
    if (!root.is_object()) {
        doc.error("$", fmt::format("expected an object with a top-level key such as Vpcs or "
                                   "Subnets, found {}",
                                   a_type_name(root)));
        return;
    }
    if (!region.empty() &&
        std::find(result.inventory.regions.begin(), result.inventory.regions.end(), region) ==
            result.inventory.regions.end()) {
        result.inventory.regions.push_back(region);
    }
    ++result.inventory.files_read;
    for (const auto& [key, value] : root.items()) {
        if (key == "Vpcs") {
            read_list(node, key, read_vpc);
        } else if (key == "Subnets") {
            read_list(node, key, read_subnet);
        } else if (key == "InternetGateways") {
            read_list(node, key, read_internet_gateway);
        } else if (key == "RouteTables") {
            read_list(node, key, read_route_table);
        } else if (key == "NetworkAcls") {
            read_list(node, key, read_network_acl);
        } else if (key == "SecurityGroups") {
            read_list(node, key, read_security_group);
        } else if (key == "NatGateways") {
            read_list(node, key, read_nat_gateway);
        } else if (key == "NetworkInterfaces") {
            for (const Node& item : node.list(key, true)) {
                if (item.is_object()) {
                    result.inventory.network_interfaces.push_back(read_eni(item, ""));
                }
            }
        } else if (key == "Reservations") {
            read_list(node, key, read_reservation);
        } else if (key == "Addresses") {
            read_list(node, key, read_address);
        } else if (key == "VpcPeeringConnections") {
            read_list(node, key, read_peering);
        } else if (key == "PrefixLists") {
            read_list(node, key, read_prefix_list);
        } else if (key == "Entries") {
            read_prefix_list_entries(node, doc);
        } else if (ignored_key(key)) {
            continue;
        } else {
            auto known = unmodelled_keys().find(key);
            std::string label = known != unmodelled_keys().end() ? known->second : key;
            int count = value.is_array() ? static_cast<int>(value.size()) : 1;
            result.inventory.not_modelled[label] += count;
        }
    }
}

ReadResult read_aws_dir(const std::string& dir, const std::string& default_region) {
    ReadResult result;
    std::error_code ec;
    if (!fs::is_directory(dir, ec)) {
        result.errors.push_back(
            fmt::format("{}: not a folder; expected a folder of describe-* "
                        "JSON files",
                        dir));
        return result;
    }
    std::vector<fs::path> files;
    for (auto it = fs::recursive_directory_iterator(dir, ec); !ec && it != fs::end(it);
         it.increment(ec)) {
        if (it->is_regular_file() && it->path().extension() == ".json") files.push_back(it->path());
    }
    if (ec) {
        result.errors.push_back(fmt::format("{}: cannot list the folder: {}", dir, ec.message()));
        return result;
    }
    std::sort(files.begin(), files.end());
    if (files.empty()) {
        result.errors.push_back(
            fmt::format("{}: no .json files; expected the output of "
                        "'aws ec2 describe-*' calls",
                        dir));
        return result;
    }
    for (const fs::path& path : files) {
        fs::path rel = fs::relative(path, dir, ec);
        if (ec) rel = path.filename();
        // The layout: .../accounts/<account-id>/... and a folder named after a region.
        std::string region;
        std::string account;
        std::vector<std::string> parts;
        for (const auto& part : rel.parent_path()) parts.push_back(part.string());
        for (std::size_t i = 0; i < parts.size(); ++i) {
            if (parts[i] == "accounts" && i + 1 < parts.size()) account = parts[i + 1];
            if (looks_like_region(parts[i])) region = parts[i];
        }
        if (region.empty()) region = default_region;
        std::ifstream in(path, std::ios::binary);
        if (!in) {
            result.errors.push_back(fmt::format("{}: cannot be read", rel.generic_string()));
            continue;
        }
        std::ostringstream text;
        text << in.rdbuf();
        read_aws_document(text.str(), rel.generic_string(), region, account, result);
    }
    return result;
}

}  // namespace vpcstack::importers::aws
