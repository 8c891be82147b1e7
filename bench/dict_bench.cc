// Dict against absl::flat_hash_map and std::unordered_map: insert, find
// (hit and miss) and erase of 1M short keys, plus heap bytes per entry, and
// HashBytes against absl::Hash.
//
// The key shapes: 16 bytes ("key:%012d", redis-benchmark's key:__rand_int__)
// and 10 bytes ("k:%08d"). Values are 10 bytes. The maps hold std::string
// values, as does Dict<std::string>; Dict<Blob16> stands in for the keyspace's
// 16-byte storage::Value with the value inline.
//
// Memory is glibc's own count of bytes in use (mallinfo2: chunk headers and
// rounding included) after building the table, divided by the entry count.
//
//   dict_bench --benchmark_filter=Insert   (per_op = time per insert)
#include <malloc.h>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <random>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/hash/hash.h"
#include "storage/dict.h"

namespace grabkv::storage {
namespace {

constexpr size_t kN = 1'000'000;
constexpr std::string_view kValue = "v:12345678";  // 10 bytes

struct KeySet {
  std::vector<std::string> keys;    // insertion order
  std::vector<uint32_t> order;      // a shuffled permutation for lookups
  std::vector<std::string> misses;  // same shape, never inserted
};

const KeySet& Keys(int64_t len) {
  static std::map<int64_t, KeySet> sets;
  KeySet& s = sets[len];
  if (s.keys.empty()) {
    char buf[32];
    for (size_t i = 0; i < kN; ++i) {
      if (len == 16) {
        std::snprintf(buf, sizeof(buf), "key:%012zu", i);
      } else {
        std::snprintf(buf, sizeof(buf), "k:%08zu", i);
      }
      s.keys.emplace_back(buf);
      std::string miss = buf;
      miss[0] = 'M';
      s.misses.push_back(std::move(miss));
    }
    s.order.resize(kN);
    for (size_t i = 0; i < kN; ++i) s.order[i] = static_cast<uint32_t>(i);
    std::shuffle(s.order.begin(), s.order.end(), std::mt19937_64(42));
  }
  return s;
}

size_t HeapInUse() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;  // arena chunks + mmapped chunks (big arrays)
}

struct Blob16 {
  alignas(8) char bytes[16];
};

template <typename V>
struct DictAdapter {
  Dict<V> d;
  void Put(const std::string& k) {
    V& v = d.Insert(k).first->value;
    if constexpr (std::is_same_v<V, std::string>) {
      v = kValue;
    } else {
      std::memcpy(v.bytes, kValue.data(), kValue.size());
    }
  }
  bool Has(const std::string& k) { return d.Find(k) != nullptr; }
  bool Del(const std::string& k) { return d.Erase(k); }
};

template <typename Map>
struct MapAdapter {
  Map m;
  void Put(const std::string& k) { m.try_emplace(k, kValue); }
  bool Has(const std::string& k) { return m.find(k) != m.end(); }
  bool Del(const std::string& k) { return m.erase(k) != 0; }
};

using DictStr = DictAdapter<std::string>;
using DictBlob = DictAdapter<Blob16>;
using Absl = MapAdapter<absl::flat_hash_map<std::string, std::string>>;
using Std = MapAdapter<std::unordered_map<std::string, std::string>>;

benchmark::Counter PerOp(size_t ops) {
  return benchmark::Counter(static_cast<double>(ops),
                            benchmark::Counter::kIsIterationInvariantRate |
                                benchmark::Counter::kInvert);
}

template <typename T>
void BM_Insert(benchmark::State& state) {
  const KeySet& ks = Keys(state.range(0));
  double bytes = 0;
  for (auto _ : state) {
    const size_t before = HeapInUse();
    {
      T t;
      for (const std::string& k : ks.keys) t.Put(k);
      state.PauseTiming();
      bytes = static_cast<double>(HeapInUse() - before) / kN;
    }  // destruction is not timed
    state.ResumeTiming();
  }
  state.counters["per_op"] = PerOp(kN);
  state.counters["bytes_per_entry"] = bytes;
}

template <typename T>
void BM_Find(benchmark::State& state) {
  const KeySet& ks = Keys(state.range(0));
  T t;
  for (const std::string& k : ks.keys) t.Put(k);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(t.Has(ks.keys[ks.order[i]]));
    if (++i == kN) i = 0;
  }
}

template <typename T>
void BM_FindMiss(benchmark::State& state) {
  const KeySet& ks = Keys(state.range(0));
  T t;
  for (const std::string& k : ks.keys) t.Put(k);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(t.Has(ks.misses[ks.order[i]]));
    if (++i == kN) i = 0;
  }
}

template <typename T>
void BM_Erase(benchmark::State& state) {
  const KeySet& ks = Keys(state.range(0));
  for (auto _ : state) {
    state.PauseTiming();
    {
      T t;
      for (const std::string& k : ks.keys) t.Put(k);
      state.ResumeTiming();
      for (uint32_t j : ks.order) benchmark::DoNotOptimize(t.Del(ks.keys[j]));
      state.PauseTiming();
    }
    state.ResumeTiming();
  }
  state.counters["per_op"] = PerOp(kN);
}

#define DICT_BENCH(fn)                                                                    \
  BENCHMARK_TEMPLATE(fn, DictStr)->Arg(16)->Arg(10)->Unit(benchmark::kMillisecond);       \
  BENCHMARK_TEMPLATE(fn, DictBlob)->Arg(16)->Arg(10)->Unit(benchmark::kMillisecond);      \
  BENCHMARK_TEMPLATE(fn, Absl)->Arg(16)->Arg(10)->Unit(benchmark::kMillisecond);          \
  BENCHMARK_TEMPLATE(fn, Std)->Arg(16)->Arg(10)->Unit(benchmark::kMillisecond)

DICT_BENCH(BM_Insert);
DICT_BENCH(BM_Erase);

#define DICT_BENCH_NS(fn)                          \
  BENCHMARK_TEMPLATE(fn, DictStr)->Arg(16)->Arg(10); \
  BENCHMARK_TEMPLATE(fn, Absl)->Arg(16)->Arg(10);    \
  BENCHMARK_TEMPLATE(fn, Std)->Arg(16)->Arg(10)

DICT_BENCH_NS(BM_Find);
DICT_BENCH_NS(BM_FindMiss);

// Hash functions alone over keys of one length (arg), hot in cache.
std::vector<std::string> HashKeys(int64_t len) {
  std::vector<std::string> v;
  std::mt19937_64 rng(len);
  for (int i = 0; i < 1024; ++i) {
    std::string s(len, 'k');
    for (char& c : s) c = static_cast<char>('a' + rng() % 26);
    v.push_back(std::move(s));
  }
  return v;
}

void BM_HashBytes(benchmark::State& state) {
  auto keys = HashKeys(state.range(0));
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(HashBytes(keys[i++ & 1023]));
  }
}
void BM_AbslHash(benchmark::State& state) {
  auto keys = HashKeys(state.range(0));
  absl::Hash<std::string_view> h;
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(h(std::string_view(keys[i++ & 1023])));
  }
}
BENCHMARK(BM_HashBytes)->Arg(3)->Arg(10)->Arg(16)->Arg(24)->Arg(64)->Arg(256);
BENCHMARK(BM_AbslHash)->Arg(3)->Arg(10)->Arg(16)->Arg(24)->Arg(64)->Arg(256);

}  // namespace
}  // namespace grabkv::storage
