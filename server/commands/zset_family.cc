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
// Every write goes through a storage::KeyWrite (or a Db call that reports
// itself), which reports it once with Redis's event name (zset_ops.h) and
// number of changes, and deletes a set it emptied. ZADD, ZINCRBY and ZREM
// are ops of zset_ops.h, callable from other families.
#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "server/commands/zset_ops.h"
#include "server/core/command_table.h"
#include "server/core/errors.h"
#include "server/core/server_state.h"
#include "server/core/util.h"
#include "server/commands/zset_util.h"
#include "storage/db.h"
#include "storage/value.h"
#include "storage/zset.h"

namespace grabkv::server {
namespace zset {

using storage::Db;
using storage::KeyWrite;
using storage::ValueType;
using storage::ZLexBound;
using storage::ZLexRange;
using storage::ZScoreRange;

storage::ZSetLimits LimitsOf(const Config& c) {
  return storage::ZSetLimits{static_cast<size_t>(std::max<int64_t>(0, c.zset_max_listpack_entries)),
                             static_cast<size_t>(std::max<int64_t>(0, c.zset_max_listpack_value))};
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

ZSet* WriteTarget(const KeyWrite& w, bool* wrong_type) { return Typed(w.entry(), wrong_type); }

void ReplyMember(CommandContext& ctx, std::string_view member, double score, bool withscores) {
  if (withscores && ctx.reply.resp3()) ctx.reply.ArrayHeader(2);
  ctx.reply.Bulk(member);
  if (withscores) ReplyScore(ctx, score);
}

void ReplyMembersHeader(CommandContext& ctx, size_t n, bool withscores) {
  ctx.reply.ArrayHeader(withscores && !ctx.reply.resp3() ? n * 2 : n);
}

}  // namespace zset

// ---------------------------------------------------------------------------
// The point writes (zset_ops.h)

OpStatus OpZAdd(const OpArgs& op, std::string_view key, unsigned flags,
                const storage::ZSetLimits& limits, const std::vector<ZAddMember>& members,
                ZAddOutcome* out) {
  *out = ZAddOutcome{};
  if (members.empty()) return OpStatus::kOk;
  storage::KeyWrite w(op.db, key, op.now_ms);
  bool wrong_type;
  storage::ZSet* z = zset::WriteTarget(w, &wrong_type);
  if (wrong_type) return OpStatus::kWrongType;
  if (z == nullptr) {
    if (flags & storage::ZSet::kAddXx) return OpStatus::kOk;  // nothing to update
    auto created = storage::ZSet::ForFirstMember(members.front().member.size(), limits);
    z = created.get();
    storage::Value v;
    v.SetContainer(std::move(created));
    w.Create(std::move(v));  // removed again by ~KeyWrite if nothing is added
  }
  OpStatus st = OpStatus::kOk;
  for (const ZAddMember& m : members) {
    double new_score = 0;
    const auto r = z->Add(m.member, m.score, flags, limits, &new_score);
    if (r == storage::ZSet::AddResult::kNaN) {
      st = OpStatus::kScoreNan;
      break;
    }
    if (r == storage::ZSet::AddResult::kAdded) ++out->added;
    if (r == storage::ZSet::AddResult::kUpdated) ++out->updated;
    if (r != storage::ZSet::AddResult::kSkipped) {
      ++out->processed;
      out->last_score = new_score;
    }
  }
  const auto changes = static_cast<uint64_t>(out->added + out->updated);
  if (changes > 0) {
    w.Note((flags & storage::ZSet::kAddIncr) ? zset_events::kZIncr : zset_events::kZAdd, changes);
  }
  return st;
}

OpStatus OpZRem(const OpArgs& op, std::string_view key, Args members, int64_t* removed) {
  *removed = 0;
  storage::KeyWrite w(op.db, key, op.now_ms);
  bool wrong_type;
  storage::ZSet* z = zset::WriteTarget(w, &wrong_type);
  if (wrong_type) return OpStatus::kWrongType;
  if (z == nullptr) return OpStatus::kOk;
  for (size_t i = 0; i < members.size() && !z->empty(); ++i) {
    if (z->Remove(members[i])) ++*removed;
  }
  // ~KeyWrite deletes the key when this emptied it ("del").
  if (*removed > 0) w.Note(zset_events::kZRem, static_cast<uint64_t>(*removed));
  return OpStatus::kOk;
}

namespace zset {
namespace {

// ---------------------------------------------------------------------------
// ZADD / ZINCRBY (Redis zaddGenericCommand)

struct ZAddArgs {
  unsigned flags = 0;
  bool ch = false;
  std::vector<ZAddMember> members;
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
  const size_t elements = ctx.argc() - i;
  if (elements == 0 || elements % 2 != 0) {
    ctx.reply.Error(errors::kSyntax);
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
  a->members.resize(elements / 2);
  for (size_t j = 0; j < a->members.size(); ++j) {
    if (!ParseDouble(ctx.arg(i + 2 * j), &a->members[j].score)) {
      ctx.reply.Error(errors::kNotFloat);
      return false;
    }
    a->members[j].member = ctx.arg(i + 2 * j + 1);
  }
  return true;
}

void ZAddGeneric(CommandContext& ctx, unsigned base_flags) {
  ZAddArgs a;
  if (!ParseZAdd(ctx, base_flags, &a)) return;
  ZAddOutcome res;
  const OpStatus st = OpZAdd(ctx.op_args(), ctx.arg(1), a.flags, LimitsOf(ctx.server.config()),
                             a.members, &res);
  if (st != OpStatus::kOk) return ReplyStatus(ctx.reply, st);
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
  int64_t removed = 0;
  if (OpZRem(ctx.op_args(), ctx.arg(1), ctx.args.subspan(2), &removed) == OpStatus::kWrongType) {
    return ctx.reply.Error(errors::kWrongType);
  }
  ctx.reply.Integer(removed);
}

// ---------------------------------------------------------------------------
// Reads

void CmdZCard(CommandContext& ctx) {
  bool wrong_type;
  ZSet* z = FindRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  ctx.reply.Integer(z == nullptr ? 0 : static_cast<int64_t>(z->size()));
}

void CmdZScore(CommandContext& ctx) {
  bool wrong_type;
  ZSet* z = FindRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  double score;
  if (z == nullptr || !z->Score(ctx.arg(2), &score)) return ctx.reply.Null();
  ReplyScore(ctx, score);
}

void CmdZMScore(CommandContext& ctx) {
  bool wrong_type;
  ZSet* z = FindRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
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
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  const int64_t rank = z == nullptr ? -1 : z->Rank(ctx.arg(2), reverse);
  if (rank < 0) return ctx.reply.Null();
  ctx.reply.Integer(rank);
}

void CmdZRank(CommandContext& ctx) { ZRankGeneric(ctx, false); }
void CmdZRevRank(CommandContext& ctx) { ZRankGeneric(ctx, true); }

void CmdZCount(CommandContext& ctx) {
  ZScoreRange range;
  if (!ParseScoreRange(ctx.arg(2), ctx.arg(3), &range)) return ctx.reply.Error(errors::kMinMaxNotFloat);
  bool wrong_type;
  ZSet* z = FindRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  ctx.reply.Integer(z == nullptr ? 0 : static_cast<int64_t>(z->ScoreSpan(range).count));
}

void CmdZLexCount(CommandContext& ctx) {
  ZLexRange range;
  if (!ParseLexRange(ctx.arg(2), ctx.arg(3), &range)) return ctx.reply.Error(errors::kMinMaxNotString);
  bool wrong_type;
  ZSet* z = FindRead(ctx, ctx.arg(1), &wrong_type);
  if (wrong_type) return ctx.reply.Error(errors::kWrongType);
  ctx.reply.Integer(z == nullptr ? 0 : static_cast<int64_t>(z->LexSpan(range, false).count));
}

}  // namespace
}  // namespace zset

void RegisterZSetFamily(CommandTable& t) {
  using namespace zset;  // NOLINT: the handlers
  constexpr uint32_t kW = kWrite;
  constexpr uint32_t kR = kReadonly;
  CommandFamily f(t, "sorted-set", kAclSortedSet);
  f.Add({.name = "zadd", .arity = -4, .flags = kW | kDenyOom | kFast,
         .keys = {{.flags = kRW | kUpdate, .index = 1}}, .handler = CmdZAdd,
         .summary = "Add one or more members to a sorted set, or update its score if it already exists", .since = "1.2.0"});
  f.Add({.name = "zincrby", .arity = 4, .flags = kW | kDenyOom | kFast,
         .keys = {{.flags = kRW | kAccess | kUpdate, .index = 1}}, .handler = CmdZIncrBy,
         .summary = "Increment the score of a member in a sorted set", .since = "1.2.0"});
  f.Add({.name = "zrem", .arity = -3, .flags = kW | kFast,
         .keys = {{.flags = kRW | kDelete, .index = 1}}, .handler = CmdZRem,
         .summary = "Remove one or more members from a sorted set", .since = "1.2.0"});
  f.Add({.name = "zcard", .arity = 2, .flags = kR | kFast,
         .keys = {{.flags = kRO, .index = 1}}, .handler = CmdZCard,
         .summary = "Get the number of members in a sorted set", .since = "1.2.0"});
  f.Add({.name = "zscore", .arity = 3, .flags = kR | kFast,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdZScore,
         .summary = "Get the score associated with the given member in a sorted set", .since = "1.2.0"});
  f.Add({.name = "zmscore", .arity = -3, .flags = kR | kFast,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdZMScore,
         .summary = "Get the score associated with the given members in a sorted set", .since = "6.2.0"});
  f.Add({.name = "zrank", .arity = 3, .flags = kR | kFast,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdZRank,
         .summary = "Determine the index of a member in a sorted set", .since = "2.0.0"});
  f.Add(
      {.name = "zrevrank", .arity = 3, .flags = kR | kFast,
       .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdZRevRank,
       .summary = "Determine the index of a member in a sorted set, with scores ordered from high to low", .since = "2.0.0"});
  f.Add({.name = "zcount", .arity = 4, .flags = kR | kFast,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdZCount,
         .summary = "Count the members in a sorted set with scores within the given values", .since = "2.0.0"});
  f.Add({.name = "zlexcount", .arity = 4, .flags = kR | kFast,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdZLexCount,
         .summary = "Count the number of members in a sorted set between a given lexicographical range", .since = "2.8.9"});
  f.Add({.name = "zrange", .arity = -4, .flags = kR,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdZRangeAs<1, false, RangeType::kAuto, Direction::kAuto>,
         .summary = "Return a range of members in a sorted set", .since = "1.2.0"});
  f.Add({.name = "zrangestore", .arity = -5, .flags = kW | kDenyOom,
         .keys = {{.flags = kOW | kUpdate, .index = 1}, {.flags = kRO | kAccess, .index = 2}}, .handler = CmdZRangeAs<2, true, RangeType::kAuto, Direction::kAuto>,
         .summary = "Store a range of members from sorted set into another key", .since = "6.2.0"});
  f.Add({.name = "zrangebyscore", .arity = -4, .flags = kR,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdZRangeAs<1, false, RangeType::kScore, Direction::kForward>,
         .summary = "Return a range of members in a sorted set, by score", .since = "1.0.5"});
  f.Add({.name = "zrevrangebyscore", .arity = -4, .flags = kR,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdZRangeAs<1, false, RangeType::kScore, Direction::kReverse>,
         .summary = "Return a range of members in a sorted set, by score, with scores ordered from " "high to low", .since = "2.2.0"});
  f.Add({.name = "zrangebylex", .arity = -4, .flags = kR,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdZRangeAs<1, false, RangeType::kLex, Direction::kForward>,
         .summary = "Return a range of members in a sorted set, by lexicographical range", .since = "2.8.9"});
  f.Add({.name = "zrevrangebylex", .arity = -4, .flags = kR,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdZRangeAs<1, false, RangeType::kLex, Direction::kReverse>,
         .summary = "Return a range of members in a sorted set, by lexicographical range, ordered " "from higher to lower strings.", .since = "2.8.9"});
  f.Add({.name = "zrevrange", .arity = -4, .flags = kR,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdZRangeAs<1, false, RangeType::kRank, Direction::kReverse>,
         .summary = "Return a range of members in a sorted set, by index, with scores ordered from " "high to low", .since = "1.2.0"});
  f.Add({.name = "zremrangebyscore", .arity = 4, .flags = kW,
         .keys = {{.flags = kRW | kDelete, .index = 1}}, .handler = CmdZRemRangeAs<RangeType::kScore>,
         .summary = "Remove all members in a sorted set within the given scores", .since = "1.2.0"});
  f.Add({.name = "zremrangebyrank", .arity = 4, .flags = kW,
         .keys = {{.flags = kRW | kDelete, .index = 1}}, .handler = CmdZRemRangeAs<RangeType::kRank>,
         .summary = "Remove all members in a sorted set within the given indexes", .since = "2.0.0"});
  f.Add({.name = "zremrangebylex", .arity = 4, .flags = kW,
         .keys = {{.flags = kRW | kDelete, .index = 1}}, .handler = CmdZRemRangeAs<RangeType::kLex>,
         .summary = "Remove all members in a sorted set between the given lexicographical range", .since = "2.8.9"});
  f.Add({.name = "zpopmin", .arity = -2, .flags = kW | kFast,
         .keys = {{.flags = kRW | kAccess | kDelete, .index = 1}}, .handler = CmdZPopMin,
         .summary = "Remove and return members with the lowest scores in a sorted set", .since = "5.0.0"});
  f.Add({.name = "zpopmax", .arity = -2, .flags = kW | kFast,
         .keys = {{.flags = kRW | kAccess | kDelete, .index = 1}}, .handler = CmdZPopMax,
         .summary = "Remove and return members with the highest scores in a sorted set", .since = "5.0.0"});
  f.Add({.name = "zmpop", .arity = -4, .flags = kW,
         .keys = {{.flags = kRW | kAccess | kDelete, .index = 1, .keynum = true}}, .handler = CmdZMPop, .getkeys = NumkeysAt1GetKeys,
         .summary = "Remove and return members with scores in a sorted set", .since = "7.0.0"});
  f.Add({.name = "bzpopmin", .arity = -3, .flags = kW | kNoscript | kBlocking | kFast,
         .keys = {{.flags = kRW | kAccess | kDelete, .index = 1, .lastkey = -2}}, .handler = CmdBZPopMin,
         .summary = "Remove and return the member with the lowest score from one or more sorted " "sets, or block until one is available", .since = "5.0.0"});
  f.Add({.name = "bzpopmax", .arity = -3, .flags = kW | kNoscript | kBlocking | kFast,
         .keys = {{.flags = kRW | kAccess | kDelete, .index = 1, .lastkey = -2}}, .handler = CmdBZPopMax,
         .summary = "Remove and return the member with the highest score from one or more sorted " "sets, or block until one is available", .since = "5.0.0"});
  f.Add(
      {.name = "bzmpop", .arity = -5, .flags = kW | kBlocking,
       .keys = {{.flags = kRW | kAccess | kDelete, .index = 2, .keynum = true}}, .handler = CmdBZMPop, .getkeys = NumkeysAt2GetKeys,
       .summary = "Remove and return members with scores in a sorted set or block until one is available", .since = "7.0.0"});
  f.Add({.name = "zrandmember", .arity = -2, .flags = kR,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdZRandMember, .tips = "nondeterministic_output",
         .summary = "Get one or multiple random elements from a sorted set", .since = "6.2.0"});
  f.Add({.name = "zunionstore", .arity = -4, .flags = kW | kDenyOom,
         .keys = {{.flags = kOW | kUpdate, .index = 1}, {.flags = kRO | kAccess, .index = 2, .keynum = true}}, .handler = CmdZUnionStore, .getkeys = StoreNumkeysGetKeys,
         .summary = "Add multiple sorted sets and store the resulting sorted set in a new key", .since = "2.0.0"});
  f.Add(
      {.name = "zinterstore", .arity = -4, .flags = kW | kDenyOom,
       .keys = {{.flags = kOW | kUpdate, .index = 1}, {.flags = kRO | kAccess, .index = 2, .keynum = true}}, .handler = CmdZInterStore, .getkeys = StoreNumkeysGetKeys,
       .summary = "Intersect multiple sorted sets and store the resulting sorted set in a new key", .since = "2.0.0"});
  f.Add({.name = "zdiffstore", .arity = -4, .flags = kW | kDenyOom,
         .keys = {{.flags = kOW | kUpdate, .index = 1}, {.flags = kRO | kAccess, .index = 2, .keynum = true}}, .handler = CmdZDiffStore, .getkeys = StoreNumkeysGetKeys,
         .summary = "Subtract multiple sorted sets and store the resulting sorted set in a new key", .since = "6.2.0"});
  f.Add({.name = "zunion", .arity = -3, .flags = kR,
         .keys = {{.flags = kRO | kAccess, .index = 1, .keynum = true}}, .handler = CmdZUnion, .getkeys = NumkeysAt1GetKeys,
         .summary = "Add multiple sorted sets", .since = "6.2.0"});
  f.Add({.name = "zinter", .arity = -3, .flags = kR,
         .keys = {{.flags = kRO | kAccess, .index = 1, .keynum = true}}, .handler = CmdZInter, .getkeys = NumkeysAt1GetKeys,
         .summary = "Intersect multiple sorted sets", .since = "6.2.0"});
  f.Add({.name = "zdiff", .arity = -3, .flags = kR,
         .keys = {{.flags = kRO | kAccess, .index = 1, .keynum = true}}, .handler = CmdZDiff, .getkeys = NumkeysAt1GetKeys,
         .summary = "Subtract multiple sorted sets", .since = "6.2.0"});
  f.Add({.name = "zintercard", .arity = -3, .flags = kR,
         .keys = {{.flags = kRO | kAccess, .index = 1, .keynum = true}}, .handler = CmdZInterCard, .getkeys = NumkeysAt1GetKeys,
         .summary = "Intersect multiple sorted sets and return the cardinality of the result", .since = "7.0.0"});
  f.Add({.name = "zscan", .arity = -3, .flags = kR,
         .keys = {{.flags = kRO | kAccess, .index = 1}}, .handler = CmdZScan, .tips = "nondeterministic_output",
         .summary = "Incrementally iterate sorted sets elements and associated scores", .since = "2.8.0"});
}

}  // namespace grabkv::server
