// CommandTable: the registry of CommandSpec rows, filled by the families
// through a CommandFamily each.
#pragma once

#include <iterator>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/command.h"
#include "server/core/util.h"

namespace grabkv::server {

class CommandTable {
 public:
  // Completes the row (derived ACL categories, legacy key range,
  // movablekeys; see command.h) and adds it. `group` and `family_acl` are
  // the family's: its COMMAND DOCS group and its ACL category, given to
  // every command of the family except containers (whose subcommands get
  // them), as in Redis.
  void Register(CommandSpec spec, const char* group = "generic", uint32_t family_acl = 0);
  // Case-insensitive lookup of a top-level command; nullptr when unknown.
  const CommandSpec* Find(std::string_view name) const;
  // Subcommand of a container command; nullptr when unknown.
  static const CommandSpec* FindSub(const CommandSpec& parent, std::string_view sub);

  size_t size() const { return order_.size(); }
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    for (const CommandSpec* s : order_) fn(*s);
  }

 private:
  // Lookup runs once per command, so it is a small open-addressing table
  // whose hash lower-cases as it goes (no copy of the name, no allocation).
  static constexpr size_t kSlots = 1024;  // power of two, > 2x the commands
  std::vector<std::unique_ptr<CommandSpec>> owned_;
  std::vector<const CommandSpec*> order_;
  struct Slot {
    uint32_t hash = 0;
    const CommandSpec* spec = nullptr;
  };
  Slot slots_[kSlots];
};

// "@write @list @fast": ACL category bits as COMMAND INFO lists them.
std::string AclCategoryText(uint32_t cats);
// The AclCategory bit named `name` (no '@', any case); 0 when unknown.
uint32_t AclCategoryByName(std::string_view name);
template <typename Fn>
void ForEachAclCategory(uint32_t cats, Fn&& fn);  // fn(const char* name), in order

// The keys of argv (argv[0] the command name) as Redis 7.0's
// getKeysFromCommand finds them: from the key specs, unless their flags
// depend on the arguments or they do not fit; then the row's getkeys proc.
void CommandKeys(const CommandSpec& spec, Args argv, std::vector<KeyRef>* out);

// Redis's getkeys procs, for the rows whose key specs cannot give every
// case (a count that is not a clean number, SET's GET). They read the count
// as C's atoi does and return keys without flags, as Redis's do.
size_t NumkeysAt1GetKeys(Args argv, std::vector<KeyRef>* out);  // CMD numkeys key...
size_t NumkeysAt2GetKeys(Args argv, std::vector<KeyRef>* out);  // CMD x numkeys key...
size_t StoreNumkeysGetKeys(Args argv, std::vector<KeyRef>* out);  // CMD dest numkeys key...
// SET key value [... GET]: OW update, or RW access update with GET.
size_t SetGetKeys(Args argv, std::vector<KeyRef>* out);

// A family's registration: the COMMAND DOCS group and the ACL category
// (data type or area) are stated once for all of its rows.
//   CommandFamily f(t, "list", kAclList);
//   f.Add({.name = "lpush", ...});
class CommandFamily {
 public:
  CommandFamily(CommandTable& table, const char* group, uint32_t acl = 0)
      : table_(table), group_(group), acl_(acl) {}
  void Add(CommandSpec spec) { table_.Register(std::move(spec), group_, acl_); }

 private:
  CommandTable& table_;
  const char* group_;
  uint32_t acl_;
};


namespace detail {
// acl.c's ACLCommandCategories order: bit i is kAclCategoryNames[i].
inline constexpr const char* kAclCategoryNames[] = {
    "keyspace", "read",   "write",       "set",       "sortedset",  "list",        "hash",
    "string",   "bitmap", "hyperloglog", "geo",       "stream",     "pubsub",      "admin",
    "fast",     "slow",   "blocking",    "dangerous", "connection", "transaction", "scripting",
};
}  // namespace detail

template <typename Fn>
void ForEachAclCategory(uint32_t cats, Fn&& fn) {
  for (size_t i = 0; i < std::size(detail::kAclCategoryNames); ++i) {
    if (cats & (1u << i)) fn(detail::kAclCategoryNames[i]);
  }
}

}  // namespace grabkv::server
