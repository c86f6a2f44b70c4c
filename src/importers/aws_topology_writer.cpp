#include "vpcstack/importers/aws_topology_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <set>

#include "vpcstack/importers/yaml_text.hpp"
#include "vpcstack/net/protocol.hpp"

namespace vpcstack::importers::aws {

namespace {

// Network interface types that are an instance's own interfaces. Other types belong to
// services (load balancers, endpoints, ...) that are not modelled yet.
bool is_instance_eni_type(const std::string& type) {
    return type == "interface" || type == "efa" || type == "efa-only" || type == "trunk" ||
           type == "branch";
}

// Items with the same id may come from several files (pages, or a peering seen from both
// accounts): the first one read wins.
template <class T>
std::vector<const T*> unique_by_id(const std::vector<T>& items) {
    std::vector<const T*> out;
    std::set<std::string> seen;
    for (const T& item : items) {
        if (seen.insert(item.r.id).second) out.push_back(&item);
    }
    return out;
}

std::string ports_text(int from, int to) {
    if (from < 0 || to < 0 || (from == 0 && to == 65535)) return "";
    if (from == to) return std::to_string(from);
    return fmt::format("{}-{}", from, to);
}

std::string icmp_text(int type, int code) {
    if (type < 0) return "";
    if (code < 0) return std::to_string(type);
    return fmt::format("{}:{}", type, code);
}

// "us-east-1a" -> "us-east-1"; empty when the zone name does not start with a region.
std::string region_of_az(const std::string& az) {
    static const std::regex pattern("^([a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)");
    std::smatch m;
    if (std::regex_search(az, m, pattern)) return m.str(1);
    return {};
}

// Peering status codes of describe-vpc-peering-connections, as the topology names them.
// AWS: vpc-peering-basics — only an active peering carries traffic.
std::string peering_status(const std::string& code) {
    if (code == "active" || code == "rejected" || code == "deleted" || code == "failed" ||
        code == "pending-acceptance") {
        return code;
    }
    if (code == "initiating-request" || code == "provisioning") return "pending-acceptance";
    if (code == "deleting") return "deleted";
    return "failed";  // expired, and anything unknown: not usable
}

// A line of a YAML list, possibly with a trailing comment or commented out entirely.
struct Item {
    std::string text;
    std::string comment;
    bool commented_out = false;
    bool is_yaml = false;  // text is already YAML (a flow map), not a scalar
};

// A protocol as the cloud writes it ("-1", "6", "tcp", "icmpv6") in the topology's terms.
struct ProtocolText {
    std::string name;  // "all", "tcp", "udp", "icmp" or a number; empty when not modelled
    bool has_ports = false;
    bool is_icmp = false;
};

ProtocolText protocol_text(const std::string& aws) {
    if (aws == "icmpv6" || aws == "58") return {};
    auto p = net::Protocol::parse(aws);
    if (!p) return {};
    return {p->to_string(), p->has_ports(), !p->is_all() && p->number() == net::Protocol::kIcmp};
}

class Converter {
  public:
    Converter(const Inventory& inv, const WriteOptions& options) : inv_(inv), options_(options) {}

    WriteResult run() {
        index();
        choose_regions();
        if (!result_.errors.empty()) return std::move(result_);
        name_global_resources();
        for (auto& plan : plans_) plan_vpc(plan);
        plan_instances();
        plan_elastic_ips();
        emit();
        report_counts();
        return std::move(result_);
    }

  private:
    struct InstancePlan {
        std::string name;
        std::string id;
        std::string state;
        std::string comment;
        std::vector<const NetworkInterface*> enis;
    };

    struct VpcPlan {
        const Vpc* vpc = nullptr;
        std::string name;
        std::string region;
        const InternetGateway* igw = nullptr;
        std::vector<const Subnet*> subnets;
        std::vector<const RouteTable*> route_tables;
        std::vector<const NetworkAcl*> acls;
        std::vector<const SecurityGroup*> groups;
        std::vector<const NatGateway*> nats;
        std::vector<InstancePlan> instances;
    };

    void warn(std::string text) { result_.report.warnings.push_back(std::move(text)); }
    void not_modelled(const std::string& what, int count = 1) {
        result_.report.not_modelled[what] += count;
    }
    const std::string& name_of(const std::string& id) const {
        static const std::string none;
        auto it = name_.find(id);
        return it == name_.end() ? none : it->second;
    }
    bool imported(const std::string& id) const { return name_.count(id) != 0; }

    // --- indexing -------------------------------------------------------------------------

    void index() {
        for (const Vpc* v : unique_by_id(inv_.vpcs)) {
            plan_index_[v->r.id] = plans_.size();
            plans_.push_back(VpcPlan{v, {}, v->r.region, nullptr, {}, {}, {}, {}, {}, {}});
        }
        if (plans_.empty()) {
            result_.errors.push_back(
                "no VPC in the input; expected the output of 'aws ec2 describe-vpcs' (a file "
                "with the top-level key Vpcs)");
        }
        for (const Subnet* s : unique_by_id(inv_.subnets)) {
            if (VpcPlan* p = plan_for(s->vpc_id, "subnet", s->r)) p->subnets.push_back(s);
            subnets_[s->r.id] = s;
        }
        for (const RouteTable* t : unique_by_id(inv_.route_tables)) {
            if (VpcPlan* p = plan_for(t->vpc_id, "route table", t->r)) p->route_tables.push_back(t);
        }
        for (const NetworkAcl* a : unique_by_id(inv_.network_acls)) {
            if (VpcPlan* p = plan_for(a->vpc_id, "network ACL", a->r)) p->acls.push_back(a);
        }
        for (const SecurityGroup* g : unique_by_id(inv_.security_groups)) {
            if (VpcPlan* p = plan_for(g->vpc_id, "security group", g->r)) {
                p->groups.push_back(g);
                group_vpc_[g->r.id] = g->vpc_id;
            }
        }
        for (const InternetGateway* igw : unique_by_id(inv_.internet_gateways)) {
            if (igw->attached_vpcs.empty()) {
                warn(fmt::format("internet gateway {} is not attached to a VPC; not imported",
                                 igw->r.id));
                continue;
            }
            for (const std::string& vpc : igw->attached_vpcs) {
                VpcPlan* p = plan_for(vpc, "internet gateway", igw->r);
                if (p != nullptr && p->igw == nullptr) p->igw = igw;
            }
        }
        for (const NatGateway* nat : unique_by_id(inv_.nat_gateways)) {
            if (nat->state == "deleted" || nat->state == "deleting" || nat->state == "failed") {
                warn(fmt::format("NAT gateway {} is {}; not imported", nat->r.id, nat->state));
                continue;
            }
            VpcPlan* p = plan_for(nat->vpc_id, "NAT gateway", nat->r);
            if (p == nullptr) continue;
            if (subnets_.count(nat->subnet_id) == 0) {
                warn(fmt::format("NAT gateway {}: subnet {} is not in the input; not imported",
                                 nat->r.id, nat->subnet_id));
                continue;
            }
            p->nats.push_back(nat);
        }
        // ENIs: describe-network-interfaces first, then those only seen in describe-instances.
        for (const NetworkInterface* e : unique_by_id(inv_.network_interfaces)) {
            enis_[e->r.id] = e;
        }
        for (const NetworkInterface* e : unique_by_id(inv_.instance_network_interfaces)) {
            enis_.emplace(e->r.id, e);
        }
        for (const Address* a : unique_by_id(inv_.addresses)) addresses_.push_back(a);
    }

