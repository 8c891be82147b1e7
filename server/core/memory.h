// The allocator as the server sees it: used memory (Redis's used_memory),
// jemalloc's statistics and controls (INFO, MEMORY, DEBUG MALLCTL), RSS.
//
// grabkv-server links jemalloc, like redis-server; the unit tests and the
// sanitizer build use glibc's malloc, where the jemalloc-only calls report
// that they are unavailable and used memory comes from mallinfo2.
//
// UsedMemoryMeter serves the maxmemory check before every command: reading
// jemalloc's merged statistics costs an "epoch" refresh (microseconds), so
// the meter keeps the last exact figure and adds what the loop thread has
// allocated and freed since (jemalloc's per-thread counters: two loads).
// Memory freed on other threads (lazy free) shows at the next refresh.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

namespace grabkv::server {

// "jemalloc-<version>" or "libc" (INFO mem_allocator).
std::string AllocatorName();
bool HaveJemalloc();
// Bytes the application holds now (jemalloc stats.allocated after an epoch
// refresh; mallinfo2 otherwise).
uint64_t AllocatedBytes();
// Heap bytes a string owns: 0 while its text fits the inline (SSO) buffer.
inline uint64_t HeapBytes(const std::string& s) {
  static const size_t kInline = std::string().capacity();
  return s.capacity() > kInline ? s.capacity() + 1 : 0;
}
// The process's resident set size (/proc/self/statm).
uint64_t ResidentMemory();
uint64_t TotalSystemMemory();
// Bytes of anonymous transparent huge pages the process uses (the
// AnonHugePages of /proc/self/smaps), for LATENCY DOCTOR's THP advice.
uint64_t AnonHugePagesBytes();
// jemalloc's allocated/active/resident (all 0 with libc, as Redis shows them).
struct AllocatorStats {
  uint64_t allocated = 0;
  uint64_t active = 0;
  uint64_t resident = 0;
};
AllocatorStats GetAllocatorStats();
// mallctl, or -1 (ENOENT-like) without jemalloc.
int Mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen);
// jemalloc's malloc_stats_print text; "Stats not supported for the current
// allocator" without it (Redis's text).
std::string MallocStatsText();
// Returns unused dirty pages of every arena to the system (MEMORY PURGE);
// false when not supported.
bool PurgeAllocator();
// Reads a size_t / uint64_t statistic after an epoch refresh; 0 when absent.
size_t AllocatorStat(const char* name);

class UsedMemoryMeter {
 public:
  // The estimate (cheap). REQUIRES: called on the loop thread.
  uint64_t Estimate();
  // Exact: refreshes the base figure.
  uint64_t Refresh();
  // The highest exact figure seen (MEMORY STATS peak.allocated).
  uint64_t peak() const { return peak_; }

 private:
  uint64_t ThreadNet() const;
  bool init_ = false;
  uint64_t* allocated_ = nullptr;    // jemalloc thread.allocatedp
  uint64_t* deallocated_ = nullptr;  // jemalloc thread.deallocatedp
  uint64_t base_ = 0;                // exact figure at the last refresh
  uint64_t base_net_ = 0;            // ThreadNet() then
  uint64_t peak_ = 0;
};

}  // namespace grabkv::server
