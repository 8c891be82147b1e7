// Sorted-set ranges: ZRANGE (BYSCORE, BYLEX, REV, LIMIT, WITHSCORES), its
// older spellings (ZREVRANGE, Z[REV]RANGEBYSCORE, Z[REV]RANGEBYLEX),
// ZRANGESTORE, and ZREMRANGEBYRANK / BYSCORE / BYLEX.
//
// All of them share Redis 7.0's zrangeGenericCommand rules: options are
// parsed first (an option the command's fixed type or direction already
// decides is a syntax error), then the conflicts (LIMIT without BYSCORE or
// BYLEX, WITHSCORES with BYLEX), then the range, and only then the key.
#include <algorithm>
#include <cstdint>
#include <memory>
#include <string_view>

#include "server/core/server_state.h"
#include "server/core/util.h"
#include "server/commands/zset_ops.h"
#include "server/commands/zset_util.h"
#include "storage/db.h"
#include "storage/value.h"
#include "storage/zset.h"

namespace grabkv::server::zset {

namespace {

using storage::KeyWrite;
using storage::ZLexRange;
using storage::ZScoreRange;

// Where a range goes: to the client, or into a new sorted set (ZRANGESTORE).
class ResultSink {
 public:
  virtual ~ResultSink() = default;
  // `length` < 0 when not known before the walk.
  virtual void Begin(int64_t length) = 0;
  virtual void Emit(std::string_view member, double score) = 0;
  virtual void Finish(size_t count) = 0;
};

class ClientSink final : public ResultSink {
 public:
  ClientSink(CommandContext& ctx, bool withscores) : ctx_(ctx), withscores_(withscores) {}
  void Begin(int64_t length) override {
    if (length >= 0) {
      ReplyMembersHeader(ctx_, static_cast<size_t>(length), withscores_);
    } else {
      deferred_ = true;
      token_ = ctx_.reply.DeferArray();
    }
  }
  void Emit(std::string_view member, double score) override {
    ReplyMember(ctx_, member, score, withscores_);
  }
  void Finish(size_t count) override {
    if (deferred_) {
      ctx_.reply.SetDeferredArray(token_, withscores_ && !ctx_.reply.resp3() ? count * 2 : count);
    }
  }

 private:
  CommandContext& ctx_;
  bool withscores_;
  bool deferred_ = false;
  size_t token_ = 0;
};

// Redis zrangeResultBeginStore / zrangeResultFinalizeStore: the result
// replaces the destination (dropping its TTL; "zrangestore"); an empty
// result deletes it ("del"). Either is one change.
class StoreSink final : public ResultSink {
 public:
  StoreSink(CommandContext& ctx, std::string_view dst)
      : ctx_(ctx), dst_(dst), limits_(LimitsOf(ctx.server.config())) {}
  void Begin(int64_t length) override {
    z_ = ZSet::ForSize(length < 0 ? 0 : static_cast<size_t>(length), limits_);
  }
  void Emit(std::string_view member, double score) override {
    double unused;
    z_->Add(member, score, 0, limits_, &unused);
  }
  void Finish(size_t count) override {
    if (count > 0) {
      storage::Value v;
      v.SetContainer(std::move(z_));
      ctx_.db().Set(dst_, std::move(v), ctx_.now_ms, zset_events::kZRangeStore);
      ctx_.reply.Integer(static_cast<int64_t>(count));
      return;
    }
    ctx_.reply.Integer(0);
    ctx_.db().Delete(dst_, ctx_.now_ms);  // "del" when there was one
  }