    VpcPlan* plan_for(const std::string& vpc_id, const char* kind, const Resource& r) {
        auto it = plan_index_.find(vpc_id);
        if (it != plan_index_.end()) return &plans_[it->second];
        warn(fmt::format("{} {} ({}): its VPC {} is not in the input; not imported", kind, r.id,
                         r.where, vpc_id.empty() ? "(none)" : vpc_id));
        return nullptr;
    }

    VpcPlan* plan_of(const std::string& vpc_id) {
        auto it = plan_index_.find(vpc_id);
        return it == plan_index_.end() ? nullptr : &plans_[it->second];
    }

    void choose_regions() {
        std::map<std::string, int> votes;
        for (auto& plan : plans_) {
            if (plan.region.empty()) {
                for (const Subnet* s : plan.subnets) {
                    plan.region = region_of_az(s->az);
                    if (!plan.region.empty()) break;
                }
            }
            if (plan.region.empty()) plan.region = options_.region;
            if (!plan.region.empty()) ++votes[plan.region];
        }
        region_ = options_.region;
        if (region_.empty()) {
            // The region of most VPCs, the first seen on a tie.
            int best = 0;
            for (const auto& plan : plans_) {
                if (!plan.region.empty() && votes[plan.region] > best) {
                    best = votes[plan.region];
                    region_ = plan.region;
                }
            }
        }
        for (auto& plan : plans_) {
            if (plan.region.empty() && region_.empty()) {
                result_.errors.push_back(fmt::format(
                    "{}: VPC {} has no region; name it with --region, or put the files in a "
                    "folder named after their region (DIR/us-east-1/*.json)",
                    plan.vpc->r.where, plan.vpc->r.id));
            } else if (plan.region.empty()) {
                plan.region = region_;
            }
        }
    }

    // --- naming ---------------------------------------------------------------------------

    std::string wanted_name(const Resource& r, const std::string& fallback = "") {
        std::string name = sanitize_name(r.name_tag);
        if (name.empty()) name = sanitize_name(fallback);
        if (name.empty()) name = sanitize_name(r.id);
        return name;
    }

    void name_global_resources() {
        for (auto& plan : plans_) {
            plan.name = vpc_names_.unique(wanted_name(plan.vpc->r));
            name_[plan.vpc->r.id] = plan.name;
            if (plan.igw != nullptr) {
                name_[plan.igw->r.id] = igw_names_.unique(wanted_name(plan.igw->r));
            }
        }
        plan_peerings();
        plan_prefix_lists();
    }

    void plan_vpc(VpcPlan& plan) {
        NameScope subnets;
        NameScope tables;
        NameScope acls;
        NameScope groups;
        NameScope nats;
        // The loader makes "main" / "default" when the input has no main table, default ACL or
        // default group; keep those names free then.
        bool has_main = std::any_of(plan.route_tables.begin(), plan.route_tables.end(),
                                    [](const RouteTable* t) { return t->main; });
        bool has_default_acl = std::any_of(plan.acls.begin(), plan.acls.end(),
                                           [](const NetworkAcl* a) { return a->is_default; });
        bool has_default_sg = std::any_of(plan.groups.begin(), plan.groups.end(),
                                          [](const SecurityGroup* g) { return is_default(*g); });
        if (!has_main) tables.reserve("main");
        if (!has_default_acl) acls.reserve("default");
        if (!has_default_sg) groups.reserve("default");
        for (const Subnet* s : plan.subnets) name_[s->r.id] = subnets.unique(wanted_name(s->r));
        for (const RouteTable* t : plan.route_tables) {
            name_[t->r.id] = tables.unique(wanted_name(t->r));
        }
        for (const NetworkAcl* a : plan.acls) name_[a->r.id] = acls.unique(wanted_name(a->r));
        for (const SecurityGroup* g : plan.groups) {
            name_[g->r.id] = groups.unique(wanted_name(g->r, g->group_name));
        }
        for (const NatGateway* n : plan.nats) name_[n->r.id] = nats.unique(wanted_name(n->r));
    }

    static bool is_default(const SecurityGroup& g) { return g.group_name == "default"; }

