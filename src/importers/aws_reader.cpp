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
        {"LoadBalancerDescriptions", "classic load balancers"},
        {"LaunchConfigurations", "launch configurations"},
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
    // PrefixListId, TargetGroupArn and LoadBalancerArn name the owner of the list beside them.
    // VpcId names the VPC of describe-vpc-attribute; DelegationSet (get-hosted-zone) and the
    // paging keys of Route 53 carry nothing modelled.
    return key == "NextToken" || key == "ResponseMetadata" || key == "PrefixListId" ||
           key == "TargetGroupArn" || key == "LoadBalancerArn" || key == "VpcId" ||
           key == "DelegationSet" || key == "IsTruncated" || key == "MaxItems" || key == "Marker" ||
           key == "NextMarker" || key == "NextRecordName" || key == "NextRecordType" ||
           key == "NextRecordIdentifier" || key == "HostedZoneId";
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

    // A list of strings; empty when absent.
    std::vector<std::string> strings(const std::string& key) const {
        std::vector<std::string> out;
        for (const Node& item : list(key, false)) {
            if (!item.j->is_string()) {
                doc->error(item.path,
                           fmt::format("expected a string, found {}", a_type_name(*item.j)));
                continue;
            }
            out.push_back(item.j->get<std::string>());
        }
        return out;
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
    vpc.is_default = n.boolean("IsDefault", false).value_or(false);
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
        for (const Node& tag : i.list("Tags", false)) {
            if (tag.is_object() && tag.string("Key", false) == "aws:autoscaling:groupName") {
                inst.auto_scaling_group = tag.string("Value", false);
            }
        }
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

// ---- Elastic Load Balancing v2 ----

// The parts of an ARN: arn:PARTITION:SERVICE:REGION:ACCOUNT:RESOURCE.
std::string arn_part(const std::string& arn, int index) {
    std::size_t start = 0;
    for (int i = 0; i < index; ++i) {
        start = arn.find(':', start);
        if (start == std::string::npos) return {};
        ++start;
    }
    if (index == 5) return arn.substr(start);
    std::size_t end = arn.find(':', start);
    return arn.substr(start, end == std::string::npos ? std::string::npos : end - start);
}

// A resource of a service whose records carry no OwnerId: the account and region come from
// the ARN when the folder layout does not give them.
Resource arn_resource(const Node& n, const std::string& arn_key) {
    Resource r = n.resource(arn_key);
    if (r.account.empty()) r.account = arn_part(r.id, 4);
    if (r.region.empty()) r.region = arn_part(r.id, 3);
    return r;
}

void read_load_balancer(const Node& n) {
    LoadBalancer lb;
    lb.r = arn_resource(n, "LoadBalancerArn");
    lb.lb_name = n.string("LoadBalancerName", true);
    lb.type = n.string("Type", false);
    if (lb.type.empty()) lb.type = "application";
    lb.scheme = n.string("Scheme", false);
    if (lb.scheme.empty()) lb.scheme = "internet-facing";
    lb.vpc_id = n.string("VpcId", true);
    lb.dns_name = n.string("DNSName", false);
    lb.zones_given = n.member("AvailabilityZones") != nullptr;
    for (const Node& z : n.list("AvailabilityZones", false)) {
        if (!z.is_object()) continue;
        LbZone zone;
        zone.where = z.where();
        zone.zone = z.string("ZoneName", false);
        zone.subnet_id = z.string("SubnetId", true);
        for (const Node& a : z.list("LoadBalancerAddresses", false)) {
            if (!a.is_object()) continue;
            if (auto ip = a.ipv4("PrivateIPv4Address", false)) zone.private_ip = ip;
            if (auto ip = a.ipv4("IpAddress", false)) zone.public_ip = ip;
            std::string alloc = a.string("AllocationId", false);
            if (!alloc.empty()) zone.allocation_id = alloc;
        }
        lb.zones.push_back(std::move(zone));
    }
    lb.security_group_ids = n.strings("SecurityGroups");
    n.doc->inv().load_balancers.push_back(std::move(lb));
}

ElbAction read_action(const Node& n) {
    ElbAction a;
    a.where = n.where();
    a.type = n.string("Type", true, "an action type such as forward");
    a.order = n.integer("Order", false);
    std::string single = n.string("TargetGroupArn", false);
    if (auto fc = n.object("ForwardConfig", false)) {
        for (const Node& g : fc->list("TargetGroups", false)) {
            if (!g.is_object()) continue;
            a.target_groups.push_back(
                {g.string("TargetGroupArn", true), g.integer("Weight", false)});
        }
        if (auto st = fc->object("TargetGroupStickinessConfig", false)) {
            if (st->boolean("Enabled", false).value_or(false)) {
                a.stickiness = st->integer("DurationSeconds", true);
            }
        }
    }
    if (a.target_groups.empty() && !single.empty()) a.target_groups.push_back({single, {}});
    if (auto rc = n.object("RedirectConfig", false)) {
        a.protocol = rc->string("Protocol", false);
        a.host = rc->string("Host", false);
        a.port = rc->string("Port", false);
        a.path = rc->string("Path", false);
        a.query = rc->string("Query", false);
        a.status_code = rc->string("StatusCode", true, "HTTP_301 or HTTP_302");
    }
    if (auto fr = n.object("FixedResponseConfig", false)) {
        a.status_code = fr->string("StatusCode", true, "an HTTP status code as a string");
        a.content_type = fr->string("ContentType", false);
        a.message_body = fr->string("MessageBody", false);
    }
    return a;
}

void read_listener(const Node& n) {
    ElbListener l;
    l.where = n.where();
    l.arn = n.string("ListenerArn", true);
    l.load_balancer_arn = n.string("LoadBalancerArn", true);
    l.protocol = n.string("Protocol", false);
    l.port = n.integer_in("Port", false, 1, 65535, "a port").value_or(0);
    for (const Node& c : n.list("Certificates", false)) {
        if (c.is_object()) l.certificate_arns.push_back(c.string("CertificateArn", true));
    }
    for (const Node& a : n.list("DefaultActions", false)) {
        if (a.is_object()) l.default_actions.push_back(read_action(a));
    }
    n.doc->inv().listeners.push_back(std::move(l));
}

// AWS: elasticloadbalancing ARNs — a rule's ARN is its listener's with listener-rule for
// listener and the rule's id appended:
//   arn:...:listener/app/NAME/LB-ID/LISTENER-ID
//   arn:...:listener-rule/app/NAME/LB-ID/LISTENER-ID/RULE-ID
std::string listener_of_rule(const std::string& rule_arn) {
    const std::string marker = ":listener-rule/";
    std::size_t at = rule_arn.find(marker);
    std::size_t last = rule_arn.rfind('/');
    if (at == std::string::npos || last == std::string::npos || last < at + marker.size())
        return {};
    return rule_arn.substr(0, at) + ":listener/" +
           rule_arn.substr(at + marker.size(), last - at - marker.size());
}

void read_rule(const Node& n) {
    ElbRule rule;
    rule.where = n.where();
    rule.arn = n.string("RuleArn", true);
    rule.listener_arn = listener_of_rule(rule.arn);
    if (!rule.arn.empty() && rule.listener_arn.empty()) {
        n.doc->error(n.sub("RuleArn"),
                     fmt::format("\"{}\" is not a listener rule ARN; expected "
                                 "arn:aws:elasticloadbalancing:REGION:ACCOUNT:listener-rule/...",
                                 rule.arn));
    }
    rule.priority = n.string("Priority", true, "a priority as a string, or \"default\"");
    rule.is_default = n.boolean("IsDefault", false).value_or(rule.priority == "default");
    for (const Node& c : n.list("Conditions", false)) {
        if (!c.is_object()) continue;
        ElbCondition cond;
        cond.where = c.where();
        cond.field = c.string("Field", true, "a condition field such as path-pattern");
        // The typed configs of the current API; Values is the older form of host-header and
        // path-pattern conditions.
        static const std::pair<const char*, const char*> configs[] = {
            {"host-header", "HostHeaderConfig"}, {"path-pattern", "PathPatternConfig"},
            {"http-header", "HttpHeaderConfig"}, {"http-request-method", "HttpRequestMethodConfig"},
            {"source-ip", "SourceIpConfig"},
        };
        for (const auto& [field, key] : configs) {
            if (cond.field != field) continue;
            if (auto cfg = c.object(key, false)) {
                cond.values = cfg->strings("Values");
                if (cond.field == "http-header") {
                    cond.header_name = cfg->string("HttpHeaderName", true);
                }
            }
        }
        if (cond.field == "query-string") {
            if (auto cfg = c.object("QueryStringConfig", false)) {
                for (const Node& kv : cfg->list("Values", false)) {
                    if (!kv.is_object()) continue;
                    cond.values.push_back(kv.string("Key", false) + "=" + kv.string("Value", true));
                }
            }
        }
        if (cond.values.empty()) cond.values = c.strings("Values");
        rule.conditions.push_back(std::move(cond));
    }
    for (const Node& a : n.list("Actions", false)) {
        if (a.is_object()) rule.actions.push_back(read_action(a));
    }
    n.doc->inv().rules.push_back(std::move(rule));
}

void read_target_group(const Node& n) {
    TargetGroup g;
    g.r = arn_resource(n, "TargetGroupArn");
    g.group_name = n.string("TargetGroupName", true);
    g.protocol = n.string("Protocol", false);
    g.port = n.integer_in("Port", false, 1, 65535, "a port");
    g.vpc_id = n.string("VpcId", false);
    g.target_type = n.string("TargetType", false);
    if (g.target_type.empty()) g.target_type = "instance";
    g.health_check_protocol = n.string("HealthCheckProtocol", false);
    g.health_check_port = n.string("HealthCheckPort", false);
    g.health_check_path = n.string("HealthCheckPath", false);
    if (auto m = n.object("Matcher", false)) g.matcher = m->string("HttpCode", false);
    g.interval = n.integer("HealthCheckIntervalSeconds", false);
    g.timeout = n.integer("HealthCheckTimeoutSeconds", false);
    g.healthy_threshold = n.integer("HealthyThresholdCount", false);
    g.unhealthy_threshold = n.integer("UnhealthyThresholdCount", false);
    g.load_balancer_arns = n.strings("LoadBalancerArns");
    n.doc->inv().target_groups.push_back(std::move(g));
}

// describe-target-health and describe-*-attributes print only their list: the resource they
// belong to comes from an ARN key beside the list (TargetGroupArn, LoadBalancerArn) or from
// the file name: target-health-NAME.json, target-group-attributes-NAME.json,
// load-balancer-attributes-NAME.json (a describe- prefix allowed).
std::string name_from_file(const Doc& doc, const std::string& prefix) {
    std::string base = fs::path(doc.file).stem().string();
    if (base.rfind("describe-", 0) == 0) base = base.substr(9);
    if (base.rfind(prefix, 0) == 0 && base.size() > prefix.size()) {
        return base.substr(prefix.size());
    }
    return {};
}

ElbOwner owner_of(const Doc& doc, const std::string& arn) {
    ElbOwner o;
    o.arn = arn;
    o.region = doc.region.empty() ? arn_part(arn, 3) : doc.region;
    o.account = doc.account.empty() ? arn_part(arn, 4) : doc.account;
    return o;
}

void read_target_health(const Node& root, const Doc& doc) {
    TargetHealth th;
    th.where = doc.file;
    th.owner = owner_of(doc, root.string("TargetGroupArn", false));
    if (th.owner.arn.empty()) th.owner.name = name_from_file(doc, "target-health-");
    if (th.owner.arn.empty() && th.owner.name.empty()) {
        doc.error("$.TargetHealthDescriptions",
                  "cannot tell which target group these targets belong to; expected the file "
                  "named target-health-GROUP-NAME.json or a TargetGroupArn key");
        return;
    }
    for (const Node& d : root.list("TargetHealthDescriptions", true)) {
        if (!d.is_object()) continue;
        ElbTarget t;
        t.where = d.where();
        if (auto target = d.object("Target", true)) {
            t.id = target->string("Id", true);
            t.port = target->integer_in("Port", false, 1, 65535, "a port");
            t.az = target->string("AvailabilityZone", false);
        }
        if (auto health = d.object("TargetHealth", false)) t.state = health->string("State", false);
        th.targets.push_back(std::move(t));
    }
    doc.inv().target_health.push_back(std::move(th));
}

void read_attributes(const Node& root, const Doc& doc) {
    OwnedAttributes a;
    a.attributes.where = doc.file;
    std::string tg_arn = root.string("TargetGroupArn", false);
    std::string lb_arn = root.string("LoadBalancerArn", false);
    if (!tg_arn.empty()) {
        a.owner = owner_of(doc, tg_arn);
    } else if (!lb_arn.empty()) {
        a.owner = owner_of(doc, lb_arn);
        a.load_balancer = true;
    } else if (std::string tg = name_from_file(doc, "target-group-attributes-"); !tg.empty()) {
        a.owner = owner_of(doc, "");
        a.owner.name = tg;
    } else if (std::string lb = name_from_file(doc, "load-balancer-attributes-"); !lb.empty()) {
        a.owner = owner_of(doc, "");
        a.owner.name = lb;
        a.load_balancer = true;
    } else {
        doc.error("$.Attributes",
                  "cannot tell which target group or load balancer these attributes belong "
                  "to; expected the file named target-group-attributes-NAME.json or "
                  "load-balancer-attributes-NAME.json, or a TargetGroupArn or LoadBalancerArn "
                  "key");
        return;
    }
    for (const Node& kv : root.list("Attributes", true)) {
        if (!kv.is_object()) continue;
        std::string key = kv.string("Key", true);
        if (!key.empty()) a.attributes.values[key] = kv.string("Value", false);
    }
    doc.inv().attributes.push_back(std::move(a));
}

void read_certificate(const Node& n) {
    Certificate c;
    c.arn = n.string("CertificateArn", true);
    c.domain = n.string("DomainName", false);
    n.doc->inv().certificates.push_back(std::move(c));
}

// ---- Auto Scaling and launch templates ----

void read_launch_template(const Node& n) {
    LaunchTemplate lt;
    lt.r = n.resource("LaunchTemplateId");
    lt.template_name = n.string("LaunchTemplateName", false);
    if (auto v = n.integer("DefaultVersionNumber", false)) lt.default_version = *v;
    if (auto v = n.integer("LatestVersionNumber", false)) lt.latest_version = *v;
    n.doc->inv().launch_templates.push_back(std::move(lt));
}

// RFC 4648 base64, as EC2 returns UserData; false when the text is not base64.
bool decode_base64(const std::string& in, std::string& out) {
    static const std::string alphabet =
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    out.clear();
    unsigned buffer = 0;
    int bits = 0;
    std::size_t padding = 0;
    for (char c : in) {
        if (c == '\n' || c == '\r') continue;
        if (c == '=') {
            ++padding;
            continue;
        }
        if (padding > 0) return false;
        std::size_t v = alphabet.find(c);
        if (v == std::string::npos) return false;
        buffer = (buffer << 6) | static_cast<unsigned>(v);
        bits += 6;
        if (bits >= 8) {
            bits -= 8;
            out += static_cast<char>((buffer >> bits) & 0xff);
        }
    }
    return padding <= 2;
}

void read_launch_template_version(const Node& n) {
    LaunchTemplateVersion v;
    v.where = n.where();
    std::string id = n.string("LaunchTemplateId", true);
    v.number = n.integer("VersionNumber", true).value_or(0);
    v.is_default = n.boolean("DefaultVersion", false).value_or(false);
    if (auto data = n.object("LaunchTemplateData", false)) {
        v.security_group_ids = data->strings("SecurityGroupIds");
        if (v.security_group_ids.empty()) {
            for (const Node& eni : data->list("NetworkInterfaces", false)) {
                if (!eni.is_object()) continue;
                if (eni.integer("DeviceIndex", false).value_or(0) != 0) continue;
                v.security_group_ids = eni.strings("Groups");
            }
        }
        std::string encoded = data->string("UserData", false);
        if (!encoded.empty() && !decode_base64(encoded, v.user_data)) {
            v.user_data.clear();
            v.user_data_bad = true;
        }
    }
    n.doc->inv().launch_template_versions[id].push_back(std::move(v));
}

void read_auto_scaling_group(const Node& n) {
    AutoScalingGroup g;
    g.group_name = n.string("AutoScalingGroupName", true);
    // The group's name is the API's key; the ARN is kept as its id when given.
    g.r.id = n.string("AutoScalingGroupARN", false);
    g.r.name_tag = n.name_tag();
    g.r.account = n.doc->account.empty() ? arn_part(g.r.id, 4) : n.doc->account;
    g.r.region = n.doc->region;
    g.r.where = n.where();
    if (g.r.region.empty()) g.r.region = arn_part(g.r.id, 3);
    if (auto lt = n.object("LaunchTemplate", false)) {
        g.launch_template_id = lt->string("LaunchTemplateId", false);
        g.launch_template_name = lt->string("LaunchTemplateName", false);
        g.launch_template_version = lt->string("Version", false);
    }
    g.mixed_instances = n.member("MixedInstancesPolicy") != nullptr;
    g.launch_configuration = n.string("LaunchConfigurationName", false);
    g.min_size = n.integer("MinSize", true);
    g.max_size = n.integer("MaxSize", true);
    g.desired_capacity = n.integer("DesiredCapacity", false);
    std::string zones = n.string("VPCZoneIdentifier", false);
    std::size_t start = 0;
    while (start < zones.size()) {
        std::size_t comma = zones.find(',', start);
        std::string part =
            zones.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
        part.erase(0, part.find_first_not_of(' '));
        part.erase(part.find_last_not_of(' ') + 1);
        if (!part.empty()) g.subnet_ids.push_back(part);
        if (comma == std::string::npos) break;
        start = comma + 1;
    }
    g.target_group_arns = n.strings("TargetGroupARNs");
    g.load_balancer_names = n.strings("LoadBalancerNames");
    g.health_check_type = n.string("HealthCheckType", false);
    g.health_check_grace_period = n.integer("HealthCheckGracePeriod", false);
    for (const Node& i : n.list("Instances", false)) {
        if (!i.is_object()) continue;
        g.instances.push_back({i.string("InstanceId", true), i.string("AvailabilityZone", false),
                               i.string("LifecycleState", false)});
    }
    n.doc->inv().auto_scaling_groups.push_back(std::move(g));
}

// ---- VPC attributes and Route 53 ----

// describe-vpc-attribute: {"VpcId": ..., "EnableDnsSupport": {"Value": true}}.
void read_vpc_attribute(const Node& root, const std::string& key) {
    VpcAttribute a;
    a.vpc_id = root.string("VpcId", true);
    a.attribute = key == "EnableDnsSupport" ? "enableDnsSupport" : "enableDnsHostnames";
    a.where = root.child(key).where();
    if (auto v = root.object(key, true)) {
        auto value = v->boolean("Value", true);
        if (!value) return;
        a.value = *value;
    } else {
        return;
    }
    root.doc->inv().vpc_attributes.push_back(std::move(a));
}

// "/hostedzone/Z0123" -> "Z0123"; the API prints ids with their resource type.
std::string bare_id(std::string id) {
    for (const char* prefix : {"/hostedzone/", "/healthcheck/", "/change/"}) {
        if (id.rfind(prefix, 0) == 0) return id.substr(std::string(prefix).size());
    }
    return id;
}

// Route 53 escapes characters of names as \ooo (AWS: DomainNameFormat): "\052" is '*'.
std::string decode_dns_name(const std::string& name) {
    std::string out;
    for (std::size_t i = 0; i < name.size(); ++i) {
        if (name[i] == '\\' && i + 3 < name.size() &&
            std::isdigit(static_cast<unsigned char>(name[i + 1])) &&
            std::isdigit(static_cast<unsigned char>(name[i + 2])) &&
            std::isdigit(static_cast<unsigned char>(name[i + 3]))) {
            out += static_cast<char>((name[i + 1] - '0') * 64 + (name[i + 2] - '0') * 8 +
                                     (name[i + 3] - '0'));
            i += 3;
        } else {
            out += name[i];
        }
    }
    return out;
}

void read_hosted_zone(const Node& n) {
    HostedZone z;
    z.r = n.resource("Id");
    z.r.id = bare_id(z.r.id);
    z.name = decode_dns_name(n.string("Name", true, "a domain name such as example.com."));
    if (auto config = n.object("Config", false)) {
        z.is_private = config->boolean("PrivateZone", false).value_or(false);
    }
    n.doc->inv().hosted_zones.push_back(std::move(z));
}

// get-hosted-zone's VPCs: the zone is the HostedZone beside them.
void read_hosted_zone_vpcs(const Node& root) {
    std::string zone_id;
    if (auto z = root.object("HostedZone", false)) zone_id = bare_id(z->string("Id", false));
    if (zone_id.empty()) {
        root.doc->error("$.VPCs",
                        "cannot tell which hosted zone these VPCs belong to; expected the "
                        "output of 'aws route53 get-hosted-zone' with its HostedZone");
        return;
    }
    for (const Node& v : root.list("VPCs", true)) {
        if (!v.is_object()) continue;
        HostedZoneVpc hv;
        hv.zone_id = zone_id;
        hv.vpc_id = v.string("VPCId", true);
        hv.vpc_region = v.string("VPCRegion", false);
        hv.where = v.where();
        root.doc->inv().hosted_zone_vpcs.push_back(std::move(hv));
    }
}

void read_record_sets(const Node& root, const Doc& doc) {
    RecordSetList list;
    list.where = doc.file;
    std::string stem = fs::path(doc.file).stem().string();
    for (const char* prefix : {"list-resource-record-sets-", "resource-record-sets-"}) {
        if (stem.rfind(prefix, 0) == 0 && stem.size() > std::string(prefix).size()) {
            list.zone_id = bare_id(stem.substr(std::string(prefix).size()));
        }
    }
    if (list.zone_id.empty()) list.zone_id = bare_id(root.string("HostedZoneId", false));
    for (const Node& n : root.list("ResourceRecordSets", true)) {
        if (!n.is_object()) continue;
        RecordSet r;
        r.where = n.where();
        r.name = decode_dns_name(n.string("Name", true, "a domain name"));
        r.type = n.string("Type", true, "a record type such as A");
        if (auto ttl = n.member("TTL")) {
            if (ttl->is_number_integer()) {
                r.ttl = ttl->get<long>();
            } else {
                n.integer("TTL", true);  // reports the type
            }
        }
        for (const Node& v : n.list("ResourceRecords", false)) {
            if (!v.is_object()) continue;
            r.values.push_back(v.string("Value", true));
        }
        r.set_identifier = n.string("SetIdentifier", false);
        if (auto w = n.integer_in("Weight", false, 0, 255, "a weight")) r.weight = *w;
        r.failover = n.string("Failover", false, "PRIMARY or SECONDARY");
        if (!r.failover.empty() && r.failover != "PRIMARY" && r.failover != "SECONDARY") {
            doc.error(n.sub("Failover"),
                      fmt::format("\"{}\" is not a failover role; expected PRIMARY or SECONDARY",
                                  r.failover));
        }
        r.multivalue = n.boolean("MultiValueAnswer", false).value_or(false);
        r.latency_region = n.string("Region", false);
        if (auto g = n.object("GeoLocation", false)) {
            r.continent = g->string("ContinentCode", false);
            r.country = g->string("CountryCode", false);
            r.subdivision = g->string("SubdivisionCode", false);
        }
        for (const char* other : {"GeoProximityLocation", "CidrRoutingConfig"}) {
            if (n.member(other) != nullptr) r.other_policy = other;
        }
        r.health_check_id = n.string("HealthCheckId", false);
        if (auto a = n.object("AliasTarget", false)) {
            r.alias = true;
            r.alias_zone_id = bare_id(a->string("HostedZoneId", true));
            r.alias_dns_name = decode_dns_name(a->string("DNSName", true, "a domain name"));
            r.evaluate_target_health = a->boolean("EvaluateTargetHealth", false).value_or(false);
        }
        list.records.push_back(std::move(r));
    }
    doc.inv().record_sets.push_back(std::move(list));
}

void read_route53_health_check(const Node& n) {
    Route53HealthCheck h;
    h.r = n.resource("Id");
    if (auto c = n.object("HealthCheckConfig", true)) {
        h.type = c->string("Type", true, "a health check type such as HTTP");
        h.ip = c->ipv4("IPAddress", false);
        h.domain = c->string("FullyQualifiedDomainName", false);
        h.port = c->integer_in("Port", false, 1, 65535, "a port");
        h.path = c->string("ResourcePath", false);
        h.interval = c->integer("RequestInterval", false);
        h.failure_threshold = c->integer("FailureThreshold", false);
        h.inverted = c->boolean("Inverted", false).value_or(false);
        h.children = c->strings("ChildHealthChecks");
        h.healthy_threshold = c->integer("HealthThreshold", false);
    }
    n.doc->inv().route53_health_checks.push_back(std::move(h));
}

// list-tags-for-resources (ResourceTagSets) and list-tags-for-resource (ResourceTagSet): the
// Name tags of health checks.
void read_tag_set(const Node& n) {
    std::string type = n.string("ResourceType", false);
    std::string id = n.string("ResourceId", true);
    if (type != "healthcheck" || id.empty()) return;
    std::string name = n.name_tag();
    if (!name.empty()) n.doc->inv().health_check_names[id] = name;
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
        } else if (key == "LoadBalancers") {
            read_list(node, key, read_load_balancer);
        } else if (key == "Listeners") {
            read_list(node, key, read_listener);
        } else if (key == "Rules") {
            read_list(node, key, read_rule);
        } else if (key == "TargetGroups") {
            read_list(node, key, read_target_group);
        } else if (key == "TargetHealthDescriptions") {
            read_target_health(node, doc);
        } else if (key == "Attributes") {
            read_attributes(node, doc);
        } else if (key == "Certificate") {
            if (auto c = node.object(key, true)) read_certificate(*c);
        } else if (key == "CertificateSummaryList") {
            read_list(node, key, read_certificate);
        } else if (key == "LaunchTemplates") {
            read_list(node, key, read_launch_template);
        } else if (key == "LaunchTemplateVersions") {
            read_list(node, key, read_launch_template_version);
        } else if (key == "AutoScalingGroups") {
            read_list(node, key, read_auto_scaling_group);
        } else if (key == "EnableDnsSupport" || key == "EnableDnsHostnames") {
            read_vpc_attribute(node, key);
        } else if (key == "HostedZones") {
            read_list(node, key, read_hosted_zone);
        } else if (key == "HostedZone") {
            if (auto z = node.object(key, true)) read_hosted_zone(*z);
        } else if (key == "VPCs") {
            read_hosted_zone_vpcs(node);
        } else if (key == "ResourceRecordSets") {
            read_record_sets(node, doc);
        } else if (key == "HealthChecks") {
            read_list(node, key, read_route53_health_check);
        } else if (key == "ResourceTagSets") {
            read_list(node, key, read_tag_set);
        } else if (key == "ResourceTagSet") {
            if (auto t = node.object(key, true)) read_tag_set(*t);
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
