// SipHash (Aumasson & Bernstein), the keyed hash of every table whose keys a
// client chooses: the keyspace, hash fields, set members, zset members
// (storage::Dict) and the server's string-keyed maps (server/string_map.h).
//
// Why keyed: with a hash anyone can compute, a client can pick keys that all
// land in one bucket (or one probe sequence) and turn every lookup into a
// walk of the whole table: "hash flooding". SipHash is a PRF: without the
// 128-bit key, outputs look random, so no such set of keys can be chosen.
// The key is drawn once per process from getrandom(2) (ProcessHashKey) and
// never leaves the process, so hash values are not stable across runs:
// never persist them.
//
// Rounds: like Redis, tables use SipHash-1-2 (1 compression round per 8-byte
// word, 2 finalization rounds), about twice as fast as the SipHash-2-4 of the
// paper for short keys, and still without any known practical key-recovery
// or collision attack at the 64-bit output used for hash tables. The round
// counts are template parameters, so the unit test checks this code against
// the paper's SipHash-2-4 vectors and SipHash-1-2 shares every other line.
//
// The NoCase variant hashes ASCII letters as lower case (for names compared
// case-insensitively, like command names), without a lower-cased copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string_view>

namespace grabkv::storage {

struct SipKey {
  uint64_t k0 = 0;
  uint64_t k1 = 0;
};

namespace siphash_internal {

inline uint64_t Rotl(uint64_t x, int b) { return (x << b) | (x >> (64 - b)); }

struct State {
  uint64_t v0, v1, v2, v3;
  void Round() {
    v0 += v1;
    v1 = Rotl(v1, 13);
    v1 ^= v0;
    v0 = Rotl(v0, 32);
    v2 += v3;
    v3 = Rotl(v3, 16);
    v3 ^= v2;
    v0 += v3;
    v3 = Rotl(v3, 21);
    v3 ^= v0;
    v2 += v1;
    v1 = Rotl(v1, 17);
    v1 ^= v2;
    v2 = Rotl(v2, 32);
  }
};

inline unsigned char Lower(unsigned char c) {
  return (c >= 'A' && c <= 'Z') ? static_cast<unsigned char>(c + ('a' - 'A')) : c;
}

// Little-endian 8-byte word (x86-64 and arm64 are little-endian; the
// vectors test would catch a big-endian build).
template <bool kNoCase>
inline uint64_t Word(const unsigned char* p) {
  uint64_t m;
  if constexpr (kNoCase) {
    unsigned char b[8];
    for (int i = 0; i < 8; ++i) b[i] = Lower(p[i]);
    std::memcpy(&m, b, 8);
  } else {
    std::memcpy(&m, p, 8);
  }
  return m;
}

}  // namespace siphash_internal

// SipHash-c-d of data[0, len) under `key`, as a little-endian 64-bit value
// (the paper's output bytes read as a uint64_t).
template <int kC, int kD, bool kNoCase = false>
uint64_t SipHash(const SipKey& key, const void* data, size_t len) {
  using siphash_internal::State;
  const auto* p = static_cast<const unsigned char*>(data);
  State s{key.k0 ^ 0x736f6d6570736575ull, key.k1 ^ 0x646f72616e646f6dull,
          key.k0 ^ 0x6c7967656e657261ull, key.k1 ^ 0x7465646279746573ull};
  const unsigned char* end = p + (len & ~size_t{7});
  for (; p != end; p += 8) {
    const uint64_t m = siphash_internal::Word<kNoCase>(p);
    s.v3 ^= m;
    for (int i = 0; i < kC; ++i) s.Round();
    s.v0 ^= m;
  }
  // Last word: the remaining 0-7 bytes, with len mod 256 in the top byte.
  uint64_t b = static_cast<uint64_t>(len) << 56;
  for (size_t i = 0; i < (len & 7); ++i) {
    unsigned char c = p[i];
    if constexpr (kNoCase) c = siphash_internal::Lower(c);
    b |= static_cast<uint64_t>(c) << (8 * i);
  }
  s.v3 ^= b;
  for (int i = 0; i < kC; ++i) s.Round();
  s.v0 ^= b;
  s.v2 ^= 0xff;
  for (int i = 0; i < kD; ++i) s.Round();
  return s.v0 ^ s.v1 ^ s.v2 ^ s.v3;
}

// The per-process random key (drawn from getrandom(2) before main and before
// any other static initializer of ours runs; the process aborts if the
// kernel cannot supply randomness, rather than run with a guessable key).
const SipKey& ProcessHashKey();

// SipHash-1-2 under ProcessHashKey(): the hash of every Dict and StringMap.
uint64_t HashBytes(std::string_view key);
// The same with ASCII case folded: equal for names equal ignoring case.
uint64_t HashBytesNoCase(std::string_view key);

}  // namespace grabkv::storage
