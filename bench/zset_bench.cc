// Sorted sets: memory per member and the cost of the operations the
// red-envelope workload and ZRANGE-style reads use, at 1M members.
//
//   bytes_per_member   glibc's bytes in use (mallinfo2, chunk headers and
//                      rounding included) after building the set, / members
//   tree_bytes_per_member  the B+tree alone (the ordered index that replaces
//                      Redis's skiplist), / members
//   per_op             time per operation
//
// Members are "m:%08zu" (10 bytes); scores are random doubles unless the
// benchmark says "Seq" (increasing scores, e.g. timestamps). The listpack
// benchmark measures many small sets (128 members each, the default
// zset-max-listpack-entries).
//
//   zset_bench --benchmark_filter=ZAdd
#include <malloc.h>

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "storage/zset.h"

namespace grabkv::storage {
namespace {

constexpr size_t kN = 1'000'000;

size_t HeapInUse() {
  struct mallinfo2 mi = mallinfo2();
  return mi.uordblks + mi.hblkhd;
}

struct Data {
  std::vector<std::string> members;
  std::vector<double> scores;      // random
  std::vector<uint32_t> order;     // a shuffled permutation for lookups
};

const Data& GetData() {
  static Data d = [] {
    Data d;
    std::mt19937_64 rng(7);
    std::uniform_real_distribution<double> dist(0, 1e6);
    char buf[32];
    for (size_t i = 0; i < kN; ++i) {
      std::snprintf(buf, sizeof(buf), "m:%08zu", i);
      d.members.emplace_back(buf);
      d.scores.push_back(dist(rng));
      d.order.push_back(static_cast<uint32_t>(i));
    }
    std::shuffle(d.order.begin(), d.order.end(), rng);
    return d;
  }();
  return d;
}

const ZSetLimits kLimits{128, 64};

std::unique_ptr<ZSet> Build(bool sequential) {
  const Data& d = GetData();
  auto z = std::make_unique<ZSet>(ZSet::Encoding::kSkiplist);
  double unused;
  for (size_t i = 0; i < kN; ++i) {
    z->Add(d.members[i], sequential ? static_cast<double>(i) : d.scores[i], 0, kLimits, &unused);
  }
  return z;
}

benchmark::Counter PerOp(size_t ops) {
  return benchmark::Counter(static_cast<double>(ops),
                            benchmark::Counter::kIsIterationInvariantRate |
                                benchmark::Counter::kInvert);
}

// ZADD of 1M new members into one set.
void BM_ZAdd(benchmark::State& state) {
  const bool seq = state.range(0) != 0;
  GetData();
  double bytes = 0;
  for (auto _ : state) {
    const size_t before = HeapInUse();
    auto z = Build(seq);
    state.PauseTiming();
    bytes = static_cast<double>(HeapInUse() - before) / kN;
    z.reset();
    state.ResumeTiming();
  }
  state.counters["per_op"] = PerOp(kN);
  state.counters["bytes_per_member"] = bytes;
}
BENCHMARK(BM_ZAdd)->Arg(0)->Arg(1)->ArgNames({"seq"})->Unit(benchmark::kMillisecond);

// The ordered index alone: a tree of (score, member entry) slots over an
// existing member dictionary, so that its bytes can be told apart.
void BM_TreeOnly(benchmark::State& state) {
  const Data& d = GetData();
  ZSet::MemberDict dict;
  std::vector<ZSet::Slot> slots;
  for (size_t i = 0; i < kN; ++i) {
    auto* e = dict.Insert(d.members[i]).first;
    e->value = d.scores[i];
    slots.push_back({e->value, e});
  }
  double bytes = 0, leaves_fill = 0;
  for (auto _ : state) {
    const size_t before = HeapInUse();
    ZSet::Tree t;
    for (const auto& s : slots) t.Insert(s);
    state.PauseTiming();
    bytes = static_cast<double>(HeapInUse() - before) / kN;
    leaves_fill = static_cast<double>(kN) /
                  static_cast<double>(t.leaf_count() * ZSet::Tree::kLeafCap);
    state.ResumeTiming();
  }
  state.counters["per_op"] = PerOp(kN);
  state.counters["tree_bytes_per_member"] = bytes;
  state.counters["leaf_fill"] = leaves_fill;
}
BENCHMARK(BM_TreeOnly)->Unit(benchmark::kMillisecond);

// ZPOPMIN until empty.
void BM_PopMin(benchmark::State& state) {
  std::string m;
  double s;
  for (auto _ : state) {
    state.PauseTiming();
    auto z = Build(false);
    state.ResumeTiming();
    while (!z->empty()) z->Pop(false, &m, &s);
    state.PauseTiming();
    z.reset();
    state.ResumeTiming();
  }
  state.counters["per_op"] = PerOp(kN);
}
BENCHMARK(BM_PopMin)->Unit(benchmark::kMillisecond);

// ZREM of every member in random order.
void BM_Remove(benchmark::State& state) {
  const Data& d = GetData();
  for (auto _ : state) {
    state.PauseTiming();
    auto z = Build(false);
    state.ResumeTiming();
    for (uint32_t i : d.order) z->Remove(d.members[i]);
    state.PauseTiming();
    z.reset();
    state.ResumeTiming();
  }
  state.counters["per_op"] = PerOp(kN);
}
BENCHMARK(BM_Remove)->Unit(benchmark::kMillisecond);

// ZINCRBY-like score updates of random members (erase + insert in the tree).
void BM_UpdateScore(benchmark::State& state) {
  const Data& d = GetData();
  auto z = Build(false);
  size_t i = 0;
  double out;
  for (auto _ : state) {
    z->Add(d.members[d.order[i]], 1.0, ZSet::kAddIncr, kLimits, &out);
    if (++i == kN) i = 0;
  }
}
BENCHMARK(BM_UpdateScore);

void BM_Score(benchmark::State& state) {
  const Data& d = GetData();
  auto z = Build(false);
  size_t i = 0;
  double s;
  for (auto _ : state) {
    benchmark::DoNotOptimize(z->Score(d.members[d.order[i]], &s));
    if (++i == kN) i = 0;
  }
}
BENCHMARK(BM_Score);

void BM_Rank(benchmark::State& state) {
  const Data& d = GetData();
  auto z = Build(false);
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(z->Rank(d.members[d.order[i]], false));
    if (++i == kN) i = 0;
  }
}
BENCHMARK(BM_Rank);

// ZRANGE key r r+99: a rank lookup and a 100-member walk.
void BM_Range100(benchmark::State& state) {
  auto z = Build(false);
  std::mt19937_64 rng(3);
  size_t sum = 0;
  for (auto _ : state) {
    auto it = z->AtRank(rng() % (kN - 100));
    for (int j = 0; j < 100; ++j, it.Next()) sum += it.member().size();
  }
  benchmark::DoNotOptimize(sum);
}
BENCHMARK(BM_Range100);

// ZCOUNT over a random score window.
void BM_ScoreSpan(benchmark::State& state) {
  auto z = Build(false);
  std::mt19937_64 rng(4);
  size_t sum = 0;
  for (auto _ : state) {
    ZScoreRange r;
    r.min = static_cast<double>(rng() % 1000000);
    r.max = r.min + 1000;
    sum += z->ScoreSpan(r).count;
  }
  benchmark::DoNotOptimize(sum);
}
BENCHMARK(BM_ScoreSpan);

// Many small sets in the listpack encoding: 128 members each.
void BM_ListpackSets(benchmark::State& state) {
  const Data& d = GetData();
  constexpr size_t kPer = 128;
  constexpr size_t kSets = kN / kPer;
  double bytes = 0;
  for (auto _ : state) {
    const size_t before = HeapInUse();
    std::vector<std::unique_ptr<ZSet>> sets;
    sets.reserve(kSets);
    double unused;
    for (size_t s = 0; s < kSets; ++s) {
      auto z = std::make_unique<ZSet>();
      for (size_t j = 0; j < kPer; ++j) {
        z->Add(d.members[s * kPer + j], d.scores[s * kPer + j], 0, kLimits, &unused);
      }
      sets.push_back(std::move(z));
    }
    state.PauseTiming();
    bytes = static_cast<double>(HeapInUse() - before - sets.capacity() * sizeof(void*)) /
            static_cast<double>(kSets * kPer);
    sets.clear();
    state.ResumeTiming();
  }
  state.counters["per_op"] = PerOp(kSets * kPer);
  state.counters["bytes_per_member"] = bytes;
}
BENCHMARK(BM_ListpackSets)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace grabkv::storage
