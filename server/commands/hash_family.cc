// The hash command family: HSET/HGET and friends, counters, HRANDFIELD and
// HSCAN, over storage::Hash (storage/hash.h).
//
// Each command is split into argument parsing (Cmd*), an operation on the
// keyspace (Op*, which returns a status and never writes a reply; the write
// ops are declared in hash_ops.h for GRAB.*) and the reply. Replies and
// errors are byte-identical to Redis 7.0 (t_hash.c), including which error
// wins: HINCRBY parses its increment before looking at the key, HRANDFIELD
// checks its count before the key, HSCAN checks the cursor, then the key,
// then its options.
//
// Every write goes through a storage::KeyWrite, which reports it once when
// it ends, with Redis's event ("hset", "hdel", "hincrby", "hincrbyfloat",
// plus "del" when a hash emptied and its key went) and number of changes.
#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cmath>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/commands/hash_ops.h"
#include "server/commands/rand_scan.h"
#include "server/core/command_table.h"
#include "server/core/errors.h"
#include "server/core/server_state.h"
#include "server/core/util.h"
#include "storage/db.h"
#include "storage/hash.h"
#include "storage/value.h"

namespace grabkv::server {

using storage::Db;
using storage::Hash;
using storage::HashLimits;
using storage::KeyWrite;
using storage::ValueType;

HashLimits HashLimitsOf(const Config& c) {
  return HashLimits{static_cast<size_t>(std::max<int64_t>(0, c.hash_max_listpack_entries)),
                    static_cast<size_t>(std::max<int64_t>(0, c.hash_max_listpack_value))};
}

namespace {

// The hash of a write (Redis lookupKeyWrite: no hit/miss counting): nullptr
// when the key is missing or holds another type (*st says which).
Hash* FindHash(const KeyWrite& w, OpStatus* st) {
  if (!w) {
    *st = OpStatus::kKeyNotFound;
    return nullptr;
  }
  if (w.value().type() != ValueType::kHash) {
    *st = OpStatus::kWrongType;
    return nullptr;
  }
  *st = OpStatus::kOk;
  return w.value().As<Hash>();
}

// Redis hashTypeLookupWriteOrCreate: the hash of the write, created empty
// when missing. nullptr on WRONGTYPE. A created hash that ends the write
// still empty (an op that failed) goes again, unreported.
Hash* FindOrCreateHash(KeyWrite& w) {
  if (!w) {
    storage::Value v;
    v.SetContainer(std::make_unique<Hash>());
    w.Create(std::move(v));
  } else if (w.value().type() != ValueType::kHash) {
    return nullptr;
  }
  return w.value().As<Hash>();
}

// The start of every hash op that creates its key: fn(hash, write) runs on
// the key's hash (created when missing) and returns the op's status;
// WRONGTYPE without calling it. The write ends when this returns.
template <typename Fn>
OpStatus WriteHash(const OpArgs& op, std::string_view key, Fn&& fn) {
  KeyWrite w(op.db, key, op.now_ms);
  Hash* h = FindOrCreateHash(w);
  if (h == nullptr) return OpStatus::kWrongType;
  return fn(*h, w);
}

}  // namespace

// ---------------------------------------------------------------------------
// Operations.

OpStatus OpHSet(const OpArgs& op, std::string_view key, Args fv, const HashLimits& limits,
                int64_t* created) {
  return WriteHash(op, key, [&](Hash& h, KeyWrite& w) {
    int64_t n = 0;
    for (size_t i = 0; i < fv.size(); i += 2) n += h.Set(fv[i], fv[i + 1], limits);
    w.Note(kHSetEvent, fv.size() / 2);  // every pair counts, updated or created
    *created = n;
    return OpStatus::kOk;
  });
}

OpStatus OpHSetField(const OpArgs& op, std::string_view key, std::string_view field,
                     std::string_view value, const HashLimits& limits, bool* created) {
  return WriteHash(op, key, [&](Hash& h, KeyWrite& w) {
    const bool is_new = h.Set(field, value, limits);
    w.Note(kHSetEvent);
    if (created != nullptr) *created = is_new;
    return OpStatus::kOk;
  });
}

OpStatus OpHSetNx(const OpArgs& op, std::string_view key, std::string_view field,
                  std::string_view value, const HashLimits& limits, bool* set) {
  return WriteHash(op, key, [&](Hash& h, KeyWrite& w) {
    *set = h.SetIfAbsent(field, value, limits);
    if (*set) w.Note(kHSetEvent);
    return OpStatus::kOk;
  });
}

OpStatus OpHGet(const OpArgs& op, std::string_view key, std::string_view field,
                std::optional<std::string_view>* value) {
  *value = std::nullopt;
  Db::Entry* e = op.db.Find(key, op.now_ms);
  if (e == nullptr) return OpStatus::kOk;
  if (e->value.type() != ValueType::kHash) return OpStatus::kWrongType;
  *value = e->value.As<Hash>()->Get(field);
  return OpStatus::kOk;
}

OpStatus OpHDel(const OpArgs& op, std::string_view key, Args fields, int64_t* deleted) {
  *deleted = 0;
  KeyWrite w(op.db, key, op.now_ms);
  OpStatus st;
  Hash* h = FindHash(w, &st);
  if (h == nullptr) return st == OpStatus::kKeyNotFound ? OpStatus::kOk : st;
  int64_t n = 0;
  for (std::string_view f : fields) {
    if (h->Delete(f)) {
      ++n;
      if (h->Length() == 0) break;  // Redis stops once the hash is gone
    }
  }
  // An emptied hash is deleted when the write ends ("hdel", then "del").
  if (n > 0) w.Note(kHDelEvent, static_cast<uint64_t>(n));
  *deleted = n;
  return OpStatus::kOk;
}

OpStatus OpHDelField(const OpArgs& op, std::string_view key, std::string_view field,
                     bool* deleted) {
  int64_t n;
  OpStatus st = OpHDel(op, key, Args(&field, 1), &n);
  if (deleted != nullptr) *deleted = n > 0;
  return st;
}

OpStatus OpHIncrBy(const OpArgs& op, std::string_view key, std::string_view field, int64_t incr,
                   const HashLimits& limits, int64_t* result) {
  return WriteHash(op, key, [&](Hash& h, KeyWrite& w) {
    int64_t cur = 0;
    if (auto v = h.Get(field)) {
      if (!ParseInt64(*v, &cur)) return OpStatus::kHashNotInteger;
    }
    int64_t next;
    if (__builtin_add_overflow(cur, incr, &next)) return OpStatus::kOverflow;
    char buf[24];
    const auto res = std::to_chars(buf, buf + sizeof(buf), next);
    h.Set(field, std::string_view(buf, static_cast<size_t>(res.ptr - buf)), limits);
    w.Note(kHIncrByEvent);
    *result = next;
    return OpStatus::kOk;
  });
}

OpStatus OpHIncrByFloat(const OpArgs& op, std::string_view key, std::string_view field,
                        long double incr, const HashLimits& limits, std::string* result) {
  return WriteHash(op, key, [&](Hash& h, KeyWrite& w) {
    long double cur = 0;
    if (auto v = h.Get(field)) {
      if (!ParseLongDouble(*v, &cur)) return OpStatus::kHashNotFloat;
    }
    cur += incr;
    if (std::isnan(cur) || std::isinf(cur)) return OpStatus::kIncrNan;
    *result = FormatLongDouble(cur);
    h.Set(field, *result, limits);
    w.Note(kHIncrByFloatEvent);
    return OpStatus::kOk;
  });
}

namespace {

OpArgs MakeOpArgs(CommandContext& ctx) { return ctx.op_args(); }
HashLimits LimitsOf(CommandContext& ctx) { return HashLimitsOf(ctx.server.config()); }

// A read lookup (counts a keyspace hit or miss). nullptr when the key is
// missing; *wrong_type is set when it holds another type.
Hash* FindHashRead(CommandContext& ctx, std::string_view key, bool* wrong_type) {
  *wrong_type = false;
  Db::Entry* e = ctx.db().FindRead(key, ctx.now_ms);
  if (e == nullptr) return nullptr;
  if (e->value.type() != ValueType::kHash) {
    *wrong_type = true;
    return nullptr;
  }
  return e->value.As<Hash>();
}

// ---------------------------------------------------------------------------
// Write commands.

void SetCommon(CommandContext& ctx, bool hmset) {
  if (ctx.argc() % 2 == 1) return ctx.reply.Error(errors::WrongNumArgs(ctx.spec->name));
  int64_t created;
  OpStatus st = OpHSet(MakeOpArgs(ctx), ctx.arg(1), ctx.args.subspan(2), LimitsOf(ctx), &created);
  if (st != OpStatus::kOk) return ReplyStatus(ctx.reply, st);
  if (hmset) {
    ctx.reply.Ok();
  } else {
    ctx.reply.Integer(created);
  }
}

void CmdHSet(CommandContext& ctx) { SetCommon(ctx, false); }
void CmdHMSet(CommandContext& ctx) { SetCommon(ctx, true); }

void CmdHSetNx(CommandContext& ctx) {
  bool set;
  OpStatus st = OpHSetNx(MakeOpArgs(ctx), ctx.arg(1), ctx.arg(2), ctx.arg(3), LimitsOf(ctx), &set);
  if (st != OpStatus::kOk) return ReplyStatus(ctx.reply, st);
  ctx.reply.Integer(set ? 1 : 0);
}

void CmdHDel(CommandContext& ctx) {
  int64_t deleted;
  OpStatus st = OpHDel(MakeOpArgs(ctx), ctx.arg(1), ctx.args.subspan(2), &deleted);
  if (st != OpStatus::kOk) return ReplyStatus(ctx.reply, st);
  ctx.reply.Integer(deleted);
}

void CmdHIncrBy(CommandContext& ctx) {
  int64_t incr;
  if (!ParseInt64(ctx.arg(3), &incr)) return ctx.reply.Error(errors::kNotInteger);
  int64_t result;
  OpStatus st =
      OpHIncrBy(MakeOpArgs(ctx), ctx.arg(1), ctx.arg(2), incr, LimitsOf(ctx), &result);
  if (st != OpStatus::kOk) return ReplyStatus(ctx.reply, st);
  ctx.reply.Integer(result);
}

void CmdHIncrByFloat(CommandContext& ctx) {
  long double incr;
  if (!ParseLongDouble(ctx.arg(3), &incr)) return ctx.reply.Error(errors::kNotFloat);
  if (std::isnan(incr) || std::isinf(incr)) return ctx.reply.Error(errors::kValueNan);
  std::string result;
  OpStatus st =
      OpHIncrByFloat(MakeOpArgs(ctx), ctx.arg(1), ctx.arg(2), incr, LimitsOf(ctx), &result);
  if (st != OpStatus::kOk) return ReplyStatus(ctx.reply, st);
  // Redis propagates the result, not the float arithmetic.
  ctx.Propagate({"HSET", ctx.arg(1), ctx.arg(2), result});
  ctx.reply.Bulk(result);
}

// ---------------------------------------------------------------------------
// Read commands.

void CmdHGet(CommandContext& ctx) {
  bool wrong_type;
  const Hash* h = FindHashRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  auto v = h != nullptr ? h->Get(ctx.arg(2)) : std::nullopt;
  if (v) {
    ctx.reply.Bulk(*v);
  } else {
    ctx.reply.Null();
  }
}

void CmdHMGet(CommandContext& ctx) {
  bool wrong_type;
  const Hash* h = FindHashRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  ctx.reply.ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    auto v = h != nullptr ? h->Get(ctx.arg(i)) : std::nullopt;
    if (v) {
      ctx.reply.Bulk(*v);
    } else {
      ctx.reply.Null();
    }
  }
}

// HGETALL (map), HKEYS, HVALS (arrays).
void GetAllCommon(CommandContext& ctx, bool fields, bool values) {
  bool wrong_type;
  const Hash* h = FindHashRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  const size_t n = h != nullptr ? h->Length() : 0;
  if (fields && values) {
    ctx.reply.MapHeader(n);
  } else {
    ctx.reply.ArrayHeader(n);
  }
  if (h == nullptr) return;
  h->ForEach([&](std::string_view f, std::string_view v) {
    if (fields) ctx.reply.Bulk(f);
    if (values) ctx.reply.Bulk(v);
  });
}

void CmdHGetAll(CommandContext& ctx) { GetAllCommon(ctx, true, true); }
void CmdHKeys(CommandContext& ctx) { GetAllCommon(ctx, true, false); }
void CmdHVals(CommandContext& ctx) { GetAllCommon(ctx, false, true); }

// HLEN, HEXISTS, HSTRLEN: an integer about the hash (0 when missing).
template <typename Fn>
void IntegerQuery(CommandContext& ctx, Fn&& fn) {
  bool wrong_type;
  const Hash* h = FindHashRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  ctx.reply.Integer(h != nullptr ? static_cast<int64_t>(fn(*h)) : 0);
}

void CmdHLen(CommandContext& ctx) {
  IntegerQuery(ctx, [](const Hash& h) { return h.Length(); });
}
void CmdHExists(CommandContext& ctx) {
  IntegerQuery(ctx, [&ctx](const Hash& h) { return h.Exists(ctx.arg(2)) ? 1 : 0; });
}
void CmdHStrLen(CommandContext& ctx) {
  IntegerQuery(ctx, [&ctx](const Hash& h) { return h.ValueLength(ctx.arg(2)); });
}

// ---------------------------------------------------------------------------
// HRANDFIELD

void ReplyRandomPair(CommandContext& ctx, bool with_values, std::string_view f,
                     std::string_view v) {
  if (with_values && ctx.reply.resp3()) ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(f);
  if (with_values) ctx.reply.Bulk(v);
}

void CmdHRandField(CommandContext& ctx) {
  if (ctx.argc() == 2) {
    bool wrong_type;
    Hash* h = FindHashRead(ctx, ctx.arg(1), &wrong_type);
    if (wrong_type) return ctx.reply.Error(errors::kWrongType);
    if (h == nullptr) return ctx.reply.Null();
    ctx.reply.Bulk(h->Random(ctx.server.rng()).first);
    return;
  }
  int64_t l;
  bool with_values;
  if (!ParseRandCountArgs(ctx, "withvalues", &l, &with_values)) return;
  bool wrong_type;
  Hash* h = FindHashRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  if (h == nullptr || l == 0) return ctx.reply.ArrayHeader(0);

  const bool distinct = l > 0;
  const size_t count = distinct ? static_cast<size_t>(l) : static_cast<size_t>(-l);
  // Redis replies count pairs with repetition for a negative count (and for
  // 1), else min(count, size) distinct ones. RESP2 flattens field/value.
  const size_t n = (!distinct || count == 1) ? count : std::min(count, h->Length());
  if (!distinct && RandCountTooLarge(count, with_values, ctx.server.config().proto_max_bulk_len)) {
    return ctx.reply.Error(kRandCountTooLargeErr);  // see util.h
  }
  ctx.reply.ArrayHeader(with_values && !ctx.reply.resp3() ? n * 2 : n);
  auto emit = [&](std::string_view f, std::string_view v) {
    ReplyRandomPair(ctx, with_values, f, v);
  };
  if (distinct) {
    h->RandomPairs(count, true, ctx.server.rng(), emit);
    return;
  }
  PickInBatches(ctx, count, [&](size_t step) { h->RandomPairs(step, false, ctx.server.rng(), emit); });
}

// ---------------------------------------------------------------------------
// HSCAN

void CmdHScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursor(ctx.arg(2), &cursor)) return ctx.reply.Error("ERR invalid cursor");
  bool wrong_type;
  Hash* h = FindHashRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  if (h == nullptr) return ReplyEmptyScan(ctx);
  ScanOptions opts;
  if (const char* err = ParseScanOptions(ctx.args, 3, &opts)) return ctx.reply.Error(err);
  const int64_t count = opts.count;
  const std::optional<std::string_view>& pattern = opts.pattern;
  // Collect first, filter after (Redis filters the collected keys too).
  std::vector<std::pair<std::string_view, std::string_view>> pairs;
  const uint64_t next = h->Scan(cursor, static_cast<size_t>(count),
                                [&](std::string_view f, std::string_view v) {
                                  if (!pattern || GlobMatch(*pattern, f)) pairs.emplace_back(f, v);
                                });
  ReplyScanPairs(ctx, next, pairs);
}

}  // namespace

