// Hash maps and sets keyed by std::string that can be looked up with a
// std::string_view without building a string. (Debian's Abseil is built
// with its own string_view type, so its default string hashing does not
// accept std::string_view.)
//
// Their keys are client-chosen (pub/sub channels and patterns, script SHAs,
// function names, ZUNIONSTORE members...), so they hash with the keyed
// SipHash of storage/siphash.h, not with std::hash (libstdc++'s is murmur2
// under a fixed seed: anyone can compute collisions offline) nor with
// absl::Hash: Abseil 20220623 (Debian 12) seeds absl::Hash with the address
// of a static variable, which only ASLR varies, and documents that this
// seed "is not meant as a security feature"; the per-table salt mixed into
// H1 (the ctrl array's address) is a XOR that keeps equal hashes equal.
// Abseil containers keyed by client bytes must therefore take
// StringViewHash (or KeyedPairHash below) explicitly.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "storage/siphash.h"

namespace grabkv::server {

struct StringViewHash {
  using is_transparent = void;
  size_t operator()(std::string_view s) const { return storage::HashBytes(s); }
};
struct StringViewEq {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const { return a == b; }
};

// For (db index, key) pairs: the keyed hash of the key, with the db mixed in
// by an odd multiplier (a bijection, so distinct dbs cannot be made to
// cancel out a key's randomness).
struct IntStringPairHash {
  size_t operator()(const std::pair<int, std::string>& p) const {
    return storage::HashBytes(p.second) ^
           (static_cast<uint64_t>(static_cast<uint32_t>(p.first)) * 0x9e3779b97f4a7c15ull);
  }
};

template <typename V>
using StringMap = absl::flat_hash_map<std::string, V, StringViewHash, StringViewEq>;
using StringSet = absl::flat_hash_set<std::string, StringViewHash, StringViewEq>;

}  // namespace grabkv::server
