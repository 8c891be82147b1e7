#include "server/command_table.h"

#include "absl/strings/string_view.h"

namespace grabkv::server {

void CommandTable::Register(CommandSpec spec) {
  auto owned = std::make_unique<CommandSpec>(std::move(spec));
  order_.push_back(owned.get());
  by_name_[owned->name] = std::move(owned);
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  // Command names are short: lower-case on the stack, no allocation.
  char buf[64];
  if (name.size() > sizeof(buf)) return nullptr;
  for (size_t i = 0; i < name.size(); ++i) {
    char c = name[i];
    buf[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
  }
  auto it = by_name_.find(absl::string_view(buf, name.size()));
  return it == by_name_.end() ? nullptr : it->second.get();
}

const CommandSpec* CommandTable::FindSub(const CommandSpec& parent, std::string_view sub) {
  std::string_view pname = parent.name;
  for (const CommandSpec& s : parent.subcommands) {
    std::string_view full = s.name;
    // Rows are named "parent|sub".
    if (full.size() == pname.size() + 1 + sub.size() && EqualsIgnoreCase(full.substr(pname.size() + 1), sub))
      return &s;
  }
  return nullptr;
}

}  // namespace grabkv::server
