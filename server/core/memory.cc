#include "server/core/memory.h"

#include <malloc.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>

// Present when the binary is linked with jemalloc (Debian's exports them
// without a prefix).
extern "C" int mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp,
                       size_t newlen) __attribute__((weak));
extern "C" void malloc_stats_print(void (*write_cb)(void*, const char*), void* cbopaque,
                                   const char* opts) __attribute__((weak));

#if defined(__SANITIZE_ADDRESS__)
// AddressSanitizer's runtime (sanitizer/allocator_interface.h, which g++ 12
// does not ship).
extern "C" size_t __sanitizer_get_current_allocated_bytes();
#endif

namespace grabkv::server {

bool HaveJemalloc() { return mallctl != nullptr; }

int Mallctl(const char* name, void* oldp, size_t* oldlenp, void* newp, size_t newlen) {
  if (mallctl == nullptr) return -1;
  return mallctl(name, oldp, oldlenp, newp, newlen);
}

std::string AllocatorName() {
  if (mallctl == nullptr) return "libc";
  const char* version = nullptr;
  size_t len = sizeof(version);
  if (mallctl("version", &version, &len, nullptr, 0) != 0 || version == nullptr) return "jemalloc";
  // "5.3.0-0-g54eaed1d8b56b1aa528be3bdd1877e59c56fa90c" -> jemalloc-5.3.0
  std::string v(version);
  return "jemalloc-" + v.substr(0, v.find('-'));
}

size_t AllocatorStat(const char* name) {
  if (mallctl == nullptr) return 0;
  uint64_t epoch = 1;
  size_t len = sizeof(epoch);
  mallctl("epoch", &epoch, &len, &epoch, len);
  size_t value = 0;
  len = sizeof(value);
  if (mallctl(name, &value, &len, nullptr, 0) != 0) return 0;
  return value;
}

uint64_t AllocatedBytes() {
  if (mallctl != nullptr) return AllocatorStat("stats.allocated");
#if defined(__SANITIZE_ADDRESS__)
  // The sanitizer build: AddressSanitizer's allocator serves every
  // allocation, so its count is the program's (mallinfo2 sees none).
  return __sanitizer_get_current_allocated_bytes();
#endif
  struct mallinfo2 mi = mallinfo2();
  return static_cast<uint64_t>(mi.uordblks + mi.hblkhd);
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

AllocatorStats GetAllocatorStats() {
  AllocatorStats st;
  if (mallctl == nullptr) return st;
  st.allocated = AllocatorStat("stats.allocated");
  st.active = AllocatorStat("stats.active");
  st.resident = AllocatorStat("stats.resident");
  return st;
}

std::string MallocStatsText() {
  if (malloc_stats_print == nullptr) return "Stats not supported for the current allocator";
  std::string out;
  malloc_stats_print(
      [](void* arg, const char* text) { static_cast<std::string*>(arg)->append(text); }, &out,
      nullptr);
  return out;
}

bool PurgeAllocator() {
  if (mallctl == nullptr) return false;
  // "arena.<MALLCTL_ARENAS_ALL>.purge": every arena's dirty pages.
  return mallctl("arena.4096.purge", nullptr, nullptr, nullptr, 0) == 0;
}

uint64_t UsedMemoryMeter::ThreadNet() const {
  return allocated_ != nullptr ? *allocated_ - *deallocated_ : 0;
}

uint64_t UsedMemoryMeter::Refresh() {
  if (!init_) {
    init_ = true;
    if (mallctl != nullptr) {
      size_t len = sizeof(allocated_);
      if (mallctl("thread.allocatedp", &allocated_, &len, nullptr, 0) != 0 ||
          mallctl("thread.deallocatedp", &deallocated_, &len, nullptr, 0) != 0) {
        allocated_ = deallocated_ = nullptr;
      }
    }
  }
  base_ = AllocatedBytes();
  base_net_ = ThreadNet();
  if (base_ > peak_) peak_ = base_;
  return base_;
}

uint64_t UsedMemoryMeter::Estimate() {
  if (allocated_ == nullptr) return Refresh();  // no cheap counters: exact every time
  const int64_t delta = static_cast<int64_t>(ThreadNet() - base_net_);
  const int64_t v = static_cast<int64_t>(base_) + delta;
  return v > 0 ? static_cast<uint64_t>(v) : 0;
}

}  // namespace grabkv::server
