// ZRANDMEMBER and ZSCAN: the sorted-set commands whose replies depend on
// randomness or on the hash table's layout (Redis zrandmemberCommand and
// scanGenericCommand).
#include <cerrno>
#include <cctype>
#include <climits>
#include <cstdlib>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/core/server_state.h"
#include "server/core/util.h"
#include "server/commands/rand_scan.h"
#include "server/commands/zset_util.h"
#include "storage/zset.h"

namespace grabkv::server::zset {

namespace {

// ---------------------------------------------------------------------------
// ZRANDMEMBER (Redis zrandmemberCommand / zrandmemberWithCountCommand)

void ZRandMember(CommandContext& ctx) {
  auto& rng = ctx.server.rng();
  if (ctx.argc() == 2) {
    bool wrong_type;
    ZSet* z = FindRead(ctx, ctx.arg(1), &wrong_type);
    if (wrong_type) return ctx.reply.Error(errors::kWrongType);
    if (z == nullptr) return ctx.reply.Null();
    ctx.reply.Bulk(z->AtRank(rng() % z->size()).member());
    return;
  }
  int64_t l;
  bool withscores;
  if (!ParseRandCountArgs(ctx, "withscores", &l, &withscores)) return;
  bool wrong_type;
  ZSet* z = FindRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  if (z == nullptr || l == 0) return ctx.reply.ArrayHeader(0);
  const size_t size = z->size();
  auto emit = [&](size_t rank) {
    auto it = z->AtRank(rank);
    ReplyMember(ctx, it.member(), it.score(), withscores);
  };
  if (l < 0 || l == 1) {
    // With repetitions: every pick is independent.
    const auto count = static_cast<size_t>(l < 0 ? -l : l);
    if (RandCountTooLarge(count, withscores, ctx.server.config().proto_max_bulk_len)) {
      return ctx.reply.Error(kRandCountTooLargeErr);  // see util.h
    }
    ReplyMembersHeader(ctx, count, withscores);
    for (size_t i = 0; i < count; ++i) {
      // A client closed for its output size stops a huge count early, as
      // Redis checks CLIENT_CLOSE_ASAP.
      if (ctx.client.close_asap) break;
      emit(rng() % size);
    }
    return;
  }
  const auto count = static_cast<size_t>(l);
  if (count >= size) {
    // The whole set, from the highest score down: Redis walks it with its
    // zui iterator, which starts at the tail.
    ReplyMembersHeader(ctx, size, withscores);
    for (auto it = z->Last(); it.Valid(); it.Prev()) {
      ReplyMember(ctx, it.member(), it.score(), withscores);
    }
    return;
  }
  // Distinct ranks (Floyd's sampling), reported in set order.
  std::set<size_t> ranks;
  for (size_t j = size - count; j < size; ++j) {
    const size_t t = rng() % (j + 1);
    if (!ranks.insert(t).second) ranks.insert(j);
  }
  ReplyMembersHeader(ctx, ranks.size(), withscores);
  auto it = z->AtRank(*ranks.begin());
  size_t at = *ranks.begin();
  for (size_t r : ranks) {
    // Step to near ranks, jump (O(log n) in the tree) to far ones.
    if (r - at > 64) {
      it = z->AtRank(r);
      at = r;
    }
    for (; at < r; ++at) it.Next();
    ReplyMember(ctx, it.member(), it.score(), withscores);
  }
}

// ---------------------------------------------------------------------------
// ZSCAN (Redis scanGenericCommand)

// A listpack keeps integral scores as integers, and ZSCAN shows the stored
// form (Redis double2ll's range), not the %.17g of a double.
std::string ListpackScoreText(double d) {
  if (!(d < -LLONG_MAX / 2 || d > LLONG_MAX / 2)) {
    const auto ll = static_cast<long long>(d);
    if (static_cast<double>(ll) == d) return std::to_string(ll);
  }
  return protocol::FormatDouble(d);
}

void ZScan(CommandContext& ctx) {
  uint64_t cursor;
  if (!ParseScanCursor(ctx.arg(2), &cursor)) return ctx.reply.Error(errors::kInvalidCursor);
  bool wrong_type;
  ZSet* z = FindRead(ctx, ctx.arg(1), &wrong_type);
  if (z == nullptr && !wrong_type) return ReplyEmptyScan(ctx);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  ScanOptions opts;
  if (const char* err = ParseScanOptions(ctx.args, 3, &opts)) return ctx.reply.Error(err);
  const int64_t count = opts.count;
  const std::optional<std::string_view>& pattern = opts.pattern;
  std::vector<std::pair<std::string, std::string>> found;
  const bool listpack = z->is_listpack();
  auto collect = [&](std::string_view m, double s) {
    if (pattern && !GlobMatch(*pattern, m)) return;
    found.emplace_back(std::string(m), listpack ? ListpackScoreText(s) : protocol::FormatDouble(s));
  };
  // Redis stops once it holds `count` reply entries (members and scores
  // both count), or after 10 * count buckets.
  // (Saturating: COUNT 9223372036854775807 overflowed, UB; in Redis the
  // wrapped budget never reaches 0 either, so "unbounded" is the same reply.)
  int64_t buckets = count > INT64_MAX / 10 ? INT64_MAX : count * 10;
  do {
    cursor = z->Scan(cursor, collect);
  } while (cursor != 0 && buckets-- > 0 && static_cast<int64_t>(found.size() * 2) < count);
  ReplyScanPairs(ctx, cursor, found);
}

}  // namespace

void CmdZRandMember(CommandContext& ctx) { ZRandMember(ctx); }
void CmdZScan(CommandContext& ctx) { ZScan(ctx); }

}  // namespace grabkv::server::zset