    void plan_peerings() {
        std::set<std::pair<std::string, std::string>> pairs;
        std::vector<const Peering*> all = unique_by_id(inv_.peerings);
        // Where two peerings join the same VPCs (a deleted one and its replacement), the
        // active one is kept. AWS: vpc-peering-basics — at most one peering between two VPCs.
        std::stable_sort(all.begin(), all.end(), [](const Peering* a, const Peering* b) {
            return (a->status == "active") > (b->status == "active");
        });
        for (const Peering* p : all) {
            const std::string& a = p->requester.vpc_id;
            const std::string& b = p->accepter.vpc_id;
            std::string missing;
            if (plan_of(a) == nullptr) missing = a;
            if (plan_of(b) == nullptr) missing = missing.empty() ? b : missing + " and " + b;
            if (!missing.empty()) {
                skipped_peerings_[p->r.id] =
                    fmt::format("peering {} ({}) is not imported: VPC {} is not in the input",
                                p->r.id, p->status, missing);
                const PeeringSide& side = plan_of(a) == nullptr ? p->requester : p->accepter;
                warn(fmt::format(
                    "peering {} ({}): VPC {} (account {}, region {}) is not in the input; the "
                    "peering is not imported and routes to it become blackhole routes",
                    p->r.id, p->status, missing, side.account.empty() ? "?" : side.account,
                    side.region.empty() ? "?" : side.region));
                continue;
            }
            auto key = std::minmax(a, b);
            if (!pairs.insert({key.first, key.second}).second) {
                skipped_peerings_[p->r.id] = fmt::format(
                    "peering {} ({}) is not imported: another peering joins the same VPCs", p->r.id,
                    p->status);
                warn(
                    fmt::format("peering {} ({}) joins the same VPCs as another peering; not "
                                "imported",
                                p->r.id, p->status));
                continue;
            }
            if (a == b || cidrs_overlap(*plan_of(a)->vpc, *plan_of(b)->vpc)) {
                skipped_peerings_[p->r.id] = fmt::format(
                    "peering {} ({}) is not imported: its VPCs overlap", p->r.id, p->status);
                warn(fmt::format("peering {} ({}) joins VPCs with overlapping CIDRs; not imported",
                                 p->r.id, p->status));
                continue;
            }
            name_[p->r.id] = peering_names_.unique(wanted_name(p->r));
            peerings_.push_back(p);
            if (peering_status(p->status) == "active")
                active_pairs_.insert({key.first, key.second});
        }
        // Keep the input order in the file.
        std::vector<const Peering*> ordered;
        for (const Peering* p : unique_by_id(inv_.peerings)) {
            if (std::find(peerings_.begin(), peerings_.end(), p) != peerings_.end()) {
                ordered.push_back(p);
            }
        }
        peerings_ = std::move(ordered);
    }

    static bool cidrs_overlap(const Vpc& a, const Vpc& b) {
        std::vector<net::Cidr> ca{a.cidr};
        ca.insert(ca.end(), a.secondary.begin(), a.secondary.end());
        std::vector<net::Cidr> cb{b.cidr};
        cb.insert(cb.end(), b.secondary.begin(), b.secondary.end());
        for (const auto& x : ca) {
            for (const auto& y : cb) {
                if (x.overlaps(y)) return true;
            }
        }
        return false;
    }

    void plan_prefix_lists() {
        for (const PrefixList* pl : unique_by_id(inv_.prefix_lists)) {
            name_[pl->r.id] = prefix_list_names_.unique(wanted_name(pl->r, pl->list_name));
            prefix_lists_.push_back(pl);
        }
        for (const auto& [id, cidrs] : inv_.prefix_list_entries) {
            if (imported(id)) continue;
            synthetic_prefix_lists_.push_back(PrefixList{Resource{id, "", "", "", ""}, "", cidrs});
        }
        for (const PrefixList& pl : synthetic_prefix_lists_) {
            name_[pl.r.id] = prefix_list_names_.unique(wanted_name(pl.r));
            prefix_lists_.push_back(&pl);
        }
    }

    // Instances, and interface ENIs attached to no instance (each made an instance named after
    // the ENI: its address, groups and routes stay meaningful). ENIs of services that are not
    // modelled yet are counted by type.
    void plan_instances() {
        std::map<std::string, std::vector<const NetworkInterface*>> by_instance;
        std::vector<const NetworkInterface*> unattached;
        // Keep the input order: describe-network-interfaces first, then describe-instances.
        std::vector<const NetworkInterface*> ordered;
        std::set<std::string> seen;
        for (const auto* list : {&inv_.network_interfaces, &inv_.instance_network_interfaces}) {
            for (const NetworkInterface& e : *list) {
                if (seen.insert(e.r.id).second) ordered.push_back(enis_.at(e.r.id));
            }
        }
        for (const NetworkInterface* e : ordered) {
            if (e->type == "nat_gateway") continue;  // part of its NAT gateway
            if (!is_instance_eni_type(e->type)) {
                not_modelled(fmt::format("network interfaces of type {}", e->type));
                continue;
            }
            if (subnets_.count(e->subnet_id) == 0 || !imported(e->subnet_id)) {
                warn(
                    fmt::format("network interface {}: subnet {} is not in the input; not "
                                "imported",
                                e->r.id, e->subnet_id));
                continue;
            }
            if (e->private_ips.empty()) continue;  // reported by the reader
            if (e->instance_id.empty()) {
                unattached.push_back(e);
            } else {
                by_instance[e->instance_id].push_back(e);
            }
        }
        NameScope& names = host_names_;
        std::set<std::string> planned;
        for (const Instance* inst : unique_by_id(inv_.instances)) {
            auto found = by_instance.find(inst->r.id);
            if (found == by_instance.end()) {
                warn(
                    fmt::format("instance {} ({}) has no network interface in the input; not "
                                "imported",
                                inst->r.id, inst->state));
                continue;
            }
            add_instance(inst->r, inst->state, "", found->second, inst->eni_ids, names);
            planned.insert(inst->r.id);
        }
        // Attached to an instance that describe-instances did not list.
        for (const auto& [instance_id, enis] : by_instance) {
            if (planned.count(instance_id) != 0) continue;
            warn(
                fmt::format("instance {} is not in describe-instances; imported from its "
                            "network interfaces, assumed running",
                            instance_id));
            Resource r{instance_id, "", enis.front()->r.account, "", enis.front()->r.where};
            add_instance(r, "running", "", enis, {}, names);
        }
        for (const NetworkInterface* e : unattached) {
            // AWS: using-eni — an available (detached) interface carries no traffic.
            std::string state = e->status == "available" ? "stopped" : "running";
            std::string comment =
                fmt::format("network interface {} with no instance attached{}", e->r.id,
                            e->description.empty() ? "" : " (" + e->description + ")");
            Resource r{"", e->r.name_tag, e->r.account, "", e->r.where};
            r.name_tag = e->r.name_tag.empty() ? e->r.id : e->r.name_tag;
            add_instance(r, state, comment, {e}, {}, names);
        }
    }

