// Dict: a chained hash table keyed by byte strings, the building block of
// the keyspace (and later of hashes and sets).
//
// Why our own table: SCAN must keep Redis's guarantee (an element present for
// the whole scan is returned at least once while the table grows or shrinks),
// active expiry needs cheap random sampling, and a resize must not stall the
// loop. Power-of-two bucket arrays with a reverse-binary cursor and
// incremental rehashing (two tables while a rehash is in progress, a few
// buckets moved per operation) give all three.
//
// Sizing: grows (to twice the size) when an insert would push the load factor
// above 1, shrinks (to the smallest power of two >= size(), at least 4) when
// fewer than 1/8 of the buckets' worth of entries remain. Both resizes are
// incremental: every Find/Insert/Erase/Unlink/Random moves one bucket, and
// RehashStep lets a timer move more.
//
// Each entry is one allocation: header, value, then the key bytes inline
// (NUL-terminated, so key_data can be handed to C APIs; keys may hold NULs).
// The entry keeps a 32-bit hash of its key: a rehash never rehashes a key and
// a chain walk compares the hash before touching the key bytes. 32 bits (not
// 64) keeps the header at 16 bytes; with the 16-byte Value and keys up to 19
// bytes an entry fits a 64-byte malloc chunk. Tables are capped at 2^32
// buckets, far beyond what fits in memory.
//
// Keys are hashed with HashBytes (storage/siphash.h): SipHash-1-2 under a
// per-process random key, so a client cannot choose keys that share a chain.
//
// Entry pointers stay valid until that entry is erased (rehashing relinks
// entries, it never moves them).
//
// Not thread-safe. REQUIRES: V is default-constructible and movable.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <new>
#include <random>
#include <string_view>
#include <type_traits>
#include <utility>

#include "storage/siphash.h"

namespace grabkv::storage {

template <typename V>
class Dict {
 public:
  struct Entry {
    Entry* next;
    uint32_t hash;  // Dict::HashKey(key()): see the file comment
    uint32_t key_len;
    V value;
    // User bits, free for the owner (the keyspace keeps "has expiry" here).
    uint32_t flags;
    char key_data[1];  // key_len bytes + NUL follow (allocation is sized for them)

    std::string_view key() const { return {key_data, key_len}; }
  };

  Dict() = default;
  Dict(const Dict&) = delete;
  Dict& operator=(const Dict&) = delete;
  Dict(Dict&& other) noexcept;
  Dict& operator=(Dict&& other) noexcept;
  ~Dict();

  size_t size() const { return t_[0].used + t_[1].used; }
  bool empty() const { return size() == 0; }

  // The const overload does no rehash step (it cannot mutate).
  Entry* Find(std::string_view key);
  const Entry* Find(std::string_view key) const;
  // Finds `key` or inserts it with a default-constructed value and flags 0.
  // Returns the entry and whether it was inserted.
  std::pair<Entry*, bool> Insert(std::string_view key);
  // Erases and destroys; returns false when absent.
  bool Erase(std::string_view key);
  // Removes the entry from the table without destroying it; the caller owns
  // it and must pass it to FreeEntry (possibly on another thread). nullptr
  // when absent.
  Entry* Unlink(std::string_view key);
  // Destroys an entry returned by Unlink. Touches no Dict.
  static void FreeEntry(Entry* e);
  // Removes all entries and frees the bucket arrays.
  void Clear();
  // Moves all entries out into a new Dict (O(1)); this one becomes empty.
  // Destroying the result frees the entries, on whatever thread does it.
  Dict Take();

  // Redis dictScan semantics: calls fn for every entry of some buckets and
  // returns the next cursor (0 when the scan is complete). Guarantees that
  // every entry present from the start to the end of a full scan is visited
  // at least once, across resizes in between calls; an entry may be visited
  // more than once only when the table was resized during the scan.
  // fn must not insert or erase. Does no rehash step.
  uint64_t Scan(uint64_t cursor, const std::function<void(Entry*)>& fn);
  // HSCAN/SSCAN's walk (Redis scanGenericCommand): Scan calls until `count`
  // entries were visited, the scan completed, or 10 * count buckets passed.
  template <typename Fn>
  uint64_t ScanCount(uint64_t cursor, size_t count, Fn&& fn);

