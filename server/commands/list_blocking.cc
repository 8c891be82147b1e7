// The list commands that take elements out: LPOP/RPOP, LMOVE/RPOPLPUSH,
// LMPOP, and their blocking forms BLPOP/BRPOP, BLMOVE/BRPOPLPUSH, BLMPOP.
//
// Blocking follows BlockingManager's "run the command again" model
// (server/blocking.h): a blocking command that finds nothing parks the client
// on its keys; when one is written the same handler runs again from the
// start. Two things differ on such a re-run, as in Redis 7.0, which only
// serves a blocked client from a key that holds a list:
//   * a key that now holds another type is skipped (the client keeps
//     waiting), where the first run replies WRONGTYPE;
//   * the timeout argument is not parsed again: the client keeps its first
//     deadline.
// Inside MULTI/EXEC and scripts they never block and give their timeout
// reply at once (BLMOVE/BRPOPLPUSH a null bulk there, a null array when a
// real wait times out, exactly as Redis does).
//
// Replies stream the popped elements straight from the list before removing
// them, so a pop copies nothing but the reply bytes.
//
// Propagation (the append-only file) records what a pop did as its
// non-blocking form, as Redis 7.0 does: BLPOP/BRPOP -> LPOP/RPOP key,
// BLMOVE -> LMOVE, BRPOPLPUSH -> RPOPLPUSH, LMPOP/BLMPOP -> LPOP/RPOP key n
// (n = the elements actually popped). A blocked client served later runs the
// same handler again, so it records the same way. LPOP/RPOP/LMOVE/RPOPLPUSH
// are recorded as sent.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "server/core/blocking.h"
#include "server/commands/list_ops.h"
#include "server/core/command_table.h"
#include "server/core/errors.h"
#include "server/core/server_state.h"
#include "server/core/util.h"
#include "storage/db.h"
#include "storage/list.h"
#include "storage/value.h"

