// storage::Set alone: both encodings, conversions, iteration order, scan,
// random sampling, and randomized operations against std::set.
#include "storage/set.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

namespace grabkv::storage {
namespace {

std::vector<std::string> Members(const Set& s) {
  std::vector<std::string> out;
  s.ForEach([&out](std::string_view m) { out.emplace_back(m); });
  return out;
}

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

TEST(SetTest, CreateForPicksEncodingLikeRedis) {
  EXPECT_TRUE(Set::CreateFor("12")->is_intset());
  EXPECT_TRUE(Set::CreateFor("-9223372036854775808")->is_intset());
  EXPECT_FALSE(Set::CreateFor("9223372036854775808")->is_intset());
  EXPECT_FALSE(Set::CreateFor("01")->is_intset());
  EXPECT_FALSE(Set::CreateFor("-0")->is_intset());
  EXPECT_FALSE(Set::CreateFor("+1")->is_intset());
  EXPECT_FALSE(Set::CreateFor(" 1")->is_intset());
  EXPECT_FALSE(Set::CreateFor("")->is_intset());
  EXPECT_STREQ(Set::CreateFor("a")->encoding(), "hashtable");
  EXPECT_STREQ(Set::CreateFor("1")->encoding(), "intset");
}

TEST(SetTest, IntsetIsSortedAndUpgradesWidth) {
  Set s;
  const SetLimits lim;
  for (const char* m : {"5", "70000", "-3", "5000000000", "-70000", "0", "5"}) s.Add(m, lim);
  EXPECT_TRUE(s.is_intset());
  EXPECT_EQ(s.Length(), 6u);
  EXPECT_EQ(Members(s), (std::vector<std::string>{"-70000", "-3", "0", "5", "70000",
                                                  "5000000000"}));
  EXPECT_TRUE(s.Add("9223372036854775807", lim));
  EXPECT_TRUE(s.Add("-9223372036854775808", lim));
  EXPECT_FALSE(s.Add("-9223372036854775808", lim));
  EXPECT_TRUE(s.Remove("5000000000"));
  EXPECT_FALSE(s.Remove("5000000000"));
  EXPECT_FALSE(s.Remove("abc"));
  EXPECT_FALSE(s.Remove("99999999999999999999"));
  EXPECT_EQ(Members(s), (std::vector<std::string>{"-9223372036854775808", "-70000", "-3", "0",
                                                  "5", "70000", "9223372036854775807"}));
  EXPECT_TRUE(s.Contains("-3"));
  EXPECT_FALSE(s.Contains("-03"));
  EXPECT_FALSE(s.Contains("4"));
  EXPECT_TRUE(s.is_intset());
}

TEST(SetTest, UpgradeFromEachWidth) {
  const SetLimits lim;
  // 16 -> 32 -> 64 with the new value at the front (negative) or the back.
  for (int64_t big : {int64_t{-40000}, int64_t{40000}, int64_t{-5000000000}, int64_t{5000000000}}) {
    Set s;
    std::set<int64_t> ref;
    for (int64_t v : {int64_t{-2}, int64_t{7}, int64_t{300}, int64_t{-300}}) {
      s.Add(std::to_string(v), lim);
      ref.insert(v);
    }
    s.Add(std::to_string(big), lim);
    ref.insert(big);
    std::vector<std::string> want;
    for (int64_t v : ref) want.push_back(std::to_string(v));
    EXPECT_EQ(Members(s), want) << big;
    for (int64_t v : ref) EXPECT_TRUE(s.Contains(std::to_string(v)));
  }
}

TEST(SetTest, ConvertsOnStringMemberAndOnSize) {
  SetLimits lim;
  lim.max_intset_entries = 3;
  Set s;
  s.Add("1", lim);
  s.Add("2", lim);
  s.Add("3", lim);
  EXPECT_TRUE(s.is_intset());
  EXPECT_FALSE(s.Add("3", lim));
  EXPECT_TRUE(s.is_intset());
  s.Add("4", lim);
  EXPECT_FALSE(s.is_intset());
  EXPECT_EQ(Sorted(Members(s)), (std::vector<std::string>{"1", "2", "3", "4"}));
  // Never converts back.
  s.Remove("4");
  s.Remove("3");
  EXPECT_FALSE(s.is_intset());

  Set t;
  t.Add("1", SetLimits{});
  t.Add("x", SetLimits{});
  EXPECT_FALSE(t.is_intset());
  EXPECT_TRUE(t.Contains("1"));
  EXPECT_TRUE(t.Contains("x"));
  // A zero limit converts on the first add, as Redis's "len > max" check does.
  Set z;
  lim.max_intset_entries = 0;
  z.Add("1", lim);
  EXPECT_FALSE(z.is_intset());
}

TEST(SetTest, BinaryMembers) {
  Set s(Set::Encoding::kHashtable);
  const std::string bin("a\0b\r\n", 5);
  EXPECT_TRUE(s.Add(bin, SetLimits{}));
  EXPECT_TRUE(s.Add("", SetLimits{}));
  EXPECT_TRUE(s.Contains(bin));
  EXPECT_TRUE(s.Contains(""));
  EXPECT_FALSE(s.Contains(std::string("a\0c\r\n", 5)));
  EXPECT_EQ(s.Length(), 2u);
}

TEST(SetTest, CloneIsDeep) {
  for (bool table : {false, true}) {
    Set s(table ? Set::Encoding::kHashtable : Set::Encoding::kIntset);
    for (int i = 0; i < 100; ++i) s.Add(std::to_string(i * 1000), SetLimits{});
    auto c = s.Clone();
    auto* copy = static_cast<Set*>(c.get());
    s.Remove("0");
    EXPECT_EQ(copy->Length(), 100u);
    EXPECT_TRUE(copy->Contains("0"));
    EXPECT_STREQ(copy->encoding(), s.encoding());
    EXPECT_GT(copy->MemoryUsage(), 100u * 2);
  }
}

// Randomized operations against std::set, with a small intset limit so that
// both encodings and the conversion are exercised.
TEST(SetTest, RandomizedAgainstStdSet) {
  std::mt19937_64 rng(42);
  for (int round = 0; round < 20; ++round) {
    SetLimits lim;
    lim.max_intset_entries = 1 + rng() % 64;
    const bool strings = round % 4 == 3;
    Set s;
    std::set<std::string> ref;
    for (int op = 0; op < 3000; ++op) {
      std::string m;
      const uint64_t r = rng() % 100;
      if (strings && r < 3) {
        m = "m" + std::to_string(rng() % 50);
      } else if (r < 5) {
        m = std::to_string(static_cast<int64_t>(rng()));  // 64-bit values
      } else {
        m = std::to_string(static_cast<int64_t>(rng() % 200) - 100);
      }
      switch (rng() % 4) {
        case 0:
        case 1:
          ASSERT_EQ(s.Add(m, lim), ref.insert(m).second);
          break;
        case 2:
          ASSERT_EQ(s.Remove(m), ref.erase(m) == 1);
          break;
        case 3:
          ASSERT_EQ(s.Contains(m), ref.count(m) == 1);
          break;
      }
      ASSERT_EQ(s.Length(), ref.size());
      if (s.is_intset()) {
        ASSERT_LE(s.Length(), lim.max_intset_entries);
      }
    }
    std::vector<std::string> got = Members(s);
    if (s.is_intset()) {
      // Numeric order.
      ASSERT_TRUE(std::is_sorted(got.begin(), got.end(), [](const std::string& a,
                                                             const std::string& b) {
        return std::stoll(a) < std::stoll(b);
      }));
    }
    ASSERT_EQ(Sorted(got), std::vector<std::string>(ref.begin(), ref.end()));
  }
}

TEST(SetTest, ScanIntsetReturnsAllAtOnce) {
  Set s;
  for (int i = 0; i < 100; ++i) s.Add(std::to_string(i), SetLimits{});
  std::vector<std::string> got;
  EXPECT_EQ(s.Scan(12345, 1, [&](std::string_view m) { got.emplace_back(m); }), 0u);
  EXPECT_EQ(got.size(), 100u);
}

TEST(SetTest, ScanGuaranteeAcrossResizes) {
  std::mt19937_64 rng(7);
  Set s(Set::Encoding::kHashtable);
  const SetLimits lim;
  std::set<std::string> stable;
  for (int i = 0; i < 500; ++i) {
    const std::string m = "stable:" + std::to_string(i);
    s.Add(m, lim);
    stable.insert(m);
  }
  std::set<std::string> seen;
  uint64_t cursor = 0;
  int churn = 0;
  do {
    cursor = s.Scan(cursor, 10, [&](std::string_view m) { seen.emplace(m); });
    // Grow then shrink the table while the scan runs.
    const bool grow = churn < 40;
    for (int k = 0; k < 200; ++k) {
      const std::string m = "churn:" + std::to_string(rng() % 8000);
      if (grow) {
        s.Add(m, lim);
      } else {
        s.Remove(m);
      }
    }
    ++churn;
  } while (cursor != 0);
  for (const std::string& m : stable) EXPECT_TRUE(seen.count(m)) << m;
}

TEST(SetTest, RandomAndPop) {
  std::mt19937_64 rng(3);
  for (bool table : {false, true}) {
    Set s(table ? Set::Encoding::kHashtable : Set::Encoding::kIntset);
    std::set<std::string> ref;
    for (int i = 0; i < 50; ++i) {
      s.Add(std::to_string(i), SetLimits{});
      ref.insert(std::to_string(i));
    }
    std::map<std::string, int> hits;
    Set::MemberBuf buf;
    for (int i = 0; i < 5000; ++i) {
      const std::string m(s.Random(rng, &buf));
      ASSERT_TRUE(ref.count(m));
      ++hits[m];
    }
    EXPECT_EQ(hits.size(), 50u);  // every member shows up
    std::string out;
    while (s.Length() > 0) {
      s.PopRandom(rng, &out);
      ASSERT_EQ(ref.erase(out), 1u) << out;
    }
    EXPECT_TRUE(ref.empty());
  }
}

TEST(SetTest, RandomMembers) {
  std::mt19937_64 rng(5);
  for (bool table : {false, true}) {
    Set s(table ? Set::Encoding::kHashtable : Set::Encoding::kIntset);
    for (int i = 0; i < 90; ++i) s.Add(std::to_string(i * 3), SetLimits{});
    for (size_t count : {1, 5, 29, 30, 31, 60, 89, 90, 91, 1000}) {
      std::vector<std::string> got;
      s.RandomMembers(count, true, rng, [&](std::string_view m) { got.emplace_back(m); });
      ASSERT_EQ(got.size(), std::min<size_t>(count, 90));
      std::set<std::string> uniq(got.begin(), got.end());
      ASSERT_EQ(uniq.size(), got.size()) << count;
      for (const auto& m : got) ASSERT_TRUE(s.Contains(m));
      if (count >= 90) {
        ASSERT_EQ(got, Members(s));
      }
    }
    std::vector<std::string> rep;
    s.RandomMembers(500, false, rng, [&](std::string_view m) { rep.emplace_back(m); });
    ASSERT_EQ(rep.size(), 500u);
    for (const auto& m : rep) ASSERT_TRUE(s.Contains(m));
    EXPECT_LT(std::set<std::string>(rep.begin(), rep.end()).size(), 500u);  // repeats
  }
}

}  // namespace
}  // namespace grabkv::storage
