// storage::Hash: memory per field and HSET/HGET costs for both encodings.
//
// The shapes follow the claims hashes of GRAB.* (`claims[user] = item`):
// fields "user:%07d" (12 bytes), values "item:%06d" (11 bytes).
//
// Memory is glibc's own count of bytes in use (mallinfo2().uordblks: chunk
// headers and rounding included) after building, divided by the count:
//   BM_MemoryLargeHash      one hash of 1M fields (hashtable), bytes/field;
//                           Dict<std::string> is the naive baseline
//   BM_MemorySmallHashes    100k keys in a Db each holding a hash of N fields
//                           (listpack), bytes/hash including the key entry
// Speed (per_op = time per command-equivalent operation):
//   BM_HGet / BM_HSetUpdate / BM_HExists on hashes of N fields, and
//   BM_HSetInsert building a hash field by field.
//
//   hash_bench --benchmark_filter=Memory
#include <malloc.h>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "storage/db.h"
#include "storage/dict.h"
#include "storage/hash.h"

namespace grabkv::storage {
namespace {

// Redis 7.0's defaults (hash-max-listpack-entries 512, -value 64).
const HashLimits kLimits{512, 64};

std::string Field(size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "user:%07zu", i);
  return buf;
}
std::string ItemValue(size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "item:%06zu", i % 1000000);
  return buf;
}

const std::vector<std::string>& Fields(size_t n) {
  static std::vector<std::string> fields;
  while (fields.size() < n) fields.push_back(Field(fields.size()));
  return fields;
}
const std::vector<std::string>& Values(size_t n) {
  static std::vector<std::string> values;
  while (values.size() < n) values.push_back(ItemValue(values.size()));
  return values;
}

size_t HeapInUse() { return mallinfo2().uordblks; }

void BM_MemoryLargeHash(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const auto& f = Fields(n);
  const auto& v = Values(n);
  for (auto _ : state) {
    const size_t before = HeapInUse();
    auto h = std::make_unique<Hash>();
    for (size_t i = 0; i < n; ++i) h->Set(f[i], v[i], kLimits);
    state.counters["bytes_per_field"] = static_cast<double>(HeapInUse() - before) / n;
    state.counters["estimate_per_field"] = static_cast<double>(h->MemoryUsage()) / n;
    state.counters["encoding_hashtable"] = h->is_listpack() ? 0 : 1;
  }
}
BENCHMARK(BM_MemoryLargeHash)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kMillisecond);

// Baseline: the naive table value (std::string: 32 bytes, SSO up to 15).
void BM_MemoryLargeDictString(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const auto& f = Fields(n);
  const auto& v = Values(n);
  for (auto _ : state) {
    const size_t before = HeapInUse();
    Dict<std::string> d;
    for (size_t i = 0; i < n; ++i) d.Insert(f[i]).first->value = v[i];
    state.counters["bytes_per_field"] = static_cast<double>(HeapInUse() - before) / n;
  }
}
BENCHMARK(BM_MemoryLargeDictString)->Arg(1'000'000)->Iterations(1)->Unit(benchmark::kMillisecond);

// Many small hashes, each under its own key (claims per user, sessions...).
void BM_MemorySmallHashes(benchmark::State& state) {
  const size_t fields = static_cast<size_t>(state.range(0));
  constexpr size_t kKeys = 100'000;
  const auto& f = Fields(fields);
  const auto& v = Values(fields);
  for (auto _ : state) {
    auto db = std::make_unique<Db>(0);
    const size_t before = HeapInUse();
    char key[32];
    for (size_t k = 0; k < kKeys; ++k) {
      std::snprintf(key, sizeof(key), "claims:%08zu", k);
      auto h = std::make_unique<Hash>();
      for (size_t i = 0; i < fields; ++i) h->Set(f[i], v[i], kLimits);
      storage::Value value;
      value.SetContainer(std::move(h));
      storage::KeyWrite(*db, key, 0).Create(std::move(value));
    }
    const double total = static_cast<double>(HeapInUse() - before);
    state.counters["bytes_per_hash"] = total / kKeys;
    state.counters["bytes_per_field"] = total / (kKeys * fields);
  }
}
BENCHMARK(BM_MemorySmallHashes)->Arg(1)->Arg(5)->Arg(20)->Arg(128)->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// A hash of n fields: listpack up to 512, hashtable above.
std::unique_ptr<Hash> Build(size_t n) {
  auto h = std::make_unique<Hash>();
  const auto& f = Fields(n);
  const auto& v = Values(n);
  for (size_t i = 0; i < n; ++i) h->Set(f[i], v[i], kLimits);
  return h;
}

std::vector<uint32_t> Shuffled(size_t n, size_t count) {
  std::mt19937_64 rng(1);
  std::vector<uint32_t> idx(count);
  for (auto& i : idx) i = static_cast<uint32_t>(rng() % n);
  return idx;
}

void BM_HGet(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  auto h = Build(n);
  const auto& f = Fields(n);
  const auto idx = Shuffled(n, 1 << 16);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(h->Get(f[idx[i++ & 0xffff]]));
  }
  state.counters["listpack"] = h->is_listpack();
}
BENCHMARK(BM_HGet)->Arg(1)->Arg(8)->Arg(128)->Arg(512)->Arg(100'000)->Arg(1'000'000);

void BM_HExistsMiss(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  auto h = Build(n);
  size_t i = 0;
  const std::string miss = "user:x999999";
  for (auto _ : state) {
    benchmark::DoNotOptimize(h->Exists(miss));
    ++i;
  }
}
BENCHMARK(BM_HExistsMiss)->Arg(8)->Arg(128)->Arg(512)->Arg(1'000'000);

void BM_HSetUpdate(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  auto h = Build(n);
  const auto& f = Fields(n);
  const auto& v = Values(n + 7);
  const auto idx = Shuffled(n, 1 << 16);
  size_t i = 0;
  for (auto _ : state) {
    const uint32_t k = idx[i++ & 0xffff];
    h->Set(f[k], v[k + 7], kLimits);
  }
}
BENCHMARK(BM_HSetUpdate)->Arg(8)->Arg(128)->Arg(512)->Arg(1'000'000);

// Builds hashes of n fields from empty: per_op is one field insert,
// conversions and rehashes included.
void BM_HSetInsert(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  const auto& f = Fields(n);
  const auto& v = Values(n);
  for (auto _ : state) {
    Hash h;
    for (size_t i = 0; i < n; ++i) h.Set(f[i], v[i], kLimits);
    benchmark::DoNotOptimize(h.Length());
  }
  state.SetItemsProcessed(state.iterations() * n);
}
BENCHMARK(BM_HSetInsert)->Arg(8)->Arg(128)->Arg(512)->Arg(100'000);

void BM_HRandField(benchmark::State& state) {
  const size_t n = static_cast<size_t>(state.range(0));
  auto h = Build(n);
  std::mt19937_64 rng(5);
  for (auto _ : state) benchmark::DoNotOptimize(h->Random(rng));
}
BENCHMARK(BM_HRandField)->Arg(128)->Arg(512)->Arg(1'000'000);

}  // namespace
}  // namespace grabkv::storage
