// Sorted-set algebra: ZUNIONSTORE, ZINTERSTORE, ZDIFFSTORE, ZUNION, ZINTER,
// ZDIFF and ZINTERCARD (Redis 7.0 zunionInterDiffGenericCommand).
//
// Inputs may be sorted sets or plain sets; a set member counts as a sorted
// set member of score 1, as in Redis. The order of checks follows Redis:
// numkeys, then every key's type (WRONGTYPE before any option error), then
// the options. Inputs are visited from the smallest to the largest (a
// stable sort, like glibc's qsort for small arrays), which fixes the order
// in which SUM adds a member's scores and so its last bits.
#include <algorithm>
#include <cmath>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/core/server_state.h"
#include "server/core/string_map.h"
#include "server/core/util.h"
#include "server/commands/zset_ops.h"
#include "server/commands/zset_util.h"
#include "storage/db.h"
#include "storage/set.h"
#include "storage/value.h"
#include "storage/zset.h"

namespace grabkv::server::zset {

namespace {

using storage::Db;
using storage::ValueType;

// --- plain sets as inputs ---
size_t SetSourceSize(const storage::Container& set) { return set.Length(); }
bool SetSourceContains(const storage::Container& set, std::string_view member) {
  return static_cast<const storage::Set&>(set).Contains(member);
}
template <typename Fn>
void SetSourceForEach(const storage::Container& set, Fn&& fn) {
  static_cast<const storage::Set&>(set).ForEach(fn);
}

enum class SetOp { kUnion, kInter, kDiff };
enum class Aggregate { kSum, kMin, kMax };

// One input: a sorted set, a plain set, or a missing key (empty).
struct Source {
  const ZSet* zset = nullptr;
  const storage::Container* set = nullptr;
  double weight = 1;

