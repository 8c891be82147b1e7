// Expected RESP reply bytes for the in-process command tests: the common
// fixed replies and error texts (as redis-server 7.0.15 sends them) and
// builders for bulks, integers, errors and aggregates. One place for what
// every family test compares against.
#pragma once

#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

namespace grabkv::testing::replies {

inline std::string Bulk(std::string_view s) {
  return "$" + std::to_string(s.size()) + "\r\n" + std::string(s) + "\r\n";
}
inline std::string Int(long long v) { return ":" + std::to_string(v) + "\r\n"; }
inline std::string Err(std::string_view s) { return "-" + std::string(s) + "\r\n"; }
// A RESP3 double, given as its text.
inline std::string Dbl(std::string_view s) { return "," + std::string(s) + "\r\n"; }

inline const std::string kOk = "+OK\r\n";
inline const std::string kNil = "$-1\r\n";       // RESP2 null bulk
inline const std::string kNilArray = "*-1\r\n";  // RESP2 null array
inline const std::string kNil3 = "_\r\n";        // RESP3 null
inline const std::string kEmpty = "$0\r\n\r\n";  // the empty bulk string
inline const std::string kEmptyArray = "*0\r\n";
inline const std::string kEmptySet3 = "~0\r\n";

// Error replies, by their text.
inline const std::string kWrongType =
    Err("WRONGTYPE Operation against a key holding the wrong kind of value");
inline const std::string kSyntax = Err("ERR syntax error");
inline const std::string kNotInt = Err("ERR value is not an integer or out of range");
inline const std::string kNotFloat = Err("ERR value is not a valid float");
inline const std::string kNotPositive = Err("ERR value is out of range, must be positive");
inline const std::string kTooBig =
    Err("ERR string exceeds maximum allowed size (proto-max-bulk-len)");

// Only the header of an array of n elements ("*n"); the caller appends them.
inline std::string Arr(size_t n) { return "*" + std::to_string(n) + "\r\n"; }
// A whole array: the header, then the parts (already encoded replies).
inline std::string Arr(const std::vector<std::string>& parts) {
  std::string out = Arr(parts.size());
  for (const auto& p : parts) out += p;
  return out;
}
// Only the header of a RESP3 set of n elements ("~n").
inline std::string Set3(size_t n) { return "~" + std::to_string(n) + "\r\n"; }

// A whole array of bulk strings.
inline std::string Bulks(const std::vector<std::string>& items) {
  std::string out = Arr(items.size());
  for (const auto& s : items) out += Bulk(s);
  return out;
}
// The bulk strings one after another, without a header (for Arr(n) + ...).
inline std::string BulkParts(std::initializer_list<std::string_view> items) {
  std::string out;
  for (auto s : items) out += Bulk(s);
  return out;
}

inline std::string Arity(std::string_view cmd) {
  return Err("ERR wrong number of arguments for '" + std::string(cmd) + "' command");
}
inline std::string InvalidExpire(std::string_view cmd) {
  return Err("ERR invalid expire time in '" + std::string(cmd) + "' command");
}

}  // namespace grabkv::testing::replies
