// Template implementation of Dict; included only from storage/dict.h.
#pragma once

#include <algorithm>
#include <bit>
#include <cassert>
#include <cstdlib>

#include "storage/dict.h"

namespace grabkv::storage {

template <typename V>
constexpr size_t Dict<V>::KeyOffset() {
  // Entry is not standard-layout when V is not, but it has no virtual bases,
  // which is all GCC and Clang need for offsetof.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Winvalid-offsetof"
  return offsetof(Entry, key_data);
#pragma GCC diagnostic pop
}

template <typename V>
size_t Dict<V>::ChunkEstimate(size_t n) {
  // glibc on 64-bit: 8 bytes of header, 16-byte granularity, 32 minimum.
  return std::max<size_t>(32, (n + 8 + 15) & ~size_t{15});
}

template <typename V>
Dict<V>::Dict(Dict&& other) noexcept
    : rehash_idx_(other.rehash_idx_), entry_bytes_(other.entry_bytes_) {
  t_[0] = other.t_[0];
  t_[1] = other.t_[1];
  other.t_[0] = Table{};
  other.t_[1] = Table{};
  other.rehash_idx_ = -1;
  other.entry_bytes_ = 0;
}

template <typename V>
Dict<V>& Dict<V>::operator=(Dict&& other) noexcept {
  if (this != &other) {
    Clear();
    std::swap(t_, other.t_);
    std::swap(rehash_idx_, other.rehash_idx_);
    std::swap(entry_bytes_, other.entry_bytes_);
  }
  return *this;
}

template <typename V>
Dict<V>::~Dict() {
  Clear();
}

template <typename V>
typename Dict<V>::Table Dict<V>::NewTable(size_t size) {
  Table t;
  // calloc: a big array comes straight from mmap as zero pages, so growing a
  // large table does not pay for writing zeros up front.
  t.buckets = static_cast<Entry**>(std::calloc(size, sizeof(Entry*)));
  if (t.buckets == nullptr) throw std::bad_alloc();
  t.mask = size - 1;
  t.used = 0;
  return t;
}

template <typename V>
void Dict<V>::FreeChains(Table& t) {
  for (size_t i = 0; i < t.size() && t.used > 0; ++i) {
    Entry* e = t.buckets[i];
    while (e != nullptr) {
      Entry* next = e->next;
      FreeEntry(e);
      --t.used;
      e = next;
    }
  }
  std::free(t.buckets);
  t = Table{};
}

template <typename V>
void Dict<V>::Clear() {
  FreeChains(t_[0]);
  FreeChains(t_[1]);
  rehash_idx_ = -1;
  entry_bytes_ = 0;
}

template <typename V>
Dict<V> Dict<V>::Take() {
  return Dict(std::move(*this));
}

template <typename V>
typename Dict<V>::Entry* Dict<V>::NewEntry(std::string_view key, uint32_t h) {
  assert(key.size() <= UINT32_MAX);
  const size_t n = EntryAllocSize(key.size());
  void* mem = ::operator new(n);
  // Value-initialized: scalar V (int64_t for expiries) starts at 0 too.
  Entry* e = new (mem) Entry();
  e->next = nullptr;
  e->hash = h;
  e->key_len = static_cast<uint32_t>(key.size());
  e->flags = 0;
  // Through a plain pointer: key_data is declared with one element.
  char* dst = static_cast<char*>(mem) + KeyOffset();
  if (!key.empty()) std::memcpy(dst, key.data(), key.size());
  dst[key.size()] = '\0';
  entry_bytes_ += ChunkEstimate(n);
  return e;
}

template <typename V>
void Dict<V>::FreeEntry(Entry* e) {
  e->~Entry();
  ::operator delete(static_cast<void*>(e));
}

template <typename V>
typename Dict<V>::Entry* Dict<V>::Lookup(std::string_view key, uint32_t h) const {
  for (int i = 0; i < 2; ++i) {
    const Table& t = t_[i];
    if (t.used == 0) continue;  // also covers an unallocated table
    for (Entry* e = t.buckets[h & t.mask]; e != nullptr; e = e->next) {
      if (Matches(e, key, h)) return e;
    }
  }
  return nullptr;
}

template <typename V>
typename Dict<V>::Entry* Dict<V>::Detach(std::string_view key, uint32_t h) {
  for (int i = 0; i < 2; ++i) {
    Table& t = t_[i];
    if (t.used == 0) continue;
    for (Entry** link = &t.buckets[h & t.mask]; *link != nullptr; link = &(*link)->next) {
      Entry* e = *link;
      if (Matches(e, key, h)) {
        *link = e->next;
        e->next = nullptr;
        --t.used;
        entry_bytes_ -= ChunkEstimate(EntryAllocSize(e->key_len));
        return e;
      }
    }
  }
  return nullptr;
}

template <typename V>
typename Dict<V>::Entry* Dict<V>::Find(std::string_view key) {
  StepIfRehashing();
  return Lookup(key, HashKey(key));
}

template <typename V>
const typename Dict<V>::Entry* Dict<V>::Find(std::string_view key) const {
  return Lookup(key, HashKey(key));
}

template <typename V>
std::pair<typename Dict<V>::Entry*, bool> Dict<V>::Insert(std::string_view key) {
  StepIfRehashing();
  const uint32_t h = HashKey(key);
  if (Entry* e = Lookup(key, h)) return {e, false};
  GrowIfNeeded();
  // New entries go to the new table while rehashing, so the old one only
  // ever drains.
  Table& t = rehashing() ? t_[1] : t_[0];
  Entry* e = NewEntry(key, h);
  Entry*& head = t.buckets[h & t.mask];
  e->next = head;
  head = e;
  ++t.used;
  return {e, true};
}

template <typename V>
typename Dict<V>::Entry* Dict<V>::Unlink(std::string_view key) {
  StepIfRehashing();
  Entry* e = Detach(key, HashKey(key));
  if (e != nullptr) ShrinkIfNeeded();
  return e;
}

template <typename V>
bool Dict<V>::Erase(std::string_view key) {
  Entry* e = Unlink(key);
  if (e == nullptr) return false;
  FreeEntry(e);
  return true;
}

template <typename V>
void Dict<V>::GrowIfNeeded() {
  // One resize at a time: a grow wanted during a (shrinking) rehash waits for
  // it to finish; the new table just runs above load 1 for a while.
  if (rehashing()) return;
  Table& t = t_[0];
  if (t.buckets == nullptr) {
    t = NewTable(kMinSize);
    return;
  }
  if (t.used >= t.size() && t.size() < kMaxSize) StartResize(t.size() * 2);
}

template <typename V>
void Dict<V>::ShrinkIfNeeded() {
  if (rehashing()) return;
  const size_t size = t_[0].size();
  // 1/8 rather than Redis's 1/10 so that the threshold is a shift; either
  // leaves a wide gap to the grow threshold, so a key count that wobbles
  // around one value never makes the table flap.
  if (size > kMinSize && t_[0].used < size / 8) {
    StartResize(std::max(kMinSize, std::bit_ceil(t_[0].used)));
  }
}

template <typename V>
void Dict<V>::StartResize(size_t new_size) {
  Table t = NewTable(new_size);
  if (t_[0].used == 0) {
    // Nothing to move: switch at once.
    std::free(t_[0].buckets);
    t_[0] = t;
    return;
  }
  t_[1] = t;
  rehash_idx_ = 0;
}

template <typename V>
bool Dict<V>::RehashStep(size_t buckets) {
  if (!rehashing()) return false;
  Table& from = t_[0];
  Table& to = t_[1];
  size_t idx = static_cast<size_t>(rehash_idx_);
  // Bound the work on a sparse old table (after a shrink was triggered).
  size_t empty_visits = buckets > SIZE_MAX / 10 ? SIZE_MAX : buckets * 10;
  while (buckets > 0 && from.used > 0) {
    // from.used > 0 guarantees a non-empty bucket at or after idx.
    while (from.buckets[idx] == nullptr) {
      ++idx;
      if (--empty_visits == 0) {
        rehash_idx_ = static_cast<int64_t>(idx);
        return true;
      }
    }
    Entry* e = from.buckets[idx];
    from.buckets[idx] = nullptr;
    while (e != nullptr) {
      Entry* next = e->next;
      Entry*& head = to.buckets[e->hash & to.mask];
      e->next = head;
      head = e;
      --from.used;
      ++to.used;
      e = next;
    }
    ++idx;
    --buckets;
  }
  if (from.used > 0) {
    rehash_idx_ = static_cast<int64_t>(idx);
    return true;
  }
  std::free(from.buckets);
  from = to;
  to = Table{};
  rehash_idx_ = -1;
  // Resizes wanted while this one ran were put off (one at a time): start
  // them now rather than on the next Insert/Erase, which may never come.
  if (t_[0].used > t_[0].size() && t_[0].size() < kMaxSize) {
    StartResize(std::bit_ceil(t_[0].used));
  } else {
    ShrinkIfNeeded();
  }
  return rehashing();
}

template <typename V>
uint64_t Dict<V>::NextCursor(uint64_t v, uint64_t mask) {
  // Counting with the bit order reversed: the lowest counter bit is the
  // highest mask bit. So find the highest zero bit of v under the mask, set
  // it and clear everything above it (including bits outside the mask, which
  // is what lets a cursor from a larger table continue on a smaller one).
  const uint64_t zeros = ~v & mask;
  if (zeros == 0) return 0;  // every bucket done
  const uint64_t bit = uint64_t{1} << (63 - std::countl_zero(zeros));
  return (v & (bit - 1)) | bit;
}

template <typename V>
template <typename Fn>
uint64_t Dict<V>::ScanCount(uint64_t cursor, size_t count, Fn&& fn) {
  size_t visited = 0;
  size_t max_iterations = count > SIZE_MAX / 10 ? SIZE_MAX : count * 10;
  do {
    cursor = Scan(cursor, [&](Entry* e) {
      fn(e);
      ++visited;
    });
  } while (cursor != 0 && max_iterations-- > 0 && visited < count);
  return cursor;
}

template <typename V>
uint64_t Dict<V>::Scan(uint64_t cursor, const std::function<void(Entry*)>& fn) {
  if (t_[0].size() == 0) return 0;
  auto visit = [&fn](Entry* e) {
    while (e != nullptr) {
      Entry* next = e->next;
      fn(e);
      e = next;
    }
  };
  if (!rehashing()) {
    visit(t_[0].buckets[cursor & t_[0].mask]);
    return NextCursor(cursor, t_[0].mask);
  }
  // Both tables hold entries. Bucket b of the smaller table (mask ms)
  // corresponds to the buckets of the larger one whose low bits equal b;
  // in reverse-binary order those are consecutive cursors that differ only
  // in the bits between the two masks. Visit them all in one call so the
  // cursor returned is again a boundary of the smaller table, valid for
  // whichever table survives the rehash.
  const Table* small = &t_[0];
  const Table* large = &t_[1];
  if (small->mask > large->mask) std::swap(small, large);
  visit(small->buckets[cursor & small->mask]);
  const uint64_t extra_bits = small->mask ^ large->mask;
  do {
    visit(large->buckets[cursor & large->mask]);
    cursor = NextCursor(cursor, large->mask);
  } while ((cursor & extra_bits) != 0);
  return cursor;
}

template <typename V>
typename Dict<V>::Entry* Dict<V>::BucketHead(size_t i) const {
  const size_t s0 = t_[0].size();
  return i < s0 ? t_[0].buckets[i] : t_[1].buckets[i - s0];
}

template <typename V>
template <typename Fn>
size_t Dict<V>::SampleSome(std::mt19937_64& rng, size_t count, Fn&& fn) {
  if (empty() || count == 0) return 0;
  StepIfRehashing();
  const size_t lo = rehashing() ? static_cast<size_t>(rehash_idx_) : 0;
  const size_t n = bucket_count() - lo;
  size_t i = rng() % n;
  size_t seen = 0;
  // Visits bucket i's chain (up to count in all) and moves i on; true when
  // the bucket was empty.
  auto visit = [&] {
    Entry* e = BucketHead(lo + i);
    i = (i + 1 == n) ? 0 : i + 1;
    for (Entry* x = e; x != nullptr && seen < count; x = x->next) {
      fn(x);
      ++seen;
    }
    return e == nullptr;
  };
  size_t empty_run = 0;
  for (size_t steps = 0; steps < n && steps < count * 10 && seen < count; ++steps) {
    // A sparse stretch (the new table's unfilled half while rehashing):
    // look elsewhere rather than walk it.
    empty_run = visit() ? empty_run + 1 : 0;
    if (empty_run >= 5 && empty_run > count) {
      i = rng() % n;
      empty_run = 0;
    }
  }
  // Still nothing (rare): walk on to the next non-empty bucket, which exists.
  for (size_t steps = 0; seen == 0 && steps < n; ++steps) visit();
  return seen;
}

template <typename V>
typename Dict<V>::Entry* Dict<V>::Random(std::mt19937_64& rng) {
  if (empty()) return nullptr;
  StepIfRehashing();
  // Buckets of the old table below rehash_idx_ are known empty: skip them.
  const size_t lo = rehashing() ? static_cast<size_t>(rehash_idx_) : 0;
  const size_t n = bucket_count() - lo;
  // Draw a bucket and a slot below kFairChain; a slot past the end of its
  // chain is a miss and we draw again. Each entry among the first
  // kFairChain of its chain then has the same chance per draw, whatever its
  // chain's length (a random bucket and then a random entry of its chain
  // would favour entries alone in their bucket over ones that share it). The
  // rare entries further down a longer chain share the last slot. At the
  // usual load factors (1/8..1) a draw succeeds with probability
  // load/kFairChain.
  for (int tries = 0; tries < 512; ++tries) {
    Entry* e = BucketHead(lo + rng() % n);
    if (e == nullptr) continue;
    const size_t slot = rng() % kFairChain;
    size_t k = slot;
    for (; k > 0 && e->next != nullptr; --k) e = e->next;
    if (k > 0) continue;  // the chain is shorter than the slot
    if (slot == kFairChain - 1 && e->next != nullptr) {
      // The last slot of a chain longer than kFairChain: the entries from
      // here on share it.
      size_t rest = 0;
      for (Entry* x = e; x != nullptr; x = x->next) ++rest;
      for (size_t pick = rng() % rest; pick > 0; --pick) e = e->next;
    }
    return e;
  }
  // A table drained far below its size (a shrink not yet done): walk from a
  // random start instead of drawing without bound (slightly biased).
  size_t i = rng() % n;
  Entry* head;
  while ((head = BucketHead(lo + i)) == nullptr) i = (i + 1 == n) ? 0 : i + 1;
  size_t len = 0;
  for (Entry* e = head; e != nullptr; e = e->next) ++len;
  size_t pick = rng() % len;
  Entry* e = head;
  while (pick-- > 0) e = e->next;
  return e;
}

template <typename V>
template <typename Fn>
void Dict<V>::ForEach(Fn&& fn) {
  for (Table& t : t_) {
    if (t.used == 0) continue;
    for (size_t i = 0; i < t.size(); ++i) {
      for (Entry* e = t.buckets[i]; e != nullptr;) {
        Entry* next = e->next;
        if constexpr (std::is_invocable_v<Fn&, Entry*>) {
          fn(e);
        } else {
          fn(*e);
        }
        e = next;
      }
    }
  }
}

template <typename V>
template <typename Fn>
void Dict<V>::ForEach(Fn&& fn) const {
  for (const Table& t : t_) {
    if (t.used == 0) continue;
    for (size_t i = 0; i < t.size(); ++i) {
      for (const Entry* e = t.buckets[i]; e != nullptr; e = e->next) {
        if constexpr (std::is_invocable_v<Fn&, const Entry*>) {
          fn(e);
        } else {
          fn(*e);
        }
      }
    }
  }
}

template <typename V>
size_t Dict<V>::MemoryUsage() const {
  return bucket_count() * sizeof(Entry*) + entry_bytes_;
}

template <typename V>
size_t Dict<V>::LongestChain() const {
  size_t longest = 0;
  for (const Table& t : t_) {
    for (size_t i = 0; i < t.size(); ++i) {
      size_t n = 0;
      for (const Entry* e = t.buckets[i]; e != nullptr; e = e->next) ++n;
      longest = std::max(longest, n);
    }
  }
  return longest;
}

}  // namespace grabkv::storage
