#include "storage/dict.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

namespace grabkv::storage {
namespace {

// Counts live instances, so a test can prove that every constructed value is
// destroyed exactly once (a double destroy drives the count negative or
// trips the poison check).
struct Counted {
  static inline int64_t live = 0;
  static inline int64_t constructed = 0;
  int64_t v = 0;
  uint64_t magic = kAlive;
  static constexpr uint64_t kAlive = 0xC0FFEE;

  Counted() {
    ++live;
    ++constructed;
  }
  Counted(Counted&& o) noexcept : v(o.v) {
    ++live;
    ++constructed;
  }
  Counted& operator=(Counted&& o) noexcept {
    v = o.v;
    return *this;
  }
  ~Counted() {
    EXPECT_EQ(magic, kAlive) << "destroyed twice";
    magic = 0;
    --live;
  }
};

class CountedTest : public ::testing::Test {
 protected:
  void SetUp() override { Counted::live = 0; }
  void TearDown() override { EXPECT_EQ(Counted::live, 0); }
};

std::string Key(int i) { return "key:" + std::to_string(i); }

TEST(DictTest, EmptyDict) {
  Dict<int> d;
  EXPECT_EQ(d.size(), 0u);
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(d.Find("a"), nullptr);
  EXPECT_FALSE(d.Erase("a"));
  EXPECT_EQ(d.Unlink("a"), nullptr);
  std::mt19937_64 rng(1);
  EXPECT_EQ(d.Random(rng), nullptr);
  int calls = 0;
  EXPECT_EQ(d.Scan(0, [&](Dict<int>::Entry*) { ++calls; }), 0u);
  EXPECT_EQ(calls, 0);
  EXPECT_FALSE(d.RehashStep(100));
  EXPECT_EQ(d.MemoryUsage(), 0u);
  const Dict<int>& cd = d;
  EXPECT_EQ(cd.Find("a"), nullptr);
}

TEST(DictTest, InsertFindErase) {
  Dict<int> d;
  auto [e, inserted] = d.Insert("hello");
  ASSERT_TRUE(inserted);
  EXPECT_EQ(e->key(), "hello");
  EXPECT_EQ(e->value, 0);
  EXPECT_EQ(e->flags, 0u);
  EXPECT_EQ(e->hash, Dict<int>::HashKey("hello"));
  e->value = 42;
  auto [e2, inserted2] = d.Insert("hello");
  EXPECT_FALSE(inserted2);
  EXPECT_EQ(e2, e);
  EXPECT_EQ(d.Find("hello")->value, 42);
  EXPECT_EQ(d.Find("hell"), nullptr);
  EXPECT_EQ(d.Find("hello!"), nullptr);
  EXPECT_EQ(d.size(), 1u);
  EXPECT_TRUE(d.Erase("hello"));
  EXPECT_FALSE(d.Erase("hello"));
  EXPECT_EQ(d.Find("hello"), nullptr);
  EXPECT_TRUE(d.empty());
}

TEST(DictTest, KeyIsNulTerminatedAndBinarySafe) {
  Dict<int> d;
  const std::string a("a\0b", 3), b("a\0c", 3), c("a", 1), z("\0", 1), zz("\0\0", 2);
  for (const std::string& k : {a, b, c, z, zz}) ASSERT_TRUE(d.Insert(k).second);
  ASSERT_TRUE(d.Insert("").second);
  EXPECT_EQ(d.size(), 6u);
  for (const std::string& k : {a, b, c, z, zz, std::string()}) {
    Dict<int>::Entry* e = d.Find(k);
    ASSERT_NE(e, nullptr);
    EXPECT_EQ(e->key(), k);
    EXPECT_EQ(e->key_len, k.size());
    EXPECT_EQ(e->key_data[k.size()], '\0');
  }
  EXPECT_EQ(d.Find(std::string("a\0d", 3)), nullptr);
  EXPECT_EQ(d.Find(std::string("\0\0\0", 3)), nullptr);
  // A default string_view (null data) is the same empty key.
  EXPECT_EQ(d.Find(std::string_view()), d.Find(""));
  EXPECT_FALSE(d.Insert(std::string_view()).second);
  EXPECT_TRUE(d.Erase(std::string_view()));
  EXPECT_EQ(d.Find(""), nullptr);
  EXPECT_TRUE(d.Insert(std::string_view()).second);
  EXPECT_TRUE(d.Erase(""));
  EXPECT_NE(d.Find(z), nullptr);
}

TEST(DictTest, LongKeys) {
  Dict<std::string> d;
  std::vector<std::string> keys;
  for (int len : {15, 16, 17, 31, 32, 33, 100, 1000, 100000}) {
    keys.push_back(std::string(len, 'x'));
    keys.push_back(std::string(len - 1, 'x') + "y");
  }
  for (const std::string& k : keys) d.Insert(k).first->value = k;
  EXPECT_EQ(d.size(), keys.size());
  for (const std::string& k : keys) {
    ASSERT_NE(d.Find(k), nullptr);
    EXPECT_EQ(d.Find(k)->value, k);
  }
}

TEST(DictTest, HashBytesIsDeterministicAndSpreads) {
  EXPECT_EQ(HashBytes("abc"), HashBytes(std::string("abc")));
  std::unordered_set<uint64_t> hashes;
  std::unordered_set<uint32_t> low_bits;
  for (int len = 0; len <= 40; ++len) {
    for (int i = 0; i < 200; ++i) {
      std::string s(len, '\0');
      for (int j = 0; j < len; ++j) s[j] = static_cast<char>((i * 31 + j * 7) & 0xff);
      if (len > 0) s[i % len] ^= static_cast<char>(i);
      hashes.insert(HashBytes(s));
    }
  }
  // Distinct inputs (up to the few duplicates the generator makes) must not
  // collide in 64 bits.
  EXPECT_GT(hashes.size(), 41u * 200u * 9 / 10);
  // Sequential keys fill the low bits (bucket index) evenly.
  std::vector<int> buckets(1024);
  for (int i = 0; i < 1024 * 64; ++i) ++buckets[Dict<int>::HashKey(Key(i)) & 1023];
  for (int n : buckets) {
    EXPECT_GT(n, 20);
    EXPECT_LT(n, 120);
  }
}

TEST(DictTest, GrowsAndShrinksIncrementally) {
  Dict<int> d;
  bool saw_rehash = false;
  for (int i = 0; i < 10000; ++i) {
    d.Insert(Key(i)).first->value = i;
    saw_rehash |= d.rehashing();
  }
  EXPECT_TRUE(saw_rehash);
  while (d.RehashStep(100)) {
  }
  EXPECT_EQ(d.bucket_count(), 16384u);  // load factor <= 1
  for (int i = 0; i < 10000; ++i) ASSERT_EQ(d.Find(Key(i))->value, i);
  saw_rehash = false;
  for (int i = 0; i < 9990; ++i) {
    ASSERT_TRUE(d.Erase(Key(i)));
    saw_rehash |= d.rehashing();
  }
  EXPECT_TRUE(saw_rehash);
  while (d.RehashStep(100)) {
  }
  EXPECT_LE(d.bucket_count(), 64u);
  for (int i = 9990; i < 10000; ++i) ASSERT_EQ(d.Find(Key(i))->value, i);
  for (int i = 9990; i < 10000; ++i) ASSERT_TRUE(d.Erase(Key(i)));
  while (d.RehashStep(100)) {
  }
  EXPECT_EQ(d.bucket_count(), 4u);
  // A huge step count finishes any rehash in one call.
  size_t n = 0;
  while (!d.rehashing() || n < 3000) d.Insert(Key(static_cast<int>(n++)));
  EXPECT_TRUE(d.RehashStep(0));  // no progress asked, none made
  EXPECT_FALSE(d.RehashStep(SIZE_MAX));
  EXPECT_EQ(d.size(), n);
}

TEST(DictTest, EntryPointersAndFlagsSurviveRehash) {
  Dict<int> d;
  std::vector<Dict<int>::Entry*> ptrs;
  for (int i = 0; i < 100; ++i) {
    auto* e = d.Insert(Key(i)).first;
    e->flags = i * 3;
    e->value = i;
    ptrs.push_back(e);
  }
  for (int i = 100; i < 5000; ++i) d.Insert(Key(i));
  while (d.RehashStep(1)) {
  }
  for (int i = 0; i < 100; ++i) {
    EXPECT_EQ(d.Find(Key(i)), ptrs[i]);
    EXPECT_EQ(ptrs[i]->flags, uint32_t(i * 3));
    EXPECT_EQ(ptrs[i]->value, i);
  }
}

// Random operations against std::unordered_map, with the rehash stepped at
// random too, so lookups and erases hit every split of entries between the
// two tables.
TEST(DictTest, RandomOperationsMatchReference) {
  std::mt19937_64 rng(12345);
  for (int round = 0; round < 6; ++round) {
    Dict<std::string> d;
    std::unordered_map<std::string, std::string> ref;
    int key_space = 16 << (round * 2);  // 16 .. 16K distinct keys
    int rehash_ops = 0;
    for (int op = 0; op < 60000; ++op) {
      std::string k = "k" + std::to_string(rng() % key_space);
      // Phases: mostly inserts, then mostly erases, so the table both grows
      // and shrinks several times.
      bool grow_phase = (op / 10000) % 2 == 0;
      int r = static_cast<int>(rng() % 100);
      rehash_ops += d.rehashing();
      if (r < (grow_phase ? 55 : 20)) {
        auto [e, ins] = d.Insert(k);
        ASSERT_EQ(ins, ref.count(k) == 0) << k;
        std::string v = "v" + std::to_string(op);
        e->value = v;
        ref[k] = v;
      } else if (r < 80) {
        bool erased = d.Erase(k);
        ASSERT_EQ(erased, ref.erase(k) == 1) << k;
      } else if (r < 85) {
        Dict<std::string>::Entry* e = d.Unlink(k);
        ASSERT_EQ(e != nullptr, ref.erase(k) == 1) << k;
        if (e != nullptr) {
          EXPECT_EQ(e->key(), k);
          Dict<std::string>::FreeEntry(e);
        }
      } else if (r < 95) {
        Dict<std::string>::Entry* e = d.Find(k);
        auto it = ref.find(k);
        ASSERT_EQ(e != nullptr, it != ref.end()) << k;
        if (e != nullptr) {
          ASSERT_EQ(e->value, it->second);
        }
        const Dict<std::string>& cd = d;
        ASSERT_EQ(cd.Find(k), e);
      } else if (r < 97) {
        d.RehashStep(rng() % 4);
      } else {
        Dict<std::string>::Entry* e = d.Random(rng);
        ASSERT_EQ(e == nullptr, ref.empty());
        if (e != nullptr) {
          auto it = ref.find(std::string(e->key()));
          ASSERT_NE(it, ref.end());
          ASSERT_EQ(it->second, e->value);
        }
      }
      ASSERT_EQ(d.size(), ref.size());
      if (op % 5000 == 0) {
        size_t seen = 0;
        d.ForEach([&](Dict<std::string>::Entry* e) {
          ++seen;
          auto it = ref.find(std::string(e->key()));
          ASSERT_NE(it, ref.end());
          EXPECT_EQ(it->second, e->value);
        });
        EXPECT_EQ(seen, ref.size());
      }
    }
    if (key_space >= 256) {
      EXPECT_GT(rehash_ops, 0) << "round " << round;
    }
    // MemoryUsage tracks entries exactly as they come and go.
    size_t expect = 0;
    d.ForEach([&](const Dict<std::string>::Entry& e) {
      (void)e;
      ++expect;
    });
    EXPECT_EQ(expect, ref.size());
    EXPECT_GE(d.MemoryUsage(), d.bucket_count() * sizeof(void*) + 32 * ref.size());
  }
}

// Collects every key returned by a full scan, changing the table between
// calls with `mutate`.
template <typename V, typename Mutate>
std::vector<std::string> FullScan(Dict<V>& d, Mutate&& mutate, size_t max_calls = 1 << 22) {
  std::vector<std::string> seen;
  uint64_t cursor = 0;
  size_t calls = 0;
  do {
    cursor = d.Scan(cursor, [&](typename Dict<V>::Entry* e) { seen.emplace_back(e->key()); });
    mutate();
    if (++calls > max_calls) {
      ADD_FAILURE() << "scan does not terminate";
      break;
    }
  } while (cursor != 0);
  return seen;
}

TEST(DictScanTest, StaticTableVisitsEachEntryOnce) {
  for (int n : {0, 1, 3, 4, 5, 100, 1000, 4097}) {
    Dict<int> d;
    for (int i = 0; i < n; ++i) d.Insert(Key(i));
    // Frozen both with and without a rehash in progress: Scan does no step.
    for (int pass = 0; pass < 2; ++pass) {
      auto seen = FullScan(d, [] {});
      ASSERT_EQ(seen.size(), static_cast<size_t>(n)) << "n=" << n << " rehashing=" << d.rehashing();
      ASSERT_EQ(std::set<std::string>(seen.begin(), seen.end()).size(), seen.size());
      while (d.RehashStep(1000)) {
      }
    }
  }
}

// The SCAN guarantee: keys present for the whole scan are all returned, while
// other keys come and go between calls, making the table grow, shrink and
// sit in the middle of rehashes.
TEST(DictScanTest, StableKeysSeenAcrossGrowAndShrink) {
  std::mt19937_64 rng(777);
  int scans_while_rehashing = 0;
  for (int round = 0; round < 300; ++round) {
    Dict<int> d;
    const int stable = 1 + static_cast<int>(rng() % 200);
    for (int i = 0; i < stable; ++i) d.Insert("s" + std::to_string(i));
    std::vector<std::string> transient;
    int next_transient = 0;
    // Start from a random size, possibly mid-rehash.
    for (int i = static_cast<int>(rng() % 3000); i > 0; --i) {
      transient.push_back("t" + std::to_string(next_transient++));
      d.Insert(transient.back());
    }
    const int mode = round % 3;  // 0: grow, 1: shrink, 2: both at random
    // A scan visits about one bucket per call, so unbounded growth would
    // outrun it forever; growth stops at a cap.
    const size_t cap = 500 + rng() % 8000;
    auto mutate = [&] {
      bool grow = mode == 0 || (mode == 2 && rng() % 2 == 0);
      int n = static_cast<int>(rng() % 40);
      for (int i = 0; i < n; ++i) {
        if (grow && transient.size() < cap) {
          transient.push_back("t" + std::to_string(next_transient++));
          d.Insert(transient.back());
        } else if (!transient.empty()) {
          size_t j = rng() % transient.size();
          ASSERT_TRUE(d.Erase(transient[j]));
          transient[j] = transient.back();
          transient.pop_back();
        }
      }
      if (rng() % 4 == 0) d.RehashStep(rng() % 50);
    };
    auto seen_list = FullScan(d, [&] {
      mutate();
      scans_while_rehashing += d.rehashing();
    });
    const std::unordered_set<std::string> seen(seen_list.begin(), seen_list.end());
    for (int i = 0; i < stable; ++i) {
      ASSERT_TRUE(seen.count("s" + std::to_string(i)))
          << "round " << round << " lost s" << i << " (stable=" << stable << ", mode=" << mode << ")";
    }
    // Everything returned existed at some point (no garbage keys).
    for (const std::string& k : seen) ASSERT_TRUE(k[0] == 's' || k[0] == 't');
  }
  EXPECT_GT(scans_while_rehashing, 1000);
}

// A cursor from a large table continues correctly on a table that shrank to
// the minimum and grew back while the scan was paused.
TEST(DictScanTest, DrasticResizeBetweenCalls) {
  std::mt19937_64 rng(99);
  for (int round = 0; round < 50; ++round) {
    Dict<int> d;
    for (int i = 0; i < 8; ++i) d.Insert("s" + std::to_string(i));
    int t = 0;
    int live_from = 0;
    auto mutate = [&] {
      if (rng() % 2 && t - live_from < 40000) {
        for (int i = 0; i < 5000; ++i) d.Insert("t" + std::to_string(t++));
      } else {
        for (; live_from < t; ++live_from) d.Erase("t" + std::to_string(live_from));
      }
      for (int i = static_cast<int>(rng() % 3); i > 0; --i) d.RehashStep(1 + rng() % 100000);
    };
    auto seen_list = FullScan(d, mutate, 100000);
    const std::set<std::string> seen(seen_list.begin(), seen_list.end());
    for (int i = 0; i < 8; ++i) ASSERT_TRUE(seen.count("s" + std::to_string(i))) << round;
  }
}

TEST(DictRandomTest, ReturnsLiveEntriesAndCoversAll) {
  std::mt19937_64 rng(5);
  Dict<int> d;
  for (int i = 0; i < 1000; ++i) d.Insert(Key(i)).first->value = i;
  std::vector<int> hits(1000);
  for (int i = 0; i < 200000; ++i) {
    Dict<int>::Entry* e = d.Random(rng);
    ASSERT_NE(e, nullptr);
    ASSERT_EQ(e->key(), Key(e->value));
    ++hits[e->value];
  }
  // ~200 expected per entry; an entry deep in a rare long chain gets fewer.
  for (int i = 0; i < 1000; ++i) EXPECT_GT(hits[i], 5) << Key(i);
}

// SPOP/SRANDMEMBER draw prizes: an entry that shares its bucket must be as
// likely as one alone in its bucket. Entries are grouped by the length of
// their chain; each group's mean number of draws must match the uniform
// expectation (groups of a handful of entries are too noisy to judge).
TEST(DictRandomTest, EntriesEquallyLikelyWhateverTheirChain) {
  std::mt19937_64 rng(11);
  Dict<int> d;
  const int n = 3000;
  for (int i = 0; i < n; ++i) d.Insert(Key(i)).first->value = i;
  while (d.RehashStep(1 << 20)) {
  }
  ASSERT_FALSE(d.rehashing());
  const size_t mask = d.bucket_count() - 1;
  std::map<size_t, int> chain_of_bucket;
  std::vector<size_t> bucket(n);
  d.ForEach([&](Dict<int>::Entry* e) {
    bucket[e->value] = e->hash & mask;
    ++chain_of_bucket[e->hash & mask];
  });
  const int per_entry = 1000;
  std::vector<int> hits(n);
  for (int k = 0; k < n * per_entry; ++k) ++hits[d.Random(rng)->value];
  std::map<int, std::pair<double, int>> by_len;  // chain length -> (draws, entries)
  for (int i = 0; i < n; ++i) {
    auto& g = by_len[chain_of_bucket[bucket[i]]];
    g.first += hits[i];
    ++g.second;
  }
  int judged = 0;
  for (const auto& [len, g] : by_len) {
    if (g.second < 20) continue;
    double mean = g.first / g.second;
    if (len <= static_cast<int>(Dict<int>::kFairChain)) {
      EXPECT_NEAR(mean, per_entry, per_entry * 0.05) << "chain length " << len;
      ++judged;
    }
  }
  EXPECT_GE(judged, 2);  // at least chains of 1 and 2 were compared
}

TEST(DictRandomTest, DuringRehashAndSparseTables) {
  std::mt19937_64 rng(6);
  Dict<int> d;
  std::set<int> live;
  // Grow until a rehash is in progress, then sample while it is.
  int i = 0;
  while (!d.rehashing() || i < 1000) {
    d.Insert(Key(i)).first->value = i;
    live.insert(i++);
  }
  ASSERT_TRUE(d.rehashing());
  // Entries in long chains are drawn less often (1 / (non-empty buckets x
  // chain length)), so draw enough that even a chain of 8 is covered.
  std::set<int> seen;
  for (int k = 0; k < 200000; ++k) {
    Dict<int>::Entry* e = d.Random(rng);
    ASSERT_TRUE(live.count(e->value));
    seen.insert(e->value);
  }
  EXPECT_EQ(seen, live);
  // Erase nearly everything: the table shrinks (and is sparse meanwhile).
  for (int k = 0; k + 3 < i; ++k) {
    d.Erase(Key(k));
    live.erase(k);
    if (k % 97 == 0 && !live.empty()) {
      ASSERT_TRUE(live.count(d.Random(rng)->value));
    }
  }
  seen.clear();
  for (int k = 0; k < 1000; ++k) seen.insert(d.Random(rng)->value);
  EXPECT_EQ(seen, live);
}

TEST(DictRandomTest, SparseOldTableDuringShrinkStillTerminates) {
  std::mt19937_64 rng(7);
  Dict<int> d;
  for (int i = 0; i < 100000; ++i) d.Insert(Key(i)).first->value = i;
  while (d.RehashStep(1000)) {
  }
  // Trigger a shrink, then drain the old table without stepping much:
  // Unlink/Erase each step once, so most of the 131072 old buckets stay.
  int i = 0;
  while (!d.rehashing()) d.Erase(Key(i++));
  for (; i < 99999; ++i) d.Erase(Key(i));
  ASSERT_EQ(d.size(), 1u);
  for (int k = 0; k < 100; ++k) ASSERT_EQ(d.Random(rng)->value, 99999);
}

TEST_F(CountedTest, NoLeaksOrDoubleDestroys) {
  std::mt19937_64 rng(3);
  {
    Dict<Counted> d;
    std::vector<Dict<Counted>::Entry*> unlinked;
    for (int op = 0; op < 50000; ++op) {
      std::string k = Key(static_cast<int>(rng() % 3000));
      switch (rng() % 4) {
        case 0:
        case 1:
          d.Insert(k).first->value.v = op;
          break;
        case 2:
          d.Erase(k);
          break;
        case 3:
          if (auto* e = d.Unlink(k)) unlinked.push_back(e);
          break;
      }
      EXPECT_EQ(Counted::live, static_cast<int64_t>(d.size() + unlinked.size()));
    }
    for (auto* e : unlinked) Dict<Counted>::FreeEntry(e);
    EXPECT_EQ(Counted::live, static_cast<int64_t>(d.size()));
    // The remaining entries are freed by the destructor.
  }
  EXPECT_EQ(Counted::live, 0);
}

TEST_F(CountedTest, ClearThenReuse) {
  Dict<Counted> d;
  for (int i = 0; i < 1000; ++i) d.Insert(Key(i));
  d.Clear();
  EXPECT_EQ(Counted::live, 0);
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(d.bucket_count(), 0u);
  EXPECT_EQ(d.MemoryUsage(), 0u);
  for (int i = 0; i < 10; ++i) d.Insert(Key(i));
  EXPECT_EQ(Counted::live, 10);
}

TEST_F(CountedTest, TakeMovesEverythingInConstantTime) {
  Dict<Counted> d;
  for (int i = 0; i < 5000; ++i) d.Insert(Key(i)).first->value.v = i;
  const size_t mem = d.MemoryUsage();
  const int64_t before = Counted::constructed;
  Dict<Counted> taken = d.Take();
  EXPECT_EQ(Counted::constructed, before);  // no value moved or copied
  EXPECT_TRUE(d.empty());
  EXPECT_EQ(d.bucket_count(), 0u);
  EXPECT_EQ(d.MemoryUsage(), 0u);
  EXPECT_EQ(taken.size(), 5000u);
  EXPECT_EQ(taken.MemoryUsage(), mem);
  EXPECT_EQ(taken.Find(Key(1234))->value.v, 1234);
  // The source is immediately usable again.
  d.Insert("fresh");
  EXPECT_EQ(d.size(), 1u);
  EXPECT_EQ(d.Find(Key(1)), nullptr);
  // Free the taken table on another thread, as FLUSHALL ASYNC does.
  std::thread t([dict = std::move(taken)]() mutable { dict.Clear(); });
  t.join();
  EXPECT_EQ(Counted::live, 1);
}

TEST_F(CountedTest, TakeDuringRehash) {
  Dict<Counted> d;
  int i = 0;
  while (!d.rehashing() || i < 100) d.Insert(Key(i++));
  Dict<Counted> taken = d.Take();
  EXPECT_TRUE(taken.rehashing());
  EXPECT_FALSE(d.rehashing());
  for (int k = 0; k < i; ++k) ASSERT_NE(taken.Find(Key(k)), nullptr);
  while (taken.RehashStep(10)) {
  }
  EXPECT_EQ(taken.size(), static_cast<size_t>(i));
}

TEST_F(CountedTest, UnlinkAndFreeElsewhere) {
  Dict<Counted> d;
  for (int i = 0; i < 100; ++i) d.Insert(Key(i)).first->value.v = i;
  Dict<Counted>::Entry* e = d.Unlink(Key(42));
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->key(), Key(42));
  EXPECT_EQ(e->value.v, 42);
  EXPECT_EQ(d.Find(Key(42)), nullptr);
  EXPECT_EQ(d.size(), 99u);
  EXPECT_EQ(Counted::live, 100);
  std::thread([e] { Dict<Counted>::FreeEntry(e); }).join();
  EXPECT_EQ(Counted::live, 99);
  // Re-inserting the key makes a new entry.
  EXPECT_TRUE(d.Insert(Key(42)).second);
}

TEST_F(CountedTest, MoveConstructAndAssign) {
  Dict<Counted> a;
  for (int i = 0; i < 300; ++i) a.Insert(Key(i)).first->value.v = i;
  Dict<Counted> b(std::move(a));
  EXPECT_TRUE(a.empty());  // NOLINT(bugprone-use-after-move): moved-from is empty
  EXPECT_EQ(b.size(), 300u);
  EXPECT_EQ(Counted::live, 300);

  Dict<Counted> c;
  for (int i = 0; i < 50; ++i) c.Insert("c" + std::to_string(i));
  EXPECT_EQ(Counted::live, 350);
  c = std::move(b);  // c's own entries are destroyed
  EXPECT_EQ(Counted::live, 300);
  EXPECT_EQ(c.size(), 300u);
  EXPECT_EQ(c.Find(Key(7))->value.v, 7);
  EXPECT_EQ(c.Find("c1"), nullptr);

  Dict<Counted>& alias = c;
  c = std::move(alias);  // self-move leaves it intact
  EXPECT_EQ(c.size(), 300u);

  std::swap(a, c);  // what SWAPDB does
  EXPECT_EQ(a.size(), 300u);
  EXPECT_TRUE(c.empty());
  a.Insert("moved-into");
  EXPECT_EQ(Counted::live, 301);
}

TEST(DictTest, StringValuesWithHeapStorage) {
  // Under ASan this proves the values' own heap memory is released on every
  // path (erase, unlink+free, clear, destructor, move-assign).
  Dict<std::string> d;
  std::string big(1000, 'v');
  for (int i = 0; i < 2000; ++i) d.Insert(Key(i)).first->value = big + std::to_string(i);
  for (int i = 0; i < 500; ++i) d.Erase(Key(i));
  for (int i = 500; i < 600; ++i) Dict<std::string>::FreeEntry(d.Unlink(Key(i)));
  EXPECT_EQ(d.Find(Key(700))->value, big + "700");
  Dict<std::string> other;
  other.Insert("x").first->value = big;
  other = std::move(d);
  EXPECT_EQ(other.size(), 1400u);
}

TEST(DictTest, MemoryUsageTracksEntries) {
  Dict<int> d;
  d.Insert("a");
  const size_t one = d.MemoryUsage();
  EXPECT_GE(one, 4 * sizeof(void*) + 32);
  d.Insert("b");
  EXPECT_GT(d.MemoryUsage(), one);
  d.Erase("b");
  EXPECT_EQ(d.MemoryUsage(), one);
  Dict<int>::FreeEntry(d.Unlink("a"));
  EXPECT_EQ(d.MemoryUsage(), 4 * sizeof(void*));
}

TEST(DictTest, ForEachVisitsAll) {
  Dict<int> d;
  for (int i = 0; i < 777; ++i) d.Insert(Key(i)).first->value = i;
  int64_t sum = 0;
  d.ForEach([&](Dict<int>::Entry* e) { sum += e->value; });
  EXPECT_EQ(sum, 777 * 776 / 2);
  const Dict<int>& cd = d;
  int64_t sum2 = 0;
  cd.ForEach([&](const Dict<int>::Entry& e) { sum2 += e.value; });
  EXPECT_EQ(sum2, sum);
}


// The eviction pool samples with SampleSome and concludes "nothing to
// evict" from an empty sample: a table that is not empty must always give
// at least one entry, even mid-grow, when the new table's upper half is
// still nearly empty (a py_test_maxmemory failure: 18697 keys, no sample).
TEST(DictSampleTest, NeverEmptyWhileEntriesExist) {
  std::mt19937_64 rng(8);
  Dict<int> d;
  int i = 0;
  while (!d.rehashing() || i < 16384) {
    d.Insert(Key(i)).first->value = i;
    ++i;
  }
  for (int k = 0; k < 2000; ++k, ++i) d.Insert(Key(i)).first->value = i;
  ASSERT_TRUE(d.rehashing());
  for (int k = 0; k < 20000; ++k) {
    size_t got = d.SampleSome(rng, 5, [&](Dict<int>::Entry* e) { ASSERT_LT(e->value, i); });
    ASSERT_GE(got, 1u) << "sample " << k;
    ASSERT_LE(got, 5u);
  }
  // A sparse table (a shrink not yet started): one entry left of many.
  Dict<int> sparse;
  for (int k = 0; k < 4096; ++k) sparse.Insert(Key(k));
  while (sparse.RehashStep(1000)) {
  }
  for (int k = 0; k < 4096 / 8; ++k) sparse.Erase(Key(k));  // above the shrink threshold
  for (int k = 4096 / 8; k + 1 < 4096; ++k) sparse.Erase(Key(k));
  ASSERT_EQ(sparse.size(), 1u);
  // At least one visit, and only of the live entry (a sample may meet a
  // bucket twice, as Redis's dictGetSomeKeys may: the pool deduplicates).
  for (int k = 0; k < 1000; ++k) {
    const size_t got = sparse.SampleSome(
        rng, 5, [](Dict<int>::Entry* e) { ASSERT_EQ(e->key(), Key(4095)); });
    ASSERT_GE(got, 1u);
    ASSERT_LE(got, 5u);
  }
}

}  // namespace
}  // namespace grabkv::storage
