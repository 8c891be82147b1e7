// Latency observation: the slow log (SLOWLOG), the latency monitor's event
// time series (LATENCY LATEST/HISTORY/GRAPH) and the per-command latency
// histograms (LATENCY HISTOGRAM, INFO latencystats). Owned by ServerState;
// everything runs on the loop thread.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace grabkv::server {

// LATENCY's event names recorded outside Execute (which records "command"
// and "fast-command"); the AOF also records "aof-write-pending-fsync",
// "aof-write-active-child" and "aof-write-alone" beside "aof-write".
inline constexpr const char kLatencyExpireCycle[] = "expire-cycle";
// Reserved for the eviction loop when maxmemory eviction exists.
inline constexpr const char kLatencyEvictionCycle[] = "eviction-cycle";

// A histogram of durations with the resolution Redis reports (an
// HdrHistogram of nanoseconds from 1 ns to 1 s with 2 significant digits):
// values below 256 ns are exact, above they fall in one of 128 sub-buckets per
// power of two. Recording is O(1): a bit scan, a shift and an increment.
class LatencyHistogram {
 public:
  static constexpr int64_t kMaxNs = 1000000000;  // longer durations count as 1 s
  // Records one duration given in microseconds (0 counts as 1 ns, as Redis).
  void RecordUs(int64_t us) {
    int64_t ns = us <= 0 ? 1 : us * 1000;
    if (ns > kMaxNs) ns = kMaxNs;
    ++counts_[Index(ns)];
    ++total_;
  }
  uint64_t total() const { return total_; }
  // The duration in nanoseconds at `percentile` (0..100): the highest value
  // equivalent to the recorded one, as HdrHistogram answers it.
  int64_t ValueAtPercentile(double percentile) const;
  // LATENCY HISTOGRAM's cumulative distribution: (microseconds, count of
  // durations up to it) at 1, 2, 4, 8, 16, 33, 66... µs, the levels where
  // the count grew.
  std::vector<std::pair<int64_t, uint64_t>> Cumulative() const;

  static int Index(int64_t ns) {
    if (ns < 256) return static_cast<int>(ns);
    const int shift = 63 - __builtin_clzll(static_cast<uint64_t>(ns)) - 7;  // >= 1
    return 128 * (shift + 1) + static_cast<int>((ns >> shift) - 128);
  }
  // The highest nanosecond value that falls in bucket `index`.
  static int64_t HighestIn(int index) {
    if (index < 256) return index;
    const int shift = index / 128 - 1;
    const int64_t low = (static_cast<int64_t>(128 + index % 128)) << shift;
    return low + (int64_t{1} << shift) - 1;
  }
  static constexpr int kBuckets = 128 * 24;  // up to 2^30 ns

 private:
  std::array<uint64_t, kBuckets> counts_{};
  uint64_t total_ = 0;
};

// One SLOWLOG entry.
struct SlowlogEntry {
  uint64_t id;
  int64_t time_s;
  int64_t duration_us;
  std::vector<std::string> args;  // already cut as Redis cuts them
  std::string addr;
  std::string name;
};

class Slowlog {
 public:
  static constexpr size_t kMaxArgs = 32;
  static constexpr size_t kMaxArgLen = 128;
  // Adds an entry for a command that took `duration_us` (the caller checked
  // slowlog-log-slower-than), newest first, keeping at most `max_len`;
  // arguments whose bit is set in `redacted` show as "(redacted)".
  void Push(std::span<const std::string_view> args, int64_t duration_us, int64_t now_s,
            std::string_view addr, std::string_view name, int64_t max_len, uint64_t redacted = 0);
  // Drops the oldest entries beyond `max_len` (CONFIG SET slowlog-max-len).
  void Trim(int64_t max_len);
  void Reset() { entries_.clear(); }
  const std::deque<SlowlogEntry>& entries() const { return entries_; }

 private:
  std::deque<SlowlogEntry> entries_;  // newest first
  uint64_t next_id_ = 0;
};

// The latency monitor: per event, the largest latency of each of the last
// 160 seconds that had a sample at or above latency-monitor-threshold.
class LatencyMonitor {
 public:
  static constexpr int kSamples = 160;
  struct Sample {
    int64_t time_s = 0;
    uint32_t latency_ms = 0;
  };
  struct Series {
    std::array<Sample, kSamples> samples{};
    int next = 0;  // where the next second's sample goes
    uint32_t max_ms = 0;
    // Samples in time order.
    std::vector<Sample> Ordered() const;
  };
  void AddSample(std::string_view event, int64_t latency_ms, int64_t now_s);
  // Removes the event's series; false when there was none.
  bool Reset(std::string_view event) { return events_.erase(std::string(event)) > 0; }
  size_t ResetAll() {
    size_t n = events_.size();
    events_.clear();
    return n;
  }
  const Series* Find(std::string_view event) const {
    auto it = events_.find(std::string(event));
    return it == events_.end() ? nullptr : &it->second;
  }
  const std::map<std::string, Series>& events() const { return events_; }

 private:
  std::map<std::string, Series> events_;
};

// LATENCY GRAPH's text for one event's series (Redis's sparkline: 80
// columns, 4 rows, labels with how long ago each sample was).
std::string LatencyGraph(std::string_view event, const LatencyMonitor::Series& series,
                         int64_t now_s);

}  // namespace grabkv::server
