#include "server/core/command_table.h"


namespace grabkv::server {

namespace {
inline char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c; }

// FNV-1a over the lower-cased name, with a final mix so that the low bits
// used for the slot are well spread (short names cluster otherwise).
inline uint32_t NameHash(std::string_view name) {
  uint32_t h = 2166136261u;
  for (char c : name) h = (h ^ static_cast<unsigned char>(Lower(c))) * 16777619u;
  h ^= h >> 16;
  h *= 0x7feb352du;
  h ^= h >> 15;
  return h;
}

inline bool SameName(const char* lower, std::string_view name) {
  size_t i = 0;
  for (; i < name.size(); ++i) {
    if (lower[i] != Lower(name[i])) return false;  // also stops at lower's NUL
  }
  return lower[i] == '\0';
}
}  // namespace

void CommandTable::Register(CommandSpec spec) {
  owned_.push_back(std::make_unique<CommandSpec>(std::move(spec)));
  const CommandSpec* s = owned_.back().get();
  order_.push_back(s);
  uint32_t h = NameHash(s->name);
  size_t i = h & (kSlots - 1);
  while (slots_[i].spec != nullptr) i = (i + 1) & (kSlots - 1);
  slots_[i] = {h, s};
}

const CommandSpec* CommandTable::Find(std::string_view name) const {
  uint32_t h = NameHash(name);
  size_t i = h & (kSlots - 1);
  while (const CommandSpec* s = slots_[i].spec) {
    if (slots_[i].hash == h && SameName(s->name, name)) return s;
    i = (i + 1) & (kSlots - 1);
  }
  return nullptr;
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
