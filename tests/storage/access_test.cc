// Per-key access metadata (storage/access.h) and the keyspace's use of it:
// LRU clock and idle time, the LFU counter's growth and decay, touch rules,
// sampling for eviction and Db::Evict.
#include "storage/access.h"

#include <gtest/gtest.h>

#include <random>

#include "storage/db.h"

namespace grabkv::storage {
namespace {

constexpr int64_t kT0 = 1700000000000;  // some time in ms

TEST(AccessTest, LruIdleTimeWrapsAround) {
  const uint32_t lru = LruClock(kT0);
  EXPECT_EQ(LruIdleMs(lru, kT0), 0u);
  EXPECT_EQ(LruIdleMs(lru, kT0 + 5000), 5000u);
  // A clock value "ahead" of now: the 24-bit clock wrapped in between.
  const uint32_t ahead = (LruClock(kT0) + 10) & kLruClockMax;
  EXPECT_EQ(LruIdleMs(ahead, kT0), (uint64_t{kLruClockMax} - 10) * 1000);
}

TEST(AccessTest, LfuCounterGrowsLogarithmicallyAndDecays) {
  AccessTracker t;
  t.lfu = true;
  uint32_t meta = t.Initial(kT0);
  EXPECT_EQ(t.LfuCounter(meta, kT0), kLfuInitVal);
  meta = t.Touch(meta, kT0);  // at the initial value the increment is certain
  EXPECT_EQ(t.LfuCounter(meta, kT0), kLfuInitVal + 1);
  for (int i = 0; i < 100000; ++i) meta = t.Touch(meta, kT0);
  const uint32_t c = t.LfuCounter(meta, kT0);
  // log_factor 10: 100k hits land far below the 255 ceiling but well above
  // a linear count's first steps (Redis's table: ~ 50 at 100K hits).
  EXPECT_GT(c, 20u);
  EXPECT_LT(c, 255u);
  // One point of decay per lfu-decay-time minute.
  EXPECT_EQ(t.LfuCounter(meta, kT0 + 3 * 60000), c - 3);
  t.decay_time = 0;
  EXPECT_EQ(t.LfuCounter(meta, kT0 + 3 * 60000), c);
  t.decay_time = 1;
  EXPECT_EQ(t.LfuCounter(meta, kT0 + 1000 * 60000), 0u);
  // Eviction prefers the least used: a higher score.
  EXPECT_GT(t.EvictionScore(t.Initial(kT0), kT0), t.EvictionScore(meta, kT0));
}

TEST(AccessTest, KeyspaceRecordsAccessesInTheFlagsWord) {
  AccessTracker t;
  Db db(0);
  db.set_access_tracker(&t);
  db.Set("k", Value(), kT0);
  Db::Entry* e = db.Find("k", kT0 + 1000, /*touch=*/false);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(Db::AccessMeta(e), LruClock(kT0));
  db.SetExpire(e, kT0 + 100000);
  e = db.Find("k", kT0 + 7000);  // touches
  EXPECT_EQ(Db::AccessMeta(e), LruClock(kT0 + 7000));
  EXPECT_TRUE(e->flags & Db::kHasExpire);  // the TTL bit is untouched
  EXPECT_EQ(db.GetExpire(e), kT0 + 100000);
}

TEST(AccessTest, SamplingAndEviction) {
  Db db(0);
  std::mt19937_64 rng(1);
  for (int i = 0; i < 100; ++i) db.Set("p" + std::to_string(i), Value(), kT0);
  for (int i = 0; i < 10; ++i) {
    Db::Entry* e = db.Set("v" + std::to_string(i), Value(), kT0);
    db.SetExpire(e, kT0 + 1000);
  }
  size_t seen = 0;
  db.SampleKeys(/*volatile_only=*/true, 5, rng, [&](const Db::Entry& e, int64_t expire) {
    EXPECT_EQ(e.key()[0], 'v');
    EXPECT_EQ(expire, kT0 + 1000);
    ++seen;
  });
  EXPECT_GT(seen, 0u);
  EXPECT_LE(seen, 5u);
  seen = 0;
  db.SampleKeys(false, 16, rng, [&](const Db::Entry&, int64_t) { ++seen; });
  EXPECT_GT(seen, 0u);
  EXPECT_TRUE(db.Evict("v3"));
  EXPECT_FALSE(db.Evict("v3"));
  EXPECT_EQ(db.expires_size(), 9u);
  EXPECT_EQ(db.size(), 109u);
}

}  // namespace
}  // namespace grabkv::storage
