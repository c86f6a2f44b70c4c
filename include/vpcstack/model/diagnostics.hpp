// Diagnostics collected while loading a topology. Each names its place in the file, the kind and
// name of the resource, what is wrong and what was expected:
//   topologies/x.yaml:14:7: error: subnet 'app-a': 10.1.0.0/24 is outside VPC 'prod'
//   (10.0.0.0/16); expected a subnet inside one CIDR of its VPC
#pragma once

#include <string>
#include <vector>

#include "vpcstack/model/topology.hpp"

namespace vpcstack::model {

enum class Severity { Error, Warning };

struct Diagnostic {
    Severity severity = Severity::Error;
    SourceLocation loc;
    std::string kind;  // "subnet", "security group", ... ; empty for file-level problems
    std::string name;  // the resource's name; empty when it has none
    std::string message;

    // FILE:LINE:COL: error: <kind> '<name>': <message>
    std::string to_string() const;
};

class Diagnostics {
  public:
    void error(SourceLocation loc, std::string kind, std::string name, std::string message);
    void warning(SourceLocation loc, std::string kind, std::string name, std::string message);

    bool has_errors() const;
    std::size_t error_count() const;
    std::size_t warning_count() const;
    const std::vector<Diagnostic>& all() const { return items_; }
    // Sorted by file position, errors and warnings interleaved.
    std::vector<Diagnostic> sorted() const;

  private:
    std::vector<Diagnostic> items_;
};

}  // namespace vpcstack::model
