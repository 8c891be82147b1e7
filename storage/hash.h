// Hash: the hash type (HSET/HGET... and the claims hashes of GRAB.*).
//
// Two encodings, named as Redis names them in OBJECT ENCODING:
//
// * "listpack": one packed byte buffer of field/value pairs in insertion
//   order. Each pair is [field length][value length][field][value], the
//   lengths as LEB128 varints (one byte each under 128 bytes): 2 bytes of
//   overhead per pair, against about 4 plus a 7-byte header in Redis's
//   listpack. Both lengths come first so that a lookup hops from pair to
//   pair with one dependent load per pair, not two. Lookups scan linearly;
//   for the <= 512 short pairs allowed by default that stays within a few
//   KB (about 2.5 ns per pair skipped, see bench/hash_bench.cc). Order
//   and in-place replacement match Redis's listpack, so HGETALL, HKEYS,
//   HSCAN and HRANDFIELD of a small hash reply in the same order as Redis.
// * "hashtable": a Dict<HashValue> keyed by field. The value sits inside the
//   dict entry when it is at most 15 bytes (no allocation of its own), so a
//   field of up to 19 bytes with a short value costs one 64-byte chunk plus
//   its bucket slot.
//
// A hash starts packed and converts to the table (once, never back, as in
// Redis) when a field or value longer than limits.max_listpack_value is
// written, or when it would hold more than limits.max_listpack_entries
// fields. The limits are passed per call because CONFIG SET may change them
// at any time, and this layer does not know the server's configuration.
//
// String views returned by reads stay valid until the next modification of
// this hash. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <optional>
#include <random>
#include <string_view>
#include <utility>

#include "storage/dict.h"
#include "storage/value.h"
#include "storage/varint.h"

namespace grabkv::storage {

// Redis's hash-max-listpack-entries / hash-max-listpack-value, with Redis
// 7.0's defaults (512 entries: zsets use 128, hashes do not).
struct HashLimits {
  size_t max_listpack_entries = 512;
  size_t max_listpack_value = 64;
};

// A 16-byte string for the table encoding: up to 15 bytes inline, longer
// ones in an exactly sized malloc block (no std::string header).
class HashValue {
 public:
  static constexpr size_t kInlineMax = 15;

  HashValue() { bytes_[kFlagByte] = 0; }
  ~HashValue() { Release(); }
  HashValue(const HashValue&) = delete;
  HashValue& operator=(const HashValue&) = delete;
  HashValue(HashValue&& o) noexcept {
    std::memcpy(bytes_, o.bytes_, sizeof(bytes_));
    o.bytes_[kFlagByte] = 0;
  }
  HashValue& operator=(HashValue&& o) noexcept {
    if (this != &o) {
      Release();
      std::memcpy(bytes_, o.bytes_, sizeof(bytes_));
      o.bytes_[kFlagByte] = 0;
    }
    return *this;
  }

  void Assign(std::string_view s);
  std::string_view view() const {
    if (!is_heap()) return {bytes_, static_cast<unsigned char>(bytes_[kFlagByte])};
    const char* p;
    uint32_t len;
    std::memcpy(&p, bytes_, sizeof(p));
    std::memcpy(&len, bytes_ + 8, sizeof(len));
    return {p, len};
  }
  // Bytes of the malloc chunk holding a long value (0 when inline).
  size_t HeapBytes() const;

 private:
  // Byte 15 holds the inline length (0..15) or kHeapFlag; a heap value keeps
  // its pointer in bytes 0..7 and its length in bytes 8..11.
  static constexpr size_t kFlagByte = 15;
  static constexpr unsigned char kHeapFlag = 0x80;
  bool is_heap() const { return static_cast<unsigned char>(bytes_[kFlagByte]) == kHeapFlag; }
  void Release();

  alignas(8) char bytes_[16];
};
static_assert(sizeof(HashValue) == 16);

class Hash final : public Container {
 public:
  using Table = Dict<HashValue>;
  using PairFn = std::function<void(std::string_view field, std::string_view value)>;

  Hash() = default;
  ~Hash() override;
  Hash(const Hash&) = delete;
  Hash& operator=(const Hash&) = delete;

  // --- Container ---
  ValueType type() const override { return ValueType::kHash; }
  const char* encoding() const override { return is_table_ ? "hashtable" : "listpack"; }
  std::unique_ptr<Container> Clone() const override;
  size_t MemoryUsage() const override;
  size_t Length() const override { return is_table_ ? table_->dict.size() : packed_count_; }

  bool is_listpack() const { return !is_table_; }

  // --- reads ---
  // The value of `field`, or nullopt.
  std::optional<std::string_view> Get(std::string_view field) const;
  bool Exists(std::string_view field) const { return Get(field).has_value(); }
  // Length of the value (HSTRLEN); 0 when the field is missing.
  size_t ValueLength(std::string_view field) const {
    auto v = Get(field);
    return v ? v->size() : 0;
  }

