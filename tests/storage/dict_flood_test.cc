// SipHash correctness (the paper's vectors) and hash-flooding resistance of
// Dict: keys crafted offline to share one chain under the hash grabkv used
// before the keyed SipHash no longer do.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <vector>

#include "storage/dict.h"
#include "storage/siphash.h"

namespace grabkv::storage {
namespace {

// The paper's test key (bytes 00..0f) and messages (bytes 00..len-1).
SipKey PaperKey() {
  unsigned char k[16];
  for (int i = 0; i < 16; ++i) k[i] = static_cast<unsigned char>(i);
  SipKey key;
  std::memcpy(&key.k0, k, 8);
  std::memcpy(&key.k1, k + 8, 8);
  return key;
}

std::string PaperMessage(size_t len) {
  std::string m(len, '\0');
  for (size_t i = 0; i < len; ++i) m[i] = static_cast<char>(i);
  return m;
}

// SipHash-2-4 outputs of the reference vectors (Aumasson & Bernstein,
// "SipHash: a fast short-input PRF", and the reference implementation's
// vectors table), read as little-endian 64-bit words. Lengths 0..15 cover
// every tail length with and without a full 8-byte block before it.
constexpr uint64_t kSip24Vectors[16] = {
    0x726fdb47dd0e0e31ull, 0x74f839c593dc67fdull, 0x0d6c8009d9a94f5aull, 0x85676696d7fb7e2dull,
    0xcf2794e0277187b7ull, 0x18765564cd99a68dull, 0xcbc9466e58fee3ceull, 0xab0200f58b01d137ull,
    0x93f5f5799a932462ull, 0x9e0082df0ba9e4b0ull, 0x7a5dbbc594ddb9f3ull, 0xf4b32f46226bada7ull,
    0x751e8fbc860ee5fbull, 0x14ea5627c0843d90ull, 0xf723ca908e7af2eeull, 0xa129ca6149be45e5ull,
};

TEST(SipHashTest, MatchesThePapersSipHash24Vectors) {
  const SipKey key = PaperKey();
  for (size_t len = 0; len < 16; ++len) {
    const std::string m = PaperMessage(len);
    EXPECT_EQ((SipHash<2, 4>(key, m.data(), m.size())), kSip24Vectors[len]) << "len " << len;
  }
}

// SipHash-1-2 is the same code with other round counts, so beyond the
// vectors above it only needs to differ from 2-4 and to depend on every
// input bit and the key.
TEST(SipHashTest, OneTwoVariantDependsOnEveryBitAndTheKey) {
  const SipKey key = PaperKey();
  const std::string m = PaperMessage(15);
  const uint64_t h = SipHash<1, 2>(key, m.data(), m.size());
  EXPECT_NE(h, kSip24Vectors[15]);
  for (size_t bit = 0; bit < m.size() * 8; ++bit) {
    std::string f = m;
    f[bit / 8] = static_cast<char>(f[bit / 8] ^ (1 << (bit % 8)));
    EXPECT_NE((SipHash<1, 2>(key, f.data(), f.size())), h) << "bit " << bit;
  }
  SipKey other = key;
  other.k1 ^= 1;
  EXPECT_NE((SipHash<1, 2>(other, m.data(), m.size())), h);
  // The length is hashed: a trailing NUL makes a different key.
  EXPECT_NE((SipHash<1, 2>(key, m.data(), m.size() - 1)),
            (SipHash<1, 2>(key, (m.substr(0, 14) + '\0').data(), 15)));
}

TEST(SipHashTest, NoCaseFoldsAsciiLettersOnly) {
  EXPECT_EQ(HashBytesNoCase("SRandMember"), HashBytesNoCase("srandmember"));
  EXPECT_EQ(HashBytesNoCase("LONGER-THAN-EIGHT-BYTES"), HashBytesNoCase("longer-than-eight-bytes"));
  EXPECT_EQ(HashBytesNoCase("get"), HashBytes("get"));
  EXPECT_NE(HashBytesNoCase("GET"), HashBytes("GET"));
  // '[' (0x5b) and '{' (0x7b) differ by 0x20 too but are not letters.
  EXPECT_NE(HashBytesNoCase("a["), HashBytesNoCase("a{"));
}

TEST(SipHashTest, ProcessKeyIsDrawnAndUsed) {
  const SipKey& k = ProcessHashKey();
  EXPECT_FALSE(k.k0 == 0 && k.k1 == 0);
  EXPECT_EQ(HashBytes("abc"), (SipHash<1, 2>(k, "abc", 3)));
}

// ---------------------------------------------------------------------------
// Flooding

// The hash Dict used before SipHash (storage/dict.cc up to this change),
// with its seed: the seed was the address of a static variable times a
// constant, which anyone who knows the binary's load address (no PIE, or
// one leaked pointer) knows too. Here the attacker's guess is a fixed value.
namespace old {
constexpr uint64_t kK0 = 0x9e3779b97f4a7c15ull;
constexpr uint64_t kK1 = 0xbf58476d1ce4e5b9ull;
constexpr uint64_t kK2 = 0x94d049bb133111ebull;
uint64_t Fold(uint64_t a, uint64_t b) {
  const unsigned __int128 r = static_cast<unsigned __int128>(a) * b;
  return static_cast<uint64_t>(r) ^ static_cast<uint64_t>(r >> 64);
}
uint64_t Load(const unsigned char* p, int n) {
  uint64_t v = 0;
  std::memcpy(&v, p, n);
  return v;
}
uint64_t HashBytes(std::string_view key, uint64_t seed) {
  const auto* p = reinterpret_cast<const unsigned char*>(key.data());
  size_t n = key.size();
  const uint64_t len = n;
  uint64_t a = 0;
  uint64_t b = 0;
  if (n <= 16) {
    if (n >= 8) {
      a = Load(p, 8);
      b = Load(p + n - 8, 8);
    } else if (n >= 4) {
      a = Load(p, 4);
      b = Load(p + n - 4, 4);
    } else if (n > 0) {
      a = (uint64_t{p[0]} << 16) | (uint64_t{p[n >> 1]} << 8) | p[n - 1];
    }
  } else {
    while (n > 16) {
      seed = Fold(Load(p, 8) ^ seed ^ kK1, Load(p + 8, 8) ^ seed ^ kK2);
      p += 16;
      n -= 16;
    }
    a = Load(p + n - 16, 8);
    b = Load(p + n - 8, 8);
  }
  return Fold(len ^ kK0, Fold(a ^ seed ^ kK1, b ^ seed ^ kK2));
}
uint32_t HashKey(std::string_view key, uint64_t seed) {
  const uint64_t h = HashBytes(key, seed);
  return static_cast<uint32_t>(h ^ (h >> 32));
}
}  // namespace old

// An attacker's brute force: keys whose old 32-bit hash has its low 12 bits
// zero, so they share bucket 0 of every table up to 4096 buckets.
std::vector<std::string> CraftOldCollisions(size_t n, uint64_t seed) {
  std::vector<std::string> keys;
  for (uint64_t i = 0; keys.size() < n; ++i) {
    std::string k = "user:" + std::to_string(i);
    if ((old::HashKey(k, seed) & 0xfff) == 0) keys.push_back(std::move(k));
  }
  return keys;
}

TEST(DictFloodTest, KeysCollidingUnderTheOldHashSpreadUnderSipHash) {
  const uint64_t seed = 0x555555559040ull * old::kK0;  // a typical non-PIE-ish guess
  const std::vector<std::string> keys = CraftOldCollisions(2000, seed);

  // Under the old hash they are one chain in a 2048-bucket table.
  std::vector<size_t> old_buckets(2048);
  for (const auto& k : keys) ++old_buckets[old::HashKey(k, seed) & 2047];
  EXPECT_EQ(old_buckets[0], keys.size());

  Dict<int> d;
  for (const auto& k : keys) d.Insert(k);
  while (d.RehashStep(1 << 20)) {
  }
  ASSERT_EQ(d.size(), keys.size());
  ASSERT_EQ(d.bucket_count(), 2048u);
  // 2000 random keys in 2048 buckets: the longest chain is ~6 (a chain of
  // 12 has probability < 1e-6 per table).
  EXPECT_LE(d.LongestChain(), 12u);
  for (const auto& k : keys) ASSERT_NE(d.Find(k), nullptr);
}

// The whole point of the seed: a key set that collides in one process (here:
// under one key) is spread in another.
TEST(DictFloodTest, CollisionsFoundForOneKeyDoNotCarryToAnother) {
  SipKey attacker{0x0123456789abcdefull, 0xfedcba9876543210ull};
  std::vector<std::string> keys;
  for (uint64_t i = 0; keys.size() < 1000; ++i) {
    std::string k = "k" + std::to_string(i);
    if ((SipHash<1, 2>(attacker, k.data(), k.size()) & 0x3ff) == 0) keys.push_back(std::move(k));
  }
  std::vector<size_t> buckets(1024);
  size_t longest = 0;
  for (const auto& k : keys) longest = std::max(longest, ++buckets[HashBytes(k) & 1023]);
  EXPECT_LE(longest, 12u);
}

}  // namespace
}  // namespace grabkv::storage
