#include "server/core/eviction.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "server/core/server_state.h"

namespace grabkv::server {

uint64_t EvictionTimeLimitUs(int64_t tenacity) {
  if (tenacity <= 10) return 50u * static_cast<uint64_t>(tenacity < 0 ? 0 : tenacity);
  if (tenacity < 100) return static_cast<uint64_t>(500.0 * std::pow(1.15, tenacity - 10.0));
  return std::numeric_limits<uint64_t>::max();
}

Evictor::State Evictor::Measure(ServerState& s, bool exact) {
  State st;
  st.reported = exact ? meter_.Refresh() : meter_.Estimate();
  const uint64_t max = static_cast<uint64_t>(s.config().maxmemory);
  if (st.reported <= max) {
    st.counted = st.reported;
    return st;
  }
  // Redis's freeMemoryGetNotCountedMemory: replica output buffers (grabkv
  // has no replicas yet) and the append-only file's buffer.
  const uint64_t not_counted = s.persistence != nullptr ? s.persistence->buffer_bytes() : 0;
  st.counted = st.reported > not_counted ? st.reported - not_counted : 0;
  st.to_free = st.counted > max ? st.counted - max : 0;
  return st;
}

void Evictor::NoteOver(bool over, int64_t now_us) {
  if (over && over_since_us_ == 0) {
    over_since_us_ = now_us;
  } else if (!over && over_since_us_ != 0) {
    total_exceeded_us_ += static_cast<uint64_t>(now_us - over_since_us_);
    over_since_us_ = 0;
  }
}

uint64_t Evictor::current_exceeded_ms(int64_t now_us) const {
  return over_since_us_ != 0 ? static_cast<uint64_t>(now_us - over_since_us_) / 1000 : 0;
}

uint64_t Evictor::total_exceeded_ms(int64_t now_us) const {
  return (total_exceeded_us_ / 1000) + current_exceeded_ms(now_us);
}

size_t Evictor::PopulatePool(ServerState& s, bool volatile_only, int64_t now_ms) {
  const Config& cfg = s.config();
  const storage::AccessTracker& access = s.access_tracker();
  const bool ttl = cfg.maxmemory_policy == MaxmemoryPolicy::kVolatileTtl;
  size_t seen = 0;
  for (storage::Db& db : s.dbs()) {
    if ((volatile_only ? db.expires_size() : db.size()) == 0) continue;
    seen += db.SampleKeys(
        volatile_only, static_cast<size_t>(cfg.maxmemory_samples), s.rng(),
        [&](const storage::Db::Entry& e, int64_t expire_ms) {
          const uint64_t score =
              ttl ? std::numeric_limits<uint64_t>::max() - static_cast<uint64_t>(expire_ms)
                  : access.EvictionScore(storage::Db::AccessMeta(&e), now_ms);
          const std::string_view key = e.key();
          // Already a candidate: keep the fresher score.
          for (Candidate& c : pool_) {
            if (c.db == db.index() && c.key == key) {
              c.score = score;
              std::sort(pool_.begin(), pool_.end(),
                        [](const Candidate& a, const Candidate& b) { return a.score < b.score; });
              return;
            }
          }
          if (pool_.size() == kPoolSize) {
            if (score <= pool_.front().score) return;  // worse than every candidate
            pool_.erase(pool_.begin());
          }
          auto at = std::lower_bound(pool_.begin(), pool_.end(), score,
                                     [](const Candidate& c, uint64_t v) { return c.score < v; });
          pool_.insert(at, Candidate{score, db.index(), std::string(key)});
        });
  }
  return seen;
}

bool Evictor::PickKey(ServerState& s, int* db_index, std::string* key, int64_t now_ms) {
  const MaxmemoryPolicy policy = s.config().maxmemory_policy;
  const bool volatile_only = policy == MaxmemoryPolicy::kVolatileLru ||
                             policy == MaxmemoryPolicy::kVolatileLfu ||
                             policy == MaxmemoryPolicy::kVolatileRandom ||
                             policy == MaxmemoryPolicy::kVolatileTtl;
  auto& dbs = s.dbs();
  if (policy == MaxmemoryPolicy::kAllkeysRandom || policy == MaxmemoryPolicy::kVolatileRandom) {
    for (size_t i = 0; i < dbs.size(); ++i) {
      storage::Db& db = dbs[(++next_db_) % dbs.size()];
      if ((volatile_only ? db.expires_size() : db.size()) == 0) continue;
      // One key from a random place (a one-key sample).
      bool found = false;
      for (int tries = 0; tries < 16 && !found; ++tries) {
        db.SampleKeys(volatile_only, 1, s.rng(), [&](const storage::Db::Entry& e, int64_t) {
          *key = std::string(e.key());
          found = true;
        });
      }
      if (found) {
        *db_index = db.index();
        return true;
      }
    }
    return false;
  }
  // LRU, LFU, TTL: fill the pool, then take the best candidate still there
  // (a candidate may have been deleted or changed since it was sampled).
  while (true) {
    if (PopulatePool(s, volatile_only, now_ms) == 0 && pool_.empty()) return false;
    while (!pool_.empty()) {
      Candidate c = std::move(pool_.back());
      pool_.pop_back();
      storage::Db& db = dbs[static_cast<size_t>(c.db)];
      const storage::Db::Entry* e = db.table().Find(c.key);
      if (e == nullptr || (volatile_only && !(e->flags & storage::Db::kHasExpire))) continue;
      *db_index = c.db;
      *key = std::move(c.key);
      return true;
    }
    // Every candidate was stale: sample again (the keyspace is not empty,
    // or PopulatePool would have seen nothing).
  }
}

Evictor::Result Evictor::Perform(ServerState& s) {
  State st = Measure(s, /*exact=*/false);
  const int64_t start_us = ServerState::NowUs();
  if (st.to_free == 0 && st.reported <= static_cast<uint64_t>(s.config().maxmemory)) {
    NoteOver(false, start_us);
    running_ = false;
    return Result::kOk;
  }
  // Over by the estimate: take the allocator's exact figure before acting.
  st = Measure(s, /*exact=*/true);
  if (st.to_free == 0) {
    NoteOver(false, start_us);
    running_ = false;
    return Result::kOk;
  }
  NoteOver(true, start_us);
  const Config& cfg = s.config();
  if (cfg.maxmemory_policy == MaxmemoryPolicy::kNoeviction) {
    running_ = false;
    return Result::kFail;
  }
  const uint64_t limit_us = EvictionTimeLimitUs(cfg.maxmemory_eviction_tenacity);
  const int64_t now_ms = start_us / 1000;
  uint64_t freed = 0;
  uint64_t keys_freed = 0;
  Result result = Result::kOk;
  int db_index;
  std::string key;
  Propagator& prop = s.propagator();
  prop.Enter();
  const char* del = cfg.lazyfree_lazy_eviction ? "UNLINK" : "DEL";
  while (freed < st.to_free) {
    if (!PickKey(s, &db_index, &key, now_ms)) {
      result = Result::kFail;
      break;
    }
    const uint64_t before = meter_.Estimate();
    const int64_t del_start_us = ServerState::NowUs();
    s.db(db_index).Evict(key);
    s.AddLatencySampleIfNeeded("eviction-del", (ServerState::NowUs() - del_start_us) / 1000);
    const uint64_t after = meter_.Estimate();
    freed += before > after ? before - after : 0;
    ++evicted_keys_;
    prop.Add(db_index, {del, key});
    ++keys_freed;
    if (keys_freed % 16 == 0 &&
        static_cast<uint64_t>(ServerState::NowUs() - start_us) > limit_us) {
      result = Result::kRunning;
      break;
    }
  }
  prop.Leave();
  s.AddLatencySampleIfNeeded("eviction-cycle", (ServerState::NowUs() - start_us) / 1000);
  running_ = result == Result::kRunning;
  if (result == Result::kOk) NoteOver(false, ServerState::NowUs());
  return result;
}

}  // namespace grabkv::server