  // --- writes ---
  // Sets `field` to `value`; returns true when the field was created, false
  // when an existing value was replaced (in place: its position is kept).
  bool Set(std::string_view field, std::string_view value, const HashLimits& limits);
  // Creates `field` only when it is missing (HSETNX); returns whether it
  // did. An existing field leaves the hash untouched, encoding included.
  bool SetIfAbsent(std::string_view field, std::string_view value, const HashLimits& limits);
  // Removes `field`; returns whether it was there. Never converts back to
  // the packed encoding. The caller deletes the key when Length() becomes 0.
  bool Delete(std::string_view field);
  // Converts to the table encoding now (no-op when already there).
  void ConvertToTable();

  // --- iteration ---
  // Visits every pair: packed hashes in insertion order, tables in bucket
  // order. fn(field, value) must not modify the hash.
  template <typename Fn>
  void ForEach(Fn&& fn) const;

  // HSCAN: calls fn for the pairs of one scan step and returns the next
  // cursor (0 when done). A packed hash returns everything at once with
  // cursor 0, whatever the cursor (as Redis does). A table walks buckets as
  // Redis's dictScan does: until at least `count` pairs were visited, the
  // scan ends, or 10 * count buckets were visited; a pair present for the
  // whole scan is returned at least once across resizes. REQUIRES: count > 0.
  uint64_t Scan(uint64_t cursor, size_t count, const PairFn& fn);

  // A random pair. REQUIRES: Length() > 0.
  std::pair<std::string_view, std::string_view> Random(std::mt19937_64& rng);
  // HRANDFIELD with a count: `count` pairs, drawn with repetition
  // (distinct == false, random order) or without (distinct == true: at most
  // Length() pairs; when count >= Length() every pair in ForEach order; a
  // packed hash gives its sample in insertion order, as Redis does).
  void RandomPairs(size_t count, bool distinct, std::mt19937_64& rng, const PairFn& fn);

 private:
  struct TableRep {
    Table dict;
    size_t value_heap_bytes = 0;  // HashValue::HeapBytes of every value
  };
  // Packed layout helpers (hash.cc).
  struct PackedPos {
    size_t start;  // offset of the pair's header
    size_t end;    // offset just past the value
    std::string_view value;
  };
  static constexpr size_t kMaxPackedBytes = size_t{1} << 30;  // Redis's listpack safety limit

  bool PackedFind(std::string_view field, PackedPos* pos) const;
  void PackedAppend(std::string_view field, std::string_view value);
  void PackedReplace(const PackedPos& pos, std::string_view field, std::string_view value);
  void PackedErase(size_t from, size_t to);
  // Whether adding a pair of these sizes must convert first.
  bool SetImpl(std::string_view field, std::string_view value, const HashLimits& limits,
               bool only_if_absent);
  bool NeedsTableFor(std::string_view field, std::string_view value, const HashLimits& l) const;
  void TableSet(Table::Entry* e, std::string_view value);
  template <typename Fn>
  void PackedForEach(Fn&& fn) const;

  union {
    char* packed_ = nullptr;  // listpack: malloc'd, packed_bytes_ long
    TableRep* table_;         // hashtable
  };
  uint32_t packed_bytes_ = 0;
  uint32_t packed_count_ : 31 = 0;
  uint32_t is_table_ : 1 = 0;
};

// --- inline implementation ---

namespace hash_internal {
// Reads the varint length at p and advances p past it.
inline size_t ReadLength(const char*& p) {
  size_t n;
  const size_t len = GetVarint(p, &n);
  p += n;
  return len;
}
// Reads one pair at p and advances p past it.
inline void ReadPair(const char*& p, std::string_view* field, std::string_view* value) {
  size_t flen = static_cast<unsigned char>(p[0]);
  size_t vlen = static_cast<unsigned char>(p[1]);
  if (((flen | vlen) & 0x80) == 0) {
    p += 2;
  } else {  // a string of 128+ bytes: the general decoder
    flen = ReadLength(p);
    vlen = ReadLength(p);
  }
  *field = std::string_view(p, flen);
  *value = std::string_view(p + flen, vlen);
  p += flen + vlen;
}
}  // namespace hash_internal

template <typename Fn>
void Hash::PackedForEach(Fn&& fn) const {
  const char* p = packed_;
  for (uint32_t i = 0; i < packed_count_; ++i) {
    std::string_view f, v;
    hash_internal::ReadPair(p, &f, &v);
    fn(f, v);
  }
}

template <typename Fn>
void Hash::ForEach(Fn&& fn) const {
  if (!is_table_) {
    PackedForEach(fn);
    return;
  }
  const Table& t = table_->dict;
  t.ForEach([&fn](const Table::Entry* e) { fn(e->key(), e->value.view()); });
}

}  // namespace grabkv::storage
