// Set algebra: SINTER, SINTERCARD, SINTERSTORE, SUNION, SUNIONSTORE, SDIFF
// and SDIFFSTORE (Redis 7.0 sinterGenericCommand and
// sunionDiffGenericCommand).
//
// The order of members in replies follows Redis's construction, because for
// intset-encoded results that order is observable (ascending):
// * SINTER walks the smallest input (a stable sort by size, as glibc's qsort
//   is for small arrays) and replies each member as it is found, so the
//   reply is in that input's order.
// * SUNION and SDIFF build the result as a fresh set that starts as an
//   intset (createIntsetObject) and then reply that set. SDIFF picks Redis's
//   algorithm by the same cost estimate, because the two build the result
//   differently (algorithm 2 adds the whole first set and removes the
//   others, so its result can stay a hashtable where algorithm 1's is an
//   intset), which shows in SDIFF's reply order and SDIFFSTORE's encoding.
// * The STORE forms build the result the same way and store it with SET
//   semantics (any old value and TTL of the destination go); an empty result
//   deletes the destination instead.
//
// Every key's type is checked before anything else; a missing key is an
// empty set. SINTERCARD parses numkeys and LIMIT before looking at any key.
//
// A STORE form is one write of its destination, reported by the Db as one
// change: "sinterstore"/"sunionstore"/"sdiffstore" when it stores, "del"
// when an empty result deleted an existing destination, nothing otherwise.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/commands/set_ops.h"
#include "server/core/command_table.h"
#include "server/core/errors.h"
#include "server/core/server_state.h"
#include "server/core/util.h"
#include "storage/db.h"
#include "storage/set.h"
#include "storage/value.h"

