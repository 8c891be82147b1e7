// What the set family's two files (set_family.cc, set_algebra.cc) share.
#pragma once

#include <algorithm>
#include <cstddef>
#include <cstdint>

#include "server/core/config.h"
#include "storage/set.h"

namespace grabkv::server {

// The set encoding limits under config `c`. Redis caps
// set-max-intset-entries at 2^30 (intset internals).
inline storage::SetLimits SetLimitsOf(const Config& c) {
  const int64_t max = std::clamp<int64_t>(c.set_max_intset_entries, 0, int64_t{1} << 30);
  return storage::SetLimits{static_cast<size_t>(max)};
}

}  // namespace grabkv::server
