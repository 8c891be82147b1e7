#include "server/grab/grab_rng.h"

#include <algorithm>

namespace grabkv::server {

namespace {
class SplitMix64 {
 public:
  explicit SplitMix64(uint64_t seed) : state_(seed) {}
  uint64_t Next() {
    uint64_t z = (state_ += 0x9e3779b97f4a7c15ULL);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
    return z ^ (z >> 31);
  }
  // Uniform in [0, n) without modulo bias (rejection sampling).
  uint64_t Below(uint64_t n) {
    uint64_t limit = UINT64_MAX - UINT64_MAX % n;
    uint64_t x;
    do {
      x = Next();
    } while (x >= limit);
    return x % n;
  }

 private:
  uint64_t state_;
};
}  // namespace

std::vector<int64_t> SplitDoubleAverage(int64_t total, int64_t count, int64_t min, uint64_t seed) {
  SplitMix64 rng(seed);
  std::vector<int64_t> shares;
  shares.reserve(static_cast<size_t>(count));
  int64_t remaining = total;
  for (int64_t left = count; left > 1; --left) {
    // Upper bound: below twice the average, and leaving `min` for each of
    // the others.
    int64_t hi = std::min(2 * (remaining / left) + (2 * (remaining % left)) / left - 1,
                          remaining - min * (left - 1));
    hi = std::max(hi, min);
    int64_t share = min + static_cast<int64_t>(rng.Below(static_cast<uint64_t>(hi - min + 1)));
    shares.push_back(share);
    remaining -= share;
  }
  shares.push_back(remaining);
  return shares;
}

}  // namespace grabkv::server
