// storage/hyperloglog: the byte format, hashing, updates and the estimator.
// Expected bytes and decodes were read from redis-server 7.0.15 (PFADD then
// PFDEBUG DECODE / GET), so they pin grabkv to Redis's representation.
#include "storage/hyperloglog.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace grabkv::storage::hll {
namespace {

std::string AddAll(const std::vector<std::string>& elements, size_t max_bytes = kDefaultSparseMaxBytes) {
  std::string h = CreateEmpty();
  for (const std::string& e : elements) Add(&h, e, max_bytes);
  return h;
}

uint64_t CountOf(std::string_view h) {
  bool corrupt = false;
  uint64_t c = Count(h, &corrupt);
  EXPECT_FALSE(corrupt);
  return c;
}

std::string WithBody(std::string_view body, Encoding enc = kSparse) {
  std::string h = CreateEmpty();
  h.resize(kHeaderSize);
  h[4] = static_cast<char>(enc);
  h.append(body);
  return h;
}

TEST(HyperLogLogTest, EmptyValueIsRedisBytes) {
  const std::string h = CreateEmpty();
  ASSERT_EQ(h, std::string("HYLL\x01\0\0\0\0\0\0\0\0\0\0\0\x7f\xff", 18));
  EXPECT_TRUE(IsValid(h));
  uint64_t card = 99;
  EXPECT_TRUE(CachedCardinality(h, &card));
  EXPECT_EQ(card, 0u);
  EXPECT_EQ(DecodeSparse(h), "Z:16384");
  EXPECT_EQ(CountOf(h), 0u);
}

TEST(HyperLogLogTest, RegisterAndCountMatchRedis) {
  struct Case {
    const char* element;
    int index;
    uint8_t count;
  } cases[] = {{"a", 12711, 2},        {"hello", 9216, 1},     {"", 5938, 2},
               {"foobar", 1910, 4},    {"12345678", 10579, 3}, {"x123456789", 8717, 3}};
  for (const Case& c : cases) {
    int index;
    EXPECT_EQ(PatLen(c.element, &index), c.count) << c.element;
    EXPECT_EQ(index, c.index) << c.element;
  }
  EXPECT_EQ(DecodeSparse(AddAll({"a"})), "Z:12711 v:2,1 Z:3672");
}

TEST(HyperLogLogTest, SparseBytesMatchRedis) {
  std::string h = AddAll({"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m"});
  EXPECT_EQ(DecodeSparse(h),
            "Z:1646 v:1,1 Z:138 v:3,1 Z:2398 v:1,1 Z:197 v:2,1 Z:2909 v:1,1 Z:1085 v:2,1 z:57 "
            "v:1,1 Z:574 v:1,1 Z:2948 v:1,1 Z:750 v:2,1 Z:509 v:4,1 Z:1935 v:1,1 Z:622 v:1,1 Z:603");
  SetCachedCardinality(&h, CountOf(h));
  const std::string redis(
      "\x48\x59\x4c\x4c\x01\x00\x00\x00\x0d\x00\x00\x00\x00\x00\x00\x00\x46\x6d"
      "\x80\x40\x89\x88\x49\x5d\x80\x40\xc4\x84\x4b\x5c\x80\x44\x3c\x84\x38\x80"
      "\x42\x3d\x80\x4b\x83\x80\x42\xed\x84\x41\xfc\x8c\x47\x8e\x80\x42\x6d\x80"
      "\x42\x5a",
      56);
  EXPECT_EQ(h, redis);
}

TEST(HyperLogLogTest, AdjacentValuesMerge) {
  // Registers 0..3 raised one by one to 1: one VAL run of 4.
  std::string h = CreateEmpty();
  for (int i = 0; i < 4; ++i) EXPECT_EQ(Set(&h, i, 1, 3000), SetResult::kUpdated);
  EXPECT_EQ(DecodeSparse(h), "v:1,4 Z:16380");
  EXPECT_EQ(Set(&h, 2, 1, 3000), SetResult::kUnchanged);
  EXPECT_EQ(Set(&h, 2, 5, 3000), SetResult::kUpdated);
  EXPECT_EQ(DecodeSparse(h), "v:1,2 v:5,1 v:1,1 Z:16380");
}

TEST(HyperLogLogTest, PromotesOverValueOrSize) {
  std::string h = CreateEmpty();
  EXPECT_EQ(Set(&h, 7, 33, 3000), SetResult::kUpdated);  // > 32 cannot be sparse
  EXPECT_EQ(GetEncoding(h), kDense);
  EXPECT_EQ(h.size(), kDenseSize);
  EXPECT_EQ(DenseGet(reinterpret_cast<const uint8_t*>(h.data()) + kHeaderSize, 7), 33);

  std::string small = CreateEmpty();
  for (int i = 0; i < 1000 && GetEncoding(small) == kSparse; i += 3) Set(&small, i, 1, 40);
  EXPECT_EQ(GetEncoding(small), kDense);
}

TEST(HyperLogLogTest, DenseRegistersRoundTrip) {
  std::vector<uint8_t> regs((kRegisters * kBits + 7) / 8, 0);
  std::mt19937 rng(7);
  std::vector<uint8_t> want(kRegisters);
  for (int i = 0; i < kRegisters; ++i) {
    want[i] = rng() & kRegisterMax;
    DenseSet(regs.data(), i, want[i]);
  }
  for (int i = 0; i < kRegisters; ++i) ASSERT_EQ(DenseGet(regs.data(), i), want[i]) << i;
  // The bulk readers (merge, count) see the same registers.
  std::string h = CreateEmpty();
  ASSERT_TRUE(ToDense(&h));
  std::copy(regs.begin(), regs.end(), h.begin() + kHeaderSize);
  uint8_t merged[kRegisters] = {};
  ASSERT_TRUE(MergeInto(merged, h));
  for (int i = 0; i < kRegisters; ++i) ASSERT_EQ(merged[i], want[i]) << i;
  EXPECT_EQ(CountOf(h), CountRegisters(merged));
}

TEST(HyperLogLogTest, SparseAndDenseCountTheSame) {
  std::string sparse = CreateEmpty(), dense = CreateEmpty();
  ASSERT_TRUE(ToDense(&dense));
  for (int i = 0; i < 5000; ++i) {
    const std::string e = "el:" + std::to_string(i);
    Add(&sparse, e, 1 << 20);
    Add(&dense, e, 1 << 20);
  }
  ASSERT_EQ(GetEncoding(sparse), kSparse);
  EXPECT_EQ(CountOf(sparse), CountOf(dense));
  std::string converted = sparse;
  ASSERT_TRUE(ToDense(&converted));
  EXPECT_EQ(converted.substr(kHeaderSize), dense.substr(kHeaderSize));
  uint8_t regs[kRegisters] = {};
  ASSERT_TRUE(MergeInto(regs, sparse));
  EXPECT_EQ(CountRegisters(regs), CountOf(dense));
}

TEST(HyperLogLogTest, EstimateIsClose) {
  std::string h = CreateEmpty();
  for (int i = 0; i < 200000; ++i) Add(&h, std::to_string(i), kDefaultSparseMaxBytes);
  const double c = static_cast<double>(CountOf(h));
  EXPECT_NEAR(c, 200000, 200000 * 0.03);
}

TEST(HyperLogLogTest, HeaderChecks) {
  EXPECT_FALSE(IsValid(""));
  EXPECT_FALSE(IsValid("HYLL"));
  EXPECT_FALSE(IsValid(std::string("HYLX\x01", 5) + std::string(13, '\0')));
  EXPECT_FALSE(IsValid(WithBody("\x7f\xff", static_cast<Encoding>(2))));
  EXPECT_FALSE(IsValid(WithBody("\x7f\xff", kDense)));  // dense must be 12304 bytes
  EXPECT_TRUE(IsValid(WithBody("")));                    // sparse body unchecked here
}

TEST(HyperLogLogTest, CorruptSparseIsReportedNotTrusted) {
  const std::string bad[] = {
      WithBody(""),                  // no registers at all
      WithBody("\x7f\xff\x7f\xff"),  // 32768 registers
      WithBody("\x7f\xfe"),          // 16383 registers
      WithBody("\x7f"),              // XZERO cut short
      WithBody("\x7f\xff\x83"),      // a value run past the end
      WithBody(std::string(300, '\xff')),
  };
  for (const std::string& b : bad) {
    ASSERT_TRUE(IsValid(b));
    bool corrupt = false;
    Count(b, &corrupt);
    EXPECT_TRUE(corrupt) << DecodeSparse(b);
    uint8_t regs[kRegisters] = {};
    EXPECT_FALSE(MergeInto(regs, b));
    std::string copy = b;
    EXPECT_FALSE(ToDense(&copy));
    EXPECT_EQ(copy, b);
    // Adding may touch the code but never reads or writes outside it.
    for (int i = 0; i < 200; ++i) Add(&copy, std::to_string(i), 3000);
  }
}

TEST(HyperLogLogTest, CacheFlag) {
  std::string h = CreateEmpty();
  SetCachedCardinality(&h, 0x0102030405060708ULL);
  uint64_t c = 0;
  ASSERT_TRUE(CachedCardinality(h, &c));
  EXPECT_EQ(c, 0x0102030405060708ULL);
  InvalidateCache(&h);
  EXPECT_FALSE(CachedCardinality(h, &c));
}

TEST(HyperLogLogTest, SelfTestPasses) { EXPECT_EQ(SelfTest(), ""); }

}  // namespace
}  // namespace grabkv::storage::hll
