// maxmemory enforcement: Redis 7.0's performEvictions.
//
// Before every command (while maxmemory is set) the server asks Perform()
// whether used memory, minus what Redis does not count against the limit
// (the append-only file's buffers), is within maxmemory; if not it evicts
// keys by maxmemory-policy until it is, within a time budget set by
// maxmemory-eviction-tenacity. LRU, LFU and TTL policies pick keys with
// Redis's approximation: maxmemory-samples keys sampled per database feed a
// pool of the 16 best candidates seen so far, and the best live one goes.
//
// An eviction is a deletion through the one write path (Db::Evict: the
// "evicted" keyspace event, WATCH, tracking), propagated as DEL (UNLINK
// under lazyfree-lazy-eviction) and counted in INFO evicted_keys.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "server/core/memory.h"

namespace grabkv::server {

class ServerState;

inline constexpr const char* kOomError =
    "OOM command not allowed when used memory > 'maxmemory'.";

class Evictor {
 public:
  enum class Result { kOk, kRunning, kFail };

  // Frees memory down to maxmemory if needed. kFail: over the limit and
  // nothing (more) can be evicted (noeviction, or no candidate keys);
  // kRunning: the time budget ran out with memory still to free (the
  // server's timer keeps evicting, see running()).
  Result Perform(ServerState& s);
  // Perform() stopped on its time budget: call it again soon.
  bool running() const { return running_; }

  // Used memory as maxmemory counts it, and whether it is over the limit.
  struct State {
    uint64_t reported = 0;  // used_memory
    uint64_t counted = 0;   // minus the buffers not counted
    uint64_t to_free = 0;
  };
  // exact: refresh the allocator's figure first.
  State Measure(ServerState& s, bool exact);

  uint64_t evicted_keys() const { return evicted_keys_; }
  void ResetStats() { evicted_keys_ = 0; total_exceeded_us_ = 0; }
  // INFO total/current_eviction_exceeded_time (ms).
  uint64_t total_exceeded_ms(int64_t now_us) const;
  uint64_t current_exceeded_ms(int64_t now_us) const;
  UsedMemoryMeter& meter() { return meter_; }
  uint64_t peak_allocated() const { return meter_.peak(); }

  // The eviction pool holds the best candidates across calls (Redis
  // EVPOOL_SIZE).
  static constexpr size_t kPoolSize = 16;

 private:
  struct Candidate {
    uint64_t score;  // higher: evict first
    int db;
    std::string key;
  };
  // Samples every database into the pool; returns how many keys it saw.
  size_t PopulatePool(ServerState& s, bool volatile_only, int64_t now_ms);
  // The next key to evict (db index, key); false when there is none.
  bool PickKey(ServerState& s, int* db, std::string* key, int64_t now_ms);
  void NoteOver(bool over, int64_t now_us);

  UsedMemoryMeter meter_;
  std::vector<Candidate> pool_;  // ascending score
  bool running_ = false;
  uint64_t evicted_keys_ = 0;
  unsigned next_db_ = 0;  // random policies go round the databases
  int64_t over_since_us_ = 0;  // 0: within the limit
  uint64_t total_exceeded_us_ = 0;
};

// Redis's evictionTimeLimitUs for a maxmemory-eviction-tenacity value.
uint64_t EvictionTimeLimitUs(int64_t tenacity);

}  // namespace grabkv::server