void RegisterHashFamily(CommandTable& t) {
  constexpr uint32_t kWF = kWrite | kDenyOom | kFast;
  constexpr uint32_t kRF = kReadonly | kFast;
  CommandFamily f(t, "hash", kAclHash);
  f.Add({.name = "hset", .arity = -4, .flags = kWF,
         .keys = {{.flags = kRW | kUpdate, .index = 1}}, .handler = CmdHSet,
         .summary = "Set the string value of a hash field", .since = "2.0.0"});
  f.Add({.name = "hsetnx", .arity = 4, .flags = kWF,
         .keys = {{.flags = kRW | kInsert, .index = 1}}, .handler = CmdHSetNx,
         .summary = "Set the value of a hash field, only if the field does not exist", .since = "2.0.0"});
  f.Add({.name = "hget", .arity = 3, .flags = kRF,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdHGet,
         .summary = "Get the value of a hash field", .since = "2.0.0"});
  f.Add({.name = "hmget", .arity = -3, .flags = kRF,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdHMGet,
         .summary = "Get the values of all the given hash fields", .since = "2.0.0"});
  f.Add({.name = "hmset", .arity = -4, .flags = kWF,
         .keys = {{.flags = kRW | kUpdate, .index = 1}}, .handler = CmdHMSet,
         .summary = "Set multiple hash fields to multiple values", .since = "2.0.0"});
  f.Add({.name = "hgetall", .arity = 2, .flags = kReadonly,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdHGetAll, .tips = "nondeterministic_output_order",
         .summary = "Get all the fields and values in a hash", .since = "2.0.0"});
  f.Add({.name = "hdel", .arity = -3, .flags = kWrite | kFast,
         .keys = {{.flags = kRW | kDelete, .index = 1}}, .handler = CmdHDel,
         .summary = "Delete one or more hash fields", .since = "2.0.0"});
  f.Add({.name = "hexists", .arity = 3, .flags = kRF,
         .keys = {{.flags = kRO, .index = 1}}, .handler = CmdHExists,
         .summary = "Determine if a hash field exists", .since = "2.0.0"});
  f.Add({.name = "hlen", .arity = 2, .flags = kRF,
         .keys = {{.flags = kRO, .index = 1}}, .handler = CmdHLen,
         .summary = "Get the number of fields in a hash", .since = "2.0.0"});
  f.Add({.name = "hkeys", .arity = 2, .flags = kReadonly,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdHKeys, .tips = "nondeterministic_output_order",
         .summary = "Get all the fields in a hash", .since = "2.0.0"});
  f.Add({.name = "hvals", .arity = 2, .flags = kReadonly,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdHVals, .tips = "nondeterministic_output_order",
         .summary = "Get all the values in a hash", .since = "2.0.0"});
  f.Add({.name = "hincrby", .arity = 4, .flags = kWF,
         .keys = {{.flags = kRW | kAccess | kUpdate, .index = 1}}, .handler = CmdHIncrBy,
         .summary = "Increment the integer value of a hash field by the given number", .since = "2.0.0"});
  f.Add({.name = "hincrbyfloat", .arity = 4, .flags = kWF,
         .keys = {{.flags = kRW | kAccess | kUpdate, .index = 1}}, .handler = CmdHIncrByFloat,
         .summary = "Increment the float value of a hash field by the given amount", .since = "2.6.0"});
  f.Add({.name = "hstrlen", .arity = 3, .flags = kRF,
         .keys = {{.flags = kRO, .index = 1}}, .handler = CmdHStrLen,
         .summary = "Get the length of the value of a hash field", .since = "3.2.0"});
  f.Add({.name = "hrandfield", .arity = -2, .flags = kReadonly,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdHRandField, .tips = "nondeterministic_output",
         .summary = "Get one or multiple random fields from a hash", .since = "6.2.0"});
  f.Add({.name = "hscan", .arity = -3, .flags = kReadonly,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdHScan, .tips = "nondeterministic_output",
         .summary = "Incrementally iterate hash fields and associated values", .since = "2.8.0"});
}

}  // namespace grabkv::server
