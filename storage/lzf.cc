#include "storage/lzf.h"

#include <cstdint>
#include <cstring>
#include <vector>

namespace grabkv::storage {

namespace {

constexpr size_t kMaxLiteral = 32;
constexpr size_t kMaxOffset = 1 << 13;  // back references reach 8192 bytes
constexpr size_t kMaxMatch = 264;       // 7 + 255 + 2
constexpr int kHashBits = 14;

inline uint32_t Hash3(const unsigned char* p) {
  uint32_t v = (uint32_t{p[0]} << 16) | (uint32_t{p[1]} << 8) | p[2];
  return (v * 2654435761u) >> (32 - kHashBits);
}

}  // namespace

size_t LzfCompress(const void* in_v, size_t n, void* out_v, size_t out_cap) {
  const auto* in = static_cast<const unsigned char*>(in_v);
  auto* out = static_cast<unsigned char*>(out_v);
  if (n == 0) return 0;
  // Positions + 1 of the last occurrence of each 3-byte hash (0 = none).
  std::vector<uint32_t> table(size_t{1} << kHashBits, 0);
  size_t op = 0;
  size_t lit_start = 0;  // first byte of the pending literal run
  size_t ip = 0;

  auto flush_literals = [&](size_t end) -> bool {
    while (lit_start < end) {
      size_t run = end - lit_start;
      if (run > kMaxLiteral) run = kMaxLiteral;
      if (op + 1 + run > out_cap) return false;
      out[op++] = static_cast<unsigned char>(run - 1);
      std::memcpy(out + op, in + lit_start, run);
      op += run;
      lit_start += run;
    }
    return true;
  };

  while (ip + 3 <= n) {
    uint32_t h = Hash3(in + ip);
    size_t ref = table[h];
    table[h] = static_cast<uint32_t>(ip + 1);
    if (ref != 0) {
      --ref;
      size_t dist = ip - ref;
      if (dist <= kMaxOffset && std::memcmp(in + ref, in + ip, 3) == 0) {
        size_t max_len = n - ip;
        if (max_len > kMaxMatch) max_len = kMaxMatch;
        size_t len = 3;
        while (len < max_len && in[ref + len] == in[ip + len]) ++len;
        if (!flush_literals(ip)) return 0;
        size_t l = len - 2;
        size_t off = dist - 1;
        if (op + 3 > out_cap) return 0;
        if (l < 7) {
          out[op++] = static_cast<unsigned char>((l << 5) | (off >> 8));
        } else {
          out[op++] = static_cast<unsigned char>((7 << 5) | (off >> 8));
          out[op++] = static_cast<unsigned char>(l - 7);
        }
        out[op++] = static_cast<unsigned char>(off & 0xff);
        // Remember the positions inside the match too (better ratio on
        // repetitive data), as far as three bytes remain.
        size_t end = ip + len;
        for (size_t k = ip + 1; k < end && k + 3 <= n; ++k) {
          table[Hash3(in + k)] = static_cast<uint32_t>(k + 1);
        }
        ip = end;
        lit_start = ip;
        continue;
      }
    }
    ++ip;
  }
  if (!flush_literals(n)) return 0;
  return op;
}

bool LzfDecompress(const void* in_v, size_t n, void* out_v, size_t out_len) {
  const auto* in = static_cast<const unsigned char*>(in_v);
  auto* out = static_cast<unsigned char*>(out_v);
  size_t ip = 0, op = 0;
  while (ip < n) {
    unsigned ctrl = in[ip++];
    if (ctrl < 32) {
      size_t run = ctrl + 1;
      if (ip + run > n || op + run > out_len) return false;
      std::memcpy(out + op, in + ip, run);
      ip += run;
      op += run;
      continue;
    }
    size_t len = ctrl >> 5;
    if (len == 7) {
      if (ip >= n) return false;
      len += in[ip++];
    }
    if (ip >= n) return false;
    size_t dist = ((size_t{ctrl} & 0x1f) << 8) + in[ip++] + 1;
    len += 2;
    if (dist > op || op + len > out_len) return false;
    // Byte by byte: the source may overlap what is being written.
    const unsigned char* ref = out + op - dist;
    for (size_t k = 0; k < len; ++k) out[op + k] = ref[k];
    op += len;
  }
  return op == out_len;
}

}  // namespace grabkv::storage
