// The red-envelope split of GRAB.SPLIT, kept apart so that it can be tested
// as a pure function. Uses its own generator (splitmix64 + unbiased bounded
// draws), not <random>'s distributions, so that the same SEED gives the same
// shares on every platform and library version.
#pragma once

#include <cstdint>
#include <vector>

namespace grabkv::server {

// Splits `total` into `count` shares by the double-average rule: while L
// shares remain out of R, each share but the last is uniform in
// [min, max(min, min(floor(2R/L) - 1, R - min*(L-1)))], the last takes the
// rest. REQUIRES: count >= 1, min >= 1, total >= count * min.
std::vector<int64_t> SplitDoubleAverage(int64_t total, int64_t count, int64_t min, uint64_t seed);

}  // namespace grabkv::server
