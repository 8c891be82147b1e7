// What the allocator and the kernel say about the process's memory, for
// INFO memory, MEMORY STATS-like reporting and the peak tracked by the cron.
#pragma once

#include <cstdint>

namespace grabkv::server {

// "jemalloc" when the binary is linked with it (grabkv-server is, like
// redis-server), else "libc" (the sanitizer build and the unit tests).
const char* AllocatorName();
// Bytes allocated by the program (jemalloc stats.allocated, or glibc's
// mallinfo2), Redis's used_memory.
uint64_t UsedMemory();
// jemalloc's allocated/active/resident (all 0 with libc, as Redis shows them).
struct AllocatorStats {
  uint64_t allocated = 0;
  uint64_t active = 0;
  uint64_t resident = 0;
};
AllocatorStats GetAllocatorStats();
// Resident set size from /proc/self/statm.
uint64_t ResidentMemory();
uint64_t TotalSystemMemory();
// Bytes of anonymous transparent huge pages the process uses (the
// AnonHugePages of /proc/self/smaps), for LATENCY DOCTOR's THP advice.
uint64_t AnonHugePagesBytes();

}  // namespace grabkv::server