    void add_instance(const Resource& r, const std::string& state, const std::string& comment,
                      std::vector<const NetworkInterface*> enis,
                      const std::vector<std::string>& order, NameScope& names) {
        // Device index order; the instance record's order breaks ties.
        std::stable_sort(enis.begin(), enis.end(), [&](const auto* a, const auto* b) {
            if (a->device_index != b->device_index) return a->device_index < b->device_index;
            auto pa = std::find(order.begin(), order.end(), a->r.id);
            auto pb = std::find(order.begin(), order.end(), b->r.id);
            return pa < pb;
        });
        VpcPlan* plan = plan_of(subnet_vpc(enis.front()->subnet_id));
        if (plan == nullptr) return;
        InstancePlan ip;
        ip.id = r.id;
        ip.name = names.unique(wanted_name(r));
        ip.state = state;
        ip.comment = comment;
        for (const NetworkInterface* e : enis) {
            if (subnet_vpc(e->subnet_id) != plan->vpc->r.id) {
                not_modelled("network interfaces in another VPC than their instance's");
                continue;
            }
            std::string wanted = sanitize_name(e->r.name_tag);
            if (wanted.empty() || wanted == ip.name) {
                wanted = fmt::format("{}-eth{}", ip.name, e->device_index);
            }
            name_[e->r.id] = names.unique(wanted);
            eni_instance_[e->r.id] = ip.name;
            ip.enis.push_back(e);
        }
        if (!ip.id.empty()) name_[ip.id] = ip.name;
        plan->instances.push_back(std::move(ip));
    }

    std::string subnet_vpc(const std::string& subnet_id) const {
        auto it = subnets_.find(subnet_id);
        return it == subnets_.end() ? std::string() : it->second->vpc_id;
    }

    // Elastic IPs: describe-addresses, plus those only seen on an ENI or NAT gateway.
    // AWS: VPC_Internet_Gateway — an Elastic IP maps 1:1 to the primary private IP.
    void plan_elastic_ips() {
        for (const Address* a : addresses_) {
            eips_.push_back({a->r, a->public_ip});
            eip_by_allocation_[a->r.id] = eips_.size() - 1;
        }
        auto eip_for = [&](const std::string& allocation, net::Ipv4Address ip,
                           const std::string& where) -> std::size_t {
            if (!allocation.empty()) {
                auto it = eip_by_allocation_.find(allocation);
                if (it != eip_by_allocation_.end()) return it->second;
            }
            for (std::size_t i = 0; i < eips_.size(); ++i) {
                if (eips_[i].second == ip) return i;
            }
            Resource r{allocation, "", "", "", where};
            if (r.id.empty()) r.name_tag = "eip-" + ip.to_string();
            eips_.push_back({r, ip});
            if (!allocation.empty()) eip_by_allocation_[allocation] = eips_.size() - 1;
            return eips_.size() - 1;
        };
        // Associations from describe-addresses.
        std::map<std::string, std::size_t> eni_eip;  // ENI id -> EIP
        std::map<std::string, std::size_t> nat_eip;  // NAT id -> EIP
        std::map<std::string, const NatGateway*> nat_by_eni;
        for (auto& plan : plans_) {
            for (const NatGateway* n : plan.nats) {
                for (const NatAddress& a : n->addresses) nat_by_eni[a.network_interface_id] = n;
            }
        }
        for (std::size_t i = 0; i < addresses_.size(); ++i) {
            const Address* a = addresses_[i];
            std::string eni = a->network_interface_id;
            if (eni.empty() || nat_by_eni.count(eni) != 0) continue;
            auto it = enis_.find(eni);
            if (it == enis_.end() || !imported(eni)) continue;
            const NetworkInterface* e = it->second;
            if (a->private_ip && *a->private_ip != e->private_ips.front()) {
                not_modelled("Elastic IPs on secondary private addresses");
                warn(fmt::format(
                    "Elastic IP {} ({}) is associated with secondary address {} of "
                    "{}; imported unassociated",
                    a->r.id, a->public_ip.to_string(), a->private_ip->to_string(), eni));
                continue;
            }
            eni_eip[eni] = eip_by_allocation_.at(a->r.id);
        }
        // Public addresses reported on the ENIs themselves.
        for (auto& plan : plans_) {
            for (InstancePlan& inst : plan.instances) {
                for (const NetworkInterface* e : inst.enis) {
                    if (!e->secondary_public_ips.empty()) {
                        not_modelled("public addresses on secondary private addresses",
                                     static_cast<int>(e->secondary_public_ips.size()));
                    }
                    if (eni_eip.count(e->r.id) != 0 || !e->public_ip) continue;
                    bool elastic = !e->public_allocation_id.empty() ||
                                   (!e->public_ip_owner.empty() && e->public_ip_owner != "amazon");
                    if (elastic) {
                        eni_eip[e->r.id] =
                            eip_for(e->public_allocation_id, *e->public_ip, e->r.where);
                    }
                }
            }
            for (const NatGateway* n : plan.nats) {
                for (const NatAddress& a : n->addresses) {
                    if (!a.primary) {
                        not_modelled("NAT gateway secondary addresses");
                        continue;
                    }
                    if (a.public_ip)
                        nat_eip[n->r.id] = eip_for(a.allocation_id, *a.public_ip, n->r.where);
                }
            }
        }
        NameScope names;
        for (const auto& eip : eips_) eip_names_.push_back(names.unique(wanted_name(eip.first)));
        for (const auto& [eni, i] : eni_eip) eni_eip_name_[eni] = eip_names_[i];
        for (const auto& [nat, i] : nat_eip) nat_eip_name_[nat] = eip_names_[i];
    }

    // --- emitting -------------------------------------------------------------------------

    void line(int indent, const std::string& text) {
        yaml_ += std::string(static_cast<std::size_t>(indent), ' ');
        yaml_ += text;
        yaml_ += '\n';
    }

    void items(int indent, const std::vector<Item>& list) {
        for (const Item& item : list) {
            std::string text = item.commented_out ? "# - " + item.text
                               : item.is_yaml     ? "- " + item.text
                                                  : "- " + yaml_scalar(item.text);
            if (!item.comment.empty()) text += "  # " + item.comment;
            line(indent, text);
        }
    }

    static std::string flow(const std::vector<std::pair<std::string, std::string>>& fields) {
        std::string out = "{";
        for (const auto& [key, value] : fields) {
            if (value.empty()) continue;
            if (out.size() > 1) out += ", ";
            out += key + ": " + value;
        }
        return out + "}";
    }

    static std::string q(const std::string& text) { return yaml_scalar(text, true); }

