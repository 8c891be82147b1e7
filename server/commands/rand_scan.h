// Argument and reply steps shared by HRANDFIELD / SRANDMEMBER / ZRANDMEMBER
// and HSCAN / SSCAN / ZSCAN (Redis hrandfield/srandmember/zrandmember and
// scanGenericCommand share these rules). Header-only: these sit on the
// command path and stay inlinable.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>
#include <string_view>

#include "server/core/client.h"
#include "server/core/command.h"
#include "server/core/errors.h"
#include "server/core/util.h"

namespace grabkv::server {

// The count (args[2]) and optional WITHVALUES / WITHSCORES word (args[3]) of
// a *RANDMEMBER-style command called with a count, checked in Redis's order:
// integer, not LLONG_MIN, syntax, then the halved range when the pairs
// option is given. `with_word` empty: no option is accepted (SRANDMEMBER,
// which rejects extra arguments itself before this). Replies the error and
// returns false on failure.
inline bool ParseRandCountArgs(CommandContext& ctx, std::string_view with_word, int64_t* count,
                               bool* with) {
  if (!ParseInt64(ctx.arg(2), count)) {
    ctx.reply.Error(errors::kNotInteger);
    return false;
  }
  if (*count == INT64_MIN) {
    ctx.reply.Error(
        "ERR value is out of range, value must between -9223372036854775807 and "
        "9223372036854775807");
    return false;
  }
  *with = false;
  if (with_word.empty()) return true;
  if (ctx.argc() > 4 ||
      (ctx.argc() == 4 && !EqualsIgnoreCase(AsCString(ctx.arg(3)), with_word))) {
    ctx.reply.Error(errors::kSyntax);
    return false;
  }
  if (ctx.argc() == 4) {
    *with = true;
    if (*count < -(INT64_MAX / 2) || *count > INT64_MAX / 2) {
      ctx.reply.Error("ERR value is out of range");
      return false;
    }
  }
  return true;
}

// Runs `pick(n)` for `count` picks with repetition in batches, so that a
// client closed for its output size stops a huge negative count (Redis
// checks CLIENT_CLOSE_ASAP the same way).
template <class Pick>
inline void PickInBatches(CommandContext& ctx, size_t count, Pick&& pick) {
  constexpr size_t kBatch = 1024;
  for (size_t left = count; left > 0 && !ctx.client.close_asap;) {
    const size_t step = std::min(left, kBatch);
    pick(step);
    left -= step;
  }
}

// The reply to *SCAN on a missing key: cursor 0, no elements.
inline void ReplyEmptyScan(CommandContext& ctx) {
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk("0");
  ctx.reply.ArrayHeader(0);
}

// The reply to HSCAN / ZSCAN: the next cursor, then each pair flattened.
template <class Pairs>
inline void ReplyScanPairs(CommandContext& ctx, uint64_t next, const Pairs& pairs) {
  ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(std::to_string(next));
  ctx.reply.ArrayHeader(pairs.size() * 2);
  for (const auto& [a, b] : pairs) {
    ctx.reply.Bulk(a);
    ctx.reply.Bulk(b);
  }
}

}  // namespace grabkv::server
