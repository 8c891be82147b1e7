// ZSet, its listpack and the order-statistic B+tree, against std::set /
// std::map references under random operations.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "storage/btree.h"
#include "storage/zset.h"
#include "storage/zset_listpack.h"

namespace grabkv::storage {
namespace {

struct IntCmp {
  int operator()(const int64_t& a, const int64_t& b) const { return a < b ? -1 : (a > b ? 1 : 0); }
};
using IntTree = OrderTree<int64_t, IntCmp, 256>;  // small nodes: deep trees

void CheckTreeAgainst(const IntTree& t, const std::set<int64_t>& ref) {
  ASSERT_TRUE(t.Validate());
  ASSERT_EQ(t.size(), ref.size());
  auto it = t.Begin();
  for (int64_t v : ref) {
    ASSERT_TRUE(it.Valid());
    ASSERT_EQ(*it, v);
    it.Next();
  }
  ASSERT_FALSE(it.Valid());
}

TEST(OrderTreeTest, RandomInsertEraseRank) {
  std::mt19937_64 rng(1);
  IntTree t;
  std::set<int64_t> ref;
  for (int round = 0; round < 60000; ++round) {
    int64_t v = static_cast<int64_t>(rng() % 5000);
    int op = static_cast<int>(rng() % 10);
    if (op < 6) {
      if (ref.insert(v).second) t.Insert(v);
    } else if (op < 9) {
      ASSERT_EQ(t.Erase(v), ref.erase(v) == 1);
    } else if (!ref.empty()) {
      size_t r = rng() % ref.size();
      auto rit = std::next(ref.begin(), static_cast<long>(r));
      ASSERT_EQ(*t.AtRank(r), *rit);
      size_t rank;
      auto f = t.Find(*rit, &rank);
      ASSERT_TRUE(f.Valid());
      ASSERT_EQ(rank, r);
      if (rng() % 2) {
        t.EraseAtRank(r);
        ref.erase(rit);
      }
    }
    if (round % 5000 == 0) CheckTreeAgainst(t, ref);
  }
  CheckTreeAgainst(t, ref);
  // Drain completely, half from each end.
  while (!ref.empty()) {
    if (rng() % 2) {
      t.EraseAtRank(0);
      ref.erase(ref.begin());
    } else {
      t.EraseAtRank(t.size() - 1);
      ref.erase(std::prev(ref.end()));
    }
    if (ref.size() % 777 == 0) CheckTreeAgainst(t, ref);
  }
  CheckTreeAgainst(t, ref);
  EXPECT_EQ(t.leaf_count() + t.inner_count(), 0u);
}

TEST(OrderTreeTest, MonotonicInsertsFillLeaves) {
  IntTree up, down;
  const int n = 100000;
  for (int i = 0; i < n; ++i) up.Insert(i);
  for (int i = n; i > 0; --i) down.Insert(i);
  ASSERT_TRUE(up.Validate());
  ASSERT_TRUE(down.Validate());
  // Appends and prepends leave (nearly) every leaf full.
  EXPECT_LE(up.leaf_count(), n / IntTree::kLeafCap + 2);
  EXPECT_LE(down.leaf_count(), n / IntTree::kLeafCap + 2);
  // Popping from the front never leaves partly empty leaves behind.
  for (int i = 0; i < n / 2; ++i) up.EraseAtRank(0);
  ASSERT_TRUE(up.Validate());
  EXPECT_LE(up.leaf_count(), (n / 2) / IntTree::kLeafCap + 2);
}

TEST(OrderTreeTest, PartitionPointAndIteration) {
  IntTree t;
  for (int i = 0; i < 1000; ++i) t.Insert(i * 2);
  for (int64_t target : {-5, 0, 1, 2, 999, 1000, 1998, 1999, 5000}) {
    size_t rank;
    auto it = t.PartitionPoint([&](const int64_t& x) { return x < target; }, &rank);
    int64_t expect_rank = std::clamp<int64_t>((target + 1) / 2, 0, 1000);
    EXPECT_EQ(static_cast<int64_t>(rank), expect_rank) << target;
    if (rank < 1000) {
      ASSERT_TRUE(it.Valid());
      EXPECT_EQ(*it, static_cast<int64_t>(rank) * 2);
    } else {
      EXPECT_FALSE(it.Valid());
    }
  }
  // Backwards from the end.
  int64_t expect = 1998;
  for (auto it = t.Last(); it.Valid(); it.Prev()) {
    ASSERT_EQ(*it, expect);
    expect -= 2;
  }
  EXPECT_EQ(expect, -2);
}

TEST(ZListpackTest, InsertFindEraseBothDirections) {
  ZListpack lp;
  std::string big(300, 'x');  // a two-byte length
  lp.Insert(2, "b");
  lp.Insert(1, big);
  lp.Insert(2, "a");
  lp.Insert(-1, "");
  ASSERT_EQ(lp.size(), 4u);
  std::vector<std::string> fwd, back;
  for (size_t p = lp.First(); p != ZListpack::kNpos; p = lp.Next(p)) fwd.emplace_back(lp.Member(p));
  for (size_t p = lp.Last(); p != ZListpack::kNpos; p = lp.Prev(p)) back.emplace_back(lp.Member(p));
  EXPECT_EQ(fwd, (std::vector<std::string>{"", big, "a", "b"}));
  std::reverse(back.begin(), back.end());
  EXPECT_EQ(fwd, back);
  size_t rank;
  ASSERT_NE(lp.Find("a", &rank), ZListpack::kNpos);
  EXPECT_EQ(rank, 2u);
  EXPECT_EQ(lp.Score(lp.Find(big)), 1.0);
  lp.Erase(lp.AtRank(1), 2);
  ASSERT_EQ(lp.size(), 2u);
  EXPECT_EQ(lp.Member(lp.First()), "");
  EXPECT_EQ(lp.Member(lp.Last()), "b");
  ZListpack copy(lp);
  lp.Erase(lp.First(), 2);
  EXPECT_TRUE(lp.empty());
  EXPECT_EQ(copy.size(), 2u);
}

TEST(ZListpackTest, ScoreEncodingsRoundTrip) {
  const double inf = std::numeric_limits<double>::infinity();
  const std::vector<double> scores = {0,          -0.0,       1,           -1,        31,
                                      -32,        32,         8191,        8192,      -8193,
                                      0.5,        -2.25,      1e15,        4503599627370495.0,
                                      -4503599627370495.0,    4503599627370496.0,   1e300,
                                      inf,        -inf,       5e-324,      123456789};
  ZListpack lp;
  for (size_t i = 0; i < scores.size(); ++i) lp.Insert(scores[i], "m" + std::to_string(i));
  ASSERT_EQ(lp.size(), scores.size());
  for (size_t i = 0; i < scores.size(); ++i) {
    const size_t pos = lp.Find("m" + std::to_string(i));
    ASSERT_NE(pos, ZListpack::kNpos);
    const double got = lp.Score(pos);
    EXPECT_EQ(got, scores[i]) << i;
    EXPECT_EQ(std::signbit(got), std::signbit(scores[i])) << i;
  }
  // Order and both walking directions agree with the mixed entry sizes.
  std::vector<double> fwd, back;
  for (size_t p = lp.First(); p != ZListpack::kNpos; p = lp.Next(p)) fwd.push_back(lp.Score(p));
  for (size_t p = lp.Last(); p != ZListpack::kNpos; p = lp.Prev(p)) back.push_back(lp.Score(p));
  EXPECT_TRUE(std::is_sorted(fwd.begin(), fwd.end()));
  std::reverse(back.begin(), back.end());
  EXPECT_EQ(fwd, back);
  // A short member with a small integral score takes 3 bytes of overhead.
  ZListpack small;
  small.Insert(7, "abcdefghij");
  EXPECT_EQ(small.bytes(), 13u);
}

// Reference model: member -> score plus the (score, member) order.
struct RefZSet {
  std::map<std::string, double> scores;
  std::set<std::pair<double, std::string>> order;
  void Put(const std::string& m, double s) {
    auto it = scores.find(m);
    if (it != scores.end()) order.erase({it->second, m});
    scores[m] = s;
    order.insert({s, m});
  }
  void Del(const std::string& m) {
    auto it = scores.find(m);
    if (it == scores.end()) return;
    order.erase({it->second, m});
    scores.erase(it);
  }
};

void CheckZSet(const ZSet& z, const RefZSet& ref) {
  ASSERT_TRUE(z.Validate());
  ASSERT_EQ(z.size(), ref.order.size());
  auto it = z.Begin();
  for (const auto& [s, m] : ref.order) {
    ASSERT_TRUE(it.Valid());
    ASSERT_EQ(it.member(), m);
    ASSERT_EQ(it.score(), s);
    it.Next();
  }
  ASSERT_FALSE(it.Valid());
}

std::string RandomMember(std::mt19937_64& rng, size_t long_every, size_t members) {
  if (long_every && rng() % long_every == 0) return std::string(70, 'L') + std::to_string(rng() % 50);
  return "m" + std::to_string(rng() % members);
}

void RandomZSetRun(const ZSetLimits& limits, uint64_t seed, size_t long_every,
                   size_t members = 400, int rounds = 20000) {
  std::mt19937_64 rng(seed);
  ZSet z;
  RefZSet ref;
  for (int round = 0; round < rounds; ++round) {
    const std::string m = RandomMember(rng, long_every, members);
    const double s = static_cast<double>(static_cast<int>(rng() % 50) - 25) / 2;
    switch (rng() % 8) {
      case 0:
      case 1:
      case 2: {
        double out;
        auto r = z.Add(m, s, 0, limits, &out);
        const bool existed = ref.scores.count(m) > 0;
        const bool changed = existed && ref.scores[m] != s;
        ASSERT_EQ(r, !existed ? ZSet::AddResult::kAdded
                              : (changed ? ZSet::AddResult::kUpdated : ZSet::AddResult::kUnchanged));
        ref.Put(m, s);
        break;
      }
      case 3: {
        double out;
        auto r = z.Add(m, s, ZSet::kAddIncr | ZSet::kAddXx, limits, &out);
        if (ref.scores.count(m)) {
          ASSERT_NE(r, ZSet::AddResult::kSkipped);
          ref.Put(m, ref.scores[m] + s);
          ASSERT_EQ(out, ref.scores[m]);
        } else {
          ASSERT_EQ(r, ZSet::AddResult::kSkipped);
        }
        break;
      }
      case 4: {
        ASSERT_EQ(z.Remove(m), ref.scores.count(m) == 1);
        ref.Del(m);
        break;
      }
      case 5: {
        double got;
        const bool has = z.Score(m, &got);
        ASSERT_EQ(has, ref.scores.count(m) == 1);
        if (has) {
          ASSERT_EQ(got, ref.scores[m]);
          auto pos = ref.order.find({got, m});
          const auto rank = static_cast<int64_t>(std::distance(ref.order.begin(), pos));
          ASSERT_EQ(z.Rank(m, false), rank);
          ASSERT_EQ(z.Rank(m, true), static_cast<int64_t>(ref.order.size()) - 1 - rank);
        } else {
          ASSERT_EQ(z.Rank(m, false), -1);
        }
        break;
      }
      case 6: {
        ZScoreRange r;
        r.min = static_cast<double>(static_cast<int>(rng() % 60) - 30) / 2;
        r.max = static_cast<double>(static_cast<int>(rng() % 60) - 30) / 2;
        r.min_exclusive = rng() % 2;
        r.max_exclusive = rng() % 2;
        if (rng() % 10 == 0) r.min = -std::numeric_limits<double>::infinity();
        auto span = z.ScoreSpan(r);
        size_t first = 0, count = 0, rank = 0;
        bool seen = false;
        for (const auto& [sc, mm] : ref.order) {
          if (r.AboveMin(sc) && r.BelowMax(sc)) {
            if (!seen) first = rank;
            seen = true;
            ++count;
          }
          ++rank;
        }
        ASSERT_EQ(span.count, count);
        if (count) {
          ASSERT_EQ(span.first, first);
        }
        break;
      }
      case 7: {
        if (ref.order.empty()) break;
        if (rng() % 4 == 0) {
          const size_t first = rng() % ref.order.size();
          const size_t count = std::min<size_t>(rng() % 5, ref.order.size() - first);
          z.RemoveRange(first, count);
          auto b = std::next(ref.order.begin(), static_cast<long>(first));
          for (size_t i = 0; i < count; ++i) {
            ref.scores.erase(b->second);
            b = ref.order.erase(b);
          }
        } else {
          const bool max = rng() % 2;
          std::string pm;
          double ps;
          z.Pop(max, &pm, &ps);
          auto want = max ? std::prev(ref.order.end()) : ref.order.begin();
          ASSERT_EQ(pm, want->second);
          ASSERT_EQ(ps, want->first);
          ref.Del(pm);
        }
        break;
      }
    }
    if (round % (rounds / 10) == 0) CheckZSet(z, ref);
  }
  CheckZSet(z, ref);
  auto clone = z.Clone();
  CheckZSet(static_cast<ZSet&>(*clone), ref);
}

TEST(ZSetTest, RandomListpackOnly) { RandomZSetRun({100000, 100000}, 2, 0); }
TEST(ZSetTest, RandomSkiplistOnly) { RandomZSetRun({0, 0}, 3, 0); }
TEST(ZSetTest, RandomMixedConversions) { RandomZSetRun({128, 64}, 4, 500); }
// Thousands of members: a three-level tree, splits, merges and refills.
TEST(ZSetTest, RandomLargeSkiplist) { RandomZSetRun({0, 0}, 5, 0, 10000, 60000); }

TEST(ZSetTest, ConversionsAndEncodingNames) {
  ZSetLimits limits{4, 8};
  ZSet z;
  double out;
  EXPECT_STREQ(z.encoding(), "listpack");
  for (int i = 0; i < 4; ++i) z.Add("m" + std::to_string(i), i, 0, limits, &out);
  EXPECT_STREQ(z.encoding(), "listpack");
  z.Add("m4", 4, 0, limits, &out);
  EXPECT_STREQ(z.encoding(), "skiplist");
  // Shrinking never converts back by itself.
  z.Remove("m4");
  EXPECT_STREQ(z.encoding(), "skiplist");
  z.MaybeConvertToListpack(2, limits);
  EXPECT_STREQ(z.encoding(), "listpack");
  ASSERT_TRUE(z.Validate());
  z.Add("a-long-member", 1, 0, limits, &out);
  EXPECT_STREQ(z.encoding(), "skiplist");
  EXPECT_EQ(ZSet::ForFirstMember(9, limits)->encoding(), std::string("skiplist"));
  EXPECT_EQ(ZSet::ForFirstMember(8, limits)->encoding(), std::string("listpack"));
  EXPECT_EQ(ZSet::ForFirstMember(1, {0, 64})->encoding(), std::string("skiplist"));
}

TEST(ZSetTest, AddFlagsFollowRedis) {
  ZSetLimits limits;
  for (bool big : {false, true}) {
    ZSet z(big ? ZSet::Encoding::kSkiplist : ZSet::Encoding::kListpack);
    double out = 0;
    EXPECT_EQ(z.Add("a", 5, ZSet::kAddXx, limits, &out), ZSet::AddResult::kSkipped);
    EXPECT_EQ(z.Add("a", 5, ZSet::kAddNx, limits, &out), ZSet::AddResult::kAdded);
    EXPECT_EQ(z.Add("a", 6, ZSet::kAddNx, limits, &out), ZSet::AddResult::kSkipped);
    EXPECT_EQ(z.Add("a", 4, ZSet::kAddGt, limits, &out), ZSet::AddResult::kSkipped);
    EXPECT_EQ(z.Add("a", 5, ZSet::kAddGt, limits, &out), ZSet::AddResult::kSkipped);
    EXPECT_EQ(z.Add("a", 7, ZSet::kAddGt, limits, &out), ZSet::AddResult::kUpdated);
    EXPECT_EQ(z.Add("a", 8, ZSet::kAddLt, limits, &out), ZSet::AddResult::kSkipped);
    EXPECT_EQ(z.Add("a", 0, ZSet::kAddIncr | ZSet::kAddGt, limits, &out),
              ZSet::AddResult::kSkipped);
    EXPECT_EQ(z.Add("a", 0, ZSet::kAddIncr, limits, &out), ZSet::AddResult::kUnchanged);
    EXPECT_EQ(out, 7);
    const double inf = std::numeric_limits<double>::infinity();
    EXPECT_EQ(z.Add("b", inf, 0, limits, &out), ZSet::AddResult::kAdded);
    EXPECT_EQ(z.Add("b", -inf, ZSet::kAddIncr, limits, &out), ZSet::AddResult::kNaN);
    EXPECT_EQ(z.Add("c", std::nan(""), 0, limits, &out), ZSet::AddResult::kNaN);
    // GT adds new members anyway (Redis does).
    EXPECT_EQ(z.Add("d", -1, ZSet::kAddGt, limits, &out), ZSet::AddResult::kAdded);
    // -0 is kept by the tree but not by the listpack (as in Redis).
    EXPECT_EQ(z.Add("z", -0.0, 0, limits, &out), ZSet::AddResult::kAdded);
    double s;
    ASSERT_TRUE(z.Score("z", &s));
    EXPECT_EQ(std::signbit(s), big);
    ASSERT_TRUE(z.Validate());
  }
}

TEST(ZSetTest, LexSpans) {
  ZSetLimits limits;
  for (bool big : {false, true}) {
    ZSet z(big ? ZSet::Encoding::kSkiplist : ZSet::Encoding::kListpack);
    double out;
    for (const char* m : {"a", "b", "c", "d", "e"}) z.Add(m, 0, 0, limits, &out);
    auto bound = [](const char* spec) {
      ZLexBound b;
      if (spec[0] == '-') return b;
      if (spec[0] == '+') {
        b.kind = ZLexBound::Kind::kPosInf;
        return b;
      }
      b.kind = ZLexBound::Kind::kValue;
      b.exclusive = spec[0] == '(';
      b.value = spec + 1;
      return b;
    };
    auto span = [&](const char* lo, const char* hi, bool rev = false) {
      ZLexRange r{bound(lo), bound(hi)};
      auto s = z.LexSpan(r, rev);
      return std::make_pair(s.first, s.count);
    };
    using P = std::pair<size_t, size_t>;
    EXPECT_EQ(span("-", "+"), P(0, 5));
    EXPECT_EQ(span("-", "+", true), P(0, 5));
    EXPECT_EQ(span("[b", "[d"), P(1, 3));
    EXPECT_EQ(span("(b", "(d", true), P(2, 1));
    EXPECT_EQ(span("[c", "(c").second, 0u);
    EXPECT_EQ(span("+", "-").second, 0u);
    EXPECT_EQ(span("-", "-").second, 0u);
    EXPECT_EQ(span("[z", "+").second, 0u);
    EXPECT_EQ(span("[aa", "[bb"), P(1, 1));
  }
}

TEST(ZSetTest, ScanVisitsEverything) {
  ZSetLimits limits{0, 0};
  ZSet z(ZSet::Encoding::kSkiplist);
  double out;
  for (int i = 0; i < 1000; ++i) z.Add("m" + std::to_string(i), i, 0, limits, &out);
  std::set<std::string> seen;
  uint64_t cursor = 0;
  do {
    cursor = z.Scan(cursor, [&](std::string_view m, double) { seen.emplace(m); });
  } while (cursor != 0);
  EXPECT_EQ(seen.size(), 1000u);
}

}  // namespace
}  // namespace grabkv::storage