namespace grabkv::server {

namespace {

using storage::Db;
using storage::KeyEvent;
using storage::KeyWrite;
using storage::List;
using storage::ValueType;

constexpr std::string_view kCountErr = "ERR count should be greater than 0";


// LEFT or RIGHT (Redis getListPositionFromObjectOrReply).
bool ParseEnd(std::string_view arg, bool* front) {
  arg = AsCString(arg);
  if (EqualsIgnoreCase(arg, "left")) {
    *front = true;
  } else if (EqualsIgnoreCase(arg, "right")) {
    *front = false;
  } else {
    return false;
  }
  return true;
}

KeyEvent PopEvent(bool front) { return front ? kLPopEvent : kRPopEvent; }

// Replies n elements from one end of w's list l (tail first for the right
// end) as bulk strings, then removes them and notes the pop.
// REQUIRES: n <= l->size().
void ReplyAndPop(CommandContext& ctx, KeyWrite& w, List* l, bool front, size_t n) {
  if (front) {
    auto it = l->Begin();
    for (size_t i = 0; i < n; ++i, it.Next()) ctx.reply.Bulk(it.value());
    l->RemoveFront(n);
  } else {
    auto it = l->Last();
    for (size_t i = 0; i < n; ++i, it.Prev()) ctx.reply.Bulk(it.value());
    l->RemoveBack(n);
  }
  w.Note(PopEvent(front), n);
}

std::string_view PopCommand(bool front) { return front ? "LPOP" : "RPOP"; }

// A blocked command run again because it timed out (or CLIENT UNBLOCK
// without ERROR): replies and returns true. Every list blocking command
// times out with a null array. (CLIENT UNBLOCK ... ERROR is answered by the
// BlockingManager itself.)
bool ReplyIfUnblocked(CommandContext& ctx) {
  if (ctx.unblock_timeout) {
    ctx.reply.NullArray();
    return true;
  }
  return false;
}

// --- LPOP RPOP ---

void PopGeneric(CommandContext& ctx, bool front) {
  if (ctx.argc() > 3) {
    return ctx.reply.Error(errors::WrongNumArgs(ctx.spec->name));
  }
  const bool has_count = ctx.argc() == 3;
  int64_t count = 1;
  if (has_count && (!ParseInt64(ctx.arg(2), &count) || count < 0)) {
    return ctx.reply.Error(errors::kMustBePositive);
  }
  KeyWrite w(ctx.db(), ctx.arg(1), ctx.now_ms);
  OpStatus st;
  List* l = FindListWrite(w, &st);
  if (st == OpStatus::kKeyNotFound) return has_count ? ctx.reply.NullArray() : ctx.reply.Null();
  if (st == OpStatus::kWrongType) return ctx.reply.Error(errors::kWrongType);
  if (has_count && count == 0) return ctx.reply.ArrayHeader(0);  // nothing changes
  const size_t n = std::min<uint64_t>(static_cast<uint64_t>(count), l->size());
  if (has_count) ctx.reply.ArrayHeader(n);
  ReplyAndPop(ctx, w, l, front, n);
}

void CmdLPop(CommandContext& ctx) { PopGeneric(ctx, true); }
void CmdRPop(CommandContext& ctx) { PopGeneric(ctx, false); }

// --- LMOVE RPOPLPUSH BLMOVE BRPOPLPUSH ---

}  // namespace

OpStatus OpPopOne(const OpArgs& op, std::string_view key, bool front, std::string* item) {
  KeyWrite w(op.db, key, op.now_ms);
  OpStatus st;
  List* l = FindListWrite(w, &st);
  if (l == nullptr) return st;
  front ? l->PopFront(item) : l->PopBack(item);
  w.Note(PopEvent(front));
  return OpStatus::kOk;
}

OpStatus OpMove(const OpArgs& op, std::string_view src, std::string_view dst, bool from_front,
                bool to_front, std::string* moved) {
  KeyWrite sw(op.db, src, op.now_ms);
  OpStatus st;
  List* sl = FindListWrite(sw, &st);
  if (sl == nullptr) return st;
  // The destination's write is declared second, so it is reported first:
  // Redis notifies the push, then the pop (and the source's deletion when it
  // emptied). src == dst (a rotation) is one write of one key.
  std::optional<KeyWrite> dst_write;
  if (src != dst) dst_write.emplace(op.db, dst, op.now_ms);
  KeyWrite& dw = src != dst ? *dst_write : sw;
  if (dw && dw.value().type() != ValueType::kList) return OpStatus::kWrongTypeDest;
  // Copy first: the push may be into the same list.
  moved->assign(from_front ? sl->Front() : sl->Back());
  from_front ? sl->RemoveFront(1) : sl->RemoveBack(1);
  if (!dw) {
    storage::Value v;
    v.SetContainer(std::make_unique<List>());
    dw.Create(std::move(v));
  }
  List* dl = dw.value().As<List>();
  to_front ? dl->PushFront(*moved) : dl->PushBack(*moved);
  dw.Note(to_front ? kLPushEvent : kRPushEvent);
  sw.Note(PopEvent(from_front), 0);  // Redis counts a move as one change
  return OpStatus::kOk;
}

namespace {

void MoveGeneric(CommandContext& ctx, bool from_front, bool to_front) {
  std::string moved;
  switch (OpMove(ctx.op_args(), ctx.arg(1), ctx.arg(2), from_front, to_front, &moved)) {
    case OpStatus::kOk:
      return ctx.reply.Bulk(moved);
    case OpStatus::kKeyNotFound:
      return ctx.reply.Null();
    case OpStatus::kWrongType:
    case OpStatus::kWrongTypeDest:
      return ctx.reply.Error(errors::kWrongType);
  }
}

void CmdLMove(CommandContext& ctx) {
  bool from_front, to_front;
  if (!ParseEnd(ctx.arg(3), &from_front) || !ParseEnd(ctx.arg(4), &to_front)) {
    return ctx.reply.Error(errors::kSyntax);
  }
  MoveGeneric(ctx, from_front, to_front);
}

void CmdRPopLPush(CommandContext& ctx) { MoveGeneric(ctx, false, true); }

// BLMOVE (timeout at args[5]) and BRPOPLPUSH (args[3]).
void BlockingMove(CommandContext& ctx, bool from_front, bool to_front, size_t timeout_idx) {
  ctx.PropagateNothing();  // unless it moves an element (below)
  if (ReplyIfUnblocked(ctx)) return;
  const bool rerun = ctx.server.blocking().IsBlocked(ctx.client);
  int64_t deadline = 0;
  if (!rerun && !ParseBlockTimeout(ctx, ctx.arg(timeout_idx), &deadline)) return;
  std::string moved;
  switch (OpMove(ctx.op_args(), ctx.arg(1), ctx.arg(2), from_front, to_front, &moved)) {
    case OpStatus::kOk:
      if (timeout_idx == 5) {
        ctx.Propagate({"LMOVE", ctx.arg(1), ctx.arg(2), ctx.arg(3), ctx.arg(4)});
      } else {
        ctx.Propagate({"RPOPLPUSH", ctx.arg(1), ctx.arg(2)});
      }
      return ctx.reply.Bulk(moved);
    case OpStatus::kWrongTypeDest:
      // Redis serves the client anyway and the push fails: an error reply.
      return ctx.reply.Error(errors::kWrongType);
    case OpStatus::kWrongType:
      if (!rerun) return ctx.reply.Error(errors::kWrongType);
      break;  // the source stopped being a list: keep waiting
    case OpStatus::kKeyNotFound:
      break;
  }
  if (!ctx.may_block()) return ctx.reply.Null();
  ctx.server.blocking().Block(ctx, ctx.args.subspan(1, 1), deadline);
}

void CmdBLMove(CommandContext& ctx) {
  bool from_front, to_front;
  if (!ParseEnd(ctx.arg(3), &from_front) || !ParseEnd(ctx.arg(4), &to_front)) {
    return ctx.reply.Error(errors::kSyntax);
  }
  BlockingMove(ctx, from_front, to_front, 5);
}

void CmdBRPopLPush(CommandContext& ctx) { BlockingMove(ctx, false, true, 3); }

// --- BLPOP BRPOP ---

void BlockingPop(CommandContext& ctx, bool front) {
  ctx.PropagateNothing();  // unless it pops (below)
  if (ReplyIfUnblocked(ctx)) return;
  const bool rerun = ctx.server.blocking().IsBlocked(ctx.client);
  int64_t deadline = 0;
  if (!rerun && !ParseBlockTimeout(ctx, ctx.arg(ctx.argc() - 1), &deadline)) return;
  for (size_t j = 1; j + 1 < ctx.argc(); ++j) {
    KeyWrite w(ctx.db(), ctx.arg(j), ctx.now_ms);
    OpStatus st;
    List* l = FindListWrite(w, &st);
    if (st == OpStatus::kKeyNotFound) continue;
    if (st == OpStatus::kWrongType) {
      if (rerun) continue;
      return ctx.reply.Error(errors::kWrongType);
    }
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(ctx.arg(j));
    ReplyAndPop(ctx, w, l, front, 1);
    ctx.Propagate({PopCommand(front), ctx.arg(j)});
    return;
  }
  if (!ctx.may_block()) return ctx.reply.NullArray();
  ctx.server.blocking().Block(ctx, ctx.args.subspan(1, ctx.argc() - 2), deadline);
}

void CmdBLPop(CommandContext& ctx) { BlockingPop(ctx, true); }
void CmdBRPop(CommandContext& ctx) { BlockingPop(ctx, false); }

// --- LMPOP BLMPOP ---

struct MpopArgs {
  size_t first_key = 0;
  size_t numkeys = 0;
  bool front = true;
  int64_t count = 1;
};

// numkeys key... LEFT|RIGHT [COUNT n], numkeys at args[numkeys_idx].
bool ParseMpop(CommandContext& ctx, size_t numkeys_idx, MpopArgs* a) {
  int64_t numkeys;
  if (!ParseInt64(ctx.arg(numkeys_idx), &numkeys) || numkeys < 1) {
    ctx.reply.Error(errors::kNumkeysNotPositive);
    return false;
  }
  // LEFT|RIGHT must follow the keys.
  if (static_cast<uint64_t>(numkeys) >= ctx.argc() - numkeys_idx - 1) {
    ctx.reply.Error(errors::kSyntax);
    return false;
  }
  a->first_key = numkeys_idx + 1;
  a->numkeys = static_cast<size_t>(numkeys);
  const size_t where_idx = a->first_key + a->numkeys;
  if (!ParseEnd(ctx.arg(where_idx), &a->front)) {
    ctx.reply.Error(errors::kSyntax);
    return false;
  }
  bool has_count = false;
  for (size_t j = where_idx + 1; j < ctx.argc(); ++j) {
    if (!has_count && EqualsIgnoreCase(AsCString(ctx.arg(j)), "count") && j + 1 < ctx.argc()) {
      if (!ParseInt64(ctx.arg(++j), &a->count) || a->count < 1) {
        ctx.reply.Error(kCountErr);
        return false;
      }
      has_count = true;
    } else {
      ctx.reply.Error(errors::kSyntax);
      return false;
    }
  }
  return true;
}

// Pops from the first key holding a list and replies [key, [elements]],
// recording LPOP/RPOP key n. kMissing when none does (nothing replied);
// kWrongType at the first key of another type before that, unless
// `skip_wrong_type`.
OpStatus OpMpop(CommandContext& ctx, const MpopArgs& a, bool skip_wrong_type) {
  for (size_t j = a.first_key; j < a.first_key + a.numkeys; ++j) {
    KeyWrite w(ctx.db(), ctx.arg(j), ctx.now_ms);
    OpStatus st;
    List* l = FindListWrite(w, &st);
    if (st == OpStatus::kKeyNotFound) continue;
    if (st == OpStatus::kWrongType) {
      if (skip_wrong_type) continue;
      return st;
    }
    const size_t n = std::min<uint64_t>(static_cast<uint64_t>(a.count), l->size());
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(ctx.arg(j));
    ctx.reply.ArrayHeader(n);
    ReplyAndPop(ctx, w, l, a.front, n);
    if (ctx.propagating()) ctx.Propagate({PopCommand(a.front), ctx.arg(j), std::to_string(n)});
    return OpStatus::kOk;
  }
  return OpStatus::kKeyNotFound;
}

void CmdLMpop(CommandContext& ctx) {
  ctx.PropagateNothing();  // unless it pops (OpMpop)
  MpopArgs a;
  if (!ParseMpop(ctx, 1, &a)) return;
  OpStatus st = OpMpop(ctx, a, false);
  if (st == OpStatus::kWrongType) return ctx.reply.Error(errors::kWrongType);
  if (st == OpStatus::kKeyNotFound) ctx.reply.NullArray();
}

void CmdBLMpop(CommandContext& ctx) {
  ctx.PropagateNothing();  // unless it pops (OpMpop)
  if (ReplyIfUnblocked(ctx)) return;
  MpopArgs a;
  if (!ParseMpop(ctx, 2, &a)) return;
  const bool rerun = ctx.server.blocking().IsBlocked(ctx.client);
  int64_t deadline = 0;
  if (!rerun && !ParseBlockTimeout(ctx, ctx.arg(1), &deadline)) return;
  OpStatus st = OpMpop(ctx, a, rerun);
  if (st == OpStatus::kOk) return;
  if (st == OpStatus::kWrongType) return ctx.reply.Error(errors::kWrongType);
  if (!ctx.may_block()) return ctx.reply.NullArray();
  ctx.server.blocking().Block(ctx, ctx.args.subspan(a.first_key, a.numkeys), deadline);
}

}  // namespace

// Rows checked against redis-server 7.0.15 COMMAND INFO / COMMAND DOCS.
void RegisterListPopCommands(CommandFamily& f) {
  f.Add({.name = "lpop", .arity = -2, .flags = kWrite | kFast,
         .keys = {{.flags = kRW | kAccess | kDelete, .index = 1}}, .handler = CmdLPop,
         .summary = "Remove and get the first elements in a list", .since = "1.0.0"});
  f.Add({.name = "rpop", .arity = -2, .flags = kWrite | kFast,
         .keys = {{.flags = kRW | kAccess | kDelete, .index = 1}}, .handler = CmdRPop,
         .summary = "Remove and get the last elements in a list", .since = "1.0.0"});
  f.Add({.name = "lmove", .arity = 5, .flags = kWrite | kDenyOom,
         .keys = {{.flags = kRW | kAccess | kDelete, .index = 1}, {.flags = kRW | kInsert, .index = 2}}, .handler = CmdLMove,
         .summary = "Pop an element from a list, push it to another list and return it", .since = "6.2.0"});
  f.Add({.name = "rpoplpush", .arity = 3, .flags = kWrite | kDenyOom,
         .keys = {{.flags = kRW | kAccess | kDelete, .index = 1}, {.flags = kRW | kInsert, .index = 2}}, .handler = CmdRPopLPush,
         .summary = "Remove the last element in a list, prepend it to another list and return it", .since = "1.2.0"});
  f.Add({.name = "lmpop", .arity = -4, .flags = kWrite,
         .keys = {{.flags = kRW | kAccess | kDelete, .index = 1, .keynum = true}}, .handler = CmdLMpop, .getkeys = NumkeysAt1GetKeys,
         .summary = "Pop elements from a list", .since = "7.0.0"});
  f.Add({.name = "blpop", .arity = -3, .flags = kWrite | kNoscript | kBlocking,
         .keys = {{.flags = kRW | kAccess | kDelete, .index = 1, .lastkey = -2}}, .handler = CmdBLPop,
         .summary = "Remove and get the first element in a list, or block until one is available", .since = "2.0.0"});
  f.Add({.name = "brpop", .arity = -3, .flags = kWrite | kNoscript | kBlocking,
         .keys = {{.flags = kRW | kAccess | kDelete, .index = 1, .lastkey = -2}}, .handler = CmdBRPop,
         .summary = "Remove and get the last element in a list, or block until one is available", .since = "2.0.0"});
  f.Add({.name = "blmove", .arity = 6, .flags = kWrite | kDenyOom | kNoscript | kBlocking,
         .keys = {{.flags = kRW | kAccess | kDelete, .index = 1}, {.flags = kRW | kInsert, .index = 2}}, .handler = CmdBLMove,
         .summary = "Pop an element from a list, push it to another list and return it; or block " "until one is available", .since = "6.2.0"});
  f.Add({.name = "brpoplpush", .arity = 4, .flags = kWrite | kDenyOom | kNoscript | kBlocking,
         .keys = {{.flags = kRW | kAccess | kDelete, .index = 1}, {.flags = kRW | kInsert, .index = 2}}, .handler = CmdBRPopLPush,
         .summary = "Pop an element from a list, push it to another list and return it; or block " "until one is available", .since = "2.2.0"});
  f.Add({.name = "blmpop", .arity = -5, .flags = kWrite | kBlocking,
         .keys = {{.flags = kRW | kAccess | kDelete, .index = 2, .keynum = true}}, .handler = CmdBLMpop, .getkeys = NumkeysAt2GetKeys,
         .summary = "Pop elements from a list, or block until one is available", .since = "7.0.0"});
}

}  // namespace grabkv::server
