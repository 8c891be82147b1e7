// Bit routines over string bytes (bitmaps and BITFIELD integers), the way
// Redis numbers bits: bit 0 is the most significant bit of byte 0.
//
// Pure data operations: no keyspace, no replies. The bitmap command family
// (server/commands/bitmap_family.cc) parses arguments and calls these on a
// string value in place. Counting, searching and combining go a 64-bit
// word at a time.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>

namespace grabkv::storage::bits {

// Number of set bits in n bytes.
uint64_t Popcount(const unsigned char* p, size_t n);

// Set bits in the bit range [first, last] of s.
// REQUIRES: first <= last < s.size() * 8.
uint64_t CountRange(std::string_view s, uint64_t first, uint64_t last);

// Position of the first bit equal to `bit` in [first, last], or -1.
// REQUIRES: last < s.size() * 8 (first > last finds nothing).
int64_t FindBit(std::string_view s, bool bit, uint64_t first, uint64_t last);

// Bit `offset` of s; bits past the end read as 0.
inline bool GetBit(std::string_view s, uint64_t offset) {
  const uint64_t byte = offset >> 3;
  if (byte >= s.size()) return false;
  return (static_cast<unsigned char>(s[byte]) >> (7 - (offset & 7))) & 1;
}

// Sets bit `offset` to `on`; returns the previous bit.
// REQUIRES: offset < size * 8.
inline bool SetBit(unsigned char* p, uint64_t offset, bool on) {
  unsigned char& b = p[offset >> 3];
  const unsigned char mask = static_cast<unsigned char>(1u << (7 - (offset & 7)));
  const bool old = (b & mask) != 0;
  b = on ? (b | mask) : (b & ~mask);
  return old;
}

enum class BitOp { kAnd, kOr, kXor, kNot };

// BITOP: the result is as long as the longest source; shorter sources (and
// missing keys, given as empty views) are padded with zero bytes. kNot
// takes exactly one source.
std::string Combine(BitOp op, std::span<const std::string_view> srcs);

// The `bits`-wide unsigned integer at bit `offset` (big-endian bit order);
// bits past the end of s read as 0. REQUIRES: 1 <= bits <= 64.
uint64_t GetField(std::string_view s, uint64_t offset, unsigned bits);
// Writes the low `bits` bits of v at bit `offset`.
// REQUIRES: (offset + bits) <= size * 8, 1 <= bits <= 64.
void SetField(unsigned char* p, uint64_t offset, unsigned bits, uint64_t v);
// Sign-extends the low `bits` bits of v.
int64_t SignExtend(uint64_t v, unsigned bits);

// What BITFIELD does when a SET or INCRBY leaves the type's range.
enum class Overflow { kWrap, kSat, kFail };

// Whether value + incr fits a `bits`-wide unsigned (bits <= 63) or signed
// (bits <= 64) integer: 0 if it does, 1 above the range, -1 below. On
// overflow *limit holds the wrapped (kWrap) or saturated (kSat) result.
// An unsigned `value` above the range (a negative SET value seen as
// unsigned) overflows upwards, as in Redis.
int CheckUnsignedOverflow(uint64_t value, int64_t incr, unsigned bits, Overflow how,
                          uint64_t* limit);
int CheckSignedOverflow(int64_t value, int64_t incr, unsigned bits, Overflow how,
                        int64_t* limit);

}  // namespace grabkv::storage::bits
