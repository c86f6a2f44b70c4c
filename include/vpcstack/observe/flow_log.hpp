// VPC Flow Logs: one record per flow, per network interface, per aggregation window, as the
// cloud writes them, built from the engine's typed trace records (engine/trace.hpp), never from
// formatted text.
//
// The cloud's rules (AWS: flow-logs, flow-logs-records-examples, flow-logs-s3):
// - A record is one flow (5-tuple, direction) on one interface in one window: its packets, its
//   bytes (IP total length), the Unix seconds of its first and last packet, ACCEPT or REJECT.
//   Windows are 60 s (the default here, as on Nitro instances) or 600 s.
// - ACCEPT/REJECT is the verdict of the interface's security groups and its subnet's network
//   ACL: a request let in whose reply the ACL drops on the way out makes an ACCEPT and a REJECT
//   record; a request the security group drops makes one REJECT record.
// - srcaddr (egress) and dstaddr (ingress) are the interface's primary private IP whatever the
//   packet carries; pkt-srcaddr and pkt-dstaddr are the packet's own. A NAT gateway has a
//   network interface of its own and so records of its own (the four-record NAT example).
// - An interface with no traffic in a window gets a NODATA record.
// - Never logged: traffic to the Amazon DNS resolver, the metadata service (169.254.169.254),
//   time sync (169.254.169.123), Windows licence activation (169.254.169.250/251), DHCP, and
//   the subnet router's reserved address.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "vpcstack/engine/component.hpp"
#include "vpcstack/engine/port.hpp"
#include "vpcstack/engine/trace.hpp"
#include "vpcstack/model/topology.hpp"
#include "vpcstack/net/ipv4.hpp"

namespace vpcstack::observe {

// Every field of the cloud's record, with the version that introduced it.
enum class FlowLogField : std::uint8_t {
    Version,
    AccountId,
    InterfaceId,
    Srcaddr,
    Dstaddr,
    Srcport,
    Dstport,
    Protocol,
    Packets,
    Bytes,
    Start,
    End,
    Action,
    LogStatus,
    VpcId,
    SubnetId,
    InstanceId,
    TcpFlags,
    Type,
    PktSrcaddr,
    PktDstaddr,
    Region,
    AzId,
    SublocationType,
    SublocationId,
    PktSrcAwsService,
    PktDstAwsService,
    FlowDirection,
    TrafficPath,
    EcsClusterArn,
    EcsClusterName,
    EcsContainerInstanceArn,
    EcsContainerInstanceId,
    EcsContainerId,
    EcsSecondContainerId,
    EcsServiceName,
    EcsTaskDefinitionArn,
    EcsTaskArn,
    EcsTaskId,
    RejectReason,
};

std::string_view field_name(FlowLogField field) noexcept;  // "account-id"
int field_version(FlowLogField field) noexcept;

// The fields of a record, in order: the default version-2 format, or a custom one.
class FlowLogFormat {
  public:
    FlowLogFormat();  // the default format
    // "${version} ${interface-id} ..." as the cloud takes it. On an error: nothing, and `error`
    // names the field and says what was expected.
    static std::optional<FlowLogFormat> parse(std::string_view text, std::string& error);

    const std::vector<FlowLogField>& fields() const noexcept { return fields_; }
    // The value of `version`: 2 for the default format, else the highest version of the fields.
    int version() const noexcept { return version_; }
    // The header line the cloud writes first in each file: the field names, space-separated.
    std::string header() const;

  private:
    std::vector<FlowLogField> fields_;
    int version_ = 2;
};

// Where the topology does not say: the account, the region; and the flow log's own settings.
struct FlowLogOptions {
    std::string account = "123456789012";  // for VPCs without an account
    std::string region = "us-east-1";      // for a topology without a region
    std::uint32_t interval_seconds = 60;   // 60 or 600
    // Unix time, in nanoseconds, of engine time 0 (the simulation's virtual clock starts at 0;
    // a live lab passes CLOCK_REALTIME minus CLOCK_MONOTONIC).
    std::int64_t epoch_ns = 0;
    // Engine time the flow log starts at: its first window is the one holding it.
    engine::TimeNs start_ns = 0;
    FlowLogFormat format;
    std::string flow_log_id;  // "fl-..."; empty: derived from the topology's file name
    // Interface ids the topology cannot say, by component name ("nat/nat-a"); a NAT gateway's
    // interface is otherwise "eni-" and 17 hex digits derived from the gateway's name.
    std::map<std::string, std::string> interface_ids;

    // An error naming the option, or "" when the options are valid.
    std::string check() const;
};

// Flow log settings as a user gives them (vpcctl's --flow-log* options, a lab's state).
struct FlowLogSettings {
    std::string dir;  // where the files go; empty: no flow logs
    bool gzip = false;
    std::string format;  // "${field} ..."; empty: the default version-2 format
    int interval = 60;   // seconds: 60 or 600
    std::string account = "123456789012";
    std::string region = "us-east-1";

