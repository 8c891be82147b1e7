// One value of the keyspace in RDB form: the type byte and the body that
// follow a key in an RDB file, and that a DUMP payload carries.
//
// Written in Redis 7.0's encodings where grabkv has the equivalent: a list as
// QUICKLIST_2 (listpack nodes of up to 8 KB), a listpack hash or sorted set as
// HASH_LISTPACK / ZSET_LISTPACK, an intset as SET_INTSET; hashtable hashes,
// sets and skiplist sorted sets in the plain HASH / SET / ZSET_2 forms.
//
// Read: every value type Redis 7.0 loads except modules and streams (grabkv
// has neither): the above plus LIST, ZSET (string scores), HASH_ZIPMAP,
// LIST_ZIPLIST, ZSET_ZIPLIST, HASH_ZIPLIST and QUICKLIST (1). Packed blobs
// are validated whole; duplicate hash fields, set members and sorted-set
// members, NaN scores and lengths beyond the data are refused. The container
// is built in the encoding Redis 7.0 would choose under the given limits.
#pragma once

#include <string>

#include "storage/hash.h"
#include "storage/rdb_format.h"
#include "storage/set.h"
#include "storage/value.h"
#include "storage/zset.h"

namespace grabkv::storage {

struct RdbLimits {
  HashLimits hash;
  SetLimits set;
  ZSetLimits zset;
};

// The RDB type byte for v.
uint8_t RdbTypeOf(const Value& v);
// Writes v's body (without the type byte).
void RdbWriteValue(RdbWriter& w, const Value& v);

enum class RdbValueStatus {
  kOk,
  kEmpty,    // a well-formed but empty container (Redis skips such keys)
  kCorrupt,  // the reader holds the error
};

// Whether `type` is a value type byte this reader knows.
bool RdbIsValueType(uint8_t type);
// Reads the body of a value of `type` into *out.
RdbValueStatus RdbReadValue(RdbReader& r, uint8_t type, const RdbLimits& limits, Value* out);

}  // namespace grabkv::storage

namespace grabkv::storage {

// A DUMP payload: type byte, body, the RDB version (2 bytes little-endian)
// and the CRC-64 of all that (8 bytes little-endian).
std::string RdbDumpPayload(const Value& v, bool compress);
// Appends that footer (version and CRC-64 of everything written so far):
// FUNCTION DUMP's payload ends the same way.
void RdbAppendPayloadFooter(RdbWriter& w);
// RESTORE's checks of a payload's footer: long enough, a version this
// reader knows, a matching checksum. On success *body views type + body.
bool RdbVerifyPayload(std::string_view payload, std::string_view* body);
// Decodes a verified body; false for anything but a whole, non-empty value.
bool RdbLoadPayloadBody(std::string_view body, const RdbLimits& limits, Value* out);

}  // namespace grabkv::storage
