// Text helpers shared by the command families: Redis's number parsing and
// formatting rules, glob matching and argument splitting.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace grabkv::server {

// Redis string2ll: canonical integer text only ("+1", " 1", "01" rejected).
bool ParseInt64(std::string_view s, int64_t* out);
// Redis string2ld / strtold rules for INCRBYFLOAT and friends: no spaces,
// no nan; "inf" accepted only where Redis accepts it (see .cc).
bool ParseLongDouble(std::string_view s, long double* out);
// Redis getDoubleFromObject rules (ZADD scores, timeouts): strtod, no spaces,
// not NaN; "inf"/"-inf"/"+inf" allowed.
bool ParseDouble(std::string_view s, double* out);
// Redis ld2string(LD_STR_HUMAN): "%.17Lf" with trailing zeros (and the dot)
// trimmed; the INCRBYFLOAT / HINCRBYFLOAT reply format.
std::string FormatLongDouble(long double v);
// Parses a memory amount like Redis ("1gb", "512mb", "100k", "12");
// false if bad.
bool ParseMemory(std::string_view s, int64_t* out);  // non-negative only
// Redis-style glob match (KEYS, SCAN MATCH, CONFIG GET, PUBSUB CHANNELS).
bool GlobMatch(std::string_view pattern, std::string_view str, bool nocase = false);
// Splits a line like Redis sdssplitargs (quotes, escapes). Returns false on
// unbalanced quotes.
bool SplitArgs(std::string_view line, std::vector<std::string>* out);
// Redis compares option words (NX, BEFORE, LEFT, ...) as C strings: an
// argument counts up to its first NUL byte ("NX\0junk" is NX).
inline std::string_view AsCString(std::string_view s) {
  size_t nul = s.find('\0');
  return nul == std::string_view::npos ? s : s.substr(0, nul);
}
// Redis parseScanCursorOrReply (SCAN, HSCAN, SSCAN, ZSCAN): strtoul, so ""
// is 0, "+5" is 5 and "-1" wraps to ULONG_MAX; a leading space, trailing
// bytes or overflow is an error. An inner NUL ends the cursor, as in Redis.
bool ParseScanCursor(std::string_view s, uint64_t* out);
// HSCAN/SSCAN/ZSCAN's [MATCH pattern] [COUNT n] options starting at
// args[from] (Redis scanGenericCommand rules). Returns nullptr on success, else
// the error reply text. `pattern` stays unset for no MATCH or MATCH *.
struct ScanOptions {
  int64_t count = 10;
  std::optional<std::string_view> pattern;
};
const char* ParseScanOptions(std::span<const std::string_view> args, size_t from,
                             ScanOptions* out);
// Upper-cases ASCII.
std::string ToUpper(std::string_view s);

}  // namespace grabkv::server

namespace grabkv::server {
// ASCII case-insensitive equality (command names, options).
bool EqualsIgnoreCase(std::string_view a, std::string_view b);
// An option argument matched as Redis's strcasecmp does: case-insensitive,
// and the argument read as a C string (it ends at its first NUL).
inline bool IsOpt(std::string_view arg, std::string_view name) {
  return EqualsIgnoreCase(AsCString(arg), name);
}
// Lower-cases ASCII into `out` (a reused buffer: no allocation per command).
void ToLower(std::string_view in, std::string* out);

// SRANDMEMBER / HRANDFIELD / ZRANDMEMBER with a negative count (picks with
// repetition). Deliberate difference from Redis 7.0, which builds the whole
// reply before sending a byte: `SRANDMEMBER k -9223372036854775807` keeps it
// busy forever and eats all memory (later Redis/Valkey versions only stop
// when an output-buffer limit fires, and normal clients have none by
// default). grabkv refuses a count whose reply is bound to exceed
// proto-max-bulk-len bytes (the server's own bound on one protocol element,
// 512MB by default) even if every element were the shortest possible bulk,
// "$0\r\n\r\n" (6 bytes; 12 per member/score or field/value pair).
// With the default that is any count beyond 89,478,485 elements
// (44,739,242 pairs): realistic counts reply byte for byte as Redis does,
// and the largest accepted reply takes seconds, not forever.
inline constexpr const char* kRandCountTooLargeErr =
    "ERR count is too large: the reply would exceed proto-max-bulk-len";
inline bool RandCountTooLarge(uint64_t count, bool pairs, int64_t proto_max_bulk_len) {
  const uint64_t per = pairs ? 12 : 6;
  return count > static_cast<uint64_t>(proto_max_bulk_len) / per;
}
}  // namespace grabkv::server