  size_t size() const { return zset ? zset->size() : (set ? SetSourceSize(*set) : 0); }
  // The member's score (1 for a set member); false when absent.
  bool Find(std::string_view member, double* score) const {
    if (zset != nullptr) return zset->Score(member, score);
    if (set != nullptr && SetSourceContains(*set, member)) {
      *score = 1;
      return true;
    }
    return false;
  }
  template <typename Fn>
  void ForEach(Fn&& fn) const {
    if (zset != nullptr) {
      for (auto it = zset->Begin(); it.Valid(); it.Next()) fn(it.member(), it.score());
    } else if (set != nullptr) {
      SetSourceForEach(*set, [&](std::string_view m) { fn(m, 1.0); });
    }
  }
};

// Redis zunionInterAggregate: SUM maps NaN (inf + -inf) to 0.
void AggregateInto(double* target, double val, Aggregate agg) {
  switch (agg) {
    case Aggregate::kSum:
      *target = *target + val;
      if (std::isnan(*target)) *target = 0.0;
      break;
    case Aggregate::kMin:
      *target = val < *target ? val : *target;
      break;
    case Aggregate::kMax:
      *target = val > *target ? val : *target;
      break;
  }
}

using Result = std::vector<std::pair<std::string, double>>;

void Union(const std::vector<Source>& src, Aggregate agg, Result* out) {
  StringMap<double> acc;
  std::vector<std::string_view> order;
  for (const Source& s : src) {
    s.ForEach([&](std::string_view m, double score) {
      double v = s.weight * score;
      if (std::isnan(v)) v = 0;
      auto it = acc.find(m);
      if (it == acc.end()) {
        acc.emplace(std::string(m), v);
      } else {
        AggregateInto(&it->second, v, agg);
      }
    });
  }
  out->reserve(acc.size());
  for (auto& [m, v] : acc) out->emplace_back(m, v);
}

// With `limit` > 0, stops counting there (ZINTERCARD); `out` may be null
// when only the count is wanted.
size_t Inter(const std::vector<Source>& src, Aggregate agg, size_t limit, Result* out) {
  size_t found = 0;
  if (src[0].size() == 0) return 0;
  bool stop = false;
  src[0].ForEach([&](std::string_view m, double score) {
    if (stop) return;
    double total = src[0].weight * score;
    if (std::isnan(total)) total = 0;
    for (size_t j = 1; j < src.size(); ++j) {
      double v;
      if (!src[j].Find(m, &v)) return;
      AggregateInto(&total, v * src[j].weight, agg);
    }
    ++found;
    if (out != nullptr) out->emplace_back(std::string(m), total);
    if (limit > 0 && found >= limit) stop = true;
  });
  return found;
}

// The members of the first input found in no other, with their scores.
void Diff(const std::vector<Source>& src, Result* out) {
  src[0].ForEach([&](std::string_view m, double score) {
    double unused;
    for (size_t j = 1; j < src.size(); ++j) {
      if (src[j].Find(m, &unused)) return;
    }
    out->emplace_back(std::string(m), score);
  });
}

void SortResult(Result* r) {
  std::sort(r->begin(), r->end(), [](const auto& a, const auto& b) {
    if (a.second != b.second) return a.second < b.second;
    return storage::CompareMembers(a.first, b.first) < 0;
  });
}

void ZSetOpGeneric(CommandContext& ctx, bool store, size_t numkeys_idx, SetOp op,
                   bool cardinality_only) {
  int64_t setnum;
  if (!ParseInt64(ctx.arg(numkeys_idx), &setnum)) return ctx.reply.Error(errors::kNotInteger);
  if (setnum < 1) {
    return ctx.reply.Error(std::string("ERR at least 1 input key is needed for '") +
                           ctx.spec->name + "' command");
  }
  if (static_cast<uint64_t>(setnum) > ctx.argc() - numkeys_idx - 1) {
    return ctx.reply.Error(errors::kSyntax);
  }
  std::vector<Source> src(static_cast<size_t>(setnum));
  size_t j = numkeys_idx + 1;
  for (Source& s : src) {
    const std::string_view key = ctx.arg(j++);
    Db::Entry* e = ctx.db().FindRead(key, ctx.now_ms);  // a read even when storing, as in Redis
    if (e == nullptr) continue;
    if (e->value.type() == ValueType::kZSet) {
      s.zset = e->value.As<ZSet>();
    } else if (e->value.type() == ValueType::kSet) {
      s.set = e->value.container();
    } else {
      return ctx.reply.Error(errors::kWrongType);
    }
  }

  Aggregate agg = Aggregate::kSum;
  bool withscores = false;
  int64_t limit = 0;
  const bool weighted_ops = op != SetOp::kDiff && !cardinality_only;
  while (j < ctx.argc()) {
    const size_t remaining = ctx.argc() - j;
    const std::string_view opt = ctx.arg(j);
    if (weighted_ops && remaining >= src.size() + 1 && IsOpt(opt, "weights")) {
      ++j;
      for (Source& s : src) {
        if (!ParseDouble(ctx.arg(j++), &s.weight)) {
          return ctx.reply.Error("ERR weight value is not a float");
        }
      }
    } else if (weighted_ops && remaining >= 2 && IsOpt(opt, "aggregate")) {
      const std::string_view how = ctx.arg(j + 1);
      if (IsOpt(how, "sum")) {
        agg = Aggregate::kSum;
      } else if (IsOpt(how, "min")) {
        agg = Aggregate::kMin;
      } else if (IsOpt(how, "max")) {
        agg = Aggregate::kMax;
      } else {
        return ctx.reply.Error(errors::kSyntax);
      }
      j += 2;
    } else if (!store && !cardinality_only && IsOpt(opt, "withscores")) {
      withscores = true;
      ++j;
    } else if (cardinality_only && remaining >= 2 && IsOpt(opt, "limit")) {
      if (!ParseInt64(ctx.arg(j + 1), &limit) || limit < 0) {
        return ctx.reply.Error("ERR LIMIT can't be negative");
      }
      j += 2;
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }

  if (op != SetOp::kDiff) {
    std::stable_sort(src.begin(), src.end(),
                     [](const Source& a, const Source& b) { return a.size() < b.size(); });
  }
  if (cardinality_only) {
    return ctx.reply.Integer(
        static_cast<int64_t>(Inter(src, agg, static_cast<size_t>(limit), nullptr)));
  }
  Result result;
  switch (op) {
    case SetOp::kUnion:
      Union(src, agg, &result);
      break;
    case SetOp::kInter:
      Inter(src, agg, 0, &result);
      break;
    case SetOp::kDiff:
      Diff(src, &result);
      break;
  }
  SortResult(&result);

  if (store) {
    const std::string_view dst = ctx.arg(1);
    // One change either way: the result replaces the destination
    // ("zunionstore", ...), or an empty result deletes it ("del").
    if (result.empty()) {
      ctx.reply.Integer(0);
      ctx.db().Delete(dst, ctx.now_ms);
      return;
    }
    storage::Value v;
    v.SetContainer(server::BuildZSet(result, LimitsOf(ctx.server.config())));
    const storage::KeyEvent event = op == SetOp::kUnion   ? zset_events::kZUnionStore
                                    : op == SetOp::kInter ? zset_events::kZInterStore
                                                          : zset_events::kZDiffStore;
    ctx.db().Set(dst, std::move(v), ctx.now_ms, event);
    ctx.reply.Integer(static_cast<int64_t>(result.size()));
    return;
  }
  ReplyMembersHeader(ctx, result.size(), withscores);
  for (const auto& [m, s] : result) ReplyMember(ctx, m, s, withscores);
}

}  // namespace

void CmdZUnionStore(CommandContext& ctx) { ZSetOpGeneric(ctx, true, 2, SetOp::kUnion, false); }
void CmdZInterStore(CommandContext& ctx) { ZSetOpGeneric(ctx, true, 2, SetOp::kInter, false); }
void CmdZDiffStore(CommandContext& ctx) { ZSetOpGeneric(ctx, true, 2, SetOp::kDiff, false); }
void CmdZUnion(CommandContext& ctx) { ZSetOpGeneric(ctx, false, 1, SetOp::kUnion, false); }
void CmdZInter(CommandContext& ctx) { ZSetOpGeneric(ctx, false, 1, SetOp::kInter, false); }
void CmdZDiff(CommandContext& ctx) { ZSetOpGeneric(ctx, false, 1, SetOp::kDiff, false); }
void CmdZInterCard(CommandContext& ctx) { ZSetOpGeneric(ctx, false, 1, SetOp::kInter, true); }

}  // namespace grabkv::server::zset

namespace grabkv::server {

std::unique_ptr<storage::ZSet> BuildZSet(const std::vector<std::pair<std::string, double>>& r,
                                         const storage::ZSetLimits& limits) {
  using storage::ZSet;
  size_t maxlen = 0;
  for (const auto& [m, s] : r) maxlen = std::max(maxlen, m.size());
  const bool fits = r.size() <= limits.max_listpack_entries && maxlen <= limits.max_listpack_value;
  auto z = std::make_unique<ZSet>(fits ? ZSet::Encoding::kListpack : ZSet::Encoding::kSkiplist);
  for (const auto& [m, s] : r) {
    double unused;
    z->Add(m, s, 0, limits, &unused);
  }
  return z;
}

storage::ZSetLimits ZSetLimitsOf(const Config& c) { return zset::LimitsOf(c); }

}  // namespace grabkv::server
