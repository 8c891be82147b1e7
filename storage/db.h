// Db: one numbered database of the keyspace: keys -> Value, plus expiry.
//
// Expiry is kept out of the hot path of keys without a TTL: only keys with a
// TTL carry kHasExpire in their entry flags and an entry in `expires_`, so a
// lookup of a key without TTL never touches the expires table.
//
// Every mutation is reported through the KeyspaceObserver (WATCH, stats and
// the append-only file hook there): the Db reports the changes it makes itself
// (Set, Delete, expiry, flush); a caller that edits a value in place through
// an Entry* must call Touch(key) afterwards.
//
// Time is passed in by the caller (the server's cached "now" per command), so
// nothing here reads a clock. Not thread-safe.
#pragma once

#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "storage/dict.h"
#include "storage/value.h"

namespace grabkv::storage {

class KeyspaceObserver {
 public:
  virtual ~KeyspaceObserver() = default;
  // A key's value or TTL changed, or it was deleted (including by expiry).
  virtual void OnKeyTouched(int db_index, std::string_view key) = 0;
  // Called just BEFORE all keys of the database go (FLUSHDB/FLUSHALL,
  // other_index = -1) or its contents are exchanged with database
  // other_index (SWAPDB), so that observers can still look at the keys.
  virtual void OnDbReplaced(int db_index, int other_index) = 0;
  // A key expired (lazily or actively); called before OnKeyTouched.
  virtual void OnKeyExpired(int db_index, std::string_view key) {}
};

class Db {
 public:
  using Table = Dict<Value>;
  using Entry = Table::Entry;
  static constexpr uint32_t kHasExpire = 1;

  explicit Db(int index) : index_(index) {}
  Db(Db&&) = default;
  Db& operator=(Db&&) = default;

  int index() const { return index_; }
  void set_index(int index) { index_ = index; }
  void set_observer(KeyspaceObserver* o) { observer_ = o; }

  size_t size() const { return keys_.size(); }
  size_t expires_size() const { return expires_.size(); }

  // The live entry for `key`, or nullptr. A key whose TTL has passed is
  // deleted here (lazy expiry) and reported as missing.
  Entry* Find(std::string_view key, int64_t now_ms);
  // Like Find, but counts a keyspace hit or miss (read commands).
  Entry* FindRead(std::string_view key, int64_t now_ms);
  // Finds the live entry or inserts a new one holding an empty string; the
  // caller fills the value and then the Db reports the key as touched.
  // Returns {entry, inserted}. Does NOT notify: call Touch after writing.
  std::pair<Entry*, bool> FindOrInsert(std::string_view key, int64_t now_ms);

  // SET semantics: replaces the value, clears any TTL, notifies.
  Entry* Set(std::string_view key, Value value, int64_t now_ms);
  // Deletes a live key; returns false when missing (or expired).
  bool Delete(std::string_view key, int64_t now_ms);
  // Unlinks a live key for freeing elsewhere; nullptr when missing. Notifies.
  Entry* Unlink(std::string_view key, int64_t now_ms);

  // Absolute expiry in ms, or -1 without TTL. REQUIRES: e is live in this Db.
  int64_t GetExpire(const Entry* e) const;
  // REQUIRES: e is live in this Db. Notifies.
  void SetExpire(Entry* e, int64_t when_ms);
  // Removes the TTL; returns whether there was one. Notifies when it was.
  bool Persist(Entry* e);

  // Reports an in-place change of `key` made through an Entry*.
  void Touch(std::string_view key) {
    if (observer_ != nullptr) observer_->OnKeyTouched(index_, key);
  }

  // Reports an in-place change to a container value: deletes the key when
  // the container is now empty (Redis never keeps empty containers; Delete
  // notifies), else Touch(key).
  void FinishContainerWrite(std::string_view key, bool emptied, int64_t now_ms) {
    if (emptied) {
      Delete(key, now_ms);
    } else {
      Touch(key);
    }
  }

  // Active expiry (Redis's sampling approach): looks at up to `max_samples`
  // keys with a TTL, deleting the expired ones. Returns {sampled, expired}.
  std::pair<size_t, size_t> ActiveExpire(int64_t now_ms, size_t max_samples);

  // Removes everything. Returns the old tables so that the caller can free
  // them on another thread (FLUSHALL ASYNC); dropping the result frees here.
  struct Taken {
    Table keys;
    Dict<int64_t> expires;
  };
  std::unique_ptr<Taken> TakeAll();
  // Exchanges contents with `other` (SWAPDB); indices stay. Notifies both.
  void SwapContents(Db& other);

  // Iteration for KEYS/SCAN/RANDOMKEY. Expired keys may be visited: callers
  // check IsExpired.
  Table& table() { return keys_; }
  bool IsExpired(const Entry* e, int64_t now_ms) const {
    return (e->flags & kHasExpire) && !expiry_paused_ && GetExpire(e) <= now_ms;
  }
  // While paused (replaying the append-only file) no key counts as expired:
  // the file's own DELs decide, and a TTL in the past is kept for active
  // expiry to act on afterwards, as Redis does while loading.
  void set_expiry_paused(bool paused) { expiry_paused_ = paused; }
  // A random live key (expired ones met on the way are deleted); nullptr when
  // none. Gives up after a bounded number of tries on an all-expired db.
  Entry* RandomKey(int64_t now_ms, std::mt19937_64& rng);

  // Bookkeeping for INFO keyspace (avg_ttl) and stats.
  uint64_t keyspace_hits() const { return hits_; }
  uint64_t keyspace_misses() const { return misses_; }
  uint64_t expired_keys() const { return expired_; }
  void ResetStats() { hits_ = misses_ = expired_ = 0; }
  // Average TTL in ms of the keys sampled by active expiry (Redis's avg_ttl).
  int64_t avg_ttl() const { return avg_ttl_; }
  // Drives incremental rehashing from the server timer.
  void RehashStep(size_t buckets) {
    keys_.RehashStep(buckets);
    expires_.RehashStep(buckets);
  }

 private:
  void ExpireNow(Entry* e);

  int index_;
  Table keys_;
  Dict<int64_t> expires_;
  KeyspaceObserver* observer_ = nullptr;
  uint64_t expire_cursor_ = 0;
  uint64_t hits_ = 0, misses_ = 0, expired_ = 0;
  int64_t avg_ttl_ = 0;
  bool expiry_paused_ = false;
};

}  // namespace grabkv::storage
