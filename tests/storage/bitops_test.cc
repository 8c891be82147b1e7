// storage/bitops: the word-at-a-time routines against a plain bit-by-bit
// model, over random strings of every length around the word boundaries
// and every range within them; BITFIELD's overflow rules at their edges.
#include "storage/bitops.h"

#include <gtest/gtest.h>

#include <climits>
#include <random>
#include <string>
#include <vector>

namespace grabkv::storage::bits {
namespace {

bool ModelBit(const std::string& s, uint64_t i) { return (static_cast<unsigned char>(s[i / 8]) >> (7 - i % 8)) & 1; }

std::string RandomBytes(std::mt19937& rng, size_t n, int density) {
  std::string s(n, '\0');
  for (auto& c : s) {
    // density 0: zeros, 1: random, 2: ones, with a few random bytes mixed in
    unsigned v = density == 1 ? rng() : (density == 0 ? 0u : 0xffu);
    if (rng() % 13 == 0) v = rng();
    c = static_cast<char>(v);
  }
  return s;
}

TEST(BitopsTest, CountAndFindMatchTheModelOnEveryRange) {
  std::mt19937 rng(16);
  for (size_t n : {1, 2, 7, 8, 9, 15, 16, 17, 31, 33, 40}) {
    for (int density = 0; density < 3; ++density) {
      const std::string s = RandomBytes(rng, n, density);
      EXPECT_EQ(Popcount(reinterpret_cast<const unsigned char*>(s.data()), n),
                CountRange(s, 0, n * 8 - 1));
      for (uint64_t first = 0; first < n * 8; first += 1 + rng() % 3) {
        for (uint64_t last = first; last < n * 8; last += 1 + rng() % 5) {
          uint64_t count = 0;
          int64_t first1 = -1, first0 = -1;
          for (uint64_t i = first; i <= last; ++i) {
            const bool b = ModelBit(s, i);
            count += b;
            if (b && first1 < 0) first1 = static_cast<int64_t>(i);
            if (!b && first0 < 0) first0 = static_cast<int64_t>(i);
          }
          ASSERT_EQ(CountRange(s, first, last), count) << n << " " << first << " " << last;
          ASSERT_EQ(FindBit(s, true, first, last), first1) << n << " " << first << " " << last;
          ASSERT_EQ(FindBit(s, false, first, last), first0) << n << " " << first << " " << last;
        }
      }
    }
  }
}

TEST(BitopsTest, CombinePadsShorterSourcesWithZeros) {
  std::mt19937 rng(7);
  for (int round = 0; round < 200; ++round) {
    std::vector<std::string> owned;
    const size_t k = 1 + rng() % 4;
    for (size_t i = 0; i < k; ++i) owned.push_back(RandomBytes(rng, rng() % 40, 1));
    std::vector<std::string_view> srcs(owned.begin(), owned.end());
    size_t maxlen = 0;
    for (auto& s : owned) maxlen = std::max(maxlen, s.size());
    auto byte = [&](size_t src, size_t i) -> unsigned {
      return i < owned[src].size() ? static_cast<unsigned char>(owned[src][i]) : 0u;
    };
    for (BitOp op : {BitOp::kAnd, BitOp::kOr, BitOp::kXor, BitOp::kNot}) {
      std::span<const std::string_view> in(srcs.data(), op == BitOp::kNot ? 1 : srcs.size());
      const std::string got = Combine(op, in);
      const size_t want_len = op == BitOp::kNot ? owned[0].size() : maxlen;
      ASSERT_EQ(got.size(), want_len);
      for (size_t i = 0; i < want_len; ++i) {
        unsigned v = byte(0, i);
        if (op == BitOp::kNot) v = ~v & 0xff;
        for (size_t j = 1; j < in.size(); ++j) {
          if (op == BitOp::kAnd) v &= byte(j, i);
          if (op == BitOp::kOr) v |= byte(j, i);
          if (op == BitOp::kXor) v ^= byte(j, i);
        }
        ASSERT_EQ(static_cast<unsigned char>(got[i]), v) << static_cast<int>(op) << " at " << i;
      }
    }
  }
}

TEST(BitopsTest, FieldsRoundTripAtEveryWidthAndOffset) {
  std::mt19937_64 rng(3);
  std::string s(20, '\0');
  auto* p = reinterpret_cast<unsigned char*>(s.data());
  for (unsigned width = 1; width <= 64; ++width) {
    for (uint64_t off = 0; off + width <= 96; off += 5) {
      const uint64_t v = rng() & (width == 64 ? ~uint64_t{0} : (uint64_t{1} << width) - 1);
      const std::string before = s;
      SetField(p, off, width, v);
      ASSERT_EQ(GetField(s, off, width), v);
      for (uint64_t i = 0; i < s.size() * 8; ++i) {
        if (i < off || i >= off + width) {
          ASSERT_EQ(ModelBit(s, i), ModelBit(before, i));
        }
      }
    }
  }
  EXPECT_EQ(GetField("\xff", 4, 8), 0xf0u);  // past the end reads zeros
  EXPECT_EQ(SignExtend(0xf0, 8), -16);
  EXPECT_EQ(SignExtend(0x70, 8), 0x70);
  EXPECT_EQ(SignExtend(~uint64_t{0}, 64), -1);
}

TEST(BitopsTest, OverflowRulesAsRedis) {
  uint64_t u = 0;
  EXPECT_EQ(CheckUnsignedOverflow(250, 10, 8, Overflow::kWrap, &u), 1);
  EXPECT_EQ(u, 4u);
  EXPECT_EQ(CheckUnsignedOverflow(250, 10, 8, Overflow::kSat, &u), 1);
  EXPECT_EQ(u, 255u);
  EXPECT_EQ(CheckUnsignedOverflow(5, -6, 8, Overflow::kSat, &u), -1);
  EXPECT_EQ(u, 0u);
  EXPECT_EQ(CheckUnsignedOverflow(5, -5, 8, Overflow::kSat, &u), 0);
  // A negative SET value, seen as unsigned, is above the range.
  EXPECT_EQ(CheckUnsignedOverflow(static_cast<uint64_t>(-1), 0, 8, Overflow::kSat, &u), 1);
  EXPECT_EQ(u, 255u);
  EXPECT_EQ(CheckUnsignedOverflow((uint64_t{1} << 63) - 1, INT64_MIN, 63, Overflow::kWrap, &u), -1);
  EXPECT_EQ(u, (uint64_t{1} << 63) - 1);
  int64_t i = 0;
  EXPECT_EQ(CheckSignedOverflow(127, 1, 8, Overflow::kWrap, &i), 1);
  EXPECT_EQ(i, -128);
  EXPECT_EQ(CheckSignedOverflow(-128, -1, 8, Overflow::kSat, &i), -1);
  EXPECT_EQ(i, -128);
  EXPECT_EQ(CheckSignedOverflow(INT64_MAX, 1, 64, Overflow::kWrap, &i), 1);
  EXPECT_EQ(i, INT64_MIN);
  EXPECT_EQ(CheckSignedOverflow(INT64_MIN, -1, 64, Overflow::kSat, &i), -1);
  EXPECT_EQ(i, INT64_MIN);
  EXPECT_EQ(CheckSignedOverflow(-1, INT64_MIN, 64, Overflow::kSat, &i), -1);
  EXPECT_EQ(CheckSignedOverflow(0, INT64_MIN, 64, Overflow::kSat, &i), 0);
  EXPECT_EQ(CheckSignedOverflow(-5, INT64_MAX, 64, Overflow::kSat, &i), 0);
  EXPECT_EQ(CheckSignedOverflow(128, 0, 8, Overflow::kWrap, &i), 1);
  EXPECT_EQ(i, -128);
  EXPECT_EQ(CheckSignedOverflow(-129, 0, 8, Overflow::kWrap, &i), -1);
  EXPECT_EQ(i, 127);
}

}  // namespace
}  // namespace grabkv::storage::bits