    // The options they make (epoch and start left for the caller), or nothing with `error`
    // naming the option that is wrong and what was expected.
    std::optional<FlowLogOptions> options(std::string& error) const;
};

enum class FlowDirection : std::uint8_t { Ingress, Egress };

// What makes packets one record: interface, direction, addresses, ports, protocol, verdict.
struct FlowLogFlow {
    std::uint32_t interface = 0;  // into FlowLogCollector::interfaces()
    FlowDirection direction = FlowDirection::Ingress;
    net::Ipv4Address srcaddr;
    net::Ipv4Address dstaddr;
    net::Ipv4Address pkt_srcaddr;
    net::Ipv4Address pkt_dstaddr;
    std::uint16_t srcport = 0;
    std::uint16_t dstport = 0;
    std::uint8_t protocol = 0;
    bool accept = true;
    bool operator==(const FlowLogFlow&) const = default;
};

// One record, before formatting: its flow and what the window counted of it.
struct FlowLogRecord : FlowLogFlow {
    bool nodata = false;
    std::uint64_t packets = 0;
    std::uint64_t bytes = 0;
    std::int64_t start = 0;  // Unix seconds
    std::int64_t end = 0;
    std::uint8_t tcp_flags = 0;                // the cloud's bits, ORed over the window
    std::optional<std::uint8_t> traffic_path;  // egress only: the cloud's codes 1-8
};

// A network interface that has flow log records: an ENI, or a NAT gateway's own interface.
struct FlowLogInterface {
    enum class Kind : std::uint8_t { Eni, NatGateway };
    Kind kind = Kind::Eni;
    model::Index index = model::kNone;  // into Topology::enis or Topology::nat_gateways
    std::string name;                   // "eni/web/eth0", "nat/nat-a"
    std::string id;                     // eni-...
    std::string account;
    std::string vpc_id;
    std::string subnet_id;
    std::string instance_id;  // "-" for a NAT gateway (a requester-managed interface)
    std::string region;
    std::string az_id;
    model::Index subnet = model::kNone;
    net::Ipv4Address primary_ip;
    bool logged = true;  // false for the ENIs of stopped instances (no NODATA for them)
};

// Aggregates the packets an engine saw into records. Feed traces in time order.
class FlowLogCollector {
  public:
    FlowLogCollector(const model::Topology& topology, FlowLogOptions options);

    void observe(const engine::PacketTrace& trace);
    // The records of every window that ended by `now`, NODATA records included.
    std::vector<FlowLogRecord> take_closed(engine::TimeNs now);
    // The same, and the window `now` is in (at the end of a run).
    std::vector<FlowLogRecord> take_all(engine::TimeNs now);

    std::string format(const FlowLogRecord& record) const;
    const FlowLogOptions& options() const noexcept { return options_; }
    const std::vector<FlowLogInterface>& interfaces() const noexcept { return interfaces_; }
    // The flow log's account and region (the S3 path's).
    const std::string& account() const noexcept { return account_; }
    const std::string& region() const noexcept { return region_; }
    std::uint64_t packets_not_logged() const noexcept { return not_logged_; }

  private:
    struct FlowHash {
        std::size_t operator()(const FlowLogFlow& k) const noexcept;
    };
    struct Seen;  // one observation of a packet at an interface
    void add(const Seen& seen, const engine::PacketTrace& trace, std::int64_t unix_seconds);
    void close_window(std::vector<FlowLogRecord>& out);
    std::optional<std::uint32_t> interface_in(model::Index subnet, net::Ipv4Address dst) const;
    bool never_logged(const net::FiveTuple& tuple) const;
    std::int64_t unix_seconds(engine::TimeNs t) const noexcept;

    const model::Topology& topology_;
    engine::ComponentRegistry components_;
    FlowLogOptions options_;
    std::string account_;
    std::string region_;
    std::vector<FlowLogInterface> interfaces_;
    std::int64_t window_ = -1;  // the open window's number (Unix seconds / interval); -1: none
    std::vector<FlowLogRecord> current_;
    std::vector<FlowLogRecord> parked_;  // records of windows closed by later traffic
    std::unordered_map<FlowLogFlow, std::size_t, FlowHash> index_;
    std::uint64_t not_logged_ = 0;
    // AWS: flow-logs limitations — the addresses whose traffic is never logged: the metadata
    // service, time sync, the DNS resolver (link-local, each VPC's, each subnet's), each
    // subnet's router, Windows licence activation.
    std::unordered_set<std::uint32_t> unlogged_addresses_;
};

// Writes records as the cloud delivers them to S3:
// DIR/AWSLogs/ACCOUNT/vpcflowlogs/REGION/YYYY/MM/DD/
//   ACCOUNT_vpcflowlogs_REGION_FLOWLOGID_YYYYMMDDTHHmmZ_HASH.log[.gz]
// one file per 5 minutes of record end times (a later write of the same 5 minutes is another
// file, as the cloud's deliveries are), the header line first, one record per line.
// Returns the files written; throws std::runtime_error naming the file on an I/O error.
std::vector<std::string> write_flow_log_files(const std::string& dir,
                                              const FlowLogCollector& collector,
                                              std::span<const FlowLogRecord> records, bool gzip);

}  // namespace vpcstack::observe
