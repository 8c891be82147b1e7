// Heap helpers shared by the storage encodings that manage their own
// buffers (hash and set packed forms, the sorted-set listpack).
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdlib>
#include <new>

namespace grabkv::storage {

// glibc on 64-bit: 8 bytes of header, 16-byte granularity, 32 minimum (the
// same estimate Dict uses for its entries) of a malloc of n > 0 bytes.
inline size_t ChunkEstimate(size_t n) {
  return std::max<size_t>(32, (n + 8 + 15) & ~size_t{15});
}

// realloc that reports failure like operator new; size 0 frees.
inline char* Resize(char* p, size_t n) {
  if (n == 0) {
    std::free(p);
    return nullptr;
  }
  char* q = static_cast<char*>(std::realloc(p, n));
  if (q == nullptr) throw std::bad_alloc();
  return q;
}

}  // namespace grabkv::storage
