// CommandTable: the registry of CommandSpec rows, filled by the families.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "server/command.h"
#include "server/util.h"

namespace grabkv::server {

class CommandTable {
 public:
  void Register(CommandSpec spec);
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
  absl::flat_hash_map<std::string, std::unique_ptr<CommandSpec>> by_name_;
  std::vector<const CommandSpec*> order_;
};


// Each family registers its rows; called once by ServerState.
void RegisterConnectionFamily(CommandTable& t);
void RegisterServerFamily(CommandTable& t);
void RegisterKeysFamily(CommandTable& t);
void RegisterStringFamily(CommandTable& t);
void RegisterTransactionFamily(CommandTable& t);
void RegisterPubSubFamily(CommandTable& t);
void RegisterListFamily(CommandTable& t);
void RegisterHashFamily(CommandTable& t);
void RegisterSetFamily(CommandTable& t);
void RegisterZSetFamily(CommandTable& t);

}  // namespace grabkv::server
