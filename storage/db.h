// Db: one numbered database of the keyspace: keys -> Value, plus expiry.
//
// Expiry is kept out of the hot path of keys without a TTL: only keys with a
// TTL carry kHasExpire in their entry flags and an entry in `expires_`, so a
// lookup of a key without TTL never touches the expires table.
//
// Every mutation is reported through the KeyspaceObserver, once per key and
// write (dirty count, WATCH, blocked clients, keyspace events, propagation
// all hang off that one report): the Db reports the changes it makes itself
// (Set, Delete, expiry, flush); a command that edits a value in place takes a
// KeyWrite for the key, which reports when it ends (see below).
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

#include "storage/access.h"
#include "storage/dict.h"
#include "storage/value.h"

namespace grabkv::storage {

// The class of a keyspace event, as Redis's notify-keyspace-events letters
// name them (the notification of an event is sent only when its class is on).
enum class EventClass : char {
  kGeneric = 'g',
  kString = '$',
  kList = 'l',
  kSet = 's',
  kHash = 'h',
  kZSet = 'z',
  kExpired = 'x',
  kEvicted = 'e',
  kStream = 't',
  kNew = 'n',
};

// One event of a write, named as Redis names its keyspace notification
// ("set", "lpush", "hincrby", "expire", "del", "expired", ...).
struct KeyEvent {
  const char* name;
  EventClass cls;
};

// Well-known events shared by several families.
namespace events {
inline constexpr KeyEvent kDel{"del", EventClass::kGeneric};
inline constexpr KeyEvent kExpire{"expire", EventClass::kGeneric};
inline constexpr KeyEvent kPersist{"persist", EventClass::kGeneric};
inline constexpr KeyEvent kExpired{"expired", EventClass::kExpired};
inline constexpr KeyEvent kEvicted{"evicted", EventClass::kEvicted};
inline constexpr KeyEvent kSet{"set", EventClass::kString};
inline constexpr KeyEvent kNewKey{"new", EventClass::kNew};
}  // namespace events

// What one write did to one key, reported once when the write ends.
struct KeyWriteReport {
  int db_index;
  std::string_view key;
  const KeyEvent* events;  // in the order they happened
  size_t num_events;
  uint64_t changes;  // Redis's server.dirty increment
  // The write created the key (Redis's "new" event, which comes first).
  bool created = false;
  bool expired() const { return num_events == 1 && events[0].cls == EventClass::kExpired; }
  bool evicted() const { return num_events == 1 && events[0].cls == EventClass::kEvicted; }
};

class KeyspaceObserver {
 public:
  virtual ~KeyspaceObserver() = default;
  // A key's value or TTL changed, or it was deleted (including by expiry).
  virtual void OnKeyWritten(const KeyWriteReport& report) = 0;
  // Called just BEFORE all keys of the database go (FLUSHDB/FLUSHALL,
  // other_index = -1) or its contents are exchanged with database
  // other_index (SWAPDB), so that observers can still look at the keys.
  virtual void OnDbReplaced(int db_index, int other_index) = 0;
  // A key expired (lazily or actively); called before its OnKeyWritten
  // (whose one event is events::kExpired).
  virtual void OnKeyExpired(int db_index, std::string_view key) {}
  // A read command did not find `key` (Redis's keymiss event); only called
  // while the observer asked for it (set_report_misses).
  virtual void OnKeyMiss(int db_index, std::string_view key) {}
};

class KeyWrite;

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
  // Where accesses are recorded (the upper 24 bits of each entry's flags,
  // see storage/access.h); nullptr records nothing. Not owned.
  void set_access_tracker(AccessTracker* t) { access_ = t; }
  static constexpr uint32_t kMetaShift = 8;
  static uint32_t AccessMeta(const Entry* e) { return e->flags >> kMetaShift; }
  static void SetAccessMeta(Entry* e, uint32_t meta) {
    e->flags = (e->flags & ((1u << kMetaShift) - 1)) | (meta << kMetaShift);
  }
  const AccessTracker* access_tracker() const { return access_; }
  // Whether FindRead tells the observer of each miss (OnKeyMiss).
  void set_report_misses(bool on) { report_misses_ = on; }

