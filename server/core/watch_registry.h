// WatchRegistry: which clients WATCH which keys, so that a write to a
// watched key fails those clients' EXEC.
//
// Cost model: a write to a key nobody watches costs one emptiness check when
// nothing at all is watched, and one hash lookup otherwise.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "server/core/string_map.h"

namespace grabkv::storage {
class Db;
}

namespace grabkv::server {

class Client;

class WatchRegistry {
 public:
  // REQUIRES: c is not already watching (db, key) — callers check.
  void Watch(Client& c, int db, std::string_view key);
  // Drops all of c's watches (EXEC, DISCARD, UNWATCH, RESET, disconnect).
  void UnwatchAll(Client& c);
  // A key was written: its watchers' EXEC will fail.
  void Touch(int db, std::string_view key) {
    if (by_key_.empty()) return;
    TouchSlow(db, key);
  }
  // FLUSHDB/FLUSHALL/SWAPDB, called before the change: watchers of keys that
  // exist in `db` (or in `other`, for SWAPDB) are dirtied, as in Redis.
  void TouchDbReplaced(storage::Db& db, storage::Db* other);
  size_t watched_keys() const { return by_key_.size(); }

 private:
  void TouchSlow(int db, std::string_view key);
  // Keys are client-chosen: keyed hash (see string_map.h).
  absl::flat_hash_map<std::pair<int, std::string>, std::vector<Client*>, IntStringPairHash>
      by_key_;
};

}  // namespace grabkv::server
