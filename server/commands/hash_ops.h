// The hash family's operations on storage, for the families that build on
// them (GRAB.* keeps its claims in a hash: it reads, sets and deletes one
// field with these). Each write reports itself through a storage::KeyWrite
// (Redis's event name, its number of changes, the deletion of an emptied
// hash): the caller adds nothing but its own propagation when it needs one.
//
// The ops look keys up as Redis's lookupKeyWrite does (no keyspace hit or
// miss is counted); the read commands (HGET, ...) count theirs themselves.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "server/core/command.h"
#include "server/core/config.h"
#include "server/core/errors.h"
#include "storage/db.h"
#include "storage/hash.h"

namespace grabkv::server {

inline constexpr storage::KeyEvent kHSetEvent{"hset", storage::EventClass::kHash};
inline constexpr storage::KeyEvent kHDelEvent{"hdel", storage::EventClass::kHash};
inline constexpr storage::KeyEvent kHIncrByEvent{"hincrby", storage::EventClass::kHash};
inline constexpr storage::KeyEvent kHIncrByFloatEvent{"hincrbyfloat", storage::EventClass::kHash};

// The listpack limits (hash-max-listpack-entries/-value) of the config.
storage::HashLimits HashLimitsOf(const Config& c);

// HSET/HMSET: `fv` alternates fields and values (REQUIRES: an even, non-zero
// number of them). The hash is created when missing. *created counts the new
// fields. One "hset" event; every pair is a change, updated or new.
OpStatus OpHSet(const OpArgs& op, std::string_view key, Args fv,
                const storage::HashLimits& limits, int64_t* created);

// HSET key field value, for one field. *created (may be nullptr) tells
// whether the field is new.
OpStatus OpHSetField(const OpArgs& op, std::string_view key, std::string_view field,
                     std::string_view value, const storage::HashLimits& limits,
                     bool* created = nullptr);

// HSETNX: sets the field only when absent (*set says whether it did).
OpStatus OpHSetNx(const OpArgs& op, std::string_view key, std::string_view field,
                  std::string_view value, const storage::HashLimits& limits, bool* set);

// The value of one field: *value is nullopt when the key or the field is
// missing. The view stays valid until the hash changes. kWrongType when the
// key holds another type. Counts no keyspace hit or miss.
OpStatus OpHGet(const OpArgs& op, std::string_view key, std::string_view field,
                std::optional<std::string_view>* value);

// HDEL: *deleted counts the fields removed. One "hdel" event, a change per
// field; a hash left empty is deleted ("del"). A missing key is kOk with 0.
OpStatus OpHDel(const OpArgs& op, std::string_view key, Args fields, int64_t* deleted);

// HDEL key field, for one field. *deleted (may be nullptr) tells whether it
// was there.
OpStatus OpHDelField(const OpArgs& op, std::string_view key, std::string_view field,
                     bool* deleted = nullptr);

// HINCRBY: kHashNotInteger when the field's value is not an integer,
// kOverflow when the sum overflows; nothing changes then.
OpStatus OpHIncrBy(const OpArgs& op, std::string_view key, std::string_view field, int64_t incr,
                   const storage::HashLimits& limits, int64_t* result);

// HINCRBYFLOAT: kHashNotFloat when the field's value is not a float,
// kIncrNan when the sum is NaN or infinite. On success *result holds the
// reply text, which is also the stored value.
OpStatus OpHIncrByFloat(const OpArgs& op, std::string_view key, std::string_view field,
                        long double incr, const storage::HashLimits& limits, std::string* result);

}  // namespace grabkv::server
