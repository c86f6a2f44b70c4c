#include "vpcstack/importers/aws_topology_writer.hpp"

#include <fmt/format.h>

#include <algorithm>
#include <regex>
#include <set>
#include <tuple>

#include <fmt/ranges.h>

#include "vpcstack/importers/aws_elb_mapping.hpp"
#include "vpcstack/importers/yaml_text.hpp"
#include "vpcstack/model/cloud_rules.hpp"
#include "vpcstack/model/defaults.hpp"
#include "vpcstack/model/rule_text.hpp"
#include "vpcstack/model/yaml_writer.hpp"
#include "vpcstack/net/protocol.hpp"

namespace vpcstack::importers::aws {

namespace {

namespace cloud = model::cloud;

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

// "us-east-1a" -> "us-east-1"; empty when the zone name does not start with a region.
std::string region_of_az(const std::string& az) {
    static const std::regex pattern("^([a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]+)");
    std::smatch m;
    if (std::regex_search(az, m, pattern)) return m.str(1);
    return {};
}

// Peering status codes of describe-vpc-peering-connections, as the topology names them.
// AWS: vpc-peering-basics — only an active peering carries traffic.
model::PeeringStatus peering_status(const std::string& code) {
    if (auto status = model::parse_peering_status(code)) return *status;
    if (code == "initiating-request" || code == "provisioning") {
        return model::PeeringStatus::PendingAcceptance;
    }
    if (code == "deleting") return model::PeeringStatus::Deleted;
    return model::PeeringStatus::Failed;  // expired, and anything unknown: not usable
}

// A protocol as the cloud writes it ("-1", "6", "tcp", "icmpv6"); unset when not modelled.
std::optional<net::Protocol> modelled_protocol(const std::string& aws) {
    if (aws == "icmpv6" || aws == "58") return std::nullopt;
    return net::Protocol::parse(aws);
}

bool is_icmp(const net::Protocol& p) {
    return p == net::Protocol::icmp();
}

// From and to as the cloud reports them (-1 for none); all ports unless both are given.
net::PortRange port_range(int from, int to) {
    if (from < 0 || to < 0) return net::PortRange::all();
    return {static_cast<std::uint16_t>(from), static_cast<std::uint16_t>(to)};
}

// ICMP type and code as the cloud reports them, -1 for any.
net::IcmpMatch icmp_match(int type, int code) {
    if (type < 0) return {};
    return {static_cast<std::int16_t>(type), static_cast<std::int16_t>(code < 0 ? -1 : code)};
}

template <class T>
model::Field<T> written(T value) {
    return model::Field<T>::written(std::move(value));
}

// The primary CIDR, then the secondary ones.
std::vector<net::Cidr> cidrs_of(const Vpc& vpc) {
    std::vector<net::Cidr> cidrs{vpc.cidr};
    cidrs.insert(cidrs.end(), vpc.secondary.begin(), vpc.secondary.end());
    return cidrs;
}

class Converter {
  public:
    Converter(const Inventory& inv, const WriteOptions& options) : inv_(inv), options_(options) {}

