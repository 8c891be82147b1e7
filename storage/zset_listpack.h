// ZListpack: the compact encoding of small sorted sets (OBJECT ENCODING
// "listpack", after the Redis structure it stands in for).
//
// One malloc'd buffer of entries sorted by (score, member), each
//
//   [member length, LEB128] [member bytes] [score] [size of the entry so
//   far, LEB128 written back to front]
//
// The score is a varint when it is a small integer (1 to 3 bytes for the
// amounts and counters sorted sets usually hold), else a tag byte and the
// 8-byte double. The trailing size lets iteration run backwards (ZREVRANGE,
// ZPOPMAX) without an index. A member of up to ~120 bytes with an integral
// score costs 3 to 5 bytes of overhead, with any other score 11; a sorted
// set of 128 short members fits in one ~2 KB allocation instead of 128
// dictionary entries and tree slots.
//
// Lookups by member and by rank are linear, inserts and erases move the tail
// of the buffer: fine for the small sizes this encoding is used for (Redis's
// listpack has the same costs). The buffer is sized exactly, as Redis's is.
//
// Positions are byte offsets of entries, valid until the next modification.
// Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>

namespace grabkv::storage {

class ZListpack {
 public:
  static constexpr size_t kNpos = SIZE_MAX;

  ZListpack() = default;
  ZListpack(const ZListpack& o);
  ZListpack& operator=(const ZListpack&) = delete;
  ZListpack(ZListpack&& o) noexcept;
  ZListpack& operator=(ZListpack&& o) noexcept;
  ~ZListpack();

  size_t size() const { return count_; }
  bool empty() const { return count_ == 0; }
  // Bytes of entries, and of the allocation (glibc chunk estimate).
  size_t bytes() const { return used_; }
  size_t MemoryUsage() const;

  size_t First() const { return count_ > 0 ? 0 : kNpos; }
  size_t Last() const { return count_ > 0 ? Prev(used_) : kNpos; }
  // kNpos past either end.
  size_t Next(size_t pos) const;
  size_t Prev(size_t pos) const;
  std::string_view Member(size_t pos) const;
  double Score(size_t pos) const;

  // The entry of `member` (kNpos when absent); *rank gets its rank.
  size_t Find(std::string_view member, size_t* rank = nullptr) const;
  // The entry at `rank`. REQUIRES: rank < size().
  size_t AtRank(size_t rank) const;
  // Inserts at its place in (score, member) order. REQUIRES: member absent.
  void Insert(double score, std::string_view member);
  // Appends. REQUIRES: (score, member) sorts after every entry (conversions).
  void Append(double score, std::string_view member);
  // Erases `count` entries from `pos` on.
  void Erase(size_t pos, size_t count = 1);

 private:
  // Reads the entry at pos: member bytes and the entry's total size.
  void Decode(size_t pos, std::string_view* member, size_t* entry_size) const;
  // Makes room for `n` bytes at `pos` (shifting the tail), returns a
  // pointer to them.
  char* OpenGap(size_t pos, size_t n);
  void WriteEntry(char* at, double score, std::string_view member);

  char* data_ = nullptr;
  uint32_t used_ = 0;
  uint32_t count_ = 0;
};

// Three-way comparison of members as Redis compares them (memcmp, then the
// shorter first).
inline int CompareMembers(std::string_view a, std::string_view b) {
  const int c = a.compare(b);  // char_traits<char>: unsigned bytes, like memcmp
  return c < 0 ? -1 : (c > 0 ? 1 : 0);
}

}  // namespace grabkv::storage
