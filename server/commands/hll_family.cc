// The HyperLogLog family: PFADD, PFCOUNT, PFMERGE, PFDEBUG, PFSELFTEST.
//
// Values are strings in Redis 7.0's exact format (storage/hyperloglog.h),
// so GET/SET, the append-only file and Redis itself all see the same bytes.
// The order of checks, the replies and the bookkeeping follow Redis's
// hyperloglog.c:
//   - PFADD and PFMERGE report the write with the "pfadd" event (string
//     class); PFADD counts one change per register raised (plus one for a
//     key it creates), PFMERGE one.
//   - PFCOUNT of one key stores the estimate in the header's cache; doing so
//     is a change (dirty, WATCH, tracking) without an event, and the command
//     is then propagated, as Redis's PFCOUNT is (may_replicate). PFCOUNT of
//     several keys changes nothing.
//   - PFDEBUG GETREG/TODENSE turning a sparse value dense count as a change
//     and are propagated, but touch no WATCH (Redis bumps only its dirty
//     counter there).
//   - Every command first unshares the value as Redis's dbUnshareStringValue
//     does, so an embstr HLL (SET by a client) becomes raw, as in Redis.
// A string that is not an HLL is refused with WRONGTYPE; a sparse code that
// does not add up is INVALIDOBJ, never a crash.
#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/core/command_table.h"
#include "server/core/errors.h"
#include "server/core/server_state.h"
#include "server/core/util.h"
#include "storage/db.h"
#include "storage/hyperloglog.h"
#include "storage/value.h"

