#include "server/core/memory.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdio>

// Present when the binary is linked with jemalloc.
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp,
                       size_t newlen) __attribute__((weak));

namespace grabkv::server {

namespace {

// Refreshes jemalloc's cached statistics (they move on "epoch" writes).
void RefreshJemallocStats() {
  uint64_t epoch = 1;
  size_t len = sizeof(epoch);
  mallctl("epoch", &epoch, &len, &epoch, len);
}

uint64_t JemallocStat(const char* name) {
  size_t value = 0;
  size_t len = sizeof(value);
  return mallctl(name, &value, &len, nullptr, 0) == 0 ? value : 0;
}

}  // namespace

const char* AllocatorName() { return mallctl != nullptr ? "jemalloc" : "libc"; }

uint64_t UsedMemory() {
  if (mallctl != nullptr) {
    RefreshJemallocStats();
    return JemallocStat("stats.allocated");
  }
  struct mallinfo2 mi = mallinfo2();
  return static_cast<uint64_t>(mi.uordblks + mi.hblkhd);
}

AllocatorStats GetAllocatorStats() {
  AllocatorStats st;
  if (mallctl == nullptr) return st;
  RefreshJemallocStats();
  st.allocated = JemallocStat("stats.allocated");
  st.active = JemallocStat("stats.active");
  st.resident = JemallocStat("stats.resident");
  return st;
}

uint64_t ResidentMemory() {
  FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long size = 0, resident = 0;
  int n = std::fscanf(f, "%llu %llu", &size, &resident);
  std::fclose(f);
  if (n != 2) return 0;
  return resident * static_cast<uint64_t>(sysconf(_SC_PAGESIZE));
}

uint64_t TotalSystemMemory() {
  long pages = sysconf(_SC_PHYS_PAGES);
  long page = sysconf(_SC_PAGESIZE);
  return pages > 0 && page > 0 ? static_cast<uint64_t>(pages) * static_cast<uint64_t>(page) : 0;
}

uint64_t AnonHugePagesBytes() {
  // smaps_rollup holds the sums of smaps (Linux 4.14+).
  FILE* f = std::fopen("/proc/self/smaps_rollup", "r");
  if (f == nullptr) f = std::fopen("/proc/self/smaps", "r");
  if (f == nullptr) return 0;
  uint64_t total_kb = 0;
  char line[256];
  while (std::fgets(line, sizeof(line), f) != nullptr) {
    unsigned long long kb = 0;
    if (std::sscanf(line, "AnonHugePages: %llu kB", &kb) == 1) total_kb += kb;
  }
  std::fclose(f);
  return total_kb * 1024;
}

}  // namespace grabkv::server
