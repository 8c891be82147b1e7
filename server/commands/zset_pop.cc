// Sorted-set pops: ZPOPMIN, ZPOPMAX, ZMPOP and the blocking BZPOPMIN,
// BZPOPMAX and BZMPOP (Redis 7.0 genericZpopCommand and friends).
//
// Reply shapes differ by command and protocol:
//   ZPOPMIN k            RESP2 [m, s]            RESP3 [m, s]
//   ZPOPMIN k 2          RESP2 [m, s, m, s]      RESP3 [[m, s], [m, s]]
//   BZPOPMIN k 0         [k, m, s] (both)
//   ZMPOP / BZMPOP       [k, [[m, s], ...]] (both)
// with scores as bulk strings in RESP2 and doubles in RESP3.
//
// The blocking commands follow server/blocking.h: try, and when every key
// is empty either park the client (Block, no reply) or, inside MULTI/EXEC or
// a script, reply the timeout reply at once. A parked client's command is
// re-run from the start when one of its keys is written.
//
// Propagation (the append-only file) follows Redis 7.0: ZPOPMIN/ZPOPMAX are
// recorded as sent; BZPOPMIN/BZPOPMAX as ZPOPMIN/ZPOPMAX key, and ZMPOP/BZMPOP
// as ZPOPMIN/ZPOPMAX key n with n the members actually popped.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/blocking.h"
#include "server/core/server_state.h"
#include "server/core/util.h"
#include "server/commands/zset_ops.h"
#include "server/commands/zset_util.h"
#include "storage/db.h"
#include "storage/zset.h"