    void emit() {
        line(0, "# Imported by 'vpcctl import aws' from the output of the EC2 describe-* calls.");
        line(0, "# Names come from Name tags (else the cloud ids); ids are kept as id:.");
        line(0, "region: " + q(region_));
        line(0, "vpcs:");
        for (const VpcPlan& plan : plans_) emit_vpc(plan);
        if (!eips_.empty()) {
            line(0, "elastic_ips:");
            for (std::size_t i = 0; i < eips_.size(); ++i) {
                const Resource& r = eips_[i].first;
                line(2, "- " + flow({{"name", q(eip_names_[i])},
                                     {"id", r.id.empty() ? "" : q(r.id)},
                                     {"address", eips_[i].second.to_string()}}));
            }
        }
        if (!peerings_.empty()) {
            line(0, "peerings:");
            for (const Peering* p : peerings_) {
                std::string status = peering_status(p->status);
                std::string text = "- " + flow({{"name", q(name_of(p->r.id))},
                                                {"id", q(p->r.id)},
                                                {"requester", q(name_of(p->requester.vpc_id))},
                                                {"accepter", q(name_of(p->accepter.vpc_id))},
                                                {"status", status}});
                if (status != p->status) text += "  # " + p->status + " in the cloud";
                line(2, text);
            }
        }
        if (!prefix_lists_.empty()) {
            line(0, "prefix_lists:");
            for (const PrefixList* pl : prefix_lists_) {
                std::vector<net::Cidr> cidrs;
                bool known = true;
                if (pl->cidrs) {
                    cidrs = *pl->cidrs;
                } else if (auto it = inv_.prefix_list_entries.find(pl->r.id);
                           it != inv_.prefix_list_entries.end()) {
                    cidrs = it->second;
                } else {
                    known = false;
                    warn(
                        fmt::format("prefix list {}: its entries are not in the input (save "
                                    "'aws ec2 get-managed-prefix-list-entries' as {}.json); "
                                    "imported empty",
                                    pl->r.id, pl->r.id));
                }
                std::string list;
                for (const auto& c : cidrs) list += (list.empty() ? "" : ", ") + c.to_string();
                std::string text = "- " + flow({{"name", q(name_of(pl->r.id))},
                                                {"id", q(pl->r.id)},
                                                {"cidrs", "[" + list + "]"}});
                if (!known) text += "  # entries not in the input";
                line(2, text);
            }
        }
        result_.yaml = std::move(yaml_);
    }

    void emit_vpc(const VpcPlan& plan) {
        const Vpc& vpc = *plan.vpc;
        line(2, "- name: " + q(plan.name));
        line(4, "id: " + q(vpc.r.id));
        if (plan.region != region_) line(4, "region: " + q(plan.region));
        if (!vpc.r.account.empty()) line(4, "account: " + q(vpc.r.account));
        line(4, "cidr: " + vpc.cidr.to_string());
        if (!vpc.secondary.empty()) {
            std::string list;
            for (const auto& c : vpc.secondary) list += (list.empty() ? "" : ", ") + c.to_string();
            line(4, "secondary_cidrs: [" + list + "]");
        }
        if (plan.igw != nullptr) {
            line(4, "internet_gateway: " +
                        flow({{"name", q(name_of(plan.igw->r.id))}, {"id", q(plan.igw->r.id)}}));
        }
        if (!plan.subnets.empty()) {
            line(4, "subnets:");
            for (const Subnet* s : plan.subnets) emit_subnet(plan, *s);
        }
        if (!plan.route_tables.empty()) {
            line(4, "route_tables:");
            for (const RouteTable* t : plan.route_tables) emit_route_table(plan, *t);
        }
        if (!plan.acls.empty()) {
            line(4, "network_acls:");
            for (const NetworkAcl* a : plan.acls) emit_acl(*a);
        }
        if (!plan.groups.empty()) {
            line(4, "security_groups:");
            for (const SecurityGroup* g : plan.groups) emit_group(plan, *g);
        }
        if (!plan.nats.empty()) {
            line(4, "nat_gateways:");
            for (const NatGateway* n : plan.nats) emit_nat(*n);
        }
        if (!plan.instances.empty()) {
            line(4, "instances:");
            for (const InstancePlan& i : plan.instances) emit_instance(i);
        }
    }

    void emit_subnet(const VpcPlan& plan, const Subnet& s) {
        std::string table;
        for (const RouteTable* t : plan.route_tables) {
            if (std::find(t->subnet_ids.begin(), t->subnet_ids.end(), s.r.id) !=
                t->subnet_ids.end()) {
                table = name_of(t->r.id);
            }
        }
        std::string acl;
        for (const NetworkAcl* a : plan.acls) {
            // AWS: vpc-network-acls — every subnet has an ACL association; the default ACL's
            // associations are left implicit.
            if (!a->is_default && std::find(a->subnet_ids.begin(), a->subnet_ids.end(), s.r.id) !=
                                      a->subnet_ids.end()) {
                acl = name_of(a->r.id);
            }
        }
        line(6, "- " + flow({{"name", q(name_of(s.r.id))},
                             {"id", q(s.r.id)},
                             {"cidr", s.cidr.to_string()},
                             {"az", s.az.empty() ? "" : q(s.az)},
                             {"route_table", table.empty() ? "" : q(table)},
                             {"network_acl", acl.empty() ? "" : q(acl)}}));
    }

    bool more_specific_than_local(const Vpc& vpc, const net::Cidr& dest) const {
        std::vector<net::Cidr> cidrs{vpc.cidr};
        cidrs.insert(cidrs.end(), vpc.secondary.begin(), vpc.secondary.end());
        return std::any_of(cidrs.begin(), cidrs.end(), [&](const net::Cidr& c) {
            return c.contains(dest) && dest.length() >= c.length();
        });
    }

