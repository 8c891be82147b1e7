// storage::List: memory per element and the cost of the list commands'
// storage operations, for the coupon workload (1,000,000 16-byte codes
// pushed with LPUSH and handed out with LPOP) and a few others.
//
// Memory is glibc's own count of bytes in use (mallinfo2: chunk headers and
// rounding included) after building the list, divided by the element count;
// the input strings are built before the first reading. Redis 7.0.15 needs
// about 19 bytes per element for the same list (quicklist of 8 KiB
// listpacks: 18 bytes per entry plus node overhead).
//
//   list_bench --benchmark_filter=Memory   (bytes_per_elem counter)
//   list_bench --benchmark_filter=Push     (time per element)
#include <malloc.h>

#include <benchmark/benchmark.h>

#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "storage/list.h"

namespace grabkv::storage {
namespace {

constexpr size_t kN = 1'000'000;

// kN codes; shape 0: all 16 bytes ("CPN-%012d"), 1: 14 to 18 bytes (chunks
// fall back to the framed layout), 2: small integers ("1".."9999", red
// envelope amounts).
const std::vector<std::string>& Codes(int shape) {
  static std::vector<std::string> sets[3];
  auto& s = sets[shape];
  if (s.empty()) {
    std::mt19937_64 rng(42);
    char buf[40];
    for (size_t i = 0; i < kN; ++i) {
      if (shape == 0) {
        std::snprintf(buf, sizeof(buf), "CPN-%012zu", i);
      } else if (shape == 1) {
        std::snprintf(buf, sizeof(buf), "C-%0*zu", static_cast<int>(12 + rng() % 5), i);
      } else {
        std::snprintf(buf, sizeof(buf), "%zu", 1 + rng() % 9999);
      }
      s.emplace_back(buf);
    }
  }
  return s;
}

size_t HeapInUse() { return mallinfo2().uordblks; }

void BM_Memory(benchmark::State& state) {
  const auto& codes = Codes(static_cast<int>(state.range(0)));
  const bool front = state.range(1) == 0;
  double per_elem = 0, reported = 0, avg_len = 0;
  for (size_t i = 0; i < kN; ++i) avg_len += codes[i].size();
  avg_len /= kN;
  for (auto _ : state) {
    const size_t before = HeapInUse();
    auto l = std::make_unique<List>();
    for (const auto& c : codes) front ? l->PushFront(c) : l->PushBack(c);
    per_elem = static_cast<double>(HeapInUse() - before) / kN;
    reported = static_cast<double>(l->MemoryUsage()) / kN;
    benchmark::DoNotOptimize(l.get());
  }
  state.counters["bytes_per_elem"] = per_elem;
  state.counters["reported_per_elem"] = reported;
  state.counters["avg_value_len"] = avg_len;
}
BENCHMARK(BM_Memory)
    ->ArgsProduct({{0, 1, 2}, {0, 1}})
    ->ArgNames({"shape", "back"})
    ->Iterations(1)
    ->Unit(benchmark::kMillisecond);

// LPUSH of kN codes into an empty list (time per element).
void BM_PushFront(benchmark::State& state) {
  const auto& codes = Codes(static_cast<int>(state.range(0)));
  for (auto _ : state) {
    List l;
    for (const auto& c : codes) l.PushFront(c);
    benchmark::DoNotOptimize(l.size());
    state.PauseTiming();
    l.RemoveFront(kN);
    state.ResumeTiming();
  }
  state.SetItemsProcessed(state.iterations() * kN);
}
BENCHMARK(BM_PushFront)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// LPOP of all kN codes, copying each out as a reply would (time per element).
void BM_PopFront(benchmark::State& state) {
  const auto& codes = Codes(static_cast<int>(state.range(0)));
  std::string out;
  for (auto _ : state) {
    state.PauseTiming();
    List l;
    for (const auto& c : codes) l.PushFront(c);
    state.ResumeTiming();
    while (l.PopFront(&out)) benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations() * kN);
}
BENCHMARK(BM_PopFront)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond);

// A queue: LPUSH in, RPOP out, steady at 10,000 elements.
void BM_Queue(benchmark::State& state) {
  const auto& codes = Codes(0);
  List l;
  for (size_t i = 0; i < 10000; ++i) l.PushFront(codes[i]);
  std::string out;
  size_t i = 0;
  for (auto _ : state) {
    l.PushFront(codes[i++ % kN]);
    l.PopBack(&out);
    benchmark::DoNotOptimize(out.data());
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_Queue);

// The return path of the coupon workload: LPOP one, LPUSH it back.
void BM_PopPushSameEnd(benchmark::State& state) {
  const auto& codes = Codes(0);
  List l;
  for (size_t i = 0; i < 1000; ++i) l.PushFront(codes[i]);
  std::string out;
  for (auto _ : state) {
    l.PopFront(&out);
    l.PushFront(out);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PopPushSameEnd);

// LINDEX at random positions of a kN-element list.
void BM_IndexRandom(benchmark::State& state) {
  const auto& codes = Codes(static_cast<int>(state.range(0)));
  List l;
  for (const auto& c : codes) l.PushBack(c);
  std::mt19937_64 rng(1);
  for (auto _ : state) benchmark::DoNotOptimize(l.At(rng() % kN));
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_IndexRandom)->Arg(0)->Arg(1);

// LRANGE 0 99 style: iterate 100 elements from a position.
void BM_Range100(benchmark::State& state) {
  const auto& codes = Codes(0);
  List l;
  for (const auto& c : codes) l.PushBack(c);
  size_t sum = 0;
  for (auto _ : state) {
    auto it = l.IteratorAt(0);
    for (int i = 0; i < 100 && it.Valid(); ++i, it.Next()) sum += it.value().size();
  }
  benchmark::DoNotOptimize(sum);
  state.SetItemsProcessed(state.iterations() * 100);
}
BENCHMARK(BM_Range100);

// LSET / LINSERT in the middle of a 100,000-element list.
void BM_SetMiddle(benchmark::State& state) {
  const auto& codes = Codes(0);
  List l;
  for (size_t i = 0; i < 100000; ++i) l.PushBack(codes[i]);
  std::mt19937_64 rng(2);
  for (auto _ : state) l.Set(rng() % l.size(), codes[rng() % kN]);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_SetMiddle);

void BM_InsertMiddle(benchmark::State& state) {
  const auto& codes = Codes(0);
  List l;
  for (size_t i = 0; i < 100000; ++i) l.PushBack(codes[i]);
  std::mt19937_64 rng(3);
  for (auto _ : state) l.Insert(l.IteratorAt(rng() % l.size()), false, codes[rng() % kN]);
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_InsertMiddle);

}  // namespace
}  // namespace grabkv::storage
