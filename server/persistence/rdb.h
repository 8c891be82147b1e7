// RDB files: the whole dataset in Redis 7.0's snapshot format (version 10),
// as SAVE/BGSAVE/SHUTDOWN SAVE write dump.rdb and as a start loads it.
//
// Written: "REDIS0010", AUX fields (redis-ver, redis-bits, ctime, used-mem,
// aof-base), one FUNCTION2 per function library, per non-empty database
// SELECTDB + RESIZEDB and its keys (EXPIRETIME_MS before a key with a TTL;
// keys already expired are left out), EOF and the CRC-64 (zero when
// rdbchecksum is off). Values as storage/rdb_value.h writes them, strings
// LZF-compressed under rdbcompression.
//
// Read: RDB versions 1 to 10 with opcodes AUX (unknown fields skipped),
// FUNCTION2, SELECTDB, RESIZEDB, EXPIRETIME_MS, EXPIRETIME, IDLE, FREQ and
// EOF, every value encoding of storage/rdb_value.h, and the checksum.
// Loading is all or nothing: the file is parsed whole into a staging area
// and only installed when it is entirely valid, so a corrupt file leaves the
// server empty with an error naming the byte offset. Keys whose TTL has
// passed are skipped, as a Redis master does.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace grabkv::server {

class ServerState;

struct RdbLoadStats {
  uint64_t keys_loaded = 0;
  uint64_t keys_expired = 0;
};

// Serializes the dataset (and function libraries) into fd. False with
// *err on a write error.
bool RdbWrite(ServerState& server, int fd, int64_t now_ms, std::string* err);

// Writes `path` through a temporary file in the same directory, fsynced and
// renamed over it, so that a crash at any point leaves either the old or
// the new file whole. `temp_name` is the temporary file's name.
bool RdbSaveToPath(ServerState& server, const std::string& path, const std::string& temp_name,
                   int64_t now_ms, std::string* err);

// Parses an RDB image and, when it is valid, adds its functions and keys
// to the (normally empty) server. A key or library already present is an
// error unless `merge` (then the file's replaces it). False with *err
// (naming the byte offset) and nothing changed otherwise.
bool RdbLoad(ServerState& server, std::string_view data, int64_t now_ms, bool merge,
             RdbLoadStats* stats, std::string* err);

// Reads and loads `path`. *missing is set (and true returned) when the file
// does not exist.
bool RdbLoadFile(ServerState& server, const std::string& path, int64_t now_ms, bool merge,
                 RdbLoadStats* stats, bool* missing, std::string* err);

}  // namespace grabkv::server