    // A route in the topology's short form. AWS: VPC_Route_Tables.
    std::optional<Item> route_item(const VpcPlan& plan, const Route& r) {
        if (r.gateway_id == "local") return std::nullopt;  // implicit in every table
        if (!r.destination) {
            bool v6 = r.other_destination.find(':') != std::string::npos;
            std::string what = v6 ? "IPv6 routes" : "routes to prefix-list destinations";
            not_modelled(what);
            return Item{r.other_destination + " -> " + target_id(r), what + ": not modelled yet",
                        true};
        }
        std::string dest = r.destination->to_string();
        std::string target;
        std::string comment;
        std::string unmodelled;
        const std::string& vpc_id = plan.vpc->r.id;
        if (!r.nat_gateway_id.empty()) {
            if (imported(r.nat_gateway_id) && nat_vpc(r.nat_gateway_id) == vpc_id) {
                target = "nat/" + name_of(r.nat_gateway_id);
            } else {
                comment = fmt::format("NAT gateway {} is not in the input or not available",
                                      r.nat_gateway_id);
            }
        } else if (!r.peering_id.empty()) {
            const Peering* p = peering(r.peering_id);
            if (p != nullptr && (p->requester.vpc_id == vpc_id || p->accepter.vpc_id == vpc_id)) {
                target = "peering/" + name_of(r.peering_id);
            } else if (auto why = skipped_peerings_.find(r.peering_id);
                       why != skipped_peerings_.end()) {
                comment = why->second;
            } else {
                comment = fmt::format("peering {} is not in the input", r.peering_id);
            }
        } else if (!r.instance_id.empty() || !r.network_interface_id.empty()) {
            target = host_target(plan, r, comment, unmodelled);
        } else if (r.gateway_id.rfind("igw-", 0) == 0) {
            if (plan.igw != nullptr && plan.igw->r.id == r.gateway_id) {
                target = "igw";
            } else {
                comment =
                    fmt::format("internet gateway {} is not attached to this VPC", r.gateway_id);
            }
        } else if (r.gateway_id.rfind("vgw-", 0) == 0) {
            unmodelled = "virtual private gateway";
        } else if (r.gateway_id.rfind("vpce-", 0) == 0) {
            unmodelled = "VPC endpoint";
        } else if (!r.other_target_kind.empty()) {
            unmodelled = r.other_target_kind;
        } else if (!r.gateway_id.empty()) {
            unmodelled = "gateway " + r.gateway_id.substr(0, r.gateway_id.find('-'));
        } else {
            comment = "no target in the input";
        }
        if (!unmodelled.empty()) {
            not_modelled("routes to " + unmodelled + "s");
            comment = fmt::format("{} {}: not modelled yet", unmodelled, target_id(r));
        }
        // AWS: VPC_Route_Tables — a route whose target is gone or stopped is a blackhole.
        if (!target.empty() && r.state == "blackhole" && target.rfind("peering/", 0) != 0) {
            comment = fmt::format("{} is a blackhole in the cloud", target);
            target.clear();
        }
        if (target.empty()) {
            bool cannot_blackhole = more_specific_than_local(*plan.vpc, *r.destination);
            if (cannot_blackhole) {
                // AWS: middlebox-routing — only a NAT gateway or ENI may take traffic for a
                // subnet of the VPC; a blackhole there cannot be written.
                if (unmodelled.empty()) not_modelled("routes inside the VPC to missing targets");
                warn(fmt::format("{}: route {} -> {} ({}) left out of the topology", r.where, dest,
                                 target_id(r), comment));
                return Item{dest + " -> " + target_id(r), comment, true};
            }
            return Item{dest + " -> blackhole", comment, false};
        }
        return Item{dest + " -> " + target, comment, false};
    }

    std::string host_target(const VpcPlan& plan, const Route& r, std::string& comment,
                            std::string& unmodelled) {
        // An instance target is kept for a single-ENI instance; with several ENIs the route
        // names the ENI (AWS: VPC_Route_Tables — a multi-ENI instance is routed to by its ENI).
        if (!r.instance_id.empty() && imported(r.instance_id) &&
            instance_vpc(r.instance_id) == plan.vpc->r.id &&
            (r.network_interface_id.empty() || instance_eni_count(r.instance_id) == 1)) {
            return "instance/" + name_of(r.instance_id);
        }
        const std::string& eni_id = r.network_interface_id;
        if (!eni_id.empty() && eni_instance_.count(eni_id) != 0 &&
            subnet_vpc(enis_.at(eni_id)->subnet_id) == plan.vpc->r.id) {
            return "eni/" + name_of(eni_id);
        }
        if (!eni_id.empty()) {
            auto it = enis_.find(eni_id);
            if (it != enis_.end() && !is_instance_eni_type(it->second->type)) {
                unmodelled = it->second->type + " network interface";
                return "";
            }
        }
        comment =
            fmt::format("{} is not in the input", r.instance_id.empty() ? eni_id : r.instance_id);
        return "";
    }

    static std::string target_id(const Route& r) {
        for (const std::string* s : {&r.nat_gateway_id, &r.peering_id, &r.instance_id,
                                     &r.network_interface_id, &r.other_target_id, &r.gateway_id}) {
            if (!s->empty()) return *s;
        }
        return "?";
    }

    std::string nat_vpc(const std::string& nat_id) const {
        for (const auto& plan : plans_) {
            for (const NatGateway* n : plan.nats) {
                if (n->r.id == nat_id) return plan.vpc->r.id;
            }
        }
        return {};
    }

    std::size_t instance_eni_count(const std::string& instance_id) const {
        for (const auto& plan : plans_) {
            for (const InstancePlan& i : plan.instances) {
                if (i.id == instance_id) return i.enis.size();
            }
        }
        return 0;
    }

    std::string instance_vpc(const std::string& instance_id) const {
        for (const auto& plan : plans_) {
            for (const InstancePlan& i : plan.instances) {
                if (i.id == instance_id) return plan.vpc->r.id;
            }
        }
        return {};
    }

    const Peering* peering(const std::string& id) const {
        for (const Peering* p : peerings_) {
            if (p->r.id == id) return p;
        }
        return nullptr;
    }

    void emit_route_table(const VpcPlan& plan, const RouteTable& t) {
        line(6, "- name: " + q(name_of(t.r.id)));
        line(8, "id: " + q(t.r.id));
        if (t.main) line(8, "main: true");
        if (!t.gateway_ids.empty()) {
            not_modelled("route table gateway associations (ingress routing)",
                         static_cast<int>(t.gateway_ids.size()));
            std::string ids;
            for (const auto& g : t.gateway_ids) ids += (ids.empty() ? "" : ", ") + g;
            line(8, "# associated with gateway " + ids + " (ingress routing): not modelled yet");
        }
        std::vector<Item> routes;
        for (const Route& r : t.routes) {
            if (auto item = route_item(plan, r)) routes.push_back(std::move(*item));
        }
        bool any = std::any_of(routes.begin(), routes.end(),
                               [](const Item& i) { return !i.commented_out; });
        line(8, any ? "routes:" : "routes: []");
        items(10, routes);
    }

