// PartialQuickSort (Redis's pqsort algorithm): the window it promises holds
// what a full sort puts there, for every window of random inputs with many
// ties, and the tie order it leaves is the one redis-server 7.0.15 returned
// (GEOSEARCH ... COUNT over members at one place, tests/integration/cases/geo.txt).
#include "server/commands/partial_sort.h"
#include "storage/geohash.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <random>
#include <string>
#include <vector>

namespace grabkv::server {
namespace {

int Cmp(int a, int b) { return a < b ? -1 : (a > b ? 1 : 0); }

TEST(PartialQuickSort, WindowMatchesAFullSort) {
  std::mt19937 rng(16);
  for (int round = 0; round < 300; ++round) {
    const size_t n = 1 + rng() % 120;
    std::vector<int> v(n);
    for (int& x : v) x = static_cast<int>(rng() % (1 + rng() % 20));
    std::vector<int> sorted = v;
    std::sort(sorted.begin(), sorted.end());
    const size_t lo = rng() % n;
    const size_t hi = lo + rng() % (n - lo);
    PartialQuickSort(v, Cmp, lo, hi);
    for (size_t i = lo; i <= hi; ++i) EXPECT_EQ(v[i], sorted[i]) << "n=" << n << " i=" << i;
  }
}

TEST(PartialQuickSort, TiesInRedisOrder) {
  // GEOADD t 10 10 a1 ... 10 10 b3 10.001 10 c1 10.001 10 c2 10.002 10 c3
  // 9.999 10 d1 9.999 10 d2, searched around (10, 10): the scan finds
  // d1 d2 a1..a9 b1..b3 c1 c2 c3, and Redis answered COUNT 5 with
  // b3 b1 b2 a1 a2.
  struct M {
    std::string name;
    double dist;
  };
  std::vector<M> v;
  const auto add = [&](const std::string& name, double lon, double lat) {
    double x, y;
    storage::geo::DecodeScore(static_cast<double>(storage::geo::EncodeScore(lon, lat)), &x, &y);
    v.push_back({name, storage::geo::Distance(10, 10, x, y)});
  };
  add("d1", 9.999, 10);
  add("d2", 9.999, 10);
  for (const char* n : {"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "b1", "b2", "b3"}) add(n, 10, 10);
  add("c1", 10.001, 10);
  add("c2", 10.001, 10);
  add("c3", 10.002, 10);
  PartialQuickSort(v, [](const M& a, const M& b) { return a.dist > b.dist ? 1 : (a.dist == b.dist ? 0 : -1); }, 0, 4);
  std::vector<std::string> first;
  for (size_t i = 0; i < 5; ++i) first.push_back(v[i].name);
  EXPECT_EQ(first, (std::vector<std::string>{"b3", "b1", "b2", "a1", "a2"}));
}

}  // namespace
}  // namespace grabkv::server