namespace grabkv::server::zset {

namespace {

using storage::KeyWrite;

// How a pop replies (Redis's emitkey / use_nested_array /
// reply_nil_when_empty arguments).
struct PopShape {
  bool emit_key = false;
  bool nested = false;
  bool nil_when_empty = false;
};

// How a pop is recorded for propagation.
enum class PopRecord {
  kAsSent,     // ZPOPMIN/ZPOPMAX
  kPop,        // BZPOPMIN/BZPOPMAX: ZPOPMIN/ZPOPMAX key
  kPopCount,   // ZMPOP/BZMPOP: ZPOPMIN/ZPOPMAX key n
};

// Pops up to `count` (-1: a single pop without COUNT) members from the first
// existing key of `keys`. Stops at the first key of the wrong type.
void GenericPop(CommandContext& ctx, Args keys, bool max, int64_t count, PopShape shape,
                PopRecord record) {
  if (record != PopRecord::kAsSent) ctx.PropagateNothing();  // unless it pops (below)
  // One lookup per key: the write handle of the first existing key stays
  // (the earlier, missing ones' handles end having written nothing).
  std::optional<KeyWrite> w;
  ZSet* z = nullptr;
  std::string_view key;
  for (std::string_view k : keys) {
    w.emplace(ctx.db(), k, ctx.now_ms);
    bool wrong_type;
    z = WriteTarget(*w, &wrong_type);
    if (wrong_type) return ctx.reply.Error(errors::kWrongType);
    if (z != nullptr) {
      key = k;
      break;
    }
  }
  if (z == nullptr) {
    if (shape.nil_when_empty) return ctx.reply.NullArray();
    return ctx.reply.ArrayHeader(0);
  }
  if (count == 0) return ctx.reply.ArrayHeader(0);
  if (count == -1) count = 1;
  const size_t n = std::min(static_cast<size_t>(count), z->size());

  if (!shape.nested && !shape.emit_key) {
    ctx.reply.ArrayHeader(n * 2);
  } else if (shape.nested && !shape.emit_key) {
    ctx.reply.ArrayHeader(n);
  } else if (!shape.nested) {
    ctx.reply.ArrayHeader(n * 2 + 1);
    ctx.reply.Bulk(key);
  } else {
    ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(key);
    ctx.reply.ArrayHeader(n);
  }
  std::string member;
  double score;
  for (size_t i = 0; i < n; ++i) {
    z->Pop(max, &member, &score);
    if (shape.nested) ctx.reply.ArrayHeader(2);
    ctx.reply.Bulk(member);
    ReplyScore(ctx, score);
  }
  // ~KeyWrite deletes the key when this emptied it ("del").
  w->Note(max ? zset_events::kZPopMax : zset_events::kZPopMin, n);
  const std::string_view pop = max ? "ZPOPMAX" : "ZPOPMIN";
  if (record == PopRecord::kPop) {
    ctx.Propagate({pop, key});
  } else if (record == PopRecord::kPopCount && ctx.propagating()) {
    ctx.Propagate({pop, key, std::to_string(n)});
  }
}

// ZPOPMIN / ZPOPMAX key [count]
void ZPopMinMax(CommandContext& ctx, bool max) {
  if (ctx.argc() > 3) return ctx.reply.Error(errors::kSyntax);
  int64_t count = -1;
  if (ctx.argc() == 3 && (!ParseInt64(ctx.arg(2), &count) || count < 0)) {
    return ctx.reply.Error(errors::kMustBePositive);
  }
  PopShape shape;
  // A count (even 1) makes RESP3 nest the pairs.
  shape.nested = ctx.reply.resp3() && count != -1;
  GenericPop(ctx, ctx.args.subspan(1, 1), max, count, shape, PopRecord::kAsSent);
}

// The blocking variants (Redis blockingGenericZpopCommand): the timeout is
// checked before the keys.
void BlockingPop(CommandContext& ctx, Args keys, bool max, std::string_view timeout,
                 int64_t count, PopShape shape, PopRecord record) {
  ctx.PropagateNothing();  // unless it pops (GenericPop)
  if (ctx.unblock_timeout) return ctx.reply.NullArray();
  int64_t deadline_ms;
  if (!ParseBlockTimeout(ctx, timeout, &deadline_ms)) return;
  for (size_t i = 0; i < keys.size(); ++i) {
    bool wrong_type;
    ZSet* z = FindWrite(ctx, keys[i], &wrong_type);
    if (wrong_type) {
      // A parked client is only served by a sorted set: Redis does not
      // wake it for a key that became another type, so it keeps waiting.
      if (ctx.server.blocking().IsBlocked(ctx.client)) continue;
      return ctx.reply.Error(errors::kWrongType);
    }
    if (z == nullptr || z->empty()) continue;
    return GenericPop(ctx, keys.subspan(i, 1), max, count, shape, record);
  }
  // Nothing to pop. Inside MULTI/EXEC or a script this is a timeout at once.
  if (!ctx.may_block()) return ctx.reply.NullArray();
  ctx.server.blocking().Block(ctx, keys, deadline_ms);
}

// BZPOPMIN / BZPOPMAX key [key ...] timeout
void BZPopMinMax(CommandContext& ctx, bool max) {
  PopShape shape;
  shape.emit_key = true;
  BlockingPop(ctx, ctx.args.subspan(1, ctx.argc() - 2), max, ctx.arg(ctx.argc() - 1), -1, shape,
              PopRecord::kPop);
}

// ZMPOP numkeys key [key ...] MIN|MAX [COUNT count], and BZMPOP with a
// timeout before numkeys (Redis zmpopGenericCommand: numkeys, MIN|MAX and
// COUNT are checked before the timeout).
void ZMPopGeneric(CommandContext& ctx, size_t numkeys_idx, bool blocking) {
  ctx.PropagateNothing();  // unless it pops (GenericPop)
  int64_t numkeys;
  if (!ParseInt64(ctx.arg(numkeys_idx), &numkeys) || numkeys < 1) {
    return ctx.reply.Error(errors::kNumkeysNotPositive);
  }
  // where_idx = numkeys_idx + numkeys + 1 must be an argument.
  if (static_cast<uint64_t>(numkeys) >= ctx.argc() - numkeys_idx - 1) {
    return ctx.reply.Error(errors::kSyntax);
  }
  const size_t where_idx = numkeys_idx + static_cast<size_t>(numkeys) + 1;
  bool max;
  if (IsOpt(ctx.arg(where_idx), "min")) {
    max = false;
  } else if (IsOpt(ctx.arg(where_idx), "max")) {
    max = true;
  } else {
    return ctx.reply.Error(errors::kSyntax);
  }
  int64_t count = -1;
  for (size_t j = where_idx + 1; j < ctx.argc(); ++j) {
    const bool more = j + 1 < ctx.argc();
    if (count == -1 && more && IsOpt(ctx.arg(j), "count")) {
      ++j;
      if (!ParseInt64(ctx.arg(j), &count) || count < 1) {
        return ctx.reply.Error(errors::kCountNotPositive);
      }
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  if (count == -1) count = 1;
  PopShape shape;
  shape.emit_key = true;
  shape.nested = true;
  shape.nil_when_empty = true;
  const Args keys = ctx.args.subspan(numkeys_idx + 1, static_cast<size_t>(numkeys));
  if (blocking) return BlockingPop(ctx, keys, max, ctx.arg(1), count, shape, PopRecord::kPopCount);
  GenericPop(ctx, keys, max, count, shape, PopRecord::kPopCount);
}

}  // namespace

void CmdZPopMin(CommandContext& ctx) { ZPopMinMax(ctx, false); }
void CmdZPopMax(CommandContext& ctx) { ZPopMinMax(ctx, true); }
void CmdZMPop(CommandContext& ctx) { ZMPopGeneric(ctx, 1, false); }
void CmdBZPopMin(CommandContext& ctx) { BZPopMinMax(ctx, false); }
void CmdBZPopMax(CommandContext& ctx) { BZPopMinMax(ctx, true); }
void CmdBZMPop(CommandContext& ctx) { ZMPopGeneric(ctx, 2, true); }

}  // namespace grabkv::server::zset