    WriteResult run() {
        index();
        choose_regions();
        if (!result_.errors.empty()) return std::move(result_);
        name_global_resources();
        index_load_balancing();
        for (auto& plan : plans_) plan_vpc(plan);
        for (auto& plan : plans_) plan_load_balancing(plan);
        plan_instances();
        plan_elastic_ips();
        emit();
        report_unclaimed();
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

    // A launch template as one Auto Scaling group uses it: one version of it.
    struct LaunchTemplatePlan {
        std::string name;
        std::string id;
        std::string key;  // template id and version, to share it between groups
        const LaunchTemplateVersion* version = nullptr;  // unset: not in the input
        std::vector<std::string> group_ids;
        std::string user_data;
        std::string comment;
    };

    struct AsgPlan {
        const AutoScalingGroup* group = nullptr;
        std::string name;
        std::string launch_template;  // its plan's name
        long desired = 0;
        // The cloud's instances of the group and the names of the instances the loader
        // launches in their place (empty when it launches none for that one).
        std::vector<std::pair<std::string, std::string>> members;
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
        std::vector<const LoadBalancer*> load_balancers;
        std::vector<const TargetGroup*> target_groups;
        std::vector<LaunchTemplatePlan> launch_templates;
        std::vector<AsgPlan> auto_scaling_groups;
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
            plans_.push_back(
                VpcPlan{v, {}, v->r.region, nullptr, {}, {}, {}, {}, {}, {}, {}, {}, {}, {}});
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
        if (!has_main) tables.reserve(std::string(model::kMainRouteTable.name));
        if (!has_default_acl) acls.reserve(std::string(model::kDefaultNetworkAcl.name));
        if (!has_default_sg) groups.reserve(std::string(model::kDefaultSecurityGroup.name));
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

    static bool is_default(const SecurityGroup& g) {
        return g.group_name == cloud::kDefaultGroupName;
    }

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
            if (a == b ||
                cloud::first_overlap(cidrs_of(*plan_of(a)->vpc), cidrs_of(*plan_of(b)->vpc))) {
                skipped_peerings_[p->r.id] = fmt::format(
                    "peering {} ({}) is not imported: its VPCs overlap", p->r.id, p->status);
                warn(fmt::format("peering {} ({}) joins VPCs with overlapping CIDRs; not imported",
                                 p->r.id, p->status));
                continue;
            }
            name_[p->r.id] = peering_names_.unique(wanted_name(p->r));
            peerings_.push_back(p);
            if (peering_status(p->status) == model::PeeringStatus::Active) {
                active_pairs_.insert({key.first, key.second});
            }
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
            if (e->type == "nat_gateway") continue;                // part of its NAT gateway
            if (is_load_balancer_eni(*e)) continue;                // a node of its load balancer
            if (asg_member_.count(e->instance_id) != 0) continue;  // launched by the loader
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
            if (asg_member_.count(inst->r.id) != 0) continue;  // launched by the loader
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
    // AWS: VPC_Internet_Gateway — an Elastic IP maps 1:1 to the private IP it is associated
    // with: the primary one, or (EC2 using-instance-addressing-eips) a secondary one.
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
        // ENI id -> (secondary private address, EIP)
        std::map<std::string, std::vector<std::pair<net::Ipv4Address, std::size_t>>> eni_more;
        std::set<std::string> secondary_public;      // public addresses placed on a secondary
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
                const auto& ips = e->private_ips;
                if (std::find(ips.begin(), ips.end(), *a->private_ip) == ips.end()) {
                    warn(fmt::format(
                        "Elastic IP {} ({}) is associated with {}, which is not an address of "
                        "{}; imported unassociated",
                        a->r.id, a->public_ip.to_string(), a->private_ip->to_string(), eni));
                    continue;
                }
                eni_more[eni].push_back({*a->private_ip, eip_by_allocation_.at(a->r.id)});
                secondary_public.insert(a->public_ip.to_string());
                continue;
            }
            eni_eip[eni] = eip_by_allocation_.at(a->r.id);
        }
        // Public addresses reported on the ENIs themselves.
        for (auto& plan : plans_) {
            for (InstancePlan& inst : plan.instances) {
                for (const NetworkInterface* e : inst.enis) {
                    int unplaced = 0;
                    for (const std::string& pub : e->secondary_public_ips) {
                        if (secondary_public.count(pub) == 0) ++unplaced;
                    }
                    if (unplaced > 0) {
                        not_modelled("public addresses on secondary private addresses", unplaced);
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
        // AWS: network-load-balancers — an internet-facing NLB node may hold an Elastic IP.
        std::map<std::pair<std::string, std::string>, std::size_t> node_eip;
        for (const auto& plan : plans_) {
            for (const LoadBalancer* lb : plan.load_balancers) {
                if (lb->type != "network" || lb->scheme == "internal") continue;
                for (const LbZone& z : lb->zones) {
                    if (z.allocation_id.empty() || !z.public_ip) continue;
                    node_eip[{lb->r.id, z.subnet_id}] =
                        eip_for(z.allocation_id, *z.public_ip, z.where);
                }
            }
        }
        NameScope names;
        for (const auto& eip : eips_) eip_names_.push_back(names.unique(wanted_name(eip.first)));
        for (const auto& [node, i] : node_eip) node_eip_name_[node] = eip_names_[i];
        for (const auto& [eni, i] : eni_eip) eni_eip_name_[eni] = eip_names_[i];
        for (const auto& [eni, list] : eni_more) {
            for (const auto& [ip, i] : list)
                eni_secondary_eips_[eni].push_back({ip, eip_names_[i]});
        }
        for (const auto& [nat, i] : nat_eip) nat_eip_name_[nat] = eip_names_[i];
    }

    // --- load balancing ---------------------------------------------------------------------

    // Which VPC each load balancer, target group and Auto Scaling group goes in; which cloud
    // instances an Auto Scaling group accounts for. AWS: elasticloadbalancing, autoscaling.
    void index_load_balancing() {
        for (const LoadBalancer* lb : unique_by_id(inv_.load_balancers)) {
            const std::string shown = fmt::format("load balancer {} ({})", lb->lb_name, lb->r.id);
            if (lb->type != "application" && lb->type != "network") {
                not_modelled(lb->type == "gateway" ? std::string("gateway load balancers")
                                                   : "load balancers of type " + lb->type);
                warn(fmt::format("{} is a {} load balancer: not modelled yet; not imported", shown,
                                 lb->type));
                continue;
            }
            if (!lb->zones_given) {
                not_modelled("load balancers without their AvailabilityZones in the input");
                warn(
                    fmt::format("{}: AvailabilityZones (its subnets) is not in the input; not "
                                "imported",
                                shown));
                continue;
            }
            VpcPlan* p = plan_for(lb->vpc_id, "load balancer", lb->r);
            if (p == nullptr) continue;
            p->load_balancers.push_back(lb);
            // AWS: the ENIs of a load balancer say "ELB app/NAME/ID" (or net/...) and its ARN
            // ends in loadbalancer/app/NAME/ID.
            std::size_t at = lb->r.id.find(":loadbalancer/");
            if (at != std::string::npos) {
                lb_eni_description_["ELB " + lb->r.id.substr(at + 14)] = lb->r.id;
            }
        }
        for (const TargetGroup* g : unique_by_id(inv_.target_groups)) {
            const std::string shown = fmt::format("target group {} ({})", g->group_name, g->r.id);
            if (g->target_type != "instance" && g->target_type != "ip") {
                not_modelled("target groups of type " + g->target_type);
                warn(fmt::format("{} has {} targets: not modelled yet; not imported", shown,
                                 g->target_type));
                continue;
            }
            if (!map_lb_protocol(g->protocol)) {
                not_modelled("target groups of protocol " + g->protocol);
                warn(fmt::format("{}: protocol {} is not modelled yet; not imported", shown,
                                 g->protocol));
                continue;
            }
            VpcPlan* p = plan_for(g->vpc_id, "target group", g->r);
            if (p == nullptr) continue;
            p->target_groups.push_back(g);
            tg_vpc_[g->r.id] = g->vpc_id;
        }
        std::set<std::string> seen;
        for (const AutoScalingGroup& g : inv_.auto_scaling_groups) {
            if (!seen.insert(g.r.region + "/" + g.group_name).second) continue;
            index_auto_scaling_group(g);
        }
        std::set<std::string> lts_used;
        for (const auto& plan : plans_) {
            for (const AsgPlan& a : plan.auto_scaling_groups) {
                lts_used.insert(a.group->launch_template_id);
                lts_used.insert(a.group->launch_template_name);
            }
        }
        for (const LaunchTemplate* lt : unique_by_id(inv_.launch_templates)) {
            if (lts_used.count(lt->r.id) == 0 && lts_used.count(lt->template_name) == 0) {
                warn(
                    fmt::format("launch template {} ({}) is used by no Auto Scaling group that "
                                "is imported; not imported (the topology's launch templates are "
                                "those of its Auto Scaling groups)",
                                lt->template_name, lt->r.id));
            }
        }
    }

    void index_auto_scaling_group(const AutoScalingGroup& g) {
        const std::string shown = "Auto Scaling group " + g.group_name;
        const char* kept = "; not imported, its instances are imported as ordinary instances";
        if (g.mixed_instances) {
            not_modelled("Auto Scaling groups with a mixed instances policy");
            warn(fmt::format("{} has a mixed instances policy: not modelled yet{}", shown, kept));
            return;
        }
        if (!g.launch_configuration.empty()) {
            not_modelled("Auto Scaling groups with a launch configuration");
            warn(fmt::format("{} uses launch configuration {}: not modelled yet{}", shown,
                             g.launch_configuration, kept));
            return;
        }
        if (g.launch_template_id.empty() && g.launch_template_name.empty()) {
            warn(fmt::format("{} has no launch template in the input{}", shown, kept));
            return;
        }
        if (!g.min_size || !g.max_size) return;  // reported by the reader
        std::string vpc;
        for (const std::string& id : g.subnet_ids) {
            if (subnets_.count(id) == 0) {
                warn(fmt::format("{}: subnet {} is not in the input{}", shown, id, kept));
                return;
            }
            if (vpc.empty()) vpc = subnet_vpc(id);
        }
        VpcPlan* plan = plan_of(vpc);
        if (plan == nullptr) {
            warn(fmt::format("{}: VPCZoneIdentifier names no subnet of the input{}", shown, kept));
            return;
        }
        AsgPlan a;
        a.group = &g;
        a.desired = g.desired_capacity.value_or(*g.min_size);
        const std::size_t plan_index = static_cast<std::size_t>(plan - plans_.data());
        // The group's instances: those it lists, and those tagged with its name.
        std::vector<std::string> members;
        for (const AsgInstance& i : g.instances) members.push_back(i.id);
        for (const Instance* i : unique_by_id(inv_.instances)) {
            if (i->auto_scaling_group == g.group_name &&
                std::find(members.begin(), members.end(), i->r.id) == members.end()) {
                members.push_back(i->r.id);
            }
        }
        for (const std::string& m : members) {
            asg_member_[m] = {plan_index, plan->auto_scaling_groups.size()};
            a.members.push_back({m, ""});
        }
        plan->auto_scaling_groups.push_back(std::move(a));
    }

    // Names, launch templates, and the instances the loader launches in place of the cloud's.
    void plan_load_balancing(VpcPlan& plan) {
        NameScope lbs;
        NameScope tgs;
        NameScope lts;
        for (const LoadBalancer* lb : plan.load_balancers) {
            name_[lb->r.id] = lbs.unique(wanted_name(lb->r, lb->lb_name));
        }
        for (const TargetGroup* g : plan.target_groups) {
            name_[g->r.id] = tgs.unique(wanted_name(g->r, g->group_name));
        }
        for (AsgPlan& a : plan.auto_scaling_groups) {
            const AutoScalingGroup& g = *a.group;
            std::string wanted = sanitize_name(g.group_name);
            if (wanted.empty()) wanted = wanted_name(g.r);
            a.name = asg_names_.unique(wanted);
            // AWS: auto-scaling-groups — the loader launches the desired capacity as GROUP-1,
            // GROUP-2, ...; no written instance may take those names.
            while (true) {
                bool free = true;
                for (long k = 1; k <= a.desired; ++k) {
                    if (host_names_.taken(fmt::format("{}-{}", a.name, k))) free = false;
                }
                if (free) break;
                a.name = asg_names_.unique(wanted);
            }
            for (long k = 1; k <= a.desired; ++k) {
                host_names_.reserve(fmt::format("{}-{}", a.name, k));
            }
            match_members(a);
            a.launch_template = plan_launch_template(plan, a, lts);
        }
    }

    // Instance k of the loader goes to zone k mod zones (zones in the order of the group's
    // subnets): each takes the name of a cloud instance of that zone, in the group's order.
    void match_members(AsgPlan& a) {
        std::vector<std::string> zones;
        for (const std::string& id : a.group->subnet_ids) {
            const std::string& az = subnets_.at(id)->az;
            if (std::find(zones.begin(), zones.end(), az) == zones.end()) zones.push_back(az);
        }
        auto zone_of = [&](const std::string& id) {
            for (const AsgInstance& i : a.group->instances) {
                if (i.id == id && !i.az.empty()) return i.az;
            }
            for (const auto& [eni_id, eni] : enis_) {
                if (eni->instance_id == id && eni->device_index == 0)
                    return subnets_.count(eni->subnet_id) ? subnets_.at(eni->subnet_id)->az
                                                          : eni->az;
            }
            return std::string();
        };
        std::vector<bool> used(a.members.size(), false);
        for (long k = 0; k < a.desired && !zones.empty(); ++k) {
            const std::string& zone = zones[static_cast<std::size_t>(k) % zones.size()];
            for (std::size_t m = 0; m < a.members.size(); ++m) {
                if (used[m] || zone_of(a.members[m].first) != zone) continue;
                used[m] = true;
                a.members[m].second = fmt::format("{}-{}", a.name, k + 1);
                break;
            }
        }
    }

    std::string plan_launch_template(VpcPlan& plan, const AsgPlan& a, NameScope& names) {
        const AutoScalingGroup& g = *a.group;
        const LaunchTemplate* lt = nullptr;
        for (const LaunchTemplate* t : unique_by_id(inv_.launch_templates)) {
            if ((!g.launch_template_id.empty() && t->r.id == g.launch_template_id) ||
                (g.launch_template_id.empty() && t->template_name == g.launch_template_name)) {
                lt = t;
            }
        }
        const std::string id = lt != nullptr ? lt->r.id : g.launch_template_id;
        const std::string template_name = lt != nullptr && !lt->template_name.empty()
                                              ? lt->template_name
                                              : g.launch_template_name;
        // AWS: ec2 launch-template-versions — $Default, $Latest or a number.
        const LaunchTemplateVersion* version = nullptr;
        auto versions = inv_.launch_template_versions.find(id);
        const std::string& wanted = g.launch_template_version;
        if (versions != inv_.launch_template_versions.end()) {
            for (const LaunchTemplateVersion& v : versions->second) {
                bool match = false;
                if (wanted == "$Latest") {
                    match = lt != nullptr && lt->latest_version
                                ? v.number == *lt->latest_version
                                : version == nullptr || v.number > version->number;
                } else if (wanted.empty() || wanted == "$Default") {
                    match = v.is_default || (lt != nullptr && lt->default_version &&
                                             v.number == *lt->default_version);
                } else {
                    match = std::to_string(v.number) == wanted;
                }
                if (match) version = &v;
            }
        }
        const std::string key =
            id + "#" + (version != nullptr ? std::to_string(version->number) : wanted);
        for (const LaunchTemplatePlan& t : plan.launch_templates) {
            if (t.key == key) return t.name;
        }
        LaunchTemplatePlan t;
        t.id = id;
        t.key = key;
        t.version = version;
        std::string base = sanitize_name(template_name);
        if (base.empty()) base = sanitize_name(id);
        if (names.taken(base) && version != nullptr) base += fmt::format("-v{}", version->number);
        t.name = names.unique(base);
        const std::string shown = fmt::format("launch template {} ({}) version {}", template_name,
                                              id, wanted.empty() ? "$Default" : wanted);
        if (version != nullptr) {
            t.group_ids = version->security_group_ids;
            t.user_data = version->user_data;
            if (version->user_data_bad) {
                warn(fmt::format("{}: UserData is not base64; left out", shown));
            }
            if (wanted.empty() || wanted[0] == '$') {
                t.comment = fmt::format("version {} ({})", version->number,
                                        wanted.empty() ? "$Default" : wanted);
            } else {
                t.comment = fmt::format("version {}", version->number);
            }
        } else {
            // Without the template's data, the groups of the instances it launched are the
            // best account of it.
            for (const auto& [member, launched] : a.members) {
                (void)launched;
                for (const auto& [eni_id, eni] : enis_) {
                    if (eni->instance_id == member && eni->device_index == 0 &&
                        t.group_ids.empty()) {
                        t.group_ids = eni->group_ids;
                    }
                }
            }
            t.comment = "its version is not in the input";
            warn(fmt::format(
                "{}: not in the input (save 'aws ec2 describe-launch-template-versions "
                "--launch-template-id {}'); {}, no user data",
                shown, id,
                t.group_ids.empty() ? "no security groups (the VPC's default group applies)"
                                    : "security groups taken from the group's instances"));
        }
        plan.launch_templates.push_back(std::move(t));
        return plan.launch_templates.back().name;
    }

    bool is_load_balancer_eni(const NetworkInterface& e) {
        auto it = lb_eni_description_.find(e.description);
        if (it == lb_eni_description_.end()) return false;
        if (!e.private_ips.empty())
            node_ip_.emplace(std::pair{it->second, e.subnet_id}, e.private_ips.front());
        return true;
    }

    std::string group_in_vpc(const std::string& arn, const std::string& vpc) const {
        auto it = tg_vpc_.find(arn);
        return it != tg_vpc_.end() && it->second == vpc ? name_of(arn) : std::string();
    }

    // A per-resource file (target health, attributes) of a resource: by ARN, else by name in
    // the same region and account.
    static bool owns(const ElbOwner& o, const Resource& r, const std::string& name) {
        if (!o.arn.empty()) return o.arn == r.id;
        return o.name == name && (o.region.empty() || r.region.empty() || o.region == r.region) &&
               (o.account.empty() || r.account.empty() || o.account == r.account);
    }

    const ElbAttributes* attributes_of(const Resource& r, const std::string& name, bool lb) {
        for (const OwnedAttributes& a : inv_.attributes) {
            if (a.load_balancer == lb && owns(a.owner, r, name)) {
                claimed_attributes_.insert(&a);
                return &a.attributes;
            }
        }
        return nullptr;
    }

    std::optional<model::RawLoadBalancer> emit_load_balancer(const VpcPlan& plan,
                                                             const LoadBalancer& lb) {
        const std::string name = name_of(lb.r.id);
        const bool alb = lb.type == "application";
        model::RawLoadBalancer raw;
        raw.meta = meta(name, lb.r.id);
        raw.type =
            written(alb ? model::LoadBalancerType::Application : model::LoadBalancerType::Network);
        raw.scheme = written(lb.scheme == "internal" ? model::LoadBalancerScheme::Internal
                                                     : model::LoadBalancerScheme::InternetFacing);
        std::vector<std::string> cloud_public;
        for (const LbZone& z : lb.zones) {
            if (subnets_.count(z.subnet_id) == 0 || subnet_vpc(z.subnet_id) != plan.vpc->r.id) {
                warn(
                    fmt::format("load balancer {}: subnet {} is not in the input; its node there "
                                "is left out",
                                name, z.subnet_id));
                raw.meta.remarks.push_back("subnet " + z.subnet_id + " is not in the input");
                continue;
            }
            model::RawLbSubnet s;
            s.subnet = written(name_of(z.subnet_id));
            if (z.private_ip) {
                s.private_ip = written(*z.private_ip);
            } else if (auto ip = node_ip_.find({lb.r.id, z.subnet_id}); ip != node_ip_.end()) {
                s.private_ip = written(ip->second);
            }
            if (auto eip = node_eip_name_.find({lb.r.id, z.subnet_id});
                eip != node_eip_name_.end()) {
                s.elastic_ip = written(eip->second);
            } else if (z.public_ip) {
                cloud_public.push_back(z.public_ip->to_string());
            }
            raw.subnets.push_back(std::move(s));
        }
        if (!cloud_public.empty()) {
            raw.meta.remarks.push_back(fmt::format(
                "public addresses of the nodes in the cloud: {}; the loader assigns its own",
                fmt::join(cloud_public, ", ")));
        }
        // AWS: application-load-balancers — an ALB spans two zones at least.
        if (raw.subnets.empty() || (alb && raw.subnets.size() < 2)) {
            not_modelled("load balancers whose subnets are not in the input");
            warn(fmt::format("load balancer {} ({}) has {} subnet{} in the input; not imported",
                             name, lb.r.id, raw.subnets.size(),
                             raw.subnets.size() == 1 ? "" : "s"));
            return std::nullopt;
        }
        for (const std::string& g : lb.security_group_ids) {
            if (imported(g) && group_vpc_[g] == plan.vpc->r.id) {
                raw.security_groups.push_back(written(name_of(g)));
            } else {
                warn(fmt::format(
                    "load balancer {}: security group {} is not in the input; left out", name, g));
            }
        }
        if (alb && raw.security_groups.empty()) {
            not_modelled("load balancers whose security groups are not in the input");
            warn(
                fmt::format("load balancer {} ({}): none of its security groups is in the input; "
                            "not imported",
                            name, lb.r.id));
            return std::nullopt;
        }
        const ElbAttributes* attrs = attributes_of(lb.r, lb.lb_name, true);
        if (!alb) {
            if (attrs == nullptr) {
                warn(
                    fmt::format("load balancer {}: its attributes are not in the input (save "
                                "'aws elbv2 describe-load-balancer-attributes' as "
                                "load-balancer-attributes-{}.json); cross-zone load balancing "
                                "is taken as off, the cloud's default",
                                name, lb.lb_name));
            } else if (auto it = attrs->values.find("load_balancing.cross_zone.enabled");
                       it != attrs->values.end()) {
                raw.cross_zone = written(it->second == "true");
            }
        }
        std::vector<const ElbListener*> listeners;
        std::set<std::string> seen;
        for (const ElbListener& l : inv_.listeners) {
            if (l.load_balancer_arn == lb.r.id && seen.insert(l.arn).second)
                listeners.push_back(&l);
        }
        std::stable_sort(listeners.begin(), listeners.end(),
                         [](const auto* a, const auto* b) { return a->port < b->port; });
        for (const ElbListener* l : listeners) {
            if (auto rl = emit_listener(plan, lb, raw, *l)) {
                raw.listeners.push_back(std::move(*rl));
                ++listeners_written_;
            }
        }
        ++load_balancers_written_;
        return raw;
    }

    std::optional<model::RawListener> emit_listener(const VpcPlan& plan, const LoadBalancer& lb,
                                                    model::RawLoadBalancer& raw,
                                                    const ElbListener& l) {
        const std::string lb_name = name_of(lb.r.id);
        const std::string what = fmt::format("listener {} {}", l.protocol, l.port);
        auto left_out = [&](const std::string& why, const std::string& label) {
            raw.meta.remarks.push_back(fmt::format("{} left out: {}", what, why));
            warn(fmt::format("load balancer {}: {} ({}) left out: {}", lb_name, what, l.arn, why));
            if (!label.empty()) not_modelled(label);
        };
        const auto protocol = map_lb_protocol(l.protocol);
        if (!protocol) {
            left_out(fmt::format("protocol {} is not modelled yet", l.protocol),
                     "listeners of protocol " + l.protocol);
            return std::nullopt;
        }
        model::RawListener rl;
        rl.protocol = written(*protocol);
        rl.port = written(long{l.port});
        if (*protocol == model::LbProtocol::Https || *protocol == model::LbProtocol::Tls) {
            if (l.certificate_arns.empty()) {
                left_out("no certificate in the input", "");
                return std::nullopt;
            }
            bool derived = false;
            std::string cert =
                certificate_name(l.certificate_arns.front(), inv_.certificates, derived);
            rl.certificate = written(cert);
            if (derived) {
                warn(
                    fmt::format("load balancer {}: {}: certificate {} is named {} after its ARN "
                                "(save 'aws acm describe-certificate' to name it after its "
                                "domain)",
                                lb_name, what, l.certificate_arns.front(), cert));
            }
            if (l.certificate_arns.size() > 1) {
                not_modelled("listener certificates beyond the default one",
                             static_cast<int>(l.certificate_arns.size() - 1));
            }
        }
        const std::string vpc = plan.vpc->r.id;
        GroupNamer namer = [&](const std::string& arn) { return group_in_vpc(arn, vpc); };
        ActionOutcome def = map_actions(l.default_actions, namer);
        if (!def.action) {
            left_out("default action: " + def.why, def.not_modelled);
            return std::nullopt;
        }
        note_dropped(lb_name, what + " default action", def.dropped);
        rl.default_action = std::move(*def.action);
        if (lb.type != "application") return rl;
        std::vector<const ElbRule*> rules;
        bool any = false;
        std::set<std::string> seen;
        for (const ElbRule& r : inv_.rules) {
            if (r.listener_arn != l.arn || !seen.insert(r.arn).second) continue;
            any = true;
            if (!r.is_default) rules.push_back(&r);
        }
        if (!any) {
            warn(
                fmt::format("load balancer {}: {}: its rules are not in the input (save 'aws "
                            "elbv2 describe-rules --listener-arn {}'); only its default action "
                            "is imported",
                            lb_name, what, l.arn));
        }
        auto priority = [](const ElbRule* r) {
            try {
                return std::stol(r->priority);
            } catch (...) {
                return -1L;
            }
        };
        std::stable_sort(rules.begin(), rules.end(),
                         [&](const auto* a, const auto* b) { return priority(a) < priority(b); });
        for (const ElbRule* r : rules) {
            const std::string rule_what = fmt::format("{} rule {}", what, r->priority);
            auto rule_left_out = [&](const std::string& why, const std::string& label) {
                raw.meta.remarks.push_back(fmt::format("{} left out: {}", rule_what, why));
                warn(fmt::format("load balancer {}: {} ({}) left out: {}", lb_name, rule_what,
                                 r->arn, why));
                if (!label.empty()) not_modelled(label);
            };
            model::RawListenerRule rr;
            const long p = priority(r);
            if (p < 0) {
                rule_left_out(fmt::format("priority \"{}\" is not a number", r->priority), "");
                continue;
            }
            rr.priority = written(p);
            bool ok = true;
            for (const ElbCondition& c : r->conditions) {
                ConditionOutcome co = map_condition(c);
                if (!co.condition) {
                    rule_left_out(co.why, co.not_modelled);
                    ok = false;
                    break;
                }
                rr.conditions.push_back(std::move(*co.condition));
            }
            if (!ok) continue;
            ActionOutcome ao = map_actions(r->actions, namer);
            if (!ao.action) {
                rule_left_out("action: " + ao.why, ao.not_modelled);
                continue;
            }
            note_dropped(lb_name, rule_what, ao.dropped);
            rr.action = std::move(*ao.action);
            rl.rules.push_back(std::move(rr));
        }
        return rl;
    }

    void note_dropped(const std::string& lb_name, const std::string& what,
                      const std::vector<std::string>& dropped) {
        for (const std::string& type : dropped) {
            not_modelled("listener actions of type " + type);
            warn(
                fmt::format("load balancer {}: {}: the {} action before it is not modelled yet; "
                            "the imported listener does not require it",
                            lb_name, what, type));
        }
    }

    // The Auto Scaling group whose loader-launched instances stand for a cloud instance, if any.
    const AsgPlan* member_group(const std::string& instance_id) const {
        auto it = asg_member_.find(instance_id);
        if (it == asg_member_.end()) return nullptr;
        return &plans_[it->second.first].auto_scaling_groups[it->second.second];
    }

    static std::string launched_name(const AsgPlan& a, const std::string& instance_id) {
        for (const auto& [member, launched] : a.members) {
            if (member == instance_id) return launched;
        }
        return {};
    }

    model::RawTargetGroup emit_target_group(const VpcPlan& plan, const TargetGroup& g) {
        const std::string name = name_of(g.r.id);
        model::RawTargetGroup raw;
        raw.meta = meta(name, g.r.id);
        raw.target_type =
            written(g.target_type == "ip" ? model::TargetType::Ip : model::TargetType::Instance);
        raw.protocol = written(*map_lb_protocol(g.protocol));
        if (g.port) raw.port = written(long{*g.port});
        const ElbAttributes* attrs = attributes_of(g.r, g.group_name, false);
        if (attrs == nullptr) {
            warn(
                fmt::format("target group {}: its attributes are not in the input (save 'aws "
                            "elbv2 describe-target-group-attributes' as "
                            "target-group-attributes-{}.json); the topology's defaults apply",
                            name, g.group_name));
        }
        for (const std::string& note : map_target_group_settings(g, attrs, raw)) {
            raw.meta.remarks.push_back(note);
            not_modelled("target group settings");
            warn(fmt::format("target group {}: {}", name, note));
        }
        std::vector<const AsgPlan*> attached;
        for (const AsgPlan& a : plan.auto_scaling_groups) {
            const auto& arns = a.group->target_group_arns;
            if (std::find(arns.begin(), arns.end(), g.r.id) != arns.end()) attached.push_back(&a);
        }
        const TargetHealth* health = nullptr;
        for (const TargetHealth& th : inv_.target_health) {
            if (owns(th.owner, g.r, g.group_name)) {
                claimed_health_.insert(&th);
                if (health == nullptr) health = &th;
            }
        }
        if (health == nullptr) {
            if (attached.empty()) {
                warn(
                    fmt::format("target group {}: its targets are not in the input (save 'aws "
                                "elbv2 describe-target-health' as target-health-{}.json); "
                                "imported without targets",
                                name, g.group_name));
            }
            return raw;
        }
        std::set<std::pair<std::string, long>> seen;
        int by_groups = 0;
        for (const ElbTarget& t : health->targets) {
            model::RawTarget target;
            if (t.port && (!g.port || *t.port != *g.port)) target.port = written(long{*t.port});
            if (!seen.insert({t.id, t.port.value_or(g.port.value_or(0))}).second) continue;
            if (g.target_type == "ip") {
                auto ip = net::Ipv4Address::parse(t.id);
                if (!ip) {
                    not_modelled("IPv6 targets");
                    raw.meta.remarks.push_back("target " + t.id + ": IPv6, not modelled yet");
                    continue;
                }
                target.ip = written(*ip);
                raw.targets.push_back(std::move(target));
                continue;
            }
            if (const AsgPlan* a = member_group(t.id)) {
                if (std::find(attached.begin(), attached.end(), a) != attached.end()) {
                    ++by_groups;  // AWS: the group registers its instances itself
                    continue;
                }
                std::string launched = launched_name(*a, t.id);
                if (!launched.empty()) {
                    target.instance = written(launched);
                    raw.targets.push_back(std::move(target));
                    continue;
                }
            } else if (imported(t.id) && instance_vpc(t.id) == plan.vpc->r.id) {
                target.instance = written(name_of(t.id));
                raw.targets.push_back(std::move(target));
                continue;
            }
            raw.meta.remarks.push_back("target " + t.id + " left out: not in the input");
            warn(
                fmt::format("{}: target group {}: target {} is not an imported instance of its "
                            "VPC; left out",
                            t.where, name, t.id));
        }
        if (by_groups > 0) {
            std::vector<std::string> names;
            for (const AsgPlan* a : attached) names.push_back(a->name);
            raw.meta.remarks.push_back(
                fmt::format("{} target{} registered by Auto Scaling group {}", by_groups,
                            by_groups == 1 ? "" : "s", fmt::join(names, ", ")));
        }
        return raw;
    }

    model::RawLaunchTemplate emit_launch_template(const VpcPlan& plan,
                                                  const LaunchTemplatePlan& t) {
        model::RawLaunchTemplate raw;
        raw.meta = meta(t.name, t.id);
        raw.meta.remarks.push_back("launch template " + t.id + ": " + t.comment);
        std::vector<std::string> groups;
        for (const std::string& g : t.group_ids) {
            if (imported(g) && group_vpc_[g] == plan.vpc->r.id) {
                groups.push_back(name_of(g));
            } else {
                warn(
                    fmt::format("launch template {}: security group {} is not in the input; "
                                "left out",
                                t.name, g));
            }
        }
        if (groups.size() > cloud::kMaxSecurityGroupsPerEni) {
            warn(
                fmt::format("launch template {} has {} security groups; the topology allows {}, "
                            "the first {} are kept",
                            t.name, groups.size(), cloud::kMaxSecurityGroupsPerEni,
                            cloud::kMaxSecurityGroupsPerEni));
            groups.resize(cloud::kMaxSecurityGroupsPerEni);
        }
        for (const std::string& g : groups) raw.security_groups.push_back(written(g));
        if (!t.user_data.empty()) raw.user_data = written(t.user_data);
        return raw;
    }

    model::RawAutoScalingGroup emit_auto_scaling_group(const VpcPlan& plan, const AsgPlan& a) {
        const AutoScalingGroup& g = *a.group;
        model::RawAutoScalingGroup raw;
        raw.meta = meta(a.name, g.r.id);
        raw.launch_template = written(a.launch_template);
        raw.min_size = written(long{*g.min_size});
        raw.max_size = written(long{*g.max_size});
        if (g.desired_capacity) raw.desired_capacity = written(long{*g.desired_capacity});
        for (const std::string& s : g.subnet_ids) {
            if (subnet_vpc(s) == plan.vpc->r.id) raw.subnets.push_back(written(name_of(s)));
        }
        for (const std::string& arn : g.target_group_arns) {
            std::string tg = group_in_vpc(arn, plan.vpc->r.id);
            if (!tg.empty()) {
                raw.target_groups.push_back(written(tg));
            } else {
                warn(fmt::format("Auto Scaling group {}: target group {} is not imported; left out",
                                 a.name, arn));
            }
        }
        if (!g.load_balancer_names.empty()) {
            not_modelled("Auto Scaling attachments to classic load balancers",
                         static_cast<int>(g.load_balancer_names.size()));
        }
        if (g.health_check_type == "EC2") {
            raw.health_check_type = written(model::AsgHealthCheckType::Ec2);
        } else if (g.health_check_type == "ELB") {
            raw.health_check_type = written(model::AsgHealthCheckType::Elb);
        } else if (!g.health_check_type.empty()) {
            not_modelled("Auto Scaling health check types " + g.health_check_type);
            warn(
                fmt::format("Auto Scaling group {}: health check type {} is not modelled yet; "
                            "EC2 applies",
                            a.name, g.health_check_type));
        }
        // The group's own value: 0 from the API, 300 from the console. Never a default.
        if (g.health_check_grace_period) {
            raw.health_check_grace_period = written(long{*g.health_check_grace_period});
        } else {
            warn(
                fmt::format("Auto Scaling group {}: HealthCheckGracePeriod is not in the input; "
                            "the topology's default (300 s) applies",
                            a.name));
        }
        // AWS: auto-scaling-groups — the group's instances are its own: the loader launches
        // them, so the cloud's are not written as instances.
        std::vector<std::string> unmatched;
        for (const auto& [member, launched] : a.members) {
            std::string address;
            for (const auto& [eni_id, eni] : enis_) {
                if (eni->instance_id == member && eni->device_index == 0 &&
                    !eni->private_ips.empty()) {
                    address = " (" + eni->private_ips.front().to_string() + " in the cloud)";
                }
            }
            if (launched.empty()) {
                unmatched.push_back(member);
                raw.meta.remarks.push_back(fmt::format(
                    "{}{}: no instance the loader launches stands for it", member, address));
            } else {
                raw.meta.remarks.push_back(
                    fmt::format("{} stands for {}{}", launched, member, address));
            }
        }
        warn(
            fmt::format("Auto Scaling group {}: the loader launches its {} instance{} ({}-1...) "
                        "from launch template {}, with addresses of its own; the cloud's {} "
                        "instance{} are not written as instances",
                        a.name, a.desired, a.desired == 1 ? "" : "s", a.name, a.launch_template,
                        a.members.size(), a.members.size() == 1 ? "" : "s"));
        if (!unmatched.empty()) {
            warn(
                fmt::format("Auto Scaling group {}: instance{} {} of the cloud ha{} no counterpart "
                            "among the {} the loader launches (desired capacity, spread over "
                            "the zones in turn)",
                            a.name, unmatched.size() == 1 ? "" : "s", fmt::join(unmatched, ", "),
                            unmatched.size() == 1 ? "s" : "ve", a.desired));
        }
        return raw;
    }

    // Per-resource files whose resource is not in the input.
    void report_unclaimed() {
        for (const TargetHealth& th : inv_.target_health) {
            if (claimed_health_.count(&th) != 0) continue;
            warn(fmt::format("{}: target group {} is not imported; its targets are left out",
                             th.where, th.owner.arn.empty() ? th.owner.name : th.owner.arn));
        }
        for (const OwnedAttributes& a : inv_.attributes) {
            if (claimed_attributes_.count(&a) != 0) continue;
            warn(fmt::format("{}: {} {} is not imported; its attributes are left out",
                             a.attributes.where, a.load_balancer ? "load balancer" : "target group",
                             a.owner.arn.empty() ? a.owner.name : a.owner.arn));
        }
        std::set<std::string> lbs;
        for (const auto& p : plans_) {
            for (const LoadBalancer* lb : p.load_balancers) lbs.insert(lb->r.id);
        }
        std::set<std::string> listeners;
        for (const ElbListener& l : inv_.listeners) {
            listeners.insert(l.arn);
            if (lbs.count(l.load_balancer_arn) == 0) {
                warn(fmt::format("{}: listener {}: its load balancer is not imported; left out",
                                 l.where, l.arn));
            }
        }
        for (const ElbRule& r : inv_.rules) {
            if (listeners.count(r.listener_arn) == 0) {
                warn(fmt::format("{}: rule {}: its listener {} is not in the input; left out",
                                 r.where, r.arn, r.listener_arn));
            }
        }
    }

    // --- the raw topology -----------------------------------------------------------------

    static model::RawMeta meta(const std::string& name, const std::string& id,
                               std::string comment = "") {
        model::RawMeta m;
        m.name = name;
        m.id = id;
        m.comment = std::move(comment);
        return m;
    }

    // A list of routes or rules; what cannot be written stays in place as a comment line.
    template <class T>
    struct Entries {
        std::vector<T> items;
        std::vector<model::Remark> remarks;
        void left_out(const std::string& text, const std::string& why) {
            remarks.push_back({items.size(), "- " + text + (why.empty() ? "" : "  # " + why)});
        }
    };

    void emit() {
        model::RawTopology& t = result_.topology;
        t.remarks = {"Imported by 'vpcctl import aws' from the output of the EC2 describe-* calls.",
                     "Names come from Name tags (else the cloud ids); ids are kept as id:."};
        t.region = written(region_);
        for (const VpcPlan& plan : plans_) t.vpcs.push_back(emit_vpc(plan));
        // The public addresses of deleted NAT gateways were the account's: nothing answers
        // there now (unless an Elastic IP of the input holds the address again).
        std::set<net::Ipv4Address> held;
        for (const auto& e : eips_) held.insert(e.second);
        std::set<net::Ipv4Address> unassigned;
        for (const NatGateway* nat : unique_by_id(inv_.nat_gateways)) {
            if (nat->state != "deleted") continue;
            for (const NatAddress& a : nat->addresses) {
                if (a.public_ip && held.count(*a.public_ip) == 0) unassigned.insert(*a.public_ip);
            }
        }
        for (net::Ipv4Address a : unassigned) t.internet_unassigned.push_back(written(a));
        for (std::size_t i = 0; i < eips_.size(); ++i) {
            model::RawElasticIp eip;
            eip.meta = meta(eip_names_[i], eips_[i].first.id);
            eip.address = written(eips_[i].second);
            t.elastic_ips.push_back(std::move(eip));
        }
        for (const Peering* p : peerings_) {
            const model::PeeringStatus status = peering_status(p->status);
            model::RawPeering raw;
            raw.meta =
                meta(name_of(p->r.id), p->r.id,
                     model::to_string(status) != p->status ? p->status + " in the cloud" : "");
            raw.requester = written(name_of(p->requester.vpc_id));
            raw.accepter = written(name_of(p->accepter.vpc_id));
            raw.status = written(status);
            t.peerings.push_back(std::move(raw));
        }
        for (const PrefixList* pl : prefix_lists_) {
            model::RawPrefixList raw;
            raw.meta = meta(name_of(pl->r.id), pl->r.id);
            if (pl->cidrs) {
                raw.cidrs = *pl->cidrs;
            } else if (auto it = inv_.prefix_list_entries.find(pl->r.id);
                       it != inv_.prefix_list_entries.end()) {
                raw.cidrs = it->second;
            } else {
                raw.meta.comment = "entries not in the input";
                warn(
                    fmt::format("prefix list {}: its entries are not in the input (save "
                                "'aws ec2 get-managed-prefix-list-entries' as {}.json); "
                                "imported empty",
                                pl->r.id, pl->r.id));
            }
            t.prefix_lists.push_back(std::move(raw));
        }
        emit_route53();
        result_.yaml = model::write_topology_yaml(t);
    }

    // AWS: vpc-dns — DNS support is on by default; DNS hostnames are off, except in a default
    // VPC. Written only where the cloud's value differs from the topology's default.
    void emit_dns_attributes(const Vpc& vpc, model::RawVpc& raw) {
        std::optional<bool> support, hostnames;
        for (const VpcAttribute& a : inv_.vpc_attributes) {
            if (a.vpc_id != vpc.r.id) continue;
            auto& slot = a.attribute == "enableDnsSupport" ? support : hostnames;
            if (!slot) slot = a.value;
        }
        const bool s = support.value_or(true);
        const bool h = hostnames.value_or(vpc.is_default);
        if (!s) raw.enable_dns_support = written(false);
        if (h && !s) {
            warn(
                fmt::format("VPC {}: DNS hostnames without DNS support (the cloud refuses this); "
                            "enable_dns_hostnames left out",
                            vpc.r.id));
        } else if (h) {
            raw.enable_dns_hostnames = written(true);
        }
    }

    model::RawVpc emit_vpc(const VpcPlan& plan) {
        const Vpc& vpc = *plan.vpc;
        model::RawVpc raw;
        raw.meta = meta(plan.name, vpc.r.id);
        if (plan.region != region_) raw.region = written(plan.region);
        if (!vpc.r.account.empty()) raw.account = written(vpc.r.account);
        raw.cidr = written(vpc.cidr);
        for (const net::Cidr& c : vpc.secondary) raw.secondary_cidrs.push_back(written(c));
        emit_dns_attributes(vpc, raw);
        if (plan.igw != nullptr) {
            raw.internet_gateways.push_back({meta(name_of(plan.igw->r.id), plan.igw->r.id)});
        }
        for (const Subnet* s : plan.subnets) raw.subnets.push_back(emit_subnet(plan, *s));
        for (const RouteTable* t : plan.route_tables) {
            raw.route_tables.push_back(emit_route_table(plan, *t));
            const auto& g = t->gateway_ids;
            if (plan.igw == nullptr || std::find(g.begin(), g.end(), plan.igw->r.id) == g.end()) {
                continue;
            }
            // AWS: gateway-route-tables — the table associated with the internet gateway.
            if (gateway_route_table_ok(plan, raw.route_tables.back())) {
                raw.internet_gateways.front().route_table = written(name_of(t->r.id));
            } else {
                raw.route_tables.back().meta.remarks.push_back(
                    "associated with gateway " + plan.igw->r.id +
                    " (ingress routing), but has routes a gateway route table cannot have: "
                    "association left out");
                warn(
                    fmt::format("route table {} is associated with internet gateway {} but "
                                "has routes other than local or to a network interface within "
                                "the VPC; association left out",
                                t->r.id, plan.igw->r.id));
            }
        }
        for (const NetworkAcl* a : plan.acls) raw.network_acls.push_back(emit_acl(*a));
        for (const SecurityGroup* g : plan.groups) {
            raw.security_groups.push_back(emit_group(plan, *g));
        }
        for (const NatGateway* n : plan.nats) raw.nat_gateways.push_back(emit_nat(*n));
        for (const InstancePlan& i : plan.instances) raw.instances.push_back(emit_instance(i));
        for (const LoadBalancer* lb : plan.load_balancers) {
            if (auto b = emit_load_balancer(plan, *lb)) {
                raw.load_balancers.push_back(std::move(*b));
                lbs_emitted_.emplace_back(plan.name, lb);
            }
        }
        for (const TargetGroup* g : plan.target_groups) {
            raw.target_groups.push_back(emit_target_group(plan, *g));
        }
        for (const LaunchTemplatePlan& t : plan.launch_templates) {
            raw.launch_templates.push_back(emit_launch_template(plan, t));
        }
        for (const AsgPlan& g : plan.auto_scaling_groups) {
            raw.auto_scaling_groups.push_back(emit_auto_scaling_group(plan, g));
        }
        return raw;
    }

    model::RawSubnet emit_subnet(const VpcPlan& plan, const Subnet& s) {
        model::RawSubnet raw;
        raw.meta = meta(name_of(s.r.id), s.r.id);
        raw.cidr = written(s.cidr);
        if (!s.az.empty()) raw.az = written(s.az);
        for (const RouteTable* t : plan.route_tables) {
            if (std::find(t->subnet_ids.begin(), t->subnet_ids.end(), s.r.id) !=
                t->subnet_ids.end()) {
                raw.route_table = written(name_of(t->r.id));
            }
        }
        for (const NetworkAcl* a : plan.acls) {
            // AWS: vpc-network-acls — every subnet has an ACL association; the default ACL's
            // associations are left implicit.
            if (!a->is_default && std::find(a->subnet_ids.begin(), a->subnet_ids.end(), s.r.id) !=
                                      a->subnet_ids.end()) {
                raw.network_acl = written(name_of(a->r.id));
            }
        }
        return raw;
    }

    // A route in the topology's short form. AWS: VPC_Route_Tables.
    void add_route(const VpcPlan& plan, const Route& r, Entries<model::RawRoute>& out) {
        if (r.gateway_id == "local") return;  // implicit in every table
        // AWS: managed-prefix-lists — a route's destination may be a prefix list.
        std::string prefix_list;
        if (!r.destination && r.other_destination.rfind("pl-", 0) == 0 &&
            imported(r.other_destination)) {
            prefix_list = name_of(r.other_destination);
        }
        if (!r.destination && prefix_list.empty()) {
            bool v6 = r.other_destination.find(':') != std::string::npos;
            if (!v6) {
                warn(
                    fmt::format("{}: route {} -> {}: prefix list {} is not in the input; left "
                                "out",
                                r.where, r.other_destination, target_id(r), r.other_destination));
                out.left_out(model::route_text(r.other_destination, target_id(r)),
                             "prefix list not in the input");
                return;
            }
            not_modelled("IPv6 routes");
            out.left_out(model::route_text(r.other_destination, target_id(r)),
                         "IPv6 routes: not modelled yet");
            return;
        }
        std::string dest = prefix_list.empty() ? r.destination->to_string() : "pl:" + prefix_list;
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
            // A prefix-list route to a target not modelled yet (a gateway endpoint for S3, say)
            // stays a comment: as a blackhole it would drop traffic that the cloud delivers.
            if (!prefix_list.empty()) {
                out.left_out(model::route_text(dest, target_id(r)), comment);
                return;
            }
        }
        // AWS: VPC_Route_Tables — a route whose target is gone or stopped is a blackhole; it
        // still names its target, and so does the imported route (was:).
        std::string was;
        if (!target.empty() && r.state == "blackhole" && target.rfind("peering/", 0) != 0) {
            comment = fmt::format("{} is a blackhole in the cloud", target);
            was = target_id(r);
            target.clear();
        }
        if (target.empty()) {
            if (unmodelled.empty() && target_id(r) != "?") was = target_id(r);
            // AWS: middlebox-routing, replace-local-route-target — inside the VPC only a NAT
            // gateway or a network interface may take a subnet's traffic, and only a network
            // interface the whole VPC CIDR's; a blackhole there is written only when it names
            // such a deleted target.
            const auto local =
                r.destination ? cloud::local_route_covering(cidrs_of(*plan.vpc), *r.destination)
                              : std::nullopt;
            const model::RouteTargetKind was_kind = cloud::kind_named_by(was);
            const bool writable =
                !local || (*local == *r.destination ? cloud::may_replace_local_target(was_kind)
                                                    : cloud::may_take_subnet_traffic(was_kind));
            if (!writable) {
                if (unmodelled.empty()) not_modelled("routes inside the VPC to missing targets");
                warn(fmt::format("{}: route {} -> {} ({}) left out of the topology", r.where, dest,
                                 target_id(r), comment));
                out.left_out(model::route_text(dest, target_id(r)), comment);
                return;
            }
            target = "blackhole";
        }
        model::RawRoute route;
        if (r.destination) route.destination = *r.destination;
        route.prefix_list = prefix_list;
        route.target = target;
        route.was = was;
        route.text = model::route_text(dest, target);
        route.comment = comment;
        out.items.push_back(std::move(route));
    }

    // AWS: gateway-route-tables — only routes within the VPC, to a network interface (or a
    // blackhole that was one); the cloud refuses the association otherwise.
    bool gateway_route_table_ok(const VpcPlan& plan, const model::RawRouteTable& t) const {
        const std::vector<net::Cidr> cidrs = cidrs_of(*plan.vpc);
        return std::all_of(t.routes.begin(), t.routes.end(), [&](const model::RawRoute& r) {
            const model::RouteTarget target{cloud::kind_named_by(r.target), model::kNone, r.target,
                                            r.was};
            const model::RouteTargetKind kind =
                r.target == "blackhole" ? cloud::effective_kind(target) : target.kind;
            return r.prefix_list.empty() && cloud::local_route_covering(cidrs, r.destination) &&
                   cloud::gateway_route_table_may_target(kind) &&
                   kind != model::RouteTargetKind::Local;
        });
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

    model::RawRouteTable emit_route_table(const VpcPlan& plan, const RouteTable& t) {
        model::RawRouteTable raw;
        raw.meta = meta(name_of(t.r.id), t.r.id);
        if (t.main) raw.main = written(true);
        // AWS: gateway-route-tables — the association with the VPC's internet gateway is
        // written on the gateway (its route_table); others (a virtual private gateway) are not
        // modelled yet.
        std::string ids;
        int others = 0;
        for (const auto& g : t.gateway_ids) {
            if (plan.igw != nullptr && plan.igw->r.id == g) continue;  // see emit_vpc
            ids += (ids.empty() ? "" : ", ") + g;
            ++others;
        }
        if (others > 0) {
            not_modelled("route table gateway associations (ingress routing)", others);
            raw.meta.remarks.push_back("associated with gateway " + ids +
                                       " (ingress routing): not modelled yet");
        }
        Entries<model::RawRoute> routes;
        for (const Route& r : t.routes) add_route(plan, r, routes);
        raw.routes = std::move(routes.items);
        raw.route_remarks = std::move(routes.remarks);
        return raw;
    }

    void add_acl_rule(const AclEntry& e, Entries<model::RawAclRule>& out) {
        // AWS: vpc-network-acls — the final '*' rule denies and is implicit.
        if (e.number == cloud::kAclFinalRuleNumber) return;
        const model::RuleAction action =
            e.allow ? model::RuleAction::Allow : model::RuleAction::Deny;
        const std::optional<net::Protocol> p = modelled_protocol(e.protocol);
        if (!e.cidr || !p) {
            not_modelled("network ACL IPv6 rules");
            out.left_out(
                fmt::format("{} {} {} {} {}", e.number, model::to_string(action),
                            p ? p->to_string() : e.protocol, e.egress ? "to" : "from", e.ipv6_cidr),
                "IPv6 rule: not modelled yet");
            return;
        }
        model::RawAclRule rule;
        rule.number = e.number;
        rule.action = action;
        rule.protocol = *p;
        if (p->has_ports() && e.ports) rule.ports = port_range(e.ports->first, e.ports->second);
        if (is_icmp(*p) && e.icmp) rule.icmp = icmp_match(e.icmp->first, e.icmp->second);
        rule.cidr = *e.cidr;
        rule.text = model::acl_rule_text(e.number, model::to_string(action),
                                         model::traffic_text(rule.protocol, rule.ports, rule.icmp),
                                         !e.egress, e.cidr->to_string());
        out.items.push_back(std::move(rule));
    }

    model::RawAcl emit_acl(const NetworkAcl& a) {
        model::RawAcl raw;
        raw.meta = meta(name_of(a.r.id), a.r.id);
        if (a.is_default) raw.is_default = written(true);
        for (bool egress : {false, true}) {
            std::vector<const AclEntry*> entries;
            for (const AclEntry& e : a.entries) {
                if (e.egress == egress) entries.push_back(&e);
            }
            // AWS: vpc-network-acls — lowest rule number first.
            std::stable_sort(entries.begin(), entries.end(),
                             [](const auto* x, const auto* y) { return x->number < y->number; });
            Entries<model::RawAclRule> rules;
            for (const AclEntry* e : entries) add_acl_rule(*e, rules);
            (egress ? raw.outbound : raw.inbound) = std::move(rules.items);
            (egress ? raw.outbound_remarks : raw.inbound_remarks) = std::move(rules.remarks);
        }
        return raw;
    }

    // The peer of a security group rule: a CIDR, sg:NAME, sg:VPC/NAME or pl:NAME, set in
    // `out`. False when it cannot be written; `why` then says so.
    bool sg_peer(const VpcPlan& plan, const SgRule& rule, model::RawSgRule& out, std::string& why) {
        switch (rule.peer_kind) {
            case SgRule::PeerKind::Cidr:
                out.peer_kind = model::PeerKind::Cidr;
                out.cidr = rule.cidr;
                return true;
            case SgRule::PeerKind::Ipv6:
                not_modelled("security group IPv6 rules");
                why = "IPv6: not modelled yet";
                return false;
            case SgRule::PeerKind::PrefixList:
                if (imported(rule.prefix_list_id)) {
                    out.peer_kind = model::PeerKind::PrefixList;
                    out.reference = name_of(rule.prefix_list_id);
                    return true;
                }
                why = fmt::format("prefix list {} is not in the input", rule.prefix_list_id);
                return false;
            case SgRule::PeerKind::Group:
                break;
        }
        std::string shown = rule.group_account.empty() || rule.group_account == plan.vpc->r.account
                                ? rule.group_id
                                : rule.group_account + "/" + rule.group_id;
        auto vpc_it = group_vpc_.find(rule.group_id);
        if (vpc_it == group_vpc_.end() || !imported(rule.group_id)) {
            why = fmt::format("security group {} is not in the input", shown);
            return false;
        }
        out.peer_kind = model::PeerKind::SecurityGroup;
        const std::string& other = vpc_it->second;
        if (other == plan.vpc->r.id) {
            out.reference = name_of(rule.group_id);
            return true;
        }
        // AWS: vpc-peering-security-groups — a peer VPC's group, same region, active peering.
        const VpcPlan* peer = plan_of(other);
        auto key = std::minmax(other, plan.vpc->r.id);
        if (peer != nullptr && peer->region == plan.region &&
            active_pairs_.count({key.first, key.second}) != 0) {
            out.reference = peer->name + "/" + name_of(rule.group_id);
            return true;
        }
        why = fmt::format(
            "security group {} is in VPC {}, not peered with this VPC (active, same "
            "region)",
            shown, peer != nullptr ? peer->name : other);
        return false;
    }

    void add_sg_rule(const VpcPlan& plan, const SecurityGroup& g, const SgRule& rule, bool egress,
                     Entries<model::RawSgRule>& out) {
        const std::optional<net::Protocol> p = modelled_protocol(rule.protocol);
        model::RawSgRule raw;
        std::string why;
        bool peer = false;
        if (!p) {
            not_modelled("security group IPv6 rules");
            why = fmt::format("protocol {}: not modelled yet", rule.protocol);
        } else {
            raw.protocol = *p;
            if (p->has_ports()) raw.ports = port_range(rule.from_port, rule.to_port);
            if (is_icmp(*p)) raw.icmp = icmp_match(rule.from_port, rule.to_port);
            peer = sg_peer(plan, rule, raw, why);
        }
        const std::string spec =
            p ? model::traffic_text(raw.protocol, raw.ports, raw.icmp) : rule.protocol;
        const char* dir = egress ? "to" : "from";
        if (!peer) {
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
            out.left_out(model::sg_rule_text(spec, !egress, target), why);
            return;
        }
        // A description is kept: the writer uses the long form for it.
        raw.description = rule.description;
        raw.text = model::sg_rule_text(spec, !egress, model::sg_peer_text(raw));
        out.items.push_back(std::move(raw));
    }

    model::RawSecurityGroup emit_group(const VpcPlan& plan, const SecurityGroup& g) {
        model::RawSecurityGroup raw;
        raw.meta = meta(name_of(g.r.id), g.r.id);
        if (is_default(g)) raw.is_default = written(true);
        for (bool egress : {false, true}) {
            Entries<model::RawSgRule> rules;
            for (const SgRule& rule : egress ? g.egress : g.ingress) {
                add_sg_rule(plan, g, rule, egress, rules);
            }
            if (egress) {
                // An egress list left out means "all to 0.0.0.0/0": write it, empty or not.
                raw.egress = std::move(rules.items);
                raw.egress_remarks = std::move(rules.remarks);
            } else {
                raw.ingress = std::move(rules.items);
                raw.ingress_remarks = std::move(rules.remarks);
            }
        }
        return raw;
    }

    model::RawNatGateway emit_nat(const NatGateway& n) {
        const NatAddress* primary = nullptr;
        for (const NatAddress& a : n.addresses) {
            if (a.primary && primary == nullptr) primary = &a;
        }
        const bool is_public = n.connectivity_type != "private";
        model::RawNatGateway raw;
        raw.meta =
            meta(name_of(n.r.id), n.r.id,
                 n.state != "available" && !n.state.empty() ? n.state + " in the cloud" : "");
        raw.subnet = written(name_of(n.subnet_id));
        if (primary != nullptr && primary->private_ip) {
            raw.private_ip = written(*primary->private_ip);
        }
        if (auto eip = nat_eip_name_.find(n.r.id); is_public && eip != nat_eip_name_.end()) {
            raw.elastic_ip = written(eip->second);
        }
        raw.is_public = written(is_public);
        return raw;
    }

    model::RawInstance emit_instance(const InstancePlan& i) {
        model::RawInstance raw;
        raw.meta = meta(i.name, i.id, i.comment);
        if (i.state != "running") {
            raw.state = written(i.state);
            raw.running = false;
        }
        for (const NetworkInterface* e : i.enis) {
            model::RawEni eni;
            eni.meta = meta(name_of(e->r.id), e->r.id);
            eni.subnet = written(name_of(e->subnet_id));
            for (const auto& ip : e->private_ips) eni.private_ips.push_back(written(ip));
            if (auto eip = eni_eip_name_.find(e->r.id); eip != eni_eip_name_.end()) {
                eni.elastic_ip = written(eip->second);
            } else if (e->public_ip) {
                eni.public_ip = written(*e->public_ip);
            }
            if (auto more = eni_secondary_eips_.find(e->r.id); more != eni_secondary_eips_.end()) {
                for (const auto& [ip, name] : more->second) {
                    model::RawSecondaryElasticIp s;
                    s.private_ip = written(ip);
                    s.elastic_ip = written(name);
                    eni.secondary_elastic_ips.push_back(std::move(s));
                }
            }
            std::vector<std::string> groups;
            for (const std::string& g : e->group_ids) {
                if (imported(g) && group_vpc_[g] == subnet_vpc(e->subnet_id)) {
                    groups.push_back(name_of(g));
                } else {
                    warn(
                        fmt::format("network interface {}: security group {} is not in the "
                                    "input; left out",
                                    e->r.id, g));
                }
            }
            // AWS: amazon-vpc-limits — 5 groups per ENI by default (a quota that can be raised
            // to 16); the topology allows 5.
            if (groups.size() > cloud::kMaxSecurityGroupsPerEni) {
                warn(
                    fmt::format("network interface {} has {} security groups; the topology "
                                "allows {}, the first {} are kept",
                                e->r.id, groups.size(), cloud::kMaxSecurityGroupsPerEni,
                                cloud::kMaxSecurityGroupsPerEni));
                groups.resize(cloud::kMaxSecurityGroupsPerEni);
            }
            for (const std::string& g : groups) eni.security_groups.push_back(written(g));
            if (!e->source_dest_check) eni.source_dest_check = written(false);
            if (e->tcp_established_timeout) {
                eni.tcp_established_timeout = written(long{*e->tcp_established_timeout});
            }
            if (e->udp_stream_timeout)
                eni.udp_stream_timeout = written(long{*e->udp_stream_timeout});
            if (e->udp_timeout) eni.udp_timeout = written(long{*e->udp_timeout});
            raw.enis.push_back(std::move(eni));
        }
        return raw;
    }

    // --- Route 53 -------------------------------------------------------------------------

    static std::string lower(std::string text) {
        std::transform(text.begin(), text.end(), text.begin(),
                       [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
        return text;
    }
    // A DNS name compared as Route 53 does: case-insensitive, with or without the final dot.
    static std::string dns_key(const std::string& name) {
        std::string key = lower(name);
        if (!key.empty() && key.back() == '.') key.pop_back();
        return key;
    }
    // AWS: resource-record-sets-values-alias — an alias to a load balancer may name it with
    // a "dualstack." prefix.
    static std::string lb_dns_key(const std::string& name) {
        std::string key = dns_key(name);
        if (key.rfind("dualstack.", 0) == 0) key = key.substr(10);
        return key;
    }
    // What an alias target the topology cannot model is, for messages.
    static std::string alias_kind(const std::string& dns) {
        if (dns.find("cloudfront.net") != std::string::npos) return "a CloudFront distribution";
        if (dns.find("s3-website") != std::string::npos) return "an S3 website endpoint";
        if (dns.find("execute-api") != std::string::npos) return "an API Gateway endpoint";
        if (dns.find("elb.amazonaws.com") != std::string::npos) {
            return "a load balancer not imported";
        }
        if (dns.find("vpce") != std::string::npos) return "a VPC endpoint";
        return "a target outside the zone";
    }

    static bool modelled_record_type(const std::string& type) {
        static const std::set<std::string> types = {"A",  "AAAA", "CNAME", "TXT", "MX",
                                                    "NS", "SRV",  "PTR",   "CAA"};
        return types.count(type) != 0;
    }

    // The record name relative to its zone, as the topology writes it ("@" for the apex).
    static std::string relative_name(const std::string& name, const std::string& zone) {
        const std::string key = dns_key(name);
        if (key == zone) return "@";
        const std::string suffix = "." + zone;
        if (key.size() > suffix.size() &&
            key.compare(key.size() - suffix.size(), suffix.size(), suffix) == 0) {
            return key.substr(0, key.size() - suffix.size());
        }
        return key + ".";
    }

    void emit_health_checks() {
        NameScope names;
        std::vector<const Route53HealthCheck*> kept;
        static const std::map<std::string, model::HealthCheckType> kTypes = {
            {"HTTP", model::HealthCheckType::Http},
            {"HTTPS", model::HealthCheckType::Https},
            {"TCP", model::HealthCheckType::Tcp},
            {"CALCULATED", model::HealthCheckType::Calculated}};
        for (const Route53HealthCheck* h : unique_by_id(inv_.route53_health_checks)) {
            if (kTypes.count(h->type) == 0) {
                warn(fmt::format("health check {} ({}): type {} is not modelled yet; not imported",
                                 h->r.id, h->r.where, h->type));
                not_modelled(h->type + " health checks");
                continue;
            }
            if (h->type != "CALCULATED" && !h->ip && h->domain.empty()) {
                warn(
                    fmt::format("health check {} ({}): no IPAddress or FullyQualifiedDomainName; "
                                "not imported",
                                h->r.id, h->r.where));
                continue;
            }
            Resource r = h->r;
            if (auto it = inv_.health_check_names.find(h->r.id);
                it != inv_.health_check_names.end()) {
                r.name_tag = it->second;
            }
            health_check_name_[h->r.id] = names.unique(wanted_name(r));
            kept.push_back(h);
        }
        for (const Route53HealthCheck* h : kept) {
            model::RawRoute53HealthCheck raw;
            raw.meta = meta(health_check_name_[h->r.id], h->r.id);
            raw.type = written(kTypes.at(h->type));
            if (h->type == "CALCULATED") {
                raw.children_written = true;
                for (const std::string& child : h->children) {
                    auto it = health_check_name_.find(child);
                    if (it == health_check_name_.end()) {
                        warn(
                            fmt::format("health check {}: child health check {} is not "
                                        "imported; left out",
                                        h->r.id, child));
                        continue;
                    }
                    raw.children.push_back(written(it->second));
                }
                if (h->healthy_threshold) {
                    long threshold = std::min<long>(*h->healthy_threshold,
                                                    static_cast<long>(raw.children.size()));
                    raw.healthy_threshold = written(threshold);
                }
            } else {
                // AWS: health-checks-creating-values — with both, Route 53 connects to the
                // address and sends the domain as the Host header: the address is what it checks.
                if (h->ip) {
                    raw.ip = written(*h->ip);
                    if (!h->domain.empty()) {
                        raw.meta.comment =
                            "FullyQualifiedDomainName " + h->domain + " (Host header)";
                    }
                } else {
                    raw.domain = written(h->domain);
                }
                if (h->port) raw.port = written(static_cast<long>(*h->port));
                if (h->type != "TCP" && !h->path.empty()) raw.path = written(h->path);
                if (h->interval) raw.interval = written(static_cast<long>(*h->interval));
                if (h->failure_threshold) {
                    raw.failure_threshold = written(static_cast<long>(*h->failure_threshold));
                }
            }
            if (h->inverted) raw.inverted = written(true);
            result_.topology.health_checks.push_back(std::move(raw));
        }
    }

    // The record lists of each zone: by the zone id the file name gives, else by the name of
    // the apex SOA record when one zone of the input has that name.
    std::map<std::string, std::vector<const RecordSetList*>> record_lists_by_zone(
        const std::vector<const HostedZone*>& zones) {
        std::map<std::string, std::vector<const RecordSetList*>> out;
        for (const RecordSetList& list : inv_.record_sets) {
            std::string zone_id = list.zone_id;
            if (zone_id.empty()) {
                std::vector<std::string> candidates;
                for (const RecordSet& r : list.records) {
                    if (r.type != "SOA") continue;
                    for (const HostedZone* z : zones) {
                        if (dns_key(z->name) == dns_key(r.name)) candidates.push_back(z->r.id);
                    }
                }
                if (candidates.size() == 1) zone_id = candidates.front();
            }
            bool known = std::any_of(zones.begin(), zones.end(),
                                     [&](const HostedZone* z) { return z->r.id == zone_id; });
            if (!known) {
                warn(fmt::format(
                    "{}: cannot tell which hosted zone of the input these records belong to{}; "
                    "save 'aws route53 list-resource-record-sets --hosted-zone-id ID' as "
                    "list-resource-record-sets-ID.json beside 'aws route53 list-hosted-zones'; "
                    "not imported",
                    list.where, zone_id.empty() ? "" : " (zone " + zone_id + ")"));
                continue;
            }
            out[zone_id].push_back(&list);
        }
        return out;
    }

    // A record set of the input as the topology writes it, or why it cannot be.
    struct RecordPlan {
        const RecordSet* set = nullptr;
        std::string name;  // relative to the zone
        std::string why;   // not empty: commented out
        std::string lb_target;
        bool record_alias = false;
        std::string alias_name;  // the aliased record, relative
    };

    void emit_route53() {
        emit_health_checks();
        std::map<std::string, int> lb_name_count;
        for (const auto& [vpc, lb] : lbs_emitted_) ++lb_name_count[name_of(lb->r.id)];
        for (const auto& [vpc, lb] : lbs_emitted_) {
            if (lb->dns_name.empty()) continue;
            const std::string& name = name_of(lb->r.id);
            lb_by_dns_[lb_dns_key(lb->dns_name)] =
                lb_name_count[name] > 1 ? vpc + "/" + name : name;
        }
        std::vector<const HostedZone*> zones = unique_by_id(inv_.hosted_zones);
        // Public zones first, each kind in the order read (get-hosted-zone files may come
        // before list-hosted-zones).
        std::stable_partition(zones.begin(), zones.end(),
                              [](const HostedZone* z) { return !z->is_private; });
        auto lists = record_lists_by_zone(zones);
        std::set<std::string> public_names;
        for (const HostedZone* z : zones) {
            const std::string zone = dns_key(z->name);
            model::RawHostedZone raw;
            raw.meta = meta(zone, z->r.id);
            if (z->is_private) {
                raw.is_private = written(true);
                raw.vpcs_written = true;
                std::set<std::string> seen;
                for (const HostedZoneVpc& hv : inv_.hosted_zone_vpcs) {
                    if (hv.zone_id != z->r.id || !seen.insert(hv.vpc_id).second) continue;
                    if (!imported(hv.vpc_id)) {
                        warn(
                            fmt::format("hosted zone {} ({}): VPC {} ({}) is not in the input; "
                                        "association left out",
                                        zone, z->r.id, hv.vpc_id, hv.where));
                        continue;
                    }
                    raw.vpcs.push_back(written(name_of(hv.vpc_id)));
                }
                if (raw.vpcs.empty()) {
                    warn(
                        fmt::format("private hosted zone {} ({}): none of its VPCs is in the "
                                    "input (save 'aws route53 get-hosted-zone --id {}' beside "
                                    "the others); not imported",
                                    zone, z->r.id, z->r.id));
                    continue;
                }
            } else if (!public_names.insert(zone).second) {
                warn(
                    fmt::format("hosted zone {} ({}): a second public zone of that name (the lab "
                                "has one set of name servers); not imported",
                                zone, z->r.id));
                continue;
            }
            auto it = lists.find(z->r.id);
            if (it == lists.end()) {
                warn(
                    fmt::format("hosted zone {} ({}): its records are not in the input (save "
                                "'aws route53 list-resource-record-sets --hosted-zone-id {}' as "
                                "list-resource-record-sets-{}.json); imported empty",
                                zone, z->r.id, z->r.id, z->r.id));
                raw.meta.comment = "records not in the input";
            } else {
                emit_records(zone, z->r.id, it->second, raw);
            }
            ++zones_written_;
            result_.topology.hosted_zones.push_back(std::move(raw));
        }
    }

    void emit_records(const std::string& zone, const std::string& zone_id,
                      const std::vector<const RecordSetList*>& lists, model::RawHostedZone& raw) {
        std::vector<RecordPlan> plans;
        std::set<std::tuple<std::string, std::string, std::string>> seen;
        int apex_skipped = 0;
        for (const RecordSetList* list : lists) {
            for (const RecordSet& r : list->records) {
                if (!seen.insert({dns_key(r.name), r.type, r.set_identifier}).second) continue;
                RecordPlan p;
                p.set = &r;
                p.name = relative_name(r.name, zone);
                // AWS: SOA-NSrecords — Route 53 makes the apex SOA and NS records of every zone.
                if ((r.type == "SOA" || r.type == "NS") && p.name == "@") {
                    ++apex_skipped;
                    continue;
                }
                if (!modelled_record_type(r.type)) {
                    p.why = r.type + " records are not modelled yet";
                } else if (!r.other_policy.empty()) {
                    p.why = "routing policy " + r.other_policy + " is not modelled yet";
                } else if (r.alias) {
                    const std::string target = dns_key(r.alias_dns_name);
                    if (auto lb = lb_by_dns_.find(lb_dns_key(r.alias_dns_name));
                        lb != lb_by_dns_.end()) {
                        p.lb_target = lb->second;
                    } else if (r.alias_zone_id == zone_id || target == zone ||
                               (target.size() > zone.size() &&
                                target.compare(target.size() - zone.size() - 1, zone.size() + 1,
                                               "." + zone) == 0)) {
                        p.record_alias = true;
                        p.alias_name = relative_name(r.alias_dns_name, zone);
                    } else {
                        p.why = "an alias to " + alias_kind(target) + " is not modelled";
                    }
                }
                plans.push_back(std::move(p));
            }
        }
        // An alias to a record needs that record (of its type) written: resolve chains.
        std::set<std::pair<std::string, std::string>> written_sets;
        for (const RecordPlan& p : plans) {
            if (p.why.empty() && !p.record_alias) written_sets.insert({p.name, p.set->type});
        }
        for (bool changed = true; changed;) {
            changed = false;
            for (const RecordPlan& p : plans) {
                if (!p.why.empty() || !p.record_alias) continue;
                if (written_sets.count({p.alias_name, p.set->type}) != 0 &&
                    written_sets.insert({p.name, p.set->type}).second) {
                    changed = true;
                }
            }
        }
        for (RecordPlan& p : plans) {
            if (p.why.empty() && p.record_alias &&
                written_sets.count({p.alias_name, p.set->type}) == 0) {
                p.why = "an alias to " + p.set->type + " " + p.alias_name +
                        ", which is not in the zone's imported records";
            }
        }
        if (apex_skipped > 0) {
            raw.meta.remarks.push_back(fmt::format(
                "{} SOA and NS record{} at the apex left out: Route 53 makes them for every zone",
                apex_skipped, apex_skipped == 1 ? "" : "s"));
        }
        for (const RecordPlan& p : plans) {
            const RecordSet& r = *p.set;
            if (!p.why.empty()) {
                std::string shown = r.alias
                                        ? fmt::format("alias: {{target: {}}}",
                                                      model::yaml_scalar(r.alias_dns_name, true))
                                        : fmt::format("values: [{}]", fmt::join(r.values, ", "));
                raw.meta.remarks.push_back(
                    fmt::format("- {{name: {}, type: {}, {}}}  not imported: {}",
                                model::yaml_scalar(p.name, true), r.type, shown, p.why));
                warn(fmt::format(
                    "hosted zone {}: record {} {}{} ({}): {}; not imported", zone, r.name, r.type,
                    r.set_identifier.empty() ? "" : " " + r.set_identifier, r.where, p.why));
                continue;
            }
            raw.records.push_back(emit_record(zone, p));
        }
    }

    model::RawRecord emit_record(const std::string& zone, const RecordPlan& p) {
        const RecordSet& r = *p.set;
        model::RawRecord raw;
        raw.name = written(p.name);
        if (auto type = dns::parse_rr_type(r.type)) raw.type = written(*type);
        if (r.alias) {
            model::RawAlias alias;
            alias.target = written(p.record_alias ? p.alias_name : p.lb_target);
            alias.evaluate_target_health = written(r.evaluate_target_health);
            raw.alias = std::move(alias);
        } else {
            if (r.ttl) raw.ttl = written(*r.ttl);
            raw.values_written = true;
            for (const std::string& v : r.values) raw.values.push_back(written(v));
        }
        if (!r.set_identifier.empty()) raw.set_identifier = written(r.set_identifier);
        if (r.weight) raw.weight = written(*r.weight);
        if (!r.failover.empty()) raw.failover = written(lower(r.failover));
        if (r.multivalue) raw.multivalue = written(true);
        if (!r.latency_region.empty()) {
            raw.latency = true;
            raw.latency_region = written(r.latency_region);
        }
        if (!r.continent.empty() || !r.country.empty() || !r.subdivision.empty()) {
            raw.geolocation = true;
            if (!r.continent.empty()) raw.continent = written(r.continent);
            if (!r.country.empty()) raw.country = written(r.country);
            if (!r.subdivision.empty()) raw.subdivision = written(r.subdivision);
        }
        if (!r.health_check_id.empty()) {
            auto it = health_check_name_.find(r.health_check_id);
            if (it != health_check_name_.end()) {
                raw.health_check = written(it->second);
            } else {
                raw.comment = "health check " + r.health_check_id + " not imported";
                warn(
                    fmt::format("hosted zone {}: record {} {} ({}): health check {} is not "
                                "imported; left out",
                                zone, r.name, r.type, r.where, r.health_check_id));
            }
        }
        ++records_written_;
        return raw;
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
        std::size_t tgs = 0, lts = 0, asgs = 0;
        for (const auto& p : plans_) {
            tgs += p.target_groups.size();
            lts += p.launch_templates.size();
            asgs += p.auto_scaling_groups.size();
        }
        add("load balancers", load_balancers_written_);
        add("listeners", listeners_written_);
        add("target groups", tgs);
        add("launch templates", lts);
        add("Auto Scaling groups", asgs);
        add("hosted zones", zones_written_);
        add("records", records_written_);
        add("health checks", result_.topology.health_checks.size());
        for (const auto& [what, n] : inv_.not_modelled) result_.report.not_modelled[what] += n;
        for (const auto& w : inv_.warnings) result_.report.warnings.push_back(w);
    }

    const Inventory& inv_;
    WriteOptions options_;
    WriteResult result_;
    std::string region_;

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
    std::map<std::string, std::vector<std::pair<net::Ipv4Address, std::string>>>
        eni_secondary_eips_;
    std::map<std::string, std::string> nat_eip_name_;

    // Load balancing.
    std::map<std::string, std::string> lb_eni_description_;  // "ELB app/NAME/ID" -> LB ARN
    std::map<std::pair<std::string, std::string>, net::Ipv4Address> node_ip_;  // (LB, subnet)
    std::map<std::pair<std::string, std::string>, std::string> node_eip_name_;
    std::map<std::string, std::string> tg_vpc_;                              // ARN -> VPC id
    std::map<std::string, std::pair<std::size_t, std::size_t>> asg_member_;  // instance -> plan
    std::set<const TargetHealth*> claimed_health_;
    std::set<const OwnedAttributes*> claimed_attributes_;
    std::size_t load_balancers_written_ = 0;
    std::size_t listeners_written_ = 0;
    // Route 53.
    std::vector<std::pair<std::string, const LoadBalancer*>> lbs_emitted_;  // (VPC name, LB)
    std::map<std::string, std::string> health_check_name_;                  // id -> name
    std::map<std::string, std::string> lb_by_dns_;  // DNS name -> alias target
    std::size_t zones_written_ = 0;
    std::size_t records_written_ = 0;
    NameScope asg_names_;  // file-wide: their instances' names are the file's

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
