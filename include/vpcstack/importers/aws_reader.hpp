// Reading the JSON written by the EC2 describe-* calls into the import model.
//
// Files may be named anything: each is recognised by its top-level key (Vpcs, Subnets,
// RouteTables, ...). Three layouts are accepted and may be mixed:
//   DIR/*.json                                  region from --region
//   DIR/<region>/*.json                         e.g. DIR/us-east-1/vpcs.json
//   DIR/accounts/<account-id>/<region>/*.json   several accounts
// Every error names the file (relative to DIR) and the JSON path:
//   Subnets.json: $.Subnets[2].CidrBlock: missing; expected a CIDR string
// Reading collects all errors; the inventory is only meaningful when there are none.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "vpcstack/importers/aws_inventory.hpp"

namespace vpcstack::importers::aws {

struct ReadResult {
    Inventory inventory;
    std::vector<std::string> errors;
    bool ok() const { return errors.empty(); }
};

// Reads every *.json file under `dir` (recursively, in sorted order). `default_region` is used
// for files whose path names no region; it may be empty.
ReadResult read_aws_dir(const std::string& dir, const std::string& default_region);

// Reads one document already in memory into `result`. `file` is the name used in messages;
// `region` and `account` come from the layout (may be empty). Exposed for tests.
void read_aws_document(std::string_view text, const std::string& file, const std::string& region,
                       const std::string& account, ReadResult& result);

// "us-east-1", "eu-central-2", "us-gov-west-1", "cn-north-1": a region folder name.
bool looks_like_region(std::string_view name);

}  // namespace vpcstack::importers::aws