    std::optional<Item> acl_item(const AclEntry& e) {
        // AWS: vpc-network-acls — the final '*' rule (32767) denies and is implicit.
        if (e.number == 32767) return std::nullopt;
        const char* dir = e.egress ? "to" : "from";
        const char* action = e.allow ? "allow" : "deny";
        ProtocolText p = protocol_text(e.protocol);
        if (!e.cidr || p.name.empty()) {
            not_modelled("network ACL IPv6 rules");
            return Item{fmt::format("{} {} {} {} {}", e.number, action,
                                    p.name.empty() ? e.protocol : p.name, dir, e.ipv6_cidr),
                        "IPv6 rule: not modelled yet", true};
        }
        std::string proto = p.name;
        if (p.has_ports && e.ports) {
            std::string ports = ports_text(e.ports->first, e.ports->second);
            if (!ports.empty()) proto += "/" + ports;
        }
        if (p.is_icmp && e.icmp) {
            std::string icmp = icmp_text(e.icmp->first, e.icmp->second);
            if (!icmp.empty()) proto += "/" + icmp;
        }
        return Item{
            fmt::format("{} {} {} {} {}", e.number, action, proto, dir, e.cidr->to_string()), "",
            false};
    }

    void emit_acl(const NetworkAcl& a) {
        line(6, "- name: " + q(name_of(a.r.id)));
        line(8, "id: " + q(a.r.id));
        if (a.is_default) line(8, "default: true");
        for (bool egress : {false, true}) {
            std::vector<const AclEntry*> entries;
            for (const AclEntry& e : a.entries) {
                if (e.egress == egress) entries.push_back(&e);
            }
            // AWS: vpc-network-acls — lowest rule number first.
            std::stable_sort(entries.begin(), entries.end(),
                             [](const auto* x, const auto* y) { return x->number < y->number; });
            std::vector<Item> rules;
            for (const AclEntry* e : entries) {
                if (auto item = acl_item(*e)) rules.push_back(std::move(*item));
            }
            bool any = std::any_of(rules.begin(), rules.end(),
                                   [](const Item& i) { return !i.commented_out; });
            const char* key = egress ? "outbound" : "inbound";
            line(8, fmt::format("{}:{}", key, any ? "" : " []"));
            items(10, rules);
        }
    }

    // The peer of a security group rule: a CIDR, sg:NAME, sg:VPC/NAME or pl:NAME. Empty when
    // it cannot be written; `why` then says so.
    std::string sg_peer(const VpcPlan& plan, const SgRule& rule, std::string& why) {
        switch (rule.peer_kind) {
            case SgRule::PeerKind::Cidr:
                return rule.cidr.to_string();
            case SgRule::PeerKind::Ipv6:
                not_modelled("security group IPv6 rules");
                why = "IPv6: not modelled yet";
                return "";
            case SgRule::PeerKind::PrefixList:
                if (imported(rule.prefix_list_id)) return "pl:" + name_of(rule.prefix_list_id);
                why = fmt::format("prefix list {} is not in the input", rule.prefix_list_id);
                return "";
            case SgRule::PeerKind::Group:
                break;
        }
        std::string shown = rule.group_account.empty() || rule.group_account == plan.vpc->r.account
                                ? rule.group_id
                                : rule.group_account + "/" + rule.group_id;
        auto vpc_it = group_vpc_.find(rule.group_id);
        if (vpc_it == group_vpc_.end() || !imported(rule.group_id)) {
            why = fmt::format("security group {} is not in the input", shown);
            return "";
        }
        const std::string& other = vpc_it->second;
        if (other == plan.vpc->r.id) return "sg:" + name_of(rule.group_id);
        // AWS: vpc-peering-security-groups — a peer VPC's group, same region, active peering.
        const VpcPlan* peer = plan_of(other);
        auto key = std::minmax(other, plan.vpc->r.id);
        if (peer != nullptr && peer->region == plan.region &&
            active_pairs_.count({key.first, key.second}) != 0) {
            return "sg:" + peer->name + "/" + name_of(rule.group_id);
        }
        why = fmt::format(
            "security group {} is in VPC {}, not peered with this VPC (active, same "
            "region)",
            shown, peer != nullptr ? peer->name : other);
        return "";
    }

    std::optional<Item> sg_item(const VpcPlan& plan, const SecurityGroup& g, const SgRule& rule,
                                bool egress) {
        ProtocolText p = protocol_text(rule.protocol);
        std::string why;
        std::string peer;
        if (p.name.empty()) {
            not_modelled("security group IPv6 rules");
            why = fmt::format("protocol {}: not modelled yet", rule.protocol);
        } else {
            peer = sg_peer(plan, rule, why);
        }
        std::string proto = p.name.empty() ? rule.protocol : p.name;
        std::string ports;
        if (p.has_ports) ports = ports_text(rule.from_port, rule.to_port);
        if (p.is_icmp) ports = icmp_text(rule.from_port, rule.to_port);
        std::string spec = ports.empty() ? proto : proto + "/" + ports;
        const char* dir = egress ? "to" : "from";
        if (peer.empty()) {
            if (rule.peer_kind == SgRule::PeerKind::Group ||
                rule.peer_kind == SgRule::PeerKind::PrefixList) {
                warn(fmt::format(
                    "{}: security group {} ({}): rule {} {} {} not imported: {}", rule.where,
                    name_of(g.r.id), g.r.id, spec, dir,
                    rule.peer_kind == SgRule::PeerKind::Group ? rule.group_id : rule.prefix_list_id,
                    why));
            }
            std::string target = rule.peer_kind == SgRule::PeerKind::Group ? rule.group_id
                                 : rule.peer_kind == SgRule::PeerKind::PrefixList
                                     ? rule.prefix_list_id
                                     : rule.description;
            return Item{fmt::format("{} {} {}", spec, dir, target), why, true};
        }
        if (rule.description.empty())
            return Item{fmt::format("{} {} {}", spec, dir, peer), "", false};
        // The long form keeps the rule's description.
        std::string ports_key = p.has_ports && !ports.empty() ? q(ports) : "";
        std::string type;
        std::string code;
        if (p.is_icmp && rule.from_port >= 0) {
            type = std::to_string(rule.from_port);
            if (rule.to_port >= 0) code = std::to_string(rule.to_port);
        }
        return Item{flow({{"protocol", proto},
                          {"ports", ports_key},
                          {"icmp_type", type},
                          {"icmp_code", code},
                          {dir, q(peer)},
                          {"description", q(rule.description)}}),
                    "", false, true};
    }

