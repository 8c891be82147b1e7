// CommandTable: the registry of CommandSpec rows, filled by the families.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/command.h"
#include "server/core/util.h"

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


}  // namespace grabkv::server
