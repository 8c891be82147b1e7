// LEB128 varints (7 bits a byte, low group first, high bit = more follow),
// the length prefix of the hash's packed pairs, of sorted-set listpack
// entries and of list chunk entries (which also end with the reverse form).
#pragma once

#include <cstddef>

namespace grabkv::storage {

// Bytes the varint of v takes.
inline size_t VarintLen(size_t v) {
  size_t n = 1;
  while (v >= 0x80) {
    v >>= 7;
    ++n;
  }
  return n;
}

// Writes the varint of v at p; returns the byte after it.
inline char* PutVarint(char* p, size_t v) {
  while (v >= 0x80) {
    *p++ = static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  *p++ = static_cast<char>(v);
  return p;
}

// Reads a varint whose groups are met at p, p + kStep, p + 2 * kStep...;
// *len receives the bytes it took.
template <int kStep>
inline size_t ReadVarintGroups(const char* p, size_t* len) {
  size_t v = 0;
  int shift = 0;
  size_t i = 0;
  unsigned char b;
  do {
    b = static_cast<unsigned char>(p[static_cast<ptrdiff_t>(i) * kStep]);
    ++i;
    v |= static_cast<size_t>(b & 0x7f) << shift;
    shift += 7;
  } while (b & 0x80);
  *len = i;
  return v;
}

// Reads the varint at p.
inline size_t GetVarint(const char* p, size_t* len) { return ReadVarintGroups<1>(p, len); }

// The same groups in reverse order, so that reading backwards from the end
// of an entry meets the low group first; returns the byte after them.
inline char* PutReverseVarint(char* p, size_t v) {
  const size_t n = VarintLen(v);
  for (size_t i = 0; i < n; ++i) {
    unsigned char b = static_cast<unsigned char>(v & 0x7f);
    v >>= 7;
    if (i + 1 < n) b |= 0x80;
    p[n - 1 - i] = static_cast<char>(b);
  }
  return p + n;
}

// Reads the reverse varint that ends just before `end`.
inline size_t GetReverseVarint(const char* end, size_t* len) {
  return ReadVarintGroups<-1>(end - 1, len);
}

}  // namespace grabkv::storage