    void emit_group(const VpcPlan& plan, const SecurityGroup& g) {
        line(6, "- name: " + q(name_of(g.r.id)));
        line(8, "id: " + q(g.r.id));
        if (is_default(g)) line(8, "default: true");
        for (bool egress : {false, true}) {
            std::vector<Item> rules;
            for (const SgRule& rule : egress ? g.egress : g.ingress) {
                if (auto item = sg_item(plan, g, rule, egress)) rules.push_back(std::move(*item));
            }
            bool any = std::any_of(rules.begin(), rules.end(),
                                   [](const Item& i) { return !i.commented_out; });
            // An egress list left out means "all to 0.0.0.0/0": write an empty one explicitly.
            line(8, fmt::format("{}:{}", egress ? "egress" : "ingress", any ? "" : " []"));
            items(10, rules);
        }
    }

    void emit_nat(const NatGateway& n) {
        const NatAddress* primary = nullptr;
        for (const NatAddress& a : n.addresses) {
            if (a.primary && primary == nullptr) primary = &a;
        }
        bool is_public = n.connectivity_type != "private";
        auto eip = nat_eip_name_.find(n.r.id);
        std::string text =
            "- " +
            flow({{"name", q(name_of(n.r.id))},
                  {"id", q(n.r.id)},
                  {"subnet", q(name_of(n.subnet_id))},
                  {"private_ip", primary != nullptr && primary->private_ip
                                     ? primary->private_ip->to_string()
                                     : ""},
                  {"elastic_ip", is_public && eip != nat_eip_name_.end() ? q(eip->second) : ""},
                  {"type", is_public ? "public" : "private"}});
        if (n.state != "available" && !n.state.empty()) text += "  # " + n.state + " in the cloud";
        line(6, text);
    }

    void emit_instance(const InstancePlan& i) {
        line(6, "- name: " + q(i.name) + (i.comment.empty() ? "" : "  # " + i.comment));
        if (!i.id.empty()) line(8, "id: " + q(i.id));
        if (i.state != "running") line(8, "state: " + q(i.state));
        line(8, "enis:");
        for (const NetworkInterface* e : i.enis) {
            line(10, "- name: " + q(name_of(e->r.id)));
            line(12, "id: " + q(e->r.id));
            line(12, "subnet: " + q(name_of(e->subnet_id)));
            if (e->private_ips.size() == 1) {
                line(12, "private_ip: " + e->private_ips.front().to_string());
            } else {
                std::string list;
                for (const auto& ip : e->private_ips)
                    list += (list.empty() ? "" : ", ") + ip.to_string();
                line(12, "private_ips: [" + list + "]");
            }
            if (auto eip = eni_eip_name_.find(e->r.id); eip != eni_eip_name_.end()) {
                line(12, "elastic_ip: " + q(eip->second));
            } else if (e->public_ip) {
                line(12, "public_ip: " + e->public_ip->to_string());
            }
            std::vector<std::string> groups;
            for (const std::string& g : e->group_ids) {
                if (imported(g) && group_vpc_[g] == subnet_vpc(e->subnet_id)) {
                    groups.push_back(q(name_of(g)));
                } else {
                    warn(
                        fmt::format("network interface {}: security group {} is not in the "
                                    "input; left out",
                                    e->r.id, g));
                }
            }
            // AWS: amazon-vpc-limits — 5 groups per ENI by default (a quota that can be raised
            // to 16); the topology allows 5.
            if (groups.size() > 5) {
                warn(
                    fmt::format("network interface {} has {} security groups; the topology "
                                "allows 5, the first 5 are kept",
                                e->r.id, groups.size()));
                groups.resize(5);
            }
            if (!groups.empty()) {
                std::string list;
                for (const auto& g : groups) list += (list.empty() ? "" : ", ") + g;
                line(12, "security_groups: [" + list + "]");
            }
            if (!e->source_dest_check) line(12, "source_dest_check: false");
        }
    }

    void report_counts() {
        auto& c = result_.report.imported;
        std::size_t subnets = 0, tables = 0, acls = 0, groups = 0, nats = 0, igws = 0,
                    instances = 0, enis = 0;
        for (const auto& p : plans_) {
            subnets += p.subnets.size();
            tables += p.route_tables.size();
            acls += p.acls.size();
            groups += p.groups.size();
            nats += p.nats.size();
            igws += p.igw != nullptr ? 1 : 0;
            instances += p.instances.size();
            for (const auto& i : p.instances) enis += i.enis.size();
        }
        auto add = [&](const char* what, std::size_t n) {
            c.emplace_back(what, static_cast<int>(n));
        };
        add("VPCs", plans_.size());
        add("subnets", subnets);
        add("route tables", tables);
        add("network ACLs", acls);
        add("security groups", groups);
        add("internet gateways", igws);
        add("NAT gateways", nats);
        add("instances", instances);
        add("ENIs", enis);
        add("Elastic IPs", eips_.size());
        add("peerings", peerings_.size());
        add("prefix lists", prefix_lists_.size());
        for (const auto& [what, n] : inv_.not_modelled) result_.report.not_modelled[what] += n;
        for (const auto& w : inv_.warnings) result_.report.warnings.push_back(w);
    }

    const Inventory& inv_;
    WriteOptions options_;
    WriteResult result_;
    std::string region_;
    std::string yaml_;

    std::vector<VpcPlan> plans_;
    std::map<std::string, std::size_t> plan_index_;
    std::map<std::string, const Subnet*> subnets_;
    std::map<std::string, std::string> group_vpc_;
    std::map<std::string, const NetworkInterface*> enis_;
    std::map<std::string, std::string> eni_instance_;
    std::vector<const Address*> addresses_;
    std::vector<const Peering*> peerings_;
    std::set<std::pair<std::string, std::string>> active_pairs_;
    std::map<std::string, std::string> skipped_peerings_;  // peering id -> why
    std::vector<const PrefixList*> prefix_lists_;
    std::vector<PrefixList> synthetic_prefix_lists_;
    std::vector<std::pair<Resource, net::Ipv4Address>> eips_;
    std::vector<std::string> eip_names_;
    std::map<std::string, std::size_t> eip_by_allocation_;
    std::map<std::string, std::string> eni_eip_name_;
    std::map<std::string, std::string> nat_eip_name_;

    std::map<std::string, std::string> name_;  // cloud id -> topology name
    NameScope vpc_names_;
    NameScope igw_names_;
    NameScope peering_names_;
    NameScope prefix_list_names_;
    NameScope host_names_;  // instances and ENIs share one namespace
};

}  // namespace

WriteResult write_topology_yaml(const Inventory& inventory, const WriteOptions& options) {
    return Converter(inventory, options).run();
}

}  // namespace vpcstack::importers::aws
