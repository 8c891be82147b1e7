// Shared by the sorted-set command files (zset_family.cc, zset_range.cc,
// zset_pop.cc, zset_store.cc, zset_scan.cc): Redis's argument parsers for score and lex
// ranges, key lookups with the type check, score replies, and the handlers
// each file defines for the one registration table in zset_family.cc.
//
// Internal to the zset family: nothing outside server/commands/zset_*.cc
// includes it (the ops other families may call are in zset_ops.h). Error
// texts come from server/core/errors.h; the ones only this family sends are
// spelled where they are sent.
#pragma once

#include <cstdint>
#include <string_view>

#include "server/core/command.h"
#include "server/core/config.h"
#include "server/core/errors.h"
#include "storage/db.h"
#include "storage/zset.h"

namespace grabkv::server::zset {

using storage::ZSet;

storage::ZSetLimits LimitsOf(const Config& c);

// Redis zslParseRange: "(" for exclusive, strtod for the number (so leading
// spaces, hex and an empty string, read as 0, are accepted); NaN is not.
bool ParseScoreRange(std::string_view min, std::string_view max, storage::ZScoreRange* out);
// Redis zslParseLexRange: "-", "+", "[value" or "(value". The range views
// the arguments' bytes.
bool ParseLexRange(std::string_view min, std::string_view max, storage::ZLexRange* out);

// The sorted set at `key`, or nullptr when missing or (with *wrong_type
// set) of another type. FindRead counts a keyspace hit or miss, like
// Redis's lookupKeyRead; FindWrite does not (lookupKeyWrite) and only looks
// (a write goes through a storage::KeyWrite: see WriteTarget).
ZSet* FindRead(CommandContext& ctx, std::string_view key, bool* wrong_type);
ZSet* FindWrite(CommandContext& ctx, std::string_view key, bool* wrong_type);
// The sorted set a KeyWrite looked up, as FindWrite answers.
ZSet* WriteTarget(const storage::KeyWrite& w, bool* wrong_type);

// A score as Redis's addReplyDouble sends it.
inline void ReplyScore(CommandContext& ctx, double d) { ctx.reply.Double(d); }
// One member (and its score) of a WITHSCORES reply: RESP3 wraps each pair in
// a two-element array, RESP2 flattens them.
void ReplyMember(CommandContext& ctx, std::string_view member, double score, bool withscores);
// The array header for n members: 2n entries in RESP2 WITHSCORES.
void ReplyMembersHeader(CommandContext& ctx, size_t n, bool withscores);

// --- handlers, by file ---
// zset_range.cc: Redis's zrangeGenericCommand (args[key_idx] is the source
// key; with `store`, args[1] is the destination) and zremrangeGenericCommand.
enum class RangeType { kAuto, kRank, kScore, kLex };
enum class Direction { kAuto, kForward, kReverse };
void ZRangeGeneric(CommandContext& ctx, size_t key_idx, bool store, RangeType type,
                   Direction dir);
void ZRemRangeGeneric(CommandContext& ctx, RangeType type);
// ZRANGE, ZRANGESTORE, ZRANGEBYSCORE, ZREVRANGE...: the generic command with
// what the name fixes.
template <size_t kKeyIdx, bool kStore, RangeType kType, Direction kDir>
void CmdZRangeAs(CommandContext& ctx) {
  ZRangeGeneric(ctx, kKeyIdx, kStore, kType, kDir);
}
template <RangeType kType>
void CmdZRemRangeAs(CommandContext& ctx) {
  ZRemRangeGeneric(ctx, kType);
}
// zset_pop.cc
void CmdZPopMin(CommandContext& ctx);
void CmdZPopMax(CommandContext& ctx);
void CmdZMPop(CommandContext& ctx);
void CmdBZPopMin(CommandContext& ctx);
void CmdBZPopMax(CommandContext& ctx);
void CmdBZMPop(CommandContext& ctx);
// zset_scan.cc
void CmdZRandMember(CommandContext& ctx);
void CmdZScan(CommandContext& ctx);
// zset_store.cc
void CmdZUnionStore(CommandContext& ctx);
void CmdZInterStore(CommandContext& ctx);
void CmdZDiffStore(CommandContext& ctx);
void CmdZUnion(CommandContext& ctx);
void CmdZInter(CommandContext& ctx);
void CmdZDiff(CommandContext& ctx);
void CmdZInterCard(CommandContext& ctx);

}  // namespace grabkv::server::zset
