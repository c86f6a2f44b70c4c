// `vpcctl import aws`: a folder of EC2 describe-* JSON in, a topology YAML out.
//
// read_aws_dir() -> write_topology_yaml() -> write_file_atomically(). Input errors (malformed
// JSON, a missing required field, no region) stop the import before anything is written.
#pragma once

#include <string>
#include <vector>

#include "vpcstack/importers/aws_topology_writer.hpp"

namespace vpcstack::importers::aws {

struct ImportOutcome {
    std::string yaml;
    ImportReport report;
    std::vector<std::string> errors;  // input errors; nothing may be written when any
    int files_read = 0;
    bool ok() const { return errors.empty(); }
};

// Reads `dir` and makes the topology text. `region` is the region of files whose folder names
// none (may be empty).
ImportOutcome import_aws(const std::string& dir, const std::string& region);

// The summary the command prints: what was imported, what is not modelled yet (by type, with
// counts), and the warnings.
std::string format_report(const ImportOutcome& outcome);

// Writes through a temporary file in the same folder and renames it over `path`, so that a
// reader never sees half a file. Returns an error message, empty on success.
std::string write_file_atomically(const std::string& path, const std::string& text);

}  // namespace vpcstack::importers::aws