  size_t size() const { return keys_.size(); }
  size_t expires_size() const { return expires_.size(); }
  const Dict<int64_t>& expires_table() const { return expires_; }

  // The live entry for `key`, or nullptr. A key whose TTL has passed is
  // deleted here (lazy expiry) and reported as missing. A found key's access
  // is recorded unless !touch (Redis's LOOKUP_NOTOUCH).
  Entry* Find(std::string_view key, int64_t now_ms, bool touch = true);
  // Like Find, but counts a keyspace hit or miss (read commands) and tells
  // the observer of a miss (keymiss) unless !report_miss (OBJECT, as
  // Redis's LOOKUP_NONOTIFY).
  Entry* FindRead(std::string_view key, int64_t now_ms, bool report_miss = true,
                  bool touch = true);

  // maxmemory eviction: calls fn(const Entry&, int64_t expire_ms) for up to
  // `count` keys sampled from one place of the keyspace, or of the keys
  // with a TTL when volatile_only (expire_ms is -1 for a key without).
  // Returns how many were visited.
  template <typename Fn>
  size_t SampleKeys(bool volatile_only, size_t count, std::mt19937_64& rng, Fn&& fn);
  // Deletes `key` for maxmemory: reports events::kEvicted with no change to
  // the dirty count. Returns false when it is not there.
  bool Evict(std::string_view key);

  // SET semantics: replaces the value, clears any TTL, reports `event` as
  // one change.
  Entry* Set(std::string_view key, Value value, int64_t now_ms, KeyEvent event = events::kSet);
  // Deletes a live key; returns false when missing (or expired). Reports
  // `event` as one change.
  bool Delete(std::string_view key, int64_t now_ms, KeyEvent event = events::kDel);
  // Unlinks a live key for freeing elsewhere; nullptr when missing. Reports
  // `event` as one change.
  Entry* Unlink(std::string_view key, int64_t now_ms, KeyEvent event = events::kDel);

  // Absolute expiry in ms, or -1 without TTL. REQUIRES: e is live in this Db.
  int64_t GetExpire(const Entry* e) const;
  // REQUIRES: e is live in this Db. Reports `event` as one change.
  void SetExpire(Entry* e, int64_t when_ms, KeyEvent event = events::kExpire);
  // Removes the TTL; returns whether there was one. Reports events::kPersist
  // as one change when there was.
  bool Persist(Entry* e);

  // Reports a write of `key` (see KeyWrite, which is how commands report).
  void Report(std::string_view key, const KeyEvent* events, size_t n, uint64_t changes,
              bool created = false) {
    if (observer_ != nullptr) observer_->OnKeyWritten({index_, key, events, n, changes, created});
  }
  void Report(std::string_view key, KeyEvent event, uint64_t changes = 1) {
    Report(key, &event, 1, changes);
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
  // While set (CLIENT PAUSE), expired keys read as missing but are not
  // deleted, and active expiry does nothing: the dataset stays static, as
  // in Redis 7.0. A write that meets a stale key still removes it first.
  void set_expire_deletes_paused(bool paused) { expire_deletes_paused_ = paused; }
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
  friend class KeyWrite;
  void ExpireNow(Entry* e);
  // Finds the live entry or inserts a new one holding an empty string.
  // Returns {entry, inserted}. Does not report.
  std::pair<Entry*, bool> FindOrInsert(std::string_view key, int64_t now_ms);
  // The mutations without their report (KeyWrite reports once at its end).
  Entry* SetQuiet(std::string_view key, Value value, int64_t now_ms, bool* inserted = nullptr);
  void SetExpireQuiet(Entry* e, int64_t when_ms);
  bool PersistQuiet(Entry* e);
  void EraseQuiet(std::string_view key);
  // Inserts a key known to be missing (an existing entry is returned as is).
  Entry* InsertQuiet(std::string_view key, int64_t now_ms);
  // The flags of an entry created now (no TTL, fresh access metadata).
  uint32_t NewFlags(int64_t now_ms) const {
    return access_ != nullptr ? access_->Initial(now_ms) << kMetaShift : 0;
  }

  int index_;
  Table keys_;
  Dict<int64_t> expires_;
  KeyspaceObserver* observer_ = nullptr;
  AccessTracker* access_ = nullptr;
  uint64_t expire_cursor_ = 0;
  uint64_t hits_ = 0, misses_ = 0, expired_ = 0;
  int64_t avg_ttl_ = 0;
  bool expiry_paused_ = false;
  bool report_misses_ = false;
  bool expire_deletes_paused_ = false;
};

// A write to one key: the one way a command changes a value in place.
//
//   KeyWrite w(db, key, now_ms);           // looks the key up (lazy expiry)
//   if (!w) w.Create(Value(...));           // or work on w.entry()
//   ... edit w.entry()->value ...
//   w.Note({"lpush", EventClass::kList}, n);  // what happened, n changes
//   // ~KeyWrite: deletes the key if its container is now empty (adding a
//   // "del" event), and reports the write once to the observer.
//
// Nothing is reported when nothing was noted (a write that changed nothing,
// e.g. SADD of present members); a key created but left empty is removed
// silently. Two KeyWrites of the same key must not overlap unless the first
// cannot empty it. `key` must outlive the KeyWrite.
class KeyWrite {
 public:
  using Entry = Db::Entry;