namespace grabkv::server {

namespace {

namespace hll = storage::hll;
using storage::Db;
using storage::EventClass;
using storage::KeyEvent;
using storage::KeyWrite;
using storage::Value;

constexpr KeyEvent kPfAddEvent{"pfadd", EventClass::kString};
constexpr std::string_view kNotHll = "WRONGTYPE Key is not a valid HyperLogLog string value.";
constexpr std::string_view kCorrupt = "INVALIDOBJ Corrupted HLL object detected";

enum class HllStatus { kOk, kWrongType, kNotHll, kCorrupt };

void ReplyHllStatus(CommandContext& ctx, HllStatus st) {
  switch (st) {
    case HllStatus::kOk:
      break;
    case HllStatus::kWrongType:
      ctx.reply.Error(errors::kWrongType);
      break;
    case HllStatus::kNotHll:
      ctx.reply.Error(kNotHll);
      break;
    case HllStatus::kCorrupt:
      ctx.reply.Error(kCorrupt);
      break;
  }
}

// Redis's isHLLObjectOrReply: a string (not int-encoded) with a valid header.
HllStatus CheckHll(const Value& v, std::string_view* bytes) {
  if (!v.is_string()) return HllStatus::kWrongType;
  if (v.is_int()) return HllStatus::kNotHll;
  std::string unused;  // only written for ints
  *bytes = v.GetString(&unused);
  return hll::IsValid(*bytes) ? HllStatus::kOk : HllStatus::kNotHll;
}

// The value of an existing key, checked and unshared for editing in place.
HllStatus MutableHll(Value& v, std::string** out) {
  std::string_view bytes;
  HllStatus st = CheckHll(v, &bytes);
  if (st == HllStatus::kOk) *out = v.MutableRawString();
  return st;
}

Value NewHllValue() {
  Value v;
  v.SetRawString(hll::CreateEmpty());
  return v;
}

size_t SparseMaxBytes(CommandContext& ctx) {
  return static_cast<size_t>(ctx.server.config().hll_sparse_max_bytes);
}

// ---------------------------------------------------------------------------
// Operations.

// PFADD: *updated is 1 when the key was created or a register grew.
HllStatus OpPfAdd(const OpArgs& op, std::string_view key, Args elements, size_t sparse_max,
                  bool* updated) {
  KeyWrite w(op.db, key, op.now_ms);
  uint64_t changes = 0;
  std::string* s;
  if (!w) {
    w.Create(NewHllValue());
    ++changes;
    s = w.value().MutableRawString();
  } else if (HllStatus st = MutableHll(w.value(), &s); st != HllStatus::kOk) {
    return st;
  }
  for (std::string_view e : elements) {
    switch (hll::Add(s, e, sparse_max)) {
      case hll::SetResult::kUpdated:
        ++changes;
        break;
      case hll::SetResult::kUnchanged:
        break;
      case hll::SetResult::kCorrupt:
        return HllStatus::kCorrupt;  // what changed before stays, unreported, as in Redis
    }
  }
  if (changes > 0) {
    w.Note(kPfAddEvent, changes);
    hll::InvalidateCache(s);
  }
  *updated = changes > 0;
  return HllStatus::kOk;
}

// PFCOUNT of one key: the cached estimate, computed and stored when stale
// (*cached_now tells the caller to propagate).
HllStatus OpPfCountOne(const OpArgs& op, std::string_view key, uint64_t* card, bool* cached_now) {
  *card = 0;
  *cached_now = false;
  KeyWrite w(op.db, key, op.now_ms);  // Redis's lookupKeyWrite: no hit/miss counted
  if (!w) return HllStatus::kOk;
  std::string* s;
  if (HllStatus st = MutableHll(w.value(), &s); st != HllStatus::kOk) return st;
  if (hll::CachedCardinality(*s, card)) return HllStatus::kOk;
  bool corrupt = false;
  *card = hll::Count(*s, &corrupt);
  if (corrupt) return HllStatus::kCorrupt;
  hll::SetCachedCardinality(s, *card);
  w.AddChanges(1);
  *cached_now = true;
  return HllStatus::kOk;
}

// The union of the registers of `keys` (missing keys are empty). Sets
// *any_dense when one of them is dense.
HllStatus UnionRegisters(const OpArgs& op, Args keys, uint8_t* registers, bool* any_dense) {
  std::fill(registers, registers + hll::kRegisters, 0);
  for (std::string_view key : keys) {
    Db::Entry* e = op.db.FindRead(key, op.now_ms);
    if (e == nullptr) continue;
    std::string_view bytes;
    if (HllStatus st = CheckHll(e->value, &bytes); st != HllStatus::kOk) return st;
    if (hll::GetEncoding(bytes) == hll::kDense) *any_dense = true;
    if (!hll::MergeInto(registers, bytes)) return HllStatus::kCorrupt;
  }
  return HllStatus::kOk;
}

// PFMERGE: dest becomes the union of itself and the sources; dense if any
// of them is.
HllStatus OpPfMerge(const OpArgs& op, std::string_view dest, Args all_keys, size_t sparse_max) {
  uint8_t registers[hll::kRegisters];
  bool dense = false;
  if (HllStatus st = UnionRegisters(op, all_keys, registers, &dense); st != HllStatus::kOk) {
    return st;
  }
  KeyWrite w(op.db, dest, op.now_ms);
  if (!w) w.Create(NewHllValue());
  std::string* s = w.value().MutableRawString();  // checked by UnionRegisters
  if (dense && !hll::ToDense(s)) return HllStatus::kCorrupt;
  for (int j = 0; j < hll::kRegisters; ++j) {
    if (registers[j] != 0) hll::Set(s, j, registers[j], sparse_max);
  }
  hll::InvalidateCache(s);
  w.Note(kPfAddEvent);
  return HllStatus::kOk;
}

// ---------------------------------------------------------------------------
// Commands.

// PFADD key [element ...]
void CmdPfAdd(CommandContext& ctx) {
  bool updated = false;
  HllStatus st = OpPfAdd(ctx.op_args(), ctx.arg(1), ctx.args.subspan(2), SparseMaxBytes(ctx), &updated);
  if (st != HllStatus::kOk) return ReplyHllStatus(ctx, st);
  ctx.reply.Integer(updated ? 1 : 0);
}

// PFCOUNT key [key ...]
void CmdPfCount(CommandContext& ctx) {
  OpArgs op = ctx.op_args();
  uint64_t card;
  if (ctx.argc() == 2) {
    bool cached_now;
    HllStatus st = OpPfCountOne(op, ctx.arg(1), &card, &cached_now);
    if (st != HllStatus::kOk) return ReplyHllStatus(ctx, st);
    if (cached_now) ctx.PropagateVerbatim();
  } else {
    uint8_t registers[hll::kRegisters];
    bool dense = false;
    HllStatus st = UnionRegisters(op, ctx.args.subspan(1), registers, &dense);
    if (st != HllStatus::kOk) return ReplyHllStatus(ctx, st);
    card = hll::CountRegisters(registers);
  }
  ctx.reply.Integer(static_cast<int64_t>(card));
}

// PFMERGE destkey [sourcekey ...]
void CmdPfMerge(CommandContext& ctx) {
  HllStatus st = OpPfMerge(ctx.op_args(), ctx.arg(1), ctx.args.subspan(1), SparseMaxBytes(ctx));
  if (st != HllStatus::kOk) return ReplyHllStatus(ctx, st);
  ctx.reply.Ok();
}

// Turns a sparse value dense for PFDEBUG; false (after replying) when it is
// corrupt. A conversion is a change Redis propagates without touching WATCH.
bool DebugToDense(CommandContext& ctx, std::string* s, bool* converted) {
  *converted = false;
  if (hll::GetEncoding(*s) != hll::kSparse) return true;
  if (!hll::ToDense(s)) {
    ctx.reply.Error(kCorrupt);
    return false;
  }
  *converted = true;
  ctx.server.dirty++;
  ctx.PropagateVerbatim();
  return true;
}

// PFDEBUG GETREG|DECODE|ENCODING|TODENSE key
void CmdPfDebug(CommandContext& ctx) {
  const std::string_view sub = ctx.arg(1);
  OpArgs op = ctx.op_args();
  Db::Entry* e = op.db.Find(ctx.arg(2), op.now_ms);
  if (e == nullptr) return ctx.reply.Error("ERR The specified key does not exist");
  std::string* s;
  if (HllStatus st = MutableHll(e->value, &s); st != HllStatus::kOk) return ReplyHllStatus(ctx, st);
  bool converted;
  if (EqualsIgnoreCase(sub, "getreg")) {
    if (!DebugToDense(ctx, s, &converted)) return;
    const auto* regs = reinterpret_cast<const uint8_t*>(s->data()) + hll::kHeaderSize;
    ctx.reply.ArrayHeader(hll::kRegisters);
    for (int j = 0; j < hll::kRegisters; ++j) ctx.reply.Integer(hll::DenseGet(regs, j));
  } else if (EqualsIgnoreCase(sub, "decode")) {
    if (hll::GetEncoding(*s) != hll::kSparse) return ctx.reply.Error("ERR HLL encoding is not sparse");
    ctx.reply.Bulk(hll::DecodeSparse(*s));
  } else if (EqualsIgnoreCase(sub, "encoding")) {
    ctx.reply.SimpleString(hll::GetEncoding(*s) == hll::kDense ? "dense" : "sparse");
  } else if (EqualsIgnoreCase(sub, "todense")) {
    if (!DebugToDense(ctx, s, &converted)) return;
    ctx.reply.Integer(converted ? 1 : 0);
  } else {
    ctx.reply.Error("ERR Unknown PFDEBUG subcommand '" + std::string(AsCString(sub)) + "'");
  }
}

void CmdPfSelfTest(CommandContext& ctx) {
  std::string failure = hll::SelfTest();
  if (!failure.empty()) return ctx.reply.Error("ERR " + failure);
  ctx.reply.Ok();
}

}  // namespace

// Rows checked against redis-server 7.0.15 COMMAND INFO / COMMAND DOCS.
void RegisterHllFamily(CommandTable& t) {
  CommandFamily f(t, "hyperloglog", kAclHyperLogLog);
  f.Add({.name = "pfadd", .arity = -2, .flags = kWrite | kDenyOom | kFast,
         .keys = {{.flags = kRW | kInsert, .index = 1}}, .handler = CmdPfAdd,
         .summary = "Adds the specified elements to the specified HyperLogLog.", .since = "2.8.9"});
  f.Add({.name = "pfcount", .arity = -2, .flags = kReadonly | kMayReplicate,
         .keys = {{.flags = kRW | kAccess,
                   .notes = "RW because it may change the internal representation of the key, and "
                            "propagate to replicas",
                   .index = 1, .lastkey = -1}},
         .handler = CmdPfCount,
         .summary = "Return the approximated cardinality of the set(s) observed by the HyperLogLog "
                    "at key(s).",
         .since = "2.8.9"});
  f.Add({.name = "pfmerge", .arity = -2, .flags = kWrite | kDenyOom,
         .keys = {{.flags = kRW | kAccess | kInsert, .index = 1},
                  {.flags = kRO | kAccess, .index = 2, .lastkey = -1}},
         .handler = CmdPfMerge, .summary = "Merge N different HyperLogLogs into a single one.",
         .since = "2.8.9"});
  f.Add({.name = "pfdebug", .arity = 3, .flags = kWrite | kDenyOom | kAdmin,
         .keys = {{.flags = kRW | kAccess, .index = 2}}, .handler = CmdPfDebug,
         .summary = "Internal commands for debugging HyperLogLog values", .since = "2.8.9"});
  f.Add({.name = "pfselftest", .arity = 1, .flags = kAdmin, .handler = CmdPfSelfTest,
         .summary = "An internal command for testing HyperLogLog values", .since = "2.8.9"});
}

}  // namespace grabkv::server
