#include "storage/dict.h"

#include <cstdint>
#include <cstring>

namespace grabkv::storage {
namespace {

// Odd 64-bit constants with well-spread bits (golden ratio and SplitMix64's
// multipliers).
constexpr uint64_t kK0 = 0x9e3779b97f4a7c15ull;
constexpr uint64_t kK1 = 0xbf58476d1ce4e5b9ull;
constexpr uint64_t kK2 = 0x94d049bb133111ebull;

// Its address differs from run to run (ASLR), which seeds the hash per
// process for free: chains cannot be flooded with keys precomputed offline,
// and reading the seed costs one address computation, not a guarded static.
const char seed_anchor = 0;

inline uint64_t Seed() {
  return reinterpret_cast<uintptr_t>(&seed_anchor) * kK0;
}

// 64x64 -> 128-bit multiply folded back to 64 bits: every output bit depends
// on every input bit of both operands, in ~4 cycles.
inline uint64_t Fold(uint64_t a, uint64_t b) {
  const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}

inline uint64_t Load64(const unsigned char* p) {
  uint64_t v;
  std::memcpy(&v, p, 8);
  return v;
}

inline uint64_t Load32(const unsigned char* p) {
  uint32_t v;
  std::memcpy(&v, p, 4);
  return v;
}

}  // namespace

// Keys are mostly short (redis-benchmark's are 16 bytes), so the <= 16 byte
// path is two overlapping loads and two multiplies with no loop. Longer keys
// take 16 bytes per round. Measured against absl::Hash<std::string_view> in
// bench/dict_bench.cc (BM_Hash*).
uint64_t HashBytes(std::string_view key) {
  const auto* p = reinterpret_cast<const unsigned char*>(key.data());
  size_t n = key.size();
  const uint64_t len = n;
  uint64_t seed = Seed();
  uint64_t a;
  uint64_t b;
  if (n <= 16) {
    // Each branch reads every byte at least once, so within one length the
    // (a, b) pair determines the key.
    if (n >= 8) {
      a = Load64(p);
      b = Load64(p + n - 8);
    } else if (n >= 4) {
      a = Load32(p);
      b = Load32(p + n - 4);
    } else if (n > 0) {
      a = (uint64_t{p[0]} << 16) | (uint64_t{p[n >> 1]} << 8) | p[n - 1];
      b = 0;
    } else {
      a = 0;
      b = 0;
    }
  } else {
    while (n > 16) {
      seed = Fold(Load64(p) ^ seed ^ kK1, Load64(p + 8) ^ seed ^ kK2);
      p += 16;
      n -= 16;
    }
    // The last 16 bytes, overlapping the previous round when n < 16.
    a = Load64(p + n - 16);
    b = Load64(p + n - 8);
  }
  // The seed enters both operands so no key can zero one of them without
  // knowing it.
  return Fold(len ^ kK0, Fold(a ^ seed ^ kK1, b ^ seed ^ kK2));
}

}  // namespace grabkv::storage
