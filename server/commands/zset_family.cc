// The sorted-set command family over storage::ZSet (storage/zset.h).
//
// This file holds the shared helpers of server/zset_util.h, the member
// commands (ZADD, ZINCRBY, ZREM, ZCARD, ZSCORE, ZMSCORE, ZRANK, ZREVRANK,
// ZCOUNT, ZLEXCOUNT) and the registration table of the whole family. Ranges
// are in zset_range.cc, pops (blocking ones included) in zset_pop.cc, the
// set algebra in zset_store.cc, ZRANDMEMBER and ZSCAN in zset_scan.cc.
//
// Replies and errors are byte-identical to Redis 7.0 (t_zset.c), including
// which error wins: ZADD checks its options, then every score, then the
// key's type; range commands parse the range before looking at the key.
//
// Every write reports the key once (Db::Touch, or the Db itself when the
// set emptied and the key is deleted) and adds Redis's number of changes to
// ServerState::dirty.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/core/command_table.h"
#include "server/core/server_state.h"
#include "server/core/util.h"
#include "server/commands/zset_util.h"
#include "storage/db.h"
#include "storage/value.h"
#include "storage/zset.h"

namespace grabkv::server {
namespace zset {

using storage::Db;
using storage::ValueType;
using storage::ZLexBound;
using storage::ZLexRange;
using storage::ZScoreRange;

storage::ZSetLimits LimitsOf(const Config& c) {
  return storage::ZSetLimits{static_cast<size_t>(std::max<int64_t>(0, c.zset_max_listpack_entries)),
                             static_cast<size_t>(std::max<int64_t>(0, c.zset_max_listpack_value))};
}


bool IsOpt(std::string_view arg, std::string_view name) {
  return EqualsIgnoreCase(AsCString(arg), name);
}

namespace {

// strtod over the C string of `s` (up to a NUL); the whole of it must be
// read. An empty string reads as 0, as in Redis.
bool ParseScoreBound(std::string_view s, double* value, bool* exclusive) {
  s = AsCString(s);
  *exclusive = !s.empty() && s[0] == '(';
  if (*exclusive) s.remove_prefix(1);
  std::string buf(s);
  char* end;
  const double v = std::strtod(buf.c_str(), &end);
  if (*end != '\0' || std::isnan(v)) return false;
  *value = v;
  return true;
}

bool ParseLexBound(std::string_view s, ZLexBound* out) {
  if (s.empty()) return false;
  // '+' and '-' must be the whole C string.
  const bool alone = s.size() == 1 || s[1] == '\0';
  switch (s[0]) {
    case '+':
      if (!alone) return false;
      *out = ZLexBound{ZLexBound::Kind::kPosInf, true, {}};
      return true;
    case '-':
      if (!alone) return false;
      *out = ZLexBound{ZLexBound::Kind::kNegInf, true, {}};
      return true;
    case '(':
    case '[':
      *out = ZLexBound{ZLexBound::Kind::kValue, s[0] == '(', s.substr(1)};
      return true;
    default:
      return false;
  }
}

}  // namespace

bool ParseScoreRange(std::string_view min, std::string_view max, ZScoreRange* out) {
  return ParseScoreBound(min, &out->min, &out->min_exclusive) &&
         ParseScoreBound(max, &out->max, &out->max_exclusive);
}

bool ParseLexRange(std::string_view min, std::string_view max, ZLexRange* out) {
  return ParseLexBound(min, &out->min) && ParseLexBound(max, &out->max);
}

namespace {
ZSet* Typed(Db::Entry* e, bool* wrong_type) {
  *wrong_type = false;
  if (e == nullptr) return nullptr;
  if (e->value.type() != ValueType::kZSet) {
    *wrong_type = true;
    return nullptr;
  }
  return e->value.As<ZSet>();
}
}  // namespace

ZSet* FindRead(CommandContext& ctx, std::string_view key, bool* wrong_type) {
  return Typed(ctx.db().FindRead(key, ctx.now_ms), wrong_type);
}

ZSet* FindWrite(CommandContext& ctx, std::string_view key, bool* wrong_type) {
  return Typed(ctx.db().Find(key, ctx.now_ms), wrong_type);
}

void ReplyMember(CommandContext& ctx, std::string_view member, double score, bool withscores) {
  if (withscores && ctx.reply.resp3()) ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(member);
  if (withscores) ReplyScore(ctx, score);
}

void ReplyMembersHeader(CommandContext& ctx, size_t n, bool withscores) {
  ctx.reply.ArrayHeader(withscores && !ctx.reply.resp3() ? n * 2 : n);
}

namespace {

// ---------------------------------------------------------------------------
// ZADD / ZINCRBY (Redis zaddGenericCommand)

constexpr std::string_view kNanScoreErr = "ERR resulting score is not a number (NaN)";

struct ZAddArgs {
  unsigned flags = 0;
  bool ch = false;
  size_t first_pair = 2;  // argument index of the first score
  std::vector<double> scores;
};

// Options, pair count, option conflicts, then every score: Redis reports
// the first failing check in this order, before looking at the key.
bool ParseZAdd(CommandContext& ctx, unsigned base_flags, ZAddArgs* a) {
  a->flags = base_flags;
  size_t i = 2;
  for (; i < ctx.argc(); ++i) {
    const std::string_view opt = ctx.arg(i);
    if (IsOpt(opt, "nx")) {
      a->flags |= ZSet::kAddNx;
    } else if (IsOpt(opt, "xx")) {
      a->flags |= ZSet::kAddXx;
    } else if (IsOpt(opt, "ch")) {
      a->ch = true;
    } else if (IsOpt(opt, "incr")) {
      a->flags |= ZSet::kAddIncr;
    } else if (IsOpt(opt, "gt")) {
      a->flags |= ZSet::kAddGt;
    } else if (IsOpt(opt, "lt")) {
      a->flags |= ZSet::kAddLt;
    } else {
      break;
    }
  }
  a->first_pair = i;
  const size_t elements = ctx.argc() - i;
  if (elements == 0 || elements % 2 != 0) {
    ctx.reply.Error(kSyntaxErr);
    return false;
  }
  const unsigned f = a->flags;
  const bool nx = f & ZSet::kAddNx, xx = f & ZSet::kAddXx, gt = f & ZSet::kAddGt,
             lt = f & ZSet::kAddLt;
  if (nx && xx) {
    ctx.reply.Error("ERR XX and NX options at the same time are not compatible");
    return false;
  }
  if ((gt && nx) || (lt && nx) || (gt && lt)) {
    ctx.reply.Error("ERR GT, LT, and/or NX options at the same time are not compatible");
    return false;
  }
  if ((f & ZSet::kAddIncr) && elements > 2) {
    ctx.reply.Error("ERR INCR option supports a single increment-element pair");
    return false;
  }
  a->scores.resize(elements / 2);
  for (size_t j = 0; j < a->scores.size(); ++j) {
    if (!ParseDouble(ctx.arg(i + 2 * j), &a->scores[j])) {
      ctx.reply.Error(kNotFloatErr);
      return false;
    }
  }
  return true;
}

struct ZAddResult {
  enum class Status { kOk, kWrongType, kNaN } status = Status::kOk;
  int64_t added = 0, updated = 0, processed = 0;
  double last_score = 0;  // the INCR result
};

ZAddResult OpZAdd(CommandContext& ctx, std::string_view key, const ZAddArgs& a) {
  ZAddResult res;
  Db& db = ctx.db();
  const auto limits = LimitsOf(ctx.server.config());
  bool wrong_type;
  ZSet* z = FindWrite(ctx, key, &wrong_type);
  if (wrong_type) {
    res.status = ZAddResult::Status::kWrongType;
    return res;
  }
  if (z == nullptr) {
    if (a.flags & ZSet::kAddXx) return res;  // nothing to update
    auto created = ZSet::ForFirstMember(ctx.arg(a.first_pair + 1).size(), limits);
    z = created.get();
    db.FindOrInsert(key, ctx.now_ms).first->value.SetContainer(std::move(created));
  }
  for (size_t j = 0; j < a.scores.size(); ++j) {
    double new_score = 0;
    const auto r =
        z->Add(ctx.arg(a.first_pair + 2 * j + 1), a.scores[j], a.flags, limits, &new_score);
    if (r == ZSet::AddResult::kNaN) {
      res.status = ZAddResult::Status::kNaN;
      break;
    }
    if (r == ZSet::AddResult::kAdded) ++res.added;
    if (r == ZSet::AddResult::kUpdated) ++res.updated;
    if (r != ZSet::AddResult::kSkipped) {
      ++res.processed;
      res.last_score = new_score;
    }
  }
  ctx.server.dirty += static_cast<uint64_t>(res.added + res.updated);
  if (z->empty()) {
    db.Delete(key, ctx.now_ms);  // never left behind empty
  } else if (res.added + res.updated > 0) {
    db.Touch(key);
  }
  return res;
}

void ZAddGeneric(CommandContext& ctx, unsigned base_flags) {
  ZAddArgs a;
  if (!ParseZAdd(ctx, base_flags, &a)) return;
  const ZAddResult res = OpZAdd(ctx, ctx.arg(1), a);
  switch (res.status) {
    case ZAddResult::Status::kWrongType:
      return ctx.reply.Error(kWrongTypeErr);
    case ZAddResult::Status::kNaN:
      return ctx.reply.Error(kNanScoreErr);
    case ZAddResult::Status::kOk:
      break;
  }
  if (a.flags & ZSet::kAddIncr) {
    if (res.processed > 0) {
      ReplyScore(ctx, res.last_score);
    } else {
      ctx.reply.Null();
    }
    return;
  }
  ctx.reply.Integer(a.ch ? res.added + res.updated : res.added);
}

void CmdZAdd(CommandContext& ctx) { ZAddGeneric(ctx, 0); }
void CmdZIncrBy(CommandContext& ctx) { ZAddGeneric(ctx, ZSet::kAddIncr); }

// ---------------------------------------------------------------------------
// ZREM

void CmdZRem(CommandContext& ctx) {
  const std::string_view key = ctx.arg(1);
  bool wrong_type;
  ZSet* z = FindWrite(ctx, key, &wrong_type);
  if (wrong_type) return ctx.reply.Error(kWrongTypeErr);
  if (z == nullptr) return ctx.reply.Integer(0);
  int64_t deleted = 0;
  for (size_t i = 2; i < ctx.argc() && !z->empty(); ++i) {
    if (z->Remove(ctx.arg(i))) ++deleted;
  }
  if (deleted > 0) ctx.db().FinishContainerWrite(key, z->empty(), ctx.now_ms);
  ctx.server.dirty += static_cast<uint64_t>(deleted);
  ctx.reply.Integer(deleted);
}

// ---------------------------------------------------------------------------
// Reads

void CmdZCard(CommandContext& ctx) {
  bool wrong_type;
  ZSet* z = FindRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(kWrongTypeErr);
  ctx.reply.Integer(z == nullptr ? 0 : static_cast<int64_t>(z->size()));
}

void CmdZScore(CommandContext& ctx) {
  bool wrong_type;
  ZSet* z = FindRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(kWrongTypeErr);
  double score;
  if (z == nullptr || !z->Score(ctx.arg(2), &score)) return ctx.reply.Null();
  ReplyScore(ctx, score);
}

void CmdZMScore(CommandContext& ctx) {
  bool wrong_type;
  ZSet* z = FindRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(kWrongTypeErr);
  ctx.reply.ArrayHeader(ctx.argc() - 2);
  for (size_t i = 2; i < ctx.argc(); ++i) {
    double score;
    if (z != nullptr && z->Score(ctx.arg(i), &score)) {
      ReplyScore(ctx, score);
    } else {
      ctx.reply.Null();
    }
  }
}

void ZRankGeneric(CommandContext& ctx, bool reverse) {
  bool wrong_type;
  ZSet* z = FindRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(kWrongTypeErr);
  const int64_t rank = z == nullptr ? -1 : z->Rank(ctx.arg(2), reverse);
  if (rank < 0) return ctx.reply.Null();
  ctx.reply.Integer(rank);
}

void CmdZRank(CommandContext& ctx) { ZRankGeneric(ctx, false); }
void CmdZRevRank(CommandContext& ctx) { ZRankGeneric(ctx, true); }

void CmdZCount(CommandContext& ctx) {
  ZScoreRange range;
  if (!ParseScoreRange(ctx.arg(2), ctx.arg(3), &range)) return ctx.reply.Error(kScoreRangeErr);
  bool wrong_type;
  ZSet* z = FindRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(kWrongTypeErr);
  ctx.reply.Integer(z == nullptr ? 0 : static_cast<int64_t>(z->ScoreSpan(range).count));
}

void CmdZLexCount(CommandContext& ctx) {
  ZLexRange range;
  if (!ParseLexRange(ctx.arg(2), ctx.arg(3), &range)) return ctx.reply.Error(kLexRangeErr);
  bool wrong_type;
  ZSet* z = FindRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(kWrongTypeErr);
  ctx.reply.Integer(z == nullptr ? 0 : static_cast<int64_t>(z->LexSpan(range, false).count));
}

}  // namespace
}  // namespace zset

void RegisterZSetFamily(CommandTable& t) {
  using namespace zset;  // NOLINT: the handlers
  constexpr uint32_t kW = kWrite;
  constexpr uint32_t kR = kReadonly;
  constexpr const char* kWriteFast = "@write @sortedset @fast";
  constexpr const char* kWriteSlow = "@write @sortedset @slow";
  constexpr const char* kReadFast = "@read @sortedset @fast";
  constexpr const char* kReadSlow = "@read @sortedset @slow";
  constexpr const char* kBlockFast = "@write @sortedset @fast @blocking";
  constexpr const char* kBlockSlow = "@write @sortedset @slow @blocking";
  constexpr const char* kG = "sorted-set";

  t.Register({"zadd", -4, kW | kDenyOom | kFast, 1, 1, 1, CmdZAdd, kWriteFast,
              "Add one or more members to a sorted set, or update its score if it already exists",
              "1.2.0", kG});
  t.Register({"zincrby", 4, kW | kDenyOom | kFast, 1, 1, 1, CmdZIncrBy, kWriteFast,
              "Increment the score of a member in a sorted set", "1.2.0", kG});
  t.Register({"zrem", -3, kW | kFast, 1, 1, 1, CmdZRem, kWriteFast,
              "Remove one or more members from a sorted set", "1.2.0", kG});
  t.Register({"zcard", 2, kR | kFast, 1, 1, 1, CmdZCard, kReadFast,
              "Get the number of members in a sorted set", "1.2.0", kG});
  t.Register({"zscore", 3, kR | kFast, 1, 1, 1, CmdZScore, kReadFast,
              "Get the score associated with the given member in a sorted set", "1.2.0", kG});
  t.Register({"zmscore", -3, kR | kFast, 1, 1, 1, CmdZMScore, kReadFast,
              "Get the score associated with the given members in a sorted set", "6.2.0", kG});
  t.Register({"zrank", 3, kR | kFast, 1, 1, 1, CmdZRank, kReadFast,
              "Determine the index of a member in a sorted set", "2.0.0", kG});
  t.Register({"zrevrank", 3, kR | kFast, 1, 1, 1, CmdZRevRank, kReadFast,
              "Determine the index of a member in a sorted set, with scores ordered from high to "
              "low",
              "2.0.0", kG});
  t.Register({"zcount", 4, kR | kFast, 1, 1, 1, CmdZCount, kReadFast,
              "Count the members in a sorted set with scores within the given values", "2.0.0",
              kG});
  t.Register({"zlexcount", 4, kR | kFast, 1, 1, 1, CmdZLexCount, kReadFast,
              "Count the number of members in a sorted set between a given lexicographical range",
              "2.8.9", kG});
  t.Register({"zrange", -4, kR, 1, 1, 1, CmdZRange, kReadSlow,
              "Return a range of members in a sorted set", "1.2.0", kG});
  t.Register({"zrangestore", -5, kW | kDenyOom, 1, 2, 1, CmdZRangeStore, kWriteSlow,
              "Store a range of members from sorted set into another key", "6.2.0", kG});
  t.Register({"zrangebyscore", -4, kR, 1, 1, 1, CmdZRangeByScore, kReadSlow,
              "Return a range of members in a sorted set, by score", "1.0.5", kG});
  t.Register({"zrevrangebyscore", -4, kR, 1, 1, 1, CmdZRevRangeByScore, kReadSlow,
              "Return a range of members in a sorted set, by score, with scores ordered from high "
              "to low",
              "2.2.0", kG});
  t.Register({"zrangebylex", -4, kR, 1, 1, 1, CmdZRangeByLex, kReadSlow,
              "Return a range of members in a sorted set, by lexicographical range", "2.8.9", kG});
  t.Register({"zrevrangebylex", -4, kR, 1, 1, 1, CmdZRevRangeByLex, kReadSlow,
              "Return a range of members in a sorted set, by lexicographical range, ordered from "
              "higher to lower strings.",
              "2.8.9", kG});
  t.Register({"zrevrange", -4, kR, 1, 1, 1, CmdZRevRange, kReadSlow,
              "Return a range of members in a sorted set, by index, with scores ordered from high "
              "to low",
              "1.2.0", kG});
  t.Register({"zremrangebyscore", 4, kW, 1, 1, 1, CmdZRemRangeByScore, kWriteSlow,
              "Remove all members in a sorted set within the given scores", "1.2.0", kG});
  t.Register({"zremrangebyrank", 4, kW, 1, 1, 1, CmdZRemRangeByRank, kWriteSlow,
              "Remove all members in a sorted set within the given indexes", "2.0.0", kG});
  t.Register({"zremrangebylex", 4, kW, 1, 1, 1, CmdZRemRangeByLex, kWriteSlow,
              "Remove all members in a sorted set between the given lexicographical range",
              "2.8.9", kG});
  t.Register({"zpopmin", -2, kW | kFast, 1, 1, 1, CmdZPopMin, kWriteFast,
              "Remove and return members with the lowest scores in a sorted set", "5.0.0", kG});
  t.Register({"zpopmax", -2, kW | kFast, 1, 1, 1, CmdZPopMax, kWriteFast,
              "Remove and return members with the highest scores in a sorted set", "5.0.0", kG});
  t.Register({"zmpop", -4, kW | kMovableKeys, 0, 0, 0, CmdZMPop, kWriteSlow,
              "Remove and return members with scores in a sorted set", "7.0.0", kG});
  t.Register({"bzpopmin", -3, kW | kNoscript | kBlocking | kFast, 1, -2, 1, CmdBZPopMin,
              kBlockFast,
              "Remove and return the member with the lowest score from one or more sorted sets, "
              "or block until one is available",
              "5.0.0", kG});
  t.Register({"bzpopmax", -3, kW | kNoscript | kBlocking | kFast, 1, -2, 1, CmdBZPopMax,
              kBlockFast,
              "Remove and return the member with the highest score from one or more sorted sets, "
              "or block until one is available",
              "5.0.0", kG});
  t.Register({"bzmpop", -5, kW | kBlocking | kMovableKeys, 0, 0, 0, CmdBZMPop, kBlockSlow,
              "Remove and return members with scores in a sorted set or block until one is "
              "available",
              "7.0.0", kG});
  t.Register({"zrandmember", -2, kR, 1, 1, 1, CmdZRandMember, kReadSlow,
              "Get one or multiple random elements from a sorted set", "6.2.0", kG});
  t.Register({"zunionstore", -4, kW | kDenyOom | kMovableKeys, 1, 1, 1, CmdZUnionStore,
              kWriteSlow, "Add multiple sorted sets and store the resulting sorted set in a new key",
              "2.0.0", kG});
  t.Register({"zinterstore", -4, kW | kDenyOom | kMovableKeys, 1, 1, 1, CmdZInterStore,
              kWriteSlow,
              "Intersect multiple sorted sets and store the resulting sorted set in a new key",
              "2.0.0", kG});
  t.Register({"zdiffstore", -4, kW | kDenyOom | kMovableKeys, 1, 1, 1, CmdZDiffStore, kWriteSlow,
              "Subtract multiple sorted sets and store the resulting sorted set in a new key",
              "6.2.0", kG});
  t.Register({"zunion", -3, kR | kMovableKeys, 0, 0, 0, CmdZUnion, kReadSlow,
              "Add multiple sorted sets", "6.2.0", kG});
  t.Register({"zinter", -3, kR | kMovableKeys, 0, 0, 0, CmdZInter, kReadSlow,
              "Intersect multiple sorted sets", "6.2.0", kG});
  t.Register({"zdiff", -3, kR | kMovableKeys, 0, 0, 0, CmdZDiff, kReadSlow,
              "Subtract multiple sorted sets", "6.2.0", kG});
  t.Register({"zintercard", -3, kR | kMovableKeys, 0, 0, 0, CmdZInterCard, kReadSlow,
              "Intersect multiple sorted sets and return the cardinality of the result", "7.0.0",
              kG});
  t.Register({"zscan", -3, kR, 1, 1, 1, CmdZScan, kReadSlow,
              "Incrementally iterate sorted sets elements and associated scores", "2.8.0", kG});
}

}  // namespace grabkv::server