 private:
  CommandContext& ctx_;
  std::string_view dst_;
  storage::ZSetLimits limits_;
  std::unique_ptr<ZSet> z_;
};

// Redis's rank normalization: negative indexes count from the end; an empty
// range gives start > end. Returns false when nothing is in range.
bool NormalizeRanks(int64_t size, int64_t* start, int64_t* end) {
  if (*start < 0) *start += size;
  if (*end < 0) *end += size;
  if (*start < 0) *start = 0;
  if (*start > *end || *start >= size) return false;
  if (*end >= size) *end = size - 1;
  return true;
}

void RangeByRank(const ZSet& z, int64_t start, int64_t end, bool reverse, ResultSink& sink) {
  const auto size = static_cast<int64_t>(z.size());
  if (!NormalizeRanks(size, &start, &end)) {
    sink.Begin(0);
    sink.Finish(0);
    return;
  }
  const auto n = static_cast<size_t>(end - start + 1);
  sink.Begin(static_cast<int64_t>(n));
  auto it = z.AtRank(static_cast<size_t>(reverse ? size - 1 - start : start));
  for (size_t i = 0; i < n; ++i) {
    sink.Emit(it.member(), it.score());
    if (reverse) {
      it.Prev();
    } else {
      it.Next();
    }
  }
  sink.Finish(n);
}

// A score or lex range: the members of `span`, walked from its far end when
// reversed, after skipping `offset` of them and taking at most `limit`
// (negative: all). A negative offset selects nothing, as in Redis, whose
// skip loop runs off the end of the set.
void RangeBySpan(const ZSet& z, ZSet::Span span, int64_t offset, int64_t limit, bool reverse,
                 ResultSink& sink) {
  sink.Begin(-1);
  size_t n = 0;
  if (span.count > 0 && offset >= 0 && limit != 0 && static_cast<uint64_t>(offset) < span.count) {
    const size_t avail = span.count - static_cast<size_t>(offset);
    n = limit < 0 ? avail : std::min(avail, static_cast<size_t>(limit));
    const size_t first = reverse ? span.first + span.count - 1 - static_cast<size_t>(offset)
                                 : span.first + static_cast<size_t>(offset);
    auto it = z.AtRank(first);
    for (size_t i = 0; i < n; ++i) {
      sink.Emit(it.member(), it.score());
      if (reverse) {
        it.Prev();
      } else {
        it.Next();
      }
    }
  }
  sink.Finish(n);
}

}  // namespace

void ZRangeGeneric(CommandContext& ctx, size_t key_idx, bool store, RangeType type,
                   Direction dir) {
  size_t minidx = key_idx + 1, maxidx = key_idx + 2;
  bool withscores = false;
  int64_t offset = 0, limit = -1;
  for (size_t j = key_idx + 3; j < ctx.argc(); ++j) {
    const size_t left = ctx.argc() - j - 1;
    const std::string_view opt = ctx.arg(j);
    if (!store && IsOpt(opt, "withscores")) {
      withscores = true;
    } else if (IsOpt(opt, "limit") && left >= 2) {
      if (!ParseInt64(ctx.arg(j + 1), &offset) || !ParseInt64(ctx.arg(j + 2), &limit)) {
        return ctx.reply.Error(errors::kNotInteger);
      }
      j += 2;
    } else if (dir == Direction::kAuto && IsOpt(opt, "rev")) {
      dir = Direction::kReverse;
    } else if (type == RangeType::kAuto && IsOpt(opt, "bylex")) {
      type = RangeType::kLex;
    } else if (type == RangeType::kAuto && IsOpt(opt, "byscore")) {
      type = RangeType::kScore;
    } else {
      return ctx.reply.Error(errors::kSyntax);
    }
  }
  if (dir == Direction::kAuto) dir = Direction::kForward;
  if (type == RangeType::kAuto) type = RangeType::kRank;
  // Redis tests the value, so "LIMIT 0 -1" passes with an index range.
  if (limit != -1 && type == RangeType::kRank) {
    return ctx.reply.Error(
        "ERR syntax error, LIMIT is only supported in combination with either BYSCORE or BYLEX");
  }
  if (withscores && type == RangeType::kLex) {
    return ctx.reply.Error("ERR syntax error, WITHSCORES not supported in combination with BYLEX");
  }
  const bool reverse = dir == Direction::kReverse;
  // Reversed score and lex ranges are given as max, min.
  if (reverse && type != RangeType::kRank) std::swap(minidx, maxidx);

  int64_t start = 0, end = 0;
  ZScoreRange score_range;
  ZLexRange lex_range;
  switch (type) {
    case RangeType::kAuto:
    case RangeType::kRank:
      if (!ParseInt64(ctx.arg(minidx), &start) || !ParseInt64(ctx.arg(maxidx), &end)) {
        return ctx.reply.Error(errors::kNotInteger);
      }
      break;
    case RangeType::kScore:
      if (!ParseScoreRange(ctx.arg(minidx), ctx.arg(maxidx), &score_range)) {
        return ctx.reply.Error(errors::kMinMaxNotFloat);
      }
      break;
    case RangeType::kLex:
      if (!ParseLexRange(ctx.arg(minidx), ctx.arg(maxidx), &lex_range)) {
        return ctx.reply.Error(errors::kMinMaxNotString);
      }
      break;
  }

  ClientSink to_client(ctx, withscores);
  StoreSink to_store(ctx, store ? ctx.arg(1) : std::string_view());
  ResultSink& sink = store ? static_cast<ResultSink&>(to_store) : to_client;
  bool wrong_type;
  const ZSet* z = FindRead(ctx, ctx.arg(key_idx), &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  if (z == nullptr) {
    if (store) {
      sink.Begin(-1);
      sink.Finish(0);
    } else {
      ctx.reply.ArrayHeader(0);
    }
    return;
  }
  switch (type) {
    case RangeType::kAuto:
    case RangeType::kRank:
      RangeByRank(*z, start, end, reverse, sink);
      break;
    case RangeType::kScore:
      RangeBySpan(*z, z->ScoreSpan(score_range), offset, limit, reverse, sink);
      break;
    case RangeType::kLex:
      RangeBySpan(*z, z->LexSpan(lex_range, reverse), offset, limit, reverse, sink);
      break;
  }
}

// ---------------------------------------------------------------------------
// ZREMRANGEBY* (Redis zremrangeGenericCommand)

void ZRemRangeGeneric(CommandContext& ctx, RangeType type) {
  int64_t start = 0, end = 0;
  ZScoreRange score_range;
  ZLexRange lex_range;
  if (type == RangeType::kRank) {
    if (!ParseInt64(ctx.arg(2), &start) || !ParseInt64(ctx.arg(3), &end)) {
      return ctx.reply.Error(errors::kNotInteger);
    }
  } else if (type == RangeType::kScore) {
    if (!ParseScoreRange(ctx.arg(2), ctx.arg(3), &score_range)) {
      return ctx.reply.Error(errors::kMinMaxNotFloat);
    }
  } else if (!ParseLexRange(ctx.arg(2), ctx.arg(3), &lex_range)) {
    return ctx.reply.Error(errors::kMinMaxNotString);
  }
  KeyWrite w(ctx.db(), ctx.arg(1), ctx.now_ms);
  bool wrong_type;
  ZSet* z = WriteTarget(w, &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  if (z == nullptr) return ctx.reply.Integer(0);
  ZSet::Span span;
  if (type == RangeType::kRank) {
    if (NormalizeRanks(static_cast<int64_t>(z->size()), &start, &end)) {
      span.first = static_cast<size_t>(start);
      span.count = static_cast<size_t>(end - start + 1);
    }
  } else if (type == RangeType::kScore) {
    span = z->ScoreSpan(score_range);
  } else {
    span = z->LexSpan(lex_range, false);
  }
  if (span.count > 0) {
    z->RemoveRange(span.first, span.count);
    // ~KeyWrite deletes the key when this emptied it ("del").
    w.Note(type == RangeType::kRank    ? zset_events::kZRemRangeByRank
           : type == RangeType::kScore ? zset_events::kZRemRangeByScore
                                       : zset_events::kZRemRangeByLex,
           span.count);
  }
  ctx.reply.Integer(static_cast<int64_t>(span.count));
}


}  // namespace grabkv::server::zset
