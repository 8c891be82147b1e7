// The list command family, over storage::List (storage/list.h): pushes,
// reads by index and range, and edits inside the list. Popping and moving
// commands, blocking or not, are in list_blocking.cc.
//
// Each command is split into argument parsing (Cmd*), an operation on the
// keyspace (Op*, which returns a status and never writes a reply) and the
// reply. Replies and errors are byte-identical to Redis 7.0 (t_list.c),
// including which error wins: LRANGE/LTRIM/LREM parse their numbers before
// looking at the key, LINDEX and LSET look at the key first, LINSERT checks
// BEFORE|AFTER first, LPOS parses all its options first.
//
// Every write goes through a storage::KeyWrite, which reports it once with
// Redis's event name and number of changes (and deletes a list it emptied);
// the report also wakes clients blocked on the key.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/commands/list_ops.h"
#include "server/core/command_table.h"
#include "server/core/errors.h"
#include "server/core/server_state.h"
#include "server/core/util.h"
#include "storage/db.h"
#include "storage/list.h"
#include "storage/value.h"

namespace grabkv::server {

// Registers the popping and moving commands (list_blocking.cc).
void RegisterListPopCommands(CommandFamily& f);

namespace {

using storage::Db;
using storage::EventClass;
using storage::KeyEvent;
using storage::KeyWrite;
using storage::List;
using storage::ValueType;
constexpr std::string_view kRankZeroErr =
    "ERR RANK can't be zero: use 1 to start from the first match, 2 from the second ... or use "
    "negative to start from the end of the list";
constexpr std::string_view kCountNegativeErr = "ERR COUNT can't be negative";
constexpr std::string_view kMaxlenNegativeErr = "ERR MAXLEN can't be negative";

constexpr KeyEvent kLSetEvent{"lset", EventClass::kList};
constexpr KeyEvent kLTrimEvent{"ltrim", EventClass::kList};
constexpr KeyEvent kLInsertEvent{"linsert", EventClass::kList};
constexpr KeyEvent kLRemEvent{"lrem", EventClass::kList};

// A lookup for reading: counts a keyspace hit or miss.
List* FindListRead(CommandContext& ctx, std::string_view key, OpStatus* st) {
  return ListOfEntry(ctx.db().FindRead(key, ctx.now_ms), st);
}

// Redis start/stop normalization for LRANGE and LTRIM: negative indices
// count from the tail; returns false when the range is empty.
bool NormalizeRange(int64_t start, int64_t stop, size_t len, size_t* from, size_t* to) {
  const int64_t n = static_cast<int64_t>(len);
  if (start < 0) start += n;
  if (stop < 0) stop += n;
  if (start < 0) start = 0;
  if (start > stop || start >= n) return false;
  if (stop >= n) stop = n - 1;
  *from = static_cast<size_t>(start);
  *to = static_cast<size_t>(stop);
  return true;
}

// --- LPUSH RPUSH LPUSHX RPUSHX ---

// Pushes args[2..] one by one (LPUSH a b c leaves c first). With
// `only_existing` (the X forms) a missing key stays missing.
}  // namespace

OpStatus OpPush(const OpArgs& op, std::string_view key, bool front, bool only_existing,
                Args elements, size_t* len) {
  KeyWrite w(op.db, key, op.now_ms);
  List* l;
  if (!w) {
    if (only_existing) {
      *len = 0;
      return OpStatus::kKeyNotFound;
    }
    auto fresh = std::make_unique<List>();
    l = fresh.get();
    storage::Value v;
    v.SetContainer(std::move(fresh));
    w.Create(std::move(v));
  } else if (w.value().type() != ValueType::kList) {
    return OpStatus::kWrongType;
  } else {
    l = w.value().As<List>();
  }
  for (std::string_view el : elements) front ? l->PushFront(el) : l->PushBack(el);
  *len = l->size();
  w.Note(front ? kLPushEvent : kRPushEvent, elements.size());
  return OpStatus::kOk;
}

namespace {

void PushGeneric(CommandContext& ctx, bool front, bool only_existing) {
  size_t len = 0;
  if (OpPush(ctx.op_args(), ctx.arg(1), front, only_existing, ctx.args.subspan(2), &len) ==
      OpStatus::kWrongType) {
    return ctx.reply.Error(errors::kWrongType);
  }
  ctx.reply.Integer(static_cast<int64_t>(len));
}

void CmdLPush(CommandContext& ctx) { PushGeneric(ctx, true, false); }
void CmdRPush(CommandContext& ctx) { PushGeneric(ctx, false, false); }
void CmdLPushX(CommandContext& ctx) { PushGeneric(ctx, true, true); }
void CmdRPushX(CommandContext& ctx) { PushGeneric(ctx, false, true); }

// --- LLEN LINDEX LRANGE ---

void CmdLLen(CommandContext& ctx) {
  OpStatus st;
  const List* l = FindListRead(ctx, ctx.arg(1), &st);
  if (st == OpStatus::kWrongType) return ctx.reply.Error(errors::kWrongType);
  ctx.reply.Integer(l == nullptr ? 0 : static_cast<int64_t>(l->size()));
}

void CmdLIndex(CommandContext& ctx) {
  OpStatus st;
  const List* l = FindListRead(ctx, ctx.arg(1), &st);
  if (st == OpStatus::kKeyNotFound) return ctx.reply.Null();
  if (st == OpStatus::kWrongType) return ctx.reply.Error(errors::kWrongType);
  int64_t index;
  if (!ParseInt64(ctx.arg(2), &index)) return ctx.reply.Error(errors::kNotInteger);
  std::string_view v;
  if (!l->Index(index, &v)) return ctx.reply.Null();
  ctx.reply.Bulk(v);
}

// Replies elements [from, to] of l, in order.
void ReplyRange(CommandContext& ctx, const List& l, size_t from, size_t to) {
  ctx.reply.ArrayHeader(to - from + 1);
  auto it = l.IteratorAt(from);
  for (size_t i = from; i <= to; ++i, it.Next()) ctx.reply.Bulk(it.value());
}

void CmdLRange(CommandContext& ctx) {
  int64_t start, stop;
  if (!ParseInt64(ctx.arg(2), &start) || !ParseInt64(ctx.arg(3), &stop)) {
    return ctx.reply.Error(errors::kNotInteger);
  }
  OpStatus st;
  const List* l = FindListRead(ctx, ctx.arg(1), &st);
  if (st == OpStatus::kKeyNotFound) return ctx.reply.ArrayHeader(0);
  if (st == OpStatus::kWrongType) return ctx.reply.Error(errors::kWrongType);
  size_t from, to;
  if (!NormalizeRange(start, stop, l->size(), &from, &to)) return ctx.reply.ArrayHeader(0);
  ReplyRange(ctx, *l, from, to);
}

// --- LSET LTRIM LINSERT LREM ---

// LSET: the key is looked at before the index is parsed.
OpStatus OpSet(CommandContext& ctx, std::string_view key, std::string_view index_arg,
               std::string_view value) {
  KeyWrite w(ctx.db(), key, ctx.now_ms);
  OpStatus st;
  List* l = FindListWrite(w, &st);
  if (l == nullptr) return st;
  int64_t index;
  if (!ParseInt64(index_arg, &index)) return OpStatus::kNotInteger;
  const int64_t n = static_cast<int64_t>(l->size());
  if (index < 0) index += n;
  if (index < 0 || index >= n) return OpStatus::kOutOfRange;
  l->Set(static_cast<size_t>(index), value);
  w.Note(kLSetEvent);
  return OpStatus::kOk;
}

void CmdLSet(CommandContext& ctx) {
  OpStatus st = OpSet(ctx, ctx.arg(1), ctx.arg(2), ctx.arg(3));
  if (st == OpStatus::kOk) return ctx.reply.Ok();
  ReplyStatus(ctx.reply, st == OpStatus::kKeyNotFound ? OpStatus::kNoSuchKey : st);
}

OpStatus OpTrim(CommandContext& ctx, std::string_view key, int64_t start, int64_t stop) {
  KeyWrite w(ctx.db(), key, ctx.now_ms);
  OpStatus st;
  List* l = FindListWrite(w, &st);
  if (l == nullptr) return st;
  const size_t len = l->size();
  size_t from, to;
  if (NormalizeRange(start, stop, len, &from, &to)) {
    l->Trim(from, to);
  } else {
    l->Trim(1, 0);  // nothing is kept
  }
  // Redis reports the key even when nothing was cut (WATCH sees it).
  w.Note(kLTrimEvent, len - l->size());
  return OpStatus::kOk;
}

void CmdLTrim(CommandContext& ctx) {
  int64_t start, stop;
  if (!ParseInt64(ctx.arg(2), &start) || !ParseInt64(ctx.arg(3), &stop)) {
    return ctx.reply.Error(errors::kNotInteger);
  }
  if (OpTrim(ctx, ctx.arg(1), start, stop) == OpStatus::kWrongType) {
    return ctx.reply.Error(errors::kWrongType);
  }
  ctx.reply.Ok();
}

// Inserts `value` next to the first element equal to `pivot`. *len is the
// new length, or -1 when the pivot is not there.
OpStatus OpInsert(CommandContext& ctx, std::string_view key, bool after, std::string_view pivot,
                  std::string_view value, int64_t* len) {
  KeyWrite w(ctx.db(), key, ctx.now_ms);
  OpStatus st;
  List* l = FindListWrite(w, &st);
  if (l == nullptr) return st;
  for (auto it = l->Begin(); it.Valid(); it.Next()) {
    if (it.value() == pivot) {
      l->Insert(it, after, value);
      w.Note(kLInsertEvent);
      *len = static_cast<int64_t>(l->size());
      return OpStatus::kOk;
    }
  }
  *len = -1;
  return OpStatus::kOk;
}

void CmdLInsert(CommandContext& ctx) {
  const std::string_view where = AsCString(ctx.arg(2));
  bool after;
  if (EqualsIgnoreCase(where, "after")) {
    after = true;
  } else if (EqualsIgnoreCase(where, "before")) {
    after = false;
  } else {
    return ctx.reply.Error(errors::kSyntax);
  }
  int64_t len = 0;
  OpStatus st = OpInsert(ctx, ctx.arg(1), after, ctx.arg(3), ctx.arg(4), &len);
  if (st == OpStatus::kWrongType) return ctx.reply.Error(errors::kWrongType);
  ctx.reply.Integer(len);
}

OpStatus OpRem(CommandContext& ctx, std::string_view key, int64_t count, std::string_view value,
               size_t* removed) {
  *removed = 0;
  KeyWrite w(ctx.db(), key, ctx.now_ms);
  OpStatus st;
  List* l = FindListWrite(w, &st);
  if (l == nullptr) return st;
  *removed = l->Remove(value, count);
  if (*removed != 0) w.Note(kLRemEvent, *removed);
  return OpStatus::kOk;
}

void CmdLRem(CommandContext& ctx) {
  int64_t count;
  if (!ParseInt64(ctx.arg(2), &count)) return ctx.reply.Error(errors::kNotInteger);
  size_t removed;
  if (OpRem(ctx, ctx.arg(1), count, ctx.arg(3), &removed) == OpStatus::kWrongType) {
    return ctx.reply.Error(errors::kWrongType);
  }
  ctx.reply.Integer(static_cast<int64_t>(removed));
}

// --- LPOS ---

struct LposOptions {
  int64_t rank = 1;
  int64_t count = -1;  // -1: no COUNT option (a single index reply)
  int64_t maxlen = 0;  // 0: scan the whole list
};

// Parses RANK/COUNT/MAXLEN in order, replying the first error like Redis.
bool ParseLposOptions(CommandContext& ctx, LposOptions* o) {
  for (size_t j = 3; j < ctx.argc(); ++j) {
    const std::string_view opt = AsCString(ctx.arg(j));
    const bool more = j + 1 < ctx.argc();
    if (EqualsIgnoreCase(opt, "rank") && more) {
      if (!ParseInt64(ctx.arg(++j), &o->rank)) {
        ctx.reply.Error(errors::kNotInteger);
        return false;
      }
      if (o->rank == 0) {
        ctx.reply.Error(kRankZeroErr);
        return false;
      }
    } else if (EqualsIgnoreCase(opt, "count") && more) {
      if (!ParseInt64(ctx.arg(++j), &o->count) || o->count < 0) {
        ctx.reply.Error(kCountNegativeErr);
        return false;
      }
    } else if (EqualsIgnoreCase(opt, "maxlen") && more) {
      if (!ParseInt64(ctx.arg(++j), &o->maxlen) || o->maxlen < 0) {
        ctx.reply.Error(kMaxlenNegativeErr);
        return false;
      }
    } else {
      ctx.reply.Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

// Indices of the matches LPOS reports, in reply order.
std::vector<int64_t> OpPos(const List& l, std::string_view value, const LposOptions& o) {
  const bool from_tail = o.rank < 0;
  // Redis negates the rank in a C long: RANK -9223372036854775808 stays
  // negative, so every match passes the rank test and COUNT never stops the
  // scan. Reproduce that instead of overflowing.
  const bool min_rank = o.rank == INT64_MIN;
  const int64_t rank = min_rank ? 1 : (from_tail ? -o.rank : o.rank);
  const int64_t want = o.count < 0 ? 1 : o.count;  // 0 = all
  const int64_t len = static_cast<int64_t>(l.size());
  std::vector<int64_t> out;
  int64_t matches = 0;
  int64_t scanned = 0;
  auto it = from_tail ? l.Last() : l.Begin();
  for (; it.Valid() && (o.maxlen == 0 || scanned < o.maxlen); ++scanned) {
    if (it.value() == value && ++matches >= rank) {
      out.push_back(from_tail ? len - scanned - 1 : scanned);
      if (!min_rank && want != 0 && static_cast<int64_t>(out.size()) >= want) break;
      if (min_rank && o.count < 0) break;
    }
    from_tail ? it.Prev() : it.Next();
  }
  return out;
}

void CmdLPos(CommandContext& ctx) {
  LposOptions o;
  if (!ParseLposOptions(ctx, &o)) return;
  OpStatus st;
  const List* l = FindListRead(ctx, ctx.arg(1), &st);
  if (st == OpStatus::kWrongType) return ctx.reply.Error(errors::kWrongType);
  std::vector<int64_t> found;
  if (l != nullptr) found = OpPos(*l, ctx.arg(2), o);
  if (o.count >= 0) {
    ctx.reply.ArrayHeader(found.size());
    for (int64_t i : found) ctx.reply.Integer(i);
  } else if (found.empty()) {
    ctx.reply.Null();
  } else {
    ctx.reply.Integer(found[0]);
  }
}

}  // namespace

// Rows checked against redis-server 7.0.15 COMMAND INFO / COMMAND DOCS.
void RegisterListFamily(CommandTable& t) {
  CommandFamily f(t, "list", kAclList);
  f.Add({.name = "lpush", .arity = -3, .flags = kWrite | kDenyOom | kFast,
         .keys = {{.flags = kRW | kInsert, .index = 1}}, .handler = CmdLPush,
         .summary = "Prepend one or multiple elements to a list", .since = "1.0.0"});
  f.Add({.name = "rpush", .arity = -3, .flags = kWrite | kDenyOom | kFast,
         .keys = {{.flags = kRW | kInsert, .index = 1}}, .handler = CmdRPush,
         .summary = "Append one or multiple elements to a list", .since = "1.0.0"});
  f.Add({.name = "lpushx", .arity = -3, .flags = kWrite | kDenyOom | kFast,
         .keys = {{.flags = kRW | kInsert, .index = 1}}, .handler = CmdLPushX,
         .summary = "Prepend an element to a list, only if the list exists", .since = "2.2.0"});
  f.Add({.name = "rpushx", .arity = -3, .flags = kWrite | kDenyOom | kFast,
         .keys = {{.flags = kRW | kInsert, .index = 1}}, .handler = CmdRPushX,
         .summary = "Append an element to a list, only if the list exists", .since = "2.2.0"});
  f.Add({.name = "llen", .arity = 2, .flags = kReadonly | kFast,
         .keys = {{.flags = kRO, .index = 1}}, .handler = CmdLLen,
         .summary = "Get the length of a list", .since = "1.0.0"});
  f.Add({.name = "lindex", .arity = 3, .flags = kReadonly,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdLIndex,
         .summary = "Get an element from a list by its index", .since = "1.0.0"});
  f.Add({.name = "lrange", .arity = 4, .flags = kReadonly,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdLRange,
         .summary = "Get a range of elements from a list", .since = "1.0.0"});
  f.Add({.name = "lset", .arity = 4, .flags = kWrite | kDenyOom,
         .keys = {{.flags = kRW | kUpdate, .index = 1}}, .handler = CmdLSet,
         .summary = "Set the value of an element in a list by its index", .since = "1.0.0"});
  f.Add({.name = "ltrim", .arity = 4, .flags = kWrite,
         .keys = {{.flags = kRW | kDelete, .index = 1}}, .handler = CmdLTrim,
         .summary = "Trim a list to the specified range", .since = "1.0.0"});
  f.Add({.name = "linsert", .arity = 5, .flags = kWrite | kDenyOom,
         .keys = {{.flags = kRW | kInsert, .index = 1}}, .handler = CmdLInsert,
         .summary = "Insert an element before or after another element in a list", .since = "2.2.0"});
  f.Add({.name = "lrem", .arity = 4, .flags = kWrite,
         .keys = {{.flags = kRW | kDelete, .index = 1}}, .handler = CmdLRem,
         .summary = "Remove elements from a list", .since = "1.0.0"});
  f.Add({.name = "lpos", .arity = -3, .flags = kReadonly,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdLPos,
         .summary = "Return the index of matching elements on a list", .since = "6.0.6"});
  RegisterListPopCommands(f);
}

}  // namespace grabkv::server
