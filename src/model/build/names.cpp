// Names and references. Every named resource is entered in a name table (file-wide, or per VPC
// for subnets, route tables, ACLs, groups and NAT gateways); a reference is resolved to an
// index, or becomes a diagnostic that suggests the closest name.
#include "builder.hpp"

namespace vpcstack::model::build {

std::vector<std::string> NameTable::names() const {
    std::vector<std::string> out;
    for (const auto& [name, e] : entries) out.push_back(name);
    return out;
}

Index NameTable::find(const std::string& name) const {
    auto it = entries.find(name);
    return it == entries.end() ? kNone : it->second.index;
}

std::string article(std::string_view noun) {
    return std::string(
        std::string_view("aeiouAEIOU").find(noun.front()) != std::string_view::npos ? "an" : "a");
}

std::string where_text(const SourceLocation& loc) {
    return loc.line > 0 ? fmt::format("line {}", loc.line) : std::string("implicit");
}

std::string join_cidrs(const std::vector<net::Cidr>& cidrs) {
    std::vector<std::string> parts;
    for (const net::Cidr& c : cidrs) parts.push_back(c.to_string());
    return fmt::format("{}", fmt::join(parts, ", "));
}

bool Builder::add_name(NameTable& table, const Meta& meta, Index index, const char* noun,
                       const std::string& scope) {
    if (meta.name.empty()) return false;  // a missing name is already reported
    auto [it, inserted] = table.entries.emplace(meta.name, NameTable::Entry{index, meta.loc});
    if (inserted) return true;
    error(meta.loc, {noun, meta.name, meta.loc},
          fmt::format("the name is already used by another {} ({}); expected unique {} names {}",
                      noun, where_text(it->second.loc), noun, scope));
    return false;
}

Index Builder::resolve_global(const NameTable& table, const char* noun, const std::string& ref,
                              const SourceLocation& loc, const Subject& s,
                              const std::string& where) {
    Index i = table.find(ref);
    if (i != kNone) return i;
    std::string guess = closest_match(ref, table.names());
    if (!guess.empty()) {
        error(loc, s,
              fmt::format("{} names unknown {} '{}'; did you mean '{}'?", where, noun, ref, guess));
    } else {
        error(loc, s,
              fmt::format("{} names unknown {} '{}'; expected the name of {} {} of this file",
                          where, noun, ref, article(noun), noun));
    }
    return kNone;
}

// NAME is looked up in `vpc`, VPC/NAME in the VPC named.
std::optional<Builder::ScopedRef> Builder::resolve_scoped(NameTable VpcScope::*table,
                                                          const char* noun, const std::string& ref,
                                                          Index vpc, const SourceLocation& loc,
                                                          const Subject& s,
                                                          const std::string& where) {
    Index in_vpc = vpc;
    std::string name = ref;
    if (std::size_t slash = ref.find('/'); slash != std::string::npos) {
        std::string vpc_part = ref.substr(0, slash);
        name = ref.substr(slash + 1);
        in_vpc = vpc_names_.find(vpc_part);
        if (in_vpc == kNone) {
            error(loc, s,
                  fmt::format("{} names unknown VPC '{}' in '{}'; expected NAME or VPC/NAME with "
                              "a VPC of this file",
                              where, vpc_part, ref));
            return std::nullopt;
        }
    }
    const NameTable& names = scopes_[in_vpc].*table;
    Index i = names.find(name);
    if (i != kNone) return ScopedRef{i, in_vpc};
    std::string guess = closest_match(name, names.names());
    if (!guess.empty()) {
        error(loc, s,
              fmt::format("{} names unknown {} '{}'; did you mean '{}'?", where, noun, ref,
                          in_vpc == vpc ? guess : vpc_name(in_vpc) + "/" + guess));
    } else {
        error(loc, s,
              fmt::format("{} names unknown {} '{}'; expected {} {} of VPC '{}'", where, noun, ref,
                          article(noun), noun, vpc_name(in_vpc)));
    }
    return std::nullopt;
}

// Like resolve_scoped, for references that must stay inside `vpc`.
Index Builder::resolve_in_vpc(NameTable VpcScope::*table, const char* noun, const std::string& ref,
                              Index vpc, const SourceLocation& loc, const Subject& s,
                              const std::string& where) {
    auto r = resolve_scoped(table, noun, ref, vpc, loc, s, where);
    if (!r) return kNone;
    if (r->vpc != vpc) {
        error(loc, s,
              fmt::format("{} names {} '{}' of VPC '{}'; expected {} {} of VPC '{}'", where, noun,
                          ref, vpc_name(r->vpc), article(noun), noun, vpc_name(vpc)));
        return kNone;
    }
    return r->index;
}

}  // namespace vpcstack::model::build
