// The sorted-set family's point writes on storage, callable from MULTI,
// scripts and GRAB.* as well as from the ZADD/ZINCRBY/ZREM handlers, and
// the keyspace event names of every sorted-set write (Redis 7.0 t_zset.c).
// Each op reports its write through a storage::KeyWrite: Redis's event, its
// number of changes (server.dirty), and "del" when it empties the set.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "server/core/command.h"
#include "server/core/config.h"
#include "server/core/errors.h"
#include "storage/db.h"
#include "storage/zset.h"

namespace grabkv::server {

namespace zset_events {
using storage::EventClass;
using storage::KeyEvent;
inline constexpr KeyEvent kZAdd{"zadd", EventClass::kZSet};
inline constexpr KeyEvent kZIncr{"zincr", EventClass::kZSet};
inline constexpr KeyEvent kZRem{"zrem", EventClass::kZSet};
inline constexpr KeyEvent kZRemRangeByScore{"zremrangebyscore", EventClass::kZSet};
inline constexpr KeyEvent kZRemRangeByRank{"zremrangebyrank", EventClass::kZSet};
inline constexpr KeyEvent kZRemRangeByLex{"zremrangebylex", EventClass::kZSet};
inline constexpr KeyEvent kZPopMin{"zpopmin", EventClass::kZSet};
inline constexpr KeyEvent kZPopMax{"zpopmax", EventClass::kZSet};
inline constexpr KeyEvent kZUnionStore{"zunionstore", EventClass::kZSet};
inline constexpr KeyEvent kZInterStore{"zinterstore", EventClass::kZSet};
inline constexpr KeyEvent kZDiffStore{"zdiffstore", EventClass::kZSet};
inline constexpr KeyEvent kZRangeStore{"zrangestore", EventClass::kZSet};
// The geo family's stores (Redis geo.c).
inline constexpr KeyEvent kGeoSearchStore{"geosearchstore", EventClass::kZSet};
inline constexpr KeyEvent kGeoRadiusStore{"georadiusstore", EventClass::kZSet};
}  // namespace zset_events

// One score-member pair of ZADD (with ZSet::kAddIncr the score is the
// increment).
struct ZAddMember {
  double score;
  std::string_view member;
};

struct ZAddOutcome {
  int64_t added = 0;
  int64_t updated = 0;
  int64_t processed = 0;  // pairs not skipped by NX/XX/GT/LT
  double last_score = 0;  // the score of the last processed pair (the INCR result)
};

// ZADD / ZINCRBY (Redis zaddGenericCommand after its argument checks): adds
// `members` in order with ZSet::AddFlag `flags`, creating the key (encoded
// by `limits`) unless kAddXx. Reports "zincr" (kAddIncr) or "zadd" with
// added + updated changes when anything changed. kWrongType, or kScoreNan
// when an increment makes a NaN (the pairs before it stay).
OpStatus OpZAdd(const OpArgs& op, std::string_view key, unsigned flags,
                const storage::ZSetLimits& limits, const std::vector<ZAddMember>& members,
                ZAddOutcome* out);

// ZREM: removes `members`; *removed counts them (0 when the key is missing).
// Reports "zrem" (and "del" when the set emptied). kWrongType.
OpStatus OpZRem(const OpArgs& op, std::string_view key, Args members, int64_t* removed);

// The listpack limits of the zset-max-listpack-* settings.
storage::ZSetLimits ZSetLimitsOf(const Config& c);

// A sorted set of `pairs` (distinct members, any order), a listpack when it
// fits `limits`, as a stored result (Redis zsetConvertToListpackIfNeeded
// after building the set).
std::unique_ptr<storage::ZSet> BuildZSet(const std::vector<std::pair<std::string, double>>& pairs,
                                         const storage::ZSetLimits& limits);

}  // namespace grabkv::server
