// SORT and SORT_RO (Redis 7.0 sort.c behaviour) on lists, sets and sorted
// sets: BY pattern (a pattern without '*' means no sorting), hash fields
// through "->", LIMIT, GET (several, "#" for the element), ASC/DESC,
// ALPHA and STORE.
//
// Elements are compared as Redis does: numerically by the double strtod
// reads (the element, or the BY key's value; a missing BY key counts as 0),
// equal numbers by the elements' bytes; with ALPHA, by collation of the C
// strings (byte order under C and C.UTF-8 locales), or by bytes when
// storing. Ties are left in load order (glibc's qsort is a merge sort).
// A set sorted with BY nosort keeps its own order, except when storing or
// inside a script, where it is sorted ALPHA so that replicas and the
// append-only file see the same result. SORT ... STORE writes a list
// ("sortstore") and is recorded verbatim, as Redis records it.
#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/commands/partial_sort.h"
#include "server/core/command_table.h"
#include "server/core/errors.h"
#include "server/core/server_state.h"
#include "server/core/util.h"
#include "storage/db.h"
#include "storage/hash.h"
#include "storage/list.h"
#include "storage/set.h"
#include "storage/value.h"
#include "storage/zset.h"

namespace grabkv::server {
namespace {

using storage::ValueType;

inline constexpr storage::KeyEvent kSortStore{"sortstore", storage::EventClass::kList};

// Redis lookupKeyByPattern: "#" is the element itself; otherwise the first
// '*' of the pattern is replaced by the element, and a "->field" after it
// (with a field name) reads that hash field instead of a string. A pattern
// without '*', a missing key or one of another type give nothing.
std::optional<std::string> LookupByPattern(CommandContext& ctx, std::string_view pattern,
                                           std::string_view element) {
  const std::string_view cpat = AsCString(pattern);
  if (cpat == "#") return std::string(element);
  const size_t star = cpat.find('*');
  if (star == std::string_view::npos) return std::nullopt;
  size_t field_len = 0;
  const size_t arrow = cpat.find("->", star + 1);
  if (arrow != std::string_view::npos && arrow + 2 < cpat.size()) field_len = pattern.size() - arrow - 2;
  const size_t postfix_len = pattern.size() - (star + 1) - (field_len != 0 ? field_len + 2 : 0);
  std::string key;
  key.reserve(star + element.size() + postfix_len);
  key.append(pattern.substr(0, star));
  key.append(element);
  key.append(pattern.substr(star + 1, postfix_len));

  storage::Db::Entry* e = ctx.db().FindRead(key, ctx.now_ms);
  if (e == nullptr) return std::nullopt;
  if (field_len != 0) {
    if (e->value.type() != ValueType::kHash) return std::nullopt;
    const std::string_view field = pattern.substr(pattern.size() - field_len);
    const auto v = e->value.As<storage::Hash>()->Get(field);
    if (!v) return std::nullopt;
    return std::string(*v);
  }
  if (e->value.type() != ValueType::kString) return std::nullopt;
  std::string scratch;
  return std::string(e->value.GetString(&scratch));
}

struct Item {
  explicit Item(std::string_view e) : element(e) {}
  std::string element;
  double score = 0;
  std::optional<std::string> by;  // the BY value for ALPHA with a pattern
};

// Redis's numeric read of a sort key: strtod over the C string, which must
// be consumed, without overflow or underflow, and not NaN.
bool SortScore(const std::string& s, double* out) {
  errno = 0;
  char* end;
  *out = std::strtod(s.c_str(), &end);
  return *end == '\0' && errno != ERANGE && !std::isnan(*out);
}

int CompareBytes(std::string_view a, std::string_view b) {
  const int c = std::memcmp(a.data(), b.data(), std::min(a.size(), b.size()));
  if (c != 0) return c;
  return a.size() < b.size() ? -1 : (a.size() > b.size() ? 1 : 0);
}

// strcoll over the C strings (Redis collateStringObjects).
int Collate(const std::string& a, const std::string& b) { return std::strcoll(a.c_str(), b.c_str()); }

void SortGeneric(CommandContext& ctx, bool readonly) {
  bool desc = false, alpha = false, dontsort = false;
  int64_t limit_start = 0, limit_count = -1;
  std::optional<std::string_view> sortby, store_key;
  std::vector<std::string_view> gets;
  for (size_t j = 2; j < ctx.argc(); ++j) {
    const size_t left = ctx.argc() - j - 1;
    const std::string_view opt = ctx.arg(j);
    if (IsOpt(opt, "asc")) {
      desc = false;
    } else if (IsOpt(opt, "desc")) {
      desc = true;
    } else if (IsOpt(opt, "alpha")) {
      alpha = true;
    } else if (IsOpt(opt, "limit") && left >= 2) {
      if (!ParseInt64(ctx.arg(j + 1), &limit_start) || !ParseInt64(ctx.arg(j + 2), &limit_count)) {
        return ctx.reply.Error(errors::kNotInteger);
      }
      j += 2;
    } else if (!readonly && IsOpt(opt, "store") && left >= 1) {
      store_key = ctx.arg(j + 1);
      ++j;
    } else if (IsOpt(opt, "by") && left >= 1) {
      sortby = ctx.arg(j + 1);
      // A pattern without '*' names no key per element: nothing to sort by.
      if (AsCString(*sortby).find('*') == std::string_view::npos) dontsort = true;
      ++j;
    } else if (IsOpt(opt, "get") && left >= 1) {
      gets.push_back(ctx.arg(j + 1));
      ++j;
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }

  storage::Db::Entry* e = ctx.db().FindRead(ctx.arg(1), ctx.now_ms);
  const ValueType type = e == nullptr ? ValueType::kList : e->value.type();
  if (type != ValueType::kList && type != ValueType::kSet && type != ValueType::kZSet) {
    return ctx.reply.Error(errors::kWrongType);
  }
  // A set has no order of its own that replicas would share.
  if (dontsort && type == ValueType::kSet && (store_key || ctx.in_script)) {
    dontsort = false;
    alpha = true;
    sortby.reset();
  }

  const int64_t size = e == nullptr ? 0 : static_cast<int64_t>(e->value.container()->Length());
  // The window [start, end] (empty when end < start), without overflow for
  // huge LIMIT values.
  int64_t start = limit_start < 0 ? 0 : limit_start;
  int64_t end;
  if (start >= size) {
    start = size - 1;
    end = size - 2;
  } else {
    end = limit_count < 0 ? size - 1 : start + std::min(limit_count, size) - 1;
    if (end >= size) end = size - 1;
  }

  std::vector<Item> items;
  const bool ordered = type == ValueType::kList || type == ValueType::kZSet;
  if (ordered && dontsort) {
    // Only the range asked for, in the container's order (reversed by DESC).
    if (end >= start && e != nullptr) {
      const size_t n = static_cast<size_t>(end - start + 1);
      items.reserve(n);
      if (type == ValueType::kList) {
        const auto* l = e->value.As<storage::List>();
        if (desc) {
          for (int64_t i = size - start - 1; i >= 0 && items.size() < n; --i) {
            items.emplace_back(l->At(static_cast<size_t>(i)));
          }
        } else {
          for (auto it = l->IteratorAt(static_cast<size_t>(start)); it.Valid() && items.size() < n; it.Next()) {
            items.emplace_back(it.value());
          }
        }
      } else {
        const auto* z = e->value.As<storage::ZSet>();
        auto it = z->AtRank(static_cast<size_t>(desc ? size - 1 - start : start));
        for (; it.Valid() && items.size() < n; desc ? it.Prev() : it.Next()) {
          items.emplace_back(it.member());
        }
      }
    }
    end = end - start;
    start = 0;
  } else if (e != nullptr) {
    items.reserve(static_cast<size_t>(size));
    if (type == ValueType::kList) {
      for (auto it = e->value.As<storage::List>()->Begin(); it.Valid(); it.Next()) {
        items.emplace_back(it.value());
      }
    } else if (type == ValueType::kSet) {
      e->value.As<storage::Set>()->ForEach([&](std::string_view m) { items.emplace_back(m); });
    } else {
      const auto* z = e->value.As<storage::ZSet>();
      for (auto it = z->Begin(); it.Valid(); it.Next()) items.emplace_back(it.member());
    }
  }

  bool conversion_error = false;
  if (!dontsort) {
    for (Item& it : items) {
      std::optional<std::string> byval;
      if (sortby) {
        byval = LookupByPattern(ctx, *sortby, it.element);
        if (!byval) continue;
      }
      if (alpha) {
        if (sortby) it.by = std::move(byval);
      } else if (!SortScore(byval ? *byval : it.element, &it.score)) {
        conversion_error = true;
      }
    }
    const bool bypattern = sortby.has_value();
    const bool storing = store_key.has_value();
    // A three-way comparison (Redis sortCompare).
    auto cmp = [&](const Item& a, const Item& b) {
      int c;
      if (!alpha) {
        c = a.score > b.score ? 1 : (a.score < b.score ? -1 : CompareBytes(a.element, b.element));
      } else if (bypattern) {
        if (!a.by || !b.by) {
          c = (!a.by && !b.by) ? 0 : (!a.by ? -1 : 1);
        } else {
          c = storing ? CompareBytes(*a.by, *b.by) : Collate(*a.by, *b.by);
        }
      } else {
        c = storing ? CompareBytes(a.element, b.element) : Collate(a.element, b.element);
      }
      return desc ? -c : c;
    };
    // qsort (glibc's merge sort: ties keep the load order), or Redis's
    // partial quicksort when a BY pattern is sorted for a LIMIT window.
    if (sortby && (start != 0 || end != static_cast<int64_t>(items.size()) - 1)) {
      if (!items.empty() && end >= start) {
        PartialQuickSort(items, cmp, static_cast<size_t>(start), static_cast<size_t>(end));
      }
    } else {
      std::stable_sort(items.begin(), items.end(), [&](const Item& a, const Item& b) { return cmp(a, b) < 0; });
    }
  }

  const int64_t span = end - start + 1;
  const int64_t outputlen = gets.empty() ? span : static_cast<int64_t>(gets.size()) * span;
  if (conversion_error) return ctx.reply.Error("ERR One or more scores can't be converted into double");

  if (!store_key) {
    ctx.reply.ArrayHeader(static_cast<size_t>(std::max<int64_t>(0, outputlen)));
    for (int64_t j = start; j <= end; ++j) {
      const std::string& el = items[static_cast<size_t>(j)].element;
      if (gets.empty()) ctx.reply.Bulk(el);
      for (std::string_view pat : gets) {
        const auto v = LookupByPattern(ctx, pat, el);
        if (v) {
          ctx.reply.Bulk(*v);
        } else {
          ctx.reply.Null();
        }
      }
    }
    return;
  }

  auto list = std::make_unique<storage::List>();
  for (int64_t j = start; j <= end; ++j) {
    const std::string& el = items[static_cast<size_t>(j)].element;
    if (gets.empty()) list->PushBack(el);
    for (std::string_view pat : gets) {
      const auto v = LookupByPattern(ctx, pat, el);
      list->PushBack(v ? std::string_view(*v) : std::string_view());
    }
  }
  if (outputlen > 0) {
    storage::Value v;
    v.SetContainer(std::move(list));
    // Replaces the destination (dropping its TTL); one change per element.
    storage::KeyWrite w(ctx.db(), *store_key, ctx.now_ms);
    w.Replace(std::move(v));
    w.Note(kSortStore, static_cast<uint64_t>(outputlen));
  } else {
    ctx.db().Delete(*store_key, ctx.now_ms);  // "del" when there was one
  }
  ctx.reply.Integer(std::max<int64_t>(0, outputlen));
}

void CmdSort(CommandContext& ctx) { SortGeneric(ctx, false); }
void CmdSortRo(CommandContext& ctx) { SortGeneric(ctx, true); }

// Redis sortGetKeys: the key, and the key after the last STORE; LIMIT
// skips two arguments, GET and BY one (the word after STORE is looked at
// as an option too, as Redis does).
size_t SortGetKeys(Args argv, std::vector<KeyRef>* out) {
  out->push_back({1, kRO | kAccess});
  int store_pos = 0;
  for (size_t i = 2; i < argv.size(); ++i) {
    const std::string_view a = AsCString(argv[i]);
    if (EqualsIgnoreCase(a, "limit")) {
      i += 2;
    } else if (EqualsIgnoreCase(a, "get") || EqualsIgnoreCase(a, "by")) {
      i += 1;
    } else if (EqualsIgnoreCase(a, "store") && i + 1 < argv.size()) {
      store_pos = static_cast<int>(i + 1);
    }
  }
  if (store_pos != 0) out->push_back({store_pos, kOW | kUpdate});
  return out->size();
}

// Redis sortROGetKeys: only the key.
size_t SortRoGetKeys(Args, std::vector<KeyRef>* out) {
  out->push_back({1, kRO | kAccess});
  return 1;
}

}  // namespace

void RegisterSortFamily(CommandTable& t) {
  constexpr uint32_t kAcl = kAclSet | kAclSortedSet | kAclList | kAclDangerous;
  CommandFamily f(t, "generic");
  f.Add({.name = "sort", .arity = -2, .flags = kWrite | kDenyOom,
         .keys = {{.flags = kRO | kAccess, .index = 1},
                  {.flags = kRO | kAccess, .notes = "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort"},
                  {.flags = kOW | kUpdate, .notes = "For the optional STORE keyword. It is marked 'unknown' because the keyword can appear anywhere in the argument array"}},
         .handler = CmdSort, .acl = kAcl, .getkeys = SortGetKeys,
         .summary = "Sort the elements in a list, set or sorted set", .since = "1.0.0"});
  f.Add({.name = "sort_ro", .arity = -2, .flags = kReadonly,
         .keys = {{.flags = kRO | kAccess, .index = 1},
                  {.flags = kRO | kAccess, .notes = "For the optional BY/GET keyword. It is marked 'unknown' because the key names derive from the content of the key we sort"}},
         .handler = CmdSortRo, .acl = kAcl, .getkeys = SortRoGetKeys,
         .summary = "Sort the elements in a list, set or sorted set. Read-only variant of SORT.", .since = "7.0.0"});
}

}  // namespace grabkv::server