namespace grabkv::server {

namespace {

using storage::Db;
using storage::EventClass;
using storage::KeyEvent;
using storage::Set;
using storage::SetLimits;
using storage::Value;
using storage::ValueType;

constexpr KeyEvent kSInterStoreEvent{"sinterstore", EventClass::kSet};
constexpr KeyEvent kSUnionStoreEvent{"sunionstore", EventClass::kSet};
constexpr KeyEvent kSDiffStoreEvent{"sdiffstore", EventClass::kSet};

// Looks up every key with a read lookup that counts hits and misses and
// reports keymiss, the STORE forms too (redis-server 7.0 does, for their
// sources). A missing key gives nullptr. Returns false on the first key of
// another type.
bool LookupSets(CommandContext& ctx, Args keys, std::vector<Set*>* sets) {
  sets->clear();
  sets->reserve(keys.size());
  for (std::string_view key : keys) {
    Db::Entry* e = ctx.db().FindRead(key, ctx.now_ms);
    if (e == nullptr) {
      sets->push_back(nullptr);
      continue;
    }
    if (e->value.type() != ValueType::kSet) return false;
    sets->push_back(e->value.As<Set>());
  }
  return true;
}

// Stores `result` at `dst` (SET semantics: replaces any value and TTL;
// reports `event`), or deletes `dst` when the result is empty (reports
// "del" if it existed). Replies the result's size.
void StoreResult(CommandContext& ctx, std::string_view dst, std::unique_ptr<Set> result,
                 KeyEvent event) {
  const size_t n = result->Length();
  if (n == 0) {
    ctx.db().Delete(dst, ctx.now_ms);
    return ctx.reply.Integer(0);
  }
  Value v;
  v.SetContainer(std::move(result));
  ctx.db().Set(dst, std::move(v), ctx.now_ms, event);
  ctx.reply.Integer(static_cast<int64_t>(n));
}

void ReplyWholeSet(CommandContext& ctx, const Set& s) {
  ctx.reply.SetHeader(s.Length());
  s.ForEach([&ctx](std::string_view m) { ctx.reply.Bulk(m); });
}

// ---------------------------------------------------------------------------
// Intersection.

enum class InterMode { kReply, kCard, kStore };

// `dst` is used by kStore only; `limit` by kCard only (0 = no limit).
void Intersect(CommandContext& ctx, Args keys, InterMode mode, std::string_view dst,
               uint64_t limit) {
  std::vector<Set*> sets;
  if (!LookupSets(ctx, keys, &sets)) {
    return ctx.reply.Error(errors::kWrongType);
  }
  // Intersection with an empty set is empty.
  if (std::find(sets.begin(), sets.end(), nullptr) != sets.end()) {
    switch (mode) {
      case InterMode::kStore:
        ctx.db().Delete(dst, ctx.now_ms);  // "del" when it existed
        return ctx.reply.Integer(0);
      case InterMode::kCard:
        return ctx.reply.Integer(0);
      case InterMode::kReply:
        return ctx.reply.SetHeader(0);
    }
  }
  // Smallest first: fewest candidates, and the earliest misses.
  std::stable_sort(sets.begin(), sets.end(),
                   [](const Set* a, const Set* b) { return a->Length() < b->Length(); });
  const Set* first = sets[0];
  auto in_all = [&sets, first](std::string_view m) {
    for (size_t j = 1; j < sets.size(); ++j) {
      if (sets[j] == first) continue;  // the same key twice
      if (!sets[j]->Contains(m)) return false;
    }
    return true;
  };

  switch (mode) {
    case InterMode::kCard: {
      uint64_t n = 0;
      first->ForEachWhile([&](std::string_view m) {
        if (in_all(m)) ++n;
        return limit == 0 || n < limit;
      });
      return ctx.reply.Integer(static_cast<int64_t>(n));
    }
    case InterMode::kReply: {
      // The count is known only at the end: defer the header (Redis
      // setDeferredSetLen).
      const size_t token = ctx.reply.DeferArray();
      size_t n = 0;
      first->ForEach([&](std::string_view m) {
        if (in_all(m)) {
          ctx.reply.Bulk(m);
          ++n;
        }
      });
      ctx.reply.SetDeferredSet(token, n);
      return;
    }
    case InterMode::kStore: {
      const SetLimits limits = SetLimitsOf(ctx.server.config());
      auto result = std::make_unique<Set>();  // Redis createIntsetObject
      first->ForEach([&](std::string_view m) {
        if (in_all(m)) result->Add(m, limits);
      });
      StoreResult(ctx, dst, std::move(result), kSInterStoreEvent);
      return;
    }
  }
}

void CmdSInter(CommandContext& ctx) { Intersect(ctx, ctx.args.subspan(1), InterMode::kReply, {}, 0); }

void CmdSInterStore(CommandContext& ctx) {
  Intersect(ctx, ctx.args.subspan(2), InterMode::kStore, ctx.arg(1), 0);
}


void CmdSInterCard(CommandContext& ctx) {
  // Redis getRangeLongFromObjectOrReply with a custom message: one text for
  // a bad number and for one out of range.
  int64_t numkeys;
  if (!ParseInt64(ctx.arg(1), &numkeys) || numkeys < 1) {
    return ctx.reply.Error(errors::kNumkeysNotPositive);
  }
  if (static_cast<uint64_t>(numkeys) > ctx.argc() - 2) {
    return ctx.reply.Error("ERR Number of keys can't be greater than number of args");
  }
  int64_t limit = 0;
  for (size_t j = 2 + static_cast<size_t>(numkeys); j < ctx.argc(); ++j) {
    if (EqualsIgnoreCase(AsCString(ctx.arg(j)), "limit") && j + 1 < ctx.argc()) {
      ++j;
      if (!ParseInt64(ctx.arg(j), &limit) || limit < 0) {
        return ctx.reply.Error("ERR LIMIT can't be negative");
      }
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  Intersect(ctx, ctx.args.subspan(2, static_cast<size_t>(numkeys)), InterMode::kCard, {},
            static_cast<uint64_t>(limit));
}

// ---------------------------------------------------------------------------
// Union and difference.

enum class SetOp { kUnion, kDiff };

std::unique_ptr<Set> UnionOf(const std::vector<Set*>& sets, const SetLimits& limits) {
  auto result = std::make_unique<Set>();  // Redis createIntsetObject
  for (const Set* s : sets) {
    if (s == nullptr) continue;
    s->ForEach([&](std::string_view m) { result->Add(m, limits); });
  }
  return result;
}

std::unique_ptr<Set> DiffOf(std::vector<Set*> sets, const SetLimits& limits) {
  auto result = std::make_unique<Set>();  // Redis createIntsetObject
  const Set* first = sets[0];
  if (first == nullptr) return result;
  // Redis's choice: algorithm 1 costs |first| lookups per input, algorithm 2
  // one insert or removal per member of every input; 1 gets a 2x bonus.
  uint64_t one = 0, two = 0;
  for (const Set* s : sets) {
    if (s == nullptr) continue;
    one += first->Length();
    two += s->Length();
  }
  if (one / 2 <= two) {
    // Algorithm 1: keep the members of the first set found in no other.
    // (Redis sorts the others by decreasing size to find members sooner; the
    // result does not depend on it.)
    std::stable_sort(sets.begin() + 1, sets.end(), [](const Set* a, const Set* b) {
      return (a ? a->Length() : 0) > (b ? b->Length() : 0);
    });
    first->ForEach([&](std::string_view m) {
      for (size_t j = 1; j < sets.size(); ++j) {
        if (sets[j] == nullptr) continue;
        if (sets[j] == first || sets[j]->Contains(m)) return;
      }
      result->Add(m, limits);
    });
    return result;
  }
  // Algorithm 2: the first set, minus every member of the others.
  for (size_t j = 0; j < sets.size(); ++j) {
    if (sets[j] == nullptr) continue;
    if (j == 0) {
      sets[j]->ForEach([&](std::string_view m) { result->Add(m, limits); });
    } else {
      sets[j]->ForEach([&](std::string_view m) { result->Remove(m); });
    }
    if (result->Length() == 0) break;
  }
  return result;
}

void UnionDiff(CommandContext& ctx, Args keys, SetOp op, std::string_view dst, bool store) {
  std::vector<Set*> sets;
  if (!LookupSets(ctx, keys, &sets)) return ctx.reply.Error(errors::kWrongType);
  const SetLimits limits = SetLimitsOf(ctx.server.config());
  std::unique_ptr<Set> result =
      op == SetOp::kUnion ? UnionOf(sets, limits) : DiffOf(std::move(sets), limits);
  if (!store) return ReplyWholeSet(ctx, *result);
  StoreResult(ctx, dst, std::move(result),
              op == SetOp::kUnion ? kSUnionStoreEvent : kSDiffStoreEvent);
}

void CmdSUnion(CommandContext& ctx) { UnionDiff(ctx, ctx.args.subspan(1), SetOp::kUnion, {}, false); }
void CmdSDiff(CommandContext& ctx) { UnionDiff(ctx, ctx.args.subspan(1), SetOp::kDiff, {}, false); }
void CmdSUnionStore(CommandContext& ctx) {
  UnionDiff(ctx, ctx.args.subspan(2), SetOp::kUnion, ctx.arg(1), true);
}
void CmdSDiffStore(CommandContext& ctx) {
  UnionDiff(ctx, ctx.args.subspan(2), SetOp::kDiff, ctx.arg(1), true);
}

}  // namespace

void RegisterSetAlgebra(CommandFamily& f) {
  f.Add({.name = "sinter", .arity = -2, .flags = kReadonly,
         .keys = {{.flags = kRO | kAccess, .index = 1, .lastkey = -1}}, .handler = CmdSInter, .tips = "nondeterministic_output_order",
         .summary = "Intersect multiple sets", .since = "1.0.0"});
  f.Add({.name = "sintercard", .arity = -3, .flags = kReadonly,
         .keys = {{.flags = kRO | kAccess, .index = 1, .keynum = true}}, .handler = CmdSInterCard, .getkeys = NumkeysAt1GetKeys,
         .summary = "Intersect multiple sets and return the cardinality of the result", .since = "7.0.0"});
  f.Add({.name = "sinterstore", .arity = -3, .flags = kWrite | kDenyOom,
         .keys = {{.flags = kRW | kUpdate, .index = 1}, {.flags = kRO | kAccess, .index = 2, .lastkey = -1}}, .handler = CmdSInterStore,
         .summary = "Intersect multiple sets and store the resulting set in a key", .since = "1.0.0"});
  f.Add({.name = "sunion", .arity = -2, .flags = kReadonly,
         .keys = {{.flags = kRO | kAccess, .index = 1, .lastkey = -1}}, .handler = CmdSUnion, .tips = "nondeterministic_output_order",
         .summary = "Add multiple sets", .since = "1.0.0"});
  f.Add({.name = "sunionstore", .arity = -3, .flags = kWrite | kDenyOom,
         .keys = {{.flags = kOW | kUpdate, .index = 1}, {.flags = kRO | kAccess, .index = 2, .lastkey = -1}}, .handler = CmdSUnionStore,
         .summary = "Add multiple sets and store the resulting set in a key", .since = "1.0.0"});
  f.Add({.name = "sdiff", .arity = -2, .flags = kReadonly,
         .keys = {{.flags = kRO | kAccess, .index = 1, .lastkey = -1}}, .handler = CmdSDiff, .tips = "nondeterministic_output_order",
         .summary = "Subtract multiple sets", .since = "1.0.0"});
  f.Add({.name = "sdiffstore", .arity = -3, .flags = kWrite | kDenyOom,
         .keys = {{.flags = kOW | kUpdate, .index = 1}, {.flags = kRO | kAccess, .index = 2, .lastkey = -1}}, .handler = CmdSDiffStore,
         .summary = "Subtract multiple sets and store the resulting set in a key", .since = "1.0.0"});
}

}  // namespace grabkv::server
