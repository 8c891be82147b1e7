// storage::Set: memory per member and SADD/SPOP/SISMEMBER costs for both
// encodings.
//
// The shapes follow the "who already grabbed" sets of GRAB.*: members
// "user:%07d" (12 bytes) or plain user ids (integers).
//
// Memory is glibc's own count of bytes in use (mallinfo2().uordblks: chunk
// headers and rounding included) after building, divided by the count:
//   BM_MemoryLargeSet/0     1M string members (hashtable), bytes/member
//   BM_MemoryLargeSet/1     1M integer members; over the default intset limit
//                           (512), so a hashtable of their decimal forms
//   BM_MemoryLargeIntset    1M integers with the intset limit lifted (what an
//                           intset would cost; Redis caps the limit at 2^30)
//   BM_MemorySmallSets      100k keys in a Db each holding an intset of N
//                           members, bytes/set including the key entry
// Speed (time per operation):
//   BM_SAdd                 building a set member by member (table / intset)
//   BM_SPop                 popping a 1M-member table (or a 512 intset) empty
//   BM_SIsMember            lookups, half hits, half misses
//
//   set_bench --benchmark_filter=Memory
#include <malloc.h>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "storage/db.h"
#include "storage/set.h"
#include "storage/value.h"

namespace grabkv::storage {
namespace {

const SetLimits kLimits{512};  // Redis 7.0's default set-max-intset-entries
const SetLimits kNoIntsetLimit{size_t{1} << 30};

std::string UserMember(size_t i) {
  char buf[32];
  std::snprintf(buf, sizeof(buf), "user:%07zu", i);
  return buf;
}

// kind 0: "user:%07d"; kind 1: integers spread over 9 digits (user ids).
const std::vector<std::string>& Members(int kind, size_t n) {
  static std::vector<std::string> members[2];
  std::vector<std::string>& m = members[kind];
  while (m.size() < n) {
    const size_t i = m.size();
    m.push_back(kind == 0 ? UserMember(i) : std::to_string(100000000 + i * 7));
  }
  return m;
}

size_t HeapInUse() { return mallinfo2().uordblks; }

void BM_MemoryLargeSet(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const size_t n = 1'000'000;
  const auto& m = Members(kind, n);
  for (auto _ : state) {
    const size_t before = HeapInUse();
    auto s = Set::CreateFor(m[0]);
    for (size_t i = 0; i < n; ++i) s->Add(m[i], kLimits);
    state.counters["bytes_per_member"] = static_cast<double>(HeapInUse() - before) / n;
    state.counters["estimate_per_member"] = static_cast<double>(s->MemoryUsage()) / n;
    state.counters["intset"] = s->is_intset() ? 1 : 0;
  }
}
BENCHMARK(BM_MemoryLargeSet)->Arg(0)->Arg(1)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_MemoryLargeIntset(benchmark::State& state) {
  const size_t n = 1'000'000;
  const auto& m = Members(1, n);
  for (auto _ : state) {
    const size_t before = HeapInUse();
    Set s;
    for (size_t i = 0; i < n; ++i) s.Add(m[i], kNoIntsetLimit);  // ascending: appends
    state.counters["bytes_per_member"] = static_cast<double>(HeapInUse() - before) / n;
    state.counters["intset"] = s.is_intset() ? 1 : 0;
  }
}
BENCHMARK(BM_MemoryLargeIntset)->Iterations(1)->Unit(benchmark::kMillisecond);

void BM_MemorySmallSets(benchmark::State& state) {
  const size_t members = static_cast<size_t>(state.range(0));
  const size_t keys = 100'000;
  const auto& m = Members(1, members);
  for (auto _ : state) {
    const size_t before = HeapInUse();
    auto db = std::make_unique<Db>(0);
    for (size_t k = 0; k < keys; ++k) {
      auto s = std::make_unique<Set>();
      for (size_t i = 0; i < members; ++i) s->Add(m[i], kLimits);
      storage::Value value;
      value.SetContainer(std::move(s));
      const std::string key = "grabbed:" + std::to_string(k);
      storage::KeyWrite(*db, key, 0).Create(std::move(value));
    }
    state.counters["bytes_per_set"] = static_cast<double>(HeapInUse() - before) / keys;
  }
}
BENCHMARK(BM_MemorySmallSets)->Arg(1)->Arg(8)->Arg(64)->Iterations(1)->Unit(
    benchmark::kMillisecond);

// Builds a set of range(1) members of kind range(0) (0 strings, 1 integers:
// an intset up to 512 members, a table above).
void BM_SAdd(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const size_t n = static_cast<size_t>(state.range(1));
  // Shuffled, so that intset inserts land anywhere, not only at the end.
  std::vector<std::string> m = Members(kind, n);
  m.resize(n);
  std::shuffle(m.begin(), m.end(), std::mt19937_64(1));
  for (auto _ : state) {
    auto s = Set::CreateFor(m[0]);
    for (size_t i = 0; i < n; ++i) s->Add(m[i], kLimits);
    benchmark::DoNotOptimize(s->Length());
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_SAdd)
    ->Args({0, 1'000'000})
    ->Args({1, 1'000'000})
    ->Args({1, 512})
    ->Args({0, 512})
    ->Unit(benchmark::kMillisecond);

void BM_SPop(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const size_t n = static_cast<size_t>(state.range(1));
  const auto& m = Members(kind, n);
  std::mt19937_64 rng(7);
  std::string out;
  for (auto _ : state) {
    state.PauseTiming();
    auto s = Set::CreateFor(m[0]);
    for (size_t i = 0; i < n; ++i) s->Add(m[i], kLimits);
    state.ResumeTiming();
    while (s->Length() > 0) s->PopRandom(rng, &out);
    benchmark::DoNotOptimize(out);
  }
  state.SetItemsProcessed(static_cast<int64_t>(state.iterations() * n));
}
BENCHMARK(BM_SPop)
    ->Args({0, 1'000'000})
    ->Args({1, 1'000'000})
    ->Args({1, 512})
    ->Unit(benchmark::kMillisecond);

void BM_SIsMember(benchmark::State& state) {
  const int kind = static_cast<int>(state.range(0));
  const size_t n = static_cast<size_t>(state.range(1));
  const auto& m = Members(kind, 2 * n);
  auto s = Set::CreateFor(m[0]);
  for (size_t i = 0; i < n; ++i) s->Add(m[2 * i], kLimits);  // odd ones miss
  std::mt19937_64 rng(3);
  size_t hits = 0;
  for (auto _ : state) hits += s->Contains(m[rng() % (2 * n)]);
  benchmark::DoNotOptimize(hits);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SIsMember)->Args({0, 1'000'000})->Args({1, 1'000'000})->Args({1, 512});

}  // namespace
}  // namespace grabkv::storage