  KeyWrite(Db& db, std::string_view key, int64_t now_ms)
      : db_(db), key_(key), now_ms_(now_ms), e_(db.Find(key, now_ms)) {}
  ~KeyWrite() { Commit(); }
  KeyWrite(const KeyWrite&) = delete;
  KeyWrite& operator=(const KeyWrite&) = delete;

  Entry* entry() const { return e_; }
  explicit operator bool() const { return e_ != nullptr; }
  Value& value() const { return e_->value; }
  bool created() const { return created_; }
  std::string_view key() const { return key_; }
  Db& db() const { return db_; }

  // Creates the key holding `v`. REQUIRES: !entry().
  Entry* Create(Value v);
  // SET semantics on the key, existing or not: new value, no TTL.
  Entry* Replace(Value v);
  // REQUIRES: entry(). Sets / removes the TTL (note the event yourself).
  void SetExpire(int64_t when_ms);
  bool Persist();
  // Deletes the key now (notes events::kDel). Returns false when missing.
  bool Delete();

  // Records an event of this write and how many changes it made.
  void Note(KeyEvent event, uint64_t changes = 1);
  // Adds changes without an event of their own.
  void AddChanges(uint64_t n) { changes_ += n; }

  // Reports the key's creation ("new") now, in a report of its own, instead
  // of first among this write's events: Redis adds a RENAME/COPY/MOVE
  // target (deleting one that existed) before the other key's events.
  void ReportCreatedNow() {
    db_.Report(key_, nullptr, 0, 0, /*created=*/true);
    created_reported_ = true;
  }

  // Removes an emptied container and reports; later calls do nothing.
  void Commit();

 private:
  static constexpr size_t kMaxEvents = 4;
  Db& db_;
  std::string_view key_;
  int64_t now_ms_;
  Entry* e_;
  bool created_ = false;
  bool created_reported_ = false;
  bool committed_ = false;
  uint8_t num_events_ = 0;
  uint64_t changes_ = 0;
  KeyEvent events_[kMaxEvents];
};

template <typename Fn>
size_t Db::SampleKeys(bool volatile_only, size_t count, std::mt19937_64& rng, Fn&& fn) {
  const Table& keys = keys_;
  if (!volatile_only) {
    return keys_.SampleSome(rng, count, [&](Entry* e) {
      fn(*static_cast<const Entry*>(e), (e->flags & kHasExpire) ? GetExpire(e) : int64_t{-1});
    });
  }
  return expires_.SampleSome(rng, count, [&](Dict<int64_t>::Entry* x) {
    if (const Entry* e = keys.Find(x->key())) fn(*e, x->value);
  });
}

}  // namespace grabkv::storage
