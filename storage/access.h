// Per-key access metadata for maxmemory eviction and OBJECT IDLETIME/FREQ.
//
// Redis keeps 24 bits in every object header: an LRU clock (seconds, mod
// 2^24) or, under an LFU policy, 16 bits of "last decrement time" in minutes
// (mod 2^16) and an 8-bit logarithmic access counter. grabkv keeps the same
// 24 bits in the upper part of the keyspace entry's 32-bit flags word
// (Dict::Entry::flags), which was padding beside the has-expire bit: the
// metadata costs no byte per key.
//
// Time comes from the caller (the command's cached "now"); the LFU counter's
// increment is probabilistic, so the tracker carries its own small PRNG.
#pragma once

#include <cstdint>

namespace grabkv::storage {

inline constexpr uint32_t kLruBits = 24;
inline constexpr uint32_t kLruClockMax = (1u << kLruBits) - 1;
inline constexpr int64_t kLruResolutionMs = 1000;
inline constexpr uint32_t kLfuInitVal = 5;

// The LRU clock of `now_ms` (seconds, wrapping at 2^24 like Redis's).
inline uint32_t LruClock(int64_t now_ms) {
  return static_cast<uint32_t>(now_ms / kLruResolutionMs) & kLruClockMax;
}

// Milliseconds since the access recorded as `lru` (Redis's
// estimateObjectIdleTime, wrap-around included).
inline uint64_t LruIdleMs(uint32_t lru, int64_t now_ms) {
  const uint32_t clock = LruClock(now_ms);
  const uint64_t secs = clock >= lru ? clock - lru : clock + (kLruClockMax - lru);
  return secs * kLruResolutionMs;
}

// Minutes since the epoch mod 2^16 (LFU's "last decrement time").
inline uint32_t LfuMinutes(int64_t now_ms) {
  return static_cast<uint32_t>(now_ms / 60000) & 0xffff;
}

// How the keyspace records accesses. Owned by the server, shared by its
// databases; lfu/log_factor/decay_time follow maxmemory-policy,
// lfu-log-factor and lfu-decay-time.
struct AccessTracker {
  bool lfu = false;
  int64_t log_factor = 10;
  int64_t decay_time = 1;
  uint64_t rng = 0x9E3779B97F4A7C15ull;

  // The metadata of a key created now.
  uint32_t Initial(int64_t now_ms) const {
    return lfu ? (LfuMinutes(now_ms) << 8) | kLfuInitVal : LruClock(now_ms);
  }
  // The LFU counter of `meta` after the decay due since its last decrement
  // (Redis's LFUDecrAndReturn; OBJECT FREQ shows it).
  uint32_t LfuCounter(uint32_t meta, int64_t now_ms) const {
    const uint32_t ldt = meta >> 8;
    uint32_t counter = meta & 0xff;
    const uint32_t now = LfuMinutes(now_ms);
    const uint32_t elapsed = now >= ldt ? now - ldt : 65535 - ldt + now;
    const uint64_t periods = decay_time > 0 ? elapsed / static_cast<uint64_t>(decay_time) : 0;
    if (periods > 0) counter = periods > counter ? 0 : counter - static_cast<uint32_t>(periods);
    return counter;
  }
  // The metadata after an access now.
  uint32_t Touch(uint32_t meta, int64_t now_ms) {
    if (!lfu) return LruClock(now_ms);
    uint32_t counter = LfuCounter(meta, now_ms);
    if (counter < 255) {
      // Logarithmic increment: the more hits, the less likely the next one
      // counts (p = 1 / ((counter - LFU_INIT_VAL) * log_factor + 1)).
      const double base = counter > kLfuInitVal ? counter - kLfuInitVal : 0;
      const double p = 1.0 / (base * static_cast<double>(log_factor) + 1.0);
      if (NextUnit() < p) ++counter;
    }
    return (LfuMinutes(now_ms) << 8) | counter;
  }
  // The metadata RESTORE (and an RDB's IDLE/FREQ opcodes) set, or
  // `current` when the option does not apply to the policy (Redis's
  // objectSetLRUOrLFU): FREQ f under LFU is the counter f as of now;
  // IDLETIME s under LRU an access s seconds ago (wrapping like the clock).
  uint32_t Restored(int64_t idle_s, int64_t freq, int64_t now_ms, uint32_t current) const {
    if (lfu) return freq >= 0 ? (LfuMinutes(now_ms) << 8) | static_cast<uint32_t>(freq) : current;
    if (idle_s < 0) return current;
    // Redis's arithmetic, its 24-bit field keeping the low bits.
    const int64_t idle = idle_s > INT64_MAX / 1000 ? INT64_MAX / 1000 : idle_s * 1000 / kLruResolutionMs;
    int64_t at = static_cast<int64_t>(LruClock(now_ms)) - idle;
    if (at < 0) at += kLruClockMax;
    return static_cast<uint32_t>(static_cast<uint64_t>(at) & kLruClockMax);
  }
  // A score where higher means "evict first": idle milliseconds under LRU,
  // 255 - decayed counter under LFU (Redis's eviction pool ordering).
  uint64_t EvictionScore(uint32_t meta, int64_t now_ms) const {
    return lfu ? 255 - LfuCounter(meta, now_ms) : LruIdleMs(meta, now_ms);
  }

 private:
  double NextUnit() {
    // xorshift64*: the quality of rand() is all the counter needs.
    rng ^= rng >> 12;
    rng ^= rng << 25;
    rng ^= rng >> 27;
    return static_cast<double>((rng * 0x2545F4914F6CDD1Dull) >> 11) * (1.0 / 9007199254740992.0);
  }
};

}  // namespace grabkv::storage