  // A random entry, each with the same chance (SPOP and SRANDMEMBER draw
  // prizes with it), except entries beyond the kFairChain-th of a chain,
  // which share that one's chance (rare at load factors up to 1). nullptr
  // when empty.
  Entry* Random(std::mt19937_64& rng);
  static constexpr size_t kFairChain = 4;
  // Up to `count` entries from random places of the table (chains of
  // consecutive buckets, starting afresh at a random bucket after a run of
  // empty ones; about 10 * count buckets looked at), for the eviction pool's
  // sampling (Redis's dictGetSomeKeys): cheaper than `count` Random calls and
  // as good for an approximation. Calls fn(Entry*) for each; may visit fewer
  // than `count`, but at least one when the table is not empty (a table
  // mid-rehash has long empty stretches: eviction must never conclude from
  // one unlucky sample that there is nothing to evict). fn must not insert
  // or erase.
  template <typename Fn>
  size_t SampleSome(std::mt19937_64& rng, size_t count, Fn&& fn);

  // Visits every entry; fn takes Entry* (or Entry&). fn must not insert or
  // erase.
  template <typename Fn>
  void ForEach(Fn&& fn);
  template <typename Fn>
  void ForEach(Fn&& fn) const;

  // Moves up to `buckets` non-empty buckets (visiting at most 10 empty ones
  // per bucket asked) of an in-progress rehash (the loop calls this from a
  // timer, like Redis's activerehashing). Returns true when a rehash is still
  // in progress afterwards: this one, or a resize that became due while it
  // ran and was started when it finished.
  bool RehashStep(size_t buckets);
  bool rehashing() const { return rehash_idx_ >= 0; }
  // Buckets in both tables (for tests and INFO).
  size_t bucket_count() const { return t_[0].size() + t_[1].size(); }
  // Length of the longest chain in either table (O(buckets); for tests of
  // the hash's spread).
  size_t LongestChain() const;

  // Bytes of bucket arrays plus entry allocations, the latter estimated with
  // glibc's chunk rounding. Excludes memory owned by the values themselves.
  size_t MemoryUsage() const;

  // The allocation of one entry holding a key of `key_len` bytes (estimated
  // like MemoryUsage), for MEMORY USAGE.
  static size_t EntryBytes(size_t key_len) { return ChunkEstimate(EntryAllocSize(key_len)); }
  // Bucket arrays plus entry headers, without key bytes and values (MEMORY
  // STATS overhead.hashtable.*).
  size_t OverheadBytes() const { return bucket_count() * sizeof(Entry*) + size() * KeyOffset(); }

  // The hash stored in Entry::hash for `key`.
  static uint32_t HashKey(std::string_view key) {
    const uint64_t h = HashBytes(key);
    return static_cast<uint32_t>(h ^ (h >> 32));
  }

 private:
  struct Table {
    Entry** buckets = nullptr;
    size_t mask = 0;  // size - 1; buckets == nullptr means size 0
    size_t used = 0;
    size_t size() const { return buckets ? mask + 1 : 0; }
  };
  static constexpr size_t kMinSize = 4;
  static constexpr size_t kMaxSize = size_t{1} << 32;  // the hash has 32 bits

  static constexpr size_t KeyOffset();
  // At least sizeof(Entry): the Entry object itself (trailing padding
  // included) must fit even for keys shorter than the padding.
  static constexpr size_t EntryAllocSize(size_t key_len) {
    return std::max(sizeof(Entry), KeyOffset() + key_len + 1);
  }
  static size_t ChunkEstimate(size_t n);
  static Table NewTable(size_t size);
  static void FreeChains(Table& t);
  static bool Matches(const Entry* e, std::string_view key, uint32_t h) {
    // (An empty view may have a null data(), which memcmp must not see.)
    return e->hash == h && e->key_len == key.size() &&
           (key.empty() || std::memcmp(e->key_data, key.data(), key.size()) == 0);
  }
  // Next cursor in reverse-binary order over the bits of `mask`.
  static uint64_t NextCursor(uint64_t v, uint64_t mask);

  Entry* NewEntry(std::string_view key, uint32_t h);
  Entry* Lookup(std::string_view key, uint32_t h) const;
  // Removes the matching entry from its chain; nullptr when absent.
  Entry* Detach(std::string_view key, uint32_t h);
  void StepIfRehashing() {
    if (rehashing()) RehashStep(1);
  }
  void GrowIfNeeded();
  void ShrinkIfNeeded();
  void StartResize(size_t new_size);
  Entry* BucketHead(size_t i) const;  // i over [0, t_[0].size() + t_[1].size())

  // While rehashing, t_[0] is the old table and t_[1] the new one; buckets of
  // t_[0] below rehash_idx_ are empty. Otherwise t_[1] is unallocated.
  Table t_[2];
  int64_t rehash_idx_ = -1;
  size_t entry_bytes_ = 0;  // ChunkEstimate of every entry in the tables
};

}  // namespace grabkv::storage

#include "storage/dict_inl.h"
