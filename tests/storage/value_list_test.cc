// storage::List on its own, checked against a std::deque<std::string>.
#include "storage/list.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <random>
#include <string>
#include <vector>

namespace grabkv::storage {
namespace {

std::vector<std::string> Contents(const List& l) {
  std::vector<std::string> out;
  for (auto it = l.Begin(); it.Valid(); it.Next()) out.emplace_back(it.value());
  return out;
}

std::vector<std::string> ContentsBackward(const List& l) {
  std::vector<std::string> out;
  for (auto it = l.Last(); it.Valid(); it.Prev()) out.emplace_back(it.value());
  return {out.rbegin(), out.rend()};
}

void ExpectSame(const List& l, const std::deque<std::string>& ref) {
  ASSERT_TRUE(l.CheckInvariants());
  ASSERT_EQ(l.size(), ref.size());
  std::vector<std::string> want(ref.begin(), ref.end());
  ASSERT_EQ(Contents(l), want);
  ASSERT_EQ(ContentsBackward(l), want);
}

TEST(ValueListTest, EmptyList) {
  List l;
  EXPECT_TRUE(l.empty());
  EXPECT_EQ(l.Length(), 0u);
  EXPECT_STREQ(l.encoding(), "quicklist");
  EXPECT_EQ(l.type(), ValueType::kList);
  std::string out;
  EXPECT_FALSE(l.PopFront(&out));
  EXPECT_FALSE(l.PopBack(&out));
  EXPECT_FALSE(l.Begin().Valid());
  EXPECT_FALSE(l.Last().Valid());
  std::string_view v;
  EXPECT_FALSE(l.Index(0, &v));
  EXPECT_FALSE(l.Index(-1, &v));
  EXPECT_EQ(l.Remove("x", 0), 0u);
  l.Trim(0, 10);
  EXPECT_TRUE(l.CheckInvariants());
}

TEST(ValueListTest, PushPopBothEnds) {
  List l;
  l.PushBack("b");
  l.PushFront("a");
  l.PushBack("c");
  EXPECT_EQ(l.size(), 3u);
  EXPECT_EQ(l.Front(), "a");
  EXPECT_EQ(l.Back(), "c");
  std::string_view v;
  ASSERT_TRUE(l.Index(-1, &v));
  EXPECT_EQ(v, "c");
  ASSERT_TRUE(l.Index(1, &v));
  EXPECT_EQ(v, "b");
  EXPECT_FALSE(l.Index(3, &v));
  EXPECT_FALSE(l.Index(-4, &v));
  std::string out;
  ASSERT_TRUE(l.PopBack(&out));
  EXPECT_EQ(out, "c");
  ASSERT_TRUE(l.PopFront(&out));
  EXPECT_EQ(out, "a");
  ASSERT_TRUE(l.PopFront(&out));
  EXPECT_EQ(out, "b");
  EXPECT_TRUE(l.empty());
  EXPECT_EQ(l.chunk_count(), 0u);
}

TEST(ValueListTest, EmptyAndBinaryValues) {
  List l;
  std::deque<std::string> ref;
  for (int i = 0; i < 100; ++i) {
    std::string v = i % 3 == 0 ? std::string() : std::string(i % 7, '\0');
    l.PushBack(v);
    ref.push_back(v);
  }
  ExpectSame(l, ref);
  l.Set(50, "x");
  ref[50] = "x";
  ExpectSame(l, ref);
  const size_t empties = std::count(ref.begin(), ref.end(), "");
  EXPECT_EQ(l.Remove("", 0), empties);
  std::erase(ref, "");
  ExpectSame(l, ref);
}

// The coupon workload: 16-byte codes stay in uniform chunks.
TEST(ValueListTest, ManyUniformCodes) {
  List l;
  std::deque<std::string> ref;
  for (int i = 0; i < 20000; ++i) {
    char buf[17];
    snprintf(buf, sizeof(buf), "CODE%012d", i);
    l.PushFront(buf);
    ref.emplace_front(buf);
  }
  ExpectSame(l, ref);
  // ~510 codes per 8 KiB chunk.
  EXPECT_LE(l.chunk_count(), 20000u / 500 + 2);
  EXPECT_LE(l.MemoryUsage(), 20000u * 17);
  for (size_t i = 0; i < ref.size(); i += 997) {
    EXPECT_EQ(l.At(i), ref[i]) << i;
  }
  std::string out;
  while (!ref.empty()) {
    ASSERT_TRUE(l.PopFront(&out));
    ASSERT_EQ(out, ref.front());
    ref.pop_front();
  }
  EXPECT_TRUE(l.empty());
}

TEST(ValueListTest, LargeValuesGetTheirOwnChunk) {
  List l;
  std::deque<std::string> ref;
  std::string big(100000, 'x');
  for (int i = 0; i < 5; ++i) {
    l.PushBack("s" + std::to_string(i));
    ref.push_back("s" + std::to_string(i));
    l.PushBack(big);
    ref.push_back(big);
  }
  ExpectSame(l, ref);
  auto it = l.IteratorAt(2);
  l.Insert(it, false, big);
  ref.insert(ref.begin() + 2, big);
  ExpectSame(l, ref);
  l.Set(0, big);
  ref[0] = big;
  ExpectSame(l, ref);
  l.Set(1, "tiny");
  ref[1] = "tiny";
  ExpectSame(l, ref);
  EXPECT_EQ(l.Remove(big, -2), 2u);
  ref.erase(ref.begin() + 10);  // the last two bigs, at indices 10 and 8
  ref.erase(ref.begin() + 8);
  ExpectSame(l, ref);
}

TEST(ValueListTest, TrimAndRemoveSemantics) {
  List l;
  std::deque<std::string> ref;
  for (int i = 0; i < 3000; ++i) {
    std::string v = std::to_string(i % 10);
    l.PushBack(v);
    ref.push_back(v);
  }
  EXPECT_EQ(l.Remove("3", 5), 5u);
  int n = 0;
  for (auto it = ref.begin(); it != ref.end() && n < 5;) {
    if (*it == "3") {
      it = ref.erase(it);
      ++n;
    } else {
      ++it;
    }
  }
  ExpectSame(l, ref);
  EXPECT_EQ(l.Remove("4", -7), 7u);
  n = 0;
  for (size_t i = ref.size(); i-- > 0 && n < 7;) {
    if (ref[i] == "4") {
      ref.erase(ref.begin() + i);
      ++n;
    }
  }
  ExpectSame(l, ref);
  EXPECT_EQ(l.Remove("5", INT64_MIN), 300u);
  std::erase(ref, "5");
  ExpectSame(l, ref);
  l.Trim(100, 2000);
  ref.erase(ref.begin() + 2001, ref.end());
  ref.erase(ref.begin(), ref.begin() + 100);
  ExpectSame(l, ref);
  l.Trim(5, 3);
  EXPECT_TRUE(l.empty());
  EXPECT_EQ(l.chunk_count(), 0u);
}

TEST(ValueListTest, CloneIsDeep) {
  List l;
  for (int i = 0; i < 1000; ++i) l.PushBack(std::string(i % 40, 'a' + i % 26));
  auto c = l.Clone();
  auto* copy = static_cast<List*>(c.get());
  ASSERT_TRUE(copy->CheckInvariants());
  EXPECT_EQ(Contents(*copy), Contents(l));
  copy->Set(3, "changed");
  copy->PushFront("front");
  EXPECT_NE(Contents(*copy), Contents(l));
  EXPECT_EQ(l.At(3), std::string(3, 'd'));
}

// Random operations against a std::deque, with value lengths mixing the
// uniform and var layouts, large values and empty strings.
class RandomOps : public ::testing::TestWithParam<int> {};

TEST_P(RandomOps, MatchesDeque) {
  std::mt19937_64 rng(GetParam());
  List l;
  std::deque<std::string> ref;
  const int mode = GetParam() % 3;  // 0: one length, 1: few lengths, 2: any
  auto value = [&]() {
    size_t len;
    if (mode == 0) {
      len = 48;
    } else if (mode == 1) {
      len = rng() % 4 == 0 ? 3 : 48;
    } else {
      const int r = rng() % 100;
      len = r < 2 ? 200 + rng() % 20000 : r < 10 ? 0 : rng() % 140;
    }
    std::string s(len, '\0');
    for (auto& ch : s) ch = static_cast<char>('a' + rng() % 3);
    return s;
  };
  size_t max_size = 0, max_chunks = 0;
  for (int step = 0; step < 20000; ++step) {
    // Alternate growing and shrinking phases so that lists of a few
    // thousand elements (many chunks) are exercised as well as tiny ones.
    const bool growing = (step / 2500) % 2 == 0;
    int op = rng() % 100;
    if (growing && op >= 44 && op < 64 && rng() % 3 != 0) op -= 44;
    const size_t n = ref.size();
    if (op < 22) {
      auto v = value();
      l.PushFront(v);
      ref.push_front(v);
    } else if (op < 44) {
      auto v = value();
      l.PushBack(v);
      ref.push_back(v);
    } else if (op < 54) {
      std::string out;
      ASSERT_EQ(l.PopFront(&out), n > 0);
      if (n > 0) {
        ASSERT_EQ(out, ref.front());
        ref.pop_front();
      }
    } else if (op < 64) {
      std::string out;
      ASSERT_EQ(l.PopBack(&out), n > 0);
      if (n > 0) {
        ASSERT_EQ(out, ref.back());
        ref.pop_back();
      }
    } else if (op < 74 && n > 0) {
      size_t i = rng() % n;
      auto v = value();
      l.Set(i, v);
      ref[i] = v;
    } else if (op < 84 && n > 0) {
      size_t i = rng() % n;
      bool after = rng() % 2;
      auto v = value();
      l.Insert(l.IteratorAt(i), after, v);
      ref.insert(ref.begin() + i + (after ? 1 : 0), v);
    } else if (op < 88 && n > 0) {
      std::string v = ref[rng() % n];
      int64_t count = static_cast<int64_t>(rng() % 5) - 2;
      size_t want = 0;
      if (count >= 0) {
        for (auto it = ref.begin(); it != ref.end();) {
          if (*it == v && (count == 0 || want < static_cast<size_t>(count))) {
            it = ref.erase(it);
            ++want;
          } else {
            ++it;
          }
        }
      } else {
        for (size_t i = ref.size(); i-- > 0;) {
          if (ref[i] == v && want < static_cast<size_t>(-count)) {
            ref.erase(ref.begin() + i);
            ++want;
          }
        }
      }
      ASSERT_EQ(l.Remove(v, count), want);
    } else if (op < 90 && n > 0) {
      size_t a = rng() % (n + 2), b = rng() % (n + 2);
      if (rng() % 16 != 0) {
        a = rng() % 3;
        b = n - rng() % 3;
      }
      l.Trim(a, b);
      if (a > b || a >= n) {
        ref.clear();
      } else {
        b = std::min(b, n - 1);
        ref.erase(ref.begin() + b + 1, ref.end());
        ref.erase(ref.begin(), ref.begin() + a);
      }
    } else if (op < 93 && n > 0) {
      size_t k = rng() % (growing ? 4 : 50);
      if (rng() % 2) {
        l.RemoveFront(k);
        ref.erase(ref.begin(), ref.begin() + std::min(k, n));
      } else {
        l.RemoveBack(k);
        ref.erase(ref.end() - std::min(k, n), ref.end());
      }
    } else if (n > 0) {
      size_t i = rng() % n;
      ASSERT_EQ(l.At(i), ref[i]);
      std::string_view v;
      ASSERT_TRUE(l.Index(static_cast<int64_t>(i) - static_cast<int64_t>(n), &v));
      ASSERT_EQ(v, ref[i]);
    }
    ASSERT_EQ(l.size(), ref.size()) << "step " << step;
    max_size = std::max(max_size, ref.size());
    max_chunks = std::max(max_chunks, l.chunk_count());
    if (step % 500 == 0) {
      ExpectSame(l, ref);
    } else {
      ASSERT_TRUE(l.CheckInvariants()) << "step " << step;
    }
  }
  ExpectSame(l, ref);
  // The walk must have built lists spanning several chunks.
  EXPECT_GT(max_chunks, 5u) << "max size " << max_size;
  RecordProperty("max_size", static_cast<int>(max_size));
  RecordProperty("max_chunks", static_cast<int>(max_chunks));
}

INSTANTIATE_TEST_SUITE_P(Seeds, RandomOps, ::testing::Range(1, 13));

}  // namespace
}  // namespace grabkv::storage
