// The string family's operations on storage, for the other families that
// build on them (GRAB.*, MULTI and scripts reach them through the commands).
// Each reports its write through a storage::KeyWrite: the caller adds
// nothing but its own propagation when it needs a custom one.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "server/core/command.h"
#include "server/core/errors.h"
#include "storage/value.h"

namespace grabkv::server {

// A string value for reading (hits/misses counted): *out is nullptr when the
// key is missing; kWrongType when it holds another type.
OpStatus OpGet(const OpArgs& op, std::string_view key, const storage::Value** out);

struct SetParams {
  bool nx = false;
  bool xx = false;
  bool keep_ttl = false;
  int64_t expire_at_ms = 0;  // absolute; 0 = none
};
// SET: stores `val` (encoded like Redis's tryObjectEncoding) unless NX/XX
// says otherwise (kSkipped).
OpStatus OpSet(const OpArgs& op, std::string_view key, std::string_view val, const SetParams& p);
// MSET / MSETNX. `kv` alternates keys and values. With nx, sets nothing
// (kSkipped) when any key exists.
OpStatus OpMSet(const OpArgs& op, Args kv, bool nx);
// Deletes the key; returns whether it existed.
bool OpDel(const OpArgs& op, std::string_view key);
// INCRBY and friends: the key keeps its TTL; the result is int-encoded.
OpStatus OpIncrBy(const OpArgs& op, std::string_view key, int64_t delta, int64_t* result);
// INCRBYFLOAT: the key keeps its TTL. `incr_arg` is parsed after the stored
// value (Redis's order of errors). On success *result holds the reply text.
OpStatus OpIncrByFloat(const OpArgs& op, std::string_view key, std::string_view incr_arg,
                       std::string* result);
// APPEND: a new key is stored like SET; an existing one becomes raw.
OpStatus OpAppend(const OpArgs& op, std::string_view key, std::string_view tail, int64_t max_len,
                  size_t* new_len);
// SETRANGE. REQUIRES: offset >= 0. An empty `part` changes nothing and
// creates nothing; *new_len is then the current length (0 when missing).
OpStatus OpSetRange(const OpArgs& op, std::string_view key, int64_t offset, std::string_view part,
                    int64_t max_len, size_t* new_len);

}  // namespace grabkv::server
