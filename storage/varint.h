// LEB128 varints (7 bits a byte, low group first, high bit = more follow),
// the length prefix of the hash's packed pairs and of sorted-set listpack
// entries.
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

}  // namespace grabkv::storage
