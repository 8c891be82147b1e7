// StringMap (server/string_map.h) under keys crafted to share one probe
// sequence of the hash it used before (std::hash<std::string_view>, which in
// libstdc++ is murmur2 under a fixed seed: computable offline by anyone).
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/internal/hashtable_debug.h"
#include "server/core/string_map.h"

namespace grabkv::server {
namespace {

struct OldHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
};
using OldMap = absl::flat_hash_map<std::string, int, OldHash, StringViewEq>;

// Abseil's probe start is (hash >> 7) ^ salt, masked by the capacity; keys
// whose hashes agree in bits 7..18 start every table up to 4095 slots at
// the same group, whatever the salt.
std::vector<std::string> CraftOldCollisions(size_t n) {
  std::vector<std::string> keys;
  for (uint64_t i = 0; keys.size() < n; ++i) {
    std::string k = "channel:" + std::to_string(i);
    if (((OldHash{}(k) >> 7) & 0xfff) == 0) keys.push_back(std::move(k));
  }
  return keys;
}

template <typename Map>
size_t MaxProbes(const Map& m) {
  size_t most = 0;
  for (const auto& [k, v] : m) {
    most = std::max(most, absl::container_internal::GetHashtableDebugNumProbes(m, k));
  }
  return most;
}

TEST(StringMapFloodTest, OldHashCollisionsDoNotShareProbeSequences) {
  const std::vector<std::string> keys = CraftOldCollisions(1500);
  OldMap old_map;
  StringMap<int> map;
  for (size_t i = 0; i < keys.size(); ++i) {
    old_map[keys[i]] = static_cast<int>(i);
    map[keys[i]] = static_cast<int>(i);
  }
  // The crafted keys really are hostile to the old hash: the last ones walk
  // ~keys/16 groups.
  EXPECT_GT(MaxProbes(old_map), 50u);
  // Keyed: a handful of probes at most (2047 slots, 1500 keys).
  EXPECT_LE(MaxProbes(map), 10u);
  for (size_t i = 0; i < keys.size(); ++i) ASSERT_EQ(map.find(keys[i])->second, static_cast<int>(i));
}

TEST(StringMapFloodTest, PairHashIsKeyedAndSeparatesDbs) {
  IntStringPairHash h;
  EXPECT_NE(h({0, "k"}), h({1, "k"}));
  EXPECT_EQ(h({3, "k"}), h({3, std::string("k")}));
  EXPECT_NE(h({0, "k"}), std::hash<std::string_view>{}("k"));
}

}  // namespace
}  // namespace grabkv::server
