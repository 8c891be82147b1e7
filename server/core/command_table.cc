#include "server/core/command_table.h"

#include <algorithm>


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

// Redis's setImplicitACLCategories: the categories the flags imply.
uint32_t ImpliedAclCategories(uint32_t flags, uint32_t cats) {
  if (flags & kWrite) cats |= kAclWrite;
  // Scripts are not @read, even the read-only forms.
  if ((flags & kReadonly) && !(cats & kAclScripting)) cats |= kAclRead;
  if (flags & kAdmin) cats |= kAclAdmin | kAclDangerous;
  if (flags & kPubsub) cats |= kAclPubsub;
  if (flags & kFast) cats |= kAclFast;
  if (flags & kBlocking) cats |= kAclBlocking;
  if (!(cats & kAclFast)) cats |= kAclSlow;
  return cats;
}

// A spec with neither an index nor a keyword is Redis's "unknown" one
// (SORT's BY/GET and STORE keys): the getkeys proc finds its keys.
bool IsUnknownSpec(const KeySpec& ks) { return ks.keyword == nullptr && ks.index == 0; }
bool IsPlainRange(const KeySpec& ks) { return ks.keyword == nullptr && !ks.keynum && !IsUnknownSpec(ks); }

// The first/last/step triple older clients read from COMMAND INFO, and
// whether the keys move (movablekeys), derived from the key specs the way
// Redis 7.0 does: one plain range spec is taken as is; otherwise the
// consecutive step-1 ranges are merged and anything else makes the keys
// movable.
void DeriveLegacyRange(CommandSpec& s) {
  s.flags &= ~static_cast<uint32_t>(kMovableKeys);  // the key specs decide, not the row
  s.first_key = s.last_key = s.key_step = 0;
  if (s.keys.empty()) return;
  if (s.keys.size() == 1 && IsPlainRange(s.keys[0])) {
    const KeySpec& ks = s.keys[0];
    s.first_key = ks.index;
    s.last_key = ks.lastkey < 0 ? ks.lastkey : ks.index + ks.lastkey;
    s.key_step = ks.keystep;
    if (ks.flags & kIncomplete) s.flags |= kMovableKeys;
    return;
  }
  int first = 0;
  unsigned last = 0;  // unsigned, so that a negative (from the end) wins
  unsigned prev_last = 0;
  for (const KeySpec& ks : s.keys) {
    if (!IsPlainRange(ks) || ks.keystep != 1 ||
        (prev_last != 0 && prev_last != static_cast<unsigned>(ks.index - 1))) {
      s.flags |= kMovableKeys;
      continue;
    }
    if (ks.flags & kIncomplete) s.flags |= kMovableKeys;
    if (first == 0 || ks.index < first) first = ks.index;
    int abs_last = ks.lastkey < 0 ? ks.lastkey : ks.index + ks.lastkey;
    last = std::max(last, static_cast<unsigned>(abs_last));
    prev_last = last;
  }
  if (first == 0) {
    s.flags |= kMovableKeys;
    return;
  }
  s.first_key = first;
  s.last_key = static_cast<int>(last);
  s.key_step = 1;
}

void Complete(CommandSpec& s, const char* group, uint32_t family_acl) {
  s.group = group;
  for (CommandSpec& sub : s.subcommands) Complete(sub, group, family_acl);
  uint32_t cats = s.acl | (s.subcommands.empty() ? family_acl : 0);
  s.acl_categories = ImpliedAclCategories(s.flags, cats);
  DeriveLegacyRange(s);
}
}  // namespace

void CommandTable::Register(CommandSpec spec, const char* group, uint32_t family_acl) {
  Complete(spec, group, family_acl);
  owned_.push_back(std::make_unique<CommandSpec>(std::move(spec)));
  const CommandSpec* s = owned_.back().get();
  order_.push_back(s);
  uint32_t h = NameHash(s->name);
  size_t i = h & (kSlots - 1);
  while (slots_[i].spec != nullptr) i = (i + 1) & (kSlots - 1);
  slots_[i] = {h, s};
}

std::string AclCategoryText(uint32_t cats) {
  std::string out;
  ForEachAclCategory(cats, [&](const char* name) {
    if (!out.empty()) out += ' ';
    out += '@';
    out += name;
  });
  return out;
}

uint32_t AclCategoryByName(std::string_view name) {
  for (size_t i = 0; i < std::size(detail::kAclCategoryNames); ++i) {
    if (EqualsIgnoreCase(name, detail::kAclCategoryNames[i])) return 1u << i;
  }
  return 0;
}

namespace {
// C's atoi: optional blanks and sign, then digits up to the first other
// character; 0 when there are none.
int64_t AtoiLike(std::string_view s) {
  size_t i = 0;
  while (i < s.size() && (s[i] == ' ' || (s[i] >= '\t' && s[i] <= '\r'))) ++i;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  int64_t v = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i) {
    if (v < (int64_t{1} << 40)) v = v * 10 + (s[i] - '0');
  }
  return neg ? -v : v;
}

// Redis's genericGetKeys: `count` keys from `first`, then the store key.
size_t CountedKeys(Args argv, int store, int count_at, int first, std::vector<KeyRef>* out) {
  const int64_t argc = static_cast<int64_t>(argv.size());
  int64_t num = AtoiLike(argv[count_at]);
  if (num < 1 || num > argc - first) return 0;
  for (int64_t i = 0; i < num; ++i) out->push_back({first + static_cast<int>(i), 0});
  if (store != 0) out->push_back({store, 0});
  return out->size();
}
}  // namespace

size_t NumkeysAt1GetKeys(Args argv, std::vector<KeyRef>* out) { return CountedKeys(argv, 0, 1, 2, out); }
size_t NumkeysAt2GetKeys(Args argv, std::vector<KeyRef>* out) { return CountedKeys(argv, 0, 2, 3, out); }
size_t StoreNumkeysGetKeys(Args argv, std::vector<KeyRef>* out) {
  return CountedKeys(argv, 1, 2, 3, out);
}

size_t SetGetKeys(Args argv, std::vector<KeyRef>* out) {
  uint32_t flags = kOW | kUpdate;
  for (size_t i = 3; i < argv.size(); ++i) {
    if (EqualsIgnoreCase(argv[i], "get")) {
      flags = kRW | kAccess | kUpdate;
      break;
    }
  }
  out->push_back({1, flags});
  return 1;
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
