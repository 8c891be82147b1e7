// Set: the set type (SADD/SPOP/SINTER... and the "who already grabbed" sets
// of GRAB.*). Members are byte strings.
//
// Two encodings, named as Redis 7.0 names them in OBJECT ENCODING:
//
// * "intset": every member is a canonical integer (Redis string2ll rules:
//   "01", "-0", "+1" are NOT integers) and there are at most
//   limits.max_intset_entries of them. A sorted packed array of 16-, 32- or
//   64-bit integers, all of one width: the width grows (never shrinks) to
//   the narrowest one that holds every value added so far, as Redis's
//   intset does. 1M small integers would cost 2 MB, and iteration is in
//   ascending numeric order, the order Redis replies in.
// * "hashtable": a Dict with an empty value, keyed by the member. One
//   allocation per member (the member bytes live inside the entry) plus a
//   bucket slot.
//
// A set starts as an intset or a table (Create picks like Redis's
// setTypeCreate, from the first member) and converts to the table once, never
// back, when a non-integer member is added or it grows past
// limits.max_intset_entries. The limits are passed per call because CONFIG SET
// may change them at any time.
//
// Intset members have no bytes of their own: reads that hand out a member
// format it into a caller-provided MemberBuf (or std::string). Views of table
// members stay valid until that member is removed. Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <string>
#include <string_view>

#include "storage/dict.h"
#include "storage/value.h"

namespace grabkv::storage {

// Redis's set-max-intset-entries.
struct SetLimits {
  size_t max_intset_entries = 512;
};

class Set final : public Container {
 public:
  enum class Encoding : uint8_t { kIntset, kHashtable };
  // Room for the decimal form of any int64 ("-9223372036854775808": 20).
  struct MemberBuf {
    char data[24];
  };
  using MemberFn = std::function<void(std::string_view member)>;

  explicit Set(Encoding enc = Encoding::kIntset);
  ~Set() override;
  Set(const Set&) = delete;
  Set& operator=(const Set&) = delete;

  // Redis setTypeCreate: an intset when `first_member` (the member about to be
  // added) is an integer, else a table.
  static std::unique_ptr<Set> CreateFor(std::string_view first_member);

  // --- Container ---
  ValueType type() const override { return ValueType::kSet; }
  const char* encoding() const override { return is_table_ ? "hashtable" : "intset"; }
  std::unique_ptr<Container> Clone() const override;
  size_t MemoryUsage() const override;
  size_t Length() const override { return is_table_ ? table_->size() : int_count_; }

  bool is_intset() const { return !is_table_; }

  // --- writes ---
  // Adds `member`; returns false when it was already there.
  bool Add(std::string_view member, const SetLimits& limits);
  // Removes `member`; returns whether it was there. Never converts back to
  // an intset. The caller deletes the key when Length() becomes 0.
  bool Remove(std::string_view member);
  // Converts to the table encoding now (no-op when already there).
  void ConvertToTable();

  // --- reads ---
  bool Contains(std::string_view member) const;

  // Visits every member: an intset in ascending order, a table in bucket
  // order. fn(std::string_view) must not modify the set; the view is valid
  // only during the call.
  template <typename Fn>
  void ForEach(Fn&& fn) const;
  // Like ForEach, but stops as soon as fn returns false (SINTERCARD's
  // LIMIT). Same order as ForEach for an intset; a table is walked in scan
  // order. Returns false when it stopped early.
  bool ForEachWhile(const std::function<bool(std::string_view member)>& fn) const;

  // SSCAN: calls fn for the members of one scan step and returns the next
  // cursor (0 when done). An intset returns everything at once with cursor
  // 0, whatever the cursor (as Redis does). A table walks buckets as Redis's
  // dictScan does: until at least `count` members were visited, the scan
  // ends, or 10 * count buckets were visited; a member present for the whole
  // scan is returned at least once across resizes. REQUIRES: count > 0.
  uint64_t Scan(uint64_t cursor, size_t count, const MemberFn& fn);

  // A random member (SRANDMEMBER, SPOP). An intset member is formatted into
  // *buf. REQUIRES: Length() > 0.
  std::string_view Random(std::mt19937_64& rng, MemberBuf* buf);
  // Removes a random member and stores it in *out. REQUIRES: Length() > 0.
  void PopRandom(std::mt19937_64& rng, std::string* out);
  // SRANDMEMBER with a count: `count` members drawn with repetition
  // (distinct == false) or without (distinct == true: min(count, Length())
  // members; when count >= Length() every member in ForEach order, as Redis
  // replies the whole set).
  void RandomMembers(size_t count, bool distinct, std::mt19937_64& rng, const MemberFn& fn);

 private:
  // The table's value: nothing. (Dict entries keep a few bytes of padding
  // after the 16-byte header anyway, so this costs no space.)
  struct Empty {};
  using Table = Dict<Empty>;

  // Intset helpers (set.cc).
  static int64_t ReadInt(const char* p, uint8_t width);
  static void WriteInt(char* p, uint8_t width, int64_t v);
  int64_t IntAt(size_t i) const;
  void SetIntAt(size_t i, int64_t v) { WriteInt(ints_ + i * width_, width_, v); }
  // Index of v, or of where it would be inserted; *found says which.
  size_t IntSearch(int64_t v, bool* found) const;
  bool IntAdd(int64_t v);
  bool IntRemove(int64_t v);
  void IntUpgradeAndAdd(int64_t v, uint8_t new_width);
  static uint8_t WidthFor(int64_t v);
  static std::string_view FormatInt(int64_t v, MemberBuf* buf);

  union {
    char* ints_ = nullptr;  // intset: malloc'd, int_count_ * width_ bytes
    Table* table_;          // hashtable
  };
  uint32_t int_count_ = 0;
  uint8_t width_ = 2;  // bytes per intset element: 2, 4 or 8
  bool is_table_ = false;
};

// --- inline implementation ---

inline int64_t Set::ReadInt(const char* p, uint8_t width) {
  // memcpy: the buffer has no alignment guarantee for the element type, and
  // this compiles to one plain load anyway.
  switch (width) {
    case 2: {
      int16_t v;
      std::memcpy(&v, p, 2);
      return v;
    }
    case 4: {
      int32_t v;
      std::memcpy(&v, p, 4);
      return v;
    }
    default: {
      int64_t v;
      std::memcpy(&v, p, 8);
      return v;
    }
  }
}

inline int64_t Set::IntAt(size_t i) const { return ReadInt(ints_ + i * width_, width_); }

template <typename Fn>
void Set::ForEach(Fn&& fn) const {
  if (is_table_) {
    table_->ForEach([&fn](const Table::Entry* e) { fn(e->key()); });
    return;
  }
  MemberBuf buf;
  for (uint32_t i = 0; i < int_count_; ++i) fn(FormatInt(IntAt(i), &buf));
}

}  // namespace grabkv::storage
